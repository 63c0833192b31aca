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


_NUM = rf"(?:\d{{1,3}}|[{CN_NUM}廿卅]{{1,5}})"
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
            if rx is _ROC_YMD and y < 10 and "民國" not in m.group(0):
                continue  # 「前二年7月1日」「第一年」 count years; ROC 1–9 (1912–1920) only as 民國N年
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
