"""What an announcement is about: topics (with the rule that matched), facts, a zh-TW summary.

Pure and total: ``understand`` never raises on odd input (empty, huge, binary-looking, HTML
soup); the worst case is an Understanding whose summary is the could-not-understand marker.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime

from bot.understand.summary import COULD_NOT_UNDERSTAND, summarize
from feeds.factmodel import Facts
from feeds.facts import MAX_CHARS, empty_facts, extract_facts, mark_past
from feeds.model import Announcement
from feeds.text import html_to_text, looks_like_html
from feeds.topics import tag

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TopicHit:
    topic: str
    rule: str


@dataclass(frozen=True, slots=True)
class Understanding:
    topics: tuple[TopicHit, ...]
    facts: Facts
    summary_zh: str


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def looks_binary(text: str) -> bool:
    """Mostly control characters or U+FFFD: decoded bytes that were never text."""
    sample = text[:4000]
    return bool(sample) and len(_CONTROL.findall(sample)) > len(sample) * 0.1


def clean_body(body: str) -> str:
    body = body[:MAX_CHARS]
    if looks_like_html(body):
        body = html_to_text(body)
    return _CONTROL.sub(" ", body)


def understand(ann: Announcement, *, now: datetime | None = None) -> Understanding:
    """Facts, topics and the deterministic 繁體中文 summary of one announcement."""
    if looks_binary(ann.body) and looks_binary(ann.title or "\x00"):
        facts = replace(empty_facts(), published=ann.published)
        return Understanding((), facts, COULD_NOT_UNDERSTAND)
    title = _CONTROL.sub(" ", ann.title)[:500]
    body = "" if looks_binary(ann.body) else clean_body(ann.body)
    links = [str(x) for x in ann.meta.get("links", [])] if isinstance(ann.meta.get("links"), list) else []
    facts = extract_facts(title, body, published=ann.published, links=links, dated=not (ann.meta or {}).get("undated"))
    if facts.csms_number is None and ann.kind.startswith("csms"):
        facts = replace(facts, csms_number=ann.ext_id)
    if not facts.prefix and ann.meta.get("prefix"):
        facts = replace(facts, prefix=str(ann.meta["prefix"]))
    stamps = [t for t in (facts.published, now) if t is not None and t.tzinfo is not None]
    if stamps:  # over at the document's own date, or when it is read: never shown as upcoming
        facts = mark_past(facts, max(stamps))
    source = f"{ann.source} {ann.url}"
    hits = tuple(TopicHit(t.topic, t.rule) for t in tag(title, body, source=source, facts=facts.to_json()))
    summary = summarize(facts, [h.topic for h in hits], title=title, body=body, language=ann.language, now=now)
    facts = replace(facts, topics=tuple(h.topic for h in hits))
    return Understanding(hits, facts, summary)
