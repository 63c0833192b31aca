"""Deadlines as people read them, one way everywhere: the templates' ``_deadline.j2`` macros
and the deadline list that the CLI, Telegram's /deadlines, the digest and the calendar share.

A calendar-day rule whose legal last day is a weekend or holiday reads 「法定最後一天
2027-04-18（日），請於 2027-04-16（五）前完成」 in every one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.alerts.render import environment
from state.deadline import Deadline


def _macros() -> Any:
    return environment().get_template("_deadline.j2").module


def when_text(d: Deadline, lang: str = "zh-TW", tz: str = "Asia/Taipei") -> str:
    """「法定最後一天 …，請於 … 前完成」, 「2026-08-20（四）」 or an event time in ``tz``."""
    return str(_macros().when(d, lang, tz)).strip()


def left_text(d: Deadline, today: date, lang: str = "zh-TW") -> str:
    """「剩 3 天」, 「今天到期」, 「已逾期 2 天」 counted to the act-by day."""
    return str(_macros().left(d, today, lang)).strip()


def render_deadline_list(
    deadlines: Sequence[Deadline], today: date, *, lang: str = "zh-TW", tz: str = "Asia/Taipei",
    html: bool = False, heading: bool = True,
) -> str:  # fmt: skip
    """The list a subscriber sees for /deadlines and ``deadlines-of``: soonest act-by first."""
    name = "deadline_list.telegram.html.j2" if html else "deadline_list.txt.j2"
    ordered = sorted(deadlines, key=lambda d: (d.due, d.item_key))
    ctx = {"deadlines": ordered, "today": today, "lang": lang, "tz": tz, "heading": heading}
    return environment().get_template(name).render(ctx).strip()


def calendar_deadline(sub: Any, d: Deadline) -> dict[str, Any]:
    """One calendar (ICS) entry for a deadline: an all-day event on the act-by day, titled and
    described with both days, as every other surface shows them."""
    lang, tz = sub.language, sub.timezone
    title = str(_macros().title(d, lang)).strip()
    when = when_text(d, lang, tz)
    note = str(environment().filters["in_lang"](d.note, lang)) if d.note else ""
    basis = str(_macros().basis(d, lang)).strip() if d.basis else ""
    key = d.item_key or f"{d.kind}:{d.title}"
    return {
        "uid": f"{sub.id}-deadline-{key}@tradealert",
        "summary": f"{title}｜{when}"[:250],
        "start": d.due,
        "description": "\n".join(x for x in (when, note, basis) if x),
    }
