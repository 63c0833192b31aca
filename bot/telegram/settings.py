"""The settings commands: /start, /help, /topics, /lang, /digest, /quiet, /mute, /stop — and
the topics keyboard they show. Each is one small handler; every one that changes anything
passes the gate (``admins_only``). Everything a user typed is escaped before it is shown.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.alerts.story import MUTE_FORWARDS
from bot.alerts.telegram_html import esc
from bot.deadlines.reminders import parse_time_of_day
from bot.quiet import parse_quiet
from bot.telegram.chat import Ctx, deps, lang_of, reply, require_subscriber, subscriber_of
from bot.telegram.gate import admins_only
from bot.telegram.texts import find_topic, t, topic_choices
from feeds.errors import UserError
from feeds.hts import parse_hts_prefix
from state import telegram as tgstate
from state.subscribers import (
    DIGEST_MODES,
    Subscriber,
    add_subscriber,
    set_status,
    subscribe,
    subscriptions_of,
    unsubscribe,
    update_subscriber,
)

log = logging.getLogger(__name__)

DIGEST_TIMES = ("07:00", "08:00", "09:00", "17:00")
LANGUAGES = {"zh": "zh-TW", "zh-tw": "zh-TW", "中文": "zh-TW", "en": "en", "english": "en"}


# ---- what the chat sees ---------------------------------------------------------------
def settings_keyboard(context: Ctx, sub: Subscriber, *, onboarding: bool) -> InlineKeyboardMarkup:
    """Topics to toggle (✅ = followed), keyword/HTS ✖ buttons; at onboarding also language,
    digest mode and time, and 完成."""
    db = deps(context).db
    lang = lang_of(sub)
    subs = {(s.kind, s.value) for s in subscriptions_of(db, sub.id)}
    topics = [
        InlineKeyboardButton(("✅ " if ("topic", c.id) in subs else "") + c.label(lang), callback_data=f"t:{c.id}")
        for c in topic_choices()
        if len(f"t:{c.id}".encode()) <= 64
    ]
    rows = [topics[i : i + 2] for i in range(0, len(topics), 2)]
    all_mark = "✅ " if ("all", "") in subs else ""
    rows.append([InlineKeyboardButton(all_mark + t(lang, "all"), callback_data="t:*")])
    muted = ("mute", MUTE_FORWARDS) in subs
    rows.append([InlineKeyboardButton(("✅ " if muted else "") + t(lang, "forwards_b"), callback_data="fw:toggle")])
    for sub_id, kind, value in tgstate.extra_subscriptions(db, sub.id)[:20]:
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
            for mode in DIGEST_MODES
        ])  # fmt: skip
        rows.append([
            InlineKeyboardButton(("✅ " if sub.digest_time == at else "") + at, callback_data=f"dt:{at}")
            for at in DIGEST_TIMES
        ])  # fmt: skip
        rows.append([InlineKeyboardButton(t(lang, "finish_b"), callback_data="ok")])
    return InlineKeyboardMarkup(rows)


def describe(context: Ctx, sub: Subscriber) -> str:
    """``目前訂閱：…`` — the chat's subscriptions in its language."""
    lang = lang_of(sub)
    labels = {c.id: c.label(lang) for c in topic_choices()}
    parts = []
    for s in subscriptions_of(deps(context).db, sub.id):
        if s.kind == "all":
            parts.append(t(lang, "all"))
        elif s.kind == "topic":
            parts.append(labels.get(s.value, s.value))
        elif s.kind == "keyword":
            parts.append(t(lang, "kw", v=s.value))
        elif s.kind == "hts":
            parts.append(t(lang, "hts", v=s.value))
        elif s.kind == "mute" and s.value == MUTE_FORWARDS:
            parts.append(t(lang, "forwards_state"))
        elif s.kind == "mute":
            parts.append(t(lang, "muted_topic", label=labels.get(s.value, s.value)))
        else:
            parts.append(f"{s.kind}:{s.value}")
    return t(lang, "current", subs=esc("、".join(parts)) if parts else t(lang, "none"))


def toggle(context: Ctx, sub: Subscriber, kind: str, value: str) -> bool:
    """Add the subscription, or remove it if present; True when it was added."""
    db = deps(context).db
    if unsubscribe(db, sub.id, kind, value):
        return False
    subscribe(db, sub.id, kind, value, now=deps(context).clock())
    if kind == "topic":
        unsubscribe(db, sub.id, "mute", value)  # choosing a topic again lifts its mute
    return True


def toggle_forwards(context: Ctx, sub: Subscriber) -> str:
    """Mute forwards of what the chat already has, or lift that; returns the confirmation."""
    db = deps(context).db
    if unsubscribe(db, sub.id, "mute", MUTE_FORWARDS):
        return t(lang_of(sub), "forwards_unmuted")
    subscribe(db, sub.id, "mute", MUTE_FORWARDS, now=deps(context).clock())
    return t(lang_of(sub), "forwards_muted")


def mute_topic(context: Ctx, sub: Subscriber, topic_id: str) -> str:
    """Stop a topic, even under 全部訊息; returns the confirmation (HTML)."""
    db = deps(context).db
    topic = find_topic(topic_id)
    label = esc(topic.label(lang_of(sub)) if topic else topic_id)
    unsubscribe(db, sub.id, "topic", topic_id)
    subscribe(db, sub.id, "mute", topic_id, now=deps(context).clock())
    return t(lang_of(sub), "muted", label=label)


