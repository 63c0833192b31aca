"""One story, not three alerts: the same CSMS arrives from CBP, then from 貿易署, then in a 工總
letter. A later item says which earlier one it forwards and when the reader was told
(「本函轉知 CSMS #68396594，已於 4/20 通知」); a subscriber who mutes ``forwards`` does not get
a forward of what they already have.

Refs: a CSMS is ``csms:<number>``; a 函 is ``doc:<the digits of its 發文字號>`` (the
「…字第1157012471號」 form; the same number is written 「貿雙二第1157012471號函」 when cited).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.alerts.render import Forwarded
from feeds.factmodel import Facts
from state import stories
from state.subscribers import Subscription

MUTE_FORWARDS = "forwards"  # ``subscribe ID --mute forwards``
_DOC_NUMBER = re.compile(r"第\s*(\d{7,})\s*號")
_CSMS = re.compile(r"CSMS\s*(?:#|No\.?|message)?\s*(\d{6,9}|\d{2}-\d{6})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class StoryRefs:
    own: tuple[str, ...]
    cites: tuple[tuple[str, str], ...]  # (ref, label as the reader should see it)


def _doc_ref(number: str) -> str | None:
    m = _DOC_NUMBER.search(number)
    return f"doc:{m.group(1)}" if m else None


def story_refs(key: str, facts: Facts) -> StoryRefs:
    """What identifies this announcement, and what earlier items it forwards."""
    own: list[str] = []
    cites: dict[str, str] = {}
    if key.startswith("csms:"):
        own.append(key)
    letters = list(facts.letters)
    if letters and letters[0].number and (ref := _doc_ref(letters[0].number)):
        own.append(ref)
    if facts.csms_number and f"csms:{facts.csms_number}" not in own:
        cites[f"csms:{facts.csms_number}"] = f"CSMS #{facts.csms_number}"
    for x in letters[1:]:  # letters attached to the issuing one
        if x.number and (ref := _doc_ref(x.number)) and ref not in own:
            cites.setdefault(ref, f"{x.issuer or ''} {x.number}函".strip())
    for x in letters[:1]:
        for item in x.items:
            if "依據" in item:
                for m in _DOC_NUMBER.finditer(item):
                    ref = f"doc:{m.group(1)}"
                    if ref not in own:
                        cites.setdefault(ref, _cited_label(item, m.group(1)))
            for m in _CSMS.finditer(item):
                ref = f"csms:{m.group(1)}"
                if ref not in own:
                    cites.setdefault(ref, f"CSMS #{m.group(1)}")
    return StoryRefs(tuple(own), tuple(cites.items()))


def _cited_label(item: str, number: str) -> str:
    """「經濟部國際貿易署 貿雙二第1157012471號函」 from 「依據經濟部國際貿易署本(115)年4月23日
    貿雙二第1157012471號函辦理」."""
    m = re.search(r"依據(.{2,20}?)(?:本\(\d+\)年|\d+年|中華民國)", item)
    who = m.group(1) if m else ""
    n = re.search(rf"([\u4e00-\u9fff]{{0,6}}第\s*{number}\s*號)", item)
    doc = n.group(1).removeprefix("日") if n else number  # 「4月30日貿雙二字第…」: 日 ends the date
    return f"{who} {doc}函".strip()


def record(db: Database, key: str, facts: Facts) -> None:
    """Remember what identifies this announcement (inside the match transaction)."""
    stories.record(db, key, story_refs(key, facts).own)


def forwarded_keys(db: Database, key: str, facts: Facts) -> list[str]:
    """The stored announcements this one forwards (the CSMS a 貿易署 letter passes on …)."""
    refs = [r for r, _ in story_refs(key, facts).cites]
    found = stories.keys_for(db, refs) if refs else {}
    return sorted({k for ks in found.values() for k in ks if k != key})


def forwards_for(
    db: Database, key: str, facts: Facts, subscriber_ids: Iterable[int]
) -> dict[int, tuple[Forwarded, ...]]:
    """subscriber → the earlier items this announcement forwards, with when they were told."""
    refs = story_refs(key, facts)
    if not refs.cites:
        return {}
    found = stories.keys_for(db, [r for r, _ in refs.cites])
    keys = sorted({k for ks in found.values() for k in ks if k != key})
    alerted = stories.first_alerted(db, keys)
    out: dict[int, tuple[Forwarded, ...]] = {}
    for sid in subscriber_ids:
        items = []
        for ref, label in refs.cites:
            stored = [k for k in found.get(ref, []) if k != key]
            if not stored and not ref.startswith("csms:"):
                continue  # a letter we never saw: its number alone tells the reader little
            times = [t for k in stored if isinstance(t := alerted.get((sid, k)), datetime)]
            items.append(Forwarded(label, min(times) if times else None))
        out[sid] = tuple(items)
    return out


def skip_as_known(forwards: Sequence[Forwarded], subscriptions: Sequence[Subscription]) -> bool:
    """The subscriber mutes forwards and already has (one of) the items this one forwards."""
    muted = any(s.kind == "mute" and s.value == MUTE_FORWARDS for s in subscriptions)
    return muted and any(f.alerted_at is not None for f in forwards)
