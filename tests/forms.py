"""What the form tests (tests/test_forms*.py) read off a snippet: the days, windows and kinds
a broker would mark, on a clock far from every document so that it can never leak in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from feeds.factmodel import Facts
from feeds.facts import extract_facts

TPE = timezone(timedelta(hours=8))
LATE = datetime(2030, 1, 1, tzinfo=UTC)  # a clock far from every document: it must never leak


def facts(body: str, published: datetime = LATE, title: str = "") -> Facts:
    return extract_facts(title, body, published=published)


def days(body: str, published: datetime = LATE) -> set[str]:
    """Every day marked: dates and the days events start on (ISO)."""
    f = facts(body, published)
    return {d.date.isoformat() for d in f.dates} | {e.start_iso[:10] for e in f.events}


def windows(body: str, published: datetime = LATE) -> list[tuple[str, str | None]]:
    """Each event as (start, end) in ISO with its offset."""
    return [(e.start_iso, e.end_iso) for e in facts(body, published).events]


def kinds(body: str, published: datetime = LATE) -> list[tuple[str, str]]:
    """Each event as (start, kind)."""
    return [(e.start_iso, e.kind) for e in facts(body, published).events]
