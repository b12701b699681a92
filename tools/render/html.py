"""HTML email bodies to plain text with selectolax's lexbor parser.

What a reader would not see is dropped: head, style, script, comments, images (never markdown
images), and every element hidden by `display:none`, `visibility:hidden`, a zero or 1-2px font,
zero width or height, `mso-hide:all`, zero opacity, off-screen positioning, the `hidden`
attribute, a closed `<details>`, a class that the message's own stylesheet hides, or text in the
background colour: hidden text is a known way to smuggle instructions to a model.

Quoted history is cut at the container each mail client wraps it in (Gmail, Outlook web and
desktop, Apple Mail, Yahoo, Thunderbird, ProtonMail, Zoho). A quote that is followed by more of
the sender's text (inline answers, bottom posting) is kept as `> ` lines instead, so that the
text level (quotes.py) can keep the few quoted lines each answer needs. When the sender points
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
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from inbox_mcp.tools.render.quotes import FORWARD_HEADER, FORWARD_SUBJECT, MOBILE_FOOTER, points_below

# ---------------------------------------------------------------------------------------------
# Element classes
# ---------------------------------------------------------------------------------------------

_DROP_TAGS = frozenset(
    "head style script noscript template title meta link base svg math object embed iframe frame frameset "
    "canvas audio video picture source track img map area input select datalist textarea xml -comment".split()
)
_BLOCK = frozenset(
    "address article aside blockquote caption center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main menu nav ol p pre section summary "
    "table tbody tfoot thead tr ul".split()
)
_PARAGRAPH = frozenset("p h1 h2 h3 h4 h5 h6 pre table ul ol dl hr blockquote figure".split())
_CELLS = frozenset(("td", "th"))
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
            result = _Walker(_bounded(html[:cut]), drop_quotes=True, cut_from=html[cut:]).run()
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
_BLOCKQUOTE_TAG = re.compile(r"<(/?)blockquote\b", re.I)
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
        depth += -1 if tag.group(1) else 1
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
# CSS: what an inline style or the message's stylesheet hides
# ---------------------------------------------------------------------------------------------

_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)")
_NUMBER = re.compile(r"^(-?\d*\.?\d+)\s*([a-z%]*)")
_NAMED_COLORS = {
    "white": (255, 255, 255), "snow": (255, 250, 250), "ivory": (255, 255, 240), "ghostwhite": (248, 248, 255),
    "whitesmoke": (245, 245, 245), "floralwhite": (255, 250, 240), "mintcream": (245, 255, 250),
    "azure": (240, 255, 255), "aliceblue": (240, 248, 255), "seashell": (255, 245, 238), "linen": (250, 240, 230),
    "honeydew": (240, 255, 240), "lavenderblush": (255, 240, 245), "black": (0, 0, 0), "red": (255, 0, 0),
    "green": (0, 128, 0), "blue": (0, 0, 255), "gray": (128, 128, 128), "grey": (128, 128, 128),
}
Color = tuple[int, int, int]
TRANSPARENT = "transparent"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class _Style:
    """What one style attribute (or stylesheet rule) does to visibility."""

    skip: bool = False  # the element and everything inside it are invisible, whatever they say
    tiny: bool | None = None  # font too small to read (inherited; None: not set here)
    invisible: bool | None = None  # visibility:hidden (inherited, children may undo it)
    display_set: bool = False  # an explicit display value other than none
    color: Color | str | None = None  # text colour, TRANSPARENT, or None: not set here
    background: Color | str | None = None  # background colour, UNKNOWN (an image), or None: not set


_NO_STYLE = _Style()


def _css_value(value: str) -> str:
    if "\\" in value:
        value = _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), value)
    return value.replace("!important", "").strip().lower()


def _style(style: str) -> _Style:
    """Cached: mail repeats the same few style attributes hundreds of times (long ones are rare
    and not worth keeping alive)."""
    return _style_cached(style) if len(style) <= 2000 else _parse_style(style)


def _parse_style(style: str) -> _Style:
    if "/*" in style:
        style = _CSS_COMMENT.sub("", style)
    decls: dict[str, str] = {}
    for decl in style.split(";"):
        prop, sep, value = decl.partition(":")
        if sep:
            decls[_css_value(prop)] = _css_value(value)
    if not decls:
        return _NO_STYLE
    get = decls.get
    display = get("display")
    overflow_hidden = any(get(p, "") in ("hidden", "clip") for p in ("overflow", "overflow-x", "overflow-y"))
    skip = (
        display == "none"
        or get("mso-hide") == "all"
        or _number(get("opacity"), 1.0) < 0.1
        or any(_is_zero(get(p)) for p in ("max-height", "max-width"))
        or (overflow_hidden and any(_is_zero(get(p)) for p in ("height", "width")))
        or _number(get("text-indent"), 0.0) <= -500
        or (get("position") in ("absolute", "fixed") and any(_number(get(p), 0.0) <= -500 for p in ("left", "top", "right")))
        or bool(re.match(r"rect\(\s*0\w*[\s,]+0\w*[\s,]+0\w*[\s,]+0", get("clip", "")))
        or bool(re.match(r"inset\(\s*(?:50|100)%", get("clip-path", "")))
        or bool(re.match(r"scale[xy]?\(\s*0(?:\.0+)?\s*[,)]", get("transform", "")))
    )
    tiny = _tiny(get("font-size")) if "font-size" in decls else None
    if tiny is None and "font" in decls:
        size = re.search(r"(?:^|\s)(\d*\.?\d+(?:px|pt|em|rem|%)?)(?:/\S+)?\s", get("font", "") + " ")
        tiny = _tiny(size.group(1)) if size else None
    visibility = get("visibility")
    invisible = visibility in ("hidden", "collapse") if visibility else None
    color = _color(get("color")) if "color" in decls else None
    background = None
    for prop in ("background", "background-color", "background-image"):
        value = get(prop)
        if value:
            if "url(" in value or "gradient(" in value:
                background = UNKNOWN
                break
            for token in re.split(r"\s+(?![^(]*\))", value):
                found = _color(token)
                if isinstance(found, tuple):
                    background = found
    return _Style(skip, tiny, invisible, bool(display and display != "none"), color, background)


_style_cached = lru_cache(maxsize=4096)(_parse_style)


def _number(value: str | None, default: float) -> float:
    m = _NUMBER.match(value or "")
    return float(m.group(1)) if m else default


def _is_zero(value: str | None) -> bool:
    m = _NUMBER.match(value or "")
    return bool(m) and float(m.group(1)) == 0


def _tiny(value: str | None) -> bool | None:
    """Whether a font-size is too small to read (1-2px text is how white-on-white gets smaller)."""
    m = _NUMBER.match(value or "")
    if not m:
        return None if not value else False
    size, unit = float(m.group(1)), m.group(2)
    limit = {"px": 2.0, "": 2.0, "pt": 1.5, "em": 0.2, "rem": 0.2, "%": 20.0}.get(unit)
    return size <= 0 if limit is None else size <= limit


def _color(value: str | None) -> Color | str | None:
    if not value:
        return None
    value = value.strip().lower()
    if value == "transparent":
        return TRANSPARENT
    if value.startswith("#"):
        h = value[1:]
        if len(h) in (3, 4) and all(c in "0123456789abcdef" for c in h):
            if len(h) == 4 and h[3] == "0":
                return TRANSPARENT
            return (int(h[0] * 2, 16), int(h[1] * 2, 16), int(h[2] * 2, 16))
        if len(h) in (6, 8) and all(c in "0123456789abcdef" for c in h):
            if len(h) == 8 and int(h[6:], 16) < 26:
                return TRANSPARENT
            return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
        return None
    m = re.match(r"rgba?\(\s*([\d.]+%?)[\s,]+([\d.]+%?)[\s,]+([\d.]+%?)(?:[\s,/]+([\d.]+%?))?\s*\)", value)
    if m:
        def channel(x: str) -> int:
            return round(float(x[:-1]) * 2.55) if x.endswith("%") else round(float(x))

        alpha = m.group(4)
        if alpha is not None and (float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha)) < 0.1:
            return TRANSPARENT
        return (channel(m.group(1)), channel(m.group(2)), channel(m.group(3)))
    return _NAMED_COLORS.get(value)


def _close(a: Color, b: Color) -> bool:
    return max(abs(a[0] - b[0]), abs(a[1] - b[1]), abs(a[2] - b[2])) <= 24


@dataclass(frozen=True)
class _Sheet:
    """The parts of the message's own stylesheet that matter: classes and ids it hides, and those
    it gives a background (whose colour we then treat as unknown)."""

    hidden_classes: frozenset[str] = frozenset()
    hidden_ids: frozenset[str] = frozenset()
    background_classes: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.hidden_classes or self.hidden_ids or self.background_classes)


_NO_SHEET = _Sheet()
_SIMPLE_SELECTOR = re.compile(r"^(?:[a-z][a-z0-9]*)?([.#])([\w-]+)$", re.I)


def _stylesheet(tree: LexborHTMLParser) -> _Sheet:
    # Quoted mails bring their own copies of the same stylesheet: one of each is enough.
    css = "\n".join(dict.fromkeys(node.text(deep=True) or "" for node in tree.css("style")))
    if "{" not in css:
        return _NO_SHEET
    return _parse_sheet(css) if len(css) <= _CACHE_MAX else _parse_sheet.__wrapped__(css)


@lru_cache(maxsize=64)
def _parse_sheet(css: str) -> _Sheet:
    """Top-level rules only: what @media and friends do applies only sometimes."""
    css = _CSS_COMMENT.sub("", css)
    hidden_classes: set[str] = set()
    hidden_ids: set[str] = set()
    backgrounds: set[str] = set()
    depth, start, selector = 0, 0, ""
    for m in re.finditer(r"[{}]", css):
        if m.group() == "{":
            if depth == 0:
                selector, start = css[start : m.start()], m.end()
            depth += 1
            continue
        depth -= 1
        if depth < 0:
            depth, start = 0, m.end()
            continue
        if depth:
            continue
        body, start = css[start : m.start()], m.end()
        if selector.strip().startswith("@"):
            continue
        style = _style(body)
        hides = style.skip or style.tiny or style.invisible or style.color == TRANSPARENT
        for sel in selector.split(","):
            simple = _SIMPLE_SELECTOR.match(sel.strip())
            if not simple:
                continue
            kind, name = simple.group(1), simple.group(2).lower()
            target = hidden_classes if kind == "." else hidden_ids
            if hides:
                target.add(name)
            else:
                target.discard(name)
            if kind == "." and style.background is not None:
                backgrounds.add(name)
    if not (hidden_classes or hidden_ids or backgrounds):
        return _NO_SHEET
    return _Sheet(frozenset(hidden_classes), frozenset(hidden_ids), frozenset(backgrounds))


# ---------------------------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    """What an element passes down to its content."""

    color: Color | str = (0, 0, 0)
    background: Color | str = (255, 255, 255)
    tiny: bool = False
    invisible: bool = False
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
        if self.parts:
            self.pending = max(self.pending, lines)
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

    def start_cell(self) -> None:
        if self.line_has_text and not self.pending:
            self.cell = True


_WS = re.compile(r"[\t\n\r\f ]+")
_URLISH = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_WORD = re.compile(r"\w")


class _Walker:
    def __init__(self, html: str, *, drop_quotes: bool, cut_from: str | None = None) -> None:
        self.tree = LexborHTMLParser(html)
        self.root = self.tree.body or self.tree.root
        self.drop = drop_quotes
        self.cut_from = cut_from  # the markup cut off after the history's start (see _converted), or None
        self.sheet = _stylesheet(self.tree) if "<style" in html or "<STYLE" in html else _NO_SHEET
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
            for c in cls.lower().split():
                if c.startswith("x_"):
                    c = c[2:]
                if c in _QUOTE_CONTAINER_CLASSES or c.endswith("yahoo_quoted"):
                    return "quote" if node.tag == "blockquote" else "container"
                if c in _ATTRIBUTION_CLASSES:
                    return "attribution"
                if c in _SIGNATURE_CLASSES:
                    return "signature"
                if c == "outlookmessageheader":
                    return "start"
        tag = node.tag
        if tag == "blockquote" and (attrs.get("type") or "").lower() == "cite":
            return "quote"
        if tag == "div":
            style = attrs.get("style")
            if style and _OUTLOOK_HEADER_STYLE.search(style):
                return "start"
        return None

    def _hidden(self, node: LexborNode, attrs: dict, ctx: _Ctx) -> tuple[bool, _Ctx]:
        """Whether the element is invisible with all it holds, and the context for its content."""
        if "hidden" in attrs:
            return True, ctx
        tag = node.tag
        style = attrs.get("style")
        s = _style(style) if style else _NO_STYLE
        if s.skip:
            return True, ctx
        sheet = self.sheet
        bg_class = False
        if sheet:
            cls = attrs.get("class")
            classes = cls.lower().split() if cls else ()
            if not s.display_set:
                if any(c in sheet.hidden_classes for c in classes):
                    return True, ctx
                if (attrs.get("id") or "").lower() in sheet.hidden_ids:
                    return True, ctx
            bg_class = any(c in sheet.background_classes for c in classes)
        color, background, tiny, invisible = ctx.color, ctx.background, ctx.tiny, ctx.invisible
        if tag == "font":
            face = _color(attrs.get("color"))
            if face is not None:
                color = face
            size = (attrs.get("size") or "").strip()
            if size in ("0", "-7", "-6", "-5"):
                tiny = True
        bgcolor = attrs.get("bgcolor")
        if bgcolor:
            found = _color(bgcolor)
            background = found if isinstance(found, tuple) else background
        if "background" in attrs or bg_class:
            background = UNKNOWN
        if s is not _NO_STYLE:
            if s.color is not None:
                color = s.color
            if s.background is not None:
                background = s.background
            if s.tiny is not None:
                tiny = s.tiny
            if s.invisible is not None:
                invisible = s.invisible
        if (color, background, tiny, invisible) == (ctx.color, ctx.background, ctx.tiny, ctx.invisible):
            return False, ctx
        return False, _Ctx(color, background, tiny, invisible, ctx.pre, ctx.plain)

    @staticmethod
    def _text_hidden(ctx: _Ctx) -> bool:
        if ctx.tiny or ctx.invisible or ctx.color == TRANSPARENT:
            return True
        color, background = ctx.color, ctx.background
        return isinstance(color, tuple) and isinstance(background, tuple) and _close(color, background)

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
        low = text.lower()
        if any(hint in low for hint in _FORWARD_HINTS) and (FORWARD_HEADER.search(text) or FORWARD_SUBJECT.search(text)):
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
        sheet = self.sheet
        starts = self.starts
        # An explicit stack instead of recursion: hostile HTML can nest thousands of levels deep.
        stack: list[tuple[int, LexborNode, _Ctx, object]] = [(_ENTER, self.root, _ROOT_CTX, None)]
        while stack:
            step, node, ctx, extra = stack.pop()
            if step == _EXIT:
                self._leave(node, extra)
                continue
            tag = node.tag
            if tag == "-text":
                value = node.text_content
                if not value:
                    continue
                if ctx.tiny or ctx.invisible or ctx.color != (0, 0, 0) or ctx.background != (255, 255, 255):
                    if self._text_hidden(ctx):
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
                if "  " in value or not value.isprintable():
                    value = _WS.sub(" ", value)
                if value == " ":
                    w.space()
                else:
                    w.text(value)
                continue
            if tag in _DROP_TAGS:
                continue
            attrs = node.attributes
            if attrs and (
                "style" in attrs or "hidden" in attrs or "bgcolor" in attrs or "background" in attrs
                or tag == "font" or (sheet and ("class" in attrs or "id" in attrs))
            ):
                hidden, inner = self._hidden(node, attrs, ctx)
            else:
                hidden, inner = False, ctx
            if hidden:
                if not self.hidden_words and _WORD.search(_text_upto(node, 200)):
                    self.hidden_words = True
                continue
            if tag == "br":
                w.newline()
                continue
            exit_info: list = []
            entry = len(w.parts)
            if drop:
                if attrs:
                    kind = self._quote_kind(node, attrs)
                    if kind is not None:
                        action = self._quote_action(node, kind, ctx.plain)
                        if action == "stop":
                            if w.depth:  # history inside a quote kept for the answers below it
                                self._close_quote(stack)
                                continue
                            break
                        if action == "skip":
                            continue
                        if action == "plain":
                            inner = replace(inner, plain=2 if kind in ("container", "start") else 1)
                        elif action == "plain-inner":
                            inner = replace(inner, plain=1)
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
                inner = replace(inner, pre=True)
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
            children = list(node.iter(include_text=True))
            children.reverse()
            stack.extend([(_ENTER, child, inner, None) for child in children])
        if self.cut_from is not None and not self._cut_was_sound():
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
        header = html_module.unescape(re.sub(r"<[^>]+>", " ", self.cut_from[:2500]))[:800]
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
