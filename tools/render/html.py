"""HTML email bodies to plain text with selectolax's lexbor parser.

Dropped: head, style, script, comments, tracking pixels and every element a reader would not
see (display:none, visibility:hidden, zero size, mso-hide:all, the hidden attribute): hidden
text is a known way to smuggle instructions to a model. Quoted history is cut at the container
each mail client wraps it in. Links keep their text; with `links=True` also a cleaned URL.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

_DROP_TAGS = frozenset(
    "head style script noscript template title meta link svg object iframe -comment".split()
)
_BLOCK = frozenset(
    "address article aside blockquote center dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody thead tfoot tr ul".split()
)
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)"
    r"|(?:font-size|max-height|height|width|max-width)\s*:\s*0(?:px|pt|em|rem|%)?\s*(?:!important)?\s*(?:;|$)",
    re.I,
)
# Classes of containers that hold quoted history: skipped with everything inside them.
_QUOTE_CLASSES = frozenset(
    "gmail_quote gmail_quote_container gmail_extra yahoo_quoted moz-cite-prefix protonmail_quote zmail_extra".split()
)
# Ids of elements that start quoted history: they and everything after them are skipped.
_QUOTE_START_IDS = frozenset("divRplyFwdMsg appendonsend mail-editor-reference-message-container".split())
_OUTLOOK_HEADER_STYLE = re.compile(r"border-top\s*:\s*solid\s+#(?:E1E1E1|B5C4DF)", re.I)
_TRACKING_PARAMS = re.compile(r"^(?:utm_|mc_|_hs|hsa_|mkt_tok$|fbclid$|gclid$|yclid$|msclkid$|ref_src$)", re.I)


def html_to_text(html: str, *, links: bool = False, drop_quotes: bool = True) -> str:
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    return "" if root is None else _text(root, links, drop_quotes)


def _hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    if node.tag == "img":
        width, height = (attrs.get("width") or "").strip(), (attrs.get("height") or "").strip()
        if width in ("0", "1") or height in ("0", "1"):
            return True  # tracking pixel
    return False


def _quoted(node: LexborNode) -> bool:
    attrs = node.attributes
    if node.tag == "blockquote" and (attrs.get("type") or "").lower() == "cite":
        return True
    classes = (attrs.get("class") or "").split()
    return any(c in _QUOTE_CLASSES for c in classes) or (attrs.get("id") or "").endswith("yahoo_quoted")


def _starts_quote(node: LexborNode) -> bool:
    attrs = node.attributes
    if (attrs.get("id") or "") in _QUOTE_START_IDS or "OutlookMessageHeader" in (attrs.get("class") or ""):
        return True
    return node.tag == "div" and bool(_OUTLOOK_HEADER_STYLE.search(attrs.get("style") or ""))


_PARAGRAPH = frozenset("p h1 h2 h3 h4 h5 h6 blockquote pre table ul ol hr".split())


class _Writer:
    """Collects text; a block boundary asks for a line break, a paragraph for a blank line, and
    consecutive requests merge instead of piling up."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pending = 0

    def brk(self, lines: int) -> None:
        self.pending = max(self.pending, lines)

    def text(self, value: str) -> None:
        if not value.strip():
            if self.parts and not self.pending:
                self.parts.append(" ")
            return
        if self.pending and self.parts:
            self.parts.append("\n" * self.pending)
        self.pending = 0
        self.parts.append(value)

    def newline(self) -> None:
        self.parts.append("\n" * max(1, self.pending))
        self.pending = 0


def _text(root: LexborNode, links: bool, drop_quotes: bool) -> str:
    w = _Writer()
    # An explicit stack instead of recursion: hostile HTML can nest thousands of levels deep.
    stack: list[tuple[LexborNode, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        tag = node.tag
        if tag == "-text":
            w.text(node.text_content or "")
            continue
        if not entering:
            if tag == "a" and links:
                href = _clean_url(node.attributes.get("href") or "")
                shown = (node.text(deep=True) or "").strip().rstrip("/")
                if href and shown not in (href.rstrip("/"), href.split("://", 1)[-1].rstrip("/")):
                    w.text(f" <{href}>")
            if tag in _BLOCK:
                w.brk(2 if tag in _PARAGRAPH else 1)
            continue
        if tag in _DROP_TAGS or _hidden(node):
            continue
        if drop_quotes:
            if _starts_quote(node):
                break
            if _quoted(node):
                continue
        if tag == "br":
            w.newline()
            continue
        if tag in _BLOCK:
            w.brk(2 if tag in _PARAGRAPH else 1)
        if tag == "li":
            w.text("- ")
        elif tag in ("td", "th"):
            w.text(" ")
        stack.append((node, False))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend((c, True) for c in reversed(children))
    return "".join(w.parts)


def _clean_url(href: str) -> str:
    """A link worth showing: http(s) only, tracking parameters removed."""
    href = href.strip()
    if not href.lower().startswith(("http://", "https://")):
        return ""
    parts = urlsplit(href)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
