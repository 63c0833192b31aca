"""Shared pieces for the Telegram tests: a fake Bot API fixture and outbox helpers."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr
from sqlite_utils import Database

from bot.config import Config, DeliveryConfig, TelegramConfig
from bot.delivery import worker as delivery
from bot.delivery.channels.telegram import TelegramChannel
from state import outbox
from state.subscribers import add_subscriber, find_by_address, subscriptions_of
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


@dataclass
class Bot:
    """A running bot plus the fake server it talks to; ``say``/``press`` act as a user."""

    fake: FakeBotAPI
    db: Database

    async def say(self, chat: int, text: str, *, expect: int = 1, **kw: Any) -> list[dict]:
        before = len(self.fake.messages.get(chat, []))
        self.fake.push_text(chat, text, **kw)
        msgs = await self.fake.wait_for_messages(chat, before + expect)
        return msgs[before:]

    async def press(self, chat: int, data: str, **kw: Any) -> dict:
        before = len(self.fake.callback_answers)
        self.fake.push_callback(chat, data, **kw)
        answers = await self.fake.wait_for_callback_answers(before + 1)
        return answers[before]

    def sub(self, chat: int) -> Any:
        return find_by_address(self.db, "telegram", str(chat))

    def subs(self, chat: int) -> set[tuple[str, str]]:
        s = self.sub(chat)
        return {(x.kind, x.value) for x in subscriptions_of(self.db, s.id)} if s else set()


@asynccontextmanager
async def running_bot(
    *, config: Config | None = None, db: Database | None = None, fake: FakeBotAPI | None = None,
    clock: Callable[[], datetime] = lambda: NOW, **telegram: object,
) -> AsyncIterator[Bot]:  # fmt: skip
    """The real PTB Application polling a fake server (private pacing off, groups unpaced, for speed)."""
    from bot.telegram.app import telegram_running
    from state.db import open_db

    own_fake = fake is None
    fake = fake or await FakeBotAPI(private_interval=0, group_per_minute=10_000).start()
    db = db if db is not None else open_db(":memory:")
    tg = telegram_config(fake, **{"per_group_per_minute": 10_000, **telegram})
    try:
        async with telegram_running(tg, db, clock=clock, poll_timeout=0.2, app_config=config):
            yield Bot(fake, db)
    finally:
        if own_fake:
            await fake.stop()


def buttons(msg: dict) -> list[dict]:
    return [b for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
