"""The association console's one-time login links and sessions.

Only SHA-256 hashes of the tokens are stored: a copy of the database opens no console.
A login link works once and expires; a session expires and carries its own CSRF token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from state.db import iso


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    association_id: int
    actor: str  # channel:address of the admin, as in the audit log
    csrf: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _sane(token: str) -> bool:
    return bool(token) and len(token) <= 100


def create_login(db: Database, association_id: int, actor: str, *, now: datetime, ttl: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    db.execute(
        "INSERT INTO console_logins (token_hash, association_id, actor, created_at, expires_at) VALUES (?,?,?,?,?)",
        [_hash(token), association_id, actor, iso(now), iso(now + ttl)],
    )
    return token


def redeem_login(db: Database, token: str, *, now: datetime) -> tuple[int, str] | None:
    """(association id, actor) for a login link never used and not expired; marks it used."""
    if not _sane(token):
        return None
    with db.atomic():
        cur = db.execute(
            "UPDATE console_logins SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
            [iso(now), _hash(token), iso(now)],
        )
        if not cur.rowcount:
            return None
        row = next(db.query("SELECT association_id, actor FROM console_logins WHERE token_hash = ?", [_hash(token)]))
    return row["association_id"], row["actor"]


def create_session(
    db: Database, association_id: int, actor: str, *, now: datetime, ttl: timedelta
) -> tuple[str, ConsoleSession]:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with db.atomic():
        db.execute("DELETE FROM console_sessions WHERE expires_at <= ?", [iso(now)])
        db.execute("DELETE FROM console_logins WHERE expires_at <= ?", [iso(now - timedelta(days=30))])
        db.execute(
            "INSERT INTO console_sessions (session_hash, association_id, actor, csrf, created_at, expires_at)"
            " VALUES (?,?,?,?,?,?)",
            [_hash(token), association_id, actor, csrf, iso(now), iso(now + ttl)],
        )
    return token, ConsoleSession(association_id, actor, csrf)


def get_session(db: Database, token: str, *, now: datetime) -> ConsoleSession | None:
    if not _sane(token):
        return None
    row = next(
        db.query(
            "SELECT association_id, actor, csrf FROM console_sessions WHERE session_hash = ? AND expires_at > ?",
            [_hash(token), iso(now)],
        ),
        None,
    )
    return ConsoleSession(row["association_id"], row["actor"], row["csrf"]) if row else None


def end_session(db: Database, token: str) -> None:
    if _sane(token):
        db.execute("DELETE FROM console_sessions WHERE session_hash = ?", [_hash(token)])
