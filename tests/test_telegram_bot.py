"""Typing commands as a user through the fake Bot API and reading what the bot answered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.telegram.app import telegram_running
from state.db import open_db
from tests.fakebotapi import FakeBotAPI
from tests.tg_helpers import (
    NOW,
    Bot,
    buttons,
    channel_for,
    drain,
    queue_alert,
    running_bot,
    telegram_config,
)

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    async with running_bot() as b:
        yield b


async def test_commands_are_registered_in_chinese_and_english(bot):
    assert [c["language_code"] for c in bot.fake.commands] == [None, "en"]
    zh = {c["command"]: c["description"] for c in bot.fake.commands[0]["commands"]}
    assert zh["start"].startswith("開始訂閱") and "stop" in zh and "topics" in zh


async def test_start_onboards_in_a_few_taps(bot):
    [welcome] = await bot.say(501, "/start")
    assert "歡迎使用關務快訊" in welcome["visible"] and welcome["parse_mode"] == "HTML"
    assert bot.sub(501) is not None and bot.sub(501).language == "zh-TW"
    datas = [b["callback_data"] for b in buttons(welcome)]
    assert "t:section_232" in datas and "lang:en" in datas and "dg:daily" in datas and "ok" in datas
    await bot.press(501, "t:section_232")
    assert ("topic", "section_232") in bot.subs(501)
    edited = bot.fake.messages[501][-1]
    assert any(b["text"].startswith("✅") for b in buttons(edited))
    await bot.press(501, "dg:daily")
    await bot.press(501, "dt:17:00")
    await bot.press(501, "dt:<b>")
    await bot.press(501, "lang:en")
    sub = bot.sub(501)
    assert sub.digest == "daily" and sub.digest_time == "17:00" and sub.language == "en"
    await bot.press(501, "ok")
    assert "All set" in bot.fake.messages[501][-1]["text"]
    [again] = await bot.say(501, "/start")
    assert "Welcome back" in again["visible"]


async def test_topics_keywords_and_hts_toggle_and_escape_user_text(bot):
    await bot.say(502, "/start")
    [r] = await bot.say(502, "/topics kw <b>鋼鐵</b>")
    assert "&lt;b&gt;鋼鐵&lt;/b&gt;" in r["text"] and r["visible"].startswith("已新增")
    assert ("keyword", "<b>鋼鐵</b>") in bot.subs(502)
    [r] = await bot.say(502, "/topics kw <b>鋼鐵</b>")
    assert r["visible"].startswith("已移除") and ("keyword", "<b>鋼鐵</b>") not in bot.subs(502)
    [r] = await bot.say(502, "/topics hts 84;drop table")
    assert "用法" in r["visible"]
    await bot.say(502, "/topics hts 8471.30")
    await bot.say(502, "/topics section_301")
    assert {("hts", "8471.30"), ("topic", "section_301")} <= bot.subs(502)
    [r] = await bot.say(502, "/topics")
    assert "301 條款" in r["visible"] and "稅則號列 8471.30" in r["visible"]
    remove = next(b for b in buttons(r) if "8471.30" in b["text"])
    assert remove["callback_data"].startswith("sx:")
    await bot.say(503, "/start")
    await bot.press(503, remove["callback_data"])  # another chat cannot remove it
    assert ("hts", "8471.30") in bot.subs(502)
    await bot.press(502, remove["callback_data"], message_id=r["message_id"])
    assert ("hts", "8471.30") not in bot.subs(502)
    assert not any("8471.30" in b["text"] for b in buttons(bot.fake.messages[502][-1]))


async def test_digest_quiet_lang_and_mute_with_garbage(bot):
    await bot.say(503, "/start")
    [r] = await bot.say(503, "/digest weekly 9:30")
    assert bot.sub(503).digest == "weekly" and bot.sub(503).digest_time == "09:30"
    [r] = await bot.say(503, "/digest sometimes 99:99")
    assert "用法" in r["visible"]
    await bot.say(503, "/quiet 22:00-08:00")
    assert bot.sub(503).quiet_hours == "22:00-08:00"
    [r] = await bot.say(503, "/quiet 25:00-<i>")
    assert "安靜時段格式" in r["visible"] and "&lt;i&gt;" in r["text"]
    await bot.say(503, "/topics section_232")
    [r] = await bot.say(503, "/mute section_232")
    assert "已停止接收" in r["visible"] and ("topic", "section_232") not in bot.subs(503)
    [r] = await bot.say(503, "/mute nonsense")
    assert "用法" in r["visible"]
    [r] = await bot.say(503, "/lang klingon")
    assert "用法" in r["visible"]
    [r] = await bot.say(503, "/lang en")
    assert r["visible"] == "Language set to English." and bot.sub(503).language == "en"


async def test_forwards_of_what_a_chat_has_can_be_muted_from_the_topics_keyboard(bot):
    """``subscribe ID --mute forwards`` in Telegram: a button under /topics and /mute forwards,
    each passing the admins gate."""
    await bot.say(509, "/start")
    [r] = await bot.say(509, "/topics")
    fw = next(b for b in buttons(r) if b["callback_data"] == "fw:toggle")
    assert fw["text"] == "不收已通知過的轉知（貿易署、工總轉發）"
    answer = await bot.press(509, "fw:toggle", message_id=r["message_id"])
    assert "不再通知" in answer["text"] and ("mute", "forwards") in bot.subs(509)
    redrawn = bot.fake.messages[509][-1]
    assert any(b["text"].startswith("✅ 不收已通知過的轉知") for b in buttons(redrawn))
    assert "不收已通知過的轉知" in redrawn["text"] and "mute:forwards" not in redrawn["text"]
    [r] = await bot.say(509, "/mute forwards")  # the same switch, typed: back on
    assert "轉知照常通知" in r["visible"] and ("mute", "forwards") not in bot.subs(509)
    group = -100209
    bot.fake.chat(group, type="supergroup", admins={7})
    await bot.say(group, "/start", user_id=7)
    answer = await bot.press(group, "fw:toggle", user_id=8)  # not an admin of the group
    assert "管理員" in answer["text"] and ("mute", "forwards") not in bot.subs(group)
    await bot.press(group, "fw:toggle", user_id=7)
    assert ("mute", "forwards") in bot.subs(group)


async def test_unknown_commands_and_plain_text_get_help_not_a_crash(bot):
    [r] = await bot.say(504, "/frobnicate <script>")
    assert "不認得指令" in r["visible"] and "<script>" not in r["text"]
    [r] = await bot.say(504, "/track 12345678901")
    assert "尚未" in r["visible"]
    [r] = await bot.say(504, "/topics")
    assert "/start" in r["visible"]  # not subscribed yet
    [r] = await bot.say(504, "hello <b>")
    assert "/help" in r["visible"]
    assert bot.sub(504) is None


async def test_only_group_admins_change_settings(bot):
    group = -100200
    bot.fake.chat(group, type="supergroup", admins={7})
    [r] = await bot.say(group, "/start", user_id=8)
    assert "管理員" in r["visible"] and bot.sub(group) is None
    await bot.say(group, "/start", user_id=7)
    assert bot.sub(group) is not None
    [r] = await bot.say(group, "/topics kw tariff", user_id=8)
    assert "管理員" in r["visible"] and ("keyword", "tariff") not in bot.subs(group)
    answer = await bot.press(group, "t:section_232", user_id=8)
    assert "管理員" in answer["text"] and ("topic", "section_232") not in bot.subs(group)
    [r] = await bot.say(group, "/help", user_id=8)
    assert "指令" in r["visible"]
    await bot.say(group, "/topics kw tariff", user_id=7)
    assert ("keyword", "tariff") in bot.subs(group)
    await bot.say(group, "/help@some_other_bot", user_id=7, expect=0)
    await asyncio.sleep(0.3)
    assert len(bot.fake.messages[group]) == 5  # the other bot's command was ignored


async def test_channel_posts_can_subscribe_a_channel(bot):
    channel = -100300
    bot.fake.chat(channel, type="channel", title="公會快訊")
    await bot.say(channel, "/start", channel_post=True)
    sub = bot.sub(channel)
    assert sub is not None and sub.name == "公會快訊"


async def test_stop_deletes_only_this_chats_data_after_confirmation(bot):
    await bot.say(505, "/start")
    await bot.say(506, "/start")
    [confirm] = await bot.say(505, "/stop")
    assert [b["callback_data"] for b in buttons(confirm)] == ["stop:yes", "stop:no"]
    assert bot.sub(505) is not None
    await bot.press(505, "stop:no")
    assert bot.sub(505) is not None
    await bot.say(505, "/stop")
    await bot.press(505, "stop:yes")
    assert bot.sub(505) is None and bot.sub(506) is not None
    assert "已刪除" in bot.fake.messages[505][-1]["text"]


async def test_done_button_marks_only_this_chats_alert(bot):
    await bot.say(507, "/start")
    await bot.say(508, "/start")
    queue_alert(bot.db, "507", subscriber_id=bot.sub(507).id)
    channel = channel_for(bot.fake, bot.db)
    await drain(bot.db, channel)
    await channel.close()
    alert = bot.fake.messages[507][-1]
    done = next(b["callback_data"] for b in buttons(alert) if b["text"] == "已處理")
    answer = await bot.press(508, done)  # someone else's message id
    assert answer["text"] == "找不到此訊息"
    answer = await bot.press(507, done, message_id=alert["message_id"])
    assert answer["text"] == "已標記為已處理"
    assert any(b["text"] == "✅ 已處理" for b in buttons(bot.fake.messages[507][-1]))
    answer = await bot.press(507, done, message_id=alert["message_id"])
    assert answer["text"] == "先前已標記為已處理"
    answer = await bot.press(507, "mute:ieepa_cape", message_id=alert["message_id"])
    assert "ieepa" in answer["text"].casefold() or "IEEPA" in answer["text"] or "未訂閱" in answer["text"]


async def test_user_who_blocks_the_bot_mid_conversation_is_paused(bot):
    await bot.say(509, "/start")
    bot.fake.chat(509, blocked=True)
    bot.fake.push_text(509, "/help")
    for _ in range(100):
        if bot.sub(509).status == "paused":
            break
        await asyncio.sleep(0.02)
    assert bot.sub(509).status == "paused"
    bot.fake.chat(509, blocked=False)
    [r] = await bot.say(509, "/start")
    assert bot.sub(509).status == "active" and "歡迎回來" in r["visible"]


async def test_bot_and_scheduler_share_one_loop():
    """The service's sweeps deliver an alert while the bot answers commands, then both stop."""
    from pydantic import SecretStr

    from bot.config import Config
    from bot.service import Service
    from state import outbox

    fake = await FakeBotAPI(private_interval=0).start()
    db = open_db(":memory:")
    config = Config(
        telegram={"enabled": True, "token": SecretStr(fake.token), "base_url": fake.base_url,
                  "base_file_url": fake.base_file_url},
        console={"enabled": False}, file={"enabled": False}, sources=(),
        service={"drain_tick": "0.1s", "poll_tick": "1h", "match_tick": "1h"},
    )  # fmt: skip
    ch = channel_for(fake, db)
    service = Service(config, db, {"telegram": ch})
    stop = asyncio.Event()
    b = Bot(fake, db)
    async with telegram_running(config.telegram, db, poll_timeout=0.2):
        runner = asyncio.create_task(service.run_forever(stop))
        await b.say(601, "/start")
        outbox.enqueue(db, subscriber_id=b.sub(601).id, message_key="alert:x", kind="alert",
                       text="plain", html=("<b>快訊</b>",), now=NOW)  # fmt: skip
        msgs = await fake.wait_for_messages(601, 2)
        assert msgs[-1]["visible"] == "快訊"
        stop.set()
        await runner
    await service.close()
    await fake.stop()


