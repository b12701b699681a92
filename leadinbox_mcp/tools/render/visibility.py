"""What a person sees in an HTML mail: the CSS cascade and visibility, for html.py's walk.

Hidden text is a known way to smuggle instructions to a model, and dropping text a person reads
loses the message: so this module computes, for each element, what a mail client would show.

- Stylesheets (`<style>`, with its `media` and `type`, and `<link rel=stylesheet>` with a
  `data:` URL; no address is fetched) are read with tinycss2 (Kozea's CSS Syntax Level 3
  parser, the one WeasyPrint uses: escapes, comments, `!important`, CSS Color 4) and matched
  by lexbor, the selector engine of the HTML parser we already have (`tree.css`:
  every combinator and attribute selector, `:not`, `:is`, `:where`, `:has`, structural
  pseudo-classes); cssselect2 gives each selector's specificity and says which are invalid
  (an invalid selector list drops its rule, as in browsers). `@media` is evaluated for a
  desktop screen (types `screen` and `all`, or none; width 1024px, landscape, light scheme;
  unknown features are false), `@supports` for a WebKit/Blink client, `@layer` applies,
  `@scope (root)` applies below its root (its limit is not read), CSS nesting hides coarsely;
  `@property` gives custom properties their initial values (var() is read inside any function);
  `@import` and external sheets are ignored. What only hover, focus, a visit or a fragment
  makes true never matches (`:not(:hover)` does: `_at_rest`), nor do pseudo-elements, save
  `::first-line`: an element whose first line it hides is dropped whole (where lines fall is
  not known). Per element: presentational attributes < sheet rules by specificity and order <
  inline style < `!important` rules < `!important` inline style; then what its animations
  leave at rest (`@keyframes` whose last frame stays, with fill mode forwards or both, or that
  hide in every frame and run for ever).
- Inherited values come down through the walk (`Seen`): colour, `-webkit-text-fill-color`, font
  size (every unit, keyword, percentage and `calc()`) and `font-size-adjust`, visibility,
  text-indent, the text shadow and stroke that draw a transparent glyph, links' colour (`<body
  link>`); and what is not inherited but accumulates: the effective background (bgcolor,
  background, background-color, a gradient of one colour; any other image or gradient makes it
  unknown), opacity, scale (transform, zoom), the colour changes of filters (`invert()`,
  `brightness()`, `contrast()`, `grayscale()`, `sepia()`, `saturate()`, `hue-rotate()`: of all
  an element draws, not of the backdrop it is drawn on), a `mix-blend-mode` group (what it draws
  blended with its backdrop), a 3D context turned to its back (`transform-style: preserve-3d`),
  and a parent's `perspective` (a child moved to the eye is not drawn, one moved far back is a
  dot).
- An element is hidden with all it holds by display none, `content-visibility: hidden`,
  `mso-hide: all`, opacity or filter opacity under 0.1, a box moved off-screen (position,
  margin, transform, any unit and side; its content by a left padding), a scale or zoom near 0,
  clip / clip-path that leaves nothing, a 0-1px box with its overflow hidden or its paint
  contained, `backface-visibility: hidden` on a box turned to its back, a `skew()` past 80
  degrees, a mask of transparent gradients only or one drawn at no size, a negative z-index
  under an opaque background of a box it is in (within its stacking context), the `hidden`
  attribute, a closed `<dialog>`, lines past a `-webkit-line-clamp` (counted by the walk:
  `Seen.clamp`). Text is hidden when it is smaller than 4px after scaling, invisible, masked
  (`-webkit-text-security`), its letters laid over each other (letter-spacing under -0.45em),
  pushed out by text-indent, covered by a line through it 1.2em or more thick
  (`text-decoration`), or painted in a colour that cannot be told from the background under it.
  White text on a dark background is visible, and so is any text over a background that cannot
  be known.

Speed and bounds: a stylesheet's structure comes from one linear scan that also drops rules
naming no property that can hide (and all but the last of identical rules); each rule's selector
list goes to lexbor as written, and only rules that match something are parsed (most rules of a
template match nothing in a given mail); everything is cached per stylesheet text, rule and
style attribute (quoted copies of a mail share them). Hostile amounts of CSS are read coarsely
and closed, so that what cannot be read exactly is hidden rather than shown: past EXACT_CSS
characters or EXACT_RULES rules, or nested past MAX_NESTING / MAX_AT_DEPTH, a rule that names a
property that can hide hides every element its last compound selector names; past MATCH_BUDGET
of matching work (a `:has()` counts the ways its combinators can fall among nested elements) or
MAX_MATCHES matches, the rest keep only their hiding declarations and apply by that last compound.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import threading
import urllib.parse
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

import tinycss2
from cssselect2 import parser as selector_parser
from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser, LexborNode
from tinycss2 import color4
from tinycss2.serializer import serialize_identifier

# ---------------------------------------------------------------------------------------------
# What a reader's screen is taken to be
# ---------------------------------------------------------------------------------------------

VIEWPORT_WIDTH = 1024.0
VIEWPORT_HEIGHT = 768.0
MEDIUM = 16.0  # px: the default font size
TINY_PX = 4.0  # text smaller than this (after scaling) cannot be read
OVERLAP = 0.45  # letter-spacing below minus this many em lays each letter over the one before
MIN_OPACITY = 0.1  # below it an element is invisible
OFF_BEFORE = -500.0  # px: a box moved this far left or up is out of reach
OFF_AFTER = 5000.0  # px: a box moved this far right or down is out of sight
TRANSLATE_SIZE = 600.0  # px: what a translate() percentage is taken of (the element's own size)
CLOSE = 24  # colours whose channels all differ by at most this look the same
STRUCK = 1.2  # a line through the text this many ems thick covers its letters, ascenders to descenders
EXACT_CSS = 300_000  # characters of CSS per message read exactly (beyond: the coarse path)
EXACT_RULES = 5_000  # top-level rules per message read exactly
MATCH_BUDGET = 30_000_000  # rules x elements matched through lexbor per message
MAX_MATCHES = 200_000  # (rule, element) pairs kept per message
MAX_NESTING = 32  # parenthesis depth read in selectors, media queries and calc()
MAX_AT_DEPTH = 8  # @media / @supports / @layer blocks read exactly inside each other

RGBA = tuple[float, float, float, float]
BLACK: RGBA = (0.0, 0.0, 0.0, 1.0)
WHITE3 = (255.0, 255.0, 255.0)
CURRENT = "currentcolor"
INHERIT = "inherit"  # inherit, unset, revert: the parent's value (inherited properties)
INITIAL = "initial"

# Elements whose boxes take width, height and transforms (display not inline by default).
_BLOCKISH = frozenset(
    "html body address article aside blockquote caption center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main menu nav ol p pre "
    "section summary table tbody tfoot thead tr td th ul img video iframe object embed canvas input "
    "select textarea button marquee".split()
)
_BGCOLOR_TAGS = frozenset("body table thead tbody tfoot tr td th marquee".split())
HINT_TAGS = _BGCOLOR_TAGS | {"font", "dialog", "a"}  # elements with presentational attributes that matter
_LEGACY_FONT_PX = (10.0, 13.0, 16.0, 18.0, 24.0, 32.0, 48.0)  # <font size=1..7>

# ---------------------------------------------------------------------------------------------
# Colours
# ---------------------------------------------------------------------------------------------

_SYSTEM_COLORS = {
    "canvas": (255, 255, 255),
    "canvastext": (0, 0, 0),
    "window": (255, 255, 255),
    "windowtext": (0, 0, 0),
    "buttonface": (240, 240, 240),
    "buttontext": (0, 0, 0),
    "field": (255, 255, 255),
    "fieldtext": (0, 0, 0),
    "graytext": (109, 109, 109),
    "linktext": (0, 0, 238),
    "visitedtext": (85, 26, 139),
    "highlight": (0, 120, 215),
    "highlighttext": (255, 255, 255),
    "mark": (255, 255, 0),
    "marktext": (0, 0, 0),
    "activetext": (255, 0, 0),
    "buttonborder": (118, 118, 118),
    "accentcolor": (0, 120, 215),
    "accentcolortext": (255, 255, 255),
    "selecteditem": (0, 120, 215),
    "selecteditemtext": (255, 255, 255),
}
_HEX = frozenset("0123456789abcdef")
# xyz-d65 -> linear sRGB, and the Bradford adaptation from D50 to D65.
_XYZ_TO_LINEAR = (
    (3.2409699419045226, -1.537383177570094, -0.4986107602930034),
    (-0.9692436362808796, 1.8759675015077202, 0.04155505740717559),
    (0.05563007969699366, -0.20397695888897652, 1.0569715142428786),
)
_D50_TO_D65 = (
    (0.9554734527042182, -0.023098536874261423, 0.0632593086610217),
    (-0.028369706963208136, 1.0099954580106629, 0.021041398966943008),
    (0.012314001688319899, -0.020507696433477912, 1.3303659366080753),
)


def _matrix(m: tuple, v: tuple) -> tuple[float, float, float]:
    return tuple(m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2] for i in range(3))


def _encode(linear: float) -> float:
    if linear <= 0.0031308:
        return 12.92 * linear
    return 1.055 * linear ** (1 / 2.4) - 0.055


def _srgb(color: color4.Color) -> RGBA | None:
    """Any CSS colour space to sRGB channels 0-255 (wide gamuts are clipped)."""
    space = color.space
    try:
        if space in ("hsl", "hwb"):
            r, g, b = color.to("srgb").coordinates
        elif space in ("srgb", "display-p3", "a98-rgb", "prophoto-rgb", "rec2020"):
            r, g, b = (c or 0.0 for c in color.coordinates)
        elif space == "srgb-linear":
            r, g, b = (_encode(max(0.0, c or 0.0)) for c in color.coordinates)
        else:
            if space in ("lab", "lch"):
                xyz = _matrix(_D50_TO_D65, color.to("xyz-d50").coordinates)
            elif space == "xyz-d50":
                xyz = _matrix(_D50_TO_D65, tuple(c or 0.0 for c in color.coordinates))
            elif space in ("oklab", "oklch"):
                xyz = color.to("xyz-d65").coordinates
            else:  # xyz, xyz-d65
                c1, c2, c3 = (c or 0.0 for c in color.coordinates)
                xyz = (c1, c2, c3)
            r, g, b = (_encode(max(0.0, min(1.0, c))) for c in _matrix(_XYZ_TO_LINEAR, xyz))
    except (NotImplementedError, TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return (
        max(0.0, min(255.0, r * 255)),
        max(0.0, min(255.0, g * 255)),
        max(0.0, min(255.0, b * 255)),
        float(color.alpha),
    )


def _hex(text: str) -> RGBA | None:
    text = text.lower()
    if len(text) in (3, 6) and set(text) <= _HEX:
        if len(text) == 3:
            text = "".join(c * 2 for c in text)
        return (float(int(text[0:2], 16)), float(int(text[2:4], 16)), float(int(text[4:6], 16)), 1.0)
    return None


def color_of(tokens: list) -> RGBA | str | None:
    """A colour value: RGBA (channels 0-255, alpha 0-1), CURRENT, INHERIT, INITIAL, or None
    (not a colour). Every CSS Color 4 syntax through tinycss2, `light-dark()` and `color-mix()`
    (Color 5), system colours, and the quirk that mail's doctype-less HTML gets from browsers:
    hex without its `#`."""
    parts = [t for t in tokens if t.type not in ("whitespace", "comment")]
    if len(parts) != 1:
        return None
    token = parts[0]
    if token.type == "hash":
        return _hash_color(token.value)
    if token.type == "ident":
        return _ident_color(token.lower_value)
    return _color_token(token)


@lru_cache(maxsize=512)
def _hash_color(value: str) -> RGBA | None:
    """#rgb, #rgba, #rrggbb, #rrggbbaa (the commonest colours: parsed without tinycss2)."""
    h = value.lower()
    if not set(h) <= _HEX or len(h) not in (3, 4, 6, 8):
        return None
    if len(h) in (3, 4):
        h = "".join(c * 2 for c in h)
    alpha = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
    return (float(int(h[0:2], 16)), float(int(h[2:4], 16)), float(int(h[4:6], 16)), alpha)


@lru_cache(maxsize=512)
def _ident_color(word: str) -> RGBA | str | None:
    return _color_token(tinycss2.parse_one_component_value(word))


def _color_token(token) -> RGBA | str | None:
    if token.type == "function" and token.lower_name in _COLOR_FUNCTIONS:
        return _COLOR_FUNCTIONS[token.lower_name](_split_commas(token.arguments))
    if token.type == "function":
        parts = _values(token.arguments)
        if parts and parts[0].type == "ident" and parts[0].lower_value == "from":
            return _relative_color(token.lower_name, parts[1:])
    if token.type == "ident":
        keyword = _keyword(token)
        if keyword is not None:
            return keyword
        system = _SYSTEM_COLORS.get(token.lower_value)
        if system is not None:
            return (float(system[0]), float(system[1]), float(system[2]), 1.0)
    try:
        parsed = color4.parse_color(token)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
        parsed = None
    if parsed == "currentcolor":
        return CURRENT
    if parsed is not None:
        return _srgb(parsed)
    if token.type in ("ident", "number", "dimension"):  # hashless hex, the quirks-mode way
        return _hex(tinycss2.serialize([token]))
    return None


_CHANNELS = {"rgb": ("r", "g", "b"), "rgba": ("r", "g", "b")}
_OTHER_CHANNELS = {
    "hsl": ("h", "s", "l"),
    "hsla": ("h", "s", "l"),
    "hwb": ("h", "w", "b"),
    "lab": ("l", "a", "b"),
    "oklab": ("l", "a", "b"),
    "lch": ("l", "c", "h"),
    "oklch": ("l", "c", "h"),
}


def _relative_color(name: str, parts: list) -> RGBA | None:
    """CSS Color 5's relative colours, `rgb(from <colour> r g b / alpha)`: in rgb() each channel
    is its keyword (the origin's), a number or a percentage; in the other spaces only the
    origin's own channels (each keyword in place) are read. Anything else is not known."""
    if not parts:
        return None
    origin = _color_token(parts[0])
    if not isinstance(origin, tuple):
        return None
    rest = parts[1:]
    alpha: float | None = origin[3]
    if len(rest) >= 2 and rest[-2].type == "literal" and rest[-2].value == "/":
        last = rest[-1]
        alpha = origin[3] if last.type == "ident" and last.lower_value == "alpha" else _number(last)
        rest = rest[:-2]
    if alpha is None or len(rest) != 3:
        return None
    names = _CHANNELS.get(name)
    if names is None:  # another space: only the origin's channels as they are
        same = _OTHER_CHANNELS.get(name) == tuple(t.lower_value if t.type == "ident" else "" for t in rest)
        return (origin[0], origin[1], origin[2], max(0.0, min(1.0, alpha))) if same else None
    values: list[float] = []
    for t in rest:
        if t.type == "ident" and t.lower_value in names:
            values.append(origin[names.index(t.lower_value)])
        elif t.type == "number":
            values.append(float(t.value))
        elif t.type == "percentage":
            values.append(float(t.value) * 2.55)
        else:
            return None
    red, green, blue = (max(0.0, min(255.0, v)) for v in values)
    return (red, green, blue, max(0.0, min(1.0, alpha)))


def _light_dark(arguments: list[list]) -> RGBA | str | None:
    """light-dark(a, b): a, as mail is read in the light scheme here."""
    return color_of(arguments[0]) if len(arguments) == 2 else None


def _color_mix(arguments: list[list]) -> RGBA | None:
    """color-mix(in <space>, a [p%], b [q%]) mixed in sRGB whatever the space (mixing a colour
    with itself, or with what it hides against, gives the same answer in any space); None for
    what cannot be mixed (currentColor, a keyword, a malformed list)."""
    method = _values(arguments[0]) if arguments else []
    if len(arguments) != 3 or not method or method[0].type != "ident" or method[0].lower_value != "in":
        return None
    colors: list[RGBA] = []
    shares: list[float | None] = []
    for argument in arguments[1:]:
        share = [float(t.value) for t in argument if t.type == "percentage"]
        value = color_of([t for t in argument if t.type != "percentage"])
        if not isinstance(value, tuple) or len(share) > 1 or not all(0 <= v <= 100 for v in share):
            return None
        colors.append(value)
        shares.append(share[0] if share else None)
    first, second = shares
    p = first if first is not None else 100 - second if second is not None else 50.0
    q = second if second is not None else 100 - p
    total = p + q
    if total <= 0:
        return None
    (r1, g1, b1, a1), (r2, g2, b2, a2) = colors
    w1, w2 = p / total, q / total
    alpha = a1 * w1 + a2 * w2
    if alpha <= 0:
        return (0.0, 0.0, 0.0, 0.0)
    r, g, b = ((c1 * a1 * w1 + c2 * a2 * w2) / alpha for c1, c2 in ((r1, r2), (g1, g2), (b1, b2)))
    return (r, g, b, alpha * min(1.0, total / 100))


