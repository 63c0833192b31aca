"""Announcements matched to tracked entries: CAPE / IEEPA news and HTS numbers.

Why: "CBP changed CAPE" matters to a firm in proportion to its own entries. A CAPE / IEEPA
announcement tells each subscriber tracking IEEPA entries how many it affects and the nearest
CAPE and protest last days; an announcement naming HTS numbers reaches subscribers whose
tracked entries carry those HTS prefixes. Every message says why it matched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlite_utils import Database

from bot.alerts import story
from bot.alerts.render import environment
from bot.deadlines.calculators import Deadline, cape_eligible, us_entry_deadlines
from bot.deadlines.tracker import Rules
from bot.quiet import next_allowed
from bot.understand.english import english_title
from bot.understand.titles import title_zh
from feeds.factmodel import Facts
from feeds.model import Announcement
from feeds.topics import topic_names
from state import entry_hits, outbox
from state.fanout import recipients
from state.tracking import UsEntry


@dataclass(frozen=True, slots=True)
class EntryMatch:
    subscriber_id: int
    entries: tuple[str, ...]  # the first entry numbers touched, in order (at most ten)
    ieepa: int  # tracked IEEPA entries this CAPE / IEEPA announcement touches
    cape_eligible: int
    nearest_cape: Deadline | None  # the soonest CAPE last day still ahead (an eligible entry's)
    nearest_protest: Deadline | None  # the soonest protest last day still ahead
    hts: dict[str, int]  # announced HTS code → how many of the subscriber's entries carry it
    count: int = 0  # entries touched in all (``entries`` lists the first of them)

    def __post_init__(self) -> None:
        if not self.count:
            object.__setattr__(self, "count", len(self.entries))

    @property
    def reason_en(self) -> str:
        """Why, in one line (stored in the outbox payload)."""
        parts = [f"a CAPE / IEEPA announcement; you track {self.ieepa} IEEPA entries"] if self.ieepa else []
        parts += [f"it names HTS {code}, found in {n} of your entries" for code, n in self.hts.items()]
        return "; ".join(parts)


def is_cape_announcement(ann: Announcement, topics: list[str]) -> bool:
    """CAPE / IEEPA news: the understanding's ``ieepa_cape`` topic, which reads what the item
    is about. A word search over the body would take 沖退稅 (drawback) or an article's passing
    mention of IEEPA for refund news and tell firms their IEEPA entries are touched."""
    return "ieepa_cape" in topics


@dataclass(frozen=True, slots=True)
class _Combination:
    """What a date combination means today: CAPE-eligible (0/1), its CAPE and protest last
    days still ahead (a CAPE day the entry can never use does not count)."""

    eligible: int
    cape: Deadline | None
    protest: Deadline | None


def _per_combination(combinations: list[tuple[str, UsEntry]], rules: Rules, today: date) -> dict[str, _Combination]:
    out = {}
    for key, entry in combinations:
        best: dict[str, Deadline] = {}
        try:
            deadlines = us_entry_deadlines(entry, rules.us, rules.cape, today=today)
        except Exception:  # a stored entry with odd dates must not stop matching
            deadlines = []
        for d in deadlines:
            wanted = d.kind in ("cape_last_day", "protest_last_day") and d.due >= today and d.eligible is not False
            if wanted and (d.kind not in best or d.due < best[d.kind].due):
                best[d.kind] = d
        out[key] = _Combination(int(cape_eligible(entry, rules.cape, today)), best.get("cape_last_day"),
                                best.get("protest_last_day"))  # fmt: skip
    return out


def match_entries(
    db: Database, ann: Announcement, topics: list[str], facts: Facts, *, rules: Rules, today: date
) -> dict[int, EntryMatch]:
    """subscriber id → what of theirs this announcement touches, and why.

    Sums come from SQL (state/entry_hits.py): the open IEEPA entries' distinct date
    combinations are computed here once each, SQL adds them up per subscriber; only date
    combinations and matched subscribers reach Python, however many entries are tracked."""
    cape = is_cape_announcement(ann, topics)
    codes = list(facts.hts)
    combos: dict[str, _Combination] = {}
    with entry_hits.IeepaTally(db) as tally:
        if cape:
            combos = _per_combination(entry_hits.ieepa_date_combinations(db), rules, today)
            tally.fill({k: (c.eligible, c.cape.due.isoformat() if c.cape else None,
                            c.protest.due.isoformat() if c.protest else None) for k, c in combos.items()})  # fmt: skip
        ieepa = tally.totals() if cape else {}
        others = entry_hits.hts_only_counts(db, codes, beside_ieepa=cape) if codes else {}
        hts_hits = entry_hits.hts_counts(db, codes) if codes else {}
        out: dict[int, EntryMatch] = {}
        for sid in sorted(set(ieepa) | {s for s, n in others.items() if n}):
            mine, eligible, cape_due, protest_due = ieepa.get(sid, (0, 0, None, None))
            nearest = []
            for due, which in ((cape_due, "cape"), (protest_due, "protest")):
                found = tally.first_with(sid, which, due) if due else None
                d = getattr(combos[found[1]], which) if found else None
                kind = f"{which}_last_day"
                nearest.append(replace(d, item_key=f"us:{found[0]}:{kind}") if d and found else None)
            out[sid] = EntryMatch(
                sid, entry_hits.first_numbers(db, sid, ieepa=cape, codes=codes), mine, eligible,
                nearest[0], nearest[1], hts_hits.get(sid, {}), mine + others.get(sid, 0),
            )  # fmt: skip
    return out


def _title(ann: Announcement, facts: Facts, lang: str, tz: str) -> str:
    """The announcement as this reader names it: English title, the letter's 主旨, or the
    Chinese title."""
    if lang.startswith("en"):
        return english_title(facts, ann.title, ann.body, tz)
    subject = next((x.subject for x in facts.letters if x.subject), None)
    return subject or title_zh(facts.title or ann.title, facts, topic_names(list(facts.topics)), tz=tz)


def match_subject(ann: Announcement, m: EntryMatch, *, lang: str, tz: str = "Asia/Taipei",
                  facts: Facts | None = None) -> str:  # fmt: skip
    """The subject line (e-mail, previews) in the reader's language."""
    title = _title(ann, facts or Facts(title=ann.title), lang, tz)
    if lang.startswith("en"):
        return f"Your entries ({m.count}): {title}"
    return f"與您的報關單有關（{m.count} 筆）：{title}"


