"""Benchmark: one alert fanned out to N private chats through the outbox and the Telegram channel.

The fake Bot API server (tests/fakebotapi.py) runs in this process and enforces 30 msg/s
overall and 1 msg/s per private chat. The sender is a separate process (``--worker``) running
the real service with default settings (``--mode serve``: ``run_forever`` and its per-channel
drains; ``--mode once``: what ``run.py once`` runs) on a SQLite file, so it can be killed.

Two runs, concurrently, each with its own fake server (its own "bot"):

* ``straight``: the worker sends everything; sustained msg/s, lost, duplicated, peak RSS.
* ``kill``: the worker is SIGKILLed at 50 % — after the server accepted message n/2 and
  before it answered — and restarted; duplicates must be ≤ 1.

    .venv/bin/python bench/bench_telegram_fanout.py                      # 10,000 chats, ~6 minutes
    .venv/bin/python bench/bench_telegram_fanout.py --n 2000 --mode once  # run.py once, 2,000 chats
    .venv/bin/python bench/bench_telegram_fanout.py --n 300              # smoke run
    .venv/bin/python bench/bench_telegram_fanout.py --n 300 --variants straight --latency 0.2  # a far server
    .venv/bin/python bench/bench_telegram_fanout.py --n 2000 --latency 0.2 --in-flight 8     # … 8 sends at once
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "424242:BENCH-token-abcdefghijklmnopqrstuv"
HTML = (
    "<b>【CBP 貨物系統訊息】CSMS #68396594</b>\n"
    "IEEPA 關稅退稅：入境貨物資料綜合管理與處理（CAPE）第一階段上線，"
    "請登記進口商於期限內透過 ACE 安全資料入口網頁提出 CAPE 報關單。\n"
    '<a href="https://content.govdelivery.com/accounts/USDHSCBP/bulletins/68396594">原文</a>'
)
TEXT = "【CBP 貨物系統訊息】CSMS #68396594 IEEPA 關稅退稅：CAPE 第一階段上線。"


def prepare_db(path: str, n: int) -> None:
    from state.db import iso, open_db

    db = open_db(path)
    now = iso(datetime.now(UTC))
    payload = json.dumps({"url": "https://content.govdelivery.com/x", "announcement": "csms:68396594",
                          "topics": ["ieepa_cape"]})  # fmt: skip
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO subscribers (id, name, channel, address, created_at) VALUES (?,?,?,?,?)",
            [(i + 1, f"firm {i}", "telegram", str(1_000_000 + i), now) for i in range(n)],
        )
        db.conn.executemany(
            "INSERT INTO outbox (subscriber_id, message_key, kind, subject, text, html, payload,"
            " created_at, next_attempt_at) VALUES (?,?,?,?,?,?,?,?,?)",
            [(i + 1, "alert:csms:68396594", "alert", "CSMS #68396594", TEXT, json.dumps([HTML]),
              payload, now, now) for i in range(n)],
        )  # fmt: skip
    db.conn.close()


async def worker(db_path: str, base_url: str, file_url: str, mode: str, in_flight: int = 1) -> None:
    """Run the real service with default settings until nothing is pending; print one JSON line.

    ``serve``: ``Service.run_forever`` (one long-running drain per channel), stopped when the
    outbox is empty. ``once``: ``Service.cycle(time_limit=…)`` as ``run.py once`` runs it.
    """
    from pydantic import SecretStr

    from bot.config import Config
    from bot.delivery.channels.telegram import TelegramChannel
    from bot.service import Service
    from state.db import open_db

    db = open_db(db_path)
    config = Config(
        sources=(), console={"enabled": False}, file={"enabled": False},  # type: ignore[arg-type]
        service={"database": db_path, "log_level": "WARNING"},  # type: ignore[arg-type]
        telegram={"enabled": True, "token": SecretStr(TOKEN), "base_url": base_url,  # type: ignore[arg-type]
                  "base_file_url": file_url, "max_in_flight": in_flight},
    )  # fmt: skip
    recovering = next(db.query("SELECT count(*) AS n FROM outbox WHERE status = 'sending'"))["n"]
    svc = Service(config, db, {"telegram": TelegramChannel(config.telegram, db=db)}, rng=random.Random(1))
    started = time.monotonic()
    svc.start(mode)
    if mode == "serve":
        stop = asyncio.Event()

        async def until_empty() -> None:
            left = 1
            while left:
                await asyncio.sleep(0.5)
                left = next(db.query("SELECT count(*) AS n FROM outbox WHERE status IN ('pending','sending')"))["n"]
            stop.set()

        await asyncio.gather(svc.run_forever(stop), until_empty())
    else:
        await svc.cycle(time_limit=4 * 3600)
    await svc.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"mode": mode, "recovered": recovering, "seconds": round(time.monotonic() - started, 1),
                      "peak_rss_mb": round(rss_mb, 1)}), flush=True)  # fmt: skip


async def _spawn(db_path: str, fake, mode: str, in_flight: int) -> asyncio.subprocess.Process:  # type: ignore[no-untyped-def]
    return await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--worker", "--db", db_path, "--base-url", fake.base_url,
        "--file-url", fake.base_file_url, "--mode", mode, "--in-flight", str(in_flight),
        stdout=asyncio.subprocess.PIPE, cwd=str(ROOT),
    )  # fmt: skip


def _fake_with_latency(latency: float):  # type: ignore[no-untyped-def]
    """The fake Bot API, answering each sendMessage ``latency`` seconds late (a far-away server)."""
    from tests.fakebotapi import FakeBotAPI

    class Distant(FakeBotAPI):
        async def _m_sendMessage(self, p):  # type: ignore[no-untyped-def]  # noqa: N802
            await asyncio.sleep(latency)
            return await super()._m_sendMessage(p)

    return Distant(token=TOKEN, record_text=False)


async def run(
    variant: str, n: int, workdir: str, kill_at: int | None = None, mode: str = "serve", latency: float = 0.0,
    in_flight: int = 1,
) -> dict:
    from tests.fakebotapi import FakeBotAPI

    fake = await (_fake_with_latency(latency) if latency else FakeBotAPI(token=TOKEN, record_text=False)).start()
    db_path = os.path.join(workdir, f"{variant}.db")
    prepare_db(db_path, n)
    result: dict = {"variant": variant, "mode": mode, "chats": n, "max_in_flight": in_flight,
                    **({"latency_s": latency} if latency else {})}  # fmt: skip
    proc = await _spawn(db_path, fake, mode, in_flight)
    if variant == "kill":
        killed = asyncio.Event()

        def kill_at_half(total: int) -> None:
            # The server has accepted message n/2 but not yet answered: the sender dies with
            # that message in flight, never learning it was delivered.
            if total == (kill_at or n // 2) and not killed.is_set():
                proc.send_signal(signal.SIGKILL)
                killed.set()

        fake.on_accept = kill_at_half
        await killed.wait()
        fake.on_accept = None
        await proc.wait()
        result["killed_at"] = len(fake.accepted_at)
        proc = await _spawn(db_path, fake, mode, in_flight)
    out, _ = await proc.communicate()
    worker_figures = json.loads(out.decode().strip().splitlines()[-1])
    await fake.stop()
    counts = [fake.counts.get(1_000_000 + i, 0) for i in range(n)]
    times = fake.accepted_at
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    conn = sqlite3.connect(db_path)
    statuses = dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    conn.close()
    result.update(
        accepted=len(times),
        lost=sum(1 for c in counts if c == 0),
        duplicated=sum(c - 1 for c in counts if c > 1),
        rejected_429=sum(1 for r in fake.rejections if r[2].startswith("Too Many")),
        sustained_msg_per_s=round((len(times) - 1) / span, 2) if span else None,
        wall_seconds=round(span, 1),
        outbox=statuses,
        worker=worker_figures,
    )
    return result


async def main_async(
    n: int, variants: list[str], kill_at: int | None = None, mode: str = "serve", latency: float = 0.0,
    in_flight: int = 1,
) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="tg-bench-") as workdir:
        return list(await asyncio.gather(*(run(v, n, workdir, kill_at, mode, latency, in_flight) for v in variants)))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--latency", type=float, default=0.0, help="seconds the fake server waits before each answer")
    p.add_argument("--in-flight", type=int, default=1, help="[telegram] max_in_flight of the sender")
    p.add_argument("--variants", default="straight,kill")
    p.add_argument("--kill-at", type=int, help="message count to kill at (default: n/2)")
    p.add_argument("--mode", choices=["serve", "once"], default="serve", help="the service path to drive")
    p.add_argument("--worker", action="store_true")
    p.add_argument("--db")
    p.add_argument("--base-url")
    p.add_argument("--file-url")
    args = p.parse_args()
    if args.worker:
        asyncio.run(worker(args.db, args.base_url, args.file_url, args.mode, args.in_flight))
        return 0
    results = asyncio.run(
        main_async(args.n, args.variants.split(","), args.kill_at, args.mode, args.latency, args.in_flight)
    )
    for r in results:
        print(json.dumps(r, ensure_ascii=False))
    ok = all(
        r["lost"] == 0
        and (r["duplicated"] == 0 if r["variant"] == "straight" else r["duplicated"] <= r["max_in_flight"])
        and (r["sustained_msg_per_s"] or 0) >= 27  # 0.9 of Telegram's 30 msg/s
        and r["worker"]["peak_rss_mb"] < 200
        for r in results
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
