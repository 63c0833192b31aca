"""Event reminders from announcements: webinars, calls, outages, application periods,
effective dates and deadlines found by the understanding step (``announcements.facts``).

Why separate from ``bot.deadlines.reminders``: these are planned from extracted facts, for everyone who
heard about the announcement, while tracked deadlines are planned from a firm's own items. Both
end up as rows in ``reminders`` and go out through the same sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.deadlines.reminders import KIND_ZH, end_of_day, local_instant, parse_time_of_day
from bot.understand.english import english_title
from bot.understand.reading import application_requirements
from bot.understand.sessions import SESSION_KINDS, labelled_events, periods, session_notes
from bot.understand.titles import title_zh
from feeds.factmodel import DatedFact, Event, Facts
from feeds.topics import topic_names
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
    note: str = ""  # what to know to take part or apply, in the reader's language
    link: str = ""  # registration link, or the notice for an application period


def _headline(title: str, facts: Facts, lang: str, body: str = "", tz: str = "Asia/Taipei") -> str:
    """The announcement as the reader names it: its 主旨, its Chinese title, or (English) its own."""
    if lang.startswith("en"):
        return english_title(facts, title, body, tz)
    subject = next((x.subject for x in facts.letters if x.subject), None)
    return subject or title_zh(facts.title or title, facts, topic_names(list(facts.topics)))


def _session_note(facts: Facts, body: str, ev: Event, lang: str) -> str:
    """Notes that apply to this session: "only one" while another session is still ahead."""
    before = ev.start - timedelta(days=1) if ev.zoned else None
    notes = session_notes(facts, body, before)
    if lang.startswith("en"):
        return "; ".join(n.en for n in notes)
    return "；".join(n.zh for n in notes)


def _period_note(body: str, lang: str) -> str:
    req = application_requirements(body)
    if not req:
        return ""
    if not lang.startswith("en"):
        return "\n".join(req.lines_zh())
    bits = [f"{len(req.conditions)} condition(s)"] if req.conditions else []
    if req.documents:
        bits.append("documents to enclose")
    text = "The notice lists " + " and ".join(bits or ["what applying takes"]) + " (in Chinese)"
    return text + (f"; enquiries: {', '.join(req.contacts)}" if req.contacts else "") + "."


def event_plans(
    announcement_key: str, title: str, facts: Facts, *, tz: str, at: str = "09:00", body: str = "",
    url: str = "", lang: str = "zh-TW",
) -> list[EventPlan]:  # fmt: skip
    """Reminder plans from the facts of an announcement (events and dates).

    Webinars / calls / outages: the day before (at ``at`` local) and one hour before, titled
    with the session's Chinese label (「CAPE 線上說明會（第 1 場）」), carrying its registration
    link and the notice's notes. A start with no zone cannot be placed in time: only the
    day-before reminder, and the text says (未註明時區). Application periods (range_start +
    range_end): opening day, 7 days before the end, last day, carrying what the notice says
    one needs to apply. Effective dates: the day before. Deadlines: 7, 1 and 0 days before.
    """
    plans: list[EventPlan] = []
    when = parse_time_of_day(at)
    en = lang.startswith("en")
    head = _headline(title, facts, lang, body, tz)
    labels = dict(enumerate(label for _, label in labelled_events(facts, lang=lang)))
    for i, ev in enumerate(facts.events):
        start, zoned = ev.start, ev.zoned
        kind = ev.kind or "event"
        label = labels.get(i) or KIND_ZH.get(kind, kind)
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
        session = kind in SESSION_KINDS
        plans.append(EventPlan(f"event:{announcement_key}:{i}", kind, f"{label} — {head}",
                               shown, past_at, tuple(sorted(schedule, key=lambda x: x[1])),
                               note=_session_note(facts, body, ev, lang) if session else "",
                               link=(ev.url or "") if session else ""))  # fmt: skip
    dates = list(facts.dates)
    dates.extend(_dated_events(facts.events, dates, tz))
    for i, span in enumerate(periods(replace(facts, dates=tuple(dates)))):
        if span.kind not in ("application", "registration"):
            continue  # a holiday's service windows are reminded as events; a programme's run is not a task
        first, last = span.first, span.last
        schedule = [("opening", local_instant(first, when, tz)), ("last_day", local_instant(last, when, tz))]
        if last - timedelta(days=7) > first:
            schedule.append(("end_minus_7", local_instant(last - timedelta(days=7), when, tz)))
        note = _period_note(body, lang) if span.kind == "application" else ""
        plans.append(EventPlan(f"period:{announcement_key}:{i}", "application",
                               f"{span.name(lang).capitalize() if en else span.name(lang)} — {head}",
                               f"{first.isoformat()}～{last.isoformat()}", end_of_day(last, tz),
                               tuple(sorted(schedule, key=lambda x: x[1])),
                               note=note, link=url))  # fmt: skip
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
        name = ("Takes effect" if kind == "effective" else "Deadline") if en else KIND_ZH[kind]
        plans.append(EventPlan(f"date:{announcement_key}:{i}", kind, f"{name} — {head}", day.isoformat(),
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
    db: Database, announcement_key: str, title: str, facts: Facts, *, now: datetime, at: str = "09:00",
    body: str = "", url: str = "",
) -> int:  # fmt: skip
    """Reminder items for every subscriber alerted about the announcement, in their language
    and zone. Call in atomic()."""
    rows: list[ReminderRow] = []
    plans: dict[tuple[str, str, str], list[EventPlan]] = {}  # recipients share zones, times, languages
    for sub in store.recipients_of_announcement(db, announcement_key):
        look = (sub["timezone"], sub["time_of_day"] or at, sub["language"] or "zh-TW")
        if look not in plans:
            plans[look] = event_plans(announcement_key, title, facts, tz=look[0], at=look[1], body=body, url=url,
                                      lang=look[2])  # fmt: skip
        for p in plans[look]:
            if p.past_at <= now:
                continue
            rows.append(ReminderRow(sub["id"], p.key, p.kind, p.title, p.deadline, p.past_at,
                                    p.schedule, note=p.note, link=p.link))  # fmt: skip
    return store.upsert(db, rows, now=now)


