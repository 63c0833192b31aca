"""The advice (建議 / To do) says the same thing in both languages: a deadline already past at
the moment of the alert is not one to "note", in English as in 繁體中文."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.understand.english import summary_en
from bot.understand.summary import summarize
from feeds.facts import extract_facts

TITLE = "Importers must file the new certification"
BODY = "Importers must file the certification no later than March 2, 2026. Questions: trade@cbp.dhs.gov."


@pytest.mark.parametrize(
    ("now", "zh_note", "en_note"),
    [
        (datetime(2026, 2, 20, tzinfo=UTC), True, True),
        (datetime(2026, 3, 10, tzinfo=UTC), False, False),
    ],
)  # fmt: skip
def test_a_deadline_is_advised_only_while_it_is_ahead_in_both_languages(now: datetime, zh_note: bool, en_note: bool) -> None:
    facts = extract_facts(TITLE, BODY, published=datetime(2026, 2, 18, tzinfo=UTC), links=[])
    assert any(d.kind == "deadline" for d in facts.dates)
    zh = summarize(facts, [], title=TITLE, body=BODY, language="en", now=now)
    en = summary_en(facts, [], title=TITLE, body=BODY, now=now)
    assert ("留意截止日" in zh) is zh_note, zh
    assert ("note the deadline" in en) is en_note, en


def test_an_incentive_item_gets_the_same_advice_in_english() -> None:
    body = "國際貿易署公告參展補助計畫，受理申請。"
    facts = extract_facts("參展補助計畫", body, published=datetime(2026, 2, 18, tzinfo=UTC), links=[])
    zh = summarize(facts, ["tw_incentive"], title="參展補助計畫", body=body, language="zh-TW")
    en = summary_en(facts, ["tw_incentive"], title="參展補助計畫", body=body)
    assert "確認申請資格" in zh
    assert "check eligibility" in en


@pytest.mark.parametrize(
    ("body", "zh", "en"),
    [
        # a comment deadline asks for comments, not filings (holdout 6: 271, 272)
        ("Comments must be received by August 31, 2026.", ["意見截止日 2026/8/31", "如需提出意見"], ["comments due", "to comment"]),
        ("The deadline for comments is extended: comments were due May 3, 2026; comments are requested on or before "
         "June 17, 2026.", ["意見截止日 2026/6/17", "如需提出意見"], ["comments due", "to comment"]),
        # a filing deadline keeps the filing advice
        (BODY, ["截止日 2026/3/2", "留意截止日"], ["deadline 2026-03-02", "note the deadline"]),
    ],
)  # fmt: skip
def test_a_comment_deadline_is_named_and_advised_as_one_in_both_languages(body: str, zh: list[str], en: list[str]) -> None:
    now = datetime(2026, 2, 20, tzinfo=UTC)
    facts = extract_facts(TITLE, body, published=datetime(2026, 2, 18, tzinfo=UTC), links=[])
    zh_text = summarize(facts, [], title=TITLE, body=body, language="en", now=now)
    en_text = summary_en(facts, [], title=TITLE, body=body, now=now)
    for part in zh:
        assert part in zh_text, zh_text
    for part in en:
        assert part in en_text, en_text
    assert ("意見" in zh_text) is ("comment" in body.lower())


@pytest.mark.parametrize(
    ("body", "origin"),
    [
        ("運輸及物流局推出的港口社區系統正式投入服務，該系統將在平台上提供貨物追蹤功能，並聯通海、陸、空運輸網絡。", "Chinese-language notice"),
        ("郵局公告：115年2月14日至2月22日春節連續假期，郵局停止收攬信筒郵件及投遞包裹，請民眾提早交寄。", "Taiwanese notice"),
        ("高雄海關為配合廠商及民眾通關需要，今年春節連續假期仍繼續辦理進出口貨物之通關業務。", "Taiwanese notice"),
    ],
)  # fmt: skip
def test_a_chinese_text_is_called_taiwanese_only_when_it_is(body: str, origin: str) -> None:
    """Hong Kong news (holdout 286) is not a "Taiwanese notice"; a notice that names no agency but a Taiwanese
    place or an ROC year is."""
    from bot.understand.english_titles import english_gist

    facts = extract_facts("", body, published=datetime(2026, 1, 16, tzinfo=UTC), links=[])
    assert english_gist(body.split("，")[0], facts, body).startswith(origin)
