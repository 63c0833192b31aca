"""Fast candidate scans shared by the date, time and number readers.

Python's ``re`` is quick when a pattern starts with a literal and slow when it starts with a
look-around, an alternation or ``re.IGNORECASE``. So each reader first finds the few places
where its form can start with a cheap pattern (on an ASCII-lowered copy of the text, or on a
literal such as ``/`` or ``@``), then parses only there with the exact pattern
(``pattern.match(text, pos)``). Results are the same as one ``finditer`` over the whole text.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=8)
def ascii_lower(text: str) -> str:
    """The text with A–Z lowered, no-break and ideographic spaces as `` `` and every other
    non-ASCII character as ``?``: same length, so a position in it is the position in ``text``."""
    for space in ("\xa0", "\u2009", "\u202f", "\u3000"):
        if space in text:
            text = text.replace(space, " ")
    return text.encode("ascii", "replace").lower().decode("ascii")


def word_start(text: str, pos: int) -> bool:
    """``\\b`` before ``pos`` when ``text[pos]`` is a word character."""
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_")


def matches_at(rx: re.Pattern[str], text: str, starts: Iterator[int]) -> Iterator[re.Match[str]]:
    """``rx.match`` at each candidate start (ascending), skipping starts inside a previous match:
    what ``rx.finditer(text)`` yields when every match begins at a candidate."""
    last = -1
    for s in starts:
        if s < last:
            continue
        m = rx.match(text, s)
        if m is not None and m.end() > m.start():
            last = m.end()
            yield m


_STAMP_HINT = re.compile(r"/\d{1,2}/\d{2,4}\s+\d{1,2}:\d\d\s*[AaPp]")
_STAMP_LINE = re.compile(
    r"[ \t]*(?:posted\b[^\n]{0,60}?\bon\s+)?\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}\s*[AP]M(?:\s+[A-Z]{2,4})?"
    r"(?:[ \t]*[|\u00b7\u2022][^\n]{0,40})?[ \t]*$",  # "01/01/2019 9:00 AM | Anonymous": a post's byline
    re.I | re.M,
)


_SENT_AT = re.compile(r"(?i)sent this bulletin at\s+\d{1,2}/\d{1,2}/\d{2,4}(?:\s+\d{1,2}:\d\d\s*[AP]M)?(?:\s+[A-Z]{2,4}\b)?")


@lru_cache(maxsize=8)
def stamp_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Publication stamps (``06/15/2012 03:23 PM EDT`` alone on a line or before a ``| author``
    byline, ``Posted … on …``, ``sent this bulletin at …``): where a time is the message's own,
    not an event."""
    spans: list[tuple[int, int]] = []
    for h in _STAMP_HINT.finditer(text):
        ls = text.rfind("\n", 0, h.start()) + 1
        m = _STAMP_LINE.match(text, ls)
        if m is not None and (not spans or spans[-1][0] != m.start()):
            spans.append((m.start(), m.end()))
    low = ascii_lower(text)
    spans += date_label_spans(text, low)
    at = low.find("sent this bulletin at")
    while at >= 0:
        m = _SENT_AT.match(text, at)
        spans.append((at, m.end() if m else at + 21))
        at = low.find("sent this bulletin at", at + 1)
    return tuple(sorted(spans))


# A page's own date under a label at the start of a line (「 date 2026-02-09」, "Date: 2018.06.13 /
# 神通資科", "Date:2001-02-14") or a post's "May 31, 2018 | 0 comments": the page's stamp, no fact.
_DATE_LABEL = re.compile(r"(?im)^[ \t]*date[ \t]*:?[ \t|]*(?:19|20)\d\d[-./]\d{1,2}[-./]\d{1,2}\b")
# ... or a posting-date label alone on its line with the date alone under it ("Document Posting
# Date:" / "March 10, 2014"); an "Effective Date:" label is no stamp
_DATE_UNDER_LABEL = re.compile(
    r"(?i)[ \t]*(?:document[ \t]+)?(?:(?:posting|posted|published|publication|last[ \t]+(?:modified|updated|reviewed))[ \t]+)?"
    r"date[ \t]*:[ \t]*\n[ \t]*(?:[a-z]{3,9}day,[ \t]*)?[a-z]{3,9}\.?[ \t]+\d{1,2},[ \t]*(?:19|20)\d\d[ \t]*(?=\n|$)"
)
_COMMENTS_STAMP = re.compile(r"(?im)^[ \t]*[a-z]{3,9}\.?[ \t]+\d{1,2},[ \t]*(?:19|20)\d\d[ \t]*\|[ \t]*(?:\d+|no)[ \t]+comments?\b")


