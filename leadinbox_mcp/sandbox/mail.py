"""E-mail as mail clients write it, for every e-mail emulator of the sandbox.

A mail client is named by a style, "<client>-<locale>": client in gmail, thunderbird, apple, ios,
outlook, owa, plain; locale in us, uk, fr, de, es (a bare "plain" means "plain-us"). This module
writes dates in the words of each client and language (attribution lines such as "On ... wrote:"
or "Am ... schrieb ...:", Outlook's "From:/Sent:" header blocks, out-of-office return dates and
auto-reply subjects), quotes the previous message in the text part ("> ") and in the HTML part,
adds signatures and disclaimers, turns URLs into links, and prefixes reply subjects.

Everything here is a pure function of its arguments: the same inputs give the same bytes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timezone

# --------------------------------------------------------------------------------------------
# Dates in the words of each mail client
# --------------------------------------------------------------------------------------------

LANG = {"us": "en", "uk": "en", "fr": "fr", "de": "de", "es": "es"}
"""The language of each locale."""

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
WEEKDAYS_SHORT = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    "de": ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
    "es": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
}
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
}  # fmt: skip
MONTHS_SHORT = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."),
    "de": ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.",
           "Dez."),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
}  # fmt: skip
OUTLOOK_LABELS = {
    "en": ("From:", "Sent:", "To:", "Subject:"),
    "de": ("Von:", "Gesendet:", "An:", "Betreff:"),
    "fr": ("De :", "Envoyé :", "À :", "Objet :"),
    "es": ("De:", "Enviado:", "Para:", "Asunto:"),
}
"""The labels of the header block Outlook puts above a quoted message."""
AUTO_REPLY_SUBJECT = {
    "en": "Automatic reply: ",
    "de": "Automatische Antwort: ",
    "fr": "Réponse automatique : ",
    "es": "Respuesta automática: ",
}
"""The subject prefix of an out-of-office answer, per language."""


def split_style(style: str) -> tuple[str, str]:
    """(client, locale) of a style such as "outlook-de"; the locale defaults to "us"."""
    client, _, locale = style.partition("-")
    return client, locale or "us"


def clock12(t: datetime, space: str = " ") -> str:
    """ "3:05 PM" (`space` between the time and AM/PM)."""
    return f"{t.hour % 12 or 12}:{t.minute:02d}{space}{'AM' if t.hour < 12 else 'PM'}"


def hhmm(t: datetime) -> str:
    """ "15:05"."""
    return f"{t.hour:02d}:{t.minute:02d}"


def attribution(client: str, locale: str, t: datetime, name: str, email: str) -> str:
    """The "On ... wrote:" line above a quote, as the given client writes it in `t`'s zone."""
    lang = LANG[locale]
    who = f"{name} <{email}>" if name != email else f"<{email}>"
    wd, month, d, y = t.weekday(), t.month - 1, t.day, t.year
    if client in ("apple", "ios"):
        if locale == "us":
            return f"On {MONTHS_SHORT['en'][month]} {d}, {y}, at {clock12(t)}, {who} wrote:"
        if lang == "fr":
            return f"Le {d} {MONTHS_SHORT['fr'][month]} {y} à {hhmm(t)}, {who} a écrit :"
        if lang == "de":
            return f"Am {d:02d}.{month + 1:02d}.{y} um {hhmm(t)} schrieb {who}:"
        return f"On {d} {MONTHS_SHORT['en'][month]} {y}, at {hhmm(t)}, {who} wrote:"
    if client == "thunderbird" or lang == "de":
        return f"Am {d:02d}.{month + 1:02d}.{y} um {hhmm(t)} schrieb {who}:"
    if lang == "fr":
        return f"Le {WEEKDAYS_SHORT['fr'][wd]} {d} {MONTHS_SHORT['fr'][month]} {y} à {hhmm(t)}, {who} a écrit :"
    if lang == "es":
        return (
            f"El {WEEKDAYS_SHORT['es'][wd]}, {d} {MONTHS_SHORT['es'][month]} {y} a las"
            f" {hhmm(t)}, {name} (<{email}>) escribió:"
        )
    if locale == "uk":
        return f"On {WEEKDAYS_SHORT['en'][wd]}, {d} {MONTHS_SHORT['en'][month]} {y} at {hhmm(t)}, {who} wrote:"
    # Gmail (US) puts a narrow no-break space before AM/PM, as it really does.
    return (
        f"On {WEEKDAYS_SHORT['en'][wd]}, {MONTHS_SHORT['en'][month]} {d}, {y} at {clock12(t, chr(0x202F))} {who} wrote:"
    )


