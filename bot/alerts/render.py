"""Rendering alerts through jinja2 templates: plain text, and Telegram HTML split into parts.

Every value from a feed goes through jinja's autoescape in the HTML template, and only
http(s) links become ``href`` — nothing a feed wrote reaches Telegram as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from bot.alerts.telegram_html import MAX_TEXT, split_html
from bot.understand.glossary import translate_title
from bot.understand.summary import PREFIX_ZH
from bot.understand.timefmt import day_text, format_event_time, weekday
from bot.understand.understanding import Understanding
from feeds.model import Announcement

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "html.j2", "xml"]),
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(day_text=day_text, weekday=weekday, event_time=format_event_time)
    env.filters["in_lang"] = in_lang
    return env


def in_lang(text: str, lang: str) -> str:
    """One half of a bilingual 「中文 / English」 note: the reader's language."""
    zh, sep, en = (text or "").partition(" / ")
    if not sep:
        return text or ""
    return en if lang.startswith("en") else zh


@dataclass(frozen=True, slots=True)
class RenderedAlert:
    text: str
    html: tuple[str, ...]


def _safe_url(url: str) -> str:
    return url if url.lower().startswith(("https://", "http://")) else ""


def _title_zh(ann: Announcement, u: Understanding) -> str:
    title = str(u.facts.title or ann.title or "")
    if ann.language == "zh-TW":
        return title or "（無標題）"
    return translate_title(title) or title or "（無標題）"


def _headline(ann: Announcement, u: Understanding) -> str:
    """``CSMS #68396594`` for CBP messages, the translated or own title otherwise."""
    number = u.facts.csms_number
    if number:
        prefix = PREFIX_ZH.get(str(u.facts.prefix or "").upper())
        return f"CSMS #{number}" + (f"（{prefix}）" if prefix else "")
    return _title_zh(ann, u)[:120]


def render_alert(
    ann: Announcement,
    u: Understanding,
    reasons: Sequence[str],
    *,
    lang: str = "zh-TW",
    tz: str = "Asia/Taipei",
) -> RenderedAlert:
    """The alert as plain text and as Telegram HTML parts (each ≤ 4096 UTF-16 units)."""
    ctx = {
        "ann": ann,
        "u": u,
        "facts": u.facts,
        "title_zh": _title_zh(ann, u),
        "headline": _headline(ann, u),
        "summary_paragraphs": [p for p in u.summary_zh.split("\n\n") if p.strip()],
        "reasons": list(reasons),
        "published_local": ann.published.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M"),
        "url": _safe_url(ann.url),
        "lang": lang,
    }
    env = environment()
    text = env.get_template("alert.txt.j2").render(ctx).strip()
    html = env.get_template("alert.telegram.html.j2").render(ctx).strip()
    return RenderedAlert(text=text, html=tuple(split_html(html, MAX_TEXT)))
