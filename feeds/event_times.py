"""Event times in English text: each time paired with its date and zone as written.

A time's date is the one written next to it; failing that a weekday just before or after it, a
date written once after the range it starts, the start's day for a range's end, or the last
date written before it (``date_inferred``). A zone written once for a range or once for the
document applies to every time it covers. Publication stamps are not events.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from feeds.dates import (
    WEEKDAY_RX,
    ZONE_RX,
    EnDate,
    EnTime,
    en_reference,
    parse_en_dates,
    parse_en_times,
    weekday_of,
    zone_code,
    zoned,
)
from feeds.scan import ascii_lower, in_spans, stamp_spans


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
        if _AFTER_GAP.fullmatch(gap):  # "5 p.m. central standard time (CST) on January 21"
            return d
        if re.fullmatch(rf"[\s,]*(?:on\s+)?{WEEKDAY_RX}[\s,]*", gap, re.I):
            return d
    return None


_AFTER_GAP = re.compile(r"(?i)[\s,]*(?:(?-i:\([A-Z]{2,5}\))[\s,]*)?(?:on|,)?[\s,]*")
_LIST_GAP = re.compile(r"(?i)\s*(?:,\s*)?(?:and|&)\s*")


def _listed_after(text: str, d: EnDate, dates: list[EnDate]) -> list[date]:
    """The days listed after ``d`` ("on January 22, 2025 and January 23, 2025")."""
    out: list[date] = []
    i = _bisect(dates, d.start)
    while i + 1 < len(dates) and _LIST_GAP.fullmatch(text, dates[i].end, dates[i + 1].start) and dates[i + 1].value > dates[i].value:
        out.append(dates[i + 1].value)
        i += 1
    return out


def _range_start(text: str, d: EnDate, dates: list[EnDate]) -> date:
    """The first day of the range of days ``d`` ends ("August 20-23, 2018"), else ``d``'s day."""
    i = _bisect(dates, d.start)
    prev = dates[i - 1] if i > 0 else None
    if prev is not None and prev.value < d.value and _DATE_RANGE_GAP.fullmatch(text, prev.end, d.start):
        return prev.value
    return d.value


def _bisect(dates: list[EnDate], pos: int) -> int:
    lo, hi = 0, len(dates)
    while lo < hi:
        mid = (lo + hi) // 2
        if dates[mid].start < pos:
            lo = mid + 1
        else:
            hi = mid
    return lo


_DOC_ZONE = re.compile(rf"(?i)all\s+times\s+(?:are|will\s+be)?\s*(?:referenced\s+as|listed\s+in|in|shown\s+in)\s+{ZONE_RX}")
_RANGE_GAP = re.compile(r"(?i)^[\s,]*(?:-|–|—|to|until|till|through|thru|and)\s*(?:approximately\s+|about\s+)?$")
_WEEKDAY_GAP = re.compile(rf"(?i)[\s,]*(?:on\s+)?{WEEKDAY_RX}[\s,]*")
_WEEKDAY_IN_GAP = re.compile(r"(?i)\s*(?:on\s+)?(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s*")
_WEEKDAY_LEFT = re.compile(rf"(?i)({WEEKDAY_RX})[\s,]*(?:from|at|@)?\s*$")
_WEEKDAY_RIGHT = re.compile(rf"(?i)[\s,]*(?:on\s+)?({WEEKDAY_RX})\b")

def _weekday_day(n: int, ref: date, by_weekday: dict[int, list[date]], after: date | None) -> date:
    """The day a bare weekday means: a date the text names on that weekday (nearest the
    reference), else the first such weekday on or after the reference (or after ``after``)."""
    named = by_weekday.get(n)  # sorted
    if named:
        to = after or ref
        i = bisect_left(named, to)
        return min(named[max(0, i - 1) : i + 1], key=lambda v: abs((v - to).days))
    base = after + timedelta(days=1) if after else ref
    return base + timedelta(days=(n - base.weekday()) % 7)


def _share_range_zones(text: str, times: list[EnTime]) -> list[str | None]:
    """A zone written at one end of a range covers both ends (``3 AM – 7:00 AM EST``)."""
    zones: list[str | None] = [t.zone for t in times]
    for i in range(len(times) - 1):
        a, b = times[i], times[i + 1]
        if (zones[i] is None) != (zones[i + 1] is None) and b.start - a.end <= 40 and _RANGE_GAP.match(
            _WEEKDAY_IN_GAP.sub(" ", text[a.end : b.start])
        ):
            zones[i] = zones[i] or zones[i + 1]
            zones[i + 1] = zones[i + 1] or zones[i]
    return zones


