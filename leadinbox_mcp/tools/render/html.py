"""HTML email bodies to plain text with selectolax's lexbor parser: convert() and html_to_text().

What a reader would not see is dropped (visibility.py computes it, as a mail client would);
quoted history is cut at the containers mail clients wrap it in, or kept as `> ` lines when the
sender answered below it (html_quotes.py); a client-marked signature, a bulk mail's unsubscribe
footer and its "view in browser" line go (html_boilerplate.py). Links keep their text; with
`links=True` also ` <url>`, cleaned of tracking (links.py). The walk over the tree that does all
this is html_walk.py, writing through html_writer.py; the words it recognises are vocabulary.py's,
shared with the plain-text trim (quotes.py) that runs on its output.

This module is the way in: it bounds hostile markup before parsing (no recursion anywhere, at
most 2 MB, and past a thousand levels of nesting, which makes any HTML parser slow, tags are
flattened, their text kept unless a tag could have hidden it), caches one walk per message for
both concise and detailed output, and parses only what comes before a message's history when
that history is plainly its tail (html_quotes.precut), falling back to the whole message when the
walk finds the cut unsound.
"""

from __future__ import annotations

import re
from functools import lru_cache

from leadinbox_mcp.tools.render import html_quotes, visibility
from leadinbox_mcp.tools.render.html_quotes import precut
from leadinbox_mcp.tools.render.html_tree import BLOCK, DROP_TAGS, VOID
from leadinbox_mcp.tools.render.html_walk import Walker
from leadinbox_mcp.tools.render.quotes import Trimmed

_MAX_HTML = 2_000_000
_MAX_DEPTH = 1000
_DEPTH_CHECK_TAGS = 4000
"""Below this many '<' the nesting cannot get deep enough to matter, so the guard is skipped."""
_CACHE_MAX = 300_000
"""Messages longer than this are not cached: a cache entry keeps its message alive."""


def html_to_text(html: str, *, links: bool = False, drop_quotes: bool = True) -> str:
    return convert(html, links=links, drop_quotes=drop_quotes).text


def convert(html: str, *, links: bool = False, drop_quotes: bool = True) -> Trimmed:
    """The text of `html` and what was removed from it, in the words `detailed` output uses
    ("quoted history", "signature", ...). With `drop_quotes=False` quoted history, signatures
    and boilerplate stay (hidden elements never do): the fallback for a message that would
    otherwise be empty."""
    walk = _converted if len(html) <= _CACHE_MAX else _converted.__wrapped__
    concise, detailed, removed = walk(html, drop_quotes)
    return Trimmed(detailed if links else concise, list(removed))


@lru_cache(maxsize=64)
def _converted(html: str, drop_quotes: bool) -> tuple[str, str, tuple[str, ...]]:
    """One walk gives both renderings (links as text only, and with their URLs): a thread is
    rendered concise and detailed from the same messages, so the second costs nothing."""
    if len(html) > _MAX_HTML:
        html = _DATA_URI.sub(r'\1""', html)[:_MAX_HTML]
    if drop_quotes:
        cut = precut(html)
        if cut is not None:
            result = Walker(_bounded(html[:cut]), drop_quotes=True, cut=(html, cut)).run()
            if result is not None:
                return result
    result = Walker(_bounded(html), drop_quotes=drop_quotes).run()
    assert result is not None
    return result


# Cache handles for benchmarks that time cold runs (bench/render.py clears them).
_parse_sheet = visibility.parse_sheet


class _Caches:
    """The walk's per-value caches, the quote policy's and visibility.py's, cleared together."""

    @staticmethod
    def cache_clear() -> None:
        visibility.CACHES.cache_clear()
        html_quotes.clear_caches()


_style_cached = _Caches()

# ---------------------------------------------------------------------------------------------
# Bounding hostile input
# ---------------------------------------------------------------------------------------------

_DATA_URI = re.compile(r"""(?i)(\s(?:src|href|background)\s*=\s*)(["'])data:.*?\2""", re.S)
_TAG_OR_COMMENT = re.compile(r"<!--.*?(?:-->|$)|<(/?)([a-zA-Z][^\s/>]*)[^>]*>", re.S)
_NO_DEPTH = VOID | frozenset("p li dt dd tr td th option optgroup tbody thead tfoot colgroup rb rt rtc rp".split())
_HAS_ATTRIBUTES = re.compile(r"<[^\s/>]+\s+[^\s/>]")
_KEPT, _FLAT, _SKIP = 0, 1, 2


def _bounded(html: str) -> str:
    """At most 2 MB (inline data URIs go first), and at most _MAX_DEPTH nested elements: parsers
    spend time proportional to the depth on every block element, so hostile nesting is a way to
    stall them. Past that depth a tag without attributes is dropped and its text kept; a tag with
    attributes (which might hide its content) or one whose content is never shown is dropped
    together with its content."""
    if len(html) > _MAX_HTML:
        html = _DATA_URI.sub(r'\1""', html)[:_MAX_HTML]
    if len(html) <= _DEPTH_CHECK_TAGS * 3 or html.count("<") <= _DEPTH_CHECK_TAGS:
        return html
    out: list[str] = []
    pos = 0  # html[pos:] is not yet decided
    stack: list[tuple[str, int]] = []  # (tag, _KEPT | _FLAT | _SKIP)
    names: dict[str, int] = {}  # how many of each tag are open: closing tags check it in O(1)
    kept = 0
    skipping = -1  # index in `stack` of the element whose content is being dropped
    # Only up to the last ">": past it no tag can close, and a search from each "<" of a tail
    # like "<ab<ab<ab..." would scan to the end again and again (cubic time); what the tail
    # holds is left to the parser, as a browser would.
    for m in _TAG_OR_COMMENT.finditer(html, 0, html.rfind(">") + 1):
        closing, name = m.group(1), m.group(2)
        if name is None:
            continue
        name = name.lower()
        if name in _NO_DEPTH:
            continue
        if not closing:
            if m.group(0).endswith("/>"):
                continue
            mode = _KEPT
            if skipping < 0 and kept >= _MAX_DEPTH:
                out.append(html[pos : m.start()])
                pos = m.end()
                if name in DROP_TAGS or name == "details" or _HAS_ATTRIBUTES.match(m.group(0)):
                    mode, skipping = _SKIP, len(stack)
                else:
                    mode = _FLAT
                    if name in BLOCK:
                        out.append("<br>")
            elif skipping >= 0:
                mode = _SKIP
            stack.append((name, mode))
            names[name] = names.get(name, 0) + 1
            kept += mode == _KEPT
            continue
        if not names.get(name):
            continue
        while stack:
            tag, mode = stack.pop()
            names[tag] -= 1
            kept -= mode == _KEPT
            if tag == name:
                break
        if skipping >= 0 and len(stack) <= skipping:
            skipping = -1
            pos = m.end()
        elif mode == _FLAT:
            out.append(html[pos : m.start()])
            pos = m.end()
    if skipping < 0:
        out.append(html[pos:])
    return "".join(out)
