"""The heading of a document that came without one (a page's text, a pasted article): its first
line that is a heading, not page chrome.

Pages flattened to text open with what a reader skips — "Skip to main content", a site's
tagline, cookie and privacy notices, 「我是廣告 請繼續往下閱讀」, bylines (「記者○○○／台北報導」),
photo captions (「（圖／…提供）」「…攝」), one-word labels (「快訊」, "Description"). A news text
often has no heading at all and opens with its lead paragraph: then the lead's first sentence
(a line further down is more often a section heading or a caption than the article's title).
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
# Whole lines a reader skips: navigation, notices, taglines, advertising, labels.
_CHROME = re.compile(
    r"(?ix)^(?:"
    r"skip\ to\ (?:main\ )?content|an\ official\ website\ of\b.*|.*\bofficial\ website\ of\ the\b.*"
    r"|here'?s\ how\ you\ know|top\ of\ page|back\ to\ top|menu|search|share|print|home|description"
    r"|(?:the|your)\ (?:source|home)\ for\b.*|start\ a\ (?:free\ )?trial|subscribe.*|sign\ in|log\ ?in"
    r"|.*\byour\ browser\b.*|.*\bcookies?\b.*|.*\bicon(?![a-z]).*|a-\s*a\+|\d{1,2}\.\s+\S.{0,60}"
    r"|archived\ content|(?:official|secure)\ (?:\.gov\ )?websites\ use\b.*|.*\blapse\ in\ federal\ funding\b.*"
    r"|.*\barchive\ contains\b.*|.*\.gov\ website\ belongs\b.*|.*\blocked\ padlock\b.*|.*https://\ means\b.*"
    r"|(?:.*\b(?:del|las|los|sitio|para|que|se|hasta)\b){2}.*"  # the same notice in Spanish
    r"|.*廣告.*|.*隱私.*|快訊|即時新聞|新聞|最新消息|下載|分享|列印|回上頁|字級.*"
    r"|.*\bis\ a\ service\ of\b.*|about|contact(?:\ us)?|.*create\ a\ free\ account.*|page\ created\ by\b.*"
    r"|continue\ reading|[\W_]+"  # a publisher's line, account links, rules and ornaments (「◆」「=====」)
    r"|\[[^\]]*\]|from\ the\ federal\ register\ online\b.*|\d+\ cfr\b.*"  # the GPO text's stamps
    r"|(?:department|office)\ of\ [a-z.,;\ ]+|(?:u\.s\.\ )?customs\ and\ border\ protection(?:\ *[-|–]\ *cbp)?"
    r"|[晴陰雨時多雲陣雷午後短暫]{2,8}"  # a weather line at a news page's top (「晴時多雲」)
    # an agency's name alone (「Import Administration」「Customs Service」), a page's update stamp, its dated
    # what's-new line (「September 2001: New FTZ Mailing Address」), an FR preamble's AGENCY:/ACTION: fields
    r"|(?:[a-z.&]+\ ){0,2}service|(?:[a-z.&]+\ ){0,4}administration|last\ updated?\b.*|(?:agency|action):.*"
    # a page's English date line ("Tuesday, February 27, 2024"), a document number alone ("FR 2025-02621"),
    # a one-word section label of a document page ("Overview", "Title", "Agencies", "Summary")
    r"|(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,\ )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?\ \d{1,2},\ \d{4}"
    r"|(?:fr\ )?(?:doc(?:ument)?\ )?(?:no\.?:?\ )?\d{4}-\d{4,5}|overview|title|agencies|summary"
    r"|(?:january|february|march|april|may|june|july|august|september|october|november|december)\ \d{4}:.*"
    r")$"
)
# Stamps that open a stored line before its heading: a search excerpt's 「date 2026-02-12」, a bulletin
# table's "Title: | … |", a Federal Register document number ("2022-08664. Request for …") or citation.
_STAMP = re.compile(
    r"^(?:date\s+\d{4}-\d{2}-\d{2}\s*|title\s*:\s*\|?\s*|(?:\d\d)?\d\d-\d{4,5}\.\s+"
    r"|(?:\d+_FR_\d+\s+)?\d+\s+FR\s+\d+(?:\s+pgs?\.\s+[\d-]+)?\s+[-–]\s+)",  # 「83 FR 48864 - 」「88 FR 167 pgs. 1-3 - 」
    re.I,
)
# Bylines: 「記者張佩芬／台北報導」「中央社／ 台北17日電」「鉅亨網記者張韶雯 台北 2025-09-16 19:57」, "By …".
_BYLINE = re.compile(
    r"^(?:\[[^\]]{1,20}\]|[^\s，。]{0,8}(?:[／/]\s*)?)記者\s*\S{2,4}\s*(?:[／/]|\s).{0,30}$|^.{0,12}[／/]\s*\S{2,4}\d{1,2}日電$"
    r"|^(?:posted\s+)?by\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}(?:\s+on\b.*)?$",
    re.I,
)
# Photo captions: 「(圖/…/資料照)」「▲…（圖／…提供）」「…。李政龍攝」
_CAPTION = re.compile(r"^[(（]圖|^.{0,20}[。\s]圖\s*[／/].{0,20}$|^[▲▼△]|(?:攝|資料照|提供|翻攝)[)）]?\s*$|[(（](?:圖|記者)[^()（）]{0,30}[)）]\s*$")
# A byline that opens a lead: 「（中央社記者呂晏慈台北30日電）」「〔記者鄭琪芳／台北報導〕」
# … and one stacked on another: 「【新唐人2013年01月22日訊】(中央社記者黃巧雯台北22日電)」
_LEAD_BYLINE = re.compile(r"^(?:[(（〔\[【][^()（）〔〕\[\]【】]{0,20}(?:電|報導|專訊|日訊)[)）〕\]】]\s*)+")
# A photo credit after a heading: 「…實體。圖／本報資料照片」
_TRAILING_CAPTION = re.compile(r"[。\s]*[(（]?圖\s*[／/][^。]{0,20}$")
# A bulletin that names its title ("CSMS Message: 17-000112" ⏎ "Title:ACE PRODUCTION …", holdout 158)
_TITLED = re.compile(r"(?i)^title\s*:\s*\|?\s*\w")
# A page's date alone on a line: 「2022年2月11日(星期五)」「2021/10/18 20:11」
_DATE_ONLY = re.compile(r"^[\d年月日/.\-:\s]+(?:[(（](?:星期)?[一二三四五六日][)）])?[\d:\s]*$")
# A flattened page glues its heading to the first sentence: "… WebinarsThe Office of Trade's …"
_GLUED = re.compile(r"(?<=[a-z])(?=(?:The|This|These|On|In|CBP|U\.S\.)\s)")


def _is_chrome(line: str) -> bool:
    return bool(_CHROME.match(line) or _BYLINE.match(line) or _CAPTION.search(line) or _KANA.search(line)
                or _DATE_ONLY.match(line) or _is_label(line))


def _is_label(line: str) -> bool:
    """A section label, not a heading: one word in capitals ("BACKGROUND", "SUMMARY"), a line that
    introduces what follows ("Information derived from … Messaging Service:"), a table's column
    headings (「編號 規定中文 規定英文 實施日期」)."""
    words = line.split()
    return ((len(words) == 1 and line.isalpha() and line.isupper()) or (line.endswith((":", "：")) and len(line) <= 120)
            or (len(words) >= 3 and all(1 < len(w) <= 4 and _CJK.fullmatch(w[0]) for w in words))
            or (len(words) == 2 and len(words[0]) <= 4 and bool(_CJK.fullmatch(words[0][0]))
                and words[1].isascii() and words[1].isalpha()))  # a bilingual cell 「刪除 Delete」


# ASCII punctuation in Chinese text (「…溫進法,昨天接受…是什麼?」): the full-width forms a title is set in.
_ZH_PUNCT = {",": "，", "?": "？", "!": "！", ";": "；", ":": "："}
_ASCII_IN_ZH = re.compile(r"(?<=[\u4e00-\u9fff）」』])\s*([,?!;:])\s*|\s*([,?!;])(?=\s*[\u4e00-\u9fff「『（])")
# A lead that opens with why (「鑑於疫情升溫，為降低傳染風險…，海關…上線」): the news is the clause after.
_WHY_CLAUSE = re.compile(
    r"^(?:(?:鑑於|基於|因應|為了|為(?={0}))[^，。]{{2,40}}，(?:(?:並|及|以)?(?:{0})[^，。]{{2,40}}，)*)+".format(
        "降低|提升|加強|落實|促進|便利|協助|減少|避免|維護|保障|強化|推動|防止|防範|確保|配合|消除"))


def _full_width(line: str) -> str:
    return _ASCII_IN_ZH.sub(lambda m: _ZH_PUNCT[m.group(1) or m.group(2)], line)


def _is_lead(line: str) -> bool:
    """A paragraph, not a heading: a long Chinese sentence run, or many English words."""
    cjk = len(_CJK.findall(line))
    return (cjk > 45 and len(re.findall(r"[，,；]", line)) >= 2) or (cjk == 0 and len(line.split()) > 22)


def _first_sentence(line: str) -> str:
    line = _TRAILING_CAPTION.sub("", _LEAD_BYLINE.sub("", line)).rstrip("\ufffd…")
    if _CJK.search(line):
        line = _full_width(line)
        end = re.search(r"[。？！]|(?<=.{10})：", line)  # a lead-in's colon ends it too
        head = line[: end.end() if end.group(0) in "？！" else end.start()] if end else line
        if len(rest := _WHY_CLAUSE.sub("", head)) >= 15:
            head = rest
        if len(head) <= 80:
            return head
        cut = max(head[:80].rfind("，"), head[:80].rfind(","), head[:80].rfind("；"))
        return head[:cut] if cut >= 20 else head[:80] + "…"
    glued = _GLUED.split(line, maxsplit=1)
    if len(glued) > 1 and len(glued[0].split()) >= 3:
        return glued[0].strip()
    m = re.search(r"(?<!\b[A-Z])(?<!\bU\.S)(?<!\bNo)[.!?](?=\s+[A-Z\"“])", line)
    head = line[: m.start() + 1] if m else line
    if len(head) <= 200:
        return head
    return head[: head[:200].rfind(" ")].rstrip(" ,;") + "…"  # a long sentence ends at a word, never mid-word


def _unwrap(body: str) -> list[str]:
    """Lines, with a heading wrapped over a short paragraph joined: lines of capitals, or lines the
    typesetter broke after a space ("Request for Comments on … the 301 ⏎ Action To Address …")."""
    out: list[str] = []
    para: list[str] = []
    for raw in [*body.splitlines(), ""]:
        if raw.strip():
            if para and para[-1].endswith(" ") and raw.strip()[:1].islower() and len(para[-1].strip()) <= 80:
                para[-1] = para[-1].rstrip() + " " + raw.lstrip()  # a line wrapped mid-phrase ("…for Purpose ⏎ of Foreign …")
            else:
                para.append(raw)
            continue
        wrapped = 1 < len(para) <= 3 and all(len(ln.strip()) <= 80 for ln in para) and (
            all(ln.strip().isupper() for ln in para) or all(ln.endswith((" ", "-")) for ln in para[:-1]))
        out += [" ".join(ln.strip() for ln in para)] if wrapped else [ln.strip() for ln in para]
        para = []
    return out


def headline(body: str, *, look: int = 12) -> str:
    """The document's heading from its first lines ("" when the body has none)."""
    raw = [ln for ln in _unwrap(body) if ln][: look * 2]
    titled = next((ln for ln in raw if _TITLED.match(ln)), "")  # a bulletin's own "Title:" line wins
    lines = [_STAMP.sub("", ln).strip().strip("|").strip() for ln in ([titled] if titled else raw)]
    lines = [ln for ln in lines if ln]
    kept = [ln for ln in lines if not _is_chrome(ln)][:look]
    if not kept:
        return ""
    first = _LEAD_BYLINE.sub("", kept[0])
    if _CJK.search(first) and _ASCII_IN_ZH.search(first):
        return _first_sentence(first)
    if not _is_lead(first):
        return _first_sentence(first) if _GLUED.search(first) or _TRAILING_CAPTION.search(first) else first
    return _first_sentence(first)
