"""Plain data passed from the feed side to the rest of the service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Source kinds understood by feeds.registry.
CSMS_RSS = "csms_rss"
CSMS_WIDGET = "csms_widget"
FEDERAL_REGISTER = "federal_register"
RSS = "rss"
SOURCE_KINDS = (CSMS_RSS, CSMS_WIDGET, FEDERAL_REGISTER, RSS)


@dataclass(frozen=True, slots=True)
class Announcement:
    """One item from one source, normalised.

    ``key`` is the dedupe identity across sources: ``csms:<number>`` for CBP CSMS messages
    (whether they came through the RSS or the widget), ``fr:<document number>`` for the
    Federal Register, ``guid:<source>:<guid>`` for everything else.
    """

    key: str
    source: str
    kind: str
    ext_id: str
    title: str
    url: str
    published: datetime  # aware
    body: str = ""  # clean text: tags stripped, entities decoded, paragraphs kept ("\n\n")
    language: str = "en"  # "en" or "zh-TW"
    meta: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.published.tzinfo is None or self.published.utcoffset() is None:
            raise ValueError(f"Announcement.published must be aware: {self.key}")
