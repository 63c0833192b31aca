"""Links from feeds reach e-mail, Telegram and calendars only as http(s)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.alerts.digest import render_digest
from bot.alerts.render import render_alert
from bot.associations.forwarding import explanation
from bot.config import HttpConfig
from bot.delivery.channels.email import build_message
from bot.understand.understanding import understand
from bot.web.app import build_ics
from feeds.links import safe_link
from feeds.rss import parse_rss
from state import announcements
from state.alerts import record_alert
from state.db import open_db
from state.outbox import OutboxMessage
from state.subscribers import add_subscriber

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
BAD_LINKS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "http://",
    "https:///nohost",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", BAD_LINKS)
def test_anything_but_an_absolute_http_link_is_refused(url: str) -> None:
    assert safe_link(url) == ""


@pytest.mark.parametrize(
    "url",
    ["https://www.cbp.gov/trade", "HTTP://Example.org/a?b=c&d=e#f", "https://web.customs.gov.tw/公告/1"],
)
def test_http_links_pass_unchanged(url: str) -> None:
    assert safe_link(url) == url


def _feed(link: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title>
<item><title>關務署公告 CAPE webinar April 21, 2026 1:00 PM ET</title><link>{link}</link>
<guid isPermaLink="false">x-1</guid><pubDate>Mon, 20 Apr 2026 08:00:00 GMT</pubDate>
<description>Join the webinar on April 21, 2026 at 1:00 PM ET.</description></item>
</channel></rss>""".encode()


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,&lt;b&gt;x"])
def test_a_feeds_script_link_reaches_no_href_in_mail_telegram_ics_or_digest(tmp_path, link: str) -> None:
    parsed = parse_rss(_feed(link), "tw", now=NOW)
    (ann,) = parsed.items
    assert ann.url.lower().startswith(("javascript", "data"))  # the feed really carried it
    u = understand(ann, now=NOW)

    rendered = render_alert(ann, u, ["all"])
    assert "javascript" not in "".join(rendered.html).lower()
    assert "data:" not in "".join(rendered.html).lower()

    msg = OutboxMessage(
        id=1, subscriber_id=1, message_key="alert:x", kind="alert", channel="email", address="a@firm.tw",
        language="zh-TW", subject=ann.title, text=rendered.text, html=rendered.html,
        payload={"url": ann.url}, attempts=1, token="tok",
    )  # fmt: skip
    mail = build_message(msg, sender="t <a@t.test>", http=HttpConfig(), now=NOW)
    html_part = mail.get_body(("html",))
    plain_part = mail.get_body(("plain",))
    assert html_part is not None and plain_part is not None
    for part in (html_part.get_content(), plain_part.get_content()):
        assert "javascript" not in part.lower() and "data:text" not in part.lower()
    assert "/unsubscribe/tok" in html_part.get_content()  # our own links still there

    db = open_db(tmp_path / "l.db")
    sub = add_subscriber(db, name="f", channel="file", address="f", now=NOW)
    with db.atomic():
        announcements.store_new(db, [ann], now=NOW, alertable_after=NOW - timedelta(days=1))
        announcements.mark_matched(db, ann.key, now=NOW, topics=[], facts=u.facts, summary_zh="")
        record_alert(db, sub.id, ann.key, ["all"], now=NOW)
    ics = build_ics(db, sub, NOW).decode()
    assert "BEGIN:VEVENT" in ics
    assert "javascript" not in ics.lower() and "data:text" not in ics.lower()

    rows = [{"title": ann.title, "url": ann.url, "published": NOW.isoformat(), "topics": "[]", "summary_zh": ""}]
    digest = render_digest(sub, NOW, rows, [])
    for body in digest.values():
        assert "javascript" not in body.lower() and "data:text" not in body.lower()

    assert "javascript" not in explanation(announcements.get(db, ann.key), "摘要").lower()  # type: ignore[arg-type]
