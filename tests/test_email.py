"""E-mail over a real SMTP server (aiosmtpd on 127.0.0.1): alerts, digests, failures."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

import aiohttp
import pytest

from bot.config import HttpConfig
from bot.delivery.channels.email import build_message
from bot.service import Service
from bot.web.app import make_app, start_server
from state import outbox
from state.db import open_db
from state.outbox import OutboxMessage
from state.subscribers import add_subscriber, get_subscriber, subscribe, update_subscriber
from tests.conftest import NOW, server_config, watched_sources
from tests.smtpserver import SmtpServer, free_port, mail_config_toml


def _config(tmp_path, feed_server, smtp: SmtpServer, http_port: int = 8080, password: bool = False):
    extra = mail_config_toml(smtp.port, http_port=http_port, username="bot" if password else "")
    return server_config(tmp_path, feed_server, {"csms": ("csms_rss", "/csms.xml")}, extra=extra)


def _service(config, db, clock=lambda: NOW):
    from bot.delivery.channels import build_channels

    return Service(config, db, build_channels(config), clock=clock, rng=random.Random(3))


def _email_subscriber(db, address: str, *subscriptions: tuple[str, str], name: str = "x"):
    sub = add_subscriber(db, name=name, channel="email", address=address, now=NOW)
    for kind, value in subscriptions:
        subscribe(db, sub.id, kind, value, now=NOW)
    return sub


async def _one_cycle(config, db) -> None:
    """A fresh service polls, matches and delivers once, then closes."""
    svc = _service(config, db)
    try:
        await svc.cycle(NOW, force=True)
    finally:
        await svc.close()


def _subject(msg) -> str:
    return str(make_header(decode_header(msg["Subject"])))


async def test_alert_email_is_multipart_with_chinese_subject_and_one_click_unsubscribe(tmp_path, feed_server):
    http_port = free_port()
    with SmtpServer() as smtp:
        config = _config(tmp_path, feed_server, smtp, http_port)
        db = open_db(config.service.database)
        watched_sources(db, config)  # the samples' items arrive as news
        sub = _email_subscriber(db, "ops@firm.tw", ("keyword", "CAPE"), name="台灣精密")
        await _one_cycle(config, db)
        got = smtp.box.to("ops@firm.tw")
    assert got, "no mail arrived"
    cape = next(m for m in got if "68396594" in m.get_body(("plain",)).get_content())
    assert _subject(cape).startswith("【關務快訊】")
    assert "Consolidated Administration and Processing of Entries" in _subject(cape)
    assert cape.get_content_type() == "multipart/alternative"
    plain = cape.get_body(("plain",)).get_content()
    htmlpart = cape.get_body(("html",)).get_content()
    assert "https://content.govdelivery.com/accounts/USDHSCBP/bulletins/413a632" in plain
    assert 'href="https://content.govdelivery.com/accounts/USDHSCBP/bulletins/413a632"' in htmlpart
    assert "<script" not in htmlpart
    assert cape["Message-ID"] and cape["Date"]
    assert cape["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsub = cape["List-Unsubscribe"].strip("<>")
    token = get_subscriber(db, sub.id).action_token  # the action secret, not the calendar's
    assert token and token != get_subscriber(db, sub.id).token
    assert unsub == f"http://127.0.0.1:{http_port}/unsubscribe/{token}" and len(token) >= 40

    # The one-click POST (RFC 8058), as a mail client sends it, unsubscribes.
    runner = await start_server(make_app(db, clock=lambda: NOW), f"127.0.0.1:{http_port}")
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(unsub) as page:
                assert page.status == 200 and "取消訂閱" in await page.text()
            assert get_subscriber(db, sub.id).status == "active"  # GET alone changes nothing
            async with http.post(unsub, data={"List-Unsubscribe": "One-Click"}) as done:
                assert done.status == 200
            async with http.post(unsub.replace(token, token[:-2] + "xx")) as forged:
                assert forged.status == 404
    finally:
        await runner.cleanup()
    assert get_subscriber(db, sub.id).status == "unsubscribed"


def _msg(**kw) -> OutboxMessage:
    base = dict(
        id=1, subscriber_id=1, message_key="alert:x", kind="alert", channel="email", address="a@b.tw",
        language="zh-TW", subject="標題", text="內文", html=(), payload={}, attempts=1, token="tok",
    )  # fmt: skip
    base.update(kw)
    return OutboxMessage(**base)


def test_header_injection_in_subject_is_neutralised():
    m = build_message(
        _msg(subject="Hello\r\nBcc: victim@evil.test\r\n\r\nbody"),
        sender="x <alerts@t.test>",
        http=HttpConfig(),
        now=NOW,
    )
    raw = m.as_string()
    assert "\nBcc:" not in raw and m["Bcc"] is None
    assert "victim@evil.test" in _subject(m)  # kept as harmless text on one line


def test_an_english_reader_gets_an_english_subject_and_footer():
    import re

    msg = _msg(language="en", subject="AVAILABLE NOW – CAPE for IEEPA Refunds", text="[Trade alert] CSMS #68396594",
               payload={"url": "https://content.govdelivery.com/x"})  # fmt: skip
    m = build_message(msg, sender="x <alerts@t.test>", http=HttpConfig(), now=NOW)
    assert _subject(m) == "[Trade alert] AVAILABLE NOW – CAPE for IEEPA Refunds"
    plain = m.get_body(("plain",)).get_content()
    html = m.get_body(("html",)).get_content()
    cjk = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    assert not cjk.search(plain) and not cjk.search(html), (plain, html)
    assert "Unsubscribe: http" in plain and "Original: https://content.govdelivery.com/x" in plain
    zh = build_message(_msg(), sender="x <alerts@t.test>", http=HttpConfig(), now=NOW)
    assert _subject(zh).startswith("【關務快訊】") and "取消訂閱：" in zh.get_body(("plain",)).get_content()


async def test_permanent_refusal_pauses_the_address_temporary_retries(tmp_path, feed_server):
    with SmtpServer() as smtp:
        smtp.box.refuse_permanent.add("gone@firm.tw")
        smtp.box.refuse_temporary.add("busy@firm.tw")
        config = _config(tmp_path, feed_server, smtp)
        db = open_db(config.service.database)
        watched_sources(db, config)  # the samples' items arrive as news
        gone = add_subscriber(db, name="g", channel="email", address="gone@firm.tw", now=NOW)
        busy = add_subscriber(db, name="b", channel="email", address="busy@firm.tw", now=NOW)
        for s in (gone, busy):
            subscribe(db, s.id, "keyword", "68396594", now=NOW)
        svc = _service(config, db)
        await svc.cycle(NOW, force=True)
        # Later sweeps: the paused address is never tried again; the busy one is retried.
        for minutes in (10, 60, 180):
            await svc.drain(NOW + timedelta(minutes=minutes))
        await svc.close()
    assert get_subscriber(db, gone.id).status == "paused"
    gone_attempts = db.execute(
        "SELECT count(*) FROM deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE o.subscriber_id = ?", [gone.id]
    ).fetchone()[0]
    assert gone_attempts == 1
    busy_rows = outbox.messages_for(db, busy.id)
    assert busy_rows[0]["status"] == "pending" and busy_rows[0]["attempts"] >= 2
    assert "451" in busy_rows[0]["last_error"]
    assert get_subscriber(db, busy.id).status == "active"


async def test_smtp_server_down_keeps_the_message_queued(tmp_path, feed_server):
    class Down:
        port = free_port()  # nothing listens here

    config = _config(tmp_path, feed_server, Down)  # type: ignore[arg-type]
    db = open_db(config.service.database)
    watched_sources(db, config)  # the samples' items arrive as news
    s = _email_subscriber(db, "x@firm.tw", ("all", ""))
    await _one_cycle(config, db)
    rows = outbox.messages_for(db, s.id)
    assert rows and all(r["status"] == "pending" for r in rows)
    assert all("SMTP unavailable" in r["last_error"] for r in rows)


async def test_login_uses_the_secret_and_never_logs_it(tmp_path, feed_server, caplog, monkeypatch):
    monkeypatch.setenv("TRADEALERT_SMTP_PASSWORD", "s3cret-smtp-pw")
    with SmtpServer(password="s3cret-smtp-pw") as smtp:
        config = _config(tmp_path, feed_server, smtp, password=True)
        db = open_db(config.service.database)
        watched_sources(db, config)  # the samples' items arrive as news
        _email_subscriber(db, "x@firm.tw", ("keyword", "68396594"))
        await _one_cycle(config, db)
        assert smtp.box.logins == ["bot"] and smtp.box.to("x@firm.tw")
    assert "s3cret-smtp-pw" not in caplog.text


async def test_daily_digest_groups_by_topic_once_and_urgent_goes_at_once(tmp_path, feed_server):
    with SmtpServer() as smtp:
        config = _config(tmp_path, feed_server, smtp)
        db = open_db(config.service.database)
        watched_sources(db, config)  # the samples' items arrive as news
        s = add_subscriber(db, name="報關行", channel="email", address="d@firm.tw", now=NOW)
        subscribe(db, s.id, "all", "", now=NOW)
        subscribe(db, s.id, "urgent", "ieepa_cape", now=NOW)
        update_subscriber(db, s.id, digest="daily", digest_time="08:00")
        svc = _service(config, db)
        # NOW = 20:00 Taipei: alerts are held for tomorrow 08:00, except the urgent CAPE topic.
        first = await svc.cycle(NOW, force=True)
        immediate = list(smtp.box.to("d@firm.tw"))
        held = db.execute("SELECT count(*) FROM alerts WHERE delivery = 'digest'").fetchone()[0]
        urgent = db.execute(
            "SELECT count(*) FROM alerts a JOIN announcements n ON n.key = a.announcement_key"
            " WHERE n.topics LIKE '%ieepa_cape%'"
        ).fetchone()[0]
        assert held > 0 and urgent > 0 and first["digest"] == 0
        assert len(immediate) == urgent
        assert all(_subject(m).startswith("【關務快訊】") for m in immediate)
        assert len(immediate) == db.execute("SELECT count(*) FROM alerts WHERE delivery = 'immediate'").fetchone()[0]

        morning = datetime(2026, 4, 21, 0, 5, tzinfo=UTC)  # 08:05 Taipei
        await svc.cycle(morning)
        await svc.cycle(morning + timedelta(minutes=30))  # rerun: nothing more
        await svc.cycle(morning + timedelta(hours=3))
        await svc.close()
        digests = [m for m in smtp.box.to("d@firm.tw") if "每日摘要" in _subject(m)]
    assert len(digests) == 1
    body = digests[0].get_body(("html",)).get_content()
    assert body.count("<li>") == held
    assert "<h3>" in body
    assert db.execute("SELECT count(*) FROM alerts WHERE delivery = 'digest' AND digested_at IS NULL").fetchone()[0] == 0


async def test_after_downtime_only_the_latest_digest_goes_out(tmp_path, feed_server):
    with SmtpServer() as smtp:
        config = _config(tmp_path, feed_server, smtp)
        db = open_db(config.service.database)
        watched_sources(db, config)  # the samples' items arrive as news
        s = add_subscriber(db, name="x", channel="email", address="w@firm.tw", now=NOW)
        subscribe(db, s.id, "all", "", now=NOW)
        update_subscriber(db, s.id, digest="daily", digest_time="08:00")
        svc = _service(config, db)
        await svc.cycle(NOW, force=True)
        await svc.cycle(NOW + timedelta(days=5))  # the service was down for five days
        await svc.close()
        digests = [m for m in smtp.box.to("w@firm.tw") if "摘要" in _subject(m)]
    assert len(digests) == 1
    assert "2026-04-25" in _subject(digests[0])


async def test_channel_builds_stable_message_id_for_a_resend():
    ch_msg = _msg(id=42, message_key="alert:csms:1")
    a = build_message(ch_msg, sender="a <alerts@t.test>", http=HttpConfig(), now=NOW)
    b = build_message(ch_msg, sender="a <alerts@t.test>", http=HttpConfig(), now=NOW + timedelta(hours=1))
    assert a["Message-ID"] == b["Message-ID"]
    other = build_message(_msg(id=43, message_key="alert:csms:2"), sender="a <alerts@t.test>", http=HttpConfig(), now=NOW)
    assert other["Message-ID"] != a["Message-ID"]


async def test_digest_carries_deadline_table_overdue_first(tmp_path, feed_server):
    from datetime import date

    from bot.config import RemindersConfig
    from bot.deadlines.tracker import Rules, track_custom

    with SmtpServer() as smtp:
        config = _config(tmp_path, feed_server, smtp)
        db = open_db(config.service.database)
        watched_sources(db, config)  # the samples' items arrive as news
        s = add_subscriber(db, name="x", channel="email", address="t@firm.tw", now=NOW - timedelta(days=60))
        update_subscriber(db, s.id, digest="daily", digest_time="08:00")
        rules = Rules(RemindersConfig())
        then = NOW - timedelta(days=30)
        for title, due in (("AEO 重新認證", date(2026, 5, 6)), ("C-TPAT 年度審查", date(2026, 4, 18)),
                           ("遠期事項", date(2026, 12, 31))):  # fmt: skip
            track_custom(db, s.id, title=title, due=due, due_time=None, rules=rules, now=then)
        svc = _service(config, db)
        morning = datetime(2026, 4, 21, 0, 5, tzinfo=UTC)  # 08:05 Taipei
        await svc.cycle(morning)
        await svc.close()
        digests = [m for m in smtp.box.to("t@firm.tw") if "每日摘要" in _subject(m)]
    assert len(digests) == 1
    html = digests[0].get_body(("html",)).get_content()
    assert html.index("C-TPAT 年度審查") < html.index("AEO 重新認證")  # overdue first
    assert "已逾期 3 天" in html and "遠期事項" not in html  # beyond 30 days: not in the table


@pytest.mark.parametrize(("server_tls", "security"), [("starttls", "starttls"), ("implicit", "tls")])
async def test_starttls_and_implicit_tls_verify_the_server(tmp_path, feed_server, server_tls, security):
    from tests.smtpserver import TEST_CA

    with SmtpServer(tls=server_tls) as smtp:
        extra = mail_config_toml(smtp.port, security=security, ca_file=str(TEST_CA))
        config = server_config(tmp_path, feed_server, {"csms": ("csms_rss", "/csms.xml")}, extra=extra)
        db = open_db(config.service.database)
        watched_sources(db, config)  # the samples' items arrive as news
        s = _email_subscriber(db, "tls@firm.tw", ("keyword", "68396594"))
        await _one_cycle(config, db)
        assert len(smtp.box.to("tls@firm.tw")) == 1

    # The same server without trusting its certificate: refused, kept queued, not sent in clear.
    (tmp_path / "b").mkdir()
    with SmtpServer(tls=server_tls) as smtp:
        extra = mail_config_toml(smtp.port, security=security)
        config = server_config(tmp_path / "b", feed_server, {"csms": ("csms_rss", "/csms.xml")}, extra=extra)
        db = open_db(config.service.database)
        watched_sources(db, config)  # the samples' items arrive as news
        s = _email_subscriber(db, "tls@firm.tw", ("keyword", "68396594"))
        await _one_cycle(config, db)
        assert smtp.box.messages == []
        assert [r["status"] for r in outbox.messages_for(db, s.id)] == ["pending"]
