"""The Telegram bot runtime: a python-telegram-bot ``Application`` on the service's event loop.

Long polling by default (webhook optional); ``base_url`` is configurable so a self-hosted Bot
API server or the tests' fake server stands in for api.telegram.org. Outgoing alerts do not
go through here but through the outbox and ``bot.delivery.channels.telegram``; this is the
conversation side (commands and buttons).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    filters,
)

from bot.config import Config, RemindersConfig, TelegramConfig
from bot.telegram.buttons import TelegramButtons
from bot.telegram.commands import TelegramCommands
from bot.telegram.texts import COMMANDS, DEADLINE_COMMANDS
from feeds.errors import ConfigError

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def build_application(
    config: TelegramConfig,
    db: Database,
    *,
    clock: Callable[[], datetime] = _utc_now,
    reminders: RemindersConfig | None = None,
    app_config: Config | None = None,
) -> Application:
    """The bot with every handler registered (not yet initialized or started)."""
    if config.token is None or not config.token.get_secret_value():
        raise ValueError("telegram.token is required")
    app = (
        Application.builder()
        .token(config.token.get_secret_value())
        .base_url(config.base_url)
        .base_file_url(config.base_file_url)
        .rate_limiter(AIORateLimiter(overall_max_rate=config.messages_per_second, max_retries=2))
        .build()
    )
    commands = TelegramCommands(db, clock, reminders)
    commands.app_config = app_config
    app.bot_data["commands"] = commands
    chats = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, commands.on_migrate))
    app.add_handler(MessageHandler(filters.COMMAND & chats, commands.on_command))
    app.add_handler(CallbackQueryHandler(TelegramButtons(commands).on_callback))
    app.add_handler(MessageHandler(filters.Document.ALL & filters.UpdateType.MESSAGE, commands.on_document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE, commands.on_text))
    app.add_handler(ChatMemberHandler(commands.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(commands.on_error)
    return app


async def register_commands(app: Application) -> None:
    """setMyCommands: 繁體中文 by default, English for clients set to English."""
    listed = COMMANDS + DEADLINE_COMMANDS
    try:
        await app.bot.set_my_commands([BotCommand(c, zh) for c, zh, _ in listed])
        await app.bot.set_my_commands([BotCommand(c, en) for c, _, en in listed], language_code="en")
    except TelegramError as exc:  # not fatal: commands still work when typed
        log.warning("setMyCommands failed error=%s", type(exc).__name__)


@asynccontextmanager
async def telegram_running(
    config: TelegramConfig,
    db: Database,
    *,
    clock: Callable[[], datetime] = _utc_now,
    poll_timeout: float = 30,
    reminders: RemindersConfig | None = None,
    app_config: Config | None = None,
) -> AsyncIterator[Application]:
    """Run the bot on the current event loop for the duration of the ``async with`` block."""
    if config.mode == "webhook" and not config.webhook_url.startswith("https://"):
        raise ConfigError(
            "telegram.mode = webhook 需要 https:// 開頭的 telegram.webhook_url",
            "telegram.mode = webhook needs telegram.webhook_url (https://…)",
        )
    app = build_application(config, db, clock=clock, reminders=reminders, app_config=app_config)
    await app.initialize()
    try:
        await register_commands(app)
        await app.start()
        updater = app.updater
        assert updater is not None
        allowed = [Update.MESSAGE, Update.CHANNEL_POST, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
        if config.mode == "webhook":
            secret = hashlib.sha256(b"tradealert" + config.token.get_secret_value().encode()).hexdigest()  # type: ignore[union-attr]
            await updater.start_webhook(
                listen=config.webhook_listen, port=config.webhook_port, url_path="telegram",
                webhook_url=config.webhook_url, secret_token=secret[:64], allowed_updates=allowed,
            )  # fmt: skip
        else:
            await updater.start_polling(
                timeout=timedelta(seconds=poll_timeout), allowed_updates=allowed
            )
        log.info("telegram bot started mode=%s username=%s", config.mode, app.bot.username)
        try:
            yield app
        finally:
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()
    finally:
        await app.shutdown()
        log.info("telegram bot stopped")
