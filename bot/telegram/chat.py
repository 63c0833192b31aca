"""What every handler needs about the chat an update came from: the bot's dependencies, the
chat's subscriber and language, and replying there.

Handlers look the subscriber up by the chat the update came from, never by an id the user
typed, so one chat can never read or change another's data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database
from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update
from telegram.constants import CallbackQueryLimit, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.config import Config, TelegramConfig
from bot.deadlines.tracker import Rules
from bot.telegram.limits import ImportLimiter
from bot.telegram.texts import t
from state.subscribers import Subscriber, find_by_address, set_status

log = logging.getLogger(__name__)

Ctx = ContextTypes.DEFAULT_TYPE


@dataclass(frozen=True, slots=True)
class BotDeps:
    """The bot's dependencies, kept in ``application.bot_data["deps"]``."""

    db: Database
    clock: Callable[[], datetime]
    telegram: TelegramConfig
    rules: Rules
    config: Config | None = None  # the whole configuration, when the service runs
    imports: ImportLimiter = field(default_factory=ImportLimiter)


def deps(context: Ctx) -> BotDeps:
    found = context.bot_data["deps"]
    assert isinstance(found, BotDeps)
    return found


def subscriber_of(context: Ctx, chat: Chat | None) -> Subscriber | None:
    return find_by_address(deps(context).db, "telegram", str(chat.id)) if chat else None


def lang_of(sub: Subscriber | None) -> str:
    return "en" if sub is not None and sub.language == "en" else "zh-TW"


def chat_lang(update: Update, context: Ctx) -> str:
    """The language of the chat's subscriber (繁體中文 when there is none)."""
    return lang_of(subscriber_of(context, update.effective_chat))


def user_lang(update: Update) -> str:
    """The pressing user's own client language, for replies that are about them, not the chat."""
    user = update.effective_user
    return "en" if user is not None and (user.language_code or "").startswith("en") else "zh-TW"


async def reply(
    update: Update, context: Ctx, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send HTML ``text`` to the update's chat; a chat that blocked or kicked the bot is paused."""
    chat = update.effective_chat
    if chat is None:
        return None
    try:
        return await context.bot.send_message(
            chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
            disable_web_page_preview=True,
        )  # fmt: skip
    except Forbidden:
        sub = subscriber_of(context, chat)
        if sub is not None:
            set_status(deps(context).db, sub.id, "paused", "blocked the bot")
        log.info("reply refused chat=%s (blocked or kicked)", chat.id)
        return None


async def answer(update: Update, text: str = "", *, alert: bool = False) -> None:
    """Answer a button press (the short notice the presser sees); never raises."""
    query = update.callback_query
    if query is None:
        return
    limit = int(CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH)
    try:
        await query.answer(text[:limit] or None, show_alert=alert)
    except TelegramError:
        log.debug("answerCallbackQuery failed", exc_info=True)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Rewrite the message a button sits under (e.g. a settings keyboard after a toggle)."""
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest:  # e.g. "message is not modified"
        log.debug("could not edit message", exc_info=True)


async def require_subscriber(update: Update, context: Ctx) -> Subscriber | None:
    """The chat's subscriber, or None after telling the chat to /start first."""
    sub = subscriber_of(context, update.effective_chat)
    if sub is None:
        if update.callback_query is not None:
            await answer(update, t("zh-TW", "need_start"))
        else:
            await reply(update, context, t("zh-TW", "need_start"))
    return sub
