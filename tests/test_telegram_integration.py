"""The bot wired into the service: webhook mode as Telegram feeds it, and the calendar link."""

from __future__ import annotations

from pydantic import SecretStr

from bot.telegram.app import telegram_running
from state.db import open_db
from tests.fakebotapi import FakeBotAPI
from tests.tg_helpers import NOW, telegram_config


async def test_webhook_mode_receives_updates_and_rejects_a_wrong_secret(tmp_path):
    import aiohttp

    from tests.smtpserver import free_port

    fake = await FakeBotAPI(private_interval=0).start()
    port = free_port()
    secret = "own_Secret-0123456789"
    tg = telegram_config(
        fake, mode="webhook", webhook_url="https://bot.example.test/telegram", webhook_listen="127.0.0.1",
        webhook_port=port, webhook_secret=SecretStr(secret),
    )  # fmt: skip
    db = open_db(tmp_path / "w.db")
    try:
        async with telegram_running(tg, db, clock=lambda: NOW):
            [registered] = [p for m, p in fake.calls if m == "setWebhook"]
            assert registered["secret_token"] == secret
            upd = fake.push_text(777, "/start")
            fake._updates.remove(upd)  # deliver it by webhook, not by getUpdates
            url = f"http://127.0.0.1:{port}/telegram"
            async with aiohttp.ClientSession() as http:
                async with http.post(url, json=upd, headers={"X-Telegram-Bot-Api-Secret-Token": "forged"}) as r:
                    assert r.status == 403
                async with http.post(url, json=upd, headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as r:
                    assert r.status == 200
            replies = await fake.wait_for_messages(777, 1)
            assert replies and fake.token not in replies[0]["text"]
    finally:
        await fake.stop()
    assert db.execute("SELECT count(*) FROM subscribers WHERE channel = 'telegram' AND address = '777'").fetchone()[0] == 1


async def test_deadlines_offers_the_private_calendar_link(tmp_path):
    from bot.config import Config, HttpConfig

    fake = await FakeBotAPI(private_interval=0).start()
    db = open_db(tmp_path / "c.db")
    cfg = Config(http=HttpConfig(listen="127.0.0.1:8080", public_url="https://alerts.example.tw"))
    try:
        async with telegram_running(telegram_config(fake), db, clock=lambda: NOW, poll_timeout=0.2, app_config=cfg):
            fake.push_text(888, "/start")
            await fake.wait_for_messages(888, 1)
            fake.push_text(888, "/deadlines")
            msgs = await fake.wait_for_messages(888, 2)
    finally:
        await fake.stop()
    token = next(db.query("SELECT token FROM subscribers WHERE address = '888'"))["token"]
    assert f"https://alerts.example.tw/calendar/{token}.ics" in msgs[-1]["text"]