_COLOR_FUNCTIONS = {"light-dark": _light_dark, "color-mix": _color_mix}


@lru_cache(maxsize=1024)
def legacy_color(value: str) -> RGBA | None:
    """HTML's "rules for parsing a legacy colour value" (bgcolor, <font color>, <body text>)."""
    value = value.strip()
    if not value or value.lower() == "transparent":
        return None
    named = color4.parse_color(value) if value.isalpha() else None
    if named is not None and named != "currentcolor":
        return _srgb(named)
    if len(value) == 4 and value[0] == "#" and set(value[1:].lower()) <= _HEX:
        return _hex(value[1:])
    value = "".join("00" if ord(c) > 0xFFFF else c for c in value)[:128]
    if value.startswith("#"):
        value = value[1:]
    value = "".join(c if c.lower() in _HEX else "0" for c in value)
    while not value or len(value) % 3:
        value += "0"
    n = len(value) // 3
    parts = [value[i * n : (i + 1) * n] for i in range(3)]
    if n > 8:
        parts = [p[-8:] for p in parts]
        n = 8
    while n > 2 and all(p[0] == "0" for p in parts):
        parts = [p[1:] for p in parts]
        n -= 1
    parts = [p[:2] for p in parts]
    return (float(int(parts[0], 16)), float(int(parts[1], 16)), float(int(parts[2], 16)), 1.0)


def blend(top: RGBA, under: tuple[float, float, float]) -> tuple[float, float, float]:
    a = top[3]
    return (top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a))


_BLEND_MODES: dict[str, Callable[[float, float], float]] = {
    "multiply": lambda c, b: c * b,
    "screen": lambda c, b: c + b - c * b,
    "darken": min,
    "lighten": max,
    "difference": lambda c, b: abs(c - b),
    "exclusion": lambda c, b: c + b - 2 * c * b,
    "color-dodge": lambda c, b: 0.0 if b <= 0 else 1.0 if c >= 1 else min(1.0, b / (1 - c)),
    "color-burn": lambda c, b: 1.0 if b >= 1 else 0.0 if c <= 0 else 1 - min(1.0, (1 - b) / c),
}
"""mix-blend-mode's separable modes (Compositing and Blending 1) on channels of 0-1: the colour
drawn, the backdrop under it. Screen turns black text into its backdrop, multiply white text."""


def mixed(mode: str, color: tuple, backdrop: tuple) -> tuple[float, float, float]:
    """An opaque colour blended with the backdrop by `mode`."""
    fn = _BLEND_MODES[mode]
    return tuple(fn(c / 255, b / 255) * 255 for c, b in zip(color[:3], backdrop[:3], strict=True))  # type: ignore[return-value]


def close(a: tuple, b: tuple) -> bool:
    """Whether two opaque colours look the same to a reader."""
    return abs(a[0] - b[0]) <= CLOSE and abs(a[1] - b[1]) <= CLOSE and abs(a[2] - b[2]) <= CLOSE


# ---------------------------------------------------------------------------------------------
# Lengths: (px, em, rem, percent), a linear combination resolved where the element is known
# ---------------------------------------------------------------------------------------------

Length = tuple[float, float, float, float]
_ABSOLUTE = {
    "px": 1.0,
    "pt": 4 / 3,
    "pc": 16.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 96 / 25.4,
    "q": 96 / 101.6,
    "vw": VIEWPORT_WIDTH / 100,
    "svw": VIEWPORT_WIDTH / 100,
    "lvw": VIEWPORT_WIDTH / 100,
    "dvw": VIEWPORT_WIDTH / 100,
    "vi": VIEWPORT_WIDTH / 100,
    "cqw": VIEWPORT_WIDTH / 100,
    "cqi": VIEWPORT_WIDTH / 100,
    "vh": VIEWPORT_HEIGHT / 100,
    "svh": VIEWPORT_HEIGHT / 100,
    "lvh": VIEWPORT_HEIGHT / 100,
    "dvh": VIEWPORT_HEIGHT / 100,
    "vb": VIEWPORT_HEIGHT / 100,
    "cqh": VIEWPORT_HEIGHT / 100,
    "cqb": VIEWPORT_HEIGHT / 100,
    "vmin": VIEWPORT_HEIGHT / 100,
    "vmax": VIEWPORT_WIDTH / 100,
    "cqmin": VIEWPORT_HEIGHT / 100,
    "cqmax": VIEWPORT_WIDTH / 100,
}
_FONT_RELATIVE = {"em": 1.0, "ex": 0.5, "ch": 0.5, "cap": 0.7, "ic": 1.0, "lh": 1.2}
_ROOT_RELATIVE = {"rem": 1.0, "rex": 0.5, "rch": 0.5, "rcap": 0.7, "ric": 1.0, "rlh": 1.2}
_ZERO: Length = (0.0, 0.0, 0.0, 0.0)


def _scaled(x: Length, k: float) -> Length:
    return (x[0] * k, x[1] * k, x[2] * k, x[3] * k)


def _rough(x: Length) -> float:
    """A length in px with nothing known about the element (to compare min()/max() arguments)."""
    return x[0] + (x[1] + x[2]) * MEDIUM + x[3] * VIEWPORT_WIDTH / 100


def length(tokens: list, depth: int = 0) -> Length | None:
    """A length, percentage or calc()/min()/max()/clamp() expression; unitless numbers are px
    (quirks mode, which is how most mail is rendered)."""
    parts = [t for t in tokens if t.type not in ("whitespace", "comment")]
    if len(parts) == 1:
        return _term(parts[0], depth)
    return None


def _term(token, depth: int) -> Length | None:
    kind = token.type
    if kind == "dimension":
        unit = token.lower_unit
        value = float(token.value)
        if unit in _ABSOLUTE:
            return (value * _ABSOLUTE[unit], 0.0, 0.0, 0.0)
        if unit in _FONT_RELATIVE:
            return (0.0, value * _FONT_RELATIVE[unit], 0.0, 0.0)
        if unit in _ROOT_RELATIVE:
            return (0.0, 0.0, value * _ROOT_RELATIVE[unit], 0.0)
        return None
    if kind == "percentage":
        return (0.0, 0.0, 0.0, float(token.value))
    if kind == "number":
        return (float(token.value), 0.0, 0.0, 0.0)
    if kind in ("() block", "function") and depth >= MAX_NESTING:
        return _ZERO  # nested past reason: read as 0, which hides rather than shows
    if kind == "() block":
        return _sum(token.content, depth + 1)
    if kind == "function":
        name = token.lower_name
        if name in ("calc", "-webkit-calc", "-moz-calc"):
            return _sum(token.arguments, depth + 1)
        if name in ("min", "max", "clamp"):
            parsed = [_sum(arg, depth + 1) for arg in _split_commas(token.arguments)]
            args = [a for a in parsed if a is not None]
            if not parsed or len(args) != len(parsed):
                return None
            if name == "clamp":
                if len(args) != 3:
                    return None
                low, mid, high = args
                pick = max(low, min(mid, high, key=_rough), key=_rough)
                return pick
            return (min if name == "min" else max)(args, key=_rough)
    return None


def _split_commas(tokens: list) -> list[list]:
    out: list[list] = [[]]
    for t in tokens:
        if t.type == "literal" and t.value == ",":
            out.append([])
        else:
            out[-1].append(t)
    return out


def _sum(tokens: list, depth: int) -> Length | None:
    """calc(): sums of products; a product has at most one length, the rest numbers."""
    items = [t for t in tokens if t.type not in ("whitespace", "comment")]
    total = _ZERO
    sign = 1.0
    i = 0
    expect_term = True
    while i < len(items):
        t = items[i]
        if not expect_term:
            if t.type == "literal" and t.value in "+-":
                sign = 1.0 if t.value == "+" else -1.0
                expect_term = True
                i += 1
                continue
            return None
        product, i = _product(items, i, depth)
        if product is None:
            return None
        total = tuple(a + sign * b for a, b in zip(total, product))  # type: ignore[assignment]
        expect_term = False
    return None if expect_term else total


def _product(items: list, i: int, depth: int) -> tuple[Length | None, int]:
    value: Length | None = None
    factor = 1.0
    first = True
    while i < len(items):
        t = items[i]
        op = "*"
        if not first:
            if not (t.type == "literal" and t.value in "*/"):
                break
            op = t.value
            i += 1
            if i >= len(items):
                return None, i
            t = items[i]
        first = False
        if t.type == "number":
            n = float(t.value)
            if op == "/":
                if n == 0:
                    return None, i
                factor /= n
            else:
                factor *= n
        else:
            if op == "/" or value is not None:
                return None, i
            value = _term(t, depth)
            if value is None:
                return None, i
        i += 1
    if value is None:
        value = (factor, 0.0, 0.0, 0.0)  # a bare number: px, as in quirks mode
        factor = 1.0
    return _scaled(value, factor), i


def px(x: Length, font: float, rem: float, base: float) -> float:
    return x[0] + x[1] * font + x[2] * rem + x[3] * base / 100


# ---------------------------------------------------------------------------------------------
# Declarations: the properties that decide visibility, each read into a small hashable value
# ---------------------------------------------------------------------------------------------


def _keyword(token) -> str | None:
    if token.type != "ident":
        return None
    word = token.lower_value
    if word in ("inherit", "unset", "revert", "revert-layer"):
        return INHERIT
    if word == "initial":
        return INITIAL
    return None


def _idents(tokens: list) -> list[str]:
    return [t.lower_value for t in tokens if t.type == "ident"]


def _values(tokens: list) -> list:
    return [t for t in tokens if t.type not in ("whitespace", "comment")]


def _one(tokens: list):
    """The value's only token (None: it has none, or several)."""
    parts = _values(tokens)
    return parts[0] if len(parts) == 1 else None


def _global(tokens: list) -> str | None:
    t = _one(tokens)
    return None if t is None else _keyword(t)


def _ident_value(tokens: list) -> str | None:
    parts = _values(tokens)
    if not parts:
        return None
    keyword = _keyword(parts[0]) if len(parts) == 1 else None
    if keyword:
        return keyword
    words = _idents(parts)
    return " ".join(words) if len(words) == len(parts) else None


_MATH = frozenset(("calc", "-webkit-calc", "-moz-calc", "min", "max", "clamp"))


def _number(token) -> float | None:
    """A number or percentage (as a fraction), or a calc(), min(), max() or clamp() of numbers."""
    if token.type == "number":
        return float(token.value)
    if token.type == "percentage":
        return float(token.value) / 100
    if token.type == "function" and token.lower_name in _MATH:
        value = _term(token, 0)  # (numbers come out as the first part: see _product)
        if value is not None and not any(value[1:]):
            return value[0]
    return None


def _number_value(tokens: list) -> float | str | None:
    """A number (or percentage, as a fraction), or a global keyword."""
    t = _one(tokens)
    return None if t is None else _keyword(t) or _number(t)


Paint = tuple[tuple[float, ...], ...]
"""Colour steps a filter applies to all it draws, in order: each a 3x4 matrix (the rows of red,
green and blue, each three factors and an offset) over 0-255 channels, the result kept within
0-255, as the Filter Effects spec defines its functions (in sRGB, as browsers draw them)."""


def _scale(a: float, b: float = 0.0) -> tuple[float, ...]:
    """A step that makes each channel c into a * c + b."""
    return (a, 0.0, 0.0, b, 0.0, a, 0.0, b, 0.0, 0.0, a, b)


def _mix(rows: tuple[tuple[float, ...], ...]) -> tuple[float, ...]:
    """A step that mixes the channels by a 3x3 matrix."""
    return tuple(x for row in rows for x in (*row, 0.0))


def _toward(full: tuple[tuple[float, float, float], ...], k: float) -> tuple[float, ...]:
    """The step that is `full` at k = 0 and changes nothing at k = 1, in between as the Filter
    Effects spec has grayscale(), sepia() and saturate()."""
    return _mix(tuple(tuple(f + ((i == j) - f) * k for j, f in enumerate(row)) for i, row in enumerate(full)))


_GRAY = ((0.2126, 0.7152, 0.0722),) * 3
_SEPIA = ((0.393, 0.769, 0.189), (0.349, 0.686, 0.168), (0.272, 0.534, 0.131))
_GRAY_SATURATE = ((0.213, 0.715, 0.072),) * 3  # (saturate() has its own rounding of the same weights)


def _hue_rotate(degrees: float) -> tuple[float, ...]:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return _mix(
        (
            (0.213 + c * 0.787 - s * 0.213, 0.715 - c * 0.715 - s * 0.715, 0.072 - c * 0.072 + s * 0.928),
            (0.213 - c * 0.213 + s * 0.143, 0.715 + c * 0.285 + s * 0.140, 0.072 - c * 0.072 - s * 0.283),
            (0.213 - c * 0.213 - s * 0.787, 0.715 - c * 0.715 + s * 0.715, 0.072 + c * 0.928 + s * 0.072),
        )
    )


_AMOUNTS: dict[str, Callable[[float], tuple[float, ...]]] = {
    "invert": lambda a: _scale(1 - 2 * a, 255 * a),
    "grayscale": lambda a: _toward(_GRAY, 1 - a),
    "sepia": lambda a: _toward(_SEPIA, 1 - a),
}
"""Colour functions whose amount is kept within 0-1."""
_FACTORS: dict[str, Callable[[float], tuple[float, ...]]] = {
    "brightness": _scale,
    "contrast": lambda c: _scale(c, 127.5 * (1 - c)),
    "saturate": lambda s: _toward(_GRAY_SATURATE, s),
}
"""Colour functions whose factor may be any number from 0 up (past MAX_FACTOR nothing more changes)."""
MAX_FACTOR = 1e6


class Filter(NamedTuple):
    opacity: float = 1.0
    paint: Paint = ()


def _filter(tokens: list) -> Filter | str | None:
    """filter: the product of its opacity() functions (blur() wide enough to smear letters counts
    as opacity 0), and what its colour functions do to the colours drawn: contrast(0) makes
    text and its own background one grey, but not the page under them."""
    parts = _values(tokens)
    if len(parts) == 1 and parts[0].type == "ident":
        return _keyword(parts[0]) or Filter()
    result = 1.0
    paint: list[tuple[float, ...]] = []
    for t in parts:
        if t.type != "function":
            continue
        args = _values(t.arguments)
        name = t.lower_name
        n = _number(args[0]) if args else 1.0
        if name == "opacity":
            if n is not None:
                result *= max(0.0, min(1.0, n))
        elif name == "blur" and args:
            radius = length(args[:1])
            if radius is not None and px(radius, MEDIUM, MEDIUM, 0) >= 8:
                result = 0.0
        elif name == "hue-rotate":
            angle = _angle(args[0]) if args else 0.0
            if angle is not None and math.isfinite(angle):
                paint.append(_hue_rotate(angle))
        elif name in _AMOUNTS and n is not None and n >= 0:
            paint.append(_AMOUNTS[name](min(1.0, n)))
        elif name in _FACTORS and n is not None and n >= 0:
            paint.append(_FACTORS[name](min(n, MAX_FACTOR)))
    return Filter(result, tuple(paint))


def painted(paint: Paint, color: tuple) -> tuple:
    """A colour (RGB or RGBA) as drawn through `paint`'s steps; the alpha is kept."""
    if not paint:
        return color
    r, g, b = color[:3]
    for m in paint:
        r, g, b = (min(255.0, max(0.0, m[i] * r + m[i + 1] * g + m[i + 2] * b + m[i + 3])) for i in (0, 4, 8))
    return (r, g, b, *color[3:])


def _font_size(tokens: list) -> Length | str | None:
    t = _one(tokens)
    if t is None:
        return None
    if t.type == "ident":
        word = t.lower_value
        keyword = _keyword(t)
        if keyword:
            return keyword
        fixed = {
            "xx-small": 9.0,
            "x-small": 10.0,
            "small": 13.0,
            "medium": 16.0,
            "large": 18.0,
            "x-large": 24.0,
            "xx-large": 32.0,
            "xxx-large": 48.0,
        }.get(word)
        if fixed is not None:
            return (fixed, 0.0, 0.0, 0.0)
        relative = {"smaller": 1 / 1.2, "larger": 1.2, "math": 1.0}.get(word)
        return None if relative is None else (0.0, relative, 0.0, 0.0)
    size = _term(t, 0)
    if size is None:
        return None
    # A percentage of the parent's font size is a multiple of 1em.
    return (size[0], size[1] + size[3] / 100, size[2], 0.0)


