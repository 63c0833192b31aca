"""Association forwarding (公會轉知): alert → 公文-like forward → (approval) → every member.

The association is a subscriber on the internal ``association`` channel, so matching,
quiet hours and the outbox apply to it unchanged. ``AssociationChannel.send`` turns one
alert into one forward (unique per association × announcement) and, in the same
transaction, either queues a preview for each admin (approval mode) or one message per
member contact (auto mode). Every step is idempotent, so a kill anywhere repeats nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.alerts.render import environment
from bot.alerts.telegram_html import split_html
from bot.config import Config
from bot.csvio import decode_csv, read_rows
from bot.delivery.channels.base import Failed, Outcome, Sent
from bot.understand.titles import title_zh
from bot.web.urls import optout_url
from feeds.errors import UserError
from feeds.factmodel import Facts
from feeds.links import safe_link
from feeds.safetext import visible
from feeds.topics import topic_names
from state import announcements, outbox
from state import associations as store
from state.outbox import OutboxMessage

log = logging.getLogger(__name__)

TAIPEI = ZoneInfo("Asia/Taipei")
MAX_EDIT_CHARS = 3000
_CN_NUM = "一二三四五六七八九十"


def roc_date(when: datetime) -> tuple[str, int]:
    """``中華民國115年4月24日`` (Taipei date) and the ROC year."""
    local = when.astimezone(TAIPEI)
    year = local.year - 1911
    return f"中華民國{year}年{local.month}月{local.day}日", year


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (公文 numbering of 說明 points)."""
    if n <= 10:
        return _CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else f"{_CN_NUM[tens - 1]}十"
    return head + (_CN_NUM[ones - 1] if ones else "")


def _roc_day(day: date) -> str:
    return f"{day.year - 1911}年{day.month}月{day.day}日"


def basis(ann: announcements.Announcement, facts: Facts) -> str:
    """The 依據 of a forward: the letter, CSMS or notice it passes on, as a 函 cites one."""
    letter = next((x for x in facts.letters if x.issuer), None)
    if letter is not None:
        when = _roc_day(letter.issued) if letter.issued else ""
        return f"依據{letter.issuer}{when}{letter.number or ''}函辦理。"
    published = (facts.published or ann.published).date()
    if facts.csms_number:
        return (f"依據美國海關與邊境保護署（CBP）{_roc_day(published)}貨物系統訊息服務（CSMS）"
                f"#{facts.csms_number} 訊息辦理。")  # fmt: skip
    if "federal_register" in facts.topics or ann.kind == "federal_register":
        return f"依據美國聯邦公報{_roc_day(published)}刊登之文件辦理。"
    return f"依據{ann.source}{_roc_day(published)}發布之訊息辦理。"


def _points(summary_zh: str) -> list[str]:
    """The summary's content lines as points: bullets and 相關 lines, never a bare heading."""
    out = []
    for line in (summary_zh or "").splitlines():
        text = line.strip().lstrip("•-・ ").strip()
        if not text or text.startswith("標題：") or re.fullmatch(r"[^：]{1,8}：?", text) and text.endswith("："):
            continue
        if text.endswith("：") or text in ("重點", "重點："):
            continue  # an empty heading
        out.append(text)
    return out


def explanation(ann: announcements.Announcement, summary_zh: str, facts: Facts | None = None) -> str:
    """The default 說明 of a forward: 一、依據…辦理。 then the summary's points, then the
    source link — numbered 一、二、三… with no empty headings."""
    facts = facts or Facts(title=ann.title)
    link = safe_link(ann.url)
    points = [basis(ann, facts), *_points(summary_zh or ann.title)[:8], *([f"原文連結：{link}"] if link else [])]
    return "\n".join(f"{cn_number(i)}、{p}" for i, p in enumerate(points, start=1))


def forward_subject(ann: announcements.Announcement, facts: Facts) -> str:
    """主旨: what is forwarded, in Chinese."""
    letter = next((x for x in facts.letters if x.subject), None)
    if letter is not None:
        title = (letter.subject or "").rstrip("。").removesuffix("，請查照並惠轉知會員廠商").removesuffix("，請查照")
    else:
        title = title_zh(facts.title or ann.title, facts, topic_names(list(facts.topics)))
        if facts.csms_number:
            title = f"CSMS #{facts.csms_number}：{title}"
    return f"轉知「{title}」，請查照。"


