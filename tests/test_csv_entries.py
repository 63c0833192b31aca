"""CSV import (CAPE template, richer format; UTF-8, BOM, Big5/CP950) and CAPE export."""

from __future__ import annotations

import csv
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import RemindersConfig
from bot.deadlines.calculators import load_cape_rules
from bot.deadlines.csv_entries import (
    cape_batches,
    decode,
    errors_message,
    parse_csv,
    write_cape_files,
)
from bot.deadlines.entries import check_digit
from bot.deadlines.tracker import Rules, track_entries
from feeds.errors import UserError
from state import tracking
from state.db import open_db
from state.subscribers import add_subscriber
from state.tracking import TrackedEntry, UsEntry

NOW = datetime(2026, 5, 1, tzinfo=UTC)
RULES = load_cape_rules()


def number(i: int, filer: str = "ABC") -> str:
    ten = f"{filer}{i:07d}"
    return f"{filer}-{i:07d}-{check_digit(ten)}"


def test_cape_template_utf8_with_and_without_bom() -> None:
    body = "Entry Number\r\nABC-1234567-6\r\n99999999990\r\n"
    for data in (body.encode("utf-8"), b"\xef\xbb\xbf" + body.encode("utf-8")):
        parsed = parse_csv(data)
        assert parsed.format == "cape" and parsed.encoding == "utf-8"
        assert [t.entry.entry_number for t in parsed.entries] == ["ABC-1234567-6", "999-9999999-0"]
        assert all(t.entry.ieepa for t in parsed.entries)
        assert parsed.errors == []


def test_rich_format_in_big5_with_chinese_headers_and_roc_dates() -> None:
    text = (
        "報關單號,報關類型,進口日,放行日,清算日,IEEPA,稅則號別,口岸,備註\n"
        "ABC-1234567-6,1,115/03/02,115/03/03,115/06/01,是,9903.01.25;8471.30.0100,2704,台北貿易公司\n"
        "999-9999999-0,01,2026-01-05,,,否,,,\n"
    )
    parsed = parse_csv(text.encode("cp950"))
    assert parsed.encoding == "cp950" and parsed.format == "rich"
    assert parsed.errors == []
    first = parsed.entries[0]
    assert first.entry == UsEntry("ABC-1234567-6", "01", date(2026, 3, 2), date(2026, 3, 3), False,
                                  date(2026, 6, 1), "liquidated", True)  # fmt: skip
    assert first.hts == ("9903.01.25", "8471.30.0100")
    assert first.label == "台北貿易公司"
    assert parsed.entries[1].entry.ieepa is False


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("報單號碼,進口日,放行日,核定日,IEEPA,備註", "ABC-2345678-5,2025-06-02,2025-06-03,2025-12-01,是,只能異議"),
        ("進口報單號碼,入境日期,放行日期,核定日期,IEEPA 關稅,進口商", "ABC-2345678-5,114/06/02,114/06/03,114/12/01,有,永信"),
        ("Entry No.,Entry Date,Release Date,Liq. Date,IEEPA Paid,Importer", "ABC-2345678-5,06/02/2025,06/03/2025,12/01/2025,Y,Acme"),
        ("Entry #,Entry Date,Liquidation Date,IEEPA", "ABC-2345678-5,2025-06-02,2025-12-01,yes"),
        ("報關編號,申報日期,清算日期,IEEPA", "ABC-2345678-5,2025-06-02,2025-12-01,是"),
    ],
)  # fmt: skip
def test_headers_brokers_write_are_read(header: str, row: str) -> None:
    for encoding in ("utf-8", "cp950"):
        parsed = parse_csv(f"{header}\n{row}\n".encode(encoding))
        assert parsed.errors == [], parsed.errors
        (entry,) = parsed.entries
        assert entry.entry.entry_number == "ABC-2345678-5"
        assert entry.entry.liquidation_date is not None and entry.entry.liquidation_date.month == 12
        assert entry.entry.ieepa is True


def test_utf16_with_bom_as_excel_unicode_text() -> None:
    parsed = parse_csv("Entry Number\nABC-1234567-6\n".encode("utf-16"))
    assert [t.entry.entry_number for t in parsed.entries] == ["ABC-1234567-6"]


def test_bad_rows_reported_with_line_number_and_reason_in_both_languages() -> None:
    data = (
        b"Entry Number,Entry Date,Release Date,Liquidation Date,IEEPA\n"
        b"ABC-1234567-5,2026-03-02,,,yes\n"
        b"999-9999999-0,2026-02-30,,,yes\n"
        b"\n"
        b"ABC-1234567-6,0/01/01,,,yes\n"
        b"ABC-1234567-6,2026-03-02,2026-07-01,2026-06-01,yes\n"
        b"99999999990,2026-03-02,,,maybe\n"
        b"ABC12345676,2026-03-02,,,yes\n"
        b"ABC12345676,2026-03-02,,,yes\n"
    )
    parsed = parse_csv(data)
    lines = {e.line: e for e in parsed.errors}
    assert lines[2].zh.endswith("收到 5") and "expected 6" in lines[2].en
    assert "不存在" in lines[3].zh
    assert "民國年" in lines[5].zh
    assert "放行日" in lines[6].zh and "release date" in lines[6].en
    assert "maybe" in lines[7].en
    assert "重複" in lines[9].zh and "line 8" in lines[9].en
    err = errors_message(parsed.errors)
    assert "第 2 行" in err.zh and "line 2" in err.en and "未匯入" in err.zh


