"""Thin Telegram handlers over the deadlines capability: /track, /list, /untrack, /deadlines,
/done, /import (CSV document) and /export_cape.

The use cases live in ``bot.deadlines.tracker``, ``bot.deadlines.csv_entries`` and ``state.tracking`` /
``state.reminders`` (the deadlines capability); these handlers only parse, call and reply.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.alerts.telegram_html import esc
from bot.config import RemindersConfig
from feeds.errors import UserError
from state.subscribers import Subscriber

if TYPE_CHECKING:
    from bot.telegram.commands import Ctx, TelegramCommands

from bot.deadlines.calculators import us_entry_deadlines
from bot.deadlines.calendars import parse_date
from bot.deadlines.csv_entries import cape_batches, errors_message, parse_csv, write_cape_files
from bot.deadlines.entries import parse_entry_number
from bot.deadlines.tracker import Rules, track_entries
from state import reminders as reminder_store
from state import tracking
from state.tracking import TrackedEntry, UsEntry

log = logging.getLogger(__name__)

PAGE = 10
MAX_CSV_BYTES = 2 * 1024 * 1024
HORIZON_DAYS = 30
TRACK_KEYS = {"release", "liquidated", "entry_date", "type", "ieepa", "label", "summary_filed"}

TRACK_USAGE = {
    "zh-TW": (
        "用法：/track 報關編號 [release=2026-03-02] [liquidated=2026-05-01] [ieepa=yes] [label=備註]\n"
        "報關編號（entry number）為 3 碼申報人代碼＋7 碼數字＋1 碼檢查碼，例如 ABC-1234567-6。"
    ),
    "en": (
        "Usage: /track ENTRY [release=2026-03-02] [liquidated=2026-05-01] [ieepa=yes] [label=note]\n"
        "An entry number is a 3-character filer code, 7 digits and a check digit, e.g. ABC-1234567-6."
    ),
}
ASK_ENTRY = {"zh-TW": "請輸入要追蹤的報關編號，例如 ABC-1234567-6：", "en": "Send the entry number to track, e.g. ABC-1234567-6:"}


def _zh(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _yes(value: str) -> bool:
    if value.casefold() in ("yes", "y", "true", "1", "是"):
        return True
    if value.casefold() in ("no", "n", "false", "0", "否"):
        return False
    raise UserError(f"「{value}」應為 yes 或 no", f"{value!r} should be yes or no")


class DeadlineCommands:
    """Registered on ``TelegramCommands`` when the deadlines capability is present."""

    def __init__(self, base: TelegramCommands, reminders: RemindersConfig) -> None:
        self.base = base
        self.rules = Rules(reminders)

    def register(self) -> None:
        self.base.commands.update(
            {"track": self.track, "list": self.list_entries, "untrack": self.untrack,
             "deadlines": self.deadlines, "done": self.done, "import": self.import_hint,
             "export_cape": self.export_cape}
        )  # fmt: skip

    # ---- /track -----------------------------------------------------------------------
    async def track(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        assert sub is not None
        lang = "en" if sub.language == "en" else "zh-TW"
        if not args:
            if context.chat_data is not None:
                context.chat_data["awaiting_entry"] = True
            await self.base.reply(update, context, esc(ASK_ENTRY[lang]))
            return
        await self._track(update, context, sub, args)

    async def on_text(self, update: Update, context: Ctx) -> bool:
        """The answer to /track's question; True when the text was consumed."""
        if not context.chat_data or not context.chat_data.pop("awaiting_entry", False):
            return False
        chat = update.effective_chat
        msg = update.effective_message
        sub = self.base.subscriber(chat) if chat else None
        if sub is None or msg is None or not msg.text:
            return False
        if not await self.base.is_admin(update, context):
            return True
        try:
            await self._track(update, context, sub, msg.text.split())
        except UserError as exc:
            await self.base.reply(update, context, esc(exc.for_language(sub.language)))
        return True

    async def _track(self, update: Update, context: Ctx, sub: Subscriber, args: list[str]) -> None:
        lang = "en" if sub.language == "en" else "zh-TW"
        options: dict[str, str] = {}
        for arg in args[1:]:
            key, sep, value = arg.partition("=")
            key = key.casefold().replace("-", "_")
            if not sep or key not in TRACK_KEYS or not value:
                await self.base.reply(update, context, esc(TRACK_USAGE[lang]))
                return
            options[key] = value
        number = parse_entry_number(args[0])  # UserError explains the check digit
        liquidated = parse_date(options["liquidated"]) if "liquidated" in options else None
        entry = UsEntry(
            entry_number=number,
            entry_type=options["type"].zfill(2) if "type" in options else None,
            entry_date=parse_date(options["entry_date"]) if "entry_date" in options else None,
            release_date=parse_date(options["release"]) if "release" in options else None,
            summary_filed=_yes(options.get("summary_filed", "no")),
            liquidation_date=liquidated,
            liquidation_status="liquidated" if liquidated else "unliquidated",
            ieepa=_yes(options.get("ieepa", "no")),
        )
        now = self.base.clock()
        label = options.get("label")
        track_entries(self.base.db, sub.id, [TrackedEntry(entry, (), None, label)], rules=self.rules, now=now)
        lines = [_zh(lang, f"已開始追蹤 <b>{esc(number)}</b>", f"Now tracking <b>{esc(number)}</b>")]
        for d in us_entry_deadlines(entry, self.rules.us, self.rules.cape, today=now.date()):
            est = _zh(lang, "（估計）", " (estimate)") if d.estimate else ""
            lines.append(f"• {esc(d.kind)}：{d.date.isoformat()}{est}")
        await self.base.reply(update, context, "\n".join(lines))

    # ---- /list, /untrack --------------------------------------------------------------
    async def list_entries(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        assert sub is not None
        page = int(args[0]) if args and args[0].isdigit() and int(args[0]) > 0 else 1
        text, markup = self.list_page(sub, page)
        await self.base.reply(update, context, text, markup)

    def list_page(self, sub: Subscriber, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
        lang = "en" if sub.language == "en" else "zh-TW"
        entries = tracking.entries_of(self.base.db, sub.id)
        if not entries:
            return _zh(lang, "尚未追蹤任何報關。用 /track 報關編號 新增。", "No tracked entries. Add one with /track ENTRY."), None
        pages = (len(entries) + PAGE - 1) // PAGE
        page = min(page, pages)
        shown = entries[(page - 1) * PAGE : page * PAGE]
        lines = [_zh(lang, f"<b>追蹤中的報關</b>（第 {page}/{pages} 頁，共 {len(entries)} 筆）",
                     f"<b>Tracked entries</b> (page {page}/{pages}, {len(entries)} total)")]  # fmt: skip
        for t in shown:
            e = t.entry
            bits = [esc(e.entry_number)]
            if e.release_date:
                bits.append(_zh(lang, f"放行 {e.release_date}", f"released {e.release_date}"))
            if e.liquidation_date:
                bits.append(_zh(lang, f"核定 {e.liquidation_date}", f"liquidated {e.liquidation_date}"))
            if e.ieepa:
                bits.append("IEEPA")
            if t.label:
                bits.append(esc(t.label))
            lines.append("• " + " · ".join(bits))
        buttons = []
        if page > 1:
            buttons.append(InlineKeyboardButton("◀", callback_data=f"list:{page - 1}"))
        if page < pages:
            buttons.append(InlineKeyboardButton("▶", callback_data=f"list:{page + 1}"))
        return "\n".join(lines), InlineKeyboardMarkup([buttons]) if buttons else None

    async def untrack(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        assert sub is not None
        lang = "en" if sub.language == "en" else "zh-TW"
        if len(args) != 1:
            await self.base.reply(update, context, _zh(lang, "用法：/untrack 報關編號", "Usage: /untrack ENTRY"))
            return
        number = parse_entry_number(args[0])
        tracking.remove_entry(self.base.db, sub.id, number)
        await self.base.reply(update, context, _zh(lang, f"已停止追蹤 {esc(number)}", f"Stopped tracking {esc(number)}"))

    # ---- /deadlines, /done ------------------------------------------------------------
    async def deadlines(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        """The next 30 days, sorted by days remaining: overdue first."""
        assert sub is not None
        lang = "en" if sub.language == "en" else "zh-TW"
        today = self.base.clock().date()
        rows = []
        for r in reminder_store.open_items(self.base.db, sub.id):
            try:
                day = date.fromisoformat(r["deadline"])
            except (TypeError, ValueError):
                continue
            if day <= today + timedelta(days=HORIZON_DAYS):
                rows.append(((day - today).days, r))
        rows.sort(key=lambda x: (x[0], x[1]["item_key"]))
        if not rows:
            await self.base.reply(
                update, context,
                _zh(lang, "未來 30 天沒有期限。", "No deadlines in the next 30 days.") + self.calendar_line(sub, lang),
            )  # fmt: skip
            return
        lines = [_zh(lang, "<b>未來 30 天的期限</b>", "<b>Deadlines, next 30 days</b>")]
        for days, r in rows[:50]:
            when = (_zh(lang, f"逾期 {-days} 天", f"{-days} days overdue") if days < 0
                    else _zh(lang, "今天", "today") if days == 0
                    else _zh(lang, f"剩 {days} 天", f"{days} days left"))  # fmt: skip
            est = _zh(lang, "（估計）", " (est.)") if r["estimate"] else ""
            lines.append(f"• <b>{when}</b> {esc(r['deadline'])}{est} — {esc(r['title'])}\n  <code>{esc(r['item_key'])}</code>")
        await self.base.reply(update, context, "\n".join(lines) + self.calendar_line(sub, lang))

    def calendar_line(self, sub: Subscriber, lang: str) -> str:
        """The subscriber's private ICS link, when the HTTP side is running to serve it."""
        cfg = self.base.app_config
        if cfg is None or not cfg.http.listen or not sub.token:
            return ""
        from bot.web.app import calendar_url

        url = calendar_url(cfg.http.public_url, sub.token)
        label = _zh(lang, "📅 加入行事曆（Google／Outlook 訂閱）", "📅 Subscribe in Google Calendar / Outlook")
        return f'\n\n<a href="{esc(url or "")}">{label}</a>\n<code>{esc(url or "")}</code>'

    async def done(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        assert sub is not None
        lang = "en" if sub.language == "en" else "zh-TW"
        if not args or len(args) > 2:
            await self.base.reply(update, context, _zh(lang, "用法：/done 報關編號或項目代碼 [期限種類]", "Usage: /done ENTRY-or-item [kind]"))
            return
        key = args[0]
        if not key.startswith(("tw:", "custom:", "event:", "period:", "date:", "us:")):
            key = f"us:{parse_entry_number(key)}"
        if len(args) == 2:
            key = f"{key}:{args[1]}"
        n = reminder_store.mark_done(self.base.db, sub.id, key, now=self.base.clock())
        await self.base.reply(update, context, _zh(lang, f"已處理：{esc(key)}（停止 {n} 項提醒）", f"Done: {esc(key)} ({n} stopped)"))

    def done_item(self, sub: Subscriber, item_key: str) -> int:
        """已處理 pressed under a reminder: stop that item's remaining reminders."""
        return reminder_store.mark_done(self.base.db, sub.id, item_key, now=self.base.clock())

    # ---- /import, /export_cape --------------------------------------------------------
    async def import_hint(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        lang = "en" if sub is not None and sub.language == "en" else "zh-TW"
        await self.base.reply(update, context, _zh(
            lang, "請直接傳送 CSV 檔案（CAPE 範本或含放行／核定日期的格式，2 MB 以內）。",
            "Send the CSV file itself (CAPE template or the richer format, up to 2 MB).",
        ))  # fmt: skip

    async def on_document(self, update: Update, context: Ctx) -> None:
        msg = update.effective_message
        chat = update.effective_chat
        if msg is None or chat is None or msg.document is None:
            return
        sub = self.base.subscriber(chat)
        lang = "en" if sub is not None and sub.language == "en" else "zh-TW"
        if sub is None:
            await self.base.reply(update, context, _zh(lang, "請先輸入 /start。", "Send /start first."))
            return
        if not await self.base.is_admin(update, context):
            return
        doc = msg.document
        name = (doc.file_name or "").casefold()
        if not (name.endswith(".csv") or name.endswith(".txt")):
            await self.base.reply(update, context, _zh(lang, "只接受 CSV 檔案（.csv）。", "Only CSV files (.csv) are accepted."))
            return
        if (doc.file_size or 0) > MAX_CSV_BYTES:
            await self.base.reply(update, context, _zh(lang, "檔案太大（上限 2 MB）。", "File too large (2 MB at most)."))
            return
        try:
            file = await context.bot.get_file(doc.file_id)
            data = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            log.warning("document download failed chat=%s error=%s", chat.id, type(exc).__name__)
            await self.base.reply(update, context, _zh(lang, "無法下載檔案，請再試一次。", "Could not download the file; please try again."))
            return
        if len(data) > MAX_CSV_BYTES:
            await self.base.reply(update, context, _zh(lang, "檔案太大（上限 2 MB）。", "File too large (2 MB at most)."))
            return
        try:
            parsed = parse_csv(data)
            if parsed.errors:
                raise errors_message(parsed.errors)
            n = track_entries(self.base.db, sub.id, parsed.entries, rules=self.rules, now=self.base.clock())
        except UserError as exc:
            await self.base.reply(update, context, esc(exc.for_language(lang)))
            return
        await self.base.reply(update, context, _zh(lang, f"已匯入 {n} 筆報關。", f"Imported {n} entries."))

    async def export_cape(self, update: Update, context: Ctx, args: list[str], sub: Subscriber | None) -> None:
        assert sub is not None
        lang = "en" if sub.language == "en" else "zh-TW"
        chat = update.effective_chat
        assert chat is not None
        today = self.base.clock().date()
        batches = cape_batches(tracking.entries_of(self.base.db, sub.id), self.rules.cape, today)
        if not batches:
            await self.base.reply(update, context, _zh(lang, "目前沒有符合 CAPE 申請條件的報關。", "No CAPE-eligible entries right now."))
            return
        with tempfile.TemporaryDirectory(prefix="cape-") as tmp:
            paths = write_cape_files(batches, Path(tmp))
            for path in paths:
                content: Any = path.read_bytes()
                await context.bot.send_document(chat.id, document=content, filename=path.name)
        total = sum(len(b) for b in batches)
        await self.base.reply(update, context, _zh(lang, f"CAPE 上傳檔：{total} 筆，{len(paths)} 個檔案。", f"CAPE upload: {total} entries in {len(paths)} file(s)."))
