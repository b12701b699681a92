"""`python -m bench.visibility`: what a person sees, measured.

- corpus: tests/corpus/hidden.toml, the adversarial hidden-text corpus, through the real body
  pipeline (body(), concise and detailed): the share of must-show text that is shown, and of
  must-hide text that is hidden.
- synthetic: the 50-message HTML thread of bench/render.py (`synthetic_thread()`), rendered by
  `render_thread` (concise, production budget), median of cold runs on one core; "before" is the
  same with the HTML converter as committed (html.py and the modules of its path, from
  `git show HEAD:<the render package>/...`), the runs interleaved so that both see the same machine.
- marketing: a stylesheet-heavy bulk mail (a 200-rule template stylesheet with @media blocks,
  ~1,400 elements) through convert(), before and after.
- engines: the cascade step alone on that mail with each candidate: tinycss2 + lexbor's selector
  engine (ours), tinycss2 + cssselect2 matching an ElementTree copy of the tree, and css-inline
  (Rust) inlining the sheet into style attributes before a second parse (if installed).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import tomllib
import types
from datetime import UTC, datetime
from pathlib import Path

from bench.common import verdict
from bench.render import _cold, synthetic_thread
from leadinbox_mcp.providers.model import Message
from leadinbox_mcp.tools.render import body as body_module
from leadinbox_mcp.tools.render import html as html_module
from leadinbox_mcp.tools.render import quotes as quotes_module
from leadinbox_mcp.tools.render import visibility
from leadinbox_mcp.tools.render.body import body
from leadinbox_mcp.tools.render.thread import render_thread

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "hidden.toml"
RUNS = 21
AT = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


def _fold(text: str) -> str:
    return " ".join(text.split())


def load_cases() -> list[dict]:
    with CORPUS.open("rb") as f:
        return tomllib.load(f)["case"]


def shares(cases: list[dict]) -> tuple[int, int, int, int, list[tuple[str, str, str]]]:
    """(shown, must show, hidden, must hide, failures) over concise and detailed output."""
    shown = show_total = hidden = hide_total = 0
    failures: list[tuple[str, str, str]] = []
    for case in cases:
        message = Message(direction="inbound", at=AT, html=case.get("html"), text=case.get("text"))
        for mode, links in (("concise", False), ("detailed", True)):
            out = _fold(body(message, links=links).text)
            for line in case["must_survive"]:
                show_total += 1
                if _fold(line) in out:
                    shown += 1
                else:
                    failures.append((case["id"], mode, f"lost: {line}"))
            for snippet in case.get("must_go", []):
                hide_total += 1
                if _fold(snippet) in out:
                    failures.append((case["id"], mode, f"leaked: {snippet}"))
                else:
                    hidden += 1
    return shown, show_total, hidden, hide_total, failures


# ---------------------------------------------------------------------------------------------
# Before: the HTML converter as committed
# ---------------------------------------------------------------------------------------------

# The modules of the HTML path (html.py is the way in), loaded from HEAD where HEAD has them.
_HTML_PATH = ("vocabulary", "links", "html_tree", "html_writer", "html_boilerplate", "html_quotes", "html_walk", "html")
_PACKAGE = html_module.__name__.rpartition(".")[0]


def _committed_html() -> types.ModuleType | None:
    """html.py at HEAD, loaded beside the current one with the modules of its path as they are at
    HEAD (None without git, or when HEAD's code no longer loads beside the current code base).
    While they load, HEAD's modules stand in for the current ones of the same names, so that
    their imports of each other find each other; the current modules are put back after."""
    try:
        folder = Path(html_module.__file__).resolve().parent.relative_to(ROOT).as_posix()
    except ValueError:
        return None  # installed elsewhere than this checkout
    sources = {}
    for name in _HTML_PATH:
        try:
            sources[name] = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"HEAD:{folder}/{name}.py"],
                capture_output=True,
                text=True,
                check=True,
                timeout=30,
            ).stdout
        except subprocess.CalledProcessError:
            continue  # not at HEAD
        except (OSError, subprocess.SubprocessError):
            return None
    if "html" not in sources:
        return None
    package = sys.modules[_PACKAGE]
    saved = {name: (sys.modules.get(f"{_PACKAGE}.{name}"), getattr(package, name, None)) for name in sources}
    modules = {}
    try:
        for name in sources:
            module = types.ModuleType(f"{_PACKAGE}._before_{name}")
            module.__file__ = f"HEAD:{folder}/{name}.py"
            modules[name] = sys.modules[module.__name__] = module
        for name, source in sources.items():  # (in the order of _HTML_PATH: each after what it imports)
            sys.modules[f"{_PACKAGE}.{name}"] = modules[name]
            setattr(package, name, modules[name])
            exec(compile(source, modules[name].__file__, "exec"), modules[name].__dict__)  # noqa: S102 - our own code, at HEAD
    except Exception as e:  # noqa: BLE001
        print(f"(HEAD's HTML converter does not load beside the current code: {e!r})")
        return None
    finally:
        for name, (module, attribute) in saved.items():
            if module is None:
                sys.modules.pop(f"{_PACKAGE}.{name}", None)
            else:
                sys.modules[f"{_PACKAGE}.{name}"] = module
            if attribute is None:
                vars(package).pop(name, None)
            else:
                setattr(package, name, attribute)
    return modules["html"]


def _cold_before(before: types.ModuleType) -> None:
    before._converted.cache_clear()
    for name in ("_parse_sheet", "_style_cached"):
        cache = getattr(before, name, None)
        if cache is not None:
            cache.cache_clear()
    quotes_module._trimmed.cache_clear()


def _interleaved(after, before, before_cold, runs: int = RUNS) -> tuple[list[float], list[float]]:
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        for fn, cold, out in ((after, _cold, a), (before, before_cold, b)):
            if fn is None:
                continue
            cold()
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000)
    return a, b


# ---------------------------------------------------------------------------------------------
# A stylesheet-heavy marketing mail
# ---------------------------------------------------------------------------------------------


def marketing_mail(blocks: int = 40) -> str:
    rules = [
        "#outlook a{padding:0;}",
        ".ReadMsgBody{width:100%;}",
        ".ExternalClass{width:100%;}",
        ".ExternalClass,.ExternalClass p,.ExternalClass span,.ExternalClass font,.ExternalClass td,.ExternalClass div{line-height:100%;}",
        "body,table,td,p,a,li,blockquote{-webkit-text-size-adjust:100%;-ms-text-size-adjust:100%;}",
        "table,td{mso-table-lspace:0pt;mso-table-rspace:0pt;}",
        "img{-ms-interpolation-mode:bicubic;border:0;height:auto;outline:none;text-decoration:none;}",
        "body{margin:0;padding:0;background-color:#FAFAFA;height:100%!important;width:100%!important;}",
        ".mcnPreviewText{display:none !important;}",
        "#bodyTable{border-top:0;background-color:#FAFAFA;}",
        "h1{color:#202020;font-family:Helvetica;font-size:26px;font-style:normal;font-weight:bold;line-height:125%;}",
        "h2{color:#202020;font-family:Helvetica;font-size:22px;font-weight:bold;line-height:125%;}",
        "#templatePreheader .mcnTextContent,#templatePreheader .mcnTextContent p{color:#656565;font-size:12px;line-height:150%;}",
        "#templateHeader{background-color:#FFFFFF;border-top:0;border-bottom:0;}",
        "#templateBody .mcnTextContent,#templateBody .mcnTextContent p{color:#202020;font-size:16px;line-height:150%;}",
        "#templateFooter{background-color:#FAFAFA;}",
        "#templateFooter .mcnTextContent a{color:#656565;text-decoration:underline;}",
        ".mcnButtonContent{font-family:Arial;font-size:16px;padding:18px;}",
        "a.mcnButton{color:#FFFFFF;display:block;}",
        "table[class=mcnButtonBlock] td:first-child{padding-top:9px}",
        ".hide-desktop{display:none;max-height:0;overflow:hidden;}",
    ]
    for i in range(120):
        rules.append(
            f".col-{i} .mcnTextContent p:nth-child(2n){{color:#3{i % 10}3{i % 10}3{i % 10};font-size:{12 + i % 6}px;margin:0 0 {i % 9}px;}}"
        )
    mobile = [f".col-{i}{{width:100% !important;display:block !important;}}" for i in range(40)]
    mobile += [
        ".hide-desktop{display:block !important;max-height:none !important;}",
        ".hide-mobile{display:none !important;}",
    ]
    css = "\n".join(rules) + "\n@media only screen and (max-width: 480px){" + "\n".join(mobile) + "}"
    css += "\n@media only screen and (min-width: 481px) and (max-width: 768px){.mcnTextContent{font-size:18px !important;}}"
    rows = []
    for i in range(blocks):
        rows.append(
            f'<tr><td class="col-{i % 120}" valign="top" style="padding:9px 18px;"><table class="mcnTextBlock" width="100%" '
            f'cellpadding="0" cellspacing="0"><tr><td class="mcnTextContent" style="padding:0 18px 9px;color:#202020;'
            f'font-family:Helvetica;font-size:16px;line-height:150%;"><h2>Section {i}</h2><p>Forecast accuracy improved '
            f'by {i}% for teams that reviewed slipped deals weekly.</p><p>Read how <a href="https://x.io/{i}?utm_source=nl" '
            f'style="color:#007C89;font-weight:normal;text-decoration:underline;">RevOps teams</a> do it.</p>'
            f'<img src="https://cdn.x.io/{i}.png" alt="Chart {i}" width="564" style="max-width:564px;padding-bottom:0;'
            f'display:inline !important;vertical-align:bottom;"></td></tr></table></td></tr>'
        )
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><style type="text/css">{css}</style></head><body>'
        '<span class="mcnPreviewText" style="display:none;font-size:0;line-height:0;max-height:0;max-width:0;opacity:0;'
        'overflow:hidden;visibility:hidden;mso-hide:all;">Preview text</span><center><table id="bodyTable" width="100%">'
        f'<tr><td id="templatePreheader"><div class="mcnTextContent">View in browser</div></td></tr>{"".join(rows)}'
        '<tr><td id="templateFooter"><div class="mcnTextContent">Copyright © 2026 Pipewise Inc. All rights reserved.<br>'
        '<a href="https://x.io/u">Unsubscribe</a></div></td></tr></table></center></body></html>'
    )


def _engines(html: str) -> str:
    """The cascade alone (stylesheet parse + selector matching) with each candidate library."""
    import tinycss2
    from selectolax.lexbor import LexborHTMLParser

    css = LexborHTMLParser(html).css_first("style").text()
    timings: list[str] = []

    def ours() -> None:
        visibility.CACHES.cache_clear()
        tree = LexborHTMLParser(html)
        visibility.Cascade(tree, "", html.count("<"))

    timings.append(f"tinycss2 + lexbor selectors (ours) {_median_ms(ours):.2f} ms")
    try:
        import xml.etree.ElementTree as ET

        import cssselect2

        def with_cssselect2() -> None:
            tree = LexborHTMLParser(html)
            root = ET.Element("html")
            stack = [(tree.root, root)]
            while stack:  # the lexbor tree copied into an ElementTree: cssselect2 matches those
                node, element = stack.pop()
                child = node.child
                while child is not None:
                    if child.tag not in ("-text", "-comment", "-doctype"):
                        sub = ET.SubElement(element, child.tag, {k: v or "" for k, v in child.attributes.items()})
                        stack.append((child, sub))
                    child = child.next
            matcher = cssselect2.Matcher()
            for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
                if rule.type == "qualified-rule":
                    try:
                        for selector in cssselect2.compile_selector_list(rule.prelude):
                            matcher.add_selector(selector, rule)
                    except cssselect2.SelectorError:
                        pass
            for element in cssselect2.ElementWrapper.from_html_root(root).iter_subtree():
                matcher.match(element)

        timings.append(f"tinycss2 + cssselect2 {_median_ms(with_cssselect2):.2f} ms")
    except ImportError:
        pass
    try:
        import css_inline

        def with_css_inline() -> None:
            LexborHTMLParser(css_inline.inline(html))

        timings.append(f"css-inline + a second lexbor parse {_median_ms(with_css_inline):.2f} ms")
    except ImportError:
        timings.append("css-inline not installed (pip install css-inline)")
    return "; ".join(timings)


def _median_ms(fn, runs: int = 9) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    cases = load_cases()
    shown, show_total, hidden, hide_total, failures = shares(cases)
    print(f"hidden-text corpus (tests/corpus/hidden.toml): {len(cases)} messages, concise and detailed")
    print(f"  must show: shown {shown}/{show_total} = {shown / show_total:.1%}")
    print(f"  must hide: hidden {hidden}/{hide_total} = {hidden / hide_total:.1%}")
    for failure in failures:
        print("  ", *failure)

    thread, _ = synthetic_thread()
    before = _committed_html()

    def after_run() -> None:
        render_thread("SendKit", thread, detailed=False, budget=8000)

    before_run = None
    if before is not None:

        def before_run() -> None:
            saved = body_module.convert
            body_module.convert = before.convert
            try:
                render_thread("SendKit", thread, detailed=False, budget=8000)
            finally:
                body_module.convert = saved

    after_ms, before_ms = _interleaved(after_run, before_run, lambda: _cold_before(before))
    line = f"synthetic {len(thread.messages)}-message thread, concise render_thread, {RUNS} cold runs each, one core: "
    line += f"after median {statistics.median(after_ms):.2f} ms (min {min(after_ms):.2f})"
    if before_ms:
        line += (
            f"; before (HEAD's HTML converter) median {statistics.median(before_ms):.2f} ms (min {min(before_ms):.2f})"
        )
    print(line)
    print(f"  target < 25 ms median: {verdict(statistics.median(after_ms) < 25)}")

    mail = marketing_mail()
    after_ms, before_ms = _interleaved(
        lambda: html_module.convert(mail),
        (lambda: before.convert(mail)) if before is not None else None,
        lambda: _cold_before(before),
    )
    line = f"stylesheet-heavy marketing mail ({len(mail) / 1000:.0f} kB, convert()): after median {statistics.median(after_ms):.2f} ms"
    if before_ms:
        line += f"; before {statistics.median(before_ms):.2f} ms"
    print(line)
    print("css engines, cascade alone on that mail:", _engines(mail))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
