"""Benchmark: one alert fanned out to N e-mail or file subscribers by ``run.py once``.

The sender is a separate process running the real service (``Service.cycle(time_limit=…)``,
what ``run.py once`` runs) on a SQLite file (WAL, ``synchronous=FULL``). E-mail goes over
SMTP to a local aiosmtpd relay in this process, which only counts recipients (it does not
parse the MIME, so the relay is not what is measured); files go to a temporary folder (each
written and fsynced). Counts are taken at the relay / on disk: lost, duplicated, messages per
second, SMTP sessions opened.

    .venv/bin/python bench/bench_mail_fanout.py --channel email --n 2000
    .venv/bin/python bench/bench_mail_fanout.py --channel file --n 2000

For a before/after figure on the same machine and load, ``--code DIR`` runs the worker from
another checkout (e.g. ``git archive main | tar -x -C /tmp/main``) and ``--loop`` sends with
back-to-back ``bot.delivery.worker.drain`` sweeps (an API both versions have) instead of
``once``: the best the former worker could do, with no scheduler gaps. ``--compare DIR
--rounds K`` alternates the two (fsync times on a shared disk vary a lot from run to run).

    .venv/bin/python bench/bench_mail_fanout.py --channel email --compare /tmp/main --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("BENCH_CODE") or str(ROOT))

TEXT = "【CBP 貨物系統訊息】CSMS #68396594 IEEPA 關稅退稅：CAPE 第一階段上線。" * 4


def prepare_db(path: str, n: int, channel: str) -> None:
    from state.db import iso, open_db

    db = open_db(path)
    now = iso(datetime.now(UTC))
    address = (lambda i: f"firm{i}@example.tw") if channel == "email" else (lambda i: f"firm{i}")
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO subscribers (id, name, channel, address, created_at, token) VALUES (?,?,?,?,?,?)",
            [(i + 1, f"firm {i}", channel, address(i), now, f"tok{i}") for i in range(n)],
        )
        db.conn.executemany(
            "INSERT INTO outbox (subscriber_id, message_key, kind, subject, text, payload, created_at,"
            " next_attempt_at) VALUES (?,?,?,?,?,?,?,?)",
            [(i + 1, "alert:csms:68396594", "alert", "CSMS #68396594", TEXT,
              '{"url": "https://content.govdelivery.com/x"}', now, now) for i in range(n)],
        )  # fmt: skip
    db.conn.close()


async def worker(db_path: str, channel: str, port: int, folder: str, loop: bool) -> None:
    import random

    from bot.config import Config
    from bot.delivery import worker as delivery
    from bot.delivery.channels import build_channels
    from state.db import open_db

    config = Config(
        sources=(), console={"enabled": False},  # type: ignore[arg-type]
        file={"enabled": channel == "file", "directory": folder},  # type: ignore[arg-type]
        email={"enabled": channel == "email", "port": port, "security": "none"},  # type: ignore[arg-type]
        service={"database": db_path, "log_level": "WARNING"},  # type: ignore[arg-type]
    )  # fmt: skip
    db = open_db(db_path)
    channels = build_channels(config, db=db)
    started = time.monotonic()
    if loop:
        sent = 0
        while stats := await delivery.drain(db, channels, now=datetime.now(UTC), config=config.delivery,
                                            rng=random.Random(1)):  # fmt: skip
            sent += stats.sent
            if not stats.sent:
                break
        for ch in channels.values():
            await ch.close()
    else:
        from bot.service import Service

        svc = Service(config, db, channels)
        sent = (await svc.cycle(time_limit=3600))["drain"].sent  # type: ignore[attr-defined]
        await svc.close()
    print(json.dumps({"sent": sent, "seconds": round(time.monotonic() - started, 2)}), flush=True)


class _CountingRelay:
    """aiosmtpd handler that only counts recipients and sessions (no MIME parsing)."""

    def __init__(self) -> None:
        self.rcpts: Counter[str] = Counter()
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.rcpts.update(envelope.rcpt_tos)
        return "250 OK"


def measure(channel: str, n: int, code: str | None, loop: bool) -> dict:
    from aiosmtpd.controller import Controller

    from tests.smtpserver import free_port

    var = ROOT / "var"
    with tempfile.TemporaryDirectory(prefix="mail-bench-", dir=str(var) if var.is_dir() else None) as work:
        db_path = os.path.join(work, "bench.db")
        folder = os.path.join(work, "out")
        prepare_db(db_path, n, channel)
        relay = _CountingRelay()
        port = free_port()
        controller = Controller(relay, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            started = time.monotonic()
            where = os.path.abspath(code) if code else str(ROOT)
            out = subprocess.run(
                [sys.executable, __file__, "--worker", "--channel", channel, "--db", db_path,
                 "--port", str(port), "--folder", folder, *(["--loop"] if loop else [])],
                cwd=where, capture_output=True, text=True, check=True, env=dict(os.environ, BENCH_CODE=where),
            )  # fmt: skip
            wall = time.monotonic() - started
        finally:
            controller.stop()
        counts = relay.rcpts if channel == "email" else Counter(p.parent.name for p in Path(folder).rglob("*.txt"))
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        conn = sqlite3.connect(db_path)
        statuses = dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
        conn.close()
    return {
        "code": code or "this checkout", "sender": "drain() loop" if loop else "once",
        "channel": channel, "n": n, "delivered": sum(counts.values()),
        "lost": n - len(counts), "duplicated": sum(c - 1 for c in counts.values() if c > 1),
        "drain_seconds": figures["seconds"], "msg_per_s": round(figures["sent"] / figures["seconds"], 1),
        "process_wall_seconds": round(wall, 1), "outbox": statuses,
        **({"smtp_sessions": relay.sessions} if channel == "email" else {}),
    }  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--channel", choices=["email", "file"], default="email")
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--code", help="run the sender from this checkout instead (before/after figures)")
    p.add_argument("--loop", action="store_true", help="back-to-back drain() sweeps instead of once")
    p.add_argument("--compare", metavar="DIR", help="alternate runs: DIR with --loop, then this checkout's once")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--worker", action="store_true")
    p.add_argument("--db")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--folder", default="")
    args = p.parse_args()
    if args.worker:
        asyncio.run(worker(args.db, args.channel, args.port, args.folder, args.loop))
        return 0
    setups = [(args.compare, True), (None, False)] if args.compare else [(args.code, args.loop)]
    results: dict[tuple, list[dict]] = {setup: [] for setup in setups}
    for _ in range(args.rounds):  # interleaved, so both see the same disk and CPU contention
        for setup in setups:
            r = measure(args.channel, args.n, *setup)
            r["load_avg_1m"] = round(os.getloadavg()[0], 2)
            print(json.dumps(r, ensure_ascii=False), flush=True)
            results[setup].append(r)
    ok = True
    for runs in results.values():
        rates = sorted(r["msg_per_s"] for r in runs)
        print(f"{runs[0]['code']} ({runs[0]['sender']}): msg/s median {statistics.median(rates)} "
              f"range {rates[0]}–{rates[-1]} over {len(runs)} runs")  # fmt: skip
        ok = ok and all(r["lost"] == 0 and r["duplicated"] == 0 for r in runs)
    mine = results[setups[-1]]
    ok = ok and statistics.median(r["msg_per_s"] for r in mine) > 40
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
