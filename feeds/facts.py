"""Facts from one announcement's text: numbers, dates, events, contacts, letters.

Pure and total: any text in, a ``feeds.factmodel.Facts`` out (its JSON is the explain schema,
docs/EXPLAIN.md). Other capabilities read ``facts.events`` and ``facts.dates`` to build
reminders, so the shapes here are a contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from feeds import dates as D
from feeds.csms import parse_csms_subject
from feeds.factmodel import Event, Facts, Letter
from feeds.facts_en import english_dates, english_events
from feeds.facts_zh import chinese_dates, chinese_letters
from feeds.scan import ascii_lower, matches_at, word_start
from feeds.spans import dedupe_dates

MAX_CHARS = 120_000  # longer bodies are read up to here: facts come early, and sweeps stay fast

_CSMS_SUBJECT_LINE = re.compile(
    r"^[ \t]*(?:(?:UPDATED\s+GUIDANCE|GUIDANCE|UPDATE|UPDATED|RESOLVED|REMINDER|REVISED|CORRECTION)\s*[-\u2010-\u2015:]?\s*)?"
    r"CSMS\s*#\s*\d{2}-\d{6}\s*[-\u2010-\u2015]+\s*\S.*$|^[ \t]*CSMS\s+Message:\s*\d{2}-\d{6}[ \t]*$|^[ \t]*(?:[A-Z ]+[:\u2013-]\s*)?CSMS\s*#\s*\d{5,10}\s*[-\u2010-\u2015].*$",
    re.MULTILINE | re.IGNORECASE,
)
# a printed CSMS page: the number alone on its line over the message's "Title:" line
_NUMBER_OVER_TITLE = re.compile(r"(?im)^[ \t]*CSMS[ \t]*#[ \t]*(\d{2}-\d{6}|\d{8})[ \t]*\n\s*Title[ \t]*:[ \t]*(\S[^\n]*)$")
# a CSMS number is 8 digits or legacy YY-NNNNNN; a 7-digit one is an AD/CVD message number
_NUM_FORM = r"(?<![\d-])(\d{2}-\d{6}|\d{8})(?![\d#]|-\d)"
# "CSMS # N", "CSMS message N", a list in parentheses after its name ("previous CSMS messages
# (15-000761, 15-000773)")
_CSMS_REF = re.compile(
    rf"CSMS[\"\u201d\u2019']?\)?\s*(?:messages?|msgs?\.?)?\s*(?:#|Nos?\.?|Numbers?)?\s*:?\s*\(?#?\s*{_NUM_FORM}", re.IGNORECASE
)
# "Related CSMS: a, b", "Related messages:", "Referenced By" and lists that run on over lines
# and commas after a cited number ("CSMS #\n63988468,\n63992482\n,\n64045612").
_RELATED = re.compile(
    r"(?:Related\s+(?:CSMS(?:\s+(?:No\.?|Nos\.?|#|messages?))?|messages?)|Referenced\s+By)\s*:?\s*"
    r"(?P<rest>[^\n]*(?:\n[\s,;&\u2022\u00b7*-]*(?:CSMS\s*)?#?\s*(?:\d{2}-\d{6}|\d{8})[\s,;&]*(?=\n|$))*)",
    re.I,
)
# a table of CSMS messages flattened to text: under a "CSMS Number" column or a "... Related CSMS
# Messages" heading, each row starts with its number, often run into its topic ("40969690Information")
_TABLE_HEAD = re.compile(r"^[^\n]*(?:CSMS\s+Numbers?|Related\s+CSMS\s+Messages)[^\n]*$", re.I | re.M)
_ROW_NUMBER = re.compile(r"[ \t\u2022*-]*(?:CSMS\s*)?#?\s*" + _NUM_FORM)
_TABLE_GAP = 3  # rows without a number (topic lines) after which the table has ended
_LIST_AFTER = re.compile(r"(?:[ \t]*[,;&][\s,;&]*(?:and\s+)?|\s*\n[\s,;&]*|\s+and\s+)#?\s*" + _NUM_FORM)
_NUMBER = re.compile(_NUM_FORM)
_HTS = re.compile(r"(?<![\d.])(\d{4}\.\d{2}\.(?:\d{2}\.\d{2}|\d{4}|\d{2}))(?![\d.]*\d)")
_HTS_HEADING = re.compile(
    r"(?i)(?:heading|subheading|HTSUS|HTS|tariff number|稅則(?:號別|號列)?)\s*(?:No\.?|number)?\s*(?:\d{4}\s*[-\u2013]\s*)?(\d{4}\.\d{2})(?![\d.]*\d)"
)
# more named headings listed after the first ("HTSUS 7206.10, 7206.90", "7206.10 and 7206.90")
_HEADING_MORE = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or)\s+)(\d{4}\.\d{2})(?![\d.]*\d)")
_ADCVD = re.compile(r"[ACK]-\d{3}-\d{3}\b")  # literal-first; the word start is checked after
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_URL = re.compile(r"https?://[^\s<>\"'）)\]，。、]+", re.IGNORECASE)


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for x in items:
        seen.setdefault(x, None)
    return list(seen)


def _is_year_like(hts: str) -> bool:
    """2026.04.20 is a date, not heading 2026: chapter 19/20 headings stop at 1905/2009."""
    return bool(re.match(r"(?:19[1-9]\d|20[1-9]\d)\.", hts))


_HTS_HINT = re.compile(r"\.\d\d\.\d\d")  # literal-first: where an 8/10-digit number can be
_HEADING_HINT = re.compile(r"\.\d\d(?![.\d])")


# a 10-digit statistical number written without dots counts only right after what names it
_UNDOTTED_NAMED = re.compile(
    r"(?i)(?:HTS(?:US)?|statistical\s+(?:breakout|reporting\s+number|suffix)|tariff\s+(?:number|classification)|"
    r"subheading|稅則(?:號別|號列)?|貨品分類號列)\s*(?:No\.?|numbers?|#)?\s*[:：]?\s*(\d{10})(?![\d\-/.])"
)
_UNDOTTED_WORDS = ("hts", "statistical", "tariff", "subheading", "稅則", "貨品分類")
# a list of three or more 10-digit numbers written without dots, separated by ";" or ",", under a
# text that names the tariff ("the following Harmonized Tariff Schedule classifications …:\nSTEEL:\n
# 7208380015; 7209270000; …"): each is an HTS number
_UNDOTTED_LIST = re.compile(r"(?<![\w\-/.])\d{10}(?:[ \t]*[;,][ \t]*\d{10}(?![\w\-/.])){2,}")
_TARIFF_NAMED = re.compile(r"(?i)harmonized\s+tariff|\bhts(?:us)?\b|tariff\s+(?:number|classification)|稅則|貨品分類")
_TARIFF_REACH = 600  # how far before the list its name may be


def find_hts(text: str) -> list[str]:
    """HTS numbers: 8/10-digit (incl. chapter 99 such as 9903.01.25), named 6-digit headings, and
    10-digit statistical numbers written without dots right after their name ("Statistical
    Breakout 7310100015", "HTS 8471300100")."""
    starts = (h.start() - 4 for h in _HTS_HINT.finditer(text) if h.start() >= 4)
    found = [m.group(1) for m in matches_at(_HTS, text, starts) if not _is_year_like(m.group(1))]
    low = ascii_lower(text)
    named = sorted(i for w in _UNDOTTED_WORDS for i in _finds(low if w.isascii() else text, w))
    found += [m.group(1) for m in matches_at(_UNDOTTED_NAMED, text, iter(named))]
    for m in _UNDOTTED_LIST.finditer(text):
        if _TARIFF_NAMED.search(text, max(0, m.start() - _TARIFF_REACH), m.start()):
            found += re.split(r"[ \t]*[;,][ \t]*", m.group(0))
    if any(h.start() >= 4 and text[h.start() - 4 : h.start()].isdigit() for h in _HEADING_HINT.finditer(text)):
        for m in _HTS_HEADING.finditer(text):
            at, more = m.end(), [m.group(1)]
            while (n := _HEADING_MORE.match(text, at)) is not None:
                more.append(n.group(1))
                at = n.end()
            found += [h for h in more if not _is_year_like(h)]
    return _unique(found)


def _finds(low: str, word: str) -> Iterator[int]:
    """Every position of ``word`` in the lowered text (feeds.scan.ascii_lower)."""
    at = low.find(word)
    while at >= 0:
        yield at
        at = low.find(word, at + 1)


def find_related_csms(text: str, own: str | None) -> list[str]:
    """Every CSMS number cited: after ``CSMS #``/``CSMS message``, in ``Related CSMS:`` /
    ``Related messages:`` / ``Referenced By`` sections, and in lists that continue a citation
    over commas and lines. Phone numbers (``0800-280-280``, ``04-26565101#327``) never match."""
    nums: list[tuple[int, str]] = []
    low = ascii_lower(text)
    for m in matches_at(_CSMS_REF, text, _finds(low, "csms")):
        nums.append((m.start(), m.group(1)))
        at = m.end()
        while (c := _LIST_AFTER.match(text, at)) is not None:
            nums.append((c.start(1), c.group(1)))
            at = c.end()
    for m in re.finditer(r"CSMS\s*#\s*\n", text):  # "CSMS #" with the list on the next lines
        at = m.end() - 1
        while (c := _LIST_AFTER.match(text, at)) is not None:
            nums.append((c.start(1), c.group(1)))
            at = c.end()
    starts = sorted([*_finds(low, "related"), *_finds(low, "referenced")])
    for m in matches_at(_RELATED, text, iter(starts)):
        nums += [(m.start("rest") + x.start(1), x.group(1)) for x in _NUMBER.finditer(m.group("rest"))]
    nums += _table_rows(text, low)
    return [n for n in _unique([n for _, n in sorted(nums)]) if n != own]


def _table_rows(text: str, low: str) -> list[tuple[int, str]]:
    """Numbers that start the rows of a table of CSMS messages (see _TABLE_HEAD)."""
    out: list[tuple[int, str]] = []
    if "csms number" not in low and "related csms messages" not in low:
        return out
    for head in _TABLE_HEAD.finditer(text):
        at, gap = head.end() + 1, 0
        while at < len(text) and gap <= _TABLE_GAP:
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            if (row := _ROW_NUMBER.match(text, at, end)) is not None:
                out.append((row.start(1), row.group(1)))
                gap = 0
            elif text[at:end].strip():
                gap += 1
            at = end + 1
    return out


_LOCAL_PART = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")


def _email_starts(text: str) -> list[int]:
    """Where an address can start: the run of local-part characters before each ``@``."""
    starts: list[int] = []
    at = text.find("@")
    while at >= 0:
        s = at
        while s > 0 and text[s - 1] in _LOCAL_PART:
            s -= 1
        starts.extend(range(s, at))
        at = text.find("@", at + 1)
    return starts


def find_emails(text: str) -> list[str]:
    """Addresses in the text, minus placeholders (``name@example.com`` in subscribe boxes)."""
    emails = [m.group(0).rstrip(".") for m in matches_at(_EMAIL, text, iter(_email_starts(text)))]
    return _unique([e for e in emails if not re.search(r"@example\.[a-z]+$", e, re.I)])


def find_links(text: str, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    urls = [u.rstrip(".,;:") for u in _URL.findall(text)]
    return _unique([*extra, *urls])


# ---------------------------------------------------------------------------------------------
# Title and CSMS number
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heading:
    csms_number: str | None
    title: str
    prefix: str | None


def find_heading(title: str, body: str) -> Heading:
    """CSMS number, title and prefix from the title, or from a subject line inside the body."""
    subj = parse_csms_subject(title) if title else None
    if subj is None:
        m = _CSMS_SUBJECT_LINE.search(body)
        if m:
            subj = parse_csms_subject(re.sub(r"(?i)CSMS\s+Message:", "CSMS #", m.group(0)))
        elif (t := _NUMBER_OVER_TITLE.search(body)) is not None:
            subj = parse_csms_subject(f"CSMS #{t.group(1)} - {t.group(2)}")
    if subj is not None:
        return Heading(subj.number, subj.title, subj.prefix or _title_prefix(subj.title))
    zh = re.search(r"主旨\s*[:：]\s*(.+)", body)
    if not title and zh:
        return Heading(None, zh.group(1).strip()[:200], None)
    first = title or next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    return Heading(None, first[:200], _title_prefix(first))


_TITLE_PREFIX = re.compile(
    r"^(UPDATED GUIDANCE|GUIDANCE|UPDATE|RESOLVED|REMINDER|REVISED|CORRECTION|AVAILABLE NOW)\s*[:\u2013\u2014-]\s*",
    re.I,
)


def _title_prefix(title: str) -> str | None:
    """``GUIDANCE: …`` / ``AVAILABLE NOW – …``: the class word CBP puts before a title."""
    m = _TITLE_PREFIX.match(title)
    return " ".join(m.group(1).upper().split()) if m else None


# ---------------------------------------------------------------------------------------------
# Everything
# ---------------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    """Any Chinese character: a one-line 公告 title is read as Chinese too."""
    return _CJK.search(text, 0, 5000) is not None


# a page's list of other articles (「返回上一頁相關文章」, "Related Articles") on a line of its own:
# the dates and numbers after it are theirs, not this document's
_OTHER_ARTICLES = re.compile(
    r"^[ \t]*(?:返回上一頁|回上一頁|回上頁)?[ \t]*(?:相關文章|相關新聞|相关文章|相关新闻|延伸閱讀|延伸阅读|更多新聞|熱門新聞|推薦閱讀|"
    r"(?i:related\s+(?:articles|posts|stories|news)|more\s+(?:news|stories)|you\s+(?:may|might)\s+also\s+like))[ \t:：]*$",
    re.M,
)


def _before_other_articles(body: str) -> str:
    m = _OTHER_ARTICLES.search(body, 120)  # a menu at the top is no end
    return body[: m.start()] if m else body


# A Federal Register page break "[[Page 38019]]" on a line of its own, often mid-sentence
# ("reconvene from 8:00 a.m. to\n\n[[Page 38019]]\n\n5:00 p.m."): the sentence runs on over it.
_PAGE_MARK = re.compile(r"[ \t]*\n\s*\[\[Page \d+\]\]\s*\n\s*")


def _without_page_marks(body: str) -> str:
    if "[[Page" not in body:
        return body
    return _PAGE_MARK.sub(lambda m: "\n\n" if body[: m.start()].rstrip()[-1:] in ".:;" else " ", body)


def extract_facts(
    title: str,
    body: str,
    *,
    published: datetime,
    links: list[str] | tuple[str, ...] = (),
    links_by_line: dict[str, str] | None = None,
    dated: bool = True,
) -> Facts:
    """All facts of one announcement (JSON keys: docs/EXPLAIN.md). ``dated``: ``published`` is
    the document's own date (feed, stamp, text), not the reading clock's (explain on a bare text)."""
    body = _without_page_marks(_before_other_articles(body[:MAX_CHARS]))
    text = f"{title}\n\n{body}" if title else body
    head = find_heading(title, body)
    dateline = D.parse_dateline(body)
    when = dateline or published
    events = english_events(text, when, links_by_line or {})
    dates = english_dates(text, when)
    letters: list[Letter] = []
    if has_chinese(text):
        zh_dates, zh_events = chinese_dates(text, when.date(), dated or dateline is not None)
        dates += zh_dates
        events += zh_events
        letters = chinese_letters(body)
    events.sort(key=lambda e: e.start_iso)
    event_days = {e.start_iso[:10] for e in events}
    dates = [d for d in dates if d.kind != "mentioned" or d.date.isoformat() not in event_days]
    return Facts(
        csms_number=head.csms_number,
        title=head.title,
        prefix=head.prefix,
        published=when,
        events=tuple(events),
        dates=tuple(dedupe_dates(dates)),
        related_csms=tuple(find_related_csms(text, head.csms_number)),
        hts=tuple(find_hts(text)),
        adcvd=tuple(_unique([m.group(0) for m in _ADCVD.finditer(text) if word_start(text, m.start())])),
        emails=tuple(find_emails(text)),
        links=tuple(find_links(text, list(links))),
        letters=tuple(letters),
    )


def mark_past(facts: Facts, at: datetime) -> Facts:
    """Flag each event already over at ``at`` (the later of the document's own date and the
    clock of whoever reads it) and each date already gone, so nothing past is announced or
    reminded as upcoming. A zoneless time counts as over only once it is over in every zone."""
    day = at.date()
    events = tuple(replace(e, past=True) if _over(e, at) else e for e in facts.events)
    dates = tuple(replace(d, past=True) if d.date < day else d for d in facts.dates)
    return replace(facts, events=events, dates=dates)


def _over(e: Event, at: datetime) -> bool:
    last = e.end or e.start
    if last.tzinfo is None:  # the latest zone is UTC-12: over everywhere 12 hours after UTC
        return last + timedelta(hours=12) < at.astimezone(UTC).replace(tzinfo=None)
    return last < at


def empty_facts(title: str = "") -> Facts:
    """Nothing found: what an unreadable item is stored with."""
    return Facts(title=title)


def date_of(iso: str) -> date:
    return date.fromisoformat(iso[:10])