ASPECT = 0.5
"""A typical font's x-height to size ratio (Arial 0.52, Georgia 0.48): what `font-size-adjust`
divides by."""


def _font_size_adjust(tokens: list) -> float | str | None:
    """font-size-adjust: the factor it scales the font size by (its number over ASPECT; 0 draws
    no text at all), 1.0 for none or from-font, or a global keyword."""
    parts = _values(tokens)
    if len(parts) == 1 and parts[0].type == "ident":
        return _keyword(parts[0]) or 1.0
    numbers = [float(t.value) for t in parts if t.type == "number"]
    if len(numbers) != 1 or numbers[0] < 0 or len(parts) > 2:
        return None
    return numbers[0] / ASPECT


def _font(tokens: list) -> list[tuple[str, object]]:
    """The font shorthand's size: the token before `/`, else the first length or size keyword."""
    parts = _values(tokens)
    keyword = _global(tokens)
    if keyword:
        return [("font-size", keyword)]
    for i, t in enumerate(parts):
        if t.type == "literal" and t.value == "/" and i:
            size = _font_size([parts[i - 1]])
            return [("font-size", size)] if size is not None else []
    for t in parts:
        if t.type in ("dimension", "percentage") or (t.type == "number" and t.value == 0) or t.type == "function":
            size = _font_size([t])
            if size is not None:
                return [("font-size", size)]
        elif t.type == "ident" and t.lower_value in (
            "xx-small",
            "x-small",
            "small",
            "medium",
            "large",
            "x-large",
            "xx-large",
            "xxx-large",
            "smaller",
            "larger",
        ):
            return [("font-size", _font_size([t]))]
    return []


def _length_value(tokens: list) -> Length | str | None:
    parts = _values(tokens)
    if len(parts) == 1:
        return _keyword(parts[0]) or (None if parts[0].type == "ident" else _term(parts[0], 0))
    return None


def _four(values: list) -> tuple:
    """CSS's 1-4 value box shorthand: top, right, bottom, left."""
    if len(values) == 1:
        return values[0], values[0], values[0], values[0]
    if len(values) == 2:
        return values[0], values[1], values[0], values[1]
    if len(values) == 3:
        return values[0], values[1], values[2], values[1]
    return values[0], values[1], values[2], values[3]


def _edges(tokens: list) -> tuple | None:
    """margin / inset: top, right, bottom, left (None for auto)."""
    parts = _values(tokens)
    if not 1 <= len(parts) <= 4:
        return None
    return _four([None if t.type == "ident" else _term(t, 0) for t in parts])


def _margin(tokens: list) -> list[tuple[str, object]]:
    keyword = _global(tokens)
    if keyword:
        return [("margin-top", keyword), ("margin-left", keyword)]
    edges = _edges(tokens)
    if edges is None:
        return []
    return [("margin-top", edges[0] or _ZERO), ("margin-left", edges[3] or _ZERO)]


def _padding(tokens: list) -> list[tuple[str, object]]:
    """padding: its left edge (what pushes the content to the right, as margin-left does)."""
    keyword = _global(tokens)
    if keyword:
        return [("padding-left", keyword)]
    edges = _edges(tokens)
    return [] if edges is None else [("padding-left", edges[3] or _ZERO)]


def _inset(tokens: list) -> list[tuple[str, object]]:
    keyword = _global(tokens)
    names = ("top", "right", "bottom", "left")
    if keyword:
        return [(n, keyword) for n in names]
    edges = _edges(tokens)
    return [] if edges is None else [(n, e) for n, e in zip(names, edges) if e is not None]


def _overflow(tokens: list) -> list[tuple[str, object]]:
    words = _idents(_values(tokens))
    if not words:
        return []
    x = words[0]
    y = words[1] if len(words) > 1 else x
    return [("overflow-x", x), ("overflow-y", y)]


def _is_image(token) -> bool:
    return token.type == "url" or (
        token.type == "function"
        and (
            token.lower_name in ("url", "image", "image-set", "-webkit-image-set", "element", "cross-fade", "paint")
            or token.lower_name.endswith("gradient")
        )
    )


def _background(tokens: list) -> list[tuple[str, object]]:
    keyword = _global(tokens)
    if keyword:
        return [("background-color", keyword), ("background-image", keyword)]
    color: object = (0.0, 0.0, 0.0, 0.0)
    image: object = "none"
    clip = None
    for layer in _split_commas(tokens):
        for t in _values(layer):
            if _is_image(t):
                image = _image_value(t) if image == "none" else "image"
            elif t.type == "ident" and t.lower_value == "text":
                clip = "text"
            else:
                found = color_of([t]) if t.type in ("ident", "hash", "function") else None
                if found is not None and found not in (INHERIT, INITIAL):
                    color = found
    out: list[tuple[str, object]] = [("background-color", color), ("background-image", image)]
    if clip:
        out.append(("background-clip", clip))
    return out


def _background_image(tokens: list) -> str | RGBA | None:
    parts = _values(tokens)
    if len(parts) == 1 and parts[0].type == "ident":
        return _keyword(parts[0]) or "none"
    images = [t for t in parts if _is_image(t)]
    return "none" if not images else _image_value(images[0]) if len(images) == 1 else "image"


def _mask(tokens: list) -> list[tuple[str, object]]:
    """mask-image (and -webkit-): "clear" when every layer is a gradient whose every colour stop
    is transparent, which masks out all the element draws; "none" for no mask; an image (or
    anything else) may show it."""
    layers = [_values(layer) for layer in _split_commas(tokens)]
    if _global(tokens) or all(
        len(layer) == 1 and layer[0].type == "ident" and layer[0].lower_value == "none" for layer in layers
    ):
        return [("mask-image", "none")]  # (initial, unset: none; inherit, rarely used, taken as none too)
    clear = bool(layers) and all(_clear_gradient(layer) for layer in layers)
    return [("mask-image", "clear" if clear else "image")]


def _mask_shorthand(tokens: list) -> list[tuple[str, object]]:
    """mask (and -webkit-): its image as `_mask` reads it, and its size (after a "/"), which it
    sets back to auto when it names none."""
    sizes = []
    for layer in _split_commas(tokens):
        parts = _values(layer)
        slash = next((i for i, t in enumerate(parts) if t.type == "literal" and t.value == "/"), None)
        sizes.append(parts[slash + 1 : slash + 3] if slash is not None else [])
    return [*_mask(tokens), ("mask-size", "zero" if all(_no_size(size) for size in sizes) else "some")]


def _mask_size(tokens: list) -> list[tuple[str, object]]:
    """mask-size (and -webkit-): "zero" when every layer is drawn without a width or a height,
    which shows nothing of what the mask covers."""
    zero = all(_no_size(_values(layer)[:2]) for layer in _split_commas(tokens))
    return [("mask-size", "zero" if zero else "some")]


def _no_size(parts: list) -> bool:
    """Whether a size (one or two lengths, or keywords) has a width or a height of 0."""
    sizes = [length([t]) for t in parts]
    return any(size is not None and not any(size) for size in sizes)


def _clear_gradient(parts: list) -> bool:
    gradients = [t for t in parts if t.type == "function" and t.lower_name.endswith("gradient")]
    stops = _stops(gradients[0]) if len(gradients) == 1 else []
    return bool(stops) and all(stop[3] < MIN_OPACITY for stop in stops)


def _stops(gradient) -> list[RGBA]:
    """The colour stops of a gradient function (empty: none could be read)."""
    stops = []
    for t in gradient.arguments:
        try:
            color = color4.parse_color(t)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
            continue
        if color is None or color == "currentcolor":
            continue
        rgba = _srgb(color)
        if rgba is None:
            return []
        stops.append(rgba)
    return stops


def _image_value(token) -> str | RGBA:
    """A background image: a gradient of one colour (every stop alike) is that colour; any
    other image ("image") may show anything."""
    if token.type == "function" and token.lower_name.endswith("gradient"):
        stops = _stops(token)
        if stops and all(close(s, stops[0]) and abs(s[3] - stops[0][3]) < 0.05 for s in stops):
            return stops[0]
    return "image"


def _clip(tokens: list) -> str | None:
    """clip: rect(top, right, bottom, left) that leaves at most 1px, on an absolute box."""
    parts = _values(tokens)
    if len(parts) != 1 or parts[0].type != "function" or parts[0].lower_name != "rect":
        return _global(tokens)
    args = [t for t in _values(parts[0].arguments) if not (t.type == "literal" and t.value == ",")]
    if len(args) != 4:
        return None
    sides = [None if (t.type == "ident" and t.lower_value == "auto") else _term(t, 0) for t in args]
    top, right, bottom, left = (None if s is None else px(s, MEDIUM, MEDIUM, 0) for s in sides)
    width_empty = right is not None and right - (left or 0.0) <= 1
    height_empty = bottom is not None and bottom - (top or 0.0) <= 1
    return "empty" if width_empty or height_empty else "some"


def _clip_path(tokens: list) -> str | None:
    """clip-path: inset() of half or more from both sides, a circle or ellipse of radius 0, a
    polygon without area: nothing is left to see."""
    parts = _values(tokens)
    if not parts:
        return None
    if len(parts) == 1 and parts[0].type == "ident":
        return _keyword(parts[0]) or "none"
    shape = next((t for t in parts if t.type == "function"), None)
    if shape is None:
        return "some"
    name = shape.lower_name
    args = _values(shape.arguments)
    if name == "inset":
        values = []
        for t in args:
            if t.type == "ident":
                break  # round ...
            values.append(_term(t, 0))
        if not 1 <= len(values) <= 4 or None in values:
            return "some"
        top, right, bottom, left = _four(values)

        def pct(v: Length) -> float:
            return v[3] + (v[0] + (v[1] + v[2]) * MEDIUM) / 10  # px against a 1000px box

        if pct(top) + pct(bottom) >= 100 or pct(left) + pct(right) >= 100:
            return "empty"
        return "some"
    if name in ("circle", "ellipse"):
        radii = []
        for t in args:
            if t.type == "ident":
                break
            radii.append(_term(t, 0))
        if radii and any(r is not None and r[0] == r[1] == r[2] == r[3] == 0 for r in radii):
            return "empty"
        return "some"
    if name == "polygon":
        points = []
        for point in _split_commas(shape.arguments):
            xy = [_term(t, 0) for t in _values(point) if t.type != "ident"]
            if len(xy) != 2 or None in xy:
                return "some"
            points.append(tuple(_rough(v) for v in xy))  # type: ignore[arg-type]
        area = 0.0
        for i in range(len(points)):
            x1, y1 = points[i]
            x2, y2 = points[(i + 1) % len(points)]
            area += x1 * y2 - x2 * y1
        return "empty" if abs(area) < 2 else "some"
    return "some"


def _angle(token) -> float | None:
    if token.type == "dimension":
        factor = {"deg": 1.0, "rad": 180 / math.pi, "grad": 0.9, "turn": 360.0}.get(token.lower_unit)
        return None if factor is None else float(token.value) * factor
    if token.type == "number" and token.value == 0:
        return 0.0
    return None


def _shift(token) -> float | None:
    value = _term(token, 0)
    return None if value is None else px(value, MEDIUM, MEDIUM, TRANSLATE_SIZE)


class Box(NamedTuple):
    """What a transform does to a box: its scales, its shifts (px), and whether it turns the box's
    back to the viewer (more than a quarter turn about x or y, a negative z scale), which
    `backface-visibility: hidden` does not draw; `tz`: its shift toward the viewer (px), which
    the parent's `perspective` makes larger, smaller or not drawn at all."""

    sx: float
    sy: float
    tx: float
    ty: float
    back: bool = False
    tz: float = 0.0


_NO_TRANSFORM = Box(1.0, 1.0, 0.0, 0.0)
_TRANSFORMS = ("transform", "translate", "scale", "rotate")
"""The properties that transform a box (each read as a Box)."""
MAX_SHEAR = 5.7
"""skew() past 80 degrees (its tangent past this) lays letters flat: as unreadable as a scale of 0."""


def _transform(tokens: list) -> Box | str | None:
    """What a transform list does (see Box). After `perspective(d)`, a box moved back by z looks
    d / (d + z) as large, and one moved to or past the eye is not drawn."""
    parts = _values(tokens)
    if len(parts) == 1 and parts[0].type == "ident":
        return _keyword(parts[0]) or _NO_TRANSFORM
    box = _NO_TRANSFORM
    depth: float | None = None
    for f in parts:
        if f.type != "function":
            return None
        args = [t for t in _values(f.arguments) if not (t.type == "literal" and t.value == ",")]
        name = f.lower_name
        if name == "perspective":
            distance = _shift(args[0]) if len(args) == 1 else None
            depth = max(distance, 1.0) if distance is not None else None  # none, or not a length: flat
            continue
        turned = _apply(name, args, box)
        if turned is None:
            return None
        toward = turned.tz - box.tz
        box = turned
        if depth is not None and toward:  # seen through its own perspective, not its parent's
            k = depth / (depth - toward) if toward < depth else 0.0
            box = box._replace(sx=box.sx * k, sy=box.sy * k, tz=box.tz - toward)
    return box


def _apply(name: str, args: list, box: Box) -> Box | None:
    """`box` after the transform function `name` with `args` (None: not a valid one; a function
    that cannot hide or move text leaves it as it is)."""
    sx, sy, tx, ty, back, tz = box
    nums = [_number(t) for t in args]
    if name in ("translate", "translate3d", "translatex", "translatey", "translatez"):
        shifts = [_shift(t) for t in args]
        if not shifts or None in shifts:
            return None
        if name == "translatey":
            ty += sy * shifts[0]  # type: ignore[operator]
        elif name == "translatez":
            tz += shifts[0]  # type: ignore[operator]
        else:
            tx += sx * shifts[0]  # type: ignore[operator]
            if name != "translatex" and len(shifts) > 1:
                ty += sy * shifts[1]  # type: ignore[operator]
            if len(shifts) > 2:
                tz += shifts[2]  # type: ignore[operator]
    elif name in ("scale", "scale3d", "scalex", "scaley", "scalez"):
        if not nums or None in nums:
            return None
        if name == "scaley":
            sy *= nums[0]  # type: ignore[operator]
        elif name == "scalex":
            sx *= nums[0]  # type: ignore[operator]
        elif name == "scalez":
            back ^= nums[0] < 0  # type: ignore[operator]
        else:
            sx *= nums[0]  # type: ignore[operator]
            sy *= nums[1] if len(nums) > 1 else nums[0]  # type: ignore[operator]
            back ^= name == "scale3d" and len(nums) == 3 and nums[2] < 0  # type: ignore[operator]
    elif name in ("matrix", "matrix3d"):
        if None in nums or len(nums) not in (6, 16):
            return None
        if len(nums) == 6:
            a, b, c, d, e, f_ = nums
        else:
            a, b, c, d, e, f_ = nums[0], nums[1], nums[4], nums[5], nums[12], nums[13]
        tx += sx * e  # type: ignore[operator]
        ty += sy * f_  # type: ignore[operator]
        sx *= math.hypot(a, b)  # type: ignore[arg-type]
        sy *= math.hypot(c, d)  # type: ignore[arg-type]
        back ^= len(nums) == 16 and nums[10] < 0  # type: ignore[operator]  # the normal's z, m33
    elif name in ("skew", "skewx", "skewy"):
        angles = [_angle(t) for t in args]
        if not angles or None in angles:
            return None
        if any(abs(math.tan(math.radians(a))) >= MAX_SHEAR for a in angles):  # type: ignore[arg-type]
            sx = sy = 0.0
    elif name in ("rotatex", "rotatey"):
        angle = _angle(args[0]) if args else None
        if angle is None:
            return None
        cos = math.cos(math.radians(angle))
        if name == "rotatex":
            sy *= abs(cos)
        else:
            sx *= abs(cos)
        back ^= cos < 0
    elif name == "rotate3d" and len(args) == 4:
        angle = _angle(args[3])
        axis = nums[:3]
        if angle is None or None in axis:
            return None
        sx, sy, back = _turned(axis, angle, sx, sy, back)  # type: ignore[arg-type]
    return Box(sx, sy, tx, ty, back, tz)


