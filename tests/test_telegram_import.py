"""/import over Telegram: only those who pass the gate, within a size and a per-user rate,
and parsed off the event loop so every other chat is still answered meanwhile."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.deadlines.entries import check_digit
from bot.telegram import imports
from tests.tg_helpers import Bot, running_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

E1 = f"ABC-1234567-{check_digit('ABC1234567')}"
CSV = f"Entry Number,Release Date\n{E1},2026-11-10\n".encode()


def entries(bot: Bot) -> int:
    return bot.db.execute("SELECT count(*) FROM tracked_entries").fetchone()[0]


def downloads(bot: Bot) -> int:
    return sum(1 for m, _ in bot.fake.calls if m == "getFile")


async def send(bot: Bot, chat: int, content: bytes, **kw) -> dict:  # type: ignore[no-untyped-def]
    before = len(bot.fake.messages.get(chat, []))
    bot.fake.push_document(chat, content, file_name=kw.pop("file_name", "entries.csv"), **kw)
    return (await bot.fake.wait_for_messages(chat, before + 1))[before]


async def test_a_stranger_and_a_group_member_cannot_import():
    async with running_bot() as bot:
        r = await send(bot, 801, CSV)  # never sent /start: no subscriber
        assert "/start" in r["visible"]
        bot.fake.chat(-100801, type="supergroup", admins={7})
        await bot.say(-100801, "/start", user_id=7)
        r = await send(bot, -100801, CSV, user_id=8)
        assert "只有本群組／頻道的管理員" in r["visible"]
        bot.fake.push_document(-100801, b"%PDF", file_name="minutes.pdf", user_id=8)  # not ours to judge
        r = await send(bot, -100801, CSV, user_id=7)
        assert "已匯入 1 筆" in r["visible"]
        await asyncio.sleep(0.2)
        assert len(bot.fake.messages[-100801]) == 3  # the PDF got no reply at all
    assert downloads(bot) == 1 and entries(bot) == 1


async def test_size_limit_is_checked_before_and_after_download_in_both_languages():
    async with running_bot(import_max_bytes=1000) as bot:
        await bot.say(802, "/start")
        [hint] = await bot.say(802, "/import")
        assert "1000 B" not in hint["visible"] and "1 KB 以內" in hint["visible"]
        r = await send(bot, 802, b"x", file_size=5 * 1024 * 1024)  # declared size: no download
        assert "檔案太大（上限 1 KB）" in r["visible"] and downloads(bot) == 0
        r = await send(bot, 802, CSV + b"#" * 2000, file_size=10)  # lied about its size
        assert "檔案太大" in r["visible"] and downloads(bot) == 1
        await bot.say(802, "/lang en")
        r = await send(bot, 802, b"x", file_size=5000)
        assert "File too large (1 KB at most)" in r["visible"]
    assert entries(bot) == 0


async def test_imports_per_hour_are_limited_per_user():
    async with running_bot(imports_per_hour=2) as bot:
        await bot.say(803, "/start")
        for _ in range(2):
            r = await send(bot, 803, CSV)
            assert "已匯入 1 筆" in r["visible"]
        r = await send(bot, 803, CSV)
        assert "匯入太頻繁：每人每小時最多 2 次，請於 60 分鐘後再試" in r["visible"]
        await bot.say(804, "/start")  # another person has a quota of their own
        r = await send(bot, 804, CSV)
        assert "已匯入 1 筆" in r["visible"]
    assert downloads(bot) == 3


async def test_other_chats_are_answered_while_a_big_import_is_parsing(monkeypatch):
    parsing, release = threading.Event(), threading.Event()
    real = imports.parse_csv

    def slow_parse(data: bytes):  # type: ignore[no-untyped-def]
        parsing.set()
        assert release.wait(10), "the test never released the parser"
        return real(data)

    monkeypatch.setattr(imports, "parse_csv", slow_parse)
    async with running_bot() as bot:
        await bot.say(805, "/start")
        bot.fake.push_document(805, CSV, file_name="big.csv")
        assert await asyncio.to_thread(parsing.wait, 5)
        [r] = await bot.say(806, "/help")  # answered while 805's file is still being parsed
        assert "指令" in r["visible"] and not release.is_set()
        release.set()
        msgs = await bot.fake.wait_for_messages(805, 2)
        assert "已匯入 1 筆" in msgs[-1]["visible"]
