"""HTML email bodies to plain text with selectolax's lexbor parser.

What a reader would not see is dropped: head, style, script, comments, and everything that the
message's CSS (inline, and its own stylesheets through a real cascade) or HTML hides, as a mail
client computes it (visibility.py): hidden text is a known way to smuggle instructions to a
model. Images become their alt text, `[image: ...]`, which is what a reader sees with images
blocked (never markdown images; tracking pixels and empty alt text leave nothing).

Quoted history is cut at the container each mail client wraps it in (Gmail, Outlook web and
desktop, Apple Mail, Yahoo, Thunderbird, ProtonMail, Zoho); a `<blockquote>` that no client marked
is a quote when an attribution line ("On ... wrote:") introduces it. A quote that is followed by
more of the sender's text (inline answers, bottom posting) is kept as `> ` lines instead, so that
the text level (quotes.py) can keep the few quoted lines each answer needs. When the sender points
to the history ("see my answers below"), its first level is kept as content. Signatures that the
client marks as such are dropped, and so are an unsubscribe footer at the end and a "view in
browser" line at the start of marketing mail.

Links keep their text; with `links=True` also ` <url>`, the URL unwrapped from click-tracking
redirects whose target is visible and stripped of tracking parameters. Paragraphs, line breaks
and lists keep their shape; inline text stays on one line; table cells are joined with ` | `.

Hostile markup is bounded: no recursion anywhere, at most 2 MB, and past a thousand levels of
nesting (which makes any HTML parser slow) tags are flattened before parsing, their text kept
unless a tag could have hidden it.

Speed: one walk serves concise and detailed output (cached per message), and when a message's
history is plainly its tail (an Outlook header block, or a Gmail quote with nothing after it),
only the part before it is parsed; the walk then checks that the cut was sound and falls back to
the whole message if not.
"""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from inbox_mcp.tools.render import visibility
from inbox_mcp.tools.render.quotes import FORWARD_HEADER, FORWARD_SUBJECT, MOBILE_FOOTER, is_attribution, points_below
from inbox_mcp.tools.render.visibility import NO_DECLS, Cascade, Seen, hints, inline_style, merged, resolve

# ---------------------------------------------------------------------------------------------
# Element classes
# ---------------------------------------------------------------------------------------------

_DROP_TAGS = frozenset(
    "head style script noscript template title meta link base svg math object embed iframe frame frameset "
    "canvas audio video source track img map area input select datalist textarea xml -comment".split()
)
_BLOCK = frozenset(
    "address article aside blockquote caption center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main menu nav ol p pre section summary "
    "table tbody tfoot thead tr ul".split()
)
_PARAGRAPH = frozenset("p h1 h2 h3 h4 h5 h6 pre table ul ol dl hr blockquote figure".split())
_CELLS = frozenset(("td", "th"))
# Inline elements the walk does nothing special with (see _Walker.run): without attributes, only
# their content counts.
_PLAIN_INLINE = frozenset("o:p span b i u em strong small big sub sup s strike code tt kbd samp var abbr mark nobr".split())
_PLAIN_BLOCK = _BLOCK - {"pre", "ol", "li", "details", "dialog", "blockquote"}  # (those have more to them)
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())

# Classes of containers that hold quoted history (compared without Outlook's "x_" prefix).
_QUOTE_CONTAINER_CLASSES = frozenset(
    "gmail_quote gmail_quote_container gmail_extra yahoo_quoted protonmail_quote zmail_extra "
    "moz-forward-container".split()
)
_ATTRIBUTION_CLASSES = frozenset("gmail_attr moz-cite-prefix".split())
_SIGNATURE_CLASSES = frozenset(
    "gmail_signature gmail_signature_prefix moz-signature protonmail_signature_block".split()
)
_SIGNATURE_IDS = frozenset("signature applemailsignature ms-outlook-mobile-signature composer_signature".split())
_MOBILE_SIGNATURE_IDS = frozenset("applemailsignature ms-outlook-mobile-signature composer_signature".split())
_SIGNATURE_MAX = 500
# Ids of elements that start quoted history: they and everything after them are cut.
_QUOTE_START_IDS = frozenset(
    "divrplyfwdmsg appendonsend mail-editor-reference-message-container olk_src_body_section stopspelling".split()
)
_OUTLOOK_HEADER_STYLE = re.compile(r"border-top\s*:\s*solid\s+#(?:E1E1E1|B5C4DF)\b", re.I)

