"""Facts from Chinese official text: letters (函 / 公告) and their dates, periods, and the times
of day written under a date — holiday service hours, system shutdowns, 說明會 (DOMAIN.md §7).

A time belongs to the dates written before it in the same sentence (``2月14、16、19及27日上午7時30分
至下午3時30分`` is four events); a time under an item with no date of its own belongs to the last
date the notice named (``一、…113年12月8日(星期日)…`` then ``三、11時30分至20時30分…``); ``每日`` under
a period is one event on the period's first day. Year-less dates take the document's year.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from feeds.dates_zh import chinese_to_int, fold_fullwidth, parse_roc_dates, taipei_datetime
from feeds.days_zh import DateGroup, ZhTime, zh_date_groups, zh_times
from feeds.factmodel import DatedFact, Event, Letter
from feeds.scan import date_label_spans
from feeds.spans import classify, context, dedupe_dates, label
from feeds.years import document_reference

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


_OCCASIONS = {
    "元旦": (1, 1), "開國紀念日": (1, 1), "春節": (2, 1), "春节": (2, 1), "除夕": (1, 31), "和平紀念日": (2, 28),
    "和平纪念日": (2, 28), "二二八": (2, 28), "兒童節": (4, 4), "儿童节": (4, 4), "清明": (4, 4), "勞動節": (5, 1),
    "劳动节": (5, 1), "端午": (6, 10), "中秋": (9, 20), "國慶": (10, 10), "国庆": (10, 10), "雙十": (10, 10),
}  # where in its year each occasion falls (春節 moves with the moon: late January to mid February)
_Y = r"(?<![\d〇○零一二三四五六七八九十])(?P<y>\d{2,4}|[〇○零一二三四五六七八九十百]{2,6})"
_OCCASION = re.compile(
    rf"{_Y}\s*年\s*(?:度\s*)?(?:農曆|农历)?(?P<what>{'|'.join(sorted(_OCCASIONS, key=len, reverse=True))})"
    rf"|[今本]\s*\(\s*(?P<y2>(?:19|20)\d\d|\d{{2,3}})\s*\)\s*年"
)


def occasion_reference(text: str) -> date | None:
    """The date a notice is about when it names the year of its occasion: 「115年春節」 →
    2026-02-01, 「一一二年元旦」 → 2023-01-01, 「今（2025）年」 → 2025-07-01."""
    m = _OCCASION.search(fold_fullwidth(text[:20000]).replace("（", "(").replace("）", ")"))
    if m is None:
        return None
    y = chinese_to_int(m.group("y")) if m.group("y") and not m.group("y").isdigit() else int(m.group("y") or m.group("y2"))
    year = y + 1911 if y is not None and 1 <= y <= 300 else y
    if year is None or not 1900 <= year <= 2200:
        return None
    month, day = _OCCASIONS.get(m.group("what") or "", (7, 1))
    return date(year, month, day)


_ISSUED = re.compile(r"(?:發文日期|公告日期|(?<![\u4e00-\u9fff])日期)\s*[:：]?[ \t]*\n?[ \t]*([^\n]+)")


def issued_date(text: str) -> date | None:
    """A letter's 發文日期, a notice's 公告日期 / 日期 (within its first 3,000 characters)."""
    m = _ISSUED.search(text[:3000])
    found = parse_roc_dates(m.group(1)) if m else []
    return found[0].value if found else None


# the text speaks of its own day or year (「今年2月21日」「今(5日)」「今天公告」「本月二十日」): its date is
# the one it was published on, however far its other full dates lie (a 2026 story about a 2021 order)
_SPEAKS_OF_NOW = re.compile(r"今\s*(?:年|天|日|\(\s*\d{1,2}\s*\)\s*日|\(\s*\d{1,2}\s*日\s*\))|本月|日昨|昨\s*(?:天|日)")


def zh_reference(text: str, published: date, dated: bool = False) -> date:
    """What year-less Chinese dates are read against: the letter's own 發文日期, else the date of
    the occasion whose year it names (「115年春節」), else the publication date (unless every full
    date lies far from it and the text, ``dated`` by its feed, never speaks of its own day: years.py)."""
    head = fold_fullwidth(text[:20000]).replace("（", "(").replace("）", ")")
    now = published if dated and _SPEAKS_OF_NOW.search(head) else None
    return (
        issued_date(text)
        or occasion_reference(text)
        or now
        or document_reference(published, [f.value for f in parse_roc_dates(text[:20000])])
    )


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


_RELATIVE_DAY = re.compile(
    r"(?:前一天|前1天|前一日|前\d+日|當日|當天|当日|当天|次日|翌日|隔日|隔天|同日|每週|每周|每星期)\s*$"
)
# A day named by a bare word (「今日」「今晨」「昨天」「明日」), not glossed by a date (「昨日(6月12日)」)
_BARE_DAY = re.compile(r"(?:今|昨|明|本)(?:日|天|晨|早|晚)(?!\s*\(\s*\d)")
_DUE_BEFORE = re.compile(r"(?:截止|截至|最遲|期限)[^。；;\n]{0,24}$")
_DAILY = re.compile(r"每日|每天|逐日")
# A weekly schedule: 「只於星期一、三及五上午八時四十五分至…」「星期一至五每日…」「每週六」 — hours, not events.
_WEEKLY = re.compile(r"(?:星期|週|周|禮拜)[一二三四五六日天](?:\s*[、,，及和與与至到~\-]\s*[一二三四五六日天])+|每(?:週|周|星期|禮拜)")


def _governing(groups: list[DateGroup], t: ZhTime, folded: str, claimed: set[int]) -> tuple[list[DateGroup], bool]:
    """(the date groups a time belongs to, whether they were written in its own sentence).

    In its sentence: the nearest date before it (every one of them under 每日). Else, unless the
    time names its own day relatively (「連假前1日下午4時前」「當日」「每週」) or is open-ended
    (「晚間11時後」): under 每日, the last period the notice named that no other time claimed; else the
    last date named before it — never a holiday's eve (「12月30日（連續假期前一天）」)."""
    s0 = _sentence_start(folded, t.pos)
    if _WEEKLY.search(folded, max(s0, t.pos - 40), t.pos):
        return [], False
    inside = [g for g in groups if s0 <= g.start and g.end <= t.pos]
    daily = _DAILY.search(folded, s0, t.pos) is not None
    if inside:
        return (inside if daily else inside[-1:]), True
    if _RELATIVE_DAY.search(folded, max(s0, t.pos - 10), t.pos) or (t.tail in ("後", "以後", "后", "以后") and t.end is None):
        return [], False
    prior = [g for g in groups if g.end <= t.pos and t.pos - g.end < 800 and not g.eve]
    if prior and _BARE_DAY.search(folded, prior[-1].end, t.pos):
        return [], False  # 「…去年11月17日…。於今日凌晨…於凌晨近5時」: the text moved on to another day
    if daily:
        return [g for g in prior if g.is_period and g.start not in claimed][-1:], False
    return prior[-1:], False


