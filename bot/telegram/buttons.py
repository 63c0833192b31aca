"""Telegram inline-button presses: 已處理, 靜音此主題, onboarding and settings toggles, /stop
confirmation and /list paging.

Like the commands, every press acts only on the subscriber of the chat it came from; an
outbox id in callback data is honoured only when that row belongs to this chat.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.alerts.telegram_html import visible_text
from bot.telegram.commands import HHMM, Ctx, TelegramCommands, lang_of
from bot.telegram.texts import find_topic, t
from feeds.errors import UserError
from state import telegram as tgstate
from state.subscribers import Subscriber, remove_subscriber, update_subscriber

log = logging.getLogger(__name__)


class TelegramButtons:
    """Callback-query handlers, sharing the commands' helpers."""

    def __init__(self, cmds: TelegramCommands) -> None:
        self.cmds = cmds

    async def on_callback(self, update: Update, context: Ctx) -> None:
        query = update.callback_query
        chat = update.effective_chat
        if query is None or chat is None or query.message is None:
            return
        data = query.data or ""
        sub = self.cmds.subscriber(chat)
        lang = lang_of(sub)
        kind, _, value = data.partition(":")
        answer = ""
        try:
            if kind == "done":
                answer = self.acknowledge(sub, value, query.from_user.id if query.from_user else None)
                if answer == t(lang, "done_ok"):
                    await self._mark_done(query, data, lang)
            elif kind == "fwd":  # association preview: 核可 / 編輯 / 略過 (admins only, by user)
                answer = await self.cmds.associations.on_button(query, value)
            elif kind == "list" and sub is not None and value.isdigit():
                text, markup = self.cmds.deadlines.list_page(sub, int(value))
                await self._edit(query, text, markup)
            elif kind in ("t", "sx", "lang", "dg", "dt", "mute", "stop", "ok"):
                if not await self.cmds.is_admin(update, context):
                    answer = t(lang, "admins_only")
                elif sub is None:
                    answer = t(lang, "need_start")
                else:
                    answer = await self._settings_button(update, context, sub, kind, value)
        finally:
            try:
                await query.answer(answer[:200] or None)
            except TelegramError:
                log.debug("answerCallbackQuery failed", exc_info=True)

    def acknowledge(self, sub: Subscriber | None, value: str, user_id: int | None) -> str:
        lang = lang_of(sub)
        if sub is None or not value.isdigit() or tgstate.outbox_owner(self.cmds.db, int(value)) != sub.id:
            return t(lang, "not_found")  # never act on another chat's message
        fresh = tgstate.acknowledge(self.cmds.db, int(value), user_id=user_id, now=self.cmds.clock())
        kind, payload = tgstate.outbox_kind_payload(self.cmds.db, int(value))
        if fresh and kind == "reminder" and payload.get("item"):
            try:
                self.cmds.deadlines.done_item(sub, str(payload["item"]))
            except UserError:
                log.info("reminder item already gone outbox_id=%s", value)
        return t(lang, "done_ok" if fresh else "done_again")

    async def _mark_done(self, query: CallbackQuery, data: str, lang: str) -> None:
        markup = query.message.reply_markup if isinstance(query.message, Message) else None
        if markup is None:
            return
        rows = [
            [
                InlineKeyboardButton(t(lang, "done_label"), callback_data="noop")
                if b.callback_data == data else b
                for b in row
            ]
            for row in markup.inline_keyboard
        ]  # fmt: skip
        try:
            await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
        except BadRequest:
            log.debug("could not edit keyboard", exc_info=True)

    async def _settings_button(
        self, update: Update, context: Ctx, sub: Subscriber, kind: str, value: str
    ) -> str:
        query = update.callback_query
        assert query is not None
        lang = lang_of(sub)
        chat = update.effective_chat
        assert chat is not None
        if kind == "mute":
            return visible_text(self.cmds.mute_topic(sub, value).split("\n")[0])
        if kind == "stop":
            if value == "yes":
                remove_subscriber(self.cmds.db, sub.id)
                log.info("subscriber deleted via telegram subscriber=%s chat=%s", sub.id, chat.id)
                await self._edit(query, t(lang, "stopped"))
            else:
                await self._edit(query, t(lang, "stop_cancelled"))
            return ""
        if kind == "ok":
            await self._edit(query, t(lang, "finished") + "\n\n" + self.cmds.describe(sub))
            return ""
        answer = ""
        if kind == "t":
            if value == "*":
                self.cmds.toggle(sub, "all", "")
            elif (topic := find_topic(value)) is not None:
                added = self.cmds.toggle(sub, "topic", topic.id)
                answer = t(lang, "added" if added else "removed", what=topic.label(lang))
        elif kind == "sx" and value.isdigit():
            tgstate.remove_subscription(self.cmds.db, sub.id, int(value))
        elif kind == "lang" and value in ("zh-TW", "en"):
            update_subscriber(self.cmds.db, sub.id, language=value)
        elif kind == "dg" and value in ("off", "daily", "weekly"):
            update_subscriber(self.cmds.db, sub.id, digest=value)
        elif kind == "dt" and HHMM.fullmatch(value):
            update_subscriber(self.cmds.db, sub.id, digest_time=value)
        fresh = self.cmds.subscriber(chat)
        if fresh is not None:
            onboarding = any(
                (b.callback_data or "").startswith("lang:")
                for row in (query.message.reply_markup.inline_keyboard if query.message.reply_markup else [])  # type: ignore[union-attr]
                for b in row
            )
            text = (t(lang_of(fresh), "welcome") if onboarding else t(lang_of(fresh), "topics_title"))
            await self._edit(query, text + "\n\n" + self.cmds.describe(fresh),
                             self.cmds.settings_keyboard(fresh, onboarding=onboarding))  # fmt: skip
        return answer

    async def _edit(
        self, query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        except BadRequest:  # e.g. "message is not modified"
            log.debug("could not edit message", exc_info=True)
