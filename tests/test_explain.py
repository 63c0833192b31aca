"""``run.py explain FILE|-``: JSON with the documented keys, for text, HTML and feeds."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli.main import main
from bot.understand.explain import explain_bytes

CORPUS = Path(__file__).parent / "corpus"
KEYS = {"csms_number", "title", "published", "topics", "events", "dates", "related_csms", "hts",
        "emails", "links", "summary_zh"}  # fmt: skip


def test_explain_file_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(CORPUS / "000_seed_cnfi_csms68396594.txt")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= KEYS
    assert out["csms_number"] == "68396594"
    assert [e["start"] for e in out["events"]] == ["2026-04-21T13:00:00-04:00", "2026-04-28T13:00:00-04:00"]
    assert all(isinstance(t, str) for t in out["topics"])
    assert {"topic", "zh", "rule"} <= set(out["topic_hits"][0])


def test_explain_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = b"CSMS # 68315804 - GUIDANCE: CAPE\n\nLive at 8:00 AM EDT on April 20, 2026."
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["explain", "-"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["csms_number"] == "68315804"
    assert out["events"][0]["start"] == "2026-04-20T08:00:00-04:00"


def test_explain_missing_file_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "/nonexistent/file.txt"]) == 2
    assert "無法讀取檔案" in capsys.readouterr().err


def test_explain_rss_uses_first_item() -> None:
    out = explain_bytes((CORPUS / "025_rss_csms_item.xml").read_bytes())
    assert out["csms_number"] == "68600222"


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00" * 100, bytes(range(256)) * 50, b"<html><script>x</script></html>", b"\xff\xfe\x00garbage",
     b"<rss><channel><item><title>broken", ("中" * 400_000).encode()],
    ids=["empty", "nul", "bytes", "script-only", "bad-bom", "broken-rss", "1MB-chinese"],
)  # fmt: skip
def test_explain_bad_input_gives_json_not_an_exception(raw: bytes) -> None:
    out = explain_bytes(raw)
    assert set(out) >= KEYS
    assert out["summary_zh"]
    json.dumps(out)


def test_explain_empty_input_is_marked() -> None:
    assert explain_bytes(b"")["summary_zh"] == "無法解析 / could not understand"


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_explain_never_raises_on_any_bytes(raw: bytes) -> None:
    out = explain_bytes(raw)
    assert out["summary_zh"]
    json.dumps(out)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        # an English page dated only by a two-digit-year slash date: the U.S. reading, never 民國 11
        ("Weekly postings. See the 11/06/08 news for the summary. (CSMS 08-000290, dated 11/03/08.)", "2008"),
        # a Chinese page: the same form is an ROC date
        ("本署公告：自即日起調整報關作業，詳如附件。公告日期見 114/03/05 之函，請各報關業者配合辦理。", "2025"),
    ],
)
def test_a_page_without_its_own_date_is_dated_in_its_own_calendar(text: str, year: str) -> None:
    assert explain_bytes(text.encode(), now=None)["published"][:4] == year
