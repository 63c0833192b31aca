"""Association approvals in Telegram: the preview's 核可 / 編輯 / 略過 buttons and the edit reply.

Who may act is decided by ``bot.associations.forwarding`` (the pressing *user* must be one of the
association's admins, ``telegram:<user id>``), never by which chat the button is in. An edit
in progress is remembered per user in memory: after a restart the admin taps 編輯 again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import CallbackQuery, Update

from bot.alerts.telegram_html import esc
from bot.associations import forwarding as assoc
from bot.config import Config
from feeds.errors import UserError

if TYPE_CHECKING:
    from bot.telegram.commands import Ctx, TelegramCommands

log = logging.getLogger(__name__)


class AssociationActions:
    def __init__(self, cmds: TelegramCommands) -> None:
        self.cmds = cmds
        self.editing: dict[int, int] = {}  # user id → forward id awaiting the new text

    @property
    def config(self) -> Config:
        return self.cmds.app_config or Config()

    async def on_button(self, query: CallbackQuery, value: str) -> str:
        """``approve:ID`` / ``skip:ID`` / ``edit:ID`` → the short answer shown to the admin."""
        action, _, raw_id = value.partition(":")
        user = query.from_user
        if user is None or not raw_id.isdigit() or action not in ("approve", "skip", "edit"):
            return "?"
        actor, forward_id, now = f"telegram:{user.id}", int(raw_id), self.cmds.clock()
        lang = "en" if (user.language_code or "").startswith("en") else "zh-TW"
        try:
            if action == "approve":
                n = assoc.approve(self.cmds.db, self.config, forward_id, actor, now)
                answer = f"已核可，{n} 則會員訊息已排入" if lang == "zh-TW" else f"Approved: {n} member messages queued"
            elif action == "skip":
                assoc.skip(self.cmds.db, forward_id, actor, now)
                answer = "已略過，不會轉知會員" if lang == "zh-TW" else "Skipped: nothing goes to members"
            else:
                assoc.check_editable(self.cmds.db, forward_id, actor)
                self.editing[user.id] = forward_id
                prompt = (
                    f"請回覆新的「說明」文字（純文字，上限 {assoc.MAX_EDIT_CHARS} 字）。"
                    if lang == "zh-TW"
                    else f"Reply with the new text (plain text, at most {assoc.MAX_EDIT_CHARS} characters)."
                )
                if query.message is not None:
                    await query.get_bot().send_message(query.message.chat.id, esc(prompt), parse_mode="HTML")
                return "編輯中" if lang == "zh-TW" else "Editing"
        except UserError as exc:
            return exc.for_language(lang)
        log.info("forward %s %s by %s", forward_id, action, actor)
        try:
            await query.edit_message_reply_markup(None)  # the decision is made: no more buttons
        except Exception:  # noqa: BLE001 — the decision stands even if the keyboard stays
            log.debug("could not remove preview buttons", exc_info=True)
        return answer

    async def on_text(self, update: Update, context: Ctx) -> bool:
        """The admin's reply with the edited text; True when it was one."""
        user, msg = update.effective_user, update.effective_message
        if user is None or msg is None or user.id not in self.editing:
            return False
        forward_id = self.editing.pop(user.id)
        lang = "en" if (user.language_code or "").startswith("en") else "zh-TW"
        try:
            assoc.edit(self.cmds.db, forward_id, f"telegram:{user.id}", msg.text or "", self.cmds.clock(), self.config)
            reply = "已更新，新的預覽已送出，請再核可。" if lang == "zh-TW" else "Updated; a new preview was sent for approval."
        except UserError as exc:
            reply = exc.for_language(lang)
        await self.cmds.reply(update, context, esc(reply))
        return True
