"""Dates and times in every form DOMAIN.md §2 and §7 list."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import dates as D
from feeds.event_times import find_event_times

PUB = datetime(2026, 4, 20, 11, 18, tzinfo=UTC)  # Monday; CSMS #68396594 went out then


@pytest.mark.parametrize(
    ("text", "iso", "zoned"),
    [
        ("webinar on April 21 at 1:00 p.m. ET", "2026-04-21T13:00:00-04:00", True),
        ("12:01 a.m. eastern daylight time on August 29, 2025", "2025-08-29T00:01:00-04:00", True),
        ("down Saturday 2300 EDT", "2026-04-25T23:00:00-04:00", True),
        ("live at 8:00 AM EDT on April 20", "2026-04-20T08:00:00-04:00", True),
        ("at 7 am eastern standard time on January 12, 2026", "2026-01-12T07:00:00-05:00", True),
        ("on December 3, 2025 at 1:00 p.m. ET", "2025-12-03T13:00:00-05:00", True),
        ("on March 10, 2026 at 10:00 AM ET", "2026-03-10T10:00:00-04:00", True),
        ("on March 3, 2026 at 10:00 AM ET", "2026-03-03T10:00:00-05:00", True),
        ("on May 5 at 2:00 p.m.", "2026-05-05T14:00:00", False),
        ("on June 1 at 0900 UTC", "2026-06-01T09:00:00+00:00", True),
    ],
)
def test_english_event_time_forms(text: str, iso: str, zoned: bool) -> None:
    (ev,) = find_event_times(text, PUB)
    assert ev.iso() == iso
    assert ev.zoned is zoned


def test_et_resolves_to_est_in_winter_and_edt_in_summer() -> None:
    winter, summer = find_event_times("January 5 at 1:00 p.m. ET and July 5 at 1:00 p.m. ET", PUB)
    assert winter.when.tzname() == "EST" and summer.when.tzname() == "EDT"


def test_year_is_inferred_from_publication_date_across_new_year() -> None:
    dec = datetime(2025, 12, 20, tzinfo=UTC)
    (ev,) = find_event_times("deployment on January 6 at 8:00 AM EST", dec)
    assert ev.when.date() == date(2026, 1, 6)
    assert D.infer_year(12, 30, date(2026, 1, 3)) == date(2025, 12, 30)


def test_time_without_a_date_is_flagged_as_inferred() -> None:
    (ev,) = find_event_times("The outage was resolved at 8:00 AM EDT.", PUB)
    assert ev.date_inferred and ev.when.date() == date(2026, 4, 20)


def test_bare_clock_numbers_are_not_event_times() -> None:
    assert find_event_times("Ratio 3:15 and verse 1:10 and 9,999 entries", PUB) == []


def test_dateline() -> None:
    got = D.parse_dateline("CBP sent this bulletin at 04/20/2026 07:18 AM EDT")
    assert got is not None and got.isoformat() == "2026-04-20T07:18:00-04:00"
    assert D.parse_dateline("no dateline here") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中華民國115年4月24日", date(2026, 4, 24)),
        ("115年4月24日", date(2026, 4, 24)),
        ("本(115)年4月23日", date(2026, 4, 23)),
        ("115/04/24", date(2026, 4, 24)),
        ("115.4.24", date(2026, 4, 24)),
        ("115. 4. 24", date(2026, 4, 24)),
        ("１１５年４月２４日", date(2026, 4, 24)),
        ("一百零四年八月三日", date(2015, 8, 3)),
        ("民國一○四年八月三日", date(2015, 8, 3)),
        ("一百十五年三月二日", date(2026, 3, 2)),
        ("2026/04/23 11:20", date(2026, 4, 23)),
        ("2026年4月23日", date(2026, 4, 23)),
    ],
)
def test_roc_date_forms(text: str, expected: date) -> None:
    assert [f.value for f in D.parse_roc_dates(text)] == [expected]


def test_phone_numbers_are_not_dates() -> None:
    assert D.parse_roc_dates("電話：02-27033500 #154，(02)23510271分機416") == []


@pytest.mark.parametrize(
    "text",
    ["自104年9月1日起至104年11月30日止", "104年9月1日至11月30日", "104年9月1日起至11月30日止", "104/09/01～104/11/30"],
)
def test_roc_ranges(text: str) -> None:
    (r,) = D.parse_roc_ranges(text)
    assert (r.start.value, r.end.value) == (date(2015, 9, 1), date(2015, 11, 30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("上午10時", time(10)), ("下午2時30分", time(14, 30)), ("14:00", time(14)), ("14時", time(14)),
     ("晚上10時", time(22)), ("下午3點半", time(15, 30))],
)  # fmt: skip
def test_chinese_times(text: str, expected: time) -> None:
    got = D.parse_cjk_time(text)
    assert got is not None and got[0] == expected


def test_taipei_is_plus_eight_all_year() -> None:
    assert D.taipei_datetime(date(2026, 7, 1), time(9)).isoformat() == "2026-07-01T09:00:00+08:00"
    assert D.taipei_datetime(date(2026, 1, 1), time(9)).isoformat() == "2026-01-01T09:00:00+08:00"


@pytest.mark.parametrize("n", [1, 9, 10, 11, 15, 20, 23, 30, 31, 99, 100, 101, 104, 110, 115, 120, 199])
def test_chinese_numerals_round_trip(n: int) -> None:
    assert D.chinese_to_int(D.int_to_chinese(n)) == n


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1912, 1, 1), max_value=date(2199, 12, 31)), st.sampled_from(D.ROC_STYLES))
def test_roc_gregorian_round_trip(d: date, style: str) -> None:
    assert D.roc_to_gregorian(*D.gregorian_to_roc(d)) == d
    if d.year < 1921 and "民國" not in D.format_roc(d, style):
        return  # "9/01/01", 「前二年7月1日」: ROC 1–9 is read only as 民國N年 (docs/EXPLAIN.md, Limits)
    assert [f.value for f in D.parse_roc_dates(D.format_roc(d, style))] == [d]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_no_exception_on_arbitrary_text(text: str) -> None:
    D.parse_roc_dates(text)
    D.parse_roc_ranges(text)
    D.parse_cjk_time(text)
    find_event_times(text, PUB)
    D.parse_dateline(text)