# Boilerplate links of bulk mail: an unsubscribe footer, a "view in browser" line.
_UNSUBSCRIBE_LINK = re.compile(
    r"^(?:click here to |to )?(?:unsubscribe|opt[ -]?out)(?: here| now| instantly| from (?:this|these|all|our|future)\b.*)?"
    r"|^(?:manage|update|change|edit)(?: your)?(?: email| e-mail| mailing| subscription)? (?:preferences|settings|subscriptions?)"
    r"|^(?:email|e-mail|subscription|notification) (?:preferences|settings)"
    r"|^(?:se )?d[ée]sinscri|^(?:se )?d[ée]sabonner|^g[ée]rer (?:mes|vos) (?:pr[ée]f[ée]rences|abonnements)"
    r"|^(?:newsletter )?(?:abmelden|abbestellen)|^(?:darse|darme|date) de baja|^cancelar (?:la )?suscripci[óo]n"
    r"|^(?:annulla (?:l'?)?iscrizione|disiscriviti|cancellati)|^(?:cancelar (?:a )?inscri[çc][ãa]o|descadastr)"
    r"|^(?:afmelden|uitschrijven)",
    re.I,
)
_VIEW_ONLINE_LINK = re.compile(
    r"^(?:view|read|open|see)(?: this| the)?(?: e-?mail| message| newsletter)?(?: in (?:your|a|the) browser| online| as a web ?page| on the web)"
    r"|^(?:having trouble viewing|can'?t see (?:this|the images))|^(?:voir|afficher)(?: la version)? (?:en ligne|dans (?:votre|le) navigateur)"
    r"|^(?:im browser|online) (?:ansehen|anzeigen|öffnen|lesen)|^ver (?:en (?:el|tu|su) navegador|online|en l[ií]nea)"
    r"|^(?:visualizza|apri) (?:nel browser|online)|^(?:ver|abrir) no navegador|^bekijk (?:in (?:je|uw) browser|online)",
    re.I,
)
# Something besides the link that marks a block as a bulk-mail footer, not a sentence someone wrote.
_FOOTER_SIGNAL = re.compile(
    r"©|&copy;|\ball rights reserved\b|\b(?:Inc|LLC|Ltd|GmbH|SAS|SARL|S\.?L|S\.?A|B\.?V|AG|Corp)\b\.?|\bnot the right person\b"
    r"|\byou(?:'re| are)? receiv|\bthis (?:e-?mail|message) was sent\b|\bno longer wish\b|\bmailing list\b|\bpreferences\b"
    r"|\bsubscribed\b|\bnewsletter\b|\bprivacy\b|\bdatenschutz\b|\bimpressum\b|[|·•]|\b\d{4,6}\b",
    re.I,
)
_STRONG_FOOTER = re.compile(
    r"©|&copy;|\ball rights reserved\b|\byou(?:'re| are)? receiv|\bthis (?:e-?mail|message) was sent\b|\bno longer wish"
    r"|\bmailing address\b|\bunsubscribe\b|\bpreferences\b|\bprivacy (?:policy|notice)\b|\bnot the right person\b"
    r"|\b(?:Inc|LLC|Ltd|GmbH|SAS|B\.V|AG)\b\.?\s*[·|,]\s*\S.{0,80}\d",
    re.I,
)
_BOILERPLATE_MAX = 400
"""Characters of text a footer or header block may hold; longer blocks are not boilerplate."""
_FORWARD_HINTS = ("forward", "transf", "weiterge", "reenvi", "inoltr", "encaminh", "doorgest", "réexp", "fw:", "fwd:",
                  "tr:", "wg:", "rv:", "i:", "enc:", "doorst:", "fw :", "tr :")

_FORWARD_WORDS = tuple(hint for hint in _FORWARD_HINTS if not hint.endswith(":"))
_FORWARD_TAGS = tuple(hint for hint in _FORWARD_HINTS if hint.endswith(":"))


def _forward_hint(low: str) -> bool:
    """Whether `low` holds one of _FORWARD_HINTS: the words anywhere, the tags ("fw:") before a
    colon (the few colons are looked at, not the whole text for each tag)."""
    if any(word in low for word in _FORWARD_WORDS):
        return True
    at = low.find(":")
    while at >= 0:
        if low.endswith(_FORWARD_TAGS, 0, at + 1):
            return True
        at = low.find(":", at + 1)
    return False


_TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w*|mc_cid|mc_eid|_hsenc|_hsmi|__hs\w*|hsctatracking|hsa_\w+|mkt_tok|fbclid|gclid|gclsrc|dclid|gbraid|wbraid"
    r"|yclid|msclkid|twclid|ttclid|li_fat_id|igshid|ref_src|ref_url|vero_id|vero_conv|oly_enc_id|oly_anon_id|_kx|_ke"
    r"|trk|trkcampaign|trkinfo|sc_cid|s_cid|elqtrackid|elqtrack|elq|elqaid|elqat|elqcampaignid|ml_subscriber"
    r"|ml_subscriber_hash|_ga|_gl|spm|ncid|cmpid|wt\.mc_id|lipi|midtoken|midsig|trkemail|otptoken|sendkit_\w+|lemlist_\w+)$",
    re.I,
)
_REDIRECT_KEYS = frozenset(
    "url u q target dest destination redirect redirect_url redirect_uri redir link to goto r l href out".split()
)
_PROOFPOINT_V3 = re.compile(r"^https?://urldefense\.com/v3/__(.+?)__;", re.I)
_PROOFPOINT_V2 = re.compile(r"^https?://urldefense\.proofpoint\.com/v2/url\?", re.I)