async def test_group_upgrade_moves_the_subscriber(bot):
    bot.fake.chat(-5005, type="group", admins={7})
    await bot.say(-5005, "/start", user_id=7)
    bot.fake.push_migration(-5005, -1005005)
    for _ in range(100):
        if bot.sub(-1005005) is not None:
            break
        await asyncio.sleep(0.02)
    assert bot.sub(-1005005) is not None and bot.sub(-5005) is None


async def test_webhook_mode_without_a_url_is_a_config_error():
    from feeds.errors import ConfigError

    fake = FakeBotAPI()
    config = telegram_config(fake, mode="webhook")
    with pytest.raises(ConfigError):
        async with telegram_running(config, open_db(":memory:")):
            pass


GARBAGE = [
    "/topics kw", "/topics hts", "/topics kw " + "長" * 500, "/topics hts 8471.", "/topics ???",
    "/digest", "/digest daily 24:00", "/digest weekly 08:00 extra", "/quiet", "/quiet 22:00-22:00",
    "/quiet <b>x</b>", "/mute", "/mute <script>alert(1)</script>", "/lang", "/lang zh en",
    "/" + "a" * 100, "/TOPICS kw Steel", "/topics@tradealert_test_bot", "/主題", "/topics kw a\x00b",
    "/start again and again", "/stop now", "/help me &amp; <you>",
]


async def test_garbage_arguments_get_one_helpful_reply_each(bot):
    await bot.say(520, "/start")
    for text in GARBAGE:
        [r] = await bot.say(520, text)
        assert "發生錯誤" not in r["visible"], (text, r["visible"])
        assert r["parse_mode"] == "HTML"
