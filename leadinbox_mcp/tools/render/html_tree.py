"""The parsed HTML tree, looked at cheaply: what each element is to the walk (dropped with its
content, a block, a paragraph, a table cell, ...) and probes of the text inside an element that
cost little however big the element is (no recursion: hostile HTML nests thousands deep)."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

DROP_TAGS = frozenset(
    "head style script noscript template title meta link base svg math object embed iframe frame frameset "
    "canvas audio video source track img map area input select datalist textarea progress meter rp noembed noframes "
    "xml -comment".split()
)
"""Elements that are never shown with their content (images become their alt text, in the walk)."""
UNSEEN_CONTENT = frozenset(("progress", "meter", "rp", "noembed", "noframes"))
"""Of those, elements whose words a reader never sees, which the detailed answer counts as hidden
text: the content of progress and meter is a fallback that every mail client's engine draws a
bar instead of; rp, the parentheses around ruby text, is hidden wherever ruby is drawn; noembed
and noframes are display: none in every browser's own stylesheet (HTML's rendering section)."""
BLOCK = frozenset(
    "address article aside blockquote caption center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main menu nav ol p pre section summary "
    "table tbody tfoot thead tr ul".split()
)
PARAGRAPH = frozenset("p h1 h2 h3 h4 h5 h6 pre table ul ol dl hr blockquote figure".split())
"""Blocks set off by a blank line."""
CELLS = frozenset(("td", "th"))
PLAIN_INLINE = frozenset(
    "o:p span b i u em strong small big sub sup s strike code tt kbd samp var abbr mark nobr".split()
)
"""Inline elements the walk does nothing special with: without attributes, only their content counts."""
PLAIN_BLOCK = BLOCK - {"pre", "ol", "li", "details", "dialog", "blockquote"}  # (those have more to them)
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
WORD = re.compile(r"\w")

_SKIP_TEXT = frozenset(("-comment", "style", "script", "head", "title", "template", "noscript"))


def text_upto(node: LexborNode, limit: int, blank: bool = True) -> str:
    """The text inside `node` (not in style, script, comments...), collected only until `limit`
    characters; without `blank`, only its first text node that is not blank (see has_text)."""
    if node.tag == "-text":
        text = node.text_content or ""
        return text if blank or text.strip() else ""
    out: list[str] = []
    size = 0
    pending: list[LexborNode] = []
    cur = node.child
    while True:
        if cur is None:
            if not pending:
                break
            cur = pending.pop()
            continue
        tag = cur.tag
        if tag == "-text":
            text = cur.text_content or ""
            if blank:
                out.append(text)
                size += len(text)
                if size >= limit:
                    break
            elif text.strip():
                return text
            cur = cur.next
            continue
        nxt = cur.next
        if nxt is not None:
            pending.append(nxt)
        cur = None if tag in _SKIP_TEXT else cur.child
    return "".join(out)


def has_text(node: LexborNode) -> bool:
    """Whether `node` holds any non-blank text (visible or not)."""
    return text_upto(node, 0, False) != ""
