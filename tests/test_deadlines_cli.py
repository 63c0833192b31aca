"""The deadlines admin commands through ``bot.cli.main.main`` (exit codes, JSON, bilingual errors)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture
def run(cli_on_db):
    return cli_on_db


def test_deadlines_command_prints_json_list(run) -> None:
    code, out, _ = run("deadlines", "ABC-1234567-6", "--entry-date", "2026-03-02", "--release", "2026-03-03",
                       "--liquidated", "2026-06-01", "--ieepa")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    kinds = {d["kind"]: d for d in data}
    assert {"entry_summary_due", "psc_last_day", "estimated_liquidation", "cape_last_day",
            "protest_last_day"} <= set(kinds)  # fmt: skip
    assert kinds["cape_last_day"]["date"] == "2026-08-20"
    assert kinds["protest_last_day"]["date"] == "2026-11-28"
    assert all(set(d) >= {"kind", "date", "basis", "estimate"} for d in data)
    assert isinstance(kinds["estimated_liquidation"]["estimate"], bool)


@pytest.mark.parametrize(
    ("argv", "zh", "en"),
    [(("deadlines", "ABC-1234567-5"), "應為 6", "expected 6"),
     (("deadlines", "ABC-1234567-6", "--entry-date", "2026-02-30"), "不存在", "no such day"),
     (("deadlines", "ABC-1234567-6", "--entry-date", "0/1/1"), "民國年", "ROC year"),
     (("deadlines", "ABC-1234567-6", "--release", "2026-07-01", "--liquidated", "2026-06-01"),
      "放行日", "release date")],
)  # fmt: skip
def test_bad_input_exits_2_with_message_in_both_languages(run, argv, zh: str, en: str) -> None:
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert zh in err and en in err


def test_track_import_done_export_and_list(run, tmp_path: Path) -> None:
    assert run("subscriber", "add", "--name", "A", "--channel", "console", "--address", "a")[0] == 0
    code, out, _ = run("track", "--subscriber", "1", "ABC 1234567 6", "--entry-date", "2026-10-01",
                       "--release", "2026-11-20", "--ieepa", "--hts", "9903.01.25")  # fmt: skip
    assert code == 0 and "ABC-1234567-6" in out
    code, out, _ = run("track", "--subscriber", "1", "--tw", "AA 9032006017", "--kind", "re_export",
                       "--base", "115/06/30")  # fmt: skip
    assert code == 0 and json.loads(out)["date"] == "2026-12-30"
    assert run("track", "--subscriber", "1", "--custom", "AEO 重新認證", "--due", "2027-01-15")[0] == 0
    csv_file = tmp_path / "cape.csv"
    csv_file.write_bytes("Entry Number\r\n999-9999999-0\r\n".encode("utf-8-sig"))
    code, out, _ = run("import-entries", str(csv_file), "--subscriber", "1")
    assert code == 0 and "imported 1" in out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Entry Number\nABC-1234567-5\n")
    code, _, err = run("import-entries", str(bad), "--subscriber", "1")
    assert code == 2 and "第 2 行" in err and "line 2" in err
    code, out, _ = run("deadlines-of", "--subscriber", "1", "--json")
    items = {r["item_key"] for r in json.loads(out)}
    assert "us:ABC-1234567-6:entry_summary_due" in items and "tw:1" in items and "custom:1" in items
    code, out, _ = run("done", "--subscriber", "1", "ABC-1234567-6", "--kind", "entry_summary_due")
    assert code == 0 and "已處理" in out
    code, out, _ = run("export-cape", "--subscriber", "1", "--out", str(tmp_path / "cape"))
    assert code == 0 and "2 CAPE-eligible entries in 1 file" in out
    assert (tmp_path / "cape" / "cape_001.csv").read_text().splitlines()[0] == "Entry Number"
    run("done", "--subscriber", "1", "999-9999999-0", "--kind", "cape_last_day")
    code, out, _ = run("export-cape", "--subscriber", "1", "--out", str(tmp_path / "cape2"))
    assert "1 CAPE-eligible entries" in out
    assert run("untrack", "--subscriber", "1", "ABC-1234567-6")[0] == 0
    code, _, err = run("untrack", "--subscriber", "1", "ABC-1234567-6")
    assert code == 2 and "沒有追蹤" in err


def test_unknown_subscriber_and_garbage_file(run, tmp_path: Path) -> None:
    code, _, err = run("deadlines-of", "--subscriber", "9")
    assert code == 2 and "找不到訂閱者" in err
    run("subscriber", "add", "--name", "A", "--channel", "console", "--address", "a")
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 4096)
    code, _, err = run("import-entries", str(junk), "--subscriber", "1")
    assert code == 2 and "錯誤" in err and "error" in err
    code, _, err = run("import-entries", str(tmp_path / "missing.csv"), "--subscriber", "1")
    assert code == 2 and "無法讀取" in err


def test_remind_settings_command(run) -> None:
    run("subscriber", "add", "--name", "A", "--channel", "console", "--address", "a")
    code, out, _ = run("remind-settings", "--subscriber", "1")
    assert code == 0 and "offsets=30,14,7,3,1,0 time=09:00" in out
    code, out, _ = run("remind-settings", "--subscriber", "1", "--offsets", "7,1", "--time", "08:30")
    assert code == 0 and "offsets=7,1 time=08:30" in out
    code, _, err = run("remind-settings", "--subscriber", "1", "--time", "25:00")
    assert code == 2 and "HH:MM" in err
    code, out, _ = run("remind-settings", "--subscriber", "1", "--reset")
    assert "offsets=30,14,7,3,1,0 time=09:00" in out


def test_deadlines_of_says_which_entries_cannot_use_cape(run) -> None:
    """As ``deadlines`` does: the CAPE day of an entry whose window closed before CAPE opened is
    listed with ``"eligible": false`` and the route left; the usable one with ``true``."""
    run("subscriber", "add", "--name", "A", "--channel", "console", "--address", "a")
    now = ("--now", "2026-04-20T09:00:00+08:00")
    run("track", "--subscriber", "1", "ABC-1234567-6", "--entry-date", "2025-09-02", "--liquidated", "2026-03-15",
        "--ieepa", *now)  # fmt: skip
    run("track", "--subscriber", "1", "ABC-2345678-5", "--entry-date", "2025-06-02", "--liquidated", "2025-12-01",
        "--ieepa", *now)  # fmt: skip
    code, out, _ = run("deadlines-of", "--subscriber", "1", "--json", *now)
    assert code == 0
    cape = {r["item_key"]: r for r in json.loads(out) if r["kind"] == "cape_last_day"}
    assert cape["us:ABC-1234567-6:cape_last_day"]["eligible"] is True
    refused = cape["us:ABC-2345678-5:cape_last_day"]
    assert refused["eligible"] is False and refused["deadline"] == "2026-02-19"
    assert "2026-05-30" in refused["note"] and "19 U.S.C. 1514" in refused["note"]
    code, out, _ = run("deadlines-of", "--subscriber", "1", *now)
    line = next(x for x in out.splitlines() if "ABC-2345678-5:cape_last_day" in x)
    assert "不適用 CAPE" in line


def test_an_english_reader_lists_taiwanese_declarations_in_english(run) -> None:
    run("subscriber", "add", "--name", "Acme", "--channel", "console", "--address", "a", "--lang", "en",
        "--tz", "America/New_York")  # fmt: skip
    run("track", "--subscriber", "1", "--tw", "AA 9032006017", "--kind", "import_declaration", "--base", "2026-04-14",
        "--label", "Keelung", "--now", "2026-04-20T09:00:00+08:00")  # fmt: skip
    run("track", "--subscriber", "1", "ABC-2345678-5", "--entry-date", "2025-06-02", "--liquidated", "2025-12-01",
        "--ieepa", "--now", "2026-04-20T09:00:00+08:00")  # fmt: skip
    code, out, _ = run("deadlines-of", "--subscriber", "1", "--now", "2026-04-20T09:00:00+08:00")
    assert code == 0
    assert "Declaration AA 9032006017: import declaration due (Keelung)" in out
    assert "ABC-2345678-5 protest last day" in out and "(CAPE: not eligible)" in out
    assert "報單" not in out and "異議" not in out and "（" not in out
