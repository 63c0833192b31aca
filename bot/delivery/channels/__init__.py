"""Delivery channels. Each turns one outbox row into one delivered message (or an outcome)."""

from __future__ import annotations

from typing import TextIO

from sqlite_utils import Database

from bot.config import Config
from bot.delivery.channels.base import Channel
from bot.delivery.channels.console import ConsoleChannel
from bot.delivery.channels.email import EmailChannel
from bot.delivery.channels.file import FileChannel


def build_channels(
    config: Config, *, stream: TextIO | None = None, db: Database | None = None
) -> dict[str, Channel]:
    """The channels the configuration enables, by name (``db`` lets Telegram follow migrations)."""
    channels: dict[str, Channel] = {}
    if config.console.enabled:
        channels["console"] = ConsoleChannel(stream)
    if config.file.enabled:
        channels["file"] = FileChannel(config.file.directory)
    if config.email.enabled:
        channels["email"] = EmailChannel(config.email, config.http)
    if config.telegram.enabled:
        from bot.delivery.channels.telegram import TelegramChannel

        channels["telegram"] = TelegramChannel(config.telegram, db=db)
    if config.line.enabled:
        from bot.delivery.channels.line import LineChannel

        channels["line"] = LineChannel(config.line, db=db)
    return channels
