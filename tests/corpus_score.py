"""Per-field precision and recall of the understanding over tests/corpus (docs/EXPLAIN.md).

Two kinds of sidecar: the original corpus (keys checked by tests/test_corpus.py; dates and
events there are subsets, so only recall is measured for them) and real documents found by
search (``"kind": "real"``, an ``expect`` block listing every date, time and number a careful
reader marks, so both precision and recall are measured). A date in a year the text never
names counts as a false positive and is also counted on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from bot.understand.explain import announcement_from_text, decode, to_json
from bot.understand.understanding import understand
from feeds.dates import parse_roc_dates
from feeds.facts_zh import occasion_reference

CORPUS = Path(__file__).parent / "corpus"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FIELDS = ("related_csms", "hts", "events", "event_ends", "dates")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    measured_precision: bool = True

    def add(self, expected: Iterable[str], got: Iterable[str], *, precision: bool = True) -> tuple[set[str], set[str]]:
        e, g = set(expected), set(got)
        self.tp += len(e & g)
        self.fn += len(e - g)
        if precision:
            self.fp += len(g - e)
        return e - g, (g - e if precision else set())

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.measured_precision and (self.tp + self.fp) else (1.0 if self.measured_precision else None)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if (self.tp + self.fn) else 1.0


@dataclass
class Report:
    scores: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    wrong_year: int = 0
    misses: list[str] = field(default_factory=list)


def explain_document(path: Path, sidecar: dict) -> dict:
    """The explain JSON of one corpus document; a ``feed_published`` date stands in for the
    feed's pubDate (what the service passes as Announcement.published)."""
    text = decode(path.read_bytes())
    ann, _ = announcement_from_text(text, now=NOW)
    if sidecar.get("feed_published"):
        meta = {k: v for k, v in ann.meta.items() if k != "undated"}  # a feed item is dated by its feed
        ann = replace(ann, published=datetime.fromisoformat(sidecar["feed_published"]), meta=meta)
    return to_json(understand(ann, now=NOW))


