"""Benchmark of what an alert tells a broker: topic precision / recall against the hand-checked
labels (tests/corpus/topics.toml) and the share of half-translated 繁體中文 titles.

Run: ``.venv/bin/python bench/bench_topics.py [--verbose]``. Goals: precision and recall
≥ 0.9; ≤ 5 % of titles mixed. Figures go in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.quality import documents, labels, mixed_titles, topic_score  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--verbose", action="store_true", help="list every mismatch and mixed title")
    args = ap.parse_args()
    score = topic_score()
    labelled = labels()
    print(f"topics: {len(labelled)} labelled documents ({len(documents())} in corpus + seeds), "
          f"tp={score.tp} fp={score.fp} fn={score.fn}")
    print(f"topic precision={score.precision:.3f} recall={score.recall:.3f}")
    topics = sorted({t for t, _ in score.per_topic})
    for t in topics:
        tp, fp, fn = (score.per_topic[(t, k)] for k in ("tp", "fp", "fn"))
        if fp or fn or args.verbose:
            print(f"  {t:<18} tp={tp:<3} fp={fp:<3} fn={fn:<3}")
    if args.verbose:
        for doc, extra, missing in score.wrong:
            print(f"  {doc}: extra={sorted(extra)} missing={sorted(missing)}")
    mixed, total = mixed_titles()
    print(f"titles: mixed={len(mixed)}/{total} ({100 * len(mixed) / max(total, 1):.1f} %)")
    if args.verbose:
        for t in mixed:
            print(f"  {t}")


if __name__ == "__main__":
    main()