def outlook_sent(locale: str, t: datetime) -> str:
    """The date of Outlook's "Sent:" header line."""
    lang = LANG[locale]
    wd, month, d, y = t.weekday(), t.month - 1, t.day, t.year
    if locale == "us":
        return f"{WEEKDAYS['en'][wd]}, {MONTHS['en'][month]} {d}, {y} {clock12(t)}"
    if lang == "de":
        return f"{WEEKDAYS['de'][wd]}, {d}. {MONTHS['de'][month]} {y} {hhmm(t)}"
    if lang == "fr":
        return f"{WEEKDAYS['fr'][wd]} {d} {MONTHS['fr'][month]} {y} {hhmm(t)}"
    if lang == "es":
        return f"{WEEKDAYS['es'][wd]}, {d} de {MONTHS['es'][month]} de {y} {hhmm(t)}"
    return f"{d:02d} {MONTHS['en'][month]} {y} {hhmm(t)}"


def long_date(t: datetime, lang: str) -> str:
    """A return date as people write it in an out-of-office message."""
    wd, month, d = t.weekday(), t.month - 1, t.day
    if lang == "fr":
        return f"{WEEKDAYS['fr'][wd]} {d} {MONTHS['fr'][month]}"
    if lang == "de":
        return f"{WEEKDAYS['de'][wd]}, {d}. {MONTHS['de'][month]}"
    if lang == "es":
        return f"{WEEKDAYS['es'][wd]} {d} de {MONTHS['es'][month]}"
    return f"{WEEKDAYS['en'][wd]}, {MONTHS['en'][month]} {d}"


# --------------------------------------------------------------------------------------------
# Rendering one e-mail (HTML part and text part) as a given client would
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quoted:
    """What a reply needs to know about the message it quotes."""

    name: str
    email: str
    to: str
    subject: str
    when: datetime
    text: str
    html: str | None


@dataclass(frozen=True)
class Signature:
    """A signature block."""

    lines: tuple[str, ...]
    dashed: bool  # preceded by the "-- " delimiter


URL = re.compile(r"https?://[^\s<>\"]+")
WRAPPERS = re.compile(r"(?is)<!DOCTYPE[^>]*>|<head\b.*?</head>|</?html\b[^>]*>|</?body\b[^>]*>")
TAG = re.compile(r"<[^>]+>")
REPLY_PREFIX = re.compile(r"^(?:(?:re|aw|rv|sv|antw)\s?:\s*)+", re.IGNORECASE)


def address(name: str, email: str) -> str:
    """ "Name <email>", or the bare address when the name is the address."""
    return f"{name} <{email}>" if name != email else email


def linkify(text: str) -> str:
    """Escape one piece of text for HTML, turning URLs into links as mail clients do."""
    out: list[str] = []
    pos = 0
    for match in URL.finditer(text):
        url = match.group(0).rstrip(".,;:)")
        out.append(html.escape(text[pos : match.start()], quote=False))
        out.append(f'<a href="{html.escape(url)}">{html.escape(url, quote=False)}</a>')
        pos = match.start() + len(url)
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def paragraphs(text: str, open_tag: str, close_tag: str, separator: str) -> str:
    """Text as HTML: each paragraph (split on blank lines) between the tags, lines joined with
    <br>, paragraphs joined with `separator`."""
    paras = [p for p in text.split("\n\n") if p.strip()]
    return separator.join(open_tag + "<br>".join(linkify(line) for line in p.split("\n")) + close_tag for p in paras)


def lines_html(lines: tuple[str, ...] | list[str]) -> str:
    """Lines as HTML joined with <br>."""
    return "<br>".join(linkify(line) for line in lines)


def strip_tags(markup: str) -> str:
    """The text of an HTML fragment: tags become spaces, entities are decoded."""
    return html.unescape(TAG.sub(" ", markup))


def attribution_html(line: str, email: str) -> str:
    """An attribution line as HTML, its address a mailto link."""
    escaped = html.escape(line, quote=False)
    return escaped.replace(html.escape(email), f'<a href="mailto:{html.escape(email)}">{html.escape(email)}</a>', 1)


def quote_lines(text: str) -> str:
    """Text quoted with "> " (an empty line becomes ">")."""
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def quoted_html(quote: Quoted) -> str:
    """The quoted message inside a reply's HTML: its own HTML without document wrappers, or its
    text as HTML."""
    if quote.html is not None:
        return WRAPPERS.sub("", quote.html)
    return "<div>" + lines_html(quote.text.split("\n")) + "</div>"


def outlook_header(locale: str, quote: Quoted, t: datetime) -> list[tuple[str, str]]:
    """(label, value) of the From/Sent/To/Subject block Outlook puts above a quote."""
    labels = OUTLOOK_LABELS[LANG[locale]]
    sender = address(quote.name, quote.email)
    return list(zip(labels, (sender, outlook_sent(locale, t), quote.to, quote.subject)))


