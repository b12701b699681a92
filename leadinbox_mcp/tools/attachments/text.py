"""Plain text, HTML pages and emails (.eml).

- Text: a byte-order mark decides; else UTF-8 if the bytes are valid UTF-8; else the encoding
  charset-normalizer finds in the first 64 KB (Windows-1252, Shift-JIS, GB18030, ...); else
  Windows-1252. Undecodable bytes become U+FFFD, never an error.
- HTML: the message-body pipeline of tools/render (html.convert: lexbor, and visibility.py's
  cascade, so what a browser would not show is dropped), with quoted history, signatures and
  boilerplate kept: this is a document, not a reply. Inline data: URIs go before the size check,
  and a tag left open at the end of the file (which a browser does not show) before parsing.
- Email: the standard library's email package (policy.default). Its headers (from, to, cc,
  date, subject), its body (the HTML part through the same pipeline, else the text part), the
  names of its attachments, and each attached message (message/rfc822, a forward as an
  attachment) as a section of its own, to a depth of three.
"""

from __future__ import annotations

import codecs
import re
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser

from leadinbox_mcp.tools.attachments.bounds import human_size
from leadinbox_mcp.tools.attachments.extract import Clock, Draft, Limits, Section, Unreadable
from leadinbox_mcp.tools.render.html import convert
from leadinbox_mcp.tools.render.safety import one_line

MAX_HTML_CHARS = 2_000_000
"""HTML read (after data: URIs are dropped): what tools/render/html.py reads of any HTML. A page
past it is refused, not cut: a cut drops the stylesheets after it, which may hide text before it."""
MAX_EMAIL_DEPTH = 3
"""Attached messages read inside attached messages."""
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DATA_URI = re.compile(rb"""(?i)(\s(?:src|href|background|poster)\s*=\s*)(["'])data:.*?\2""", re.S)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_OPEN_TAG = re.compile(r"<[A-Za-z/!?]")
HIDDEN_HTML = "Hidden text (styled so that a browser does not show it) was not shown."


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to text, never failing: BOM, then a declared charset that works, then UTF-8, then
    detection, then Windows-1252; bad bytes become U+FFFD."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace")
    if declared:
        try:
            return data.decode(codecs.lookup(declared).name)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65_536]).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        return data.decode(encoding, "replace")
    except LookupError:
        return data.decode("cp1252", "replace")


def read_text(data: bytes, limits: Limits, clock: Clock) -> Draft:
    return Draft(kind="text", unit="part", sections=[Section("", decode(data))], total=1)


def read_html(data: bytes, limits: Limits, clock: Clock) -> Draft:
    draft = Draft(kind="HTML", unit="part", total=1)
    text, hidden = _html_text(data, None)
    draft.sections.append(Section("", text))
    if hidden:
        draft.notes.append(HIDDEN_HTML)
    return draft


def _html_text(raw: bytes, charset: str | None) -> tuple[str, bool]:
    """The visible text of an HTML document and whether hidden text was dropped."""
    if b"data:" in raw:
        raw = _DATA_URI.sub(rb'\1""', raw)
    if charset is None:
        meta = _META_CHARSET.search(raw[:4096])
        charset = meta.group(1).decode("ascii", "ignore") if meta else None
    html = decode(raw, charset)
    if len(html) > MAX_HTML_CHARS:
        raise Unreadable(
            f"This HTML is too large to read safely ({human_size(len(raw))} of markup; the limit is "
            f"{MAX_HTML_CHARS // 1_000_000} million characters)."
        )
    converted = convert(_without_open_tail(html), links=False, drop_quotes=False)
    return converted.text, "hidden text" in converted.removed


def _without_open_tail(html: str) -> str:
    """The markup without a tag left open at its end: a browser shows nothing from a tag that no
    `>` closes to the end of the file, and html.py's depth guard (its tag regex) takes cubic time
    on thousands of such tags (`<ab<ab<ab...` with no `>`: 12 KB of it never finishes)."""
    last = html.rfind(">")
    tail = _OPEN_TAG.search(html, last + 1)
    return html[: tail.start()] if tail else html


def read_eml(data: bytes, limits: Limits, clock: Clock) -> Draft:
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not isinstance(message, EmailMessage) or not (message.keys() or message.get_payload()):
        raise Unreadable("This email file holds no message that can be read.")
    draft = Draft(kind="email", unit="part")
    budget = [limits.max_email_parts]
    hidden = [False]
    sections: list[Section] = []
    _read_message(message, "", sections, budget, hidden, 0)
    if len(sections) == 1:
        sections = [Section("", sections[0].text)]
    draft.sections = sections
    draft.total = len(sections)
    if hidden[0]:
        draft.notes.append(HIDDEN_HTML)
    if budget[0] <= 0:
        draft.notes.append(f"Only the first {limits.max_email_parts:,} parts of this email were looked at.")
    return draft


def _read_message(
    message: EmailMessage, label: str, sections: list[Section], budget: list[int], hidden: list[bool], depth: int
) -> None:
    lines = []
    for header in ("From", "To", "Cc", "Date", "Subject"):
        value = _header(message, header)
        if value:
            lines.append(f"{header}: {value}")
    body = message.get_body(preferencelist=("html", "plain"))
    text = ""
    if body is not None:
        raw = body.get_payload(decode=True)
        if isinstance(raw, bytes):
            if body.get_content_subtype() == "html":
                text, was_hidden = _html_text(raw, body.get_content_charset())
                hidden[0] = hidden[0] or was_hidden
            else:
                text = decode(raw, body.get_content_charset())
    attachments: list[str] = []
    attached: list[EmailMessage] = []
    for part in _parts(message, body, budget):
        name = part.get_filename()
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, EmailMessage):
                attached.append(inner)
                subject = _header(inner, "Subject")
                attachments.append(f"{one_line(name, 120) or 'attached message'}{f' ({subject})' if subject else ''}")
                continue
        if name or part.get_content_disposition() == "attachment":
            payload = part.get_payload(decode=True)
            size = f", {human_size(len(payload))}" if isinstance(payload, bytes) else ""
            attachments.append(f"{one_line(name, 120) or 'unnamed'} ({part.get_content_type()}{size})")
    if text.strip():
        lines.extend(["", text])
    if attachments:
        lines.extend(["", "Attachments: " + "; ".join(attachments)])
    sections.append(Section(label or "message", "\n".join(lines)))
    for inner in attached:
        if depth + 1 >= MAX_EMAIL_DEPTH:
            break
        _read_message(inner, f"attached message {len(sections)}", sections, budget, hidden, depth + 1)


def _parts(message: Message, body: Message | None, budget: list[int]) -> list[Message]:
    """The leaf parts of `message` (attached messages not walked into) other than its body and
    the body's alternatives, within the email's budget of parts."""
    found: list[Message] = []
    stack: list[Message] = [message]
    while stack and budget[0] > 0:
        part = stack.pop()
        budget[0] -= 1
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend(p for p in reversed(payload) if isinstance(p, Message))
            continue
        if part is body or part is message:
            continue
        if (
            part.get_content_maintype() == "text"
            and not part.get_filename()
            and part.get_content_disposition() != "attachment"
        ):
            continue  # the other alternative of the body, or an inline text part
        found.append(part)
    return found


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError, AttributeError):
        return ""  # a header the policy cannot parse
    return one_line(str(value), 300) if value is not None else ""
