"""Measuring what an alert tells a broker over the corpus: topic precision / recall against
the hand-checked labels (tests/corpus/topics.toml) and the share of half-translated titles.

Shared by tests/test_topic_quality.py (the goals) and bench/bench_topics.py (the figures).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from bot.understand.explain import explain_bytes

TESTS = Path(__file__).resolve().parent
LABELS = TESTS / "corpus" / "topics.toml"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DOCUMENT_SUFFIXES = (".txt", ".html", ".xml")


def labels() -> dict[str, set[str]]:
    data = tomllib.loads(LABELS.read_text(encoding="utf-8"))
    return {path: set(topics) for path, topics in data["labels"].items()}


def documents() -> list[Path]:
    """Every corpus document (labelled or not) and the seed copies."""
    corpus = sorted(p for p in (TESTS / "corpus").iterdir() if p.suffix in DOCUMENT_SUFFIXES)
    return corpus + sorted((TESTS / "data" / "seeds").glob("*.txt"))


@cache
def explained(path: str) -> dict:
    return explain_bytes((TESTS / path).read_bytes(), now=NOW)


@dataclass
class TopicScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    per_topic: Counter = field(default_factory=Counter)  # (topic, "tp"|"fp"|"fn") → n
    wrong: list[tuple[str, set[str], set[str]]] = field(default_factory=list)  # doc, extra, missing

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def topic_score() -> TopicScore:
    """Micro-averaged precision and recall of the tagger over the labelled documents."""
    score = TopicScore()
    for path, expected in labels().items():
        got = set(explained(path)["topics"])
        for t in got & expected:
            score.per_topic[(t, "tp")] += 1
        for t in got - expected:
            score.per_topic[(t, "fp")] += 1
        for t in expected - got:
            score.per_topic[(t, "fn")] += 1
        score.tp += len(got & expected)
        score.fp += len(got - expected)
        score.fn += len(expected - got)
        if got != expected:
            score.wrong.append((path, got - expected, expected - got))
    return score


# A title line is "mixed" when English words stand in the Chinese text outside the brackets
# that carry the English original or a glossary term: 「…（FDA） Experienced Multiple 系統 …」.
_BRACKETED = re.compile(r"（[^（）]*）|\([^()]*\)")
_ENGLISH_WORD = re.compile(r"\b[A-Za-z]*[a-z][A-Za-z]*\b")


def chinese_title(path: str) -> str:
    """The 標題 line of the 繁體中文 summary, without its label."""
    first = explained(path)["summary_zh"].split("\n")[0]
    return first.removeprefix("標題：").strip()


def is_mixed(title: str) -> bool:
    bare = title
    while True:  # nested brackets: strip innermost first
        stripped = _BRACKETED.sub("", bare)
        if stripped == bare:
            break
        bare = stripped
    words = [w for w in _ENGLISH_WORD.findall(bare) if len(w) > 1]
    return bool(words) and bool(re.search(r"[\u4e00-\u9fff]", bare))


def mixed_titles() -> tuple[list[str], int]:
    """(mixed titles, number of titles) over every document."""
    titles = [chinese_title(str(p.relative_to(TESTS))) for p in documents()]
    return [t for t in titles if is_mixed(t)], len(titles)
