"""English → 繁體中文 glossary (``bot/data/glossary.tsv``) and title translation by phrase rules.

Deterministic and offline: the longest glossary phrase wins, acronyms and numbers are kept,
filler words are dropped, and when too little of a title is covered the caller gets ``None``
rather than a half-English jumble (the English title is always shown beside it anyway).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GLOSSARY_FILE = Path(__file__).resolve().parent / "data" / "glossary.tsv"

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
        elif tok.casefold() in _STOP:
            continue
        else:
            total += 1
            if re.fullmatch(r"[A-Z0-9][A-Z0-9.#&-]*|\d[\d.,%-]*|#\d+", tok):
                pieces.append(tok)
                words += 1
            else:
                pieces.append(tok)
    return pieces, words, total


def translate_title(title: str, *, min_coverage: float = 0.6) -> str | None:
    """The title in 繁體中文 by glossary phrases, or None when under ``min_coverage`` is known."""
    g = load_glossary()
    pieces: list[str] = []
    known = total = 0
    pos = 0
    for m in g.pattern.finditer(title):
        left, k, t = _leftover(title[pos : m.start()])
        pieces += left
        known += k
        total += t
        zh = g.terms[m.group(0).casefold()]
        pieces.append(zh)
        n = max(1, len(m.group(0).split()))
        known += n
        total += n
        pos = m.end()
    left, k, t = _leftover(title[pos:])
    pieces += left
    known += k
    total += t
    if total == 0 or known / total < min_coverage:
        return None
    text = _join(pieces)
    text = re.sub(r"（\s*([^（）]+?)\s*）（\1）", r"（\1）", text)  # "（CAPE）（CAPE）" → once
    text = re.sub(r"（([A-Z][A-Za-z-]+)）\s*（\1）", r"（\1）", text)
    text = re.sub(r"^[：\s]+|[：\s]+$", "", text)
    text = re.sub(r"\s*：\s*", "：", text)
    return re.sub(r"\s+", " ", text).strip() or None
