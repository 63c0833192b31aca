"""Benchmark: how long one announcement takes to reach N Telegram subscribers.

Each run stores one real announcement (CSMS #68396594, IEEPA/CAPE, from feeds/samples) and
starts the service (``Service.run_forever``, default settings) in a worker process: the match
sweep queues what it must, the Telegram drain sends it. The fake Bot API (tests/fakebotapi.py,
30 msg/s per bot, 1/s per private chat, 20/min per channel) stamps every accepted message.

* ``private``: N firms follow the topic in their own private chats: N messages.
* ``channels``: the same N firms are members of the topic's Telegram channel, mapped with
  ``[[telegram.channel_posts]]``: one post. (Telegram then shows it to every member; that
  part happens on Telegram's side and is not measured here.)

Reported: seconds from service start until every message was queued, and until the last
one was accepted by the Bot API (= every firm can read it).

    .venv/bin/python bench/bench_reach.py --n 10000                    # ~6 min
    .venv/bin/python bench/bench_reach.py --n 100000                   # ~1 hour (private)
    .venv/bin/python bench/bench_reach.py --n 100000 --runs channels   # seconds
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "424242:BENCH-token-abcdefghijklmnopqrstuv"
CHANNEL = -1001000000001
KEY = "csms:68396594"


def prepare_db(path: str, n: int, run: str) -> None:
    from bot.config import SAMPLES_DIR
    from feeds.registry import parser_for
    from state import announcements
    from state.db import iso, open_db

    db = open_db(path)
    now = datetime.now(UTC)
    parsed = parser_for("csms_rss", now=now, language="en")((SAMPLES_DIR / "csms_rss.xml").read_bytes(), "cbp")
    item = [a for a in parsed.items if a.key == KEY]
    announcements.store_new(db, item, now=now, alertable_after=now - timedelta(days=3650))
    if run == "private":
        stamp = iso(now)
        with db.atomic():
            db.conn.executemany(
                "INSERT INTO subscribers (id, name, channel, address, created_at, token) VALUES (?,?,?,?,?,?)",
                [(i + 1, f"firm {i}", "telegram", str(1_000_000 + i), stamp, f"t{i}") for i in range(n)],
            )
            db.conn.executemany(
                "INSERT INTO subscriptions (subscriber_id, kind, value, created_at) VALUES (?,?,?,?)",
                [(i + 1, "topic", "ieepa_cape", stamp) for i in range(n)],
            )
    db.conn.close()


async def worker(db_path: str, run: str, bot_url: str, file_url: str) -> None:
    from pydantic import SecretStr

    from bot.config import Config
    from bot.delivery.channels.telegram import TelegramChannel
    from bot.service import Service
    from state.db import open_db

    posts = [{"topic": "ieepa_cape", "chat_id": CHANNEL}] if run == "channels" else []
    config = Config(
        sources=(), console={"enabled": False}, file={"enabled": False},  # type: ignore[arg-type]
        service={"database": db_path, "log_level": "WARNING"},  # type: ignore[arg-type]
        telegram={"enabled": True, "token": SecretStr(TOKEN), "base_url": bot_url,  # type: ignore[arg-type]
                  "base_file_url": file_url, "channel_posts": posts},
    )  # fmt: skip
    db = open_db(db_path)
    svc = Service(config, db, {"telegram": TelegramChannel(config.telegram, db=db)}, rng=random.Random(1))
    stop = asyncio.Event()
    figures: dict = {"started": time.time()}

    def count(sql: str) -> int:
        return next(db.query(sql))["n"]

    async def watch() -> None:
        while True:
            await asyncio.sleep(0.2)
            if "queued" not in figures and count("SELECT count(*) AS n FROM announcements WHERE matched_at IS NOT NULL"):
                figures["queued"] = time.time()
                figures["rows"] = count("SELECT count(*) AS n FROM outbox")
            if "queued" in figures and not count("SELECT count(*) AS n FROM outbox WHERE status IN ('pending','sending')"):
                break
        stop.set()

    await asyncio.gather(svc.run_forever(stop), watch())
    await svc.close()
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures), flush=True)


async def run(kind: str, n: int, workdir: str) -> dict:
    from tests.fakebotapi import FakeBotAPI

    fake = await FakeBotAPI(token=TOKEN, record_text=False, clock=time.time).start()
    db_path = os.path.join(workdir, f"{kind}.db")
    prepare_db(db_path, n, kind)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--worker", "--run", kind, "--db", db_path, "--bot-url", fake.base_url,
        "--file-url", fake.base_file_url, stdout=asyncio.subprocess.PIPE, cwd=str(ROOT),
    )  # fmt: skip
    out, _ = await proc.communicate()
    await fake.stop()
    w = json.loads(out.decode().strip().splitlines()[-1])
    last = max(fake.accepted_at) if fake.accepted_at else float("nan")
    return {
        "run": kind, "firms": n, "messages": len(fake.accepted_at), "outbox_rows": w["rows"],
        "queued_after_s": round(w["queued"] - w["started"], 1),
        "reached_after_s": round(last - w["started"], 1),
        "reached_after_min": round((last - w["started"]) / 60, 1),
        "duplicated": sum(c - 1 for c in fake.counts.values() if c > 1),
        "peak_rss_mb": w["peak_rss_mb"], "load_avg_1m": round(os.getloadavg()[0], 2),
    }  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--runs", default="channels,private")
    p.add_argument("--worker", action="store_true")
    p.add_argument("--run")
    p.add_argument("--db")
    p.add_argument("--bot-url")
    p.add_argument("--file-url")
    args = p.parse_args()
    if args.worker:
        asyncio.run(worker(args.db, args.run, args.bot_url, args.file_url))
        return 0
    with tempfile.TemporaryDirectory(prefix="reach-bench-") as workdir:
        for kind in args.runs.split(","):
            print(json.dumps(asyncio.run(run(kind, args.n, workdir))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
