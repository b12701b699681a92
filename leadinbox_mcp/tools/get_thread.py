from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult

from leadinbox_mcp.providers.model import Thread
from leadinbox_mcp.providers.wire_base import with_parse_notes
from leadinbox_mcp.providers.writes import write_level
from leadinbox_mcp.tools.listing.cursors import cursors_of, fingerprint
from leadinbox_mcp.tools.render.rows import CONCISE_SNIPPET, DETAILED_SNIPPET
from leadinbox_mcp.tools.render.safety import one_line
from leadinbox_mcp.tools.render.worker import render_in_worker
from leadinbox_mcp.tools.results.result import inbox_of, result
from leadinbox_mcp.tools.results.structured import ThreadOut, conversation_out
from leadinbox_mcp.tools.shared.arguments import ConversationId, Cursor, ResponseFormat
from leadinbox_mcp.tools.shared.inbox import ToolInputError, full_id

if TYPE_CHECKING:
    from leadinbox_mcp.tools.render.thread import Rendered


async def get_thread(
    ctx: Context,
    conversation_id: ConversationId,
    cursor: Cursor = None,
    response_format: ResponseFormat = "concise",
) -> Annotated[CallToolResult, ThreadOut]:
    """Read one conversation before answering it: who the lead is (name, email, title, company),
    campaign, tags and read state, then every message oldest first as clean text (quoted history,
    HTML and tracking removed) with direction, date, attachments (get_attachment reads them, by
    file name or by the number shown where names repeat), and opened/clicked for our
    emails, then replies already scheduled but not sent (do not draft a second one on top).
    Auto-replies and our earlier campaign steps take one line each; long threads show the
    newest messages in full and older ones as one line, and `cursor` reads those. `detailed`
    keeps everything in full, with link targets and what was trimmed."""
    inbox = inbox_of(ctx)
    provider, native = inbox.resolve(conversation_id)
    thread_id = full_id(provider.account, native)
    fp = fingerprint("get_thread", id=thread_id, format=response_format)
    cursors = cursors_of(ctx)
    older_than = None
    if cursor:
        payload = await cursors.open(cursor, fp)
        if not isinstance(payload, dict) or not isinstance(payload.get("older_than"), int) or payload["older_than"] < 2:
            raise ToolInputError("That cursor is malformed; start again without a cursor.")
        older_than = payload["older_than"]
    # Only a cursor reads the cache (the same thread's older part, moments later, maybe on
    # another replica): a first call always reads the provider fresh.
    thread = await inbox.thread_cache.get((thread_id,)) if cursor else None
    cached = thread is not None
    if thread is None:
        thread = await with_parse_notes(provider.get_thread(native))
    detailed = response_format == "detailed"
    rendered = await render_in_worker(
        provider.label,
        thread,
        detailed=detailed,
        budget=inbox.budgets.thread_tokens,
        older_than=older_than,
        reply_ids=write_level(provider) == "send",  # what cancel_scheduled_reply takes
    )
    next_cursor = await cursors.issue(fp, {"older_than": rendered.older_than}) if rendered.older_than else None
    if next_cursor and not cached:
        await inbox.thread_cache.put((thread_id,), thread)  # kept only when a cursor may come back for it
    text = rendered.text
    if next_cursor:
        text += f'\nOlder messages: call get_thread with conversation_id="{thread_id}" and cursor="{next_cursor}".'
    structured = ThreadOut(
        conversation=conversation_out(provider.account, thread.conversation, _snippet(rendered, thread, detailed)),
        messages=rendered.messages,
        events=rendered.events,
        scheduled_replies=rendered.scheduled,
        next_cursor=next_cursor,
        notes=list(thread.notes),
    )
    return result(text, structured)


def _snippet(rendered: Rendered, thread: Thread, detailed: bool) -> str | None:
    """The newest message's first words as rendered (what its HTML shows, never a text part that
    says something else), when this call shows it."""
    newest = rendered.messages[-1] if rendered.messages else None
    if newest is None or newest.number != len(thread.messages) or not newest.text:
        return None
    return one_line(newest.text, DETAILED_SNIPPET if detailed else CONCISE_SNIPPET)
