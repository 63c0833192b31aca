"""Forms holdout batch 8 taught (docs/EXPLAIN.md "Holdout"): each a short snippet in the form a
real document used, with the facts a reader marks. Continues tests/test_forms_batch7.py."""

from __future__ import annotations

import pytest

from feeds.facts import extract_facts
from tests.forms import LATE, days

# A list of 10-digit statistical numbers written without dots, under a sentence naming the tariff
# (a CSMS listing General Approved Exclusions): each is an HTS number. Without the tariff named, a
# run of 10-digit numbers (account or phone numbers) is none.
HTS_LIST_CASES = [
    (
        "As of December 27, 2021, the following Harmonized Tariff Schedule classifications are completely excluded "
        "from Section 232 measures:\nSTEEL:\n7208380015; 7209270000; 7209900000; 7210706030; 72192200",
        ["7208380015", "7209270000", "7209900000", "7210706030"],
    ),
    ("HTS numbers affected:\n8471300100, 8471410150, 8471490000", ["8471300100", "8471410150", "8471490000"]),
    ("Call one of our lines: 2023441440; 2023251234; 8002808080.", []),
    ("HTS 8471300100 and account numbers 1234567890; 2345678901", ["8471300100"]),
]


@pytest.mark.parametrize(("text", "expected"), HTS_LIST_CASES)
def test_a_list_of_undotted_numbers_under_the_tariff(text: str, expected: list[str]) -> None:
    assert list(extract_facts("", text, published=LATE).hts) == expected


# A printed CSMS page: "CSMS #18-000240" alone on its line over the message's "Title:" line is the
# message's own number, not one it cites.
OWN_CASES = [
    (
        "Search for\n\nCSMS #18-000240\n\nTitle: Additional Duty on Imports of Steel and Aluminum Articles under Section 232\n"
        "Date: 3/22/201811:39:25 PM\n\nSee also CSMS #18-000258.",
        "18-000240",
        ["18-000258"],
    ),
    ("CSMS #51741965\nTitle: Cargo Release update\nRelated CSMS No. 50930928", "51741965", ["50930928"]),
    ("Please see CSMS #18-000240\nfor details. Title: none", None, ["18-000240"]),
]


@pytest.mark.parametrize(("text", "own", "cited"), OWN_CASES)
def test_a_number_over_the_title_line_is_the_messages_own(text: str, own: str | None, cited: list[str]) -> None:
    f = extract_facts("", text, published=LATE)
    assert (f.csms_number, list(f.related_csms)) == (own, cited)


# A posting-date label alone on its line with the date alone under it is the page's stamp, deep in
# the page as much as at its top; an "Effective Date:" label over its date is a fact.
LABEL_CASES = [
    (
        "US flag Official website\n\nTrade\n\nAutomated Systems\n\nACE Deployment C Information Notice\n\n"
        "Document Posting Date: \nMarch 10, 2014\n\nCapabilities being deployed on April 5th, 2014:",
        {"2014-04-05"},
    ),
    ("Menu\nHome\nNews\nNotices\nPublished Date:\nMonday, June 3, 2019\n\nThe rule applies on July 1, 2019.", {"2019-07-01"}),
    ("Menu\nHome\nNews\nNotices\nEffective Date:\nMarch 10, 2014\n\nFilers must comply.", {"2014-03-10"}),
]


@pytest.mark.parametrize(("text", "expected"), LABEL_CASES)
def test_a_date_under_a_posting_label_is_the_pages_stamp(text: str, expected: set[str]) -> None:
    assert days(text) == expected
