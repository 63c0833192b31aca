"""Subscribers (one per channel address) and their subscriptions (topic, keyword, source, all)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from feeds.errors import UserError
from feeds.hts import parse_hts_prefix
from feeds.safetext import visible
from state.db import iso
from state.schema_mail import new_token

CHANNELS = ("console", "file", "telegram", "email", "association", "line")
# "urgent" (a topic id) does not match by itself: it makes a digest subscriber's alerts on
# that topic go out at once instead of waiting for the digest.
# "mute" (a topic id) excludes announcements on that topic, whatever else matched them.
DIGEST_MODES = ("off", "daily", "weekly")  # off: each alert at once
SUBSCRIPTION_KINDS = ("all", "topic", "keyword", "source", "hts", "urgent", "mute")


@dataclass(frozen=True, slots=True)
class Subscriber:
    id: int
    name: str
    channel: str
    address: str
    language: str
    timezone: str
    quiet_hours: str | None
    digest: str
    digest_time: str
    status: str
    status_reason: str | None
    created_at: str
    # Two unguessable secrets: ``token`` reads (calendar feed URL, safe to share with a
    # colleague); ``action_token`` acts (unsubscribe link). One never does the other's job.
    token: str | None = None
    action_token: str | None = None


@dataclass(frozen=True, slots=True)
class Subscription:
    subscriber_id: int
    kind: str
    value: str


def _subscriber(row: dict) -> Subscriber:
    return Subscriber(**{f: row[f] for f in Subscriber.__dataclass_fields__})


def validate_address(channel: str, address: str) -> str:
    address = address.strip()
    if channel not in CHANNELS:
        raise UserError(
            f"不支援的通道「{channel}」，請用 {'、'.join(CHANNELS)}",
            f"unknown channel {channel!r}; use one of {', '.join(CHANNELS)}",
        )
    if "\n" in address or "\r" in address or not address:
        raise UserError("地址不可空白或含換行", "address must be one non-empty line")
    if channel == "telegram" and not re.fullmatch(r"-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31}", address):
        raise UserError(
            "Telegram 地址須為 chat id（數字）或 @頻道名稱",
            "a Telegram address is a numeric chat id or @channelname",
        )
    if channel == "line" and not re.fullmatch(r"U[0-9a-f]{32}", address):
        raise UserError(
            "LINE 地址須為使用者 ID（U 加 32 個十六進位字元）",
            "a LINE address is a user id: U followed by 32 hex digits",
        )
    if channel == "association" and not address.isdigit():
        raise UserError("公會通道地址須為公會編號", "an association channel address is the association id")
    if channel == "email" and not re.fullmatch(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+", address):
        raise UserError(f"電子郵件地址格式錯誤：{address}", f"invalid e-mail address: {address}")
    return address


def add_subscriber(
    db: Database,
    *,
    name: str,
    channel: str,
    address: str,
    now: datetime,
    language: str = "zh-TW",
    timezone: str = "Asia/Taipei",
) -> Subscriber:
    address = validate_address(channel, address)
    if language not in ("zh-TW", "en"):
        raise UserError("語言須為 zh-TW 或 en", "language must be zh-TW or en")
    with db.atomic():
        existing = find_by_address(db, channel, address)
        if existing is not None:
            raise UserError(
                f"此地址已是訂閱者 #{existing.id}", f"{channel}:{address} is already subscriber #{existing.id}"
            )
        cur = db.execute(
            "INSERT INTO subscribers (name, channel, address, language, timezone, created_at, token,"
            " action_token) VALUES (?,?,?,?,?,?,?,?)",
            [visible(name).strip() or address, channel, address, language, timezone, iso(now), new_token(), new_token()],
        )
    sub = get_subscriber(db, int(cur.lastrowid or 0))
    assert sub is not None
    return sub


def get_subscriber(db: Database, subscriber_id: int) -> Subscriber | None:
    row = next(db.query("SELECT * FROM subscribers WHERE id = ?", [subscriber_id]), None)
    return _subscriber(row) if row else None


def require_subscriber(db: Database, subscriber_id: int) -> Subscriber:
    sub = get_subscriber(db, subscriber_id)
    if sub is None:
        raise UserError(f"找不到訂閱者 #{subscriber_id}", f"no subscriber #{subscriber_id}")
    return sub


def find_by_calendar_token(db: Database, token: str) -> Subscriber | None:
    """The subscriber whose calendar (read-only) URL carries ``token``."""
    if not token or len(token) > 100:
        return None
    row = next(db.query("SELECT * FROM subscribers WHERE token = ?", [token]), None)
    return _subscriber(row) if row else None


def find_by_action_token(db: Database, token: str) -> Subscriber | None:
    """The subscriber whose unsubscribe link carries ``token`` (never the calendar token)."""
    if not token or len(token) > 100:
        return None
    row = next(db.query("SELECT * FROM subscribers WHERE action_token = ?", [token]), None)
    return _subscriber(row) if row else None


def rotate_tokens(db: Database, subscriber_id: int) -> Subscriber:
    """New calendar and action secrets: every calendar URL and unsubscribe link given out
    before stops working at once."""
    require_subscriber(db, subscriber_id)
    with db.atomic():
        db.execute(
            "UPDATE subscribers SET token = ?, action_token = ? WHERE id = ?",
            [new_token(), new_token(), subscriber_id],
        )
    return require_subscriber(db, subscriber_id)


def find_by_address(db: Database, channel: str, address: str) -> Subscriber | None:
    row = next(
        db.query("SELECT * FROM subscribers WHERE channel = ? AND address = ?", [channel, address]),
        None,
    )
    return _subscriber(row) if row else None


def list_subscribers(db: Database) -> list[Subscriber]:
    return [_subscriber(r) for r in db.query("SELECT * FROM subscribers ORDER BY id")]


def active_subscribers(db: Database) -> list[Subscriber]:
    return [_subscriber(r) for r in db.query("SELECT * FROM subscribers WHERE status = 'active' ORDER BY id")]


def remove_subscriber(db: Database, subscriber_id: int) -> None:
    """Delete the subscriber and everything that belongs to it (cascades)."""
    require_subscriber(db, subscriber_id)
    with db.atomic():
        db.execute("DELETE FROM subscribers WHERE id = ?", [subscriber_id])


def set_status(db: Database, subscriber_id: int, status: str, reason: str | None = None) -> None:
    db.execute(
        "UPDATE subscribers SET status = ?, status_reason = ? WHERE id = ?",
        [status, reason, subscriber_id],
    )


def update_subscriber(db: Database, subscriber_id: int, **fields: str | None) -> None:
    allowed = {"name", "address", "language", "timezone", "quiet_hours", "digest", "digest_time"}
    bad = set(fields) - allowed
    if bad:
        raise ValueError(f"cannot update {sorted(bad)}")
    if (name := fields.get("name")) is not None:
        fields["name"] = visible(name)  # a Telegram chat title, a typed name
    if fields:
        cols = ", ".join(f"{k} = ?" for k in fields)
        db.execute(f"UPDATE subscribers SET {cols} WHERE id = ?", [*fields.values(), subscriber_id])


def subscribe(db: Database, subscriber_id: int, kind: str, value: str, *, now: datetime) -> bool:
    """Add a subscription; returns False when it was already there."""
    require_subscriber(db, subscriber_id)
    if kind not in SUBSCRIPTION_KINDS:
        raise UserError(
            f"訂閱種類須為 {'、'.join(SUBSCRIPTION_KINDS)}",
            f"subscription kind must be one of {', '.join(SUBSCRIPTION_KINDS)}",
        )
    value = "" if kind == "all" else visible(value).strip()
    if kind != "all" and not value:
        raise UserError("訂閱內容不可空白", f"a {kind} subscription needs a value")
    if kind == "hts":  # one form whatever was typed (CLI, Telegram): ８４７１．３０ → 8471.30
        value = parse_hts_prefix(value)
    with db.atomic():
        cur = db.execute(
            "INSERT OR IGNORE INTO subscriptions (subscriber_id, kind, value, created_at) VALUES (?,?,?,?)",
            [subscriber_id, kind, value, iso(now)],
        )
    return bool(cur.rowcount)


def unsubscribe(db: Database, subscriber_id: int, kind: str, value: str) -> bool:
    values = {"" if kind == "all" else value.strip()}
    if kind == "hts":
        try:
            values.add(parse_hts_prefix(value))
        except UserError:
            pass  # a value stored before prefixes were normalised is still removable as typed
    with db.atomic():
        removed = sum(
            db.execute(
                "DELETE FROM subscriptions WHERE subscriber_id = ? AND kind = ? AND value = ?",
                [subscriber_id, kind, v],
            ).rowcount
            for v in values
        )
    return bool(removed)


def subscriptions_of(db: Database, subscriber_id: int) -> list[Subscription]:
    return [
        Subscription(r["subscriber_id"], r["kind"], r["value"])
        for r in db.query(
            "SELECT * FROM subscriptions WHERE subscriber_id = ? ORDER BY kind, value", [subscriber_id]
        )
    ]


def all_subscriptions(db: Database) -> dict[int, list[Subscription]]:
    out: dict[int, list[Subscription]] = {}
    for r in db.query(
        "SELECT s.* FROM subscriptions s JOIN subscribers u ON u.id = s.subscriber_id"
        " WHERE u.status = 'active' ORDER BY s.subscriber_id, s.kind, s.value"
    ):
        out.setdefault(r["subscriber_id"], []).append(Subscription(r["subscriber_id"], r["kind"], r["value"]))
    return out


def digest_due(db: Database, now: datetime) -> list[Subscriber]:
    """Active digest subscribers whose next digest time has come ('' = not computed yet),
    through the partial index ``subscribers_digest_due`` — not every subscriber."""
    return [
        _subscriber(r)
        for r in db.query(
            "SELECT * FROM subscribers WHERE digest != 'off' AND status = 'active' AND digest_due_at <= ?"
            " ORDER BY digest_due_at, id",
            [iso(now)],
        )
    ]


def set_digest_due(db: Database, subscriber_id: int, when: datetime | None) -> None:
    """When the digest sweep should look at this subscriber next."""
    db.execute(
        "UPDATE subscribers SET digest_due_at = ? WHERE id = ?", [iso(when) if when else "", subscriber_id]
    )
