"""Admin CLI for LINE and the association console.

``run.py subscriber link-code ID`` (bind a LINE user to an existing subscriber),
``run.py association console-url ASSOC_ID --by ADMIN`` (a one-time console login link), and
the LINE quota row of ``run.py sources``.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.config import Config
from feeds.errors import UserError
from state import associations as store
from state import console as console_store
from state import line as linestate

LINK_CODE_TTL = timedelta(days=7)


def add_parsers(subscriber_actions: argparse._SubParsersAction) -> None:
    lc = subscriber_actions.add_parser(
        "link-code", help="a one-time code that binds a LINE user to this subscriber (send it to the LINE account)"
    )
    lc.add_argument("id", type=int)


def add_association_parsers(association_actions: argparse._SubParsersAction) -> None:
    cu = association_actions.add_parser("console-url", help="a one-time login link to the association's web console")
    cu.add_argument("id", type=int)
    cu.add_argument("--by", required=True, help="the admin: email:<address> or telegram:<chat id>")


def link_code(db: Database, subscriber_id: int, now: datetime) -> None:
    code = linestate.create_link_code(db, subscriber_id, now=now, ttl=LINK_CODE_TTL)
    expires = (now + LINK_CODE_TTL).date().isoformat()
    print(code)
    print(
        f"將此綁定碼傳給 LINE 官方帳號即可綁定訂閱者 #{subscriber_id}（限用一次，{expires} 前有效）。\n"
        f"Send this code to the LINE account to bind it to subscriber #{subscriber_id} (once, until {expires})."
    )


def console_login_url(db: Database, config: Config, association_id: int, actor: str, now: datetime) -> str:
    """A fresh one-time login URL for ``actor``, who must be an admin of the association."""
    a = store.require_association(db, association_id)
    actor = actor.strip()
    if not store.is_admin(db, a.id, actor):
        raise UserError(
            f"「{actor}」不是「{a.name}」的管理者（格式 email:地址 或 telegram:chat id）",
            f"{actor!r} is not an admin of {a.name} (use email:<address> or telegram:<chat id>)",
        )
    ttl = timedelta(seconds=config.http.console_login_ttl)
    token = console_store.create_login(db, a.id, actor, now=now, ttl=ttl)
    return f"{config.http.public_url.rstrip('/')}/console/login/{token}"


def console_url(db: Database, config: Config, association_id: int, actor: str, now: datetime) -> None:
    print(console_login_url(db, config, association_id, actor, now))


def line_quota_row(db: Database, config: Config, now: datetime) -> dict | None:
    """The LINE quota as one more row of `run.py sources` (asked live, stored figures if LINE is unreachable)."""
    if not config.line.enabled:
        return None
    from bot.delivery.channels.line_api import quota_view, refresh_quota

    q = asyncio.run(refresh_quota(db, config.line, now))
    view = quota_view(q, config.line.quota_warn_below)
    if view is None:
        return None
    status = "error" if view["error"] else ("warning" if view["warning"] else "ok")
    return {
        "name": "line",
        "kind": "line_quota",
        "url": config.line.api_base,
        "last_status": status,
        "last_success_at": view["checked_at"],
        "consecutive_failures": 1 if view["error"] else 0,
        "last_error": view["error"] or view["warning"],
        "quota": view,
    }


def quota_text(row: dict) -> str:
    q = row["quota"]
    limit = "unlimited" if q["quota"] is None else q["quota"]
    text = f"{'line (quota)':<24} {row['last_status']:<12} used={q['used']} quota={limit} remaining={q['remaining']}"
    return text + (f" ⚠ {row['last_error']}" if row["last_error"] else "")
