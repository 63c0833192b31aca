"""Dates and times as announcements write them, English (CBP, FR) and Chinese (ROC calendar).

Pure functions over text. English event times come back aware in the zone the text stated
(``ET`` resolves to EDT or EST by date through ``America/New_York``); a time the text gave no
zone for comes back naive and flagged, never guessed (DOMAIN.md §2). ROC years are +1911 and
Asia/Taipei is +08:00 all year (DOMAIN.md §7).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
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
    """``一百零四`` → 104, ``一○四`` → 104 (digit by digit), ``十五`` → 15; None if not a number."""
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
    rf"(?:中華)?(?:民國)?\s*本?\s*\(?\s*(?P<y>{_NUM})\s*\)?\s*年\s*(?:度\s*)?"
    rf"(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日號]"
)
_GREG_YMD_CJK = re.compile(r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日號]")
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
            if rx is _NUMERIC_YMD and m.group("sep") == "-" and y < 1900:
                continue  # 866-530-4172 style numbers are not dates
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
# English
# ---------------------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_RX = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_RX = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"

_EN_DATE = re.compile(
    rf"\b(?=[JFMASONDTWjfmasondtw])(?:(?P<wd>{_WEEKDAY_RX}),?\s+)?(?P<mon>{_MONTH_RX})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"(?:,?\s+(?P<y>(?:19|20)\d\d)\b)?"
    rf"|(?<![\d/])(?P<nm>\d{{1,2}})/(?P<nd>\d{{1,2}})/(?P<ny>(?:19|20)\d\d)(?![\d/])",
    re.IGNORECASE,
)
_ZONE_RX = (
    r"(?P<zone>(?-i:E[DS]?T|C[DS]?T|M[DS]?T|P[DS]?T|UTC|GMT|Z)\b"
    r"|eastern\s+(?:daylight|standard)(?:\s+saving)?\s+time|eastern\s+time|eastern\b"
    r"|central\s+(?:daylight|standard)\s+time|central\s+time|pacific\s+time"
    r"|(?:coordinated\s+)?universal\s+time)"
)
_ZONE_AHEAD = _ZONE_RX.replace("(?P<zone>", "(?:")
_EN_TIME = re.compile(
    rf"(?=[0-9nNmM])(?<![\w:.])(?:(?P<h>1[0-2]|0?[1-9])(?::(?P<m>[0-5]\d))?\s*(?P<ap>[ap])\.?\s?m\b\.?"
    rf"|(?P<noon>noon|midnight)"
    rf"|(?P<h24>[01]\d|2[0-3]):?(?P<m24>[0-5]\d)(?:\s*hours)?(?=\s*,?\s*{_ZONE_AHEAD})"
    rf"|(?P<h24c>[01]?\d|2[0-3]):(?P<m24c>[0-5]\d)(?![\d:]))"
    rf"(?:\s*\(?\s*{_ZONE_RX}\s*\)?)?",
    re.IGNORECASE,
)
_FIXED = {"EDT": -4, "EST": -5, "CDT": -5, "CST": -6, "MDT": -6, "MST": -7, "PDT": -7, "PST": -8,
          "UTC": 0, "GMT": 0, "Z": 0}  # fmt: skip
_GENERIC = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
            "PT": "America/Los_Angeles"}  # fmt: skip


_ZONE_WORDS = (  # longest first: "eastern daylight time" before "eastern"
    ("eastern daylight", "EDT"), ("eastern standard", "EST"), ("eastern", "ET"),
    ("central daylight", "CDT"), ("central standard", "CST"), ("central", "CT"),
    ("pacific", "PT"),
)  # fmt: skip


def _zone_code(raw: str | None) -> str | None:
    if not raw:
        return None
    z = " ".join(raw.lower().split())
    for words, code in _ZONE_WORDS:
        if z.startswith(words):
            return code
    if "universal" in z:
        return "UTC"
    return raw.upper()


def zoned(naive: datetime, code: str) -> datetime:
    """Attach a stated zone: fixed abbreviations keep their offset; ``ET`` follows New York DST."""
    if code in _FIXED:
        return naive.replace(tzinfo=timezone(timedelta(hours=_FIXED[code]), code))
    return naive.replace(tzinfo=ZoneInfo(_GENERIC.get(code, "America/New_York")))


def infer_year(month: int, day: int, reference: date) -> date | None:
    """A date written without a year takes the year that puts it nearest the publication date."""
    best: date | None = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((candidate - reference).days) < abs((best - reference).days):
            best = candidate
    return best


@dataclass(frozen=True, slots=True)
class EnDate:
    value: date
    start: int
    end: int
    year_given: bool
    weekday: int | None = None


def parse_en_dates(text: str, reference: date) -> list[EnDate]:
    """``April 21``, ``August 29, 2025``, ``Tuesday, April 21``, ``04/20/2026``."""
    return list(_parse_en_dates(text, reference))


@lru_cache(maxsize=8)
def _parse_en_dates(text: str, reference: date) -> tuple[EnDate, ...]:
    """Cached: facts reads the same body for events and for dates."""
    out: list[EnDate] = []
    for m in _EN_DATE.finditer(text):
        try:
            if m.group("mon"):
                month = _MONTHS[m.group("mon").lower()[:3]]
                day = int(m.group("d"))
                if m.group("y"):
                    value: date | None = date(int(m.group("y")), month, day)
                else:
                    value = infer_year(month, day, reference)
                year_given = bool(m.group("y"))
            else:
                value = date(int(m.group("ny")), int(m.group("nm")), int(m.group("nd")))
                year_given = True
        except (ValueError, KeyError):
            continue
        if value is None:
            continue
        wd = _weekday(m.group("wd")) if m.groupdict().get("wd") else None
        out.append(EnDate(value, m.start(), m.end(), year_given, wd))
    return tuple(out)


def _weekday(word: str | None) -> int | None:
    if not word:
        return None
    w = word.lower()[:3]
    for i, name in enumerate(_WEEKDAYS):
        if name.startswith(w):
            return i
    return None


@dataclass(frozen=True, slots=True)
class EnTime:
    value: time
    zone: str | None  # "EDT", "EST", "ET", "UTC", … or None when the text gave none
    start: int
    end: int


def parse_en_times(text: str) -> list[EnTime]:
    """``1:00 p.m. ET``, ``12:01 a.m. eastern daylight time``, ``2300 EDT``, ``8:00 AM EDT``."""
    out: list[EnTime] = []
    for m in _EN_TIME.finditer(text):
        zone = _zone_code(m.group("zone"))
        if m.group("h"):
            h, minute = int(m.group("h")) % 12, int(m.group("m") or 0)
            if m.group("ap").lower() == "p":
                h += 12
        elif m.group("noon"):
            h, minute = (12, 0) if m.group("noon").lower() == "noon" else (0, 0)
            if zone is None:
                continue  # "noon" alone is too common in prose to be an event time
        elif m.group("h24") is not None:
            h, minute = int(m.group("h24")), int(m.group("m24"))
        else:
            h, minute = int(m.group("h24c")), int(m.group("m24c"))
            if zone is None and not re.search(r"\bat\s*$", text[max(0, m.start() - 4) : m.start()]):
                continue  # bare "1:00" is too ambiguous (ratios, verses) unless "at 14:00"
        out.append(EnTime(time(h, minute), zone, m.start(), m.end()))
    return out


@dataclass(frozen=True, slots=True)
class EventTime:
    """A point in time an announcement names. ``when`` is naive when ``zoned`` is False."""

    when: datetime
    zoned: bool
    start: int
    end: int
    date_inferred: bool  # no date next to the time: taken from the weekday or the paragraph

    def iso(self) -> str:
        """ISO 8601 with the offset when zoned, without one when the text gave no zone."""
        return self.when.isoformat(timespec="seconds")


def _pair_date(text: str, t: EnTime, dates: list[EnDate]) -> EnDate | None:
    """The date written right before (``April 21 at``) or right after (``on August 29``) a time."""
    i = _bisect(dates, t.start)
    before = [d for d in dates[max(0, i - 2) : i] if d.end <= t.start and t.start - d.end <= 30]
    if before:
        d = before[-1]
        gap = text[d.end : t.start]
        if re.fullmatch(r"[\s,]*(?:at|from|beginning at|starting at|between|@|-|–)?[\s,]*", gap, re.I):
            return d
    after = [d for d in dates[i : i + 2] if d.start >= t.end and d.start - t.end <= 40]
    if after:
        d = after[0]
        gap = text[t.end : d.start]
        if re.fullmatch(r"[\s,]*(?:on|,)?[\s,]*", gap, re.I):
            return d
        if re.fullmatch(rf"[\s,]*(?:on\s+)?{_WEEKDAY_RX}[\s,]*", gap, re.I):
            return d
    return None


def _bisect(dates: list[EnDate], pos: int) -> int:
    lo, hi = 0, len(dates)
    while lo < hi:
        mid = (lo + hi) // 2
        if dates[mid].start < pos:
            lo = mid + 1
        else:
            hi = mid
    return lo


def find_event_times(text: str, published: datetime) -> list[EventTime]:
    """Every date-and-time in English text, paired and zoned as written.

    A time's date is the one written next to it; failing that a weekday just before it
    (``Saturday 2300 EDT`` → the next Saturday on or after publication); failing that the last
    date in the same paragraph; failing that the publication date. Those last cases are marked
    ``date_inferred``.
    """
    ref = published.date()
    dates = parse_en_dates(text, ref)
    out: list[EventTime] = []
    for t in parse_en_times(text):
        d = _pair_date(text, t, dates)
        inferred = False
        day: date
        if d is not None:
            day = d.value
        else:
            inferred = True
            wd = re.search(rf"({_WEEKDAY_RX})[\s,]*(?:from|at|@)?\s*$", text[max(0, t.start - 25) : t.start], re.I)
            if wd and (n := _weekday(wd.group(1))) is not None:
                day = ref + timedelta(days=(n - ref.weekday()) % 7)
            else:
                para_start = text.rfind("\n\n", 0, t.start) + 1
                j = _bisect(dates, t.start)
                prior = [x for x in dates[max(0, j - 3) : j] if para_start <= x.start < t.start]
                day = prior[-1].value if prior else ref
        naive = datetime.combine(day, t.value)
        if t.zone:
            out.append(EventTime(zoned(naive, t.zone), True, t.start, t.end, inferred))
        else:
            out.append(EventTime(naive, False, t.start, t.end, inferred))
    return out


_DATELINE = re.compile(
    r"sent this bulletin at\s+(?P<when>\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2}\s*[AP]M)\s+(?P<zone>[A-Z]{2,4})",
    re.IGNORECASE,
)


def parse_dateline(text: str) -> datetime | None:
    """GovDelivery's ``sent this bulletin at 04/20/2026 07:18 AM EDT`` → aware datetime."""
    m = _DATELINE.search(text)
    if not m:
        return None
    try:
        naive = datetime.strptime(" ".join(m.group("when").upper().split()), "%m/%d/%Y %I:%M %p")
    except ValueError:
        return None
    return zoned(naive, _zone_code(m.group("zone")) or "ET")


def zone_abbrev(dt: datetime) -> str:
    """EDT/EST for New York times, the fixed name otherwise (for "美東 4/21 13:00 EDT")."""
    name = dt.tzname() or ""
    return name if name and not name.startswith("UTC") else dt.strftime("%z")
