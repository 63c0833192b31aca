"""The association console over HTTP: login links, session cookie, CSRF, scoping, versions."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp
import pytest

from bot.associations import forwarding as assoc
from bot.cli.main import main
from bot.config import load_config
from bot.web.app import make_app, start_server
from feeds.model import Announcement
from state import announcements, outbox
from state import associations as store
from state.db import open_db
from state.subscribers import subscriptions_of
from tests.conftest import NOW, write_config
from tests.smtpserver import free_port

ADMIN_A = "email:sec@tva.org.tw"
ADMIN_B = "email:sec@screw.org.tw"


def seed(db, config):
    """Two associations, each with an admin, members and one forward awaiting approval."""
    out = {}
    for key, name, prefix, admin in (("a", "台灣區車輛工業同業公會", "車工", ADMIN_A), ("b", "台灣螺絲工業同業公會", "螺絲", ADMIN_B)):
        a = store.create_association(db, name=name, ref_prefix=prefix, now=NOW)
        store.add_admin(db, a.id, "email", admin.split(":", 1)[1])
        with db.atomic():
            for i in range(3):
                store.add_member(db, a.id, f"{prefix}會員{i}", [("email", f"m{i}@{key}.member.tw")], now=NOW)
        ann = Announcement(
            key=f"csms:{key}", source="s", kind="csms_rss", ext_id="1", published=NOW,
            title=f"<script>alert('{key}')</script> CAPE", url=f"https://example.test/{key}",
        )  # fmt: skip
        with db.atomic():
            announcements.store_new(db, [ann], now=NOW, alertable_after=NOW - timedelta(days=1))
        res = assoc.forward_alert(db, config, a.subscriber_id, ann.key, NOW)
        out[key] = (a, res.forward)
    return out


class Console:
    """A browser-like client: one cookie jar, redirects not followed unless asked."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def get(self, path: str, follow: bool = False) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.http.get(self.base + path, allow_redirects=follow) as resp:
            return resp.status, await resp.text(), resp

    async def post(self, path: str, data) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.http.post(self.base + path, data=data, allow_redirects=False) as resp:
            return resp.status, await resp.text(), resp

    async def login(self, url: str) -> aiohttp.ClientResponse:
        async with self.http.get(url, allow_redirects=False) as resp:
            return resp

    async def close(self) -> None:
        await self.http.close()


def hidden(page: str, name: str, form_action: str | None = None) -> str:
    if form_action:
        page = page[page.index(f'action="{form_action}"'):]
    m = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert m, f"no {name} in page"
    return m.group(1)


@pytest.fixture
async def env(tmp_path):
    port = free_port()
    clock = [NOW]
    path = write_config(tmp_path, f'[service]\ndatabase = "{tmp_path / "c.db"}"\n[http]\npublic_url = "http://127.0.0.1:{port}"\n')
    config = load_config(path)
    db = open_db(config.service.database)
    data = seed(db, config)
    runner = await start_server(make_app(db, clock=lambda: clock[0], config=config), f"127.0.0.1:{port}")
    clients: list[Console] = []

    def client() -> Console:
        c = Console(f"http://127.0.0.1:{port}")
        clients.append(c)
        return c

    yield db, config, data, client, clock, path
    for c in clients:
        await c.close()
    await runner.cleanup()


def url_for(db, config, association_id: int, actor: str) -> str:
    from bot.cli.reach import console_login_url

    return console_login_url(db, config, association_id, actor, NOW)


