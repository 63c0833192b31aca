"""Working-day calendars for the United States and Taiwan, and date input parsing.

Why: every U.S. "working day" rule (19 CFR 142.12(b)) and every Taiwanese period
(行政程序法第48條) depends on which days are holidays; both come from ``holidays`` with the
operator's extra closures / make-up workdays (補班) as data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

from feeds.errors import UserError
from feeds.normalize import normalize_typed


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Mon–Fri minus holidays, plus explicit extra closures and make-up workdays."""

    name: str
    holidays: holidays.HolidayBase = field(hash=False, compare=False)
    extra_closures: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        return _is_working_day(self, day)

    def _compute_is_working_day(self, day: date) -> bool:
        # The operator's lists win; otherwise the library decides, including the weekend
        # workdays it knows (Taiwan's 補班, e.g. Sat 2024-02-17 and Sat 2025-02-08).
        if day in self.makeup_workdays:
            return True
        if day in self.extra_closures:
            return False
        return self.holidays.is_working_day(day)

    def is_makeup_workday(self, day: date) -> bool:
        """A weekend day that is worked (補班), from the library or the operator's list."""
        return day.weekday() >= 5 and self.is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        return self.holidays.get(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted)."""
        return _add_working_days(self, start, n)

    def _compute_add_working_days(self, start: date, n: int) -> date:
        day = start
        remaining = n
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def on_or_after(self, day: date) -> date:
        """``day`` if it is a working day, else the next working day (行政程序法第48條 IV)."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def on_or_before(self, day: date) -> date:
        """``day`` if it is a working day, else the previous one (an "act by" date)."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day


# Bulk imports compute the same few hundred dates again and again: memoise per calendar
# (a calendar is immutable and hashable by name and its explicit day sets).
@lru_cache(maxsize=65536)
def _is_working_day(cal: WorkCalendar, day: date) -> bool:
    return cal._compute_is_working_day(day)


@lru_cache(maxsize=65536)
def _add_working_days(cal: WorkCalendar, start: date, n: int) -> date:
    return cal._compute_add_working_days(start, n)


def us_calendar(
    *, government_closures: bool = False, extra_closures: Iterable[date] = ()
) -> WorkCalendar:
    """U.S. federal working days.

    5 U.S.C. 6103: the legal public holidays with observed dates (``holidays.US`` default
    ``public`` category). ``government_closures`` adds the ``government`` category (ad-hoc
    executive-order closures such as 2025-12-24), an operator option in ``[reminders]``.
    """
    cats = ("public", "government") if government_closures else ("public",)
    return WorkCalendar(
        "+".join(("US", *cats)), holidays.US(categories=cats), extra_closures=frozenset(extra_closures)
    )


def tw_calendar(
    *, extra_closures: Iterable[date] = (), makeup_workdays: Iterable[date] = ()
) -> WorkCalendar:
    """Taiwanese working days: ``holidays.TW`` national holidays (with its 放假日 that move a
    workday) and weekends, minus the 補班 Saturdays 行政院人事行政總處 announces — the library
    carries them (``weekend_workdays``); ``makeup_workdays`` adds those it does not know yet."""
    return WorkCalendar(
        "TW",
        holidays.TW(),
        extra_closures=frozenset(extra_closures),
        makeup_workdays=frozenset(makeup_workdays),
    )


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (民法第121條: 月之末日)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# ---- date input -------------------------------------------------------------------------
_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_SLASH_US = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_ROC = re.compile(
    r"^(?:中華)?(?:民國)?\s*([0-9]{1,3})\s*(?:年|/|\.|-)\s*([0-9]{1,2})\s*(?:月|/|\.|-)\s*([0-9]{1,2})\s*日?$"
)


def _bad_date(text: str, why_zh: str, why_en: str) -> UserError:
    return UserError(f"日期「{text}」無效：{why_zh}", f"invalid date {text!r}: {why_en}")


def _make(text: str, y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise _bad_date(text, "此日期不存在", "no such day") from None


@lru_cache(maxsize=65536)
def parse_date(text: str) -> date:
    """A date typed by a user or found in a CSV: ``2026-03-02``, ``03/02/2026`` (U.S. style,
    as ACE exports), or ROC ``115/03/02``, ``115.3.2``, ``民國115年3月2日``."""
    raw = normalize_typed(text).strip()  # full-width digits, ／ and the dash family
    if m := _ISO.match(raw):
        return _make(text, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _SLASH_US.match(raw):
        return _make(text, int(m.group(3)), int(m.group(1)), int(m.group(2)))
    if m := _ROC.match(raw):
        roc = int(m.group(1))
        if roc < 1:
            raise _bad_date(text, "民國年須從 1 年起算", "ROC year must be 1 or later")
        return _make(text, roc + 1911, int(m.group(2)), int(m.group(3)))
    raise _bad_date(
        text,
        "請用 2026-03-02 或民國 115/03/02 格式",
        "use 2026-03-02 or ROC 115/03/02",
    )
