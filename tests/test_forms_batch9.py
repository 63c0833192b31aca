"""Forms holdout batch 9 taught (docs/EXPLAIN.md "Holdout"): each a short snippet in the form a
real document used, with the facts a reader marks. Continues tests/test_forms_batch8.py."""

from __future__ import annotations

import pytest

from tests.forms import days

# A page's date restated day first alone under its title ("October 21, 2002" / "21 October 2002",
# a Canadian association's repost) is the page's stamp too, not a date of the matter.
TOP_STAMP_CASES = [
    (
        "Outage Scheduled for Sunday, 27 October 2002\n\nOctober 21, 2002\n\n21 October 2002\n\n"
        "There is a planned outage this Sunday, October 27, 2002.",
        {"2002-10-27"},
    ),
    ("EDI outage\n\n21 October 2002\n\nThe system will be down on October 27, 2002.", {"2002-10-27"}),
]


@pytest.mark.parametrize(("text", "expected"), TOP_STAMP_CASES)
def test_a_day_first_date_alone_under_the_title_is_a_stamp(text: str, expected: set[str]) -> None:
    assert days(text) == expected
