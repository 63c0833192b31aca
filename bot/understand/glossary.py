"""English → 繁體中文 glossary (``bot/data/glossary.tsv``) and title translation by phrase rules.

Deterministic and offline: the longest glossary phrase wins, acronyms and numbers are kept,
filler words are dropped, and when too little of a title is covered the caller gets ``None``
rather than a half-English jumble (the English title is always shown beside it anyway).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

GLOSSARY_FILE = Path(__file__).resolve().parents[1] / "data" / "glossary.tsv"

_STOP = {
    "a", "an", "the", "of", "for", "and", "on", "to", "in", "with", "by", "at", "from", "as",
    "is", "are", "be", "will", "its", "their", "this", "that", "or", "&",
}  # fmt: skip
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@dataclass(frozen=True, slots=True)
class Glossary:
    terms: dict[str, str]  # casefolded English → 繁體中文
    pattern: re.Pattern[str]


def _compile(terms: dict[str, str]) -> re.Pattern[str]:
    keys = sorted(terms, key=len, reverse=True)
    alternation = "|".join(re.escape(k) for k in keys)
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.IGNORECASE)


@cache
def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    terms: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip() and parts[1].strip():
            terms.setdefault(parts[0].strip().casefold(), parts[1].strip())
    return Glossary(terms, _compile(terms))


@cache
def _acronyms(path: Path = GLOSSARY_FILE) -> frozenset[str]:
    """Acronyms of four letters or more the glossary writes (「CAPE Declaration」「…（USTR）」)."""
    terms = " ".join(" ".join(ln.split("\t")[:2]) for ln in path.read_text(encoding="utf-8").splitlines())
    return frozenset(re.findall(r"(?<![\w-])[A-Z][A-Z0-9-]{3,}(?![\w-])", terms))


@cache
def _short_acronyms(path: Path = GLOSSARY_FILE) -> frozenset[str]:
    """Acronyms of two or three letters the glossary writes (ACE, ABI, CBP, PGA)."""
    terms = " ".join(" ".join(ln.split("\t")[:2]) for ln in path.read_text(encoding="utf-8").splitlines())
    return frozenset(re.findall(r"(?<![\w-])[A-Z]{2,3}(?![\w-])", terms))


_RUN_OF_CAPITALS = re.compile(r"\b[A-Z]{2,}(?:\s+[A-Z]{2,}\b)+")


def _shouted(run: str) -> bool:
    """Words in capitals, not a row of acronyms ("GET READY NOW", not "ACE ABI"): none of them an
    acronym the glossary knows, and two or more of four letters or more, or three or more words."""
    words = run.split()
    if any(w in _acronyms() or w in _short_acronyms() for w in words):
        return False  # 「ACE PRODUCTION OUTAGE」 names a system: the glossary reads it as it stands
    return len([w for w in words if len(w) >= 4]) >= 2 or len(words) >= 3


def unshout(title: str) -> str:
    """A title set in capitals ("ACE PRODUCTION OUTAGE", "NOTIFICATION OF TEMPORARY TRAVEL …") in
    ordinary case, so its words are read as words, not as acronyms: a word of four letters or more
    is capitalised unless the glossary knows it as an acronym (CSMS, CAPE, USTR)."""
    if re.search(r"[a-z]", title):  # a mixed title: only its runs of capitals ("… Filers - GET READY NOW!")
        return _RUN_OF_CAPITALS.sub(lambda m: _as_words(m.group(0), shortest=3) if _shouted(m.group(0)) else m.group(0), title)
    if len(re.findall(r"\b[A-Z]{4,}\b", title)) < 3:
        return title
    return _as_words(title)


def _as_words(title: str, shortest: int = 4) -> str:
    keep = _acronyms()
    title = re.sub(r"\b[A-Z]{2,}\b", lambda m: m.group(0).lower() if m.group(0).casefold() in _STOP else m.group(0), title)
    return re.sub(rf"\b[A-Z]{{{shortest},}}\b", lambda m: m.group(0) if m.group(0) in keep else m.group(0).capitalize(), title)


def lookup(term: str) -> str | None:
    return load_glossary().terms.get(term.strip().casefold())


def _join(pieces: list[str]) -> str:
    out = ""
    for p in pieces:
        if not p:
            continue
        if out and not (_CJK.search(out[-1]) or _CJK.search(p[0])) and out[-1] not in "（(：" and p[0] not in "）)：" or out and (bool(_CJK.search(out[-1])) != bool(_CJK.search(p[0]))) and out[-1] not in "（(：" and p[0] not in "）)：，":
            out += " "
        out += p
    return out


def _leftover(span: str) -> tuple[list[str], int, int]:
    """Words between glossary hits: keep acronyms, numbers and brackets; count the rest."""
    pieces: list[str] = []
    words = total = 0
    for tok in re.findall(r"\(|\)|[–—:;/,]|[^\s()–—:;/,]+", span):
        if tok == "(":
            pieces.append("（")
        elif tok == ")":
            pieces.append("）")
        elif tok in "–—:;":
            pieces.append("：")
        elif tok in ",/":
            pieces.append("、" if tok == "," else "／")
        elif tok.casefold() in ("and", "&"):
            pieces.append("與")
        elif tok in ("US", "USA"):  # the country, not an acronym to keep (「US 小額免稅暫停」, holdout 205)
            pieces.append("美國")
            words += 1
            total += 1
        elif tok.casefold() in _STOP:
            continue
        else:
            total += 1
            if re.fullmatch(r"[A-Z0-9][A-Z0-9.#&-]*|\d[\d.,%-]*|#\d+|\ue000\d+\ue001", tok):
                pieces.append(tok)
                words += 1
            else:
                pieces.append(tok)
    return pieces, words, total


_SLOT = re.compile("\ue000(\\d+)\ue001")


# "ET" / "PT" say no season: in a Chinese title they are named in Chinese (GLOSSARY: eastern
# time → 美東時間); EDT / EST stay as the summary writes them (「美東 4/21 13:00 EDT」).
_ZONE_ZH = {"ET": "美東時間", "PT": "美西時間"}


def _protect_datetimes(title: str) -> tuple[str, list[str]]:
    """Dates and times in a title become slots (``April 20, 2026`` → 2026/4/20, ``8:00 AM EDT`` →
    08:00 EDT) so word rules leave them whole."""
    from feeds.dates import parse_en_dates, parse_en_times

    spans: list[tuple[int, int, str]] = []
    for d in parse_en_dates(title, date(2000, 1, 1)):
        v = d.value
        spans.append((d.start, d.end, f"{v.year}/{v.month}/{v.day}" if d.year_given else f"{v.month}/{v.day}"))
    for t in parse_en_times(title):
        if not any(s <= t.start < e for s, e, _ in spans):
            at = re.search(r"@\s*$", title[: t.start])
            start = at.start() if at else t.start  # 「@0500ET」「@ 2200」
            zone = _ZONE_ZH.get((t.zone or "").upper(), t.zone or "")
            last = spans[-1] if spans else None
            if last and re.fullmatch(r"\s*(?:to|until|through|-|–)\s*", title[last[1]:start], re.I) and ":" in last[2]:
                # 「@ 2200 to 0400 ET」 is one window: 22:00–04:00 美東時間, not two times side by side
                first = last[2].split(" ", 1)[0]
                spans[-1] = (last[0], t.end, f"{first}–{t.value:%H:%M}" + (f" {zone}" if zone else ""))
                continue
            spans.append((start, t.end, f"{t.value:%H:%M}" + (f" {zone}" if zone else "")))
    values: list[str] = []
    out, pos = "", 0
    for s, e, text in sorted(spans):
        if s < pos:
            continue
        out += title[pos:s] + f" \ue000{len(values)}\ue001 "
        values.append(text)
        pos = e
    return out + title[pos:], values


# Phrase rules: English word order → Chinese word order, tried in order on each fragment;
# named groups are translated recursively. Kept few and general; the glossary does the rest.
PHRASE_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rx, re.IGNORECASE), tpl)
    for rx, tpl in (
        (r"^Procedures for (?P<a>.+?) Collected Under (?P<b>.+)$", "{b}已徵收{a}之處理程序"),
        (r"^(?P<a>.+?) increased to (?P<n>\d+) percent$", "{a}調高至 {n}%"),
        (r"^(?P<a>.+?) ahead of (?P<b>.+)$", "{b}前之{a}"),
        (r"^Adjusting Imports of (?P<a>.+?) Into the United States(?P<c>.*)$", "調整{a}進口{c}"),
        (r"^(?P<a>.+?) under (?P<b>.+)$", "依{b}之{a}"),
        (r"^Automation of (?P<a>.+)$", "{a}自動化"),
        (r"^(?P<a>.+?) for (?P<b>.+)$", "{b}之{a}"),
        (r"^(?P<a>.+?(?:duties|duty|tariffs|tariff)) on (?P<b>.+)$", "{b}{a}"),
        (r"^(?P<a>(?:suspension|extension|termination|modification|implementation|automation)) of (?P<b>.+)$", "{b}{a}"),
    )
)
_HEAD = re.compile(r"^\s*(?P<head>[^:\u2013\u2014]{2,60}?)\s*[:\u2013\u2014]\s*(?P<rest>.+)$")


def _words(fragment: str) -> tuple[list[str], int, int]:
    """Glossary phrases, longest first; leftovers kept when acronyms or numbers."""
    g = load_glossary()
    pieces: list[str] = []
    known = total = 0
    pos = 0
    for m in g.pattern.finditer(fragment):
        left, k, t = _leftover(fragment[pos : m.start()])
        pieces += left
        known += k
        total += t
        pieces.append(g.terms[m.group(0).casefold()])
        n = max(1, len(m.group(0).split()))
        known += n
        total += n
        pos = m.end()
    left, k, t = _leftover(fragment[pos:])
    return pieces + left, known + k, total + t


def _phrase(fragment: str, depth: int = 0) -> tuple[str, int, int]:
    """A fragment through the first phrase rule that fits (recursively), else word by word."""
    if depth < 4:
        for rx, tpl in PHRASE_RULES:
            m = rx.match(fragment.strip())
            if not m:
                continue
            filled: dict[str, str] = {}
            known = total = 0
            for name, value in m.groupdict().items():
                if name == "n":
                    filled[name] = value
                    continue
                text, k, t = _phrase(value, depth + 1)
                filled[name] = text
                known += k
                total += t
            return tpl.format(**filled), known + 1, total + 1
    pieces, known, total = _words(fragment)
    return _join(pieces), known, total


def translate_title(title: str, *, min_coverage: float = 0.6) -> str | None:
    """The title in 繁體中文 by phrase rules and the glossary, or None when too little is known."""
    title, slots = _protect_datetimes(unshout(title))
    parts: list[str] = []
    known = total = 0
    rest = title
    while (m := _HEAD.match(rest)) and len(parts) < 3:
        text, k, t = _phrase(m.group("head"))
        parts.append(text)
        known, total, rest = known + k, total + t, m.group("rest")
    text, k, t = _phrase(rest)
    parts.append(text)
    known, total = known + k, total + t
    if total == 0 or known / total < min_coverage:
        return None
    text = "：".join(p for p in parts if p.strip())
    text = re.sub(r"（\s*([^（）]+?)\s*）（\1）", r"（\1）", text)  # "（CAPE）（CAPE）" → once
    text = re.sub(r"（([A-Z][A-Za-z-]+)）\s*（\1）", r"（\1）", text)
    text = re.sub(r"^[：\s]+|[：\s]+$", "", text)
    text = re.sub(r"\s*：\s*", "：", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub("[、，,]\\s*(?=\ue000)", " ", text)  # 「系統上線、 2017/7/11」: a date is not a list item
    text = _SLOT.sub(lambda m: slots[int(m.group(1))], text)
    text = re.sub(r"([A-Za-z0-9%])(?=[\u4e00-\u9fff])|([\u4e00-\u9fff])(?=[A-Za-z0-9])", r"\1\2 ", text)
    return text or None
