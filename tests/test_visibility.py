"""Focused tests of tools/render/visibility.py: colours, lengths, media queries, the cascade,
image alt text, and the bounds that keep hostile CSS cheap and closed."""

from __future__ import annotations

import time

import pytest
import tinycss2
from hypothesis import given, settings
from hypothesis import strategies as st

from leadinbox_mcp.tools.render import html as html_module
from leadinbox_mcp.tools.render import visibility
from leadinbox_mcp.tools.render.html import convert, html_to_text

SECRET = "SECRET-PAYLOAD"

NAMED = (
    "aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown burlywood "
    "cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod "
    "darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon "
    "darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray "
    "dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray green "
    "greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush lawngreen lemonchiffon "
    "lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon "
    "lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen "
    "magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue "
    "mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy "
    "oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred papayawhip "
    "peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown "
    "seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan teal "
    "thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen"
).split()


def color(text: str):
    return visibility.color_of(tinycss2.parse_component_value_list(text))


def rgb(text: str):
    value = color(text)
    assert isinstance(value, tuple), (text, value)
    return tuple(round(c) for c in value[:3]), round(value[3], 2)


def shown(html: str) -> str:
    return " ".join(html_to_text(html).split())


# ---------------------------------------------------------------------------------------------
# Colours
# ---------------------------------------------------------------------------------------------


def test_all_148_named_colours():
    assert len(NAMED) == len(set(NAMED)) == 148
    for name in NAMED:
        value, alpha = rgb(name)
        assert alpha == 1.0, name
        assert rgb(name.upper()) == (value, alpha)
    assert rgb("rebeccapurple") == ((102, 51, 153), 1.0)
    assert rgb("snow") == ((255, 250, 250), 1.0)


@pytest.mark.parametrize("name", NAMED)
def test_named_colour_text_is_hidden_on_white_only_when_it_looks_white(name):
    (r, g, b), _ = rgb(name)
    looks_white = min(r, g, b) >= 255 - visibility.CLOSE
    out = shown(f'<p>Before.</p><p style="color:{name}">{SECRET}</p>')
    assert (SECRET not in out) == looks_white, (name, (r, g, b))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#fff", ((255, 255, 255), 1.0)),
        ("#FFF8", ((255, 255, 255), 0.53)),
        ("#0a0B0c", ((10, 11, 12), 1.0)),
        ("#11223380", ((17, 34, 51), 0.5)),
        ("rgb(255, 0, 0)", ((255, 0, 0), 1.0)),
        ("rgb(255 0 0)", ((255, 0, 0), 1.0)),
        ("rgb(100% 0% 0%)", ((255, 0, 0), 1.0)),
        ("rgba(0, 0, 255, .25)", ((0, 0, 255), 0.25)),
        ("rgb(0 0 255 / 25%)", ((0, 0, 255), 0.25)),
        ("rgba(0 0 255 / 0.5)", ((0, 0, 255), 0.5)),
        ("hsl(120, 100%, 50%)", ((0, 255, 0), 1.0)),
        ("hsl(120deg 100% 50%)", ((0, 255, 0), 1.0)),
        ("hsla(0, 0%, 100%, 0.1)", ((255, 255, 255), 0.1)),
        ("hsl(0 0% 0% / 50%)", ((0, 0, 0), 0.5)),
        ("hwb(0 100% 0%)", ((255, 255, 255), 1.0)),
        ("lab(100 0 0)", ((255, 255, 255), 1.0)),
        ("oklch(100% 0 0)", ((255, 255, 255), 1.0)),
        ("color(srgb 1 1 1)", ((255, 255, 255), 1.0)),
        ("light-dark(white, black)", ((255, 255, 255), 1.0)),  # mail is read in the light scheme here
        ("color-mix(in srgb, white 100%, black)", ((255, 255, 255), 1.0)),
        ("color-mix(in oklch, #fff, #ffffff)", ((255, 255, 255), 1.0)),
        ("color-mix(in srgb, red, blue)", ((128, 0, 128), 1.0)),
        ("color-mix(in srgb, white 30%, transparent)", ((255, 255, 255), 0.3)),  # premultiplied
        ("color-mix(in srgb, white 20%, black 20%)", ((128, 128, 128), 0.4)),  # shares under 100% lower alpha
        ("color-mix(in srgb, light-dark(#fff, #000) 90%, #eee)", ((253, 253, 253), 1.0)),
        ("rgb(from white r g b)", ((255, 255, 255), 1.0)),  # CSS Color 5's relative colours
        ("rgb(from #000 255 100% b)", ((255, 255, 0), 1.0)),
        ("rgba(from rgb(9 9 9 / .5) r g b / alpha)", ((9, 9, 9), 0.5)),
        ("rgb(from black r g b / 0)", ((0, 0, 0), 0.0)),
        ("hsl(from #fff h s l)", ((255, 255, 255), 1.0)),
        ("transparent", ((0, 0, 0), 0.0)),
        ("Canvas", ((255, 255, 255), 1.0)),
        ("ffffff", ((255, 255, 255), 1.0)),  # quirks mode: hex without '#'
        ("000", ((0, 0, 0), 1.0)),
    ],
)
def test_colour_syntaxes(text, expected):
    assert rgb(text) == expected


def test_keywords_and_non_colours():
    assert color("currentColor") == visibility.CURRENT
    assert color("inherit") == visibility.INHERIT
    assert color("initial") == visibility.INITIAL
    assert color("nonsense") is None
    assert color("#12") is None
    assert color("rgb(1, 2)") is None
    assert color("color-mix(in srgb, currentColor, white)") is None  # unknown: the text is shown
    assert color("color-mix(srgb, white, black)") is None
    assert color("light-dark(white)") is None


@pytest.mark.parametrize(
    "markup",
    [
        f'<div style="background:#fff"><span style="color:color-mix(in srgb, #fff 95%, #000)">{SECRET}</span></div>',
        f'<span style="color:light-dark(#fff, #000)">{SECRET}</span>',
        f"<style>.x{{color:color-mix(in srgb, white, transparent 100%)}}</style><span class=x>{SECRET}</span>",
        f'<div style="contain:paint;width:0;height:0">{SECRET}</div>',
        f'<div style="contain:content;height:1px">{SECRET}</div>',
        f"<style>@media screen{{.c{{contain:strict;width:0;height:0}}}}</style><div class=c>{SECRET}</div>",
        f'<div style="transform:perspective(1px) translateZ(-99999px)">{SECRET}</div>',
        f'<div style="transform:perspective(100px) translate3d(0, 0, 100px)">{SECRET}</div>',  # at the eye
        f'<span style="-webkit-text-security:disc">{SECRET}</span>',
        f"<style>.m{{-webkit-text-security:square}}</style><div class=m><p>{SECRET}</p></div>",  # inherited
    ],
)
def test_colour_functions_of_css_color_5_paint_containment_depth_and_masks_hide(markup):
    assert SECRET not in shown(markup) and "Shown" in shown(markup + "<p>Shown</p>"), markup


