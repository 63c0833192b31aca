"""The deterministic 繁體中文 summary: 標題, 重點 (3–5 bullets), 相關.

Offline and repeatable: the same announcement and the same moment always give the same text.
Times are shown in the reader's zone (Taipei by default) with the original beside them
(「4/22（三）01:00 台北時間（美東 4/21 13:00 EDT）」) because readers act on their own time but
quote the original to CBP. Written as of ``now``: a session already held is marked 已舉行 and
nobody is invited to register for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from bot.understand.advice import advice
from bot.understand.reading import (
    application_requirements,
    cape_scope,
    registration_notes,
)
from bot.understand.sessions import (
    SESSION_KINDS,
    comment_deadline,
    is_past,
    labelled_events,
    periods,
    related_lines,
    session_notes,
)
from bot.understand.timefmt import (
    TAIPEI,
    format_event_time,
    format_event_window,
    weekday_zh,
    zone_label,
)
from bot.understand.titles import PREFIX_ZH, heading_of, letter_subject, title_line, title_zh
from feeds.dates import gregorian_to_roc
from feeds.factmodel import Event, Facts
from feeds.scan import literal_search

__all__ = ["COULD_NOT_UNDERSTAND", "PREFIX_ZH", "format_event_time", "summarize"]

COULD_NOT_UNDERSTAND = "無法解析 / could not understand"
_DATE_ZH = {"effective": "生效日", "deadline": "截止日", "issued": "發文日"}
_AUDIENCE = (
    (r"(?i)\bimporters?\b|importer of record|進口商|進口業者", "進口商"),
    (r"(?i)\b(?:customs )?brokers?\b|報關行|報關業", "報關行"),
    (r"(?i)\bcarriers?\b|運輸業者|航商", "運輸業者"),
    (r"(?i)\bexporters?\b|出口商|出口業者", "出口商"),
    (r"(?i)\bfilers?\b|申報人|申辦業者", "申報人"),
    (r"(?i)\bsurety|sureties\b|保證人", "保證人"),
    (r"(?i)foreign[- ]trade zone|\bFTZ\b|自由貿易港區", "對外貿易區業者"),
    (r"會員廠商|會員公會", "公會會員廠商"),
)


def format_date(iso: str, *, roc: bool = False) -> str:
    d = date.fromisoformat(iso[:10])
    text = f"{d.year}/{d.month}/{d.day}（{weekday_zh(d)}）"
    if roc:
        y, m, day = gregorian_to_roc(d)
        text += f"（民國{y}年{m}月{day}日）"
    return text


_AUDIENCE_RX = tuple((re.compile(rx), zh) for rx, zh in _AUDIENCE)


def audience(text: str) -> list[str]:
    return [zh for rx, zh in _AUDIENCE_RX if literal_search(rx, text)]  # = rx.search, literal-first


def _action(topic_ids: Sequence[str], facts: Facts, text: str, *, now: datetime | None, tz: str) -> str:
    """The one thing to do next, as of ``now`` (``advice``), in 繁體中文."""
    a = advice(facts, topic_ids, text, now=now, tz=tz)
    day = format_date(a.day.isoformat()) if a.day else ""
    if a.kind == "apply":
        more = "（申請條件、應備文件與洽詢電話見上）" if application_requirements(text) else ""
        return f"建議：於申請期間內提出申請{more}，勿逾截止日。"
    if a.kind == "held":
        replay = any(n.zh == "會後提供錄影" for n in registration_notes(text))
        return "說明會已舉行" + ("；錄影請見原文連結。" if replay else "。")
    if a.kind in ("register_by", "register"):
        when = f"於 {day}前" if a.kind == "register_by" else "及早"
        return f"建議：需要參加者請{when}報名；時間已換算為{_zone_name(tz, now)}。"
    return {
        "comment": "建議：如需提出意見，請於意見截止日前提交。",
        "deadline": "建議：留意截止日，提前完成申報或提交文件。",
        "application_closed": f"申請期間已於 {day}截止。",
        "registration_closed": f"報名已於 {day}截止。",
        "downtime": "建議：系統停機期間請預先安排報關作業與備援。",
        "cape": "建議：確認 ACE 帳號與 ACH 退款登記，盤點符合資格的申報。",
        "holiday": "建議：連假期間請依上列服務時間安排通關作業。",
        "incentive": "建議：確認申請資格與文件，於期程內提出申請。",
    }.get(a.kind, "建議：詳閱原文，評估對貴公司進出口作業的影響。")


def _zone_name(tz: str, now: datetime | None) -> str:
    """「台北時間」, 「美東時間 EDT」… for the advice line."""
    from zoneinfo import ZoneInfo

    when = (now or datetime(2026, 1, 15, tzinfo=ZoneInfo("UTC"))).astimezone(ZoneInfo(tz))
    return zone_label(tz, when)


def _shown(e: Event, tz: str, ref_year: int | None) -> str:
    if e.end_iso:
        return format_event_window(e.start_iso, e.end_iso, tz=tz, ref_year=ref_year, zone=e.zone)
    return format_event_time(e.start_iso, tz=tz, ref_year=ref_year, zone=e.zone)


def _event_bullets(facts: Facts, text: str, tz: str, ref_year: int | None, now: datetime | None) -> list[str]:
    """Sessions and system windows under their Chinese names, in the reader's zone; a session
    still ahead carries its registration link, one already held says 已舉行 and no link."""
    if not facts.events:
        return []
    groups: dict[str, list[str]] = {}
    upcoming = False
    for e, label in labelled_events(facts)[:6]:
        name = re.sub(r"（第 \d+ 場）$", "", label)
        if e.kind in ("effective", "deadline"):
            name = {"effective": "生效", "deadline": "截止"}[e.kind]
        shown = _shown(e, tz, ref_year)
        if e.kind in SESSION_KINDS:
            if is_past(e, now, tz):
                shown += "（已舉行）"
            else:
                upcoming = True
                if e.url:
                    shown += f"（報名 {e.url}）"  # the registration link is what the reader acts on
        groups.setdefault(name, []).append(shown)
    bullets = [f"{label}：{'；'.join(times)}" for label, times in groups.items()][:2]
    notes = session_notes(facts, text, now, tz)
    if upcoming and notes:
        bullets.append("報名須知：" + "；".join(n.zh for n in notes) + "。")
    return bullets


def _date_bullet(facts: Facts) -> str | None:
    parts: list[str] = []
    for p in periods(facts)[:2]:
        parts.append(f"{p.name()} {format_date(p.first.isoformat())}至 {format_date(p.last.isoformat())}")
    for d in facts.dates:
        if d.kind in ("effective", "deadline") and len(parts) < 3:
            parts.append(f"{'意見截止日' if comment_deadline(d) else _DATE_ZH[d.kind]} {format_date(d.date.isoformat())}")
    return "日期：" + "；".join(parts) if parts else None


def _advice_bullets(facts: Facts, topic_ids: Sequence[str], text: str) -> list[str]:
    """What the notice says one must know to act: the CAPE phase 1 scope, what applying takes."""
    out = []
    if "ieepa_cape" in topic_ids and (scope := cape_scope(text)):
        out.append(scope.zh + "。")
    if any(p.kind == "application" for p in periods(facts)) or "tw_incentive" in topic_ids:
        req = application_requirements(text)
        if req.conditions:
            out.append(f"申請條件：{len(req.conditions)} 項（{req.conditions[0][:30]}…等）" if len(req.conditions) > 1
                       else f"申請條件：{req.conditions[0]}")  # fmt: skip
        if req.documents:
            out.append("應備文件：" + req.documents[0][:80] + ("…" if len(req.documents[0]) > 80 or len(req.documents) > 1 else ""))
        if req.contacts:
            out.append("洽詢：" + "；".join(req.contacts))
    return out


def _topics_zh(topic_ids: Sequence[str]) -> str:
    from feeds.topics import topic_names

    return "、".join(topic_names(list(topic_ids))[:3])


_ABBREV = re.compile(r"(?:\b[A-Z]\.|\bU\.S\.|\bNo\.|\bNos\.|\be\.g\.|\bi\.e\.|\bPub\.|\bL\.|\bFed\.|\bReg\.)$")


def _first_sentence(body: str, title: str = "") -> str:
    """The opening sentence of the first real paragraph (``U.S.C.`` and ``No.`` do not end one)."""
    for para in body.split("\n\n"):
        para = " ".join(para.split())
        if len(para) <= 40 or para.lower().startswith(("csms #", "cargo systems")):
            continue
        if title and title in para and len(para) < len(title) + 40:
            continue  # the heading again
        cut = para
        for m in re.finditer(r"[.!?。](?=\s+[A-Z(\"]|$)", para):
            if not _ABBREV.search(para[: m.end()]):
                cut = para[: m.end()]
                break
        return cut[:160] + ("…" if len(cut) > 160 else "")
    return ""


def _pick(bullets: list[tuple[int, str]], limit: int = 5) -> list[str]:
    """At most ``limit`` bullets, the most important kept, in their original order."""
    keep = sorted(sorted(range(len(bullets)), key=lambda i: bullets[i][0])[:limit])
    return [bullets[i][1] for i in keep]


def summarize_english(
    facts: Facts, topic_ids: Sequence[str], body: str, *, tz: str = TAIPEI, now: datetime | None = None,
    title: str = "",
) -> str:  # fmt: skip
    """標題 (Chinese throughout, the English original beside it), 重點 3–5 bullets, 相關."""
    title = heading_of(facts.title, title)
    head = ["標題：" + title_line(title, facts, _topic_names(topic_ids), tz=tz)]
    ref_year = facts.published.year if facts.published else None
    text = f"{title}\n{body}"
    bullets: list[tuple[int, str]] = []  # (priority, text): lower is kept first
    if facts.csms_number:
        who = "CBP 發布 CSMS #" + facts.csms_number
    elif "federal_register" in topic_ids:
        who = "聯邦公報刊登"
    else:
        who = "美方發布訊息"
    prefix = PREFIX_ZH.get((facts.prefix or "").upper())
    topics = _topics_zh(topic_ids)
    bullets.append((0, f"異動：{who}" + (f"（{prefix}）" if prefix else "") + (f"，主題：{topics}。" if topics else "。")))
    aud = audience(f"{title}\n{body[:8000]}")
    if aud:
        bullets.append((5, "對象：" + "、".join(aud[:4]) + "。"))
    bullets += [(1, b) for b in _event_bullets(facts, text, tz, ref_year, now)]
    bullets += [(2, b) for b in _advice_bullets(facts, topic_ids, text)]
    if db := _date_bullet(facts):
        bullets.append((3, db))
    if len(bullets) < 3 and (first := _first_sentence(body, title)):
        bullets.append((6, f"原文摘錄：{first}"))
    bullets.append((0, _action(topic_ids, facts, text, now=now, tz=tz)))
    return "\n".join([*head, "", "重點：", *(f"• {b}" for b in _pick(bullets)), "", *related_lines(facts, "zh")]).strip()


def summarize_chinese(
    facts: Facts, topic_ids: Sequence[str], title: str, body: str = "", *, tz: str = TAIPEI,
    now: datetime | None = None,
) -> str:  # fmt: skip
    """A Chinese letter or 公告: its own 主旨, who issued it when, its periods and dates."""
    letters = facts.letters
    subject = letter_subject(facts) or title or facts.title or ""
    text = f"{title}\n{body}"
    bullets: list[tuple[int, str]] = []
    issued = []
    for x in letters[:2]:
        if x.issued:
            y, m, d = gregorian_to_roc(x.issued)
            who = f"{x.issuer} " if x.issuer else ""
            num = f"（{x.number}）" if x.number else ""
            issued.append(f"{who}{y}/{m:02d}/{d:02d}{num}")
    if issued:
        bullets.append((3, "發文：" + "；".join(issued)))
    bullets += [(1, b) for b in _event_bullets(facts, text, tz, None, now)]
    if db := _date_bullet(facts):
        bullets.append((1, db))
    bullets += [(2, b) for b in _advice_bullets(facts, topic_ids, text)]
    explain = next((x.items[0] for x in letters if x.items), None)
    if explain:
        bullets.append((6, f"說明：{explain[:120]}"))
    if facts.csms_number:
        forwarded = title_zh(facts.title, facts, _topic_names(topic_ids), tz=tz)
        bullets.append((3, f"轉知 CBP 訊息 CSMS #{facts.csms_number}：{forwarded[:100]}"))
    bullets.append((0, _action(topic_ids, facts, text, now=now, tz=tz)))
    lines = [f"標題：{subject}", "", "重點：", *(f"• {b}" for b in _pick(bullets)), "", *related_lines(facts, "zh")]
    return "\n".join(lines).strip()


def _topic_names(topic_ids: Sequence[str]) -> list[str]:
    from feeds.topics import topic_names

    return topic_names(list(topic_ids))


def summarize(
    facts: Facts, topic_ids: Sequence[str], *, title: str, body: str, language: str,
    tz: str = TAIPEI, now: datetime | None = None,
) -> str:
    """The summary for one announcement as of ``now``, or the could-not-understand marker when
    there is nothing."""
    if not (title.strip() or body.strip()) or not facts.title.strip():
        return COULD_NOT_UNDERSTAND
    if language == "zh-TW" or facts.letters:
        return summarize_chinese(facts, topic_ids, title, body, tz=tz, now=now)
    return summarize_english(facts, topic_ids, body, tz=tz, now=now, title=title)
