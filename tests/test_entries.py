"""Entry numbers: DOMAIN.md §5 check digit examples and bad input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.deadlines.entries import cape_form, check_digit, parse_entry_number, parse_tw_declaration
from feeds.errors import UserError


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("ABC-1234567-6", "ABC-1234567-6"),
        ("999-9999999-0", "999-9999999-0"),
        ("abc12345676", "ABC-1234567-6"),
        (" ABC 1234567 6 ", "ABC-1234567-6"),
        ("999 9999999-0", "999-9999999-0"),
    ],
)
def test_valid_entry_numbers_get_canonical_dashed_form(text: str, canonical: str) -> None:
    assert parse_entry_number(text) == canonical


def test_wrong_check_digit_says_which_digit_was_expected() -> None:
    with pytest.raises(UserError) as err:
        parse_entry_number("ABC-1234567-5")
    assert "應為 6" in err.value.zh
    assert "expected 6" in err.value.en


@pytest.mark.parametrize("text", ["", "AB-1234567-6", "ABC-123456-6", "ABC-12345678-6", "A#C-1234567-6"])
def test_malformed_entry_numbers_are_rejected_in_both_languages(text: str) -> None:
    with pytest.raises(UserError) as err:
        parse_entry_number(text)
    assert err.value.zh and err.value.en


def test_leading_zeros_are_kept() -> None:
    ten = "0010000001"
    number = f"001-0000001-{check_digit(ten)}"
    assert parse_entry_number(number) == number
    assert cape_form(number) == f"0010000001{check_digit(ten)}"


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=3, max_size=3),
       st.text(alphabet="0123456789", min_size=7, max_size=7))  # fmt: skip
def test_every_computed_check_digit_validates_and_every_other_digit_fails(filer: str, num: str) -> None:
    good = check_digit(filer + num)
    assert parse_entry_number(f"{filer}{num}{good}") == f"{filer}-{num}-{good}"
    bad = (good + 1) % 10
    with pytest.raises(UserError):
        parse_entry_number(f"{filer}{num}{bad}")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("AA 9032006017", "AA 9032006017"), ("aa9032006017", "AA 9032006017"),
     ("AABC 9032006017", "AABC 9032006017")],
)  # fmt: skip
def test_taiwanese_declaration_numbers(text: str, canonical: str) -> None:
    assert parse_tw_declaration(text) == canonical


def test_bad_taiwanese_declaration_number() -> None:
    with pytest.raises(UserError) as err:
        parse_tw_declaration("AA 90320")
    assert "報單號碼" in err.value.zh


@given(st.text(max_size=30))
def test_parsers_never_crash(text: str) -> None:
    for parse in (parse_entry_number, parse_tw_declaration):
        try:
            parse(text)
        except UserError as err:
            assert err.zh and err.en