def _turned(axis: list[float], angle: float, sx: float, sy: float, back: bool) -> tuple[float, float, bool]:
    """A turn by `angle` degrees about `axis` (x, y, z): about x or y alone it narrows the box;
    about any axis, the box's back faces the viewer when its normal's z goes below 0 (Rodrigues:
    cos a + (1 - cos a) z^2 for the unit axis)."""
    cos = math.cos(math.radians(angle))
    x, y, z = axis
    norm = math.sqrt(x * x + y * y + z * z)
    if not norm:
        return sx, sy, back
    if x and not y and not z:
        sy *= abs(cos)
    elif y and not x and not z:
        sx *= abs(cos)
    return sx, sy, back ^ (cos + (1 - cos) * (z / norm) ** 2 < 0)


def _transform_property(name: str):
    """translate: and scale: (CSS Transforms 2), read as transform: name(...) is."""

    def read(tokens: list) -> Box | str | None:
        parts = _values(tokens)
        if len(parts) == 1 and parts[0].type == "ident":
            return _keyword(parts[0]) or _NO_TRANSFORM
        return _apply(name, parts, _NO_TRANSFORM)

    return read


_AXES = {"x": [1.0, 0.0, 0.0], "y": [0.0, 1.0, 0.0], "z": [0.0, 0.0, 1.0]}


def _rotate(tokens: list) -> Box | str | None:
    """rotate: x 90deg (or y, or a vector x y z) turns the box edge-on, and 180deg its back."""
    parts = _values(tokens)
    if len(parts) == 1 and parts[0].type == "ident":
        return _keyword(parts[0]) or _NO_TRANSFORM
    word = next((t.lower_value for t in parts if t.type == "ident"), "z")
    vector = [float(t.value) for t in parts if t.type == "number"]
    axis = vector if len(vector) == 3 else _AXES.get(word, _AXES["z"])
    angle = next((a for a in (_angle(t) for t in parts if t.type == "dimension") if a is not None), 0.0)
    sx, sy, back = _turned(axis, angle, 1.0, 1.0, False)
    return Box(sx, sy, 0.0, 0.0, back)


def _z_index(tokens: list) -> float | str | None:
    t = _one(tokens)
    if t is None:
        return None
    if t.type == "ident":
        return _keyword(t) or t.lower_value
    return float(t.value) if t.type == "number" and t.is_integer else None


def _zoom(tokens: list) -> float | str | None:
    t = _one(tokens)
    if t is None:
        return None
    if t.type == "ident":
        return _keyword(t) or 1.0
    return _number(t)


def _shadow(tokens: list) -> object:
    """text-shadow: the colour of a shadow that draws the letters legibly (little blur, close to
    them), or "none"."""
    keyword = _global(tokens)
    if keyword:
        return keyword
    parts = _values(tokens)
    if len(parts) == 1 and parts[0].type == "ident" and parts[0].lower_value == "none":
        return "none"
    best: object = "none"
    for layer in _split_commas(tokens):
        color, values = _colour_and_lengths(layer)
        lengths = [px(value, MEDIUM, MEDIUM, 0) for value in values]
        if len(lengths) < 2:
            continue
        x, y = lengths[0], lengths[1]
        blur = lengths[2] if len(lengths) > 2 else 0.0
        if abs(x) <= 50 and abs(y) <= 50 and blur <= 3:
            best = color
    return best


_DECORATION_LINES = frozenset(
    ("none", "underline", "overline", "line-through", "blink", "spelling-error", "grammar-error")
)


def _decoration_line(tokens: list) -> str | None:
    """text-decoration-line: "through" when it draws a line through the text, else "other"."""
    words = _idents(_values(tokens))
    if not words:
        return None
    keyword = _global(tokens)
    return keyword or ("through" if "line-through" in words else "other")


def _decoration_thickness(tokens: list) -> Length | str | None:
    return _length_value(tokens) or _ident_value(tokens)


def _decoration(tokens: list) -> list[tuple[str, object]]:
    """text-decoration: its line, colour and thickness (a shorthand: what it does not name it
    sets back to none, currentColor and auto)."""
    names = ("text-decoration-line", "text-decoration-color", "text-decoration-thickness")
    keyword = _global(tokens)
    if keyword:
        return [(name, keyword) for name in names]
    line = "other"
    color: object = CURRENT
    thickness: object = "auto"
    for t in _values(tokens):
        if t.type == "ident" and t.lower_value in _DECORATION_LINES:
            line = "through" if t.lower_value == "line-through" else line
        elif (found := color_of([t]) if t.type in ("ident", "hash", "function") else None) is not None:
            color = found
        elif (length := _term(t, 0)) is not None:
            thickness = length
    return list(zip(names, (line, color, thickness), strict=True))


def _stroke(tokens: list) -> list[tuple[str, object]]:
    keyword = _global(tokens)
    if keyword:
        return [("-webkit-text-stroke-width", keyword), ("-webkit-text-stroke-color", keyword)]
    color, lengths = _colour_and_lengths(tokens)
    width: object = lengths[-1] if lengths else _ZERO
    return [("-webkit-text-stroke-width", width), ("-webkit-text-stroke-color", color)]


def _colour_and_lengths(tokens: list) -> tuple[object, list[Length]]:
    """A shadow's or a stroke's colour (currentColor unless one is given: the last) and its
    lengths, in order."""
    color: object = CURRENT
    lengths: list[Length] = []
    for t in _values(tokens):
        found = color_of([t]) if t.type in ("ident", "hash", "function") else None
        if found is not None:
            color = found
        else:
            value = _term(t, 0)
            if value is not None:
                lengths.append(value)
    return color, lengths


_TIMING = frozenset(
    "ease ease-in ease-out ease-in-out linear step-start step-end normal reverse alternate alternate-reverse "
    "none forwards backwards both running paused infinite initial inherit unset".split()
)


def _animation_shorthand(tokens: list) -> list[tuple[str, object]]:
    """`animation`: for each animation of the list, its name, fill mode and iteration count."""
    names, fills, counts = [], [], []
    for part in _split_commas(tokens):
        words = [t for t in _values(part) if t.type in ("ident", "string", "number")]
        idents = [t.lower_value for t in words if t.type == "ident"]
        name = next(
            (t.value for t in words if t.type == "string" or (t.type == "ident" and t.lower_value not in _TIMING)), None
        )
        names.append(name or "none")
        fills.append(next((w for w in idents if w in ("forwards", "backwards", "both")), "none"))
        counts.append("infinite" if "infinite" in idents else "1")
    return [
        ("animation-name", tuple(names)),
        ("animation-fill-mode", tuple(fills)),
        ("animation-iteration-count", tuple(counts)),
    ]


def _word_list(tokens: list) -> tuple[str, ...] | None:
    """A comma-separated list of single words, each as written (names are case-sensitive)."""
    words = []
    for part in _split_commas(tokens):
        values = _values(part)
        if len(values) != 1 or values[0].type not in ("ident", "string", "number"):
            return None
        token = values[0]
        words.append(str(token.value))
    return tuple(words)


def _single(reader):
    def read(name: str):
        return lambda tokens: [(name, reader(tokens))]

    return read


_PROPERTIES: dict[str, object] = {}
for _name in (
    "display",
    "visibility",
    "content-visibility",
    "mso-hide",
    "position",
    "float",
    "-webkit-text-security",
    "mix-blend-mode",
    "backface-visibility",
    "transform-style",
    "isolation",
    "-webkit-box-orient",
):
    _PROPERTIES[_name] = _single(_ident_value)(_name)
for _name in (
    "color",
    "-webkit-text-fill-color",
    "background-color",
    "-webkit-text-stroke-color",
    "text-decoration-color",
):
    _PROPERTIES[_name] = _single(color_of)(_name)
for _name in (
    "top",
    "right",
    "bottom",
    "left",
    "margin-top",
    "margin-left",
    "padding-left",
    "text-indent",
    "perspective",
    "width",
    "height",
    "max-width",
    "max-height",
    "-webkit-text-stroke-width",
):
    _PROPERTIES[_name] = _single(_length_value)(_name)
_PROPERTIES["letter-spacing"] = _single(lambda tokens: _length_value(tokens) or _ident_value(tokens))("letter-spacing")
for _name, _reader in {
    "opacity": _number_value,
    "filter": _filter,
    "font-size": _font_size,
    "font-size-adjust": _font_size_adjust,
    "overflow-x": _ident_value,
    "overflow-y": _ident_value,
    "contain": _ident_value,
    "background-image": _background_image,
    "background-clip": _ident_value,
    "clip": _clip,
    "clip-path": _clip_path,
    "transform": _transform,
    "translate": _transform_property("translate"),
    "scale": _transform_property("scale"),
    "rotate": _rotate,
    "zoom": _zoom,
    "z-index": _z_index,
    "text-shadow": _shadow,
    "text-decoration-line": _decoration_line,
    "-webkit-line-clamp": _number_value,
    "text-decoration-thickness": _decoration_thickness,
}.items():
    _PROPERTIES[_name] = _single(_reader)(_name)
_PROPERTIES.update(
    {
        "font": _font,
        "margin": _margin,
        "padding": _padding,
        "inset": _inset,
        "overflow": _overflow,
        "background": _background,
        "-webkit-text-stroke": _stroke,
        "text-decoration": _decoration,
        "-webkit-text-decoration": _decoration,
        "animation": _animation_shorthand,
        "-webkit-animation": _animation_shorthand,
        "mask": _mask_shorthand,
        "mask-image": _mask,
        "mask-size": _mask_size,
        "-webkit-mask": _mask_shorthand,
        "-webkit-mask-image": _mask,
        "-webkit-mask-size": _mask_size,
    }
)
for _name in ("animation-name", "animation-fill-mode", "animation-iteration-count"):
    _PROPERTIES[_name] = _single(_word_list)(_name)
    _PROPERTIES["-webkit-" + _name] = _PROPERTIES[_name]
# Other names of the same properties: read as the property they stand for.
for _name, _standard in {
    "margin-block-start": "margin-top",
    "margin-inline-start": "margin-left",
    "padding-inline-start": "padding-left",
    "inset-block-start": "top",
    "inset-inline-start": "left",
    "-webkit-background-clip": "background-clip",
    "-webkit-clip-path": "clip-path",
    "-webkit-transform": "transform",
    "-webkit-backface-visibility": "backface-visibility",
    "-webkit-transform-style": "transform-style",
    "-webkit-perspective": "perspective",
    "-webkit-text-decoration-line": "text-decoration-line",
    "-webkit-text-decoration-color": "text-decoration-color",
    "-ms-transform": "transform",
}.items():
    _PROPERTIES[_name] = _PROPERTIES[_standard]
RELEVANT = frozenset(_PROPERTIES)


class Decls:
    """Declarations of one style attribute, rule or cascade: (property, value) pairs in order,
    normal then important. Compared by identity (they are cached and shared)."""

    __slots__ = ("normal", "important")

    def __init__(self, normal: tuple = (), important: tuple = ()) -> None:
        self.normal = normal
        self.important = important

    def __bool__(self) -> bool:
        return bool(self.normal or self.important)


NO_DECLS = Decls()


class VarValue(NamedTuple):
    """A value that uses var(): read once the custom properties in scope are known (resolve)."""

    prop: str
    text: str


def _has_var(tokens: list) -> bool:
    stack = [tokens]
    while stack:
        for t in stack.pop():
            if t.type == "function":
                if t.lower_name == "var":
                    return True
                stack.append(t.arguments)
            elif t.type in ("() block", "[] block", "{} block"):
                stack.append(t.content)
    return False


def _read(name: str, tokens: list) -> list[tuple[str, object]]:
    """A declaration's (property, value) pairs: custom properties kept as text, values with
    var() kept for later, the rest read by their property's reader."""
    if name.startswith("--"):
        return [(name, tinycss2.serialize(tokens).strip())]
    reader = _PROPERTIES.get(name.lower())
    if reader is None:
        return []
    if _has_var(tokens):
        return [(name.lower(), VarValue(name.lower(), tinycss2.serialize(tokens)))]
    return reader(tokens)  # type: ignore[operator]


def _declarations(items) -> Decls:
    normal: list = []
    important: list = []
    for d in items:
        if d.type != "declaration":
            continue
        if d.lower_name not in _PROPERTIES and not d.name.startswith("--"):
            continue
        try:
            pairs = _read(d.name, d.value)
        except (RecursionError, ValueError, TypeError, ZeroDivisionError, OverflowError, IndexError):
            continue
        for prop, value in pairs:
            if value is not None:
                (important if d.important else normal).append((prop, value))
    if not normal and not important:
        return NO_DECLS
    return Decls(tuple(normal), tuple(important))


def _parse_inline(style: str) -> Decls:
    if not _may_matter(style):
        return NO_DECLS
    if not _TRICKY.search(style):
        return _simple_declarations(style)
    try:
        return _declarations(tinycss2.parse_blocks_contents(style, skip_comments=True, skip_whitespace=True))
    except RecursionError:
        return NO_DECLS


# Without strings, escapes, comments or url() (which may hold a ";"), a declaration list splits
# on ";" and ":" exactly as the CSS parser would split it; only the values worth reading are
# then tokenized. Style attributes are nearly always like that.
_TRICKY = re.compile(r"""["'\\]|/\*|url\(|[{}]""", re.I)
_IMPORTANT = re.compile(r"!\s*important\s*$", re.I)


def _simple_declarations(style: str) -> Decls:
    normal: list = []
    important: list = []
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        if not colon:
            continue
        name = name.strip()
        if name.lower() not in _PROPERTIES and not name.startswith("--"):
            continue
        flag = _IMPORTANT.search(value)
        if flag:
            value = value[: flag.start()]
        try:
            pairs = _read(name, tinycss2.parse_component_value_list(value, skip_comments=True))
        except (RecursionError, ValueError, TypeError, ZeroDivisionError, OverflowError, IndexError):
            continue
        for prop, parsed in pairs:
            if parsed is not None:
                (important if flag else normal).append((prop, parsed))
    if not normal and not important:
        return NO_DECLS
    return Decls(tuple(normal), tuple(important))


def _may_matter(css: str) -> bool:
    """A quick look for any property name that can hide: most style attributes have none."""
    low = css.lower()
    return any(word in low for word in _TRIGGERS) or "\\" in css


_TRIGGERS = (
    "--",
    "var(",
    "display",
    "visib",
    "hide",
    "opacity",
    "filter",
    "color",
    "font",
    "position",
    "top",
    "left",
    "right",
    "bottom",
    "inset",
    "margin",
    "padding",
    "indent",
    "width",
    "height",
    "overflow",
    "contain",
    "background",
    "clip",
    "transform",
    "translate",
    "scale",
    "rotate",
    "perspective",
    "decoration",
    "clamp",
    "zoom",
    "shadow",
    "stroke",
    "security",
    "animation",
    "blend",
    "mask",
    "spacing",
    "index",
    "isolation",
)


_inline_cached = lru_cache(maxsize=4096)(_parse_inline)


def inline_style(style: str) -> Decls:
    """Cached: mail repeats the same few style attributes hundreds of times."""
    return _inline_cached(style) if len(style) <= 2000 else _parse_inline(style)


# ---------------------------------------------------------------------------------------------
# Stylesheets
# ---------------------------------------------------------------------------------------------


class Rule(NamedTuple):
    selector: str
    specificity: tuple[int, int, int]
    order: int
    decls: Decls
    key: tuple[str, str] | None  # the last compound's id, class or tag (for the over-budget path)
    first_line: bool = False  # a ::first-line rule, matched to the element whose first line it styles


_STATE_PSEUDO = ("hover", "focus", "active", "visited", "target", "focus-within", "focus-visible")
_NEVER_AT_REST = re.compile(
    r":(?:hover|focus-within|focus-visible|focus|active|visited|target-within|target|-webkit-autofill|autofill|"
    r"modal|fullscreen|popover-open|user-invalid|user-valid|current|past|future|local-link|host)(?![\w-])",
    re.I,
)
_REWRITTEN = re.compile(
    r":(?:hover|focus|active|visited|target|-webkit-autofill|autofill|modal|fullscreen|popover-open|user-|current|"
    r"past|future|local-link|host|lang|dir|defined|open|closed|-webkit-any|matches|scope)",
    re.I,
)
"""Any pseudo-class `_at_rest` rewrites (most selectors have none: a quick look first)."""
_LANG = re.compile(r":lang\(([^()]*)\)", re.I)
_DIR = re.compile(r":dir\(\s*(ltr|rtl)\s*\)", re.I)


