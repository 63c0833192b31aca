"""Digests: a subscriber on ``daily`` or ``weekly`` gets one message at their local digest time
with the new announcements grouped by topic and their upcoming deadlines, overdue first.

Topics marked urgent (subscription kind ``urgent``) still go out at once. The digest sweep
is idempotent: the message key is the digest slot (``digest:2026-04-21``) and the alerts it
covers are marked in the same transaction, so a rerun or a restart sends it once. After
downtime only the latest missed slot is sent, holding everything that waited.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.alerts.match import topic_label
from bot.alerts.render import environment
from bot.alerts.telegram_html import split_html
from bot.quiet import next_allowed
from bot.understand.english import english_title
from bot.understand.sessions import event_lines
from bot.understand.timefmt import md_text, zone_label
from bot.understand.titles import title_zh
from feeds.factmodel import Facts
from feeds.topics import TOPICS, topic_names
from state import outbox
from state import reminders as reminder_store
from state.alerts import mark_digested, pending_digest
from state.db import from_iso
from state.deadline import Deadline
from state.subscribers import Subscriber, Subscription, digest_due, set_digest_due

WEEKLY_ON = 0  # Monday


DIGEST_HORIZON_DAYS = 30  # the digest table shows deadlines up to this many days ahead
OVERDUE_DAYS = 30  # and overdue ones not marked done for this long


def tracked_deadlines(db: Database, subscriber_id: int, today: date) -> Iterable[Deadline]:
    """Open (not 已處理) deadlines of the subscriber's tracked items, recent overdue included."""
    for r in reminder_store.open_items(db, subscriber_id, since=today - timedelta(days=OVERDUE_DAYS)):
        d = reminder_store.as_deadline(r)
        if d is not None:
            yield d


# Providers of a subscriber's deadlines: (db, subscriber id, today) → deadlines (digest, ICS).
DEADLINE_PROVIDERS: list[Callable[[Database, int, date], Iterable[Deadline]]] = [tracked_deadlines]


def wants_immediate(sub: Subscriber, topics: Iterable[str], subs: Sequence[Subscription]) -> bool:
    """Queue this alert now, or hold it for the digest?"""
    urgent = {s.value for s in subs if s.kind == "urgent"}
    return immediate(sub.digest, sub.channel, bool(urgent & set(topics)))


def immediate(digest: str, channel: str, urgent: bool) -> bool:
    """Now, unless the subscriber takes a digest and the topic is not one they marked urgent;
    an association decides for its members itself."""
    return digest == "off" or channel == "association" or urgent


def last_slot(now: datetime, sub: Subscriber) -> datetime | None:
    """The most recent digest time at or before ``now`` in the subscriber's zone."""
    if sub.digest not in ("daily", "weekly"):
        return None
    zone = ZoneInfo(sub.timezone)
    hh, mm = (int(x) for x in sub.digest_time.split(":"))
    local = now.astimezone(zone)
    day = local.date()
    slot = datetime.combine(day, time(hh, mm), tzinfo=zone)
    if slot > local:
        day -= timedelta(days=1)
    if sub.digest == "weekly":
        day -= timedelta(days=(day.weekday() - WEEKLY_ON) % 7)
    return datetime.combine(day, time(hh, mm), tzinfo=zone)


def _rows_by_topic(rows: list[dict], lang: str = "zh-TW") -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        topics = json.loads(r["topics"] or "[]")
        groups.setdefault(topics[0] if topics else "", []).append(r)
    en = lang.startswith("en")

    def label(t: str) -> str:
        if not t:
            return "Other" if en else "其他"
        return TOPICS[t].en if en and t in TOPICS else topic_label(t)

    # By topic name; what has no topic comes last.
    return sorted(((label(t), items) for t, items in groups.items()), key=lambda g: (g[0] in ("Other", "其他"), g[0]))


def deadline_rows(db: Database, sub: Subscriber, today: date, now: datetime | None = None) -> list[Deadline]:
    """The subscriber's deadlines within the digest horizon, overdue first (by act-by day), and
    the sessions still ahead (one already held is not "overdue": it is left out)."""
    items: list[Deadline] = []
    for provider in DEADLINE_PROVIDERS:
        items.extend(provider(db, sub.id, today))
    zone = ZoneInfo(sub.timezone)

    def ahead(d: Deadline) -> bool:
        if d.at is None:
            return True
        if d.at.tzinfo is None:
            return d.at.date() >= today
        return d.at > now if now is not None else d.at.astimezone(zone).date() >= today

    return sorted((d for d in items if (d.due - today).days <= DIGEST_HORIZON_DAYS and ahead(d)),
                  key=lambda d: (d.at.astimezone(zone).date() if d.at and d.at.tzinfo else d.due, d.item_key))  # fmt: skip


