"""The alert for a subscriber who reads English (``--lang en``): the original title, the facts,
times in their own zone labelled with that zone. Nothing says 台北時間 unless it is Taipei time.

Built from the same facts and readings as the 繁體中文 summary, deterministically.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from bot.understand.advice import advice
from bot.understand.english_titles import english_title_of_chinese, issuer_english, issuer_of
from bot.understand.reading import application_requirements, cape_scope
from bot.understand.sessions import (
    SESSION_KINDS,
    comment_deadline,
    is_past,
    labelled_events,
    periods,
    related_lines,
    session_notes,
)
from bot.understand.timefmt import TAIPEI, day_text, format_event_time, format_event_window
from bot.understand.titles import heading_of
from feeds.factmodel import Facts

# 繁體中文 issuers as Taiwan's own English names them (GLOSSARY.md, Taiwan-side terms).
ISSUERS_EN = {
    "財政部關務署": "Customs Administration, Ministry of Finance",
    "經濟部國際貿易署": "International Trade Administration, MOEA",
    "駐美國代表處經濟組": "Economic Division, TECRO in the U.S.",
    "中華民國全國工業總會": "Chinese National Federation of Industries (CNFI)",
    "中華民國全國商業總會": "General Chamber of Commerce of the ROC",
    "關港貿單一窗口": "Customs-Port-Trade Single Window",
}
PREFIX_EN = {
    "GUIDANCE": "guidance",
    "UPDATED GUIDANCE": "updated guidance",
    "UPDATE": "update",
    "UPDATED": "update",
    "RESOLVED": "resolved",
    "REMINDER": "reminder",
    "REVISED": "revised",
    "CORRECTION": "correction",
    "AVAILABLE NOW": "available now",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def issuer_en(name: str) -> str:
    """A Taiwanese issuer as Taiwan's own English names it; unknown names as written."""
    for zh, en in ISSUERS_EN.items():
        if name.startswith(zh):
            return en
    return issuer_english(name) or name


def _topics_en(topic_ids: Sequence[str]) -> str:
    from feeds.topics import TOPICS

    return ", ".join(TOPICS[t].en for t in topic_ids[:3] if t in TOPICS)


def english_title(facts: Facts, title: str, body: str = "", tz: str = TAIPEI) -> str:
    """The original title; for a Chinese notice or letter, an English gist of it (who, what,
    when) with the Chinese original beside it (bot/understand/english_titles.py)."""
    shown = heading_of(facts.title, title)
    if any(x.subject for x in facts.letters) or _CJK.search(shown):
        return english_title_of_chinese(shown, facts, body, tz)
    return shown


def _event_lines(facts: Facts, text: str, tz: str, now: datetime | None) -> list[str]:
    out = []
    upcoming = False
    for e, label in labelled_events(facts, lang="en")[:6]:
        if e.kind in ("effective", "deadline"):
            label = "takes effect" if e.kind == "effective" else "deadline"
        if e.end_iso:
            when = format_event_window(e.start_iso, e.end_iso, tz=tz, zone=e.zone, lang="en")
        else:
            when = format_event_time(e.start_iso, tz=tz, zone=e.zone, lang="en")
        line = f"{label[:1].upper()}{label[1:]}: {when}"
        if e.kind in SESSION_KINDS:
            if is_past(e, now, tz):
                line += " (already held)"
            else:
                upcoming = True
                if e.url:
                    line += f" — register: {e.url}"
        out.append(line)
    notes = session_notes(facts, text, now, tz)
    if upcoming and notes:
        out.append("Registration: " + "; ".join(n.en for n in notes) + ".")
    return out


def _date_lines(facts: Facts) -> list[str]:
    parts = []
    for p in periods(facts)[:2]:
        parts.append(f"{p.name('en')} {day_text(p.first, 'en')} to {day_text(p.last, 'en')}")
    for d in facts.dates:
        if d.kind in ("effective", "deadline") and len(parts) < 3:
            name = "effective" if d.kind == "effective" else "comments due" if comment_deadline(d) else "deadline"
            parts.append(f"{name} {day_text(d.date, 'en')}")
    return ["Dates: " + "; ".join(parts) + "."] if parts else []