def _at_rest(selector: str) -> str:
    """A selector as lexbor can match it in a mail at rest: what only a pointer, focus, a visit
    or a fragment can make true matches nothing (`:not(:hover)` then matches), and the
    pseudo-classes lexbor does not read become what they mean in a mail: `:lang()` and
    `:dir()` by the attributes that set them, `:defined` everything, `:open` the open attribute,
    `:-webkit-any()` and `:matches()` as `:is()`, `:scope` the root."""
    if ":" not in selector or not _REWRITTEN.search(selector):
        return selector
    out = _NEVER_AT_REST.sub(":not(*)", selector)
    out = _LANG.sub(lambda m: _lang(m[1]), out)
    out = _DIR.sub(
        lambda m: ":is([dir=rtl i], [dir=rtl i] *)" if m[1].lower() == "rtl" else ":not([dir=rtl i], [dir=rtl i] *)",
        out,
    )
    out = re.sub(r":defined(?![\w-])", ":is(*)", out, flags=re.I)
    out = re.sub(r":open(?![\w-])", "[open]", out, flags=re.I)
    out = re.sub(r":closed(?![\w-])", ":not([open])", out, flags=re.I)
    out = re.sub(r":(?:-webkit-any|matches)\(", ":is(", out, flags=re.I)
    return re.sub(r":scope(?![\w-])", ":root", out, flags=re.I)


def _lang(arguments: str) -> str:
    codes = [a.strip().strip("'\"") for a in arguments.split(",")]
    codes = [c for c in codes if re.fullmatch(r"[A-Za-z0-9*-]+", c)]
    if not codes:
        return ":not(*)"
    return ":is(" + ", ".join(f"[lang|={c} i], [lang|={c} i] *" for c in codes) + ")"


Selector = tuple[str, tuple[int, int, int], tuple[str, str] | None, bool]
"""A selector as written (without its ::first-line), its specificity, its last compound's key,
and whether it styles the first line of what it matches."""
_FIRST_LINE = re.compile(r"::?first-line\s*$", re.I)


def _selectors(prelude: list) -> list[Selector] | None:
    """The prelude's selectors that can match an element at rest, with their specificity; None
    when the list is invalid (then the whole rule is dropped, as browsers do)."""
    out = []
    for part in _split_commas(prelude):
        text = tinycss2.serialize(part).strip()
        if not text:
            return None
        rested = _at_rest(text)
        if rested != text:
            text, part = rested, tinycss2.parse_component_value_list(rested, skip_comments=True)
        try:
            parsed = list(selector_parser.parse(part))
        except (selector_parser.SelectorError, RecursionError, IndexError, ValueError, TypeError):
            return None
        if len(parsed) != 1:
            return None
        selector = parsed[0]
        first_line = selector.pseudo_element == "first-line" and _FIRST_LINE.search(text) is not None
        if first_line:
            text = _FIRST_LINE.sub("", text).strip() or "*"
        elif selector.pseudo_element is not None:
            continue  # ::before and the like style generated boxes, not the element
        out.append((text, selector.specificity, _last_key(part), first_line))
    return out


def _depth(tokens: list) -> int:
    deepest = 0
    stack = [(tokens, 1)]
    while stack:
        items, level = stack.pop()
        for t in items:
            inner = (
                getattr(t, "content", None)
                if t.type in ("() block", "[] block")
                else (getattr(t, "arguments", None) if t.type == "function" else None)
            )
            if inner is not None:
                deepest = max(deepest, level)
                if level <= MAX_NESTING:
                    stack.append((inner, level + 1))
                else:
                    return level
    return deepest


def _last_key(tokens: list) -> tuple[str, str] | None:
    """The last compound selector's most telling simple selector: ("#", id), (".", class),
    ("", tag), or None (any element)."""
    compound: list = []
    for t in tokens:
        if t.type == "whitespace" or (t.type == "literal" and t.value in (">", "+", "~")):
            compound = []
        else:
            compound.append(t)
    key = None
    for i, t in enumerate(compound):
        if t.type == "hash":
            return ("#", t.value.lower())
        if t.type == "literal" and t.value == "." and i + 1 < len(compound) and compound[i + 1].type == "ident":
            key = (".", compound[i + 1].value.lower())
        elif i == 0 and t.type == "ident" and key is None:
            key = ("", t.lower_value)
    return key


def _media_ok(prelude: list) -> bool:
    """A media query list, for a desktop screen: types screen / all; features width 1024px,
    height 768px, landscape, light scheme, fine pointer with hover, 1dppx; unknown ones fail."""
    queries = _split_commas(prelude)
    return any(_query(_values(q)) for q in queries)


def _query(parts: list) -> bool:
    if not parts:
        return True
    negate = False
    if parts[0].type == "ident" and parts[0].lower_value in ("not", "only"):
        negate = parts[0].lower_value == "not"
        parts = parts[1:]
    result = True
    if parts and parts[0].type == "ident":
        media_type = parts[0].lower_value
        result = media_type in ("screen", "all")
        parts = parts[1:]
        if parts and parts[0].type == "ident" and parts[0].lower_value == "and":
            parts = parts[1:]
    if parts:
        result = result and _condition(parts, 0)
    return result != negate


def _logic(parts: list, depth: int, term: Callable[[Any, int], bool | None]) -> bool:
    """A media or supports condition: `not X`, or terms joined by `and` / `or`; `term` judges
    one term (None: not a term, so the whole condition does not apply)."""
    if depth > MAX_NESTING:
        return True  # nested past reason: taken to apply (its rules may hide)
    if not parts:
        return False
    if parts[0].type == "ident" and parts[0].lower_value == "not":
        return not _logic(parts[1:], depth + 1, term)
    results = []
    joiner = "and"
    for t in parts:
        if t.type == "ident" and t.lower_value in ("and", "or"):
            joiner = t.lower_value
            continue
        result = term(t, depth + 1)
        if result is None:
            return False
        results.append(result)
    if not results:
        return False
    return all(results) if joiner == "and" else any(results)


def _condition(parts: list, depth: int) -> bool:
    return _logic(parts, depth, _media_term)


def _media_term(t: Any, depth: int) -> bool | None:
    return _feature(_values(t.content), depth) if t.type == "() block" else None


_FEATURES_NUMBER = {
    "width": VIEWPORT_WIDTH,
    "height": VIEWPORT_HEIGHT,
    "device-width": 1920.0,
    "device-height": 1080.0,
    "resolution": 1.0,
    "-webkit-device-pixel-ratio": 1.0,
    "device-pixel-ratio": 1.0,
    "color": 8.0,
    "color-index": 0.0,
    "monochrome": 0.0,
    "grid": 0.0,
    "aspect-ratio": VIEWPORT_WIDTH / VIEWPORT_HEIGHT,
    "device-aspect-ratio": 16 / 9,
}
_FEATURES_WORD = {
    "orientation": "landscape",
    "prefers-color-scheme": "light",
    "prefers-reduced-motion": "no-preference",
    "hover": "hover",
    "any-hover": "hover",
    "pointer": "fine",
    "any-pointer": "fine",
    "scripting": "none",
    "update": "fast",
    "display-mode": "browser",
    "prefers-contrast": "no-preference",
    "color-gamut": "srgb",
    "forced-colors": "none",
    "inverted-colors": "none",
    "overflow-block": "scroll",
    "overflow-inline": "scroll",
    "prefers-reduced-transparency": "no-preference",
    "dynamic-range": "standard",
}


def _media_number(tokens: list) -> float | None:
    parts = _values(tokens)
    if len(parts) == 3 and parts[1].type == "literal" and parts[1].value == "/":  # a ratio
        a, b = _number(parts[0]), _number(parts[2])
        return a / b if a is not None and b else None
    if len(parts) != 1:
        return None
    t = parts[0]
    if t.type == "dimension" and t.lower_unit in ("dppx", "x", "dpi", "dpcm"):
        return float(t.value) / {"dppx": 1.0, "x": 1.0, "dpi": 96.0, "dpcm": 96 / 2.54}[t.lower_unit]
    value = _term(t, 0)
    return None if value is None else px(value, MEDIUM, MEDIUM, 0)


def _feature(parts: list, depth: int) -> bool:
    if not parts:
        return False
    if parts[0].type == "() block" or (parts[0].type == "ident" and parts[0].lower_value == "not"):
        return _condition(parts, depth)
    comparisons = [i for i, t in enumerate(parts) if t.type == "literal" and t.value in ("<", ">", "=", "<=", ">=")]
    if comparisons:  # range syntax: (width >= 600px), (400px <= width <= 700px)
        return _range(parts, depth)
    if parts[0].type != "ident":
        return False
    name = parts[0].lower_value
    colon = len(parts) > 1 and parts[1].type == "literal" and parts[1].value == ":"
    bound = None
    for prefix in ("min-", "max-", "-webkit-min-", "-webkit-max-"):
        if name.startswith(prefix):
            bound = "min" if "min" in prefix else "max"
            name = name[len(prefix) :]
            if name == "device-pixel-ratio":
                name = "device-pixel-ratio"
            break
    if name in _FEATURES_WORD:
        if not colon:
            return _FEATURES_WORD[name] not in ("none", "no-preference")
        words = _idents(parts[2:])
        return bool(words) and words[0] == _FEATURES_WORD[name]
    if name not in _FEATURES_NUMBER:
        return False
    actual = _FEATURES_NUMBER[name]
    if not colon:
        return actual != 0
    wanted = _media_number(parts[2:])
    if wanted is None:
        return False
    if bound == "min":
        return actual >= wanted
    if bound == "max":
        return actual <= wanted
    return abs(actual - wanted) < 0.01


def _range(parts: list, depth: int) -> bool:
    pieces: list[list] = [[]]
    ops: list[str] = []
    i = 0
    while i < len(parts):
        t = parts[i]
        if t.type == "literal" and t.value in ("<", ">", "="):
            op = t.value
            if i + 1 < len(parts) and parts[i + 1].type == "literal" and parts[i + 1].value == "=":
                op += "="
                i += 1
            ops.append(op)
            pieces.append([])
        elif t.type == "literal" and t.value in ("<=", ">="):
            ops.append(t.value)
            pieces.append([])
        else:
            pieces[-1].append(t)
        i += 1
    values: list[float | None] = []
    for piece in pieces:
        if len(piece) == 1 and piece[0].type == "ident" and piece[0].lower_value in _FEATURES_NUMBER:
            values.append(_FEATURES_NUMBER[piece[0].lower_value])
        else:
            values.append(_media_number(piece))
    if None in values or len(values) != len(ops) + 1:
        return False
    for op, a, b in zip(ops, values, values[1:]):
        ok = {"<": a < b, ">": a > b, "=": abs(a - b) < 0.01, "<=": a <= b, ">=": a >= b}[op]  # type: ignore[operator]
        if not ok:
            return False
    return True


def _supports_ok(prelude: list, depth: int = 0) -> bool:
    """@supports for a WebKit/Blink-like client: any declaration except other engines'
    prefixed ones, selector() when lexbor reads it, and not / and / or."""
    return _logic(_values(prelude), depth, _supports_term)


def _supports_term(t: Any, depth: int) -> bool | None:
    if t.type == "() block":
        inner = _values(t.content)
        if (
            inner
            and inner[0].type == "ident"
            and len(inner) > 1
            and inner[1].type == "literal"
            and inner[1].value == ":"
        ):
            return not inner[0].lower_value.startswith(("-moz-", "-ms-", "-o-"))
        return _supports_ok(t.content, depth)
    if t.type == "function" and t.lower_name == "selector":
        try:
            LexborHTMLParser("<p></p>").css(tinycss2.serialize(t.arguments))
            return True
        except Exception:  # noqa: BLE001 - lexbor says only that it cannot parse
            return False
    return None


class RawRule(NamedTuple):
    """A style rule as written: its selector list and declaration block, parsed only once
    lexbor says the selector list matches something (most rules of a template match nothing)."""

    prelude: str
    block: str
    order: int


class Animation(NamedTuple):
    """What a @keyframes rule does to the element it runs on, at rest: `final`, the declarations
    its last frame leaves (with `animation-fill-mode` forwards or both), and whether every frame,
    from the first to the last, hides (an animation that runs for ever hides all along)."""

    final: Decls | None
    always: bool


class Sheet(NamedTuple):
    rules: tuple[RawRule, ...]
    coarse: frozenset = frozenset()  # keys of rules read coarsely (see _coarse_keys): they hide
    keyframes: tuple[tuple[str, Animation], ...] = ()
    registered: tuple[tuple[str, str], ...] = ()  # @property: a custom property's initial value


_EMPTY_SHEET = Sheet(())
_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)


def _parse_sheet(css: str) -> Sheet:
    """The style rules of one stylesheet, flattened out of the @media, @supports and @layer
    blocks that apply, in order. The structure comes from one linear scan (_items); at-rule
    preludes are read with tinycss2; rules stay text until they match (see Cascade._match)."""
    rules: list[RawRule] = []
    order = 0

    def items_of(text: str) -> list[tuple[str, str, bool]]:
        out = []
        for start, brace, end in _items(text):
            if brace < 0:
                continue  # @import, @charset, leftovers
            head = text[start:brace]
            if "/*" in head:
                head = _COMMENT.sub(" ", head)
            head = head.strip()
            while head.startswith(("<!--", "-->")):
                head = head[4 if head.startswith("<!--") else 3 :].strip()
            block = text[brace + 1 : end - 1] if text[end - 1] == "}" else text[brace + 1 : end]
            out.append((head, block, head.startswith("@")))
        return out

    # Depth-first in document order, without recursion: each applying at-rule's items replace
    # it on the stack. Each level rescans its block, so past MAX_AT_DEPTH levels (never seen
    # in mail) the content is read coarsely, in one pass.
    coarse: set = set()
    keyframes: list[tuple[str, Animation]] = []
    registered: list[tuple[str, str]] = []
    work = [(head, block, is_at, 1, "") for head, block, is_at in items_of(css)[::-1]]
    while work:
        head, block, is_at, depth, scope = work.pop()
        if not is_at:
            if head:
                order += 1
                rules.append(RawRule(_scoped(head, scope), block, order))
            continue
        name = _keyframes_name(head)
        if name is not None:
            keyframes.append((name, _animation(block)))
            continue
        initial = _registered(head, block)
        if initial is not None:
            registered.append(initial)
            continue
        root = _scope_root(head)
        if root is not None:
            scope = _scoped(root, scope) if root else scope
        elif not _at_rule_applies(head):
            continue
        if depth >= MAX_AT_DEPTH:
            coarse |= _coarse_keys(block)
            continue
        work.extend((h, b, a, depth + 1, scope) for h, b, a in items_of(block)[::-1])
    return Sheet(tuple(rules), frozenset(coarse), tuple(keyframes), tuple(registered))


def _registered(head: str, block: str) -> tuple[str, str] | None:
    """A `@property --name { initial-value: ... }` rule's name and initial value: what var(--name)
    is where no element declares it. None for any other rule (or one without an initial value)."""
    if not head[:12].lower().startswith("@property"):
        return None
    try:
        parts = _values(tinycss2.parse_component_value_list(head, skip_comments=True))
        declarations = tinycss2.parse_blocks_contents(block, skip_comments=True, skip_whitespace=True)
    except RecursionError:
        return None
    if len(parts) != 2 or parts[1].type != "ident" or not parts[1].value.startswith("--"):
        return None
    for d in declarations:
        if d.type == "declaration" and d.lower_name == "initial-value":
            return parts[1].value, tinycss2.serialize(d.value).strip()
    return None


def _scope_root(head: str) -> str | None:
    """The root selector of an `@scope (root) to (limit)` rule ("": none given, the scope is
    the <style>'s parent, taken as the whole message); None when `head` is not @scope. The limit
    is not read: the scope's rules apply below it as well, which can only hide more."""
    try:
        tokens = _values(tinycss2.parse_component_value_list(head, skip_comments=True))
    except RecursionError:
        return ""
    if not tokens or tokens[0].type != "at-keyword" or tokens[0].lower_value != "scope":
        return None
    if len(tokens) > 1 and tokens[1].type == "() block":
        return tinycss2.serialize(tokens[1].content).strip()
    return ""


def _scoped(selectors: str, root: str) -> str:
    """A selector list inside `@scope (root)`: what it names below the root (`:scope` and `&`
    are the root itself)."""
    if not root:
        return selectors
    if ":scope" in selectors.lower() or "&" in selectors:
        return re.sub(":scope", f":is({root})", selectors, flags=re.I).replace("&", f":is({root})")
    return f":is({root}) :is({selectors})"


def _keyframes_name(head: str) -> str | None:
    """The name a `@keyframes` (or `@-webkit-keyframes`) prelude gives; None for any other."""
    if not head[:20].lower().startswith(("@keyframes", "@-webkit-keyframes")):
        return None
    try:
        parts = _values(tinycss2.parse_component_value_list(head, skip_comments=True))
    except RecursionError:
        return None
    if len(parts) != 2 or parts[1].type not in ("ident", "string"):
        return None
    return parts[1].value