async def test_login_link_works_once_and_sets_a_safe_cookie(env, capsys):
    db, config, data, client, clock, path = env
    a, fwd = data["a"]
    assert main(["--config", str(path), "association", "console-url", str(a.id), "--by", "email:someone@else.tw"]) == 2
    assert "不是" in capsys.readouterr().err
    assert main(["--config", str(path), "association", "console-url", str(a.id), "--by", ADMIN_A]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith(config.http.public_url + "/console/login/")

    c = client()
    status, body, _ = await c.get("/console/")
    assert status == 401 and "登入" in body and fwd.ref_no not in body  # no session: refused
    resp = await c.login(url)
    assert resp.status == 303 and resp.headers["Location"] == "/console/"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie and "Secure" not in cookie
    status, page, _ = await c.get("/console/")
    assert status == 200 and fwd.ref_no in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page  # escaped
    assert (await client().login(url)).status == 403  # the same link twice: refused


async def test_approve_needs_csrf_and_the_version_shown(env):
    db, config, data, client, clock, _ = env
    a, fwd = data["a"]
    c = client()
    await c.login(url_for(db, config, a.id, ADMIN_A))
    _, page, _ = await c.get("/console/")
    csrf, version = hidden(page, "csrf"), hidden(page, "version")
    assert (await c.post(f"/console/forwards/{fwd.id}/approve", {"version": version}))[0] == 403
    assert (await c.post(f"/console/forwards/{fwd.id}/approve", {"csrf": "forged", "version": version}))[0] == 403
    assert store.require_forward(db, fwd.id).status == "awaiting_approval"

    # Someone edits the text after the page was loaded: the old page's 核可 is refused.
    assoc.edit(db, fwd.id, ADMIN_A, "一、新的說明", NOW)
    status, page, _ = await c.post(f"/console/forwards/{fwd.id}/approve", {"csrf": csrf, "version": version})
    assert status == 409 and "已被修改" in page
    assert store.require_forward(db, fwd.id).status == "awaiting_approval"

    _, page, _ = await c.get("/console/")
    assert "新的說明" in page
    status, _, resp = await c.post(f"/console/forwards/{fwd.id}/approve", {"csrf": csrf, "version": hidden(page, "version")})
    assert status == 303
    _, page, _ = await c.get(resp.headers["Location"])
    assert "已核可：3 則" in page
    f = store.require_forward(db, fwd.id)
    assert f.status == "approved" and f.decided_by == ADMIN_A
    assert len([r for r in db.query("SELECT * FROM outbox WHERE kind = 'forward'")]) == 3


async def test_an_admin_of_one_association_never_sees_or_acts_on_another(env):
    db, config, data, client, clock, _ = env
    (a, fwd_a), (b, fwd_b) = data["a"], data["b"]
    c = client()
    await c.login(url_for(db, config, b.id, ADMIN_B))
    _, page, _ = await c.get("/console/")
    csrf = hidden(page, "csrf")
    assert fwd_b.ref_no in page and fwd_a.ref_no not in page
    version_a = assoc.version_of(fwd_a)
    for action in ("approve", "skip", "edit"):
        status, _, _ = await c.post(f"/console/forwards/{fwd_a.id}/{action}", {"csrf": csrf, "version": version_a, "body": "x"})
        assert status == 404
    assert (await c.get(f"/console/forwards/{fwd_a.id}/edit"))[0] == 404
    members_a = [m["id"] for m in store.members(db, a.id)]
    assert (await c.post(f"/console/members/{members_a[0]}/optout", {"csrf": csrf}))[0] == 404
    _, members_page, _ = await c.get("/console/members")
    assert "車工會員0" not in members_page and "螺絲會員0" in members_page
    _, audit_csv, _ = await c.get("/console/audit.csv")
    assert fwd_a.ref_no not in audit_csv and fwd_b.ref_no in audit_csv
    assert store.require_forward(db, fwd_a.id).status == "awaiting_approval"
    assert all(m["opted_out_at"] is None for m in store.members(db, a.id))
    with pytest.raises(AssertionError):  # a login link for A's admin on B is never issued
        from feeds.errors import UserError

        try:
            url_for(db, config, b.id, ADMIN_A)
        except UserError as exc:
            raise AssertionError from exc


async def test_sessions_and_links_expire_and_removed_admins_are_out(env):
    db, config, data, client, clock, _ = env
    a, _ = data["a"]
    stale = url_for(db, config, a.id, ADMIN_A)
    clock[0] = NOW + timedelta(seconds=config.http.console_login_ttl + 1)
    assert (await client().login(stale)).status == 403
    clock[0] = NOW
    c = client()
    await c.login(url_for(db, config, a.id, ADMIN_A))
    assert (await c.get("/console/"))[0] == 200
    clock[0] = NOW + timedelta(seconds=config.http.console_session_ttl + 1)
    assert (await c.get("/console/"))[0] == 401
    clock[0] = NOW
    c2 = client()
    await c2.login(url_for(db, config, a.id, ADMIN_A))
    db.execute("DELETE FROM association_admins WHERE association_id = ?", [a.id])
    assert (await c2.get("/console/"))[0] == 401


async def test_edit_then_approve_sends_the_edited_text(env):
    db, config, data, client, clock, _ = env
    a, fwd = data["a"]
    c = client()
    await c.login(url_for(db, config, a.id, ADMIN_A))
    _, page, _ = await c.get(f"/console/forwards/{fwd.id}/edit")
    form = {"csrf": hidden(page, "csrf"), "version": hidden(page, "version"), "body": "一、<b>請會員注意</b>\r\n二、配合辦理"}
    status, _, _ = await c.post(f"/console/forwards/{fwd.id}/edit", {**form, "body": ""})
    assert status == 409  # empty text refused, nothing approved
    status, _, _ = await c.post(f"/console/forwards/{fwd.id}/edit", form)
    assert status == 303
    f = store.require_forward(db, fwd.id)
    assert f.status == "approved" and f.body == "一、<b>請會員注意</b>\n二、配合辦理"
    texts = [r["text"] for r in db.query("SELECT text FROM outbox WHERE kind = 'forward'")]
    assert len(texts) == 3 and all("請會員注意" in t for t in texts)
    assert [r["action"] for r in store.audit_rows(db, a.id) if r["action"] != "delivery"][-3:] == ["edited", "approved", "queued"]


async def test_roster_upload_big5_with_line_numbered_errors_and_audit_csv_is_safe(env):
    db, config, data, client, clock, _ = env
    a, _ = data["a"]
    c = client()
    await c.login(url_for(db, config, a.id, ADMIN_A))
    _, page, _ = await c.get("/console/members")
    csrf = hidden(page, "csrf")
    roster = "會員名稱,email\r\n=HYPERLINK(\"http://evil\"),evil@x.tw\r\n大同機械,not-an-email\r\n台灣螺絲,s@tw.tw\r\n".encode("cp950")
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("roster", roster, filename="名冊.csv", content_type="text/csv")
    status, page, _ = await c.post("/console/members/upload", form)
    assert status == 200 and "新增 2 家" in page and "第 3 行" in page and "invalid e-mail" in page
    bad = aiohttp.FormData()
    bad.add_field("csrf", csrf)
    bad.add_field("roster", b"\x80\x80\xff\xff", filename="x.csv")
    status, page, _ = await c.post("/console/members/upload", bad)
    assert status == 400 and "UTF-8" in page
    member = next(m for m in store.members(db, a.id) if m["firm"].startswith("=HYPERLINK"))
    assert (await c.post(f"/console/members/{member['id']}/optout", {"csrf": csrf}))[0] == 303
    assert next(m for m in store.members(db, a.id) if m["id"] == member["id"])["opted_out_at"]
    _, page, _ = await c.get("/console/members")
    assert "已退訂" in page
    status, body, resp = await c.get("/console/audit.csv")
    assert status == 200 and resp.headers["Content-Type"].startswith("text/csv") and "attachment" in resp.headers["Content-Disposition"]
    assert body.lstrip("\ufeff").startswith("at,actor,action,ref_no,detail,recipient,result,error")
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body  # a formula stays text in Excel
    assert "roster_upload" in body and "opt_out" in body


async def test_mode_and_filters(env):
    db, config, data, client, clock, _ = env
    a, _ = data["a"]
    c = client()
    await c.login(url_for(db, config, a.id, ADMIN_A))
    _, page, _ = await c.get("/console/settings")
    csrf = hidden(page, "csrf")
    assert (await c.post("/console/settings/mode", {"csrf": csrf, "mode": "auto"}))[0] == 303
    assert store.require_association(db, a.id).mode == "auto"
    assert (await c.post("/console/settings/filter", {"csrf": csrf, "kind": "topic", "value": "ieepa_cape"}))[0] == 303
    assert (await c.post("/console/settings/filter", {"csrf": csrf, "kind": "topic", "value": "nope"}))[0] == 400
    assert [(s.kind, s.value) for s in subscriptions_of(db, a.subscriber_id)] == [("topic", "ieepa_cape")]
    assert (await c.post("/console/settings/filter/remove", {"csrf": csrf, "kind": "topic", "value": "ieepa_cape"}))[0] == 303
    assert subscriptions_of(db, a.subscriber_id) == []
    assert (await c.post("/console/settings/mode", {"csrf": "x", "mode": "approval"}))[0] == 403


async def test_preview_email_carries_a_working_one_time_console_link(env):
    db, config, data, client, clock, _ = env
    a, fwd = data["a"]
    preview = next(r for r in outbox.messages_for(db, store.contact_subscriber(db, "email", "sec@tva.org.tw", "", NOW)))
    m = re.search(r"(http://\S+/console/login/\S+)", preview["text"])
    assert m, preview["text"]
    c = client()
    assert (await c.login(m.group(1))).status == 303
    assert fwd.ref_no in (await c.get("/console/"))[1]


async def test_secure_cookie_under_https(tmp_path):
    port = free_port()
    path = write_config(tmp_path, f'[service]\ndatabase = "{tmp_path / "s.db"}"\n[http]\npublic_url = "https://alerts.example.tw"\n')
    config = load_config(path)
    db = open_db(config.service.database)
    a, _ = seed(db, config)["a"]
    url = url_for(db, config, a.id, ADMIN_A)
    assert url.startswith("https://alerts.example.tw/console/login/")
    runner = await start_server(make_app(db, clock=lambda: NOW, config=config), f"127.0.0.1:{port}")
    c = Console(f"http://127.0.0.1:{port}")
    try:
        resp = await c.login(f"http://127.0.0.1:{port}" + url.removeprefix("https://alerts.example.tw"))
        assert resp.status == 303 and "Secure" in resp.headers["Set-Cookie"]
    finally:
        await c.close()
        await runner.cleanup()
