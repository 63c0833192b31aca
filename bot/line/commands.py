"""What a LINE user's follow, unfollow and text messages do. Each returns the reply texts.

Mirrors the Telegram commands a person needs most: 主題 (topics), 期限 (deadlines), 停止
(stop; 開始 resumes), 說明 (help), plus binding codes from ``run.py subscriber link-code``.
Unlike Telegram's /stop, 停止 keeps the subscriber's data (a LINE user may be a firm linked by
its association or operator): it only stops sending.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from bot.config import Config
from bot.line.texts import t
from bot.web.urls import calendar_url
from feeds.errors import UserError
from feeds.topics import TOPICS
from state import line as linestate
from state.reminders import open_items
from state.subscribers import (
    Subscriber,
    add_subscriber,
    find_by_address,
    set_status,
    subscribe,
    subscriptions_of,
    unsubscribe,
)

log = logging.getLogger(__name__)

HORIZON_DAYS = 30
TOPICS_WORDS = ("主題", "topics", "/topics")
DEADLINE_WORDS = ("期限", "deadlines", "/deadlines")
STOP_WORDS = ("停止", "stop", "/stop")
START_WORDS = ("開始", "start", "/start")
HELP_WORDS = ("說明", "help", "/help", "?", "？")
ALL_WORDS = ("全部", "all", "*")


def lang_of(sub: Subscriber | None) -> str:
    return "en" if sub is not None and sub.language == "en" else "zh-TW"


def _ensure(db: Database, user_id: str, now: datetime) -> tuple[Subscriber, bool]:
    """The user's subscriber, created on first contact. Returns (subscriber, created)."""
    sub = find_by_address(db, "line", user_id)
    if sub is not None:
        return sub, False
    sub = add_subscriber(db, name=f"LINE 使用者 {user_id[-6:]}", channel="line", address=user_id, now=now)
    log.info("subscriber created via line subscriber=%s", sub.id)
    return sub, True


def on_follow(db: Database, user_id: str, now: datetime) -> list[str]:
    """Added the account (or unblocked it): create the subscriber, or resume a known one."""
    sub, created = _ensure(db, user_id, now)
    if created:
        return [t("zh-TW", "welcome")]
    if sub.status != "active":
        set_status(db, sub.id, "active", None)
        log.info("subscriber resumed via line follow subscriber=%s", sub.id)
    return [t(lang_of(sub), "welcome_back")]


def on_unfollow(db: Database, user_id: str) -> None:
    """Blocked or removed the account: pause (messages are kept, not sent)."""
    sub = find_by_address(db, "line", user_id)
    if sub is not None and sub.status == "active":
        set_status(db, sub.id, "paused", "unfollowed on LINE")
        log.info("subscriber paused via line unfollow subscriber=%s", sub.id)


def on_text(db: Database, config: Config, user_id: str, text: str, now: datetime, today: date) -> list[str]:
    text = " ".join(text.split())[:500]
    if linestate.looks_like_code(text):
        try:
            linked = linestate.redeem_link_code(db, text, user_id, now=now)
        except UserError as exc:
            return [exc.for_language(lang_of(find_by_address(db, "line", user_id)))]
        log.info("line user linked subscriber=%s", linked.id)
        return [t(lang_of(linked), "linked", name=linked.name)]
    sub, _ = _ensure(db, user_id, now)
    lang = lang_of(sub)
    head, _, rest = text.partition(" ")
    word = head.casefold()
    if word in TOPICS_WORDS:
        return [topics(db, sub, rest.strip(), now)]
    if word in DEADLINE_WORDS:
        return [deadlines(db, config, sub, today)]
    if word in STOP_WORDS:
        set_status(db, sub.id, "unsubscribed", "停止 on LINE")
        return [t(lang, "stopped")]
    if word in START_WORDS:
        set_status(db, sub.id, "active", None)
        return [t(lang, "started")]
    if word in HELP_WORDS:
        return [t(lang, "help")]
    return [t(lang, "hint")]


def _find_topic(value: str) -> str | None:
    wanted = value.strip().casefold()
    for topic in TOPICS.values():
        if wanted in (topic.id.casefold(), topic.zh.casefold(), topic.en.casefold()):
            return topic.id
    return None


def topics(db: Database, sub: Subscriber, arg: str, now: datetime) -> str:
    lang = lang_of(sub)
    if arg:
        if arg.casefold() in ALL_WORDS:
            kind, value, label = "all", "", t(lang, "all")
        else:
            found = _find_topic(arg)
            if found is None:
                return t(lang, "unknown_topic", what=arg[:50])
            kind, value, label = "topic", found, TOPICS[found].zh if lang == "zh-TW" else TOPICS[found].en
        if unsubscribe(db, sub.id, kind, value):
            return t(lang, "removed", what=label)
        if kind == "topic":
            unsubscribe(db, sub.id, "mute", value)
        subscribe(db, sub.id, kind, value, now=now)
        return t(lang, "added", what=label)
    mine = subscriptions_of(db, sub.id)
    chosen = {s.value for s in mine if s.kind == "topic"}
    names = [
        t(lang, "all") if s.kind == "all"
        else (TOPICS[s.value].zh if s.value in TOPICS and lang == "zh-TW" else s.value) if s.kind == "topic"
        else f"{s.kind}:{s.value}"
        for s in mine if s.kind != "mute"
    ]  # fmt: skip
    lines = [t(lang, "topics_head", current="、".join(names) if names else t(lang, "nothing"))]
    for topic in TOPICS.values():
        mark = "✅" if topic.id in chosen else "・"
        lines.append(f"{mark} {topic.id}　{topic.zh if lang == 'zh-TW' else topic.en}")
    return "\n".join(lines)


def deadlines(db: Database, config: Config, sub: Subscriber, today: date) -> str:
    """The next 30 days, overdue first, with the private calendar link when it is served."""
    lang = lang_of(sub)
    rows = []
    for r in open_items(db, sub.id):
        try:
            day = date.fromisoformat(str(r["deadline"])[:10])
        except ValueError:
            continue
        if day <= today + timedelta(days=HORIZON_DAYS):
            rows.append(((day - today).days, r))
    rows.sort(key=lambda x: (x[0], x[1]["item_key"]))
    lines = [t(lang, "deadlines_head") if rows else t(lang, "no_deadlines")]
    for days, r in rows[:40]:
        when = (t(lang, "overdue", n=-days) if days < 0 else t(lang, "today") if days == 0
                else t(lang, "days_left", n=days))  # fmt: skip
        est = t(lang, "estimate") if r["estimate"] else ""
        lines.append(f"• {when} {str(r['deadline'])[:10]}{est} — {r['title']}（{r['item_key']}）")
    if config.http.listen and sub.token:
        lines.append("\n" + t(lang, "calendar", url=calendar_url(config.http.public_url, sub.token)))
    return "\n".join(lines)
