"""The topic taxonomy (``feeds/data/topics.toml``) and tagging that records the rule that matched.

The taxonomy is data so operators can extend it without code; subscriptions refer to topic ids,
so ids are stable. Tagging is pure: text, source and facts in, hits out.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TOPICS_FILE = Path(__file__).resolve().parent / "data" / "topics.toml"
# What an item is about is stated in its title and opening; scanning further costs time (the
# 5,000-word benchmark) and mostly adds topics a long message only mentions in passing.
BODY_SCAN_CHARS = 12_000


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    where: str  # "title" | "body" | "text" | "source" | "hts" | "fact"
    pattern: re.Pattern[str] | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    zh: str
    en: str
    scope: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Tag:
    """One topic on one announcement and the human-readable reason (shown in alerts)."""

    topic: str
    rule: str


def _rule(raw: Mapping[str, Any]) -> Rule:
    name = str(raw["name"])
    if "pattern" in raw:
        return Rule(name, str(raw.get("where", "text")), re.compile(str(raw["pattern"]), re.ASCII))
    if "source" in raw:
        return Rule(name, "source", re.compile(str(raw["source"])))
    if "hts" in raw:
        return Rule(name, "hts", values=tuple(str(v).replace(".", "") for v in raw["hts"]))
    if "fact" in raw:
        return Rule(name, "fact", values=(str(raw["fact"]),))
    raise ValueError(f"topic rule {name!r} has no pattern, source, hts or fact")


@cache
def load_topics(path: Path = TOPICS_FILE) -> dict[str, Topic]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        tid: Topic(tid, t["zh"], t.get("en", tid), t.get("scope", ""), tuple(_rule(r) for r in t["rules"]))
        for tid, t in data["topics"].items()
    }


TOPICS: dict[str, Topic] = load_topics()


def _snippet(text: str) -> str:
    return " ".join(text.split())[:40]


def _apply(rule: Rule, title: str, body: str, source: str, facts: Mapping[str, Any]) -> str | None:
    """The reason this rule matched (繁體中文, with the matched text), or None."""
    if rule.where == "source":
        m = rule.pattern.search(source) if rule.pattern else None
        return f"來源符合「{rule.name}」" if m else None
    if rule.where == "hts":
        for h in facts.get("hts", []) or []:
            digits = re.sub(r"\D", "", str(h))
            if any(digits.startswith(v) for v in rule.values):
                return f"稅則號列 {h}（{rule.name}）"
        return None
    if rule.where == "fact":
        found = facts.get(rule.values[0]) or []
        return f"{rule.name}：{found[0]}" if found else None
    assert rule.pattern is not None
    if rule.where in ("title", "text"):
        m = rule.pattern.search(title)
        if m:
            return f"標題含「{_snippet(m.group(0))}」"
    if rule.where in ("body", "text"):
        m = rule.pattern.search(body)
        if m:
            return f"內文含「{_snippet(m.group(0))}」"
    return None


def tag(
    title: str,
    body: str,
    *,
    source: str = "",
    facts: Mapping[str, Any] | None = None,
    topics: Mapping[str, Topic] | None = None,
) -> list[Tag]:
    """Every topic whose rules match, with the first matching rule's reason, in taxonomy order."""
    facts = facts or {}
    body = body[:BODY_SCAN_CHARS]
    out = []
    for topic in (topics or TOPICS).values():
        for rule in topic.rules:
            reason = _apply(rule, title, body, source, facts)
            if reason:
                out.append(Tag(topic.id, reason))
                break
    return out


def topic_names(ids: Sequence[str]) -> list[str]:
    return [TOPICS[t].zh if t in TOPICS else t for t in ids]
