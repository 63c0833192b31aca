"""The small HTTP side: calendar feeds, health, and the unsubscribe / opt-out endpoints.

Every per-person URL carries a 256-bit token from ``secrets``; an unknown token gets a plain
404 that says nothing about whether anyone exists. Unsubscribing supports RFC 8058 one-click
(``POST`` with ``List-Unsubscribe=One-Click``) and a confirm page for people (``GET``).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from aiohttp import web
from sqlite_utils import Database

from bot.alerts.deadline_view import calendar_deadline
from bot.alerts.digest import DEADLINE_PROVIDERS
from bot.config import Config, HttpConfig
from bot.web.limits import BODY_LIMIT, ConnectionGate, GuardedSite, body_guard, security_headers
from feeds.factmodel import Event
from feeds.links import safe_link
from state import outbox, sources
from state.alerts import alerted_facts
from state.associations import member_by_token, opt_out_member
from state.calendar import sequence_for
from state.subscribers import Subscriber, find_by_action_token, find_by_calendar_token, set_status

log = logging.getLogger(__name__)

PRODID = "-//tradealert//關務快訊//ZH-TW"
ROSTER_MAX_BYTES = 4 * 1024 * 1024  # a member roster CSV uploaded in the console
LINE_WEBHOOK_MAX_BYTES = 1024 * 1024  # LINE's event batches are a few KB; read whole to check the signature


# ---- calendar ---------------------------------------------------------------------------
def _uid(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:24] + "@tradealert"


# Zones our sources write in; a fixed offset that matches one of them at that instant is shown
# in that named zone (VTIMEZONE included), anything else in UTC. Never a floating time.
_KNOWN_ZONES = (ZoneInfo("America/New_York"), ZoneInfo("Asia/Taipei"), ZoneInfo("America/Chicago"),
                ZoneInfo("America/Los_Angeles"))  # fmt: skip


def real_zone(when: datetime) -> datetime:
    offset = when.utcoffset()
    if isinstance(when.tzinfo, ZoneInfo):
        return when
    for zone in _KNOWN_ZONES:
        local = when.astimezone(zone)
        if local.utcoffset() == offset:
            return local
    return when.astimezone(UTC)


def _event_end(ev: Event, start: datetime) -> datetime | None:
    end = ev.end
    if end is not None and end.tzinfo is not None and end > start:
        return real_zone(end)
    return None


def _title_for(sub: Subscriber, title: str, facts: Any) -> str:
    """The announcement as this reader names it (English gist, 主旨 or Chinese title)."""
    from bot.understand.english import english_title
    from bot.understand.titles import title_zh
    from feeds.topics import topic_names

    if sub.language.startswith("en"):
        return english_title(facts, title, tz=sub.timezone)
    subject = next((x.subject for x in facts.letters if x.subject), None)
    return subject or title_zh(facts.title or title, facts, topic_names(list(facts.topics)), tz=sub.timezone)


def calendar_entries(db: Database, sub: Subscriber, today: date) -> list[dict[str, Any]]:
    """Everything on this subscriber's calendar: events of their alerts and their deadlines.

    A session is named as in the alert (「CAPE 線上說明會（第 1 場）」) in the reader's language,
    at its real time; a period by what it is (申請期間, 報名期間, 連假期間)."""
    from bot.understand.sessions import labelled_events, periods

    entries: list[dict[str, Any]] = []
    en = sub.language.startswith("en")
    for r in alerted_facts(db, sub.id):
        title = _title_for(sub, r.title, r.facts)
        for i, (ev, label) in enumerate(labelled_events(r.facts, lang=sub.language)):
            start = ev.start
            if start.tzinfo is not None:
                when: date = real_zone(start)
                end, duration, note = _event_end(ev, start), timedelta(hours=1), ""
            else:  # no zone in the text: an all-day entry on that date, never a guessed time
                when, end, duration = start.date(), None, None
                note = " (no time zone given)" if en else "（未註明時區）"
            entries.append(
                {
                    "uid": _uid(r.key, "event", str(i)),
                    "summary": f"{label} — {title}"[:250] + note,
                    "start": when,
                    "end": end,
                    "duration": duration,  # used when no end was written
                    "url": safe_link(ev.url) or safe_link(r.url),
                    "description": f"{title}\n{safe_link(r.url)}".strip(),
                }
            )
        for i, span in enumerate(periods(r.facts)):
            name = span.name(sub.language)
            entries.append(
                {
                    "uid": _uid(r.key, "period", str(i)),
                    "summary": f"{name[:1].upper()}{name[1:]} — {title}"[:250],
                    "start": span.first,
                    "end": span.last + timedelta(days=1),
                    "url": safe_link(r.url),
                    "description": f"{title}\n{safe_link(r.url)}".strip(),
                }
            )
    for provider in DEADLINE_PROVIDERS:
        for d in provider(db, sub.id, today):
            if d.item_key.startswith(("event:", "period:")):
                continue  # on the calendar already, at its real time, from the alert's facts
            entries.append(calendar_deadline(sub, d))
    return entries


def build_ics(db: Database, sub: Subscriber, now: datetime) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"關務快訊 {sub.name}")
    cal.add("x-wr-timezone", sub.timezone)
    today = now.astimezone(ZoneInfo(sub.timezone)).date()
    with db.atomic():
        for e in calendar_entries(db, sub, today):
            ev = icalendar.Event()
            content = json.dumps({k: str(v) for k, v in e.items()}, sort_keys=True, ensure_ascii=False)
            ev.add("uid", e["uid"])
            ev.add("sequence", sequence_for(db, sub.id, e["uid"], hashlib.sha1(content.encode()).hexdigest()))
            ev.add("dtstamp", now.astimezone(UTC))
            ev.add("summary", e["summary"])
            ev.add("dtstart", e["start"])
            if e.get("end"):
                ev.add("dtend", e["end"])
            elif e.get("duration"):
                ev.add("duration", e["duration"])
            if e.get("description"):
                ev.add("description", e["description"])
            if safe_link(e.get("url")):
                ev.add("url", e["url"])
            cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()


# ---- pages ------------------------------------------------------------------------------
def _page(title: str, body: str, status: int = 200) -> web.Response:
    doc = (
        f"<!DOCTYPE html><html lang='zh-Hant-TW'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width'><title>{html.escape(title)}</title></head>"
        f"<body style='font-family:sans-serif;max-width:40em;margin:2em auto'>{body}</body></html>"
    )
    return web.Response(text=doc, content_type="text/html", status=status, charset="utf-8")


def _not_found() -> web.Response:
    return _page("找不到 Not found", "<p>連結無效或已失效。This link is not valid.</p>", 404)


def make_app(
    db: Database, *, clock: Callable[[], datetime], last_sweeps: Callable[[], dict] | None = None,
    config: Config | None = None,
) -> web.Application:
    """``config`` adds the association console and, with a LINE channel secret, the LINE webhook."""
    http = config.http if config is not None else HttpConfig()
    # The largest body any route takes; each route's own cap is lower (bot.web.limits.body_guard).
    app = web.Application(client_max_size=ROSTER_MAX_BYTES, middlewares=[body_guard(http.body_timeout)])
    app[BODY_LIMIT] = {"/console/members/upload": ROSTER_MAX_BYTES, "/line/webhook": LINE_WEBHOOK_MAX_BYTES}
    app.on_response_prepare.append(security_headers)

    async def health(request: web.Request) -> web.Response:
        now = clock()
        srcs: list[dict[str, Any]] = [
            {
                "name": s.name,
                "last_status": s.last_status,
                "last_success_at": s.last_success_at.isoformat() if s.last_success_at else None,
                "consecutive_failures": s.consecutive_failures,
                "last_error": s.last_error,
            }
            for s in sources.all_sources(db)
        ]
        body: dict[str, Any] = {
            "status": "degraded" if any(s["consecutive_failures"] >= 3 for s in srcs) else "ok",
            "now": now.isoformat(),
            "sources": srcs,
            "outbox": outbox.backlog(db),
            "last_sweeps": {k: v.isoformat() for k, v in (last_sweeps() if last_sweeps else {}).items()},
        }
        if config is not None and config.line.enabled:
            body["line"] = await line_health(db, config, now)
        return web.json_response(body, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def calendar(request: web.Request) -> web.Response:
        sub = find_by_calendar_token(db, request.match_info["token"])  # read access only
        if sub is None:
            return _not_found()
        return web.Response(
            body=build_ics(db, sub, clock()),
            content_type="text/calendar",
            charset="utf-8",
            headers={"Cache-Control": "private, max-age=900"},
        )

    async def unsubscribe(request: web.Request) -> web.Response:
        sub = find_by_action_token(db, request.match_info["token"])  # never the calendar token
        if sub is None:
            return _not_found()
        if request.method == "POST":
            set_status(db, sub.id, "unsubscribed", "unsubscribe link")
            log.info("unsubscribed subscriber=%s via link", sub.id)
            return _page("已取消訂閱", "<p>已取消訂閱，您不會再收到關務快訊。</p><p>You are unsubscribed.</p>")
        return _page(
            "取消訂閱 Unsubscribe",
            f"<p>確定要取消 {html.escape(sub.name)} 的關務快訊訂閱嗎？</p>"
            "<form method='post'><button type='submit'>確定取消訂閱 Unsubscribe</button></form>",
        )

    async def optout(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if request.method == "POST":
            row = opt_out_member(db, token, clock())
            if row is None:
                return _not_found()
            return _page("已停止轉知", "<p>已停止接收公會轉知。You will no longer receive these forwards.</p>")
        exists = member_by_token(db, token)
        if exists is None:
            return _not_found()
        return _page(
            "停止接收公會轉知",
            f"<p>{html.escape(exists['firm'])}：確定不再接收公會轉知？</p>"
            "<form method='post'><button type='submit'>確定 Confirm</button></form>",
        )

    app.router.add_get("/health", health)
    app.router.add_get("/calendar/{token}.ics", calendar)
    app.router.add_route("*", "/unsubscribe/{token}", unsubscribe)
    app.router.add_route("*", "/optout/{token}", optout)
    if config is not None:
        from bot.web.console import add_console_routes

        add_console_routes(app, db, config, clock)
        if config.line.channel_secret is not None:
            from bot.line.webhook import make_webhook

            app.router.add_post("/line/webhook", make_webhook(db, config, clock))
    return app


LINE_QUOTA_MAX_AGE = timedelta(minutes=15)


async def line_health(db: Database, config: Config, now: datetime) -> dict | None:
    """The LINE quota for /health: stored figures, refreshed when older than 15 minutes."""
    import asyncio

    from bot.delivery.channels.line_api import quota_view, refresh_quota
    from state.line import get_quota

    q = get_quota(db)
    if q is None or now - q.checked_at > LINE_QUOTA_MAX_AGE:
        try:
            q = await asyncio.wait_for(refresh_quota(db, config.line, now), timeout=5)
        except TimeoutError:
            q = get_quota(db)
    return quota_view(q, config.line.quota_warn_below)


async def start_server(app: web.Application, listen: str | HttpConfig) -> web.AppRunner:
    """Serve ``app`` on ``listen`` ("host:port", or the [http] section with its limits): slow
    clients are cut off after ``header_timeout``, connections beyond ``max_connections`` get 503."""
    http = listen if isinstance(listen, HttpConfig) else HttpConfig(listen=listen)
    host, _, port = http.listen.rpartition(":")
    runner = web.AppRunner(
        app,
        access_log=None,  # access logs would contain the tokens
        keepalive_timeout=http.header_timeout,  # an idle or half-sent next request on a kept-alive connection
        max_line_size=8190,
        max_field_size=8190,
    )
    await runner.setup()
    assert runner.server is not None
    gate = ConnectionGate(runner.server, max_connections=http.max_connections, header_timeout=http.header_timeout)
    await GuardedSite(runner, host.strip("[]") or "127.0.0.1", int(port), gate).start()
    log.info("http listening on %s (max_connections=%d, header_timeout=%.0fs)", http.listen,
             http.max_connections, http.header_timeout)  # fmt: skip
    return runner
