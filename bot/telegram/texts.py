"""Everything the Telegram bot says, in one table keyed by language (繁體中文 first, English
through /lang), plus its command list and topic choices."""

from __future__ import annotations

from dataclasses import dataclass

from feeds.errors import UserError


@dataclass(frozen=True, slots=True)
class TopicChoice:
    id: str
    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def topic_choices() -> list[TopicChoice]:
    """The topics a subscriber can toggle: the taxonomy in ``feeds/data/topics.toml``."""
    from feeds.topics import TOPICS

    return [TopicChoice(t.id, t.zh, t.en) for t in TOPICS.values()]


def find_topic(value: str) -> TopicChoice | None:
    """A topic by id or by its label in either language (case-insensitive)."""
    wanted = value.strip().casefold()
    for t in topic_choices():
        if wanted in (t.id.casefold(), t.zh.casefold(), t.en.casefold()):
            return t
    return None


# (command, 繁體中文 description, English description) — registered with setMyCommands.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("start", "開始訂閱：選擇主題、語言與摘要", "Subscribe: topics, language, digest"),
    ("topics", "切換訂閱主題、關鍵字、稅則號列", "Toggle topics, keywords, HTS prefixes"),
    ("mute", "不再接收某主題", "Mute a topic"),
    ("digest", "摘要：off / daily / weekly 與時間", "Digest: off / daily / weekly and time"),
    ("quiet", "安靜時段，例如 22:00-08:00", "Quiet hours, e.g. 22:00-08:00"),
    ("lang", "語言：zh 或 en", "Language: zh or en"),
    ("help", "指令說明", "Help"),
    ("stop", "刪除本聊天室的所有資料", "Delete this chat's data"),
)

# The deadline commands (bot/telegram/deadlines.py).
DEADLINE_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("track", "追蹤報關：/track 報關編號 release=日期", "Track an entry: /track ENTRY release=date"),
    ("list", "追蹤中的報關", "Tracked entries"),
    ("untrack", "停止追蹤報關", "Stop tracking an entry"),
    ("deadlines", "未來 30 天的期限", "Deadlines in the next 30 days"),
    ("done", "標記期限已處理", "Mark a deadline handled"),
    ("import", "匯入報關 CSV 檔", "Import entries from CSV"),
    ("export_cape", "下載 CAPE 上傳檔", "CAPE upload files"),
)

