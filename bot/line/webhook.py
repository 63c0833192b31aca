"""``POST /line/webhook``: LINE's events, signature first.

The ``X-Line-Signature`` header must be base64(HMAC-SHA256(channel secret, raw body)); it is
checked on the raw bytes before anything else is read, parsed or stored (401 otherwise).
Each event is applied once: its ``webhookEventId`` is stored in the transaction that applies
it, so LINE's redelivery (or anyone replaying a captured body) changes nothing twice; an
event older than the ids are kept for is refused by its timestamp.
Events are parsed with line-bot-sdk's models; follow / unfollow / text messages from a user
(1:1 chat) are handled, anything else is acknowledged and ignored. Replies use the event's
reply token (free, not counted in the month's quota) and are sent after the database work is
committed; a lost reply is logged, never retried (the user can ask again).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiohttp import web
from linebot.v3 import WebhookParser
from linebot.v3.webhooks import (
    FollowEvent,
    MessageEvent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)
from sqlite_utils import Database

from bot.config import Config
from bot.delivery.channels.line_api import reply
from bot.line import commands
from state import line as linestate

log = logging.getLogger(__name__)


def valid_signature(secret: str, body: bytes, signature: str) -> bool:
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return bool(signature) and hmac.compare_digest(expected, signature.strip())


def _too_old(event: object, now: datetime) -> bool:
    """An event from before what ``first_delivery`` remembers: its id may be forgotten, so a
    replayed body (a valid signature never expires) is refused by its age instead."""
    stamp = getattr(event, "timestamp", None)
    if not isinstance(stamp, int):
        return False
    return now - datetime.fromtimestamp(stamp / 1000, UTC) > linestate.EVENT_MEMORY


def handle_events(db: Database, config: Config, events: list, now: datetime) -> list[tuple[str, list[str]]]:
    """Apply each event; returns (reply token, texts) for the replies to send."""
    zone = ZoneInfo(config.service.timezone)
    replies: list[tuple[str, list[str]]] = []
    for event in events:
        source = getattr(event, "source", None)
        if not isinstance(source, UserSource) or not source.user_id:
            continue  # groups and rooms: not a subscriber surface (yet)
        user = source.user_id
        texts: list[str] = []
        if _too_old(event, now):
            log.warning("line event refused: older than %s (a replay?)", linestate.EVENT_MEMORY)
            continue
        try:
            with db.atomic():
                if not linestate.first_delivery(db, getattr(event, "webhook_event_id", None), now):
                    log.info("line event already applied (redelivery or replay), skipped")
                    continue
                if isinstance(event, FollowEvent):
                    texts = commands.on_follow(db, user, now)
                elif isinstance(event, UnfollowEvent):
                    commands.on_unfollow(db, user)
                elif isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
                    texts = commands.on_text(db, config, user, event.message.text, now, now.astimezone(zone).date())
        except Exception:  # one bad event must not lose the others (LINE would resend them all)
            log.exception("line event failed type=%s", getattr(event, "type", "?"))
            continue
        token = getattr(event, "reply_token", None)
        if token and texts:
            replies.append((token, texts))
    return replies


def make_webhook(db: Database, config: Config, clock: Callable[[], datetime]):
    secret = config.line.channel_secret.get_secret_value() if config.line.channel_secret else ""
    parser = WebhookParser(secret)

    async def webhook(request: web.Request) -> web.Response:
        body = await request.read()
        if not secret or not valid_signature(secret, body, request.headers.get("X-Line-Signature", "")):
            log.warning("line webhook: bad signature, refused")
            return web.Response(status=401, text="invalid signature")
        try:
            events = parser.parse(body.decode("utf-8"), request.headers["X-Line-Signature"].strip())
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            return web.Response(status=400, text="malformed body")
        now = clock()
        replies = handle_events(db, config, list(events), now)
        linestate.forget_old_events(db, now)
        for token, texts in replies:
            await reply(config.line, token, texts)
        return web.Response(text="OK")

    return webhook
