"""Chinese notices' days and hours: dates without a year (「2月14日至22日」「十二月三十日」), lists
and ranges of days (「2月14、16、19及27日」「6月8日（星期六）至10日」), a day alone after its month
(「22日下午及23日」), and the times of day and windows written under them (「上午9時」
「11時30分至20時30分」「下午4時至8月24(星期一)上午10時」). DOMAIN.md §7.

Pure functions over text; a year-less date takes its year from the document (``reference``),
never the clock (feeds/years.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from feeds.dates_zh import CN_NUM, _num, fold_fullwidth, parse_roc_dates
from feeds.years import nearest_year

_N = rf"(?:\d{{1,2}}|[{CN_NUM}廿卅]{{1,4}})"
_WEEKDAY_MARK = r"(?:\s*\((?:星期|週|周)?[一二三四五六日天]\))?"
_MD = re.compile(rf"(?<![\d{CN_NUM}廿卅年/.\-])(?P<m>{_N})\s*月\s*(?P<d>{_N})\s*(?:[日號]|(?=\s*\((?:星期|週|周))|(?=\s*[、,]\s*\d))")
_JOIN = re.compile(rf"{_WEEKDAY_MARK}\s*(?:(?P<list>[、,及和與])|(?P<range>起?\s*(?:至|到|~|-|—)))\s*")
_DAY_ONLY = re.compile(rf"(?:(?P<m>{_N})\s*月\s*)?(?P<d>{_N})\s*(?:[日號]|(?=\s*[、,及和與至到]))")


@dataclass(frozen=True, slots=True)
class DateGroup:
    """Dates written together: ``2月14日``, ``2月14、16、19及27日``, ``4月4日至7日``,
    ``2月14日至2月16日、2月18日至2月22日``. Each item is (first, last); a single day has first == last."""

    items: tuple[tuple[date, date], ...]
    start: int
    end: int
    eve: bool = False  # 「2月13日（連續假期前一天）」: the day before a holiday, not the holiday

    @property
    def is_period(self) -> bool:
        return any(a != b for a, b in self.items)


def _year_for(month: int, day: int, reference: date, carry: date | None) -> date | None:
    if carry is not None:  # 104年9月1日至11月30日: the year written at the start of the group
        value = _safe(carry.year, month, day)
        if value is None:
            return None
        return value if value >= carry else _safe(value.year + 1, month, day)
    return nearest_year(month, day, reference)


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


# A day written alone after its month was named: 「22日下午及23日」「及24日(星期一)」. Not a count of
# days (「3日內」「前1日」「30日後」「滿30日」) and only with a weekday, a time of day, a deadline word
# or a list word beside it, within a paragraph that named a month.
_D = r"(?:\d{1,2}|[一二三四五六七八九十廿卅]{1,3})"
_LONE_DAY = re.compile(
    rf"(?<![\d{CN_NUM}廿卅月年第前後后每滿满數数幾几個个/.\-:])(?P<d>{_D})\s*[日號](?![內内間间後后以曆历])"
)
_LONE_BEFORE = re.compile(r"[及、,，和與与至到]\s*$")
_LONE_AFTER = re.compile(r"\s*(?:\((?:星期|週|周)?[一二三四五六日天]\)|上午|下午|中午|晚上|晚間|凌晨|早上|前|止|起|截止)")
# news bylines are the paper's date, not a fact: 【大紀元5月18日報導】, (中央社記者…台北18日電)
_BYLINE_BEFORE = re.compile(r"【[^】\n]{0,30}$")
_BYLINE_AFTER = re.compile(r"[^【\n]{0,12}(?:報導|报导|電\)|电\))")
_EVE_AFTER = re.compile(r"\s*\(?[^)\n]{0,6}(?:前一天|前1天|前一日|前1日)")
_EVE_BEFORE = re.compile(r"(?:前一天|前1天|前一日|前1日)\s*\(?(?:分別為|即)?\s*$")


def zh_date_groups(text: str, reference: date, dated: bool = True) -> list[DateGroup]:
    """Every Chinese date expression, full or without a year, joined into groups (lists and
    ranges of days). Year-less dates take the year of a full date earlier in the same group,
    else the year that puts them nearest ``reference`` (the document's date, never the clock).
    A news day with no month (「今（6）日」「20日裁定」) is read only when the document is ``dated``
    (its reference is its own date, not the clock's)."""
    folded = fold_fullwidth(text).replace("（", "(").replace("）", ")")
    anchors: list[tuple[int, int, date | None, int, int, bool]] = []  # start, end, full value, month, day, full
    for f in parse_roc_dates(text):
        anchors.append((f.start, f.end, f.value, f.value.month, f.value.day, True))
    for r in _REL_MD.finditer(folded):  # 「明年3月1日」「今年11月30日」: a year counted from the document's
        mo, d = _num(r.group("m")), _num(r.group("d"))
        value = _safe(reference.year + _REL_YEAR[r.group("rel")], mo, d) if mo and d else None
        if value is not None and not any(a[0] <= r.start() < a[1] for a in anchors):
            anchors.append((r.start(), r.end(), value, mo, d, True))  # type: ignore[arg-type]
    for r in _MONTH_END.finditer(folded):  # 「今年2月底前」: the month's last day
        mo = _num(r.group("m"))
        if mo and 1 <= mo <= 12 and not any(a[0] <= r.start() < a[1] for a in anchors):
            year = reference.year + _REL_YEAR[r.group("rel")] if r.group("rel") else (nearest_year(mo, 1, reference) or reference).year
            last = (date(year + mo // 12, mo % 12 + 1, 1) - timedelta(days=1))
            anchors.append((r.start(), r.end(), last, mo, last.day, True))
    taken = [(a[0], a[1]) for a in anchors]
    for m in _MD.finditer(folded):
        if any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
            continue
        mo, d = _num(m.group("m")), _num(m.group("d"))
        if mo and d and 1 <= mo <= 12 and 1 <= d <= 31:
            anchors.append((m.start(), m.end(), None, mo, d, False))
    anchors.sort()
    for r in _SAME_YEAR.finditer(folded):  # 「一一四年四月四日至同年七月二日」: the year just named
        prior = [a for a in anchors if a[1] <= r.start() and a[2] is not None]
        mo, d = _num(r.group("m")), _num(r.group("d"))
        if prior and mo and d and (value := _safe(prior[-1][2].year, mo, d)) is not None:  # type: ignore[union-attr]
            anchors.append((r.start(), r.end(), value, mo, d, True))
    anchors.sort()
    anchors += _lone_days(folded, anchors)
    if dated:
        anchors += _news_days(folded, sorted(anchors), reference)
    anchors = sorted(a for a in anchors if not _byline(folded, a[0], a[1]))
    by_start = {a[0]: a for a in anchors}
    groups: list[DateGroup] = []
    used: set[int] = set()
    for a in anchors:
        if a[0] in used:
            continue
        carry = a[2]
        first = a[2] or _year_for(a[3], a[4], reference, None)
        if first is None:
            continue
        items: list[tuple[date, date]] = [(first, first)]
        month, at, end = first.month, a[1], a[1]
        while (j := _JOIN.match(folded, at)) is not None:
            nxt = by_start.get(j.end())
            if nxt is not None:
                used.add(nxt[0])
                value = nxt[2] or _year_for(nxt[3], nxt[4], reference, carry or items[-1][1])
                at = nxt[1]
            else:
                dm = _DAY_ONLY.match(folded, j.end())
                if dm is None:
                    break
                mo = _num(dm.group("m")) if dm.group("m") else month
                d = _num(dm.group("d"))
                if not mo or not d:
                    break
                value = _year_for(mo, d, reference, items[-1][1])
                at = dm.end()
            if value is None:
                break
            month, end = value.month, at
            if j.group("range"):
                items[-1] = (items[-1][0], value)
            else:
                items.append((value, value))
        eve = bool(_EVE_AFTER.match(folded, end, end + 16) or _EVE_BEFORE.search(folded, max(0, a[0] - 12), a[0]))
        groups.append(DateGroup(tuple(items), a[0], end, eve))
    return groups


_MONTH_END = re.compile(rf"(?:(?P<rel>[今本明隔翌次去])\s*年\s*(?:度\s*)?)?(?<![\d{CN_NUM}])(?P<m>{_N})\s*月\s*(?:底|末)(?!\s*[\d{CN_NUM}])")
_SAME_YEAR = re.compile(rf"同\s*年\s*(?:度\s*)?(?P<m>{_N})\s*月\s*(?P<d>{_N})\s*[日號]")
_REL_YEAR = {"今": 0, "本": 0, "明": 1, "隔": 1, "翌": 1, "次": 1, "去": -1}
_REL_MD = re.compile(rf"(?P<rel>[今本明隔翌次去])\s*年\s*(?:度\s*)?(?P<m>{_N})\s*月\s*(?P<d>{_N})\s*[日號]")
# A day of the current month in news and press releases: 「今（6）日」「昨(5)日」「昨（四）日」, a day
# right before what happened on it (「最高法院20日裁定」「部長24日出席」) or right after 於 (「台日於4日
# 「第49屆…」…簽署」). Not a count (「30日內」「滿30日」「於30日內」).
_NEWS_DAY = re.compile(
    r"[今昨明]\s*\(\s*(?P<d1>\d{1,2}|[一二三四五六七八九十廿卅]{1,3})\s*(?:\)\s*日|日\s*\))"
    r"|(?<=於)\s*(?P<d4>\d{1,2}|[一二三四五六七八九十廿卅]{1,3})\s*日(?![內内以之後后前起號号]|\s*(?:[\d一二三四五六七八九十]|上午|下午|中午|晚間|晚上|凌晨|早上))"
    r"|本\s*月\s*(?P<d3>\d{1,2}|[一二三四五六七八九十廿卅]{1,3})\s*[日號]"
    r"|(?<![\d月年第前後后每滿满數数幾几個个/.\-:(至到~、及和與与一二三四五六七八九十廿卅百兩两期共達达約约近逾續续])"
    r"(?P<d2>\d{1,2}|[一二三四五六七八九十廿卅]{1,3})\s*日"
    r"(?=\s*(?:上午|下午|中午|晚間|晚上|凌晨|傍晚|早上)?\s*(?:起|出席|表示|宣布|宣佈|公布|公告|發布|發表|裁定|裁決|判決|"
    r"指出|召開|舉行|舉辦|說明|決定|通過|生效|上路|實施|開始|啟動|正式|發生|完成|抵達|前往|赴|進行|登場|截止|在|於|"
    r"回應|回覆|澄清|強調|重申|證實))"
)


def _news_days(folded: str, anchors: list[tuple[int, int, date | None, int, int, bool]], reference: date) -> list[tuple[int, int, date | None, int, int, bool]]:
    """「今（6）日」「20日裁定」: the month (and year) of the last date named before it in its
    paragraph, else the month that puts the day nearest the document's date."""
    out: list[tuple[int, int, date | None, int, int, bool]] = []
    for m in _NEWS_DAY.finditer(folded):
        if any(a[0] <= m.start() < a[1] for a in anchors):
            continue
        d = _num(m.group("d1") or m.group("d2") or m.group("d3") or m.group("d4"))
        if d is None or not 1 <= d <= 31:
            continue
        prior = [a for a in anchors if a[1] <= m.start() and m.start() - a[1] <= 600 and "\n\n" not in folded[a[1] : m.start()]]
        if m.group("d3"):  # 「本月二十日」: the document's own month
            value = _safe(reference.year, reference.month, d)
        elif prior and prior[-1][2] is not None and not m.group("d1"):  # 「今(5日)」 is the document's day
            value = _safe(prior[-1][2].year, prior[-1][3], d)
        else:
            near = [v for k in (-1, 0, 1) if (v := _month_day(reference, k, d)) is not None]
            value = min(near, key=lambda v: abs((v - reference).days), default=None)
        if value is not None:
            out.append((m.start(), m.end(), value, value.month, d, False))
    return out


def _month_day(reference: date, months: int, day: int) -> date | None:
    y, mo = divmod(reference.year * 12 + reference.month - 1 + months, 12)
    return _safe(y, mo + 1, day)


def _byline(folded: str, start: int, end: int) -> bool:
    return bool(_BYLINE_BEFORE.search(folded, max(0, start - 30), start) or _BYLINE_AFTER.match(folded, end, end + 14))


def _lone_days(folded: str, anchors: list[tuple[int, int, date | None, int, int, bool]]) -> list[tuple[int, int, date | None, int, int, bool]]:
    """「23日」 after 「9月22日」: the month (and year) of the last date named before it (or, with
    none before, the next one in its paragraph)."""
    out: list[tuple[int, int, date | None, int, int, bool]] = []
    if not anchors:
        return out
    spans = [(a[0], a[1]) for a in anchors]
    for m in _LONE_DAY.finditer(folded, anchors[0][1]):
        if any(a <= m.start() < b for a, b in spans):
            continue
        if not (_LONE_BEFORE.search(folded, max(0, m.start() - 3), m.start()) or _LONE_AFTER.match(folded, m.end())):
            continue
        prior = [a for a in anchors if a[1] <= m.start() and m.start() - a[1] <= 600]
        after = [a for a in anchors if a[0] >= m.end() and "\n\n" not in folded[m.end() : a[0]]]
        if not prior and not after:
            continue
        d = _num(m.group("d"))
        last = prior[-1] if prior else after[0]
        if d is None or not 1 <= d <= 31:
            continue
        value = _safe(last[2].year, last[3], d) if last[2] is not None else None
        out.append((m.start(), m.end(), value, last[3], d, False))
    return out


_T = (
    r"(?P<ap{n}>上午|下午|中午|晚上|晚間|晚间|夜間|夜间|傍晚|凌晨|早上|清晨)?\s*(?P<h{n}>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*[時时點点]"
    r"\s*(?:(?P<mi{n}>\d{{2}}|[〇○零一二三四五六七八九十廿卅]{{1,3}})\s*分?|(?P<half{n}>半))?"
)
_ZH_WINDOW = re.compile(
    _T.format(n=1)
    + rf"(?:\s*起?\s*(?:至|到|~|-|—)\s*(?:(?P<m2>{_N})\s*月\s*(?P<d2>{_N})\s*[日號]?{_WEEKDAY_MARK}\s*)?"
    + _T.format(n=2)
    + r")?(?P<tail>\s*(?:起|止|以前|以後|以后|前|後|后))?"
)


@dataclass(frozen=True, slots=True)
class ZhTime:
    start: time
    end: time | None
    end_day: tuple[int, int] | None  # (month, day) when the window ends on another day
    tail: str  # "起", "止", "前", "以前", "後", "以後" or ""
    pos: int
    end_pos: int


_PM = ("下午", "晚上", "晚間", "晚间", "夜間", "夜间", "傍晚")


def _clock(ap: str | None, h: int, mi: int, after: time | None = None) -> time | None:
    if ap in _PM and h < 12:
        h += 12
    elif ap == "凌晨" and h == 12:
        h = 0
    elif ap is None and after is not None and h < 12 and h < after.hour and after.hour >= 12:
        h += 12  # 下午1時30分至5時30分
    if h > 23 or mi > 59:
        return None
    return time(h, mi)


def zh_times(text: str) -> list[ZhTime]:
    """Times of day and windows: 上午9時, 下午1時15分, 中午12時, 12時00分至19時30分, 11時30至20時30分,
    上午8時至12時, 下午4時至8月24(星期一)上午10時, 上午9時起, 中午12時以前."""
    folded = fold_fullwidth(text).replace("（", "(").replace("）", ")")
    out = []
    for m in _ZH_WINDOW.finditer(folded):
        if folded[max(0, m.start() - 1) : m.start()] in ("小", "每") and not m.group("ap1"):
            continue
        if not m.group("ap1") and not m.group("h1").isdigit() and not (m.group("mi1") or m.group("half1") or m.group("h2")):
            continue  # 「第一時間」「同一時間」: a Chinese-numeral hour needs 上午/下午, minutes or an end
        if folded[max(0, m.start() - 1) : m.start()] in ("第", "同", "一", "其") and not m.group("ap1"):
            continue
        h1 = _num(m.group("h1"))
        mi1 = _num(m.group("mi1")) if m.group("mi1") else (30 if m.group("half1") else 0)
        if h1 is None or mi1 is None or (t1 := _clock(m.group("ap1"), h1, mi1)) is None:
            continue
        t2 = None
        if m.group("h2"):
            h2 = _num(m.group("h2"))
            mi2 = _num(m.group("mi2")) if m.group("mi2") else (30 if m.group("half2") else 0)
            ap2 = m.group("ap2") or (m.group("ap1") if m.group("ap1") in _PM else None)
            t2 = _clock(ap2, h2, mi2, t1) if h2 is not None and mi2 is not None else None
        end_day = None
        if m.group("d2"):
            mo, d = _num(m.group("m2")), _num(m.group("d2"))
            end_day = (mo, d) if mo and d else None
        out.append(ZhTime(t1, t2, end_day, (m.group("tail") or "").strip(), m.start(), m.end()))
    for c in _COLON.finditer(folded):  # 14:00, 14:00-16:00
        e = time(int(c.group("h2")), int(c.group("m2"))) if c.group("h2") else None
        out.append(ZhTime(time(int(c.group("h1")), int(c.group("m1"))), e, None, "", c.start(), c.end()))
    return sorted(out, key=lambda z: z.pos)


_COLON = re.compile(
    r"(?<![\d:])(?P<h1>[01]?\d|2[0-3]):(?P<m1>[0-5]\d)"
    r"(?:\s*(?:至|到|~|-|—)\s*(?P<h2>[01]?\d|2[0-3]):(?P<m2>[0-5]\d))?(?![\d:])"
    r"(?!\s*(?:[AaPp]\.?\s?[Mm]\b|[ECMP][SD]?T\b|UTC|GMT|(?i:eastern|central|pacific)))"  # English times are read as English
)