def test_bad_file_and_encodings_raise_clear_user_errors() -> None:
    with pytest.raises(UserError) as e1:
        decode(b"\x80\x80\xff\xff Entry Number")
    assert "編碼" in e1.value.zh and "encoding" in e1.value.en
    with pytest.raises(UserError) as e2:
        parse_csv(os.urandom(10 * 1024 * 1024))
    assert e2.value.zh and e2.value.en
    with pytest.raises(UserError) as e3:
        parse_csv(("garbage,text\n" * 1000).encode())
    assert "Entry Number" in e3.value.zh
    with pytest.raises(UserError):
        parse_csv(b"")


def test_import_is_one_transaction_nothing_partly_written(tmp_path: Path) -> None:
    db = open_db(tmp_path / "t.db")
    sid = add_subscriber(db, name="a", channel="console", address="a", now=NOW).id
    rules = Rules(RemindersConfig())
    good = [TrackedEntry(UsEntry(number(i), entry_date=date(2026, 4, 1), ieepa=True)) for i in range(50)]
    # An entry whose dates are impossible fails inside the calculator, after 50 good ones.
    bad = TrackedEntry(UsEntry(number(99), release_date=date(2026, 7, 1), liquidation_date=date(2026, 6, 1),
                               liquidation_status="liquidated"))  # fmt: skip
    with pytest.raises(UserError):
        track_entries(db, sid, [*good, bad], rules=rules, now=NOW)
    assert tracking.entries_of(db, sid) == []
    assert db.execute("SELECT count(*) FROM reminders").fetchone()[0] == 0
    assert track_entries(db, sid, good, rules=rules, now=NOW) == 50
    assert len(tracking.entries_of(db, sid)) == 50


def test_hundred_thousand_rows_parse(tmp_path: Path) -> None:
    rows = "\n".join(number(i) for i in range(100_000))
    parsed = parse_csv(f"Entry Number\n{rows}\n".encode())
    assert len(parsed.entries) == 100_000 and not parsed.errors


def test_cape_export_splits_into_files_of_at_most_9999(tmp_path: Path) -> None:
    entries = [TrackedEntry(UsEntry(number(i), entry_date=date(2026, 1, 5), ieepa=True)) for i in range(20_001)]
    entries.append(TrackedEntry(UsEntry(number(1, "XYZ"), entry_date=date(2026, 1, 5), ieepa=False)))
    entries.append(TrackedEntry(UsEntry(number(2, "XYZ"), entry_type="47", entry_date=date(2026, 1, 5), ieepa=True)))
    batches = cape_batches(entries, RULES, date(2026, 5, 1))
    assert [len(b) for b in batches] == [9999, 9999, 3]
    paths = write_cape_files(batches, tmp_path / "out")
    assert [p.name for p in paths] == ["cape_001.csv", "cape_002.csv", "cape_003.csv"]
    with paths[0].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Entry Number"] and len(rows) == 10_000
    assert all(len(r[0]) == 11 and "-" not in r[0] for r in rows[1:])
    assert not list((tmp_path / "out").glob("*.tmp"))
    everything = {r[0] for p in paths for r in csv.reader(p.open(encoding="utf-8"))} - {"Entry Number"}
    assert len(everything) == 20_001


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    db = open_db(tmp_path / "t.db")
    sid = add_subscriber(db, name="a", channel="console", address="a", now=NOW).id
    rules = Rules(RemindersConfig())
    rows = "\n".join(f"{number(i)},2026-04-01,yes" for i in range(200))
    parsed = parse_csv(f"Entry Number,Entry Date,IEEPA\n{rows}\n".encode())
    track_entries(db, sid, parsed.entries, rules=rules, now=NOW)
    before = db.execute("SELECT count(*), group_concat(due_at) FROM reminders").fetchone()
    track_entries(db, sid, parse_csv(f"Entry Number,Entry Date,IEEPA\n{rows}\n".encode()).entries,
                  rules=rules, now=NOW)  # fmt: skip
    assert db.execute("SELECT count(*), group_concat(due_at) FROM reminders").fetchone() == before
    tracking.remove_entry(db, sid, number(0))
    assert db.execute("SELECT count(*) FROM reminders WHERE item_key LIKE ?", [f"us:{number(0)}:%"]).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM reminders").fetchone()[0] == before[0] - 3


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=2000),
                 st.text(max_size=2000).map(lambda t: ("Entry Number,Entry Date\n" + t).encode("utf-8"))))  # fmt: skip
def test_parse_never_crashes_on_arbitrary_input(data: bytes) -> None:
    try:
        parsed = parse_csv(data)
    except UserError as err:
        assert err.zh and err.en
        return
    for e in parsed.errors:
        assert e.line >= 1 and e.zh and e.en
