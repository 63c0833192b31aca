"""The outbox: the only way anything is sent.

One row per (subscriber, message key), so enqueueing is idempotent. The delivery worker
claims due rows (status ``sending``), hands them to a channel, and records every attempt in
``deliveries``. A row left ``sending`` by a killed process is put back to ``pending`` at
start (``recover_inflight``): that one message may go out twice — the at-least-once window.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from state.db import iso


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    subscriber_id: int
    message_key: str
    kind: str
    channel: str
    address: str
    language: str
    subject: str
    text: str
    html: tuple[str, ...]
    payload: dict = field(hash=False)
    attempts: int  # including the one being made now
    token: str | None = None  # the recipient's action (unsubscribe) token, never the calendar one


def enqueue(
    db: Database,
    *,
    subscriber_id: int,
    message_key: str,
    kind: str,
    text: str,
    now: datetime,
    html: Sequence[str] = (),
    subject: str = "",
    payload: dict | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue a message unless this subscriber already has one with this key. True if new."""
    cur = db.execute(
        "INSERT OR IGNORE INTO outbox (subscriber_id, message_key, kind, subject, text, html,"
        " payload, created_at, next_attempt_at) VALUES (?,?,?,?,?,?,?,?,?)",
        [
            subscriber_id,
            message_key,
            kind,
            subject,
            text,
            json.dumps(list(html), ensure_ascii=False),
            json.dumps(payload or {}, ensure_ascii=False, default=str),
            iso(now),
            iso(max(now, not_before) if not_before else now),
        ],
    )
    return bool(cur.rowcount)


# A row queued by fan-out keeps its body in ``renderings`` (one per distinct rendering); these
# columns bring it back beside the row's own, and ``resolve`` puts them in place.
RENDERED = "r.subject AS r_subject, r.text AS r_text, r.html AS r_html, r.payload AS r_payload"


def resolve(row: dict) -> dict:
    """A row selected with ``RENDERED``: subject, text, html, payload from its rendering."""
    if row.get("r_text") is not None:
        row.update(subject=row["r_subject"], text=row["r_text"], html=row["r_html"], payload=row["r_payload"])
    for k in ("r_subject", "r_text", "r_html", "r_payload"):
        row.pop(k, None)
    return row


@dataclass(frozen=True, slots=True)
class Rendered:
    """One row of a fan-out: a recipient, a stored rendering, when it may be sent."""

    subscriber_id: int
    rendering_id: int
    not_before: str  # iso() text


def enqueue_rendered(db: Database, rows: Sequence[Rendered], *, message_key: str, kind: str, now: datetime) -> int:
    """Queue many rows that share renderings (one statement); rows already there are kept.
    Returns how many were new. Call inside ``db.atomic()``."""
    created = iso(now)
    cur = db.conn.executemany(
        "INSERT OR IGNORE INTO outbox (subscriber_id, message_key, kind, text, created_at,"
        " next_attempt_at, rendering_id) VALUES (?,?,?,'',?,?,?)",
        [(r.subscriber_id, message_key, kind, created, max(created, r.not_before), r.rendering_id) for r in rows],
    )
    return cur.rowcount  # summed over the rows (trigger changes not counted)


def recover_inflight(db: Database) -> int:
    """Rows a killed worker left in ``sending`` go back to ``pending``; returns how many."""
    with db.atomic():
        cur = db.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
    return cur.rowcount


def claim_due(db: Database, *, now: datetime, limit: int, channels: Sequence[str]) -> list[OutboxMessage]:
    """Up to ``limit`` due rows for active subscribers on ``channels`` (not yet marked).

    Rows stay ``pending`` until ``begin_attempt`` takes each one just before its send, so a
    kill leaves at most the message(s) actually in flight in ``sending``, never a whole batch.
    """
    if not channels:
        return []
    marks = ",".join("?" for _ in channels)
    rows = db.query(
        f"SELECT o.*, {RENDERED}, s.channel, s.address, s.language, s.action_token AS token FROM outbox o"
        " LEFT JOIN renderings r ON r.id = o.rendering_id"
        " JOIN subscribers s ON s.id = o.subscriber_id"
        f" WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND s.status = 'active'"
        f" AND s.channel IN ({marks}) ORDER BY o.next_attempt_at, o.id LIMIT ?",
        [iso(now), *channels, limit],
    )
    return [
        OutboxMessage(
            id=r["id"],
            subscriber_id=r["subscriber_id"],
            message_key=r["message_key"],
            kind=r["kind"],
            channel=r["channel"],
            address=r["address"],
            language=r["language"],
            subject=r["subject"],
            text=r["text"],
            html=tuple(json.loads(r["html"])),
            payload=json.loads(r["payload"]),
            attempts=r["attempts"] + 1,
            token=r["token"],
        )
        for r in map(resolve, rows)
    ]


