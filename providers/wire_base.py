"""What every provider's wire models share: tolerant parsing, UTC times, one way to fail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from inbox_mcp.providers.errors import UpstreamError
from inbox_mcp.providers.model import Person


class Wire(BaseModel):
    """A provider's JSON object: unknown fields ignored, aliases as documented."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _null_means_absent(cls, data: Any) -> Any:
        """A documented field sent as null takes its default ([] for lists), as if absent."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _assume_utc(cls, value: object) -> object:
        """Times in UTC, as the domain model has them: a naive time is taken as UTC, any other is
        converted; one with no UTC equivalent (0001-01-01T00:00+14:00) counts as absent."""
        if isinstance(value, datetime):
            if value.tzinfo is None:
                return value.replace(tzinfo=UTC)
            try:
                return value.astimezone(UTC)
            except OverflowError:
                return None
        return value


WireT = TypeVar("WireT", bound=BaseModel)


def parse(model: type[WireT], data: Any, account: str, label: str) -> WireT:
    """`data` as `model`, or an UpstreamError that says where the provider's JSON went wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"]) or "the body"
        raise UpstreamError(
            f"{account}: {label} answered with data this server cannot read (at {where}); the API may have changed."
        ) from None


MAX_ADDRESS_CHARS = 1000
"""Longer address texts are cut before parsing: no real mailbox is that long."""


def mailbox(value: str | None) -> tuple[str | None, str | None]:
    """(display name, address) of "Name <address>", of a bare address, or of a name alone.

    The address is what the closing angle brackets hold, whatever the name before them says;
    the name loses its quotes and any angle brackets, so that it cannot pass for an address
    ('"ceo@acme.com" <x@evil.test>' is x@evil.test, named ceo@acme.com)."""
    text = " ".join((value or "")[:MAX_ADDRESS_CHARS].split())
    if not text:
        return None, None
    address: str | None = None
    start = text.rfind("<")
    if text.endswith(">") and start != -1:
        address, text = text[start + 1 : -1].strip() or None, text[:start]
    elif "@" in text:
        try:
            name, address = parseaddr(text)  # a bare address, or RFC 5322's "address (Name)"
        except RecursionError:  # "((((..." nests comments past the parser's stack
            name, address = "", ""
        if "@" in address and " " not in address:
            return (" ".join(name.split()) or None), address
        words = text.split(" ")  # "Name name@x.com": the last word that is an address
        at = max(i for i, word in enumerate(words) if "@" in word)
        address, text = words[at], " ".join(words[:at] + words[at + 1 :])
    name = " ".join(text.replace("<", " ").replace(">", " ").split())
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('\\"', '"').strip()
    if address and name.casefold() == address.casefold():
        name = ""
    return name or None, address


def mailboxes(values: list[str]) -> list[tuple[str | None, str | None]]:
    """Every mailbox of address strings such as 'Ana <ana@x.com>, "Doe, Jo" <jo@y.com>': split at
    commas outside quotes and angle brackets (one pass, linear in the length)."""
    found = []
    for value in values:
        part: list[str] = []
        quoted = angled = False
        for char in value + ",":
            if char == '"' and not angled:
                quoted = not quoted
            elif char == "<" and not quoted:
                angled = True
            elif char == ">" and not quoted:
                angled = False
            elif char == "," and not (quoted or angled):
                name, address = mailbox("".join(part))
                if name or address:
                    found.append((name, address))
                part = []
                continue
            part.append(char)
    return found


def people(value: str | Iterable[str] | None) -> tuple[Person, ...]:
    """Addresses as a provider sends them, in one string (`"Ana <ana@x.com>, bo@y.com"`) or as a
    list of such strings, as people: the address always, the display name where one is given."""
    if not value:
        return ()
    texts = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
    return tuple(Person(name=name, email=address) for name, address in mailboxes(texts))
