"""Typed facts: what is stored and explained is ``Facts.to_json()``, and reads back the same."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.understand.explain import announcement_from_text
from bot.understand.understanding import understand
from feeds.factmodel import Event, Facts

CORPUS = Path(__file__).parent / "corpus"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", ["000_seed_cnfi_csms68396594.txt", "001_seed_customs_incentive.txt",
                                  "006_csms_ace_saturday_maintenance.txt", "009_csms_zoneless_time.txt"])  # fmt: skip
def test_stored_json_reads_back_to_the_same_facts(name: str) -> None:
    ann, _ = announcement_from_text((CORPUS / name).read_text(encoding="utf-8"), now=NOW)
    facts = understand(ann, now=NOW).facts
    stored = json.dumps(facts.to_json(), ensure_ascii=False)
    assert Facts.from_json(json.loads(stored)) == facts


def test_unreadable_stored_values_are_skipped_not_raised() -> None:
    facts = Facts.from_json({"events": [{"kind": "webinar", "start": "not a time"}, "x",
                                        {"kind": "outage", "start": "2026-04-25T23:00:00-04:00", "label": "ACE"}],
                             "dates": [{"kind": "deadline", "date": "2026-13-40"}], "hts": "9903.01.25"})  # fmt: skip
    assert [e.kind for e in facts.events] == ["outage"] and facts.dates == () and facts.hts == ()
    assert Facts.from_json(None) == Facts() and Facts.from_json([1, 2]) == Facts()


def test_zone_less_event_stays_naive_through_json() -> None:
    ev = Event("webinar", datetime(2026, 5, 5, 14, 0), "Support call")
    back = Event.from_json(ev.to_json())
    assert back == ev and back is not None and not back.zoned and ev.to_json()["zone"] is None
