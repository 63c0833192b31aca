"""The Telegram outbox channel, run with python-telegram-bot's real Bot against the fake API."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlite_utils import Database

from bot.alerts.telegram_html import esc, split_html, split_plain, visible_len, visible_text
from bot.delivery.channels.pacing import Pacer
from bot.logsetup import setup_logging
from state.db import open_db
from state.subscribers import get_subscriber
from tests.fakebotapi import FakeBotAPI, HtmlError, parse_telegram_html
from tests.tg_helpers import NOW, channel_for, deliveries, drain, queue_alert

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    server = await FakeBotAPI().start()
    yield server
    await server.stop()


@pytest.fixture
def db() -> Database:
    return open_db(":memory:")


async def test_alert_goes_out_as_html_with_link_done_and_mute_buttons(fake, db):
    queue_alert(db, "1001")
    ch = channel_for(fake, db)
    stats = await drain(db, ch)
    await ch.close()
    assert stats.sent == 1
    [msg] = fake.messages[1001]
    assert msg["parse_mode"] == "HTML"
    assert msg["visible"] == "CSMS #1 測試 & 通知"
    rows = msg["reply_markup"]["inline_keyboard"]
    assert rows[0][0] == {"text": "原文連結", "url": "https://content.govdelivery.com/x"}
    assert [b["text"] for b in rows[1]] == ["已處理", "靜音此主題"]
    assert rows[1][0]["callback_data"].startswith("done:")
    assert rows[1][1]["callback_data"] == "mute:ieepa_cape"
    [d] = deliveries(db)
    assert d["outcome"] == "sent" and "chat=1001" in d["detail"] and "message_ids=1" in d["detail"]


async def test_retry_after_delays_only_that_chat(fake, db):
    queue_alert(db, "1001")
    queue_alert(db, "1002")
    fake._per_chat[1001].append(fake.clock())  # 1001 just got a message from elsewhere
    ch = channel_for(fake, db)
    stats = await drain(db, ch)
    await ch.close()
    assert stats.sent == 1 and stats.retried == 1
    assert 1001 not in fake.messages and len(fake.messages[1002]) == 1
    row = next(db.query("SELECT * FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id WHERE s.address = '1001'"))
    assert row["status"] == "pending" and "429 retry_after=1s" in row["last_error"]
    assert row["next_attempt_at"] == (NOW + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    assert ch.pacer.chat_wait("1001", fake.clock()) > 0
    assert ch.pacer.chat_wait("1002", fake.clock()) > 0.5


async def test_second_message_to_same_chat_is_paced_not_rejected(fake, db):
    sid = queue_alert(db, "1001", key="alert:a1")
    queue_alert(db, "1001", key="alert:a2", subscriber_id=sid)
    ch = channel_for(fake, db)
    stats = await drain(db, ch)
    assert stats.sent == 1 and stats.deferred == 1
    assert fake.rejections == []
    pending = next(db.query("SELECT * FROM outbox WHERE status = 'pending'"))
    assert pending["attempts"] == 0  # a deferral is not an attempt
    assert len(deliveries(db)) == 1
    ch.pacer._chat_next.clear()  # as if the gap had passed
    fake.private_interval = 0
    stats = await drain(db, ch, NOW + timedelta(seconds=2))
    await ch.close()
    assert stats.sent == 1 and len(fake.messages[1001]) == 2


async def test_blocked_chat_pauses_subscriber_and_is_never_retried(fake, db):
    sid = queue_alert(db, "1001")
    fake.chat(1001, blocked=True)
    ch = channel_for(fake, db)
    stats = await drain(db, ch)
    assert stats.held == 1
    sub = get_subscriber(db, sid)
    assert sub is not None and sub.status == "paused" and "blocked" in (sub.status_reason or "")
    stats = await drain(db, ch, NOW + timedelta(hours=1))
    await ch.close()
    assert stats.sent == stats.held == stats.retried == 0
    assert len([r for r in fake.rejections if r[1] == 1001]) == 1


async def test_migrated_group_gets_new_address_and_message(fake, db):
    sid = queue_alert(db, "-1001")
    fake.chat(-1001, migrate_to=-1009999)
    ch = channel_for(fake, db)
    stats = await drain(db, ch)
    await ch.close()
    assert stats.sent == 1
    assert get_subscriber(db, sid).address == "-1009999"  # type: ignore[union-attr]
    assert len(fake.messages[-1009999]) == 1 and -1001 not in fake.messages
    assert "migrated_from=-1001" in deliveries(db)[0]["detail"]


async def test_unparseable_html_is_resent_once_as_plain_text(fake, db, caplog):
    queue_alert(db, "1001", html=("<b>broken <i>tags</b>",), text="broken tags (plain)")
    ch = channel_for(fake, db)
    with caplog.at_level(logging.WARNING):
        stats = await drain(db, ch)
    await ch.close()
    assert stats.sent == 1
    [msg] = fake.messages[1001]
    assert msg["parse_mode"] is None and msg["text"] == "broken tags (plain)"
    assert msg["reply_markup"]["inline_keyboard"][1][0]["text"] == "已處理"
    assert "plain_fallback" in deliveries(db)[0]["detail"]
    assert any("resending as plain text" in r.getMessage() for r in caplog.records)


async def test_server_error_retries_with_backoff_then_sends(fake, db):
    queue_alert(db, "1001")
    fake.fail_next.append(502)
    ch = channel_for(fake, db)
    stats = await drain(db, ch)
    assert stats.retried == 1
    row = next(db.query("SELECT * FROM outbox"))
    assert row["next_attempt_at"] > (NOW + timedelta(seconds=10)).isoformat()
    stats = await drain(db, ch, NOW + timedelta(hours=2))
    await ch.close()
    assert stats.sent == 1
    assert [d["outcome"] for d in deliveries(db)] == ["retry", "sent"]


async def test_unreachable_server_is_a_retry(db):
    fake = await FakeBotAPI().start()
    await fake.stop()
    queue_alert(db, "1001")
    ch = channel_for(fake, db)
    stats = await drain(db, ch)
    await ch.close()
    assert stats.retried == 1


async def test_long_alert_is_split_and_each_part_sent_once(fake, db):
    para = "<b>段落</b> " + "關" * 1500
    html = ("\n\n".join([para] * 4),)
    queue_alert(db, "1001", html=html, text="x")
    ch = channel_for(fake, db, per_chat_interval=0.1)
    fake.private_interval = 0.1
    stats = await drain(db, ch)
    await ch.close()
    assert stats.sent == 1
    msgs = fake.messages[1001]
    assert len(msgs) == 2 and all(len(m["visible"]) <= 4096 for m in msgs)
    assert msgs[0]["reply_markup"] is None and msgs[1]["reply_markup"] is not None
    assert len(list(db.query("SELECT * FROM telegram_parts"))) == 2


async def test_token_never_reaches_the_log(fake, db):
    stream = io.StringIO()
    handler = setup_logging("DEBUG", [fake.token], stream)
    try:
        queue_alert(db, "1001")
        fake.fail_next.append(500)
        ch = channel_for(fake, db)
        await drain(db, ch)
        await drain(db, ch, NOW + timedelta(hours=1))
        await ch.close()
    finally:
        logging.getLogger().removeHandler(handler)
    out = stream.getvalue()
    assert "retry" in out and fake.token not in out
    assert fake.token.split(":")[1] not in "".join(d["detail"] or "" for d in deliveries(db))


# ---- pure pieces ---------------------------------------------------------------------
def test_pacer_spaces_private_chats_and_groups():
    p = Pacer(per_second=30, private_interval=1.0, group_per_minute=20, margin=1.0)
    p.note_sent("5", 10.0)
    p.note_sent("-5", 10.0)
    assert p.chat_wait("5", 10.5) == pytest.approx(0.5)
    assert p.chat_wait("-5", 10.0) == pytest.approx(3.0)
    assert p.chat_wait("6", 10.0) == 0
    waits = [p.reserve_global(0.0) for _ in range(4)]
    assert waits == pytest.approx([0, 1 / 30, 2 / 30, 3 / 30])
    p.hold("6", 99.0)
    assert p.chat_wait("6", 10.0) == pytest.approx(89.0)


@pytest.mark.parametrize(
    "bad",
    ["<b>x", "<b>x</i>", "<script>x</script>", "a <br/> b", "<a>no href</a>", "&nbsp;", "x < y"],
)
def test_fake_server_rejects_what_telegram_rejects(bad):
    with pytest.raises(HtmlError):
        parse_telegram_html(bad)


def test_fake_server_accepts_escaped_html():
    assert parse_telegram_html('<b>a</b> &lt;&amp;&gt; <a href="https://x">l</a> R&D') == "a <&> l R&D"


def test_split_keeps_paragraphs_and_limits():
    para = "<i>p</i> " + "x" * 1000
    chunks = split_html("\n\n".join([para] * 9))
    assert all(visible_len(c) <= 4096 for c in chunks) and len(chunks) == 3
    for c in chunks:
        parse_telegram_html(c)
    assert split_plain("a\n\nb") == ["a\n\nb"]
    assert all(len(c) <= 4096 for c in split_plain("y" * 10000))


async def test_service_cycle_delivers_rendered_alerts_that_telegram_accepts(fake, db):
    """Sample feeds → match → outbox → Telegram: every rendered alert passes the HTML parser."""
    from pydantic import SecretStr

    from bot.config import Config
    from bot.service import Service
    from state.subscribers import add_subscriber, subscribe
    from tests.conftest import watched_sources

    config = Config(telegram={"enabled": True, "token": SecretStr(fake.token), "base_url": fake.base_url,
                              "base_file_url": fake.base_file_url},
                    console={"enabled": False}, file={"enabled": False},
                    service={"alert_max_age": "36500d"})  # fmt: skip
    sub = add_subscriber(db, name="firm", channel="telegram", address="777", now=NOW)
    subscribe(db, sub.id, "all", "", now=NOW)
    ch = channel_for(fake, db)
    service = Service(config, db, {"telegram": ch}, clock=lambda: NOW)
    watched_sources(db, config)  # the bundled samples arrive as news, not as a new feed's history
    fake.private_interval = 0
    try:
        await service.cycle(NOW, force=True)
        for i in range(200):
            ch.pacer._chat_next.clear()
            stats = await service.drain(NOW + timedelta(minutes=1 + i))
            if not stats.sent and not stats.deferred:
                break
    finally:
        await service.close()
    queued = list(db.query("SELECT status FROM outbox"))
    assert queued and all(r["status"] == "sent" for r in queued)
    assert len(fake.messages[777]) >= len(queued)
    assert all(m["parse_mode"] == "HTML" for m in fake.messages[777])
    assert not any("plain_fallback" in (d["detail"] or "") for d in deliveries(db))


async def test_group_gets_at_most_twenty_a_minute(fake, db):
    sid = queue_alert(db, "-100500", key="alert:g0")
    for i in range(1, 3):
        queue_alert(db, "-100500", key=f"alert:g{i}", subscriber_id=sid)
    ch = channel_for(fake, db)
    stats = await drain(db, ch)
    await ch.close()
    assert stats.sent == 1 and stats.deferred == 2 and fake.rejections == []
    wait = ch.pacer.chat_wait("-100500", fake.clock())
    assert 2.5 < wait <= 60 / 20 * 1.03


async def test_fake_server_enforces_global_rate_and_length(fake):
    import aiohttp

    url = f"{fake.base_url}{fake.token}/sendMessage"
    async with aiohttp.ClientSession() as http:
        codes = []
        for i in range(31):
            async with http.post(url, data={"chat_id": str(2000 + i), "text": "x"}) as r:
                codes.append(r.status)
        assert codes[:30] == [200] * 30 and codes[30] == 429
        fake.global_per_second = 10_000
        async with http.post(url, data={"chat_id": "3000", "text": "關" * 4097}) as r:
            body = await r.json()
        assert r.status == 400 and body["description"] == "Bad Request: message is too long"
        async with http.post(url, data={"chat_id": "2000", "text": "again"}) as r:
            body = await r.json()
        assert r.status == 429 and body["parameters"]["retry_after"] >= 1
        async with http.post(f"{fake.base_url}wrong/getMe") as r:
            assert r.status == 401


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_para = st.builds(
    lambda tag, text: f"<{tag}>{esc(text)}</{tag}>" if tag else esc(text),
    st.sampled_from(["", "b", "i", "code"]),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n"),
        min_size=1,
        max_size=120,
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_para, min_size=1, max_size=4).map("\n".join), min_size=1, max_size=8))
def test_split_html_chunks_are_valid_and_short(paragraphs):
    html = "\n\n".join(paragraphs)
    chunks = split_html(html, limit=100)
    for chunk in chunks:
        assert visible_len(chunk) <= 100
        parse_telegram_html(chunk)
    squeezed = "".join(visible_text(c) for c in chunks).split()
    assert "".join(squeezed) == "".join(visible_text(html).split())  # only whitespace is dropped
