"""Event reminders from announcements: webinars, calls, outages, application periods,
effective dates and deadlines found by the understanding step (``announcements.facts``).

Why separate from ``bot.deadlines.reminders``: these are planned from extracted facts, for everyone who
heard about the announcement, while tracked deadlines are planned from a firm's own items. Both
end up as rows in ``reminders`` and go out through the same sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.deadlines.reminders import KIND_ZH, end_of_day, local_instant, parse_time_of_day
from feeds.factmodel import DatedFact, Event, Facts
from state import reminders as store
from state.reminders import ReminderRow


@dataclass(frozen=True, slots=True)
class EventPlan:
    key: str
    kind: str
    title: str
    deadline: str
    past_at: datetime
    schedule: tuple[tuple[str, datetime], ...]


def event_plans(
    announcement_key: str, title: str, facts: Facts, *, tz: str, at: str = "09:00"
) -> list[EventPlan]:
    """Reminder plans from the facts of an announcement (events and dates).

    Webinars / calls / outages: the day before (at ``at`` local) and one hour before. A start
    with no zone cannot be placed in time: only the day-before reminder, and the text says
    (未註明時區). Application periods (range_start + range_end): opening day, 7 days before the
    end, last day. Effective dates: the day before. Deadlines: 7, 1 and 0 days before.
    """
    plans: list[EventPlan] = []
    when = parse_time_of_day(at)
    for i, ev in enumerate(facts.events):
        start, zoned = ev.start, ev.zoned
        kind = ev.kind or "event"
        label = ev.label or KIND_ZH.get(kind, kind)
        if kind in ("effective", "deadline"):
            continue  # reminded by date (below), from facts.dates or from this event
        local_day = start.astimezone(ZoneInfo(tz)).date() if zoned else start.date()
        schedule = [("day_before", local_instant(local_day - timedelta(days=1), when, tz))]
        if zoned:
            schedule.append(("hour_before", start - timedelta(hours=1)))
            past_at = start
        else:
            past_at = end_of_day(start.date(), tz)
        shown = start.isoformat() if zoned else f"{start.isoformat()}（未註明時區）"
        plans.append(EventPlan(f"event:{announcement_key}:{i}", kind, f"{label} — {title}",
                               shown, past_at, tuple(sorted(schedule, key=lambda x: x[1]))))  # fmt: skip
    dates = list(facts.dates)
    dates.extend(_dated_events(facts.events, dates, tz))
    ranges_start = [d for d in dates if d.kind == "range_start"]
    ranges_end = [d for d in dates if d.kind == "range_end"]
    for i, (s, e) in enumerate(zip(ranges_start, ranges_end, strict=False)):
        first, last = s.date, e.date
        schedule = [("opening", local_instant(first, when, tz)), ("last_day", local_instant(last, when, tz))]
        if last - timedelta(days=7) > first:
            schedule.append(("end_minus_7", local_instant(last - timedelta(days=7), when, tz)))
        plans.append(EventPlan(f"period:{announcement_key}:{i}", "application",
                               f"{s.label or '申請期間'} — {title}",
                               f"{first.isoformat()}～{last.isoformat()}", end_of_day(last, tz),
                               tuple(sorted(schedule, key=lambda x: x[1]))))  # fmt: skip
    for i, d in enumerate(dates):
        kind = d.kind
        if kind not in ("effective", "deadline"):
            continue
        day = d.date
        offsets = (1,) if kind == "effective" else (7, 1, 0)
        sched = tuple(
            ("day_before" if n == 1 and kind == "effective" else f"d{n}",
             local_instant(day - timedelta(days=n), when, tz))
            for n in offsets
        )  # fmt: skip
        past = local_instant(day, time(0, 0), tz) if kind == "effective" else end_of_day(day, tz)
        plans.append(EventPlan(f"date:{announcement_key}:{i}", kind,
                               f"{d.label or KIND_ZH[kind]} — {title}", day.isoformat(),
                               past, tuple(sorted(sched, key=lambda x: x[1]))))  # fmt: skip
    return plans


def _dated_events(events: tuple[Event, ...], dates: list[DatedFact], tz: str) -> list[DatedFact]:
    """Effective / deadline *events* (with a time) become dated items unless ``dates``
    already has the same kind on the same day — so nothing announced is lost either way."""
    have = {(d.kind, d.date) for d in dates}
    out = []
    for ev in events:
        kind = ev.kind
        if kind not in ("effective", "deadline"):
            continue
        day = (ev.start.astimezone(ZoneInfo(tz)) if ev.zoned else ev.start).date()
        if (kind, day) not in have:
            have.add((kind, day))
            out.append(DatedFact(kind, day, ev.label))
    return out


def plan_announcement_events(
    db: Database, announcement_key: str, title: str, facts: Facts, *, now: datetime, at: str = "09:00"
) -> int:
    """Reminder items for every subscriber alerted about the announcement. Call in atomic()."""
    rows: list[ReminderRow] = []
    for sub in store.recipients_of_announcement(db, announcement_key):
        own = store.get_settings(db, sub["id"]).time_of_day or at
        for p in event_plans(announcement_key, title, facts, tz=sub["timezone"], at=own):
            if p.past_at <= now:
                continue
            rows.append(ReminderRow(sub["id"], p.key, p.kind, p.title, p.deadline, p.past_at,
                                    p.schedule))  # fmt: skip
    return store.upsert(db, rows, now=now)


