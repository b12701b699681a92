from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from leadinbox_mcp.providers.model import Capabilities, Conversation, Query
from leadinbox_mcp.tools.listing import merge as listing
from leadinbox_mcp.tools.listing.cursors import cursors_of
from leadinbox_mcp.tools.listing.last_from import AwaitingReply, FromCache, blank_note
from leadinbox_mcp.tools.listing.text import listing_text
from leadinbox_mcp.tools.results.result import inbox_of, result
from leadinbox_mcp.tools.results.structured import ConversationList, conversation_list_json
from leadinbox_mcp.tools.shared.arguments import Account, Cursor, Limit, ResponseFormat, Since
from leadinbox_mcp.tools.shared.since import parse_since


async def list_conversations(
    ctx: Context,
    account: Account = None,
    unread_only: Annotated[bool, Field(description="Only conversations with unread replies from the lead.")] = False,
    tag: Annotated[
        str | None,
        Field(description="Only this tag, e.g. 'interested', 'not_interested', 'meeting_booked'.", max_length=100),
    ] = None,
    campaign_id: Annotated[str | None, Field(description="Only this campaign's conversations.", max_length=100)] = None,
    query: Annotated[str | None, Field(description="Text to find in the lead's name or email.", max_length=200)] = None,
    awaiting_reply: Annotated[
        bool,
        Field(
            description="Only conversations waiting on us: the lead wrote last and no reply is scheduled. Reads "
            "threads where the list does not tell (lemlist, InboxBase; SendKit for scheduled replies), so it is "
            "slower; the answer names any account it could not decide for."
        ),
    ] = False,
    since: Since = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    response_format: ResponseFormat = "concise",
) -> Annotated[CallToolResult, ConversationList]:
    """List the conversations in the connected sales inboxes where leads replied, newest first,
    one line each: id, who (name, email, company), tags, unread, last activity (UTC), and the
    last message's first words. Each line also says who wrote last ("lead wrote last" / "we
    wrote last") where that is known. Merges every account unless `account` is given. Use the id
    with get_thread to read a conversation, and `cursor` to page on. `detailed` adds campaign,
    status, message count and a longer snippet.

    Who wrote last comes from the list where the provider says it (SendKit, SendPilot); lemlist
    and InboxBase lists do not, so their rows show it only where the thread was read moments ago
    (a plain listing reads no threads). `awaiting_reply=true` keeps only the conversations waiting
    on us: the lead wrote last and no reply is scheduled (pending or sending, SendKit). It reads
    the threads it needs within the call's time; an account it could not decide for is named and
    the cursor resumes it exactly there."""
    inbox = inbox_of(ctx)
    selected = inbox.select(account)
    q = Query(
        unread_only=unread_only,
        tag=_blank(tag),
        campaign_id=_blank(campaign_id),
        text=_blank(query),
        since=parse_since(since),
    )
    notes: list[str] = []
    accounts = selected
    if unread_only:
        accounts = [a for a in selected if a.capabilities.read_state]
        notes += [
            f"{a.account}: {a.label} keeps no read state, so unread_only leaves its conversations out."
            for a in selected
            if not a.capabilities.read_state
        ]
    awaiting = AwaitingReply(inbox.thread_cache) if awaiting_reply else None
    run = listing.Listing.of(
        "list_conversations",
        accounts,
        q,
        q.model_dump(mode="json", exclude={"since"})
        | ({"awaiting_reply": True} if awaiting_reply else {}),  # plain listings keep their cursors' fingerprint
        since=since,
        limit=limit,
        response_format=response_format,
        check=awaiting or FromCache(inbox.thread_cache),
    )
    for provider in accounts:
        keep, applied_by_tool = _tool_filters(q, provider.capabilities)
        if keep is not None:
            run.keep[provider.account] = keep
            notes.append(
                f"{provider.account}: {', '.join(applied_by_tool)} applied by this tool, not by {provider.label}."
            )
        if awaiting is not None:  # a filter of the tool's: rows that say we wrote last go without a thread read
            run.keep[provider.account] = _both(keep, awaiting.keep) if keep is not None else awaiting.keep
    outcome = await listing.run(run, inbox, cursor, cursors_of(ctx)) if accounts else listing.empty()
    if awaiting is not None:
        notes += awaiting.notes()
    blank = blank_note(outcome.conversations, "awaiting_reply=true reads the threads to tell")
    notes += [blank] if blank else []
    if outcome.budget_spent and len(outcome.rows) < limit and outcome.next_cursor:
        notes.append(
            f"Looked at {sum(outcome.scanned.values())} conversations ({sum(outcome.pages.values())} provider pages) "
            "this call for the filters this tool applies, and more remain: pass the cursor to keep looking."
        )
    structured = conversation_list_json(
        outcome.conversations, outcome.next_cursor, notes + outcome.notes + outcome.failures
    )
    what = _describe(q, since, awaiting_reply)
    return result(listing_text("list_conversations", outcome, notes, what=what), structured)


def _both(first: listing.Keep, second: listing.Keep) -> listing.Keep:
    return lambda c: first(c) and second(c)


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _describe(q: Query, since: str | None, awaiting_reply: bool = False) -> str:
    parts = ["awaiting our reply" if awaiting_reply else "", "unread" if q.unread_only else ""]
    parts += [f"tag {q.tag!r}" if q.tag else "", f"campaign {q.campaign_id!r}" if q.campaign_id else ""]
    parts.append(f"matching {q.text!r}" if q.text else "")
    parts.append(f"active since {q.since:%Y-%m-%d %H:%M}" if q.since else "")
    shown = ", ".join(p for p in parts if p)
    return f"conversations ({shown})" if shown else "conversations"


def _tool_filters(q: Query, caps: Capabilities) -> tuple[listing.Keep | None, list[str]]:
    """The filters this provider cannot apply, as one predicate the tool applies to its rows."""
    checks: list[listing.Keep] = []
    names: list[str] = []
    if q.unread_only and not caps.unread:
        checks.append(lambda c: c.unread is True)
        names.append("unread_only")
    if q.tag and not caps.tag:
        tag = q.tag.casefold()
        checks.append(lambda c: any(t.casefold() == tag for t in c.tags))
        names.append("tag")
    if q.campaign_id and not caps.campaign:
        checks.append(lambda c: c.campaign_id == q.campaign_id)
        names.append("campaign_id")
    if q.text and not caps.text:
        checks.append(listing.text_search(q.text))
        names.append("query")
    if not checks:
        return None, []

    def keep(c: Conversation) -> bool:
        return all(check(c) for check in checks)

    return keep, names
