"""Entry tracking through Telegram (runs when the deadlines capability is in the build)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator  # noqa: E402

import pytest

from bot.deadlines.entries import check_digit  # noqa: E402
from tests.tg_helpers import Bot, buttons, running_bot  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")



@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    async with running_bot() as b:
        yield b


E1 = f"ABC-1234567-{check_digit('ABC1234567')}"
E2 = f"ABC-7654321-{check_digit('ABC7654321')}"
WRONG = f"ABC-1234567-{(check_digit('ABC1234567') + 1) % 10}"


async def test_track_explains_a_wrong_check_digit_then_tracks(bot: Bot):
    await bot.say(701, "/start")
    [r] = await bot.say(701, f"/track {WRONG}")
    assert "檢查碼錯誤" in r["visible"]
    [r] = await bot.say(701, f"/track {E1} release=2026-11-10 ieepa=yes")
    assert f"已開始追蹤 {E1}" in r["visible"]
    [r] = await bot.say(701, f"/track {E1} colour=blue")
    assert "用法" in r["visible"]


async def test_track_without_arguments_asks_for_the_number(bot: Bot):
    await bot.say(702, "/start")
    [q] = await bot.say(702, "/track")
    assert "請輸入" in q["visible"]
    [r] = await bot.say(702, E2)
    assert f"已開始追蹤 {E2}" in r["visible"]
    [r] = await bot.say(702, "/list")
    assert E2 in r["visible"] and "第 1/1 頁" in r["visible"]


async def test_list_pages_and_untrack(bot: Bot):
    await bot.say(703, "/start")
    numbers = [f"ABC-{n:07d}-{check_digit(f'ABC{n:07d}')}" for n in range(1000001, 1000013)]
    for n in numbers:
        await bot.say(703, f"/track {n}")
    [page1] = await bot.say(703, "/list")
    assert "第 1/2 頁" in page1["visible"] and numbers[0] in page1["visible"]
    assert [b["callback_data"] for b in buttons(page1)] == ["list:2"]
    await bot.press(703, "list:2", message_id=page1["message_id"])
    edited = next(m for m in bot.fake.messages[703] if m["message_id"] == page1["message_id"])
    assert numbers[-1] in edited["text"]
    [r] = await bot.say(703, f"/untrack {numbers[0]}")
    assert "已停止追蹤" in r["visible"]
    [r] = await bot.say(703, f"/untrack {numbers[0]}")
    assert "沒有追蹤" in r["visible"]


async def test_deadlines_sorted_overdue_first_and_done(bot: Bot):
    await bot.say(704, "/start")
    await bot.say(704, f"/track {E1} release=2026-11-10")
    [r] = await bot.say(704, "/deadlines")
    assert "未來 30 天" in r["visible"] or "沒有期限" in r["visible"]
    [r] = await bot.say(704, f"/done {E1}")
    assert "已處理" in r["visible"]
    [r] = await bot.say(704, "/done nonsense-entry")
    assert "格式錯誤" in r["visible"]


async def test_import_csv_document_and_bad_uploads(bot: Bot):
    await bot.say(705, "/start")
    csv_ok = f"Entry Number,Release Date\n{E1},2026-11-10\n{E2},2026-11-12\n".encode()
    bot.fake.push_document(705, csv_ok, file_name="entries.csv")
    await bot.fake.wait_for_messages(705, 2)
    r = bot.fake.messages[705][-1]
    assert "已匯入 2 筆" in r["visible"]
    bot.fake.push_document(705, b"\x89PNG....", file_name="photo.png", mime_type="image/png")
    await bot.fake.wait_for_messages(705, 3)
    assert "只接受 CSV" in bot.fake.messages[705][-1]["visible"]
    bot.fake.push_document(705, b"x", file_name="huge.csv", file_size=20 * 1024 * 1024)
    await bot.fake.wait_for_messages(705, 4)
    assert "太大" in bot.fake.messages[705][-1]["visible"]
    bot.fake.push_document(705, f"Entry Number\n{WRONG}\n<b>x</b>\n".encode(), file_name="bad.csv")
    await bot.fake.wait_for_messages(705, 5)
    assert "未匯入任何資料" in bot.fake.messages[705][-1]["visible"]
    assert "<b>x</b>" not in bot.fake.messages[705][-1]["text"]


async def test_export_cape_sends_csv_documents(bot: Bot):
    await bot.say(706, "/start")
    await bot.say(706, f"/track {E1} ieepa=yes")
    bot.fake.push_text(706, "/export_cape")
    await bot.fake.wait_for_messages(706, 3)
    await asyncio.sleep(0.1)
    last = bot.fake.messages[706][-1]
    docs = [m for m in bot.fake.messages[706] if "document" in m]
    if docs:
        assert E1.replace("-", "").encode() in docs[0]["document"]
        assert "CAPE" in last["visible"]
    else:
        assert "沒有符合" in last["visible"]


async def test_reminder_done_button_stops_the_item(bot: Bot):
    from state import outbox
    from tests.tg_helpers import NOW, channel_for, drain

    await bot.say(707, "/start")
    await bot.say(707, f"/track {E1} release=2026-11-10")
    sub = bot.sub(707)
    outbox.enqueue(bot.db, subscriber_id=sub.id, message_key="reminder:x", kind="reminder",
                   text="t", html=("<b>提醒</b>",), now=NOW,
                   payload={"item": f"us:{E1}", "deadline": "2026-11-24"})  # fmt: skip
    ch = channel_for(bot.fake, bot.db)
    await drain(bot.db, ch)
    await ch.close()
    msg = bot.fake.messages[707][-1]
    done = next(b["callback_data"] for b in buttons(msg) if b["text"] == "已處理")
    answer = await bot.press(707, done, message_id=msg["message_id"])
    assert answer["text"] == "已標記為已處理"
    statuses = {r["status"] for r in bot.db.query("SELECT status FROM reminders WHERE subscriber_id = ?", [sub.id])}
    assert statuses == {"done"}


async def test_an_open_track_question_survives_a_restart(tmp_path):
    """The /track dialog is a persistent ConversationHandler stored in our SQLite."""
    from state.db import open_db
    from tests.fakebotapi import FakeBotAPI

    fake = await FakeBotAPI(private_interval=0).start()
    db = open_db(tmp_path / "dialog.db")
    try:
        async with running_bot(db=db, fake=fake) as bot:
            await bot.say(710, "/start")
            [q] = await bot.say(710, "/track")
            assert "請輸入" in q["visible"]
        async with running_bot(db=db, fake=fake) as bot:  # a new process, same database
            [r] = await bot.say(710, E2)
            assert f"已開始追蹤 {E2}" in r["visible"]
            [r] = await bot.say(710, "hello")  # the question was answered: just a hint now
            assert "/help" in r["visible"]
    finally:
        await fake.stop()


async def test_another_command_closes_the_question_and_still_runs(bot: Bot):
    await bot.say(711, "/start")
    await bot.say(711, "/track")
    [r] = await bot.say(711, "/help")
    assert "指令" in r["visible"]
    [r] = await bot.say(711, E1)  # no longer taken as the answer
    assert "/help" in r["visible"] and "追蹤" not in r["visible"]


async def test_full_width_hts_prefix_from_a_chinese_ime(bot: Bot):
    await bot.say(712, "/start")
    [r] = await bot.say(712, "/topics hts ８４７１．３０")
    assert r["visible"].startswith("已新增") and ("hts", "8471.30") in bot.subs(712)


async def test_full_width_entry_number_from_a_chinese_ime(bot: Bot):
    await bot.say(713, "/start")
    [r] = await bot.say(713, "/track ABC-１２３４５６７-6 release=２０２６-１１-１０")
    assert "已開始追蹤 ABC-1234567-6" in r["visible"]
    [r] = await bot.say(713, "/done ABC－１２３４５６７－６")
    assert "已處理" in r["visible"]
    [r] = await bot.say(713, "/untrack ＡＢＣ１２３４５６７６")
    assert "已停止追蹤 ABC-1234567-6" in r["visible"]


async def test_full_width_times_from_a_chinese_ime(bot: Bot):
    await bot.say(714, "/start")
    await bot.say(714, "/digest daily ０８：３０")
    await bot.say(714, "/quiet ２２：００－０８：００")
    sub = bot.sub(714)
    assert (sub.digest_time, sub.quiet_hours) == ("08:30", "22:00-08:00")
