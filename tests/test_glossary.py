"""Glossary data and title translation by phrase rules."""

from __future__ import annotations

import pytest

from bot.understand.glossary import load_glossary, lookup, translate_title


def test_glossary_has_at_least_150_terms_from_the_shared_glossary() -> None:
    g = load_glossary()
    assert len(g.terms) >= 150
    assert lookup("Consolidated Administration and Processing of Entries") == "入境貨物資料綜合管理與處理"
    assert lookup("liquidation") == "核定"
    assert lookup("webinar") == "線上說明會"


@pytest.mark.parametrize(
    ("title", "zh"),
    [
        ("AVAILABLE NOW – Consolidated Administration and Processing of Entries (CAPE) for IEEPA Refunds",
         "現已開放：IEEPA 關稅退款之入境貨物資料綜合管理與處理（CAPE）"),
        ("UPDATED GUIDANCE – Section 232 Duties on Steel and Aluminum increased to 50 percent",
         "更新作業指引：鋼鐵與鋁 232 條款關稅調高至 50%"),
        ("GUIDANCE: Suspension of Duty-Free De Minimis Treatment for All Countries",
         "作業指引：所有國家之小額免稅待遇暫停"),
        ("GUIDANCE: CAPE Phase 1 Deployment on April 20, 2026 at 8:00 AM EDT",
         "作業指引：CAPE 第一階段系統上線 2026/4/20 08:00 EDT"),
        ("ACE Scheduled Maintenance Saturday 2300 EDT", "ACE 系統維護週六 23:00 EDT"),
    ],
)  # fmt: skip
def test_titles_translate_deterministically(title: str, zh: str) -> None:
    assert translate_title(title) == zh


def test_mostly_unknown_title_is_not_half_translated() -> None:
    assert translate_title("Weird Frobnication of Widgets") is None
    assert translate_title("") is None


@pytest.mark.parametrize(
    ("title", "must", "must_not"),
    [
        ("ACE PRODUCTION Entry Summary Deployment, Tuesday July 11, 2017 @0500ET", ["2017/7/11 05:00 美東時間"], ["@", " ET", "、 2017"]),
        ("CAPE Webinar April 21 at 1:00 p.m. ET", ["13:00 美東時間"], [" ET"]),
        ("ACE Maintenance Saturday 2300 EDT", ["23:00 EDT"], []),
        # a window is one range, its 「@」 dropped (holdout 221, 223)
        ("ACE PRODUCTION OUTAGE, Saturday, July 23, 2016 @ 2200 to 0400 ET Sunday, July 24", ["2016/7/23 22:00–04:00 美東時間"], ["@"]),
        ("FDA ACE Outage, Saturday, October 15, 2016 @ 0300 to 0600 EST", ["03:00–06:00 EST"], ["@", "03:00 06:00"]),
        ("ACE Outage 8:00 AM - 10:00 AM EDT", ["08:00–10:00 EDT"], []),
        ("US De Minimis Suspension", ["美國小額免稅"], ["US"]),
    ],
)  # fmt: skip
def test_a_time_in_a_translated_title_reads_in_chinese(title: str, must: list[str], must_not: list[str]) -> None:
    zh = translate_title(title) or ""
    for part in must:
        assert part in zh, zh
    for part in must_not:
        assert part not in zh, zh
