"""The rehearsal clock: ``--now`` sets the service's clock to a given moment.

Staff rehearse what would go out on a given day (``run.py once --now 2026-04-24T09:00:00+08:00``)
and tests step through a week. ``once`` and ``explain`` run at exactly that moment; ``serve``
starts there and lets time run on from it, so its sweeps and reminders keep their pace.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from feeds.errors import UserError

NOW_HELP = ("run with the clock set to this moment, e.g. 2026-04-24T09:00:00+08:00 "
            "(an ISO 8601 time with its UTC offset)")  # fmt: skip


def parse_now(text: str) -> datetime:
    """An ISO 8601 moment with its offset (``2026-04-24T09:00:00+08:00``, ``…Z``), as UTC.
    A time without an offset is refused rather than guessed."""
    raw = (text or "").strip()
    try:
        when = datetime.fromisoformat(raw.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise UserError(
            f"--now「{text}」不是有效的時間，請用 2026-04-24T09:00:00+08:00 格式",
            f"--now {text!r} is not a valid time; use e.g. 2026-04-24T09:00:00+08:00",
        ) from None
    if when.tzinfo is None:
        raise UserError(
            f"--now「{text}」缺少時區，請加上 UTC 偏移，例如 2026-04-24T09:00:00+08:00",
            f"--now {text!r} has no UTC offset; add one, e.g. 2026-04-24T09:00:00+08:00",
        )
    return when.astimezone(UTC)


def fixed_clock(at: datetime) -> Clock:
    """Always ``at`` (``once``, ``explain``)."""
    return lambda: at


def running_clock(start: datetime, monotonic: Callable[[], float] = time.monotonic) -> Clock:
    """``start`` plus the real time elapsed since this call (``serve --now``)."""
    t0 = monotonic()
    return lambda: start + timedelta(seconds=monotonic() - t0)