@pytest.mark.parametrize(
    "markup",
    [
        f'<span style="color:light-dark(#000, #fff)">{SECRET}</span>',
        f'<span style="color:color-mix(in srgb, #fff 40%, #000)">{SECRET}</span>',
        f'<div style="contain:size">{SECRET}</div>',  # size containment does not clip
        f'<div style="contain:layout;height:0">{SECRET}</div>',  # nor does layout containment
        f'<span style="contain:paint;width:0">{SECRET}</span>',  # nor any on an inline box
        f'<div style="transform:perspective(500px) translateZ(-50px)">{SECRET}</div>',  # a little smaller
        f'<div style="transform:translateZ(-99999px)">{SECRET}</div>',  # no perspective: flat
        f'<div style="-webkit-text-security:disc"><p style="-webkit-text-security:none">{SECRET}</p></div>',
    ],
)
def test_what_css_color_5_containment_depth_and_masks_leave_visible_is_shown(markup):
    assert SECRET in shown(markup), markup


@pytest.mark.parametrize(
    "markup",
    [
        # The back of a box turned about x or y, which backface-visibility: hidden does not draw.
        f'<div style="backface-visibility:hidden;transform:rotateY(180deg)">{SECRET}</div>',
        f'<div style="-webkit-backface-visibility:hidden;-webkit-transform:rotateX(180deg)">{SECRET}</div>',
        f'<div style="backface-visibility:hidden;transform:rotate3d(1, 1, 0, 180deg)">{SECRET}</div>',
        f'<div style="backface-visibility:hidden;transform:matrix3d(-1,0,0,0,0,1,0,0,0,0,-1,0,0,0,0,1)">{SECRET}</div>',
        f'<div style="backface-visibility:hidden;transform:scaleZ(-1)">{SECRET}</div>',
        f'<div style="backface-visibility:hidden;rotate:0 1 0 180deg">{SECRET}</div>',
        f'<div style="backface-visibility:hidden;rotate:x 120deg">{SECRET}</div>',
        # A card turned over: the face that is not turned with it shows its back.
        "<style>.card{transform-style:preserve-3d;transform:rotateY(180deg)} .face{backface-visibility:hidden}</style>"
        f"<div class=card><div class=face>{SECRET}</div></div>",
        # Filters change the colours of all the element draws, not the backdrop it is drawn on.
        f'<div style="filter:invert(1)">{SECRET}</div>',
        f'<div style="filter:invert(100%) opacity(1)">{SECRET}</div>',
        f'<div style="filter:brightness(10);color:#333">{SECRET}</div>',
        f'<div style="background:#000;color:#fff"><p style="filter:invert(1)">{SECRET}</p></div>',
        f'<div style="filter:brightness(0);background:#fff">{SECRET}</div>',
        f'<div style="filter:invert(1)"><p style="filter:invert(0)">{SECRET}</p></div>',  # not undone inside
        f'<div style="filter:contrast(0);background:#000;color:#fff">{SECRET}</div>',  # one grey
        f'<div style="filter:contrast(0)"><p style="background:#fff;color:#000">{SECRET}</p></div>',
        f'<div style="filter:grayscale(1);background:#004d00;color:#f00">{SECRET}</div>',  # equal luminance
        f'<div style="filter:saturate(0%);background:#004d00;color:#f00">{SECRET}</div>',
        f'<div style="filter:sepia(1);background:#008000;color:#f00">{SECRET}</div>',
        f'<div style="filter:grayscale(1);color:#ff0">{SECRET}</div>',  # light yellow turns the page's white
        f'<div style="filter:contrast(1e308);color:#ddd">{SECRET}</div>',  # light grey made white
        f'<div style="background:#006d6d"><p style="filter:hue-rotate(180deg);color:#f00">{SECRET}</p></div>',
        f'<div style="background:#006d6d"><p style="filter:hue-rotate(0.5turn);color:#f00">{SECRET}</p></div>',
        # A parent's perspective: a child moved to the eye is not drawn, one moved far back is a dot.
        f'<div style="perspective:1px"><p style="transform:translateZ(2px)">{SECRET}</p></div>',
        f'<div style="perspective:100px"><p style="transform:translateZ(-100000px)">{SECRET}</p></div>',
        f"<style>.s{{-webkit-perspective:10px}} .s > p{{transform:translate3d(0,0,20px)}}</style><div class=s><p>{SECRET}</p></div>",
        f'<div style="perspective:5px"><p style="translate:0 0 6px">{SECRET}</p></div>',
        # A line through the text, an em and more thick, covers every letter (in any opaque colour).
        f'<div style="text-decoration:line-through 2em #fff">{SECRET}</div>',
        f'<div style="text-decoration-line:line-through;text-decoration-thickness:100px">{SECRET}</div>',
        f'<div style="text-decoration:line-through 30px"><span style="text-decoration:none">{SECRET}</span></div>',
        f"<style>.s{{-webkit-text-decoration:line-through #000 200%}}</style><p class=s>{SECRET}</p>",
        # Padding pushes the content out of sight to the right, as a margin does.
        f'<div style="padding-left:99999px">{SECRET}</div>',
        f'<div style="padding:0 0 0 600vw">{SECRET}</div>',
        f"<style>.p{{padding-inline-start:9999px}}</style><p class=p>{SECRET}</p>",
        f'<span style="padding-left:10000px">{SECRET}</span>',
        # A mask drawn at no size shows nothing of what it covers.
        f'<div style="mask-image:url(m.png);mask-size:0">{SECRET}</div>',
        f'<div style="-webkit-mask-image:linear-gradient(#000,#000);-webkit-mask-size:100% 0%">{SECRET}</div>',
        f'<div style="mask:url(m.png) center / 0 0 no-repeat">{SECRET}</div>',
        f"<style>.m{{-webkit-mask:url(m.svg) 0 0/0px}}</style><div class=m>{SECRET}</div>",
        # mix-blend-mode: screen makes black its backdrop, multiply white (on anything).
        f'<span style="mix-blend-mode:screen">{SECRET}</span>',
        f"<style>.b{{mix-blend-mode:lighten}}</style><div class=b><p style='color:#222'>{SECRET}</p></div>",
        f'<div style="mix-blend-mode:color-dodge">{SECRET}</div>',
        f'<div style="background:#123;color:#fff"><p style="mix-blend-mode:multiply">{SECRET}</p></div>',
        f'<div style="mix-blend-mode:screen;background:#000;color:#fff">{SECRET}</div>',  # all white on white
        # font-size-adjust: 0 draws text at no size (CSS Fonts 3; WPT font-size-adjust-005).
        f'<div style="font-size-adjust:0">{SECRET}</div>',
        f"<style>.z{{font-size-adjust:ex-height 0}}</style><div class=z><p>{SECRET}</p></div>",
        f'<div style="font-size-adjust:0.05">{SECRET}</div>',
        # ::first-line: where lines fall is not known, so an element whose first line is hidden goes.
        f"<style>.c::first-line{{font-size:0}}</style><p class=c>{SECRET}</p>",
        f"<style>div > p:first-line{{color:#fff}}</style><div><p>{SECRET}</p></div>",
        f"<style>@media screen{{.c::FIRST-LINE{{color:transparent}}}}</style><div class=c>{SECRET}</div>",
        f"<style>.c::first-line{{background:#000}}</style><div class=c>{SECRET}</div>",  # black on black
        f"<style>.a::first-line{{color:#fff}} .a::first-line{{color:#000}} .c.a::first-line{{color:#fff}}</style>"
        f"<div class='a c'>{SECRET}</div>",  # the most specific wins
        # Letters laid over each other, sheared flat, or masked out.
        f'<div style="letter-spacing:-0.5em">{SECRET}</div>',
        f'<div style="letter-spacing:-999px"><p>{SECRET}</p></div>',
        f'<div style="transform:skewX(90deg)">{SECRET}</div>',
        f'<div style="transform:skew(0deg, 85deg)">{SECRET}</div>',
        f'<div style="mask-image:linear-gradient(transparent, transparent)">{SECRET}</div>',
        f"<style>.m{{-webkit-mask:radial-gradient(rgba(0,0,0,0) 10%, transparent)}}</style><span class=m>{SECRET}</span>",
        # Numbers given as calc(), min(), max() or clamp(); relative colours.
        f'<div style="opacity:calc(0)">{SECRET}</div>',
        f'<div style="opacity:min(0.02, 1)">{SECRET}</div>',
        f'<div style="transform:scale(calc(1 - 1))">{SECRET}</div>',
        f'<div style="filter:opacity(clamp(0, 0, 1))">{SECRET}</div>',
        f'<div style="color:rgb(from #000 255 255 255)">{SECRET}</div>',
        # Selectors at rest: what needs a pointer or focus matches nothing, so its negation matches;
        # the pseudo-classes lexbor does not read mean what they mean in a mail.
        f"<style>.h:not(:hover){{display:none}}</style><div class=h>{SECRET}</div>",
        f"<style>p:lang(en){{display:none}}</style><div lang=en-US><p>{SECRET}</p></div>",
        f"<style>:dir(ltr) .h{{display:none}}</style><div><p class=h>{SECRET}</p></div>",
        f"<style>div:defined{{display:none}}</style><div>{SECRET}</div>",
        f"<style>details:open .h{{display:none}}</style><details open><summary>S</summary><p class=h>{SECRET}</p></details>",
        f"<style>:-webkit-any(div, p).h{{display:none}}</style><p class=h>{SECRET}</p>",
        # A gradient of one colour is that colour.
        f'<div style="background:linear-gradient(#fff,#fff);color:#fff">{SECRET}</div>',
        f"<style>.g{{background-image:radial-gradient(#222, #222 50%, #202020)}}</style><p class=g style='color:#222'>{SECRET}</p>",
        f'<div style="background:linear-gradient(#fff,#fff);-webkit-background-clip:text;color:transparent">{SECRET}</div>',
        # A positioned box with a negative z-index is painted under the backgrounds of the boxes
        # it is inside, up to its stacking context.
        f'<div style="background:#fff"><div style="position:relative;z-index:-1">{SECRET}</div></div>',
        f"<style>.w{{background-color:#fafafa}} .u{{position:absolute;z-index:-5}}</style><div class=w><p><span class=u>{SECRET}</span></p></div>",
        f'<table><tr><td bgcolor="#ffffff"><div style="position:relative;z-index:-1">{SECRET}</div></td></tr></table>',
        # @scope (WebKit, Chromium), and a nesting rule with no declarations of its own.
        f"<style>@scope (.w){{.h{{display:none}}}}</style><div class=w><p class=h>{SECRET}</p></div>",
        f"<style>@scope (.w) to (.x){{:scope > p{{color:#fff}}}}</style><div class=w><p>{SECRET}</p></div>",
        f"<style>@media screen{{@scope (.a){{@scope (.b){{i{{font-size:0}}}}}}}}</style><div class=a><p class=b><i>{SECRET}</i></p></div>",
        f"<style>.w{{& .h{{display:none}}}}</style><div class=w><div class=h>{SECRET}</div></div>",
        # <body link>: the colour of its links.
        f'<body link="#ffffff"><p>Hi</p><a href="https://example.com">{SECRET}</a></body>',
        f'<body link="white"><table bgcolor="#fefefe"><tr><td><a href="https://x.test">{SECRET}</a></table>',
    ],
)
def test_turned_backs_colour_filters_zero_size_adjust_and_body_link_colours_hide(markup):
    assert SECRET not in shown(markup) and "Shown" in shown(markup + "<p>Shown</p>"), markup


