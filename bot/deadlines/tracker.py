"""Tracking use cases: store an item and (re)plan its reminders in one transaction.

Why a separate module: the CLI, the CSV import and (later) Telegram all track items the same
way — validate, compute deadlines, upsert rows — and none of them should know the SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from sqlite_utils import Database

from bot.config import RemindersConfig
from bot.deadlines.calculators import (
    CapeRules,
    Deadline,
    load_cape_rules,
    tw_deadline,
    tw_explicit_deadline,
    us_entry_deadlines,
)
from bot.deadlines.calendars import WorkCalendar, tw_calendar, us_calendar
from bot.deadlines.entries import parse_tw_declaration
from bot.deadlines.reminders import deadline_row, entry_rows, parse_time_of_day
from feeds.errors import UserError
from state import reminders as store
from state import tracking
from state.subscribers import require_subscriber
from state.tracking import TrackedEntry


@dataclass
class Rules:
    """Calendars and CAPE rules, built once from the ``[reminders]`` config."""

    config: RemindersConfig

    @cached_property
    def us(self) -> WorkCalendar:
        return us_calendar(government_closures=self.config.us_government_closures,
                           extra_closures=self.config.us_closure_dates)  # fmt: skip

    @cached_property
    def tw(self) -> WorkCalendar:
        return tw_calendar(extra_closures=self.config.tw_closure_dates,
                           makeup_workdays=self.config.tw_makeup_workdays)  # fmt: skip

    @cached_property
    def cape(self) -> CapeRules:
        return load_cape_rules()


def reminder_timing(db: Database, subscriber_id: int, rules: Rules) -> tuple[tuple[int, ...], str]:
    """The subscriber's own offsets and time of day, or the ``[reminders]`` defaults."""
    own = store.get_settings(db, subscriber_id)
    return (own.offsets_days or tuple(rules.config.offsets_days),
            own.time_of_day or rules.config.time_of_day)  # fmt: skip


def track_entries(
    db: Database, subscriber_id: int, items: Sequence[TrackedEntry], *, rules: Rules,
    now: datetime,
) -> int:  # fmt: skip
    """Store entries and plan their reminders; all or nothing. Returns how many entries.

    Re-tracking an entry re-plans it: changed dates move its reminders, and deadlines that no
    longer apply (summary filed, CAPE excluded…) stop. Items marked done stay done."""
    sub = require_subscriber(db, subscriber_id)
    offsets, at = reminder_timing(db, subscriber_id, rules)
    today = now.date()
    rows = []
    for t in items:
        deadlines = us_entry_deadlines(t.entry, rules.us, rules.cape, today=today)
        rows.extend(
            entry_rows(subscriber_id, t.entry.entry_number, deadlines, tz=sub.timezone,
                       offsets=offsets, at=at, now=now)
        )  # fmt: skip
    with db.atomic():
        existed = tracking.entry_ids(db, subscriber_id, (t.entry.entry_number for t in items))
        tracking.upsert_entries(db, subscriber_id, items, now=now)
        if existed:
            keep: dict[str, set[str]] = {n: set() for n in existed}
            for r in rows:
                number = r.item_key.split(":")[1]
                if number in keep:
                    keep[number].add(r.item_key)
            store.retire_missing(db, subscriber_id, keep)
        store.upsert(db, rows, now=now)
    return len(items)


def track_tw(
    db: Database, subscriber_id: int, *, declaration_no: str, kind: str, base: date | None,
    due: date | None, label: str | None, rules: Rules, now: datetime,
) -> Deadline:  # fmt: skip
    """A Taiwanese declaration deadline: computed from ``base`` by rule, or an explicit date
    (補正期限, approved 展延); either way moved off rest days (行政程序法第48條)."""
    sub = require_subscriber(db, subscriber_id)
    number = parse_tw_declaration(declaration_no)
    if due is not None:
        d = tw_explicit_deadline(kind, due, rules.tw)
    else:
        if base is None:
            raise UserError("請提供起算日或期限日", "give a base date or a due date")
        d = tw_deadline(kind, base, rules.tw)
    with db.atomic():
        rid = tracking.add_tw_declaration(
            db, subscriber_id, declaration_no=number, kind=kind, base_date=base, due_date=d.date,
            basis=d.basis, label=label, now=now,
        )  # fmt: skip
        title = f"報單 {number} {d.note}" + (f"（{label}）" if label else "")
        offsets, at = reminder_timing(db, subscriber_id, rules)
        store.upsert(db, [deadline_row(subscriber_id, f"tw:{rid}", kind, title, d.date,
                                       tz=sub.timezone, offsets=offsets, at=at, basis=d.basis,
                                       now=now)],
                     now=now)  # fmt: skip
    return d


def track_custom(
    db: Database, subscriber_id: int, *, title: str, due: date, due_time: str | None,
    rules: Rules, now: datetime,
) -> int:  # fmt: skip
    """Any titled date (AEO / C-TPAT revalidation, an association's deadline)."""
    sub = require_subscriber(db, subscriber_id)
    if due_time is not None:
        parse_time_of_day(due_time)  # refuse 25:00 before anything is written
    with db.atomic():
        cid = tracking.add_custom(db, subscriber_id, title=title, due=due, due_time=due_time, now=now)
        offsets, at = reminder_timing(db, subscriber_id, rules)
        store.upsert(db, [deadline_row(subscriber_id, f"custom:{cid}", "custom", title.strip(), due,
                                       tz=sub.timezone, offsets=offsets, at=due_time or at, now=now)],
                     now=now)  # fmt: skip
    return cid
