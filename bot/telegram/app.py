"""The Telegram bot runtime: a python-telegram-bot ``Application`` on the service's event loop.

``build_application`` is the bot's routing table, in PTB's own idiom: one ``CommandHandler``
per command, one ``CallbackQueryHandler`` per family of buttons (with its pattern), and a
``ConversationHandler`` for each dialog. Dialogs sit in group ``DIALOGS`` (checked first):
while one waits for an answer, any other command ends it and still runs in group
``HANDLERS``. Long polling by default (webhook optional); ``base_url`` is configurable so a
self-hosted Bot API server or the tests' fake server stands in for api.telegram.org.
Outgoing alerts go through the outbox and ``bot.delivery.channels.telegram``, not here.
"""

from __future__ import annotations

import logging
import secrets
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlite_utils import Database
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.clock import utc_now
from bot.config import Config, RemindersConfig, TelegramConfig
from bot.deadlines.tracker import Rules
from bot.telegram import associations, buttons, deadlines, fallbacks, imports, settings
from bot.telegram.chat import BotDeps
from bot.telegram.limits import ImportLimiter
from bot.telegram.persistence import SqlitePersistence
from bot.telegram.texts import COMMANDS, DEADLINE_COMMANDS
from feeds.errors import ConfigError

log = logging.getLogger(__name__)

DIALOGS, HANDLERS = 0, 1
CHATS = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
TEXT_REPLY = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
# A CSV sent anywhere; any document in a private chat (to answer "CSV only").
DOCUMENTS = (
    filters.Document.FileExtension("csv") | filters.Document.FileExtension("txt")
    | (filters.Document.ALL & filters.ChatType.PRIVATE)
) & CHATS  # fmt: skip


def dialogs() -> list[BaseHandler]:
    """/track's question and an association admin's edit, as ConversationHandlers."""
    leave: list[BaseHandler] = [MessageHandler(filters.COMMAND, deadlines.leave_dialog)]
    with warnings.catch_warnings():
        # A button starts the edit dialog and a text answers it: PTB warns that with
        # per_message=False the button is not tracked per message — that is what we want.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return [
            ConversationHandler(
                entry_points=[CommandHandler("track", deadlines.track, filters=filters.UpdateType.MESSAGE)],
                states={deadlines.ASKING_ENTRY: [MessageHandler(TEXT_REPLY, deadlines.track_answer)]},
                fallbacks=leave, allow_reentry=True, name="track", persistent=True,
            ),
            ConversationHandler(
                entry_points=[CallbackQueryHandler(associations.start_edit, pattern=associations.EDIT)],
                states={associations.EDITING: [MessageHandler(TEXT_REPLY, associations.receive_edit)]},
                fallbacks=leave, allow_reentry=True, name="forward_edit", persistent=True,
            ),
        ]  # fmt: skip


def handlers() -> list[BaseHandler]:
    """Every command, button family and fallback, in the order PTB tries them."""
    command = {
        "start": settings.start, "help": settings.help_command, "topics": settings.topics,
        "lang": settings.lang, "digest": settings.digest, "quiet": settings.quiet,
        "mute": settings.mute, "stop": settings.stop, "list": deadlines.list_entries,
        "untrack": deadlines.untrack, "deadlines": deadlines.deadlines, "done": deadlines.done,
        "import": imports.import_hint, "export_cape": deadlines.export_cape,
    }  # fmt: skip
    button = {
        r"^t:": buttons.on_topic, r"^sx:": buttons.on_remove_subscription,
        r"^lang:": buttons.on_language, r"^dg:": buttons.on_digest_mode,
        r"^dt:": buttons.on_digest_time, r"^fw:toggle$": buttons.on_forwards,
        r"^ok$": buttons.on_finish, r"^stop:": buttons.on_stop,
        r"^done:": buttons.on_done, r"^mute:": buttons.on_mute, r"^list:": deadlines.on_list_page,
        associations.APPROVE: associations.on_decision, associations.SKIP: associations.on_decision,
        r"^noop$": buttons.on_noop,
    }  # fmt: skip
    return [
        MessageHandler(filters.StatusUpdate.MIGRATE, fallbacks.on_migrate),
        *(CommandHandler(name, callback, filters=CHATS) for name, callback in command.items()),
        CommandHandler("track", deadlines.track_in_channel, filters=filters.UpdateType.CHANNEL_POST),
        *(CallbackQueryHandler(callback, pattern=pattern) for pattern, callback in button.items()),
        CallbackQueryHandler(buttons.on_unknown),
        MessageHandler(DOCUMENTS, imports.on_document, block=False),
        MessageHandler(filters.COMMAND & CHATS, fallbacks.on_unknown_command),
        MessageHandler(TEXT_REPLY & filters.ChatType.PRIVATE, fallbacks.on_text),
        ChatMemberHandler(fallbacks.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
    ]


def build_application(
    config: TelegramConfig,
    db: Database,
    *,
    clock: Callable[[], datetime] = utc_now,
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
        .rate_limiter(AIORateLimiter(overall_max_rate=config.messages_per_second,
                                     group_max_rate=config.per_group_per_minute, max_retries=2))  # fmt: skip
        .persistence(SqlitePersistence(db))
        .build()
    )
    rules = Rules(reminders or (app_config.reminders if app_config else RemindersConfig()))
    app.bot_data["deps"] = BotDeps(db, clock, config, rules, app_config, ImportLimiter(config.imports_per_hour))
    app.add_handlers(dialogs(), group=DIALOGS)
    app.add_handlers(handlers(), group=HANDLERS)
    app.add_error_handler(fallbacks.on_error)
    return app


async def register_commands(app: Application) -> None:
    """setMyCommands: 繁體中文 by default, English for clients set to English."""
    listed = COMMANDS + DEADLINE_COMMANDS
    try:
        await app.bot.set_my_commands([BotCommand(c, zh) for c, zh, _ in listed])
        await app.bot.set_my_commands([BotCommand(c, en) for c, _, en in listed], language_code="en")
    except TelegramError as exc:  # not fatal: commands still work when typed
        log.warning("setMyCommands failed error=%s", type(exc).__name__)


def webhook_secret(config: TelegramConfig) -> str:
    """``[telegram] webhook_secret``, or a random one for this run (never derived from the token)."""
    if config.webhook_secret is not None:
        return config.webhook_secret.get_secret_value()
    log.info("telegram.webhook_secret not set: using a random secret for this run")
    return secrets.token_urlsafe(32)


@asynccontextmanager
async def telegram_running(
    config: TelegramConfig,
    db: Database,
    *,
    clock: Callable[[], datetime] = utc_now,
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
            await updater.start_webhook(
                listen=config.webhook_listen, port=config.webhook_port, url_path="telegram",
                webhook_url=config.webhook_url, secret_token=webhook_secret(config), allowed_updates=allowed,
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
