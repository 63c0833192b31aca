"""Event times and dates from English text (CBP CSMS, Federal Register, news).

A window written ``from A until B`` / ``between A and B`` / ``A – B`` is ONE event with start
and end; a habitual schedule (``normally begins at 2300``, ``every Saturday``) is no event;
a window whose end is itself a range (``end somewhere between 0000 and 0300``) ends at the later
bound, marked approximate; a zoneless time that restates a zoned one is the same event.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from datetime import date, datetime, timedelta

from feeds import dates as D
from feeds.event_times import EventTime, find_event_times
from feeds.factmodel import DatedFact, Event
from feeds.scan import ascii_lower, in_spans, stamp_spans
from feeds.spans import classify_at, context, dedupe_dates, label

_URL = re.compile(r"https?://[^\s<>\"'）)\]，。、]+", re.IGNORECASE)



def _url_in(line: str, links_by_line: dict[str, str]) -> str | None:
    m = _URL.search(line) if "http" in line.lower() else None
    if m:
        return m.group(0).rstrip(".,;:")
    return links_by_line.get(" ".join(line.split()))


_WINDOW_GAP = re.compile(
    r"(?i)^(?:(?:[^.;\n]|\n(?!\s*\n)){0,80}?\b(?:until|till|to|through|thru|and\s+(?:is\s+)?(?:expected\s+to\s+)?(?:come\s+back|end|be\s+back|be\s+restored)"
    r"|and\s+will\s+be\s+brought\s+back|completion\s+by|back\s+(?:up|online)|restored|ending)\b(?:[^.;\n]|\n(?!\s*\n)){0,60}?"
    r"|[\s,]*(?:on\s+)?(?:\w+day,?\s*)?[-\u2013\u2014][\s,]*(?:\w+day,?\s*)?)$"
)
_IN_EFFECT_UNTIL = re.compile(r"(?i)\b(?:remains?|stays?)\s+in\s+(?:effect|force|place)\s+(?:until|till|through|thru)\s*$")
_BETWEEN = re.compile(r"(?i)\bbetween(?:\s+the\s+hours\s+of)?\s*$")
# a period written "from 12:00 a.m. June 1, 2022, through 11:59 p.m. on June 1, 2023": one window too
_FROM = re.compile(r"(?i)\bfrom\s*$")
_FROM_GAP = re.compile(r"(?i)^[^.;\n]{0,40}?\b(?:through|thru|until|till)\s+(?:on\s+)?$")


def _is_window(text: str, a: EventTime, b: EventTime) -> bool:
    """``A until B``, ``A – B``, ``between A and B``, ``A … and is expected to come back up at B``:
    one event from A to B (never two), when B follows A within the same sentence. A period of
    effect (``effective at A … and will remain in effect until B``) may run for months."""
    gap = text[a.end : b.start]
    if b.zoned != a.zoned or len(gap) > 140 or not a.when < b.when:
        return False
    if b.when > a.when + timedelta(days=3):
        period = bool(_IN_EFFECT_UNTIL.search(gap)) or (_FROM.search(text, max(0, a.start - 8), a.start) is not None and _FROM_GAP.match(gap) is not None)
        return b.when <= a.when + timedelta(days=400) and period
    if _BETWEEN.search(text, max(0, a.start - 32), a.start) and re.fullmatch(r"(?i)[\s,]*(?:\(\w+\))?[\s,]*and\s*", gap):
        return True
    return bool(_WINDOW_GAP.match(gap))


_DAY_OF = re.compile(r"(?is).{0,27}?\bon the day of\b")


_HABITUAL_WORDS = ("normally", "usually", "regularly", "typically", "routinely", "ordinarily", "customarily", "every", "each")


def _positions(low: str, words: tuple[str, ...]) -> list[int]:
    """Sorted positions of any of ``words`` in the lowered text (str.find: no regex scan)."""
    out: list[int] = []
    for w in words:
        at = low.find(w)
        while at >= 0:
            out.append(at)
            at = low.find(w, at + 1)
    return sorted(out)
_HABITUAL = re.compile(  # on the lowered text, the clause before a time
    r"\b(?:normally|usually|regularly|typically|routinely|ordinarily|customarily|"
    r"(?:every|each)\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b[^.;:]{0,60}$"
)
# A schedule written after the hours: "9:00 AM to 5:00 PM Eastern Time, Monday through Friday".
_HABITUAL_AFTER = re.compile(
    r"[^.;\n]{0,30}?\b(?:monday\s*(?:through|thru|to|-|\?)\s*(?:friday|saturday)|mon\.?\s*(?:-|\?|to)\s*fri|daily|"
    r"every\s*day|each\s+day|on\s+weekdays|seven\s+days\s+a\s+week)\b"
)
_HABITUAL_AFTER_WORDS = ("monday", "mon.", "mon ", "mon-", "mon?", "daily", "every", "each", "weekdays", "seven")
_RANGE_END = re.compile(r"(?i)[\s,]*(?:and|to|-|\u2013|\u2014)\s*$")
# "… outage … ending at approximately 0600 EST", "scheduled to end today … at 8:00pm EDT",
# "maintenance … completed by 10:00 AM": the end of an outage, alone, is no start (lowered text)
_OUTAGE_END = re.compile(r"\b(?:end(?:s|ed|ing)?|complet(?:ed?|ion)|conclud(?:es?|ed|ing))\b[^.;\n]{0,40}$")
_OUTAGE_WORDS = re.compile(r"\b(?:outages?|maintenance|down(?:time)?|unavailable)\b")


def _outage_end(low: str, ev: EventTime) -> bool:
    return bool(_OUTAGE_END.search(low, max(0, ev.start - 60), ev.start)) and bool(
        _OUTAGE_WORDS.search(low, max(0, ev.start - 300), ev.start)
    )


def _approx_end(text: str, times: list[EventTime], j: int) -> int | None:
    """``… and end somewhere between 0000 (midnight) and 0300``: the end given as a range; the
    index of its later bound."""
    if j + 1 >= len(times) or not _BETWEEN.search(text, max(0, times[j].start - 32), times[j].start):
        return None
    b, c = times[j], times[j + 1]
    if c.zoned == b.zoned and b.when < c.when <= b.when + timedelta(hours=12) and _RANGE_END.match(text, b.end, c.start):
        return j + 1
    return None


def english_events(text: str, published: datetime, links_by_line: dict[str, str]) -> list[Event]:
    """Event times with their kind, label and link; ``X to Y`` windows become one event with ``end``."""
    found: dict[tuple[str, str], Event] = {}
    kinds: dict[tuple[str, int], str] = {}
    times = find_event_times(text, published)
    low = ascii_lower(text)
    habit_at = _positions(low, _HABITUAL_WORDS) if times else []
    after_at = _positions(low, _HABITUAL_AFTER_WORDS) if times else []
    skip: set[int] = set()
    for i, ev in enumerate(times):
        if i in skip:
            continue
        nxt = times[i + 1] if i + 1 < len(times) else None
        window = nxt is not None and _is_window(text, ev, nxt)
        last = nxt if nxt is not None and window else ev
        h = bisect_left(habit_at, ev.start - 80)
        habitual = h < len(habit_at) and habit_at[h] < ev.start and _HABITUAL.search(low, max(0, ev.start - 80), ev.start)
        a = bisect_left(after_at, last.end)
        if habitual or (a < len(after_at) and after_at[a] < last.end + 60 and _HABITUAL_AFTER.match(low, last.end, last.end + 60)):
            skip.update((i + 1,) if window else ())
            continue  # "the outage that normally begins at 2300 … and ends at 0300": a schedule
        if not window and _outage_end(low, ev):
            continue
        line, ls, _ = context(text, ev.start, ev.end)
        if low.find("on the day of", ev.end, ev.end + 40) >= 0 and _DAY_OF.match(text, ev.end, ev.end + 40):
            continue  # "9 a.m. on the day of the webinar" is no event of its own
        kind = kinds.get((line, ev.start)) or kinds.setdefault((line, ev.start), classify_at(line, ev.start - ls, "event"))
        end: datetime | None = None
        approx = False
        if nxt is not None and window:
            end = nxt.when  # a window: "from 2300 EDT Saturday until 0300 EDT Sunday"
            skip.add(i + 1)
            if (k := _approx_end(text, times, i + 1)) is not None:
                end, approx = times[k].when, True
                skip.add(k)
        key = (kind, ev.iso())
        old = found.get(key)
        if old is not None and (old.end is not None or end is None):
            continue
        found[key] = Event(
            kind=kind, start=ev.when, label=label(line, ev.start - ls), end=end,
            # EDT/EST/UTC as stated (ET resolved by date); None: no zone in the text, never guessed
            zone=D.zone_abbrev(ev.when) if ev.zoned else None,
            url=_url_in(line, links_by_line), date_inferred=ev.date_inferred, end_approximate=approx,
        )  # fmt: skip
    return _merge_restated(list(found.values()))


def _merge_restated(events: list[Event]) -> list[Event]:
    """A zoneless time that restates a zoned one (``3:00PM – 5:00PM`` after ``3:00PM ET``, same
    day) is that event, not another: it is dropped, its end given to the zoned one if it had none."""
    zoned: dict[datetime, int] = {}
    for i, e in enumerate(events):
        if e.zoned:
            zoned.setdefault(e.start.replace(tzinfo=None), i)
    out = list(events)
    drop: set[int] = set()
    for i, e in enumerate(events):
        j = None if e.zoned else zoned.get(e.start)
        if j is None:
            continue
        drop.add(i)
        twin = out[j]
        if twin.end is None and e.end is not None:
            out[j] = replace(twin, end=e.end.replace(tzinfo=twin.start.tzinfo))
    # "… maintenance … starting at approximately 2:00 AM, and completed by 10:00 AM. … three outages
    # are expected with the first being at 2:00 AM": a point at a window's start is that window
    starts = {e.start for i, e in enumerate(out) if e.end is not None and i not in drop}
    drop |= {i for i, e in enumerate(out) if e.end is None and e.start in starts and e.kind not in ("deadline", "effective")}
    return [e for i, e in enumerate(out) if i not in drop]


# _DEADLINE_EN / _EFFECTIVE_EN read the ASCII-lowered text (feeds.scan.ascii_lower): 5x faster
_DEADLINE_EN = re.compile(
    r"(?:no later than|not later than|on or before|must be (?:filed|submitted|received)(?: by| on or before)?|"
    r"deadline(?: is| of)?|due (?:by|on)|comments? (?:are )?due|by close of business on|by)\s*$"
)
_EFFECTIVE_EN = re.compile(
    r"(?:effective(?: on| date:?| as of| for [^.\n]{0,60}? on or after)?|take[sn]? effect(?: on)?|beginning(?: on)?|"
    r"starting(?: on)?|as of|on or after|go(?:es)? live on|will be live on|live on)\s*$"
)
# The last word of every _DEADLINE_EN / _EFFECTIVE_EN phrase: a date after any other word is
# neither, so the two searches run only after one of these.
_KIND_LAST_WORDS = frozenset(
    ["than", "before", "filed", "submitted", "received", "by", "deadline", "is", "of", "on", "due", "effective", "date", "after", "effect", "beginning", "starting"]
)


def _word_before(low: str, pos: int) -> str:
    """The lowered word just before ``pos`` (spaces and one colon skipped)."""
    j = pos
    while j > 0 and low[j - 1] in " \t\n\r\f\v":
        j -= 1
    if j > 0 and low[j - 1] == ":":
        j -= 1
    k = j
    while k > 0 and "a" <= low[k - 1] <= "z":
        k -= 1
    return low[k:j]


_RANGE_EN = re.compile(r"\s*(?:\([A-Za-z]+\))?\s*(?:through|thru|to|until|–|—|-)\s*$", re.I)
_BY_BEFORE = re.compile(r"\b(?:by|before|due)\b")


def english_dates(text: str, published: datetime) -> list[DatedFact]:
    """Effective dates, deadlines and ranges (``DATE through DATE``) named in English text."""
    found = D.parse_en_dates(text, published.date())
    stamps = stamp_spans(text)
    low = ascii_lower(text)
    out: list[DatedFact] = []
    seen: set[tuple[str, date]] = set()
    used: set[int] = set()
    for i, d in enumerate(found):
        if i in used or in_spans(d.start, stamps):
            continue
        b0 = max(0, d.start - 80)
        nxt = found[i + 1] if i + 1 < len(found) else None
        if nxt and _RANGE_EN.match(text, d.end, nxt.start):
            line, ls, _ = context(text, d.start, d.end)
            lab = label(line, d.start - ls)
            out.append(DatedFact("range_start", d.value, lab))
            out.append(DatedFact("range_end", nxt.value, lab))
            used.add(i + 1)
            continue
        keyword = _word_before(low, d.start) in _KIND_LAST_WORDS  # else neither pattern can end here
        if keyword and _DEADLINE_EN.search(low, b0, d.start):
            kind = "deadline"
        elif keyword and _EFFECTIVE_EN.search(low, b0, d.start):
            kind = "effective"
        elif _BY_BEFORE.search(low, max(0, d.start - 25), d.start) and "comment" in context(low, d.start, d.end)[0]:
            kind = "deadline"
        else:
            kind = "mentioned"
        key = (kind, d.value)
        if key not in seen:  # long messages repeat dates; label each once
            seen.add(key)
            line, ls, _ = context(text, d.start, d.end)
            out.append(DatedFact(kind, d.value, label(line, d.start - ls)))
    return dedupe_dates(out)


