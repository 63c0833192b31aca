"""Facts from Chinese official text: letters (函 / 公告) and their dates, periods, and the times
of day written under a date — holiday service hours, system shutdowns, 說明會 (DOMAIN.md §7).

A time belongs to the dates written before it in the same sentence (``2月14、16、19及27日上午7時30分
至下午3時30分`` is four events); a time under an item with no date of its own belongs to the last
date the notice named (``一、…113年12月8日(星期日)…`` then ``三、11時30分至20時30分…``); ``每日`` under
a period is one event on the period's first day. Year-less dates take the document's year.
"""

from __future__ import annotations

import re
from datetime import date

from feeds.dates_zh import (
    DateGroup,
    ZhTime,
    fold_fullwidth,
    parse_roc_dates,
    taipei_datetime,
    zh_date_groups,
    zh_times,
)  # fmt: skip
from feeds.factmodel import DatedFact, Event, Letter
from feeds.spans import classify, context, dedupe_dates, label

_ISSUER = re.compile(r"^[ \t]*(?P<who>[^\n：:]{2,40}?)\s*(?P<kind>函|公告|書函|令|開會通知單)\s*$", re.MULTILINE)
_FIELD = {
    "發文日期": re.compile(r"發文日期\s*[:：]\s*(?P<v>[^\n]+)"),
    "發文字號": re.compile(r"發文字號\s*[:：]\s*(?P<v>[^\n]+)"),
}
_SECTION_END = re.compile(
    r"\n\s*(?:說明|公告事項|辦法|正本|副本|附件|依據)\s*[:：]|\n\s*-?\s*[一二三四五六七八九十]+、|\Z"
)


def chinese_letters(text: str) -> list[Letter]:
    """Each 函/公告 in the text: 發文機關, 發文日期 (ISO), 發文字號, 主旨, 說明."""
    starts = [m.start() for m in re.finditer(r"發文日期\s*[:：]", text)]
    if not starts:
        starts = [m.start() for m in re.finditer(r"主旨\s*[:：]", text)][:1]
    letters = []
    for n, s in enumerate(starts):
        block_end = starts[n + 1] if n + 1 < len(starts) else len(text)
        head_from = max(0, (starts[n - 1] if n else 0))
        block = text[s:block_end]
        issuer = None
        for m in _ISSUER.finditer(text, head_from, s):
            issuer = m.group("who").strip()
        dm = _FIELD["發文日期"].search(block)
        when = parse_roc_dates(dm.group("v")) if dm else []
        nm = _FIELD["發文字號"].search(block)
        subject = None
        sm = re.search(r"主旨\s*[:：]\s*", block)
        if sm:
            end = _SECTION_END.search(block, sm.end())
            subject = " ".join(block[sm.end() : end.start() if end else None].split())[:400]
        em = re.search(r"(?:說明|公告事項)\s*[:：]\s*", block) or (
            re.search(r"\n\s*-?\s*(?=一、)", block)
        )
        if em:
            end = re.search(r"\n\s*(?:正本|副本)\s*[:：]", block[em.end() :])
            body = block[em.end() : em.end() + end.start() if end else None]
            items = [" ".join(p.split()).lstrip("- ") for p in body.split("\n") if p.strip()][:12]
        else:
            items = []
        letters.append(
            Letter(issuer=issuer, issued=when[0].value if when else None,
                   number=nm.group("v").strip() if nm else None, subject=subject, items=tuple(items))
        )  # fmt: skip
    return letters


_ZH_EFFECTIVE_AFTER = re.compile(r"^\s*(?:\([^)]{0,6}\))?\s*(?:起)?\s*(?:生效|施行|實施|正式實施|上線|開始|起實施|起生效|起施行)")
_SENTENCE = re.compile(r"[。；;]|\n\s*\n")


def _sentence_start(folded: str, pos: int) -> int:
    last = 0
    for m in _SENTENCE.finditer(folded, 0, pos):
        last = m.end()
    return last


def _kind(folded: str, start: int, end: int, line_start: int) -> str:
    before = folded[max(line_start, start - 12) : start]
    after = folded[end : end + 30]
    if re.search(r"(?:發文日期|公告日期|^\s*日期)\s*[:：]?\s*$", before):
        return "issued"
    if _ZH_EFFECTIVE_AFTER.match(after) or re.search(r"(?<!連續假期)自\s*$", before):
        return "effective"
    if re.match(r"^\s*(?:\([^)]{0,6}\))?\s*(?:前|止|截止)", after) or re.search(r"(?:截止|最遲)[^\n]{0,4}$", before):
        return "deadline"
    return "mentioned"


def _governing(groups: list[DateGroup], t: ZhTime, folded: str) -> list[DateGroup]:
    """The date groups a time belongs to: before it in its sentence (all of them under 每日,
    else the nearest), else the last group the notice named before it (a period, under 每日)."""
    s0 = _sentence_start(folded, t.pos)
    inside = [g for g in groups if s0 <= g.start and g.end <= t.pos]
    daily = "每日" in folded[max(s0, t.pos - 4) : t.pos]
    if inside:
        return inside if daily else inside[-1:]
    prior = [g for g in groups if g.end <= t.pos and t.pos - g.end < 800]
    if not prior:
        return []
    last = prior[-1]
    if daily and all(a == b for a, b in last.items) and len(last.items) == 1:
        return []  # 每日 under a single day that is not the period ("連續假期前一天")
    return [last]


def chinese_dates(text: str, reference: date) -> tuple[list[DatedFact], list[Event]]:
    """(dates, events) from Chinese text. ``reference`` is the document's own date."""
    folded = fold_fullwidth(text).replace("（", "(").replace("）", ")")
    groups = zh_date_groups(text, reference)
    dates: list[DatedFact] = []
    for g in groups:
        line, ls, _ = context(text, g.start, g.end)
        lab = label(line, g.start - ls)
        for first, last in g.items:
            if first != last:
                dates.append(DatedFact("range_start", first, lab))
                dates.append(DatedFact("range_end", last, lab))
            else:
                dates.append(DatedFact(_kind(folded, g.start, g.end, ls), first, lab))
    events: list[Event] = []
    seen: set[tuple[str, str | None]] = set()
    for t in zh_times(text):
        owners = _governing(groups, t, folded)
        line, ls, _ = context(text, t.pos, t.end_pos)
        kind = classify(line, "event")
        if t.tail in ("前", "以前") and t.end is None:
            kind = "deadline"
        elif kind == "deadline":
            kind = "event"
        for g in owners:
            for first, _last in g.items:
                start = taipei_datetime(first, t.start)
                end = None
                if t.end is not None:
                    end_day = first
                    if t.end_day is not None:
                        try:
                            end_day = date(first.year, *t.end_day)
                        except ValueError:
                            end_day = first
                    end = taipei_datetime(end_day, t.end)
                    if end <= start:
                        end = None
                key = (start.isoformat(), end.isoformat() if end else None)
                if key in seen:
                    continue
                seen.add(key)
                events.append(Event(kind, start, label(line, t.pos - ls), end=end, zone="Asia/Taipei"))
    return dedupe_dates(dates), events