def _action(facts: Facts, topic_ids: Sequence[str], text: str, now: datetime | None, tz: str) -> str:
    a = advice(facts, topic_ids, text, now=now, tz=tz)
    day = day_text(a.day, "en") if a.day else ""
    return {
        "comment": "To do: to comment, submit before the comment deadline.",
        "deadline": "To do: note the deadline and file or submit in good time.",
        "application_closed": f"The application period ended on {day}.",
        "apply": "To do: apply within the period.",
        "held": "The sessions have been held.",
        "registration_closed": f"Registration closed on {day}.",
        "register_by": f"To do: register by {day} if you want to attend; times are shown in your time zone.",
        "register": "To do: register early if you want to attend; times are shown in your time zone.",
        "downtime": "To do: plan filings around the downtime.",
        "cape": "To do: check your ACE Portal account and ACH refund enrollment; list the eligible entries.",
        "holiday": "To do: over the holiday, plan clearance around the service hours listed.",
        "incentive": "To do: check eligibility and documents, and apply within the period.",
    }.get(a.kind, "To do: read the original and assess the effect on your imports and exports.")


def summary_en(
    facts: Facts, topic_ids: Sequence[str], *, title: str, body: str, tz: str = TAIPEI,
    now: datetime | None = None,
) -> str:  # fmt: skip
    """Title, key points (in the reader's zone, labelled), related."""
    text = f"{title}\n{body}"
    head = english_title(facts, title, body, tz)
    points: list[tuple[int, str]] = []  # (priority, text): lower is kept first
    if facts.csms_number:
        what = f"CBP message CSMS #{facts.csms_number}"
        letter = next((x for x in facts.letters if x.issuer), None)
        if letter is not None and letter.issuer:
            what = f"{issuer_en(letter.issuer)} forwards {what}"
    elif facts.letters and facts.letters[0].issuer:
        x = facts.letters[0]
        what = f"Letter from {issuer_en(x.issuer or '')}" + (f", {x.number}" if x.number else "")
        what += f", issued {day_text(x.issued, 'en')}" if x.issued else ""
    elif "federal_register" in topic_ids:
        what = "Federal Register document"
    elif _CJK.search(f"{facts.title}{title}") and (who := issuer_of(facts.title or title, facts, body)):
        what = f"Notice from {who[1]}"
    else:
        what = "Announcement"
    prefix = PREFIX_EN.get((facts.prefix or "").upper())
    topics = _topics_en(topic_ids)
    points.append((0, what + (f" ({prefix})" if prefix else "") + (f"; topics: {topics}." if topics else ".")))
    points += [(1 if i < 3 else 4, line) for i, line in enumerate(_event_lines(facts, text, tz, now))]
    if "ieepa_cape" in topic_ids and (scope := cape_scope(text)):
        points.append((1, scope.en + "."))
    points += [(2, line) for line in _date_lines(facts)]
    req = application_requirements(text) if any(p.kind == "application" for p in periods(facts)) else None
    if req:
        bits = []
        if req.conditions:
            bits.append(f"{len(req.conditions)} condition(s)")
        if req.documents:
            bits.append("documents to enclose")
        points.append((2, "Applying: the notice lists " + " and ".join(bits or ["what is needed"])
                       + " (in Chinese)" + (f"; enquiries: {', '.join(req.contacts)}" if req.contacts else "") + "."))  # fmt: skip
    points.append((0, _action(facts, topic_ids, text, now, tz)))
    keep = sorted(sorted(range(len(points)), key=lambda i: points[i][0])[:6])
    shown = [points[i][1] for i in keep]
    return "\n".join([head, "", "Key points:", *(f"• {p}" for p in shown), "", *related_lines(facts, "en")]).strip()