def text_part(
    client: str,
    locale: str,
    body: str,
    signature: Signature | None,
    disclaimer: str | None,
    quote: Quoted | None,
    tz: timezone,
) -> str:
    """The text/plain part of an e-mail: body, signature, disclaimer, then the quote."""
    parts = [body]
    if signature:
        parts.append(("-- \n" if signature.dashed else "") + "\n".join(signature.lines))
    if disclaimer:
        parts.append(disclaimer)
    if quote:
        t = quote.when.astimezone(tz)
        if client in ("outlook", "owa"):
            header = "\n".join(f"{label} {value}" for label, value in outlook_header(locale, quote, t))
            rule = "________________________________\n" if client == "owa" else ""
            parts.append(f"{rule}{header}\n\n{quote.text}")
        elif client == "ios":
            line = attribution(client, locale, t, quote.name, quote.email)
            parts.append(quote_lines(f"{line}\n\n{quote.text}"))
        else:
            line = attribution(client, locale, t, quote.name, quote.email)
            parts.append(f"{line}\n\n{quote_lines(quote.text)}")
    return "\n\n".join(parts)


def html_part(
    client: str,
    locale: str,
    body: str,
    signature: Signature | None,
    disclaimer: str | None,
    quote: Quoted | None,
    tz: timezone,
    hidden_html: str = "",
) -> str:
    """The text/html part of an e-mail in the markup of `client`. `hidden_html` is added right
    after the body (markup that shows in the HTML part only)."""
    t = quote.when.astimezone(tz) if quote else None
    attr = attribution_html(attribution(client, locale, t, quote.name, quote.email), quote.email) if quote and t else ""
    if client == "gmail":
        out = ['<div dir="ltr">', paragraphs(body, "<div>", "</div>", "<div><br></div>"), hidden_html]
        if signature:
            prefix = '<span class="gmail_signature_prefix">-- </span><br>' if signature.dashed else ""
            out.append(
                f'<br clear="all"><div><br></div>{prefix}<div dir="ltr" class="gmail_signature"'
                f' data-smartmail="gmail_signature">{lines_html(signature.lines)}</div>'
            )
        if disclaimer:
            out.append(
                '<div><br></div><div style="font-size:10px;color:#777777">'
                f"{lines_html(disclaimer.split(chr(10)))}</div>"
            )
        out.append("</div>")
        if quote:
            out.append(
                '<br><div class="gmail_quote gmail_quote_container"><div dir="ltr"'
                f' class="gmail_attr">{attr}<br></div><blockquote class="gmail_quote"'
                ' style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);'
                f'padding-left:1ex">{quoted_html(quote)}</blockquote></div>'
            )
        return "".join(out)
    if client == "thunderbird":
        out = [
            '<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html;'
            ' charset=UTF-8"></head><body>',
            paragraphs(body, "<p>", "</p>", ""),
            hidden_html,
        ]
        if signature:
            dash = "-- <br>" if signature.dashed else ""
            out.append(f'<div class="moz-signature">{dash}{lines_html(signature.lines)}</div>')
        if disclaimer:
            out.append(f"<p><small>{lines_html(disclaimer.split(chr(10)))}</small></p>")
        if quote:
            out.append(
                f'<div class="moz-cite-prefix">{attr}<br></div><blockquote'
                f' type="cite">{quoted_html(quote)}</blockquote>'
            )
        out.append("</body></html>")
        return "".join(out)
    if client in ("apple", "ios"):
        out = [
            '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto">',
            paragraphs(body, '<div dir="ltr">', "</div>", '<div dir="ltr"><br></div>'),
            hidden_html,
        ]
        if signature:
            dash = "-- <br>" if signature.dashed else ""
            out.append(f'<div dir="ltr"><br>{dash}{lines_html(signature.lines)}</div>')
        if disclaimer:
            out.append(f'<div dir="ltr"><br>{lines_html(disclaimer.split(chr(10)))}</div>')
        if quote and client == "ios":
            out.append(
                f'<div dir="ltr"><br><blockquote type="cite">{attr}<br><br>'
                f'</blockquote></div><blockquote type="cite"><div dir="ltr">'
                f"{quoted_html(quote)}</div></blockquote>"
            )
        elif quote:
            out.append(
                f'<div><br><blockquote type="cite"><div>{attr}</div><br'
                f' class="Apple-interchange-newline"><div>{quoted_html(quote)}</div>'
                "</blockquote></div>"
            )
        out.append("</body></html>")
        return "".join(out)
    if client == "outlook":
        lang_attr = {"us": "EN-US", "uk": "EN-GB", "de": "DE", "fr": "FR", "es": "ES"}[locale]
        gap = '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
        out = [
            '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta'
            ' http-equiv="Content-Type" content="text/html; charset=utf-8"><style><!--'
            ' p.MsoNormal {margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;}'
            f' --></style></head><body lang="{lang_attr}" link="#0563C1" vlink="#954F72">'
            '<div class="WordSection1">',
            paragraphs(body, '<p class="MsoNormal">', "<o:p></o:p></p>", gap),
            hidden_html,
        ]
        if signature:
            out.append(
                f'{gap}<p class="MsoNormal"><span style="color:#1F3864">'
                f"{lines_html(signature.lines)}</span><o:p></o:p></p>"
            )
        if disclaimer:
            out.append(
                f'{gap}<p class="MsoNormal"><span style="font-size:7.5pt;color:gray">'
                f"{lines_html(disclaimer.split(chr(10)))}</span><o:p></o:p></p>"
            )
        if quote and t:
            header = "<br>".join(
                f"<b>{html.escape(label)}</b> {html.escape(value)}" for label, value in outlook_header(locale, quote, t)
            )
            out.append(
                f'{gap}<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;'
                f'padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal">{header}<o:p></o:p></p>'
                f"</div></div>{gap}{quoted_html(quote)}"
            )
        out.append("</div></body></html>")
        return "".join(out)
    if client == "owa":
        out = [
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;}'
            ' </style></head><body dir="ltr"><div class="elementToProof" style="font-family:'
            "Aptos,Aptos_EmbeddedFont,Calibri,Helvetica,sans-serif;font-size:12pt;"
            'color:rgb(0,0,0)">',
            paragraphs(body, "<div>", "</div>", "<div><br></div>"),
            hidden_html,
            "</div>",
        ]
        if signature:
            out.append(f'<div id="Signature"><div><br></div><div>{lines_html(signature.lines)}</div></div>')
        if disclaimer:
            out.append(f'<div style="font-size:8pt;color:#808080">{lines_html(disclaimer.split(chr(10)))}</div>')
        if quote and t:
            header = "<br>".join(
                f"<b>{html.escape(label)}</b> {html.escape(value)}" for label, value in outlook_header(locale, quote, t)
            )
            out.append(
                '<div id="appendonsend"></div><hr style="display:inline-block;width:98%"'
                ' tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri,'
                f' sans-serif" style="font-size:11pt" color="#000000">{header}</font>'
                f"<div>&nbsp;</div></div>{quoted_html(quote)}"
            )
        out.append("</body></html>")
        return "".join(out)
    raise ValueError(f"unknown mail client {client!r}")


