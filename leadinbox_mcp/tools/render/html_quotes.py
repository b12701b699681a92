"""Where quoted history starts in HTML mail, and what of it the walk keeps.

History is cut at the container each mail client wraps it in (Gmail, Outlook web and desktop,
Apple Mail, Yahoo, Thunderbird, ProtonMail, Zoho: their classes, ids and Outlook's header rule); a
`<blockquote>` that no client marked is a quote when an attribution line ("On ... wrote:")
introduces it. A quote that is followed by more of the sender's text (inline answers, bottom
posting) is kept as `> ` lines instead, so that the text level (quotes.py) can keep the few quoted
lines each answer needs. When the sender points to the history ("see my answers below"), its first
level is kept as content.

The pre-cut: when a message's history is plainly its tail (an Outlook header block, or a Gmail
quote with nothing after it), only the part before it need be parsed; the walk then checks that
the cut was sound (cut_was_sound) and falls back to the whole message if not.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from functools import lru_cache

from selectolax.lexbor import LexborNode

from leadinbox_mcp.tools.render.html_boilerplate import SIGNATURE_CLASSES, SIGNATURE_IDS, signature_action
from leadinbox_mcp.tools.render.html_tree import DROP_TAGS, WORD, has_text, text_upto
from leadinbox_mcp.tools.render.html_writer import Writer, join
from leadinbox_mcp.tools.render.quotes import is_attribution
from leadinbox_mcp.tools.render.vocabulary import FORWARD_HEADER, FORWARD_SUBJECT, may_name_forward, points_below

# ---------------------------------------------------------------------------------------------
# What mail clients mark
# ---------------------------------------------------------------------------------------------

# Classes of containers that hold quoted history (compared without Outlook's "x_" prefix).
_QUOTE_CONTAINER_CLASSES = frozenset(
    "gmail_quote gmail_quote_container gmail_extra yahoo_quoted protonmail_quote zmail_extra "
    "moz-forward-container".split()
)
_ATTRIBUTION_CLASSES = frozenset("gmail_attr moz-cite-prefix".split())
# Ids of elements that start quoted history: they and everything after them are cut.
_QUOTE_START_IDS = frozenset(
    "divrplyfwdmsg appendonsend mail-editor-reference-message-container olk_src_body_section stopspelling".split()
)
_OUTLOOK_HEADER_STYLE = re.compile(r"border-top\s*:\s*solid\s+#(?:E1E1E1|B5C4DF)\b", re.I)


def quote_kind(node: LexborNode, attrs: dict) -> str | None:
    """What a mail client marked the element as: "start" (history follows: cut the rest),
    "container", "quote", "attribution", "signature", or None."""
    ident = attrs.get("id")
    if ident:
        ident = ident.lower()
        if ident.startswith("x_"):
            ident = ident[2:]
        if ident in _QUOTE_START_IDS:
            return "start"
        if ident in SIGNATURE_IDS:
            return "signature"
        if ident.endswith("yahoo_quoted") or ident.startswith("yahoo_quoted"):
            return "container"
    cls = attrs.get("class")
    if cls:
        kind = _class_kind(cls)
        if kind is not None:
            return "quote" if kind == "container" and node.tag == "blockquote" else kind
    tag = node.tag
    if tag == "blockquote" and (attrs.get("type") or "").lower() == "cite":
        return "quote"
    if tag == "div":
        style = attrs.get("style")
        if style and _OUTLOOK_HEADER_STYLE.search(style):
            return "start"
    return None


@lru_cache(maxsize=1024)
def _class_kind(cls: str) -> str | None:
    """What a class attribute marks (its first class that marks anything): "container" (of
    quoted history), "attribution", "signature", "start", or None. Mail repeats a few."""
    for c in cls.lower().split():
        if c.startswith("x_"):
            c = c[2:]
        if c in _QUOTE_CONTAINER_CLASSES or c.endswith("yahoo_quoted"):
            return "container"
        if c in _ATTRIBUTION_CLASSES:
            return "attribution"
        if c in SIGNATURE_CLASSES:
            return "signature"
        if c == "outlookmessageheader":
            return "start"
    return None


def clear_caches() -> None:
    """Forget the classes seen (for benchmarks that time cold runs)."""
    _class_kind.cache_clear()


def history_word(text: str) -> str:
    """What history that starts with `text` is, in the words detailed output uses."""
    if may_name_forward(text.lower()) and (FORWARD_HEADER.search(text) or FORWARD_SUBJECT.search(text)):
        return "forwarded message"
    return "quoted history"


# ---------------------------------------------------------------------------------------------
# The pre-cut: history found in the markup itself, before parsing
# ---------------------------------------------------------------------------------------------

# Where Outlook's history starts: everything after it is history, so most of a long thread need
# not be parsed at all.
_OUTLOOK_MARKER = re.compile(
    r"""<(?:div|span|hr|p)\b[^>]*?(?:\bid\s*=\s*["']?(?:x_)?(?:divRplyFwdMsg|appendonsend|OLK_SRC_BODY_SECTION|"""
    r"""mail-editor-reference-message-container)\b|\bstyle\s*=\s*["'][^"'>]*border-top\s*:\s*solid\s+#(?:E1E1E1|B5C4DF)\b"""
    r"""|\bclass\s*=\s*["']?OutlookMessageHeader)""",
    re.I,
)
# Marks of quoted history in raw markup (case-sensitive on purpose: they only decide whether to
# try a cut, and the walk checks that the cut was sound).
_OUTLOOK_NEEDLES = (
    "#E1E1E1",
    "divRplyFwdMsg",
    "appendonsend",
    "#B5C4DF",
    "#b5c4df",
    "#e1e1e1",
    "OLK_SRC_BODY_SECTION",
    "mail-editor-reference",
    "OutlookMessageHeader",
)
_OTHER_QUOTE_NEEDLES = (
    "gmail_quote",
    'type="cite"',
    "type=cite",
    "type='cite'",
    "yahoo_quoted",
    "moz-cite-prefix",
    "moz-forward-container",
    "protonmail_quote",
    "zmail_extra",
)
_GMAIL_CONTAINER = re.compile(r"""<div\b[^>]*?\bclass\s*=\s*["']?[^"'>]*?\bgmail_quote\b""", re.I)
_BLOCKQUOTE_TAG = re.compile(r"</?blockquote\b", re.I)  # (no group: faster to scan)
_ONLY_CLOSING = re.compile(r"(?:\s|&nbsp;|</[a-z][^>]*>|<br\s*/?>|<div[^>]*>|<!--.*?-->)*", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def precut(html: str) -> int | None:
    """Where the message's history plainly starts (its tail: an Outlook header, or a Gmail quote
    with nothing after it), if it does."""
    return _outlook_cut(html) or _gmail_cut(html)


def _outlook_cut(html: str) -> int | None:
    """Where the first Outlook history marker's tag starts, if no other client's quote comes
    first (inside one, the marker may be followed by answers). Plain substring search: it runs
    on every message, the longest included."""
    if len(html) < 4000:
        return None  # not worth it
    limit = len(html)
    for needle in _OTHER_QUOTE_NEEDLES:
        at = html.find(needle, 0, limit)
        if at >= 0:
            limit = at
    cut = None
    for needle in _OUTLOOK_NEEDLES:
        at = html.find(needle, 0, limit if cut is None else cut)
        for _ in range(20):
            if at < 0:
                break
            tag = html.rfind("<", 0, at)
            marker = _OUTLOOK_MARKER.match(html, tag) if tag > 0 else None
            if marker and marker.end() >= at:
                cut = tag
                break
            at = html.find(needle, at + 1, limit if cut is None else cut)
    return cut


def _gmail_cut(html: str) -> int | None:
    """Where a Gmail quote container starts, if its quote is the last thing in the message:
    nothing but closing tags after that blockquote's end. The end is found by counting
    blockquote tags (few, however long the history), which only has to be right when the
    answer is yes: a wrong count leaves text after it, and then there is no cut."""
    if len(html) < 4000:
        return None
    at = html.find("gmail_quote")
    start = html.rfind("<", 0, at) if at > 0 else -1
    m = _GMAIL_CONTAINER.match(html, start) if start > 0 else None
    if not m or m.end() < at:
        return None
    depth = 0
    for i, tag in enumerate(_BLOCKQUOTE_TAG.finditer(html, m.end())):
        depth += -1 if html[tag.start() + 1] == "/" else 1
        if depth == 0:
            end = html.find(">", tag.end())
            return m.start() if end > 0 and _ONLY_CLOSING.fullmatch(html, end + 1) else None
        if depth < 0 or i > 2000:
            break
    return None


# ---------------------------------------------------------------------------------------------
# During the walk
# ---------------------------------------------------------------------------------------------


class QuotePolicy:
    """The walk's questions about quoted history, asked of the tree and of what the walk has
    written so far (`writer`); what it cuts is noted through `note`."""

    __slots__ = ("root", "w", "note", "cue", "cue_used", "after_cache", "whole_unknown")

    def __init__(self, root: LexborNode, writer: Writer, note: Callable[[str], None]) -> None:
        self.root = root
        self.w = writer
        self.note = note
        self.cue: bool | None = None  # does the sender point to the quoted history below?
        self.cue_used = False
        self.after_cache: dict[int, tuple[dict[int, int], int]] = {}
        self.whole_unknown = True  # is the message one unmarked <blockquote>? (see plain_blockquote)

    def plain_blockquote(self, node: LexborNode) -> str | None:
        """A `<blockquote>` that no client marked: a quote ("quote") under an attribution line
        ("On ... wrote:"); the whole message ("whole": written as `> ` lines, it reads as a
        plain-text message that is all quote, and is kept as such); or else the sender's own
        indented text (None)."""
        line = self.w.last_line()
        if line:
            return "quote" if is_attribution(line) else None
        if self.whole_unknown:  # asked once: blockquotes inside this one have the same answer
            self.whole_unknown = False
            if not WORD.search(join(self.w.parts)) and not self.content_after(node):
                return "whole"
        return None

    def action(self, node: LexborNode, kind: str, plain: int) -> str:
        """What to do with a marked element of `kind`: "skip", "stop" (cut the rest), "quote"
        (keep as `> ` lines), "plain" (keep as content: the sender pointed to it; "plain-inner"
        for the quote inside shown history), or "walk" (descend normally). `plain`: inside history
        shown as content (2 its container, 1 its quote)."""
        if plain:
            # Inside the one level of history shown as content: its own attribution stays, the
            # quote of a container is the same level, anything deeper is cut.
            if kind in ("attribution", "signature"):
                return "walk"
            if kind == "quote" and plain == 2:
                return "plain-inner"
            self.note(history_word(text_upto(node, 800)))
            return "stop" if kind == "start" else "skip"
        if kind == "signature":
            return signature_action(node, self.note)
        if kind == "attribution":
            return "skip"
        if kind == "start":
            if self.points_below():
                if not has_text(node):
                    return "skip"  # an empty marker (OWA's appendonsend): the header follows
                self.cue_used = True
                return "plain"
            self.note(history_word(text_upto(node, 800)))
            return "stop"
        # Answers written between quotes explain any "see my answers inline" on their own.
        if kind == "container" and self._interleaved(node):
            self.cue_used = True
            return "walk"
        if self.content_after(node):
            self.cue_used = True
            return "quote"
        if self.points_below():
            self.cue_used = True
            return "plain"
        self.note(history_word(text_upto(node, 800)))
        return "skip"

    def points_below(self) -> bool:
        """Whether the sender pointed to the history below, in what the walk wrote so far (a cue
        serves once)."""
        if self.cue is None:
            self.cue = points_below(join(self.w.parts))
        return self.cue and not self.cue_used

    def content_after(self, node: LexborNode) -> bool:
        """Whether any text outside quotes follows `node` in document order. Each parent's
        children are looked at once (from the end), however many quotes it holds."""
        root_id = self.root.mem_id
        n: LexborNode | None = node
        while n is not None and n.mem_id != root_id:
            parent = n.parent
            if parent is None:
                break
            positions, last = self._last_content(parent)
            if positions.get(n.mem_id, last) < last:
                return True
            n = parent
        return False

    def _last_content(self, parent: LexborNode) -> tuple[dict[int, int], int]:
        """The children's positions, and the position of the last child with text that is not a
        quote (-1 if none)."""
        found = self.after_cache.get(parent.mem_id)
        if found is None:
            children = list(parent.iter(include_text=True))
            last = -1
            for i in range(len(children) - 1, -1, -1):
                child = children[i]
                tag = child.tag
                if tag == "-text":
                    if (child.text_content or "").strip():
                        last = i
                        break
                elif tag not in DROP_TAGS and quote_kind(child, child.attributes) is None and has_text(child):
                    last = i
                    break
            found = ({c.mem_id: i for i, c in enumerate(children)}, last)
            self.after_cache[parent.mem_id] = found
        return found

    def _interleaved(self, container: LexborNode) -> bool:
        """Whether the sender wrote between the quotes inside a quote container (inline answers)."""
        seen_quote = False
        child = container.child
        while child is not None:
            tag = child.tag
            if tag == "-text":
                if seen_quote and (child.text_content or "").strip():
                    return True
            elif tag not in DROP_TAGS:
                kind = quote_kind(child, child.attributes)
                if kind in ("quote", "container"):
                    seen_quote = True
                elif kind is None and seen_quote and has_text(child):
                    return True
            child = child.next
        return False

    def cut_was_sound(self, whole: str, cut: int, hidden: Callable[[LexborNode, dict], tuple]) -> bool:
        """After a pre-cut of `whole` at `cut`: the walk would have cut there too (no pointer to
        the history, and the cut not inside an element whose end the walk has not seen: a quote,
        an element that `hidden(node, attrs)[0]` says is hidden)."""
        if self.points_below():
            return False
        last: LexborNode = self.root
        while last.last_child is not None:
            last = last.last_child
        node: LexborNode | None = last
        root_id = self.root.mem_id
        while node is not None and node.mem_id != root_id:
            if node.tag not in ("-text", "-comment"):
                attrs = node.attributes
                if node.tag in ("details", "a") or (attrs and (quote_kind(node, attrs) or hidden(node, attrs)[0])):
                    return False
            node = node.parent
        header = html_lib.unescape(_TAG.sub(" ", whole[cut : cut + 2500]))[:800]
        self.note(history_word(header))
        return True
