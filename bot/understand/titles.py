"""Titles in one language: a 繁體中文 title is Chinese throughout, with the English original whole
beside it in （）.

The glossary and phrase rules translate a title when they can carry all of it; when they
cannot, a half-translated title (「美國食品藥物管理局（FDA） Experienced Multiple 系統 Outages」)
is worse than none, so the reader gets a short gist built from what is known — who or which
system, what kind of message, and when: 「美國食品藥物管理局（FDA）系統中斷 6/13（六）」.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from bot.understand.glossary import load_glossary, translate_title, unshout
from bot.understand.timefmt import weekday
from feeds.factmodel import Facts

PREFIX_ZH = {
    "GUIDANCE": "作業指引",
    "UPDATED GUIDANCE": "更新作業指引",
    "UPDATE": "更新",
    "UPDATED": "更新",
    "RESOLVED": "已排除",
    "REMINDER": "提醒",
    "REVISED": "修訂",
    "CORRECTION": "更正",
    "AVAILABLE NOW": "現已開放",
}
# What kind of message a title announces, by its words (checked in this order, two at most).
_KINDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rx, re.IGNORECASE), zh)
    for rx, zh in (
        (r"\boutages?\b|\bunavailable\b|\bdowntime\b|\bdelays?\b|\binterruptions?\b|\bdegrad", "系統中斷"),
        (r"\bmaintenance\b", "系統維護"),
        (r"\bdeploy(?:ment|ments|s|ed)?\b|\bgo(?:es)? live\b|\blaunch", "系統上線"),
        (r"\bsupport calls?\b", "支援說明會"),
        (r"\bwebinars?\b|\boutreach\b|\bteleconference\b", "線上說明會"),
        (r"\bconference\b|\bsymposium\b", "研討會"),
        (r"(?<!Federal )\bregist(?:er|ration)\b", "報名"),
        (r"\binformation collection\b|\bcomments?\b", "意見徵詢"),
        (r"\binterim final rule\b|\bfinal rule\b", "最終規則"),
        (r"\bproposed rul|\bNPRM\b", "擬議規則"),
        (r"\bfinal results\b|\badministrative review\b", "行政複查結果"),
        (r"(?<!administrative )\breview\b", "審查"),
        (r"\bexclusions?\b", "排除適用"),
        (r"\bsuspen(?:sion|ded|ds?)\b", "暫停"),
        (r"\bextend(?:ed|s)?\b|\bextension\b", "延長"),
        (r"\brefunds?\b", "退款"),
        (r"\benroll(?:ment)?\b", "登記"),
        (r"\btimelines?\b|\bdeadlines?\b|\bdue\b", "期限"),
        (r"(?<!Tariff )\bschedules?\b|\bcalendar\b", "時程"),  # not the Harmonized Tariff Schedule
        (r"(?<![-\w])rates?\b", "稅率"),
        (r"\bbegins?\b|\bstarts?\b|\bopens?\b", "開始"),
        (r"\bguidance\b|\binstructions?\b|\bprocedures?\b", "作業說明"),
        (r"\bchanges?\b|\bamendments?\b", "變更"),
    )
)
# Glossary words that say nothing about the subject on their own.
_NOT_A_SUBJECT = {
    "系統", "更新", "提醒", "作業指引", "更新作業指引", "階段", "訊息", "通知", "已排除", "修訂", "處理", "規定",
    "產品", "額外", "貨物", "進口貨物", "關稅", "本週末", "美國海關與邊境保護署（CBP）", "美國海關與邊境保護署",
    "貨物系統訊息服務（CSMS）", "貨物系統訊息服務", "新", "變更", "實施", "暫時", "年度", "訓練", "執法", "申報",
}  # fmt: skip
# 「CSMS # 01-000201」 and the like say which message, not what it is about.
_MESSAGE_NUMBER = re.compile(r"(?i)\bCSMS\s*(?:message)?\s*[#:]?\s*[\d-]{6,}\s*[-–:]?\s*")
_WEEKDAYS_ZH = re.compile(r"^週[一二三四五六日]$")
_LOOSE_ENGLISH = re.compile(r"\b[A-Za-z]*[a-z][A-Za-z]*\b")
_BRACKETED = re.compile(r"（[^（）]*）|\([^()]*\)")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def heading_of(facts_title: str, title: str) -> str:
    """The title to show: the one the facts read, unless that is only the message number
    ("CSMS # 17-000112") and the document names a real heading ("Title:ACE PRODUCTION …", holdout 158)."""
    bare = (facts_title or "").strip()
    if title.strip() and (not bare or re.fullmatch(r"(?i)CSMS\s*(?:message)?\s*[#:]?\s*[\d-]{6,}", bare)):
        return title.strip()
    return bare


# What follows a 主旨 when a flattened page runs the letter's parts together: 「…事項。依據:…公告事項:一、…」
_AFTER_SUBJECT = re.compile(r"。(?=.)|\s*(?=(?:依據|說明|公告事項|附件)\s*[:：])")


def letter_subject(facts: Facts) -> str:
    """A letter's 主旨, one sentence: a 主旨 states its subject once, so what runs on past its first
    「。」 or into 依據/說明/公告事項 is the rest of the letter ("" when no letter names one)."""
    subject = next((x.subject for x in facts.letters if x.subject), None) or ""
    cut = _AFTER_SUBJECT.search(subject)
    return subject[: cut.start() + (1 if cut.group(0) == "。" else 0)].strip() if cut and cut.start() >= 8 else subject


def english_outside_brackets(text: str) -> list[str]:
    """English words (with lower-case letters) standing outside （…）: a half-translated title.
    Acronyms (FDA, CAPE) and numbers are fine; glossary terms keep English in brackets."""
    bare = text
    while (stripped := _BRACKETED.sub("", bare)) != bare:
        bare = stripped
    return [w for w in _LOOSE_ENGLISH.findall(bare) if len(w) > 1]


_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&-]{1,7}\b")
_NOT_ACRONYMS = {"NOW", "AVAILABLE", "NEW", "ALL", "THE", "AND", "FOR", "ET", "EDT", "EST", "AM", "PM", "CSMS", "US", "USA", "USD"}


def _subjects(title: str) -> list[str]:
    """Who or which system the title names: glossary terms and acronyms, in title order."""
    g = load_glossary()
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    for m in g.pattern.finditer(title):
        spans.append(m.span())
        zh = g.terms[m.group(0).casefold()]
        if zh in _NOT_A_SUBJECT or _WEEKDAYS_ZH.match(zh) or english_outside_brackets(zh):
            continue
        if any(rx.fullmatch(m.group(0)) or zh == kind for rx, kind in _KINDS):
            continue  # a kind word ("outage"): said by the kind part
        found.append((m.start(), zh))
    for m in _ACRONYM.finditer(title):
        inside = any(a <= m.start() < b for a, b in spans) or bool(re.match(r"[AC]-\d", m.group(0)))
        inside = inside or bool(re.match(r"-?\d", title[m.end():]))  # a docket number 「USCBP-2020-0036」
        if not inside and m.group(0) not in _NOT_ACRONYMS and m.group(0) not in PREFIX_ZH:
            found.append((m.start(), m.group(0)))
    for m in re.finditer(r"\b\d{4}\.\d{2}(?:\.\d{2,4})*\b", title):  # an HTS number named
        found.append((m.start(), f"稅則 {m.group(0)}"))
    for m in re.finditer(r"\b[AC]-\d{3}-\d{3}\b", title):  # an AD/CVD case, whole
        found.append((m.start(), f"案號 {m.group(0)}"))
    out: list[str] = []
    for _, zh in sorted(found):
        if any(zh in o for o in out):
            continue
        out = [o for o in out if o not in zh] + [zh]  # 「稅則 9903.88.15」 replaces 「稅則」
    return out[:3]


def _kinds(title: str, facts: Facts) -> list[str]:
    found = [zh for rx, zh in _KINDS if rx.search(title)]
    if not found:
        kinds = {e.kind for e in facts.events}
        for kind, zh in (("outage", "系統中斷"), ("maintenance", "系統維護"), ("deployment", "系統上線"), ("webinar", "線上說明會"),
                         ("support_call", "支援說明會")):  # fmt: skip
            if kind in kinds:
                found.append(zh)
    return list(dict.fromkeys(found))[:2]


# A date the title gives as when something was issued is not the day the message is about:
# 「Executive Orders issued February 1」「guidance issued by CBP on August 15」「On April 8, CBP issued…」
_ISSUED_ON = re.compile(r"(?i)\b(?:issued|dated|signed|published|announced)\b[^,;]{0,70}$")
_OPENS_ON = re.compile(r"(?i)^\s*on\s+(?:[A-Z][a-z]+\.?\s+\d|\d)")


_ACTED_IN = ("application", "registration", "holiday", "quota", "meeting", "outage", "period")


def _when(title: str, facts: Facts, tz: str) -> str:
    """The day the message is about: a date the title names (「Deploys July 25」 — not the
    support call before it), else its first event (in the reader's zone), else its first
    effective / deadline date."""
    from feeds.dates import parse_en_dates

    ref = facts.published.date() if facts.published else date(2000, 1, 1)
    in_title = [d for d in parse_en_dates(title, ref) if not _ISSUED_ON.search(title[: d.start])]
    day: date | None = in_title[0].value if in_title and not _OPENS_ON.match(title) else None
    if day is None and facts.events:
        start = facts.events[0].start
        day = (start.astimezone(ZoneInfo(tz)) if start.tzinfo else start).date()
    if day is None:
        day = next((d.date for d in facts.dates if d.kind in ("effective", "deadline")), None)
    if day is None:  # a period the reader acts in, not one an order covers (「for the period 2/8/2017 …」)
        from bot.understand.sessions import periods

        day = next((p.first for p in periods(facts) if p.kind in _ACTED_IN), None)
    return f"{day.month}/{day.day}{weekday(day)}" if day else ""


def _short(topic_name: str) -> str:
    """「ACE 系統上線與中斷」 → 「ACE」 when a topic stands in for the subject: the kind of
    message is said separately."""
    head = topic_name.split(" ", 1)[0]
    return head if head.isascii() and head.isalpha() else topic_name


def gist(title: str, facts: Facts, topic_names: Sequence[str] = (), *, tz: str = "Asia/Taipei") -> str:
    """A short Chinese gist: 「{prefix}：{who / which system}{kind of message} {day}」."""
    prefix = PREFIX_ZH.get((facts.prefix or "").upper(), "")
    title = unshout(_MESSAGE_NUMBER.sub("", title).strip())
    subjects = _subjects(title) or [_short(name) for name in topic_names[:1]]
    kinds = [k for k in _kinds(title, facts)
             if k not in "".join(subjects) and not (prefix and k in ("作業說明", prefix))]  # fmt: skip
    body = "、".join(subjects) + ("" if not kinds else (" " if subjects and subjects[-1][-1].isascii() else "") + "".join(kinds))
    if not body:
        body = "美國海關訊息" if facts.csms_number else "原文訊息"
    elif not kinds and subjects[-1].isascii():
        body += " 訊息"  # 「CAPE 訊息」, not a bare acronym
    when = _when(title, facts, tz)
    text = f"{prefix}：{body}" if prefix else body
    return f"{text} {when}" if when else text


def title_zh(title: str, facts: Facts, topic_names: Sequence[str] = (), *, tz: str = "Asia/Taipei") -> str:
    """The title in 繁體中文 throughout: the glossary's translation when it carries every word,
    else the gist."""
    if _CJK.search(title) and not english_outside_brackets(title):
        return title.strip()  # a Chinese title stays as written
    bare = _MESSAGE_NUMBER.sub("", title).strip()  # 「CSMS # 68396594 - 」 is said elsewhere
    zh = translate_title(bare) if bare else None
    if zh and not english_outside_brackets(zh):
        return zh
    return gist(title, facts, topic_names, tz=tz)


def title_line(title: str, facts: Facts, topic_names: Sequence[str] = (), *, tz: str = "Asia/Taipei") -> str:
    """「{Chinese title}（{English original}）」 — the English kept whole beside it."""
    zh = title_zh(title, facts, topic_names, tz=tz)
    return f"{zh}（{title.strip()}）" if title.strip() and zh != title.strip() else zh
