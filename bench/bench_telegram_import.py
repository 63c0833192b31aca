"""Benchmark: how long a 1 MB CSV sent to the bot holds up every other chat.

The real python-telegram-bot Application polls the fake Bot API (127.0.0.1); a chat sends the
largest file ``[telegram] import_max_bytes`` allows. Printed: the longest stall of the event
loop during the import (how long every other chat would wait for an answer), the time spent
parsing, and the import's own time. ``--as-before`` parses on the loop and stores in one
transaction, as the bot did before, for contrast.

    .venv/bin/python bench/bench_telegram_import.py [--format rich|cape] [--as-before]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_import import make_csv  # noqa: E402

from bot.telegram import imports  # noqa: E402
from state.db import open_db  # noqa: E402
from tests.fakebotapi import FakeBotAPI  # noqa: E402
from tests.tg_helpers import running_bot  # noqa: E402

LIMIT = 1_048_576


def csv_of_about(limit: int, fmt: str) -> bytes:
    rows = 1000
    while len(make_csv(rows * 2, fmt).encode()) <= limit:
        rows *= 2
    lo, hi = rows, rows * 2
    while hi - lo > 50:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if len(make_csv(mid, fmt).encode()) <= limit else (lo, mid)
    return make_csv(lo, fmt).encode()


async def watch_loop(stop: asyncio.Event, worst: list[float]) -> None:
    """The longest gap between two 5 ms ticks: how long the loop could not run anything."""
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        worst[0] = max(worst[0], now - last - 0.005)
        last = now


async def run(fmt: str, inline: bool) -> None:
    real_parse, parse_time = imports.parse_csv, [0.0]

    def timed_parse(data: bytes):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return real_parse(data)
        finally:
            parse_time[0] = time.perf_counter() - t

    imports.parse_csv = timed_parse  # type: ignore[assignment]
    if inline:
        async def on_loop(func, /, *args):  # type: ignore[no-untyped-def]
            return func(*args)

        imports.asyncio.to_thread = on_loop  # type: ignore[attr-defined]
        imports.STORE_CHUNK = 10**9
    data = csv_of_about(LIMIT, fmt)
    rows = data.count(b"\n") - 1
    fake = await FakeBotAPI(private_interval=0).start()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        try:
            async with running_bot(db=db, fake=fake) as bot:
                await bot.say(1, "/start")
                stop, worst = asyncio.Event(), [0.0]
                watcher = asyncio.create_task(watch_loop(stop, worst))
                t0 = time.perf_counter()
                fake.push_document(1, data, file_name="entries.csv")
                await fake.wait_for_messages(1, 2, within=120)
                total = time.perf_counter() - t0
                stop.set()
                await watcher
                result = fake.messages[1][-1]["visible"]
        finally:
            await fake.stop()
    mode = "as before: parse on the loop, one transaction" if inline else f"parse in a thread, store by {imports.STORE_CHUNK:,}"
    print(f"format={fmt} rows={rows:,} bytes={len(data):,} ({mode})")
    print(f"longest event-loop stall {worst[0]:.2f} s; parse {parse_time[0]:.2f} s;"
          f" import answered in {total:.2f} s: {result}")  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--format", choices=["rich", "cape"], default="rich")
    p.add_argument("--as-before", action="store_true")
    args = p.parse_args()
    asyncio.run(run(args.format, args.as_before))
    return 0


if __name__ == "__main__":
    sys.exit(main())
