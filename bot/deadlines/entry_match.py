"""Announcements matched to tracked entries: CAPE / IEEPA news and HTS numbers.

Why: "CBP changed CAPE" matters to a firm in proportion to its own entries. A CAPE / IEEPA
announcement tells each subscriber tracking IEEPA entries how many it affects and the nearest
CAPE and protest last days; an announcement naming HTS numbers reaches subscribers whose
tracked entries carry those HTS prefixes. Every message says why it matched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlite_utils import Database

from bot.alerts.render import environment
from bot.deadlines.calculators import Deadline, cape_eligible, us_entry_deadlines
from bot.deadlines.tracker import Rules
from bot.quiet import next_allowed
from bot.understand.english import english_title
from bot.understand.titles import title_zh
from feeds.factmodel import Facts
from feeds.model import Announcement
from feeds.topics import topic_names
from state import outbox, tracking
from state.subscribers import Subscriber, active_subscribers


@dataclass(frozen=True, slots=True)
class EntryMatch:
    subscriber_id: int
    entries: tuple[str, ...]
    ieepa: int  # tracked IEEPA entries this CAPE / IEEPA announcement touches
    cape_eligible: int
    nearest_cape: Deadline | None  # the soonest CAPE last day still ahead (an eligible entry's)
    nearest_protest: Deadline | None  # the soonest protest last day still ahead
    hts: dict[str, tuple[str, ...]]

    @property
    def reason_en(self) -> str:
        """Why, in one line (stored in the outbox payload)."""
        parts = [f"a CAPE / IEEPA announcement; you track {self.ieepa} IEEPA entries"] if self.ieepa else []
        parts += [f"it names HTS {code}, found in {len(nums)} of your entries" for code, nums in self.hts.items()]
        return "; ".join(parts)


def is_cape_announcement(ann: Announcement, topics: list[str]) -> bool:
    """CAPE / IEEPA news: the understanding's ``ieepa_cape`` topic, which reads what the item
    is about. A word search over the body would take 沖退稅 (drawback) or an article's passing
    mention of IEEPA for refund news and tell firms their IEEPA entries are touched."""
    return "ieepa_cape" in topics


def _nearest(
    entries: list[tracking.TrackedEntry], rules: Rules, today: date
) -> tuple[Deadline | None, Deadline | None]:
    """The nearest CAPE and protest last days still ahead (by the day to act), in one pass;
    a CAPE day the entry can never use does not count."""
    best: dict[str, Deadline] = {}
    for t in entries:
        try:
            ds = us_entry_deadlines(t.entry, rules.us, rules.cape, today=today)
        except Exception:  # a stored entry with odd dates must not stop matching
            continue
        for d in ds:
            wanted = d.kind in ("cape_last_day", "protest_last_day") and d.due >= today and d.eligible is not False
            if wanted and (d.kind not in best or d.due < best[d.kind].due):
                best[d.kind] = replace(d, item_key=f"us:{t.entry.entry_number}:{d.kind}")
    return best.get("cape_last_day"), best.get("protest_last_day")


def match_entries(
    db: Database, ann: Announcement, topics: list[str], facts: Facts, *, rules: Rules, today: date
) -> dict[int, EntryMatch]:
    """subscriber id → what of theirs this announcement touches, and why."""
    out: dict[int, EntryMatch] = {}
    ieepa = tracking.ieepa_entries_by_subscriber(db) if is_cape_announcement(ann, topics) else {}
    hts_hits = tracking.entries_by_hts(db, list(facts.hts))
    for sid in sorted(set(ieepa) | set(hts_hits)):
        mine = [t for t in ieepa.get(sid, []) if t.entry.liquidation_status != "final"]
        hts = {code: tuple(sorted(nums)) for code, nums in hts_hits.get(sid, {}).items()}
        numbers = sorted({t.entry.entry_number for t in mine} | {n for v in hts.values() for n in v})
        if not numbers:
            continue
        cape, protest = _nearest(mine, rules, today)
        out[sid] = EntryMatch(
            sid, tuple(numbers), len(mine), sum(cape_eligible(t.entry, rules.cape, today) for t in mine),
            cape, protest, hts,
        )  # fmt: skip
    return out


def match_text(ann: Announcement, m: EntryMatch, *, lang: str, tz: str = "Asia/Taipei",
               facts: Facts | None = None) -> str:  # fmt: skip
    """The message (templates/entry_match.txt.j2): which of the firm's entries, why, and the
    nearest CAPE and protest days shown as everywhere else (legal last day and act-by day)."""
    facts = facts or Facts(title=ann.title)
    if lang.startswith("en"):
        title = english_title(facts, ann.title)
    else:
        subject = next((x.subject for x in facts.letters if x.subject), None)
        title = subject or title_zh(facts.title or ann.title, facts, topic_names(list(facts.topics)), tz=tz)
    ctx = {"m": m, "title": title, "url": ann.url, "lang": lang, "tz": tz, "en": lang.startswith("en")}
    return environment().get_template("entry_match.txt.j2").render(ctx).strip()


def queue_entry_matches(
    db: Database, ann: Announcement, topics: list[str], facts: Facts, *, rules: Rules, now: datetime,
    subscribers: Mapping[int, Subscriber] | None = None,
) -> int:
    """Queue one ``entries:<announcement>`` message per matched subscriber. Call in atomic().

    ``subscribers`` (active, by id) saves a query per announcement when the caller has them."""
    subs = subscribers if subscribers is not None else {s.id: s for s in active_subscribers(db)}
    queued = 0
    for sid, m in match_entries(db, ann, topics, facts, rules=rules, today=now.date()).items():
        sub = subs.get(sid)
        if sub is None:
            continue
        queued += outbox.enqueue(
            db, subscriber_id=sid, message_key=f"entries:{ann.key}", kind="entry_match",
            subject=ann.title, text=match_text(ann, m, lang=sub.language, tz=sub.timezone, facts=facts),
            payload={"announcement": ann.key, "entries": len(m.entries), "reason": m.reason_en},
            now=now, not_before=next_allowed(now, sub.timezone, sub.quiet_hours),
        )  # fmt: skip
    return queued
