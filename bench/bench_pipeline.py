"""Benchmark: the foundation's hot path — parse a feed, store it, match and queue alerts.

Prints figures; not part of the test suite. Run:
    .venv/bin/python bench/bench_pipeline.py [--items 1000] [--subscribers 500]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Config, ServiceConfig  # noqa: E402
from bot.service import Service  # noqa: E402
from feeds.csms import parse_csms_rss  # noqa: E402
from state.db import open_db  # noqa: E402
from state.subscribers import add_subscriber, subscribe  # noqa: E402

NOW = datetime(2026, 4, 20, 12, tzinfo=UTC)


def make_feed(n: int) -> bytes:
    items = []
    for i in range(n):
        pub = (NOW - timedelta(minutes=i)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        items.append(
            f"<item><title>CSMS # {68000000 + i} - GUIDANCE: CAPE update {i} for HTS 9903.01.{i % 100:02d}</title>"
            f"<link>https://content.govdelivery.com/accounts/USDHSCBP/bulletins/{68000000 + i:x}</link>"
            f"<guid>g{i}</guid><pubDate>{pub}</pubDate>"
            f"<description><![CDATA[<p>IEEPA refunds through CAPE. Webinar on April 21 at 1:00 p.m. ET.</p>"
            f"<p>{'Lorem ipsum dolor sit amet. ' * 40}</p>]]></description></item>"
        )
    return ("<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>" + "".join(items) + "</channel></rss>").encode()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--subscribers", type=int, default=500)
    args = ap.parse_args()
    body = make_feed(args.items)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        parsed = parse_csms_rss(body, "bench", now=NOW)
        t_parse = time.perf_counter() - t0
        config = Config(service=ServiceConfig(database=f"{tmp}/b.db", alert_max_age=3650 * 86400), sources=())
        db = open_db(config.service.database)
        rng = random.Random(1)
        topics = ["ieepa_cape", "ace", "de_minimis", "tw_customs"]
        for i in range(args.subscribers):
            s = add_subscriber(db, name=f"s{i}", channel="file", address=f"s{i}", now=NOW)
            subscribe(db, s.id, "topic", rng.choice(topics), now=NOW)
        from state import announcements

        t0 = time.perf_counter()
        with db.atomic():
            announcements.store_new(db, parsed.items, now=NOW, alertable_after=NOW - timedelta(days=3650))
        t_store = time.perf_counter() - t0
        svc = Service(config, db, {})
        t0 = time.perf_counter()
        queued = await svc.match(NOW)
        t_match = time.perf_counter() - t0
        print(f"feed: {len(body) / 1e6:.1f} MB, {len(parsed.items)} CSMS items")
        print(f"parse:  {t_parse * 1000:8.1f} ms  ({t_parse / len(parsed.items) * 1e6:.0f} µs/item)")
        print(f"store:  {t_store * 1000:8.1f} ms")
        print(f"match:  {t_match * 1000:8.1f} ms  ({queued} alerts queued for {args.subscribers} subscribers, "
              f"{queued / t_match:.0f} alerts/s)")
        await svc.close()


if __name__ == "__main__":
    asyncio.run(main())
