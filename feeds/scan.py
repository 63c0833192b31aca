"""Fast candidate scans shared by the date, time and number readers.

Python's ``re`` is quick when a pattern starts with a literal and slow when it starts with a
look-around, an alternation or ``re.IGNORECASE``. So each reader first finds the few places
where its form can start with a cheap pattern (on an ASCII-lowered copy of the text, or on a
literal such as ``/`` or ``@``), then parses only there with the exact pattern
(``pattern.match(text, pos)``). Results are the same as one ``finditer`` over the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache


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
    at = low.find("sent this bulletin at")
    while at >= 0:
        m = _SENT_AT.match(text, at)
        spans.append((at, m.end() if m else at + 21))
        at = low.find("sent this bulletin at", at + 1)
    return tuple(sorted(spans))


def in_spans(pos: int, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(a <= pos < b for a, b in spans)