# ---- commands ---------------------------------------------------------------------------
@admins_only
async def start(update: Update, context: Ctx) -> None:
    """Subscribe this chat (or resume it) and show the onboarding keyboard."""
    chat = update.effective_chat
    assert chat is not None
    db = deps(context).db
    sub = subscriber_of(context, chat)
    if sub is None:
        user = update.effective_user
        name = chat.title or (user.full_name if user else "") or str(chat.id)
        language = "en" if user is not None and (user.language_code or "").startswith("en") else "zh-TW"
        sub = add_subscriber(db, name=name[:100], channel="telegram", address=str(chat.id),
                             now=deps(context).clock(), language=language)  # fmt: skip
        log.info("subscriber created via telegram subscriber=%s chat=%s", sub.id, chat.id)
        welcome = "welcome"
    else:
        if sub.status != "active":
            set_status(db, sub.id, "active", None)
        welcome = "welcome_back"
    sub = subscriber_of(context, chat)
    assert sub is not None
    await reply(update, context, t(lang_of(sub), welcome) + "\n\n" + describe(context, sub),
                settings_keyboard(context, sub, onboarding=True))  # fmt: skip


async def help_command(update: Update, context: Ctx) -> None:
    """The command list; open to everyone in a group."""
    sub = subscriber_of(context, update.effective_chat)
    await reply(update, context, t(lang_of(sub), "help") + t(lang_of(sub), "help_deadlines"))


@admins_only
async def topics(update: Update, context: Ctx) -> None:
    """/topics (keyboard), /topics kw 鋼鐵, /topics hts 8471.30, /topics all, /topics section_232."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    lang = lang_of(sub)
    args = context.args or []
    if not args:
        await reply(update, context, t(lang, "topics_title") + "\n" + describe(context, sub),
                    settings_keyboard(context, sub, onboarding=False))  # fmt: skip
        return
    mode, value = args[0].casefold(), " ".join(args[1:]).strip()
    if mode in ("kw", "keyword"):
        if not value or len(value) > 40 or any(ord(c) < 32 for c in value):
            await reply(update, context, t(lang, "kw_usage"))
            return
        kind, label = "keyword", t(lang, "kw", v=esc(value))
    elif mode == "hts":
        try:
            value = parse_hts_prefix(value)
        except UserError:
            await reply(update, context, t(lang, "hts_usage"))
            return
        kind, label = "hts", t(lang, "hts", v=esc(value))
    elif mode == "all":
        kind, value, label = "all", "", t(lang, "all")
    elif (topic := find_topic(" ".join(args))) is not None:
        kind, value, label = "topic", topic.id, esc(topic.label(lang))
    else:
        await reply(update, context, t(lang, "topics_usage"))
        return
    added = toggle(context, sub, kind, value)
    await reply(update, context, t(lang, "added" if added else "removed", what=label))


@admins_only
async def lang(update: Update, context: Ctx) -> None:
    if (sub := await require_subscriber(update, context)) is None:
        return
    args = context.args or []
    language = LANGUAGES.get(args[0].casefold()) if len(args) == 1 else None
    if language is None:
        await reply(update, context, t(lang_of(sub), "lang_usage"))
        return
    update_subscriber(deps(context).db, sub.id, language=language)
    await reply(update, context, t(language, "lang_set"))


@admins_only
async def digest(update: Update, context: Ctx) -> None:
    """/digest off | daily [HH:MM] | weekly [HH:MM]."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    lang = lang_of(sub)
    args = context.args or []
    mode = args[0].casefold() if args else ""
    try:
        when = f"{parse_time_of_day(args[1] if len(args) > 1 else sub.digest_time):%H:%M}"
    except UserError:
        when = ""
    if mode not in DIGEST_MODES or len(args) > 2 or not when:
        await reply(update, context, t(lang, "digest_usage"))
        return
    update_subscriber(deps(context).db, sub.id, digest=mode, digest_time=when)
    if mode == "off":
        await reply(update, context, t(lang, "digest_off"))
    else:
        await reply(update, context, t(lang, "digest_set", mode=t(lang, mode), time=when, tz=esc(sub.timezone)))


@admins_only
async def quiet(update: Update, context: Ctx) -> None:
    """/quiet 22:00-08:00 or /quiet off."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    lang = lang_of(sub)
    text = " ".join(context.args or [])
    if text.casefold() in ("off", "none", "關閉"):
        update_subscriber(deps(context).db, sub.id, quiet_hours=None)
        await reply(update, context, t(lang, "quiet_off"))
        return
    if not text:
        await reply(update, context, t(lang, "quiet_usage"))
        return
    try:
        begin, end = parse_quiet(text)
    except UserError as exc:
        await reply(update, context, esc(exc.for_language(lang)))
        return
    window = f"{begin:%H:%M}-{end:%H:%M}"
    update_subscriber(deps(context).db, sub.id, quiet_hours=window)
    await reply(update, context, t(lang, "quiet_set", q=window, tz=esc(sub.timezone)))


@admins_only
async def mute(update: Update, context: Ctx) -> None:
    if (sub := await require_subscriber(update, context)) is None:
        return
    args = context.args or []
    if [a.casefold() for a in args] == [MUTE_FORWARDS]:
        await reply(update, context, toggle_forwards(context, sub))
        return
    topic = find_topic(" ".join(args)) if args else None
    if topic is None:
        ids = ", ".join(c.id for c in topic_choices())
        await reply(update, context, t(lang_of(sub), "mute_usage", topics=esc(ids)))
        return
    await reply(update, context, mute_topic(context, sub, topic.id))


@admins_only
async def stop(update: Update, context: Ctx) -> None:
    """Ask before deleting: the 確認刪除 button (also gated) does the deleting."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    lang = lang_of(sub)
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(t(lang, "stop_yes"), callback_data="stop:yes"),
        InlineKeyboardButton(t(lang, "stop_no"), callback_data="stop:no"),
    ]])  # fmt: skip
    await reply(update, context, t(lang, "stop_confirm"), markup)
