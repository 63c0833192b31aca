"""A range of days is named by what it is — the words beside it say so — not a bare 「期間」."""

from __future__ import annotations

import pytest

from bot.understand.reading import PERIOD_NAMES, period_kind


@pytest.mark.parametrize(
    ("label", "zh", "en"),
    [
        ("The quota period runs from October 1, 2025 through September 30, 2026.", "配額期間", "quota period"),
        ("These exclusions are effective from September 24, 2018 through August 7, 2020.", "排除適用期間", "exclusion period"),
        ("order on steel flanges from Italy for the period 02/08/2017 through 07/31/2018", "適用期間", "period covered"),
        ("應對該等於一一四年四月四日至同年七月二日（臨時課徵反傾銷稅期間）進口之貨物", "課徵期間", "duty period"),
        ("Air Outage Window Schedule and User Support June 6-7, 2015", "停機期間", "outage window"),
        ("計畫執行期間為自2026年1月1日起至12月31日止。", "計畫執行期間", "programme period"),
        ("the 2012 East Coast Trade Symposium on November 27-28", "會期", "event dates"),
        ("出國期間：103 年 8 月 24 日至 30 日", "出國期間", "trip"),
        ("報名期間自115年4月20日起至115年5月5日止", "報名期間", "registration period"),
        ("今年春節（2月14日至22日）連續假期", "連假期間", "holiday"),
        ("申請期間：115年3月1日至4月30日", "申請期間", "application period"),
        ("The European Union issued the following trade-related releases Aug. 1-2", "發布日期", "release dates"),
        ("From February 12 to February 23, a joint CBP and HSI delegation conducted the first verification visit",
         "訪視期間", "visit"),
        ("August 20-23, 2018: The Section 301 Committee will convene a public hearing", "會期", "event dates"),
        ("The due date for written comments is extended from August 17 to September 5, 2018.", "日期延後", "moved"),
        ("CBP's announced postponement from Sept. 16 to Dec. 9", "日期延後", "moved"),
        ("截止日由8月1日延後至9月1日", "日期延後", "moved"),
        ("from June 1 through June 30", "期間", "period"),
    ],
)  # fmt: skip
def test_a_period_is_named_by_what_it_is(label: str, zh: str, en: str) -> None:
    note = PERIOD_NAMES[period_kind(label)]
    assert (note.zh, note.en) == (zh, en)
