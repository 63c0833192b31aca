"""Telegram command and button handlers: settings of the chat's own subscriber only.

Every handler looks the subscriber up by the chat the update came from, never by an id the
user typed, so one chat can never read or change another's data. In groups and channels only
the chat's admins may change settings. Everything a user typed is escaped before it is shown.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlite_utils import Database
from telegram import (
    Chat,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.alerts.telegram_html import esc
from bot.config import Config, RemindersConfig
from bot.quiet import parse_quiet
from bot.telegram import deadlines as telegram_deadlines
from bot.telegram.associations import AssociationActions
from bot.telegram.texts import find_topic, t, topic_choices
from feeds.errors import UserError
from state import telegram as tgstate
from state.subscribers import (
    Subscriber,
    add_subscriber,
    find_by_address,
    set_status,
    subscribe,
    subscriptions_of,
    unsubscribe,
    update_subscriber,
)

log = logging.getLogger(__name__)

Ctx = ContextTypes.DEFAULT_TYPE
HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_HTS = re.compile(r"^\d{2,4}(\.?\d{2}){0,3}$")
DIGEST_TIMES = ("07:00", "08:00", "09:00", "17:00")
SETTINGS_FREE = {"help", "list", "deadlines"}  # commands anyone in a group may use


def lang_of(sub: Subscriber | None) -> str:
    return "en" if sub is not None and sub.language == "en" else "zh-TW"


class TelegramCommands:
    """The bot's handlers, bound to one database and clock."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        reminders: RemindersConfig | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.commands: dict[str, Callable[[Update, Ctx, list[str], Subscriber | None], Awaitable[None]]] = {
            "start": self.start,
            "help": self.help,
            "topics": self.topics,
            "lang": self.lang,
            "digest": self.digest,
            "quiet": self.quiet,
            "mute": self.mute,
            "stop": self.stop,
        }
        self.app_config: Config | None = None  # the whole configuration, when the service runs
        self.associations = AssociationActions(self)
        self.deadlines = telegram_deadlines.DeadlineCommands(self, reminders or RemindersConfig())
        self.deadlines.register()

    # ---- helpers ----------------------------------------------------------------------
    def subscriber(self, chat: Chat) -> Subscriber | None:
        return find_by_address(self.db, "telegram", str(chat.id))

    async def is_admin(self, update: Update, context: Ctx) -> bool:
        chat = update.effective_chat
        if chat is None:
            return False
        if chat.type in (Chat.PRIVATE, Chat.CHANNEL):  # only a channel's admins can post in it
            return True
        msg = update.effective_message
        if msg is not None and msg.sender_chat is not None and msg.sender_chat.id == chat.id:
            return True  # an anonymous admin speaking as the group
        user = update.effective_user
        if user is None:
            return False
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError:
            log.warning("admin check failed chat=%s user=%s", chat.id, user.id)
            return False
        return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)

    async def reply(
        self, update: Update, context: Ctx, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> Message | None:
        chat = update.effective_chat
        if chat is None:
            return None
        try:
            return await context.bot.send_message(
                chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
                disable_web_page_preview=True,
            )  # fmt: skip
        except Forbidden:  # blocked or kicked mid-conversation: stop sending there
            sub = self.subscriber(chat)
            if sub is not None:
                set_status(self.db, sub.id, "paused", "blocked the bot")
            log.info("reply refused chat=%s (blocked or kicked)", chat.id)
            return None

    def settings_keyboard(self, sub: Subscriber, *, onboarding: bool) -> InlineKeyboardMarkup:
        lang = lang_of(sub)
        subs = {(s.kind, s.value) for s in subscriptions_of(self.db, sub.id)}
        rows: list[list[InlineKeyboardButton]] = []
        row: list[InlineKeyboardButton] = []
        for topic in topic_choices():
            mark = "✅ " if ("topic", topic.id) in subs else ""
            data = f"t:{topic.id}"
            if len(data.encode()) > 64:
                continue
            row.append(InlineKeyboardButton(mark + topic.label(lang), callback_data=data))
            if len(row) == 2:
                rows.append(row)
                row = []
        if row:
            rows.append(row)
        all_mark = "✅ " if ("all", "") in subs else ""
        rows.append([InlineKeyboardButton(all_mark + t(lang, "all"), callback_data="t:*")])
        for sub_id, kind, value in tgstate.extra_subscriptions(self.db, sub.id)[:20]:
            label = t(lang, "kw", v=value) if kind == "keyword" else t(lang, "hts", v=value)
            rows.append([InlineKeyboardButton(f"✅ {label} ✖", callback_data=f"sx:{sub_id}")])
        if onboarding:
            rows.append([
                InlineKeyboardButton(("✅ " if lang == "zh-TW" else "") + "中文", callback_data="lang:zh-TW"),
                InlineKeyboardButton(("✅ " if lang == "en" else "") + "English", callback_data="lang:en"),
            ])  # fmt: skip
            rows.append([
                InlineKeyboardButton(("✅ " if sub.digest == mode else "") + t(lang, f"digest_{mode}_b"),
                                     callback_data=f"dg:{mode}")
                for mode in ("off", "daily", "weekly")
            ])  # fmt: skip
            rows.append([
                InlineKeyboardButton(("✅ " if sub.digest_time == at else "") + at, callback_data=f"dt:{at}")
                for at in DIGEST_TIMES
            ])  # fmt: skip
            rows.append([InlineKeyboardButton(t(lang, "finish_b"), callback_data="ok")])
        return InlineKeyboardMarkup(rows)

    def describe(self, sub: Subscriber) -> str:
        lang = lang_of(sub)
        labels = {c.id: c.label(lang) for c in topic_choices()}
        parts = []
        for s in subscriptions_of(self.db, sub.id):
            if s.kind == "all":
                parts.append(t(lang, "all"))
            elif s.kind == "topic":
                parts.append(labels.get(s.value, s.value))
            elif s.kind == "keyword":
                parts.append(t(lang, "kw", v=s.value))
            elif s.kind == "hts":
                parts.append(t(lang, "hts", v=s.value))
            else:
                parts.append(f"{s.kind}:{s.value}")
        return t(lang, "current", subs=esc("、".join(parts)) if parts else t(lang, "none"))

    # ---- dispatch ---------------------------------------------------------------------
    async def on_command(self, update: Update, context: Ctx) -> None:
        msg = update.effective_message
        chat = update.effective_chat
        if msg is None or chat is None or not msg.text:
            return
        head, _, rest = msg.text.strip().partition(" ")
        name, _, target = head[1:].partition("@")
        if target and target.casefold() != (context.bot.username or "").casefold():
            return  # addressed to another bot in this group
        name = name.casefold()
        args = rest.split()
        sub = self.subscriber(chat)
        lang = lang_of(sub)
        handler = self.commands.get(name)
        if handler is None:
            await self.reply(update, context, t(lang, "unknown_command", cmd=esc(head[:64])[:200]))
            return
        if name not in SETTINGS_FREE and not await self.is_admin(update, context):
            await self.reply(update, context, t(lang, "admins_only"))
            return
        if name not in ("start", "help") and sub is None:
            await self.reply(update, context, t(lang, "need_start"))
            return
        try:
            await handler(update, context, args, sub)
        except UserError as exc:
            await self.reply(update, context, esc(exc.for_language(lang)))

    async def on_text(self, update: Update, context: Ctx) -> None:
        chat = update.effective_chat
        if await self.associations.on_text(update, context):
            return
        if await self.deadlines.on_text(update, context):
            return
        if chat is not None and chat.type == Chat.PRIVATE:
            await self.reply(update, context, t(lang_of(self.subscriber(chat)), "text_hint"))

    async def on_document(self, update: Update, context: Ctx) -> None:
        await self.deadlines.on_document(update, context)

    # ---- commands ---------------------------------------------------------------------
    async def start(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        chat = update.effective_chat
        assert chat is not None
        welcome = "welcome"
        if sub is None:
            user = update.effective_user
            name = chat.title or (user.full_name if user else "") or str(chat.id)
            language = "en" if user is not None and (user.language_code or "").startswith("en") else "zh-TW"
            sub = add_subscriber(
                self.db, name=name[:100], channel="telegram", address=str(chat.id), now=self.clock(),
                language=language,
            )  # fmt: skip
            log.info("subscriber created via telegram subscriber=%s chat=%s", sub.id, chat.id)
        elif sub.status != "active":
            set_status(self.db, sub.id, "active", None)
            welcome = "welcome_back"
        else:
            welcome = "welcome_back"
        sub = self.subscriber(chat)
        assert sub is not None
        lang = lang_of(sub)
        await self.reply(
            update, context, t(lang, welcome) + "\n\n" + self.describe(sub),
            self.settings_keyboard(sub, onboarding=True),
        )  # fmt: skip

    async def help(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        extra = t(lang_of(sub), "help_deadlines")
        await self.reply(update, context, t(lang_of(sub), "help") + extra)

    async def topics(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        assert sub is not None
        lang = lang_of(sub)
        if not args:
            await self.reply(
                update, context, t(lang, "topics_title") + "\n" + self.describe(sub),
                self.settings_keyboard(sub, onboarding=False),
            )  # fmt: skip
            return
        mode = args[0].casefold()
        value = " ".join(args[1:]).strip()
        if mode in ("kw", "keyword"):
            if not value or len(value) > 40 or any(ord(c) < 32 for c in value):
                await self.reply(update, context, t(lang, "kw_usage"))
                return
            kind, label = "keyword", t(lang, "kw", v=esc(value))
        elif mode == "hts":
            if not _HTS.fullmatch(value):
                await self.reply(update, context, t(lang, "hts_usage"))
                return
            kind, label = "hts", t(lang, "hts", v=esc(value))
        elif mode == "all":
            kind, value, label = "all", "", t(lang, "all")
        elif (topic := find_topic(" ".join(args))) is not None:
            kind, value, label = "topic", topic.id, esc(topic.label(lang))
        else:
            await self.reply(update, context, t(lang, "topics_usage"))
            return
        added = self.toggle(sub, kind, value)
        await self.reply(update, context, t(lang, "added" if added else "removed", what=label))

    def toggle(self, sub: Subscriber, kind: str, value: str) -> bool:
        """Add the subscription, or remove it if present; True when it was added."""
        if unsubscribe(self.db, sub.id, kind, value):
            return False
        subscribe(self.db, sub.id, kind, value, now=self.clock())
        if kind == "topic":
            unsubscribe(self.db, sub.id, "mute", value)  # choosing a topic again lifts its mute
        return True

    async def lang(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        assert sub is not None
        choice = args[0].casefold() if len(args) == 1 else ""
        language = {"zh": "zh-TW", "zh-tw": "zh-TW", "中文": "zh-TW", "en": "en", "english": "en"}.get(choice)
        if language is None:
            await self.reply(update, context, t(lang_of(sub), "lang_usage"))
            return
        update_subscriber(self.db, sub.id, language=language)
        await self.reply(update, context, t(language, "lang_set"))

    async def digest(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        assert sub is not None
        lang = lang_of(sub)
        mode = args[0].casefold() if args else ""
        when = args[1] if len(args) > 1 else sub.digest_time
        if mode not in ("off", "daily", "weekly") or len(args) > 2 or not HHMM.fullmatch(when):
            await self.reply(update, context, t(lang, "digest_usage"))
            return
        hh, mm = when.split(":")
        when = f"{int(hh):02d}:{mm}"
        update_subscriber(self.db, sub.id, digest=mode, digest_time=when)
        if mode == "off":
            await self.reply(update, context, t(lang, "digest_off"))
        else:
            await self.reply(update, context, t(lang, "digest_set", mode=t(lang, mode), time=when, tz=esc(sub.timezone)))

    async def quiet(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        assert sub is not None
        lang = lang_of(sub)
        text = " ".join(args)
        if text.casefold() in ("off", "none", "關閉"):
            update_subscriber(self.db, sub.id, quiet_hours=None)
            await self.reply(update, context, t(lang, "quiet_off"))
            return
        if not text:
            await self.reply(update, context, t(lang, "quiet_usage"))
            return
        start, end = parse_quiet(text)  # UserError → shown escaped
        window = f"{start:%H:%M}-{end:%H:%M}"
        update_subscriber(self.db, sub.id, quiet_hours=window)
        await self.reply(update, context, t(lang, "quiet_set", q=window, tz=esc(sub.timezone)))

    async def mute(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        assert sub is not None
        lang = lang_of(sub)
        topic = find_topic(" ".join(args)) if args else None
        if topic is None:
            ids = ", ".join(c.id for c in topic_choices())
            await self.reply(update, context, t(lang, "mute_usage", topics=esc(ids)))
            return
        await self.reply(update, context, self.mute_topic(sub, topic.id))

    def mute_topic(self, sub: Subscriber, topic_id: str) -> str:
        lang = lang_of(sub)
        topic = find_topic(topic_id)
        label = esc(topic.label(lang) if topic else topic_id)
        unsubscribe(self.db, sub.id, "topic", topic_id)
        subscribe(self.db, sub.id, "mute", topic_id, now=self.clock())  # excluded even under 全部訊息
        return t(lang, "muted", label=label)

    async def stop(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        assert sub is not None
        lang = lang_of(sub)
        markup = InlineKeyboardMarkup([[
            InlineKeyboardButton(t(lang, "stop_yes"), callback_data="stop:yes"),
            InlineKeyboardButton(t(lang, "stop_no"), callback_data="stop:no"),
        ]])  # fmt: skip
        await self.reply(update, context, t(lang, "stop_confirm"), markup)

    # ---- membership and errors --------------------------------------------------------
    async def on_my_chat_member(self, update: Update, context: Ctx) -> None:
        """The bot was blocked, kicked or re-added: pause or resume that chat's subscriber."""
        change = update.my_chat_member
        if change is None:
            return
        sub = self.subscriber(change.chat)
        if sub is None:
            return
        status = change.new_chat_member.status
        if status in (ChatMember.BANNED, ChatMember.LEFT):
            set_status(self.db, sub.id, "paused", f"bot {status}")
            log.info("subscriber paused subscriber=%s reason=%s", sub.id, status)

    async def on_migrate(self, update: Update, context: Ctx) -> None:
        """A group became a supergroup: move its subscriber to the new chat id right away."""
        msg = update.effective_message
        if msg is None or not msg.migrate_to_chat_id:
            return
        sub = find_by_address(self.db, "telegram", str(msg.chat_id))
        new = str(msg.migrate_to_chat_id)
        if sub is not None and find_by_address(self.db, "telegram", new) is None:
            update_subscriber(self.db, sub.id, address=new)
            log.info("chat migrated subscriber=%s old=%s new=%s", sub.id, msg.chat_id, new)

    async def on_error(self, update: object, context: Ctx) -> None:
        chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        log.error("telegram handler failed chat=%s", chat_id, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            if isinstance(context.error, Forbidden):
                return
            try:
                await context.bot.send_message(
                    update.effective_chat.id, t(lang_of(self.subscriber(update.effective_chat)), "error")
                )
            except TelegramError:
                pass
