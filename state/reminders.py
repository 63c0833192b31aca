"""Reminder rows: one per (subscriber, deadline item), with its schedule and next ``due_at``.

The sweep reads due rows through the partial index ``reminders_due`` and, in the same
transaction, queues the outbox message and advances the row — so a kill anywhere leaves either
both or neither, and a rerun neither loses nor doubles a reminder.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from sqlite_utils import Database

from feeds.errors import UserError
from state.db import from_iso, iso
from state.deadline import Deadline


def under(prefix: str) -> tuple[str, str]:
    """Bounds of the item keys below ``prefix`` (``prefix:…``) for an index range scan;
    ``LIKE`` would scan the table (it is case-insensitive, the index is not)."""
    return f"{prefix}:", f"{prefix};"  # ';' sorts right after ':'


@dataclass(frozen=True, slots=True)
class ReminderRow:
    """A planned reminder item: what, when it is past, and when to remind (label, instant)."""

    subscriber_id: int
    item_key: str
    kind: str
    title: str
    deadline: str  # ISO date, or ISO datetime for events
    past_at: datetime
    schedule: tuple[tuple[str, datetime], ...]
    basis: str = ""
    estimate: bool = False
    act_by: str = ""  # ISO day to act by when the legal ``deadline`` is not a working day
    note: str = ""  # what to know or bring (CAPE closed → protest; documents to apply)
    link: str = ""  # registration or application link


@lru_cache(maxsize=65536)
def _timing(
    schedule: tuple[tuple[str, datetime], ...], past_at: datetime, now: datetime
) -> tuple[str, str, int, str | None, str]:
    """Stored form of a schedule (memoised: a bulk import repeats a few hundred schedules)."""
    start = _first_future(schedule, now)
    due = iso(schedule[start][1]) if start < len(schedule) else None
    sched = json.dumps([[label, int(at.timestamp())] for label, at in schedule], separators=(",", ":"))
    return iso(past_at), sched, start, due, "active" if due else "finished"


def _first_future(schedule: Sequence[tuple[str, datetime]], now: datetime) -> int:
    for i, (_, at) in enumerate(schedule):
        if at > now:
            return i
    return len(schedule)


def upsert(db: Database, rows: Sequence[ReminderRow], *, now: datetime) -> int:
    """Insert or replace reminder items; an item marked done stays done. Reminders whose
    time has already passed when the item is (re)planned are not sent late — only the sweep's
    own missed reminders are. Call inside ``db.atomic()``."""
    params = []
    stamp = iso(now)
    memo: dict[tuple[int, int], tuple[str, str, int, str | None, str]] = {}  # rows share schedules
    for r in rows:
        key = (id(r.schedule), id(r.past_at))
        timing = memo.get(key)
        if timing is None:
            timing = memo[key] = _timing(r.schedule, r.past_at, now)
        past, sched, start, due, status = timing
        params.append(
            (r.subscriber_id, r.item_key, r.kind, r.title, r.deadline, past, r.basis,
             int(r.estimate), sched, start, due, status, stamp, r.act_by or None, r.note, r.link)
        )  # fmt: skip
    params.sort(key=lambda p: (p[0], p[1]))  # index order: far fewer B-tree page splits
    db.conn.executemany(
        "INSERT INTO reminders (subscriber_id, item_key, kind, title, deadline, past_at, basis,"
        " estimate, schedule, next_index, due_at, status, created_at, act_by, note, link)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (subscriber_id, item_key) DO UPDATE SET kind=excluded.kind,"
        " title=excluded.title, deadline=excluded.deadline, past_at=excluded.past_at,"
        " basis=excluded.basis, estimate=excluded.estimate, schedule=excluded.schedule,"
        " next_index=excluded.next_index, due_at=excluded.due_at, status=excluded.status,"
        " act_by=excluded.act_by, note=excluded.note, link=excluded.link"
        " WHERE reminders.status != 'done' AND (reminders.status = 'retired'"
        " OR reminders.deadline != excluded.deadline OR reminders.schedule != excluded.schedule"
        " OR reminders.note != excluded.note)",
        params,
    )
    return len(params)


@dataclass(frozen=True, slots=True)
class DueReminder:
    id: int
    subscriber_id: int
    item_key: str
    kind: str
    title: str
    deadline: str
    past_at: datetime
    basis: str
    estimate: bool
    schedule: tuple[tuple[str, datetime], ...]
    next_index: int
    timezone: str
    quiet_hours: str | None
    language: str
    act_by: str = ""
    note: str = ""
    link: str = ""


def due(db: Database, now: datetime, *, limit: int = 1000) -> list[DueReminder]:
    """Rows whose ``due_at`` has come, for active subscribers (index range scan on due_at)."""
    out = []
    for r in db.query(
        "SELECT r.*, s.timezone, s.quiet_hours, s.language FROM reminders r"
        " JOIN subscribers s ON s.id = r.subscriber_id"
        " WHERE r.due_at IS NOT NULL AND r.due_at <= ? AND s.status = 'active'"
        " ORDER BY r.due_at LIMIT ?",
        [iso(now), limit],
    ):
        schedule = tuple(
            (label, datetime.fromtimestamp(at, UTC)) for label, at in json.loads(r["schedule"])
        )
        past_at = from_iso(r["past_at"])
        assert past_at is not None
        out.append(
            DueReminder(
                id=r["id"], subscriber_id=r["subscriber_id"], item_key=r["item_key"],
                kind=r["kind"], title=r["title"], deadline=r["deadline"], past_at=past_at,
                basis=r["basis"], estimate=bool(r["estimate"]),
                schedule=schedule,  # type: ignore[arg-type]
                next_index=r["next_index"], timezone=r["timezone"],
                quiet_hours=r["quiet_hours"], language=r["language"],
                act_by=r["act_by"] or "", note=r["note"] or "", link=r["link"] or "",
            )  # fmt: skip
        )
    return out


def advance(db: Database, reminder_id: int, *, next_index: int, due_at: datetime | None,
            status: str) -> None:  # fmt: skip
    db.execute(
        "UPDATE reminders SET next_index = ?, due_at = ?, status = ? WHERE id = ?",
        [next_index, iso(due_at) if due_at else None, status, reminder_id],
    )


def mark_done(db: Database, subscriber_id: int, item_key: str, *, now: datetime) -> int:
    """已處理: stop the remaining reminders of one item, or of every item under a prefix
    (``us:ABC-1234567-6`` covers all of that entry's deadlines). Returns how many items."""
    with db.atomic():
        cur = db.execute(
            "UPDATE reminders SET status = 'done', due_at = NULL, done_at = ?"
            " WHERE subscriber_id = ? AND (item_key = ? OR (item_key > ? AND item_key < ?))"
            " AND status != 'done'",
            [iso(now), subscriber_id, item_key, *under(item_key)],
        )
    if not cur.rowcount:
        already = next(
            db.query(
                "SELECT count(*) AS n FROM reminders WHERE subscriber_id = ?"
                " AND (item_key = ? OR (item_key > ? AND item_key < ?))",
                [subscriber_id, item_key, *under(item_key)],
            )
        )["n"]
        if not already:
            raise UserError(
                f"訂閱者 #{subscriber_id} 沒有「{item_key}」這項期限",
                f"subscriber #{subscriber_id} has no deadline {item_key!r}",
            )
    return cur.rowcount


def insert_done_marker(db: Database, subscriber_id: int, item_key: str, kind: str, *, now: datetime) -> None:
    """Record 已處理 for an item that has no reminder row (e.g. an entry imported without
    dates), so exports and later re-plans know it is done."""
    db.execute(
        "INSERT OR IGNORE INTO reminders (subscriber_id, item_key, kind, title, deadline, past_at,"
        " schedule, status, done_at, created_at) VALUES (?,?,?,?,'',?,'[]','done',?,?)",
        [subscriber_id, item_key, kind, item_key, iso(now), iso(now), iso(now)],
    )


def done_keys(db: Database, subscriber_id: int) -> set[str]:
    return {
        r[0]
        for r in db.conn.execute(
            "SELECT item_key FROM reminders WHERE subscriber_id = ? AND status = 'done'", [subscriber_id]
        )
    }


def open_items(db: Database, subscriber_id: int, *, since: date | None = None) -> list[dict]:
    """Deadlines not marked 已處理, soonest first; ``since`` drops those older than that day."""
    return list(
        db.query(
            "SELECT item_key, kind, title, deadline, basis, estimate, status, due_at, act_by, note, link"
            " FROM reminders WHERE subscriber_id = ? AND status != 'done'"
            " AND substr(coalesce(act_by, deadline), 1, 10) >= ?"
            " ORDER BY deadline, item_key",
            [subscriber_id, since.isoformat() if since else ""],
        )
    )


def items_of(db: Database, subscriber_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT item_key, kind, title, deadline, basis, estimate, status, due_at, act_by, note, link"
            " FROM reminders WHERE subscriber_id = ? ORDER BY deadline, item_key",
            [subscriber_id],
        )
    )


