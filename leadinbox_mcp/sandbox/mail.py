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
from dataclasses import dataclass, replace
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


def date_fields(t: datetime, lang: str) -> dict[str, object]:
    """The fields of the date templates below, days and months named in `lang`: {weekday} and
    {wd} (short), {month} and {mon} (short), the numbers {d}, {m} and {y}, {hhmm} ("15:05"),
    {clock12} ("3:05 PM") and {clock12_narrow} (with a narrow no-break space before PM)."""
    wd, month = t.weekday(), t.month - 1
    return {
        "weekday": WEEKDAYS[lang][wd],
        "wd": WEEKDAYS_SHORT[lang][wd],
        "month": MONTHS[lang][month],
        "mon": MONTHS_SHORT[lang][month],
        "d": t.day,
        "m": t.month,
        "y": t.year,
        "hhmm": hhmm(t),
        "clock12": clock12(t),
        "clock12_narrow": clock12(t, chr(0x202F)),
    }


GERMAN_ATTRIBUTION = "Am {d:02d}.{m:02d}.{y} um {hhmm} schrieb {who}:"
"""The German "On ... wrote:" line, which Thunderbird writes in every locale."""
ATTRIBUTION = {
    # Gmail (US) puts a narrow no-break space before AM/PM, as it really does.
    "us": "On {wd}, {mon} {d}, {y} at {clock12_narrow} {who} wrote:",
    "uk": "On {wd}, {d} {mon} {y} at {hhmm}, {who} wrote:",
    "fr": "Le {wd} {d} {mon} {y} à {hhmm}, {who} a écrit :",
    "de": GERMAN_ATTRIBUTION,
    "es": "El {wd}, {d} {mon} {y} a las {hhmm}, {name} (<{email}>) escribió:",
}
"""The line above a quote, per locale, as Gmail, Outlook and the plain client write it."""
APPLE_ATTRIBUTION = {
    "us": "On {mon} {d}, {y}, at {clock12}, {who} wrote:",
    "uk": "On {d} {mon} {y}, at {hhmm}, {who} wrote:",
    "fr": "Le {d} {mon} {y} à {hhmm}, {who} a écrit :",
    "de": GERMAN_ATTRIBUTION,
}
"""The line above a quote as Apple Mail and iOS write it; in any other locale, the British one."""
OUTLOOK_SENT = {
    "us": "{weekday}, {month} {d}, {y} {clock12}",
    "uk": "{d:02d} {month} {y} {hhmm}",
    "fr": "{weekday} {d} {month} {y} {hhmm}",
    "de": "{weekday}, {d}. {month} {y} {hhmm}",
    "es": "{weekday}, {d} de {month} de {y} {hhmm}",
}
"""The date of Outlook's "Sent:" header line, per locale."""
RETURN_DATE = {
    "en": "{weekday}, {month} {d}",
    "fr": "{weekday} {d} {month}",
    "de": "{weekday}, {d}. {month}",
    "es": "{weekday} {d} de {month}",
}
"""A return date as people write it in an out-of-office message, per language."""


def attribution(client: str, locale: str, t: datetime, name: str, email: str) -> str:
    """The "On ... wrote:" line above a quote, as the given client writes it in `t`'s zone."""
    lang = LANG[locale]
    if client in ("apple", "ios"):
        template = APPLE_ATTRIBUTION.get(locale)
        if template is None:
            template, lang = APPLE_ATTRIBUTION["uk"], "en"
    elif client == "thunderbird":
        template = GERMAN_ATTRIBUTION
    else:
        template = ATTRIBUTION[locale]
    who = f"{name} <{email}>" if name != email else f"<{email}>"
    return template.format(who=who, name=name, email=email, **date_fields(t, lang))


def outlook_sent(locale: str, t: datetime) -> str:
    """The date of Outlook's "Sent:" header line."""
    return OUTLOOK_SENT[locale].format(**date_fields(t, LANG[locale]))


def long_date(t: datetime, lang: str) -> str:
    """A return date as people write it in an out-of-office message."""
    return RETURN_DATE[lang].format(**date_fields(t, lang))


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


@dataclass(frozen=True)
class Email:
    """One e-mail to write, both its parts: the client and locale of its style, and what
    `render_email` was given."""

    client: str
    locale: str
    body: str
    signature: Signature | None
    disclaimer: str | None
    quote: Quoted | None
    tz: timezone  # the writer's zone, in which the quote's time is told
    hidden_html: str = ""  # markup right after the body, in the HTML part only


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


def text_part(email: Email) -> str:
    """The text/plain part of an e-mail: body, signature, disclaimer, then the quote."""
    client, locale, signature, quote = email.client, email.locale, email.signature, email.quote
    parts = [email.body]
    if signature:
        parts.append(("-- \n" if signature.dashed else "") + "\n".join(signature.lines))
    if email.disclaimer:
        parts.append(email.disclaimer)
    if quote:
        t = quote.when.astimezone(email.tz)
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


@dataclass(frozen=True)
class Markup:
    """The HTML part one mail client writes, as `str.format` templates that `html_part` fills in.

    `page` is the whole part, with the fields {body} (the paragraphs, then any hidden markup),
    {signature}, {disclaimer}, {quote} (each empty when there is none) and {lang} (Outlook's
    language tag); `signature` has {dash} and {lines}, `disclaimer` {lines}, and `quote` {attr}
    (the attribution line), {header} (Outlook's From/Sent/To/Subject block) and {quoted} (the
    quoted message). Literal braces (CSS in the head) are doubled."""

    page: str
    paragraph: tuple[str, str, str]  # open tag, close tag, and what stands between two paragraphs
    signature: str
    disclaimer: str
    quote: str
    dash: str = "-- <br>"  # what stands before the lines of a dashed signature


