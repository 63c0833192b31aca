"""The one authorization gate, on every path: each registered command and button family is
tried by a group member who is not an admin and by a channel reader, and each is refused with
nothing changed; the chat's admins (and a channel's own posts) still get through."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler

from bot.associations import forwarding as assoc
from bot.config import Config, HttpConfig
from bot.deadlines.entries import check_digit
from bot.telegram import app as tg_app
from bot.telegram import buttons, deadlines, fallbacks, settings
from bot.telegram.gate import is_gated
from feeds.model import Announcement
from state import associations as assoc_store
from state import outbox
from state.announcements import store_new
from state.db import open_db
from tests.fakebotapi import FakeBotAPI
from tests.tg_helpers import NOW, Bot, channel_for, drain, running_bot, telegram_config

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

GROUP, ADMIN, MEMBER = -100700, 7, 8
CHANNEL, CHANNEL_ADMIN, READER = -100800, 9, 10
E1 = f"ABC-1234567-{check_digit('ABC1234567')}"
REFUSED = "只有本群組／頻道的管理員可以變更設定"

# Commands and buttons that change nothing may be used by anyone; everything else is gated.
OPEN_CALLBACKS = {
    buttons.on_noop: "✅ 已處理 pressed again",
    buttons.on_unknown: "stale or forged button data: answered, nothing done",
    deadlines.on_list_page: "◀ ▶ pages through /list",
    deadlines.list_entries: "/list reads",
    deadlines.deadlines: "/deadlines reads (its calendar link asks the gate itself)",
    deadlines.leave_dialog: "ends an open question when another command comes",
    fallbacks.on_unknown_command: "points to /help",
    fallbacks.on_text: "a hint",
    fallbacks.on_migrate: "Telegram's own service message",
    settings.help_command: "/help reads",
}
OPEN_COMMANDS = {"help", "list", "deadlines"}

# Every settings-changing command, as a non-admin would type it in a group.
GATED_COMMANDS = [
    "/start", "/topics", "/topics kw steel", "/topics hts 8471", "/topics section_232", "/topics all",
    "/lang en", "/digest daily 08:00", "/quiet 22:00-08:00", "/quiet off", "/mute section_232",
    "/stop", "/track", f"/track {E1}", f"/untrack {E1}", f"/done {E1}", "/import", "/export_cape",
]  # fmt: skip


def registered(application) -> list:  # type: ignore[no-untyped-def]
    out = []
    for group in application.handlers.values():
        for h in group:
            if isinstance(h, ConversationHandler):
                out += [*h.entry_points, *(x for hs in h.states.values() for x in hs), *h.fallbacks]
            else:
                out.append(h)
    return out


def built(db=None):  # type: ignore[no-untyped-def]
    """The bot's Application as the service builds it (not started: only its handlers matter)."""
    return tg_app.build_application(telegram_config(FakeBotAPI()), db or open_db(":memory:"))


def test_every_handler_passes_the_gate_or_changes_nothing():
    application = built()
    commands: set[str] = set()
    for h in registered(application):
        if isinstance(h, CommandHandler | CallbackQueryHandler | MessageHandler):
            assert is_gated(h.callback) or h.callback in OPEN_CALLBACKS, h.callback
        if isinstance(h, CommandHandler):
            commands |= set(h.commands)
            assert is_gated(h.callback) == bool(set(h.commands) - OPEN_COMMANDS), h.commands
    typed = {c.split()[0][1:] for c in GATED_COMMANDS}
    assert commands == typed | OPEN_COMMANDS  # a new command must be added to this test


def button_samples(bot: Bot, chat: int) -> dict[str, str]:
    """One callback of every registered family, aimed at ``chat``'s own data."""
    sub = bot.sub(chat)
    kw = next(r["id"] for r in bot.db.query("SELECT id FROM subscriptions WHERE subscriber_id = ? AND kind = 'keyword'", [sub.id]))
    alert = next(r["id"] for r in bot.db.query("SELECT id FROM outbox WHERE subscriber_id = ?", [sub.id]))
    fwd = assoc_store.forwards(bot.db, assoc_store.list_associations(bot.db)[0].id)[0]
    ver = assoc.version_of(fwd)
    return {
        r"^t:": "t:section_301", r"^sx:": f"sx:{kw}", r"^lang:": "lang:en", r"^dg:": "dg:weekly",
        r"^dt:": "dt:17:00", r"^ok$": "ok", r"^stop:": "stop:yes", r"^done:": f"done:{alert}",
        r"^mute:": "mute:section_232", r"^fw:toggle$": "fw:toggle", tg_app.associations.APPROVE: f"fwd:approve:{fwd.id}:{ver}",
        tg_app.associations.SKIP: f"fwd:skip:{fwd.id}", tg_app.associations.EDIT: f"fwd:edit:{fwd.id}",
    }  # fmt: skip


def snapshot(bot: Bot) -> list[str]:
    skip = ("telegram_conversations", "telegram_user_data")
    return [line for line in bot.db.conn.iterdump() if not any(t in line for t in skip)]


