"""Rendering alerts through jinja2 templates (plain text and Telegram HTML).

Foundation placeholder; the understanding capability (issue 4) owns the final layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from bot.understand import Understanding
from feeds.model import Announcement

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "html.j2", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True, slots=True)
class RenderedAlert:
    text: str
    html: tuple[str, ...]


def render_alert(
    ann: Announcement,
    u: Understanding,
    reasons: Sequence[str],
    *,
    lang: str = "zh-TW",
    tz: str = "Asia/Taipei",
) -> RenderedAlert:
    ctx = {
        "ann": ann,
        "u": u,
        "reasons": list(reasons),
        "published_local": ann.published.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M"),
        "lang": lang,
    }
    env = environment()
    text = env.get_template("alert.txt.j2").render(ctx).strip()
    html = env.get_template("alert.telegram.html.j2").render(ctx).strip()
    return RenderedAlert(text=text, html=(html,))
