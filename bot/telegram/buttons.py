"""Button presses, one handler per family of callback data (registered with its pattern in
``bot.telegram.app``): the settings keyboard (``t:`` ``sx:`` ``lang:`` ``dg:`` ``dt:`` ``ok``),
the /stop confirmation (``stop:``) and the buttons under alerts (``done:`` 已處理, ``mute:``
靜音此主題). Every one of them changes something, so every one passes the gate.

A press acts only on the subscriber of the chat it came from; an outbox id in callback data
is honoured only when that row belongs to this chat.
"""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.alerts.telegram_html import visible_text
from bot.telegram import settings
from bot.telegram.chat import Ctx, answer, deps, edit, lang_of, require_subscriber, subscriber_of
from bot.telegram.gate import admins_only
from bot.telegram.texts import find_topic, t
from feeds.errors import UserError
from feeds.normalize import row_id
from state import reminders as reminder_store
from state import telegram as tgstate
from state.subscribers import Subscriber, remove_subscriber, update_subscriber

log = logging.getLogger(__name__)

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _value(update: Update) -> str:
    """The part of the callback data after the family prefix (``t:section_232`` → ``section_232``)."""
    data = update.callback_query.data if update.callback_query else None
    return (data or "").partition(":")[2]


def _onboarding(update: Update) -> bool:
    """Was the press under the /start keyboard (it has the language row)?"""
    msg = update.callback_query.message if update.callback_query else None
    markup = msg.reply_markup if isinstance(msg, Message) else None
    rows = markup.inline_keyboard if markup else ()
    return any(str(b.callback_data or "").startswith("lang:") for row in rows for b in row)


async def _refresh(update: Update, context: Ctx, notice: str = "") -> None:
    """Redraw the keyboard the press came from with the new settings, then answer the press."""
    chat, query = update.effective_chat, update.callback_query
    fresh = subscriber_of(context, chat)
    if fresh is not None and query is not None:
        onboarding = _onboarding(update)
        title = t(lang_of(fresh), "welcome" if onboarding else "topics_title")
        await edit(query, title + "\n\n" + settings.describe(context, fresh),
                   settings.settings_keyboard(context, fresh, onboarding=onboarding))  # fmt: skip
    await answer(update, notice)


# ---- the settings keyboard ---------------------------------------------------------------
@admins_only
async def on_topic(update: Update, context: Ctx) -> None:
    """``t:<topic>`` toggles a topic, ``t:*`` toggles 全部訊息."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    value, notice = _value(update), ""
    if value == "*":
        settings.toggle(context, sub, "all", "")
    elif (topic := find_topic(value)) is not None:
        added = settings.toggle(context, sub, "topic", topic.id)
        notice = t(lang_of(sub), "added" if added else "removed", what=topic.label(lang_of(sub)))
    await _refresh(update, context, notice)


@admins_only
async def on_forwards(update: Update, context: Ctx) -> None:
    """``fw:toggle``: skip (or again receive) forwards of what the chat already has."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    await _refresh(update, context, settings.toggle_forwards(context, sub))


@admins_only
async def on_remove_subscription(update: Update, context: Ctx) -> None:
    """``sx:<subscription id>``: the ✖ beside a keyword or HTS subscription."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    if (subscription_id := row_id(_value(update))) is not None:
        tgstate.remove_subscription(deps(context).db, sub.id, subscription_id)
    await _refresh(update, context)


@admins_only
async def on_language(update: Update, context: Ctx) -> None:
    if (sub := await require_subscriber(update, context)) is None:
        return
    if _value(update) in ("zh-TW", "en"):
        update_subscriber(deps(context).db, sub.id, language=_value(update))
    await _refresh(update, context)


@admins_only
async def on_digest_mode(update: Update, context: Ctx) -> None:
    if (sub := await require_subscriber(update, context)) is None:
        return
    if _value(update) in settings.DIGEST_MODES:
        update_subscriber(deps(context).db, sub.id, digest=_value(update))
    await _refresh(update, context)


@admins_only
async def on_digest_time(update: Update, context: Ctx) -> None:
    if (sub := await require_subscriber(update, context)) is None:
        return
    if _HHMM.fullmatch(_value(update)):
        update_subscriber(deps(context).db, sub.id, digest_time=_value(update))
    await _refresh(update, context)


@admins_only
async def on_finish(update: Update, context: Ctx) -> None:
    """完成 under the onboarding keyboard."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    if update.callback_query is not None:
        await edit(update.callback_query, t(lang_of(sub), "finished") + "\n\n" + settings.describe(context, sub))
    await answer(update)


