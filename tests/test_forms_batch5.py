"""Forms holdout batch 5 taught (docs/EXPLAIN.md "Holdout"): each a short snippet in the form a
real unseen document used, with the facts a reader marks. Continues tests/test_forms_batch4.py."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.forms import TPE, days, windows

# A periodical's issue line (volume, number or issue, and the issue's date) dates the issue, not
# the matter: Federal Register headers in their three spellings, a bulletin's running head.
ISSUE_LINE_CASES = [
    ("[Federal Register Volume 85, Number 58 (Wednesday, March 25, 2020)]\n[Notices]\n\nDATES: The docket will remain open until June 25, 2020.", {"2020-06-25"}),
    ("Federal Register Volume 83, Issue 188 (September 27, 2018)\n\nThe Commission must reach a determination by November 5, 2018.", {"2018-11-05"}),
    ("Federal Register, Volume 82 Issue 205 (Wednesday, October 25, 2017)\nUSTR invites parties to a public hearing.", set()),
    ("illness and death. On\nJanuary 30, 2020, the WHO declared\n\n2         CUSTOMS BULLETIN AND DECISIONS, VOL. 54, NO. 13, APRIL 8, 2020\n", {"2020-01-30"}),
]


@pytest.mark.parametrize(("text", "expected"), ISSUE_LINE_CASES, ids=[c[0][:24] for c in ISSUE_LINE_CASES])
def test_a_periodicals_issue_line_is_no_fact(text: str, expected: set[str]) -> None:
    assert days(text) == expected


# A Federal Register filing stamp ("[FR Doc. 2023-18718 Filed 8-29-23; 8:45 am]") and a reprint's
# "Originally published [06/25/2018]" are the document's own, no date and no event.
FILED_CASES = [
    ("FR document: [FR Doc. 2023-18718 Filed 8-29-23; 8:45 am]\n\nThe COAC will meet on Wednesday, September 20, 2023.", {"2023-09-20"}, []),
    ("[FR Doc. 2017-25788 Filed 11-29-17; 8:45 am]\nBILLING CODE 4710-43-P", set(), []),
    ("July 24, 2018: public hearing.\n\nMonday Morning eBriefing. Originally published [06/25/2018]. Reprinted by permission.", {"2018-07-24"}, []),
    ("Originally published on May 3, 2012. The meeting is on May 22, 2012.", {"2012-05-22"}, []),
]


@pytest.mark.parametrize(("text", "expected", "events"), FILED_CASES, ids=[c[0][:24] for c in FILED_CASES])
def test_a_filing_or_reprint_stamp_is_no_fact(text: str, expected: set[str], events: list[tuple[str, str | None]]) -> None:
    assert days(text) == expected
    assert windows(text) == events


def test_a_date_published_in_the_text_is_still_a_fact() -> None:
    assert days("The interim final rule was published on May 4, 2012 in the Federal Register.") == {"2012-05-04"}


# A period of effect written "go into effect at A on D1 and will remain in effect until B on D2"
# is one window, however long, not a start at each end.
IN_EFFECT_CASES = [
    ("DATES: These restrictions go into effect at 11:59 p.m. Eastern\nDaylight Time (EDT) on March 20, 2020 and will remain in effect\nuntil 11:59 p.m. EDT on April 20, 2020.",
     [("2020-03-20T23:59:00-04:00", "2020-04-20T23:59:00-04:00")]),
    ("The suspension takes effect at 12:01 a.m. EST on January 2, 2025 and remains in force through 11:59 p.m. EST on March 31, 2025.",
     [("2025-01-02T00:01:00-05:00", "2025-03-31T23:59:00-05:00")]),
]


@pytest.mark.parametrize(("text", "expected"), IN_EFFECT_CASES, ids=[c[0][:24] for c in IN_EFFECT_CASES])
def test_a_period_in_effect_until_is_one_window(text: str, expected: list[tuple[str, str]]) -> None:
    assert windows(text) == expected


def test_two_times_weeks_apart_without_in_effect_stay_two_events() -> None:
    got = windows("The portal opens at 9:00 a.m. EDT on March 2, 2020. A webinar is at 2:00 p.m. EDT on April 20, 2020.")
    assert got == [("2020-03-02T09:00:00-04:00", None), ("2020-04-20T14:00:00-04:00", None)]


# A reporter's byline followed by the page's date (「【記者趙智偉/基隆報導】 2024/10/31」) is a stamp;
# the dates it anchors (明年, 今年) still read from it.
BYLINE_CASES = [
    ("基隆港區設海運快遞貨物專區申請\n【記者趙智偉/基隆報導】 2024/10/31\n\n基隆關公告自明年1月2日至2月10日收受申請文件,財政部於今年7月1日修正發布。",
     datetime(2024, 10, 31, tzinfo=TPE), {"2025-01-02", "2025-02-10", "2024-07-01"}),
    ("【記者王小明/台北報導】2023年5月2日\n\n貿易署將於5月20日舉辦說明會。", datetime(2023, 5, 2, tzinfo=TPE), {"2023-05-20"}),
]


@pytest.mark.parametrize(("text", "published", "expected"), BYLINE_CASES, ids=[c[0][:12] for c in BYLINE_CASES])
def test_a_reporters_byline_date_is_no_fact(text: str, published: datetime, expected: set[str]) -> None:
    assert days(text, published) == expected


# A day right before a reporting verb (「經濟部17日回應」「部長5日澄清」) is that day of the page's month.
NEWS_DAY_VERB_CASES = [
    ("〔記者林菁樺／台北報導〕經濟部遭點名編列媒體宣導費。經濟部17日回應，相關費用都是依實際需求編列。", datetime(2025, 9, 17, tzinfo=TPE), {"2025-09-17"}),
    ("財政部5日澄清，並無調整關稅之規劃。", datetime(2025, 3, 5, tzinfo=TPE), {"2025-03-05"}),
    ("關務署3日強調，業者應依規定申報。", datetime(2024, 6, 3, tzinfo=TPE), {"2024-06-03"}),
]


@pytest.mark.parametrize(("text", "published", "expected"), NEWS_DAY_VERB_CASES, ids=[c[0][:10] for c in NEWS_DAY_VERB_CASES])
def test_a_day_before_a_reporting_verb_is_a_date(text: str, published: datetime, expected: set[str]) -> None:
    assert days(text, published) == expected


def test_a_count_of_days_before_a_verb_is_still_no_date() -> None:
    assert days("經濟部表示，須於收到通知滿30日回應。", datetime(2025, 9, 17, tzinfo=TPE)) == set()
