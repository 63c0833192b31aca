"""Benchmark: the reminder sweep over 1,000,000 tracked entries finds the due ones (< 1 s).

Builds a file database with N tracked entries and one reminder row per entry (due times spread
over two years, ``DUE`` of them already due), then times ``state.reminders.due`` and the whole
``bot.deadlines.reminders.sweep`` at a fixed instant. Usage:

    .venv/bin/python bench/bench_reminders.py [--entries 1000000] [--due 500] [--db var/bench/rem.db]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.deadlines.entries import check_digit  # noqa: E402
from bot.deadlines.reminders import sweep  # noqa: E402
from state import reminders as store  # noqa: E402
from state.db import iso, open_db  # noqa: E402

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


def number(i: int) -> str:
    ten = f"B{i // 10_000_000:02d}{i % 10_000_000:07d}"
    return f"{ten[:3]}-{ten[3:]}-{check_digit(ten)}"


def build(path: Path, n: int, due: int) -> None:
    if path.exists():
        path.unlink()
    db = open_db(path)
    db.execute("INSERT INTO subscribers (id, name, channel, address, created_at) VALUES (1,'b','console','b',?)",
               [iso(NOW)])  # fmt: skip
    stamp = iso(NOW)
    step = max(n // due, 1)
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO tracked_entries (subscriber_id, entry_number, entry_date, ieepa, created_at,"
            " updated_at) VALUES (1,?,?,1,?,?)",
            ((number(i), "2026-01-05", stamp, stamp) for i in range(n)),
        )

        def rows():
            for i in range(n):
                # Every ``step``-th row is due now; the rest later, spread over two years.
                at = NOW - timedelta(minutes=1) if i % step == 0 and i // step < due else (
                    NOW + timedelta(minutes=1 + (i * 7919) % (2 * 365 * 24 * 60)))
                deadline = (at + timedelta(days=7)).date().isoformat()
                sched = json.dumps([["d7", int(at.timestamp())]])
                yield (f"us:{number(i)}:cape_last_day", deadline, iso(at + timedelta(days=8)), sched, iso(at), stamp)

        db.conn.executemany(
            "INSERT INTO reminders (subscriber_id, item_key, kind, title, deadline, past_at, schedule,"
            " due_at, created_at) VALUES (1,?,'cape_last_day','CAPE',?,?,?,?,?)",
            rows(),
        )
    db.execute("ANALYZE")
    db.close()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--due", type=int, default=500)
    p.add_argument("--db", default="var/bench/reminders.db")
    p.add_argument("--reuse", action="store_true", help="reuse an existing database")
    args = p.parse_args()
    path = Path(args.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not (args.reuse and path.exists()):
        t = time.perf_counter()
        build(path, args.entries, args.due)
        print(f"built {args.entries:,} entries + reminders in {time.perf_counter() - t:.1f} s")
    db = open_db(path)
    plan = [r[3] for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT r.*, s.timezone FROM reminders r JOIN subscribers s ON s.id = r.subscriber_id"
        " WHERE r.due_at IS NOT NULL AND r.due_at <= ? AND s.status = 'active' ORDER BY r.due_at LIMIT 1000",
        [iso(NOW)]).fetchall()]  # fmt: skip
    print("query plan:", " | ".join(plan))
    t = time.perf_counter()
    scanned = db.execute("SELECT count(*) FROM reminders NOT INDEXED WHERE due_at <= ?", [iso(NOW)]).fetchone()[0]
    scan_s = time.perf_counter() - t
    print(f"for comparison, a full scan without the index: {scan_s * 1000:.0f} ms ({scanned} rows)")
    t = time.perf_counter()
    found = store.due(db, NOW, limit=100_000)
    find_s = time.perf_counter() - t
    t = time.perf_counter()
    stats = sweep(db, NOW)
    sweep_s = time.perf_counter() - t
    t = time.perf_counter()
    again = sweep(db, NOW)
    idle_s = time.perf_counter() - t
    print(f"entries={args.entries:,} due_found={len(found)} find={find_s * 1000:.1f} ms")
    print(f"sweep queued={stats.queued} in {sweep_s * 1000:.1f} ms; idle re-sweep queued={again.queued}"
          f" in {idle_s * 1000:.1f} ms")  # fmt: skip
    ok = find_s < 1 and sweep_s < 1 and again.queued == 0 and (args.reuse or len(found) == args.due)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