def recipients_of_announcement(db: Database, announcement_key: str) -> list[dict]:
    """Subscribers alerted about an announcement, or told it touches their entries: they get
    its event reminders (with their own reminder time of day, None = the default). Index
    lookups: ``alerts_announcement`` and ``outbox_entries_key``."""
    return list(
        db.query(
            "SELECT s.id, s.timezone, s.quiet_hours, s.language, rs.time_of_day FROM subscribers s"
            " LEFT JOIN reminder_settings rs ON rs.subscriber_id = s.id WHERE s.id IN"
            " (SELECT subscriber_id FROM alerts WHERE announcement_key = ?"
            "  UNION SELECT subscriber_id FROM outbox WHERE message_key = ? AND kind = 'entry_match')"
            " ORDER BY s.id",
            [announcement_key, f"entries:{announcement_key}"],
        )
    )


def retire_missing(db: Database, subscriber_id: int, keep: dict[str, set[str]]) -> int:
    """For re-tracked entries (``entry number → item keys still valid``), stop reminders of
    deadlines that no longer apply (summary filed, liquidation now known…). Done rows stay."""
    retired = 0
    for number, keys in keep.items():
        rows = db.conn.execute(
            "SELECT id, item_key FROM reminders WHERE subscriber_id = ? AND item_key > ?"
            " AND item_key < ? AND status NOT IN ('done', 'retired')",
            [subscriber_id, *under(f"us:{number}")],
        ).fetchall()
        for rid, key in rows:
            if key not in keys:
                db.execute("UPDATE reminders SET status = 'retired', due_at = NULL WHERE id = ?", [rid])
                retired += 1
    return retired


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    offsets_days: tuple[int, ...] | None = None
    time_of_day: str | None = None