def begin_attempt(db: Database, outbox_id: int, *, holder: str | None = None) -> bool:
    """Mark one claimed row ``sending`` (committed) right before it is handed to a channel.

    False when the row is no longer pending (another worker took it, or it was cancelled), or
    when ``holder`` is given and no longer holds the service lease (``state/lease.py``): a
    process that lost the lease cannot start a send.
    """
    fence = " AND EXISTS (SELECT 1 FROM service_lease WHERE holder = ?)" if holder is not None else ""
    with db.atomic():
        cur = db.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1"
            " WHERE id = ? AND status = 'pending'" + fence,
            [outbox_id] + ([holder] if holder is not None else []),
        )
    return bool(cur.rowcount)


def _record(db: Database, outbox_id: int, now: datetime, outcome: str, detail: str | None) -> None:
    attempt = next(db.query("SELECT attempts FROM outbox WHERE id = ?", [outbox_id]))["attempts"]
    db.execute(
        "INSERT INTO deliveries (outbox_id, attempt, at, outcome, detail) VALUES (?,?,?,?,?)",
        [outbox_id, attempt, iso(now), outcome, (detail or "")[:1000] or None],
    )


def mark_sent(db: Database, outbox_id: int, *, now: datetime, detail: str | None = None) -> None:
    with db.atomic():
        db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?",
            [iso(now), outbox_id],
        )
        _record(db, outbox_id, now, "sent", detail)


def mark_retry(db: Database, outbox_id: int, *, now: datetime, retry_at: datetime, error: str) -> None:
    with db.atomic():
        db.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ?",
            [iso(retry_at), error[:1000], outbox_id],
        )
        _record(db, outbox_id, now, "retry", error)


def mark_failed(db: Database, outbox_id: int, *, now: datetime, error: str) -> None:
    with db.atomic():
        db.execute(
            "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", [error[:1000], outbox_id]
        )
        _record(db, outbox_id, now, "failed", error)


def mark_held(db: Database, outbox_id: int, *, now: datetime, error: str) -> None:
    """The recipient cannot receive (blocked the bot, mailbox gone): keep the row, stop trying."""
    with db.atomic():
        db.execute(
            "UPDATE outbox SET status = 'pending', attempts = attempts - 1, last_error = ? WHERE id = ?",
            [error[:1000], outbox_id],
        )
        _record(db, outbox_id, now, "held", error)


def mark_deferred(db: Database, outbox_id: int, *, retry_at: datetime) -> None:
    """Not attempted (the channel's pacing said later): back to pending, attempt not counted."""
    with db.atomic():
        db.execute(
            "UPDATE outbox SET status = 'pending', attempts = attempts - 1, next_attempt_at = ?"
            " WHERE id = ?",
            [iso(retry_at), outbox_id],
        )


def backlog(db: Database) -> dict[str, int]:
    return {r["status"]: r["n"] for r in db.query("SELECT status, count(*) AS n FROM outbox GROUP BY status")}


def messages_for(db: Database, subscriber_id: int) -> list[dict]:
    return [
        resolve(r)
        for r in db.query(
            f"SELECT o.*, {RENDERED} FROM outbox o LEFT JOIN renderings r ON r.id = o.rendering_id"
            " WHERE o.subscriber_id = ? ORDER BY o.id",
            [subscriber_id],
        )
    ]


def payload_of(db: Database, outbox_id: int) -> tuple[str, str] | None:
    """(kind, payload JSON) of one row, from its rendering where it has one."""
    row = db.execute(
        "SELECT o.kind, coalesce(r.payload, o.payload) FROM outbox o"
        " LEFT JOIN renderings r ON r.id = o.rendering_id WHERE o.id = ?",
        [outbox_id],
    ).fetchone()
    return (row[0], row[1]) if row else None


def has_message(db: Database, subscriber_id: int, message_key: str) -> bool:
    return next(
        db.query("SELECT 1 FROM outbox WHERE subscriber_id = ? AND message_key = ?", [subscriber_id, message_key]),
        None,
    ) is not None


def next_due_at(db: Database, channel: str) -> datetime | None:
    """When the earliest pending row of ``channel`` (active subscribers) becomes due."""
    row = next(
        db.query(
            "SELECT min(o.next_attempt_at) AS at FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id"
            " WHERE o.status = 'pending' AND s.status = 'active' AND s.channel = ?",
            [channel],
        )
    )
    return datetime.fromisoformat(row["at"]) if row["at"] else None


def due_count(db: Database, *, now: datetime) -> int:
    """Rows due now for active subscribers (what a drain would still send)."""
    return next(
        db.query(
            "SELECT count(*) AS n FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id"
            " WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND s.status = 'active'",
            [iso(now)],
        )
    )["n"]