def document_text(a: store.Association, f: store.Forward) -> str:
    return environment().get_template("association_letter.txt.j2").render(a=a, f=f).strip()


def document_html(a: store.Association, f: store.Forward) -> str:
    """Telegram HTML: every inserted value escaped (autoescape); split by the caller."""
    return environment().get_template("association_letter.telegram.html.j2").render(a=a, f=f).strip()


def preview_key(f: store.Forward) -> str:
    """The outbox key of a forward's preview: one per text, so an edit sends a new one."""
    return f"preview:{f.id}:{hashlib.sha1(f.body.encode()).hexdigest()[:12]}"


@dataclass(frozen=True, slots=True)
class ForwardResult:
    forward: store.Forward
    created: bool
    queued: int


def _queue_members(db: Database, config: Config, a: store.Association, f: store.Forward, now: datetime) -> int:
    ann = announcements.get(db, f.announcement_key)
    url = safe_link(ann.url) if ann else None
    queued = 0
    for member_token, sid in store.member_recipients(db, a.id):
        queued += outbox.enqueue(
            db,
            subscriber_id=sid,
            message_key=f"forward:{f.id}",
            kind="forward",
            subject=f"{a.name}轉知：{f.subject}",
            text=document_text(a, f),
            html=tuple(split_html(document_html(a, f))),
            payload={
                "forward": f.id,
                "association": a.id,
                "announcement": f.announcement_key,
                "url": url,
                "unsubscribe_url": optout_url(config.http.public_url, member_token),
            },
            now=now,
        )
    store.audit(db, a.id, f.id, now, "tradealert", "queued", f"{queued} member messages")
    return queued


def console_link(db: Database, config: Config | None, a: store.Association, actor: str, now: datetime) -> str:
    """A one-time login link to the association's web console, for an e-mailed preview."""
    if config is None:
        return ""
    from datetime import timedelta

    from state.console import create_login

    token = create_login(db, a.id, actor, now=now, ttl=timedelta(seconds=config.http.console_login_ttl))
    return f"網頁核可 Review in the browser（限用一次 one-time link）：\n{config.http.public_url.rstrip('/')}/console/login/{token}\n\n"


def _queue_previews(
    db: Database, a: store.Association, f: store.Forward, now: datetime, config: Config | None = None
) -> int:
    queued = 0
    for channel, address in store.admins(db, a.id):
        sid = store.contact_subscriber(db, channel, address, f"{a.name} 管理者", now)
        web = console_link(db, config, a, f"{channel}:{address}", now) if channel == "email" else ""
        queued += outbox.enqueue(
            db,
            subscriber_id=sid,
            message_key=preview_key(f),
            kind="preview",
            subject=f"待核可 {f.ref_no}：{f.subject}",
            text=environment().get_template("association_preview.txt.j2").render(
                a=a, f=f, letter=document_text(a, f), web=web, by=f"{channel}:{address}").strip(),
            html=tuple(split_html(environment().get_template("association_preview.telegram.html.j2").render(
                a=a, f=f, letter=document_html(a, f)).strip())),
            payload={
                "forward": f.id,
                "association": a.id,
                "buttons": [
                    {"text": "核可 Approve", "callback": f"fwd:approve:{f.id}:{version_of(f)}"},
                    {"text": "編輯 Edit", "callback": f"fwd:edit:{f.id}"},
                    {"text": "略過 Skip", "callback": f"fwd:skip:{f.id}"},
                ],
            },
            now=now,
        )
    return queued


def forward_alert(db: Database, config: Config, association_sid: int, ann_key: str, now: datetime) -> ForwardResult:
    """One alert for an association → its forward, and previews or member messages."""
    a = store.association_of_subscriber(db, association_sid)
    if a is None:
        raise LookupError(f"subscriber #{association_sid} is not an association")
    ann = announcements.get(db, ann_key)
    if ann is None:
        raise LookupError(f"announcement {ann_key} not stored")
    issued, roc_year = roc_date(now)
    facts = announcements.facts_of(db, ann_key)
    with db.atomic():
        f, created = store.create_forward(
            db, a.id, ann_key, subject=forward_subject(ann, facts),
            body=explanation(ann, announcements.summary_of(db, ann_key), facts),
            issued_on=issued, roc_year=roc_year, status="approved" if a.mode == "auto" else "awaiting_approval", now=now,
        )  # fmt: skip
        queued = 0
        if created:
            store.audit(db, a.id, f.id, now, "tradealert", "created", f"{f.ref_no} mode={a.mode}")
            if a.mode == "auto":
                store.decide(db, f.id, "approved", "auto", now)
                queued = _queue_members(db, config, a, f, now)
            else:
                queued = _queue_previews(db, a, f, now, config)
    return ForwardResult(f, created, queued)