_MAX_HTML = 2_000_000
_MAX_DEPTH = 1000
_DEPTH_CHECK_TAGS = 4000
"""Below this many '<' the nesting cannot get deep enough to matter, so the guard is skipped."""


@dataclass
class Converted:
    text: str
    removed: list[str] = field(default_factory=list)
    """What was taken out, in the words `detailed` output uses: "quoted history", "signature", ..."""


def html_to_text(html: str, *, links: bool = False, drop_quotes: bool = True) -> str:
    return convert(html, links=links, drop_quotes=drop_quotes).text


def convert(html: str, *, links: bool = False, drop_quotes: bool = True) -> Converted:
    """The text of `html` and what was removed from it. With `drop_quotes=False` quoted history,
    signatures and boilerplate stay (hidden elements never do): the fallback for a message that
    would otherwise be empty."""
    walk = _converted if len(html) <= _CACHE_MAX else _converted.__wrapped__
    concise, detailed, removed = walk(html, drop_quotes)
    return Converted(detailed if links else concise, list(removed))


_CACHE_MAX = 300_000
"""Messages longer than this are not cached: a cache entry keeps its message alive."""


@lru_cache(maxsize=64)
def _converted(html: str, drop_quotes: bool) -> tuple[str, str, tuple[str, ...]]:
    """One walk gives both renderings (links as text only, and with their URLs): a thread is
    rendered concise and detailed from the same messages, so the second costs nothing."""
    if len(html) > _MAX_HTML:
        html = _DATA_URI.sub(r'\1""', html)[:_MAX_HTML]
    if drop_quotes:
        cut = _outlook_cut(html) or _gmail_cut(html)
        if cut is not None:
            result = _Walker(_bounded(html[:cut]), drop_quotes=True, cut=(html, cut)).run()
            if result is not None:
                return result
    result = _Walker(_bounded(html), drop_quotes=drop_quotes).run()
    assert result is not None
    return result


# Where Outlook's history starts, found in the markup itself: everything after it is history,
# so most of a long thread need not be parsed at all (the walk checks that the cut was sound).
_OUTLOOK_MARKER = re.compile(
    r"""<(?:div|span|hr|p)\b[^>]*?(?:\bid\s*=\s*["']?(?:x_)?(?:divRplyFwdMsg|appendonsend|OLK_SRC_BODY_SECTION|"""
    r"""mail-editor-reference-message-container)\b|\bstyle\s*=\s*["'][^"'>]*border-top\s*:\s*solid\s+#(?:E1E1E1|B5C4DF)\b"""
    r"""|\bclass\s*=\s*["']?OutlookMessageHeader)""",
    re.I,
)


# Marks of quoted history in raw markup (case-sensitive on purpose: they only decide whether to
# try a cut, and the walk checks that the cut was sound).
_OUTLOOK_NEEDLES = (
    "#E1E1E1", "divRplyFwdMsg", "appendonsend", "#B5C4DF", "#b5c4df", "#e1e1e1", "OLK_SRC_BODY_SECTION",
    "mail-editor-reference", "OutlookMessageHeader",
)
_OTHER_QUOTE_NEEDLES = (
    "gmail_quote", 'type="cite"', "type=cite", "type='cite'", "yahoo_quoted", "moz-cite-prefix",
    "moz-forward-container", "protonmail_quote", "zmail_extra",
)


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


_GMAIL_CONTAINER = re.compile(r"""<div\b[^>]*?\bclass\s*=\s*["']?[^"'>]*?\bgmail_quote\b""", re.I)
_BLOCKQUOTE_TAG = re.compile(r"</?blockquote\b", re.I)  # (no group: faster to scan)
_ONLY_CLOSING = re.compile(r"(?:\s|&nbsp;|</[a-z][^>]*>|<br\s*/?>|<div[^>]*>|<!--.*?-->)*", re.I | re.S)


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
# Bounding hostile input
# ---------------------------------------------------------------------------------------------

_DATA_URI = re.compile(r"""(?i)(\s(?:src|href|background)\s*=\s*)(["'])data:.*?\2""", re.S)
_TAG_OR_COMMENT = re.compile(r"<!--.*?(?:-->|$)|<(/?)([a-zA-Z][^\s/>]*)[^>]*>", re.S)
_NO_DEPTH = _VOID | frozenset("p li dt dd tr td th option optgroup tbody thead tfoot colgroup rb rt rtc rp".split())
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
    for m in _TAG_OR_COMMENT.finditer(html):
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
                if name in _DROP_TAGS or name == "details" or _HAS_ATTRIBUTES.match(m.group(0)):
                    mode, skipping = _SKIP, len(stack)
                else:
                    mode = _FLAT
                    if name in _BLOCK:
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


