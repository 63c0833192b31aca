"""Which year a date written without one is in: always the document's, never the clock's.

A year-less date (``June 6th``, ``SATURDAY FEBRUARY 17``, 「2月14日至22日」, 「十二月三十日」) takes
the year that puts it nearest the document's reference date (a December notice's 「1月2日」 is
next January). The reference is the publication date, unless the text itself says which year
it is about: for a text whose every full date lies far from its publication date (an old notice
fetched today) the first full date it names; for a Chinese notice that names the year of its
occasion (「115年春節」「一一二年元旦」「今（2025）年」) that occasion's date (``feeds.facts_zh``).
"""

from __future__ import annotations

from datetime import date


def document_reference(published: date, full_dates: list[date]) -> date:
    """The publication date, unless every full date the text names lies more than a year
    from it (an old notice read today): then the first full date the text names."""
    if full_dates and all(abs((d - published).days) > 400 for d in full_dates):
        return full_dates[0]
    return published


def nearest_year(month: int, day: int, reference: date) -> date | None:
    """The year that puts ``month``/``day`` nearest ``reference`` (None if no such day exists)."""
    best: date | None = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((candidate - reference).days) < abs((best - reference).days):
            best = candidate
    return best
