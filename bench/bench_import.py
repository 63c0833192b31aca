"""Benchmark: import 100,000 CSV rows (parse, validate, compute deadlines, store) in < 10 s.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--format rich|cape] [--encoding cp950]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import RemindersConfig  # noqa: E402
from bot.deadlines.csv_entries import parse_csv  # noqa: E402
from bot.deadlines.entries import check_digit  # noqa: E402
from bot.deadlines.tracker import Rules, track_entries  # noqa: E402
from state.db import open_db  # noqa: E402
from state.subscribers import add_subscriber  # noqa: E402

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def number(i: int) -> str:
    ten = f"C{i // 10_000_000:02d}{i % 10_000_000:07d}"
    return f"{ten[:3]}-{ten[3:]}-{check_digit(ten)}"


def make_csv(rows: int, fmt: str) -> str:
    if fmt == "cape":
        return "Entry Number\r\n" + "".join(f"{number(i)}\r\n" for i in range(rows))
    out = ["Entry Number,Entry Type,Entry Date,Release Date,Liquidation Date,IEEPA,HTS,Port,Label"]
    for i in range(rows):
        entry = date(2025, 6, 1) + timedelta(days=i % 300)
        liq = (entry + timedelta(days=314)).isoformat() if i % 3 == 0 else ""
        out.append(f"{number(i)},01,{entry},{entry},{liq},yes,9903.01.25;8471.30.0100,2704,台北公司")
    return "\r\n".join(out) + "\r\n"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--format", choices=["rich", "cape"], default="rich")
    p.add_argument("--encoding", default="cp950")
    p.add_argument("--db", default="var/bench/import.db")
    args = p.parse_args()
    path = Path(args.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    data = make_csv(args.rows, args.format).encode(args.encoding)
    db = open_db(path)
    sid = add_subscriber(db, name="bench", channel="console", address="bench", now=NOW).id
    c0 = time.process_time()
    t0 = time.perf_counter()
    parsed = parse_csv(data)
    t1 = time.perf_counter()
    n = track_entries(db, sid, parsed.entries, rules=Rules(RemindersConfig()), now=NOW)
    t2 = time.perf_counter()
    cpu = time.process_time() - c0
    reminders = db.execute("SELECT count(*) FROM reminders").fetchone()[0]
    print(f"rows={args.rows:,} format={args.format} encoding={parsed.encoding} bytes={len(data):,}")
    print(f"parse+validate {t1 - t0:.2f} s; deadlines+store {t2 - t1:.2f} s; total {t2 - t0:.2f} s"
          f" (CPU {cpu:.2f} s)")  # fmt: skip
    print(f"entries stored={n:,} reminder items={reminders:,} bad rows={len(parsed.errors)}")
    ok = (t2 - t0) < 10 and n == args.rows
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