@admins_only
async def on_stop(update: Update, context: Ctx) -> None:
    """``stop:yes`` deletes the chat's subscriber and all that hangs on it; ``stop:no`` keeps it."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    query = update.callback_query
    assert query is not None
    if _value(update) == "yes":
        remove_subscriber(deps(context).db, sub.id)
        log.info("subscriber deleted via telegram subscriber=%s chat=%s", sub.id, sub.address)
        await edit(query, t(lang_of(sub), "stopped"))
    else:
        await edit(query, t(lang_of(sub), "stop_cancelled"))
    await answer(update)


# ---- buttons under alerts ------------------------------------------------------------------
@admins_only
async def on_mute(update: Update, context: Ctx) -> None:
    """靜音此主題 (``mute:<topic>``), like /mute."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    await answer(update, visible_text(settings.mute_topic(context, sub, _value(update)).split("\n")[0]))


@admins_only
async def on_done(update: Update, context: Ctx) -> None:
    """已處理 (``done:<outbox id>``): record the ack; under a reminder, stop that item."""
    sub = subscriber_of(context, update.effective_chat)
    lang = lang_of(sub)
    notice = acknowledge(context, sub, _value(update), update.callback_query.from_user.id)  # type: ignore[union-attr]
    if notice == t(lang, "done_ok"):
        await _mark_done(update, lang)
    await answer(update, notice)


def acknowledge(context: Ctx, sub: Subscriber | None, value: str, user_id: int) -> str:
    db, now = deps(context).db, deps(context).clock()
    lang = lang_of(sub)
    outbox_id = row_id(value)
    if sub is None or outbox_id is None or tgstate.outbox_owner(db, outbox_id) != sub.id:
        return t(lang, "not_found")  # never act on another chat's message
    fresh = tgstate.acknowledge(db, outbox_id, user_id=user_id, now=now)
    kind, payload = tgstate.outbox_kind_payload(db, outbox_id)
    if fresh and kind == "reminder" and payload.get("item"):
        try:
            reminder_store.mark_done(db, sub.id, str(payload["item"]), now=now)
        except UserError:
            log.info("reminder item already gone outbox_id=%s", value)
    return t(lang, "done_ok" if fresh else "done_again")


async def _mark_done(update: Update, lang: str) -> None:
    """Turn the pressed 已處理 into ✅ 已處理 (a ``noop`` button)."""
    query = update.callback_query
    msg = query.message if query else None
    markup = msg.reply_markup if isinstance(msg, Message) else None
    if query is None or markup is None:
        return
    rows = [
        [InlineKeyboardButton(t(lang, "done_label"), callback_data="noop") if b.callback_data == query.data else b
         for b in row]
        for row in markup.inline_keyboard
    ]  # fmt: skip
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
    except BadRequest:
        log.debug("could not edit keyboard", exc_info=True)


# ---- presses that change nothing --------------------------------------------------------
async def on_noop(update: Update, context: Ctx) -> None:
    """✅ 已處理 pressed again: nothing to do."""
    await answer(update)


async def on_unknown(update: Update, context: Ctx) -> None:
    """A button from an older version of the bot (or forged data): say so, change nothing."""
    await answer(update, t(lang_of(subscriber_of(context, update.effective_chat)), "not_found"))
