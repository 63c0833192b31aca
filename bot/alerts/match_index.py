"""Matching by index: topics, keywords, HTS prefixes, sources and mutes → subscriber sets.

``match_announcement`` (bot/alerts/match.py) states the semantics subscriber by subscriber;
this index gives the same answer (tests/test_match.py checks it with hypothesis) at a cost
that follows what the announcement touches — its topics, its source, the prefixes of its HTS
numbers, the keywords that occur in its text — not the number of subscribers.

Each entry remembers the subscription's position in its subscriber's list, so the reasons
come out in the same order as the per-subscriber loop gives them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.alerts.match import topic_label
from bot.understand.understanding import Understanding
from feeds.model import Announcement
from state.subscribers import Subscription

_HEAD = 3  # keywords are bucketed by their first characters; see SubscriptionIndex.keyword_hits


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@dataclass(slots=True)
class Bucket:
    """The subscribers of one subscription (kind, value): subscriber id → the position of
    that subscription in the subscriber's list. A subscriber holding the same subscription
    twice (never in the database, which keeps them unique) has the second in ``extra``."""

    pos: dict[int, int] = field(default_factory=dict)
    extra: list[tuple[int, int]] = field(default_factory=list)

    def add(self, sid: int, pos: int) -> None:
        if sid in self.pos:
            self.extra.append((sid, pos))
        else:
            self.pos[sid] = pos


@dataclass(slots=True)
class SubscriptionIndex:
    every: Bucket = field(default_factory=Bucket)
    topics: dict[str, Bucket] = field(default_factory=dict)
    sources: dict[str, Bucket] = field(default_factory=dict)
    # casefolded keyword → original spelling → bucket (the reason quotes the spelling)
    keywords: dict[str, dict[str, Bucket]] = field(default_factory=dict)
    # HTS prefix digits → original spelling → bucket
    hts: dict[str, dict[str, Bucket]] = field(default_factory=dict)
    mutes: dict[str, set[int]] = field(default_factory=dict)
    urgent: dict[str, set[int]] = field(default_factory=dict)
    # first characters of each keyword → the keywords starting so
    heads: dict[str, list[str]] = field(default_factory=dict)
    subscriptions: int = 0

    @classmethod
    def build(cls, rows: Iterable[tuple[int, str, str]]) -> SubscriptionIndex:
        """From (subscriber id, kind, value) rows grouped by subscriber, each subscriber's
        subscriptions in the order its reasons should be listed."""
        index = cls()
        last, pos = None, 0
        for sid, kind, value in rows:
            pos = pos + 1 if sid == last else 0
            last = sid
            index._add(sid, pos, kind, value)
        return index

    @classmethod
    def of(cls, subscriptions: Mapping[int, Sequence[Subscription]]) -> SubscriptionIndex:
        return cls.build((sid, s.kind, s.value) for sid, subs in subscriptions.items() for s in subs)

    def _add(self, sid: int, pos: int, kind: str, value: str) -> None:
        self.subscriptions += 1
        if kind == "all":
            self.every.add(sid, pos)
        elif kind == "topic":
            self.topics.setdefault(value, Bucket()).add(sid, pos)
        elif kind == "source":
            self.sources.setdefault(value, Bucket()).add(sid, pos)
        elif kind == "keyword":
            folded = value.casefold()
            spellings = self.keywords.get(folded)
            if spellings is None:
                spellings = self.keywords[folded] = {}
                self.heads.setdefault(folded[:_HEAD], []).append(folded)
            spellings.setdefault(value, Bucket()).add(sid, pos)
        elif kind == "hts":
            prefix = _digits(value)
            if prefix:  # a prefix with no digits never matches
                self.hts.setdefault(prefix, {}).setdefault(value, Bucket()).add(sid, pos)
        elif kind == "mute":
            self.mutes.setdefault(value, set()).add(sid)
        elif kind == "urgent":
            self.urgent.setdefault(value, set()).add(sid)

    # ---- matching ---------------------------------------------------------------------
    def keyword_hits(self, text: str) -> list[str]:
        """Casefolded keywords that occur in ``text`` (already casefolded). A keyword can only
        occur where its first characters do, so only the keywords whose head occurs in the
        text are searched for; with few keywords each is simply searched for."""
        if len(self.keywords) <= 64:
            return [k for k in self.keywords if k in text]
        grams = {text[i : i + n] for n in range(1, _HEAD + 1) for i in range(len(text) - n + 1)}
        grams.add("")
        return [k for head, ks in self.heads.items() if head in grams for k in ks if k in text]

    def _groups(self, ann: Announcement, u: Understanding, topics: Mapping[str, str]) -> list[tuple[str, Bucket]]:
        """(reason, bucket) of every subscription this announcement satisfies."""
        text = f"{ann.ext_id}\n{ann.title}\n{ann.body}".casefold()  # CSMS / FR number too
        groups: list[tuple[str, Bucket]] = []
        if self.every.pos:
            groups.append(("訂閱全部訊息", self.every))
        for topic, rule in topics.items():
            if topic in self.topics:
                groups.append((f"主題：{topic_label(topic)}（{rule}）", self.topics[topic]))
        for folded in self.keyword_hits(text) if self.keywords else ():
            for spelling, bucket in self.keywords[folded].items():
                groups.append((f"關鍵字：「{spelling}」", bucket))
        if ann.source in self.sources:
            groups.append((f"來源：{ann.source}", self.sources[ann.source]))
        if self.hts:
            announced = {_digits(h) for h in u.facts.hts}
            prefixes = {h[:n] for h in announced for n in range(1, len(h) + 1)}
            for prefix in prefixes & self.hts.keys():
                for spelling, bucket in self.hts[prefix].items():
                    groups.append((f"稅則號列：{spelling}", bucket))
        return groups

    def match(self, ann: Announcement, u: Understanding) -> dict[int, tuple[str, ...]]:
        """Subscriber id → reasons (繁體中文), as ``match_announcement`` gives them (a tuple,
        shared by the subscribers with the same reasons).

        Set operations carry the work: most subscribers are matched by one subscription
        and get that group's reasons wholesale; only those matched several times are put in
        order one by one."""
        topics = {hit.topic: hit.rule for hit in u.topics}
        groups = self._groups(ann, u, topics)
        muted: set[int] = set()
        for topic in topics:
            muted |= self.mutes.get(topic, set())
        seen: set[int] = set()
        several: set[int] = set()
        for _, bucket in groups:
            several |= seen.intersection(bucket.pos)
            seen.update(bucket.pos)
            several.update(sid for sid, _ in bucket.extra)
        several -= muted
        out: dict[int, tuple[str, ...]] = {}
        found: dict[int, list[tuple[int, str]]] = {sid: [] for sid in several}
        for reason, bucket in groups:
            out.update(dict.fromkeys(bucket.pos.keys() - several - muted, (reason,)))
            for sid in several.intersection(bucket.pos):
                found[sid].append((bucket.pos[sid], reason))
            for sid, p in bucket.extra:
                if sid in found:
                    found[sid].append((p, reason))
        out.update((sid, tuple(r for _, r in sorted(items))) for sid, items in found.items())
        return out

    def urgent_for(self, topics: Iterable[str]) -> set[int]:
        """Digest subscribers who want this announcement's topics at once anyway."""
        found: set[int] = set()
        for topic in topics:
            found |= self.urgent.get(topic, set())
        return found
