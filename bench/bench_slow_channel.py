"""Benchmark: Telegram latency while the SMTP relay is black-holed.

The outbox holds E e-mails (queued first) and T Telegram alerts. The relay accepts TCP
connections and never answers, so each e-mail waits for the channel timeout
(``[email] timeout``, 30 s by default). The fake Bot API (tests/fakebotapi.py, 30 msg/s, 1/s per
chat) stamps every accepted message; latency = accepted − start of delivery.

Three runs, each in its own worker process running the real service code:

* ``telegram-only``: no e-mail queued (the baseline).
* ``stalled-smtp``: the e-mails too, delivered as ``run.py once`` does (one drain per channel).
* ``single-drain``: the same rows through one drain over all channels in row order — how the
  worker sent before this change, for comparison.

    .venv/bin/python bench/bench_slow_channel.py                 # 100 chats, 5 e-mails, ~3 min
    .venv/bin/python bench/bench_slow_channel.py --emails 2 --runs telegram-only,stalled-smtp
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "424242:BENCH-token-abcdefghijklmnopqrstuv"


def prepare_db(path: str, chats: int, emails: int) -> None:
    from state.db import iso, open_db

    db = open_db(path)
    now = iso(datetime.now(UTC))
    subs = [(f"mail {i}", "email", f"firm{i}@example.tw") for i in range(emails)]
    subs += [(f"chat {i}", "telegram", str(1_000_000 + i)) for i in range(chats)]
    with db.atomic():
        for i, (name, channel, address) in enumerate(subs, start=1):
            db.execute("INSERT INTO subscribers (id, name, channel, address, created_at, token) VALUES (?,?,?,?,?,?)",
                       [i, name, channel, address, now, f"t{i}"])  # fmt: skip
            db.execute(
                "INSERT INTO outbox (subscriber_id, message_key, kind, subject, text, html, created_at,"
                " next_attempt_at) VALUES (?,?,?,?,?,?,?,?)",
                [i, "alert:x", "alert", "CSMS #1", "快訊", '["<b>快訊</b>"]', now, now],
            )
    db.conn.close()


async def worker(db_path: str, mode: str, bot_url: str, file_url: str, smtp_port: int) -> None:
    from pydantic import SecretStr

    from bot.config import Config
    from bot.delivery import worker as delivery
    from bot.delivery.channels import build_channels
    from bot.service import Service
    from state import outbox
    from state.db import open_db

    config = Config(
        sources=(), console={"enabled": False}, file={"enabled": False},  # type: ignore[arg-type]
        service={"database": db_path, "log_level": "ERROR"},  # type: ignore[arg-type]
        email={"enabled": True, "port": smtp_port, "security": "none"},  # type: ignore[arg-type]
        telegram={"enabled": True, "token": SecretStr(TOKEN), "base_url": bot_url,  # type: ignore[arg-type]
                  "base_file_url": file_url},
    )  # fmt: skip
    db = open_db(db_path)
    channels = build_channels(config, db=db)
    svc = Service(config, db, channels, rng=random.Random(1))
    svc.start()
    started = time.time()
    print(json.dumps({"started": started}), flush=True)
    if mode == "single-drain":  # the former worker: one loop over every channel's rows, in order
        while batch := outbox.claim_due(db, now=datetime.now(UTC), limit=200, channels=list(channels)):
            for msg in batch:
                outbox.begin_attempt(db, msg.id)
                outcome = await channels[msg.channel].send(msg)
                delivery.apply_outcome(db, msg, outcome, now=datetime.now(UTC), config=config.delivery,
                                       rng=random.Random(1))  # fmt: skip
    else:
        await svc.cycle(time_limit=3600)
    await svc.close()
    print(json.dumps({"finished": time.time()}), flush=True)


async def run(mode: str, chats: int, emails: int, workdir: str) -> dict:
    from tests.fakebotapi import FakeBotAPI

    fake = await FakeBotAPI(token=TOKEN, record_text=False, clock=time.time).start()

    async def black_hole(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # never answer; wait for the client to give up
        writer.close()

    relay = await asyncio.start_server(black_hole, "127.0.0.1", 0)
    db_path = os.path.join(workdir, f"{mode}.db")
    prepare_db(db_path, chats, 0 if mode == "telegram-only" else emails)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--worker", "--mode", mode, "--db", db_path, "--bot-url", fake.base_url,
        "--file-url", fake.base_file_url, "--smtp-port", str(relay.sockets[0].getsockname()[1]),
        stdout=asyncio.subprocess.PIPE, cwd=str(ROOT),
    )  # fmt: skip
    out, _ = await proc.communicate()
    lines = [json.loads(x) for x in out.decode().split("\n") if x.startswith("{")]
    started = lines[0]["started"]
    relay.close()
    await fake.stop()
    latency = sorted(t - started for t in fake.accepted_at)
    return {
        "run": mode, "chats": chats, "emails_queued": 0 if mode == "telegram-only" else emails,
        "telegram_delivered": len(latency),
        "telegram_latency_s": {"p50": round(statistics.median(latency), 2),
                               "p95": round(latency[int(0.95 * (len(latency) - 1))], 2),
                               "max": round(latency[-1], 2)},
        "all_done_s": round(lines[-1]["finished"] - started, 1),
    }  # fmt: skip


async def main_async(runs: list[str], chats: int, emails: int) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="slow-bench-") as workdir:
        return list(await asyncio.gather(*(run(r, chats, emails, workdir) for r in runs)))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--chats", type=int, default=100)
    p.add_argument("--emails", type=int, default=5)
    p.add_argument("--runs", default="telegram-only,stalled-smtp,single-drain")
    p.add_argument("--worker", action="store_true")
    p.add_argument("--mode")
    p.add_argument("--db")
    p.add_argument("--bot-url")
    p.add_argument("--file-url")
    p.add_argument("--smtp-port", type=int)
    args = p.parse_args()
    if args.worker:
        asyncio.run(worker(args.db, args.mode, args.bot_url, args.file_url, args.smtp_port))
        return 0
    results = asyncio.run(main_async(args.runs.split(","), args.chats, args.emails))
    for r in results:
        print(json.dumps(r))
    by = {r["run"]: r for r in results}
    if "telegram-only" in by and "stalled-smtp" in by:
        base, stalled = by["telegram-only"]["telegram_latency_s"], by["stalled-smtp"]["telegram_latency_s"]
        ok = stalled["max"] <= base["max"] * 1.2 + 1.0 and by["stalled-smtp"]["telegram_delivered"] == args.chats
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
