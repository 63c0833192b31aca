"""Generic RSS/Atom sources: Taiwanese agencies (關務署, 國際貿易署, 關港貿單一窗口) and associations."""

from __future__ import annotations

from datetime import datetime

from feeds.model import RSS, Announcement
from feeds.parsing import ParseResult, parse_feed_entries


def parse_rss(body: bytes, source: str, *, now: datetime, language: str = "zh-TW") -> ParseResult:
    entries, warnings = parse_feed_entries(body, now=now)
    items = tuple(
        Announcement(
            key=f"guid:{source}:{e.guid}",
            source=source,
            kind=RSS,
            ext_id=e.guid,
            title=e.title,
            url=e.link,
            published=e.published,
            body=e.body,
            language=language,
            meta={} if e.dated else {"undated": True},
        )
        for e in entries
    )
    return ParseResult(items=items, warnings=warnings)
