"""Shared pieces for the Telegram tests: a fake Bot API fixture and outbox helpers."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from pydantic import SecretStr
from sqlite_utils import Database

from bot import delivery
from bot.channels.telegram import TelegramChannel
from bot.config import DeliveryConfig, TelegramConfig
from state import outbox
from state.subscribers import add_subscriber
from tests.fakebotapi import FakeBotAPI

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def telegram_config(fake: FakeBotAPI, **kw: object) -> TelegramConfig:
    return TelegramConfig(
        enabled=True,
        token=SecretStr(fake.token),
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        **kw,  # type: ignore[arg-type]
    )


def channel_for(fake: FakeBotAPI, db: Database | None, **kw: object) -> TelegramChannel:
    return TelegramChannel(telegram_config(fake, **kw), db=db)


def queue_alert(
    db: Database,
    chat: str,
    *,
    key: str = "alert:a1",
    html: tuple[str, ...] = ("<b>CSMS #1</b> 測試 &amp; 通知",),
    text: str = "CSMS #1 測試 & 通知",
    topics: tuple[str, ...] = ("ieepa_cape",),
    url: str = "https://content.govdelivery.com/x",
    subscriber_id: int | None = None,
) -> int:
    if subscriber_id is None:
        subscriber_id = add_subscriber(db, name=f"chat {chat}", channel="telegram", address=chat, now=NOW).id
    outbox.enqueue(
        db, subscriber_id=subscriber_id, message_key=key, kind="alert", text=text, html=html,
        subject="s", payload={"url": url, "announcement": "a1", "topics": list(topics)}, now=NOW,
    )  # fmt: skip
    return subscriber_id


async def drain(db: Database, channel: TelegramChannel, now: datetime = NOW) -> delivery.DrainStats:
    return await delivery.drain(
        db, {"telegram": channel}, now=now, config=DeliveryConfig(), rng=random.Random(1)
    )


def deliveries(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM deliveries ORDER BY id"))
