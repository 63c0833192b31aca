"""Benchmark: facts + topics + 繁體中文 summary of a 5,000-word CSMS-shaped message.

Run: ``.venv/bin/python bench/bench_understand.py [--runs N]``. Target: < 20 ms per run.
Wall-clock figures move with machine load; ``cpu_median_ms`` (process CPU time) does not.
Each run reads a different message (the same one plus a line), so no per-text cache is reused.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.understand.understanding import understand  # noqa: E402
from feeds.model import Announcement  # noqa: E402

PARAGRAPHS = (
    "U.S. Customs and Border Protection (CBP) has activated the first phase of the Consolidated "
    "Administration and Processing of Entries (CAPE) tool in the ACE Portal. Importers and authorized "
    "customs brokers can now file CAPE Declarations for unliquidated entries.",
    "Registration link for webinar on April 21 at 1:00 p.m. ET: https://www.cbp.gov/register/{i}",
    "Report HTS 9903.01.{n:02d} for covered goods; see CSMS # 683{n:05d} and Related CSMS: 68315804, 68340863.",
    "Antidumping case A-570-{n:03d} cash deposits are effective for entries on or after May {d}, 2026. "
    "Questions: trade{n}@cbp.dhs.gov.",
    "ACE will be unavailable Saturday 2300 EDT until Sunday 0300 EDT for scheduled maintenance; "
    "filers should hold transmissions until ACE is restored, and protests must be filed no later than June {d}, 2026.",
)


def message(words: int = 5000) -> str:
    """A realistic mix of prose, dates, times, numbers and contacts, about ``words`` words long."""
    parts: list[str] = []
    i = 0
    while sum(len(p.split()) for p in parts) < words:
        tmpl = PARAGRAPHS[i % len(PARAGRAPHS)]
        parts.append(tmpl.format(i=i, n=i % 100, d=1 + i % 28))
        i += 1
    return "CSMS # 68396594 - AVAILABLE NOW – CAPE for IEEPA Refunds\n\n" + "\n\n".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--words", type=int, default=5000)
    args = ap.parse_args()
    body = message(args.words)
    ann = Announcement(
        key="bench", source="bench", kind="csms_rss", ext_id="68396594",
        title="AVAILABLE NOW – Consolidated Administration and Processing of Entries (CAPE) for IEEPA Refunds",
        url="https://example.org", published=datetime(2026, 4, 20, 11, 18, tzinfo=UTC), body=body,
    )  # fmt: skip
    understand(ann)  # warm caches (glossary, taxonomy, compiled patterns)
    # a new message each run (one more line at the end): per-text caches never hit across runs
    anns = [replace(ann, body=f"{body}\n\nRun {n}.") for n in range(args.runs)]
    times, cpu = [], []
    for one in anns:
        t0, c0 = time.perf_counter(), time.process_time()
        u = understand(one)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(
        f"words={len(body.split())} chars={len(body)} runs={args.runs} "
        f"median_ms={statistics.median(times):.1f} min_ms={min(times):.1f} max_ms={max(times):.1f} "
        f"cpu_median_ms={statistics.median(cpu):.1f} "
        f"events={len(u.facts.events)} dates={len(u.facts.dates)} hts={len(u.facts.hts)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