def render_email(
    style: str,
    body: str,
    *,
    signature: Signature | None,
    disclaimer: str | None,
    quote: Quoted | None,
    tz: timezone,
    hidden_html: str = "",
) -> tuple[str | None, str]:
    """(HTML part, text part) of one e-mail written with `style`, quoting `quote` in the writer's
    zone `tz`. A plain-text e-mail has no HTML part (None)."""
    client, locale = split_style(style)
    text = text_part(client, locale, body, signature, disclaimer, quote, tz)
    if client == "plain":
        return None, text
    return html_part(client, locale, body, signature, disclaimer, quote, tz, hidden_html), text


def client_signature(
    style: str, name: str, title: str | None, company: str | None, choice: str = "auto"
) -> Signature | None:
    """A person's signature: `choice` "none" (no signature), a literal one-line signature, or
    "auto", the one their client adds (iOS: "Sent from my iPhone"; Outlook: name, title and
    company on their own lines; others: a "-- " block with name, then "title | company")."""
    client = split_style(style)[0]
    if choice == "none":
        return None
    if choice != "auto":
        return Signature((choice,), dashed=False)
    if client == "ios":
        return Signature(("Sent from my iPhone",), dashed=False)
    if client in ("outlook", "owa"):
        lines = (name, title, company)
        return Signature(tuple(line for line in lines if line), dashed=False)
    role = " | ".join(x for x in (title, company) if x)
    return Signature((name, role) if role else (name,), dashed=True)


def reply_subject(subject: str, prefix: str = "Re: ") -> str:
    """The subject of a reply: `prefix` once, in place of any reply prefixes already there."""
    return prefix + REPLY_PREFIX.sub("", subject)


def reply_prefix(style: str) -> str:
    """The reply prefix the client of `style` writes ("Re: ", Outlook's "RE: ", "AW: ", "RE : ")."""
    client, locale = split_style(style)
    if client in ("outlook", "owa"):
        return {"de": "AW: ", "fr": "RE : "}.get(locale, "RE: ")
    return "Re: "


# ready: other emulators may use this module
