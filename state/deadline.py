"""``Deadline``: one dated thing a firm must do, as every surface shows it.

The one value type for a deadline: the calculators build it, the reminder rows store it, and
the digest, the calendar feed, the CLI and Telegram's /deadlines read it back. It lives here,
below ``bot/``, because both the storage and every layer above it share it (like
``state.tracking.UsEntry``); it holds no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

_Day = date  # the field ``Deadline.date`` shadows the type inside the class body


@dataclass(frozen=True, slots=True)
class Deadline:
    """``date`` is the legal last day; ``act_by`` the last working day on or before it, set for
    calendar-day rules (PSC, CAPE, protest) so every surface can show both. ``eligible`` says,
    on CAPE items, whether the entry can use CAPE at all. ``at`` is the start of a timed event
    (a webinar); ``title`` and ``item_key`` name the tracked item it belongs to."""

    kind: str
    date: _Day
    basis: str = ""
    estimate: bool = False
    act_by: _Day | None = None
    note: str = ""
    eligible: bool | None = None
    title: str = ""
    item_key: str = ""
    at: datetime | None = None
    link: str = ""

    @property
    def due(self) -> _Day:
        """The day to act by: ``act_by`` when the rule has one, else the date itself."""
        return self.act_by or self.date

    @property
    def moved(self) -> bool:
        """The legal last day is not a working day: the act-by day is earlier."""
        return self.act_by is not None and self.act_by != self.date

    def as_json(self) -> dict:
        out: dict = {
            "kind": self.kind,
            "date": self.date.isoformat(),
            "basis": self.basis,
            "estimate": self.estimate,
        }
        if self.act_by is not None:
            out["act_by"] = self.act_by.isoformat()
        if self.eligible is not None:
            out["eligible"] = self.eligible
        if self.note:
            out["note"] = self.note
        return out
