"""What an announcement is about: topics (with the rule that matched), facts, a zh-TW summary.

Foundation placeholder: a small keyword table and a title-only summary. The understanding
capability (issue 4) replaces the internals; the signature stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from feeds.model import Announcement


@dataclass(frozen=True, slots=True)
class TopicHit:
    topic: str
    rule: str


@dataclass(frozen=True, slots=True)
class Understanding:
    topics: tuple[TopicHit, ...]
    facts: dict
    summary_zh: str


_RULES = (
    ("ieepa_cape", re.compile(r"\b(IEEPA|CAPE)\b|退稅")),
    ("ace", re.compile(r"\bACE\b|outage|deployment")),
    ("de_minimis", re.compile(r"de minimis|Section 321|小額免稅", re.I)),
    ("tw_customs", re.compile(r"關務署|海關")),
)


def understand(ann: Announcement, *, now: datetime | None = None) -> Understanding:
    text = f"{ann.title}\n{ann.body}"
    hits = []
    for topic, rx in _RULES:
        m = rx.search(text)
        if m:
            hits.append(TopicHit(topic, f"text contains '{m.group(0)}'"))
    summary = f"標題：{ann.title}"
    return Understanding(tuple(hits), {"csms_number": ann.ext_id if ann.kind.startswith("csms") else None}, summary)
