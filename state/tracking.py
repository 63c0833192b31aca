"""Tracked items per subscriber: U.S. entries, Taiwanese declarations, custom reminders.

Stored here, computed elsewhere: deadlines come from ``bot.deadlines.calculators`` and their reminder rows
live in ``state.reminders``. Bulk writes use ``executemany`` inside one ``db.atomic()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlite_utils import Database

from feeds.errors import UserError
from feeds.normalize import ascii_digits, normalize_typed
from state.db import iso
from state.reminders import under


@dataclass(frozen=True, slots=True)
class UsEntry:
    """What we know about one U.S. entry (all optional except the number)."""

    entry_number: str
    entry_type: str | None = None
    entry_date: date | None = None
    release_date: date | None = None
    summary_filed: bool = False
    liquidation_date: date | None = None
    liquidation_status: str = "unliquidated"
    ieepa: bool = False


@dataclass(frozen=True, slots=True)
class TrackedEntry:
    """A U.S. entry a subscriber tracks: the calculator facts plus HTS numbers and a label."""

    entry: UsEntry
    hts: tuple[str, ...] = ()
    port: str | None = None
    label: str | None = None
    id: int | None = None
    subscriber_id: int | None = None


def hts_digits(code: str) -> str:
    """``9903.01.25`` → ``99030125``: HTS numbers compare as digit strings (prefix match).
    Full-width digits typed with an IME count as the same digits."""
    return ascii_digits(code or "")


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _row_to_tracked(r: dict) -> TrackedEntry:
    return TrackedEntry(
        entry=UsEntry(
            entry_number=r["entry_number"],
            entry_type=r["entry_type"],
            entry_date=_d(r["entry_date"]),
            release_date=_d(r["release_date"]),
            summary_filed=bool(r["summary_filed"]),
            liquidation_date=_d(r["liquidation_date"]),
            liquidation_status=r["liquidation_status"],
            ieepa=bool(r["ieepa"]),
        ),
        hts=tuple(h for h in r["hts"].split(" ") if h),
        port=r["port"],
        label=r["label"],
        id=r["id"],
        subscriber_id=r["subscriber_id"],
    )


def upsert_entries(
    db: Database, subscriber_id: int, items: Sequence[TrackedEntry], *, now: datetime
) -> int:
    """Insert or update entries (keyed by subscriber + entry number). Call inside atomic()."""
    stamp = iso(now)
    existed = entry_ids(db, subscriber_id, (t.entry.entry_number for t in items if t.hts))
    rows = [
        (
            subscriber_id, t.entry.entry_number, t.entry.entry_type,
            t.entry.entry_date.isoformat() if t.entry.entry_date else None,
            t.entry.release_date.isoformat() if t.entry.release_date else None,
            int(t.entry.summary_filed),
            t.entry.liquidation_date.isoformat() if t.entry.liquidation_date else None,
            t.entry.liquidation_status, int(t.entry.ieepa), " ".join(normalize_typed(h) for h in t.hts), t.port, t.label,
            stamp, stamp,
        )  # fmt: skip
        for t in items
    ]
    db.conn.executemany(
        "INSERT INTO tracked_entries (subscriber_id, entry_number, entry_type, entry_date,"
        " release_date, summary_filed, liquidation_date, liquidation_status, ieepa, hts, port,"
        " label, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (subscriber_id, entry_number) DO UPDATE SET entry_type=excluded.entry_type,"
        " entry_date=excluded.entry_date, release_date=excluded.release_date,"
        " summary_filed=excluded.summary_filed, liquidation_date=excluded.liquidation_date,"
        " liquidation_status=excluded.liquidation_status, ieepa=excluded.ieepa, hts=excluded.hts,"
        " port=excluded.port, label=excluded.label, updated_at=excluded.updated_at",
        rows,
    )
    with_hts = [t for t in items if t.hts]
    if with_hts:
        ids = entry_ids(db, subscriber_id, [t.entry.entry_number for t in with_hts])
        db.conn.executemany(  # only entries that were already tracked can hold old codes
            "DELETE FROM tracked_hts WHERE entry_id = ?", [(i,) for i in existed.values()]
        )
        db.conn.executemany(
            "INSERT OR IGNORE INTO tracked_hts (entry_id, subscriber_id, hts) VALUES (?,?,?)",
            [
                (ids[t.entry.entry_number], subscriber_id, digits)
                for t in with_hts
                for digits in {hts_digits(h) for h in t.hts}
                if digits
            ],
        )
    return len(rows)


def entry_ids(db: Database, subscriber_id: int, numbers: Iterable[str]) -> dict[str, int]:
    wanted = set(numbers)
    if not wanted:
        return {}
    cur = db.conn.execute(
        "SELECT entry_number, id FROM tracked_entries WHERE subscriber_id = ?", [subscriber_id]
    )
    return {number: rid for number, rid in cur if number in wanted}


def get_entry(db: Database, subscriber_id: int, entry_number: str) -> TrackedEntry | None:
    row = next(
        db.query(
            "SELECT * FROM tracked_entries WHERE subscriber_id = ? AND entry_number = ?",
            [subscriber_id, entry_number],
        ),
        None,
    )
    return _row_to_tracked(row) if row else None


def entries_of(db: Database, subscriber_id: int) -> list[TrackedEntry]:
    return [
        _row_to_tracked(r)
        for r in db.query(
            "SELECT * FROM tracked_entries WHERE subscriber_id = ? ORDER BY entry_number",
            [subscriber_id],
        )
    ]


def remove_entry(db: Database, subscriber_id: int, entry_number: str) -> None:
    """Stop tracking an entry; its reminders go with it."""
    with db.atomic():
        cur = db.execute(
            "DELETE FROM tracked_entries WHERE subscriber_id = ? AND entry_number = ?",
            [subscriber_id, entry_number],
        )
        if not cur.rowcount:
            raise UserError(
                f"訂閱者 #{subscriber_id} 沒有追蹤 {entry_number}",
                f"subscriber #{subscriber_id} does not track {entry_number}",
            )
        db.execute(
            "DELETE FROM reminders WHERE subscriber_id = ? AND item_key > ? AND item_key < ?",
            [subscriber_id, *under(f"us:{entry_number}")],
        )


# ---- Taiwanese declarations and custom reminders -----------------------------------------
def add_tw_declaration(
    db: Database,
    subscriber_id: int,
    *,
    declaration_no: str,
    kind: str,
    base_date: date | None,
    due_date: date,
    basis: str,
    label: str | None,
    now: datetime,
) -> int:
    cur = db.execute(
        "INSERT INTO tw_declarations (subscriber_id, declaration_no, kind, base_date, due_date,"
        " basis, label, created_at) VALUES (?,?,?,?,?,?,?,?)",
        [subscriber_id, declaration_no, kind, base_date.isoformat() if base_date else None,
         due_date.isoformat(), basis, label, iso(now)],
    )  # fmt: skip
    return int(cur.lastrowid or 0)


def tw_declarations_of(db: Database, subscriber_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT * FROM tw_declarations WHERE subscriber_id = ? ORDER BY due_date, id",
            [subscriber_id],
        )
    )


def add_custom(
    db: Database, subscriber_id: int, *, title: str, due: date, due_time: str | None, now: datetime
) -> int:
    if not title.strip():
        raise UserError("提醒標題不可空白", "a reminder needs a title")
    cur = db.execute(
        "INSERT INTO custom_reminders (subscriber_id, title, due_date, due_time, created_at)"
        " VALUES (?,?,?,?,?)",
        [subscriber_id, title.strip(), due.isoformat(), due_time, iso(now)],
    )
    return int(cur.lastrowid or 0)


def customs_of(db: Database, subscriber_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT * FROM custom_reminders WHERE subscriber_id = ? ORDER BY due_date, id",
            [subscriber_id],
        )
    )
