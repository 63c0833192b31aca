"""Thin Telegram handlers over the deadlines capability: /track (a one-question dialog when
typed bare), /list (+ its ◀ ▶ pages), /untrack, /deadlines, /done and /export_cape.

The use cases live in ``bot.deadlines`` and ``state``; these handlers only parse (with the
shared parsers, so full-width IME input works the same here as in the CLI), call and reply.
"""

from __future__ import annotations

import logging
import re
import tempfile
import unicodedata
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, ConversationHandler

from bot.alerts.deadline_view import render_deadline_list
from bot.alerts.telegram_html import esc
from bot.deadlines.calculators import us_entry_deadlines
from bot.deadlines.calendars import parse_date
from bot.deadlines.csv_entries import cape_batches, write_cape_files
from bot.deadlines.entries import parse_entry_number
from bot.deadlines.tracker import track_entries
from bot.telegram.chat import Ctx, answer, deps, edit, lang_of, reply, require_subscriber
from bot.telegram.gate import admins_only, may_change_settings
from bot.telegram.texts import t, user_error
from bot.web.urls import calendar_url
from feeds.errors import UserError
from feeds.normalize import row_id
from state import reminders as reminder_store
from state import tracking
from state.subscribers import Subscriber
from state.tracking import TrackedEntry, UsEntry

log = logging.getLogger(__name__)

PAGE = 10
HORIZON_DAYS = 30
TRACK_KEYS = {"release", "liquidated", "entry_date", "type", "ieepa", "label", "summary_filed"}
ITEM_PREFIXES = ("tw:", "custom:", "event:", "period:", "date:", "us:")
ASKING_ENTRY = "asking_entry"  # the /track dialog's one state
_OPTION = re.compile(r"([^=＝]*)[=＝](.*)", re.S)


def _yes(value: str) -> bool:
    folded = unicodedata.normalize("NFKC", value).casefold()
    if folded in ("yes", "y", "true", "1", "是"):
        return True
    if folded in ("no", "n", "false", "0", "否"):
        return False
    raise user_error("yes_no", v=value)


def _options(args: list[str]) -> dict[str, str] | None:
    """``key=value`` arguments (``＝`` from a Chinese IME too); None when one is not known."""
    options: dict[str, str] = {}
    for arg in args:
        m = _OPTION.fullmatch(arg)
        key = unicodedata.normalize("NFKC", m.group(1)).casefold().replace("-", "_") if m else ""
        if m is None or key not in TRACK_KEYS or not m.group(2):
            return None
        options[key] = m.group(2)
    return options


async def _track(update: Update, context: Ctx, sub: Subscriber, args: list[str]) -> None:
    lang = lang_of(sub)
    options = _options(args[1:])
    if options is None:
        await reply(update, context, esc(t(lang, "track_usage")))
        return
    number = parse_entry_number(args[0])  # UserError explains the check digit
    liquidated = parse_date(options["liquidated"]) if "liquidated" in options else None
    entry = UsEntry(
        entry_number=number,
        entry_type=unicodedata.normalize("NFKC", options["type"]).zfill(2) if "type" in options else None,
        entry_date=parse_date(options["entry_date"]) if "entry_date" in options else None,
        release_date=parse_date(options["release"]) if "release" in options else None,
        summary_filed=_yes(options.get("summary_filed", "no")),
        liquidation_date=liquidated,
        liquidation_status="liquidated" if liquidated else "unliquidated",
        ieepa=_yes(options.get("ieepa", "no")),
    )
    d, now = deps(context), deps(context).clock()
    track_entries(d.db, sub.id, [TrackedEntry(entry, (), None, options.get("label"))], rules=d.rules, now=now)
    lines = [t(lang, "tracking", number=esc(number))]
    items = [replace(item, item_key=f"us:{number}:{item.kind}")
             for item in us_entry_deadlines(entry, d.rules.us, d.rules.cape, today=now.date())]  # fmt: skip
    lines.append(render_deadline_list(items, now.date(), lang=lang, tz=sub.timezone, html=True, heading=False))
    await reply(update, context, "\n".join(lines))