def _years_named(text: str) -> set[int]:
    """Every year the text writes: 2026, ROC 115 in any form (一百十五年, １１５年), 26 in 4/20/26."""
    years = {int(y) for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", text)}
    years |= {f.value.year for f in parse_roc_dates(text)}
    if (occasion := occasion_reference(text)) is not None:  # 「一一二年元旦」
        years.add(occasion.year)
    years |= {int(y) + 1911 for y in re.findall(r"(?<!\d)(1[01]\d|\d{2})\s*(?:年|[/.-]\d)", text)}
    years |= {1900 + int(y) if int(y) > 50 else 2000 + int(y) for y in re.findall(r"(?<![\d/])\d{1,2}/\d{1,2}/(\d{2})(?![\d/])", text)}
    years |= {1900 + int(y) if int(y) > 50 else 2000 + int(y) for y in re.findall(r"(?<![\d-])(\d{2})-\d{6}\b", text)}
    return years


def _named(iso: str, years: set[int]) -> bool:
    """The date's year is written, or it is the turn of a year written (a December notice's
    January 6 is next year's)."""
    y, m = int(iso[:4]), int(iso[5:7])
    return y in years or (m <= 2 and y - 1 in years) or (m >= 11 and y + 1 in years)


def score_document(path: Path, report: Report, real: bool | None = None, holdout: int | None = None) -> None:
    side = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    is_real = side.get("kind") == "real"
    if real is not None and real != is_real:
        return
    if holdout is not None and side.get("holdout") != holdout:
        return
    got = explain_document(path, side)
    s = report.scores
    name = path.stem
    if is_real:
        exp = side["expect"]
        for key in ("related_csms", "hts"):
            miss, extra = s[key].add(exp.get(key, []), got[key])
            report.misses += [f"{name} {key} missed {sorted(miss)}"] * bool(miss) + [f"{name} {key} extra {sorted(extra)}"] * bool(extra)
        exp_starts = [e["start"] for e in exp["events"]]
        miss, extra = s["events"].add(exp_starts, [e["start"] for e in got["events"]])
        report.misses += [f"{name} events missed {sorted(miss)}"] * bool(miss) + [f"{name} events extra {sorted(extra)}"] * bool(extra)
        ends = {f"{e['start']}→{e['end']}" for e in exp["events"] if e.get("end")}
        got_ends = {f"{e['start']}→{e.get('end')}" for e in got["events"] if e.get("end")}
        miss, _ = s["event_ends"].add(ends, got_ends & ends | {x for x in got_ends if x.split("→")[0] not in {y.split("→")[0] for y in ends}} - set(), precision=False)
        report.misses += [f"{name} ends missed {sorted(miss)}"] * bool(miss)
        got_dates = {d["date"] for d in got["dates"]}
        event_days = {e["start"][:10] for e in got["events"]} | {e["end"][:10] for e in got["events"] if e.get("end")}
        expected_dates = set(exp["dates"])
        found = (got_dates | event_days) & expected_dates
        s["dates"].tp += len(found)
        s["dates"].fn += len(expected_dates - found)
        extra_dates = got_dates - expected_dates
        s["dates"].fp += len(extra_dates)
        if expected_dates - found:
            report.misses.append(f"{name} dates missed {sorted(expected_dates - found)}")
        if extra_dates:
            report.misses.append(f"{name} dates extra {sorted(extra_dates)}")
        years = _years_named(path.read_text(encoding="utf-8", errors="replace"))
        if side.get("feed_published"):
            years.add(int(side["feed_published"][:4]))
        report.wrong_year += sum(1 for d in extra_dates if not _named(d, years))
    else:
        years = _years_named(path.read_text(encoding="utf-8", errors="replace"))
        never = {d["date"] for d in got["dates"]} | {e["start"][:10] for e in got["events"]}
        wrong = sorted(d for d in never if not _named(d, years))
        report.wrong_year += len(wrong)
        report.misses += [f"{name} dates in a year the text never names {wrong}"] * bool(wrong)
        for key in ("related_csms", "hts"):
            if key in side:
                s[key].add(side[key], got[key])
        exp_events = [e for e in side.get("events", []) if "start" in e]
        for e in exp_events:
            ok = any(g["start"] == e["start"] for g in got["events"])
            s["events"].tp += ok
            s["events"].fn += not ok
            if e.get("end"):
                ok_end = any(g["start"] == e["start"] and g.get("end") == e["end"] for g in got["events"])
                s["event_ends"].tp += ok_end
                s["event_ends"].fn += not ok_end
        days = {d["date"] for d in got["dates"]} | {g["start"][:10] for g in got["events"]}
        for d in side.get("dates", []):
            if "date" in d:
                ok = d["date"] in days
                s["dates"].tp += ok
                s["dates"].fn += not ok


def corpus_report(real: bool | None = None, holdout: int | None = None) -> Report:
    """Scores over the corpus; ``holdout=N`` keeps only the documents of holdout batch N (their
    sidecars say ``"holdout": N``: labelled by reading before the extractor first read them)."""
    report = Report()
    if real is not True:  # the original sidecars list subsets: no precision where they are mixed in
        for f in ("events", "event_ends", "dates"):
            report.scores[f].measured_precision = False
    for path in sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".html", ".xml")):
        score_document(path, report, real, holdout)
    return report


def table(rows: dict[str, Report]) -> str:
    head = "| field | " + " | ".join(f"{name} P | {name} R" for name in rows) + " |"
    sep = "|---|" + "---|---|" * len(rows)
    lines = [head, sep]
    for f in FIELDS:
        cells = []
        for r in rows.values():
            sc = r.scores[f]
            p = sc.precision
            cells += ["n/a" if p is None else f"{p:.2f}", f"{sc.recall:.2f} ({sc.tp}/{sc.tp + sc.fn})"]
        lines.append(f"| {f} | " + " | ".join(cells) + " |")
    lines.append("| dates in a year the text never names | " + " | ".join(f"{r.wrong_year} | " for r in rows.values()) + " |")
    return "\n".join(lines)
