"""Source kind → parser. Each parser is a pure function of the fetched bytes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from feeds.csms import parse_csms_rss, parse_csms_widget
from feeds.fedreg import parse_federal_register
from feeds.model import CSMS_RSS, CSMS_WIDGET, FEDERAL_REGISTER, RSS
from feeds.parsing import ParseResult
from feeds.rss import parse_rss

Parser = Callable[[bytes, str], ParseResult]


def parser_for(kind: str, *, now: datetime, language: str = "en") -> Parser:
    if kind == CSMS_RSS:
        return partial(parse_csms_rss, now=now)
    if kind == CSMS_WIDGET:
        return partial(parse_csms_widget, now=now)
    if kind == FEDERAL_REGISTER:
        return partial(parse_federal_register, now=now)
    if kind == RSS:
        return partial(parse_rss, now=now, language=language)
    raise KeyError(kind)
