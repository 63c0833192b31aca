"""LINE webhook: signature first, follow/unfollow, text commands, binding codes; and alerts,
reminders and association forwards all reaching LINE users through the real service."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import random
from datetime import date, datetime, timedelta

import aiohttp
import pytest

from bot.associations import forwarding as assoc
from bot.cli.main import main
from bot.config import load_config
from bot.deadlines.tracker import Rules, track_custom
from bot.delivery.channels import build_channels
from bot.service import Service
from bot.web.app import make_app, start_server
from state import associations as store
from state.db import open_db
from state.subscribers import (
    add_subscriber,
    find_by_address,
    get_subscriber,
    subscribe,
    subscriptions_of,
)
from tests.conftest import NOW, server_config, watched_sources, write_config
from tests.fakeline import FakeLine, user_id
from tests.smtpserver import free_port
from tests.test_line_channel import line_toml

SECRET = "line-channel-secret-test"


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


_event_ids = itertools.count(1)


def event(kind: str, user: str, text: str | None = None, n: int = 0) -> dict:
    """One event as LINE sends it; each with its own webhookEventId, as LINE's are."""
    e = {
        "type": kind, "mode": "active", "timestamp": 1776686400000, "webhookEventId": f"01J{next(_event_ids):023d}",
        "deliveryContext": {"isRedelivery": False}, "source": {"type": "user", "userId": user},
    }  # fmt: skip
    if kind != "unfollow":
        e["replyToken"] = f"reply-{kind}-{n}"
    if kind == "follow":
        e["follow"] = {"isUnblocked": False}
    if text is not None:
        e["message"] = {"type": "text", "id": str(1000 + n), "text": text, "quoteToken": "q"}
    return e


class Hook:
    def __init__(self, url: str) -> None:
        self.url = url
        self.n = 0

    async def post(self, *events: dict, signature: str | None = None, raw: bytes | None = None) -> int:
        body = raw if raw is not None else json.dumps({"destination": "Ubot", "events": list(events)}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "X-Line-Signature": signature if signature is not None else sign(body)}
        async with aiohttp.ClientSession() as http, http.post(self.url, data=body, headers=headers) as resp:
            return resp.status

    async def say(self, user: str, text: str) -> int:
        self.n += 1
        return await self.post(event("message", user, text, self.n))


@pytest.fixture
async def line_env(tmp_path):
    fake = await FakeLine().start()
    port = free_port()
    path = write_config(
        tmp_path,
        f'[service]\ndatabase = "{tmp_path / "l.db"}"\n[http]\nlisten = "127.0.0.1:{port}"\n'
        f'public_url = "http://127.0.0.1:{port}"\n' + line_toml(fake),
    )
    config = load_config(path)
    db = open_db(config.service.database)
    watched_sources(db, config)  # the samples' items arrive as news
    runner = await start_server(make_app(db, clock=lambda: NOW, config=config), f"127.0.0.1:{port}")
    yield fake, db, Hook(f"http://127.0.0.1:{port}/line/webhook"), path
    await runner.cleanup()
    await fake.stop()


async def test_bad_signature_is_refused_before_anything_is_stored(line_env):
    fake, db, hook, _ = line_env
    body = json.dumps({"events": [event("follow", user_id(1))]}).encode()
    assert await hook.post(raw=body, signature=sign(body, "wrong-secret")) == 401
    assert await hook.post(raw=body, signature="") == 401
    assert await hook.post(raw=b"not json at all", signature=sign(b"not json at all", "x")) == 401
    assert find_by_address(db, "line", user_id(1)) is None and fake.replies == []
    assert await hook.post(raw=b"{oops", signature=sign(b"{oops")) == 400  # signed but malformed


async def test_follow_commands_unfollow_and_back(line_env):
    fake, db, hook, _ = line_env
    u = user_id(2)
    assert await hook.post(event("follow", u)) == 200
    sub = find_by_address(db, "line", u)
    assert sub is not None and sub.status == "active"
    assert "歡迎" in fake.reply_texts()[-1]

    assert await hook.say(u, "主題") == 200
    assert "ieepa_cape" in fake.reply_texts()[-1] and "尚未訂閱" in fake.reply_texts()[-1]
    await hook.say(u, "主題 ieepa_cape")
    assert fake.reply_texts()[-1].startswith("已加入")
    assert [(s.kind, s.value) for s in subscriptions_of(db, sub.id)] == [("topic", "ieepa_cape")]
    await hook.say(u, "主題 ieepa_cape")
    assert fake.reply_texts()[-1].startswith("已取消") and subscriptions_of(db, sub.id) == []
    await hook.say(u, "主題 不存在的主題")
    assert "沒有" in fake.reply_texts()[-1]

    await hook.say(u, "期限")
    assert "未來 30 天沒有期限" in fake.reply_texts()[-1] and "/calendar/" in fake.reply_texts()[-1]

    await hook.say(u, "停止")
    assert get_subscriber(db, sub.id).status == "unsubscribed"  # type: ignore[union-attr]
    await hook.say(u, "開始")
    assert get_subscriber(db, sub.id).status == "active"  # type: ignore[union-attr]

    assert await hook.post(event("unfollow", u)) == 200
    assert get_subscriber(db, sub.id).status == "paused"  # type: ignore[union-attr]
    await hook.post(event("follow", u, n=99))
    assert get_subscriber(db, sub.id).status == "active"  # type: ignore[union-attr]
    assert "歡迎回來" in fake.reply_texts()[-1]
    assert all(r["replyToken"].startswith("reply-") for r in fake.replies)


