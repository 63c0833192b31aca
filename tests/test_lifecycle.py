"""`run.py serve` as a process: SIGTERM, a second start on the same database, kill -9.

The SMTP relay holds each message at DATA until the test releases it, so "a message in
flight" is a precise moment rather than a race.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller

from bot.cli.main import main
from state import outbox
from state.db import open_db
from state.subscribers import add_subscriber
from tests.smtpserver import Mailbox, _Handler, free_port
from tests.tg_helpers import NOW

ROOT = Path(__file__).resolve().parent.parent
FIRMS = ["a@firm.tw", "b@firm.tw", "c@firm.tw"]


class _Holding(_Handler):
    def __init__(self, box: Mailbox) -> None:
        super().__init__(box)
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return await super().handle_DATA(server, session, envelope)


class HoldingRelay:
    def __init__(self) -> None:
        self.box = Mailbox()
        self.handler = _Holding(self.box)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> HoldingRelay:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.handler.release.set()
        self.controller.stop()

    def recipients(self) -> list[str]:
        return sorted(m["To"] for m in self.box.messages)


def _setup(tmp_path: Path, port: int) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f'sources = []\n[service]\ndatabase = "{tmp_path / "t.db"}"\n'
        '[console]\nenabled = false\n[file]\nenabled = false\n'
        f'[email]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 60\n',
        encoding="utf-8",
    )
    db = open_db(tmp_path / "t.db")
    for address in FIRMS:
        sub = add_subscriber(db, name=address, channel="email", address=address, now=NOW)
        outbox.enqueue(db, subscriber_id=sub.id, message_key="alert:x", kind="alert", text="快訊", now=NOW)
    db.conn.close()
    return config


async def _serve(config: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "run.py", "--config", str(config), "serve",
        cwd=str(ROOT), stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _until_logged(proc: asyncio.subprocess.Process, text: str, seen: list[str]) -> None:
    assert proc.stderr is not None
    while True:
        line = (await asyncio.wait_for(proc.stderr.readline(), 30)).decode()
        seen.append(line)
        assert line, "".join(seen)[-2000:]
        if text in line:
            return


def _backlog(tmp_path: Path) -> dict[str, int]:
    db = open_db(tmp_path / "t.db")
    try:
        return outbox.backlog(db)
    finally:
        db.conn.close()


async def test_sigterm_lets_the_message_in_flight_finish_and_nothing_repeats(tmp_path):
    with HoldingRelay() as relay:
        config = _setup(tmp_path, relay.port)
        proc = await _serve(config)
        log: list[str] = []
        assert await asyncio.to_thread(relay.handler.arrived.wait, 30)
        proc.send_signal(signal.SIGTERM)
        await _until_logged(proc, "letting each channel finish the message in flight", log)
        relay.handler.release.set()  # the relay accepts the message only now
        _, rest = await proc.communicate()
        assert proc.returncode == 0, "".join(log) + rest.decode()
        assert relay.recipients() == ["a@firm.tw"]
        assert _backlog(tmp_path) == {"sent": 1, "pending": 2}  # recorded sent, the rest never started

        assert await asyncio.to_thread(main, ["--config", str(config), "once"]) == 0
        assert relay.recipients() == FIRMS  # each once: 0 lost, 0 repeated
        assert _backlog(tmp_path) == {"sent": 3}


async def test_second_serve_refuses_and_kill_9_is_taken_over_with_one_repeat_at_most(tmp_path, capsys):
    with HoldingRelay() as relay:
        config = _setup(tmp_path, relay.port)
        first = await _serve(config)
        assert await asyncio.to_thread(relay.handler.arrived.wait, 30)  # first is sending a@

        # The second start runs in this process (its refusal is what matters, not its signals).
        assert await asyncio.to_thread(main, ["--config", str(config), "serve"]) == 2
        text = capsys.readouterr().err
        assert "錯誤：另一個 tradealert 執行個體正在使用資料庫" in text
        assert f"serve, pid {first.pid} on host" in text and "Traceback" not in text
        assert _backlog(tmp_path) == {"sending": 1, "pending": 2}  # the live instance's row untouched

        first.kill()  # kill -9 with a@ in flight: the relay will accept it, the sender never knows
        await first.wait()
        relay.handler.release.set()
        # Same host, pid gone: the next start takes over at once and resends the one in flight.
        assert await asyncio.to_thread(main, ["--config", str(config), "once"]) == 0
        assert _backlog(tmp_path) == {"sent": 3}
        got = relay.recipients()
        assert sorted(set(got)) == FIRMS and len(got) <= len(FIRMS) + 1
