"""Forged button data and typed ids in Telegram: numbers that are not plain, or too large for
the database, are "not found" like any other id that is not this chat's — never an error."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.tg_helpers import Bot, running_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

ERROR = "抱歉，處理時發生錯誤"
HUGE = "99999999999999999999"  # 20 digits: past SQLite's integers


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    async with running_bot() as b:
        yield b


async def test_forged_ids_in_buttons_and_commands_answer_not_found(bot: Bot) -> None:
    chat = 611
    await bot.say(chat, "/start")
    await bot.say(chat, "/topics kw steel")
    before = bot.subs(chat)
    for data in (f"done:{HUGE}", "done:²", f"sx:{HUGE}", "sx:²"):
        answer = await bot.press(chat, data)
        assert answer.get("text") in (None, "", "找不到此訊息"), (data, answer)
    for data in (f"fwd:approve:{HUGE}:abc", f"fwd:skip:{HUGE}", f"list:{HUGE}", "list:²"):
        await bot.press(chat, data)  # answered (a wait that never ends fails the test)
    [listed] = await bot.say(chat, "/list ²")
    assert ERROR not in listed["text"]
    [help_] = await bot.say(chat, "/help")  # everything before it has been handled
    assert not any(ERROR in m.get("text", "") for m in bot.fake.messages[chat])
    assert bot.subs(chat) == before
