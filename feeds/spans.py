"""Where a fact sits in the text: its line or sentence, a label cut for a calendar title, and
the kind of event its line describes. Shared by the English and Chinese extractors."""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date

from feeds.factmodel import DatedFact

_EVENT_KINDS = (  # matched against the lowered line (no re.I: several times faster)
    ("support_call", re.compile(r"support call|office hours|teleconference|conference call")),
    ("webinar", re.compile(r"webinar|web session|training session|outreach|workshop|說明會|研討會")),
    ("maintenance", re.compile(r"maintenance|upgrade|切換|維護|演練")),
    ("outage", re.compile(r"outage|\bdown\b|unavailable|degraded|disruption|中斷|停機")),
    # New functions going live with no downtime named on the line (a deploy WITH an outage is one).
    ("deployment", re.compile(r"deploy|release into")),
    ("deadline", re.compile(r"no later than|deadline|due (?:by|on)|must be (?:filed|submitted|received)|截止|前")),
    ("effective", re.compile(r"effective|takes effect|on or after|go(?:es)? live|live on|begin(?:ning|s)? on|生效|實施|上線")),
)


_WRAP = 45  # a line at least this long that stops mid-sentence was wrapped by its sender


def _wrapped(line: str) -> bool:
    t = line.rstrip()
    return len(t) >= _WRAP and t[-1] not in ".:;!?。：；！？"


