"""Review what an alert tells a broker on the holdout documents (sidecar ``"holdout": N``, batches
1-3 unless ``--holdout 4,5``):
each alert rendered as a subscriber gets it, 繁體中文 (Taipei) and English (New York), at the
document's own date, plus the share of half-translated 繁體中文 titles (tests/quality.is_mixed).

Run: ``.venv/bin/python bench/alert_review.py [--lang zh|en|both] [--only NNN] [--mixed]
[--holdout 4,5]``.
Findings and figures: docs/TOPICS.md, "Holdout review".
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.alerts.match import match_announcement  # noqa: E402
from bot.alerts.render import render_alert  # noqa: E402
from bot.understand.explain import announcement_from_text, decode  # noqa: E402
from bot.understand.understanding import understand  # noqa: E402
from feeds.topics import TOPICS  # noqa: E402
from state.subscribers import Subscription  # noqa: E402
from tests.quality import NOW, is_mixed  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
SUFFIXES = (".txt", ".html", ".xml")


def holdout_documents(batches: tuple[int, ...] = (1, 2, 3)) -> list[Path]:
    out = []
    for side in sorted(CORPUS.glob("*.json")):
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        if not isinstance(meta, dict) or meta.get("holdout") not in batches:
            continue
        out += [p for p in sorted(CORPUS.glob(side.stem + ".*")) if p.suffix in SUFFIXES][:1]
    return out


def review(path: Path, langs: list[str]) -> tuple[str, str]:
    """(the 繁體中文 title line, the printed review of one document)."""
    ann, _ = announcement_from_text(decode(path.read_bytes()), now=NOW)
    at = ann.published + timedelta(minutes=5)  # the alert goes out when the document appears
    u = understand(ann, now=at)
    subs = {1: [Subscription(subscriber_id=1, kind="topic", value=t) for t in TOPICS]}
    reasons = match_announcement(ann, u, subs).get(1, [])
    title = u.summary_zh.split("\n")[0].removeprefix("標題：").strip()
    lines = [f"=== {path.name}  topics={[h.topic for h in u.topics]}  published={ann.published:%Y-%m-%d}"]
    for lang, tz in (("zh-TW", "Asia/Taipei"), ("en", "America/New_York")):
        if lang[:2] in langs:
            lines.append(render_alert(ann, u, reasons, lang=lang, tz=tz, now=at).text)
            lines.append("---")
    return title, "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", choices=("zh", "en", "both"), default="both")
    ap.add_argument("--only", default="", help="document number prefix, e.g. 250")
    ap.add_argument("--mixed", action="store_true", help="print only the mixed-title figure and list")
    ap.add_argument("--holdout", default="1,2,3", help="holdout batches, comma-separated (e.g. 4,5)")
    args = ap.parse_args()
    batches = tuple(int(b) for b in args.holdout.split(",") if b.strip())
    langs = ["zh", "en"] if args.lang == "both" else [args.lang]
    docs = [p for p in holdout_documents(batches) if p.name.startswith(args.only)]
    mixed = []
    for p in docs:
        title, text = review(p, langs)
        if is_mixed(title):
            mixed.append(f"{p.name[:3]} {title}")
        if not args.mixed:
            print(text)
    print(f"holdout titles: mixed={len(mixed)}/{len(docs)} ({100 * len(mixed) / max(len(docs), 1):.1f} %)")
    for m in mixed:
        print(f"  {m}")


if __name__ == "__main__":
    main()
