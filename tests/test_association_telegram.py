"""The whole association flow over the real python-telegram-bot (fake Bot API on 127.0.0.1) and
a real SMTP server: alert → preview → 核可 button → 200 members, with the audit checked."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from bot.associations import forwarding as assoc
from bot.delivery.channels.email import EmailChannel
from bot.delivery.channels.telegram import TelegramChannel
from bot.service import Service
from bot.telegram.app import telegram_running
from state import associations as store
from state import outbox
from state.db import open_db
from state.subscribers import subscribe
from tests.conftest import NOW, server_config, watched_sources
from tests.fakebotapi import FakeBotAPI
from tests.smtpserver import SmtpServer, mail_config_toml
from tests.tg_helpers import buttons, telegram_config

ADMIN = 5001
TG_MEMBERS = [20000 + i for i in range(100)]
MAIL_MEMBERS = [f"m{i:03d}@member.tw" for i in range(100)]


async def _drain_all(svc: Service, db, rounds: int = 40) -> None:
    for k in range(rounds):
        await svc.drain(NOW + timedelta(minutes=10, seconds=k))
        if not outbox.backlog(db).get("pending"):
            return
        await asyncio.sleep(0.05)  # let the per-chat pacer open again


async def test_preview_approve_button_then_200_members_over_telegram_and_smtp(tmp_path, feed_server):
    fake = await FakeBotAPI(global_per_second=10_000, private_interval=0).start()
    try:
        with SmtpServer() as smtp:
            extra = mail_config_toml(smtp.port, batch=1000)
            config = server_config(tmp_path, feed_server, {"csms": ("csms_rss", "/csms.xml")}, extra=extra)
            tg = telegram_config(fake, messages_per_second=10_000, per_chat_interval=0.001)
            config = config.model_copy(update={"telegram": tg})
            db = open_db(config.service.database)
            watched_sources(db, config)  # the samples' items arrive as news
            a = store.create_association(db, name="台灣區車輛工業同業公會", ref_prefix="車工", now=NOW)
            store.add_admin(db, a.id, "telegram", str(ADMIN))
            subscribe(db, a.subscriber_id, "keyword", "68396594", now=NOW)
            with db.atomic():
                for i, chat in enumerate(TG_MEMBERS):
                    store.add_member(db, a.id, f"會員{i:03d}<b>股份</b>有限公司", [("telegram", str(chat))], now=NOW)
                for i, mail in enumerate(MAIL_MEMBERS):
                    store.add_member(db, a.id, f"電郵會員{i:03d}", [("email", mail)], now=NOW)
            channels = {
                "telegram": TelegramChannel(config.telegram, db=db),
                "email": EmailChannel(config.email, config.http),
            }
            svc = Service(config, db, channels, clock=lambda: NOW, rng=random.Random(1))
            async with telegram_running(config.telegram, db, clock=lambda: NOW, poll_timeout=0.2, app_config=config):
                await svc.cycle(NOW, force=True)
                await _drain_all(svc, db)
                previews = fake.messages.get(ADMIN, [])
                assert len(previews) == 1 and "待核可" in previews[0]["text"]
                fwd = store.forwards(db, a.id)[0]
                approve = next(b["callback_data"] for b in buttons(previews[0]) if b["text"].startswith("核可"))
                assert approve == f"fwd:approve:{fwd.id}:{assoc.version_of(fwd)}"
                assert not any(fake.messages.get(c) for c in TG_MEMBERS) and not smtp.box.messages

                # A member who somehow has the button cannot approve; nothing is sent.
                denied = fake.push_callback(TG_MEMBERS[0], approve, user_id=TG_MEMBERS[0])  # forged data
                assert denied
                answers = await fake.wait_for_callback_answers(1)
                assert "管理者" in (answers[-1].get("text") or "")
                assert store.require_forward(db, fwd.id).status == "awaiting_approval"

                fake.push_callback(ADMIN, approve, user_id=ADMIN)
                answers = await fake.wait_for_callback_answers(2)
                assert "200" in (answers[-1].get("text") or "")
                await _drain_all(svc, db)
            await svc.close()
            mail = list(smtp.box.messages)
    finally:
        await fake.stop()

    for chat in TG_MEMBERS:
        got = fake.messages.get(chat, [])
        assert len(got) == 1, chat  # each member once
        assert "發文字號：車工字第1150001號" in got[0]["text"]
        assert "68396594" in got[0]["text"] or "CAPE" in got[0]["text"]
    assert sorted(m["To"] for m in mail) == MAIL_MEMBERS
    rows = store.audit_rows(db, a.id)
    approved = [r for r in rows if r["action"] == "approved"]
    assert [r["actor"] for r in approved] == [f"telegram:{ADMIN}"]
    delivered = [r for r in rows if r["action"] == "delivery"]
    assert len(delivered) == 200 and {r["result"] for r in delivered} == {"sent"}
    assert {r["recipient"].split(":")[0] for r in delivered} == {"telegram", "email"}


async def test_admin_edits_the_preview_in_telegram_and_html_stays_text(tmp_path):
    from bot.associations import forwarding as assoc
    from bot.config import Config
    from feeds.model import Announcement
    from state import announcements

    fake = await FakeBotAPI(global_per_second=10_000, private_interval=0).start()
    try:
        db = open_db(tmp_path / "e.db")
        a = store.create_association(db, name="公會", ref_prefix="公", now=NOW)
        store.add_admin(db, a.id, "telegram", str(ADMIN))
        ann = Announcement(key="csms:1", source="s", kind="csms_rss", ext_id="1", title="T",
                           url="https://x.test/1", published=NOW)  # fmt: skip
        with db.atomic():
            announcements.store_new(db, [ann], now=NOW, alertable_after=NOW - timedelta(days=1))
        fwd = assoc.forward_alert(db, Config(), a.subscriber_id, "csms:1", NOW).forward
        tg = telegram_config(fake)
        async with telegram_running(tg, db, clock=lambda: NOW, poll_timeout=0.2, app_config=Config()):
            fake.push_callback(ADMIN, f"fwd:edit:{fwd.id}", user_id=ADMIN)
            prompt = await fake.wait_for_messages(ADMIN, 1)
            assert "說明" in prompt[-1]["text"]
            fake.push_text(ADMIN, "一、<script>x</script> 請配合辦理", user_id=ADMIN)
            reply = await fake.wait_for_messages(ADMIN, 2)
            assert "已更新" in reply[-1]["text"]
            fake.push_text(ADMIN, "x" * 5000, user_id=ADMIN)  # no edit pending: just a hint, no change
            await fake.wait_for_messages(ADMIN, 3)
        body = store.require_forward(db, fwd.id).body
        assert body == "一、<script>x</script> 請配合辦理"
        html = assoc.document_html(store.require_association(db, a.id), store.require_forward(db, fwd.id))
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert db.execute("SELECT count(*) FROM outbox WHERE kind = 'preview'").fetchone()[0] == 2
    finally:
        await fake.stop()



async def test_approve_on_an_older_preview_is_refused_and_points_to_the_newest(tmp_path):
    """Two admins; B edits the text; A's 核可 on the preview A saw before the edit approves nothing."""
    from bot.associations import forwarding as assoc
    from bot.config import Config
    from feeds.model import Announcement
    from state import announcements
    from tests.tg_helpers import channel_for, drain

    admin_a, admin_b = 5101, 5102
    fake = await FakeBotAPI(global_per_second=10_000, private_interval=0).start()
    try:
        db = open_db(tmp_path / "v.db")
        a = store.create_association(db, name="公會", ref_prefix="公", now=NOW)
        store.add_admin(db, a.id, "telegram", str(admin_a))
        store.add_admin(db, a.id, "telegram", str(admin_b))
        store.add_member(db, a.id, "會員甲", [("telegram", "20001")], now=NOW)
        ann = Announcement(key="csms:2", source="s", kind="csms_rss", ext_id="2", title="T",
                           url="https://x.test/2", published=NOW)  # fmt: skip
        with db.atomic():
            announcements.store_new(db, [ann], now=NOW, alertable_after=NOW - timedelta(days=1))
        fwd = assoc.forward_alert(db, Config(), a.subscriber_id, "csms:2", NOW).forward
        ch = channel_for(fake, db, per_chat_interval=0.001)
        await drain(db, ch)
        [old] = fake.messages[admin_a]
        old_approve = next(b["callback_data"] for b in buttons(old) if b["text"].startswith("核可"))
        async with telegram_running(telegram_config(fake), db, clock=lambda: NOW, poll_timeout=0.2, app_config=Config()):
            fake.push_callback(admin_b, f"fwd:edit:{fwd.id}", user_id=admin_b)
            await fake.wait_for_messages(admin_b, 2)
            fake.push_text(admin_b, "一、請會員於期限前完成申報。", user_id=admin_b)
            await fake.wait_for_messages(admin_b, 3)
            await drain(db, ch, NOW + timedelta(minutes=1))  # the new previews go out
            newest = fake.messages[admin_a][-1]
            assert "請會員於期限前完成申報" in newest["visible"]

            shown = len(fake.messages[admin_a])
            for data in (old_approve, f"fwd:approve:{fwd.id}"):  # with a version, and an old-style button
                before = len(fake.callback_answers)
                fake.push_callback(admin_a, data, message_id=old["message_id"], user_id=admin_a)
                [refusal] = (await fake.wait_for_callback_answers(before + 1))[before:]
                assert "此預覽已過期" in refusal["text"] and refusal.get("show_alert") in (True, "true")
                assert store.require_forward(db, fwd.id).status == "awaiting_approval"
            pointers = (await fake.wait_for_messages(admin_a, shown + 2))[shown:]
            for pointer in pointers:
                assert "最新的預覽" in pointer["visible"]
                assert pointer["reply_parameters"]["message_id"] == newest["message_id"]
            assert db.execute("SELECT count(*) FROM outbox WHERE kind = 'forward'").fetchone()[0] == 0

            new_approve = next(b["callback_data"] for b in buttons(newest) if b["text"].startswith("核可"))
            before = len(fake.callback_answers)
            fake.push_callback(admin_a, new_approve, message_id=newest["message_id"], user_id=admin_a)
            [ok] = (await fake.wait_for_callback_answers(before + 1))[before:]
            assert "已核可，1 則" in ok["text"]
        await ch.close()
    finally:
        await fake.stop()
    f = store.require_forward(db, fwd.id)
    assert f.status == "approved" and f.body == "一、請會員於期限前完成申報。"