# A periodical's issue line dates the issue, not the matter: "[Federal Register Volume 85, Number
# 58 (Wednesday, March 25, 2020)]", "Volume 83, Issue 188 (September 27, 2018)", a bulletin's
# running head "VOL. 54, NO. 13, APRIL 8, 2020". A Federal Register filing stamp "[FR Doc.
# 2023-18718 Filed 8-29-23; 8:45 am]" and a reprint's "Originally published [06/25/2018]" likewise.
_ISSUE_LINE = re.compile(
    r"(?i)\bvol(?:ume)?\.?[ \t]*\d+[ \t]*,?[ \t]*(?:no\.?|number|issue)[ \t]*\d+[ \t]*,?[ \t]*\(?[ \t]*"
    r"(?:[a-z]+day,?[ \t]*)?[a-z]{3,9}\.?[ \t]+\d{1,2},[ \t]*(?:19|20)\d\d"
)
_FILED = re.compile(r"(?i)\bfr[ \t]+doc\.?[ \t]*(?:no\.?:?[ \t]*)?[\d-]+[ \t]+filed[ \t]+\d{1,2}-\d{1,2}-\d{2,4};?[ \t]*\d{1,2}:\d\d[ \t]*[ap]\.?m\b\.?")
_REPRINTED = re.compile(
    r"(?i)\boriginally[ \t]+published(?:[ \t]+on)?[ \t]*:?[ \t]*\[?[ \t]*(?:\d{1,2}/\d{1,2}/\d{2,4}|[a-z]{3,9}\.?[ \t]+\d{1,2},[ \t]*(?:19|20)\d\d)"
)
# The older GPO header "[Federal Register: March 14, 2000 (Volume 65, Number 50)]" and a citation
# line's date alone under it ("53 FR 16730" / "May 11, 1988"): the issue's date as well.
_ISSUE_HEAD = re.compile(r"(?i)federal[ \t]+register[ \t]*:[ \t]*[a-z]{3,9}\.?[ \t]+\d{1,2},[ \t]*(?:19|20)\d\d[ \t]*\([ \t]*vol")
_CITATION_LINE = re.compile(r"(?i)fr[ \t]+\d{1,6}[ \t]*\n[ \t]*[a-z]{3,9}\.?[ \t]+\d{1,2},[ \t]*(?:19|20)\d\d[ \t]*(?=\n|$)")
_CITATION_BEFORE = re.compile(r"[ \t]*\d{1,3}[ \t]+")
_OWN_STAMPS = (("vol", _ISSUE_LINE), ("fr doc", _FILED), ("originally published", _REPRINTED), ("federal register", _ISSUE_HEAD))


# A full date alone on one of a page's first lines, under its title ("July 17, 2018", "Tuesday,
# February 27, 2024", also day first: "21 October 2002"): the post's or newsletter's own date, a
# stamp like a bulletin's.
_TOP_DATE_LINE = re.compile(
    r"[ \t]*(?:[A-Za-z]{3,9}day,[ \t]*)?(?:[A-Za-z]{3,9}\.?[ \t]+\d{1,2},|\d{1,2}[ \t]+[A-Za-z]{3,9}\.?)[ \t]*(?:19|20)\d\d[ \t]*(?=\n|$)"
)
_TOP_LINES = 4