def _require_admin(db: Database, f: store.Forward, actor: str) -> store.Association:
    a = store.require_association(db, f.association_id)
    if not store.is_admin(db, a.id, actor):
        raise UserError(
            f"只有「{a.name}」的管理者可以處理此轉知", f"only admins of {a.name} may act on this forward"
        )
    return a


def _require_pending(f: store.Forward) -> None:
    if f.status != "awaiting_approval":
        raise UserError(
            f"轉知 #{f.id} 已處理（{f.status}，{f.decided_by}）",
            f"forward #{f.id} was already handled ({f.status} by {f.decided_by})",
        )


def approve(
    db: Database, config: Config, forward_id: int, actor: str, now: datetime, *, seen: str | None = None
) -> int:
    """An admin approves: the forward goes to every member. Returns messages queued.

    ``seen`` is the ``version_of`` the text the admin approved from (a Telegram preview's 核可
    carries it); an approval of another text than the current one raises ``StaleVersion``.
    """
    f = store.require_forward(db, forward_id)
    a = _require_admin(db, f, actor)
    _require_pending(f)
    if seen is not None:
        require_version(f, seen)
    with db.atomic():
        store.decide(db, f.id, "approved", actor, now)
        store.audit(db, a.id, f.id, now, actor, "approved", f.ref_no)
        return _queue_members(db, config, a, store.require_forward(db, f.id), now)


def skip(db: Database, forward_id: int, actor: str, now: datetime) -> None:
    f = store.require_forward(db, forward_id)
    a = _require_admin(db, f, actor)
    _require_pending(f)
    with db.atomic():
        store.decide(db, f.id, "skipped", actor, now)
        store.audit(db, a.id, f.id, now, actor, "skipped", f.ref_no)


def check_editable(db: Database, forward_id: int, actor: str) -> None:
    """Raises unless ``actor`` may edit this forward now."""
    f = store.require_forward(db, forward_id)
    _require_admin(db, f, actor)
    _require_pending(f)


def edit(
    db: Database, forward_id: int, actor: str, body: str, now: datetime, config: Config | None = None
) -> None:
    """An admin rewrites the 說明. Plain text only: it is escaped wherever it is shown."""
    check_editable(db, forward_id, actor)
    f = store.require_forward(db, forward_id)
    a = store.require_association(db, f.association_id)
    body = clean_body(body)
    with db.atomic():
        store.set_body(db, f.id, body)
        store.audit(db, a.id, f.id, now, actor, "edited", f"{len(body)} characters")
        _queue_previews(db, a, store.require_forward(db, f.id), now, config)


def clean_body(body: str) -> str:
    """An admin's 說明: plain text, not empty, at most ``MAX_EDIT_CHARS``."""
    body = visible(body.replace("\r\n", "\n")).strip()
    if not body:
        raise UserError("說明不可空白", "the text must not be empty")
    if len(body) > MAX_EDIT_CHARS:
        raise UserError(
            f"說明過長：{len(body)} 字，上限 {MAX_EDIT_CHARS} 字", f"text too long: {len(body)} characters, limit {MAX_EDIT_CHARS}"
        )
    return body


def version_of(f: store.Forward) -> str:
    """Names the exact text an admin was shown; an approval carrying another version is stale."""
    return hashlib.sha256(f"{f.subject}\n{f.body}".encode()).hexdigest()[:16]


class StaleVersion(UserError):
    """The text an admin saw is no longer the forward's text (someone edited it since)."""


def require_version(f: store.Forward, version: str) -> None:
    if version != version_of(f):
        raise StaleVersion(
            f"轉知 #{f.id} 的內容已被修改，請重新檢視後再核可", f"forward #{f.id} changed since you saw it; review it again"
        )


