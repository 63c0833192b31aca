"""The literal-first search (feeds.scan.literal_finditer) finds exactly what ``re`` finds, for
every pattern it serves: topic rules (feeds/data/topics.toml), the summary's readings and its
audience patterns. Property-tested on texts built from the patterns' own words in any case,
Chinese, punctuation and the few letters Unicode case folding maps to ASCII (İ ı ſ K)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.understand.reading import _CAPE_SCOPE, _REGISTRATION_NOTES
from bot.understand.summary import _AUDIENCE_RX
from feeds.scan import literal_finditer, literal_prefixes, literal_search
from feeds.topics import TOPICS

PATTERNS = [
    *(r.pattern for t in TOPICS.values() for r in t.rules if r.pattern is not None),
    _CAPE_SCOPE,
    *(rx for rx, _ in _REGISTRATION_NOTES),
    *(rx for rx, _ in _AUDIENCE_RX),
]
WORDS = sorted({w for rx in PATTERNS for w in re.findall(r"[A-Za-z]{2,}|[\u4e00-\u9fff]{2,}|\d+", rx.pattern)})
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(str.upper),
    st.sampled_from(WORDS).map(str.title),
    st.sampled_from([" ", "  ", "\n", ".", ",", "-", "(", ")", "80 days", "Section 232", "CSMS #", "İ", "ı", "ſ", "K", "é"]),
    st.text(alphabet="abcXYZ 0123456789關稅說明會", max_size=6),
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)


def _spans(it: object) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in it]  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_literal_first_finds_what_re_finds(text: str) -> None:
    for rx in PATTERNS:
        assert _spans(literal_finditer(rx, text)) == _spans(rx.finditer(text)), rx.pattern
        first, plain = literal_search(rx, text), rx.search(text)
        assert (first and first.span()) == (plain and plain.span()), rx.pattern


def test_most_patterns_are_searched_literal_first() -> None:
    """The speed-up applies: most patterns have a literal every match starts with."""
    assert sum(literal_prefixes(rx) is not None for rx in PATTERNS) >= 0.8 * len(PATTERNS)
    assert literal_prefixes(re.compile(r"(?i)\b(?:customs )?brokers?\b|報關行")) == ("broker", "customs ", "報關行")
    assert literal_prefixes(re.compile(r"[A-Z]+ tariff")) is None  # a class first: searched the plain way
