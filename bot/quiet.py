"""Quiet hours: a subscriber's local window (e.g. 22:00-08:00) in which nothing is delivered."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from feeds.errors import UserError
from feeds.normalize import normalize_typed

_QUIET = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*[-–~]\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


def parse_quiet(text: str) -> tuple[time, time]:
    m = _QUIET.match(normalize_typed(text).strip())
    if not m:
        raise UserError(
            f"安靜時段格式應為 22:00-08:00，收到「{text}」",
            f"quiet hours look like 22:00-08:00, got {text!r}",
        )
    start = time(int(m.group(1)), int(m.group(2)))
    end = time(int(m.group(3)), int(m.group(4)))
    if start == end:
        raise UserError("安靜時段的開始與結束不可相同", "quiet hours must not start and end at the same time")
    return start, end


def next_allowed(when: datetime, tz: str, quiet: str | None) -> datetime:
    """``when`` itself, or the end of the quiet window that contains it (aware, same instant rules)."""
    if not quiet:
        return when
    start, end = parse_quiet(quiet)
    zone = ZoneInfo(tz)
    local = when.astimezone(zone)
    t = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= t < end
        end_day = local.date()
    else:  # window crosses midnight
        inside = t >= start or t < end
        end_day = local.date() + timedelta(days=1) if t >= start else local.date()
    if not inside:
        return when
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(when.tzinfo)
