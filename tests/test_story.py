"""One story, not three alerts: CBP's CSMS, then 貿易署's letter, then 工總's letter forwarding
both; each later alert says what it forwards and when the reader had it; ``--mute forwards``
keeps forwards of what a subscriber already has away."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config
from bot.service import Service
from feeds.model import Announcement
from state import announcements, outbox
from state.subscribers import add_subscriber, subscribe

SEED0 = (Path(__file__).parent / "corpus" / "000_seed_cnfi_csms68396594.txt").read_text(encoding="utf-8")
CSMS_BODY = SEED0[SEED0.index("Cargo Systems Messaging") :]
TRADE_LETTER = SEED0[SEED0.index("經濟部國際貿易署 函") :]
T_CBP = datetime(2026, 4, 20, 11, 30, tzinfo=UTC)
T_TRADE = datetime(2026, 4, 23, 2, 0, tzinfo=UTC)
T_CNFI = datetime(2026, 4, 24, 2, 0, tzinfo=UTC)


def _ann(key: str, title: str, body: str, published: datetime, *, kind: str = "rss", language: str = "zh-TW") -> Announcement:
    return Announcement(key=key, source="s", kind=kind, ext_id=key.split(":")[-1], title=title,
                        url=f"https://example.org/{key}", published=published, body=body, language=language)  # fmt: skip


async def _arrive(db, svc: Service, ann: Announcement, now: datetime) -> None:
    with db.atomic():
        announcements.store_new(db, [ann], now=now, alertable_after=datetime(2026, 1, 1, tzinfo=UTC))
    await svc.match(now)


def _alerts(db, sid: int) -> list[str]:
    return [m["text"] for m in outbox.messages_for(db, sid) if m["kind"] == "alert"]


async def test_the_csms_then_two_letters_are_one_story(db) -> None:
    everyone = add_subscriber(db, name="A", channel="console", address="a", now=T_CBP).id
    quiet = add_subscriber(db, name="B", channel="console", address="b", now=T_CBP).id
    for sid in (everyone, quiet):
        subscribe(db, sid, "all", "", now=T_CBP)
    subscribe(db, quiet, "mute", "forwards", now=T_CBP)
    svc = Service(Config.model_validate({"sources": []}), db, {})
    title = "CSMS # 68396594 - AVAILABLE NOW – Consolidated Administration and Processing of Entries (CAPE) for IEEPA Refunds"
    await _arrive(db, svc, _ann("csms:68396594", title, CSMS_BODY, T_CBP, kind="csms_rss", language="en"), T_CBP)
    await _arrive(db, svc, _ann("guid:trade:1", "", TRADE_LETTER, T_TRADE), T_TRADE)
    await _arrive(db, svc, _ann("guid:cnfi:1", "", SEED0, T_CNFI), T_CNFI)
    await svc.close()

    cbp, trade, cnfi = _alerts(db, everyone)
    assert "本函轉知" not in cbp
    assert "本函轉知 CSMS #68396594，已於 4/20（一）通知。" in trade
    assert "本函轉知 CSMS #68396594，已於 4/20（一）通知。" in cnfi
    assert "本函轉知 經濟部國際貿易署 貿雙二字第1157012471號函，已於 4/23（四）通知。" in cnfi
    # The subscriber who mutes forwards got the CSMS once and neither letter.
    assert len(_alerts(db, quiet)) == 1


async def test_a_forward_of_something_the_reader_never_got_still_says_what_it_forwards(db) -> None:
    sid = add_subscriber(db, name="A", channel="console", address="a", now=T_CBP).id
    subscribe(db, sid, "keyword", "工業總會", now=T_CBP)
    subscribe(db, sid, "mute", "forwards", now=T_CBP)  # nothing known yet: still delivered
    svc = Service(Config.model_validate({"sources": []}), db, {})
    await _arrive(db, svc, _ann("guid:cnfi:1", "", SEED0, T_CNFI), T_CNFI)
    await svc.close()
    [text] = _alerts(db, sid)
    assert "本函轉知 CSMS #68396594。" in text and "已於" not in text