def edit_and_approve(
    db: Database, config: Config, forward_id: int, actor: str, body: str, version: str, now: datetime
) -> int:
    """The console's 編輯: the admin's own text goes to every member at once (they just read it)."""
    f = store.require_forward(db, forward_id)
    a = _require_admin(db, f, actor)
    _require_pending(f)
    require_version(f, version)
    body = clean_body(body)
    with db.atomic():
        store.set_body(db, f.id, body)
        store.audit(db, a.id, f.id, now, actor, "edited", f"{len(body)} characters")
        store.decide(db, f.id, "approved", actor, now)
        store.audit(db, a.id, f.id, now, actor, "approved", f.ref_no)
        return _queue_members(db, config, a, store.require_forward(db, f.id), now)


@dataclass(frozen=True, slots=True)
class RosterReport:
    added: int
    updated: int
    duplicates: list[str]
    errors: list[str]


_FIRM = ("firm", "member", "name", "會員", "會員名稱", "公司", "公司名稱", "廠商名稱")
_TELEGRAM = ("telegram", "chat_id", "telegram chat")
_EMAIL = ("email", "e-mail", "mail", "電子郵件", "電子信箱", "email address")
_LINE = ("line", "line id", "line_id", "line user id", "line使用者id")


def import_roster(db: Database, association_id: int, data: bytes, now: datetime) -> RosterReport:
    """Member roster CSV (UTF-8 or Big5): firm, telegram, email columns, by header name.

    Broken rows are reported with their line number and the rest imported; repeated firms
    are merged (and reported). All of it is one transaction.
    """
    store.require_association(db, association_id)
    text, _ = decode_csv(data, what="會員名冊 roster")
    rows = read_rows(text)
    if not rows:
        raise UserError("會員名冊是空的", "the roster is empty")
    header = [h.casefold() for h in rows[0][1]]

    def col(names: tuple[str, ...]) -> int | None:
        return next((i for i, h in enumerate(header) if h in names), None)

    firm_i, tg_i, mail_i, line_i = col(_FIRM), col(_TELEGRAM), col(_EMAIL), col(_LINE)
    if firm_i is None or (tg_i is None and mail_i is None and line_i is None):
        raise UserError(
            "會員名冊需有「會員名稱」欄，以及 telegram、email 或 line 欄",
            "the roster needs a firm column and a telegram, email or line column",
        )
    added = updated = 0
    seen: set[str] = set()
    duplicates, errors = [], []
    with db.atomic():
        for line, cells in rows[1:]:
            def cell(i: int | None, cells: list[str] = cells) -> str:
                return cells[i] if i is not None and i < len(cells) else ""

            firm = cell(firm_i)
            contacts = [("telegram", v) for v in cell(tg_i).replace(";", " ").split()]
            contacts += [("email", v) for v in cell(mail_i).replace(";", " ").replace(",", " ").split()]
            contacts += [("line", v) for v in cell(line_i).replace(";", " ").split()]
            if not firm:
                errors.append(f"第 {line} 行：缺少會員名稱 / line {line}: no firm name")
                continue
            if not contacts:
                errors.append(f"第 {line} 行：缺少聯絡方式 / line {line}: no telegram, email or line")
                continue
            try:
                with db.atomic():  # savepoint: a bad row leaves nothing behind
                    _, created = store.add_member(db, association_id, firm, contacts, now=now)
            except UserError as exc:
                errors.append(f"第 {line} 行：{exc.zh} / line {line}: {exc.en}")
                continue
            if firm in seen:
                duplicates.append(f"第 {line} 行：{firm} 重複，已合併 / line {line}: {firm} repeated, merged")
            seen.add(firm)
            added += created
            updated += not created
        store.audit(db, association_id, None, now, "import", "roster", f"added={added} updated={updated} errors={len(errors)}")
    return RosterReport(added, updated, duplicates, errors)


class AssociationChannel:
    """Internal channel: 'delivering' an alert to an association creates its forward."""

    name = "association"

    def __init__(self, db: Database, config: Config, clock: Callable[[], datetime] | None = None) -> None:
        self.db = db
        self.config = config
        self.clock = clock or (lambda: datetime.now(UTC))

    async def send(self, msg: OutboxMessage) -> Outcome:
        key = msg.payload.get("announcement")
        if msg.kind != "alert" or not key:
            return Failed(f"association channel takes alerts only, got {msg.kind}")
        try:
            result = forward_alert(self.db, self.config, msg.subscriber_id, key, self.clock())
        except LookupError as exc:
            return Failed(str(exc))
        return Sent(f"{result.forward.ref_no} queued={result.queued}")

    async def close(self) -> None:
        return None
