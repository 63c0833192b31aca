"""Benchmark: peak memory (RSS) of the service's sweeps at 100,000 subscribers and 1,000,000
tracked entries — goal < 200 MB.

The database is built first (SQL, in this process). Each measurement then runs in a fresh
process (``--measure``) that opens the database as the service does and reports its own
peak RSS (getrusage), so nothing the builder held counts:

* ``startup``: Service start and one idle cycle (nothing new, nothing due);
* ``match``: a CAPE / IEEPA announcement naming HTS 9903.01.25 — index build, fan-out to
  about a third of the subscribers, entry matching over every open IEEPA entry and every
  entry carrying that HTS number, event reminders for every recipient;
* ``remind``: the reminder sweep with 500 of 1,000,000 reminder items due.

    .venv/bin/python bench/bench_memory.py                       # build ~1–2 min, then 3 runs
    .venv/bin/python bench/bench_memory.py --entries 100000      # smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_data import (  # noqa: E402
    NOW,
    SinkChannel,
    add_subscribers,
    cape_announcement,
    fresh_db_path,
    load_average,
    peak_rss_mb,
)

from state.db import iso, open_db  # noqa: E402


def build(path: Path, subscribers: int, entries: int, trackers: int) -> dict:
    """Subscribers; ``trackers`` of them track ``entries`` U.S. entries (half IEEPA, a third
    liquidated, two HTS numbers each) with one reminder item each, 500 due at NOW."""
    db = open_db(fresh_db_path(path))
    t0 = time.perf_counter()
    add_subscribers(db.conn, subscribers)
    per = max(entries // trackers, 1)
    stamp = iso(NOW)
    with db.conn:
        db.conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO tracked_entries (subscriber_id, entry_number, entry_type, entry_date, release_date,"
            " summary_filed, liquidation_date, liquidation_status, ieepa, hts, created_at, updated_at)"
            " SELECT i / ? + 1, printf('C%02d-%07d-%d', i / 10000000, i % 10000000, i % 10), '01',"
            " date('2025-06-01', '+' || (i % 300) || ' days'), date('2025-06-02', '+' || (i % 300) || ' days'), 1,"
            " CASE WHEN i % 3 = 0 THEN date('2026-04-11', '+' || (i % 60) || ' days') END,"
            " CASE WHEN i % 3 = 0 THEN 'liquidated' ELSE 'unliquidated' END, (i % 2 = 0),"
            " '9903.01.25 8471.30.0100', ?, ? FROM n",
            [entries - 1, per, stamp, stamp],
        )
        db.conn.execute(
            "INSERT INTO tracked_hts (entry_id, subscriber_id, hts)"
            " SELECT id, subscriber_id, '99030125' FROM tracked_entries UNION ALL"
            " SELECT id, subscriber_id, '84713001' FROM tracked_entries"
        )
        due_first = iso(NOW + timedelta(minutes=1))  # after the start-up cycle at NOW
        db.conn.execute(
            "INSERT INTO reminders (subscriber_id, item_key, kind, title, deadline, past_at, schedule,"
            " next_index, due_at, status, created_at)"
            " SELECT subscriber_id, 'us:' || entry_number || ':protest_last_day', 'protest_last_day',"
            " entry_number || ' 異議（protest）最後一天', '2027-01-01', ?, '[[\"d0\",1798761600]]', 0,"
            " CASE WHEN id <= 500 THEN ? ELSE strftime('%Y-%m-%dT%H:%M:%f000+00:00', '2026-05-01', '+' || (id % 700) || ' days') END,"
            " 'active', ? FROM tracked_entries",
            [iso(NOW + timedelta(days=300)), due_first, stamp],
        )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("subscribers", "subscriptions", "tracked_entries", "tracked_hts", "reminders")}  # fmt: skip
    db.close()
    return {"built_s": round(time.perf_counter() - t0, 1), **counts, "file_mb": round(path.stat().st_size / 1e6)}


async def measure(path: str, what: str) -> dict:
    from bot.config import Config
    from bot.service import Service
    from state import announcements

    db = open_db(path)
    svc = Service(Config(sources=()), db, {"telegram": SinkChannel()}, clock=lambda: NOW)
    t0 = time.perf_counter()
    out: dict = {"what": what}
    if what == "startup":
        await svc.cycle(NOW)
    elif what == "match":
        with db.atomic():
            announcements.store_new(db, [cape_announcement(0)], now=NOW, alertable_after=NOW - timedelta(days=14))
        out["queued"] = await svc.match(NOW)
        out["entry_messages"] = db.execute("SELECT count(*) FROM outbox WHERE kind = 'entry_match'").fetchone()[0]
    elif what == "remind":
        out["queued"] = (await svc.remind(NOW + timedelta(minutes=2))).queued
    out["seconds"] = round(time.perf_counter() - t0, 2)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    await svc.close()
    db.close()
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--subscribers", type=int, default=100_000)
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--trackers", type=int, default=10_000, help="subscribers that track entries")
    p.add_argument("--db", default="var/bench/memory.db")
    p.add_argument("--measure", choices=["startup", "match", "remind"])
    p.add_argument("--skip-build", action="store_true")
    args = p.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.db, args.measure))))
        return 0
    print(f"load average: {load_average()}")
    if not args.skip_build:
        print("built:", json.dumps(build(Path(args.db), args.subscribers, args.entries, args.trackers)))
    results = []
    for what in ("startup", "match", "remind"):
        proc = subprocess.run([sys.executable, __file__, "--db", args.db, "--measure", what],
                              capture_output=True, text=True, check=True)  # fmt: skip
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1], ensure_ascii=False))
    print(f"load average: {load_average()}")
    ok = all(r["peak_rss_mb"] < 200 for r in results)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
