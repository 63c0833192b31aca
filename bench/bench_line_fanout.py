"""Benchmark: an association forward to N LINE members through the real drain and LINE channel.

Against the local fake LINE server (tests/fakeline.py): how fast our side turns outbox rows into
accepted pushes (SDK, retry key, bookkeeping, one durable commit per row), with pacing lifted
so the figure is our cost, not LINE's limit.

    .venv/bin/python bench/bench_line_fanout.py [--members 2000] [--chars 900]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import SecretStr  # noqa: E402

from bot.config import DeliveryConfig, LineConfig  # noqa: E402
from bot.delivery.channels.line import LineChannel  # noqa: E402
from bot.delivery.worker import drain  # noqa: E402
from state import outbox  # noqa: E402
from state.db import open_db  # noqa: E402
from state.subscribers import add_subscriber  # noqa: E402
from tests.fakeline import FakeLine, user_id  # noqa: E402

NOW = datetime(2026, 4, 20, 12, tzinfo=UTC)


async def main(members: int, chars: int) -> None:
    fake = await FakeLine(quota=None).start()
    db = open_db(Path(tempfile.mkdtemp()) / "bench.db")
    text = ("台灣區車輛工業同業公會 函\n發文字號：車工字第1150001號\n主旨：轉知 CSMS #68396594，請查照。\n說明：\n"
            + "一、CAPE 第一階段已上線。" * (chars // 14))[:chars]  # fmt: skip
    t0 = time.perf_counter()
    with db.atomic():
        for i in range(members):
            sub = add_subscriber(db, name=f"m{i}", channel="line", address=user_id(i + 1), now=NOW)
            outbox.enqueue(db, subscriber_id=sub.id, message_key="forward:1", kind="forward", text=text,
                           payload={"unsubscribe_url": f"https://x.test/optout/{i}"}, now=NOW)  # fmt: skip
    t1 = time.perf_counter()
    channel = LineChannel(
        LineConfig(enabled=True, api_base=fake.base, channel_access_token=SecretStr(fake.token), requests_per_second=1e6),
        db=db,
    )  # fmt: skip
    config = DeliveryConfig(batch=members)
    t2 = time.perf_counter()
    stats = await drain(db, {"line": channel}, now=NOW, config=config, rng=random.Random(1))
    t3 = time.perf_counter()
    await channel.close()
    await fake.stop()
    assert stats.sent == members == len(fake.pushes), (stats, len(fake.pushes))
    print(f"members={members} text={chars} chars  queue: {t1 - t0:.2f}s")
    print(f"drain: {t3 - t2:.2f}s  → {members / (t3 - t2):.0f} pushes/s (sent={stats.sent}, fake server on the same 2 cores)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=2000)
    ap.add_argument("--chars", type=int, default=900)
    a = ap.parse_args()
    asyncio.run(main(a.members, a.chars))
