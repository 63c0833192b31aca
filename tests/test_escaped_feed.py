"""Literal text in angle brackets inside an escaped feed is kept: GovDelivery's RSS escapes
each item's HTML once, so a title's "Section 232 <Steel> & Aluminum" arrives as
``&lt;Steel&gt; &amp;`` and the body's as ``&amp;lt;Steel&amp;gt;``. Only HTML element names
are markup; ``<Steel>`` is text, through the real parser, the understanding and explain."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.understand.understanding import understand
from feeds.csms import parse_csms_rss
from feeds.text import html_to_text, looks_like_html

ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>U.S. Customs and Border Protection</title>
<link>https://content.govdelivery.com/accounts/USDHSCBP/bulletins</link><description>Bulletins</description>
<item>
<title>CSMS # 65236374 - GUIDANCE: Section 232 &lt;Steel&gt; &amp; Aluminum Derivatives Inclusions</title>
<link>https://content.govdelivery.com/accounts/USDHSCBP/bulletins/3e37e56</link>
<guid isPermaLink="false">USDHSCBP_3e37e56</guid>
<pubDate>Wed, 04 Jun 2025 14:02:00 -0400</pubDate>
<description>&lt;p&gt;Section 232 &amp;lt;Steel&amp;gt; &amp;amp; Aluminum: this message updates CSMS # 64384496. Goods of
heading &lt;b&gt;7208.10.15&lt;/b&gt; entered on or after June 4, 2025 at 12:01 a.m. ET are covered.&lt;/p&gt;</description>
</item></channel></rss>"""
NOW = datetime(2025, 6, 5, tzinfo=UTC)


def test_the_feed_parser_keeps_literal_angle_brackets_in_title_and_body() -> None:
    (ann,) = parse_csms_rss(ITEM.encode(), "cbp_csms", now=NOW).items
    assert "Section 232 <Steel> & Aluminum" in ann.title
    assert "Section 232 <Steel> & Aluminum: this message updates CSMS # 64384496." in ann.body
    u = understand(ann, now=NOW)
    assert "<Steel>" in u.facts.title and "7208.10.15" in u.facts.hts
    assert list(u.facts.related_csms) == ["64384496"]
    assert [e.start_iso for e in u.facts.events] == ["2025-06-04T00:01:00-04:00"]


def test_explain_of_the_feed_keeps_the_literal_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "csms.xml"
    feed.write_text(ITEM, encoding="utf-8")
    assert main(["explain", str(feed)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["title"].startswith("GUIDANCE: Section 232 <Steel> & Aluminum")
    assert "<Steel>" in out["summary_zh"]
    assert out["csms_number"] == "65236374" and out["related_csms"] == ["64384496"]


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Section 232 &lt;Steel&gt; &amp; Aluminum</p>", "Section 232 <Steel> & Aluminum"),
        ("Section 232 <Steel> & Aluminum <b>bold</b>", "Section 232 <Steel> & Aluminum bold"),
        ("a <Company Name> b </Company> c", "a <Company Name> b </Company> c"),
        ("<p>x<o:p></o:p></p><font color=red>y</font><my-widget>z</my-widget>", "x\n\nyz"),
    ],
)
def test_only_html_elements_are_markup(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_literal_brackets_alone_do_not_make_text_look_like_html() -> None:
    assert not looks_like_html("Section 232 <Steel> & Aluminum")
    assert looks_like_html("<p>Section 232</p>")