# A news page's own stamp line (「2021/10/18 20:11」, 「2022年03月31日 12:00:06 來源:…」): neither a
# date nor an event of the matter, like an English post's stamp (feeds.scan.stamp_spans).
# Also a byline ending in one (「鉅亨網記者張韶雯 台北 2025-09-16 19:57」).
_ZH_STAMP = re.compile(
    r"^[^\n。，,；;]{0,30}?(?:(?:19|20)\d\d[/.\-]\d{1,2}[/.\-]\d{1,2}|(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
    r"[ \t]+\d{1,2}:\d{2}(?::\d{2})?(?=[ \t]*(?:$|[|｜]|來源|来源|記者|记者))",
    re.MULTILINE,
)
# A press release's byline (「(台北訊,2018年6月13日)」): its date is the release's own, no fact.
_ZH_BYLINE = re.compile(r"[(【]\s*[\u4e00-\u9fff]{2,4}訊\s*[,、]?\s*(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*[)】]")
# A reporter's byline with the page's date after it (「【記者趙智偉/基隆報導】 2024/10/31」): a stamp.
_ZH_REPORTER = re.compile(
    r"[【\[(〔]\s*記者[^】\])〕\n]{1,24}?報導\s*[】\])〕]\s*"
    r"(?:(?:19|20)\d\d[/.\-]\d{1,2}[/.\-]\d{1,2}|(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
)
# A time with a weekday and no date (「台灣時間周四中午12時01分」): that weekday, on or after the
# document's date. Never a weekly schedule (「每週四」).
_WEEKDAY_ONLY = re.compile(r"(?<!每)(?:星期|週|周|禮拜|礼拜)(?P<w>[一二三四五六日天])\s*(?:\(\s*\d{1,2}\s*日?\s*\))?\s*$")
_WEEKDAY_N = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def chinese_dates(text: str, published: date, dated: bool = True) -> tuple[list[DatedFact], list[Event]]:
    """(dates, events) from Chinese text. ``published`` is the document's own date; the year it
    names for its occasion (「115年春節」) or its full dates can overrule it (zh_reference).
    ``dated``: ``published`` is the document's (a feed, a stamp), not the reading clock's."""
    folded = fold_fullwidth(text).replace("（", "(").replace("）", ")")
    stamps = [(m.start(), m.end()) for m in _ZH_STAMP.finditer(folded)] + date_label_spans(text)
    stamps += [(m.start(), m.end()) for m in _ZH_BYLINE.finditer(folded)] if "訊" in folded else []
    stamps += [(m.start(), m.end()) for m in _ZH_REPORTER.finditer(folded)] if "報導" in folded else []
    groups = [g for g in zh_date_groups(text, zh_reference(text, published, dated), dated) if not _within(g.start, stamps)]
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
    claimed: set[int] = set()
    for t in zh_times(text):
        if _within(t.pos, stamps):
            continue
        owners, own_sentence = _governing(groups, t, folded, claimed)
        inferred = False
        w = _WEEKDAY_ONLY.search(folded, max(0, t.pos - 10), t.pos) if not owners and dated else None
        if w is not None and not _WEEKLY.search(folded, max(0, t.pos - 40), t.pos):
            day = published + timedelta(days=(_WEEKDAY_N[w.group("w")] - published.weekday()) % 7)
            owners, inferred = [DateGroup(((day, day),), w.start(), w.end())], True
        if own_sentence:
            claimed.update(g.start for g in owners)
        line, ls, _ = context(text, t.pos, t.end_pos)
        kind = classify(line, "event")
        if t.end is None and (t.tail in ("前", "以前") or _DUE_BEFORE.search(folded, max(0, t.pos - 30), t.pos)):
            kind = "deadline"  # 「中午12時前」, 「報名截止日期：5月15日(星期四)中午12時」
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
                events.append(Event(kind, start, label(line, t.pos - ls), end=end, zone="Asia/Taipei", date_inferred=inferred))
    return dedupe_dates(dates), events


def _within(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)