def context(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The line (or sentence, for long lines) around a span — what the label and kind come from.
    A message hard-wrapped at ~60 columns (``THE OUTAGE THAT NORMALLY BEGINS AT 2300 HOURS ON``)
    gives the sentence across its wrapped lines instead of a fragment."""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    ls, le = _unwrapped(text, ls, len(text) if le < 0 else le)
    if le - ls > 300:
        s2 = max(text.rfind(". ", ls, start) + 2, ls, start - 150)
        e2 = text.find(". ", end, le)
        le = min(le, end + 150) if e2 < 0 else min(e2 + 1, end + 150)
        ls = s2
    return text[ls:le], ls, le


_MEMO: list[tuple[str, dict[tuple[int, int], tuple[int, int]]]] = [("", {})]  # the last text's lines


def _unwrapped(text: str, ls: int, le: int) -> tuple[int, int]:
    """The line ``text[ls:le]`` widened over the lines its sender wrapped it into (remembered
    for the last text read: a long message asks for the same lines many times)."""
    memo_text, memo = _MEMO[0]
    if memo_text is not text:
        memo = {}
        _MEMO[0] = (text, memo)
    key = (ls, le)
    if key not in memo:
        memo[key] = _widen(text, ls, le)
    return memo[key]


def _widen(text: str, ls: int, le: int) -> tuple[int, int]:
    for _ in range(2):  # join wrapped lines before and after, sentence ends permitting
        p = text.rfind("\n", 0, max(0, ls - 1)) + 1
        if ls > 0 and _wrapped(text[p : ls - 1]) and not re.search(r"[.!?]\s+\S", text[p : ls - 1]):
            ls = p
        n = text.find("\n", le + 1)
        n = len(text) if n < 0 else n
        if le < len(text) and _wrapped(text[ls:le]) and text[le + 1 : n].strip():
            le = n
    return ls, le


# "No outage is expected", "without downtime", 「不停機」: a denial names no outage.
_DENIED = re.compile(r"\b(?:no|without(?: an?)?|not (?:expect|anticipat)\w*(?: an?)?)\s+(?:system\s+)?(?:outages?|downtime)\b|不停機|無需停機|不中斷")


def classify(line: str, default: str) -> str:
    low = _DENIED.sub(" ", line.lower())
    for kind, rx in _EVENT_KINDS:
        if rx.search(low):
            return kind
    return default


# A time written right after "by" / "no later than" is when something is due ("the webinar link
# … will be posted by 5:00 p.m. EST"), whatever else its sentence names (lowered text).
_DUE_AT = re.compile(r"\b(?:by|no later than|not later than|on or before)\s*$")
_DUE_KINDS = frozenset(("deadline", "effective"))


def classify_at(line: str, at: int, default: str) -> str:
    """The kind of the event whose time sits at ``at`` in ``line``: from its own sentence; a
    deadline or effective word elsewhere on the line (a meeting's paragraph that ends "comments
    must be submitted no later than December 8") does not make the meeting a deadline."""
    if _DUE_AT.search(line.lower(), max(0, at - 20), at):
        return "deadline"
    start = [0, *_cuts(line, at)][-1]
    end = _sentence_end(line, at) or len(line)
    kind = classify(line[start:end], "")
    if kind:
        return kind
    kind = classify(line, default)
    return default if kind in _DUE_KINDS else kind


LABEL_MAX = 90  # display columns (a CJK character counts two): a calendar title, not a paragraph


_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")


def width(text: str) -> int:
    """Display columns: CJK and full-width characters take two."""
    return len(text) if text.isascii() else len(text) + len(_WIDE.findall(text))


def _columns(line: str) -> list[int]:
    """Columns before each position of ``line`` (one pass, for cutting by width)."""
    if line.isascii():
        return list(range(len(line) + 1))
    cols = [0]
    for ch in line:
        cols.append(cols[-1] + (2 if _WIDE.match(ch) else 1))
    return cols


_CUT = re.compile(r"[.!?;]\s+|[。；！？]|[：:](?!\d)\s*")
_ABBREV = re.compile(r"(?i)(?:\b[ap]\.m|\bno|\bu\.s|\be\.g|\bi\.e|\bmr|\bms|\bdr|\bst|\bvs|\bjan|\bfeb|\baug|\bsept?|\boct|\bnov|\bdec)\.$")
_CLAUSE = re.compile(r"[,，]\s*")
_DAYPARTS = frozenset(("上午", "下午", "中午", "晚上", "晚間", "凌晨", "早上", "傍晚"))
_END_AT = re.compile(r"[，,；;、。：:）)」』]")  # where a Chinese label may end


def _cuts(line: str, at: int) -> list[int]:
    """Sentence starts before ``at`` (not after ``a.m.``, ``No.``, ``U.S.``, nor inside ``10:30``)."""
    return [m.end() for m in _CUT.finditer(line, 0, at) if not _ABBREV.search(line, max(0, m.start() - 5), m.start() + 1)]


def _sentence_end(line: str, at: int) -> int | None:
    """Where the sentence holding position ``at`` ends (after its mark), if it ends in ``line``."""
    for m in _CUT.finditer(line, at):
        if not _ABBREV.search(line, max(0, m.start() - 5), m.start() + 1):
            return m.start() + 1
    return None


def label(line: str, at: int = 0) -> str:
    """The phrase around position ``at`` of ``line``: whole sentences where they fit, else cut at
    a clause or word boundary (never inside an English word; Chinese after a punctuation mark),
    ending with the sentence when it can, at most LABEL_MAX display columns (plus ``…``) —
    short enough for a calendar title."""
    flat = " ".join(line.split())
    if width(flat) <= LABEL_MAX:
        return flat
    col = _columns(line)
    start = [0, *_cuts(line, at)][-1]  # the sentence holding ``at``
    end = _sentence_end(line, at)
    tiers = (  # sentence start, then clause starts, then word starts (English) or 、 (Chinese)
        lambda: [start],
        lambda: [m.end() for m in _CLAUSE.finditer(line, start, at)],
        lambda: [i for i in range(start + 1, at) if (line[i - 1] == " " and line[i] != " ") or line[i - 1] == "、"],
    )  # each built only when the one before has no boundary near enough
    fits_end = end is not None and col[end] - col[at] < LABEL_MAX - 20
    s = None
    for make_tier in tiers:
        tier = make_tier()
        ends_too = [c for c in tier if fits_end and end is not None and col[end] - col[c] <= LABEL_MAX]
        near = [c for c in tier if col[at] - col[c] < LABEL_MAX - 20]
        if ends_too or near:
            s = (ends_too or near)[0]
            break
    if s is None:  # no boundary near enough: a word start about 30 characters before
        s = max(0, at - 30)
        while s > 0 and line[s - 1].isalnum() and line[s].isalnum() and line[s].isascii():
            s -= 1
    while s < at and line[s] == " ":
        s += 1
    e = bisect_right(col, col[s] + LABEL_MAX) - 1
    if end is not None and end <= e:
        e = end  # the sentence's own end, not the next one's first words
    elif e < len(line):
        half = s + (e - s) // 2
        if line[e - 1].isascii() and line[e].isascii():
            sp = line.rfind(" ", half, e)
            e = sp if sp > 0 else e
        else:
            ends = [m.end() for m in _END_AT.finditer(line, half, e)]
            e = ends[-1] if ends else e
        while e > half and e < len(line) and (line[e - 1].isdigit() or line[e].isdigit()):
            e -= 1  # never inside a number or time (「下午3時3…」)
        if e > half and line[e - 1 : e + 1] in _DAYPARTS:
            e -= 1  # nor inside 上午/下午
    out = " ".join(line[s:e].split())
    return out + ("…" if e < len(line.rstrip()) else "")


def dedupe_dates(items: list[DatedFact]) -> list[DatedFact]:
    best: dict[tuple[str, date], DatedFact] = {}
    for it in items:
        best.setdefault((it.kind, it.date), it)
    dated = {k[1] for k in best if k[0] != "mentioned"}
    return [v for k, v in best.items() if k[0] != "mentioned" or k[1] not in dated]
