"""Links worth showing: http(s) URLs unwrapped from click-tracking redirects whose target is
visible in them and stripped of tracking parameters (clean_url, for HTML links and for URLs in
any text), and whether a link's URL says anything its text does not (url_adds_to)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

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
_URLISH = re.compile(r"^(?:https?://|www\.)\S+$", re.I)


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


def url_adds_to(shown: str, url: str) -> bool:
    """Whether a link's (clean) `url` says more than the text `shown` for it: not when nothing is
    shown (an image, an empty anchor), nor when the text is that URL or one on the same host."""
    if not shown:
        return False
    bare = url.split("://", 1)[-1].rstrip("/").lower()
    plain = shown.rstrip("/").lower()
    if plain in (url.rstrip("/").lower(), bare) or plain.split("://", 1)[-1] == bare:
        return False
    return not (_URLISH.match(shown) and _host(shown) == _host(url))


def _host(url: str) -> str:
    if not url.lower().startswith(("http://", "https://")):
        url = "http://" + url
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


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