@pytest.mark.parametrize(
    "markup",
    [
        f'<div style="backface-visibility:hidden">{SECRET}</div>',
        f'<div style="backface-visibility:hidden;transform:rotateY(60deg)">{SECRET}</div>',
        f'<div style="backface-visibility:hidden;transform:rotate(180deg)">{SECRET}</div>',  # upside down
        f'<div style="backface-visibility:hidden;transform:scaleX(-1)">{SECRET}</div>',  # mirrored
        f'<div style="backface-visibility:hidden;transform:rotateX(180deg) rotateY(180deg)">{SECRET}</div>',
        f'<span style="backface-visibility:hidden;transform:rotateY(180deg)">{SECRET}</span>',  # not transformed
        f'<div style="transform:rotateY(180deg)">{SECRET}</div>',  # its back is drawn: mirrored text
        # A card turned over shows the face turned with it; without preserve-3d, faces lie flat in it.
        "<style>.card{transform-style:preserve-3d;transform:rotateY(180deg)}"
        f".back{{backface-visibility:hidden;transform:rotateY(180deg)}}</style><div class=card><div class=back>{SECRET}</div></div>",
        "<style>.card{transform:rotateY(180deg)} .face{backface-visibility:hidden}</style>"
        f"<div class=card><div class=face>{SECRET}</div></div>",
        f'<div style="filter:invert(1);background:#000;color:#fff">{SECRET}</div>',  # a dark box made light
        f'<div style="filter:invert(1)"><p style="filter:invert(1)">{SECRET}</p></div>',
        f'<div style="filter:invert(0.3)">{SECRET}</div>',
        f'<div style="filter:brightness(1.5);color:#333">{SECRET}</div>',
        f'<div style="filter:brightness(0)">{SECRET}</div>',  # black text on the white page
        f'<div style="filter:contrast(0)">{SECRET}</div>',  # grey text on the white page under it
        f'<div style="filter:contrast(0.5);background:#000;color:#fff">{SECRET}</div>',
        f'<div style="filter:contrast(1e308);color:#333">{SECRET}</div>',  # dark grey made black
        f'<div style="filter:grayscale(1);background:#004d00;color:#0f0">{SECRET}</div>',
        f'<div style="filter:grayscale(-1);background:#004d00;color:#f00">{SECRET}</div>',  # invalid: ignored
        f'<div style="filter:saturate(1);background:#004d00;color:#f00">{SECRET}</div>',
        f'<div style="filter:sepia(1);color:#333">{SECRET}</div>',
        f'<div style="background:#006d6d"><p style="filter:hue-rotate(0deg);color:#f00">{SECRET}</p></div>',
        f'<div style="background:#006d6d"><p style="filter:hue-rotate(1e308deg);color:#f00">{SECRET}</p></div>',
        f'<div style="perspective:none"><p style="transform:translateZ(2px)">{SECRET}</p></div>',
        f'<div><p style="transform:translateZ(2000px)">{SECRET}</p></div>',  # no perspective: drawn flat
        f'<div style="perspective:800px"><p style="transform:translateZ(50px)">{SECRET}</p></div>',
        f'<div style="perspective:1px;transform:translateZ(10px)">{SECRET}</div>',  # for its children only
        f'<div style="perspective:1000px"><p style="transform:perspective(100px) translateZ(50px)">{SECRET}</p></div>',
        f"<del>{SECRET}</del>",
        f'<div style="text-decoration:line-through #fff 1px">{SECRET}</div>',
        f'<div style="text-decoration:underline 3em">{SECRET}</div>',  # drawn under the letters
        f'<div style="text-decoration:line-through 3em rgba(0,0,0,0.2)">{SECRET}</div>',  # seen through
        f'<div style="text-decoration:line-through 3em"><span style="display:inline-block">{SECRET}</span></div>',
        f'<div style="text-decoration:line-through 3em"><p style="float:left">{SECRET}</p></div>',
        f'<div style="text-decoration:line-through 20px"><span style="font-size:40px">{SECRET}</span></div>',
        f'<div style="text-decoration:line-through 3em;text-decoration:none">{SECRET}</div>',
        f'<div style="padding:24px 48px">{SECRET}</div>',
        f'<div style="padding-left:40%">{SECRET}</div>',
        f'<div style="padding-left:99999px;padding:0">{SECRET}</div>',  # the shorthand sets it back
        f'<div style="mask-size:0">{SECRET}</div>',  # no mask
        f'<div style="mask-image:none;mask-size:0 0">{SECRET}</div>',
        f'<div style="mask-image:initial;mask-size:0">{SECRET}</div>',
        f'<div style="mask-image:url(m.png);mask-size:10px auto">{SECRET}</div>',
        f'<div style="mask-size:0;mask:url(m.png)">{SECRET}</div>',  # the shorthand sets the size back to auto
        f'<div style="mask-image:url(a.png),url(b.png);mask-size:0,cover">{SECRET}</div>',  # one layer shows
        f'<div style="font-size-adjust:0.5">{SECRET}</div>',
        f'<div style="mix-blend-mode:multiply">{SECRET}</div>',
        f'<div style="mix-blend-mode:difference;color:#fff">{SECRET}</div>',  # white on white turns black
        f'<div style="background:#000"><p style="mix-blend-mode:screen;color:#fff">{SECRET}</p></div>',
        f'<div style="mix-blend-mode:multiply;background:#000;color:#fff">{SECRET}</div>',  # over white: as it is
        f'<div style="background:url(x.png)"><p style="mix-blend-mode:screen">{SECRET}</p></div>',  # unknown
        f'<div style="mix-blend-mode:normal">{SECRET}</div>',
        f'<div style="font-size-adjust:0"><p style="font-size-adjust:none">{SECRET}</p></div>',
        f'<div style="font-size-adjust:from-font">{SECRET}</div>',
        f'<body link="#ffffff" bgcolor="#003"><a href="https://x.test">{SECRET}</a></body>',
        f'<body link="#fff"><style>a{{color:#222}}</style><a href="https://x.test">{SECRET}</a></body>',
        f'<body link="#fff"><a name="top">{SECRET}</a></body>',  # not a link
        f'<div style="letter-spacing:-1px">{SECRET}</div>',
        f'<div style="letter-spacing:-10px"><p style="font-size:40px">{SECRET}</p></div>',  # spacing is inherited in px
        f'<div style="letter-spacing:-10px"><p style="letter-spacing:normal">{SECRET}</p></div>',
        f'<div style="transform:skew(-12deg)">{SECRET}</div>',
        f'<div style="mask-image:linear-gradient(#000, transparent)">{SECRET}</div>',  # fades out, partly seen
        f'<div style="mask:linear-gradient(transparent, transparent);mask-image:url(m.svg)">{SECRET}</div>',
        f"<style>@scope (.w){{.h{{display:none}}}}</style><div class=h>{SECRET}</div>",  # outside the scope
        f'<body style="background:#fff"><div style="position:relative;z-index:-1">{SECRET}</div></body>',  # the canvas
        f'<div style="background:#fff;position:relative;z-index:0"><div style="position:relative;z-index:-1">{SECRET}</div></div>',
        f'<div style="background:#fff;opacity:.99"><p style="position:relative;z-index:-1">{SECRET}</p></div>',
        f'<div style="background:#fff"><div style="isolation:isolate"><p style="position:relative;z-index:-1">{SECRET}</p></div></div>',
        f'<div style="background:#fff"><div style="z-index:-1">{SECRET}</div></div>',  # not positioned
        f'<div style="background:#fff"><div style="position:relative;z-index:1">{SECRET}</div></div>',
        f'<div style="opacity:calc(0.5 + 0.5)">{SECRET}</div>',
        f"<style>.a:hover .h{{display:none}}</style><div class=a><p class=h>{SECRET}</p></div>",
        f'<div style="background:linear-gradient(#000,#fff);color:#fff">{SECRET}</div>',  # it varies: unknown
        f'<div style="background:linear-gradient(#123,#123);color:#fff">{SECRET}</div>',
        f'<div style="background:linear-gradient(#fff,#fff), url(x.png);color:#fff">{SECRET}</div>',
        f'<div style="background:linear-gradient(transparent,transparent) #000;color:#fff">{SECRET}</div>',
        f"<style>:lang(fr){{display:none}}</style><div lang=en>{SECRET}</div>",
        f"<style>:dir(rtl){{display:none}}</style><div>{SECRET}</div>",
        f"<style>details:open p{{display:none}}</style><details><summary>{SECRET}</summary><p>x</p></details>",
        f"<style>:target, a:visited, .h:focus-visible{{display:none}}</style><a class=h href=x id=t>{SECRET}</a>",
        f'<div style="color:rgb(from white 0 0 0)">{SECRET}</div>',
        f'<div style="color:hsl(from white h s 10%)">{SECRET}</div>',  # a changed channel of another space: unknown
        f"<style>.c::first-line{{color:#333;font-weight:bold}}</style><div class=c>{SECRET}</div>",
        f"<style>.c{{background:#000;color:#fff}} .c::first-line{{color:#eee}}</style><div class=c>{SECRET}</div>",
        f"<style>.c::first-line{{font-size:0}}</style><p class=c>Hi</p><p>{SECRET}</p>",  # another element
        f"<style>.c::first-line{{color:#fff}}</style><div class=c style='background:#000;color:#ccc'>{SECRET}</div>",
        f"<style>.c::first-line{{color:#000 !important}} .c::first-line{{color:#fff}}</style><div class=c>{SECRET}</div>",
    ],
)
def test_what_backfaces_filters_size_adjust_and_link_colours_leave_visible_is_shown(markup):
    assert SECRET in shown(markup), markup


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("white", (255, 255, 255)),
        ("#fff", (255, 255, 255)),
        ("fff", (15, 15, 15)),
        ("#FFFFFF", (255, 255, 255)),
        ("chucknorris", (192, 0, 0)),
        ("crap", (192, 160, 0)),
        ("000000000000ff", (0, 0, 255)),
    ],
)
def test_legacy_attribute_colours(value, expected):
    """bgcolor, <font color> and <body text> follow HTML's legacy colour parsing."""
    found = visibility.legacy_color(value)
    assert tuple(round(c) for c in found[:3]) == expected
    assert visibility.legacy_color("transparent") is None


