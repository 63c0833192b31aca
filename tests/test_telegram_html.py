"""The one Telegram HTML pipeline: a busy day's digest reaches the (strict) fake Bot API whole,
and the splitter keeps every part valid, short enough and complete, whatever the input."""

from __future__ import annotations

import re
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alerts.digest import digest_sweep
from bot.alerts.telegram_html import MAX_TEXT, esc, split_html, split_plain, utf16_len, visible_text
from feeds.model import Announcement
from state import announcements
from state.alerts import record_alert
from state.db import open_db
from state.subscribers import add_subscriber, update_subscriber
from tests.fakebotapi import FakeBotAPI, parse_telegram_html
from tests.tg_helpers import NOW, channel_for, deliveries, drain


async def test_a_60_item_digest_reaches_telegram_whole():
    db = open_db(":memory:")
    sub = add_subscriber(db, name="firm", channel="telegram", address="4242", now=NOW - timedelta(days=2))
    update_subscriber(db, sub.id, digest="daily", digest_time="08:00")
    items = [
        Announcement(
            key=f"csms:{6800000 + i}", source="cbp", kind="csms_rss", ext_id=str(6800000 + i),
            title=f"CSMS # {6800000 + i} - Section 232 <steel> & aluminum derivatives: guidance update {i:02d} "
                  + "關稅" * 20,
            url=f"https://content.govdelivery.com/accounts/USDHSCBP/bulletins/{'a' * 60}{i:02d}?x=1&y=2",
            published=NOW - timedelta(hours=20, minutes=i),
        )  # fmt: skip
        for i in range(60)
    ]
    with db.atomic():
        announcements.store_new(db, items, now=NOW - timedelta(days=1), alertable_after=NOW - timedelta(days=3))
        for a in items:
            record_alert(db, sub.id, a.key, ["全部"], now=NOW - timedelta(hours=12), delivery="digest")
    assert digest_sweep(db, NOW) == 1  # 09:00 UTC is after 08:00 in Taipei

    fake = await FakeBotAPI(private_interval=0).start()
    try:
        ch = channel_for(fake, db, per_chat_interval=0.01)
        await drain(db, ch)
        await ch.close()
    finally:
        await fake.stop()
    parts = fake.messages[4242]
    assert fake.rejections == [] and len(parts) >= 2
    assert all(m["parse_mode"] == "HTML" for m in parts)  # no part fell back to plain text
    assert all(utf16_len(m["visible"]) <= MAX_TEXT for m in parts)
    for m in parts:
        parse_telegram_html(m["text"])  # balanced, allowed tags only: what Telegram accepts
    text = "".join(m["text"] for m in parts)
    for i, a in enumerate(items):  # every item, link intact; the title in the reader's language
        assert re.search(rf'<a href="{re.escape(esc(a.url))}">[^<]*更新 {i:02d} [^<]*</a>', text), a.key
    [d] = deliveries(db)
    assert d["outcome"] == "sent" and "plain_fallback" not in d["detail"]


def test_a_cut_falls_between_paragraphs_and_reopens_an_open_tag():
    paragraph = "<b>標題</b> " + "說明文字。" * 300
    parts = split_html("<blockquote>" + "\n\n".join([paragraph] * 5) + "</blockquote>")
    assert [p.count("<b>標題</b>") for p in parts] == [2, 2, 1]  # whole paragraphs, 1,504 units each
    assert all(p.startswith("<blockquote><b>標題</b>") and p.endswith("說明文字。</blockquote>") for p in parts)


def test_plain_text_splits_on_the_same_rules():
    assert split_plain("a\n\nb") == ["a\n\nb"]
    assert [len(c) for c in split_plain("y" * 10000)] == [4096, 4096, 1808]
    assert split_plain("<b> & </b>") == ["<b> & </b>"]


_TAGS = ["b", "i", "u", "s", "code", "tg-spoiler", 'a href="https://x.test/?a=1&amp;b=2"']
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n 😀&<>\"'"),
    max_size=60,
)


@st.composite
def telegram_html(draw, depth: int = 0) -> str:  # type: ignore[no-untyped-def]
    """Valid Telegram HTML: escaped text, allowed tags nested, paragraphs and lines."""
    pieces = []
    for _ in range(draw(st.integers(1, 3))):
        if depth < 2 and draw(st.booleans()):
            tag = draw(st.sampled_from(_TAGS))
            name = tag.split()[0]
            pieces.append(f"<{tag}>{draw(telegram_html(depth + 1))}</{name}>")
        else:
            pieces.append(esc(draw(_text)))
        pieces.append(draw(st.sampled_from(["", " ", "\n", "\n\n"])))
    return "".join(pieces)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=150, deadline=None)
@given(st.lists(telegram_html(), min_size=1, max_size=8).map("\n\n".join), st.integers(20, 300))
def test_split_parts_are_valid_short_and_lose_only_whitespace(html: str, limit: int):
    parts = split_html(html, limit)
    for part in parts:
        assert utf16_len(visible_text(part)) <= limit
        parse_telegram_html(part)  # never cut inside a tag or an entity; every tag balanced
        assert visible_text(part).strip()  # Telegram refuses an empty message
    assert _squeezed("".join(visible_text(p) for p in parts)) == _squeezed(visible_text(html))
