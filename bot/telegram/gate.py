"""The one authorization gate: who may change a chat's settings or data.

Every settings-changing command, button and dialog step is wrapped in ``admins_only``; the
rule lives in ``may_change_settings`` and nowhere else:

* a private chat: its user (the only person in it);
* a group or supergroup: an admin of that chat, checked (``getChatMember``) against the user
  who typed or pressed — or the group itself speaking (an anonymous admin);
* a channel: a command arrives as a ``channel_post``, which only the channel's admins can
  make; a button press comes from a *reader* (``callback_query.from_user``), who is checked
  like a group member.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Chat, ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ConversationHandler

from bot.telegram.chat import Ctx, answer, chat_lang, reply
from bot.telegram.texts import t

log = logging.getLogger(__name__)

Handler = Callable[[Update, Ctx], Coroutine[Any, Any, Any]]
_ADMIN_STATUSES = (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


async def is_chat_admin(context: Ctx, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.warning("admin check failed chat=%s user=%s error=%s", chat_id, user_id, type(exc).__name__)
        return False
    return member.status in _ADMIN_STATUSES


async def may_change_settings(update: Update, context: Ctx) -> bool:
    """True when the person behind ``update`` may change the settings of its chat."""
    chat = update.effective_chat
    if chat is None:
        return False
    if update.callback_query is not None:  # a press is always by a person, even in a channel
        presser = update.callback_query.from_user
        if chat.type == Chat.PRIVATE:
            return presser.id == chat.id
        return await is_chat_admin(context, chat.id, presser.id)
    if chat.type == Chat.PRIVATE:
        return True
    if chat.type == Chat.CHANNEL:
        return update.channel_post is not None  # only a channel's admins can post in it
    msg = update.message
    if msg is None:
        return False
    if msg.sender_chat is not None:
        return msg.sender_chat.id == chat.id  # an anonymous admin speaking as the group
    user = msg.from_user
    return user is not None and await is_chat_admin(context, chat.id, user.id)


async def refuse(update: Update, context: Ctx) -> None:
    text = t(chat_lang(update, context), "admins_only")
    if update.callback_query is not None:
        await answer(update, text, alert=True)
    else:
        await reply(update, context, text)


def admins_only(handler: Handler) -> Handler:
    """Run ``handler`` only for someone who passes ``may_change_settings``; refuse the rest.

    A refused dialog step ends the dialog (``ConversationHandler.END``).
    """

    @functools.wraps(handler)
    async def gated(update: Update, context: Ctx) -> Any:
        if not await may_change_settings(update, context):
            chat = update.effective_chat
            log.info("refused by gate handler=%s chat=%s", handler.__name__, chat.id if chat else None)
            await refuse(update, context)
            return ConversationHandler.END
        return await handler(update, context)

    gated.passes_gate = True  # type: ignore[attr-defined]
    return gated


def is_gated(callback: object) -> bool:
    """Whether a registered callback goes through ``admins_only`` (used by the tests)."""
    return bool(getattr(callback, "passes_gate", False))
