from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from leadinbox_mcp.providers.model import Conversation, Query
from leadinbox_mcp.tools.listing import merge as listing
from leadinbox_mcp.tools.listing.cursors import cursors_of
from leadinbox_mcp.tools.listing.last_from import FromCache, blank_note
from leadinbox_mcp.tools.listing.text import listing_text
from leadinbox_mcp.tools.results.result import inbox_of, result
from leadinbox_mcp.tools.results.structured import ConversationList, conversation_list_json
from leadinbox_mcp.tools.shared.arguments import Cursor, Limit, ResponseFormat, Since
from leadinbox_mcp.tools.shared.domains import in_domain, normalise_domain
from leadinbox_mcp.tools.shared.inbox import ToolInputError
from leadinbox_mcp.tools.shared.since import parse_since


async def search_by_domain(
    ctx: Context,
    domain: Annotated[
        str,
        Field(
            description="Company email domain, e.g. 'acme.com'; subdomains such as us.acme.com are included.",
            max_length=300,
        ),
    ],
    account: Annotated[
        str | None,
        Field(description="Only this account; all accounts that have email addresses when omitted.", max_length=100),
    ] = None,
    since: Since = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    response_format: ResponseFormat = "concise",
) -> Annotated[CallToolResult, ConversationList]:
    """Find every conversation with people at one company: leads whose email address is at
    `domain` or one of its subdomains (acme.com finds jane@acme.com and bob@us.acme.com, never
    anyone@notacme.com). Newest first, one line each, like list_conversations (who wrote last
    included where known); use the ids with get_thread. Where a provider cannot search by domain
    the tool scans its conversations a few pages per call and says how far it got; `cursor`
    continues. Accounts without email addresses (LinkedIn) cannot be searched and are named."""
    inbox = inbox_of(ctx)
    wanted = normalise_domain(domain)
    selected = inbox.select(account)
    accounts = [a for a in selected if a.capabilities.domain != "not_applicable"]
    notes = [
        f"{a.account}: {a.label} conversations have no email addresses and cannot be searched by domain."
        for a in selected
        if a.capabilities.domain == "not_applicable"
    ]
    if not accounts:
        raise ToolInputError(" ".join(notes))

    def keep(c: Conversation) -> bool:
        return in_domain(c.correspondent.email, wanted)

    scanning = [a for a in accounts if a.capabilities.domain != "exact"]
    total = inbox.budgets.scan_pages * len(scanning) or None

    async def progress(pages: int) -> None:
        await ctx.report_progress(pages, max(total, pages) if total else None, f"{pages} provider pages read")

    q = Query(domain=wanted, since=parse_since(since))
    run = listing.Listing.of(
        "search_by_domain",
        accounts,
        q,
        {"domain": wanted},
        since=since,
        limit=limit,
        response_format=response_format,
        keep={a.account: keep for a in accounts},
        on_page=progress,
        check=FromCache(inbox.thread_cache),
    )
    outcome = await listing.run(run, inbox, cursor, cursors_of(ctx))
    scan = None
    if outcome.scan_stopped:
        scanned = sum(outcome.scanned.values())
        scan = (
            f"Looked at {scanned} conversations ({sum(outcome.pages.values())} provider pages) this call and more remain: "
            "pass the cursor to keep searching."
        )
    blank = blank_note(outcome.conversations, "list_conversations with awaiting_reply=true reads the threads to tell")
    notes += [blank] if blank else []
    structured = conversation_list_json(
        outcome.conversations, outcome.next_cursor, notes + outcome.notes + outcome.failures + ([scan] if scan else [])
    )
    what = f"conversations with people at {wanted} or its subdomains"
    return result(listing_text("search_by_domain", outcome, notes, what=what, scan=scan), structured)