def _animation(block: str) -> Animation:
    """A @keyframes rule's block: its frames by offset (from, to, percentages)."""
    offsets: list[tuple[set[float], Decls]] = []
    for start, brace, end in _items(block)[:MAX_FRAMES]:
        if brace < 0:
            continue
        at = set()
        for selector in block[start:brace].lower().split(","):
            word = selector.strip()
            number = word.removesuffix("%")
            if word in ("from", "to"):
                at.add(0.0 if word == "from" else 100.0)
            elif word.endswith("%") and number.replace(".", "", 1).isdigit():
                at.add(float(number))
        inner = block[brace + 1 : end - 1] if block[end - 1] == "}" else block[brace + 1 : end]
        offsets.append((at, inline_style(inner)))
    last = [decls for at, decls in offsets if 100.0 in at]
    final = Decls(tuple(pair for decls in last for pair in decls.normal)) if last else None
    covered = set().union(*(at for at, _ in offsets))
    always = {0.0, 100.0} <= covered and all(_hides_alone(decls) for _, decls in offsets)
    return Animation(final, always)


MAX_FRAMES = 100
"""Frames of one @keyframes rule read at most."""


def _hides_alone(decls: Decls) -> bool:
    hidden, seen = resolve(decls, "div", ROOT)
    return hidden or seen.text_hidden


def _at_rule_applies(head: str) -> bool:
    """@media for a desktop screen, @supports, @layer; the rest (@font-face, @page, @container...)
    holds no rule that applies to an element (@keyframes are read apart: `_animation`)."""
    try:
        tokens = tinycss2.parse_component_value_list(head, skip_comments=True)
    except RecursionError:
        return True
    if not tokens or tokens[0].type != "at-keyword":
        return False
    name = tokens[0].lower_value
    if name == "media":
        return _media_ok(tokens[1:])
    if name == "supports":
        return _supports_ok(tokens[1:])
    return name in ("layer", "document", "-moz-document")


class Parsed(NamedTuple):
    selectors: tuple[Selector, ...]
    decls: Decls
    coarse: frozenset  # keys to hide when the selectors were nested past reading


@lru_cache(maxsize=4096)
def parse_rule(prelude: str, block: str) -> Parsed | None:
    """A rule that matched something, read exactly: None when it is invalid or says nothing
    that matters (neither in its declarations nor in the rules nested in it)."""
    decls = inline_style(block)
    nested = _nested_keys(block) if "{" in block else frozenset()
    if not decls and not nested:
        return None
    try:
        tokens = tinycss2.parse_component_value_list(prelude, skip_comments=True)
    except RecursionError:
        return Parsed((), decls, frozenset([None]))
    if _depth(tokens) > MAX_NESTING:  # past what lexbor and cssselect2 should read
        return Parsed((), decls, frozenset(_last_key(part) for part in _split_commas(tokens)))
    selectors = _selectors(tokens)
    if not selectors:
        return None
    return Parsed(tuple(selectors), decls, nested)


def _nested_keys(block: str) -> frozenset:
    """CSS nesting (`.a { & .b { display:none } }`, which WebKit mail clients apply): each
    nested rule that hides on its own hides, coarsely, what its last compound names."""
    keys: set = set()
    for start, brace, end in _items(block):
        head = block[start:brace].strip() if brace >= 0 else ""
        if not head or head.startswith("@") or any(f":{p}" in head.lower() for p in _STATE_PSEUDO):
            continue
        inner = block[brace + 1 : end - 1] if block[end - 1] == "}" else block[brace + 1 : end]
        hidden, seen = resolve(inline_style(inner), "div", ROOT)
        if hidden or seen.text_hidden:
            keys.update(_text_key(part.replace("&", " ")) for part in head.split(","))
    return frozenset(keys)


parse_sheet = lru_cache(maxsize=64)(_parse_sheet)


def sheet_of(css: str) -> Sheet:
    if "{" not in css:
        return _EMPTY_SHEET
    return parse_sheet(css) if len(css) <= 300_000 else _parse_sheet(css)


_DATA_CSS = re.compile(r"\s*data:text/css(?P<params>[^,]*),", re.I)


def _sheet_text(node: LexborNode) -> str:
    """A <style>'s text, or the stylesheet a <link rel=stylesheet> carries in a data: URL, which
    a mail client loads as it is (no other address is fetched here: "")."""
    if node.tag == "style":
        return node.text(deep=True) or ""
    attrs = node.attributes
    rel = (attrs.get("rel") or "").lower().split()
    href = attrs.get("href") or ""
    found = _DATA_CSS.match(href) if "stylesheet" in rel and "alternate" not in rel else None
    if found is None:
        return ""
    body = href[found.end() : found.end() + 2 * EXACT_CSS]
    if ";base64" not in found["params"].lower():
        return urllib.parse.unquote(body)
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4)).decode("utf-8", "replace")
    except (ValueError, binascii.Error):
        return ""


def _style_applies(node: LexborNode) -> bool:
    attrs = node.attributes
    kind = (attrs.get("type") or "text/css").strip().lower()
    if kind not in ("text/css", ""):
        return False
    media = attrs.get("media")
    if media and media.strip():
        try:
            return _media_ok(tinycss2.parse_component_value_list(media, skip_comments=True))
        except RecursionError:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# The cascade for one document
# ---------------------------------------------------------------------------------------------


class Scope:
    """Custom properties in scope: those an element declares, then its ancestors' (a chain, so
    that declaring one costs nothing however many are inherited). Compared by identity."""

    __slots__ = ("parent", "own")

    def __init__(self, parent: Scope | None, own: dict[str, str | None]) -> None:
        self.parent = parent
        self.own = own  # name -> value text, or None: declared "initial" (no value)

    def get(self, name: str) -> str | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.own:
                return scope.own[name]
            scope = scope.parent
        return None


NO_SCOPE = Scope(None, {})


def registered_root(initial: dict[str, str]) -> Seen:
    """What the root passes down when @property rules give custom properties initial values:
    every element sees them where no ancestor declares its own."""
    return ROOT._replace(custom=Scope(NO_SCOPE, dict(initial))) if initial else ROOT


class Seen(NamedTuple):
    """What an element passes to its content, about what can be seen of it."""

    color: RGBA = BLACK
    fill: object = CURRENT  # -webkit-text-fill-color: RGBA, or CURRENT (the colour)
    background: tuple[float, float, float] | None = WHITE3  # the colour under the text; None: unknown
    font: float = MEDIUM  # font size, px
    rem: float = MEDIUM
    scale: float = 1.0  # transforms and zoom of the ancestors
    opacity: float = 1.0
    invisible: bool = False  # visibility: hidden
    indent: bool = False  # text-indent pushes the text out of the box
    shadow: object = "none"  # a text-shadow colour that draws the letters, or "none"
    stroke: object = None  # a text stroke colour (width > 0), or None
    clip_text: object = None  # background-clip: text paints the letters: an RGBA, "unknown", or None
    custom: Scope = NO_SCOPE  # custom properties in scope (they are inherited)
    masked: bool = False  # -webkit-text-security: each letter drawn as a disc, circle or square
    flipped: bool = False  # in a 3D context (transform-style: preserve-3d) turned back to the viewer
    paint: Paint = ()  # what the filters of the element and its ancestors do to the colours drawn
    adjust: float = 1.0  # font-size-adjust: what the font size is drawn at, as a share of it
    blending: tuple | None = None  # in a mix-blend-mode group: (mode, its backdrop, a background of its own)
    spacing: float = 0.0  # letter-spacing, px
    covered: bool = False  # a box between here and the stacking context drew an opaque background
    perspective: float | None = None  # px: the perspective property, for its children's transforms
    strike: float = 0.0  # px: the thickness of an opaque line drawn through the text (text-decoration)
    clamp: int = 0  # -webkit-line-clamp: the lines this box shows of its content (0: no clamp); not inherited
    text_hidden: bool = False


ROOT = Seen()


_PLAIN_STYLE_TAGS = frozenset(
    ("<style>", '<style type="text/css">', "<style type='text/css'>", "<style type=text/css>")
)


def _style_texts(html: str) -> list[str]:
    """The CSS of <style> elements given as markup: sliced out when the tag is plain, else
    through the parser (for its media and type)."""
    out: list[str] = []
    low = html.lower()
    pos = 0
    while True:
        start = low.find("<style", pos)
        open_end = low.find(">", start) if start >= 0 else -1
        if open_end < 0:
            return out
        close = low.find("</style", open_end + 1)
        stop = close if close >= 0 else len(html)
        if low[start : open_end + 1] in _PLAIN_STYLE_TAGS:
            out.append(html[open_end + 1 : stop])
        else:
            out += [
                n.text(deep=True) or "" for n in LexborHTMLParser(html[start:stop]).css("style") if _style_applies(n)
            ]
        pos = stop + 1


@lru_cache(maxsize=64)
def _rules_of(texts: tuple[str, ...]) -> tuple[list[RawRule], frozenset, dict[str, Animation], dict[str, str]]:
    """The rules of a message's distinct stylesheets in cascade order (sheet, then rule), the
    keys of those read coarsely, the @keyframes by name (the last of a name wins) and the
    initial values @property rules give custom properties (the last of a name wins). Each sheet
    is first trimmed by a linear scan (_prescan); past EXACT_CSS characters or EXACT_RULES rules
    in all, the rest is read coarsely."""
    chars = count = 0
    rules: list[RawRule] = []
    coarse: set = set()
    keyframes: dict[str, Animation] = {}
    registered: dict[str, str] = {}
    for index, text in enumerate(texts):
        exact, rest, used = _prescan(text, EXACT_CSS - chars, EXACT_RULES - count)
        chars += len(exact)
        count += used
        sheet = sheet_of(exact)
        for rule in sheet.rules:
            rules.append(rule._replace(order=index * 1_000_000 + rule.order) if index else rule)
        coarse |= sheet.coarse
        keyframes.update(sheet.keyframes)
        registered.update(sheet.registered)
        if rest:
            coarse |= _coarse_keys(rest)
    return rules, frozenset(coarse), keyframes, registered


_CSS_SPECIAL = re.compile(r"""[{};"'\\/()\[\]]""")
_STRING_END = {'"': re.compile(r'["\\\n]'), "'": re.compile(r"['\\\n]")}
_NON_SPACE = re.compile(r"\S")


def _items(css: str) -> list[tuple[int, int, int]]:
    """The top-level items of a stylesheet as (start, "{" or -1, end) spans, in one linear scan
    that skips comments, strings, escapes and url()s and pairs brackets as CSS does (a "{"
    inside an unclosed "(" does not start a block): rules with their preludes, and at-rules."""
    items: list[tuple[int, int, int]] = []
    n = len(css)
    pos = start = 0
    brace = -1
    opened: list[str] = []  # the brackets open at this point, innermost last
    is_at: bool | None = None
    while pos < n:
        m = _CSS_SPECIAL.search(css, pos)
        if m is None:
            break
        i = m.start()
        c = css[i]
        pos = i + 1
        if c == "/":
            if css.startswith("/*", i):
                end = css.find("*/", i + 2)
                pos = n if end < 0 else end + 2
        elif c == "\\":
            pos = i + 2
        elif c in "\"'":
            j = i + 1
            while True:
                k = _STRING_END[c].search(css, j)
                if k is None:
                    j = n
                    break
                if css[k.start()] == "\\":
                    j = k.start() + 2
                    continue
                j = k.start() + 1
                break
            pos = j
        elif c in "([":
            if c == "(" and css[max(0, i - 3) : i].lower() == "url":
                quote = _NON_SPACE.search(css, i + 1)
                if quote is not None and css[quote.start()] not in "\"'":
                    end = css.find(")", i + 1)  # an unquoted url(): its own token up to ")"
                    pos = n if end < 0 else end + 1
                    continue
            opened.append(c)
        elif c in ")]":
            if opened and opened[-1] == ("(" if c == ")" else "["):
                opened.pop()
        elif c == "{":
            if not opened:
                brace = i
            opened.append(c)
        elif c == "}":
            if opened and opened[-1] == "{":
                opened.pop()
                if not opened:
                    items.append((start, brace, i + 1))
                    start, brace, is_at = i + 1, -1, None
        elif not opened:  # ";": ends an at-rule statement (@import ...;), not a rule's prelude
            if is_at is None:
                first = _NON_SPACE.search(css, start, i)
                is_at = first is not None and css[first.start()] == "@"
            if is_at:
                items.append((start, -1, i + 1))
                start, brace, is_at = i + 1, -1, None
    if start < n:
        items.append((start, brace if opened and opened[0] == "{" else -1, n))
    return items


def _relevant(name: str) -> bool:
    return name.lower() in RELEVANT or name.startswith("--")


def _prescan(css: str, chars: int, rules: int) -> tuple[str, str, int]:
    """(CSS to read exactly, CSS left for the coarse path, rules kept). Rules whose block
    names no property that can hide are dropped, and so are all but the last of identical
    items (the last one alone has the same effect), at-rules without a block (@import), and
    leftovers without one; a sheet too long for the budget keeps its head exact."""
    if len(css) < 2000 and chars >= len(css) and rules >= 50:  # the common case: small enough as it is
        return css, "", css.count("{")
    spans = _items(css)
    keep: dict[str, None] = {}
    for start, brace, end in spans:
        if brace < 0:
            continue
        head = css[start:brace]
        if head.lstrip().startswith("@"):
            text = css[start:end]
        else:
            block = css[brace + 1 : end - 1] if css[end - 1] == "}" else css[brace + 1 : end]
            if not _may_matter(block):
                continue
            if not _TRICKY.search(block):
                # Only the declarations that can matter go on to the parser: exact, since a
                # block without strings, escapes, comments or url() splits on ";" like CSS does.
                block = ";".join(d for d in block.split(";") if _relevant(d.partition(":")[0].strip()))
                if not block:
                    continue
            text = f"{head}{{{block}}}"
        keep.pop(text, None)
        keep[text] = None
    exact: list[str] = []
    rest: list[str] = []
    size = 0
    for text in keep:
        if rest or size + len(text) > chars or len(exact) >= rules:
            rest.append(text)
        else:
            exact.append(text)
            size += len(text)
    return "\n".join(exact), "\n".join(rest), len(exact)


def _coarse_keys(css: str) -> set:
    """Past the budget (hostile amounts of CSS): each innermost block that names a property
    that can hide hides, whatever its values, every element its selectors' last compound
    names (a class, an id, a tag, or None: every element). Linear: one pass over the braces."""
    keys: set = set()
    boundary = 0  # where the current prelude starts
    opening = -1
    for m in re.finditer(r"[{};]", css):
        c = m.group()
        if c == "{":
            opening = m.start()
            prelude_start = boundary
            boundary = m.end()
            prelude = css[prelude_start:opening]
        elif c == "}":
            if opening >= 0 and _may_matter(css[opening : m.start()]):
                head = prelude.strip()
                if head and not head.startswith("@"):
                    keys.update(_text_key(part) for part in head.split(","))
            opening = -1
            boundary = m.end()
        elif opening < 0:
            boundary = m.end()
        if len(keys) > 50_000:
            keys.add(None)
            break
    return keys


_COMPOUND_SPLIT = re.compile(r"[\s>+~]+")
_SIMPLE_PART = re.compile(r"([#.]?)(-?[A-Za-z_][\w-]*)")


def _text_key(selector: str) -> tuple[str, str] | None:
    """A selector's last compound as a key, read from its text (None: any element)."""
    if "\\" in selector or "(" in selector:
        return None
    compound = _COMPOUND_SPLIT.split(selector.strip())[-1].split(":")[0].split("[")[0]
    key = None
    for m in _SIMPLE_PART.finditer(compound):
        kind, name = m.group(1), m.group(2).lower()
        if kind == "#":
            return ("#", name)
        if kind == "." or key is None:
            key = (kind if kind else "", name)
    return key


_COMBINATORS = re.compile(r"\s*[>+~]\s*|\s+")


def _tree_depth(tree: LexborHTMLParser) -> int:
    """How deep the tree's elements nest (one pass over them)."""
    deepest = 0
    work = [(tree.root, 1)] if tree.root is not None else []
    while work:
        node, level = work.pop()
        deepest = max(deepest, level)
        child = node.child
        while child is not None:
            if child.tag is not None and not child.tag.startswith("-"):  # elements, not text or comments
                work.append((child, level + 1))
            child = child.next
    return deepest


