"""What a notice tells the reader to do, read from its text: the CAPE phase 1 scope, notes on
registering for a session, and what one needs to apply in an application period.

Pure functions over the body text, written for the forms these things take (English CSMS
wording, Chinese 公告 structure), not for particular documents. They serve the advice in the
summary and the reminders; the facts extractor (``feeds/facts.py``) does not carry them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from feeds.scan import literal_search  # = rx.search, found literal-first (several times faster)


@dataclass(frozen=True, slots=True)
class Note:
    zh: str
    en: str


# ---- CAPE phase 1 scope -----------------------------------------------------------------
# "unliquidated entries and entries within 80 days of liquidation", "entries liquidated no
# more than 80 days before filing", 「未核定…申報以及…80天內核定申報」.
_CAPE_SCOPE = re.compile(
    r"(?is)\bunliquidated\b.{0,120}?\b80\s*days?\b|\b80\s*days?\b.{0,60}?\bliquidat"
    r"|未核定.{0,60}?80\s*(?:天|日)|80\s*(?:天|日)內?.{0,10}?核定"
)
CAPE_SCOPE = Note(
    "CAPE 第一階段受理：未核定（unliquidated）之申報，及核定後 80 天內之申報；"
    "核定已逾 80 天者，須於核定後 180 天內提出異議（protest，19 U.S.C. 1514）",
    "CAPE phase 1 takes unliquidated entries and entries within 80 days of liquidation; past "
    "day 80 the route is a protest within 180 days of liquidation (19 U.S.C. 1514)",
)


@lru_cache(maxsize=64)  # one announcement asks several times (summary, English, reminders)
def cape_scope(text: str) -> Note | None:
    """The phase 1 scope, when the message states it."""
    return CAPE_SCOPE if literal_search(_CAPE_SCOPE, text[:20_000]) else None


# ---- registering for a session ----------------------------------------------------------
_REGISTRATION_NOTES: tuple[tuple[re.Pattern[str], Note], ...] = tuple(
    (re.compile(rx), note)
    for rx, note in (
        (r"(?i)only register for\s*(?:\(?1\)?|one|a single)\s*(?:webinar|session|call)|register for only one|只需報名一場|請擇一(?:場次)?報名",
         Note("只需報名一場", "register for only one session")),
        (r"(?i)same content|內容相同", Note("各場內容相同", "each session has the same content")),
        (r"(?i)seats are limited|space is limited|capacity is limited|first[- ]come,? first[- ]served|額滿為止|名額有限",
         Note("名額有限，先到先進", "seats are limited: first come, first served")),
        (r"(?i)access link[^.]{0,60}day of the event", Note("連線網址於活動當天寄發給報名者",
                                                         "the access link is sent on the day of the event")),
        (r"(?i)available for replay|recorded webinars?|recording will be|錄影", Note("會後提供錄影", "a recording is available afterwards")),
        (r"活動前一日報名|前一日報名", Note("請於活動前一日報名", "register by the day before")),
    )
)  # fmt: skip


@lru_cache(maxsize=64)
def registration_notes(text: str) -> tuple[Note, ...]:
    """Notes on taking part that the notice states, in a fixed order."""
    head = text[:20_000]
    return tuple(note for rx, note in _REGISTRATION_NOTES if literal_search(rx, head))


# ---- what a period is ---------------------------------------------------------------------
# A range of days in a notice is not always an application period: 「報名期間」 is the time to
# register for a session, 「連續假期」 a holiday the customs offices keep serving through,
# 「計畫執行期間」 a programme's run. The words beside the range say which.
PERIOD_KINDS = (
    "application", "registration", "holiday", "quota", "exclusion", "levy", "covered", "outage",
    "programme", "meeting", "trip", "released", "moved", "period",
)  # fmt: skip
PERIOD_NAMES = {
    "application": Note("申請期間", "application period"),
    "registration": Note("報名期間", "registration period"),
    "holiday": Note("連假期間", "holiday"),
    "quota": Note("配額期間", "quota period"),
    "exclusion": Note("排除適用期間", "exclusion period"),
    "levy": Note("課徵期間", "duty period"),
    "covered": Note("適用期間", "period covered"),
    "outage": Note("停機期間", "outage window"),
    "programme": Note("計畫執行期間", "programme period"),
    "meeting": Note("會期", "event dates"),
    "trip": Note("出國期間", "trip"),
    "visit": Note("訪視期間", "visit"),
    "released": Note("發布日期", "release dates"),
    "moved": Note("日期延後", "moved"),
    "period": Note("期間", "period"),
}
_PERIOD_FORMS = (  # checked in this order: a holiday line may say 「無需事先提出申請」
    # a date moved, not a range: "is extended from July 27 to August 13", "postponement from Sept. 16 to Dec. 9",
    # 「由8月1日延後至9月1日」 (holdout 289, 314)
    ("moved", re.compile(r"(?i:\b(?:extended|postponed|postponement|moved|rescheduled|delayed)\s+from\b)"
                         r"|由[^，。]{2,20}延(?:後|期)?至")),
    ("registration", re.compile(r"報名|(?i:regist(?:er|ration))")),
    ("holiday", re.compile(r"連續假期|連假|假期|春節|端午|中秋|清明|元旦|國慶|和平紀念日|(?i:holiday)")),
    ("application", re.compile(r"申請|受理|(?i:applications?\b|apply)")),
    ("quota", re.compile(r"配額|(?i:\bquota\b)")),
    ("exclusion", re.compile(r"排除|(?i:\bexclusions?\b)")),
    ("levy", re.compile(r"課徵")),
    # AD/CVD instructions: entries made "for the period 02/08/2017 through 07/31/2018"
    ("covered", re.compile(r"(?i:\bfor the period\b|\bperiod of (?:review|investigation)\b)")),
    ("outage", re.compile(r"停機|中斷|(?i:\boutage|\bdowntime\b|\bmaintenance\b)")),
    ("programme", re.compile(r"計畫執行|執行期間")),
    ("meeting", re.compile(r"研討會|說明會|座談會|會議|聽證|(?i:\b(?:hearings?|conference|symposium|seminar|trade week|workshop|summit|meeting|webinars?|calls?)\b)")),
    ("trip", re.compile(r"出國")),
    # a delegation's days abroad: "From February 12 to February 23, a joint CBP and HSI delegation … visit" (holdout 270)
    ("visit", re.compile(r"訪視|(?i:\bsite visits?\b|\bdelegation\b|\bverification (?:team )?visits?\b)")),
    # the days a digest's items came out: "releases Aug. 1-2", "notices issued July 3-5" (holdout 188)
    ("released", re.compile(r"發布|公布|(?i:\breleases?\b|\bissued\b|\bpublished\b)")),
)


def period_kind(label: str) -> str:
    """``application``, ``registration``, ``holiday`` or ``period``, by the words of the line
    the range was found in."""
    for kind, rx in _PERIOD_FORMS:
        if rx.search(label or ""):
            return kind
    return "period"


# ---- applying in an application period ----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Requirements:
    conditions: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.conditions or self.documents or self.contacts)

    def lines_zh(self) -> list[str]:
        out = []
        if self.conditions:
            out.append("申請條件：" + "；".join(self.conditions))
        if self.documents:
            out.append("應備文件：" + "；".join(self.documents))
        if self.contacts:
            out.append("洽詢：" + "；".join(self.contacts))
        return out


_CONDITIONS_HEAD = re.compile(r"符合下列|下列(?:規定|條件|資格)|申請資格|申請條件|資格條件")
_DOCUMENTS_HEAD = re.compile(r"(?:應|須|需|並)(?:檢具|檢附|備妥|附)|(?:檢具|檢附)下列|應備文件|應附文件|申請文件如下|(?i:required documents)")
_MARKER = re.compile(
    r"^\s*(?:[-•‧．·]\s*)?(?:[（(][0-9０-９一二三四五六七八九十]+[)）]|[0-9０-９]+[.、．]|[一二三四五六七八九十]+、)\s*"
)
_BULLET = re.compile(r"^(\s*)[-•‧·]\s+")
_GROUP = re.compile(r"[（(]\s*\d+\s*[)）]\s*$")  # 「自行開發…業者(5)」: a group of 5 items
_PHONE = re.compile(r"0800[-\s]?\d{3}[-\s]?\d{3}|[（(]0\d[)）]\s?\d{3,4}-?\d{4}|\b0\d-?\d{7,8}\b")
_PHONE_CUE = re.compile(r"客服|服務|專線|洽詢|電話|聯絡|諮詢")


def _clip(text: str, n: int = 70) -> str:
    text = " ".join(text.split()).rstrip("。；;")
    return text if len(text) <= n else text[: n - 1] + "…"


def _items_after(lines: list[str], i: int, *, numbered: bool) -> list[str]:
    """The list under line ``i``: enumerated items (numbered) or nested bullets."""
    head_indent = len(lines[i]) - len(lines[i].lstrip())
    out: list[str] = []
    for line in lines[i + 1 : i + 40]:
        if not line.strip():
            continue
        if numbered:
            m = _MARKER.match(line)
            if not m:
                break
            out.append(line[m.end() :])
            continue
        b = _BULLET.match(line)
        if not b or len(b.group(1)) <= head_indent and out:
            break
        if len(b.group(1)) <= head_indent and not out:
            break
        out.append(line[b.end() :])
    return out


def _documents(items: list[str]) -> tuple[str, ...]:
    """Items, with 「…業者(5)」 group heads gathering the items under them."""
    groups: list[tuple[str, list[str]]] = []
    for item in items:
        if _GROUP.search(item):
            groups.append((_GROUP.sub("", item).strip(), []))
        elif groups:
            groups[-1][1].append(_clip(item, 30))
        else:
            groups.append(("", [_clip(item, 30)]))
    out = []
    for head, docs in groups:
        listed = "、".join(docs)
        out.append(f"{_clip(head, 30)}：{listed}" if head else listed)
    return tuple(x for x in out if x)[:4]


# A notice that invites applications says so (「受理申請」「即日起」「請踴躍提出申請」「申請期間」); a
# news story that names a subsidy budget (「宣傳如何申請…補助的費用」) invites no one.
_CALL_TO_APPLY = re.compile(r"受理|提出申請|申請期[間程]|即日起|踴躍|報名|(?i:\bapply\b|\bapplications? (?:period|window|deadline)\b)")


def calls_to_apply(text: str) -> bool:
    return bool(_CALL_TO_APPLY.search(text))


@lru_cache(maxsize=64)
def application_requirements(text: str) -> Requirements:
    """Conditions, documents and whom to ask, as a 公告 or briefing lists them."""
    lines = text[:60_000].replace("*", "").splitlines()
    conditions: list[str] = []
    documents: tuple[str, ...] = ()
    for i, line in enumerate(lines):  # the first heading with a list under it
        if not conditions and _CONDITIONS_HEAD.search(line):
            conditions = [_clip(x, 60) for x in _items_after(lines, i, numbered=True)][:5]
            if not conditions:
                conditions = [_clip(x, 60) for x in _items_after(lines, i, numbered=False)][:5]
        if not documents and _DOCUMENTS_HEAD.search(line) and re.search(r"文件|下列|證明|(?i:documents)", line):
            items = _items_after(lines, i, numbered=False) or _items_after(lines, i, numbered=True)
            documents = _documents(items) if len(items) >= 2 else ()
    contacts: dict[str, str] = {}
    for line in lines:
        for m in _PHONE.finditer(line):
            before = line[: m.start()]
            if "傳真" in before[-8:] or not _PHONE_CUE.search(before[-40:] + line[m.end() : m.end() + 4]):
                continue
            digits = re.sub(r"\D", "", m.group(0))
            label = re.sub(r"[\s:：(（-]*(?:服務專線|客戶服務電話|客服電話|電話|專線)?[\s:：(（]*$", "", before).strip(" -•（(")
            label = _clip(re.split(r"[，,。（(]", label)[-1], 20) if label else ""
            number = m.group(0) if "-" in m.group(0) else (f"{digits[:4]}-{digits[4:]}" if digits.startswith("0800") else m.group(0))
            if digits not in contacts or (label and not contacts[digits].strip().startswith(number)):
                contacts[digits] = f"{label} {number}".strip() if label else number
    return Requirements(tuple(conditions), documents, tuple(contacts.values())[:2])
