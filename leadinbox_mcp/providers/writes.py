"""What a provider can write for an account that opted in: drafts, replies, cancelling them.

Each provider's `providers/<name>/writes.py` has a `Writes(client)` that overrides what its API
documents; what it does not document stays `NoWrites`'s, which raises `WriteUnsupported` with a
sentence that says so and what the account can do instead. No method takes a recipient: a
reply goes to the conversation's own correspondent, as the provider addresses it.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import AfterValidator

from leadinbox_mcp.providers.errors import ProviderError
from leadinbox_mcp.providers.model import Frozen

if TYPE_CHECKING:
    from leadinbox_mcp.providers.provider import Provider

WriteLevel = Literal["none", "drafts", "send"]
WRITE_LEVELS: tuple[WriteLevel, ...] = ("none", "drafts", "send")
"""In order: each level allows what the ones before it do."""

log = logging.getLogger("leadinbox_mcp.writes")
"""Every write, one line on stderr: account, conversation and the id the provider gave; never
the text, never a key."""


class WriteUnsupported(ProviderError):
    """The provider documents no such write; the sentence says what the account can do instead."""


def _short(value: str | None) -> str | None:
    """A provider's word about a write (an id, a channel, a status), cut where no real one ends:
    it is shown and logged, and a megabyte of id made a 500,000-token answer and a log line that
    took minutes to write."""
    return value[:WORD_CHARS] if value is not None else None


WORD_CHARS = 200
Short = Annotated[str, AfterValidator(_short)]


class Draft(Frozen):
    id: Short
    subject: Short | None = None
    preview: Short | None = None
    channel: Short | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Sent(Frozen):
    id: Short | None
    """The provider's id of the reply (what cancel_scheduled_reply takes), where it gives one."""
    scheduled_for: datetime | None = None
    """When it goes out, for a scheduled reply; None: sent now."""
    status: Short | None = None
    rejected: Annotated[tuple[Short, ...], AfterValidator(lambda refused: refused[:20])] = ()
    """Recipients the provider refused, with its reason, where it says (the first 20)."""


class NoWrites:
    """A provider's writes where it documents none: every method says so."""

    drafts: ClassVar[bool] = False
    sends: ClassVar[Literal["scheduled", "immediate"] | None] = None
    """How send_reply sends: scheduled (cancellable until it goes), immediately, or not at all."""
    instead_of_drafts: ClassVar[str] = 'write = "send" lets send_reply send it, after the person confirms'
    instead_of_sending: ClassVar[str] = "save it as a draft instead"

    def __init__(self, client: Provider) -> None:
        self.client = client

    def _unsupported(self, what: str, instead: str) -> WriteUnsupported:
        return WriteUnsupported(f"{self.client.account}: {self.client.label} has no {what} in its API; {instead}.")

    async def save_draft(self, conversation_id: str, text: str, subject: str | None, draft_id: str | None) -> Draft:
        raise self._unsupported("drafts", self.instead_of_drafts)

    async def list_drafts(self, conversation_id: str) -> list[Draft]:
        raise self._unsupported("drafts", self.instead_of_drafts)

    async def delete_draft(self, conversation_id: str, draft_id: str) -> None:
        raise self._unsupported("drafts", self.instead_of_drafts)

    async def send_reply(self, conversation_id: str, text: str, send_at: datetime | None, key: str) -> Sent:
        """`key` is the same for the same account, conversation and text: an idempotency key
        where the provider takes one, so that a retry never sends twice."""
        raise self._unsupported("sending that this server supports", self.instead_of_sending)

    async def cancel_scheduled_reply(self, conversation_id: str, reply_id: str) -> None:
        raise self._unsupported("scheduled replies", "a reply sent there goes out at once and cannot be called back")


def html_of(text: str) -> str:
    """The agent's text as HTML for a provider that takes HTML: escaped (a `<a href>` in it stays
    text), paragraphs at blank lines, line breaks kept."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>" + html.escape(p.strip("\n")).replace("\n", "<br>") + "</p>" for p in paragraphs)


def iso(at: datetime) -> str:
    """A time as the providers write it: UTC, milliseconds, `Z`."""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def write_level(account: object) -> WriteLevel:
    """What the account may write (set by `registry.allowing`); none unless it opted in."""
    level = getattr(account, "write_level", "none")
    return level if level in WRITE_LEVELS else "none"
