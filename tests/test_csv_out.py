"""Every CSV we write neutralises cells a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli.main import main
from bot.csvio import safe_cell, write_csv
from bot.deadlines.csv_entries import write_cape_files
from state import associations as store
from state.db import open_db

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
DANGEROUS = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]


@pytest.mark.parametrize("cell", DANGEROUS)
def test_formula_starts_are_neutralised(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


@given(st.text())
def test_no_written_cell_starts_a_formula_and_safe_text_is_unchanged(text: str) -> None:
    fh = io.StringIO()
    write_csv(fh, ["a"], [[text]])
    (cell,) = list(csv.reader(io.StringIO(fh.getvalue(), newline="")))[1] or [""]
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    if not text.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert cell == text


def test_association_audit_csv_neutralises_names_and_details(tmp_path: Path, monkeypatch, capsys) -> None:
    db_path = tmp_path / "a.db"
    db = open_db(db_path)
    a = store.create_association(db, name="公會", ref_prefix="公", now=NOW)
    with db.atomic():
        store.add_member(db, a.id, "=HYPERLINK(\"http://evil\",\"點我\")", [("email", "m@firm.tw")], now=NOW)
        store.audit(db, a.id, None, NOW, "@admin", "roster", "-2+3")
    db.conn.close()
    out = tmp_path / "audit.csv"
    monkeypatch.chdir(tmp_path)
    assert main(["--db", str(db_path), "association", "audit", str(a.id), "--out", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    cells = [c for r in rows for c in r]
    assert "'@admin" in cells and "'-2+3" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    # stdout export too
    capsys.readouterr()
    assert main(["--db", str(db_path), "association", "audit", str(a.id)]) == 0
    assert "'@admin" in capsys.readouterr().out


def test_cape_file_keeps_the_template_format(tmp_path: Path) -> None:
    (path,) = write_cape_files([["ABC12345676", "99999999990"]], tmp_path)
    assert path.read_bytes() == b"Entry Number\r\nABC12345676\r\n99999999990\r\n"
