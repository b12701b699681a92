"""The walk: a parsed HTML mail to text, in one pass over its tree.

What a reader would not see is dropped: head, style, script, comments, and everything that the
message's CSS (inline, and its own stylesheets through a real cascade) or HTML hides, as a mail
client computes it (visibility.py): hidden text is a known way to smuggle instructions to a
model. Images become their alt text, `[image: ...]`, which is what a reader sees with images
blocked (never markdown images; tracking pixels and empty alt text leave nothing). Paragraphs,
line breaks and lists keep their shape; inline text stays on one line; table cells are joined
with ` | ` (html_writer.py). Quoted history is the quote policy's (html_quotes.py), boilerplate and
signatures the boilerplate's (html_boilerplate.py), link URLs links.py's. Inside a box clamped
by -webkit-line-clamp the walk counts lines (`Clamp`): content that certainly starts past them is
cut off, as the reader never sees it.

No recursion: an explicit stack, since hostile HTML can nest thousands of levels deep.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from leadinbox_mcp.tools.render import visibility
from leadinbox_mcp.tools.render.html_boilerplate import Boilerplate
from leadinbox_mcp.tools.render.html_quotes import QuotePolicy, quote_kind
from leadinbox_mcp.tools.render.html_tree import (
    BLOCK,
    CELLS,
    DROP_TAGS,
    PARAGRAPH,
    PLAIN_BLOCK,
    PLAIN_INLINE,
    UNSEEN_CONTENT,
    WORD,
    has_text,
    text_upto,
)
from leadinbox_mcp.tools.render.html_writer import Link, Removed, Writer, join
from leadinbox_mcp.tools.render.links import clean_url, url_adds_to
from leadinbox_mcp.tools.render.visibility import (
    NO_DECLS,
    Cascade,
    Seen,
    first_line_hides,
    hints,
    inline_style,
    merged,
    resolve,
)

_ALT_MAX = 300
_HINT_TAGS = visibility.HINT_TAGS
# "<style" with re.I, spelt out (the long s folds to "s" too): the same matches, faster to find.
_STYLE_OPEN = re.compile("<[sS\u017f][tT][yY][lL][eE]")
_SHEET_OPEN = re.compile("<(?:[sS\u017f][tT][yY][lL][eE]|[lL][iI][nN][kK])")
_STYLE_CLOSE = re.compile("</[sS\u017f][tT][yY][lL][eE]")
# What can style an element besides the stylesheets: these attributes, and these elements' own
# (links are coloured; <font> and <body> have presentational attributes of theirs).
_STYLE_ATTRIBUTES = frozenset(("style", "hidden", "bgcolor", "background"))
_STYLED_TAGS = frozenset(("font", "body", "a"))
_WS = re.compile(r"[\t\n\r\f ]+")
_WS_CONTROL = re.compile(r"[\t\n\r\f]")  # (a text without it, or two spaces, is as _WS leaves it)


class Clamp:
    """The lines of a box clamped by -webkit-line-clamp (`Seen.clamp`), counted as the walk goes
    through its content: the line each piece of content starts on, at least. A block starts a
    line after content, a <br> ends one, and wrapping can only add lines: content counted on
    line `limit` or past it is certainly cut off. Where the count cannot follow (floats,
    positioned boxes, the inside of inline blocks and tables) nothing is judged."""

    __slots__ = ("limit", "line", "filled", "broken")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.line = 0  # the line content goes on
        self.filled = False  # that line holds content
        self.broken = False  # a block began or ended since the last content

    def boundary(self) -> None:
        self.broken = True

    def cut(self) -> bool:
        """Content here: whether it is past the clamp."""
        if self.broken and self.filled:
            self.line += 1
            self.filled = False
        self.broken = False
        if self.line >= self.limit:
            return True
        self.filled = True
        return False

    def br(self) -> None:
        if self.broken and self.filled:
            self.line += 1
        self.broken = self.filled = False
        self.line += 1

    def enter(self, layout: str) -> str:
        """What an element of this layout (visibility.layout_of) is in the clamped box: "cut"
        (past the clamp, with all it holds), "in" (its content counted) or "apart" (shown; its
        inside not judged). A block, or a table or the like, starts a line."""
        if layout == "out":
            return "apart"
        if layout in ("block", "other"):
            self.boundary()
        if layout in ("block", "inline"):
            return "in"
        return "cut" if self.cut() else "apart"  # one piece, on the line where it starts


class _Ctx(NamedTuple):
    """What an element passes down to its content (a tuple: made for every styled element)."""

    seen: Seen = visibility.ROOT  # colours, font size, visibility... (see visibility.py)
    pre: bool = False
    plain: int = 0  # inside history shown as content: 2 its container, 1 its quote
    clamp: Clamp | None = None  # inside a box clamped to some lines: its count of them


_ROOT_CTX = _Ctx()
_ENTER, _EXIT = 0, 1
_DEQUOTE = ("dequote",)
_LINE_ENDS = "line ends"  # exit info (with its Clamp): a block of a clamped box ends a line


def _tag_layout(tag: str) -> str:
    """visibility.layout_of for an element without style."""
    return visibility.layout_of(NO_DECLS, tag)


def _alt_words(node: LexborNode) -> bool:
    """Whether images inside `node` have alt text with words (a few looked at)."""
    return any(WORD.search(img.attributes.get("alt") or "") for img in node.css("img[alt]")[:20])


def _styles_in(html: str, pos: int = 0) -> str:
    """The distinct <style> elements of markup that is not parsed (`html` from `pos` on: history
    cut off after the message): their rules still apply to what is shown. Linear however the
    tags nest."""
    out: dict[str, None] = {}
    while len(out) < 100:
        start = _STYLE_OPEN.search(html, pos)
        if start is None:
            break
        end = _STYLE_CLOSE.search(html, start.end())
        stop = end.end() if end else len(html)
        out[html[start.start() : stop]] = None
        pos = stop
    return "".join(out)


_SHADOW = re.compile("shadowrootmode", re.I)
_SLOT = re.compile(r"""<slot\b(?:[^>]*?\sname\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""", re.I)


def _shadow_hosts(tree: LexborHTMLParser) -> dict[int, tuple[bool, frozenset[str]]]:
    """Elements that host a declarative shadow root (`<template shadowrootmode>`, which WebKit
    and Chromium attach while parsing): what the root's slots take of their children (a
    default slot: every child without a slot name; a named slot: the children that name it).
    Children no slot takes are not drawn. (What the shadow root shows of its own is not read:
    its markup is not part of this tree.)"""
    hosts: dict[int, tuple[bool, frozenset[str]]] = {}
    for template in tree.css("template[shadowrootmode]"):
        host = template.parent
        if host is None or host.mem_id in hosts:
            continue  # a host takes its first shadow root only
        names = [
            next((g for g in found.groups() if g is not None), "") for found in _SLOT.finditer(template.html or "")
        ]
        hosts[host.mem_id] = ("" in names, frozenset(n for n in names if n))
    return hosts


class Walker:
    """One walk over `html`: run() gives (concise text, detailed text, what was removed), or None
    when a pre-cut (`cut`: the whole markup and where `html` ended in it) proves unsound."""

    def __init__(self, html: str, *, drop_quotes: bool, cut: tuple[str, int] | None = None) -> None:
        self.tree = LexborHTMLParser(html)
        root = self.tree.body or self.tree.root
        assert root is not None, "lexbor always makes a document element"
        self.root: LexborNode = root
        self.drop = drop_quotes
        self.link = visibility.legacy_color(self.root.attributes.get("link") or "") or visibility.LINK_BLUE
        """The colour of links: <body link>, else the UA's blue."""
        # After a pre-cut: what follows is history, not parsed (not copied either: it is most of
        # a long thread).
        self.cut = cut
        self.css = self._cascade(html, cut)
        self.hidden_memo: dict[tuple, tuple[_Ctx, tuple[bool, _Ctx]]] = {}  # see _hidden
        self.start: _Ctx | None = self._root_ctx()
        self.w = Writer()
        self.removed = Removed()
        self.hidden_words = False
        self.shadow = _shadow_hosts(self.tree) if _SHADOW.search(html) else {}
        self.quotes = QuotePolicy(self.root, self.w, self.removed.note)
        self.boilerplate = Boilerplate(self.root)
        self.ol_counters: dict[int, int] = {}

    def _cascade(self, html: str, cut: tuple[str, int] | None) -> Cascade | None:
        """The message's stylesheets matched against its tree (None: it has none). Those in the
        history cut off unparsed apply too, as they would in a mail client."""
        extra = _styles_in(*cut) if cut is not None else ""
        own = _SHEET_OPEN.search(html) is not None  # without "<style" or "<link" the tree has no sheet
        if not extra and not own:
            return None
        css = Cascade(self.tree, extra, html.count("<"), own_sheets=own)
        return css if css.rules or css.loose or css.keyframes or css.registered else None

    def _root_ctx(self) -> _Ctx | None:
        """What the <html> element passes to the body (None: it hides everything)."""
        base = (
            _ROOT_CTX
            if self.css is None or not self.css.registered
            else _Ctx(visibility.registered_root(self.css.registered))
        )
        html = self.tree.root
        if html is None or html.tag != "html" or self.root is html:
            return base
        attrs = html.attributes
        if not self._styled(html, "html", attrs):
            return base
        hidden, ctx = self._hidden(html, attrs, base)
        return None if hidden else ctx

    # -- what is seen ---------------------------------------------------------------------------

    def _slotted(self, child: LexborNode, slots: tuple[bool, frozenset[str]] | None) -> bool:
        """Whether a child of its parent is drawn: always, unless the parent hosts a declarative
        shadow root (`slots`), which draws only the children its slots take. Words of a child
        left out count as hidden text."""
        if slots is None:
            return True
        default, named = slots
        tag = child.tag
        if tag == "-comment" or (tag == "template" and "shadowrootmode" in child.attributes):
            return False  # the shadow root itself: its content is not read here (see _shadow_hosts)
        name = child.attributes.get("slot") if tag != "-text" else None
        if (name in named) if name else default:
            return True
        if tag == "-text":
            self.hidden_words = self.hidden_words or WORD.search(child.text_content or "") is not None
        else:
            self._count_hidden(child)
        return False

    def _count_hidden(self, node: LexborNode) -> None:
        """An element a reader does not see: its words (or its images' alt text) are hidden text."""
        if not self.hidden_words and (WORD.search(text_upto(node, 200)) or _alt_words(node)):
            self.hidden_words = True

    def _hidden(self, node: LexborNode, attrs: dict, ctx: _Ctx = _ROOT_CTX) -> tuple[bool, _Ctx]:
        """Whether the element is invisible with all it holds, and the context for its content:
        presentational attributes, the stylesheets' rules and the style attribute, cascaded
        (visibility.py) under `ctx` (by default: what the element says itself)."""
        tag = node.tag
        style, hint, rules = self._sources(node, tag or "", attrs)
        has_hint = hint is not NO_DECLS  # (hints() gives NO_DECLS or declarations)
        css = self.css
        if not (style or has_hint or rules):
            return False, ctx
        # Siblings are often styled alike (Word's paragraphs, a table's cells): the same inputs
        # under the same context give the same answer. (The memo holds each context it has seen,
        # so no other can take its id.)
        key = (id(ctx), tag, style, hint, rules)
        known = self.hidden_memo.get(key)
        if known is not None:
            return known[1]
        decls = self._declared(style, hint, has_hint, rules)
        if rules and css is not None and css.first_lines and first_line_hides(rules, decls, tag, ctx.seen):
            result = True, ctx
        elif not decls:
            result = False, ctx
        else:
            hidden, seen = resolve(decls, tag, ctx.seen)
            if hidden:
                result = True, ctx
            elif seen is ctx.seen:
                result = False, ctx
            else:
                result = False, _Ctx(seen, ctx.pre, ctx.plain, ctx.clamp)
        self.hidden_memo[key] = (ctx, result)
        return result

    def _sources(self, node: LexborNode, tag: str, attrs: dict) -> tuple[str | None, Any, tuple]:
        """What styles an element: its style attribute, its presentational hints, its rules."""
        style = attrs.get("style") if attrs else None
        hint = hints(tag, attrs, self.link) if tag in _HINT_TAGS or (attrs and "hidden" in attrs) else NO_DECLS
        css = self.css
        rules = () if css is None else css.rules_for(node, attrs) if css.loose else css.matched.get(node.mem_id, ())
        return style, hint, rules

    def _declared(self, style: str | None, hint: Any, has_hint: bool, rules: tuple) -> Any:
        """An element's declarations: its style attribute, its rules and hints, its animations."""
        decls = inline_style(style) if style else NO_DECLS
        if rules or has_hint:
            decls = merged(rules, decls, hint)
        if self.css is not None and decls:
            decls = self.css.animate(decls)
        return decls

    def _layout(self, node: LexborNode, tag: str, attrs: dict) -> str:
        """How the element sits among the lines of a clamped box (only asked inside one)."""
        style, hint, rules = self._sources(node, tag, attrs)
        if not (style or rules or hint is not NO_DECLS):
            return _tag_layout(tag)
        return visibility.layout_of(self._declared(style, hint, hint is not NO_DECLS, rules), tag)

    def _in_clamp(self, node: LexborNode, ctx: _Ctx, inner: _Ctx, layout: str) -> tuple[_Ctx, tuple] | None:
        """An element of this layout entering the clamped box `ctx` is in: None when it starts
        past the clamp (its words counted as hidden text); else the context for its content
        (`inner`, without the count where it cannot follow) and its exit info (a block, or a
        table or the like, ends a line)."""
        clamp = ctx.clamp
        assert clamp is not None
        role = clamp.enter(layout)
        if role == "cut":
            self._count_hidden(node)
            return None
        ends = ((_LINE_ENDS, clamp),) if layout in ("block", "other") else ()
        return (inner._replace(clamp=None) if role == "apart" else inner), ends

    def _newline(self, ctx: _Ctx) -> None:
        """A <br>: a line ends (in a clamped box, one more line counted)."""
        if ctx.clamp is not None:
            ctx.clamp.br()
        self.w.newline()

    def _clamped(self, node: LexborNode, ctx: _Ctx) -> bool:
        """Content at this point of a clamped box (text, an image's alt text): whether it is cut
        off, and then counted as hidden text."""
        if ctx.clamp is None or not ctx.clamp.cut():
            return False
        self._count_hidden(node)
        return True

    def _styled(self, node: LexborNode, tag: str, attrs: dict) -> bool:
        """Whether anything can style the element (most elements have nothing that could)."""
        if attrs and (tag in _STYLED_TAGS or not _STYLE_ATTRIBUTES.isdisjoint(attrs)):
            return True
        if tag == "dialog":
            return True
        css = self.css
        if css is None:
            return False
        if css.loose and css.rules_for(node, attrs):
            return True
        return node.mem_id in css.matched

    def _image(self, node: LexborNode, ctx: _Ctx) -> None:
        """An image is its alt text, as a reader with images blocked sees it; tracking pixels,
        empty alt text and hidden images leave nothing."""
        attrs = node.attributes
        alt = attrs.get("alt")
        if not alt or not alt.strip():
            return
        hidden, inner = self._hidden(node, attrs, ctx)
        if (
            hidden
            or inner.seen.text_hidden
            or visibility.is_pixel(attrs)
            or (ctx.clamp is not None and ctx.clamp.cut())
        ):
            if WORD.search(alt):
                self.hidden_words = True
            return
        alt = " ".join(alt.split())
        if len(alt) > _ALT_MAX:
            alt = alt[:_ALT_MAX].rstrip() + "…"
        w = self.w
        w.space()
        w.text(f"[image: {alt}]")
        after = node.next
        if after is not None and after.tag == "-text" and (after.text_content or " ")[:1].strip():
            w.space()  # "[image: x]word" would read as one word

    # -- the walk -----------------------------------------------------------------------------

    def run(self) -> tuple[str, str, tuple[str, ...]] | None:
        w = self.w
        drop = self.drop
        css = self.css
        shadow = self.shadow
        quotes = self.quotes
        boilerplate = self.boilerplate
        starts = boilerplate.starts
        found = boilerplate.blocks
        # An explicit stack instead of recursion: hostile HTML can nest thousands of levels deep.
        stack: list[tuple[int, LexborNode, _Ctx, Sequence[Any] | None]] = []
        if self.start is not None:  # else the <html> element hides it all
            stack.append((_ENTER, self.root, self.start, None))
        while stack:
            step, node, ctx, extra = stack.pop()
            if step == _EXIT:
                if extra or found:
                    self._leave(node, extra)
                elif node.tag in BLOCK:  # all _leave does for the others
                    w.brk(2 if node.tag in PARAGRAPH else 1)
                continue
            tag = node.tag
            if tag == "-text":
                value = node.text_content
                if not value:
                    continue
                if ctx.seen.text_hidden:
                    if not self.hidden_words and WORD.search(value):
                        self.hidden_words = True
                    continue
                if ctx.clamp is not None and not value.isspace() and self._clamped(node, ctx):
                    continue
                if ctx.pre:
                    for i, line in enumerate(value.split("\n")):
                        if i:
                            w.newline()
                        if line:
                            w.text(line)
                    continue
                if "  " in value or (not value.isprintable() and _WS_CONTROL.search(value)):
                    value = _WS.sub(" ", value)
                if value == " ":
                    w.space()
                else:
                    w.text(value)
                continue
            if tag in DROP_TAGS:
                if tag == "img":
                    self._image(node, ctx)
                elif tag in UNSEEN_CONTENT:
                    self._count_hidden(node)
                continue
            attrs = node.attributes
            if (
                not attrs
                and (tag in PLAIN_INLINE or tag in PLAIN_BLOCK or tag == "br")
                and (css is None or not (css.loose or node.mem_id in css.matched))
            ):
                # Most elements: nothing can style, hide or mark them. A line break breaks the line,
                # a block asks for its lines (and is a place a footer may start), inline markup
                # (Word's <o:p>, a bare <span>) leaves only its content: what the general path
                # below does for them, without its questions.
                if tag == "br":
                    self._newline(ctx)
                    continue
                inner = ctx
                if tag in PLAIN_BLOCK:
                    ends: tuple = ()
                    if ctx.clamp is not None:
                        entered = self._in_clamp(node, ctx, ctx, _tag_layout(tag or ""))
                        if entered is None:
                            continue
                        inner, ends = entered
                    if drop:
                        starts[node.mem_id] = len(w.parts)
                    w.brk(2 if tag in PARAGRAPH else 1)
                    stack.append((_EXIT, node, ctx, ends))
                child = node.last_child
                while child is not None:
                    if not shadow or self._slotted(child, shadow.get(node.mem_id)):
                        stack.append((_ENTER, child, inner, None))
                    child = child.prev
                continue
            if (
                (attrs and (tag in _STYLED_TAGS or not _STYLE_ATTRIBUTES.isdisjoint(attrs)))
                or tag == "dialog"
                or (
                    css is not None
                    and (node.mem_id in css.matched or (css.loose and self._styled(node, tag or "", attrs)))
                )
            ):
                hidden, inner = self._hidden(node, attrs, ctx)
            else:
                hidden, inner = False, ctx
            if hidden:
                self._count_hidden(node)
                continue
            exit_info: list = []
            if ctx.clamp is not None:
                entered = self._in_clamp(node, ctx, inner, self._layout(node, tag or "", attrs))
                if entered is None:
                    continue
                inner, ends = entered
                exit_info += ends
            if inner.seen.clamp and inner is not ctx:  # a clamped box: its own count of lines
                inner = inner._replace(clamp=Clamp(inner.seen.clamp))
            if tag == "br":
                self._newline(ctx)
                continue
            entry = len(w.parts)
            if drop:
                kind = quote_kind(node, attrs) if attrs else None
                if kind is None and tag == "blockquote" and not w.depth and not ctx.plain:
                    kind = quotes.plain_blockquote(node)
                if kind is not None:
                    action = "quote" if kind == "whole" else quotes.action(node, kind, ctx.plain)
                    if action == "stop":
                        if w.depth:  # history inside a quote kept for the answers below it
                            self._close_quote(stack)
                            continue
                        break
                    if action == "skip":
                        continue
                    if action == "plain":
                        inner = inner._replace(plain=2 if kind in ("container", "start") else 1)
                    elif action == "plain-inner":
                        inner = inner._replace(plain=1)
                    elif action == "quote":
                        w.brk(1)
                        w.depth += 1
                        exit_info.append(_DEQUOTE)
            if tag in BLOCK:
                lines = 2 if tag in PARAGRAPH else 1
                if tag == "p" and "Mso" in (attrs.get("class") or ""):
                    # Word's paragraphs have no margins: an empty one is the blank line.
                    lines = 1 if has_text(node) else 2
                    exit_info.append(("lines", lines))
                w.brk(lines)
            elif tag in CELLS:
                w.start_cell()
            if tag == "pre":
                inner = inner._replace(pre=True)
            elif tag == "ol":
                start = (attrs.get("start") or "1").strip()
                self.ol_counters[node.mem_id] = int(start) - 1 if start.isdigit() and len(start) < 7 else 0
            elif tag == "li":
                parent = node.parent
                if parent is not None and parent.tag == "ol":
                    key = parent.mem_id
                    self.ol_counters[key] = self.ol_counters.get(key, 0) + 1
                    w.text(f"{self.ol_counters[key]}. ")
                else:
                    w.text("- ")
            elif tag == "a":
                exit_info.append(("link", len(w.parts)))
            # Only blocks, cells, links and kept quotes need to know when they end: inline
            # elements (most of a mail's markup) get no exit entry at all.
            if exit_info or tag in BLOCK or tag in CELLS:
                stack.append((_EXIT, node, inner, exit_info))
                if drop:
                    starts[node.mem_id] = entry
                    if tag == "a" and not w.depth:
                        boilerplate.anchor(node)
            if tag == "details" and "open" not in attrs:
                summary = node.css_first("summary")
                if summary is not None:
                    stack.append((_ENTER, summary, inner, None))
                continue
            child = node.last_child  # the children, last first: the first is popped first
            while child is not None:
                if not shadow or self._slotted(child, shadow.get(node.mem_id)):
                    stack.append((_ENTER, child, inner, None))
                child = child.prev
        if self.cut is not None and not quotes.cut_was_sound(*self.cut, self._hidden):
            return None
        return self._finish()

    def _close_quote(self, stack: list) -> None:
        """Drop the rest of the innermost kept quote, closing the elements left open in it."""
        while stack:
            step, node, _, extra = stack.pop()
            if step == _EXIT:
                self._leave(node, extra)
                if extra and _DEQUOTE in extra:
                    return

    def _leave(self, node: LexborNode, info: Sequence[Any] | None) -> None:
        w = self.w
        tag = node.tag
        if self.boilerplate.blocks:
            self.boilerplate.ended(node, len(w.parts))
        for item in info or ():
            if item is _DEQUOTE:
                w.depth -= 1
                w.brk(1)
            elif item[0] == "link":
                self._link(node, item[1])
            elif item[0] == _LINE_ENDS:
                item[1].boundary()
            elif item[0] == "lines":
                w.brk(item[1])
                return
        if tag in BLOCK:
            w.brk(2 if tag in PARAGRAPH else 1)

    def _link(self, node: LexborNode, start: int) -> None:
        url = clean_url(node.attributes.get("href") or "")
        if url and url_adds_to(join(self.w.parts[start:]).strip(), url):
            self.w.parts.append(Link(url))

    def _finish(self) -> tuple[str, str, tuple[str, ...]]:
        parts = self.w.parts
        if self.boilerplate.segments:
            self.boilerplate.remove(parts, self.removed.note)
        if self.hidden_words:
            self.removed.append("hidden text")
        return join(parts), join(parts, True), tuple(self.removed)
