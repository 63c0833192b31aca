"""Source kind → parser. Each parser is a pure function of the fetched bytes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from functools import partial

from feeds.csms import parse_csms_rss, parse_csms_widget
from feeds.fedreg import parse_federal_register
from feeds.model import CSMS_RSS, CSMS_WIDGET, FEDERAL_REGISTER, RSS, Announcement
from feeds.parsing import ParseResult
from feeds.rss import parse_rss
from feeds.safetext import visible

Parser = Callable[[bytes, str], ParseResult]


def _kind_parser(kind: str, *, now: datetime, language: str) -> Parser:
    if kind == CSMS_RSS:
        return partial(parse_csms_rss, now=now)
    if kind == CSMS_WIDGET:
        return partial(parse_csms_widget, now=now)
    if kind == FEDERAL_REGISTER:
        return partial(parse_federal_register, now=now)
    if kind == RSS:
        return partial(parse_rss, now=now, language=language)
    raise KeyError(kind)


def _shown_safely(item: Announcement) -> Announcement:
    title, body = visible(item.title), visible(item.body)
    if title == item.title and body == item.body:
        return item
    return dataclasses.replace(item, title=title, body=body)


def parser_for(kind: str, *, now: datetime, language: str = "en") -> Parser:
    """The parser of ``kind``; whatever it returns has no control or bidi characters in its
    titles and texts (:mod:`feeds.safetext`), whichever source kind wrote them."""
    parse = _kind_parser(kind, now=now, language=language)

    def parse_visible(body: bytes, source: str) -> ParseResult:
        result = parse(body, source)
        return dataclasses.replace(result, items=tuple(_shown_safely(i) for i in result.items))

    return parse_visible
