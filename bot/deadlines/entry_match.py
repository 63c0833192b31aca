"""Announcements matched to tracked entries: CAPE / IEEPA news and HTS numbers.

Why: "CBP changed CAPE" matters to a firm in proportion to its own entries. A CAPE / IEEPA
announcement tells each subscriber tracking IEEPA entries how many it affects and the nearest
CAPE and protest last days; an announcement naming HTS numbers reaches subscribers whose
tracked entries carry those HTS prefixes. Every message says why it matched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlite_utils import Database

from bot.deadlines.calculators import cape_eligible, us_entry_deadlines
from bot.deadlines.tracker import Rules
from bot.quiet import next_allowed
from feeds.factmodel import Facts
from feeds.model import Announcement
from state import outbox, tracking
from state.subscribers import Subscriber, active_subscribers


@dataclass(frozen=True, slots=True)
class EntryMatch:
    subscriber_id: int
    entries: tuple[str, ...]
    cape_eligible: int
    nearest_cape: date | None
    nearest_protest: date | None
    hts: dict[str, tuple[str, ...]]
    reason_zh: str
    reason_en: str


def is_cape_announcement(ann: Announcement, topics: list[str]) -> bool:
    """CAPE / IEEPA news: the understanding's ``ieepa_cape`` topic, which reads what the item
    is about. A word search over the body would take 沖退稅 (drawback) or an article's passing
    mention of IEEPA for refund news and tell firms their IEEPA entries are touched."""
    return "ieepa_cape" in topics


def _nearest(
    entries: list[tracking.TrackedEntry], rules: Rules, today: date
) -> tuple[date | None, date | None]:
    """The nearest CAPE and protest last days still ahead, in one pass over the entries."""
    best: dict[str, date] = {}
    for t in entries:
        try:
            ds = us_entry_deadlines(t.entry, rules.us, rules.cape, today=today)
        except Exception:  # a stored entry with odd dates must not stop matching
            continue
        for d in ds:
            wanted = d.kind in ("cape_last_day", "protest_last_day") and d.date >= today
            if wanted and (d.kind not in best or d.date < best[d.kind]):
                best[d.kind] = d.date
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
        zh, en = [], []
        if mine:
            zh.append(f"本公告與 CAPE／IEEPA 退稅有關，您追蹤的 IEEPA 報關單有 {len(mine)} 筆")
            en.append(f"a CAPE / IEEPA announcement; you track {len(mine)} IEEPA entries")
        for code, nums in hts.items():
            zh.append(f"公告提及稅則 {code}，您有 {len(nums)} 筆報關單含此稅則")
            en.append(f"it names HTS {code}, found in {len(nums)} of your entries")
        if not numbers:
            continue
        cape, protest = _nearest(mine, rules, today)
        out[sid] = EntryMatch(
            sid, tuple(numbers), sum(cape_eligible(t.entry, rules.cape, today) for t in mine),
            cape, protest, hts, "；".join(zh), "; ".join(en),
        )  # fmt: skip
    return out


def match_text(ann: Announcement, m: EntryMatch, *, lang: str) -> str:
    if lang.startswith("en"):
        lines = [f"📦 Your entries: {ann.title}", f"Why: {m.reason_en}."]
        if m.reason_en.startswith("a CAPE"):
            lines.append(f"CAPE-eligible now: {m.cape_eligible}")
        if m.nearest_cape:
            lines.append(f"Nearest CAPE last day: {m.nearest_cape.isoformat()}")
        if m.nearest_protest:
            lines.append(f"Nearest protest last day: {m.nearest_protest.isoformat()}")
        lines.append(f"Entries: {', '.join(m.entries[:10])}" + (" …" if len(m.entries) > 10 else ""))
        return "\n".join(lines + [ann.url])
    lines = [f"📦 與您的報關單有關：{ann.title}", f"原因：{m.reason_zh}。"]
    if m.reason_zh.startswith("本公告與 CAPE"):
        lines.append(f"目前可申請 CAPE 者：{m.cape_eligible} 筆")
    if m.nearest_cape:
        lines.append(f"最近的 CAPE 申請最後一天：{m.nearest_cape.isoformat()}")
    if m.nearest_protest:
        lines.append(f"最近的異議（protest）最後一天：{m.nearest_protest.isoformat()}")
    lines.append("報關單：" + "、".join(m.entries[:10]) + ("……" if len(m.entries) > 10 else ""))
    return "\n".join(lines + [ann.url])


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
            subject=ann.title, text=match_text(ann, m, lang=sub.language),
            payload={"announcement": ann.key, "entries": len(m.entries), "reason": m.reason_en},
            now=now, not_before=next_allowed(now, sub.timezone, sub.quiet_hours),
        )  # fmt: skip
    return queued
