"""Association approvals in Telegram: a preview's 核可 / 略過 buttons and the 編輯 dialog.

Two checks, both needed: the gate (whoever presses must pass it like any settings button),
then ``bot.associations.forwarding`` decides whether the pressing *user* is one of the
association's admins (``telegram:<user id>``) — the chat the button is in does not matter.

核可 carries the version of the text the preview showed (``fwd:approve:<id>:<version>``): after
someone edits the forward, a press on an older preview is refused, and the presser is pointed
to the newest one. The edit in progress lives in the dialog's state and ``user_data``, both
persisted (``bot.telegram.persistence``), so a restart does not lose it.
"""

from __future__ import annotations

import logging
import re

from telegram import ReplyParameters, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ConversationHandler

from bot.alerts.telegram_html import esc
from bot.associations import forwarding as assoc
from bot.config import Config
from bot.telegram.chat import Ctx, answer, deps, reply, user_lang
from bot.telegram.gate import admins_only
from bot.telegram.texts import t
from feeds.errors import UserError
from feeds.normalize import row_id
from state import associations as assoc_store
from state import telegram as tgstate

log = logging.getLogger(__name__)

APPROVE = r"^fwd:approve:\d+(?::[0-9a-f]{1,40})?$"
SKIP = r"^fwd:skip:\d+(?::[0-9a-f]{1,40})?$"
EDIT = r"^fwd:edit:\d+(?::[0-9a-f]{1,40})?$"
EDITING = "editing"  # the edit dialog's one state
_DATA = re.compile(r"^fwd:(approve|skip|edit):([0-9]+)(?::([0-9a-f]+))?$")


def _parsed(update: Update) -> tuple[str, int, str | None]:
    m = _DATA.match(update.callback_query.data or "") if update.callback_query else None
    forward_id = row_id(m.group(2)) if m else None
    if m is None or forward_id is None:
        return "", 0, None
    return m.group(1), forward_id, m.group(3)


def _actor(update: Update) -> str:
    return f"telegram:{update.callback_query.from_user.id}" if update.callback_query else ""


def _config(context: Ctx) -> Config:
    return deps(context).config or Config()


async def _close_preview(update: Update) -> None:
    """The decision is made: take the buttons off the preview."""
    try:
        await update.callback_query.edit_message_reply_markup(None)  # type: ignore[union-attr]
    except TelegramError:
        log.debug("could not remove preview buttons", exc_info=True)


def _seen_version(update: Update, context: Ctx, forward_id: int, given: str | None) -> str:
    """The version of the text the pressed preview showed: from its callback data, or — for a
    preview sent before versions were in the data — from the outbox row it was sent as."""
    if given:
        return given
    db = deps(context).db
    msg = update.callback_query.message if update.callback_query else None
    key = tgstate.message_key_of(db, str(msg.chat.id), msg.message_id) if msg else None
    f = assoc_store.require_forward(db, forward_id)
    return assoc.version_of(f) if key == assoc.preview_key(f) else "unknown"


async def _point_to_newest(update: Update, context: Ctx, forward_id: int, lang: str) -> None:
    """Reply to the newest preview of this forward in this chat, so the admin finds it."""
    chat = update.effective_chat
    if chat is None:
        return
    db = deps(context).db
    f = assoc_store.require_forward(db, forward_id)
    message_id = tgstate.preview_message(db, str(chat.id), assoc.preview_key(f))
    if message_id is None:  # not delivered yet: the answer already says what to do
        return
    try:
        await context.bot.send_message(
            chat.id, esc(t(lang, "fwd_newest", id=f.id)),
            parse_mode="HTML", reply_parameters=ReplyParameters(message_id, allow_sending_without_reply=True),
        )  # fmt: skip
    except TelegramError:
        log.debug("could not point to the newest preview", exc_info=True)


@admins_only
async def on_decision(update: Update, context: Ctx) -> None:
    """核可 (``fwd:approve:…``) or 略過 (``fwd:skip:…``)."""
    action, forward_id, given = _parsed(update)
    lang, actor, d = user_lang(update), _actor(update), deps(context)
    try:
        if action == "approve":
            seen = _seen_version(update, context, forward_id, given)
            n = assoc.approve(d.db, _config(context), forward_id, actor, d.clock(), seen=seen)
            notice = t(lang, "fwd_approved", n=n)
        elif action == "skip":
            assoc.skip(d.db, forward_id, actor, d.clock())
            notice = t(lang, "fwd_skipped")
        else:
            await answer(update, t(lang, "fwd_unknown"))
            return
    except assoc.StaleVersion:
        await answer(update, t(lang, "fwd_stale", id=forward_id), alert=True)
        await _point_to_newest(update, context, forward_id, lang)
        return
    except UserError as exc:
        await answer(update, exc.for_language(lang))
        return
    log.info("forward %s %s by %s", forward_id, action, actor)
    await _close_preview(update)
    await answer(update, notice)


# ---- 編輯: a ConversationHandler (entry: the button; state: the admin's next text) ---------
@admins_only
async def start_edit(update: Update, context: Ctx) -> object:
    _, forward_id, _ = _parsed(update)
    lang = user_lang(update)
    try:
        assoc.check_editable(deps(context).db, forward_id, _actor(update))
    except UserError as exc:
        await answer(update, exc.for_language(lang))
        return ConversationHandler.END
    if context.user_data is not None:
        context.user_data["editing_forward"] = forward_id
    await reply(update, context, esc(t(lang, "fwd_edit_prompt", max=assoc.MAX_EDIT_CHARS)))
    await answer(update, t(lang, "fwd_editing"))
    return EDITING


@admins_only
async def receive_edit(update: Update, context: Ctx) -> object:
    """The admin's new 說明: a fresh preview goes out (to be approved again)."""
    user, msg = update.effective_user, update.effective_message
    forward_id = context.user_data.pop("editing_forward", None) if context.user_data is not None else None
    if user is None or msg is None or forward_id is None:
        raise ApplicationHandlerStop(ConversationHandler.END)
    lang = "en" if (user.language_code or "").startswith("en") else "zh-TW"
    try:
        assoc.edit(deps(context).db, int(forward_id), f"telegram:{user.id}", msg.text or "", deps(context).clock(),
                   _config(context))  # fmt: skip
        text = t(lang, "fwd_updated")
    except UserError as exc:
        text = exc.for_language(lang)
    await reply(update, context, esc(text))
    raise ApplicationHandlerStop(ConversationHandler.END)
