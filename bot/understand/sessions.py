"""Sessions (webinars, support calls, 說明會) and system windows as a reader names them.

A reminder or a summary says 「CAPE 線上說明會（第 1 場）」, not the raw line the date was
found in ("- Registration link for webinar on April 21 at 1:00 p.m. ET: Register here").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.understand.reading import PERIOD_NAMES, Note, period_kind, registration_notes
from feeds.factmodel import DatedFact, Event, Facts

SESSION_KINDS = ("webinar", "support_call")
# A deadline for comments ("Comments must be received by …", 「陳述意見」): 意見截止日, not a filing deadline.
_COMMENTS = re.compile(r"(?i)\bcomments?\b|意見")


def comment_deadline(d: DatedFact) -> bool:
    return d.kind == "deadline" and bool(_COMMENTS.search(d.label))


def live_deadlines(facts: Facts, today: date | None) -> list[DatedFact]:
    """The deadlines still ahead (all of them when the day is unknown), or none when every one is past."""
    found = [d for d in facts.dates if d.kind == "deadline"]
    if not found or (today and max(d.date for d in found) < today):
        return []
    return [d for d in found if not today or d.date >= today] or found
KIND_ZH = {
    "webinar": "線上說明會",
    "support_call": "支援說明會",
    "outage": "系統中斷",
    "maintenance": "系統維護",
    "deployment": "系統上線",
    "effective": "生效",
    "deadline": "截止",
    "event": "活動",
}
KIND_EN = {
    "webinar": "webinar",
    "support_call": "support call",
    "outage": "outage",
    "maintenance": "maintenance",
    "deployment": "deployment",
    "effective": "takes effect",
    "deadline": "deadline",
    "event": "event",
}
# What a session is about, by the names it carries (title first, then its own line).
_SUBJECTS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(rx), zh, en)
    for rx, zh, en in (
        (r"\bCAPE\b|入境貨物資料綜合管理與處理", "CAPE", "CAPE"),
        (r"\bIEEPA\b", "IEEPA", "IEEPA"),
        (r"(?i)\breconciliation\b|事後調整申報", "事後調整申報", "reconciliation"),
        (r"(?i)\bdrawback\b|沖退(?:原料)?稅", "沖退稅", "drawback"),
        (r"(?i)\bC-?TPAT\b", "C-TPAT", "C-TPAT"),
        (r"\bAEO\b|優質企業", "AEO", "AEO"),
        (r"(?i)\bde minimis\b|小額免稅", "小額免稅", "de minimis"),
        (r"(?i)\bsection 232\b|232\s*條款", "232 條款", "Section 232"),
        (r"(?i)\bsection 301\b|301\s*條款", "301 條款", "Section 301"),
        (r"(?i)\breciprocal\b|對等關稅", "對等關稅", "reciprocal tariffs"),
        (r"\bACH\b", "ACH", "ACH"),
        (r"\bFDA\b", "FDA", "FDA"),
        (r"\bACE\b|自動化商業環境", "ACE", "ACE"),
        (r"關港貿單一窗口|單一窗口(?!通關作業)", "關港貿單一窗口", "Single Window"),  # not a 關's weekend 單一窗口通關作業方式
    )
)
# A Chinese notice names its session: 「AEO優質企業認證說明會」, 舉辦美國對等關稅線上說明會.
_OWN_NAME = re.compile(r"「([^」]{2,40}?(?:說明會|研討會|宣導會|座談會|訓練))」|舉辦([^，。、「」\s]{2,30}?(?:說明會|研討會|宣導會|座談會))")
# 「線上說明會：「復運出口及保稅倉庫作業新制」」: the session's kind, then its subject.
_NAMED_AFTER = re.compile(r"((?:線上)?(?:說明會|研討會|宣導會|座談會))\s*[：:]\s*「([^」]{2,40})」")
# A holiday notice's windows are the offices' service hours, not sessions.
_SERVICE_HOURS = re.compile(r"服務時間|作業時間|辦公時間|開放時間|值勤|輪值|派員")


def _subject(texts: tuple[str, ...], lang: str) -> str:
    for text in texts:
        for rx, zh, en in _SUBJECTS:
            if rx.search(text):
                return en if lang.startswith("en") else zh
    return ""


def session_label(ev: Event, facts: Facts, *, index: int = 0, count: int = 1, lang: str = "zh-TW") -> str:
    """「CAPE 線上說明會（第 1 場）」 / "CAPE webinar (session 1 of 2)"; a Chinese notice's own
    name for its session when it gives one."""
    en = lang.startswith("en")
    own = _OWN_NAME.search(ev.label) or _OWN_NAME.search(facts.title) or next(
        (m for x in facts.letters if x.subject and (m := _OWN_NAME.search(x.subject))), None)  # fmt: skip
    named = _NAMED_AFTER.search(ev.label) or _NAMED_AFTER.search(facts.title)
    if ev.kind == "event" and _SERVICE_HOURS.search(ev.label):
        base = "customs service hours" if en else "通關服務時間"
    elif own and not en:
        base = own.group(1) or own.group(2)
    elif named and not en:
        base = f"「{named.group(2)}」{named.group(1)}"
    else:
        subject = _subject((facts.title, ev.label), lang)
        kind = (KIND_EN if en else KIND_ZH).get(ev.kind, KIND_EN["event"] if en else KIND_ZH["event"])
        base = f"{subject} {kind}".strip()
    if count > 1:
        base += f" (session {index + 1} of {count})" if en else f"（第 {index + 1} 場）"
    return base


@dataclass(frozen=True, slots=True)
class Period:
    """A range of days a notice names, and what it is (``reading.period_kind``)."""

    first: date
    last: date
    kind: str  # application | registration | holiday | period
    label: str

    def name(self, lang: str = "zh-TW") -> str:
        note = PERIOD_NAMES[self.kind]
        return note.en if lang.startswith("en") else note.zh


def periods(facts: Facts) -> list[Period]:
    """The notice's ranges (start paired with end, in order), each named by its own words."""
    starts = [d for d in facts.dates if d.kind == "range_start"]
    ends = [d for d in facts.dates if d.kind == "range_end"]
    return [Period(a.date, b.date, period_kind(a.label or b.label), a.label)
            for a, b in zip(starts, ends, strict=False) if b.date >= a.date]  # fmt: skip


