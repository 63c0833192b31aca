"""Titles for readers of English: a Chinese notice is told in English — who issued it, what it is
about, when — with the Chinese original beside it, as a 繁體中文 reader gets a CBP title in
Chinese with the English original beside it.

「端午節連假期間 基隆關持續提供通關便民服務」 → "Keelung Customs notice: Dragon Boat Festival
holiday customs clearance service (in Chinese: 端午節連假期間 基隆關持續提供通關便民服務)".
The words come from ``bot/data/glossary_zh_en.tsv`` (Taiwan-side terms, longest match first);
the kind of document from its heading (函 → letter, 公告 → notice); the day from its facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.understand.timefmt import day_text
from bot.understand.titles import letter_subject
from feeds.factmodel import Facts

TABLE = Path(__file__).resolve().parent.parent / "data" / "glossary_zh_en.tsv"
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Topics that say who issued an item, not what it is about.
_SOURCE_TOPICS = {"tw_customs", "tw_trade"}
# 「…，請查照並惠轉知會員廠商。」 and the like: the request, not the subject.
_REQUEST = re.compile(r"[，,。]?\s*(?:請查照|請踴躍|敬請|請轉知|請惠轉|請各).*$")


@dataclass(frozen=True, slots=True)
class _Table:
    issuers: dict[str, str]
    terms: dict[str, str]
    pattern: re.Pattern[str]


@cache
def _table(path: Path = TABLE) -> _Table:
    issuers: dict[str, str] = {}
    terms: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        zh, en = parts[0].strip(), parts[1].strip()
        (issuers if len(parts) > 2 and parts[2].strip() == "issuer" else terms)[zh] = en
    names = sorted({*issuers, *terms}, key=len, reverse=True)
    return _Table(issuers, terms, re.compile("|".join(map(re.escape, names))))


def issuer_in(text: str) -> tuple[str, str] | None:
    """The issuer named first in ``text``, as specifically as it is named: 「財政部關務署臺中關」
    is Taichung Customs. (繁體中文 name, English name)."""
    t = _table()
    found = [m for m in t.pattern.finditer(text) if m.group(0) in t.issuers]
    if not found:
        return None
    first = found[0]
    run = [m for m in found if m.start() <= first.end() + 2]  # 「財政部關務署臺中關」: one name
    best = max(run, key=lambda m: m.end())
    return best.group(0), t.issuers[best.group(0)]


def issuer_english(name: str) -> str | None:
    """「經濟部國際貿易署」 → "International Trade Administration (MOEA)"; None when unknown."""
    found = issuer_in(name)
    return found[1] if found else None


def _what(text: str, skip: str = "") -> str:
    """The subject terms of a Chinese title, in English and in title order."""
    t = _table()
    words: list[str] = []
    text = _REQUEST.sub("", text)
    pos = 0
    for m in t.pattern.finditer(text):
        between = text[pos : m.start()]
        words += re.findall(r"[A-Za-z][A-Za-z0-9.&-]*|\d{3}(?=\s*條款)", between)  # CBP, IEEPA, AEO …
        pos = m.end()
        zh = m.group(0)
        if zh == skip or zh in t.issuers:
            continue
        words.append(t.terms[zh])
    words += re.findall(r"[A-Za-z][A-Za-z0-9.&-]*", text[pos:])
    out: list[str] = []
    for w in words:
        if w and w not in out and not any(w in o.split() for o in out):
            out.append(w)
    return " ".join(out[:9])


def _kind(facts: Facts, title: str, head: str) -> str:
    first = head.strip().splitlines()[0] if head.strip() else ""
    if "公告" in first or title.startswith("公告"):
        return "notice"
    if re.search(r"函\s*$", first) or any(x.number for x in facts.letters):
        return "letter"
    return "notice"


def _when(facts: Facts, tz: str) -> str:
    from bot.understand.timefmt import md_text

    sessions = [e for e in facts.events if e.kind not in ("effective", "deadline")]
    if sessions:  # a session or a service window: its day, in the reader's zone
        return f" {md_text(sessions[0].start, tz, 'en')}"
    for kind, word in (("effective", "effective"), ("deadline", "due")):
        day = next((d.date for d in facts.dates if d.kind == kind), None)
        if day:
            return f", {word} {day_text(day, 'en')}"
    starts = [d.date for d in facts.dates if d.kind == "range_start"]
    ends = [d.date for d in facts.dates if d.kind == "range_end"]
    if starts and ends:
        return f", {day_text(starts[0], 'en')} to {day_text(ends[0], 'en')}"
    return ""


# A Chinese text from Taiwan names Taiwan, its government or its money; one from Hong Kong, Macau or
# the mainland (holdout 286: 運輸及物流局, a Hong Kong bureau) is not a "Taiwanese notice".
_TAIWAN = re.compile(r"台灣|臺灣|我國|中華民國|行政院|立法院|財政部|經濟部|關務署|貿易署|新[臺台]幣|基隆|[臺台](?:北|中|南)|高雄|花蓮|民國\s*\d"
                     r"|中華郵政|桃園|(?<!\d)1[01]\d(?:年|/\d{1,2}/\d{1,2})")  # an ROC year (「115年」「112/10/23」)


def issuer_of(title: str, facts: Facts, body: str = "") -> tuple[str, str] | None:
    """Who issued a Chinese notice: its letter's 發文機關, else the agency its title, 主旨 or
    heading names."""
    subject = (letter_subject(facts) or None) or ""
    letter_issuer = next((x.issuer for x in facts.letters if x.issuer), None)
    for text in (letter_issuer or "", title, subject, body[:200]):
        if found := issuer_in(text):
            return found
    return None


def english_gist(title: str, facts: Facts, body: str = "", tz: str = "Asia/Taipei") -> str:
    """"Keelung Customs notice: Dragon Boat Festival holiday customs clearance service 6/8 (Sat)"."""
    subject = (letter_subject(facts) or None) or title
    who = issuer_of(title, facts, body)
    what = _what(subject, skip=who[0] if who else "")
    if not what:
        from feeds.topics import TOPICS

        names = [TOPICS[t].en for t in facts.topics if t in TOPICS and t not in _SOURCE_TOPICS]
        what = names[0] if names else "see the original"
    kind = _kind(facts, title, body[:300])
    head = f"{who[1]} {kind}" if who else f"{'Taiwanese' if _TAIWAN.search(title + body[:3000]) else 'Chinese-language'} {kind}"
    return f"{head}: {what}{_when(facts, tz)}"


def english_title_of_chinese(title: str, facts: Facts, body: str = "", tz: str = "Asia/Taipei") -> str:
    """The English gist with the Chinese original beside it."""
    original = ((letter_subject(facts) or None) or title).strip()
    gist = english_gist(title, facts, body, tz)
    return f"{gist} (in Chinese: {original})" if original else gist


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text or ""))