def _joined(text: str, a: EnTime, b: EnTime) -> bool:
    """Two times written as one range (``0000 (MIDNIGHT) AND 0300``, ``3 AM – 7:00 AM``)."""
    return b.start - a.end <= 40 and _RANGE_GAP.match(text[a.end : b.start]) is not None


_DATE_RANGE_GAP = re.compile(r"(?i)\s*(?:-|–|—|to|through|thru|until)\s*")


def _range_first_day(text: str, t: EnTime, d: EnDate, dates: list[EnDate], nxt: EnTime | None) -> date:
    """``a daily call from January 8 to January 12, 2018 2:00 PM ET to 3:00 PM ET``: hours
    written after a range of days (the time itself a window) are those of each day of the range,
    and the event is on its first day; otherwise the time's own date."""
    if nxt is None or not _joined(text, t, nxt) or text[d.end : t.start].strip(" ,") != "":
        return d.value
    i = _bisect(dates, d.start)
    prev = dates[i - 1] if i > 0 else None
    if prev is not None and prev.value < d.value and _DATE_RANGE_GAP.fullmatch(text, prev.end, d.start):
        return prev.value
    return d.value


# Hours that recur ("between 9:00 a.m. and 4:30 p.m. on normal business days", "9 a.m. to 5 p.m.
# Monday through Friday"): an office's hours, no event on any date.
_RECURRING = re.compile(
    r"(?i)\s*(?:\(?[a-z]{2,4}\)?\s+)?,?\s*(?:on\s+)?(?:(?:normal|regular)\s+)?"
    r"(?:business\s+days|weekdays|(?:each|every)\s+(?:business\s+|work(?:ing)?\s+)?day|monday\s+(?:through|to|-)\s+friday)"
)


def _not_recurring(text: str, times: list[EnTime]) -> list[EnTime]:
    out: list[EnTime] = []
    for i, t in enumerate(times):
        nxt = times[i + 1] if i + 1 < len(times) else None
        prev = times[i - 1] if i else None
        if _RECURRING.match(text, t.end) or (nxt and _joined(text, t, nxt) and _RECURRING.match(text, nxt.end)):
            continue
        if prev is not None and _joined(text, prev, t) and _RECURRING.match(text, t.end):
            continue
        out.append(t)
    return out


_EASTERN = frozenset({"EDT", "EST", "ET"})


def _one_zone(zones: list[str | None]) -> str | None:
    """A document whose zoned times are all Eastern (a CBP or Federal Register text: ``12:01 a.m.
    eastern daylight time`` beside ``from 12:00 a.m. June 1, 2022``) has its unzoned times in
    Eastern too. Other zones say nothing of the rest (a calendar's Seattle meeting in PDT beside
    a Washington one at 9 a.m.)."""
    written = {z for z in zones if z}
    return "ET" if written and written <= _EASTERN else None


def _same_hours(a: EventTime, b: EventTime, days: list[date]) -> list[EventTime]:
    """"from 9 a.m. to 5 p.m. (CST) on January 22, 2025 and January 23, 2025": the window on each
    day listed after the first, in the order start, end."""
    out: list[EventTime] = []
    for day in days:
        shift = day - b.when.date()
        out += [EventTime(a.when + shift, a.zoned, a.start, a.end, a.date_inferred), EventTime(b.when + shift, b.zoned, b.start, b.end, b.date_inferred)]
    return out