def match_text(ann: Announcement, m: EntryMatch, *, lang: str, tz: str = "Asia/Taipei",
               facts: Facts | None = None) -> str:  # fmt: skip
    """The message (templates/entry_match.txt.j2): which of the firm's entries, why, and the
    nearest CAPE and protest days shown as everywhere else (legal last day and act-by day)."""
    title = _title(ann, facts or Facts(title=ann.title), lang, tz)
    ctx = {"m": m, "title": title, "url": ann.url, "lang": lang, "tz": tz, "en": lang.startswith("en")}
    return environment().get_template("entry_match.txt.j2").render(ctx).strip()


def queue_entry_matches(
    db: Database, ann: Announcement, topics: list[str], facts: Facts, *, rules: Rules, now: datetime
) -> int:
    """Queue one ``entries:<announcement>`` message per matched subscriber. Call in atomic().

    One story, one message: a 貿易署 or 工總 letter forwarding a CSMS whose entries message
    the subscriber already has does not send the same count of the same entries again."""
    matches = match_entries(db, ann, topics, facts, rules=rules, today=now.date())
    earlier = [f"entries:{k}" for k in story.forwarded_keys(db, ann.key, facts)] if matches else []
    queued = 0
    for sub in recipients(db, sorted(matches)):
        m = matches[sub.id]
        if any(outbox.has_message(db, sub.id, key) for key in earlier):
            continue
        queued += outbox.enqueue(
            db, subscriber_id=sub.id, message_key=f"entries:{ann.key}", kind="entry_match",
            subject=match_subject(ann, m, lang=sub.language, tz=sub.timezone, facts=facts),
            text=match_text(ann, m, lang=sub.language, tz=sub.timezone, facts=facts),
            payload={"announcement": ann.key, "entries": m.count, "reason": m.reason_en},
            now=now, not_before=next_allowed(now, sub.timezone, sub.quiet_hours),
        )  # fmt: skip
    return queued
