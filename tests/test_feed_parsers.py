"""Source parsers on the bundled samples and on hostile input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import SAMPLES_DIR
from feeds.csms import (
    csms_bulletin_url,
    parse_csms_rss,
    parse_csms_subject,
    parse_csms_widget,
    parse_widget_date,
)
from feeds.fedreg import parse_federal_register
from feeds.parsing import ParseError
from feeds.rss import parse_rss
from feeds.text import html_to_text

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
EDT = timezone(timedelta(hours=-4))


@pytest.mark.parametrize(
    ("subject", "number", "title", "prefix"),
    [
        ("CSMS # 68315804 - Title here", "68315804", "Title here", None),
        ("CSMS #42072893 - Title here", "42072893", "Title here", None),
        ("CSMS# 12-000291 - Legacy title", "12-000291", "Legacy title", None),
        ("CSMS # 61889977 -Revised guidance", "61889977", "Revised guidance", None),
        ("CSMS # 61889977 – En dash title", "61889977", "En dash title", None),
        ("GUIDANCE: CSMS # 68315804 - CAPE", "68315804", "CAPE", "GUIDANCE"),
        ("UPDATED GUIDANCE – CSMS # 68315804 - CAPE", "68315804", "CAPE", "UPDATED GUIDANCE"),
        ("UPDATE: CSMS # 68340863 - ACE Portal", "68340863", "ACE Portal", "UPDATE"),
        ("RESOLVED: CSMS # 68340863 - ACE outage", "68340863", "ACE outage", "RESOLVED"),
        ("Reminder: CSMS # 68340863 - ACH", "68340863", "ACH", "REMINDER"),
    ],
)
def test_csms_subject_variants(subject, number, title, prefix):
    parsed = parse_csms_subject(subject)
    assert parsed is not None
    assert parsed.number == number
    assert parsed.title == title
    assert parsed.prefix == prefix


@pytest.mark.parametrize("subject", ["Trade Outreach Webinars", "", "CSMS", "CSMS # - no number"])
def test_non_csms_subjects_are_rejected(subject):
    assert parse_csms_subject(subject) is None


def test_bulletin_url_is_lowercase_hex_and_none_for_legacy():
    assert csms_bulletin_url("68396594") == "https://content.govdelivery.com/accounts/USDHSCBP/bulletins/413a632"
    assert csms_bulletin_url("12-000291") is None


def test_csms_rss_sample_keeps_only_csms_items_with_clean_bodies():
    result = parse_csms_rss((SAMPLES_DIR / "csms_rss.xml").read_bytes(), "rss", now=NOW)
    keys = [a.key for a in result.items]
    assert "csms:68396594" in keys and result.skipped >= 1
    cape = next(a for a in result.items if a.key == "csms:68396594")
    assert cape.url.endswith("/bulletins/413a632")
    assert cape.published == datetime(2026, 4, 20, 7, 18, tzinfo=EDT)
    assert "<" not in cape.body and "alert(" not in cape.body  # script dropped, tags stripped
    assert "April 21 at 1:00 p.m. ET" in cape.body
    assert "\n\n" in cape.body  # paragraphs kept


def test_widget_jsonp_sample_and_date_format():
    result = parse_csms_widget((SAMPLES_DIR / "csms_widget.js").read_bytes(), "w", now=NOW)
    keys = {a.key for a in result.items}
    assert "csms:68396594" in keys
    assert all(k.startswith("csms:") for k in keys)
    assert parse_widget_date("04/20/2026 07:18 AM EDT") == datetime(2026, 4, 20, 7, 18, tzinfo=EDT)
    assert parse_widget_date("01/05/2026 05:26 PM EST").utcoffset() == timedelta(hours=-5)


def test_federal_register_sample():
    result = parse_federal_register((SAMPLES_DIR / "federal_register.json").read_bytes(), "fr", now=NOW)
    doc = next(a for a in result.items if a.key == "fr:2026-07412")
    assert doc.url.startswith("https://www.federalregister.gov/")
    assert "Effective" in doc.body


def test_chinese_rss_sample_keeps_language_and_text():
    result = parse_rss((SAMPLES_DIR / "customs_tw.xml").read_bytes(), "tw", now=NOW, language="zh-TW")
    assert result.items and all(a.language == "zh-TW" for a in result.items)
    assert any("關務署" in a.body or "關務署" in a.title for a in result.items)


@pytest.mark.parametrize(
    "body",
    [b"", b"not xml at all", b"\x00\xff\xfe binary", b"<rss><channel><item><title>CSMS # 1 - cut"],
)
def test_unreadable_rss_raises_parse_error(body):
    with pytest.raises(ParseError):
        parse_csms_rss(body, "rss", now=NOW)


@pytest.mark.parametrize(
    "body",
    [b"", b"GDWidgets[0].update(", b"GDWidgets[0].update({not json})", b"[1,2,3]", b"\xff\xfe"],
)
def test_unreadable_widget_raises_parse_error(body):
    with pytest.raises(ParseError):
        parse_csms_widget(body, "w", now=NOW)


@pytest.mark.parametrize("body", [b"", b"{", b"[]", json.dumps({"results": "x"}).encode()])
def test_unreadable_federal_register_raises_parse_error(body):
    with pytest.raises(ParseError):
        parse_federal_register(body, "fr", now=NOW)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_subject_parser_never_raises(text):
    parsed = parse_csms_subject(text)
    assert parsed is None or parsed.number


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_html_to_text_never_raises_and_drops_script_content(text):
    assert isinstance(html_to_text(text), str)
    if "<" not in text and "&" not in text:  # text that cannot open or fake a tag
        out = html_to_text(f"<p>{text}</p><script>evil()</script>")
        assert "evil()" not in out


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_feed_parsers_raise_only_parse_error(body):
    for parse in (parse_csms_rss, parse_csms_widget, parse_federal_register):
        try:
            parse(body, "x", now=NOW)
        except ParseError:
            pass


def test_prefix_class_inside_title_is_recognised():
    parsed = parse_csms_subject("CSMS # 68315804 - GUIDANCE: CAPE Phase 1 Deployment")
    assert parsed is not None and parsed.prefix == "GUIDANCE"
    assert parsed.title == "GUIDANCE: CAPE Phase 1 Deployment"


def test_link_targets_stay_beside_their_text_so_events_get_their_registration_link():
    from bot.understand.understanding import understand

    result = parse_csms_rss((SAMPLES_DIR / "csms_rss.xml").read_bytes(), "rss", now=NOW)
    cape = next(a for a in result.items if a.key == "csms:68396594")
    assert "Register here (https://teams.microsoft.com/l/meetup-join/cape-webinar-0421)" in cape.body
    u = understand(cape, now=NOW)
    assert "（報名 https://teams.microsoft.com/l/meetup-join/cape-webinar-0421）" in u.summary_zh
    events = [e.to_json() for e in u.facts.events if e.kind == "webinar"]
    assert [e.get("url") for e in events] == [
        "https://teams.microsoft.com/l/meetup-join/cape-webinar-0421",
        "https://teams.microsoft.com/l/meetup-join/cape-webinar-0428",
    ]
    assert html_to_text('<a href="javascript:alert(1)">x</a>') == "x"
