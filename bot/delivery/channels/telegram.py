"""The Telegram channel: one outbox row → one or more HTML messages through the Bot API.

Outcomes (see ``bot.delivery.channels.base``):

* the chat received something too recently → ``Deferred`` (not an attempt; only that chat waits);
* 429 ``RetryAfter`` → ``Retry(after=…)``, and only that chat is held back;
* 403 ``Forbidden`` (blocked, kicked) or 400 "chat not found" → ``Blocked`` (never retried);
* ``ChatMigrated`` → the subscriber's address becomes the new chat id and the part is resent;
* 400 "can't parse entities" → resent once as plain text, and logged;
* network errors, time-outs and 5xx → ``Retry`` (the delivery worker backs off).

Parts already delivered are recorded in ``telegram_parts``, so a retry never repeats them.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from sqlite_utils import Database
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.alerts.telegram_html import split_html, split_plain, visible_text
from bot.config import TelegramConfig
from bot.delivery.channels.base import Blocked, Deferred, Failed, Outcome, Retry, Sent
from bot.delivery.channels.pacing import Pacer
from state import telegram as tgstate
from state.outbox import OutboxMessage

log = logging.getLogger(__name__)

# Wait inline (rather than defer to the next sweep) between parts of one long message.
INLINE_PART_WAIT = 1.5

# 400 answers meaning "this chat cannot receive from us": pause it rather than fail each message.
NO_RECIPIENT = ("chat not found", "not enough rights", "have no rights", "chat_write_forbidden",
                "need administrator rights", "user is deactivated")  # fmt: skip

LABELS = {
    "zh-TW": {"url": "原文連結", "done": "已處理", "mute": "靜音此主題"},
    "en": {"url": "Original", "done": "Handled", "mute": "Mute topic"},
}


def retry_after_seconds(exc: RetryAfter) -> float:
    """``retry_after`` is an int in PTB 22 by default and a timedelta with PTB_TIMEDELTA."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def chat_ref(address: str) -> int | str:
    return int(address) if address.lstrip("-").isdigit() else address


