"""The one thing to do next, as of a moment: decided once, told in each reader's language.

The 繁體中文 summary (``summary``) and the English alert (``english``) give the same advice for
the same document; each only words it (and adds what its reader needs, such as the zone).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.understand.reading import calls_to_apply
from bot.understand.sessions import (
    SESSION_KINDS,
    comment_deadline,
    is_past,
    live_deadlines,
    periods,
)
from feeds.factmodel import Facts

# An IEEPA item about refunds (not 沖退稅 drawback) gets the CAPE preparation advice.
_REFUND = re.compile(r"(?i)\brefunds?\b|\bCAPE\b|退款")


@dataclass(frozen=True, slots=True)
class Advice:
    """``kind``: comment, deadline, application_closed, apply, held, registration_closed,
    register_by, register, downtime, cape, holiday, incentive or read. ``day``: the day the
    wording names (an application or registration's last day)."""

    kind: str
    day: date | None = None


def advice(facts: Facts, topic_ids: Sequence[str], text: str, *, now: datetime | None, tz: str) -> Advice:
    today = now.date() if now else None
    if deadlines := live_deadlines(facts, today):  # none once every deadline is past
        return Advice("comment" if all(comment_deadline(d) for d in deadlines) else "deadline")
    spans = periods(facts)
    if applying := [p.last for p in spans if p.kind == "application"]:
        last = max(applying)
        return Advice("application_closed" if today and last < today else "apply", last)
    sessions = [e for e in facts.events if e.kind in SESSION_KINDS]
    registering = [p.last for p in spans if p.kind == "registration"]
    if sessions or registering:
        if sessions and all(is_past(e, now, tz) for e in sessions):
            return Advice("held")
        if registering:
            last = max(registering)
            return Advice("registration_closed" if today and last < today else "register_by", last)
        return Advice("register")
    if {e.kind for e in facts.events} & {"outage", "maintenance"}:
        return Advice("downtime")
    if "ieepa_cape" in topic_ids and "drawback" not in topic_ids and _REFUND.search(text[:8000]):
        return Advice("cape")
    if any(p.kind == "holiday" for p in spans):
        return Advice("holiday")
    if "tw_incentive" in topic_ids and calls_to_apply(text):
        return Advice("incentive")
    return Advice("read")
