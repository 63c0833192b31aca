"""The deterministic 繁體中文 summary: 標題, 重點 (3–5 bullets), 相關.

Offline and repeatable: the same announcement always gives the same text. Times are shown in
Taipei time with the original beside them (「4/22（三）01:00 台北時間（美東 4/21 13:00 EDT）」)
because readers act on Taipei time but quote the original to CBP.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from bot.understand.glossary import translate_title
from bot.understand.timefmt import format_event_time, format_event_window, weekday_zh
from feeds.dates import gregorian_to_roc
from feeds.factmodel import Facts

COULD_NOT_UNDERSTAND = "無法解析 / could not understand"
_EVENT_ZH = {
    "webinar": "線上說明會",
    "support_call": "支援說明會",
    "outage": "系統中斷",
    "maintenance": "系統維護",
    "effective": "生效",
    "deadline": "截止",
    "event": "時間",
}
_DATE_ZH = {"effective": "生效日", "deadline": "截止日", "issued": "發文日"}
PREFIX_ZH = {
    "GUIDANCE": "作業指引",
    "UPDATED GUIDANCE": "更新作業指引",
    "UPDATE": "更新",
    "UPDATED": "更新",
    "RESOLVED": "已排除",
    "REMINDER": "提醒",
    "REVISED": "修訂",
    "CORRECTION": "更正",
    "AVAILABLE NOW": "現已開放",
}
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


def audience(text: str) -> list[str]:
    return [zh for rx, zh in _AUDIENCE if re.search(rx, text)]


def _action(topic_ids: Sequence[str], facts: Facts, refund: bool = True) -> str:
    kinds = {e.kind for e in facts.events} | {d.kind for d in facts.dates}
    if "deadline" in kinds:
        return "建議：留意截止日，提前完成申報或提交文件。"
    if "range_end" in kinds:
        return "建議：於期程內提出申請，勿逾截止日。"
    if kinds & {"webinar", "support_call"}:
        return "建議：需要參加者請及早報名；時間已換算為台北時間。"
    if kinds & {"outage", "maintenance"}:
        return "建議：系統停機期間請預先安排報關作業與備援。"
    if "ieepa_cape" in topic_ids and refund:
        return "建議：確認 ACE 帳號與 ACH 退款登記，盤點符合資格的申報。"
    if "tw_incentive" in topic_ids:
        return "建議：確認申請資格與文件，於期程內提出申請。"
    return "建議：詳閱原文，評估對貴公司進出口作業的影響。"


def _event_bullets(facts: Facts, tz: str, ref_year: int | None) -> list[str]:
    events = facts.events
    if not events:
        return []
    groups: dict[str, list[str]] = {}
    for e in events[:6]:
        label = _EVENT_ZH.get(e.kind, "時間")
        if e.kind == "webinar" and re.search(r"[\u4e00-\u9fff]", e.label) and "線上" not in e.label:
            label = "說明會"  # a Taiwanese 說明會 is often in a hall, not online
        if e.end_iso:
            shown = format_event_window(e.start_iso, e.end_iso, tz=tz, ref_year=ref_year, zone=e.zone)
        else:
            shown = format_event_time(e.start_iso, tz=tz, ref_year=ref_year, zone=e.zone)
        if e.url and e.kind in ("webinar", "support_call"):
            shown += f"（報名 {e.url}）"  # the registration link is what the reader acts on
        groups.setdefault(label, []).append(shown)
    return [f"{label}：{'；'.join(times)}" for label, times in groups.items()][:2]


def _date_bullet(facts: Facts) -> str | None:
    dates = facts.dates
    parts: list[str] = []
    starts = [d for d in dates if d.kind == "range_start"]
    ends = [d for d in dates if d.kind == "range_end"]
    for s, e in list(zip(starts, ends, strict=False))[:2]:
        parts.append(f"期程 {format_date(s.date.isoformat())} 至 {format_date(e.date.isoformat())}")
    for d in dates:
        if d.kind in ("effective", "deadline") and len(parts) < 3:
            parts.append(f"{_DATE_ZH[d.kind]} {format_date(d.date.isoformat())}")
    return "日期：" + "；".join(parts) if parts else None


def _topics_zh(topic_ids: Sequence[str]) -> str:
    from feeds.topics import topic_names

    return "、".join(topic_names(list(topic_ids))[:3])


def _related(facts: Facts) -> list[str]:
    lines = []
    if facts.related_csms:
        lines.append("相關：" + "、".join(f"CSMS #{n}" for n in facts.related_csms[:8]))
    if facts.hts:
        lines.append("稅則號列：" + "、".join(facts.hts[:8]))
    if facts.adcvd:
        lines.append("AD/CVD 案號：" + "、".join(facts.adcvd[:6]))
    if facts.emails:
        lines.append("聯絡：" + "、".join(facts.emails[:6]))
    if facts.links:
        lines.append("連結：" + " ".join(facts.links[:3]))
    return lines


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


def summarize_english(
    facts: Facts, topic_ids: Sequence[str], body: str, *, tz: str = "Asia/Taipei"
) -> str:
    """標題 (translated, English beside), 重點 3–5 bullets, 相關."""
    title = facts.title or ""
    zh = translate_title(title)
    head = [f"標題：{zh}" if zh else f"標題：{_topics_zh(topic_ids) or '美國海關訊息'}（英文原文如下）", f"（{title}）"]
    ref_year = facts.published.year if facts.published else None
    bullets: list[str] = []
    if facts.csms_number:
        who = "CBP 發布 CSMS #" + facts.csms_number
    elif "federal_register" in topic_ids:
        who = "聯邦公報刊登"
    else:
        who = "美方發布訊息"
    prefix = PREFIX_ZH.get((facts.prefix or "").upper())
    topics = _topics_zh(topic_ids)
    bullets.append(f"異動：{who}" + (f"（{prefix}）" if prefix else "") + (f"，主題：{topics}。" if topics else "。"))
    aud = audience(f"{title}\n{body[:8000]}")
    if aud:
        bullets.append("對象：" + "、".join(aud[:4]) + "。")
    bullets += _event_bullets(facts, tz, ref_year)
    if (db := _date_bullet(facts)) and len(bullets) < 4:
        bullets.append(db)
    if len(bullets) < 3 and (first := _first_sentence(body, title)):
        bullets.append(f"原文摘錄：{first}")
    refund = bool(re.search(r"(?i)refund|\bCAPE\b", f"{title}\n{body[:8000]}"))
    bullets.append(_action(topic_ids, facts, refund))
    return "\n".join([*head, "", "重點：", *(f"• {b}" for b in bullets[:5]), "", *_related(facts)]).strip()


def summarize_chinese(
    facts: Facts, topic_ids: Sequence[str], title: str, *, tz: str = "Asia/Taipei"
) -> str:
    """A Chinese letter or 公告: its own 主旨, who issued it when, its periods and dates."""
    letters = facts.letters
    subject = next((x.subject for x in letters if x.subject), None) or title or facts.title or ""
    bullets: list[str] = []
    for x in letters[:2]:
        if x.issued:
            y, m, d = gregorian_to_roc(x.issued)
            who = f"{x.issuer} " if x.issuer else ""
            num = f"（{x.number}）" if x.number else ""
            bullets.append(f"發文：{who}{y}/{m:02d}/{d:02d}{num}")
    bullets += _event_bullets(facts, tz, None)
    if db := _date_bullet(facts):
        bullets.append(db)
    explain = next((x.items[0] for x in letters if x.items), None)
    if explain and len(bullets) < 4:
        bullets.append(f"說明：{explain[:120]}")
    if facts.csms_number and len(bullets) < 4:
        bullets.append(f"轉知 CBP 訊息 CSMS #{facts.csms_number}：{facts.title[:100]}")
    bullets.append(_action(topic_ids, facts))
    lines = [f"標題：{subject}", "", "重點：", *(f"• {b}" for b in bullets[:5]), "", *_related(facts)]
    return "\n".join(lines).strip()


def summarize(
    facts: Facts, topic_ids: Sequence[str], *, title: str, body: str, language: str,
    tz: str = "Asia/Taipei",
) -> str:
    """The summary for one announcement, or the could-not-understand marker when there is nothing."""
    if not (title.strip() or body.strip()) or not facts.title.strip():
        return COULD_NOT_UNDERSTAND
    if language == "zh-TW" or facts.letters:
        return summarize_chinese(facts, topic_ids, title, tz=tz)
    return summarize_english(facts, topic_ids, body, tz=tz)
