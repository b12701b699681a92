from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from inbox_mcp.tools.inbox import ToolInputError, full_id
from inbox_mcp.tools.output import ThreadOut, conversation_out
from inbox_mcp.tools.paging import fingerprint, pack, unpack
from inbox_mcp.tools.render.rows import snippet_of
from inbox_mcp.tools.render.thread import render_thread
from inbox_mcp.tools.result import inbox_of, result


async def get_thread(
    ctx: Context,
    conversation_id: Annotated[str, Field(description="An id from list_conversations or search_by_domain, e.g. 'sendkit:664a1b2c3d4e5f6a7b8c9d0e'.", max_length=300)],
    cursor: Annotated[str | None, Field(description="next_cursor of the previous get_thread call on this conversation, to read older messages in full.")] = None,
    response_format: Literal["concise", "detailed"] = "concise",
) -> Annotated[CallToolResult, ThreadOut]:
    """Read one conversation before answering it: who the lead is (name, email, title, company),
    campaign, tags and read state, then every message oldest first as clean text (quoted history,
    HTML and tracking removed) with direction, date, attachments, and opened/clicked for our
    emails, then replies already scheduled but not sent (do not draft a second one on top).
    Auto-replies and our earlier campaign steps take one line each; long threads show the
    newest messages in full and older ones as one line, and `cursor` reads those. `detailed`
    keeps everything in full, with link targets and what was trimmed."""
    inbox = inbox_of(ctx)
    provider, native = inbox.resolve(conversation_id)
    thread_id = full_id(provider.account, native)
    fp = fingerprint("get_thread", id=thread_id, format=response_format)
    older_than = None
    if cursor:
        payload = unpack(cursor, fp)
        if not isinstance(payload, dict) or not isinstance(payload.get("older_than"), int) or payload["older_than"] < 2:
            raise ToolInputError("That cursor is malformed; start again without a cursor.")
        older_than = payload["older_than"]
    # Only a cursor reads the cache (the same thread's older part, moments later, maybe on
    # another replica): a first call always reads the provider fresh.
    thread = await inbox.thread_cache.get((thread_id,)) if cursor else None
    cached = thread is not None
    if thread is None:
        thread = await provider.get_thread(native)
    detailed = response_format == "detailed"
    rendered = render_thread(
        provider.label, thread, detailed=detailed, budget=inbox.budgets.thread_tokens, older_than=older_than
    )
    next_cursor = pack(fp, {"older_than": rendered.older_than}) if rendered.older_than else None
    if next_cursor and not cached:
        await inbox.thread_cache.put((thread_id,), thread)  # kept only when a cursor may come back for it
    text = rendered.text
    if next_cursor:
        text += f'\nOlder messages: call get_thread with conversation_id="{thread_id}" and cursor="{next_cursor}".'
    c = thread.conversation
    structured = ThreadOut(
        conversation=conversation_out(provider.account, c, snippet_of(c, detailed=detailed) or None),
        messages=rendered.messages,
        events=rendered.events,
        scheduled_replies=rendered.scheduled,
        next_cursor=next_cursor,
        notes=list(thread.notes),
    )
    return result(text, structured)
