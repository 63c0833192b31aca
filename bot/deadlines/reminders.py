"""Reminders: plan them (pure) and sweep due ones into the outbox (exactly once).

Planning turns a deadline or an announced event into a schedule of instants in the
subscriber's zone (default 30/14/7/3/1/0 days before, 09:00). The sweep sends, per item, the
latest reminder whose time has come: after downtime several missed ones collapse into one
message marked 逾時補發 (late); a deadline already past is never announced as upcoming; an item
marked 已處理 (done) has no ``due_at`` and is never read again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.deadlines.calculators import Deadline
from bot.quiet import next_allowed
from feeds.errors import UserError
from feeds.normalize import normalize_typed
from state import outbox
from state import reminders as store
from state.reminders import DueReminder, ReminderRow

log = logging.getLogger(__name__)

DEFAULT_OFFSETS = (30, 14, 7, 3, 1, 0)
# A reminder sent this long after its time is marked late (逾時補發).
LATE_AFTER = timedelta(minutes=30)
# Deadline kinds that ask the firm to act (estimates of liquidation and "eligible now" are
# shown by the deadlines command but not reminded).
REMINDED_US_KINDS = ("entry_summary_due", "psc_last_day", "cape_last_day", "protest_last_day")

KIND_ZH = {
    "entry_summary_due": "進口摘要申報表（CBP 7501）遞交期限",
    "psc_last_day": "申報後更正（PSC）最後一天",
    "cape_last_day": "CAPE（IEEPA 關稅退款）申請最後一天",
    "protest_last_day": "異議（protest）最後一天",
    "webinar": "線上說明會",
    "support_call": "支援說明會",
    "outage": "系統中斷",
    "maintenance": "系統維護",
    "deployment": "系統上線",
    "effective": "生效日",
    "application": "申請期間",
    "deadline": "截止日",
    "custom": "自訂提醒",
}
EVENT_KINDS = ("webinar", "support_call", "outage", "maintenance", "deployment", "event")


def local_instant(day: date, at: time, tz: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz))


_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_time_of_day(text: str) -> time:
    """``"09:00"`` (or ``"０９：００"`` from a Chinese IME) → time; a bad value is a ``UserError``
    (it comes from a user or config)."""
    m = _HHMM.match(normalize_typed(text).strip())
    if not m:
        raise UserError(f"時間格式應為 HH:MM（例如 09:00），收到「{text}」",
                        f"time must look like HH:MM (e.g. 09:00), got {text!r}")  # fmt: skip
    return time(int(m.group(1)), int(m.group(2)))


def parse_offsets(text: str) -> tuple[int, ...]:
    """``"30,14,7,1,0"`` → offsets in days (0–400), largest first."""
    try:
        values = {int(x) for x in re.split(r"[,\s/、]+", (text or "").strip()) if x}
    except ValueError:
        values = set()
    if not values or any(v < 0 or v > 400 for v in values):
        raise UserError(f"提醒天數應為 0–400 的整數清單，例如 30,14,7,3,1,0；收到「{text}」",
                        f"offsets must be whole days 0–400, e.g. 30,14,7,3,1,0; got {text!r}")  # fmt: skip
    return tuple(sorted(values, reverse=True))


@lru_cache(maxsize=65536)
def end_of_day(day: date, tz: str) -> datetime:
    """The instant a deadline day is over in ``tz`` (next local midnight)."""
    return local_instant(day + timedelta(days=1), time(0, 0), tz)


def offset_schedule(
    day: date, *, tz: str, offsets: Sequence[int] = DEFAULT_OFFSETS, at: str = "09:00"
) -> tuple[tuple[str, datetime], ...]:
    """Reminder instants ``d<N>`` = N days before ``day`` at ``at`` local time, earliest first.
    Local wall time is kept across DST changes (zoneinfo resolves the offset per date)."""
    return _offset_schedule(day, tz, tuple(offsets), at)


@lru_cache(maxsize=65536)
def _offset_schedule(
    day: date, tz: str, offsets: tuple[int, ...], at: str
) -> tuple[tuple[str, datetime], ...]:
    when = parse_time_of_day(at)
    items = {(f"d{n}", local_instant(day - timedelta(days=n), when, tz)) for n in set(offsets) if n >= 0}
    return tuple(sorted(items, key=lambda x: x[1]))


def deadline_row(
    subscriber_id: int,
    item_key: str,
    kind: str,
    title: str,
    day: date,
    *,
    tz: str,
    offsets: Sequence[int] = DEFAULT_OFFSETS,
    at: str = "09:00",
    basis: str = "",
    estimate: bool = False,
    now: datetime | None = None,
) -> ReminderRow:
    """A dated deadline → one reminder item. When every offset has passed but the day is not
    over yet (tracked on its last day), one ``now`` reminder is added so it is still said."""
    schedule, past_at = _planned(day, tz, tuple(offsets), at, now)
    return ReminderRow(subscriber_id, item_key, kind, title, day.isoformat(), past_at, schedule,
                       basis, estimate)  # fmt: skip


@lru_cache(maxsize=65536)
def _planned(
    day: date, tz: str, offsets: tuple[int, ...], at: str, now: datetime | None
) -> tuple[tuple[tuple[str, datetime], ...], datetime]:
    schedule = _offset_schedule(day, tz, offsets, at)
    past_at = end_of_day(day, tz)
    if now is not None and now < past_at and all(t <= now for _, t in schedule):
        schedule = (*schedule, ("now", now + timedelta(seconds=1)))
    return schedule, past_at


def entry_rows(
    subscriber_id: int,
    entry_number: str,
    deadlines: Iterable[Deadline],
    *,
    tz: str,
    offsets: Sequence[int] = DEFAULT_OFFSETS,
    at: str = "09:00",
    now: datetime | None = None,
) -> list[ReminderRow]:
    """Reminder items of one U.S. entry. The row keeps the legal last day and, for a
    calendar-day rule whose last day is not a working day, the act-by day; reminders count
    back from the act-by day so the last one is not on a weekend. A CAPE day the entry can
    never use (``eligible`` false) is not reminded."""
    offsets = tuple(offsets)
    rows = []
    for d in deadlines:
        plan = _entry_plan(d, tz, offsets, at, now)
        if plan is None:
            continue
        past_at, schedule = plan
        rows.append(
            ReminderRow(subscriber_id, f"us:{entry_number}:{d.kind}", d.kind,
                        f"{entry_number} {KIND_ZH.get(d.kind, d.kind)}", d.date.isoformat(), past_at,
                        schedule, d.basis, d.estimate, act_by=d.act_by.isoformat() if d.moved else "",  # type: ignore[union-attr]
                        note=d.note)
        )  # fmt: skip
    return rows


@lru_cache(maxsize=65536)
def _entry_plan(
    d: Deadline, tz: str, offsets: tuple[int, ...], at: str, now: datetime | None
) -> tuple[datetime, tuple[tuple[str, datetime], ...]] | None:
    """(past_at, schedule) of one deadline, or None when it is not reminded or already past.
    Memoised: entries of one import share a few hundred dates."""
    if d.kind not in REMINDED_US_KINDS or d.eligible is False:
        return None
    if now is not None and end_of_day(d.date, tz) <= now:
        return None  # already past: never announced as upcoming
    schedule, past_at = _planned(d.due, tz, offsets, at, now)
    return past_at, schedule


# ---- the sweep --------------------------------------------------------------------------
def _as_deadline(r: DueReminder) -> Deadline | None:
    return store.as_deadline({
        "kind": r.kind, "deadline": r.deadline, "basis": r.basis, "estimate": r.estimate,
        "act_by": r.act_by, "note": r.note, "title": r.title, "item_key": r.item_key, "link": r.link,
    })  # fmt: skip


def reminder_text(r: DueReminder, label: str, *, now: datetime, late: bool) -> str:
    """The message (templates/reminder.txt.j2): what, when in the subscriber's zone, how long
    left — or, for an event, when it starts and how to take part; 逾時補發 when late."""
    d = _as_deadline(r)
    today = now.astimezone(ZoneInfo(r.timezone)).date()
    first = r.deadline.split("～")[0] if "～" in r.deadline else ""
    ctx = {
        "r": r, "d": d, "label": label, "late": late, "lang": r.language, "tz": r.timezone,
        "today": today, "event": r.kind in EVENT_KINDS and d is not None and d.at is not None,
        "period_first": date.fromisoformat(first[:10]) if first else None,
    }  # fmt: skip
    from bot.alerts.render import (
        environment,  # loaded when a reminder is written, not by every CLI command
    )

    return environment().get_template("reminder.txt.j2").render(ctx).strip()


@dataclass(slots=True)
class SweepStats:
    queued: int = 0
    late: int = 0
    expired: int = 0


def sweep(db: Database, now: datetime, *, batch: int = 1000) -> SweepStats:
    """Move every due reminder into the outbox, once. Each batch is one transaction: the
    outbox row and the reminder's advance commit together, and the outbox key
    (``reminder:<item>:<deadline>:<label>``) is unique per subscriber, so even a replay of a
    committed batch could not queue a second copy."""
    stats = SweepStats()
    while True:
        with db.atomic():
            rows = store.due(db, now, limit=batch)
            for r in rows:
                _sweep_one(db, r, now, stats)
        if len(rows) < batch:
            break
    if stats.queued or stats.expired:
        log.info("reminders queued=%d late=%d expired=%d", stats.queued, stats.late, stats.expired)
    return stats


def _sweep_one(db: Database, r: DueReminder, now: datetime, stats: SweepStats) -> None:
    missed = [i for i in range(r.next_index, len(r.schedule)) if r.schedule[i][1] <= now]
    last = missed[-1] if missed else r.next_index
    following = last + 1
    nxt = r.schedule[following][1] if following < len(r.schedule) else None
    if now >= r.past_at:
        store.advance(db, r.id, next_index=len(r.schedule), due_at=None, status="expired")
        stats.expired += 1
        return
    label, at = r.schedule[last]
    late = len(missed) > 1 or now - at > LATE_AFTER
    outbox.enqueue(
        db,
        subscriber_id=r.subscriber_id,
        message_key=f"reminder:{r.item_key}:{r.deadline}:{label}",
        kind="reminder",
        subject=r.title,
        text=reminder_text(r, label, now=now, late=late),
        payload={"item": r.item_key, "deadline": r.deadline, "label": label, "late": late},
        now=now,
        not_before=next_allowed(now, r.timezone, r.quiet_hours),
    )
    store.advance(db, r.id, next_index=following, due_at=nxt,
                  status="active" if nxt else "finished")  # fmt: skip
    stats.queued += 1
    stats.late += late
