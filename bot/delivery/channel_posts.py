"""Topics posted to Telegram channels (``[[telegram.channel_posts]]``).

Telegram lets one bot send about 30 messages a second, so 100,000 private chats take about
55 minutes whatever we do. A channel post reaches every member at once. Each configured channel
becomes an ordinary subscriber (``channel_posts:<chat id>``) following its configured topics,
so an announcement is matched, rendered and queued through the outbox like any alert: one
outbox row per channel per announcement, paced as a channel (20 posts a minute), retried,
never repeated.

The configuration is the truth for the subscribers it creates: topics added or removed there
are added or removed here, and a channel dropped from it is paused (and resumed if it comes
back). A channel that already was a subscriber on its own (added with the CLI or by its
admins in Telegram) only gains the configured topics; nothing of its own is removed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlite_utils import Database

from bot.config import TelegramChannelPost
from state.subscribers import (
    add_subscriber,
    find_by_address,
    list_subscribers,
    set_status,
    subscribe,
    subscriptions_of,
    unsubscribe,
)

log = logging.getLogger(__name__)

PREFIX = "channel_posts:"
DROPPED = "removed from [[telegram.channel_posts]]"


def _kind(topic: str) -> tuple[str, str]:
    return ("all", "") if topic == "all" else ("topic", topic)


def sync_channel_posts(db: Database, posts: Sequence[TelegramChannelPost], *, now: datetime) -> None:
    wanted: dict[str, set[tuple[str, str]]] = defaultdict(set)
    language: dict[str, str] = {}
    for post in posts:
        wanted[post.chat_id].add(_kind(post.topic))
        language.setdefault(post.chat_id, post.language)
    with db.atomic():
        for chat, kinds in wanted.items():
            sub = find_by_address(db, "telegram", chat)
            if sub is None:
                sub = add_subscriber(db, name=PREFIX + chat, channel="telegram", address=chat, now=now,
                                     language=language[chat])  # fmt: skip
                log.info("telegram channel posts subscriber=%s chat=%s", sub.id, chat)
            managed = sub.name == PREFIX + chat
            have = {(s.kind, s.value) for s in subscriptions_of(db, sub.id) if s.kind in ("all", "topic")}
            for kind, value in sorted(kinds - have):
                subscribe(db, sub.id, kind, value, now=now)
            if managed:
                for kind, value in sorted(have - kinds):
                    unsubscribe(db, sub.id, kind, value)
                if sub.status == "paused" and sub.status_reason == DROPPED:
                    set_status(db, sub.id, "active")
        for sub in list_subscribers(db):
            if sub.name.startswith(PREFIX) and sub.address not in wanted and sub.status == "active":
                set_status(db, sub.id, "paused", DROPPED)
                log.info("telegram channel posts paused subscriber=%s chat=%s", sub.id, sub.address)
