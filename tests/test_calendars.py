"""Working-day calendars: every U.S. federal holiday 2026–2027, Taiwanese holidays 2026."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.deadlines.calendars import add_months, parse_date, tw_calendar, us_calendar
from feeds.errors import UserError

US = us_calendar()
TW = tw_calendar()

# 5 U.S.C. 6103, observed dates (Saturday → Friday, Sunday → Monday).
US_FEDERAL_HOLIDAYS = [
    date(2026, 1, 1), date(2026, 1, 19), date(2026, 2, 16), date(2026, 5, 25), date(2026, 6, 19),
    date(2026, 7, 3), date(2026, 9, 7), date(2026, 10, 12), date(2026, 11, 11),
    date(2026, 11, 26), date(2026, 12, 25),
    date(2027, 1, 1), date(2027, 1, 18), date(2027, 2, 15), date(2027, 5, 31), date(2027, 6, 18),
    date(2027, 7, 5), date(2027, 9, 6), date(2027, 10, 11), date(2027, 11, 11),
    date(2027, 11, 25), date(2027, 12, 24), date(2027, 12, 31),
]  # fmt: skip

# 行政院人事行政總處 2026 calendar: weekday national holidays and 補假.
TW_HOLIDAYS_2026 = [
    date(2026, 1, 1), date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19),
    date(2026, 2, 20), date(2026, 2, 27), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1),
    date(2026, 6, 19), date(2026, 9, 25), date(2026, 9, 28), date(2026, 10, 9),
    date(2026, 10, 26), date(2026, 12, 25),
]  # fmt: skip


@pytest.mark.parametrize("day", US_FEDERAL_HOLIDAYS, ids=str)
def test_every_us_federal_holiday_2026_2027_is_not_a_working_day(day: date) -> None:
    assert day.weekday() < 5
    assert not US.is_working_day(day)


def test_us_working_days_2026_2027_are_exactly_weekdays_minus_holidays() -> None:
    day, count = date(2026, 1, 1), 0
    while day <= date(2027, 12, 31):
        count += US.is_working_day(day)
        day += timedelta(days=1)
    weekdays = sum(1 for i in range(730) if (date(2026, 1, 1) + timedelta(days=i)).weekday() < 5)
    assert count == weekdays - len(US_FEDERAL_HOLIDAYS)


def test_government_closures_are_an_operator_option() -> None:
    assert us_calendar().is_working_day(date(2025, 12, 24))
    assert not us_calendar(government_closures=True).is_working_day(date(2025, 12, 24))
    assert not us_calendar(extra_closures=[date(2026, 12, 24)]).is_working_day(date(2026, 12, 24))


@pytest.mark.parametrize("day", TW_HOLIDAYS_2026, ids=str)
def test_taiwanese_holidays_2026_are_not_working_days(day: date) -> None:
    assert not TW.is_working_day(day)


def test_makeup_workday_is_a_working_day() -> None:
    saturday = date(2026, 2, 7)
    assert not TW.is_working_day(saturday)
    assert tw_calendar(makeup_workdays=[saturday]).is_working_day(saturday)


def test_next_working_day_rule_moves_a_saturday_to_monday_and_skips_lunar_new_year() -> None:
    assert TW.on_or_after(date(2026, 10, 10)) == date(2026, 10, 12)  # Sat 國慶 → Mon
    assert TW.on_or_after(date(2026, 2, 14)) == date(2026, 2, 23)  # Sat before 春節 → after it


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [(date(2026, 8, 31), 6, date(2027, 2, 28)), (date(2026, 1, 31), 1, date(2026, 2, 28)),
     (date(2026, 3, 15), 12, date(2027, 3, 15))],
)  # fmt: skip
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-03-02", date(2026, 3, 2)), ("03/02/2026", date(2026, 3, 2)),
     ("115/04/24", date(2026, 4, 24)), ("115.4.24", date(2026, 4, 24)),
     ("中華民國115年4月24日", date(2026, 4, 24)), ("115年4月24日", date(2026, 4, 24)),
     ("１１５/０４/２４", date(2026, 4, 24)), ("104/09/01", date(2015, 9, 1))],
)  # fmt: skip
def test_parse_date_accepts_iso_us_and_roc_forms(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "0/01/01", "民國0年1月1日", "115/13/01", "tomorrow", ""])
def test_impossible_dates_are_rejected_in_both_languages(text: str) -> None:
    with pytest.raises(UserError) as err:
        parse_date(text)
    assert "日期" in err.value.zh and "date" in err.value.en


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)))
def test_on_or_after_and_on_or_before_land_on_working_days(day: date) -> None:
    for cal in (US, TW):
        assert cal.is_working_day(cal.on_or_after(day))
        assert cal.is_working_day(cal.on_or_before(day))
        assert cal.on_or_before(day) <= day <= cal.on_or_after(day)


@given(st.text(max_size=40))
def test_parse_date_never_crashes(text: str) -> None:
    try:
        parse_date(text)
    except UserError as err:
        assert err.zh and err.en


def test_calendar_data_comes_from_config() -> None:
    from bot.config import Config
    from bot.deadlines.tracker import Rules

    cfg = Config.model_validate({"reminders": {
        "us_closure_dates": ["2026-12-24"], "tw_makeup_workdays": ["2026-02-07"],
        "tw_closure_dates": ["2026-09-03"]}})  # fmt: skip
    rules = Rules(cfg.reminders)
    assert not rules.us.is_working_day(date(2026, 12, 24))
    assert rules.tw.is_working_day(date(2026, 2, 7))
    assert not rules.tw.is_working_day(date(2026, 9, 3))
    assert Rules(Config().reminders).us.is_working_day(date(2026, 12, 24))


# ---- 補班: Taiwan's make-up workdays come from the holidays library ----------------------
@pytest.mark.parametrize("saturday", [date(2024, 2, 17), date(2025, 2, 8)], ids=str)
def test_taiwan_makeup_saturdays_are_working_days_without_configuration(saturday: date) -> None:
    assert saturday.weekday() == 5
    assert TW.is_working_day(saturday)
    assert TW.is_makeup_workday(saturday)


@pytest.mark.parametrize("day_off", [date(2024, 2, 8), date(2025, 1, 27)], ids=str)
def test_the_weekday_each_makeup_day_pays_for_is_a_day_off(day_off: date) -> None:
    assert day_off.weekday() < 5
    assert not TW.is_working_day(day_off)


def test_a_taiwanese_period_ending_on_a_makeup_saturday_ends_that_day() -> None:
    from bot.deadlines.calculators import tw_period_end

    # 15 days after 2025-01-24 is Sat 2025-02-08, a 補班 day: a working day, so the period ends then.
    assert tw_period_end(date(2025, 1, 24), days=15, cal=TW) == date(2025, 2, 8)
    # an ordinary Saturday moves to Monday (行政程序法第48條)
    assert tw_period_end(date(2025, 1, 31), days=15, cal=TW) == date(2025, 2, 17)


def test_operator_closure_overrides_a_library_makeup_day() -> None:
    assert not tw_calendar(extra_closures=[date(2025, 2, 8)]).is_working_day(date(2025, 2, 8))


_TW_RULE_KINDS = ["import_declaration", "duty_payment", "review", "re_export", "drawback"]


@given(st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 12, 31)), st.sampled_from(_TW_RULE_KINDS))
def test_a_computed_taiwanese_deadline_is_never_a_holiday_or_weekend_unless_makeup(base: date, kind: str) -> None:
    from bot.deadlines.calculators import tw_deadline

    due = tw_deadline(kind, base, TW).date
    assert due not in TW.holidays
    assert due.weekday() < 5 or TW.is_makeup_workday(due)
    assert due > base


@given(st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 12, 31)))
def test_a_computed_us_deadline_is_never_a_holiday_or_weekend(release: date) -> None:
    from bot.deadlines.calculators import entry_summary_due

    due = entry_summary_due(release, US)
    assert due not in US.holidays and due.weekday() < 5
    act_by = US.on_or_before(release + timedelta(days=180))
    assert act_by not in US.holidays and act_by.weekday() < 5