# ---------------------------------------------------------------------------------------------
# CSS: the cascade and what it hides live in visibility.py
# ---------------------------------------------------------------------------------------------

# Cache handles for benchmarks that time cold runs (bench/render.py clears them).
_parse_sheet = visibility.parse_sheet


class _Caches:
    """The walk's per-value caches, this module's and visibility.py's, cleared together."""

    @staticmethod
    def cache_clear() -> None:
        visibility.CACHES.cache_clear()
        _class_kind.cache_clear()


_style_cached = _Caches()
_ALT_MAX = 300
_HINT_TAGS = visibility.HINT_TAGS
# "<style" with re.I, spelt out (the long s folds to "s" too): the same matches, faster to find.
_STYLE_OPEN = re.compile("<[sS\u017f][tT][yY][lL][eE]")
_STYLE_CLOSE = re.compile("</[sS\u017f][tT][yY][lL][eE]")
_TAG = re.compile(r"<[^>]+>")


def _alt_words(node: LexborNode) -> bool:
    """Whether images inside `node` have alt text with words (a few looked at)."""
    return any(_WORD.search(img.attributes.get("alt") or "") for img in node.css("img[alt]")[:20])


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
        if c in _SIGNATURE_CLASSES:
            return "signature"
        if c == "outlookmessageheader":
            return "start"
    return None


# ---------------------------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------------------------


class _Ctx(NamedTuple):
    """What an element passes down to its content (a tuple: made for every styled element)."""

    seen: Seen = visibility.ROOT  # colours, font size, visibility... (see visibility.py)
    pre: bool = False
    plain: int = 0  # inside history shown as content: 2 its container, 1 its quote


_ROOT_CTX = _Ctx()
_ENTER, _EXIT = 0, 1
_DEQUOTE = ("dequote",)
_SKIP_TEXT = frozenset(("-comment", "style", "script", "head", "title", "template", "noscript"))


class _Link:
    """A link's URL in the written parts: shown in detailed output only."""

    __slots__ = ("url",)

    def __init__(self, url: str) -> None:
        self.url = url


def _join(parts: list, links: bool = False) -> str:
    try:
        return "".join(parts)  # no link among them (most messages)
    except TypeError:
        return "".join(p if p.__class__ is str else (f" <{p.url}>" if links else "") for p in parts)


def _text_upto(node: LexborNode, limit: int) -> str:
    """The text inside `node`, collected only until `limit` characters: a probe that costs
    little however big the element is."""
    if node.tag == "-text":
        return node.text_content or ""
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
            out.append(text)
            size += len(text)
            if size >= limit:
                break
            cur = cur.next
            continue
        nxt = cur.next
        if nxt is not None:
            pending.append(nxt)
        cur = None if tag in _SKIP_TEXT else cur.child
    return "".join(out)


def _has_text(node: LexborNode) -> bool:
    """Whether `node` holds any non-blank text (visible or not)."""
    if node.tag == "-text":
        return bool((node.text_content or "").strip())
    pending: list[LexborNode] = []
    cur = node.child
    while True:
        if cur is None:
            if not pending:
                return False
            cur = pending.pop()
            continue
        tag = cur.tag
        if tag == "-text":
            if (cur.text_content or "").strip():
                return True
            cur = cur.next
            continue
        nxt = cur.next
        if nxt is not None:
            pending.append(nxt)
        cur = None if tag in _SKIP_TEXT else cur.child


class _Writer:
    """Collects text. A block boundary asks for a line break, a paragraph for a blank line;
    consecutive requests merge instead of piling up. Lines inside a kept quote start with `> `.
    Link URLs are kept as _Link parts, so that one walk serves concise and detailed output."""

    def __init__(self) -> None:
        self.parts: list = []
        self.pending = 0
        self.depth = 0
        self.line_has_text = False
        self.cell = False

    def brk(self, lines: int) -> None:
        if self.parts and lines > self.pending:
            self.pending = lines
        self.cell = False

    def newline(self) -> None:
        self.parts.append("\n" * max(1, self.pending))
        self.pending = 0
        self.line_has_text = False
        self.cell = False

    def space(self) -> None:
        if self.line_has_text and not self.pending:
            last = self.parts[-1]
            if last.__class__ is not str or not last.endswith(" "):
                self.parts.append(" ")

    def text(self, value: str) -> None:
        if self.pending:
            self.parts.append("\n" * self.pending)
            self.pending = 0
            self.line_has_text = False
        if not self.line_has_text:
            value = value.lstrip(" ")
            if not value:
                return
            if self.depth:
                self.parts.append("> " * self.depth)
        elif self.cell:
            self.parts.append(" | ")
        self.cell = False
        self.parts.append(value)
        self.line_has_text = True

    def last_line(self) -> str:
        """The last line with text written so far (looking at most 50 parts back)."""
        out: list[str] = []
        for part in reversed(self.parts[-50:]):
            if part.__class__ is not str:
                continue
            if "\n" in part:
                if "".join(out).strip():
                    break
                out = []
                continue
            out.append(part)
        return "".join(reversed(out)).strip()

    def start_cell(self) -> None:
        if self.line_has_text and not self.pending:
            self.cell = True


