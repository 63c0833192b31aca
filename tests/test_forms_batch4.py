"""Forms holdout batch 4 taught (docs/EXPLAIN.md "Holdout"): each a short snippet in the form a
real unseen document used, with the facts a reader marks. Continues tests/test_forms.py."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.forms import LATE, TPE, days, windows

# A page's own date under a label, or a post's date before its comment count, is its stamp.
STAMP_CASES = [
    (" date 2026-02-09 快訊\n\n115年2月14日至2月22日春節連續假期，郵局停止營業。", datetime(2026, 2, 9, tzinfo=TPE), {"2026-02-14", "2026-02-22"}),
    ("Date: 2018.06.13 / 神通資科\n\n昨日(6月12日)清晨,查驗系統發生異常狀況。", datetime(2018, 6, 13, tzinfo=TPE), {"2018-06-12"}),
    ("CSMS# 18-000372 - UPDATE\n\nMay 31, 2018 | 0 comments\n\nAs of June 1, 2018: all countries.", LATE, {"2018-06-01"}),
    (" date 2026-02-12 農曆春節期間，各園區自上午8時起收運垃圾。", datetime(2026, 2, 12, tzinfo=TPE), set()),
]


@pytest.mark.parametrize(("text", "published", "expected"), STAMP_CASES, ids=[c[0][:16] for c in STAMP_CASES])
def test_a_pages_labelled_date_stamp_is_no_fact(text: str, published: datetime, expected: set[str]) -> None:
    assert days(text, published) == expected


# A bare 24-hour start whose range's end carries the zone in brackets: "from 5:00 to 5:30 (ET)".
BRACKET_ZONE_CASES = [
    ("Saturday January 19 2019, from 5:00 to 5:30 (ET) and from 6:00 to 7:00 (ET): portal users will not be able to log on.",
     [("2019-01-19T05:00:00-05:00", "2019-01-19T05:30:00-05:00"), ("2019-01-19T06:00:00-05:00", "2019-01-19T07:00:00-05:00")]),
    ("Sunday July 21, 2019 from 04:30 to 06:00 (ET): all EDI applications will be unavailable.",
     [("2019-07-21T04:30:00-04:00", "2019-07-21T06:00:00-04:00")]),
]


@pytest.mark.parametrize(("text", "expected"), BRACKET_ZONE_CASES, ids=[c[0][:24] for c in BRACKET_ZONE_CASES])
def test_a_bare_start_takes_the_zone_its_ranges_end_carries(text: str, expected: list[tuple[str, str]]) -> None:
    assert windows(text) == expected


def test_a_bare_clock_reading_without_a_zoned_end_is_still_no_time() -> None:
    assert windows("The ratio was 5:00 to 5:30 in the July 21, 2019 meeting.") == []


# The end of an outage written alone ("ending at", "scheduled to end … at", "completed by") is no start.
OUTAGE_END_CASES = [
    ("There will be an FDA ACE outage Saturday, October 15, 2016 beginning at 0300 and ending at approximately 0600 EST.", []),
    ("The outage is effective immediately and is scheduled to end today, November 16, 2012, at 8:00pm EDT.", []),
    ("FDA's interface will be down for scheduled maintenance on Saturday October 8, 2016, 2:00 AM -10:00 AM ET, "
     "starting at approximately 2:00 AM ET, and completed by 10:00 AM ET.",
     [("2016-10-08T02:00:00-04:00", "2016-10-08T10:00:00-04:00")]),
    # not an outage: a comment period that ends at a time is a deadline a broker keeps
    ("The comment period will end at 5:00 p.m. ET on April 1, 2026.", [("2026-04-01T17:00:00-04:00", None)]),
]


@pytest.mark.parametrize(("text", "expected"), OUTAGE_END_CASES, ids=[c[0][:24] for c in OUTAGE_END_CASES])
def test_the_end_of_an_outage_alone_is_no_event(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert windows(text) == expected


# A time after a bare day word (「今日」「今晨」) does not take a date named before that word.
ZH_MOVED_ON_CASES = [
    ("去年11月17日因電源故障導致服務中斷。於今日凌晨更新設施,所有設備均停機,於凌晨近5時施作完成,並於8時前恢復正常服務。",
     datetime(2018, 6, 13, tzinfo=TPE), []),
    ("昨日(6月12日)清晨,查驗系統發生異常狀況。查驗系統於上午9時左右恢復正常。",
     datetime(2018, 6, 13, tzinfo=TPE), [("2018-06-12T09:00:00+08:00", None)]),
]


@pytest.mark.parametrize(("text", "published", "expected"), ZH_MOVED_ON_CASES, ids=[c[0][:12] for c in ZH_MOVED_ON_CASES])
def test_a_bare_day_word_ends_an_earlier_dates_reach(text: str, published: datetime, expected: list) -> None:
    assert windows(text, published) == expected


def test_a_press_release_byline_date_is_no_fact() -> None:
    text = "(台北訊,2018年6月13日)昨日(6月12日)清晨,查驗系統發生異常狀況。"
    assert days(text, datetime(2018, 6, 13, tzinfo=TPE)) == {"2018-06-12"}