def is_past(ev: Event, now: datetime | None, tz: str = "Asia/Taipei") -> bool:
    """The event has ended (or started, for a point in time) by ``now``. A time without a zone
    counts as past only once its whole day is over in the reader's zone."""
    if now is None:
        return False
    end = ev.end or ev.start
    if end.tzinfo is not None:
        return end <= now
    return end.date() < now.astimezone(ZoneInfo(tz)).date()


def sessions(facts: Facts) -> list[Event]:
    return [e for e in facts.events if e.kind in SESSION_KINDS]


def labelled_events(facts: Facts, lang: str = "zh-TW") -> list[tuple[Event, str]]:
    """Every event with its reader-facing label, sessions numbered within their kind."""
    counts: dict[str, int] = {}
    for e in facts.events:
        counts[e.kind] = counts.get(e.kind, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for e in facts.events:
        i = seen.get(e.kind, 0)
        seen[e.kind] = i + 1
        numbered = counts[e.kind] if e.kind in SESSION_KINDS else 1
        out.append((e, session_label(e, facts, index=i, count=numbered, lang=lang)))
    return out


def session_notes(facts: Facts, text: str, now: datetime | None, tz: str = "Asia/Taipei") -> tuple[Note, ...]:
    """The notice's notes on taking part, while a session is still ahead. "Register for only
    one" stays after the first session: whoever attended it need not attend the second."""
    if not any(not is_past(e, now, tz) for e in sessions(facts)):
        return ()
    return registration_notes(text)


def event_lines(facts: Facts, *, tz: str, now: datetime | None, lang: str = "zh-TW") -> list[str]:
    """One line per event in the reader's zone and language (digests): a session still ahead
    with its registration link, one already held marked so and never offered."""
    from bot.understand.timefmt import format_event_time, format_event_window

    en = lang.startswith("en")
    out = []
    for e, label in labelled_events(facts, lang=lang)[:6]:
        if e.end_iso:
            when = format_event_window(e.start_iso, e.end_iso, tz=tz, zone=e.zone, lang=lang)
        else:
            when = format_event_time(e.start_iso, tz=tz, zone=e.zone, lang=lang)
        line = f"{label}: {when}" if en else f"{label}：{when}"
        if e.kind in SESSION_KINDS:
            if is_past(e, now, tz):
                line += " (already held)" if en else "（已舉行）"
            elif e.url:
                line += f" — register: {e.url}" if en else f"（報名 {e.url}）"
        out.append(line)
    return out


# The 相關 / Related block: (field, label, separator, how many) per language.
_RELATED_LABELS = {
    "zh": (("related_csms", "相關：", "、", 8), ("hts", "稅則號列：", "、", 8),
           ("adcvd", "AD/CVD 案號：", "、", 6), ("emails", "聯絡：", "、", 6), ("links", "連結：", " ", 3)),
    "en": (("related_csms", "Related: ", ", ", 8), ("hts", "HTS: ", ", ", 8),
           ("adcvd", "AD/CVD cases: ", ", ", 6), ("emails", "Contacts: ", ", ", 6), ("links", "Links: ", " ", 3)),
}  # fmt: skip


def related_lines(facts: Facts, lang: str) -> list[str]:
    """The numbers and contacts a summary lists after its points, one line per kind."""
    lines = []
    for field, label, sep, most in _RELATED_LABELS[lang]:
        values = list(getattr(facts, field))[:most]
        if field == "related_csms":
            values = [f"CSMS #{n}" for n in values]
        if values:
            lines.append(label + sep.join(values))
    return lines
