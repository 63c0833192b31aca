"""Dates and times as announcements write them in English (CBP, FR); Chinese forms live in
``feeds.dates_zh`` and are re-exported here.

Pure functions over text. English event times come back aware in the zone the text stated
(``ET`` resolves to EDT or EST by date through ``America/New_York``); a time the text gave no
zone for comes back naive and flagged, never guessed (DOMAIN.md §2). ROC years are +1911 and
Asia/Taipei is +08:00 all year (DOMAIN.md §7).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from feeds.dates_zh import (  # noqa: F401  (re-exported: one import for every date form)
    CN_NUM,
    ROC_OFFSET,
    ROC_STYLES,
    TAIPEI,
    FoundDate,
    FoundRange,
    chinese_to_int,
    fold_fullwidth,
    format_roc,
    gregorian_to_roc,
    int_to_chinese,
    parse_cjk_time,
    parse_roc_dates,
    parse_roc_ranges,
    roc_to_gregorian,
    taipei_datetime,
)
from feeds.scan import ascii_lower, matches_at, word_start
from feeds.years import document_reference, nearest_year

NEW_YORK = ZoneInfo("America/New_York")

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
WEEKDAY_RX = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"

# More days of the same month after the first: "-11", ", 14, and 15", " through 30"; never a
# time ("June 6, 9 a.m.", "12:00") nor an amount ("3, 5 percent").
_MORE_DAY = (
    r"\s*(?:,\s*(?:and\s+|&\s*)?|\s(?:and|&|through|thru|to)\s+|[-\u2013]\s*)"
    r"\d{1,2}(?:st|nd|rd|th)?\b(?!\s*(?::|%|percent|[ap]\.?m\b|hours|,\d))"
)
_DAY_IN_MORE = re.compile(r"(?P<sep>[^\d]*?)(?P<d>\d{1,2})(?:st|nd|rd|th)?")
_EN_DATE = re.compile(
    rf"\b(?=[JFMASONDTWjfmasondtw])(?:(?P<wd>{WEEKDAY_RX}),?\s+)?(?P<mon>{_MONTH_RX})(?:(?<=\.)\s*|\s+)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"(?P<more>(?:{_MORE_DAY})+)?"  # "September 8-11", "January 13, 14, and 15, 2026"
    rf"(?:,?\s+(?P<y>(?:19|20)\d\d)\b)?"
    rf"|(?<![\d/])(?P<nm>\d{{1,2}})/(?P<nd>\d{{1,2}})/(?P<ny>(?:19|20)?\d\d)(?![\d/])",
    re.IGNORECASE,
)
# Day first: "30th July 2025", "15 August 2025", "1st of May" (an ordinal or a year is required:
# "USD 100 May" is no date). Its starts are found from the month word, looking back.
_EN_DMY = re.compile(
    rf"(?P<d>\d{{1,2}})(?P<ord>st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH_RX})(?:,?\s+(?P<y>(?:19|20)\d\d))?\b", re.IGNORECASE
)
_DMY_BEFORE = re.compile(r"(?<![\d.,:/$-])\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?$")  # lowered
# A month and year with no day ("in September 2025"): the year of year-less dates after it in
# the same sentence ("imports in September 2025 must be paid by October 9").
_MONTH_YEAR = re.compile(rf"(?<![\d\w])(?P<mon>{_MONTH_RX})\s+(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE)
# Where a date can start (feeds.scan): a month word on the ASCII-lowered text, or "/d/d".
_MONTH_HINT = re.compile(r"(?:ja|fe|ma|ap|ju|au|se|oc|no|de)[a-z]{1,7}(?:\.[\s?]*|[\s?]+)[\d?]")
_SLASH_HINT = re.compile(r"/\d{1,2}/\d")
_CBP_DECISION = re.compile(r"\bcbp\s+$")  # lowered; "CBP Dec." names a decision, not December
_WEEKDAY_BEFORE = re.compile(r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+$")  # lowered
ZONE_RX = (
    r"(?P<zone>(?-i:E[SD]T/[ED]?[SD]T|E[DS]?T|C[DS]?T|M[DS]?T|P[DS]?T|UTC|GMT|Z)\b"
    r"|eastern\s+(?:daylight|standard)(?:\s+saving)?\s+time|eastern\s+time|eastern\b"
    r"|central\s+(?:daylight|standard)\s+time|central\s+time|pacific\s+time"
    r"|(?:coordinated\s+)?universal\s+time)"
)
_ZONE_AHEAD = ZONE_RX.replace("(?P<zone>", "(?:")
_EN_TIME = re.compile(
    rf"(?=[0-9nNmM])(?<![\w:.])(?:(?P<h>1[0-2]|0?[1-9])(?::(?P<m>[0-5]\d))?\s*(?P<ap>[ap])\.?\s?m\b\.?"
    # the start of "2:00-3:00 p.m." / "1-2 p.m.": its meridiem is written once, after the end
    rf"|(?P<hr>1[0-2]|0?[1-9])(?::(?P<mr>[0-5]\d))?(?=\s*(?:-|\u2013|\u2014|to)\s*(?P<hr2>1[0-2]|0?[1-9])(?::[0-5]\d)?\s*(?P<ap2>[ap])\.?\s?m\b)"
    rf"|(?P<noon>noon|midnight)"
    rf"|(?P<h24>[01]\d|2[0-3]):?(?P<m24>[0-5]\d)(?:\s*hours)?(?=\s*,?\s*{_ZONE_AHEAD})"
    rf"|(?P<h24c>[01]?\d|2[0-3]):(?P<m24c>[0-5]\d)(?![\d:])"
    rf"|(?<![\d:.,/])(?P<h24h>[01]\d|2[0-3])(?P<m24h>[0-5]\d)(?=\s*(?:hours\b|\((?:noon|midnight)\))|\s+(?:on\s+)?(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b"
    rf"|\s*(?:-|\u2013|to|until|through|and)\s*(?:[01]\d|2[0-3])[0-5]\d\s*(?:hours\b|{_ZONE_AHEAD})))"  # "0000 to 0400 hours EST"
    rf"(?:\s*hours\b|\s*\((?:noon|midnight)\))?(?:\s*\((?:[01]\d|2[0-3])[0-5]\d\))?"
    rf"(?:\s*\(?\s*{ZONE_RX}\s*\)?)?",
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


@lru_cache(maxsize=256)
def zone_code(raw: str | None) -> str | None:
    """``eastern daylight time`` → ``EDT``, ``Eastern`` → ``ET``, ``EST/EDT`` → ``ET``, ``utc`` → ``UTC``."""
    if not raw:
        return None
    if "/" in raw:
        return "ET"  # "EST/DST", "EST/EDT": eastern time, whichever applies on that date
    z = " ".join(raw.lower().split())
    for words, code in _ZONE_WORDS:
        if z.startswith(words):
            return code
    if "universal" in z:
        return "UTC"
    return raw.upper()


def zoned(naive: datetime, code: str) -> datetime:
    """Attach a stated zone: fixed abbreviations keep their offset; ``ET`` follows New York DST."""
    return naive.replace(tzinfo=_tzinfo(code))


@lru_cache(maxsize=64)
def _tzinfo(code: str) -> tzinfo:
    if code in _FIXED:
        return timezone(timedelta(hours=_FIXED[code]), code)
    return ZoneInfo(_GENERIC.get(code, "America/New_York"))


def infer_year(month: int, day: int, reference: date) -> date | None:
    """A date written without a year takes the year that puts it nearest the reference date."""
    return nearest_year(month, day, reference)


@dataclass(frozen=True, slots=True)
class EnDate:
    value: date
    start: int
    end: int
    year_given: bool
    weekday: int | None = None


def parse_en_dates(text: str, reference: date) -> list[EnDate]:
    """``April 21``, ``August 29, 2025``, ``Tuesday, April 21``, ``04/20/2026``, ``June 6-7, 2015``.
    Year-less dates take the year nearest the document's reference (``en_reference``)."""
    return list(_parse_en_dates(text, reference)[1])