async def _subscribe_with_data(bot: Bot, chat: int, admin: int | None) -> None:
    kw = {"channel_post": True} if admin is None else {"user_id": admin}
    await bot.say(chat, "/start", **kw)
    await bot.say(chat, "/topics section_232", **kw)
    await bot.say(chat, "/topics kw steel", **kw)
    await bot.say(chat, f"/track {E1} release=2026-11-10", **kw)
    sub = bot.sub(chat)
    outbox.enqueue(bot.db, subscriber_id=sub.id, message_key="alert:a1", kind="alert", text="t",
                   html=("<b>快訊</b>",), payload={"topics": ["section_232"]}, now=NOW)  # fmt: skip
    ch = channel_for(bot.fake, bot.db, per_group_per_minute=10_000)
    await drain(bot.db, ch)
    await ch.close()


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    async with running_bot() as b:
        b.fake.chat(GROUP, type="supergroup", owner=ADMIN, admins={ADMIN})
        b.fake.chat(CHANNEL, type="channel", title="公會快訊", admins={CHANNEL_ADMIN})
        await _subscribe_with_data(b, GROUP, ADMIN)
        await _subscribe_with_data(b, CHANNEL, None)
        # The member of the group is an association admin: only the gate stands in the way.
        a = assoc_store.create_association(b.db, name="公會", ref_prefix="公", now=NOW)
        assoc_store.add_admin(b.db, a.id, "telegram", str(MEMBER))
        assoc_store.add_admin(b.db, a.id, "telegram", str(READER))
        ann = Announcement(key="csms:1", source="s", kind="csms_rss", ext_id="1", title="T",
                           url="https://x.test/1", published=NOW)  # fmt: skip
        with b.db.atomic():
            store_new(b.db, [ann], now=NOW, alertable_after=NOW.replace(year=2020))
        assoc.forward_alert(b.db, Config(), a.subscriber_id, "csms:1", NOW)
        yield b


async def test_a_group_member_who_is_not_an_admin_is_refused_every_settings_command(bot: Bot):
    for text in GATED_COMMANDS:
        before = snapshot(bot)
        [r] = await bot.say(GROUP, text, user_id=MEMBER)
        assert REFUSED in r["visible"], text
        assert snapshot(bot) == before, text
    [r] = await bot.say(GROUP, "/help", user_id=MEMBER)  # reading stays open
    assert "指令" in r["visible"]
    members = [p for m, p in bot.fake.calls if m == "getChatMember" and int(p["user_id"]) == MEMBER]
    assert len(members) >= len(GATED_COMMANDS)  # checked against the person who typed


@pytest.mark.parametrize("chat,presser", [(GROUP, MEMBER), (CHANNEL, READER)], ids=["group-member", "channel-reader"])
async def test_every_button_family_refuses_a_non_admin_presser(bot: Bot, chat: int, presser: int):
    samples = button_samples(bot, chat)
    families = {h.pattern.pattern for h in registered(built(bot.db)) if isinstance(h, CallbackQueryHandler) and h.pattern}
    assert families - {r"^list:", r"^noop$"} == set(samples)  # a new family must be added here
    for pattern, data in samples.items():
        before = snapshot(bot)
        answer = await bot.press(chat, data, user_id=presser)
        assert REFUSED in (answer.get("text") or ""), (pattern, answer)
        assert snapshot(bot) == before, pattern
    assert bot.sub(chat) is not None  # stop:yes by a reader deleted nothing


async def test_admins_pass_the_gate_in_groups_and_channels(bot: Bot):
    await bot.press(GROUP, "t:section_301", user_id=ADMIN)
    assert ("topic", "section_301") in bot.subs(GROUP)
    await bot.press(CHANNEL, "t:section_301", user_id=CHANNEL_ADMIN)  # an admin reading the channel
    assert ("topic", "section_301") in bot.subs(CHANNEL)
    await bot.say(CHANNEL, "/topics kw tariff", channel_post=True)  # only admins can post
    assert ("keyword", "tariff") in bot.subs(CHANNEL)
    alert = next(r["id"] for r in bot.db.query("SELECT id FROM outbox WHERE subscriber_id = ?", [bot.sub(GROUP).id]))
    answer = await bot.press(GROUP, f"done:{alert}", user_id=ADMIN)
    assert answer["text"] == "已標記為已處理"
    answer = await bot.press(CHANNEL, "stop:yes", user_id=CHANNEL_ADMIN)
    assert bot.sub(CHANNEL) is None


async def test_deadlines_in_a_group_shows_the_calendar_link_to_admins_only():
    cfg = Config(http=HttpConfig(listen="127.0.0.1:8080", public_url="https://alerts.example.tw"))
    async with running_bot(config=cfg) as b:
        b.fake.chat(GROUP, type="supergroup", admins={ADMIN})
        await b.say(GROUP, "/start", user_id=ADMIN)
        token = b.sub(GROUP).token
        [member] = await b.say(GROUP, "/deadlines", user_id=MEMBER)
        [admin] = await b.say(GROUP, "/deadlines", user_id=ADMIN)
        b.fake.chat(-100900, type="channel")
        await b.say(-100900, "/start", channel_post=True)
        [channel] = await b.say(-100900, "/deadlines", channel_post=True)
    assert "沒有期限" in member["visible"] and token not in member["text"] and "calendar" not in member["text"]
    assert f"https://alerts.example.tw/calendar/{token}.ics" in admin["text"]
    assert "/calendar/" in channel["text"]  # a channel post is its admins speaking