# ---------------------------------------------------------------------------------------------
# Font sizes and lengths
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "hidden"),
    [
        ("0", True),
        ("1px", True),
        ("3.9px", True),
        ("4px", False),
        ("2pt", True),
        ("3pt", False),
        ("0.2pc", True),
        ("0.03in", True),
        ("0.1cm", True),
        ("1mm", True),
        ("4q", True),
        ("0.2em", True),
        ("0.25em", False),
        ("0.2rem", True),
        ("20%", True),
        ("25%", False),
        ("0.4ex", True),
        ("0.5ex", False),
        ("0.3vw", True),
        ("1vw", False),
        ("0.5vh", True),
        ("0.4vmin", True),
        ("xx-small", False),
        ("smaller", False),
        ("calc(2px + 1px)", True),
        ("calc(1em - 14px)", True),
        ("calc(50% - 4px)", False),
        ("min(2px, 1em)", True),
        ("max(2px, 1em)", False),
        ("clamp(1px, 0.1vw, 3px)", True),
        ("1", True),
        ("-5px", False),
    ],
)
def test_font_size_units(size, hidden):
    out = shown(f'<p>Before.</p><span style="font-size:{size}">{SECRET}</span>')
    assert (SECRET not in out) == hidden, size


def test_font_sizes_resolve_through_ancestors():
    assert SECRET not in shown(f'<div style="font-size:50%"><div style="font-size:40%">{SECRET}</div></div>')
    assert SECRET in shown(f'<div style="font-size:50%"><div style="font-size:60%">{SECRET}</div></div>')
    assert SECRET in shown(f'<div style="font-size:0"><p style="font-size:14px">{SECRET}</p></div>')
    assert SECRET not in shown(f'<div style="font-size:0"><p style="font-size:2em">{SECRET}</p></div>')
    assert SECRET in shown(f'<div style="font-size:2px"><p style="font-size:medium">{SECRET}</p></div>')
    assert SECRET not in shown(
        f'<div style="font-size:5px"><p style="font-size:smaller"><b style="font-size:smaller">{SECRET}</b></p></div>'
    )
    assert SECRET not in shown(f'<div style="font:italic bold 2px/1 Georgia, serif">{SECRET}</div>')
    assert SECRET in shown(f'<div style="font:italic bold 12px/1 Georgia, serif">{SECRET}</div>')
    assert SECRET not in shown(
        f'<style>html{{font-size:2px}} body{{font-size:16px}}</style><p style="font-size:1rem">{SECRET}</p>'
    )