async def _track_or_explain(update: Update, context: Ctx, sub: Subscriber, args: list[str]) -> None:
    try:
        await _track(update, context, sub, args)
    except UserError as exc:
        await reply(update, context, esc(exc.for_language(lang_of(sub))))


# ---- /track: a ConversationHandler in private chats and groups ----------------------------
@admins_only
async def track(update: Update, context: Ctx) -> object:
    """/track ENTRY [key=value…] tracks at once; bare /track asks for the number."""
    if (sub := await require_subscriber(update, context)) is None:
        return ConversationHandler.END
    if not context.args:
        await reply(update, context, esc(t(lang_of(sub), "track_ask")))
        return ASKING_ENTRY
    await _track_or_explain(update, context, sub, context.args)
    return ConversationHandler.END


@admins_only
async def track_answer(update: Update, context: Ctx) -> object:
    """The answer to /track's question: the dialog ends, and no other handler sees the text."""
    sub = await require_subscriber(update, context)
    text = update.effective_message.text if update.effective_message else ""
    if sub is not None and text:
        await _track_or_explain(update, context, sub, text.split())
    raise ApplicationHandlerStop(ConversationHandler.END)


async def leave_dialog(update: Update, context: Ctx) -> object:
    """Another command while a question is open: drop the question, let the command run."""
    if context.user_data:
        context.user_data.pop("editing_forward", None)  # an abandoned 編輯 (bot.telegram.associations)
    return ConversationHandler.END


@admins_only
async def track_in_channel(update: Update, context: Ctx) -> None:
    """Channel posts cannot hold a dialog (PTB's ConversationHandler skips them)."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    if not context.args:
        await reply(update, context, esc(t(lang_of(sub), "track_no_dialog")))
        return
    await _track_or_explain(update, context, sub, context.args)


# ---- /list, /untrack ----------------------------------------------------------------------
async def list_entries(update: Update, context: Ctx) -> None:
    """Open to everyone in a group: reading changes nothing."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    args = context.args or []
    page = (row_id(args[0]) if args else None) or 1
    text, markup = list_page(context, sub, page)
    await reply(update, context, text, markup)


async def on_list_page(update: Update, context: Ctx) -> None:
    """◀ ▶ under /list (``list:<page>``): pages through, changes nothing."""
    sub = await require_subscriber(update, context)
    value = (update.callback_query.data or "").partition(":")[2] if update.callback_query else ""
    if sub is not None and (page := row_id(value)) is not None and update.callback_query is not None:
        text, markup = list_page(context, sub, page)
        await edit(update.callback_query, text, markup)
    await answer(update)


