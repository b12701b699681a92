"""save_draft, list_drafts, delete_draft: a reply that lands as a draft where the person sends
from (lemlist's inbox). Listed only when an account allows drafts; nothing is ever sent."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from leadinbox_mcp.providers.writes import Draft, log
from leadinbox_mcp.tools.render.rows import when
from leadinbox_mcp.tools.render.safety import one_line, quoted
from leadinbox_mcp.tools.results.result import inbox_of, result
from leadinbox_mcp.tools.results.structured import MAX_LISTED, Out
from leadinbox_mcp.tools.shared.arguments import ConversationId
from leadinbox_mcp.tools.shared.inbox import full_id
from leadinbox_mcp.tools.writing.access import checked_id, checked_text, writable, write_by_id

NOTHING_SENT = "Nothing was sent."
DraftId = Annotated[str, Field(description="The draft to delete (from list_drafts or save_draft).", max_length=100)]


class DraftOut(Draft, Out):
    """A draft as the tools return it: its strings made safe as in every structured answer."""


class DraftsOut(Out):
    conversation_id: str
    drafts: list[DraftOut]
    sent: bool = False
    """Always false: no draft tool sends anything."""


def _out(draft: Draft) -> DraftOut:
    return DraftOut.model_validate(draft.model_dump())  # made safe as every structured answer is


async def save_draft(
    ctx: Context,
    conversation_id: ConversationId,
    text: Annotated[str, Field(description="The reply, as plain text (paragraphs separated by a blank line).")],
    subject: Annotated[
        str | None, Field(description="Only to change the subject; a reply keeps the thread's.", max_length=300)
    ] = None,
    draft_id: Annotated[
        str | None, Field(description="A draft of this conversation to replace (from list_drafts).", max_length=100)
    ] = None,
) -> Annotated[CallToolResult, DraftsOut]:
    """Save a reply as a draft in the provider's own inbox (lemlist), on the conversation's
    channel, for the person to review and send there. Sends nothing. With draft_id, replaces
    that draft's text instead of adding one (lemlist keeps at most 10 a conversation)."""
    provider, native, writes = writable(inbox_of(ctx), conversation_id, "drafts")
    text = checked_text(text)
    draft_id = checked_id(draft_id, "draft", "list_drafts") if draft_id else None
    draft = await writes.save_draft(native, text, one_line(subject, 300) or None, draft_id)
    log.info(
        "%s: draft %s %s in conversation %s", provider.account, draft.id, "updated" if draft_id else "saved", native
    )
    thread_id = full_id(provider.account, native)
    channel = f" ({draft.channel})" if draft.channel else ""
    text_out = (
        f"Draft {draft.id} {'updated' if draft_id else 'saved'} in {provider.label}{channel} for conversation "
        f"{thread_id}. {NOTHING_SENT} The person reviews and sends it from {provider.label}'s inbox; "
        f'to change it, call save_draft again with draft_id="{draft.id}".'
    )
    return result(text_out, DraftsOut(conversation_id=thread_id, drafts=[_out(draft)]))


async def list_drafts(ctx: Context, conversation_id: ConversationId) -> Annotated[CallToolResult, DraftsOut]:
    """The drafts saved in a conversation (by save_draft or by the team in the provider's inbox):
    id, channel, subject, first words and when it last changed."""
    provider, native, writes = writable(inbox_of(ctx), conversation_id, "drafts")
    drafts = await writes.list_drafts(native)
    thread_id = full_id(provider.account, native)
    if not drafts:
        return result(
            f"No drafts in {provider.label} conversation {thread_id}.", DraftsOut(conversation_id=thread_id, drafts=[])
        )
    lines = [f"{len(drafts)} draft{'s' if len(drafts) != 1 else ''} in {provider.label} conversation {thread_id}:"]
    if len(drafts) > MAX_LISTED:
        lines[0] = lines[0][:-1] + f"; the first {MAX_LISTED} as {provider.label} lists them:"
        drafts = drafts[:MAX_LISTED]
    for d in drafts:
        parts = [
            one_line(d.id, 100),
            one_line(d.channel, 30),
            quoted(d.subject, 100),
            f"changed {when(d.updated_at or d.created_at)} UTC",
        ]
        line = "- " + " · ".join(p for p in parts if p)
        if d.preview:
            line += f": {quoted(d.preview, 160)}"
        lines.append(line)
    return result("\n".join(lines), DraftsOut(conversation_id=thread_id, drafts=[_out(d) for d in drafts]))


async def delete_draft(
    ctx: Context, conversation_id: ConversationId, draft_id: DraftId
) -> Annotated[CallToolResult, DraftsOut]:
    """Delete one draft of a conversation. Sends nothing."""
    provider, thread_id, draft_id = await write_by_id(
        ctx, conversation_id, "drafts", draft_id, ("draft", "list_drafts", "deleted"), lambda w: w.delete_draft
    )
    text = f"Draft {draft_id} deleted from {provider.label} conversation {thread_id}. {NOTHING_SENT}"
    return result(text, DraftsOut(conversation_id=thread_id, drafts=[]))
