"""Benchmark: ``run.py subscriber import`` of 100,000 rows — goal < 10 s.

The same code path as the command (decode with bot/csvio.py, check every row, one
transaction), on a generated file: names in Chinese, four channels, two languages, three
zones, one to three topics, keywords and HTS prefixes on some rows.

    .venv/bin/python bench/bench_subscriber_import.py                     # Big5 (CP950)
    .venv/bin/python bench/bench_subscriber_import.py --encoding utf-8
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_data import NOW, fresh_db_path, load_average  # noqa: E402

from bot.cli.main import main as cli_main  # noqa: E402
from bot.cli.subscribers import run_import  # noqa: E402
from bot.config import Config  # noqa: E402
from state.db import open_db  # noqa: E402

TOPICS = ["ieepa_cape", "section_232", "section_301", "de_minimis", "tw_customs", "adcvd", "ace", "quota"]


def make_csv(rows: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    out = ["name,channel,address,lang,tz,topics,keywords,hts"]
    for i in range(rows):
        channel = rng.choice(["telegram", "email", "email", "file"])
        address = {"telegram": str(100_000_000 + i), "email": f"firm{i}@example.com.tw", "file": f"firm-{i}"}[channel]
        topics = ";".join(rng.sample(TOPICS, rng.randint(1, 3)))
        keywords = "退稅;鋼鐵" if i % 10 == 0 else ""
        hts = "9903.01;7326" if i % 20 == 0 else ""
        lang, tz = ("en", "America/New_York") if i % 5 == 0 else ("zh-TW", "Asia/Taipei")
        out.append(f"台灣貿易股份有限公司{i},{channel},{address},{lang},{tz},{topics},{keywords},{hts}")
    return "\r\n".join(out) + "\r\n"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--encoding", default="cp950")
    p.add_argument("--db", default="var/bench/subscriber_import.db")
    args = p.parse_args()
    path = fresh_db_path(args.db)
    csv = path.with_suffix(".csv")
    csv.write_bytes(make_csv(args.rows).encode(args.encoding))
    db = open_db(path)
    print(f"rows={args.rows:,} encoding={args.encoding} bytes={csv.stat().st_size:,} load={load_average()}")
    c0, t0 = time.process_time(), time.perf_counter()
    result = run_import(db, Config(sources=()), str(csv), as_json=False, now=NOW)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    subs = db.execute("SELECT count(*) FROM subscriptions").fetchone()[0]
    print(f"import: {wall:.2f} s wall, {cpu:.2f} s CPU; subscribers={result.added:,} subscriptions={subs:,}")
    db.close()
    # The command a user types, once more on the same file: every row is an update now.
    t0 = time.perf_counter()
    code = cli_main(["--db", str(path), "subscriber", "import", str(csv)])
    again = time.perf_counter() - t0
    print(f"run.py subscriber import (again, all updates): {again:.2f} s, exit {code}")
    ok = wall < 10 and again < 10 and code == 0 and result.added == args.rows
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