_engines = threading.local()


def _select(tree: LexborHTMLParser, query: str) -> list[LexborNode]:
    """`tree.css(query)`, through one lexbor selector engine per thread: `tree.css` makes one
    for each tree, and setting it up (then tearing it down) costs more than most queries on a
    message. The engine keeps nothing of a document between queries."""
    engine = getattr(_engines, "engine", None)
    if engine is None:
        engine = _engines.engine = LexborCSSSelector()
    root = tree.root
    return [] if root is None else engine.find(query, root)


class Cascade:
    """The message's stylesheets matched against its tree: for each element, which rules apply."""

    __slots__ = ("matched", "loose", "rules", "keyframes", "registered", "first_lines", "_animated")

    def __init__(
        self, tree: LexborHTMLParser, extra_html: str = "", estimated_nodes: int = 0, *, own_sheets: bool = True
    ) -> None:
        """`extra_html`: more <style> elements, from markup that was not parsed into `tree`;
        `own_sheets=False`: the tree is known to have none of its own (no need to look)."""
        self.matched: dict[int, tuple[Rule, ...]] = {}
        self.loose: dict[tuple[str, str] | None, tuple[Rule, ...]] = {}  # over-budget rules by key
        self.first_lines = False  # whether some element's first line is styled (see first_line_hides)
        own = _select(tree, "style, link[href]") if own_sheets else []
        texts = [_sheet_text(node) for node in own if _style_applies(node)]
        if extra_html:
            texts += _style_texts(extra_html)
        # Quoted mails bring their own copies of the same stylesheet: one of each is enough.
        rules, coarse, self.keyframes, self.registered = _rules_of(tuple(dict.fromkeys(t for t in texts if "{" in t)))
        self._animated: dict[Decls, Decls] = {}
        self.rules = rules
        if rules:
            self._match(tree, rules, max(estimated_nodes, 1))
        if coarse:
            hide = Decls((), (("display", "none"),))
            for key in coarse:
                self.loose[key] = (*self.loose.get(key, ()), Rule("", (1 << 30, 0, 0), 1 << 40, hide, key))

    def _match(self, tree: LexborHTMLParser, rules: list[RawRule], nodes: int) -> None:
        """Each rule's selector list goes to lexbor as written; only a rule that matches is
        parsed (parse_rule), and its selectors are matched one by one when there are several
        (each has its own specificity)."""
        lists: dict[int, list[Rule]] = {}
        spent = total = 0
        found_by: dict[str, list[int] | None] = {}
        over: list[Rule] = []
        coarse: set = set()
        depth: list[int] = []  # the tree's, measured when a selector first needs it

        def cost(selector: str) -> int:
            """lexbor matches `:has()` by trying every way its selector's combinators can
            place themselves among an element's descendants: for each element, about
            depth-choose-combinators tries (a 3 KB mail of 220 nested divs took 15 s)."""
            if ":has(" not in selector.lower():
                return nodes
            if not depth:
                depth.append(_tree_depth(tree))
            return nodes * math.comb(depth[0], len(_COMBINATORS.findall(selector.strip())))

        def query(selector: str) -> list[int] | None:
            nonlocal spent
            if selector in found_by:
                return found_by[selector]
            spent += cost(selector)
            try:
                found: list[int] | None = [n.mem_id for n in _select(tree, selector)]
            except Exception:  # noqa: BLE001 - lexbor cannot read it (::before, :lang(), ...)
                found = None
            found_by[selector] = found
            return found

        for raw in rules:
            if spent + cost(raw.prelude) > MATCH_BUDGET:
                parsed = parse_rule(raw.prelude, raw.block)
                if parsed is not None:
                    over += [Rule(text, spec, raw.order, parsed.decls, key) for text, spec, key, _ in parsed.selectors]
                    coarse |= parsed.coarse
                continue
            everything = query(raw.prelude)
            if everything == []:
                continue  # matches nothing here: no need to read it
            parsed = parse_rule(raw.prelude, raw.block)
            if parsed is None:
                continue
            coarse |= parsed.coarse
            for text, specificity, key, first_line in parsed.selectors:
                found = everything if len(parsed.selectors) == 1 and text == raw.prelude else query(text)
                if not found:
                    continue
                if total + len(found) > MAX_MATCHES:
                    over.append(Rule(text, specificity, raw.order, parsed.decls, key))
                    continue
                total += len(found)
                rule = Rule(text, specificity, raw.order, parsed.decls, key, first_line)
                for mem_id in found:
                    entry = lists.get(mem_id)
                    if entry is None:
                        lists[mem_id] = [rule]
                    else:
                        entry.append(rule)
        self.matched = {mem_id: tuple(found) for mem_id, found in lists.items()}
        self.first_lines = any(rule.first_line for found in lists.values() for rule in found)
        keyed: dict[tuple[str, str] | None, dict[str, object]] = {}
        # Hostile amounts of CSS: the rest is applied by the last compound selector alone,
        # which may match too much, so only declarations that can hide are kept, merged
        # into one set per selector key (so that each element costs a few lookups).
        for rule in over:
            for pair in rule.decls.normal + rule.decls.important:
                if _hides(pair):
                    keyed.setdefault(rule.key, {})[pair[0]] = pair[1]
        for key in coarse:
            keyed.setdefault(key, {})["display"] = "none"
        for key, decls in keyed.items():
            # Above every other rule and inline style: these can only hide.
            self.loose[key] = (
                *self.loose.get(key, ()),
                Rule("", (1 << 30, 0, 0), 1 << 40, Decls((), tuple(decls.items())), key),
            )

    def animate(self, decls: Decls) -> Decls:
        """`animated` under this message's @keyframes, once per declarations (elements styled
        alike share them), so that what `resolve` remembers of them still applies."""
        if not self.keyframes:
            return decls
        done = self._animated.get(decls)
        if done is None:
            done = self._animated[decls] = animated(decls, self.keyframes)
        return done

    def rules_for(self, node: LexborNode, attrs: dict) -> tuple[Rule, ...]:
        found = self.matched.get(node.mem_id, ())
        if not self.loose:
            return found
        extra: list[Rule] = list(self.loose.get(None, ()))
        extra += self.loose.get(("", node.tag or ""), ())
        ident = (attrs.get("id") or "").lower()
        if ident:
            extra += self.loose.get(("#", ident), ())
        for c in (attrs.get("class") or "").lower().split():
            extra += self.loose.get((".", c), ())
        return tuple(found) + tuple(extra)


def animated(decls: Decls, keyframes: dict[str, Animation]) -> Decls:
    """An element's declarations with what its animations leave at rest: the last frame's
    declarations where the fill mode keeps them (forwards, both), or display none where every
    frame hides and the animation runs for ever. As in the cascade, these come above the
    element's normal declarations and below its `!important` ones."""
    d = dict(decls.normal)
    every = {**d, **dict(decls.important)} if decls.important else d
    names = every.get("animation-name")
    if not isinstance(names, tuple):
        return decls
    fills = every.get("animation-fill-mode")
    counts = every.get("animation-iteration-count")
    fills = tuple(f.lower() for f in fills) if isinstance(fills, tuple) and fills else ("none",)
    counts = tuple(c.lower() for c in counts) if isinstance(counts, tuple) and counts else ("1",)
    changed = False
    for i, name in enumerate(names):
        animation = keyframes.get(name)
        if animation is None:
            continue
        if animation.final is not None and fills[i % len(fills)] in ("forwards", "both"):
            d.update(animation.final.normal)
            changed = True
        if animation.always and counts[i % len(counts)] == "infinite":
            d["display"] = "none"
            changed = True
    return Decls(tuple(d.items()), decls.important) if changed else decls


def _hides(pair: tuple[str, object]) -> bool:
    prop, value = pair
    if prop in (
        "background-color",
        "background-image",
        "background-clip",
        "-webkit-text-stroke-width",
        "-webkit-text-stroke-color",
        "text-shadow",
        "overflow-x",
        "overflow-y",
        "contain",
        "position",
        "animation-name",
        "animation-fill-mode",
        "animation-iteration-count",
    ):
        return False
    if prop == "display":
        return value == "none"
    if prop == "visibility":
        return value in ("hidden", "collapse")
    if prop == "-webkit-text-security":
        return value in ("disc", "circle", "square")
    return value not in (INHERIT, INITIAL)


# ---------------------------------------------------------------------------------------------
# Presentational attributes (the lowest layer of the cascade)
# ---------------------------------------------------------------------------------------------


LINK_BLUE: RGBA = (0.0, 0.0, 238.0, 1.0)  # the UA stylesheet's a:link


def hints(tag: str, attrs: dict, link: RGBA = LINK_BLUE) -> Decls:
    """An element's presentational attributes as declarations. `link`: the colour of links,
    the UA's blue unless <body link> names another."""
    pairs: list = []
    if tag == "a" and "href" in attrs:
        pairs.append(("color", link))  # links do not inherit their colour
    if "hidden" in attrs or (tag == "dialog" and "open" not in attrs):
        pairs.append(("display", "none"))
    if tag in _BGCOLOR_TAGS:
        _legacy_color_hint(pairs, "background-color", attrs.get("bgcolor"))
        if attrs.get("background"):
            pairs.append(("background-image", "image"))
    if tag == "font":
        _legacy_color_hint(pairs, "color", attrs.get("color"))
        size = _legacy_font_size(attrs.get("size"))
        if size is not None:
            pairs.append(("font-size", (size, 0.0, 0.0, 0.0)))
    elif tag == "body":
        _legacy_color_hint(pairs, "color", attrs.get("text"))
    return _interned_hints(tuple(pairs)) if pairs else NO_DECLS


def _legacy_color_hint(pairs: list, name: str, value: str | None) -> None:
    """A colour attribute (bgcolor, <font color>, <body text>) as the declaration it stands for."""
    if value:
        found = legacy_color(value)
        if found is not None:
            pairs.append((name, found))


def is_pixel(attrs: dict) -> bool:
    """A tracking pixel or spacer: 2px or less wide or high, by attribute or inline style, or an
    image carried in a data: URL (drawn whatever remote images a reader blocks) whose own size
    is that small and no attribute makes larger."""
    if _data_pixel(attrs.get("src") or "") and not any(attrs.get(name) for name in ("width", "height")):
        return True
    for name in ("width", "height"):
        value = (attrs.get(name) or "").strip().lower().removesuffix("px").strip()
        if value and value.replace(".", "", 1).isdigit() and float(value) <= 2:
            return True
    style = attrs.get("style")
    if style:
        decls = inline_style(style)
        for prop, value in decls.normal + decls.important:
            if prop in ("width", "height", "max-width", "max-height") and isinstance(value, tuple):
                if px(value, MEDIUM, MEDIUM, VIEWPORT_WIDTH) <= 2:
                    return True
    return False


_DATA_IMAGE = re.compile(r"\s*data:image/(gif|png)[^,]*;base64,", re.IGNORECASE)


def _data_pixel(src: str) -> bool:
    """Whether a data: URL holds a GIF or PNG of 2px or less wide or high, by its header."""
    found = _DATA_IMAGE.match(src)
    if found is None:
        return False
    try:
        head = base64.b64decode(src[found.end() : found.end() + 48] + "==", validate=False)
    except (binascii.Error, ValueError):
        return False
    if found[1].lower() == "gif" and head[:4] == b"GIF8" and len(head) >= 10:
        width, height = int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
    elif head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR" and len(head) >= 24:
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    else:
        return False
    return min(width, height) <= 2


@lru_cache(maxsize=256)
def _interned_hints(pairs: tuple) -> Decls:
    return Decls(pairs)


def _legacy_font_size(value: str | None) -> float | None:
    """HTML's rules for parsing a legacy font size: 1-7, or relative to 3; out of range is clamped."""
    if not value:
        return None
    value = value.strip()
    sign = ""
    if value[:1] in "+-":
        sign, value = value[0], value[1:]
    digits = ""
    for c in value:
        if not c.isdigit() or not c.isascii():
            break
        digits += c
    if not digits:
        return None
    n = int(digits[:3])
    n = 3 + n if sign == "+" else 3 - n if sign == "-" else n
    return _LEGACY_FONT_PX[max(1, min(7, n)) - 1]


# ---------------------------------------------------------------------------------------------
# Resolving an element
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def merged(rules: tuple[Rule, ...], inline: Decls, hint: Decls) -> Decls:
    """Presentational hints < rules by specificity and order < inline < important rules <
    important inline. (::first-line rules style a line, not the element: see `first_line_hides`.)"""
    if any(r.first_line for r in rules):
        rules = tuple(r for r in rules if not r.first_line)
    ordered = sorted(rules, key=lambda r: (r.specificity, r.order)) if len(rules) > 1 else rules
    normal: dict[str, object] = dict(hint.normal)
    important: dict[str, object] = {}
    for rule in ordered:
        normal.update(rule.decls.normal)
        important.update(rule.decls.important)
    normal.update(inline.normal)
    important.update(inline.important)
    return Decls(tuple(normal.items()), tuple(important.items()))


_FIRST_LINE_PROPERTIES = frozenset(
    "color -webkit-text-fill-color font-size font-size-adjust background-color background-image text-shadow "
    "-webkit-text-stroke-width -webkit-text-stroke-color".split()
)
"""What a ::first-line rule can change of the line's text (CSS Pseudo-Elements 4: fonts, colour,
backgrounds, text shadow) that can hide it."""


@lru_cache(maxsize=1024)
def first_line_hides(rules: tuple[Rule, ...], decls: Decls, tag: str, parent: Seen) -> bool:
    """Whether the ::first-line rules among `rules` hide the first line of an element whose own
    declarations are `decls`. Where lines fall is not known here, so a caller drops the whole
    element then: a first line hidden from a reader must not reach the model, and no mail that
    means its text to be read hides its first line."""
    line = merged(tuple(r._replace(first_line=False) for r in rules if r.first_line), NO_DECLS, NO_DECLS)
    own = [(k, v) for k, v in line.normal + line.important if k in _FIRST_LINE_PROPERTIES]
    if not own:
        return False
    element = dict(decls.normal)
    element.update(decls.important)
    element.update(own)  # the line's own declarations win over what it inherits from the element
    hidden, seen = resolve(Decls(tuple(element.items())), tag, parent)
    return hidden or seen.text_hidden


def _value(d: dict, prop: str, parent):
    value = d.get(prop)
    return parent if value is None or value == INHERIT else value


