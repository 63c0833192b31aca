"""Benchmark: SIGTERM runs and overlapping starts of ``run.py serve``, counted at the relay.

N e-mails are queued; a local SMTP relay (aiosmtpd, this process) takes ``--delay`` seconds to
accept each one, so at any moment a message is likely in flight. Every start is a real
``run.py serve`` process on the same SQLite file.

* ``sigterm``: R times, start ``serve``, let it send a few messages, send SIGTERM at a random
  moment, wait for it to exit. Then ``run.py once`` sends what is left.
* ``overlap``: start ``serve``; while it sends, start ``serve`` again S times, one after another;
  then twice more, two at the very same moment. SIGTERM the first; ``once`` sends the rest.

Counted at the relay: lost (never received), duplicated (received more than once); and the
exit codes. ``--code DIR`` runs another checkout's ``run.py`` (before/after figures).

    .venv/bin/python bench/bench_lifecycle.py                        # both, ~3 min
    .venv/bin/python bench/bench_lifecycle.py --code /tmp/main       # the same against main
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class SlowRelay:
    """aiosmtpd handler: counts recipients, takes ``delay`` seconds per message."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.rcpts: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await asyncio.sleep(self.delay)
        self.rcpts.update(envelope.rcpt_tos)
        return "250 OK"

    def received(self) -> int:
        return sum(self.rcpts.values())


def prepare(workdir: str, n: int, port: int) -> Path:
    from state.db import iso, open_db

    db_path = os.path.join(workdir, "t.db")
    db = open_db(db_path)
    now = iso(datetime.now(UTC))
    with db.atomic():
        for i in range(1, n + 1):
            db.execute("INSERT INTO subscribers (id, name, channel, address, created_at, token) VALUES (?,?,?,?,?,?)",
                       [i, f"firm {i}", "email", f"firm{i}@example.tw", now, f"t{i}"])  # fmt: skip
            db.execute("INSERT INTO outbox (subscriber_id, message_key, kind, subject, text, created_at,"
                       " next_attempt_at) VALUES (?,?,?,?,?,?,?)", [i, "alert:x", "alert", "s", "快訊", now, now])  # fmt: skip
    db.conn.close()
    config = Path(workdir) / "config.toml"
    config.write_text(
        f'sources = []\n[service]\ndatabase = "{db_path}"\nlog_level = "WARNING"\n'
        "[console]\nenabled = false\n[file]\nenabled = false\n"
        f'[email]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n',
        encoding="utf-8",
    )
    return config


async def start(code: str, config: Path, command: str = "serve") -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "run.py", "--config", str(config), command, cwd=code,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def until(predicate, within: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.01)


async def stop_after(proc: asyncio.subprocess.Process, seconds: float) -> None:
    """Let ``proc`` run for up to ``seconds`` (or until it exits by itself), then SIGTERM it."""
    try:
        await asyncio.wait_for(asyncio.shield(proc.wait()), seconds)
    except TimeoutError:
        proc.send_signal(signal.SIGTERM)
    await proc.communicate()


def statuses(config: Path) -> dict[str, int]:
    db = str(config.parent / "t.db")
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    finally:
        conn.close()


def tally(relay: SlowRelay, n: int) -> dict:
    return {"lost": n - len(relay.rcpts), "duplicated": sum(c - 1 for c in relay.rcpts.values() if c > 1)}


async def sigterm_runs(code: str, workdir: str, n: int, runs: int, delay: float, rng: random.Random) -> dict:
    from aiosmtpd.controller import Controller

    from tests.smtpserver import free_port

    relay = SlowRelay(delay)
    port = free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    config = prepare(workdir, n, port)
    codes, stop_ms, stuck = [], [], 0
    try:
        for _ in range(runs):
            before = relay.received()
            proc = await start(code, config)
            await until(lambda b=before: relay.received() >= b + rng.randint(2, 10))  # type: ignore[misc]
            await asyncio.sleep(rng.uniform(0, delay))  # anywhere within a message in flight
            t = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            await proc.communicate()
            stop_ms.append(round((time.monotonic() - t) * 1000))
            codes.append(proc.returncode)
            stuck += statuses(config).get("sending", 0)
        final = await start(code, config, "once")
        await final.communicate()
    finally:
        controller.stop()
    return {"scenario": "sigterm", "code": code, "messages": n, "runs": runs, "exit_codes": dict(Counter(codes)),
            "rows_left_sending_after_sigterm": stuck, "sigterm_to_exit_ms_max": max(stop_ms),
            "sigterm_to_exit_ms_median": sorted(stop_ms)[len(stop_ms) // 2], **tally(relay, n),
            "outbox": statuses(config)}  # fmt: skip


async def overlapping_starts(code: str, workdir: str, n: int, starts: int, delay: float) -> dict:
    from aiosmtpd.controller import Controller

    from tests.smtpserver import free_port

    relay = SlowRelay(delay)
    port = free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    config = prepare(workdir, n, port)
    second_codes: list[int | None] = []
    pair_codes: list[list[int | None]] = []
    try:
        first = await start(code, config)
        await until(lambda: relay.received() >= 3)
        for _ in range(starts):
            late = await start(code, config)
            await stop_after(late, 8.0)  # a refused start exits by itself; one that runs is stopped
            second_codes.append(late.returncode)
        first.send_signal(signal.SIGTERM)
        await first.communicate()
        for _ in range(2):  # two at the same moment on an idle database: only one may run
            pair = await asyncio.gather(start(code, config), start(code, config))
            await asyncio.gather(*(stop_after(p, 8.0) for p in pair))
            pair_codes.append(sorted(p.returncode for p in pair))  # type: ignore[type-var]
        final = await start(code, config, "once")
        await final.communicate()
    finally:
        controller.stop()
    return {"scenario": "overlap", "code": code, "messages": n, "second_starts": starts,
            "second_start_exit_codes": dict(Counter(second_codes)), "simultaneous_pairs_exit_codes": pair_codes,
            "first_exit_code": first.returncode, **tally(relay, n), "outbox": statuses(config)}  # fmt: skip


async def main_async(args: argparse.Namespace) -> list[dict]:
    code = os.path.abspath(args.code) if args.code else str(ROOT)
    out = []
    rng = random.Random(args.seed)
    for scenario in args.scenarios.split(","):
        with tempfile.TemporaryDirectory(prefix="life-bench-") as workdir:
            if scenario == "sigterm":
                out.append(await sigterm_runs(code, workdir, args.n, args.runs, args.delay, rng))
            else:
                out.append(await overlapping_starts(code, workdir, args.n, args.starts, args.delay))
        print(json.dumps(out[-1], ensure_ascii=False), flush=True)
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--scenarios", default="sigterm,overlap")
    p.add_argument("--n", type=int, default=300, help="e-mails queued")
    p.add_argument("--runs", type=int, default=20, help="SIGTERM runs")
    p.add_argument("--starts", type=int, default=8, help="second starts while the first sends")
    p.add_argument("--delay", type=float, default=0.05, help="seconds the relay takes per message")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--code", help="another checkout's run.py (before/after figures)")
    args = p.parse_args()
    results = asyncio.run(main_async(args))
    ok = all(r["lost"] == 0 and r["duplicated"] == 0 for r in results)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
