"""Forms holdout batch 7 taught (docs/EXPLAIN.md "Holdout"), and the kinds a broker reads off an
event (a review of rendered alerts): each a short snippet in the form a real document used, with
the facts a reader marks. Continues tests/test_forms_batch6.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feeds.facts import extract_facts
from tests.forms import LATE, days, kinds, windows

# A meeting is not a deadline because its paragraph ends with one; a time right after "by" is
# when something is due, whatever its sentence names (a webinar link posted by 5 p.m.).
KIND_CASES = [
    (
        "DATES: The COAC will meet on Wednesday, December 13, 2023, from 1:00 \np.m. to 5:00 p.m. EST. Please note that the "
        "meeting may close early. Registration to attend and comments must be submitted no later than December 8, 2023.",
        [("2023-12-13T13:00:00-05:00", "event")],
    ),
    (
        "For virtual participants, the webinar link and conference number will \nbe posted by 5:00 p.m. EST on December 12, 2023, at https://www.cbp.gov/x.",
        [("2023-12-12T17:00:00-05:00", "deadline")],
    ),
    (
        "Comments must be submitted no later than 5:00 p.m. EDT on September 15, 2023.",
        [("2023-09-15T17:00:00-04:00", "deadline")],
    ),
    (
        "CBP will host a webinar on April 21, 2026 at 1:00 p.m. ET. Registration closes no later than April 20, 2026.",
        [("2026-04-21T13:00:00-04:00", "webinar")],
    ),
    (
        "ACE will be unavailable for scheduled maintenance. The work runs on May 2, 2026 from 9:00 p.m. to 11:30 p.m. EDT.",
        [("2026-05-02T21:00:00-04:00", "maintenance")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), KIND_CASES, ids=[c[0][:24] for c in KIND_CASES])
def test_an_events_kind_comes_from_its_own_sentence(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


# A Federal Register page break "[[Page N]]" mid-sentence: the window runs on over it.
PAGE_MARK_CASES = [
    (
        "DATES: The Board will meet from 8:00 \na.m. to 12:00 p.m. on August 13, 2019 and reconvene from 8:00 a.m. to\n\n"
        "[[Page 38019]]\n\n5:00 p.m. on August 14, 2019.",
        [("2019-08-13T08:00:00", "2019-08-13T12:00:00"), ("2019-08-14T08:00:00", "2019-08-14T17:00:00")],
    ),
    (
        "The meeting is on March 3, 2015.\n\n[[Page 9447]]\n\nIt runs from 8:00 a.m. to 4:30 p.m. on March 3, 2015.",
        [("2015-03-03T08:00:00", "2015-03-03T16:30:00")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), PAGE_MARK_CASES, ids=[c[0][:24] for c in PAGE_MARK_CASES])
def test_a_page_break_does_not_cut_a_window(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert windows(text) == expected


# A zone spelled out then restated in parentheses before the date ("5 p.m. central standard time
# (CST) on January 21, 2025"); the same hours on each day listed ("on January 22, 2025 and
# January 23, 2025"); a time under a range of days ("August 20-23, 2018: … beginning at 9:30 am")
# on its first day.
DAY_CASES = [
    (
        "Notice of January 2, 2025. Sessions will occur from 1 p.m.\nto 5 p.m. central standard time (CST) on January 21, 2025.",
        [("2025-01-21T13:00:00-06:00", "2025-01-21T17:00:00-06:00")],
    ),
    (
        "Sessions run from 9\na.m. to 5 p.m. (CST) on January 22, 2025 and January 23, 2025.",
        [("2025-01-22T09:00:00-06:00", "2025-01-22T17:00:00-06:00"), ("2025-01-23T09:00:00-06:00", "2025-01-23T17:00:00-06:00")],
    ),
    (
        "  • August 20-23, 2018: The Section 301 Committee will convene a public hearing in the main hearing room of the "
        "U.S. International Trade Commission, 500 E Street SW, Washington DC, 20436 beginning at 9:30 am.",
        [("2018-08-20T09:30:00", None)],
    ),
]


@pytest.mark.parametrize(("text", "expected"), DAY_CASES, ids=[c[0][:24] for c in DAY_CASES])
def test_a_sessions_days(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert windows(text) == expected


# Cited numbers in parentheses after their name: "previous CSMS messages (15-000761, 15-000773)".
CSMS_CASES = [
    ("This CSMS message supersedes previous CSMS messages (15-000761, 15-000773, 15-000804, 15-000838) regarding",
     ["15-000761", "15-000773", "15-000804", "15-000838"]),
    ("See CSMS (#64045612) for the list.", ["64045612"]),
]


@pytest.mark.parametrize(("text", "expected"), CSMS_CASES, ids=[c[0][:24] for c in CSMS_CASES])
def test_cited_numbers_in_parentheses(text: str, expected: list[str]) -> None:
    assert list(extract_facts("", text, published=LATE).related_csms) == expected


# A news day of the page's own month: 「昨（四）日」 in Chinese numerals, 「於4日」 right after 於;
# never a count after 於 (「於30日內」).
DEC4 = datetime(2025, 12, 4, 9, 0, tzinfo=UTC)
ZH_DAY_CASES = [
    ("臺日擴大雙邊關務交流。臺日昨（四）日於「第四十九屆臺日經濟貿易會議」中完成簽署。", {"2025-12-04"}),
    ("財政部關務署表示，台日於4日「第49屆臺日經濟貿易會議」完成簽署地區海關合作備忘錄。", {"2025-12-04"}),
    ("業者應於30日內申報，逾期不受理。", set()),
    ("業者應於10日前補正。", set()),
]


@pytest.mark.parametrize(("text", "expected"), ZH_DAY_CASES, ids=[c[0][:12] for c in ZH_DAY_CASES])
def test_a_news_day_of_the_pages_month(text: str, expected: set[str]) -> None:
    assert days(text, DEC4) == expected


# A full date alone on one of a page's first lines, under its title, is the page's stamp; the
# same date further down, or written in a sentence, is a fact.
TOP_DATE_CASES = [
    ("USTR Announces Timeline for Section 301 Comments on List 3\n\n\nJuly 17, 2018\n\nToday the USTR announced its timetables. "
     "August 17, 2018: Due date for submission of written comments.", {"2018-08-17"}),
    ("Tuesday, February 27, 2024\n\nCommercial Customs Operations Advisory Committee\n\nOn February 16, 2024, CBP published a notice.",
     {"2024-02-16"}),
    ("Notice\n\nThe hearing is on:\n\nx\n\ny\n\nAugust 20, 2018\n", {"2018-08-20"}),
]


@pytest.mark.parametrize(("text", "expected"), TOP_DATE_CASES, ids=[c[0][:24] for c in TOP_DATE_CASES])
def test_a_date_alone_under_the_title_is_the_pages_stamp(text: str, expected: set[str]) -> None:
    assert days(text) == expected


# A point at a window's start restates the window ("… with the first being at 2:00 AM"): one
# event, not two at the same instant; a deadline at that instant stays its own.
RESTATED_CASES = [
    (
        "FDA's interface will be down intermittently due to scheduled maintenance, Saturday, October 8, 2016, 2:00 AM -10:00 AM\n\n"
        "A total of three (3) thirty (30) minute outages are expected with the first being at 2:00 AM.",
        [("2016-10-08T02:00:00", "2016-10-08T10:00:00")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), RESTATED_CASES, ids=[c[0][:24] for c in RESTATED_CASES])
def test_a_point_at_a_windows_start_is_that_window(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert windows(text) == expected