_WS = re.compile(r"[\t\n\r\f ]+")
_WS_CONTROL = re.compile(r"[\t\n\r\f]")  # (a text without it, or two spaces, is as _WS leaves it)
_URLISH = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_WORD = re.compile(r"\w")


class _Walker:
    def __init__(self, html: str, *, drop_quotes: bool, cut: tuple[str, int] | None = None) -> None:
        self.tree = LexborHTMLParser(html)
        self.root = self.tree.body or self.tree.root
        self.drop = drop_quotes
        # After a pre-cut (see _converted): the whole markup and where `html` ended in it (what
        # follows is history, not parsed: not copied either, it is most of a long thread).
        self.cut = cut
        self.css = self._cascade(html, cut)
        self.hidden_memo: dict[tuple, tuple[_Ctx, tuple[bool, _Ctx]]] = {}  # see _hidden
        self.start: _Ctx | None = self._root_ctx()
        self.w = _Writer()
        self.removed: list[str] = []
        self.hidden_words = False
        self.cue: bool | None = None  # does the sender point to the quoted history below?
        self.cue_used = False
        self.starts: dict[int, int] = {}  # mem_id -> where the element's text starts in parts
        self.boilerplate: dict[int, str] = {}  # mem_id -> "footer" | "header", found on the way
        self.segments: list[tuple[str, int, int]] = []
        self.anchors_left = 50  # unsubscribe / view-online links looked at, at most
        self.after_cache: dict[int, tuple[dict[int, int], int]] = {}
        self.ol_counters: dict[int, int] = {}
        self.whole_unknown = True  # is the message one unmarked <blockquote>? (see _plain_blockquote)

    def _cascade(self, html: str, cut: tuple[str, int] | None) -> Cascade | None:
        """The message's stylesheets matched against its tree (None: it has none). Those in the
        history cut off unparsed (see _converted) apply too, as they would in a mail client."""
        extra = _styles_in(*cut) if cut is not None else ""
        own = _STYLE_OPEN.search(html) is not None  # without "<style" the tree has no <style>
        if not extra and not own:
            return None
        css = Cascade(self.tree, extra, html.count("<"), own_sheets=own)
        return css if css.rules or css.loose else None

    def _root_ctx(self) -> _Ctx | None:
        """What the <html> element passes to the body (None: it hides everything)."""
        html = self.tree.root
        if html is None or html.tag != "html" or self.root is html:
            return _ROOT_CTX
        attrs = html.attributes
        if not self._styled(html, "html", attrs):
            return _ROOT_CTX
        hidden, ctx = self._hidden(html, attrs, _ROOT_CTX)
        return None if hidden else ctx

    def _note(self, what: str) -> None:
        if what not in self.removed:
            self.removed.append(what)

    # -- classification -----------------------------------------------------------------------

    def _quote_kind(self, node: LexborNode, attrs: dict) -> str | None:
        """"start" (history follows: cut the rest), "container", "quote", "attribution",
        "signature", or None."""
        ident = attrs.get("id")
        if ident:
            ident = ident.lower()
            if ident.startswith("x_"):
                ident = ident[2:]
            if ident in _QUOTE_START_IDS:
                return "start"
            if ident in _SIGNATURE_IDS:
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

    def _plain_blockquote(self, node: LexborNode) -> str | None:
        """A `<blockquote>` that no client marked: a quote ("quote") under an attribution line
        ("On ... wrote:"); the whole message ("whole": written as `> ` lines, it reads as a
        plain-text message that is all quote, and is kept as such); or else the sender's own
        indented text (None)."""
        line = self.w.last_line()
        if line:
            return "quote" if is_attribution(line) else None
        if self.whole_unknown:  # asked once: blockquotes inside this one have the same answer
            self.whole_unknown = False
            if not _WORD.search(_join(self.w.parts)) and not self._content_after(node):
                return "whole"
        return None

    def _hidden(self, node: LexborNode, attrs: dict, ctx: _Ctx) -> tuple[bool, _Ctx]:
        """Whether the element is invisible with all it holds, and the context for its content:
        presentational attributes, the stylesheets' rules and the style attribute, cascaded
        (visibility.py)."""
        tag = node.tag
        style = attrs.get("style") if attrs else None
        hint = hints(tag, attrs) if tag in _HINT_TAGS or (attrs and "hidden" in attrs) else NO_DECLS
        has_hint = hint is not NO_DECLS  # (hints() gives NO_DECLS or declarations)
        css = self.css
        rules = () if css is None else css.rules_for(node, attrs) if css.loose else css.matched.get(node.mem_id, ())
        if not (style or has_hint or rules):
            return False, ctx
        # Siblings are often styled alike (Word's paragraphs, a table's cells): the same inputs
        # under the same context give the same answer. (The memo holds each context it has seen,
        # so no other can take its id.)
        key = (id(ctx), tag, style, hint, rules)
        known = self.hidden_memo.get(key)
        if known is not None:
            return known[1]
        decls = inline_style(style) if style else NO_DECLS
        if rules or has_hint:
            decls = merged(rules, decls, hint)
        if not decls:
            result = False, ctx
        else:
            hidden, seen = resolve(decls, tag, ctx.seen)
            if hidden:
                result = True, ctx
            elif seen is ctx.seen:
                result = False, ctx
            else:
                result = False, _Ctx(seen, ctx.pre, ctx.plain)
        self.hidden_memo[key] = (ctx, result)
        return result

    def _styled(self, node: LexborNode, tag: str, attrs: dict) -> bool:
        """Whether anything can style the element (most elements have nothing that could)."""
        if attrs and ("style" in attrs or "hidden" in attrs or "bgcolor" in attrs or "background" in attrs
                      or tag == "font" or tag == "body" or tag == "a"):
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
        if hidden or inner.seen.text_hidden or visibility.is_pixel(attrs):
            if _WORD.search(alt):
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

    def _content_after(self, node: LexborNode) -> bool:
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
                elif tag not in _DROP_TAGS and self._quote_kind(child, child.attributes) is None and _has_text(child):
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
            elif tag not in _DROP_TAGS:
                kind = self._quote_kind(child, child.attributes)
                if kind in ("quote", "container"):
                    seen_quote = True
                elif kind is None and seen_quote and _has_text(child):
                    return True
            child = child.next
        return False

    def _points_below(self) -> bool:
        if self.cue is None:
            self.cue = points_below(_join(self.w.parts))
        return self.cue and not self.cue_used

    @staticmethod
    def _history_word(text: str) -> str:
        if _forward_hint(text.lower()) and (FORWARD_HEADER.search(text) or FORWARD_SUBJECT.search(text)):
            return "forwarded message"
        return "quoted history"

    def _quote_action(self, node: LexborNode, kind: str, plain: int) -> str:
        """What to do with a quote-ish element: "skip", "stop", "quote" (keep as `> ` lines),
        "plain" (keep as content: the sender pointed to it), or "walk" (descend normally)."""
        if plain:
            # Inside the one level of history shown as content: its own attribution stays, the
            # quote of a container is the same level, anything deeper is cut.
            if kind in ("attribution", "signature"):
                return "walk"
            if kind == "quote" and plain == 2:
                return "plain-inner"
            self._note(self._history_word(_text_upto(node, 800)))
            return "stop" if kind == "start" else "skip"
        if kind == "signature":
            text = " ".join(_text_upto(node, _SIGNATURE_MAX + 1).split())
            if MOBILE_FOOTER.match(text):
                self._note("mobile footer")
                return "skip"
            ident = (node.attributes.get("id") or "").lower().removeprefix("x_")
            if ident in _MOBILE_SIGNATURE_IDS or len(text) > _SIGNATURE_MAX:
                # Phones put the reply itself in there, above the footer; and a "signature"
                # longer than any signature holds something else: the text level decides.
                return "walk"
            if text:
                self._note("signature")
            return "skip"
        if kind == "attribution":
            return "skip"
        if kind == "start":
            if self._points_below():
                if not _has_text(node):
                    return "skip"  # an empty marker (OWA's appendonsend): the header follows
                self.cue_used = True
                return "plain"
            self._note(self._history_word(_text_upto(node, 800)))
            return "stop"
        # Answers written between quotes explain any "see my answers inline" on their own.
        if kind == "container" and self._interleaved(node):
            self.cue_used = True
            return "walk"
        if self._content_after(node):
            self.cue_used = True
            return "quote"
        if self._points_below():
            self.cue_used = True
            return "plain"
        self._note(self._history_word(_text_upto(node, 800)))
        return "skip"

    def _anchor(self, a: LexborNode) -> None:
        """An unsubscribe or view-online link marks the block around it as boilerplate."""
        label = " ".join(_text_upto(a, 61).split())
        if not label or len(label) > 60:
            return
        kind = "footer" if _UNSUBSCRIBE_LINK.match(label) else "header" if _VIEW_ONLINE_LINK.match(label) else None
        if kind is None or self.anchors_left <= 0:
            return
        self.anchors_left -= 1
        root_id = self.root.mem_id
        block = a
        while block.tag not in _BLOCK and block.tag not in _CELLS:
            parent = block.parent
            if parent is None or parent.mem_id == root_id:
                break
            block = parent
        # Grow over neighbouring footer lines (copyright, address, "you received this").
        text = _text_upto(block, _BOILERPLATE_MAX + 1)
        node = block.parent
        while node is not None and node.mem_id != root_id and node.mem_id in self.starts:
            outer = _text_upto(node, _BOILERPLATE_MAX + 1)
            if len(outer.strip()) > _BOILERPLATE_MAX:
                break
            other = outer.replace(text, " ", 1)
            if other.strip() and (kind == "header" or not _STRONG_FOOTER.search(other)):
                break
            block, text, node = node, outer, node.parent
        if kind == "footer" and not _FOOTER_SIGNAL.search(text.replace(label, " ", 1)):
            return
        if block.mem_id in self.starts:
            self.boilerplate[block.mem_id] = kind

    # -- the walk -----------------------------------------------------------------------------

    def run(self) -> tuple[str, str, tuple[str, ...]] | None:
        w = self.w
        drop = self.drop
        css = self.css
        starts = self.starts
        # An explicit stack instead of recursion: hostile HTML can nest thousands of levels deep.
        stack: list[tuple[int, LexborNode, _Ctx, object]] = []
        if self.start is not None:  # else the <html> element hides it all
            stack.append((_ENTER, self.root, self.start, None))
        while stack:
            step, node, ctx, extra = stack.pop()
            if step == _EXIT:
                if extra or self.boilerplate:
                    self._leave(node, extra)
                elif node.tag in _BLOCK:  # all _leave does for the others
                    w.brk(2 if node.tag in _PARAGRAPH else 1)
                continue
            tag = node.tag
            if tag == "-text":
                value = node.text_content
                if not value:
                    continue
                if ctx.seen.text_hidden:
                    if not self.hidden_words and _WORD.search(value):
                        self.hidden_words = True
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
            if tag in _DROP_TAGS:
                if tag == "img":
                    self._image(node, ctx)
                continue
            attrs = node.attributes
            if not attrs and (tag in _PLAIN_INLINE or tag in _PLAIN_BLOCK or tag == "br") and (
                css is None or not (css.loose or node.mem_id in css.matched)
            ):
                # Most elements: nothing can style, hide or mark them. A line break breaks the line,
                # a block asks for its lines (and is a place a footer may start), inline markup
                # (Word's <o:p>, a bare <span>) leaves only its content: what the general path
                # below does for them, without its questions.
                if tag == "br":
                    w.newline()
                    continue
                if tag in _PLAIN_BLOCK:
                    if drop:
                        starts[node.mem_id] = len(w.parts)
                    w.brk(2 if tag in _PARAGRAPH else 1)
                    stack.append((_EXIT, node, ctx, ()))
                child = node.last_child
                while child is not None:
                    stack.append((_ENTER, child, ctx, None))
                    child = child.prev
                continue
            if (
                attrs and ("style" in attrs or "hidden" in attrs or "bgcolor" in attrs or "background" in attrs
                           or tag == "font" or tag == "body" or tag == "a")
            ) or tag == "dialog" or (
                css is not None and (node.mem_id in css.matched or (css.loose and self._styled(node, tag, attrs)))
            ):
                hidden, inner = self._hidden(node, attrs, ctx)
            else:
                hidden, inner = False, ctx
            if hidden:
                if not self.hidden_words and (_WORD.search(_text_upto(node, 200)) or _alt_words(node)):
                    self.hidden_words = True
                continue
            if tag == "br":
                w.newline()
                continue
            exit_info: list = []
            entry = len(w.parts)
            if drop:
                kind = self._quote_kind(node, attrs) if attrs else None
                if kind is None and tag == "blockquote" and not w.depth and not ctx.plain:
                    kind = self._plain_blockquote(node)
                if kind is not None:
                    action = "quote" if kind == "whole" else self._quote_action(node, kind, ctx.plain)
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
            if tag in _BLOCK:
                lines = 2 if tag in _PARAGRAPH else 1
                if tag == "p" and "Mso" in (attrs.get("class") or ""):
                    # Word's paragraphs have no margins: an empty one is the blank line.
                    lines = 1 if _has_text(node) else 2
                    exit_info.append(("lines", lines))
                w.brk(lines)
            elif tag in _CELLS:
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
            if exit_info or tag in _BLOCK or tag in _CELLS:
                stack.append((_EXIT, node, inner, exit_info))
                if drop:
                    starts[node.mem_id] = entry
                    if tag == "a" and not w.depth:
                        self._anchor(node)
            if tag == "details" and "open" not in attrs:
                summary = node.css_first("summary")
                if summary is not None:
                    stack.append((_ENTER, summary, inner, None))
                continue
            child = node.last_child  # the children, last first: the first is popped first
            while child is not None:
                stack.append((_ENTER, child, inner, None))
                child = child.prev
        if self.cut is not None and not self._cut_was_sound():
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

    def _cut_was_sound(self) -> bool:
        """After a pre-cut: the walk would have cut there too (no pointer to the history, and
        the cut not inside an element whose end we have not seen: a quote, a hidden element)."""
        if self._points_below():
            return False
        node = self.root
        while node.last_child is not None:
            node = node.last_child
        root_id = self.root.mem_id
        while node is not None and node.mem_id != root_id:
            if node.tag not in ("-text", "-comment"):
                attrs = node.attributes
                if node.tag in ("details", "a") or (attrs and (self._quote_kind(node, attrs) or self._hidden(node, attrs, _ROOT_CTX)[0])):
                    return False
            node = node.parent
        whole, cut = self.cut
        header = html_module.unescape(_TAG.sub(" ", whole[cut : cut + 2500]))[:800]
        self._note(self._history_word(header))
        return True

    def _leave(self, node: LexborNode, info: object) -> None:
        w = self.w
        tag = node.tag
        if self.boilerplate:
            kind = self.boilerplate.get(node.mem_id)
            if kind:
                self.segments.append((kind, self.starts[node.mem_id], len(w.parts)))
        for item in info or ():
            if item is _DEQUOTE:
                w.depth -= 1
                w.brk(1)
            elif item[0] == "link":
                self._link(node, item[1])
            elif item[0] == "lines":
                w.brk(item[1])
                return
        if tag in _BLOCK:
            w.brk(2 if tag in _PARAGRAPH else 1)

    def _link(self, node: LexborNode, start: int) -> None:
        href = clean_url(node.attributes.get("href") or "")
        if not href:
            return
        shown = _join(self.w.parts[start:]).strip()
        if not shown:
            return  # an image or an empty anchor: nothing a reader would see
        bare = href.split("://", 1)[-1].rstrip("/").lower()
        plain = shown.rstrip("/").lower()
        if plain in (href.rstrip("/").lower(), bare) or plain.split("://", 1)[-1] == bare:
            return
        if _URLISH.match(shown) and _host(shown) == _host(href):
            return
        self.w.parts.append(_Link(href))

    def _finish(self) -> tuple[str, str, tuple[str, ...]]:
        parts = self.w.parts
        if self.segments:
            # Outermost blocks only, so that the ranges do not overlap; then from the end, so
            # that deleting one leaves the others' positions right.
            outer: list[tuple[str, int, int]] = []
            for segment in sorted(self.segments, key=lambda s: (s[1], -s[2])):
                if not outer or segment[1] >= outer[-1][2]:
                    outer.append(segment)
            if len(outer) > 20:  # a header is first, a footer last: the rest cannot qualify
                outer = outer[:10] + outer[-10:]
            for kind, start, end in reversed(outer):
                if kind == "footer" and _join(parts[end:]).strip():
                    continue
                if kind == "header" and _join(parts[:start]).strip():
                    continue
                if not _WORD.search(_join(parts[:start] + parts[end:])):
                    continue
                del parts[start:end]
                self._note("unsubscribe footer" if kind == "footer" else "view-online link")
        if self.hidden_words:
            self.removed.append("hidden text")
        return _join(parts), _join(parts, True), tuple(self.removed)