async def test_binding_code_links_a_line_user_to_an_existing_firm_once(line_env, capsys):
    fake, db, hook, path = line_env
    firm = add_subscriber(db, name="永信報關行", channel="email", address="ops@yongxin.tw", now=NOW)
    subscribe(db, firm.id, "topic", "ieepa_cape", now=NOW)
    import asyncio

    assert await asyncio.to_thread(main, ["--config", str(path), "subscriber", "link-code", str(firm.id)]) == 0
    code = capsys.readouterr().out.split()[0]
    u = user_id(3)
    await hook.post(event("follow", u))  # the follow made a subscriber of its own
    provisional = find_by_address(db, "line", u)
    assert provisional is not None and provisional.id != firm.id
    await hook.say(u, code.lower().replace("-", " "))  # typed loosely
    assert "永信報關行" in fake.reply_texts()[-1]
    linked = get_subscriber(db, firm.id)
    assert linked is not None and (linked.channel, linked.address) == ("line", u)
    assert get_subscriber(db, provisional.id) is None  # merged away
    assert [(s.kind, s.value) for s in subscriptions_of(db, firm.id)] == [("topic", "ieepa_cape")]
    await hook.say(user_id(4), code)  # used once already
    assert "已使用" in fake.reply_texts()[-1]


async def test_alerts_reminders_and_forwards_all_reach_line_users(tmp_path, feed_server):
    fake = await FakeLine().start()
    try:
        config = server_config(tmp_path, feed_server, {"csms": ("csms_rss", "/csms.xml")}, extra=line_toml(fake))
        db = open_db(config.service.database)
        watched_sources(db, config)  # the samples' items arrive as news
        firm = add_subscriber(db, name="永信", channel="line", address=user_id(20), now=NOW)
        subscribe(db, firm.id, "keyword", "68396594", now=NOW)
        track_custom(db, firm.id, title="AEO 重新認證", due=date(2026, 4, 22), due_time=None,
                     rules=Rules(config.reminders), now=NOW)  # fmt: skip
        a = store.create_association(db, name="台灣區車輛工業同業公會", ref_prefix="車工", mode="auto", now=NOW)
        subscribe(db, a.subscriber_id, "keyword", "68396594", now=NOW)
        with db.atomic():
            store.add_member(db, a.id, "大同機械", [("line", user_id(21))], now=NOW)
            store.add_member(db, a.id, "台灣螺絲", [("line", user_id(22)), ("line", user_id(23))], now=NOW)
        svc = Service(config, db, build_channels(config, db=db), clock=lambda: NOW, rng=random.Random(5))
        for k in range(3):
            await svc.cycle(NOW + timedelta(minutes=k), force=k == 0)
        await svc.cycle(datetime(2026, 4, 22, 1, 30, tzinfo=NOW.tzinfo))  # 09:30 Taipei on the due day
        await svc.close()
        firm_texts = fake.received(user_id(20))
        assert any("68396594" in t for t in firm_texts)  # the alert
        assert any("AEO 重新認證" in t for t in firm_texts)  # the reminder
        for u in (21, 22, 23):
            (push,) = fake.pushes_to(user_id(u))  # the association's forward, once each
            text = "\n".join(push.texts)
            assert "發文字號：車工字第" in text and "/optout/" in text
        assert fake.rejected == []
    finally:
        await fake.stop()


def test_roster_with_line_column(tmp_path):
    db = open_db(tmp_path / "r.db")
    a = store.create_association(db, name="公會", ref_prefix="公", now=NOW)
    text = f"會員名稱,line,email\n大同,{user_id(5)},\n壞的,U123,\n"
    report = assoc.import_roster(db, a.id, text.encode("utf-8"), NOW)
    assert report.added == 1 and len(report.errors) == 1 and "第 3 行" in report.errors[0]
    assert store.members(db, a.id)[0]["contacts"] == f"line:{user_id(5)}"