def en_reference(text: str, published: date) -> date:
    """The date year-less dates and bare weekdays are read against (feeds.years)."""
    return _parse_en_dates(text, published)[0]


def _date_starts(text: str) -> tuple[list[int], list[int]]:
    """Candidate starts of ``_EN_DATE`` (month words, with a weekday before them, and ``d/d/``)
    and of ``_EN_DMY`` (a day written before its month word)."""
    low = ascii_lower(text)
    starts: list[int] = []
    dmy: list[int] = []
    for h in _MONTH_HINT.finditer(low):
        s = h.start()
        if not word_start(text, s) or (low.startswith("dec", s) and _CBP_DECISION.search(low, max(0, s - 8), s)):
            continue  # "CBP Dec. 20-11", "CBP Dec. No. 16-13": a CBP Decision's number
        wd = _WEEKDAY_BEFORE.search(low, max(0, s - 24), s)
        if wd is not None and word_start(text, wd.start()):
            starts.append(wd.start())
        starts.append(s)
        if s and low[s - 1] == " " and (b := _DMY_BEFORE.search(low, max(0, s - 12), s)) is not None:
            dmy.append(b.start())
    for h in _SLASH_HINT.finditer(text):
        s = h.start()
        starts.append(s - 2 if s >= 2 and text[s - 2].isdigit() else s - 1)
    return sorted(set(starts)), dmy


