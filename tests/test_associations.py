"""Association forwarding end to end: alert → preview → approve → every member, audited."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta

import pytest

from bot.associations import forwarding as assoc
from bot.delivery.channels import build_channels
from bot.service import Service
from feeds.errors import UserError
from state import associations as store
from state import outbox
from state.db import open_db
from state.subscribers import subscribe
from tests.conftest import NOW, server_config, watched_sources
from tests.smtpserver import SmtpServer, mail_config_toml

MEMBERS = 200


def _config(tmp_path, feed_server, smtp):
    extra = mail_config_toml(smtp.port, batch=1000)
    return server_config(tmp_path, feed_server, {"csms": ("csms_rss", "/csms.xml")}, extra=extra)


def _setup(db, mode="approval", members=MEMBERS):
    a = store.create_association(
        db, name="台灣區車輛工業同業公會", ref_prefix="車工", letterhead="台灣區車輛工業同業公會 函", mode=mode, now=NOW
    )
    store.add_admin(db, a.id, "email", "secretary@tva.org.tw")
    subscribe(db, a.subscriber_id, "keyword", "68396594", now=NOW)
    with db.atomic():
        for i in range(members):
            store.add_member(db, a.id, f"會員廠商{i:03d}股份有限公司", [("email", f"m{i:03d}@member.tw")], now=NOW)
    return a


async def test_approval_flow_reaches_every_member_once_with_audit(tmp_path, feed_server):
    with SmtpServer() as smtp:
        config = _config(tmp_path, feed_server, smtp)
        db = open_db(config.service.database)
        watched_sources(db, config)  # the samples' items arrive as news
        a = _setup(db)
        svc = Service(config, db, build_channels(config), clock=lambda: NOW, rng=random.Random(1))
        await svc.cycle(NOW, force=True)
        await svc.cycle(NOW + timedelta(seconds=5))  # the preview queued by the forward goes out

        # Only the admin has heard of it: a preview; no member has anything yet.
        previews = smtp.box.to("secretary@tva.org.tw")
        assert len(previews) == 1
        assert "待核可" in str(previews[0]["Subject"]) or "待核可" in previews[0].get_body(("plain",)).get_content()
        assert not any(m["To"].endswith("@member.tw") for m in smtp.box.messages)
        (fwd,) = store.forwards(db, a.id, "awaiting_approval")
        assert fwd.ref_no == "車工字第1150001號"
        assert fwd.issued_on == "中華民國115年4月20日"

        # A member (or anyone else) cannot approve.
        with pytest.raises(UserError, match="only admins"):
            assoc.approve(db, config, fwd.id, "email:m001@member.tw", NOW)

        queued = assoc.approve(db, config, fwd.id, "email:secretary@tva.org.tw", NOW + timedelta(minutes=3))
        assert queued == MEMBERS
        with pytest.raises(UserError, match="already handled"):
            assoc.approve(db, config, fwd.id, "email:secretary@tva.org.tw", NOW)
        for k in range(3):
            await svc.cycle(NOW + timedelta(minutes=4 + k))
        await svc.close()

        member_mail = [m for m in smtp.box.messages if m["To"].endswith("@member.tw")]
    assert len(member_mail) == MEMBERS
    assert len({m["To"] for m in member_mail}) == MEMBERS  # each once
    body = member_mail[0].get_body(("plain",)).get_content()
    assert "發文字號：車工字第1150001號" in body and "主旨：轉知" in body and "說明：" in body
    assert "https://content.govdelivery.com/accounts/USDHSCBP/bulletins/413a632" in body
    assert "m000@member.tw" not in member_mail[1].as_string()  # no roster leaks to other members
    assert str(member_mail[0]["List-Unsubscribe"]).strip().startswith("<http://127.0.0.1:8080/optout/")

    rows = store.audit_rows(db, a.id)
    actions = [r["action"] for r in rows]
    assert actions[:4] == ["created", "approved", "queued", "delivery"]
    approved = next(r for r in rows if r["action"] == "approved")
    assert approved["actor"] == "email:secretary@tva.org.tw"
    deliveries = [r for r in rows if r["action"] == "delivery"]
    assert len(deliveries) == MEMBERS and all(r["result"] == "sent" for r in deliveries)


async def test_auto_mode_forwards_at_once_and_opted_out_members_are_skipped(tmp_path, feed_server):
    with SmtpServer() as smtp:
        config = _config(tmp_path, feed_server, smtp)
        db = open_db(config.service.database)
        watched_sources(db, config)  # the samples' items arrive as news
        a = _setup(db, mode="auto", members=5)
        token = next(db.query("SELECT token FROM members WHERE firm LIKE '%002%'"))["token"]
        assert store.opt_out_member(db, token, NOW) is not None
        svc = Service(config, db, build_channels(config), clock=lambda: NOW, rng=random.Random(1))
        for k in range(3):
            await svc.cycle(NOW + timedelta(seconds=k), force=k == 0)
        await svc.close()
        to = sorted(m["To"] for m in smtp.box.messages)
    assert to == ["m000@member.tw", "m001@member.tw", "m003@member.tw", "m004@member.tw"]
    assert store.forwards(db, a.id)[0].decided_by == "auto"


def test_edit_is_admin_only_plain_text_and_bounded(tmp_path):
    db = open_db(tmp_path / "a.db")
    a = _setup(db, members=1)
    from feeds.model import Announcement
    from state import announcements

    ann = Announcement(
        key="csms:1", source="s", kind="csms_rss", ext_id="1", title="<b>T</b>", url="https://x.test/1", published=NOW
    )
    with db.atomic():
        announcements.store_new(db, [ann], now=NOW, alertable_after=NOW - timedelta(days=1))
    from bot.config import Config

    res = assoc.forward_alert(db, Config(), a.subscriber_id, "csms:1", NOW)
    admin = "email:secretary@tva.org.tw"
    with pytest.raises(UserError, match="too long"):
        assoc.edit(db, res.forward.id, admin, "<script>x</script>" * 1000, NOW)
    with pytest.raises(UserError, match="only admins"):
        assoc.edit(db, res.forward.id, "telegram:999", "hi", NOW)
    assoc.edit(db, res.forward.id, admin, "一、<b>請注意</b> & 配合辦理", NOW)
    f = store.require_forward(db, res.forward.id)
    html = assoc.document_html(store.require_association(db, a.id), f)
    assert "&lt;b&gt;請注意&lt;/b&gt; &amp; 配合辦理" in html and "<b>請注意</b>" not in html
    # The edit produced a fresh preview for the admin.
    keys = [r["message_key"] for r in db.query("SELECT message_key FROM outbox WHERE kind = 'preview'")]
    assert len(keys) == 2 and len(set(keys)) == 2


def test_roster_csv_in_big5_with_duplicates_and_broken_rows(tmp_path):
    db = open_db(tmp_path / "r.db")
    a = store.create_association(db, name="公會", ref_prefix="公", now=NOW)
    text = (
        "會員名稱,email,telegram\r\n"
        "大同機械股份有限公司,a@datong.tw,123456\r\n"
        "大同機械股份有限公司,b@datong.tw,\r\n"  # repeated firm: merged
        ",c@nobody.tw,\r\n"  # no firm
        "壞地址公司,not-an-email,\r\n"  # bad address
        "只有名稱公司,,\r\n"  # no contact
        "台灣螺絲,screw@tw.tw,\r\n"
    )
    report = assoc.import_roster(db, a.id, text.encode("cp950"), NOW)
    assert (report.added, report.updated) == (2, 1)
    assert len(report.duplicates) == 1 and "第 3 行" in report.duplicates[0]
    assert [e.split("：")[0] for e in report.errors] == ["第 4 行", "第 5 行", "第 6 行"]
    assert "invalid e-mail" in report.errors[1]
    members = {m["firm"]: m["contacts"] for m in store.members(db, a.id)}
    assert sorted(members) == ["台灣螺絲", "大同機械股份有限公司"]
    assert members["大同機械股份有限公司"].count("email:") == 2
    assert not any("not-an-email" in (c or "") for c in members.values())


def test_roster_in_unknown_encoding_is_refused_whole(tmp_path):
    db = open_db(tmp_path / "r.db")
    a = store.create_association(db, name="公會", ref_prefix="公", now=NOW)
    with pytest.raises(UserError) as info:
        assoc.import_roster(db, a.id, b"\x80\x80\xff\xff firm,email\n", NOW)
    assert "UTF-8" in info.value.en and "編碼" in info.value.zh
    assert store.members(db, a.id) == []


def test_audit_export_is_csv(tmp_path):
    db = open_db(tmp_path / "r.db")
    a = _setup(db, members=2)
    with db.atomic():
        store.audit(db, a.id, None, NOW, "import", "roster", "added=2")
    rows = store.audit_rows(db, a.id)
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    lines = out.getvalue().splitlines()
    assert lines[0] == "at,actor,action,ref_no,detail,recipient,result,error"
    assert any(",roster," in line for line in lines)  # the member import is on the record
    assert outbox.backlog(db) == {}
