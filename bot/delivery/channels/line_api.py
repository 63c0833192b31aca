"""LINE Messaging API through line-bot-sdk v3 (its asyncio client runs on aiohttp).

Shared by the LINE channel (push), the webhook (reply) and the operator's views (quota).
``api_base`` becomes the SDK's ``host``, so tests point it at a local fake server.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import aiohttp
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    ReplyMessageRequest,
    TextMessage,
)
from sqlite_utils import Database

from bot.alerts.telegram_html import split_plain, utf16_len
from bot.config import LineConfig
from state import line as linestate

log = logging.getLogger(__name__)

MAX_TEXT = 5000  # characters per text message (LINE counts UTF-16 units; so do we)
MAX_PER_REQUEST = 5  # message objects per push or reply


def sdk_configuration(config: LineConfig) -> Configuration:
    token = config.channel_access_token.get_secret_value() if config.channel_access_token else ""
    return Configuration(host=config.api_base.rstrip("/"), access_token=token)


@asynccontextmanager
async def messaging_api(config: LineConfig) -> AsyncIterator[AsyncMessagingApi]:
    """A short-lived client (the webhook's replies, quota look-ups)."""
    client = AsyncApiClient(sdk_configuration(config))
    try:
        yield AsyncMessagingApi(client)
    finally:
        await client.close()


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Text messages of at most ``limit`` UTF-16 units, cut at paragraph boundaries first."""
    parts: list[str] = []
    for chunk in split_plain(text.strip(), limit):
        if utf16_len(chunk) <= limit:
            parts.append(chunk)
        else:  # astral characters count twice: half the limit always fits
            parts += split_plain(chunk, limit // 2)
    return [p for p in parts if p.strip()]


async def reply(config: LineConfig, reply_token: str, texts: list[str]) -> bool:
    """Answer a webhook event (free of quota). A failed reply is logged, never raised."""
    messages = [TextMessage(text=t) for t in texts if t][:MAX_PER_REQUEST]
    if not messages:
        return True
    try:
        async with messaging_api(config) as api:
            await api.reply_message(
                ReplyMessageRequest(reply_token=reply_token, messages=messages),
                _request_timeout=config.timeout,
            )
        return True
    except ApiException as exc:
        log.warning("line reply refused status=%s", exc.status)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        log.warning("line reply failed error=%s", type(exc).__name__)
    return False


def quota_warning(q: linestate.Quota | None, warn_below: float) -> str | None:
    """A bilingual warning when this month's free messages are (nearly) used up."""
    if q is None or q.remaining is None or not q.quota:
        return None
    if q.remaining <= 0:
        return f"LINE 本月訊息額度已用完（{q.used}/{q.quota}）/ LINE monthly quota used up"
    if q.remaining < q.quota * warn_below:
        return (
            f"LINE 本月訊息額度只剩 {q.remaining}（{q.used}/{q.quota}）"
            f" / LINE monthly quota nearly used up: {q.remaining} left"
        )
    return None


async def refresh_quota(db: Database, config: LineConfig, now: datetime) -> linestate.Quota | None:
    """Ask LINE for this month's quota and consumption; store them. Old figures on failure."""
    try:
        async with messaging_api(config) as api:
            quota = await api.get_message_quota(_request_timeout=config.timeout)
            used = await api.get_message_quota_consumption(_request_timeout=config.timeout)
    except ApiException as exc:
        linestate.quota_error(db, f"LINE answered {exc.status}", now)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        linestate.quota_error(db, f"LINE unreachable: {type(exc).__name__}", now)
    else:
        kind = str(getattr(quota.type, "value", quota.type))
        linestate.store_quota(db, kind=kind, quota=quota.value, used=int(used.total_usage or 0), now=now)
    q = linestate.get_quota(db)
    warning = quota_warning(q, config.quota_warn_below)
    if warning:
        log.warning("%s", warning)
    return q


def quota_view(q: linestate.Quota | None, warn_below: float) -> dict[str, object] | None:
    """What `run.py sources` and /health show about the quota."""
    if q is None:
        return None
    return {
        "type": q.kind,
        "quota": q.quota,
        "used": q.used,
        "remaining": q.remaining,
        "checked_at": q.checked_at.isoformat(),
        "error": q.error,
        "warning": quota_warning(q, warn_below),
    }
