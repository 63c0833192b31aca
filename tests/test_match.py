"""Who is alerted, and why: subscriptions against an understood announcement."""

from __future__ import annotations

from bot.alerts.match import match_announcement
from bot.understand.understanding import understand
from feeds.model import Announcement
from state.subscribers import Subscription
from tests.conftest import NOW

ANN = Announcement(
    key="csms:68396594", source="cbp", kind="csms_rss", ext_id="68396594",
    title="AVAILABLE NOW – Consolidated Administration and Processing of Entries (CAPE) for IEEPA Refunds",
    url="https://content.govdelivery.com/accounts/USDHSCBP/bulletins/413a632", published=NOW,
    body="IEEPA duties refunded through CAPE. Goods under HTS 9903.01.25.",
)  # fmt: skip


def _subs(*pairs: tuple[str, str]) -> list[Subscription]:
    return [Subscription(1, k, v) for k, v in pairs]


def test_each_kind_matches_and_says_why():
    u = understand(ANN, now=NOW)
    cases = {
        1: _subs(("all", "")),
        2: _subs(("topic", "ieepa_cape")),
        3: _subs(("keyword", "refunds")),
        4: _subs(("keyword", "68396594")),  # the CSMS number itself
        5: _subs(("source", "cbp")),
        6: _subs(("hts", "9903.01")),
        7: _subs(("topic", "section_232"), ("keyword", "steel"), ("hts", "7326")),
    }
    hits = match_announcement(ANN, u, cases)
    assert set(hits) == {1, 2, 3, 4, 5, 6}
    assert hits[2][0].startswith("主題：") and "（" in hits[2][0]  # the rule that matched
    assert hits[6] == ["稅則號列：9903.01"]


def test_a_muted_topic_is_excluded_even_under_all():
    u = understand(ANN, now=NOW)
    hits = match_announcement(ANN, u, {1: _subs(("all", ""), ("mute", "ieepa_cape")), 2: _subs(("all", ""))})
    assert set(hits) == {2}
