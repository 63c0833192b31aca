"""LINE: accepted push requests per outbox row, binding codes, and the month's quota."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from feeds.errors import UserError
from state.db import from_iso, iso
from state.subscribers import Subscriber, find_by_address, get_subscriber, require_subscriber

# Binding codes: 8 characters from an alphabet without look-alikes (0/O, 1/I/L), shown as XXXX-XXXX.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


# ---- push requests ----------------------------------------------------------------------
def accepted_requests(db: Database, outbox_id: int) -> dict[int, str | None]:
    return {
        r["request_index"]: r["request_id"]
        for r in db.query("SELECT request_index, request_id FROM line_requests WHERE outbox_id = ?", [outbox_id])
    }


def record_request(db: Database, outbox_id: int, index: int, request_id: str | None, now: datetime) -> None:
    with db.atomic():
        db.execute(
            "INSERT OR IGNORE INTO line_requests (outbox_id, request_index, request_id, at) VALUES (?,?,?,?)",
            [outbox_id, index, request_id, iso(now)],
        )


# ---- binding codes ----------------------------------------------------------------------
def normalize_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    raw = text.strip().upper()
    code = normalize_code(raw)
    return len(code) == 8 and len(raw) <= 9 and all(c in CODE_ALPHABET for c in code)


def create_link_code(db: Database, subscriber_id: int, *, now: datetime, ttl: timedelta) -> str:
    """A one-time code that binds whoever sends it from LINE to subscriber ``subscriber_id``."""
    sub = require_subscriber(db, subscriber_id)
    if sub.channel == "association":
        raise UserError("公會本身不能綁定 LINE；請綁定會員或管理者", "an association itself cannot be bound to LINE")
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    with db.atomic():
        db.execute(
            "INSERT INTO line_link_codes (code_hash, subscriber_id, created_at, expires_at) VALUES (?,?,?,?)",
            [_hash(code), subscriber_id, iso(now), iso(now + ttl)],
        )
    return f"{code[:4]}-{code[4:]}"


# Wrong codes a LINE user may send per hour. With 31^8 ≈ 8.5e11 codes, a handful of live ones
# and this limit, guessing one takes millions of LINE accounts; a person who mistyped waits.
CODE_FAILURES_PER_HOUR = 5
_TOO_MANY = (
    "綁定碼錯誤次數過多，請一小時後再試（或向管理者索取新的綁定碼）",
    "too many wrong binding codes; try again in an hour (or ask for a new code)",
)
_INVALID = ("綁定碼無效、已使用或已過期", "the binding code is unknown, used or expired")


def _recent_failures(db: Database, line_user: str, now: datetime) -> int:
    row = next(db.query(
        "SELECT count(*) AS n FROM line_code_failures WHERE line_user = ? AND at > ?",
        [line_user, iso(now - timedelta(hours=1))],
    ))  # fmt: skip
    return int(row["n"])


def redeem_link_code(db: Database, code: str, line_user: str, *, now: datetime) -> Subscriber:
    """Bind ``line_user`` to the code's subscriber: that subscriber now receives on LINE.

    A subscriber the LINE user already had (created by following the account) is merged into
    the target: its subscriptions and association memberships move over, then it is removed.
    Raises ``UserError`` for an unknown, used or expired code, and for every code (even a
    right one) once this LINE user sent ``CODE_FAILURES_PER_HOUR`` wrong ones in the last hour.
    """
    with db.atomic():
        if _recent_failures(db, line_user, now) >= CODE_FAILURES_PER_HOUR:
            raise UserError(*_TOO_MANY)
        row = next(db.query("SELECT * FROM line_link_codes WHERE code_hash = ?", [_hash(code)]), None)
        valid = row is not None and row["used_at"] is None and (from_iso(row["expires_at"]) or now) > now
        if valid:
            assert row is not None
            target = _bind(db, row, line_user, now)
    if not valid:
        with db.atomic():
            db.execute("INSERT INTO line_code_failures (line_user, at) VALUES (?,?)", [line_user, iso(now)])
            db.execute("DELETE FROM line_code_failures WHERE at < ?", [iso(now - timedelta(days=1))])
        raise UserError(*_INVALID)
    linked = get_subscriber(db, target.id)
    assert linked is not None
    return linked


def _bind(db: Database, row: dict, line_user: str, now: datetime) -> Subscriber:
    target = require_subscriber(db, row["subscriber_id"])
    own = find_by_address(db, "line", line_user)
    if own is not None and own.id != target.id:
        db.execute(
            "INSERT OR IGNORE INTO subscriptions (subscriber_id, kind, value, created_at)"
            " SELECT ?, kind, value, created_at FROM subscriptions WHERE subscriber_id = ?",
            [target.id, own.id],
        )
        db.execute(
            "UPDATE OR IGNORE member_contacts SET subscriber_id = ? WHERE subscriber_id = ?", [target.id, own.id]
        )
        db.execute("DELETE FROM subscribers WHERE id = ?", [own.id])
    db.execute(
        "UPDATE subscribers SET channel = 'line', address = ?, status = 'active', status_reason = NULL"
        " WHERE id = ?",
        [line_user, target.id],
    )
    db.execute(
        "UPDATE line_link_codes SET used_at = ?, used_by = ? WHERE code_hash = ?", [iso(now), line_user, row["code_hash"]]
    )
    return target


# ---- webhook events -----------------------------------------------------------------------
EVENT_MEMORY = timedelta(days=7)  # LINE redelivers for far less; a replay older than this is refused by age


def first_delivery(db: Database, event_id: str | None, now: datetime) -> bool:
    """True the first time LINE's ``webhookEventId`` is seen; call it inside the transaction
    that applies the event, so an event that failed is applied when LINE sends it again."""
    if not event_id:
        return True
    cur = db.execute("INSERT OR IGNORE INTO line_webhook_events (event_id, at) VALUES (?,?)", [event_id[:100], iso(now)])
    return bool(cur.rowcount)


def forget_old_events(db: Database, now: datetime) -> None:
    db.execute("DELETE FROM line_webhook_events WHERE at < ?", [iso(now - EVENT_MEMORY)])


# ---- quota ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Quota:
    kind: str  # "limited" | "none"
    quota: int | None
    used: int
    checked_at: datetime
    error: str | None = None

    @property
    def remaining(self) -> int | None:
        return None if self.quota is None or self.kind != "limited" else max(self.quota - self.used, 0)


def store_quota(db: Database, *, kind: str, quota: int | None, used: int, now: datetime) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO line_quota (id, kind, quota, used, checked_at, error) VALUES (1,?,?,?,?,NULL)"
            " ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, quota = excluded.quota,"
            " used = excluded.used, checked_at = excluded.checked_at, error = NULL",
            [kind, quota, used, iso(now)],
        )


def quota_error(db: Database, error: str, now: datetime) -> None:
    """LINE could not be asked: keep the last figures, note why they are old."""
    with db.atomic():
        db.execute(
            "INSERT INTO line_quota (id, kind, used, checked_at, error) VALUES (1,'unknown',0,?,?)"
            " ON CONFLICT(id) DO UPDATE SET error = excluded.error",
            [iso(now), error[:300]],
        )


def add_usage(db: Database, messages: int) -> None:
    """Messages we sent since LINE last reported (LINE's own count lags a little)."""
    db.execute("UPDATE line_quota SET used = used + ? WHERE id = 1", [messages])


def get_quota(db: Database) -> Quota | None:
    row = next(db.query("SELECT * FROM line_quota WHERE id = 1"), None)
    if row is None:
        return None
    checked = from_iso(row["checked_at"])
    assert checked is not None
    return Quota(row["kind"], row["quota"], row["used"], checked, row["error"])
