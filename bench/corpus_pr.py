"""Per-field precision / recall of `run.py explain` over tests/corpus.

    python bench/corpus_pr.py            # the table (docs/EXPLAIN.md keeps it)
    python bench/corpus_pr.py --misses   # plus every miss and extra, per document
    python bench/corpus_pr.py --holdout 1 [--misses]   # only holdout batch 1 (sidecars "holdout": 1)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.corpus_score import corpus_report, table  # noqa: E402


def main() -> None:
    if "--holdout" in sys.argv:
        batch = int(sys.argv[sys.argv.index("--holdout") + 1])
        rows = {f"holdout {batch}": corpus_report(True, holdout=batch)}
        shown = rows[f"holdout {batch}"]
    else:
        rows = {"all": corpus_report(None), "original": corpus_report(False), "new real": corpus_report(True)}
        shown = rows["new real"]
    print(table(rows))
    if "--misses" in sys.argv:
        print()
        print("\n".join(shown.misses))


if __name__ == "__main__":
    main()
