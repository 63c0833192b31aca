"""Associations (公會): admins, member roster, forwards awaiting approval, and the audit log.

An association is matched like any subscriber: it owns a subscriber row on the internal
``association`` channel whose subscriptions are its topic filters. Its alerts reach the
outbox like everyone's and the association channel turns each into a forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from feeds.errors import UserError
from feeds.safetext import visible
from state.db import iso
from state.schema_mail import new_token
from state.subscribers import add_subscriber, find_by_address, validate_address

MODES = ("approval", "auto")


@dataclass(frozen=True, slots=True)
class Association:
    id: int
    subscriber_id: int
    name: str
    letterhead: str
    ref_prefix: str
    ref_seq: int
    mode: str


@dataclass(frozen=True, slots=True)
class Forward:
    id: int
    association_id: int
    announcement_key: str
    ref_no: str
    issued_on: str
    subject: str
    body: str
    status: str
    decided_by: str | None


def _assoc(row: dict) -> Association:
    return Association(**{f: row[f] for f in Association.__dataclass_fields__})


def _forward(row: dict) -> Forward:
    return Forward(**{f: row[f] for f in Forward.__dataclass_fields__})


def create_association(
    db: Database, *, name: str, ref_prefix: str, now: datetime, letterhead: str = "", mode: str = "approval"
) -> Association:
    name = name.strip()
    if not name or "\n" in name:
        raise UserError("公會名稱不可空白或含換行", "association name must be one non-empty line")
    if mode not in MODES:
        raise UserError("模式須為 approval 或 auto", "mode must be approval or auto")
    if not ref_prefix.strip() or len(ref_prefix) > 20:
        raise UserError("發文字號字首須為 1–20 字", "reference prefix must be 1–20 characters")
    if next(db.query("SELECT id FROM associations WHERE name = ?", [name]), None):
        raise UserError(f"公會「{name}」已存在", f"association {name!r} already exists")
    with db.atomic():
        seq = next(db.query("SELECT coalesce(max(id), 0) + 1 AS n FROM associations"))["n"]
        sub = add_subscriber(db, name=name, channel="association", address=str(seq), now=now)
        db.execute(
            "INSERT INTO associations (id, subscriber_id, name, letterhead, ref_prefix, mode, created_at)"
            " VALUES (?,?,?,?,?,?,?)",
            [seq, sub.id, name, letterhead.strip(), ref_prefix.strip(), mode, iso(now)],
        )
    return require_association(db, seq)


def get_association(db: Database, association_id: int) -> Association | None:
    row = next(db.query("SELECT * FROM associations WHERE id = ?", [association_id]), None)
    return _assoc(row) if row else None


def require_association(db: Database, association_id: int) -> Association:
    a = get_association(db, association_id)
    if a is None:
        raise UserError(f"找不到公會 #{association_id}", f"no association #{association_id}")
    return a


def association_of_subscriber(db: Database, subscriber_id: int) -> Association | None:
    row = next(db.query("SELECT * FROM associations WHERE subscriber_id = ?", [subscriber_id]), None)
    return _assoc(row) if row else None


def list_associations(db: Database) -> list[Association]:
    return [_assoc(r) for r in db.query("SELECT * FROM associations ORDER BY id")]


def set_mode(db: Database, association_id: int, mode: str) -> None:
    if mode not in MODES:
        raise UserError("模式須為 approval 或 auto", "mode must be approval or auto")
    db.execute("UPDATE associations SET mode = ? WHERE id = ?", [mode, association_id])


def add_admin(db: Database, association_id: int, channel: str, address: str) -> None:
    require_association(db, association_id)
    if channel not in ("telegram", "email"):
        raise UserError("管理者須以 telegram 或 email 聯絡", "an admin is reached by telegram or email")
    address = validate_address(channel, address)
    with db.atomic():
        db.execute(
            "INSERT OR IGNORE INTO association_admins (association_id, channel, address) VALUES (?,?,?)",
            [association_id, channel, address],
        )


def admins(db: Database, association_id: int) -> list[tuple[str, str]]:
    return [
        (r["channel"], r["address"])
        for r in db.query(
            "SELECT channel, address FROM association_admins WHERE association_id = ? ORDER BY id",
            [association_id],
        )
    ]


def is_admin(db: Database, association_id: int, actor: str) -> bool:
    """``actor`` is ``channel:address`` (e.g. ``telegram:12345`` or ``email:a@b.tw``)."""
    channel, _, address = actor.partition(":")
    return (channel, address.strip()) in admins(db, association_id)


def contact_subscriber(db: Database, channel: str, address: str, name: str, now: datetime) -> int:
    """The subscriber row that delivers to this contact (shared if it already exists)."""
    address = validate_address(channel, address)
    existing = find_by_address(db, channel, address)
    if existing is not None:
        return existing.id
    return add_subscriber(db, name=name, channel=channel, address=address, now=now).id


def add_member(
    db: Database, association_id: int, firm: str, contacts: list[tuple[str, str]], *, now: datetime
) -> tuple[int, bool]:
    """Add (or extend) a member firm with its contacts. Returns (member id, created)."""
    firm = " ".join(visible(firm).split())
    if not firm:
        raise UserError("會員名稱不可空白", "member firm name is empty")
    if len(firm) > 200:
        raise UserError("會員名稱過長（最多 200 字）", "member firm name is too long (max 200)")
    row = next(
        db.query("SELECT id FROM members WHERE association_id = ? AND firm = ?", [association_id, firm]), None
    )
    created = row is None
    if created:
        cur = db.execute(
            "INSERT INTO members (association_id, firm, token, created_at) VALUES (?,?,?,?)",
            [association_id, firm, new_token(), iso(now)],
        )
        member_id = int(cur.lastrowid or 0)
    else:
        member_id = row["id"]  # type: ignore[index]  # row is set when not created
    for channel, address in contacts:
        sid = contact_subscriber(db, channel, address, firm, now)
        db.execute("INSERT OR IGNORE INTO member_contacts (member_id, subscriber_id) VALUES (?,?)", [member_id, sid])
    return member_id, created


def members(db: Database, association_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT m.id, m.firm, m.opted_out_at, group_concat(s.channel || ':' || s.address, ' ') AS contacts"
            " FROM members m LEFT JOIN member_contacts c ON c.member_id = m.id"
            " LEFT JOIN subscribers s ON s.id = c.subscriber_id"
            " WHERE m.association_id = ? GROUP BY m.id ORDER BY m.id",
            [association_id],
        )
    )


def member_recipients(db: Database, association_id: int) -> list[tuple[str, int]]:
    """(member's opt-out token, subscriber id) for every contact of every member still opted in."""
    return [
        (r["token"], r["subscriber_id"])
        for r in db.query(
            "SELECT m.token, c.subscriber_id FROM member_contacts c JOIN members m ON m.id = c.member_id"
            " WHERE m.association_id = ? AND m.opted_out_at IS NULL ORDER BY c.member_id, c.subscriber_id",
            [association_id],
        )
    ]


def member_by_token(db: Database, token: str) -> dict | None:
    if not token or len(token) > 100:
        return None
    return next(db.query("SELECT * FROM members WHERE token = ?", [token]), None)


def opt_out_member(db: Database, token: str, now: datetime) -> dict | None:
    row = member_by_token(db, token)
    if row is None:
        return None
    if row["opted_out_at"] is None:
        db.execute("UPDATE members SET opted_out_at = ? WHERE id = ?", [iso(now), row["id"]])
        audit(db, row["association_id"], None, now, f"member:{row['id']}", "opt_out", row["firm"])
    return row


def next_ref(db: Database, association_id: int, roc_year: int) -> str:
    """The association's own 發文字號: ``<prefix>字第<ROC year><4-digit seq>號``."""
    db.execute("UPDATE associations SET ref_seq = ref_seq + 1 WHERE id = ?", [association_id])
    a = require_association(db, association_id)
    return f"{a.ref_prefix}字第{roc_year}{a.ref_seq:04d}號"


def create_forward(
    db: Database, association_id: int, announcement_key: str, *, subject: str, body: str, issued_on: str,
    roc_year: int, status: str, now: datetime,
) -> tuple[Forward, bool]:
    """The association's forward of one announcement (one per pair). Returns (forward, created)."""
    row = next(
        db.query(
            "SELECT * FROM forwards WHERE association_id = ? AND announcement_key = ?",
            [association_id, announcement_key],
        ),
        None,
    )
    if row is not None:
        return _forward(row), False
    ref = next_ref(db, association_id, roc_year)
    cur = db.execute(
        "INSERT INTO forwards (association_id, announcement_key, ref_no, issued_on, subject, body, status,"
        " created_at) VALUES (?,?,?,?,?,?,?,?)",
        [association_id, announcement_key, ref, issued_on, subject, body, status, iso(now)],
    )
    return require_forward(db, int(cur.lastrowid or 0)), True


def require_forward(db: Database, forward_id: int) -> Forward:
    row = next(db.query("SELECT * FROM forwards WHERE id = ?", [forward_id]), None)
    if row is None:
        raise UserError(f"找不到轉知 #{forward_id}", f"no forward #{forward_id}")
    return _forward(row)


def forwards(db: Database, association_id: int, status: str | None = None) -> list[Forward]:
    sql = "SELECT * FROM forwards WHERE association_id = ?"
    args: list = [association_id]
    if status:
        sql += " AND status = ?"
        args.append(status)
    return [_forward(r) for r in db.query(sql + " ORDER BY id", args)]


def decide(db: Database, forward_id: int, status: str, actor: str, now: datetime, body: str | None = None) -> None:
    sets, args = "status = ?, decided_by = ?, decided_at = ?", [status, actor, iso(now)]
    if body is not None:
        sets += ", body = ?"
        args.append(body)
    db.execute(f"UPDATE forwards SET {sets} WHERE id = ?", [*args, forward_id])


def set_body(db: Database, forward_id: int, body: str) -> None:
    db.execute("UPDATE forwards SET body = ? WHERE id = ?", [body, forward_id])


def audit(
    db: Database, association_id: int, forward_id: int | None, now: datetime, actor: str, action: str, detail: str = ""
) -> None:
    db.execute(
        "INSERT INTO audit_log (association_id, forward_id, at, actor, action, detail) VALUES (?,?,?,?,?,?)",
        [association_id, forward_id, iso(now), actor, action, visible(detail)[:1000]],  # e.g. an upload's file name
    )


def audit_rows(db: Database, association_id: int) -> list[dict]:
    """The audit log joined with each forward's delivery results, for CSV export."""
    log_rows = list(
        db.query(
            "SELECT l.at, l.actor, l.action, f.ref_no, l.detail, '' AS recipient, '' AS result, '' AS error"
            " FROM audit_log l LEFT JOIN forwards f ON f.id = l.forward_id"
            " WHERE l.association_id = ? ORDER BY l.id",
            [association_id],
        )
    )
    deliveries = list(
        db.query(
            "SELECT coalesce(o.sent_at, o.created_at) AS at, 'tradealert' AS actor, 'delivery' AS action,"
            " f.ref_no, m.firm AS detail, s.channel || ':' || s.address AS recipient, o.status AS result,"
            " coalesce(o.last_error, '') AS error"
            " FROM forwards f JOIN outbox o ON o.message_key = 'forward:' || f.id"
            " JOIN subscribers s ON s.id = o.subscriber_id"
            " LEFT JOIN member_contacts c ON c.subscriber_id = s.id"
            " LEFT JOIN members m ON m.id = c.member_id AND m.association_id = f.association_id"
            " WHERE f.association_id = ? AND o.kind = 'forward' AND (m.id IS NOT NULL OR c.member_id IS NULL)"
            " ORDER BY o.id",
            [association_id],
        )
    )
    return log_rows + deliveries


def opt_out_member_id(db: Database, association_id: int, member_id: int, actor: str, now: datetime) -> bool:
    """Staff record a member's opt-out (e.g. asked by phone). Only that association's member."""
    row = next(
        db.query("SELECT * FROM members WHERE id = ? AND association_id = ?", [member_id, association_id]), None
    )
    if row is None or row["opted_out_at"] is not None:
        return False
    with db.atomic():
        db.execute("UPDATE members SET opted_out_at = ? WHERE id = ?", [iso(now), member_id])
        audit(db, association_id, None, now, actor, "opt_out", row["firm"])
    return True
