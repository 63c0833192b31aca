"""HTML → clean text: tags stripped, entities decoded, paragraphs kept, link targets kept
beside their text ("Register here (https://…)").

Built on the stdlib ``HTMLParser``, which never raises on malformed markup. Script, style
and other non-content elements are dropped with everything inside them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "section", "article", "header", "footer", "hr", "dd", "dt", "dl",
}  # fmt: skip
_DROP = {"script", "style", "noscript", "template", "iframe", "object", "svg", "head", "title"}
# Every HTML element name (current and obsolete). A "<Steel>" that is none of these, written in
# a feed whose text was escaped once ("Section 232 &lt;Steel&gt; &amp; Aluminum"), is text.
_ELEMENT_NAMES = """
a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big blink
blockquote body br button canvas caption center cite code col colgroup data datalist dd del details
dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3
h4 h5 h6 head header hgroup hr html i iframe img input ins isindex kbd keygen label legend li link
listing main map mark marquee math menu menuitem meta meter multicol nav nextid nobr noembed noframes
noscript object ol optgroup option output p param picture plaintext pre progress q rb rp rt rtc ruby s
samp script search section select slot small source spacer span strike strong style sub summary sup
svg table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr xmp
"""
HTML_ELEMENTS = frozenset(_ELEMENT_NAMES.split())


def _markup(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """A tag that is markup: an HTML element, a namespaced (``o:p``) or custom (``x-y``) one, or
    anything with attribute values. ``<Steel>`` and ``<Company Name>`` are literal text."""
    return tag in HTML_ELEMENTS or ":" in tag or "-" in tag or any(v is not None for _, v in attrs)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_MANY_BREAKS = re.compile(r"\n\s*\n+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._drop_depth = 0
        self._href: str | None = None  # the open <a>'s target
        self._anchor_at = 0  # where its text starts in parts
        self._raw_end = ""
        self._literal: list[str] = []  # literal "<Steel>"-style names open, in order

    def parse_endtag(self, i: int) -> int:
        end = self.rawdata.find(">", i + 1)
        self._raw_end = self.rawdata[i : end + 1] if end > 0 else ""
        return super().parse_endtag(i)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not _markup(tag, attrs):
            self.handle_data(self.get_starttag_text() or "")
            self._literal.append(tag)
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            self._href = href if href.lower().startswith(("http://", "https://")) else None
            self._anchor_at = len(self.parts)
        elif tag in _DROP:
            self._drop_depth += 1
        elif tag in _BLOCK:
            self.parts.append("\n\n" if tag != "br" else "\n")
            if tag == "li":
                self.parts.append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._literal or (tag not in HTML_ELEMENTS and ":" not in tag and "-" not in tag):
            if tag in self._literal:
                self._literal.remove(tag)
            self.handle_data(self._raw_end)
        elif tag == "a" and self._href:
            # "Register here" alone loses where to register: keep the target on its line.
            if self._href not in "".join(self.parts[self._anchor_at :]):
                self.parts.append(f" ({self._href})")
            self._href = None
        elif tag in _DROP:
            self._drop_depth = max(0, self._drop_depth - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._drop_depth:
            self.parts.append(data)


_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)(?:[\s/][^<>]*)?>")


def looks_like_html(text: str) -> bool:
    """Markup is there: an HTML element's tag (``<Steel>`` alone is text, not markup)."""
    return any(m.group(1).lower() in HTML_ELEMENTS for m in _TAG.finditer(text, 0, 20000))


def html_to_text(html: str) -> str:
    """Readable text of an HTML fragment or page; paragraphs separated by a blank line."""
    if not html:
        return ""
    if not looks_like_html(html):
        return normalize_text(html_unescape(html))
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is a last line of defence
        return normalize_text(re.sub(r"<[^>]*>", " ", html))
    return normalize_text("".join(parser.parts))


def html_unescape(text: str) -> str:
    import html as _html

    return _html.unescape(text)


def normalize_text(text: str) -> str:
    """Fold runs of spaces, trim lines, keep at most one blank line between paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_BREAKS.sub("\n\n", "\n".join(lines)).strip()
