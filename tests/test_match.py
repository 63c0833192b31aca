"""Who is alerted, and why: subscriptions against an understood announcement."""

from __future__ import annotations

from bot.alerts.match import match_announcement
from bot.understand.understanding import understand
from feeds.factmodel import Facts
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


# ---- the index matcher gives exactly the per-subscriber answer --------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bot.alerts.match_index import SubscriptionIndex  # noqa: E402
from bot.understand.understanding import TopicHit, Understanding  # noqa: E402

TOPIC_IDS = ["ieepa_cape", "section_232", "ace", "de_minimis", "tw_customs", "webinar"]
SOURCES = ["cbp-csms-rss", "federal-register", "customs-tw"]
# Words with case variants, CJK, a CSMS number, and overlaps ("steel" in "stainless steel").
WORDS = ["CAPE", "cape", "Refund", "refunds", "steel", "Stainless Steel", "關稅", "退稅", "國際貿易署",
         "68396594", "ACE", "ace portal", "ß", "SS", "de minimis", "x", "HTS", "9903"]
HTS_VALUES = ["9903.01", "9903.01.25", "990301", "7326", "8471.30.0100", "84", "abc", "9", "7326.90"]


def _subscription(sid: int) -> st.SearchStrategy[Subscription]:
    return st.one_of(
        st.just(Subscription(sid, "all", "")),
        st.sampled_from(TOPIC_IDS).map(lambda v: Subscription(sid, "topic", v)),
        st.sampled_from(TOPIC_IDS).map(lambda v: Subscription(sid, "mute", v)),
        st.sampled_from(TOPIC_IDS).map(lambda v: Subscription(sid, "urgent", v)),
        st.sampled_from(SOURCES).map(lambda v: Subscription(sid, "source", v)),
        st.sampled_from(WORDS).map(lambda v: Subscription(sid, "keyword", v)),
        st.sampled_from(HTS_VALUES).map(lambda v: Subscription(sid, "hts", v)),
    )


@st.composite
def _subscriptions(draw, max_subscribers: int = 12) -> dict[int, list[Subscription]]:
    n = draw(st.integers(0, max_subscribers))
    return {sid: draw(st.lists(_subscription(sid), max_size=6)) for sid in range(1, n + 1)}


@st.composite
def _announcement(draw) -> tuple[Announcement, Understanding]:
    words = st.lists(st.sampled_from([*WORDS, "notice", "the", "貨物"]), max_size=8).map(" ".join)
    a = Announcement(key="k:1", source=draw(st.sampled_from([*SOURCES, "other"])), kind="rss",
                     ext_id=draw(st.sampled_from(["68396594", "2026-01234", "g1"])), title=draw(words),
                     url="https://example.gov/x", published=NOW, body=draw(words))  # fmt: skip
    topics = draw(st.lists(st.sampled_from(TOPIC_IDS), unique=True, max_size=3))
    hts = draw(st.lists(st.sampled_from(["9903.01.25", "7326.90.8688", "8471", "99", "n/a"]), max_size=3))
    u = Understanding(tuple(TopicHit(t, f"標題含「{t}」") for t in topics), Facts(hts=tuple(hts)), "")
    return a, u


@settings(max_examples=150, deadline=None)
@given(_subscriptions(), _announcement())
def test_index_matcher_equals_the_per_subscriber_semantics(subs, announced):
    ann, u = announced
    assert _lists(SubscriptionIndex.of(subs).match(ann, u)) == match_announcement(ann, u, subs)


def _lists(hits: dict[int, tuple[str, ...]]) -> dict[int, list[str]]:
    return {sid: list(reasons) for sid, reasons in hits.items()}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(st.sampled_from("abcDEFgh關稅ß "), min_size=1, max_size=5), min_size=65, max_size=120),
       st.text(st.sampled_from("abcdefgh關稅SSs "), max_size=200))
def test_many_keywords_take_the_head_path_and_still_agree(keywords, body):
    subs = {i + 1: [Subscription(i + 1, "keyword", k)] for i, k in enumerate(keywords)}
    ann = Announcement(key="k:2", source="s", kind="rss", ext_id="1", title="", url="", published=NOW, body=body)
    u = Understanding((), Facts(), "")
    assert _lists(SubscriptionIndex.of(subs).match(ann, u)) == match_announcement(ann, u, subs)


def test_index_mute_beats_all_and_urgent_is_no_reason():
    u = understand(ANN, now=NOW)
    subs = {1: _subs(("all", ""), ("mute", "ieepa_cape")), 2: _subs(("all", ""), ("urgent", "ieepa_cape")),
            3: _subs(("urgent", "ieepa_cape"))}  # fmt: skip
    index = SubscriptionIndex.of(subs)
    assert index.match(ANN, u) == {2: ("訂閱全部訊息",)}
    assert index.urgent_for(["ieepa_cape"]) == {2, 3}
