"""/import: a CSV document sent to the bot becomes tracked entries.

Guarded three ways, in this order: the gate (in a group only its admins; a stranger's chat has
no subscriber and is told to /start), a size limit checked before and after the download
(``[telegram] import_max_bytes``), and a per-user rate (``[telegram] imports_per_hour``). The
CSV is parsed in a worker thread (``asyncio.to_thread``) and the handler is registered with
``block=False``; the entries are then stored in chunks of ``STORE_CHUNK``, so other chats are
answered while a big file is parsed and stored.
"""

from __future__ import annotations

import asyncio
import logging
import math

from telegram import Chat, Update
from telegram.error import TelegramError

from bot.alerts.telegram_html import esc
from bot.deadlines.csv_entries import errors_message, parse_csv
from bot.deadlines.tracker import track_entries
from bot.telegram.chat import Ctx, deps, lang_of, reply, require_subscriber
from bot.telegram.gate import admins_only
from bot.telegram.texts import t
from feeds.errors import UserError

log = logging.getLogger(__name__)

CSV_SUFFIXES = (".csv", ".txt")
# Entries stored (and their reminders planned) per transaction: the event loop is never held
# longer than one chunk. Tracking is idempotent, so an import cut short by a crash is completed
# by sending the file again.
STORE_CHUNK = 1000


def size_label(limit: int) -> str:
    """``1 MB``, ``512 KB``: the limit as people say it."""
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{math.ceil(limit / 1024)} KB"


@admins_only
async def import_hint(update: Update, context: Ctx) -> None:
    """/import typed without a file: how to send one, and the limits."""
    if (sub := await require_subscriber(update, context)) is None:
        return
    tg = deps(context).telegram
    await reply(update, context, t(lang_of(sub), "import_hint", size=size_label(tg.import_max_bytes),
                                   n=tg.imports_per_hour))  # fmt: skip


def _sender_key(update: Update) -> int:
    """Whom the rate applies to: the user, or the channel for a channel post."""
    if update.effective_user is not None:
        return update.effective_user.id
    msg = update.effective_message
    if msg is not None and msg.sender_chat is not None:
        return msg.sender_chat.id
    return update.effective_chat.id if update.effective_chat else 0


@admins_only
async def on_document(update: Update, context: Ctx) -> None:
    msg, chat = update.effective_message, update.effective_chat
    if msg is None or chat is None or msg.document is None:
        return
    if (sub := await require_subscriber(update, context)) is None:
        return
    d = deps(context)
    lang, limit = lang_of(sub), d.telegram.import_max_bytes
    doc = msg.document
    if not (doc.file_name or "").casefold().endswith(CSV_SUFFIXES):
        if chat.type == Chat.PRIVATE:  # in a group, someone's PDF is none of our business
            await reply(update, context, t(lang, "csv_only"))
        return
    if (doc.file_size or 0) > limit:
        await reply(update, context, t(lang, "too_big", size=size_label(limit)))
        return
    wait = d.imports.acquire(_sender_key(update), d.clock())
    if wait is not None:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        await reply(update, context, t(lang, "too_often", n=d.telegram.imports_per_hour, minutes=minutes))
        return
    try:
        file = await context.bot.get_file(doc.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("document download failed chat=%s error=%s", chat.id, type(exc).__name__)
        await reply(update, context, t(lang, "download_failed"))
        return
    if len(data) > limit:
        await reply(update, context, t(lang, "too_big", size=size_label(limit)))
        return
    n, now = 0, d.clock()
    try:
        parsed = await asyncio.to_thread(parse_csv, data)  # CPU-bound: off the event loop
        if parsed.errors:
            raise errors_message(parsed.errors)  # a bad row: nothing is stored
        entries = list(parsed.entries)
        for start in range(0, len(entries), STORE_CHUNK):
            n += track_entries(d.db, sub.id, entries[start : start + STORE_CHUNK], rules=d.rules, now=now)
            await asyncio.sleep(0)  # let other chats' updates run between transactions
    except UserError as exc:
        await reply(update, context, esc(exc.for_language(lang)))
        return
    log.info("telegram import chat=%s entries=%s bytes=%s", chat.id, n, len(data))
    await reply(update, context, t(lang, "imported", n=n))
