"""The association console (公會後台): server-rendered pages for an association's admins.

Login: ``/console/login/<token>`` takes a one-time, expiring link (``run.py association
console-url`` or the approval preview e-mail), opens a session (cookie: HttpOnly, SameSite=Lax,
Secure under https, expiring) and redirects to ``/console/``. Every page re-checks that the
session's admin is still an admin of that association, and every query is scoped to it: an
admin of association A never sees or acts on B (a forward or member of B answers 404).
Every POST carries the session's CSRF token. 核可 carries the version of the text shown, so
an approval of text that changed since is refused. jinja2 autoescapes everything.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import jinja2
from aiohttp import web
from multidict import MultiDictProxy
from sqlite_utils import Database

from bot.alerts.render import TEMPLATES
from bot.associations import forwarding as assoc
from bot.associations.audit import audit_csv_text
from bot.config import Config
from feeds.errors import UserError
from feeds.normalize import row_id
from feeds.topics import TOPICS
from state import associations as store
from state import console as sessions
from state.subscribers import SUBSCRIPTION_KINDS, subscribe, subscriptions_of, unsubscribe

log = logging.getLogger(__name__)

COOKIE = "tradealert_console"
AUDIT_ROWS_SHOWN = 500
KIND_LABELS = {"all": "全部公告", "topic": "主題", "keyword": "關鍵字", "hts": "HTS 稅號字首", "source": "來源", "mute": "排除主題"}
ACTIONS = {
    "created": "建立", "approved": "核可", "skipped": "略過", "edited": "編輯", "queued": "排入寄送",
    "delivery": "寄送", "roster": "名冊匯入", "roster_upload": "名冊上傳", "opt_out": "退訂", "mode": "模式",
    "filter_added": "新增條件", "filter_removed": "移除條件",
}  # fmt: skip
RESULTS = {"sent": "已送達", "pending": "待寄", "sending": "寄送中", "failed": "失敗", "held": "暫停"}
FLASH = {
    "approved": "已核可：{n} 則會員訊息已排入寄送。",
    "edited": "已修改並核可：{n} 則會員訊息已排入寄送。",
    "skipped": "已略過：此公告不會轉知會員。",
    "mode": "已更新模式。",
    "filter": "已更新轉知條件。",
    "optout": "已登記退訂。",
}
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

FORM = web.RequestKey("form", MultiDictProxy)  # the POSTed form, read once by the gate

Handler = Callable[[web.Request, sessions.ConsoleSession, store.Association], Awaitable[web.StreamResponse]]


def add_console_routes(app: web.Application, db: Database, config: Config, clock: Callable[[], datetime]) -> None:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "console"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    secure = config.http.public_url.startswith("https://")
    session_ttl = timedelta(seconds=config.http.console_session_ttl)

    def render(name: str, status: int = 200, **ctx: object) -> web.Response:
        ctx.setdefault("association", None)
        ctx.setdefault("flash", None)
        ctx.setdefault("error", None)
        ctx.setdefault("page", "")
        ctx.setdefault("csrf", "")
        ctx.setdefault("title", "公會後台")
        html = env.get_template(name).render(**ctx)
        return web.Response(text=html, content_type="text/html", charset="utf-8", status=status, headers=HEADERS)

    def refused(message: str, status: int = 401) -> web.Response:
        return render("notice.html.j2", status, title="請先登入 Please log in", message=message)

    def current(request: web.Request) -> tuple[sessions.ConsoleSession, store.Association] | None:
        s = sessions.get_session(db, request.cookies.get(COOKIE, ""), now=clock())
        if s is None or not store.is_admin(db, s.association_id, s.actor):
            return None
        a = store.get_association(db, s.association_id)
        return (s, a) if a is not None else None

    def page(handler: Handler, *, post: bool = False) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """The gate every console page passes: a live session of a current admin, and on POST its CSRF token."""

        async def gated(request: web.Request) -> web.StreamResponse:
            found = current(request)
            if found is None:
                return refused("尚未登入或登入已逾時。You are not logged in, or your session expired.")
            s, a = found
            if post:
                form = await request.post()
                request[FORM] = form
                if not hmac.compare_digest(str(form.get("csrf", "")), s.csrf):
                    log.warning("console: CSRF token missing or wrong association=%s", a.id)
                    return render("notice.html.j2", 403, title="請重新操作", message="表單已失效，請回到頁面重新操作。The form expired; reload the page.")
            return await handler(request, s, a)

        return gated

    def done(path: str, key: str, n: int = 0) -> web.HTTPSeeOther:
        """Post/redirect/get: the page after an action says what happened (fixed texts only)."""
        return web.HTTPSeeOther(f"{path}?done={key}&n={n}", headers=HEADERS)

    def flash_of(request: web.Request) -> str | None:
        key = request.query.get("done", "")
        return FLASH[key].format(n=row_id(request.query.get("n")) or 0) if key in FLASH else None

    def own_forward(request: web.Request, a: store.Association) -> store.Forward:
        forward_id = row_id(request.match_info["id"])
        try:
            f = store.require_forward(db, forward_id) if forward_id is not None else None
        except UserError:
            f = None
        if f is None or f.association_id != a.id:  # another association's forward: as if absent
            raise web.HTTPNotFound(text="not found", headers=HEADERS)
        return f

    # ---- login ------------------------------------------------------------------------
    async def login(request: web.Request) -> web.StreamResponse:
        if request.method != "GET":  # HEAD: a link checker or preview looks; only a GET uses the link up
            return web.Response(status=204, headers=HEADERS)
        redeemed = sessions.redeem_login(db, request.match_info["token"], now=clock())
        if redeemed is None or not store.is_admin(db, redeemed[0], redeemed[1]):
            return refused("此登入連結無效、已使用過或已過期。This login link is invalid, used or expired.", 403)
        token, s = sessions.create_session(db, redeemed[0], redeemed[1], now=clock(), ttl=session_ttl)
        log.info("console login association=%s actor=%s", s.association_id, s.actor)
        resp = web.Response(status=303, headers={**HEADERS, "Location": "/console/"})
        resp.set_cookie(
            COOKIE, token, max_age=int(session_ttl.total_seconds()), path="/console",
            httponly=True, samesite="Lax", secure=secure,
        )  # fmt: skip
        return resp

    async def logout(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        sessions.end_session(db, request.cookies.get(COOKIE, ""))
        resp = render("notice.html.j2", title="已登出 Logged out", message="您已登出。You are logged out.")
        resp.del_cookie(COOKIE, path="/console")
        return resp

    # ---- forwards ---------------------------------------------------------------------
    def pending_page(s: sessions.ConsoleSession, a: store.Association, *, flash=None, error=None, status=200) -> web.Response:
        waiting = store.forwards(db, a.id, "awaiting_approval")
        recent = [f for f in store.forwards(db, a.id) if f.status != "awaiting_approval"][-10:][::-1]
        return render(
            "pending.html.j2", status, title="待核可轉知", page="pending", association=a, csrf=s.csrf,
            forwards=waiting, documents={f.id: assoc.document_text(a, f) for f in waiting},
            versions={f.id: assoc.version_of(f) for f in waiting}, recent=recent, flash=flash, error=error,
        )  # fmt: skip

    async def pending(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        return pending_page(s, a, flash=flash_of(request))

    async def approve(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        f = own_forward(request, a)
        try:
            assoc.require_version(f, str(request[FORM].get("version", "")))
            n = assoc.approve(db, config, f.id, s.actor, clock())
        except UserError as exc:
            return pending_page(s, a, error=f"{exc.zh}\n{exc.en}", status=409)
        log.info("console approve forward=%s actor=%s queued=%d", f.id, s.actor, n)
        raise done("/console/", "approved", n)

    async def skip(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        f = own_forward(request, a)
        try:
            assoc.skip(db, f.id, s.actor, clock())
        except UserError as exc:
            return pending_page(s, a, error=f"{exc.zh}\n{exc.en}", status=409)
        raise done("/console/", "skipped")

    def edit_page(s, a, f: store.Forward, body: str, version: str, error: str | None = None, status: int = 200) -> web.Response:
        return render(
            "edit.html.j2", status, title=f"編輯轉知 #{f.id}", page="pending", association=a, csrf=s.csrf,
            forward=f, body=body, version=version, max_chars=assoc.MAX_EDIT_CHARS, error=error,
        )  # fmt: skip

    async def edit_form(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        f = own_forward(request, a)
        if f.status != "awaiting_approval":
            return pending_page(s, a, error=f"轉知 #{f.id} 已處理（{f.status}）", status=409)
        return edit_page(s, a, f, f.body, assoc.version_of(f))

    async def edit_save(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        f = own_forward(request, a)
        form = request[FORM]
        body, version = str(form.get("body", "")), str(form.get("version", ""))
        try:
            n = assoc.edit_and_approve(db, config, f.id, s.actor, body, version, clock())
        except UserError as exc:
            return edit_page(s, a, f, body, version, error=f"{exc.zh}\n{exc.en}", status=409)
        raise done("/console/", "edited", n)

    # ---- members ----------------------------------------------------------------------
    def members_page(s, a, *, report=None, flash=None, error=None, status=200) -> web.Response:
        return render(
            "members.html.j2", status, title="會員名冊", page="members", association=a, csrf=s.csrf,
            members=store.members(db, a.id), report=report, flash=flash, error=error,
        )  # fmt: skip

    async def members(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        return members_page(s, a, flash=flash_of(request))

    async def upload(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        field = request[FORM].get("roster")
        if not isinstance(field, web.FileField):
            return members_page(s, a, error="請選擇 CSV 檔案。Choose a CSV file.", status=400)
        try:
            report = assoc.import_roster(db, a.id, field.file.read(), clock())
        except UserError as exc:
            return members_page(s, a, error=f"{exc.zh}\n{exc.en}", status=400)
        store.audit(db, a.id, None, clock(), s.actor, "roster_upload", field.filename[:200])
        return members_page(s, a, report=report)

    async def optout(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        member_id = row_id(request.match_info["id"])
        if member_id is None or not store.opt_out_member_id(db, a.id, member_id, s.actor, clock()):
            raise web.HTTPNotFound(text="not found", headers=HEADERS)
        raise done("/console/members", "optout")

    # ---- audit ------------------------------------------------------------------------
    async def audit(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        rows = sorted(store.audit_rows(db, a.id), key=lambda r: str(r["at"] or ""), reverse=True)
        shown = rows[:AUDIT_ROWS_SHOWN]
        return render("audit.html.j2", title="稽核紀錄", page="audit", association=a, csrf=s.csrf,
                      rows=shown, more=len(rows) > len(shown), actions=ACTIONS, results=RESULTS)  # fmt: skip

    async def audit_download(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        body = audit_csv_text(store.audit_rows(db, a.id))
        name = f"audit-{a.id}-{clock():%Y%m%d}.csv"
        return web.Response(
            text=body, content_type="text/csv", charset="utf-8",
            headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
        )  # fmt: skip

    # ---- settings ---------------------------------------------------------------------
    def settings_page(s, a, *, flash=None, error=None, status=200) -> web.Response:
        return render(
            "settings.html.j2", status, title="轉知設定", page="settings", association=a, csrf=s.csrf,
            filters=subscriptions_of(db, a.subscriber_id), kinds=KIND_LABELS,
            topics={t.id: t.zh for t in TOPICS.values()}, flash=flash, error=error,
        )  # fmt: skip

    async def settings(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        return settings_page(s, a, flash=flash_of(request))

    async def set_mode(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        mode = str(request[FORM].get("mode", ""))
        try:
            store.set_mode(db, a.id, mode)
        except UserError as exc:
            return settings_page(s, a, error=f"{exc.zh}\n{exc.en}", status=400)
        store.audit(db, a.id, None, clock(), s.actor, "mode", mode)
        raise done("/console/settings", "mode")

    async def change_filter(request: web.Request, s: sessions.ConsoleSession, a: store.Association) -> web.StreamResponse:
        form = request[FORM]
        kind, value = str(form.get("kind", "")), str(form.get("value", "")).strip()[:200]
        removing = request.path.endswith("/remove")
        try:
            if kind not in SUBSCRIPTION_KINDS:
                raise UserError("不支援的條件種類", "unknown filter kind")
            if kind == "topic" and not removing and value not in TOPICS:
                raise UserError(f"沒有「{value}」這個主題", f"no topic {value!r}")
            if removing:
                unsubscribe(db, a.subscriber_id, kind, value)
            else:
                subscribe(db, a.subscriber_id, kind, value, now=clock())
        except UserError as exc:
            return settings_page(s, a, error=f"{exc.zh}\n{exc.en}", status=400)
        store.audit(db, a.id, None, clock(), s.actor, "filter_removed" if removing else "filter_added", f"{kind}:{value}")
        raise done("/console/settings", "filter")

    async def to_console(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/console/", headers=HEADERS)

    r = app.router
    r.add_get("/console", to_console)
    r.add_get("/console/login/{token}", login)
    r.add_post("/console/logout", page(logout, post=True))
    r.add_get("/console/", page(pending))
    r.add_post("/console/forwards/{id}/approve", page(approve, post=True))
    r.add_post("/console/forwards/{id}/skip", page(skip, post=True))
    r.add_get("/console/forwards/{id}/edit", page(edit_form))
    r.add_post("/console/forwards/{id}/edit", page(edit_save, post=True))
    r.add_get("/console/members", page(members))
    r.add_post("/console/members/upload", page(upload, post=True))
    r.add_post("/console/members/{id}/optout", page(optout, post=True))
    r.add_get("/console/audit", page(audit))
    r.add_get("/console/audit.csv", page(audit_download))
    r.add_get("/console/settings", page(settings))
    r.add_post("/console/settings/mode", page(set_mode, post=True))
    r.add_post("/console/settings/filter", page(change_filter, post=True))
    r.add_post("/console/settings/filter/remove", page(change_filter, post=True))