def _shown(r: dict, sub: Subscriber, slot: datetime) -> dict:
    """One announcement as this subscriber reads it in the digest: its title in their language,
    its events in their zone as of the digest slot (no invitation to a session already held)."""
    zone = ZoneInfo(sub.timezone)
    try:
        facts = Facts.from_json(json.loads(r.get("facts") or "{}"))
    except json.JSONDecodeError:
        facts = Facts()
    topics = json.loads(r["topics"] or "[]")
    published = from_iso(r["published"])
    local = published.astimezone(zone) if published else None
    en = sub.language.startswith("en")
    if en:
        title = english_title(facts, r["title"], tz=sub.timezone) if facts.title or facts.letters else r["title"]
    else:
        subject = next((x.subject for x in facts.letters if x.subject), None)
        title = subject or title_zh(facts.title or r["title"], facts, topic_names(topics), tz=sub.timezone)
    return {
        **r,
        "title_shown": title or r["title"],
        "published_local": (f"{md_text(local, sub.timezone, sub.language)}{' ' if en else ''}{local:%H:%M}"
                            if local else ""),
        "events": event_lines(facts, tz=sub.timezone, now=slot, lang=sub.language),
    }


def render_digest(sub: Subscriber, slot: datetime, rows: list[dict], deadlines: list[Deadline]) -> dict[str, str]:
    zone = ZoneInfo(sub.timezone)
    local_slot = slot.astimezone(zone)
    ctx = {
        "en": sub.language.startswith("en"),
        "zone": zone_label(sub.timezone, local_slot, sub.language),
        "sub": sub,
        "lang": sub.language,
        "tz": sub.timezone,
        "today": slot.astimezone(zone).date(),
        "slot": slot.astimezone(zone).strftime("%Y-%m-%d"),
        "weekly": sub.digest == "weekly",
        "groups": [(label, [_shown(r, sub, slot) for r in items]) for label, items in _rows_by_topic(rows, sub.language)],
        "deadlines": deadlines,
        "count": len(rows),
    }
    env = environment()
    return {
        "text": env.get_template("digest.txt.j2").render(ctx).strip(),
        "email_html": env.get_template("digest.email.html.j2").render(ctx).strip(),
        "telegram_html": env.get_template("digest.telegram.html.j2").render(ctx).strip(),
    }


def next_slot(now: datetime, sub: Subscriber) -> datetime | None:
    """The first digest time after ``now`` in the subscriber's zone."""
    last = last_slot(now, sub)
    if last is None:
        return None
    hh, mm = (int(x) for x in sub.digest_time.split(":"))
    step = 7 if sub.digest == "weekly" else 1
    return datetime.combine(last.date() + timedelta(days=step), time(hh, mm), tzinfo=ZoneInfo(sub.timezone))


def digest_sweep(db: Database, now: datetime) -> int:
    """Queue every digest whose slot has come; returns how many were queued.

    Reads only the subscribers whose digest time has come (``digest_due_at``, indexed) and
    moves each to its next slot, so a sweep with nothing due costs one index probe."""
    queued = 0
    for sub in digest_due(db, now):
        slot, following = last_slot(now, sub), next_slot(now, sub)
        joined = datetime.fromisoformat(sub.created_at)
        # None before they joined — unless the clock is before that too (a rehearsal, --now).
        if slot is None or slot < joined <= now:
            set_digest_due(db, sub.id, following)
            continue
        key = f"digest:{slot.date().isoformat()}"
        sent = outbox.has_message(db, sub.id, key)
        rows = [] if sent else pending_digest(db, sub.id, slot)
        deadlines = [] if sent else deadline_rows(db, sub, slot.astimezone(ZoneInfo(sub.timezone)).date(), slot)
        if not rows and not deadlines:  # already queued, or nothing to say this time
            set_digest_due(db, sub.id, following)
            continue
        body = render_digest(sub, slot, rows, deadlines)
        if sub.language.startswith("en"):
            title = "Weekly digest" if sub.digest == "weekly" else "Daily digest"
            subject = f"{title} {slot.date().isoformat()}: {len(rows)} new announcement(s)"
        else:
            title = "每週摘要" if sub.digest == "weekly" else "每日摘要"
            subject = f"{title} {slot.date().isoformat()}：{len(rows)} 則新公告"
        with db.atomic():
            queued += outbox.enqueue(
                db,
                subscriber_id=sub.id,
                message_key=key,
                kind="digest",
                subject=subject,
                text=body["text"],
                html=tuple(split_html(body["telegram_html"])),
                payload={"email_html": body["email_html"], "announcements": [r["key"] for r in rows]},
                now=now,
                not_before=next_allowed(now, sub.timezone, sub.quiet_hours),
            )
            mark_digested(db, [r["id"] for r in rows], now)
            set_digest_due(db, sub.id, following)
    return queued