def _top_date_lines(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    at, seen = 0, 0
    while seen < _TOP_LINES and at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        if text[at:end].strip():
            seen += 1
            if (m := _TOP_DATE_LINE.match(text, at, end)) is not None:
                out.append((m.start(), m.end()))
        at = end + 1
    return out


def date_label_spans(text: str, low: str | None = None) -> list[tuple[int, int]]:
    """Where a page's own date is written as a stamp: a ``Date:`` label line, a post's date
    before its comment count (``May 31, 2018 | 0 comments``), a date alone on one of the page's
    first lines, a periodical's issue line, a
    Federal Register filing stamp or a reprint's "Originally published" date."""
    low = low if low is not None else ascii_lower(text)
    out: list[tuple[int, int]] = _top_date_lines(text)
    for word, rx in _OWN_STAMPS:
        at = low.find(word)
        while at >= 0:
            if (m := rx.match(text, at)) is not None:
                out.append((m.start(), m.end()))
            at = low.find(word, at + len(word))
    at = low.find(" fr ")
    while at >= 0:  # "53 FR 16730" alone on its line, the issue's date alone on the next
        if _CITATION_BEFORE.fullmatch(text, low.rfind("\n", 0, at) + 1, at + 1) and (m := _CITATION_LINE.match(text, at + 1)) is not None:
            out.append((m.start(), m.end()))
        at = low.find(" fr ", at + 4)
    at = low.find("date")
    while at >= 0:
        ls = low.rfind("\n", 0, at) + 1
        if (m := _DATE_LABEL.match(text, ls) or _DATE_UNDER_LABEL.match(text, ls)) is not None and m.end() > at:
            out.append((m.start(), m.end()))
        at = low.find("date", at + 4)
    at = low.find("comment")
    while at >= 0:
        ls = low.rfind("\n", 0, at) + 1
        if (m := _COMMENTS_STAMP.match(text, ls)) is not None:
            out.append((m.start(), m.end()))
        at = low.find("comment", at + 7)
    return out


def in_spans(pos: int, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(a <= pos < b for a, b in spans)


# ---------------------------------------------------------------------------------------------
# Literal-first search for patterns written as data (topic rules, the summary's readings)
# ---------------------------------------------------------------------------------------------

# The only non-ASCII characters Python's Unicode IGNORECASE matches to an ASCII letter
# (İ, ı, ſ, the Kelvin sign): a text holding one is searched the plain way.
_UNICODE_TO_ASCII_CASE = frozenset("\u0130\u0131\u017f\u212a")


@lru_cache(maxsize=8)
def lowered(text: str) -> str | None:
    """``text.lower()`` when it keeps every position (it does unless the text holds one of the
    few letters whose lower case is longer, such as İ), else None."""
    low = text.lower()
    return low if len(low) == len(text) else None


@lru_cache(maxsize=8)
def _has_odd_case(text: str) -> bool:
    return any(c in text for c in _UNICODE_TO_ASCII_CASE)


def _prefixes(items: list[tuple[Any, Any]]) -> list[str] | None:
    """The literal text every match of this (parsed) pattern starts with, one per alternative;
    None when some match can start otherwise (a class, a repeat, a flag change)."""
    from re import _constants as c  # type: ignore[attr-defined]

    i = 0
    while i < len(items) and items[i][0] is c.AT:  # \b, ^: zero-width, the match starts at the literal
        i += 1
    if i >= len(items):
        return None
    op, av = items[i]
    if op is c.LITERAL:
        chars = []
        while i < len(items) and items[i][0] is c.LITERAL:
            chars.append(chr(items[i][1]))
            i += 1
        return ["".join(chars)]
    if op is c.BRANCH:
        out: list[str] = []
        for branch in av[1]:
            p = _prefixes(list(branch))
            if p is None:
                return None
            out += p
        return out
    if op is c.SUBPATTERN and not av[1] and not av[2]:  # a group, no flags
        return _prefixes(list(av[3]))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):  # "(?:customs )?brokers?": the repeated part, or what follows
        first = _prefixes(list(av[2]))
        if first is None or av[0]:
            return first
        rest = _prefixes(items[i + 1 :])
        return None if rest is None else first + rest
    return None


@lru_cache(maxsize=512)
def literal_prefixes(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    """Where ``rx`` can match, as literal prefixes to find (lowered when it ignores case), or
    None when it cannot be said (then it is searched the plain way)."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        found = _prefixes(list(_parser.parse(rx.pattern, rx.flags & ~re.UNICODE)))
    except Exception:  # an internal parser that changed: the plain way is always right
        return None
    if not found or any(len(p) < 2 for p in found):
        return None  # a one-character start is no cheaper to find than to match
    if rx.flags & re.IGNORECASE:
        if any(ch.lower() != ch.upper() and not ch.isascii() for p in found for ch in p):
            return None  # a non-ASCII cased letter: folded the Unicode way, not ours
        found = [p.lower() for p in found]
    return tuple(sorted(set(found)))


def literal_finditer(rx: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """What ``rx.finditer(text)`` yields, found by first looking for the literal text every
    match starts with (``str.find``) and matching only there: several times faster for
    case-insensitive patterns, which ``re`` cannot search by their literal."""
    prefixes = literal_prefixes(rx)
    ignore_case = bool(rx.flags & re.IGNORECASE)
    if prefixes is None or (ignore_case and not rx.flags & re.ASCII and _has_odd_case(text)):
        yield from rx.finditer(text)
        return
    hay = lowered(text) if ignore_case else text
    if hay is None:
        yield from rx.finditer(text)
        return
    # the candidates in order, lazily (a search stops at the first match): one cursor per prefix
    heap = [(at, p) for p in prefixes if (at := hay.find(p)) >= 0]
    heapq.heapify(heap)
    last = -1
    while heap:
        at, p = heap[0]
        nxt = hay.find(p, at + 1)
        if nxt >= 0:
            heapq.heapreplace(heap, (nxt, p))
        else:
            heapq.heappop(heap)
        if at < last:
            continue
        m = rx.match(text, at)
        if m is not None and m.end() > m.start():
            last = m.end()
            yield m


def literal_search(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``rx.search(text)``, found the literal-first way (``literal_finditer``)."""
    return next(literal_finditer(rx, text), None)