def test_legacy_font_sizes_are_readable():
    for size in ("0", "1", "-7", "+0", "7", "x"):
        assert SECRET in shown(f'<font size="{size}">{SECRET}</font>'), size


def test_calc_with_units_and_nesting():
    def px(text):
        return visibility.px(visibility.length(tinycss2.parse_component_value_list(text)), 10, 20, 200)

    assert px("calc(10px + 2em)") == 30
    assert px("calc((1rem + 50%) * 2)") == 240
    assert px("calc(100% / 4 - 5px)") == 45
    assert px("-webkit-calc(1in)") == 96
    assert px("max(1px, min(2em, 3rem))") == 20
    assert visibility.length(tinycss2.parse_component_value_list("calc(1px / 0)")) is None


# ---------------------------------------------------------------------------------------------
# Media queries and @supports
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "applies"),
    [
        ("screen", True),
        ("all", True),
        ("print", False),
        ("speech", False),
        ("only screen", True),
        ("not print", True),
        ("not screen", False),
        ("screen, print", True),
        ("print, tv", False),
        ("(min-width: 600px)", True),
        ("(max-width: 600px)", False),
        ("only screen and (max-width: 480px)", False),
        ("screen and (min-width: 0) and (max-width: 2000px)", True),
        ("(width >= 600px)", True),
        ("(400px <= width <= 700px)", False),
        ("(orientation: landscape)", True),
        ("(orientation: portrait)", False),
        ("(prefers-color-scheme: dark)", False),
        ("(prefers-color-scheme: light)", True),
        ("(-webkit-min-device-pixel-ratio: 2)", False),
        ("(min-resolution: 1dppx)", True),
        ("(hover: hover)", True),
        ("(min-width: 40em)", True),
        ("(unknown-feature: 1)", False),
        ("not (max-width: 600px)", True),
        ("(max-width: 600px) or (min-width: 900px)", True),
        ("screen and (color)", True),
        ("(monochrome)", False),
    ],
)
def test_media_queries_for_a_desktop_screen(query, applies):
    assert visibility._media_ok(tinycss2.parse_component_value_list(query)) == applies
    out = shown(f"<style>@media {query} {{ .c {{ display:none }} }}</style><p>Before.</p><div class=c>{SECRET}</div>")
    assert (SECRET not in out) == applies


@pytest.mark.parametrize(
    ("condition", "applies"),
    [
        ("(display: grid)", True),
        ("not (display: grid)", False),
        ("(display: grid) and (color: red)", True),
        ("(-moz-appearance: none)", False),
        ("(-moz-appearance: none) or (display: flex)", True),
        ("selector(:is(a))", True),
        ("selector(:nonsense-thing())", False),
    ],
)
def test_supports(condition, applies):
    out = shown(
        f"<style>@supports {condition} {{ .c {{ display:none }} }}</style><p>Before.</p><div class=c>{SECRET}</div>"
    )
    assert (SECRET not in out) == applies