@lru_cache(maxsize=8)
def _parse_en_dates(text: str, published: date) -> tuple[date, tuple[EnDate, ...]]:
    """(reference, dates). Cached: facts reads the same body for events and for dates."""
    found: list[tuple[int, int, int, int, int | None, int | None]] = []  # start, end, month, day, year, weekday
    starts, dmy = _date_starts(text)
    for m in matches_at(_EN_DMY, text, iter(dmy)):
        if m.group("ord") or m.group("y"):
            found.append((m.start(), m.end(), _MONTHS[m.group("mon").lower()[:3]], int(m.group("d")),
                          int(m.group("y")) if m.group("y") else None, None))  # fmt: skip
    for m in matches_at(_EN_DATE, text, iter(starts)):
        wd = weekday_of(m.group("wd")) if m.group("wd") else None
        try:
            if m.group("mon"):
                month, day = _MONTHS[m.group("mon").lower()[:3]], int(m.group("d"))
                year = int(m.group("y")) if m.group("y") else None
                if m.group("more"):  # the year, when written, is written once after the last day
                    found.append((m.start(), m.end("d"), month, day, year, wd))
                    at = m.start("more")
                    for x in _DAY_IN_MORE.finditer(m.group("more")):
                        found.append((at + x.start("d"), at + x.end(), month, int(x.group("d")), year, None))
                    found[-1] = (*found[-1][:1], m.end(), *found[-1][2:])
                    continue
            else:
                month, day, year = int(m.group("nm")), int(m.group("nd")), full_year(int(m.group("ny")))
        except (ValueError, KeyError):
            continue
        found.append((m.start(), m.end(), month, day, year, wd))
    found.sort()
    full: list[tuple[int, date]] = []
    for start, _, month, day, year, _ in found:
        if year is not None and (v := _valid(year, month, day)) is not None:
            full.append((start, v))
    reference = document_reference(published, [v for _, v in full])
    month_years = _month_years(text, found) if any(f[4] is None for f in found) else []
    out: list[EnDate] = []
    for start, end, month, day, year, wd in found:
        if year is not None:
            value = _valid(year, month, day)
        elif (shift := _relative_year(text, start)) is not None:  # "Last year, the New Year fell on February 3"
            value = _valid(reference.year + shift, month, day)
        else:
            value = nearest_year(month, day, _sentence_month_year(text, start, month_years) or _local_reference(start, full, reference))
        if value is not None:
            out.append(EnDate(value, start, end, year is not None, wd))
    return reference, tuple(out)


def _month_years(text: str, found: list[tuple[int, int, int, int, int | None, int | None]]) -> list[tuple[int, date]]:
    """``September 2025`` (a month and year with no day, not part of a date found)."""
    low = ascii_lower(text)
    out: list[tuple[int, date]] = []
    spans = {f[0] for f in found}
    for h in _MONTH_HINT.finditer(low):
        if low[h.end() - 1 : h.end() + 1] not in ("19", "20"):  # no year right after the month word
            continue
        m = _MONTH_YEAR.match(text, h.start())
        if m is None or m.start() in spans or any(a <= m.start() < b for a, b, *_ in found):
            continue
        out.append((m.start(), date(int(m.group("y")), _MONTHS[m.group("mon").lower()[:3]], 15)))
    return out


_SENTENCE_END = re.compile(r"[.;!?]\s|\n\s*\n")


def _sentence_month_year(text: str, pos: int, month_years: list[tuple[int, date]]) -> date | None:
    """The month-year written earlier in the same sentence as a year-less date, if any."""
    before = [(p, d) for p, d in month_years if p < pos and pos - p < 200]
    if not before or _SENTENCE_END.search(text, before[-1][0], pos):
        return None
    return before[-1][1]


_RELATIVE_YEAR = (("last year", -1), ("previous year", -1), ("this year", 0), ("next year", 1), ("following year", 1))


def _relative_year(text: str, pos: int) -> int | None:
    """``last year`` / ``this year`` / ``next year`` earlier in a year-less date's sentence: how
    many years from the document's it is."""
    low = ascii_lower(text)
    window = low[max(0, pos - 120) : pos]
    if "year" not in window:
        return None
    cut = max(window.rfind(". "), window.rfind(".\n"), window.rfind("\n\n"), window.rfind("; "))
    window = window[cut + 1 :]
    found = [(window.rfind(words), shift) for words, shift in _RELATIVE_YEAR]
    at, shift = max(found)
    return shift if at >= 0 else None


