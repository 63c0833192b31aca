"""Rendering alerts through jinja2 templates: plain text, and Telegram HTML split into parts.

Every value from a feed goes through jinja's autoescape in the HTML template, and only
http(s) links become ``href`` — nothing a feed wrote reaches Telegram as markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from bot.alerts.telegram_html import MAX_TEXT, split_html
from bot.understand.english import PREFIX_EN, english_title, summary_en
from bot.understand.summary import COULD_NOT_UNDERSTAND, PREFIX_ZH, summarize
from bot.understand.timefmt import TAIPEI, day_text, format_event_time, md_text, weekday, zone_label
from bot.understand.titles import letter_subject, title_zh
from bot.understand.understanding import Understanding, clean_body
from feeds.links import safe_link
from feeds.model import Announcement
from feeds.topics import topic_names

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
    env.globals.update(day_text=day_text, weekday=weekday, event_time=format_event_time, md_text=md_text,
                       local_date=local_date)
    env.filters["in_lang"] = in_lang
    env.filters["safe_link"] = safe_link  # every href a template writes: http(s) or nothing
    env.filters["forward_label"] = forward_label
    return env


def forward_label(label: str, lang: str) -> str:
    """「經濟部國際貿易署 貿雙二第1157012471號函」 for an English reader: "the International Trade
    Administration (MOEA) letter 貿雙二第1157012471號" (the number is how it is cited)."""
    if not lang.startswith("en") or label.startswith("CSMS"):
        return label
    from bot.understand.english_titles import issuer_in

    who = issuer_in(label)
    number = label.removeprefix(who[0]).strip() if who else label
    number = number.removesuffix("函").strip()
    return f"the {who[1]} letter {number}" if who else f"the letter {number}"


def local_date(when: datetime, tz: str) -> date:
    """The day ``when`` falls on in the reader's zone (a zone-less time: its own day)."""
    return when.astimezone(ZoneInfo(tz)).date() if when.tzinfo is not None else when.date()


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
    subject: str = ""  # the title in the reader's language (e-mail subject, previews)


@dataclass(frozen=True, slots=True)
class Forwarded:
    """An earlier item this one forwards, and when this reader was told about it (if they were)."""

    label: str  # 「CSMS #68396594」, 「經濟部國際貿易署 貿雙二字第1157012471號函」
    alerted_at: datetime | None = None


def _title_zh(ann: Announcement, u: Understanding, tz: str = TAIPEI) -> str:
    title = str(u.facts.title or ann.title or "")
    if not title:
        return "（無標題）"
    return title_zh(title, u.facts, topic_names([h.topic for h in u.topics]), tz=tz)


def _headline(ann: Announcement, u: Understanding, lang: str, tz: str) -> str:
    """``CSMS #68396594`` for CBP messages, the (translated) own title otherwise."""
    number = u.facts.csms_number
    prefix = str(u.facts.prefix or "").upper()
    if number and not u.facts.letters:  # a letter forwarding a CSMS is headed by its own 主旨
        if lang.startswith("en"):
            return f"CSMS #{number}" + (f" ({PREFIX_EN[prefix]})" if prefix in PREFIX_EN else "")
        return f"CSMS #{number}" + (f"（{PREFIX_ZH[prefix]}）" if prefix in PREFIX_ZH else "")
    if lang.startswith("en"):
        return english_title(u.facts, ann.title, ann.body, tz)[:240]
    return (letter_subject(u.facts) or _title_zh(ann, u, tz))[:120]  # its 主旨's first sentence


_REASON_RULE = (
    (re.compile(r"^標題含「(.*)」$"), 'the title mentions "{}"'),
    (re.compile(r"^內文含「(.*)」$"), 'the text mentions "{}"'),
    (re.compile(r"^內文多次提及「(.*)」$"), 'the text keeps mentioning "{}"'),
    (re.compile(r"^來源符合「(.*)」$"), 'the source matches "{}"'),
)


_RULE_EN = (
    (re.compile(r"^稅則號列 (\S+)（.*）$"), "HTS {}"),
    (re.compile(r"^案號 A-/C-：(.*)$"), "AD/CVD case {}"),
)
_CJK_FRAME = re.compile(r"[\u4e00-\u9fff]")


