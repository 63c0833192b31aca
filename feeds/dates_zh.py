"""Chinese official dates and times: ROC years, Chinese numerals, full-width digits, 月日 without a
year, ranges and lists of days, and the times of day that belong to them (DOMAIN.md §7).

Pure functions over text. ROC year + 1911 = Gregorian year; Asia/Taipei is +08:00 all year.
A date written without a year takes its year from the document (``reference``), never the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

TAIPEI = timezone(timedelta(hours=8), "CST")  # Asia/Taipei: no DST since 1979
ROC_OFFSET = 1911

# ---------------------------------------------------------------------------------------------
# Shared: full-width digits and Chinese numerals
# ---------------------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９／．：－～（）　",
    "0123456789/.:-~() ",
)


def fold_fullwidth(text: str) -> str:
    """Full-width digits and punctuation → ASCII, one char for one char (spans stay valid)."""
    return text.translate(_FULLWIDTH)


_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "兩": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "〇○零一二三四五六七八九十百千兩"


def chinese_to_int(text: str) -> int | None:
    """``一百零四`` → 104, ``一○四`` → 104 (digit by digit), ``十五`` → 15, ``廿九`` → 29, ``卅`` → 30;
    None if not a number."""
    text = text.replace("廿", "二十").replace("卅", "三十")
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    if not any(ch in _CN_UNITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)


def int_to_chinese(n: int) -> str:
    """104 → ``一百零四``, 15 → ``十五``, 30 → ``三十`` (the way 公告 write ROC dates)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return digits[hundreds] + "百"
    if rest < 10:
        return digits[hundreds] + "百零" + digits[rest]
    tens = int_to_chinese(rest)
    return digits[hundreds] + "百" + ("一" + tens if rest < 20 else tens)


# ---------------------------------------------------------------------------------------------
# ROC ↔ Gregorian
# ---------------------------------------------------------------------------------------------


def roc_to_gregorian(year: int, month: int, day: int) -> date:
    """ROC year + 1911 = Gregorian year (115 → 2026). Raises ValueError on an impossible date."""
    return date(year + ROC_OFFSET, month, day)


def gregorian_to_roc(d: date) -> tuple[int, int, int]:
    return d.year - ROC_OFFSET, d.month, d.day


def format_roc(d: date, style: str = "full") -> str:
    """A date written the ways official text writes it; ``parse_roc_dates`` reads all of them."""
    y, m, day = gregorian_to_roc(d)
    if style == "full":
        return f"中華民國{y}年{m}月{day}日"
    if style == "short":
        return f"{y}年{m}月{day}日"
    if style == "slash":
        return f"{y}/{m:02d}/{day:02d}"
    if style == "dot":
        return f"{y}.{m}.{day}"
    if style == "fullwidth":
        return f"{y}年{m}月{day}日".translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if style == "chinese":
        return f"{int_to_chinese(y)}年{int_to_chinese(m)}月{int_to_chinese(day)}日"
    raise ValueError(f"unknown style {style!r}")