# ---------------------------------------------------------------------------------------------
# The cascade
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "visible"),
    [
        # which declaration wins: importance, specificity, source order, inheritance
        ('<style>.c{display:none}</style><div class=c style="display:block">X</div>', True),
        ('<style>.c{display:none!important}</style><div class=c style="display:block">X</div>', False),
        ('<style>.c{display:block!important}</style><div class=c style="display:none">X</div>', True),
        ('<style>.c{display:none!important}</style><div class=c style="display:block!important">X</div>', True),
        ("<style>#i{display:none} .c.d.e{display:block}</style><div id=i class='c d e'>X</div>", False),
        ("<style>.c.d{display:none} div.c{display:block}</style><div class='c d'>X</div>", False),
        ("<style>div.c{display:none} .c.d{display:block}</style><div class='c d'>X</div>", True),
        ("<style>.c{display:none}</style><style>.c{display:block}</style><div class=c>X</div>", True),
        ("<style>.c{display:block}</style><style>.c{display:none}</style><div class=c>X</div>", False),
        ("<style>div{display:block}</style><div hidden>X</div>", True),  # author CSS over the UA's [hidden]
        ("<style>.c{color:#fff}</style><div style='background:#000'><p class=c>X</p></div>", True),
        ("<style>.c{color:#fff}</style><table bgcolor=black><tr><td><p class=c>X</p></td></tr></table>", True),
        (
            "<style>td{background:#fff}</style><table bgcolor=black><tr><td><font color=white>X</font></td></tr></table>",
            False,
        ),
        ("<style>.x{visibility:hidden}</style><div class=x><span style='visibility:visible'>X</span></div>", True),
        ("<style>.x{visibility:hidden}</style><div class=x><span style='visibility:inherit'>X</span></div>", False),
        ("<style>.x{color:#fff}</style><div class=x><span style='color:initial'>X</span></div>", True),
        # custom properties: var() with and without a fallback, inherited, in a cycle
        ("<style>:root{--x:none} .c{display:var(--x)}</style><div class=c>X</div>", False),
        ("<style>.c{display:var(--nope, none)}</style><div class=c>X</div>", False),
        ("<style>.c{display:var(--nope)}</style><div class=c>X</div>", True),
        ("<style>.w{--c:#fff} .w p{color:var(--c)}</style><div class=w><p>X</p></div>", False),
        ('<div style="--c:#fff"><div style="--c:#000"><p style="color:var(--c)">X</p></div></div>', True),
        ("<style>:root{--a:var(--b);--b:var(--a)} .c{display:var(--a)}</style><div class=c>X</div>", True),
        ("<style>:root{--s:0px} .c{font:var(--s)/1 a}</style><div class=c>X</div>", False),
        # var() inside functions (as Tailwind writes colours) and blocks
        ("<style>:root{--s:0} .c{font-size:calc(var(--s) * 1px)}</style><div class=c>X</div>", False),
        ('<div style="--c:255, 255, 255;color:rgb(var(--c))">X</div>', False),
        ('<div style="--o:0;color:rgb(0 0 0 / var(--o))">X</div>', False),
        ('<div style="color:rgb(255 255 255 / var(--nope, 1))">X</div>', False),
        ('<div style="--tw-text-opacity:1;color:rgb(17 24 39 / var(--tw-text-opacity))">X</div>', True),
        ('<div style="background:#111827;--o:1"><p style="color:rgb(255 255 255 / var(--o))">X</p></div>', True),
        ('<div style="color:rgb(255 255 255 / var(--nope))">X</div>', True),  # invalid: the colour inherited
        ('<div style="--s:1;font-size:calc(var(--s) * 16px)">X</div>', True),
        # @property: the initial value is what var() gives where no element declares one
        (
            '<style>@property --o { syntax: "<number>"; inherits: true; initial-value: 0 } .c{opacity:var(--o)}</style><div class=c>X</div>',
            False,
        ),
        (
            '<style>@property --c { syntax: "<color>"; inherits: true; initial-value: #fff }</style><p style="color:var(--c)">X</p>',
            False,
        ),
        (
            '<style>@property --c { syntax: "<color>"; inherits: true; initial-value: #fff } .w{--c:#222}</style><div class=w><p style="color:var(--c)">X</p></div>',
            True,
        ),
        (
            '<style>@property --c { syntax: "*"; inherits: true }</style><p style="color:var(--c)">X</p>',
            True,
        ),  # no initial value
        (
            '<style>@property c { initial-value: #fff }</style><p style="color:var(--c)">X</p>',
            True,
        ),  # not a custom property
        (
            "<style>:root{--a:var(--b) var(--b);--b:var(--c) var(--c);--c:x x} .c{display:var(--a)}</style><div class=c>X</div>",
            True,
        ),
    ],
)
def test_cascade_order_and_custom_properties(markup, visible):
    assert ("X" in shown(markup)) == visible, markup


def test_rules_that_never_apply_at_rest_are_skipped():
    for rule in (
        ".c:hover{display:none}",
        ".c:focus{display:none}",
        ".c:active{display:none}",
        ".c::before{display:none}",
        ".c::first-line{display:none;opacity:0}",  # a line has no display or opacity of its own
        ".c::first-line:hover{font-size:0}",
        ".c::first-letter{font-size:0}",
        ".c:visited{display:none}",
        "@media print{.c{display:none}}",
        "@import url(x.css);",
        "@font-face{font-family:x;src:url(x)}",
        "@keyframes k{from{opacity:0}}",
        "@page{margin:0}",
        ".c, ::-nonsense(( {display:none}",
    ):
        assert "Shown" in shown(f"<style>{rule}</style><div class=c>Shown</div>"), rule


KEYFRAMES = "<style>@keyframes gone{to{opacity:0}} @keyframes never{from{opacity:0}to{opacity:.05}}</style>"