T: dict[str, dict[str, str]] = {
    "zh-TW": {
        "welcome": (
            "<b>歡迎使用關務快訊</b>\n美國海關（CBP）與關務署公告的中文快訊。\n\n"
            "請點選要追蹤的主題（再點一次取消），並選擇語言、摘要頻率與摘要時間。完成後按「完成」。"
        ),
        "welcome_back": "<b>歡迎回來</b>，已恢復傳送快訊。目前設定如下，可直接調整。",
        "help": (
            "<b>關務快訊 指令</b>\n"
            "/start — 開始訂閱（主題、語言、摘要）\n"
            "/topics — 切換主題\n"
            "/topics kw 關鍵字 — 切換關鍵字訂閱\n"
            "/topics hts 8471 — 切換稅則號列前綴\n"
            "/topics all — 切換「全部訊息」\n"
            "/mute 主題 — 不再接收此主題\n"
            "/digest off|daily|weekly [HH:MM] — 摘要\n"
            "/quiet 22:00-08:00 — 安靜時段（/quiet off 取消）\n"
            "/lang zh|en — 語言\n"
            "/stop — 刪除本聊天室的所有資料\n\n"
            "群組與頻道中，只有管理員可以變更設定。"
        ),
        "help_deadlines": (
            "\n\n<b>報關與期限</b>\n"
            "/track 報關編號 [release=日期 liquidated=日期 ieepa=yes] — 追蹤\n"
            "/list — 追蹤清單　/untrack 報關編號 — 停止追蹤\n"
            "/deadlines — 未來 30 天的期限　/done 報關編號 — 已處理\n"
            "傳送 CSV 檔 — 匯入　/export_cape — CAPE 上傳檔"
        ),
        "topics_title": "<b>訂閱主題</b>（點選切換）",
        "current": "目前訂閱：{subs}",
        "none": "（尚無）",
        "need_start": "此聊天室尚未訂閱，請先輸入 /start。",
        "admins_only": "只有本群組／頻道的管理員可以變更設定。",
        "unknown_command": "不認得指令「{cmd}」。輸入 /help 查看可用指令。",
        "text_hint": "請輸入指令，例如 /topics 或 /help。",
        "kw_usage": "用法：/topics kw 關鍵字（1–40 字）",
        "hts_usage": "用法：/topics hts 稅則號列前綴，例如 /topics hts 8471 或 9903.01",
        "topics_usage": "用法：/topics、/topics kw 關鍵字、/topics hts 8471、/topics all",
        "added": "已新增：{what}",
        "removed": "已移除：{what}",
        "kw": "關鍵字「{v}」",
        "hts": "稅則號列 {v}",
        "all": "全部訊息",
        "lang_usage": "用法：/lang zh 或 /lang en",
        "lang_set": "語言已設為繁體中文。",
        "digest_usage": "用法：/digest off、/digest daily 08:00、/digest weekly 09:30",
        "digest_set": "摘要：{mode}，時間 {time}（{tz}）。",
        "digest_off": "已關閉摘要，快訊將即時傳送。",
        "quiet_usage": "用法：/quiet 22:00-08:00，或 /quiet off",
        "quiet_set": "安靜時段：{q}（{tz}），期間的快訊將於結束後送出。",
        "quiet_off": "已取消安靜時段。",
        "mute_usage": "用法：/mute 主題代碼，例如 /mute section_232；/mute forwards 不收已通知過的轉知。可用主題：{topics}",
        "muted": "已停止接收主題：{label}",
        "forwards_b": "不收已通知過的轉知（貿易署、工總轉發）",
        "forwards_muted": "不收轉知：貿易署、工總等轉發您已收過的 CSMS 或函時，不再通知。",
        "forwards_unmuted": "轉知照常通知：轉發的函會註明轉知哪則、何時已通知。",
        "forwards_state": "不收已通知過的轉知",
        "muted_topic": "已靜音：{label}",
        "stop_confirm": "確定要刪除本聊天室的訂閱、設定與所有紀錄嗎？此動作無法復原。",
        "stop_yes": "確認刪除",
        "stop_no": "取消",
        "stopped": "已刪除本聊天室的所有資料。若要重新訂閱，請輸入 /start。",
        "stop_cancelled": "已取消，資料保留。",
        "nothing_to_delete": "此聊天室沒有任何資料。",
        "done_ok": "已標記為已處理",
        "done_again": "先前已標記為已處理",
        "done_label": "✅ 已處理",
        "not_found": "找不到此訊息",
        "finished": "設定完成。有新公告時會通知您。輸入 /help 查看其他指令。",
        "lang_button": "語言",
        "digest_button": "摘要",
        "digest_off_b": "即時",
        "digest_daily_b": "每日",
        "digest_weekly_b": "每週",
        "finish_b": "完成",
        "daily": "每日",
        "weekly": "每週",
        "error": "抱歉，處理時發生錯誤，請稍後再試。",
        "yes_no": "「{v}」應為 yes 或 no",
        # entry tracking (bot/telegram/deadlines.py)
        "track_usage": (
            "用法：/track 報關編號 [release=2026-03-02] [liquidated=2026-05-01] [ieepa=yes] [label=備註]\n"
            "報關編號（entry number）為 3 碼申報人代碼＋7 碼數字＋1 碼檢查碼，例如 ABC-1234567-6。"
        ),
        "track_ask": "請輸入要追蹤的報關編號，例如 ABC-1234567-6：",
        "track_no_dialog": "請在同一則訊息中提供報關編號，例如 /track ABC-1234567-6。",
        "tracking": "已開始追蹤 <b>{number}</b>",
        "estimate": "（估計）",
        "estimate_short": "（估計）",
        "list_empty": "尚未追蹤任何報關。用 /track 報關編號 新增。",
        "list_title": "<b>追蹤中的報關</b>（第 {page}/{pages} 頁，共 {total} 筆）",
        "released": "放行 {d}",
        "liquidated": "核定 {d}",
        "untrack_usage": "用法：/untrack 報關編號",
        "untracked": "已停止追蹤 {number}",
        "no_deadlines": "未來 30 天沒有期限。",
        "deadlines_title": "<b>未來 30 天的期限</b>",
        "overdue": "逾期 {n} 天",
        "due_today": "今天",
        "days_left": "剩 {n} 天",
        "calendar": "📅 加入行事曆（Google／Outlook 訂閱）",
        "done_usage": "用法：/done 報關編號或項目代碼 [期限種類]",
        "done_cmd": "已處理：{key}（停止 {n} 項提醒）",
        "cape_none": "目前沒有符合 CAPE 申請條件的報關。",
        "cape_files": "CAPE 上傳檔：{total} 筆，{files} 個檔案。",
        # CSV import (bot/telegram/imports.py)
        "import_hint": "請直接傳送 CSV 檔案（CAPE 範本或含放行／核定日期的格式，{size} 以內；每人每小時最多 {n} 次）。",
        "csv_only": "只接受 CSV 檔案（.csv）。",
        "too_big": "檔案太大（上限 {size}），未匯入。",
        "too_often": "匯入太頻繁：每人每小時最多 {n} 次，請於 {minutes} 分鐘後再試。",
        "download_failed": "無法下載檔案，請再試一次。",
        "imported": "已匯入 {n} 筆報關。",
        # association previews (bot/telegram/associations.py)
        "fwd_approved": "已核可，{n} 則會員訊息已排入",
        "fwd_skipped": "已略過，不會轉知會員",
        "fwd_editing": "編輯中",
        "fwd_edit_prompt": "請回覆新的「說明」文字（純文字，上限 {max} 字）。",
        "fwd_updated": "已更新，新的預覽已送出，請再核可。",
        "fwd_stale": "此預覽已過期：轉知 #{id} 的說明在此預覽之後已被修改，未核可。請在最新的預覽上按「核可」。",
        "fwd_newest": "⬆️ 這是轉知 #{id} 最新的預覽：請在此按「核可」。",
        "fwd_unknown": "無法辨識此按鈕",
    },
    "en": {
        "welcome": (
            "<b>Welcome to tradealert</b>\nU.S. CBP and Taiwan customs announcements.\n\n"
            "Tap the topics to follow (tap again to remove), then choose a language, a digest and its time. "
            "Press Done when finished."
        ),
        "welcome_back": "<b>Welcome back</b>, alerts are on again. Your settings are below.",
        "help": (
            "<b>tradealert commands</b>\n"
            "/start — subscribe (topics, language, digest)\n"
            "/topics — toggle topics\n"
            "/topics kw word — toggle a keyword\n"
            "/topics hts 8471 — toggle an HTS prefix\n"
            "/topics all — toggle everything\n"
            "/mute topic — stop a topic\n"
            "/digest off|daily|weekly [HH:MM] — digest\n"
            "/quiet 22:00-08:00 — quiet hours (/quiet off to clear)\n"
            "/lang zh|en — language\n"
            "/stop — delete this chat's data\n\n"
            "In groups and channels only admins can change settings."
        ),
        "help_deadlines": (
            "\n\n<b>Entries and deadlines</b>\n"
            "/track ENTRY [release=date liquidated=date ieepa=yes] — track\n"
            "/list — tracked entries · /untrack ENTRY — stop\n"
            "/deadlines — next 30 days · /done ENTRY — handled\n"
            "Send a CSV file — import · /export_cape — CAPE upload files"
        ),
        "topics_title": "<b>Topics</b> (tap to toggle)",
        "current": "Subscribed: {subs}",
        "none": "(none)",
        "need_start": "This chat is not subscribed yet: send /start first.",
        "admins_only": "Only this group's or channel's admins can change settings.",
        "unknown_command": "Unknown command “{cmd}”. Send /help for the list.",
        "text_hint": "Send a command, e.g. /topics or /help.",
        "kw_usage": "Usage: /topics kw word (1–40 characters)",
        "hts_usage": "Usage: /topics hts prefix, e.g. /topics hts 8471 or 9903.01",
        "topics_usage": "Usage: /topics, /topics kw word, /topics hts 8471, /topics all",
        "added": "Added: {what}",
        "removed": "Removed: {what}",
        "kw": "keyword “{v}”",
        "hts": "HTS {v}",
        "all": "everything",
        "lang_usage": "Usage: /lang zh or /lang en",
        "lang_set": "Language set to English.",
        "digest_usage": "Usage: /digest off, /digest daily 08:00, /digest weekly 09:30",
        "digest_set": "Digest: {mode} at {time} ({tz}).",
        "digest_off": "Digest off: alerts are sent as they come.",
        "quiet_usage": "Usage: /quiet 22:00-08:00, or /quiet off",
        "quiet_set": "Quiet hours: {q} ({tz}); alerts wait until they end.",
        "quiet_off": "Quiet hours cleared.",
        "mute_usage": "Usage: /mute topic id, e.g. /mute section_232; /mute forwards skips forwards of what you already have. Topics: {topics}",
        "muted": "Muted topic: {label}",
        "forwards_b": "Skip forwards of what I already have",
        "forwards_muted": "Forwards muted: when an agency or association forwards a CSMS or letter you already have, you are not alerted again.",
        "forwards_unmuted": "Forwards on: a forward says which earlier alert it passes on and when you had it.",
        "forwards_state": "forwards of what you have: skipped",
        "muted_topic": "muted: {label}",
        "stop_confirm": "Delete this chat's subscription, settings and history? This cannot be undone.",
        "stop_yes": "Delete",
        "stop_no": "Cancel",
        "stopped": "All of this chat's data is deleted. Send /start to subscribe again.",
        "stop_cancelled": "Cancelled; nothing was deleted.",
        "nothing_to_delete": "This chat has no data.",
        "done_ok": "Marked as handled",
        "done_again": "Already marked as handled",
        "done_label": "✅ Handled",
        "not_found": "Message not found",
        "finished": "All set. You'll be told when something new is published. /help lists commands.",
        "lang_button": "Language",
        "digest_button": "Digest",
        "digest_off_b": "Instant",
        "digest_daily_b": "Daily",
        "digest_weekly_b": "Weekly",
        "finish_b": "Done",
        "daily": "daily",
        "weekly": "weekly",
        "error": "Sorry, something went wrong. Please try again later.",
        "yes_no": "{v!r} should be yes or no",
        "track_usage": (
            "Usage: /track ENTRY [release=2026-03-02] [liquidated=2026-05-01] [ieepa=yes] [label=note]\n"
            "An entry number is a 3-character filer code, 7 digits and a check digit, e.g. ABC-1234567-6."
        ),
        "track_ask": "Send the entry number to track, e.g. ABC-1234567-6:",
        "track_no_dialog": "Give the entry number in the same message, e.g. /track ABC-1234567-6.",
        "tracking": "Now tracking <b>{number}</b>",
        "estimate": " (estimate)",
        "estimate_short": " (est.)",
        "list_empty": "No tracked entries. Add one with /track ENTRY.",
        "list_title": "<b>Tracked entries</b> (page {page}/{pages}, {total} total)",
        "released": "released {d}",
        "liquidated": "liquidated {d}",
        "untrack_usage": "Usage: /untrack ENTRY",
        "untracked": "Stopped tracking {number}",
        "no_deadlines": "No deadlines in the next 30 days.",
        "deadlines_title": "<b>Deadlines, next 30 days</b>",
        "overdue": "{n} days overdue",
        "due_today": "today",
        "days_left": "{n} days left",
        "calendar": "📅 Subscribe in Google Calendar / Outlook",
        "done_usage": "Usage: /done ENTRY-or-item [kind]",
        "done_cmd": "Done: {key} ({n} stopped)",
        "cape_none": "No CAPE-eligible entries right now.",
        "cape_files": "CAPE upload: {total} entries in {files} file(s).",
        "import_hint": "Send the CSV file itself (CAPE template or the richer format, up to {size}; at most {n} imports an hour per person).",
        "csv_only": "Only CSV files (.csv) are accepted.",
        "too_big": "File too large ({size} at most); nothing imported.",
        "too_often": "Too many imports: at most {n} an hour per person. Try again in {minutes} minutes.",
        "download_failed": "Could not download the file; please try again.",
        "imported": "Imported {n} entries.",
        "fwd_approved": "Approved: {n} member messages queued",
        "fwd_skipped": "Skipped: nothing goes to members",
        "fwd_editing": "Editing",
        "fwd_edit_prompt": "Reply with the new text (plain text, at most {max} characters).",
        "fwd_updated": "Updated; a new preview was sent for approval.",
        "fwd_stale": "This preview is out of date: forward #{id} was edited after it was sent, so nothing was approved. Press Approve on the newest preview.",
        "fwd_newest": "⬆️ This is the newest preview of forward #{id}: approve it here.",
        "fwd_unknown": "Unknown button",
    },
}


def t(lang: str, key: str, /, **values: object) -> str:
    """The message ``key`` in ``lang``; ``values`` must already be HTML-escaped."""
    table = T["en"] if lang == "en" else T["zh-TW"]
    return table[key].format(**values) if values else table[key]


def user_error(key: str, /, **values: object) -> UserError:
    """A ``UserError`` saying message ``key`` in both languages (plain text, not HTML)."""
    return UserError(t("zh-TW", key, **values), t("en", key, **values))