def _local_reference(pos: int, full: list[tuple[int, date]], reference: date) -> date:
    """A full date written shortly before a year-less one, when it lies more than a year from the
    document's reference (a page that quotes another era: "Release Date: November 30, 2012 …
    on November 27-28"), is what the year-less date is read against."""
    i = bisect_left(full, (pos, date.min)) - 1
    if i >= 0 and pos - full[i][0] < 2000 and abs((full[i][1] - reference).days) > 400:
        return full[i][1]
    return reference


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def full_year(y: int) -> int:
    """``8/20/94`` → 1994, ``11/14/17`` → 2017: two-digit years as CBP's legacy messages write them."""
    if y >= 100:
        return y
    return 1900 + y if y > 50 else 2000 + y


def weekday_of(word: str | None) -> int | None:
    """``Sat``, ``Saturday``, ``SAT.`` → 5 (Monday = 0); None for anything else."""
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


_AT_BEFORE = re.compile(r"\bat\s*$")
# "from 5:00 to 5:30 (ET)": a bare start whose range's end carries the zone is a time too
_TO_ZONED_END = re.compile(rf"\s*(?:-|\u2013|\u2014|to|until|through)\s*(?:[01]?\d|2[0-3]):[0-5]\d\s*\(?\s*{_ZONE_AHEAD}", re.I)


def parse_en_times(text: str) -> list[EnTime]:
    """``1:00 p.m. ET``, ``12:01 a.m. eastern daylight time``, ``2300 EDT``, ``8:00 AM EDT``."""
    out: list[EnTime] = []
    for m in _EN_TIME.finditer(text):
        zone = zone_code(m.group("zone"))
        if m.group("h"):
            h, minute = int(m.group("h")) % 12, int(m.group("m") or 0)
            if m.group("ap").lower() == "p":
                h += 12
        elif m.group("hr"):
            h, minute = int(m.group("hr")) % 12, int(m.group("mr") or 0)
            end_h = int(m.group("hr2")) % 12
            if m.group("ap2").lower() == "p" and h <= end_h:
                h += 12  # "1-2 p.m." is 13:00 to 14:00; "11-1 p.m." starts at 11 a.m.
        elif m.group("noon"):
            h, minute = (12, 0) if m.group("noon").lower() == "noon" else (0, 0)
            if zone is None:
                continue  # "noon" alone is too common in prose to be an event time
        elif m.group("h24") is not None:
            h, minute = int(m.group("h24")), int(m.group("m24"))
            if (h, minute) == (12, 1) and ":" in m.group(0):
                h = 0  # "on or after 12:01 eastern daylight time": the first minute of the day, a.m. left out
        elif m.group("h24h") is not None:
            h, minute = int(m.group("h24h")), int(m.group("m24h"))
        else:
            h, minute = int(m.group("h24c")), int(m.group("m24c"))
            if zone is None and not _AT_BEFORE.search(text, max(0, m.start() - 4), m.start()) and not _TO_ZONED_END.match(text, m.end()):
                continue  # bare "1:00" is too ambiguous (ratios, verses) unless "at 14:00"
        out.append(EnTime(time(h, minute), zone, m.start(), m.end()))
    return out


_DATELINE = re.compile(
    r"sent this bulletin at\s+(?P<when>\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2}\s*[AP]M)\s+(?P<zone>[A-Z]{2,4})",
    re.IGNORECASE,
)


_STAMP_DATE = re.compile(
    r"(?im)^[ \t]*(?P<when>\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2}\s*[AP]M)\s+(?P<zone>[A-Z]{2,4})[ \t]*$"
)
_DATE_FIELD = re.compile(r"(?im)^[ \t]*Date[ \t]*:?[ \t|]*(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b")


def parse_dateline(text: str) -> datetime | None:
    """When the message says it was sent: GovDelivery's ``sent this bulletin at 04/20/2026
    07:18 AM EDT``, a bulletin's own stamp line ``06/15/2012 03:23 PM EDT``, or an archive's
    ``Date: 2001-02-14`` (00:00 New York) → aware datetime."""
    at = ascii_lower(text).find("sent this bulletin at")
    m = (_DATELINE.search(text, at) if at >= 0 else None) or _STAMP_DATE.search(text[:3000])
    if not m:
        f = _DATE_FIELD.search(text[:3000])
        if not f:
            return None
        try:
            return zoned(datetime(int(f.group("y")), int(f.group("m")), int(f.group("d"))), "ET")
        except ValueError:
            return None
    try:
        naive = datetime.strptime(" ".join(m.group("when").upper().split()), "%m/%d/%Y %I:%M %p")
    except ValueError:
        return None
    return zoned(naive, zone_code(m.group("zone")) or "ET")


def zone_abbrev(dt: datetime) -> str:
    """EDT/EST for New York times, the fixed name otherwise (for "美東 4/21 13:00 EDT")."""
    name = dt.tzname() or ""
    return name if name and not name.startswith("UTC") else dt.strftime("%z")
