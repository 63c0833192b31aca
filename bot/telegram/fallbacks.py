"""What the bot does with everything no other handler took: unknown commands, plain text,
errors, and chat-membership changes (blocked, kicked, a group upgraded to a supergroup)."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.error import Forbidden, TelegramError

from bot.alerts.telegram_html import esc
from bot.telegram.chat import Ctx, chat_lang, deps, reply, subscriber_of
from bot.telegram.texts import COMMANDS, DEADLINE_COMMANDS, t
from state.subscribers import find_by_address, set_status, update_subscriber

log = logging.getLogger(__name__)

KNOWN = {name for name, _, _ in COMMANDS + DEADLINE_COMMANDS}


async def on_unknown_command(update: Update, context: Ctx) -> None:
    """A command no handler took: point to /help (ignoring those meant for another bot, and
    known ones a dialog already handled)."""
    msg = update.effective_message
    if msg is None or not msg.text:
        return
    head = msg.text.split()[0]
    name, _, target = head[1:].partition("@")
    if target and target.casefold() != (context.bot.username or "").casefold():
        return
    if name.casefold() in KNOWN:
        return
    await reply(update, context, t(chat_lang(update, context), "unknown_command", cmd=esc(head[:64])))


async def on_text(update: Update, context: Ctx) -> None:
    """Plain text in a private chat that no dialog was waiting for: a hint."""
    await reply(update, context, t(chat_lang(update, context), "text_hint"))


async def on_my_chat_member(update: Update, context: Ctx) -> None:
    """The bot was blocked, kicked or removed: pause that chat's subscriber."""
    change = update.my_chat_member
    if change is None:
        return
    sub = subscriber_of(context, change.chat)
    status = change.new_chat_member.status
    if sub is not None and status in (ChatMember.BANNED, ChatMember.LEFT):
        set_status(deps(context).db, sub.id, "paused", f"bot {status}")
        log.info("subscriber paused subscriber=%s reason=%s", sub.id, status)


async def on_migrate(update: Update, context: Ctx) -> None:
    """A group became a supergroup: move its subscriber to the new chat id right away."""
    msg = update.effective_message
    if msg is None or not msg.migrate_to_chat_id:
        return
    db = deps(context).db
    sub = find_by_address(db, "telegram", str(msg.chat_id))
    new = str(msg.migrate_to_chat_id)
    if sub is not None and find_by_address(db, "telegram", new) is None:
        update_subscriber(db, sub.id, address=new)
        log.info("chat migrated subscriber=%s old=%s new=%s", sub.id, msg.chat_id, new)


async def on_error(update: object, context: Ctx) -> None:
    chat = update.effective_chat if isinstance(update, Update) else None
    log.error("telegram handler failed chat=%s", chat.id if chat else None, exc_info=context.error)
    if chat is None or isinstance(context.error, Forbidden):
        return
    try:
        await context.bot.send_message(chat.id, t(chat_lang(update, context), "error"))  # type: ignore[arg-type]
    except TelegramError:
        pass
