"""Numbers typed with a Chinese IME (full-width digits, 全形 dashes) mean what ASCII means,
on every surface: CLI, CSV import, Telegram (all three call the same parsers)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.deadlines.calendars import parse_date
from bot.deadlines.csv_entries import parse_csv
from bot.deadlines.entries import check_digit, parse_entry_number, parse_tw_declaration
from feeds.errors import UserError
from feeds.hts import parse_hts_prefix

FULL = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ/."}
DASHES = ["-", "－", "‐", "‑", "–", "—", "−", "ー", ""]


def full(text: str) -> str:
    return "".join(FULL.get(c, c) for c in text)


@pytest.fixture
def run(cli_on_db):
    return cli_on_db


def test_deadlines_command_takes_full_width_entry_number_and_dates(run) -> None:
    ascii_out = run("deadlines", "ABC-1234567-6", "--entry-date", "2026-03-02", "--release", "2026-03-03")
    code, out, err = run("deadlines", "ABC-１２３４５６７-6", "--entry-date", "２０２６－０３－０２",
                         "--release", "１１５／３／３")  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == json.loads(ascii_out[1])


def test_full_width_check_digit_is_stored_and_exported_as_ascii(run, tmp_path: Path) -> None:
    assert run("subscriber", "add", "--name", "A", "--channel", "console", "--address", "a")[0] == 0
    code, out, err = run("track", "--subscriber", "1", "ＡＢＣ－１２３４５６７－６", "--entry-date",
                         "2026-10-01", "--release", "2026-11-20", "--ieepa", "--hts", "９９０３．０１．２５")  # fmt: skip
    assert code == 0, err
    assert "ABC-1234567-6" in out
    code, out, err = run("export-cape", "--subscriber", "1", "--out", str(tmp_path / "cape"))
    assert code == 0, err
    exported = (tmp_path / "cape" / "cape_001.csv").read_bytes()
    assert exported.isascii()
    assert b"ABC12345676" in exported


@st.composite
def typed_entry(draw) -> tuple[str, str]:
    """(how a person typed it, the canonical dashed ASCII form)."""
    filer = draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=3, max_size=3))
    number = draw(st.text("0123456789", min_size=7, max_size=7))
    check = str(check_digit(filer + number))
    canonical = f"{filer}-{number}-{check}"
    chars = [draw(st.sampled_from([c, FULL[c]])) for c in filer + number + check]
    typed = "".join(chars[:3]) + draw(st.sampled_from(DASHES)) + "".join(chars[3:10])
    typed += draw(st.sampled_from(DASHES)) + chars[10]
    if draw(st.booleans()):
        typed = typed.lower()
    return draw(st.sampled_from(["", " ", "\u3000"])) + typed, canonical


@given(typed_entry())
def test_any_full_width_form_of_a_valid_entry_parses_to_the_ascii_dashed_form(case) -> None:
    typed, canonical = case
    assert parse_entry_number(typed) == canonical


@given(st.text(max_size=20))
def test_entry_parser_never_crashes_with_anything_but_a_user_error(text: str) -> None:
    try:
        parsed = parse_entry_number(text)
    except UserError:
        return
    assert parsed.isascii()


@given(typed_entry(), st.sampled_from(["utf-8", "utf-8-sig"]))
def test_cape_template_csv_with_full_width_numbers_exports_only_ascii(case, encoding) -> None:
    typed, canonical = case
    parsed = parse_csv(f"Entry Number\r\n{typed}\r\n".encode(encoding))
    assert not parsed.errors
    assert [t.entry.entry_number for t in parsed.entries] == [canonical]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("２０２６－０３－０２", date(2026, 3, 2)),
        ("2026—03—02", date(2026, 3, 2)),
        ("２０２６‐３‐２", date(2026, 3, 2)),
        ("１１５／０３／０２", date(2026, 3, 2)),
        ("民國１１５年３月２日", date(2026, 3, 2)),
        ("１１５．３．２", date(2026, 3, 2)),
        ("０３／０２／２０２６", date(2026, 3, 2)),
    ],
)
def test_dates_typed_with_an_ime(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8471", "8471"),
        ("８４７１", "8471"),
        ("９９０３．０１", "9903.01"),
        ("9903。01", "9903.01"),
        ("990301", "9903.01"),
        ("9903.01.25", "9903.01.25"),
        ("8471 30 0100", "8471.30.01.00"),
        ("84", "84"),
    ],
)
def test_hts_prefix_typed_any_way_is_one_form(text: str, expected: str) -> None:
    assert parse_hts_prefix(text) == expected


@pytest.mark.parametrize("text", ["", "8", "abc", "9903.01.25.10.11", "12345678901", "9903/01"])
def test_bad_hts_prefix_is_a_bilingual_error(text: str) -> None:
    with pytest.raises(UserError) as err:
        parse_hts_prefix(text)
    assert err.value.zh and err.value.en


def test_subscribe_hts_full_width_stores_the_ascii_prefix_once(run) -> None:
    run("subscriber", "add", "--name", "A", "--channel", "console", "--address", "a")
    code, out, err = run("subscribe", "1", "--hts", "９９０３．０１")
    assert code == 0, err
    assert "hts:9903.01" in out
    code, out, _ = run("subscribe", "1", "--hts", "9903.01")
    assert "(already)" in out
    code, out, _ = run("subscriber", "show", "1", "--json")
    assert json.loads(out)["subscriptions"] == ["hts:9903.01"]
    assert run("unsubscribe", "1", "--hts", "９９０３０１")[0] == 0


def test_tw_declaration_typed_full_width() -> None:
    assert parse_tw_declaration("ＡＡ　９０３２００６０１７") == "AA 9032006017"
