"""The corpus: real-world-shaped announcements with the facts a reader must get from them.

Each ``tests/corpus/NNN_*.{txt,html,xml}`` goes through the explain path (the same code the
service runs) and is checked against its ``.json`` sidecar. Keys in a sidecar:
exact (csms_number, prefix, published, related_csms, hts, adcvd, emails, links), subset
(events, dates, letters: each expected item must match some extracted item on the keys it
gives), ``*_include`` (listed values present), summary_contains / summary_not_contains.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.understand.explain import explain_bytes

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".html", ".xml"))
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EXACT = ("csms_number", "prefix", "published", "related_csms", "hts", "adcvd", "emails", "links")


def _subset(expected: dict, actual: dict) -> bool:
    return all(actual.get(k) == v for k, v in expected.items())


def test_corpus_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert all(p.with_suffix(".json").exists() for p in CASES)


@pytest.mark.parametrize("doc", CASES, ids=[p.stem for p in CASES])
def test_corpus_document_gives_expected_facts(doc: Path) -> None:
    expect = json.loads(doc.with_suffix(".json").read_text(encoding="utf-8"))
    got = explain_bytes(doc.read_bytes(), now=NOW)
    for key in EXACT:
        if key in expect:
            assert got[key] == expect[key], key
    for key in ("events", "dates", "letters"):
        for item in expect.get(key, []):
            assert any(_subset(item, a) for a in got[key]), f"{key}: {item} not in {got[key]}"
        if key in expect and expect[key] == []:
            assert got[key] == [], key
    if "title_contains" in expect:
        assert expect["title_contains"] in got["title"]
    for t in expect.get("topics_include", []):
        assert t in got["topics"], f"topic {t} not in {got['topics']}"
    for e in expect.get("emails_include", []):
        assert e in got["emails"]
    for s in expect.get("summary_contains", []):
        assert s in got["summary_zh"], f"{s!r} not in summary:\n{got['summary_zh']}"
    for s in expect.get("summary_not_contains", []):
        assert s not in got["summary_zh"]
    json.dumps(got)  # the schema is JSON all the way down
