"""What an announcement touches among a million tracked entries, aggregated in SQL.

A CAPE / IEEPA announcement concerns every open IEEPA entry; one naming HTS numbers, every
entry carrying them. Nothing here loads entries: the dates deadlines depend on come back as
their distinct combinations (a few thousand, whatever the entry count), the caller computes
each combination's deadlines once, and SQL sums them per subscriber through a temporary table
(``IeepaTally``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sqlite_utils import Database

from state.tracking import UsEntry, hts_digits

_OPEN_IEEPA = "e.ieepa = 1 AND e.liquidation_status != 'final'"
_ACTIVE = "JOIN subscribers s ON s.id = e.subscriber_id AND s.status = 'active'"
# One text key for the columns deadlines depend on (bot.deadlines.calculators memoises on them).
_DATES_KEY = (
    "coalesce(e.entry_type, '') || '|' || coalesce(e.entry_date, '') || '|' || coalesce(e.release_date, '')"
    " || '|' || e.summary_filed || '|' || coalesce(e.liquidation_date, '') || '|' || e.liquidation_status"
)


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def ieepa_date_combinations(db: Database) -> list[tuple[str, UsEntry]]:
    """(key, an entry with those dates) for each distinct date combination among the open
    IEEPA entries of active subscribers."""
    return [
        (key, UsEntry("", etype, _d(edate), _d(release), bool(filed), _d(liq), status, True))
        for key, etype, edate, release, filed, liq, status in db.conn.execute(
            f"SELECT DISTINCT {_DATES_KEY}, e.entry_type, e.entry_date, e.release_date, e.summary_filed,"
            f" e.liquidation_date, e.liquidation_status FROM tracked_entries e {_ACTIVE} WHERE {_OPEN_IEEPA}"
        )
    ]


class IeepaTally:
    """Open IEEPA entries summed per subscriber through a temporary table of date
    combinations → (CAPE-eligible 0/1, CAPE day to act by, protest day to act by), ISO dates
    or None. Use as a context manager; the table is emptied on the way out."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __enter__(self) -> IeepaTally:
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS ieepa_combination"
            " (key TEXT PRIMARY KEY, eligible INTEGER NOT NULL, cape TEXT, protest TEXT)"
        )
        self.db.execute("DELETE FROM temp.ieepa_combination")
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.execute("DELETE FROM temp.ieepa_combination")

    def fill(self, per_combination: Mapping[str, tuple[int, str | None, str | None]]) -> None:
        self.db.conn.executemany(
            "INSERT INTO temp.ieepa_combination (key, eligible, cape, protest) VALUES (?,?,?,?)",
            [(k, *v) for k, v in per_combination.items()],
        )

    def totals(self) -> dict[int, tuple[int, int, str | None, str | None]]:
        """subscriber → (open IEEPA entries, how many CAPE-eligible, soonest CAPE day,
        soonest protest day)."""
        return {
            sid: (n, eligible or 0, cape, protest)
            for sid, n, eligible, cape, protest in self.db.conn.execute(
                "SELECT e.subscriber_id, count(*), sum(c.eligible), min(c.cape), min(c.protest)"
                f" FROM tracked_entries e {_ACTIVE} JOIN temp.ieepa_combination c ON c.key = {_DATES_KEY}"
                f" WHERE {_OPEN_IEEPA} GROUP BY e.subscriber_id"
            )
        }

    def first_with(self, subscriber_id: int, which: str, due: str) -> tuple[str, str] | None:
        """(entry number, combination key) of the subscriber's first open IEEPA entry whose
        ``which`` ('cape' or 'protest') day is ``due``."""
        column = {"cape": "c.cape", "protest": "c.protest"}[which]
        row = self.db.conn.execute(
            f"SELECT e.entry_number, c.key FROM tracked_entries e JOIN temp.ieepa_combination c ON c.key = {_DATES_KEY}"
            f" WHERE e.subscriber_id = ? AND {_OPEN_IEEPA} AND {column} = ? ORDER BY e.entry_number LIMIT 1",
            [subscriber_id, due],
        ).fetchone()
        return (row[0], row[1]) if row else None


def _hts_where(codes: Iterable[str]) -> tuple[str, list[str]]:
    """SQL over ``tracked_hts h``: a tracked number starts with an announced code, or an
    announced code starts with a tracked number of at least 4 digits (index range scans)."""
    parts, params = [], []
    for code in codes:
        digits = hts_digits(code)
        if len(digits) < 4:
            continue
        prefixes = [digits[:n] for n in range(4, len(digits))]
        part = "(h.hts >= ? AND h.hts < ?)"
        if prefixes:
            part += f" OR h.hts IN ({','.join('?' for _ in prefixes)})"
        parts.append(f"({part})")
        params += [digits, digits + ":", *prefixes]
    return " OR ".join(parts), params


def hts_counts(db: Database, codes: Sequence[str]) -> dict[int, dict[str, int]]:
    """subscriber → {announced HTS code → how many of their entries carry it}."""
    out: dict[int, dict[str, int]] = {}
    for code in codes:
        where, params = _hts_where([code])
        if not where:
            continue
        for sid, n in db.conn.execute(
            "SELECT h.subscriber_id, count(DISTINCT h.entry_id) FROM tracked_hts h"
            " JOIN subscribers s ON s.id = h.subscriber_id AND s.status = 'active'"
            f" WHERE {where} GROUP BY h.subscriber_id",
            params,
        ):
            out.setdefault(sid, {})[code] = n
    return out


def hts_only_counts(db: Database, codes: Sequence[str], *, beside_ieepa: bool) -> dict[int, int]:
    """subscriber → entries carrying one of ``codes`` — not counting open IEEPA entries when
    ``beside_ieepa`` (those are counted already)."""
    where, params = _hts_where(codes)
    if not where:
        return {}
    skip = f" AND NOT ({_OPEN_IEEPA})" if beside_ieepa else ""
    return dict(
        db.conn.execute(
            "SELECT e.subscriber_id, count(DISTINCT e.id) FROM tracked_hts h JOIN tracked_entries e ON e.id = h.entry_id"
            f" {_ACTIVE} WHERE ({where}){skip} GROUP BY e.subscriber_id",
            params,
        ).fetchall()
    )


def first_numbers(
    db: Database, subscriber_id: int, *, ieepa: bool, codes: Sequence[str], first: int = 10
) -> tuple[str, ...]:
    """The subscriber's first ``first`` touched entry numbers, in order (read along the
    (subscriber, number) index; stops after ``first``)."""
    where, params = _hts_where(codes)
    conditions = ([_OPEN_IEEPA] if ieepa else []) + (
        [f"e.id IN (SELECT h.entry_id FROM tracked_hts h WHERE h.entry_id = e.id AND ({where}))"] if where else []
    )
    if not conditions:
        return ()
    return tuple(
        r[0]
        for r in db.conn.execute(
            f"SELECT e.entry_number FROM tracked_entries e WHERE e.subscriber_id = ? AND ({' OR '.join(conditions)})"
            " ORDER BY e.entry_number LIMIT ?",
            [subscriber_id, *params, first],
        )
    )