@pytest.mark.parametrize(
    ("markup", "visible"),
    [
        (f"{KEYFRAMES}<style>.x{{animation:gone 0s forwards}}</style><div class=x>X</div>", False),
        (f'{KEYFRAMES}<div style="animation:gone 1s both">X</div>', False),
        (
            f"{KEYFRAMES}<style>.x{{animation-name:gone;animation-fill-mode:FORWARDS}}</style><div class=x>X</div>",
            False,
        ),
        (
            "<style>@-webkit-keyframes k{100%{font-size:0}} .x{-webkit-animation:k 1s forwards}</style><div class=x>X</div>",
            False,
        ),
        (f"{KEYFRAMES}<style>.x{{animation:never 2s infinite}}</style><div class=x>X</div>", False),
        (
            "<style>@media screen{.x{animation:'k q' 0s forwards}} @keyframes \"k q\"{to{display:none}}</style><div class=x>X</div>",
            False,
        ),
        # What animations leave visible at rest:
        (f"{KEYFRAMES}<style>.x{{animation:gone 1s}}</style><div class=x>X</div>", True),  # no fill: back as it was
        (f"{KEYFRAMES}<style>.x{{animation:gone 1s backwards}}</style><div class=x>X</div>", True),
        (f"{KEYFRAMES}<style>.x{{animation:never 2s 3}}</style><div class=x>X</div>", True),  # it ends
        (
            "<style>@keyframes k{from{opacity:0}to{opacity:1}} .x{animation:k 1s forwards}</style><div class=x>X</div>",
            True,
        ),
        (
            "<style>@keyframes k{from{opacity:0}to{opacity:1}} .x{animation:k 1s infinite}</style><div class=x>X</div>",
            True,
        ),
        (f"{KEYFRAMES}<style>.x{{animation:Gone 0s forwards}}</style><div class=x>X</div>", True),  # names keep case
        (f'{KEYFRAMES}<div style="animation:gone 1s forwards;opacity:1 !important">X</div>', True),
        # !important declarations of a sheet win over animations as well (the cascade's order).
        (f"{KEYFRAMES}<style>.x{{animation:gone 1s forwards;opacity:1 !important}}</style><div class=x>X</div>", True),
        (
            f'{KEYFRAMES}<style>.x{{opacity:1 !important}}</style><div class=x style="animation:gone 1s both">X</div>',
            True,
        ),
        (f"{KEYFRAMES}<style>.x{{animation:gone 1s forwards !important}}</style><div class=x>X</div>", False),
    ],
)
def test_what_animations_leave_at_rest(markup, visible):
    """Apple Mail runs CSS animations: text faded out by one that keeps its last frame, or that
    hides in every frame for ever, is not seen; one that ends and lets go, or fades text in, is."""
    assert ("X" in shown(markup)) == visible, markup


def test_css_escapes_comments_and_case():
    assert SECRET not in shown(rf"<style>.\73 ecret{{display:none}}</style><div class=secret>{SECRET}</div>")
    assert SECRET not in shown(rf"<style>.x{{disp\6c ay:none}}</style><div class=x>{SECRET}</div>")
    assert SECRET not in shown(rf'<div style="vis\ibility:hid\64 en">{SECRET}</div>')
    assert SECRET not in shown(
        f"<style>/* .x{{display:block}} */ .x{{/* c */display:/* c */none}}</style><div class=x>{SECRET}</div>"
    )
    assert SECRET not in shown(f'<STYLE>.X{{DISPLAY:NONE}}</STYLE><DIV CLASS="X">{SECRET}</DIV>')
    assert SECRET in shown(f'<div style="color:#000; /* color:#fff */">{SECRET}</div>')


def test_links_keep_the_browsers_blue_unless_styled():
    assert "Help" in shown('<div style="color:#fff">Footer <a href="https://x.io/h">Help</a></div>')
    assert "Help" not in shown('<style>a{color:#fff}</style><div>Footer <a href="https://x.io/h">Help</a></div>')
    assert "Help" not in shown('<div style="color:#fff">Footer <a name="x">Help</a></div>')  # not a link


def test_rules_that_match_nothing_are_never_parsed():
    visibility.CACHES.cache_clear()
    rules = "".join(f".unused-{i} p{{color:#{i:03d}}}" for i in range(300))
    html_to_text(f"<style>{rules} .used{{color:#333}}</style><p class=used>Text</p>")
    assert visibility.parse_rule.cache_info().misses == 1


def test_quoted_copies_of_a_stylesheet_are_parsed_once():
    visibility.CACHES.cache_clear()
    css = "<style>.unique-sheet-x{color:#333}</style>"
    html_to_text(css * 30 + "<p class=unique-sheet-x>Text</p>")
    assert visibility.parse_sheet.cache_info().misses == 1


def test_the_html_and_body_elements():
    assert html_to_text(f'<html style="display:none"><body><p>{SECRET}</p></body></html>').strip() == ""
    assert html_to_text(f'<html><body style="visibility:hidden"><p>{SECRET}</p></body></html>').strip() == ""
    assert SECRET in shown(f'<html style="background:#000"><body style="color:#fff"><p>{SECRET}</p></body></html>')
    assert SECRET not in shown(f'<html style="background:#000"><body style="color:#000"><p>{SECRET}</p></body></html>')


# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------


def test_image_alt_text_is_what_a_reader_sees_with_images_blocked():
    html = (
        '<p>Hi <img src="logo.png" alt="Acme logo">there</p><img src="t.gif" width="1" height="1" alt="open pixel">'
        '<img src="spacer.gif" alt=""><img src="x.png"><img src="y.png" alt="   "><img src="z.png" alt="A&amp;B\n  chart">'
        '<a href="https://x.io/pricing"><img src="cta.png" alt="See pricing"></a>'
    )
    concise = convert(html).text
    assert " ".join(concise.split()) == "Hi [image: Acme logo] there [image: A&B chart] [image: See pricing]"
    assert "[image: See pricing] <https://x.io/pricing>" in convert(html, links=True).text
    assert "open pixel" not in concise


def test_long_alt_text_is_cut():
    out = html_to_text(f'<img src="x.png" alt="{"word " * 200}">')
    assert len(out) < 330 and out.strip().endswith("…]")


# ---------------------------------------------------------------------------------------------
# Hostile CSS: bounded, and closed (what cannot be read exactly hides rather than shows)
# ---------------------------------------------------------------------------------------------

BODY = "<div>" + "".join(f'<p class="c{i % 50}">x{i}</p>' for i in range(3000)) + "</div>"
HOSTILE = {
    "two megabytes of rules": "<style>" + ".a{color:red}" * 150_000 + ".h{visibility:hidden}</style>",
    "distinct rules past the budget": "<style>"
    + "".join(f".r{i} b{{color:#{i % 999:03d}}}" for i in range(40_000))
    + ".h{display:none}</style>",
    "every rule matches everything": "<style>"
    + "".join(f"*{{color:#{i % 999:03d}}}" for i in range(30_000))
    + ".h{display:none}</style>",
    "deep @media": "<style>" + "@media screen{" * 3000 + ".h{display:none}" + "}" * 3000 + "</style>",
    "deep :not()": "<style>" + ":not(" * 3000 + ".z" + ")" * 3000 + "{display:none} .h{display:none}</style>",
    "many style elements": "".join(f"<style>.s{i}{{display:none}}</style>" for i in range(10_000))
    + "<style>.h{display:none}</style>",
    "unclosed blocks": "<style>.h{display:none}" + ".x{" * 20_000 + "</style>",
    "deep calc": "<style>.h{font-size:" + "calc(" * 3000 + "0px" + ")" * 3000 + "}</style>",
    # lexbor tries every way the combinators in :has() can fall among an element's descendants.
    ":has() over deep nesting": "<style>div:has(div div div span.x0){color:#fff} .h{display:none}</style>"
    + "<div>" * 220,
    ":has() with many combinators": "<style>div:has("
    + "div " * 7
    + "span.x0){color:#fff} .h{display:none}</style>"
    + "<div>" * 40,
}


