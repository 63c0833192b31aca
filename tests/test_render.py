"""Alert rendering: escaped Telegram HTML, split at paragraphs into parts of ≤4096 visible UTF-16 units."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alerts.render import render_alert
from bot.alerts.telegram_html import MAX_TEXT as TELEGRAM_LIMIT
from bot.alerts.telegram_html import split_html, utf16_len, visible_len
from bot.understand.understanding import Understanding, understand
from feeds.factmodel import Facts
from feeds.model import Announcement

ALLOWED = {"b", "i", "u", "s", "a", "code", "pre", "blockquote"}


class _Check(HTMLParser):
    """Fails on any tag Telegram would not accept or any unbalanced tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED, tag
        if tag == "a":
            assert dict(attrs).get("href", "").startswith(("http://", "https://"))
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag


def valid_telegram_html(part: str) -> None:
    c = _Check()
    c.feed(part)
    c.close()
    assert c.stack == []
    assert not re.search(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", part)


def make(title: str, body: str, url: str = "https://example.org/1") -> Announcement:
    return Announcement(
        key="t:1", source="test", kind="csms_rss", ext_id="68396594", title=title, url=url,
        published=datetime(2026, 4, 20, 11, 18, tzinfo=UTC), body=body, language="en",
    )  # fmt: skip


def test_hostile_feed_values_are_escaped() -> None:
    a = make('<script>alert(1)</script> & <b>"x"', "<a href='javascript:alert(1)'>x</a> &lt;i&gt;", url="javascript:alert(1)")
    r = render_alert(a, understand(a), ["關鍵字：「<b>」"])
    for part in r.html:
        valid_telegram_html(part)
        assert "<script" not in part and "javascript:" not in part
    assert "&lt;b&gt;" in "".join(r.html)


def test_alert_text_and_html_carry_the_taipei_times() -> None:
    body = "Registration link for webinar on April 21 at 1:00 p.m. ET: Register here\n\nRelated CSMS: 68315804"
    a = make("CSMS # 68396594 - AVAILABLE NOW – CAPE for IEEPA Refunds", body)
    r = render_alert(a, understand(a), ["主題：IEEPA 關稅／CAPE 退款（標題含「IEEPA」）"])
    assert "4/22（三）01:00 台北時間（美東 4/21 13:00 EDT）" in r.text
    assert "4/22（三）01:00 台北時間（美東 4/21 13:00 EDT）" in r.html[0]
    assert r.html[0].startswith("<b>【關務快訊】CSMS #68396594")


def test_long_alert_is_split_into_valid_parts() -> None:
    body = "\n\n".join(f"Paragraph {i}: " + "CAPE refunds for IEEPA duties & <interest>. " * 20 for i in range(60))
    a = make("CSMS # 1234567 - Long", body)
    u = understand(a)
    u = Understanding(u.topics, u.facts, u.summary_zh + "\n\n" + body)
    r = render_alert(a, u, ["訂閱全部訊息"])
    assert len(r.html) > 1
    for part in r.html:
        assert visible_len(part) <= TELEGRAM_LIMIT
        valid_telegram_html(part)


def test_utf16_counts_astral_characters_twice() -> None:
    assert utf16_len("a中😀") == 4


def test_split_never_cuts_entities_or_tags_and_reopens_formatting() -> None:
    html = "<b>" + ("&amp;中😀 " * 900) + "</b>"
    parts = split_html(html, 500)
    assert len(parts) > 1
    for p in parts:
        assert visible_len(p) <= 500
        valid_telegram_html(p)
        assert p.startswith("<b>") and p.endswith("</b>")


def test_split_prefers_paragraph_boundaries() -> None:
    paras = [f"<i>para {i}</i> " + "x" * 100 for i in range(20)]
    parts = split_html("\n\n".join(paras), 300)
    assert all(p.startswith("<i>para") for p in parts)


@pytest.mark.parametrize("limit", [64, 200, 4096])
def test_split_short_text_is_unchanged(limit: int) -> None:
    assert split_html("<b>hi</b>", limit) == ["<b>hi</b>"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=30), st.integers(min_value=80, max_value=600))
def test_split_any_escaped_text_stays_valid(paras: list[str], limit: int) -> None:
    import html as h

    doc = "\n\n".join(f"<b>{h.escape(p[:20])}</b> {h.escape(p)}" for p in paras)
    for part in split_html(doc, limit):
        assert visible_len(part) <= limit
        valid_telegram_html(part)


def test_service_fallback_understanding_still_renders() -> None:
    a = make("Some <title>", "")
    r = render_alert(a, Understanding((), Facts(), "無法解析 / could not understand"), [])
    assert "無法解析 / could not understand" in r.text
    for part in r.html:
        valid_telegram_html(part)