def list_page(context: Ctx, sub: Subscriber, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    lang = lang_of(sub)
    entries = tracking.entries_of(deps(context).db, sub.id)
    if not entries:
        return t(lang, "list_empty"), None
    pages = (len(entries) + PAGE - 1) // PAGE
    page = max(1, min(page, pages))
    lines = [t(lang, "list_title", page=page, pages=pages, total=len(entries))]
    for item in entries[(page - 1) * PAGE : page * PAGE]:
        e = item.entry
        bits = [esc(e.entry_number)]
        if e.release_date:
            bits.append(t(lang, "released", d=e.release_date))
        if e.liquidation_date:
            bits.append(t(lang, "liquidated", d=e.liquidation_date))
        if e.ieepa:
            bits.append("IEEPA")
        if item.label:
            bits.append(esc(item.label))
        lines.append("• " + " · ".join(bits))
    buttons = []
    if page > 1:
        buttons.append(InlineKeyboardButton("◀", callback_data=f"list:{page - 1}"))
    if page < pages:
        buttons.append(InlineKeyboardButton("▶", callback_data=f"list:{page + 1}"))
    return "\n".join(lines), InlineKeyboardMarkup([buttons]) if buttons else None


@admins_only
async def untrack(update: Update, context: Ctx) -> None:
    if (sub := await require_subscriber(update, context)) is None:
        return
    lang = lang_of(sub)
    if len(context.args or []) != 1:
        await reply(update, context, t(lang, "untrack_usage"))
        return
    try:
        number = parse_entry_number((context.args or [""])[0])
        tracking.remove_entry(deps(context).db, sub.id, number)
    except UserError as exc:
        await reply(update, context, esc(exc.for_language(lang)))
        return
    await reply(update, context, t(lang, "untracked", number=esc(number)))


# ---- /deadlines, /done --------------------------------------------------------------------
async def deadlines(update: Update, context: Ctx) -> None:
    """The next 30 days, overdue first. Open to everyone; the private calendar link only to
    those who pass the gate (in a group: its admins)."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    lang = lang_of(sub)
    today = deps(context).clock().date()
    rows = []
    for r in reminder_store.open_items(deps(context).db, sub.id):
        try:
            day = date.fromisoformat(r["act_by"] or r["deadline"])
        except (TypeError, ValueError):
            continue
        if day <= today + timedelta(days=HORIZON_DAYS):
            rows.append(((day - today).days, r))
    rows.sort(key=lambda x: (x[0], x[1]["item_key"]))
    link = await calendar_line(update, context, sub)
    if not rows:
        await reply(update, context, t(lang, "no_deadlines") + link)
        return
    lines = [t(lang, "deadlines_title")]
    shown = [item for _, r in rows[:50] if (item := reminder_store.as_deadline(r)) is not None]
    lines.append(render_deadline_list(shown, today, lang=lang, tz=sub.timezone, html=True, heading=False))
    await reply(update, context, "\n".join(lines) + link)


async def calendar_line(update: Update, context: Ctx, sub: Subscriber) -> str:
    """The subscriber's private ICS link, when the HTTP side serves it and the asker may see it."""
    cfg = deps(context).config
    if cfg is None or not cfg.http.listen or not sub.token:
        return ""
    if not await may_change_settings(update, context):
        return ""
    url = esc(calendar_url(cfg.http.public_url, sub.token) or "")
    return f'\n\n<a href="{url}">{t(lang_of(sub), "calendar")}</a>\n<code>{url}</code>'


@admins_only
async def done(update: Update, context: Ctx) -> None:
    """/done ENTRY [kind] or /done tw:3 — stop an item's reminders."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    lang, args = lang_of(sub), context.args or []
    if not args or len(args) > 2:
        await reply(update, context, t(lang, "done_usage"))
        return
    try:
        key = unicodedata.normalize("NFKC", args[0])
        if not key.startswith(ITEM_PREFIXES):
            key = f"us:{parse_entry_number(args[0])}"
        if len(args) == 2:
            key = f"{key}:{unicodedata.normalize('NFKC', args[1])}"
        n = reminder_store.mark_done(deps(context).db, sub.id, key, now=deps(context).clock())
    except UserError as exc:
        await reply(update, context, esc(exc.for_language(lang)))
        return
    await reply(update, context, t(lang, "done_cmd", key=esc(key), n=n))


@admins_only
async def export_cape(update: Update, context: Ctx) -> None:
    """The CAPE upload CSV files, sent as documents."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    lang, d = lang_of(sub), deps(context)
    chat = update.effective_chat
    assert chat is not None
    batches = cape_batches(tracking.entries_of(d.db, sub.id), d.rules.cape, d.clock().date())
    if not batches:
        await reply(update, context, t(lang, "cape_none"))
        return
    with tempfile.TemporaryDirectory(prefix="cape-") as tmp:
        paths = write_cape_files(batches, Path(tmp))
        for path in paths:
            content: Any = path.read_bytes()
            await context.bot.send_document(chat.id, document=content, filename=path.name)
    total = sum(len(b) for b in batches)
    await reply(update, context, t(lang, "cape_files", total=total, files=len(paths)))