@pytest.mark.parametrize("sheet", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_stylesheets_stay_fast_and_closed(sheet):
    html = f'{sheet}{BODY}<div class="h">{SECRET}</div><p>The message.</p>'
    start = time.perf_counter()
    out = html_to_text(html)
    assert time.perf_counter() - start < 3.0
    assert SECRET not in out


def test_has_is_read_exactly_where_it_is_cheap():
    html = (
        "<style>td:has(> img.spacer){display:none} div:has(span.warn){display:none}</style>"
        '<table><tr><td><img class="spacer" src="s.gif">spacer cell</td><td>first cell</td></tr></table>'
        '<div><span class="warn">warned</span></div><div><span>second</span></div>'
    )
    out = html_to_text(html)
    assert "first cell" in out and "second" in out and "spacer cell" not in out and "warned" not in out, out


def test_distinct_inline_styles_stay_linear():
    html = "".join(f"<span style='color:#{i % 4096:03x};font-size:{i % 30 + 5}px'>w</span>" for i in range(10_000))
    start = time.perf_counter()
    html_to_text("<p>The message.</p>" + html)
    assert time.perf_counter() - start < 3.0


def test_benchmark_cache_handles_are_kept():
    """bench/render.py clears these before each timed run."""
    html_module._parse_sheet.cache_clear()
    html_module._style_cached.cache_clear()


_HOSTILE_ATOMS = st.sampled_from(
    [
        *("0", "-0", "-1", "1e308", "-1e308", "1e-308", "100%", "-1e308%", "1e308px", "180deg", "1e308turn"),
        *("inf", "nan", "x", "y", "z", "none", "inherit", "initial", "hidden", "preserve-3d", "ex-height"),
        *("(", ")", ",", "/", "#fff", "white", "var(--a)", "calc(1e308 * 1e308)"),
        *("rotateY(1e308deg)", "rotate3d(1e308, 1e308, 1e308, 1e308deg)", "scaleZ(-1e308)", "perspective(0)"),
        *("matrix3d(1,0,0,0,0,1,0,0,0,0,-1,0,0,0,0,1)", "invert(1e308)", "brightness(1e308)", "brightness(-1)"),
        *("contrast(1e308)", "saturate(1e308)", "hue-rotate(1e308turn)", "grayscale(-1)", "sepia(inf)"),
        *("translateZ(1e308px)", "translate3d(0, 0, -1e308px)", "1px", "-1e308px"),
        *("calc(var(--a) * 1px)", "rgb(var(--a))", "rgb(0 0 0 / var(--a, 0))", "(var(--a))"),
        *("line-through", "underline overline", "from-font", "auto", "1e308em", "-1e308%"),
    ]
)


@pytest.mark.slow  # a property test: every property read, 60 examples each
@pytest.mark.parametrize("prop", sorted(visibility.RELEVANT))
@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.lists(_HOSTILE_ATOMS, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=3),
    in_sheet=st.booleans(),
)
def test_any_value_of_any_property_read_gives_an_answer(prop, values, in_sheet):
    """Every property this module reads, given extreme numbers, wrong units, keywords and broken
    functions, inline and in a stylesheet (alone, or declared again): the message is still
    converted, without an exception."""
    css = ";".join(f"{prop}:{value}" for value in values)
    markup = (
        f"<style>.a{{{css}}}</style><div class=a><p>{SECRET}</p></div>"
        if in_sheet
        else f'<div style="{css}"><p>{SECRET}</p></div>'
    )
    assert isinstance(html_to_text(markup + "<p>Shown</p>"), str)


CLAMP = "display:-webkit-box;-webkit-line-clamp:1;-webkit-box-orient:vertical;overflow:hidden"


@pytest.mark.parametrize(
    "markup",
    [
        f'<div style="{CLAMP}">Thanks for reaching out!<br>{SECRET}</div>',
        f'<div style="{CLAMP}"><p>Thanks!</p><p>{SECRET}</p></div>',
        f'<div style="{CLAMP}">Thanks!<div><span>{SECRET}</span></div></div>',
        f"<style>.c{{{CLAMP}}}</style><div class=c><p>Hi</p><span>{SECRET}</span></div>",
        f'<div style="{CLAMP.replace("clamp:1", "clamp:2")}"><p>one</p><p>two</p><p>{SECRET}</p></div>',
        f'<div style="{CLAMP.replace("clamp:1", "clamp:2")}"><br>one<br>{SECRET}</div>',  # a leading <br> is a line
        f'<div style="{CLAMP}">Hi<br><img alt="{SECRET}" src="x.png"></div>',
        f'<div style="{CLAMP}">Hi<br><span style="display:inline-block">{SECRET}</span></div>',
        f'<div style="{CLAMP}">Hi<table><tr><td>{SECRET}</td></tr></table></div>',
    ],
)
def test_lines_past_a_line_clamp_are_hidden(markup):
    """-webkit-line-clamp shows its first lines: what certainly starts past them (after a block
    or a <br>, each a line at least) is cut off."""
    assert SECRET not in shown(markup) and "Shown" in shown(markup + "<p>Shown</p>"), markup


@pytest.mark.parametrize(
    "markup",
    [
        f'<div style="{CLAMP}">{SECRET}<br>second</div>',
        f'<div style="{CLAMP.replace("clamp:1", "clamp:2")}"><p>one</p><p>{SECRET}</p></div>',
        f'<div style="{CLAMP}"><span>Hi</span> <b>{SECRET}</b></div>',  # one line, however it wraps
        f'<div style="display:-webkit-box;-webkit-line-clamp:1;-webkit-box-orient:vertical">Hi<br>{SECRET}</div>',
        f'<div style="-webkit-line-clamp:1;-webkit-box-orient:vertical;overflow:hidden">Hi<br>{SECRET}</div>',
        f'<div style="{CLAMP};-webkit-box-orient:horizontal">Hi<br>{SECRET}</div>',
        f'<div style="{CLAMP}">Hi<div style="display:inline">{SECRET}</div></div>',
        f'<div style="{CLAMP}">Hi<div style="float:left">{SECRET}</div></div>',  # placed beside: not known
        f'<div style="{CLAMP}">Hi<div style="position:absolute">{SECRET}</div></div>',
        f'<div style="{CLAMP}"><p></p><p>{SECRET}</p></div>',  # an empty block takes no line
        f'<div style="{CLAMP}"><p style="display:none">Hi</p><p>{SECRET}</p></div>',
        f'<div style="{CLAMP}"><span style="display:inline-block">Hi<br>{SECRET}</span></div>',  # one piece
        f'<div style="{CLAMP}"><table><tr><td>Hi<br>{SECRET}</td></tr></table></div>',
        f'<div style="{CLAMP}">Hi<br>there</div><p>{SECRET}</p>',
        f'<div style="{CLAMP}">one</div><div style="{CLAMP}">{SECRET}</div>',  # each box its own count
    ],
)
def test_lines_a_line_clamp_may_show_stay(markup):
    assert SECRET in shown(markup), markup
