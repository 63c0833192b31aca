"""Announcement × subscriptions → who gets an alert, and why (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.understand.understanding import Understanding
from feeds.model import Announcement
from feeds.normalize import ascii_digits
from feeds.topics import TOPICS
from state.subscribers import Subscription


def _digits(text: str) -> str:
    return ascii_digits(text)  # ８４７１ and 8471 are the same prefix


def match_announcement(
    ann: Announcement,
    u: Understanding,
    subscriptions: Mapping[int, Sequence[Subscription]],
) -> dict[int, list[str]]:
    """Subscriber id → reasons (繁體中文), for every subscriber with at least one match."""
    text = f"{ann.ext_id}\n{ann.title}\n{ann.body}".casefold()  # CSMS / FR number too
    topics = {hit.topic: hit.rule for hit in u.topics}
    hts = [_digits(h) for h in u.facts.hts]
    out: dict[int, list[str]] = {}
    for sid, subs in subscriptions.items():
        if any(s.kind == "mute" and s.value in topics for s in subs):
            continue  # the subscriber muted a topic this item is on
        reasons = list(_reasons(ann, text, topics, hts, subs))
        if reasons:
            out[sid] = reasons
    return out


def _reasons(
    ann: Announcement,
    text: str,
    topics: Mapping[str, str],
    hts: Sequence[str],
    subs: Iterable[Subscription],
) -> Iterable[str]:
    for s in subs:
        if s.kind == "all":
            yield "訂閱全部訊息"
        elif s.kind == "topic" and s.value in topics:
            yield f"主題：{topic_label(s.value)}（{topics[s.value]}）"
        elif s.kind == "keyword" and s.value.casefold() in text:
            yield f"關鍵字：「{s.value}」"
        elif s.kind == "source" and s.value == ann.source:
            yield f"來源：{s.value}"
        elif s.kind == "hts" and (prefix := _digits(s.value)) and any(h.startswith(prefix) for h in hts):
            yield f"稅則號列：{s.value}"


def topic_label(topic_id: str) -> str:
    """The topic's 繁體中文 name where the taxonomy knows it, else its id."""
    entry = TOPICS.get(topic_id)
    return entry.zh if entry is not None else topic_id
