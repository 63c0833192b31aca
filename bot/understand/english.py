"""The alert for a subscriber who reads English (``--lang en``): the original title, the facts,
times in their own zone labelled with that zone. Nothing says 台北時間 unless it is Taipei time.

Built from the same facts and readings as the 繁體中文 summary, deterministically.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from bot.understand.reading import application_requirements, cape_scope
from bot.understand.sessions import (
    SESSION_KINDS,
    is_past,
    labelled_events,
    related_lines,
    session_notes,
)
from bot.understand.timefmt import TAIPEI, day_text, format_event_time, format_event_window
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
    for zh, en in ISSUERS_EN.items():
        if name.startswith(zh):
            return f"{en} — {name}" if name != zh else f"{en} ({zh})"
    return name


def _topics_en(topic_ids: Sequence[str]) -> str:
    from feeds.topics import TOPICS

    return ", ".join(TOPICS[t].en for t in topic_ids[:3] if t in TOPICS)


def english_title(facts: Facts, title: str) -> str:
    """The original title; for a Chinese letter, its 主旨 after who issued it."""
    letter = next((x for x in facts.letters if x.subject), None)
    if letter is not None:
        who = issuer_en(letter.issuer) if letter.issuer else "Taiwanese notice"
        return f"{who}: {letter.subject} (in Chinese)"
    shown = facts.title or title
    return f"{shown} (in Chinese)" if _CJK.search(shown) else shown


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
    starts = [d for d in facts.dates if d.kind == "range_start"]
    ends = [d for d in facts.dates if d.kind == "range_end"]
    for s, e in list(zip(starts, ends, strict=False))[:2]:
        parts.append(f"application period {day_text(s.date, 'en')} to {day_text(e.date, 'en')}")
    for d in facts.dates:
        if d.kind in ("effective", "deadline") and len(parts) < 3:
            parts.append(f"{'effective' if d.kind == 'effective' else 'deadline'} {day_text(d.date, 'en')}")
    return ["Dates: " + "; ".join(parts) + "."] if parts else []


def _action(facts: Facts, topic_ids: Sequence[str], text: str, now: datetime | None, tz: str) -> str:
    today = now.date() if now else None
    ends = [d.date for d in facts.dates if d.kind == "range_end"]
    if any(d.kind == "deadline" for d in facts.dates):
        return "To do: note the deadline and file or submit in good time."
    if ends:
        if today and max(ends) < today:
            return f"The application period ended on {day_text(max(ends), 'en')}."
        return "To do: apply within the period."
    sessions = [e for e in facts.events if e.kind in SESSION_KINDS]
    if sessions:
        if all(is_past(e, now, tz) for e in sessions):
            return "The sessions have been held."
        return "To do: register early if you want to attend; times are shown in your time zone."
    if {e.kind for e in facts.events} & {"outage", "maintenance"}:
        return "To do: plan filings around the downtime."
    if "ieepa_cape" in topic_ids and "drawback" not in topic_ids and re.search(r"(?i)refund|\bCAPE\b", text[:8000]):
        return "To do: check your ACE Portal account and ACH refund enrollment; list the eligible entries."
    return "To do: read the original and assess the effect on your imports and exports."


def summary_en(
    facts: Facts, topic_ids: Sequence[str], *, title: str, body: str, tz: str = TAIPEI,
    now: datetime | None = None,
) -> str:  # fmt: skip
    """Title, key points (in the reader's zone, labelled), related."""
    text = f"{title}\n{body}"
    head = english_title(facts, title)
    points = []
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
    else:
        what = "Announcement"
    prefix = PREFIX_EN.get((facts.prefix or "").upper())
    topics = _topics_en(topic_ids)
    points.append(what + (f" ({prefix})" if prefix else "") + (f"; topics: {topics}." if topics else "."))
    points += _event_lines(facts, text, tz, now)
    if "ieepa_cape" in topic_ids and (scope := cape_scope(text)):
        points.append(scope.en + ".")
    points += _date_lines(facts)
    req = application_requirements(text) if any(d.kind == "range_end" for d in facts.dates) else None
    if req:
        bits = []
        if req.conditions:
            bits.append(f"{len(req.conditions)} condition(s)")
        if req.documents:
            bits.append("documents to enclose")
        points.append("Applying: the notice lists " + " and ".join(bits or ["what is needed"])
                      + " (in Chinese)" + (f"; enquiries: {', '.join(req.contacts)}" if req.contacts else "") + ".")  # fmt: skip
    points.append(_action(facts, topic_ids, text, now, tz))
    return "\n".join([head, "", "Key points:", *(f"• {p}" for p in points[:6]), "", *related_lines(facts, "en")]).strip()