def _why_en(why: str) -> str:
    """The matcher's rule in English; "" when it has no English form (no Chinese frame is shown
    to an English reader — a quoted Chinese word from the text itself is kept)."""
    for rx, tpl in (*_REASON_RULE, *_RULE_EN):
        if w := rx.match(why):
            return tpl.format(w.group(1))
    return "" if _CJK_FRAME.search(why) else why


def reason_en(reason: str) -> str:
    """A match reason (written in 繁體中文 by the matcher) for an English reader."""
    from feeds.topics import TOPICS

    if reason == "訂閱全部訊息":
        return "you follow everything"
    # the topic's own name may hold brackets (「小額免稅（321 條款）」): match the known names, longest first
    for t in sorted(TOPICS.values(), key=lambda t: -len(t.zh)):
        head = f"主題：{t.zh}（"
        if reason.startswith(head) and reason.endswith("）"):
            why = _why_en(reason[len(head) : -1])
            return f"topic {t.en} ({why})" if why else f"topic {t.en}"
    if m := re.match(r"^主題：(.+?)（(.*)）$", reason):
        why = _why_en(m.group(2))
        return f"topic {m.group(1)} ({why})" if why else f"topic {m.group(1)}"
    for prefix, en in (("關鍵字：", "keyword "), ("來源：", "source "), ("稅則號列：", "HTS prefix ")):
        if reason.startswith(prefix):
            return en + reason[len(prefix) :].strip("「」")
    return reason


def _summary(ann: Announcement, u: Understanding, lang: str, tz: str, now: datetime | None) -> str:
    """The summary this reader gets: English for English readers; the stored 繁體中文 summary
    (possibly the LLM's) for Taipei; the deterministic one in the reader's own zone otherwise."""
    if u.summary_zh == COULD_NOT_UNDERSTAND:
        return u.summary_zh
    topics = [h.topic for h in u.topics]
    body = clean_body(ann.body)
    if lang.startswith("en"):
        return summary_en(u.facts, topics, title=ann.title, body=body, tz=tz, now=now)
    if tz == TAIPEI:
        return u.summary_zh
    return summarize(u.facts, topics, title=ann.title, body=body, language=ann.language, tz=tz, now=now)


def render_alert(
    ann: Announcement,
    u: Understanding,
    reasons: Sequence[str],
    *,
    lang: str = "zh-TW",
    tz: str = TAIPEI,
    now: datetime | None = None,
    forwards: Sequence[Forwarded] = (),
) -> RenderedAlert:
    """The alert as plain text and as Telegram HTML parts (each ≤ 4096 UTF-16 units), in the
    reader's language and zone, written as of ``now``."""
    en = lang.startswith("en")
    summary = _summary(ann, u, lang, tz, now)
    local = ann.published.astimezone(ZoneInfo(tz))
    ctx = {
        "ann": ann,
        "u": u,
        "facts": u.facts,
        "en": en,
        "headline": _headline(ann, u, lang, tz),
        "summary": summary,
        "summary_paragraphs": [p for p in summary.split("\n\n") if p.strip()],
        "reasons": [reason_en(r) for r in reasons] if en else list(reasons),
        "published_local": local.strftime("%Y-%m-%d %H:%M"),
        "zone": zone_label(tz, local, lang),
        "url": safe_link(ann.url),
        "lang": lang,
        "tz": tz,
        "forwards": list(forwards),
    }
    env = environment()
    text = env.get_template("alert.txt.j2").render(ctx).strip()
    html = env.get_template("alert.telegram.html.j2").render(ctx).strip()
    return RenderedAlert(text=text, html=tuple(split_html(html, MAX_TEXT)), subject=_subject(ann, u, lang, tz))


def _subject(ann: Announcement, u: Understanding, lang: str, tz: str) -> str:
    """zh-TW: the Chinese title with the English original beside it; English: the original."""
    if lang.startswith("en"):
        return english_title(u.facts, ann.title, ann.body, tz)
    subject = next((x.subject for x in u.facts.letters if x.subject), None)
    if subject:
        return subject
    title = str(u.facts.title or ann.title or "")
    zh = _title_zh(ann, u, tz)
    line = f"{zh}（{title}）" if title and zh != title else zh
    return f"CSMS #{u.facts.csms_number} {line}" if u.facts.csms_number else line
