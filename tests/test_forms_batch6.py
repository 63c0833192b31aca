"""Forms holdout batch 6 taught (docs/EXPLAIN.md "Holdout"): each a short snippet in the form a
real unseen document used, with the facts a reader marks. Continues tests/test_forms_batch5.py."""

from __future__ import annotations

import pytest

from feeds.facts import extract_facts
from tests.forms import LATE, days, windows

# "CBP Dec. 20-11" (also "CBP Dec. No. 16-13") numbers a CBP Decision: no December date.
DECISION_CASES = [
    ("an interim final rule [USCBP-2020-0036; CBP Dec. 20-11], effective on July 1, 2020", {"2020-07-01"}),
    ("[CBP Dec. No. 16-13; USCBP-2016-0057]\nComments must be received on or before October 25, 2016.", {"2016-10-25"}),
    ("The hearing is on Dec. 20-21, 2018.", {"2018-12-20", "2018-12-21"}),
]


@pytest.mark.parametrize(("text", "expected"), DECISION_CASES, ids=[c[0][:24] for c in DECISION_CASES])
def test_a_cbp_decision_number_is_no_date(text: str, expected: set[str]) -> None:
    assert days(text) == expected


# The older GPO header "[Federal Register: March 14, 2000 (Volume 65, Number 50)]" and a citation
# line with the issue's date alone under it ("53 FR 16730" / "May 11, 1988") date the issue.
ISSUE_HEAD_CASES = [
    ("[Federal Register: March 14, 2000 (Volume 65, Number 50)]\n[Notices]\n\nEFFECTIVE DATE: June 12, 2000.", {"2000-06-12"}),
    ("    19 CFR Part 146\n        53 FR 16730\n        May 11, 1988\nDATE: Comments are requested on or before June 17, 1988.", {"1988-06-17"}),
    ("published in the Federal Register on \nMarch 4, 1988 (53 FR 6996), and comments were due May 3, 1988.", {"1988-03-04", "1988-05-03"}),
]


@pytest.mark.parametrize(("text", "expected"), ISSUE_HEAD_CASES, ids=[c[0][:24] for c in ISSUE_HEAD_CASES])
def test_an_issue_head_or_citation_line_dates_the_issue(text: str, expected: set[str]) -> None:
    assert days(text) == expected


# Hours that recur ("between 9:00 a.m. and 4:30 p.m. on normal business days") are an office's,
# no event on the date written before them.
RECURRING_CASES = [
    ("DATE: Comments are requested on or before June 17, 1988.\nThey may be inspected between 9:00 a.m. and 4:30 p.m. on normal\nbusiness days.", []),
    ("Comments are due May 3, 2019. The office is open 9 a.m. to 5 p.m. EST Monday through Friday.", []),
    ("The webinar is on May 3, 2019 from 9 a.m. to 5 p.m. EST.", [("2019-05-03T09:00:00-05:00", "2019-05-03T17:00:00-05:00")]),
]


@pytest.mark.parametrize(("text", "events"), RECURRING_CASES, ids=[c[0][:24] for c in RECURRING_CASES])
def test_recurring_hours_are_no_event(text: str, events: list[tuple[str, str | None]]) -> None:
    assert windows(text) == events


# CBP's effective formula with "a.m." left out ("on or after 12:01 eastern daylight time on May 1,
# 2018") is the first minute of the day, not a minute past noon.
def test_twelve_oh_one_with_a_zone_is_the_first_minute_of_the_day() -> None:
    text = "effective for goods entered for consumption on or after 12:01 eastern daylight time on May 1, 2018"
    assert [s for s, _ in windows(text)] == ["2018-05-01T00:01:00-04:00"]
    assert [s for s, _ in windows("The call is at 12:30 EDT on May 1, 2018.")] == ["2018-05-01T12:30:00-04:00"]


# Named six-digit headings listed after the first, or a range of headings ending in one: each is
# an HTS number ("HTSUS 7206.10, 7206.90", "HTSUS 7213 – 7215.50").
HEADING_LIST_CASES = [
    ("Iron and nonalloy steel in ingots (HTSUS 7206.10, 7206.90)", ["7206.10", "7206.90"]),
    ("Bars and rods (HTSUS 7213 \u2013 7215.50)", ["7215.50"]),
    ("subheading 8471.30 and 8471.41 apply", ["8471.30", "8471.41"]),
    ("Revenue rose 7206.10, 7206.90 dollars", []),
]


@pytest.mark.parametrize(("text", "expected"), HEADING_LIST_CASES, ids=[c[0][:24] for c in HEADING_LIST_CASES])
def test_named_headings_listed_or_ranged_are_hts(text: str, expected: list[str]) -> None:
    assert list(extract_facts("", text, published=LATE).hts) == expected


# A page whose first line is its date under a bare label (「 date 2025-12-19 貿易署更新…」, no colon)
# is dated by it: a day before a reporting verb (「19日公布」) is then that day of its month.
DATE_LABEL_CASES = [
    (" date 2025-12-19 貿易署更新名單。\n\n〔記者林菁樺／台北報導〕經濟部國際貿易署19日公布最新名單。", "2025-12-19", {"2025-12-19"}),
    ("Date:2012-06-15\nTo:abi\n\nOn September 29, 2012 the applications will be decommissioned.", "2012-06-15", {"2012-09-29"}),
    ("The new date 2019-01-18 applies.", None, None),  # mid-line: not the page's label
]


@pytest.mark.parametrize(("text", "own", "expected"), DATE_LABEL_CASES, ids=[c[0][:24] for c in DATE_LABEL_CASES])
def test_a_bare_date_label_dates_the_page(text: str, own: str | None, expected: set[str] | None) -> None:
    from bot.understand.explain import announcement_from_text

    ann, _ = announcement_from_text(text, now=LATE)
    assert ("undated" in ann.meta) == (own is None)
    if own is not None:
        assert ann.published.date().isoformat() == own
    if expected is not None:
        assert days(ann.body, ann.published) == expected


# A period written "from A D1, through B on D2" is one window however long; a document whose
# zoned times are all Eastern has its unzoned times in Eastern too (other zones decide nothing).
PERIOD_CASES = [
    (
        "will not be subject to additional duties from 12:00 a.m. June 1, 2022, through 11:59 p.m. on June 1, 2023.\n"
        "Goods admitted prior to 12:01 a.m. eastern daylight time on June 1, 2022 keep their status.",
        [("2022-06-01T00:00:00-04:00", "2023-06-01T23:59:00-04:00"), ("2022-06-01T00:01:00-04:00", None)],
    ),
    ("Aug. 7 meeting, 9 a.m., Washington.\nAug. 15, 2012 at 1 p.m. (PDT) in Seattle.", [("2012-08-07T09:00:00", None), ("2012-08-15T13:00:00-07:00", None)]),
    ("The exclusion runs from 9:00 a.m. EST on January 2, 2019 and ends 5:00 p.m. EST on March 29, 2019 for some.", [("2019-01-02T09:00:00-05:00", None), ("2019-03-29T17:00:00-05:00", None)]),
]


@pytest.mark.parametrize(("text", "events"), PERIOD_CASES, ids=[c[0][:24] for c in PERIOD_CASES])
def test_a_period_from_through_is_one_eastern_window(text: str, events: list[tuple[str, str | None]]) -> None:
    assert windows(text) == events
