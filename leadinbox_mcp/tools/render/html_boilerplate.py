"""What HTML mail carries besides what the sender wrote, found during the walk: a bulk mail's
unsubscribe footer at the end and its "view in browser" line at the start (marked by their links'
labels, with a footer's signs around them: vocabulary.py), and the signature a mail client marks
as such. (Tracking pixels and other images nobody sees leave nothing: visibility.is_pixel.)"""

from __future__ import annotations

import re
from collections.abc import Callable

from selectolax.lexbor import LexborNode

from leadinbox_mcp.tools.render.html_tree import BLOCK, CELLS, WORD, text_upto
from leadinbox_mcp.tools.render.html_writer import join
from leadinbox_mcp.tools.render.vocabulary import FOOTER_LINE, FOOTER_SIGNAL, MOBILE_FOOTER, UNSUBSCRIBE, VIEW_ONLINE

# A link's label that makes its block a footer or a header (the label's start is enough).
_UNSUBSCRIBE_LINK = re.compile(
    rf"^(?:click here to |to )?(?:unsubscribe|opt[ -]?out)|^(?:{'|'.join(UNSUBSCRIBE)})", re.I
)
_VIEW_ONLINE_LINK = re.compile(rf"^(?:{'|'.join(VIEW_ONLINE)})", re.I)
_BOILERPLATE_MAX = 400
"""Characters of text a footer or header block may hold; longer blocks are not boilerplate."""
_ANCHORS_MAX = 50
"""Unsubscribe and view-online links looked at in one message, at most."""

SIGNATURE_IDS = frozenset("signature applemailsignature ms-outlook-mobile-signature composer_signature".split())
SIGNATURE_CLASSES = frozenset("gmail_signature gmail_signature_prefix moz-signature protonmail_signature_block".split())
_MOBILE_SIGNATURE_IDS = frozenset("applemailsignature ms-outlook-mobile-signature composer_signature".split())
_SIGNATURE_MAX = 500


def signature_action(node: LexborNode, note: Callable[[str], None]) -> str:
    """What to do with an element a mail client marked as the signature: "skip" it, or "walk" it
    like any other (phones put the reply itself in there, above their footer; and a "signature"
    longer than any signature holds something else: the text level decides)."""
    text = " ".join(text_upto(node, _SIGNATURE_MAX + 1).split())
    if MOBILE_FOOTER.match(text):
        note("mobile footer")
        return "skip"
    ident = (node.attributes.get("id") or "").lower().removeprefix("x_")
    if ident in _MOBILE_SIGNATURE_IDS or len(text) > _SIGNATURE_MAX:
        return "walk"
    if text:
        note("signature")
    return "skip"


class Boilerplate:
    """The blocks of a message that an unsubscribe or view-online link marks, found as the walk
    meets the links, and taken out of the written text at the end (a footer only if nothing
    follows it, a header only if nothing precedes it)."""

    __slots__ = ("root_id", "starts", "blocks", "segments", "anchors_left")

    def __init__(self, root: LexborNode) -> None:
        self.root_id = root.mem_id
        self.starts: dict[int, int] = {}  # mem_id -> where the element's text starts in the parts (the walk fills it)
        self.blocks: dict[int, str] = {}  # mem_id -> "footer" | "header"
        self.segments: list[tuple[str, int, int]] = []
        self.anchors_left = _ANCHORS_MAX

    def anchor(self, a: LexborNode) -> None:
        """An unsubscribe or view-online link marks the block around it as boilerplate."""
        label = " ".join(text_upto(a, 61).split())
        if not label or len(label) > 60:
            return
        kind = "footer" if _UNSUBSCRIBE_LINK.match(label) else "header" if _VIEW_ONLINE_LINK.match(label) else None
        if kind is None or self.anchors_left <= 0:
            return
        self.anchors_left -= 1
        root_id = self.root_id
        block = a
        while block.tag not in BLOCK and block.tag not in CELLS:
            parent = block.parent
            if parent is None or parent.mem_id == root_id:
                break
            block = parent
        # Grow over neighbouring footer lines (copyright, address, "you received this").
        text = text_upto(block, _BOILERPLATE_MAX + 1)
        node = block.parent
        while node is not None and node.mem_id != root_id and node.mem_id in self.starts:
            outer = text_upto(node, _BOILERPLATE_MAX + 1)
            if len(outer.strip()) > _BOILERPLATE_MAX:
                break
            other = outer.replace(text, " ", 1)
            if other.strip() and (kind == "header" or not FOOTER_LINE.search(other)):
                break
            block, text, node = node, outer, node.parent
        if kind == "footer" and not FOOTER_SIGNAL.search(text.replace(label, " ", 1)):
            return
        if block.mem_id in self.starts:
            self.blocks[block.mem_id] = kind

    def ended(self, node: LexborNode, end: int) -> None:
        """The walk left `node`, its text ending at `end` in the parts."""
        kind = self.blocks.get(node.mem_id)
        if kind:
            self.segments.append((kind, self.starts[node.mem_id], end))

    def remove(self, parts: list, note: Callable[[str], None]) -> None:
        """Take the footer and header found out of the written parts."""
        # Outermost blocks only, so that the ranges do not overlap; then from the end, so that
        # deleting one leaves the others' positions right.
        outer: list[tuple[str, int, int]] = []
        for segment in sorted(self.segments, key=lambda s: (s[1], -s[2])):
            if not outer or segment[1] >= outer[-1][2]:
                outer.append(segment)
        if len(outer) > 20:  # a header is first, a footer last: the rest cannot qualify
            outer = outer[:10] + outer[-10:]
        for kind, start, end in reversed(outer):
            if kind == "footer" and join(parts[end:]).strip():
                continue
            if kind == "header" and join(parts[:start]).strip():
                continue
            if not WORD.search(join(parts[:start] + parts[end:])):
                continue
            del parts[start:end]
            note("unsubscribe footer" if kind == "footer" else "view-online link")
