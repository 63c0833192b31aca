"""Shared parsing pieces: the result type, the error type, and feedparser entries → plain rows."""

from __future__ import annotations

import calendar
import hashlib
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser

from feeds.model import Announcement
from feeds.text import html_to_text


class ParseError(Exception):
    """The document cannot be read as the source kind says; nothing from it is stored."""


@dataclass(frozen=True, slots=True)
class ParseResult:
    items: tuple[Announcement, ...]
    warnings: tuple[str, ...] = ()
    skipped: int = 0  # well-formed items deliberately left out (e.g. non-CSMS bulletins)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    guid: str
    title: str
    link: str
    published: datetime
    body: str
    dated: bool  # False when the feed gave no date and ``published`` is the fetch time


def _entry_time(entry: dict) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def parse_feed_entries(body: bytes, *, now: datetime) -> tuple[list[FeedEntry], tuple[str, ...]]:
    """RSS/Atom bytes → entries. Raises ``ParseError`` when nothing readable is there."""
    parsed = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=False)
    warnings: list[str] = []
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        # Broken XML (truncated download, mismatched tags) could yield half-read items;
        # refuse the whole document rather than store partial rows. Softer complaints
        # (a wrong declared encoding, a text/html content type) are read with a warning.
        if not parsed.entries or isinstance(exc, xml.sax.SAXException):
            raise ParseError(f"not a well-formed RSS/Atom document: {exc}")
        warnings.append(f"feed read leniently: {exc}")
    if not parsed.get("version") and not parsed.entries:
        raise ParseError("not an RSS/Atom document")
    entries = []
    for raw in parsed.entries:
        title = html_to_text(raw.get("title", "")).replace("\n", " ").strip()
        link = raw.get("link", "") or ""
        contents = raw.get("content") or []
        html = contents[0].get("value", "") if contents else raw.get("summary", "") or ""
        when = _entry_time(raw)
        guid = raw.get("id") or link or hashlib.sha1(title.encode()).hexdigest()[:16]
        if not title and not link:
            warnings.append("entry without title or link skipped")
            continue
        entries.append(
            FeedEntry(
                guid=str(guid),
                title=title,
                link=link,
                published=when or now,
                body=html_to_text(html),
                dated=when is not None,
            )
        )
    return entries, tuple(warnings)