@lru_cache(maxsize=8192)
def resolve(decls: Decls, tag: str, parent: Seen) -> tuple[bool, Seen]:
    """Whether the element is hidden with all it holds, and what its content inherits."""
    d = dict(decls.normal)
    if decls.important:
        d.update(decls.important)
    custom = parent.custom
    if any(k.startswith("--") or v.__class__ is VarValue for k, v in d.items()):
        custom = _with_vars(d, custom)
    get = d.get
    display = get("display")
    if display == "none" or get("content-visibility") == "hidden" or get("mso-hide") == "all":
        return True, parent
    if isinstance(display, str) and display not in (INHERIT, INITIAL):
        inline = display.split()[0] in ("inline", "contents", "ruby")
    else:
        inline = tag not in _BLOCKISH
    position = get("position")
    on_its_own = _out_of_flow(get)
    if on_its_own:
        inline = False

    # Opacity accumulates down the tree.
    opacity = parent.opacity
    value = get("opacity")
    if isinstance(value, float):
        opacity *= max(0.0, min(1.0, value))
    paint = parent.paint
    value = get("filter")
    if isinstance(value, Filter):
        opacity *= value.opacity
        paint = value.paint + paint  # its own filter draws first, then its ancestors'
    mask = get("mask-image")
    if opacity < MIN_OPACITY or mask == "clear" or (mask == "image" and get("mask-size") == "zero"):
        return True, parent
    z = get("z-index")
    positioned = position in ("relative", "absolute", "fixed", "sticky")
    if positioned and isinstance(z, float) and z < 0 and parent.covered:
        return True, parent  # painted under the background of a box it is inside

    # Font size first: em lengths below are of this element's font.
    font = parent.font
    size = get("font-size")
    if size == INITIAL:
        font = MEDIUM
    elif isinstance(size, tuple):
        value = size[0] + size[1] * parent.font + size[2] * parent.rem
        if value >= 0:
            font = value
    rem = font if tag == "html" else parent.rem
    adjust = _value(d, "font-size-adjust", parent.adjust)
    if adjust == INITIAL:
        adjust = 1.0
    spacing = parent.spacing
    value = get("letter-spacing")
    if value in (INITIAL, "normal"):
        spacing = 0.0
    elif isinstance(value, tuple):
        spacing = px(value, font, rem, font)

    scale = parent.scale
    if not d.keys() & _GEOMETRY:
        pass
    elif _moved_away(get, inline, position, font, rem):
        return True, parent
    else:
        zoom = get("zoom")
        if isinstance(zoom, float):
            scale *= zoom
        if not inline:
            depth = parent.perspective
            for prop in _TRANSFORMS:
                value = get(prop)
                if isinstance(value, Box):
                    scale *= min(abs(value.sx), abs(value.sy))
                    if depth is not None and value.tz:
                        if value.tz >= depth:
                            return True, parent  # moved to or past the eye: not drawn
                        scale *= depth / (depth - value.tz)
    flipped = False
    if not inline and (parent.flipped or "backface-visibility" in d or "transform-style" in d):
        flipped = parent.flipped
        for prop in _TRANSFORMS:
            value = get(prop)
            if isinstance(value, Box) and value.back:
                flipped = not flipped
        if flipped and get("backface-visibility") == "hidden":
            return True, parent
        flipped = flipped and get("transform-style") == "preserve-3d"

    # Inherited values.
    color = _value(d, "color", parent.color)
    if color == INITIAL:
        color = BLACK
    elif color == CURRENT:
        color = parent.color
    fill = _value(d, "-webkit-text-fill-color", parent.fill)
    if fill == INITIAL:
        fill = CURRENT
    visibility = get("visibility")
    invisible = (
        parent.invisible if visibility is None or visibility == INHERIT else visibility in ("hidden", "collapse")
    )
    security = get("-webkit-text-security")
    masked = parent.masked if security is None or security == INHERIT else security in ("disc", "circle", "square")
    indent = parent.indent
    value = get("text-indent")
    if value == INITIAL:
        indent = False
    elif isinstance(value, tuple) and not inline:
        shift = px(value, font, rem, VIEWPORT_WIDTH)
        indent = not OFF_BEFORE < shift < OFF_AFTER
    shadow = _value(d, "text-shadow", parent.shadow)
    if shadow == INITIAL:
        shadow = "none"
    stroke = parent.stroke
    if "-webkit-text-stroke-width" in d or "-webkit-text-stroke-color" in d:
        width = get("-webkit-text-stroke-width")
        stroke_color = get("-webkit-text-stroke-color")
        if isinstance(width, tuple):
            stroke = (
                (stroke_color if stroke_color not in (None, INHERIT, INITIAL) else CURRENT)
                if px(width, font, rem, 0) > 0.3
                else None
            )
        elif width == INITIAL:
            stroke = None

    # The background under the text, and a blend group this element starts (blended as a whole
    # with what is under it, its backdrop).
    blending = parent.blending
    mode = get("mix-blend-mode")
    if mode in _BLEND_MODES:
        blending = (mode, parent.background, False) if parent.background is not None else None
    background = parent.background
    clip_text = parent.clip_text
    image = get("background-image")
    bg = get("background-color")
    if bg == CURRENT:
        bg = color
    if isinstance(image, tuple):  # a gradient of one colour, drawn over the background colour
        if isinstance(bg, tuple) and bg[3] >= 0.99 and image[3] < 0.99:
            bg = (*blend(image, bg[:3]), 1.0)
        elif image[3] > 0.05 or not isinstance(bg, tuple):
            bg = image
        image = "none"
    if get("background-clip") == "text":
        if image == "image":
            clip_text = "unknown"
        elif isinstance(bg, tuple) and bg[3] > 0.05:
            clip_text = painted(paint, bg)
    elif image == "image":
        background = None
    elif isinstance(bg, tuple) and bg[3] >= 0.99:
        background = painted(paint, bg[:3])
    elif isinstance(bg, tuple) and bg[3] > 0.05 and background is not None:
        background = blend(painted(paint, bg), background)
    if blending is not None and not blending[2] and background is not parent.background:
        blending = (blending[0], blending[1], True) if background is not None else None
    # What a positioned box with a negative z-index inside this one is painted under; a stacking
    # context starts over: its own background is painted under all it holds.
    covered = (
        parent.covered
        or (
            tag not in ("html", "body") and isinstance(bg, tuple) and bg[3] >= 0.99 and get("background-clip") != "text"
        )
    ) and not ((positioned and isinstance(z, float)) or position in ("fixed", "sticky") or _stacks(get))

    value = get("perspective")
    perspective = max(px(value, font, rem, 0.0), 1.0) if isinstance(value, tuple) and not inline else None
    # A line through the text is drawn over it, on all the text inside save what is laid out
    # on its own (inline blocks, floats, positioned boxes); thick enough, no letter shows.
    on_its_own = on_its_own or (isinstance(display, str) and display.startswith("inline-"))
    strike = 0.0 if on_its_own else parent.strike
    if get("text-decoration-line") == "through":
        thickness = get("text-decoration-thickness")
        line_color = get("text-decoration-color")
        line_color = color if line_color is None or line_color in (CURRENT, INITIAL) else line_color
        if isinstance(thickness, tuple) and isinstance(line_color, tuple) and line_color[3] >= 0.9:
            strike = max(strike, px(thickness, font, rem, font))

    seen = Seen(
        color,
        fill,
        background,
        font,
        rem,
        scale,
        opacity,
        invisible,
        indent,
        shadow,
        stroke,
        clip_text,
        custom,
        masked,
        flipped,
        paint,
        adjust,
        blending,
        spacing,
        covered,
        perspective,
        strike,
        _clamp(get),
    )
    if _text_hidden(seen):
        seen = seen._replace(text_hidden=True)
    if seen == parent:
        return False, parent
    return False, seen


def _clamp(get) -> int:
    """The lines a box clamped by -webkit-line-clamp shows (0: none): it needs display
    -webkit-box, a vertical box and its overflow cut, else the lines past the clamp show."""
    lines = get("-webkit-line-clamp")
    if not isinstance(lines, float) or not 1 <= lines < 10_000 or not lines.is_integer():
        return 0
    display = get("display")
    if display not in ("-webkit-box", "-webkit-inline-box") or get("-webkit-box-orient") != "vertical":
        return 0
    return int(lines) if get("overflow-y") in ("hidden", "clip") else 0


def _out_of_flow(get) -> bool:
    """Floated or absolutely positioned: laid out apart from the lines around it."""
    return get("position") in ("absolute", "fixed") or get("float") in ("left", "right", "inline-start", "inline-end")


_INLINE_DISPLAYS = frozenset(("inline", "contents", "ruby", "ruby-text"))
_BLOCK_DISPLAYS = frozenset(("block", "list-item", "flow-root", "block flow", "block flow-root"))


def layout_of(decls: Decls, tag: str) -> str:
    """How an element sits among the lines of a clamped box (html_walk's Clamp): "block" (it
    starts and ends a line of its own), "inline" (its text runs on the lines), "atomic" (one
    piece on a line: an inline block), "other" (a block laid out its own way: a table, flex,
    grid) or "out" (floated or positioned: its place is not known)."""
    d = dict(decls.normal)
    d.update(decls.important)
    if _out_of_flow(d.get):
        return "out"
    display = d.get("display")
    if not isinstance(display, str) or display in (INHERIT, INITIAL):
        return "block" if tag in _FLOW_BLOCKS else "other" if tag in _BLOCKISH else "inline"
    if display in _INLINE_DISPLAYS:
        return "inline"
    if display in _BLOCK_DISPLAYS:
        return "block"
    return "atomic" if display.startswith("inline") or display == "-webkit-inline-box" else "other"


_FLOW_BLOCKS = _BLOCKISH - frozenset(
    "table tbody tfoot thead tr td th img video iframe object embed canvas input select textarea button marquee".split()
)
"""Elements that are blocks of lines by default (the rest of _BLOCKISH are tables and replaced elements)."""


def _stacks(get) -> bool:
    """Whether an element starts a stacking context (other than by position and z-index)."""
    opacity, filtered, contain = get("opacity"), get("filter"), get("contain")
    return (
        (isinstance(opacity, float) and opacity < 1)
        or any(isinstance(get(p), Box) and get(p) != _NO_TRANSFORM for p in _TRANSFORMS)
        or (isinstance(filtered, Filter) and filtered != Filter())
        or get("mix-blend-mode") in _BLEND_MODES
        or get("isolation") == "isolate"
        or _paint_contained(contain)
    )


_GEOMETRY = frozenset(
    "left top right bottom margin-left margin-top padding-left zoom transform translate scale rotate clip clip-path "
    "width height max-width max-height".split()
)


_PAINT_CONTAINED = frozenset({"paint", "content", "strict"})
"""`contain` values that clip what overflows the box, as `overflow: clip` does."""


def _paint_contained(contain: object) -> bool:
    return isinstance(contain, str) and not _PAINT_CONTAINED.isdisjoint(contain.split())


def _moved_away(get, inline: bool, position: object, font: float, rem: float) -> bool:
    """Whether the box is out of sight: moved off-screen (position, margin, transform), scaled
    or zoomed to nothing, clipped to nothing, or a box of at most 1px whose overflow is cut
    (and max-width / max-height 0, the preheader idiom)."""

    def off(prop: str, base: float) -> float | None:
        value = get(prop)
        return px(value, font, rem, base) if isinstance(value, tuple) else None

    if position in ("absolute", "fixed", "relative", "sticky"):
        left, top = off("left", VIEWPORT_WIDTH), off("top", VIEWPORT_HEIGHT)
        right, bottom = off("right", VIEWPORT_WIDTH), off("bottom", VIEWPORT_HEIGHT)
        if (left is not None and not OFF_BEFORE < left < OFF_AFTER) or (
            top is not None and not OFF_BEFORE < top < OFF_AFTER
        ):
            return True
        if left is None and right is not None and not -OFF_AFTER < right < VIEWPORT_WIDTH - OFF_BEFORE:
            return True
        if top is None and bottom is not None and not -OFF_AFTER < bottom < VIEWPORT_HEIGHT - OFF_BEFORE:
            return True
    margin_left = off("margin-left", VIEWPORT_WIDTH)
    if margin_left is not None and not OFF_BEFORE < margin_left < OFF_AFTER:
        return True
    padding_left = off("padding-left", VIEWPORT_WIDTH)
    if padding_left is not None and padding_left >= OFF_AFTER:
        return True
    margin_top = off("margin-top", VIEWPORT_WIDTH)
    if not inline and margin_top is not None and margin_top <= OFF_BEFORE:
        return True
    zoom = get("zoom")
    if isinstance(zoom, float) and zoom <= 0.0:
        return True
    if not inline:
        for prop in _TRANSFORMS:
            value = get(prop)
            if isinstance(value, Box):
                if not OFF_BEFORE < value.tx < OFF_AFTER or not OFF_BEFORE < value.ty < OFF_AFTER:
                    return True
                if min(abs(value.sx), abs(value.sy)) < 0.01:
                    return True
    if get("clip") == "empty" and position in ("absolute", "fixed"):
        return True
    if get("clip-path") == "empty":
        return True
    if not inline:
        painted_inside = _paint_contained(get("contain"))
        for size_prop, max_prop, overflow_prop, base in (
            ("width", "max-width", "overflow-x", VIEWPORT_WIDTH),
            ("height", "max-height", "overflow-y", VIEWPORT_HEIGHT),
        ):
            limit = off(max_prop, base)
            if limit is not None and limit <= 0:
                return True
            if painted_inside or get(overflow_prop) in ("hidden", "clip", "scroll", "auto"):
                sizes = [v for v in (off(size_prop, base), limit) if v is not None]
                if sizes and min(sizes) <= 1:
                    return True
    return False


def _with_vars(d: dict, custom: Scope) -> Scope:
    """Custom properties declared here join those inherited; values with var() are read with
    them substituted (in place in `d`). Returns the custom properties in scope."""
    own: dict[str, str | None] = {}
    for k in [k for k in d if k.startswith("--")]:
        v = d.pop(k)
        word = v.strip().lower()
        if word in ("inherit", "unset", "revert", "revert-layer"):
            continue
        own[k] = None if word == "initial" else v
    if own:
        custom = Scope(custom, own)
    for key, value in [(k, v) for k, v in d.items() if v.__class__ is VarValue]:
        del d[key]
        text = _substitute(value.text, custom)
        if text is None:
            continue  # invalid at computed-value time: as if not declared
        try:
            d.update(_read(value.prop, tinycss2.parse_component_value_list(text, skip_comments=True)))
        except (RecursionError, ValueError, TypeError, ZeroDivisionError, OverflowError, IndexError):
            continue
    return custom


@lru_cache(maxsize=1024)
def _substitute(text: str, scope: Scope) -> str | None:
    """`text` with each var(--name, fallback) replaced by the custom property's value (or the
    fallback); None if one is missing without fallback, cyclic, or grows past reason."""
    for _ in range(8):
        if "var(" not in text.lower():
            return text
        replaced = _replaced(tinycss2.parse_component_value_list(text, skip_comments=True), scope, 0)
        if replaced is None or len(replaced) > 10_000:
            return None
        text = replaced
    return None if "var(" in text.lower() else text


_BLOCKS = {"() block": ("(", ")"), "[] block": ("[", "]"), "{} block": ("{", "}")}


def _replaced(tokens: list, scope: Scope, depth: int) -> str | None:
    """One round of `_substitute`: each var() replaced, at any depth inside functions
    (calc(var(--s) * 1px), rgb(var(--c))) and blocks; a fallback is put in as written (the next
    round replaces the var() it may hold)."""
    if depth > 32:
        return None
    out: list[str] = []
    for t in tokens:
        if t.type == "function" and t.lower_name == "var":
            args = _split_commas(t.arguments)
            name = tinycss2.serialize(args[0]).strip()
            found = scope.get(name)
            if found is None:
                if len(args) < 2:
                    return None
                found = ",".join(tinycss2.serialize(a) for a in args[1:]).strip()
            out.append(f" {found} ")
        elif t.type == "function" or t.type in _BLOCKS:
            inner = _replaced(t.arguments if t.type == "function" else t.content, scope, depth + 1)
            if inner is None:
                return None
            opening, closing = _BLOCKS.get(t.type) or (serialize_identifier(t.name) + "(", ")")
            out.append(f"{opening}{inner}{closing}")
        else:
            out.append(tinycss2.serialize([t]))
    return "".join(out)


def _text_hidden(s: Seen) -> bool:
    if s.invisible or s.masked or s.indent or s.font * s.scale * s.adjust < TINY_PX or s.spacing < -OVERLAP * s.font:
        return True
    if s.strike >= STRUCK * s.font:
        return True
    background = s.background
    if s.clip_text is not None:  # letters painted with the background
        if s.clip_text == "unknown" or background is None:
            return False
        return close(blend(_faded(s.clip_text, s.opacity), background), background)  # type: ignore[arg-type]
    paint = s.color if s.fill == CURRENT else s.fill
    if _shows(paint, s, background):  # type: ignore[arg-type]
        return False
    for outline in (s.stroke, s.shadow):
        if outline is None or outline == "none":
            continue
        if _shows(s.color if outline == CURRENT else outline, s, background):  # type: ignore[arg-type]
            return False
    return True


def _faded(color: RGBA, opacity: float) -> RGBA:
    return (color[0], color[1], color[2], color[3] * opacity)


def _shows(paint: RGBA, s: Seen, background: tuple | None) -> bool:
    """Whether letters drawn in `paint` (under the filters of `s`) stand out from `background`
    (drawn already)."""
    if not isinstance(paint, tuple):
        return True
    paint = _faded(painted(s.paint, paint), s.opacity)
    if paint[3] < MIN_OPACITY:
        return False
    if background is None:
        return True
    if s.blending is None:
        return not close(blend(paint, background), background)
    mode, backdrop, own = s.blending
    if own:  # letters and what is around them are drawn in the group, then blended together
        return not close(mixed(mode, blend(paint, background), backdrop), mixed(mode, background, backdrop))
    return not close(blend((*mixed(mode, paint, backdrop), paint[3]), backdrop), backdrop)


# ---------------------------------------------------------------------------------------------
# Caches
# ---------------------------------------------------------------------------------------------


class _Caches:
    """Every cache of this module, cleared together (benchmarks time cold runs)."""

    @staticmethod
    def cache_clear() -> None:
        _inline_cached.cache_clear()
        parse_sheet.cache_clear()
        parse_rule.cache_clear()
        _rules_of.cache_clear()
        merged.cache_clear()
        resolve.cache_clear()
        _interned_hints.cache_clear()
        legacy_color.cache_clear()
        _hash_color.cache_clear()
        _ident_color.cache_clear()
        _substitute.cache_clear()


CACHES = _Caches()
