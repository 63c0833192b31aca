"""Per-channel drains: they keep going while rows are due, never wait on each other, and a
kill at any point leaves at most the one message in flight per channel."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import Config, DeliveryConfig, EmailConfig, HttpConfig
from bot.delivery import worker as delivery
from bot.delivery.channels.base import Deferred, Outcome, Retry, Sent
from bot.delivery.channels.email import EmailChannel
from bot.delivery.channels.file import FileChannel
from bot.delivery.channels.telegram import TelegramChannel
from bot.service import Service
from state import outbox
from state.db import open_db
from state.outbox import OutboxMessage
from state.subscribers import add_subscriber
from tests.fakebotapi import FakeBotAPI
from tests.tg_helpers import NOW, channel_for

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

BARE = Config(sources=(), console={"enabled": False}, file={"enabled": False})  # type: ignore[arg-type]


def _queue(db, channel: str, addresses: list[str], keys: int = 1) -> None:
    for address in addresses:
        sub = add_subscriber(db, name=address, channel=channel, address=address, now=NOW)
        for k in range(keys):
            outbox.enqueue(db, subscriber_id=sub.id, message_key=f"alert:{k}", kind="alert",
                           text=f"訊息 {k}", html=(f"<b>訊息 {k}</b>",), now=NOW)  # fmt: skip


@pytest.fixture
async def relay() -> AsyncIterator[tuple[int, asyncio.Event]]:
    """A black-holed SMTP relay: accepts connections and never says a word until released."""
    release = asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await release.wait()
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1], release
    release.set()
    server.close()


async def test_a_hung_mail_relay_does_not_hold_up_telegram(tmp_path, relay):
    port, release = relay
    fake = await FakeBotAPI(private_interval=0).start()
    db = open_db(tmp_path / "t.db")
    chats = [str(7000 + i) for i in range(12)]
    _queue(db, "email", ["a@firm.tw", "b@firm.tw", "c@firm.tw"])
    _queue(db, "telegram", chats)
    mail = EmailChannel(EmailConfig(enabled=True, port=port, security="none", timeout=120), HttpConfig())
    svc = Service(BARE, db, {"email": mail, "telegram": channel_for(fake, db)}, clock=lambda: NOW)
    svc.start()
    try:
        sweep = asyncio.create_task(svc.drain(NOW))
        for chat in chats:  # every Telegram chat gets its alert while the relay says nothing
            await fake.wait_for_messages(int(chat), 1, within=20)
        assert not sweep.done()
        await asyncio.sleep(0)  # let the Telegram drain record its last outcome
        by_channel = {
            (r["channel"], r["status"]): r["n"]
            for r in db.query("SELECT s.channel, o.status, count(*) AS n FROM outbox o"
                              " JOIN subscribers s ON s.id = o.subscriber_id GROUP BY 1, 2")
        }  # fmt: skip
        assert by_channel == {("telegram", "sent"): 12, ("email", "sending"): 1, ("email", "pending"): 2}
        release.set()  # the relay hangs up: each e-mail is a retry, none is lost
        stats = await sweep
        assert stats.sent == 12 and stats.retried == 3
    finally:
        await svc.close()
        await fake.stop()


async def test_one_drain_sends_every_due_row_not_one_batch(tmp_path):
    db = open_db(tmp_path / "t.db")
    _queue(db, "file", [f"firm-{i}" for i in range(7)], keys=3)
    config = BARE.model_copy(update={"delivery": DeliveryConfig(batch=5)})
    svc = Service(config, db, {"file": FileChannel(str(tmp_path / "out"))}, clock=lambda: NOW)
    stats = await svc.cycle(NOW)
    await svc.close()
    assert stats["drain"].sent == 21  # type: ignore[attr-defined]
    assert outbox.backlog(db) == {"sent": 21}
    assert len(list((tmp_path / "out").rglob("*.txt"))) == 21


class _Kill(BaseException):
    """Stands in for kill -9: nothing in the service catches it."""


class _DiesAfter:
    name = "file"

    def __init__(self, inner: FileChannel, n: int) -> None:
        self.inner, self.n, self.calls = inner, n, 0

    async def send(self, msg: OutboxMessage) -> Outcome:
        self.calls += 1
        if self.calls > self.n:
            raise _Kill()
        return await self.inner.send(msg)

    async def close(self) -> None:
        return None


@pytest.mark.parametrize("killed_after", [0, 1, 2, 5])
async def test_kill_mid_drain_leaves_one_in_flight_and_restart_sends_each_once(tmp_path, killed_after):
    """Outcome k and the ``sending`` mark of k+1 share a commit: a kill still leaves every
    earlier message recorded sent and only the one being sent in ``sending``."""
    db = open_db(tmp_path / "t.db")
    _queue(db, "file", [f"firm-{i}" for i in range(8)])
    files = FileChannel(str(tmp_path / "out"))
    svc = Service(BARE, db, {"file": _DiesAfter(files, killed_after)}, clock=lambda: NOW)
    svc.start()
    with pytest.raises(_Kill):
        await svc.drain(NOW)
    assert outbox.backlog(db) == {k: v for k, v in
                                  {"sent": killed_after, "sending": 1, "pending": 7 - killed_after}.items() if v}  # fmt: skip
    db.conn.close()  # the process is gone; its lease stays behind (same pid: taken over by expiry)

    db2 = open_db(tmp_path / "t.db")
    later = NOW + timedelta(minutes=5)
    svc2 = Service(BARE, db2, {"file": files}, clock=lambda: later)
    await svc2.cycle(later)
    await svc2.close()
    assert outbox.backlog(db2) == {"sent": 8}
    written = list((tmp_path / "out").rglob("*.txt"))
    assert len(written) == 8  # the file channel never writes one twice


class _PacedChannel:
    """Like Telegram's per-chat pacing: a chat's second message must wait ``gap`` seconds."""

    name = "telegram"

    def __init__(self, clock: list[float], gap: float = 1.0) -> None:
        self.clock, self.gap = clock, gap
        self.last: dict[str, float] = {}
        self.delivered: list[tuple[str, str]] = []

    async def send(self, msg: OutboxMessage) -> Outcome:
        wait = self.last.get(msg.address, -1e9) + self.gap - self.clock[0]
        if wait > 0:
            return Deferred("paced", after=wait)
        self.last[msg.address] = self.clock[0]
        self.delivered.append((msg.address, msg.message_key))
        return Sent()

    async def close(self) -> None:
        return None


async def test_once_waits_out_pacing_so_nothing_due_is_left_behind(tmp_path):
    t = [0.0]

    async def sleep(seconds: float) -> None:
        t[0] += seconds

    def clock():
        return NOW + timedelta(seconds=t[0])

    async def run(settle: bool, name: str):
        db = open_db(tmp_path / name)
        _queue(db, "telegram", ["101", "102"], keys=3)
        paced = _PacedChannel(t)
        stats = await delivery.drain_channel(db, "telegram", paced, clock=clock, config=DeliveryConfig(),
                                             rng=random.Random(1), settle=settle, sleep=sleep)  # fmt: skip
        return stats, outbox.backlog(db), paced.delivered

    sweep, backlog, _ = await run(settle=False, name="a.db")  # one instant: one per chat, rest later
    assert sweep.sent == 2 and backlog == {"sent": 2, "pending": 4}
    t[0] = 0.0
    settled, backlog, delivered = await run(settle=True, name="b.db")
    assert settled.sent == 6 and backlog == {"sent": 6}
    assert sorted(delivered) == sorted((c, f"alert:{k}") for c in ("101", "102") for k in range(3))
    assert 1.9 <= t[0] < 3.5  # two more rounds of one-second pacing, not a retry backoff


class _TimesOut:
    """An SMTP relay that never answers: each send takes the whole timeout, then a retry."""

    name = "email"

    def __init__(self, clock: list[float], timeout: float) -> None:
        self.clock, self.timeout, self.calls = clock, timeout, 0

    async def send(self, msg: OutboxMessage) -> Outcome:
        self.calls += 1
        self.clock[0] += self.timeout
        return Retry("SMTP unavailable: TimeoutError")

    async def close(self) -> None:
        return None


async def test_once_tries_a_dead_relay_once_per_message_then_leaves_them_queued(tmp_path):
    db = open_db(tmp_path / "t.db")
    _queue(db, "email", [f"f{i}@firm.tw" for i in range(4)])
    t = [0.0]
    relay = _TimesOut(t, timeout=30)
    stats = await delivery.drain_channel(
        db, "email", relay, clock=lambda: NOW + timedelta(seconds=t[0]), config=DeliveryConfig(),
        rng=random.Random(1), settle=True,
    )  # fmt: skip
    # By the fourth send the first one's backoff (15–30 s) had passed; it still waits for the next run.
    assert relay.calls == 4 and stats.retried == 4
    assert outbox.backlog(db) == {"pending": 4}


def _once_config(tmp_path: Path, batch: int = 40) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'sources = []\n[service]\ndatabase = "{tmp_path / "t.db"}"\nlog_level = "WARNING"\n'
        f"[delivery]\nbatch = {batch}\n[file]\nenabled = false\n",
        encoding="utf-8",
    )
    return path


async def test_once_delivers_everything_due_and_says_so(tmp_path, capsys):
    config = _once_config(tmp_path)
    db = open_db(tmp_path / "t.db")
    _queue(db, "console", [f"firm-{i}" for i in range(30)], keys=3)  # 90 rows, batch 40
    assert await asyncio.to_thread(main, ["--config", str(config), "once", "--time-limit", "5m"]) == 0
    out = capsys.readouterr().out.splitlines()[-1]
    assert "sent=90" in out and "left=0" in out and "time_limit=300s" in out
    assert outbox.backlog(db) == {"sent": 90}


async def test_once_stops_at_its_time_limit_and_reports_what_is_left(tmp_path, capsys):
    config = _once_config(tmp_path, batch=5)
    db = open_db(tmp_path / "t.db")
    _queue(db, "console", [f"firm-{i}" for i in range(40)], keys=5)
    assert await asyncio.to_thread(main, ["--config", str(config), "once", "--time-limit", "1ms"]) == 0
    captured = capsys.readouterr()
    left = outbox.backlog(db).get("pending", 0)
    assert left > 0 and f"left={left}" in captured.out
    assert "時間上限" in captured.err and "time limit of 0.001s reached" in captured.err
    assert outbox.backlog(db).get("sending") is None  # stopped between messages, none cut off


async def test_mail_sent_back_to_back_shares_smtp_sessions(tmp_path, monkeypatch):
    from aiosmtpd.controller import Controller

    from bot.delivery.channels import email as email_channel
    from tests.smtpserver import Mailbox, _Handler, free_port

    class Sessions(_Handler):
        opened = 0

        async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
            Sessions.opened += 1
            session.host_name = hostname
            return responses

    box, port = Mailbox(), free_port()
    controller = Controller(Sessions(box), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setattr(email_channel, "MAX_PER_SESSION", 2)
    db = open_db(tmp_path / "t.db")
    _queue(db, "email", [f"f{i}@firm.tw" for i in range(5)])
    mail = EmailChannel(EmailConfig(enabled=True, port=port, security="none"), HttpConfig())
    svc = Service(BARE, db, {"email": mail}, clock=lambda: NOW)
    try:
        assert (await svc.cycle(NOW))["drain"].sent == 5  # type: ignore[attr-defined]
    finally:
        await svc.close()
        controller.stop()
    assert sorted(m["To"] for m in box.messages) == [f"f{i}@firm.tw" for i in range(5)]
    assert Sessions.opened == 3  # 2 + 2 + 1: not one connection per message


async def test_once_at_a_fixed_instant_does_not_wait_for_pacing_that_cannot_pass(tmp_path):
    """``once --now`` rehearses one instant: rows the pacing put off stay for a later run."""
    db = open_db(tmp_path / "t.db")
    _queue(db, "telegram", ["101"], keys=3)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    paced = _PacedChannel([0.0])
    stats = await delivery.drain_channel(db, "telegram", paced, clock=lambda: NOW, config=DeliveryConfig(),
                                         rng=random.Random(1), settle=True, sleep=sleep)  # fmt: skip
    assert stats.sent == 1 and outbox.backlog(db) == {"sent": 1, "pending": 2}
    assert len(slept) == 1  # looked once, saw the clock stand still, returned


class _Gated:
    """A far-away server: every send waits at the gate; records how many overlap."""

    name = "telegram"

    def __init__(self, window: int) -> None:
        self.max_in_flight = window
        self.active = self.peak = 0
        self.full = asyncio.Event()
        self.gate = asyncio.Event()
        self.sent: list[str] = []

    async def send(self, msg: OutboxMessage) -> Outcome:
        self.active += 1
        self.peak = max(self.peak, self.active)
        if self.active == self.max_in_flight:
            self.full.set()
        try:
            await self.gate.wait()
        finally:
            self.active -= 1
        self.sent.append(msg.address)
        return Sent()

    async def close(self) -> None:
        return None


async def test_max_in_flight_overlaps_sends_and_a_kill_leaves_at_most_that_many(tmp_path):
    db = open_db(tmp_path / "t.db")
    _queue(db, "telegram", [str(500 + i) for i in range(10)])
    far = _Gated(window=4)
    sweep = asyncio.create_task(delivery.drain(db, {"telegram": far}, now=NOW, config=DeliveryConfig(),
                                               rng=random.Random(1)))  # fmt: skip
    await asyncio.wait_for(far.full.wait(), 5)
    assert outbox.backlog(db) == {"sending": 4, "pending": 6}
    sweep.cancel()  # the process dies with four sends in flight
    with pytest.raises(asyncio.CancelledError):
        await sweep
    assert outbox.backlog(db) == {"sending": 4, "pending": 6}

    outbox.recover_inflight(db)  # the next start
    again = _Gated(window=4)
    again.gate.set()
    stats = await delivery.drain(db, {"telegram": again}, now=NOW, config=DeliveryConfig(), rng=random.Random(1))
    assert stats.sent == 10 and again.peak <= 4 and len(set(again.sent)) == 10
    assert outbox.backlog(db) == {"sent": 10}


async def test_overlapping_sends_to_one_chat_are_paced_not_refused(tmp_path):
    from tests.tg_helpers import telegram_config

    fake = await FakeBotAPI().start()
    db = open_db(tmp_path / "t.db")
    try:
        _queue(db, "telegram", ["777"], keys=3)
        _queue(db, "telegram", ["778", "779"])
        channel = TelegramChannel(telegram_config(fake, max_in_flight=4), db=db)
        stats = await delivery.drain(db, {"telegram": channel}, now=NOW, config=DeliveryConfig(), rng=random.Random(1))
        await channel.close()
        assert stats.sent == 3 and stats.deferred == 2  # one per chat now, 777's others later
        assert fake.rejections == []  # no 429: the chat's gap is reserved before the request
    finally:
        await fake.stop()