def get_settings(db: Database, subscriber_id: int) -> ReminderSettings:
    row = db.conn.execute(
        "SELECT offsets_days, time_of_day FROM reminder_settings WHERE subscriber_id = ?",
        [subscriber_id],
    ).fetchone()
    if row is None:
        return ReminderSettings()
    offsets = tuple(json.loads(row[0])) if row[0] else None
    return ReminderSettings(offsets, row[1])


def set_settings(
    db: Database, subscriber_id: int, *, offsets_days: Sequence[int] | None, time_of_day: str | None
) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO reminder_settings (subscriber_id, offsets_days, time_of_day) VALUES (?,?,?)"
            " ON CONFLICT (subscriber_id) DO UPDATE SET offsets_days = excluded.offsets_days,"
            " time_of_day = excluded.time_of_day",
            [subscriber_id, json.dumps(sorted(set(offsets_days), reverse=True)) if offsets_days else None,
             time_of_day],
        )  # fmt: skip


def as_deadline(row: dict) -> Deadline | None:
    """A reminder row (``open_items`` / ``items_of``) as the one ``Deadline`` type: a dated
    deadline, an application period (its last day) or a timed event (``at``)."""
    text = str(row.get("deadline") or "")
    at = None
    try:
        if "～" in text:  # an application period "first～last": reminded up to its last day
            day = date.fromisoformat(text.split("～")[-1][:10])
        elif "T" in text:  # an event start; a zone-less one is kept naive (未註明時區)
            at = datetime.fromisoformat(text.split("（")[0])
            day = at.date()
        else:
            day = date.fromisoformat(text[:10])
        act_by = date.fromisoformat(row["act_by"]) if row.get("act_by") else None
    except ValueError:
        return None
    kind = str(row.get("kind") or "")
    return Deadline(
        kind=kind, date=day, basis=str(row.get("basis") or ""),
        estimate=bool(row.get("estimate")), act_by=act_by, note=str(row.get("note") or ""),
        eligible=True if kind == "cape_last_day" else None,  # only usable CAPE days are planned
        title=str(row.get("title") or ""), item_key=str(row.get("item_key") or ""), at=at,
        link=str(row.get("link") or ""),
    )  # fmt: skip