def find_event_times(text: str, published: datetime) -> list[EventTime]:
    """Every date-and-time in English text, paired and zoned as written.

    A time's date is the one written next to it; failing that a weekday just before or after it
    (``Saturday 2300 EDT``, ``1200 (NOON) ON SATURDAY`` → the date the text names on that
    weekday, else the next one on or after publication); failing that the last date written
    before it. Those last cases are marked ``date_inferred``. A zone written once for a range
    (``3 AM – 7:00 AM EST``) or once for the document (``all times are … eastern standard
    time``) applies to every time it covers. Publication stamps are not events.
    """
    ref = en_reference(text, published.date())
    dates = parse_en_dates(text, published.date())
    by_weekday: dict[int, list[date]] = {}
    for x in dates:
        by_weekday.setdefault(x.value.weekday(), []).append(x.value)
    for days in by_weekday.values():
        days.sort()
    stamps = stamp_spans(text)
    doc_zone = (m := _DOC_ZONE.search(text)) and zone_code(m.group("zone")) if "times" in ascii_lower(text) else None
    times = _not_recurring(text, [t for t in parse_en_times(text) if not in_spans(t.start, stamps)])
    zones = _share_range_zones(text, times)
    eastern = None if doc_zone else _one_zone(zones)  # given only where no written time is the same
    out: list[EventTime] = []
    guessed: list[int] = []  # zoned only by the document's Eastern times
    prev_end = -10
    prev_day: date | None = None
    overnight = False
    for idx, (t, zone) in enumerate(zip(times, zones, strict=True)):
        restated = text[max(0, t.start - 1) : t.start] == "(" and t.start - prev_end <= 3
        if restated:
            prev_end = t.end
            continue  # "1400 EDT (2:00pm)": the same time again
        by_eastern = not (zone or doc_zone) and eastern is not None
        zone = zone or doc_zone or eastern
        d = _pair_date(text, t, dates)
        inferred = False
        day: date
        if d is not None:
            day = _range_first_day(text, t, d, dates, times[idx + 1] if idx + 1 < len(times) else None)
            if overnight:  # "between 10:00 PM and 2:00 AM ET on March 22": the night of the 22nd
                day += timedelta(days=1)
        elif (k := idx + 1) < len(times) and _joined(text, t, times[k]) and (dk := _pair_date(text, times[k], dates)):
            day = dk.value  # a date written once after a range dates its start too
        else:
            inferred = True
            hit = _WEEKDAY_LEFT.search(text, max(0, t.start - 25), t.start) or _WEEKDAY_RIGHT.match(text, t.end, t.end + 25)
            if hit is None and (k := idx + 1) < len(times) and _joined(text, t, times[k]):
                hit = _WEEKDAY_RIGHT.match(text, times[k].end, times[k].end + 25)  # "between 0000 and 0300 on Sunday"
            n = weekday_of(hit.group(1)) if hit is not None else None
            if n is not None:
                near = prev_end > 0 and t.start - prev_end <= 80
                gap = _WEEKDAY_GAP.sub(" ", text[prev_end : t.start]) if near else "x"
                close = prev_day if prev_day and _RANGE_GAP.match(gap) else None  # the end of a window
                day = _weekday_day(n, ref, by_weekday, close if close and close.weekday() != n else None)
            elif prev_day is not None and idx > 0 and _joined(text, times[idx - 1], t):
                # the end of "11:00 PM to 2:00 AM": the start's day, or the next one past midnight
                day = prev_day + timedelta(days=1) if t.value < times[idx - 1].value else prev_day
            else:
                j = _bisect(dates, t.start)
                prior = [x for x in dates[max(0, j - 3) : j] if t.start - x.start < 1500]
                # "August 20-23, 2018: … a public hearing … beginning at 9:30 am": the first day
                day = _range_start(text, prior[-1], dates) if prior else ref
        # the end of that range, written before midnight's other side, is on the next day
        nxt = times[idx + 1] if idx + 1 < len(times) else None
        overnight = d is None and not inferred and nxt is not None and nxt.value < t.value
        prev_day, prev_end = day, t.end
        naive = datetime.combine(day, t.value)
        if zone:
            guessed += [len(out)] * by_eastern
            out.append(EventTime(zoned(naive, zone), True, t.start, t.end, inferred))
        else:
            out.append(EventTime(naive, False, t.start, t.end, inferred))
        if d is not None and idx and out[-2].end == times[idx - 1].end and _joined(text, times[idx - 1], t):
            out += _same_hours(out[-2], out[-1], _listed_after(text, d, dates))
    written = {e.when.replace(tzinfo=None) for i, e in enumerate(out) if e.zoned and i not in guessed}
    for i in guessed:  # "3:00PM – 5:00PM" restating "3:00PM ET": left to the restatement merge
        if (naive := out[i].when.replace(tzinfo=None)) in written:
            out[i] = EventTime(naive, False, out[i].start, out[i].end, out[i].date_inferred)
    return out
