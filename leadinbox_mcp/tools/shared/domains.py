"""Email domains: normalised from what an agent types, matched at a label boundary."""

from __future__ import annotations

import re

from leadinbox_mcp.tools.shared.inbox import ToolInputError, shown

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def normalise_domain(raw: str) -> str:
    """'@ACME.com', 'jane@acme.com', 'https://acme.com/' and 'bücher.de' become 'acme.com' and
    'xn--bcher-kva.de'; anything that is not a domain raises ToolInputError."""
    text = raw.strip().lower()
    url = re.match(r"^[a-z][a-z0-9+.-]*://([^/?#]*)", text)
    if url:  # a pasted link: its host
        text = url.group(1).rsplit("@", 1)[-1].split(":")[0]
    text = text.rsplit("@", 1)[-1].strip().rstrip(".")
    try:
        ascii_domain = text.encode("idna").decode("ascii") if text else ""
    except UnicodeError:
        ascii_domain = ""
    labels = ascii_domain.split(".")
    if (
        len(labels) < 2
        or len(ascii_domain) > 253
        or not all(_LABEL.match(label) for label in labels)
        or not _TLD.match(labels[-1])
    ):
        raise ToolInputError(
            f"{shown(raw, 80)} is not an email domain; pass one like 'acme.com' (subdomains are included)."
        )
    return ascii_domain


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower().rstrip(".")
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def in_domain(email: str | None, domain: str) -> bool:
    """`acme.com` matches acme.com and us.acme.com, never notacme.com."""
    found = email_domain(email)
    return found is not None and (found == domain or found.endswith("." + domain))
