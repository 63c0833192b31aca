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

from feeds.scan import literal_finditer, literal_search

TOPICS_FILE = Path(__file__).resolve().parent / "data" / "topics.toml"
# What an item is about is stated in its title and opening; scanning further costs time (the
# 5,000-word benchmark) and mostly adds topics a long message only mentions in passing.
BODY_SCAN_CHARS = 12_000
# The opening of the body that states the subject: a CSMS's first paragraph, an article's
# lead. Beyond it a word counts only when the text keeps coming back to it.
LEAD_CHARS = 320
# Matches closer than this are one mention (「國際緊急經濟權力法（…IEEPA）」 is one).
MENTION_GAP = 120
DEFAULT_MIN_MENTIONS = 3
# …and, in a long text, at least one mention per this many characters on average: an article
# that names PGAs four times in 12,000 characters is not about PGAs.
MENTION_SPAN = 2_500
_SUBJECT_LINE = re.compile(r"^\s*[-•]?\s*主\s*旨\s*[:：].*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Rule:
    """``where``: "title"; "lead" (title or the body's opening and 主旨 line); "text" (title,
    lead, or at least ``min_mentions`` separate mentions in the body); "body" (lead or
    mentions, not the title); "source"; "hts"; "fact" (a non-empty facts list, or events of
    the given ``values`` kinds when ``fact = "events"``)."""

    name: str
    where: str
    pattern: re.Pattern[str] | None = None
    values: tuple[str, ...] = ()
    min_mentions: int = DEFAULT_MIN_MENTIONS


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
        where = str(raw.get("where", "text"))
        if where not in ("title", "lead", "text", "body", "anywhere"):
            raise ValueError(f"topic rule {name!r}: where must be title, lead, text, body or anywhere")
        return Rule(name, where, re.compile(str(raw["pattern"]), re.ASCII),
                    min_mentions=int(raw.get("min_mentions", DEFAULT_MIN_MENTIONS)))  # fmt: skip
    if "source" in raw:
        return Rule(name, "source", re.compile(str(raw["source"])))
    if "hts" in raw:
        return Rule(name, "hts", values=tuple(str(v).replace(".", "") for v in raw["hts"]))
    if "fact" in raw:
        return Rule(name, "fact", values=(str(raw["fact"]), *(str(k) for k in raw.get("kinds", ()))))
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


# Lines that open a bulletin without saying anything about it (GovDelivery / CSMS headers).
_BOILERPLATE = re.compile(
    r"(?im)^\s*(?:you are subscribed to .*|this information has recently been updated.*|u\.s\. customs and border "
    r"protection sent this bulletin.*|cargo systems messaging service|\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2} [ap]m \w+|"
    r"(?:date|to|links)\s*:.*|csms (?:message|#)\s*[:#]?\s*[\d-]+\s*)$"
)


# A site's menu flattened into the text: four or more bulleted items in a row, each a few words
# with no sentence in it (「• AD/CVD Intelligence」「• HTS Catalog」) — a catalog page's navigation
# says nothing about the message it carries (holdout 208, 209, 232, 233).
_MENU = re.compile(r"(?m)(?:^[ \t]*(?:[•·‧-]|\d{1,2}\.)[ \t]+[^\s.,;:!?。，]+(?:[ \t]+[^\s.,;:!?。，]+){0,3}[ \t]*\n(?:[ \t]*\n)?){4,}")


# What a message names as affected, not what it is about: "…deployment of ACE Cargo Release and PGA
# items, which will impact ACE Cargo Release and ACE Entry Summary processing" (holdout 158) — the
# systems a deployment or outage touches are a list of functions, not the message's subject.
_AFFECTED = re.compile(r"(?i)\b(?:impact|affect)(?:s|ed|ing)?\s+(?:the\s+)?(?:ACE|ACS|ABI)\b[^.;\n]{0,160}")
# An index of other messages: lines that open with a CSMS number and a title ("18-000624 Entry Summary
# Order of Reporting …", holdout 206) list what else was said, not what this text says.
_INDEX = re.compile(r"(?m)^[ \t]*(?:\d{8}|\d{2}-\d{6})[ \t]*[A-Za-z].*$")


def _no_passing(text: str) -> str:
    """The text without flattened menus, affected-systems clauses and indexes of other messages."""
    return _INDEX.sub("", _AFFECTED.sub("", _MENU.sub("", text)))


def lead_of(body: str) -> str:
    """The body's opening (past a bulletin's header lines) and its 主旨 line (a letter states
    its subject there)."""
    subject = _SUBJECT_LINE.search(body[:BODY_SCAN_CHARS])
    opening = _BOILERPLATE.sub("", _no_passing(body[: LEAD_CHARS * 4])).lstrip()
    lead = opening[:LEAD_CHARS]
    return lead + ("\n" + subject.group(0) if subject and subject.group(0) not in lead else "")


def mentions(pattern: re.Pattern[str], text: str, enough: int | None = None) -> int:
    """Separate mentions: matches closer than ``MENTION_GAP`` characters count once. Stops
    counting at ``enough``."""
    count, last_end = 0, -MENTION_GAP - 1
    for m in literal_finditer(pattern, text):  # = pattern.finditer(text), literal-first
        if m.start() - last_end > MENTION_GAP:
            count += 1
            if enough is not None and count >= enough:
                break
        last_end = m.end()
    return count


def _apply(rule: Rule, title: str, body: str, lead: str, source: str, facts: Mapping[str, Any]) -> str | None:
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
        kinds = rule.values[1:]
        if kinds:  # events of these kinds (a webinar one can attend …)
            found = [e for e in found if isinstance(e, Mapping) and e.get("kind") in kinds]
            return f"{rule.name}：{found[0].get('label') or found[0].get('kind')}"[:60] if found else None
        return f"{rule.name}：{found[0]}" if found else None
    assert rule.pattern is not None
    if rule.where in ("title", "lead", "text", "anywhere"):
        m = rule.pattern.search(title)
        if m:
            return f"標題含「{_snippet(m.group(0))}」"
    if rule.where in ("lead", "text", "body"):
        m = rule.pattern.search(lead)
        if m:
            return f"內文含「{_snippet(m.group(0))}」"
    if rule.where == "anywhere":  # a phrase specific enough to count wherever it stands
        m = literal_search(rule.pattern, body)
        return f"內文含「{_snippet(m.group(0))}」" if m else None
    needed = max(rule.min_mentions, -(-len(body) // MENTION_SPAN))
    n = mentions(rule.pattern, body, needed) if rule.where in ("text", "body") else 0
    if n >= needed:
        m = literal_search(rule.pattern, body)
        assert m is not None
        return f"內文多次提及「{_snippet(m.group(0))}」"
    return None


def tag(
    title: str,
    body: str,
    *,
    source: str = "",
    facts: Mapping[str, Any] | None = None,
    topics: Mapping[str, Topic] | None = None,
) -> list[Tag]:
    """Every topic whose rules match, with the first matching rule's reason, in taxonomy order.

    A word in the title or the body's opening says what the item is about; further down it
    counts only when it comes back ``min_mentions`` times, so a long article that names
    IEEPA once in passing is not an IEEPA item."""
    facts = facts or {}
    body = _no_passing(body[:BODY_SCAN_CHARS])
    if not title.strip():  # a bare document carries its title on its first line
        title = next((line.strip() for line in body.splitlines() if line.strip()), "")[:300]
    lead = lead_of(body)
    out = []
    for topic in (topics or TOPICS).values():
        for rule in topic.rules:
            reason = _apply(rule, title, body, lead, source, facts)
            if reason:
                out.append(Tag(topic.id, reason))
                break
    return out


def topic_names(ids: Sequence[str]) -> list[str]:
    return [TOPICS[t].zh if t in TOPICS else t for t in ids]