def _http_url(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > 2000:
        return None
    parsed = urlparse(value)
    return value if parsed.scheme in ("http", "https") and parsed.netloc else None


def alert_keyboard(msg: OutboxMessage) -> InlineKeyboardMarkup | None:
    """原文連結 (URL), 已處理 and 靜音此主題 (callbacks) under the last part of a message."""
    labels = LABELS["en" if msg.language.startswith("en") else "zh-TW"]
    rows: list[list[InlineKeyboardButton]] = []
    url = _http_url(msg.payload.get("url"))
    if url:
        rows.append([InlineKeyboardButton(labels["url"], url=url)])
    buttons = msg.payload.get("buttons")
    if isinstance(buttons, list) and buttons:  # e.g. an association preview: 核可 / 編輯 / 略過
        rows.append([
            InlineKeyboardButton(str(b["text"])[:64], callback_data=str(b["callback"]))
            for b in buttons
            if isinstance(b, dict) and len(str(b.get("callback", "")).encode()) <= 64
        ])  # fmt: skip
        return InlineKeyboardMarkup(rows)
    if msg.kind == "forward":  # a member's copy: the link only
        return InlineKeyboardMarkup(rows) if rows else None
    actions = [InlineKeyboardButton(labels["done"], callback_data=f"done:{msg.id}")]
    topics = msg.payload.get("topics") or []
    if topics and isinstance(topics[0], str) and len(f"mute:{topics[0]}".encode()) <= 64:
        actions.append(InlineKeyboardButton(labels["mute"], callback_data=f"mute:{topics[0]}"))
    rows.append(actions)
    return InlineKeyboardMarkup(rows)


MigrateHook = Callable[[OutboxMessage, str], Awaitable[None] | None]


class TelegramChannel:
    name = "telegram"

    def __init__(
        self,
        config: TelegramConfig,
        *,
        db: Database | None = None,
        bot: Bot | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        token = config.token.get_secret_value() if config.token else ""
        self._token = token
        self._bot = bot or Bot(
            token,
            base_url=config.base_url,
            base_file_url=config.base_file_url,
            request=HTTPXRequest(connection_pool_size=8, read_timeout=20, connect_timeout=10),
        )
        self._db = db
        self._clock = clock
        self._sleep = sleep
        self._wall = wall
        self._ready = False
        self.max_in_flight = config.max_in_flight  # sends overlapping on this channel (worker.py)
        self.pacer = Pacer(
            per_second=config.messages_per_second,
            private_interval=config.per_chat_interval,
            group_per_minute=config.per_group_per_minute,
        )

    @property
    def bot(self) -> Bot:
        return self._bot

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    async def _ensure_ready(self) -> None:
        if not self._ready:
            await self._bot.initialize()
            self._ready = True

    def _migrate(self, msg: OutboxMessage, new_chat: str) -> None:
        """The group became a supergroup: its subscriber now lives at the new chat id."""
        if self._db is None:
            return
        from state.subscribers import find_by_address, update_subscriber

        taken = find_by_address(self._db, "telegram", new_chat)
        if taken is not None and taken.id != msg.subscriber_id:
            log.warning(
                "chat migrated to an id another subscriber has subscriber=%s other=%s",
                msg.subscriber_id, taken.id,
            )  # fmt: skip
            return
        update_subscriber(self._db, msg.subscriber_id, address=new_chat)
        log.info("chat migrated subscriber=%s old=%s new=%s", msg.subscriber_id, msg.address, new_chat)

    def _parts(self, msg: OutboxMessage) -> tuple[list[str], bool]:
        """(parts, is_html): each at most 4096 visible characters."""
        if msg.html:
            return [chunk for part in msg.html for chunk in split_html(part)], True
        return split_plain(msg.text), False

    async def send(self, msg: OutboxMessage) -> Outcome:
        try:
            await self._ensure_ready()
        except InvalidToken as exc:
            return Retry(f"invalid token: {self._redact(str(exc))}")
        except TelegramError as exc:
            return Retry(f"getMe failed: {type(exc).__name__}: {self._redact(str(exc))}")
        parts, is_html = self._parts(msg)
        done = tgstate.sent_parts(self._db, msg.id) if self._db is not None else {}
        chat = msg.address
        notes: list[str] = []
        migrated = False
        fallback_used = False
        sent_now = 0
        keyboard = alert_keyboard(msg)
        index = 0
        while index < len(parts):
            if index in done:
                index += 1
                continue
            wait = self.pacer.chat_wait(chat, self._clock())
            if wait > 0:
                if sent_now and wait <= INLINE_PART_WAIT:
                    await self._sleep(wait)
                else:
                    return Deferred(f"chat {chat} paced", after=wait)
            # Sends overlap when max_in_flight > 1: hold the chat's gap from the start of this one.
            reserved = self.pacer.reserve_chat(chat, self._clock()) if self.max_in_flight > 1 else None
            delay = self.pacer.reserve_global(self._clock())
            if delay > 0:
                await self._sleep(delay)
            last = index == len(parts) - 1
            text = parts[index]
            plain = not is_html
            try:
                message = await self._bot.send_message(
                    chat_id=chat_ref(chat),
                    text=text,
                    parse_mode=ParseMode.HTML if is_html else None,
                    reply_markup=keyboard if last else None,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except RetryAfter as exc:
                after = retry_after_seconds(exc)
                self.pacer.hold(chat, self._clock() + after)
                return Retry(f"429 retry_after={after:g}s chat={chat} part={index}", after=after)
            except Forbidden as exc:
                return Blocked(f"403 {self._redact(exc.message)} chat={chat}")
            except ChatMigrated as exc:
                if migrated:
                    return Retry(f"migrated twice chat={chat}")
                migrated = True
                new_chat = str(exc.new_chat_id)
                notes.append(f"migrated_from={chat}")
                if reserved is not None:
                    self.pacer.release_chat(chat, reserved)
                self._migrate(msg, new_chat)
                chat = new_chat
                continue
            except BadRequest as exc:
                reason = self._redact(exc.message)
                lowered = reason.lower()
                if any(m in lowered for m in NO_RECIPIENT):
                    return Blocked(f"400 {reason} chat={chat}")
                if "can't parse entities" in lowered and is_html and not fallback_used:
                    fallback_used = True
                    log.warning(
                        "html rejected, resending as plain text outbox_id=%s chat=%s error=%s",
                        msg.id, chat, reason,
                    )  # fmt: skip
                    notes.append("plain_fallback")
                    if reserved is not None:
                        self.pacer.release_chat(chat, reserved)
                    plain_text = msg.text if len(msg.html) == 1 and msg.text else visible_text(text)
                    remaining = [p for i, p in enumerate(parts) if i > index and i not in done]
                    parts = parts[:index] + split_plain(plain_text) + remaining
                    is_html = False
                    continue
                return Failed(f"400 {reason} chat={chat} part={index}")
            except InvalidToken as exc:
                return Retry(f"invalid token: {self._redact(str(exc))}")
            except TimedOut as exc:
                return Retry(f"timed out chat={chat} part={index}: {self._redact(str(exc))}")
            except NetworkError as exc:
                return Retry(f"network chat={chat} part={index}: {self._redact(str(exc))}")
            except TelegramError as exc:
                return Retry(f"{type(exc).__name__}: {self._redact(str(exc))}")
            self.pacer.note_sent(chat, self._clock())
            sent_now += 1
            done[index] = message.message_id
            if self._db is not None:
                tgstate.record_part(
                    self._db, msg.id, index, chat_id=chat, message_id=message.message_id,
                    plain=plain, now=self._wall(),
                )  # fmt: skip
            index += 1
        ids = ",".join(str(done[i]) for i in sorted(done))
        return Sent(" ".join([f"chat={chat} parts={len(parts)} message_ids={ids}", *notes]))

    async def close(self) -> None:
        if self._ready:
            try:
                await self._bot.shutdown()
            except Exception:  # closing must not raise at shutdown
                log.debug("bot shutdown failed", exc_info=True)
            self._ready = False