_APPLE = Markup(
    page='<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto">'
    "{body}{signature}{disclaimer}{quote}</body></html>",
    paragraph=('<div dir="ltr">', "</div>", '<div dir="ltr"><br></div>'),
    signature='<div dir="ltr"><br>{dash}{lines}</div>',
    disclaimer='<div dir="ltr"><br>{lines}</div>',
    quote='<div><br><blockquote type="cite"><div>{attr}</div><br class="Apple-interchange-newline">'
    "<div>{quoted}</div></blockquote></div>",
)
_OUTLOOK_GAP = '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
MARKUP = {
    "gmail": Markup(
        page='<div dir="ltr">{body}{signature}{disclaimer}</div>{quote}',
        paragraph=("<div>", "</div>", "<div><br></div>"),
        dash='<span class="gmail_signature_prefix">-- </span><br>',
        signature='<br clear="all"><div><br></div>{dash}<div dir="ltr" class="gmail_signature"'
        ' data-smartmail="gmail_signature">{lines}</div>',
        disclaimer='<div><br></div><div style="font-size:10px;color:#777777">{lines}</div>',
        quote='<br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">{attr}<br></div>'
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);'
        'padding-left:1ex">{quoted}</blockquote></div>',
    ),
    "thunderbird": Markup(
        page='<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
        "</head><body>{body}{signature}{disclaimer}{quote}</body></html>",
        paragraph=("<p>", "</p>", ""),
        signature='<div class="moz-signature">{dash}{lines}</div>',
        disclaimer="<p><small>{lines}</small></p>",
        quote='<div class="moz-cite-prefix">{attr}<br></div><blockquote type="cite">{quoted}</blockquote>',
    ),
    "apple": _APPLE,
    "ios": replace(
        _APPLE,
        quote='<div dir="ltr"><br><blockquote type="cite">{attr}<br><br></blockquote></div>'
        '<blockquote type="cite"><div dir="ltr">{quoted}</div></blockquote>',
    ),
    "outlook": Markup(
        page='<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv="Content-Type"'
        ' content="text/html; charset=utf-8"><style><!-- p.MsoNormal {{margin:0cm; font-size:11.0pt;'
        ' font-family:"Calibri",sans-serif;}} --></style></head><body lang="{lang}" link="#0563C1"'
        ' vlink="#954F72"><div class="WordSection1">{body}{signature}{disclaimer}{quote}</div></body></html>',
        paragraph=('<p class="MsoNormal">', "<o:p></o:p></p>", _OUTLOOK_GAP),
        signature=_OUTLOOK_GAP + '<p class="MsoNormal"><span style="color:#1F3864">{lines}</span><o:p></o:p></p>',
        disclaimer=_OUTLOOK_GAP
        + '<p class="MsoNormal"><span style="font-size:7.5pt;color:gray">{lines}</span><o:p></o:p></p>',
        quote=_OUTLOOK_GAP + '<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        '<p class="MsoNormal">{header}<o:p></o:p></p></div></div>' + _OUTLOOK_GAP + "{quoted}",
    ),
    "owa": Markup(
        page='<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><style type="text/css"'
        ' style="display:none;"> P {{margin-top:0;margin-bottom:0;}} </style></head><body dir="ltr"><div'
        ' class="elementToProof" style="font-family:Aptos,Aptos_EmbeddedFont,Calibri,Helvetica,sans-serif;'
        'font-size:12pt;color:rgb(0,0,0)">{body}</div>{signature}{disclaimer}{quote}</body></html>',
        paragraph=("<div>", "</div>", "<div><br></div>"),
        signature='<div id="Signature"><div><br></div><div>{lines}</div></div>',
        disclaimer='<div style="font-size:8pt;color:#808080">{lines}</div>',
        quote='<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1"><div'
        ' id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">'
        "{header}</font><div>&nbsp;</div></div>{quoted}",
    ),
}
"""The HTML of each mail client (the plain client writes none)."""
OUTLOOK_LANG = {"us": "EN-US", "uk": "EN-GB", "de": "DE", "fr": "FR", "es": "ES"}
"""The language tag Outlook puts on the body, per locale."""


def html_part(email: Email) -> str:
    """The text/html part of an e-mail in the markup of its client."""
    client, locale, signature, quote = email.client, email.locale, email.signature, email.quote
    markup = MARKUP.get(client)
    if markup is None:
        raise ValueError(f"unknown mail client {client!r}")
    fields = {
        "body": paragraphs(email.body, *markup.paragraph) + email.hidden_html,
        "signature": "",
        "disclaimer": "",
        "quote": "",
        "lang": OUTLOOK_LANG[locale],
    }
    if signature:
        dash = markup.dash if signature.dashed else ""
        fields["signature"] = markup.signature.format(dash=dash, lines=lines_html(signature.lines))
    if email.disclaimer:
        fields["disclaimer"] = markup.disclaimer.format(lines=lines_html(email.disclaimer.split("\n")))
    if quote:
        t = quote.when.astimezone(email.tz)
        attr = attribution_html(attribution(client, locale, t, quote.name, quote.email), quote.email)
        header = "<br>".join(
            f"<b>{html.escape(label)}</b> {html.escape(value)}" for label, value in outlook_header(locale, quote, t)
        )
        fields["quote"] = markup.quote.format(attr=attr, header=header, quoted=quoted_html(quote))
    return markup.page.format(**fields)


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
    email = Email(client, locale, body, signature, disclaimer, quote, tz, hidden_html)
    text = text_part(email)
    if client == "plain":
        return None, text
    return html_part(email), text


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