# ---------------------------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------------------------


def _host(url: str) -> str:
    if not url.lower().startswith(("http://", "https://")):
        url = "http://" + url
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def clean_url(href: str) -> str:
    """A link worth showing: http(s) only, unwrapped from click-tracking redirects whose target is
    visible in the URL, tracking parameters removed. "" for anything else (mailto:, tel:, ...)."""
    href = href.strip()
    if not href.lower().startswith(("http://", "https://")):
        return ""
    for _ in range(4):
        target = _redirect_target(href)
        if not target:
            break
        href = target
    try:
        parts = urlsplit(href)
    except ValueError:
        return ""
    query = parts.query
    if query:
        pieces = [p for p in query.split("&") if p and not _TRACKING_PARAMS.match(unquote(p.partition("=")[0]))]
        query = "&".join(pieces)
    fragment = parts.fragment
    if fragment and _TRACKING_PARAMS.match(fragment.partition("=")[0]):
        fragment = ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, fragment))


def _redirect_target(href: str) -> str | None:
    m = _PROOFPOINT_V3.match(href)
    if m:
        return m.group(1)
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if not parts.query:
        return None
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        key = key.lower()
        if _PROOFPOINT_V2.match(href) and key == "u":
            value = value.replace("_", "/")
            value = re.sub(r"-([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), value)
        if key in _REDIRECT_KEYS and value.lower().startswith(("http://", "https://")):
            return value
    return None
