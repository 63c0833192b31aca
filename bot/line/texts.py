"""Every text a LINE user reads from the bot's replies, by language (繁體中文 first)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "zh-TW": "歡迎使用關務快訊！美國 CBP 與台灣關務署的最新公告，會以繁體中文、台北時間送到這裡。\n\n"
        "傳「主題」選擇要收的主題；若公會或服務人員給了您綁定碼（例如 K7QH-3M9P），直接傳送綁定碼即可。\n"
        "傳「說明」看所有指令。",
        "en": "Welcome to tradealert! Send 'topics' to choose topics, or send the binding code you were given.",
    },
    "welcome_back": {
        "zh-TW": "歡迎回來，您的設定都還在，通知將恢復傳送。",
        "en": "Welcome back: your settings are kept and messages resume.",
    },
    "help": {
        "zh-TW": "指令：\n• 主題 — 目前訂閱與可選主題；「主題 代碼」加入或取消，「主題 全部」訂閱全部\n"
        "• 期限 — 未來 30 天的期限（逾期在前）\n• 停止 — 停止接收；「開始」恢復\n"
        "• 綁定碼（例如 K7QH-3M9P）— 連結到公會或服務人員為您建立的帳戶",
        "en": "Commands: topics [id|all], deadlines, stop (start resumes), or a binding code.",
    },
    "topics_head": {"zh-TW": "目前訂閱：{current}\n\n可選主題（傳「主題 代碼」加入或取消）：", "en": "Subscribed: {current}\n\nTopics (send 'topics ID' to toggle):"},
    "nothing": {"zh-TW": "（尚未訂閱）", "en": "(nothing yet)"},
    "all": {"zh-TW": "全部訊息", "en": "everything"},
    "added": {"zh-TW": "已加入：{what}", "en": "Added: {what}"},
    "removed": {"zh-TW": "已取消：{what}", "en": "Removed: {what}"},
    "unknown_topic": {"zh-TW": "沒有「{what}」這個主題。傳「主題」看可選主題。", "en": "No topic '{what}'. Send 'topics' for the list."},
    "no_deadlines": {"zh-TW": "未來 30 天沒有期限。", "en": "No deadlines in the next 30 days."},
    "deadlines_head": {"zh-TW": "未來 30 天的期限：", "en": "Deadlines, next 30 days:"},
    "overdue": {"zh-TW": "逾期 {n} 天", "en": "{n} days overdue"},
    "today": {"zh-TW": "今天", "en": "today"},
    "days_left": {"zh-TW": "剩 {n} 天", "en": "{n} days left"},
    "estimate": {"zh-TW": "（估計）", "en": " (est.)"},
    "calendar": {"zh-TW": "📅 加入行事曆（Google／Outlook 訂閱）：{url}", "en": "📅 Calendar feed: {url}"},
    "stopped": {
        "zh-TW": "已停止接收關務快訊，您的設定仍保留。傳「開始」即可恢復。",
        "en": "Stopped: nothing more will be sent. Your settings are kept; send 'start' to resume.",
    },
    "started": {"zh-TW": "已恢復接收關務快訊。", "en": "Messages resume."},
    "linked": {
        "zh-TW": "綁定完成：此 LINE 帳號已連結到「{name}」，之後的通知與提醒都會送到這裡。",
        "en": "Linked: this LINE account now receives {name}'s alerts and reminders.",
    },
    "hint": {"zh-TW": "看不懂這則訊息。傳「說明」看可用的指令。", "en": "Not a command. Send 'help'."},
}


def t(lang: str, key: str, **values: object) -> str:
    entry = TEXTS[key]
    return entry.get(lang, entry["zh-TW"]).format(**values)