ROC_STYLES = ("full", "short", "slash", "dot", "fullwidth", "chinese")


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A calendar date found in text, with where it was and what it looked like."""

    value: date
    start: int
    end: int
    text: str
    year_given: bool = True


_NUM = rf"(?:\d{{1,3}}|[{CN_NUM}]{{1,5}})"
_ROC_YMD = re.compile(
    rf"(?:中華)?(?:民國)?\s*本?\s*\(?\s*(?<![\d{CN_NUM}])(?P<y>{_NUM})\s*\)?\s*年\s*(?:度\s*)?"
    rf"(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日號]"
)
_GREG_YMD_CJK = re.compile(r"(?:[今本]\s*\(\s*)?(?P<y>(?:19|20)\d\d)\s*\)?\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日號]")
_NUMERIC_YMD = re.compile(
    r"(?<![\d/.])(?P<y>\d{2,4})\s*(?P<sep>[/.\-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?![\d/])"
)
_MD_CJK = re.compile(rf"(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日號]")


def _num(text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    return chinese_to_int(text)


def _roc_or_greg(y: int, m: int, d: int) -> date | None:
    try:
        if 1 <= y <= 300:
            return roc_to_gregorian(y, m, d)
        if 1900 <= y <= 2200:
            return date(y, m, d)
    except ValueError:
        return None
    return None


def parse_roc_dates(text: str) -> list[FoundDate]:
    """Every full date in Chinese official text, ROC or Gregorian, in order of appearance.

    Forms: 中華民國115年4月24日, 115年4月24日, 本(115)年4月23日, 115/04/24, 115.4.24,
    115. 4. 24, 2026/04/24, full-width digits, Chinese numerals (一百零四年八月三日, 一○四年).
    """
    folded = fold_fullwidth(text)
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for rx in (_GREG_YMD_CJK, _ROC_YMD, _NUMERIC_YMD):
        for m in rx.finditer(folded):
            if not free(m.start(), m.end()):
                continue
            y, mo, d = _num(m.group("y")), _num(m.group("m")), _num(m.group("d"))
            if y is None or mo is None or d is None:
                continue
            if rx is _NUMERIC_YMD and m.group("sep") == "-" and y < 1900 and not (
                60 <= y <= 200 and re.fullmatch(r"\d{2,3}-\d\d-\d\d", m.group(0).replace(" ", ""))
            ):
                continue  # 866-530-4172 style numbers are not dates; ROC 113-03-21 is
            value = _roc_or_greg(y, mo, d)
            if value is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(FoundDate(value, m.start(), m.end(), text[m.start() : m.end()].strip()))
    found.sort(key=lambda f: f.start)
    return found


_RANGE_JOIN = re.compile(r"^\s*(?:\([^)]{0,6}\)|（[^）]{0,6}）)?\s*(?:起)?\s*(?:至|到|~|～|－|—|-)\s*$")


@dataclass(frozen=True, slots=True)
class FoundRange:
    start: FoundDate
    end: FoundDate
    text: str


def parse_roc_ranges(text: str) -> list[FoundRange]:
    """Date ranges: 自104年9月1日起至104年11月30日止, 104年9月1日至11月30日 (year carried over)."""
    folded = fold_fullwidth(text)
    dates = parse_roc_dates(text)
    ranges: list[FoundRange] = []
    for i, first in enumerate(dates):
        nxt = dates[i + 1] if i + 1 < len(dates) else None
        if nxt and _RANGE_JOIN.match(folded[first.end : nxt.start]):
            ranges.append(FoundRange(first, nxt, text[first.start : nxt.end]))
            continue
        tail = re.match(r"\s*(?:\([^)]{0,6}\))?\s*(?:起)?\s*(?:至|到|~|～)\s*", folded[first.end :])
        if not tail:
            continue
        at = first.end + tail.end()
        md = _MD_CJK.match(folded, at)
        if not md:
            continue
        mo, d = _num(md.group("m")), _num(md.group("d"))
        if mo is None or d is None:
            continue
        try:
            end_value = date(first.value.year, mo, d)
        except ValueError:
            continue
        if end_value < first.value:
            end_value = end_value.replace(year=end_value.year + 1)
        end = FoundDate(end_value, md.start(), md.end(), text[md.start() : md.end()], False)
        ranges.append(FoundRange(first, end, text[first.start : md.end()]))
    return ranges


_CJK_TIME = re.compile(
    r"(?P<ampm>上午|下午|中午|晚上|凌晨)?\s*(?P<h>\d{1,2})\s*(?:時|點)\s*(?:(?P<min>\d{1,2})\s*分|(?P<half>半))?"
    r"|(?<![\d:])(?P<h2>[01]?\d|2[0-3]):(?P<m2>[0-5]\d)(?![\d:])"
)


def parse_cjk_time(text: str) -> tuple[time, int, int] | None:
    """First time of day in Chinese text: 上午10時, 下午2時30分, 14:00, 14時 → (time, start, end)."""
    folded = fold_fullwidth(text)
    for m in _CJK_TIME.finditer(folded):
        if m.group("h") is not None:
            h = int(m.group("h"))
            minute = int(m.group("min")) if m.group("min") else (30 if m.group("half") else 0)
            ampm = m.group("ampm")
            if ampm in ("下午", "晚上") and h < 12:
                h += 12
            elif ampm == "凌晨" and h == 12:
                h = 0
        else:
            h, minute = int(m.group("h2")), int(m.group("m2"))
        if h > 23 or minute > 59:
            continue
        return time(h, minute), m.start(), m.end()
    return None


def taipei_datetime(d: date, t: time) -> datetime:
    return datetime.combine(d, t, TAIPEI)


# ---------------------------------------------------------------------------------------------
# Dates without a year, lists and ranges of days, and the times of day under them
# ---------------------------------------------------------------------------------------------

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


def _year_for(month: int, day: int, reference: date, carry: date | None) -> date | None:
    if carry is not None:  # 104年9月1日至11月30日: the year written at the start of the group
        try:
            value = date(carry.year, month, day)
        except ValueError:
            return None
        return value if value >= carry else _safe(value.year + 1, month, day)
    best = None
    for y in (reference.year - 1, reference.year, reference.year + 1):
        v = _safe(y, month, day)
        if v and (best is None or abs((v - reference).days) < abs((best - reference).days)):
            best = v
    return best


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def zh_date_groups(text: str, reference: date) -> list[DateGroup]:
    """Every Chinese date expression, full or without a year, joined into groups (lists and
    ranges of days). Year-less dates take the year of a full date earlier in the same group,
    else the year that puts them nearest ``reference`` (the document's date, never the clock)."""
    folded = fold_fullwidth(text).replace("（", "(").replace("）", ")")
    anchors: list[tuple[int, int, date | None, int, int, bool]] = []  # start, end, full value, month, day, full
    for f in parse_roc_dates(text):
        anchors.append((f.start, f.end, f.value, f.value.month, f.value.day, True))
    taken = [(a[0], a[1]) for a in anchors]
    for m in _MD.finditer(folded):
        if any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
            continue
        mo, d = _num(m.group("m")), _num(m.group("d"))
        if mo and d and 1 <= mo <= 12 and 1 <= d <= 31:
            anchors.append((m.start(), m.end(), None, mo, d, False))
    anchors.sort()
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
        groups.append(DateGroup(tuple(items), a[0], end))
    return groups


_T = (
    r"(?P<ap{n}>上午|下午|中午|晚上|凌晨)?\s*(?P<h{n}>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*[時时點点]"
    r"\s*(?:(?P<mi{n}>\d{{2}}|[〇○零一二三四五六七八九十廿卅]{{1,3}})\s*分?|(?P<half{n}>半))?"
)
_ZH_WINDOW = re.compile(
    _T.format(n=1)
    + rf"(?:\s*起?\s*(?:至|到|~|-|—)\s*(?:(?P<m2>{_N})\s*月\s*(?P<d2>{_N})\s*[日號]?{_WEEKDAY_MARK}\s*)?"
    + _T.format(n=2)
    + r")?(?P<tail>\s*(?:起|止|以前|前))?"
)


@dataclass(frozen=True, slots=True)
class ZhTime:
    start: time
    end: time | None
    end_day: tuple[int, int] | None  # (month, day) when the window ends on another day
    tail: str  # "起", "止", "前", "以前" or ""
    pos: int
    end_pos: int


def _clock(ap: str | None, h: int, mi: int, after: time | None = None) -> time | None:
    if ap in ("下午", "晚上") and h < 12:
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
        h1 = _num(m.group("h1"))
        mi1 = _num(m.group("mi1")) if m.group("mi1") else (30 if m.group("half1") else 0)
        if h1 is None or mi1 is None or (t1 := _clock(m.group("ap1"), h1, mi1)) is None:
            continue
        t2 = None
        if m.group("h2"):
            h2 = _num(m.group("h2"))
            mi2 = _num(m.group("mi2")) if m.group("mi2") else (30 if m.group("half2") else 0)
            ap2 = m.group("ap2") or (m.group("ap1") if m.group("ap1") in ("下午", "晚上") else None)
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
)
