from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult

from leadinbox_mcp.providers.model import Capabilities
from leadinbox_mcp.providers.writes import write_level
from leadinbox_mcp.tools.results.result import inbox_of, result
from leadinbox_mcp.tools.results.structured import AccountList, AccountOut
from leadinbox_mcp.tools.shared.inbox import NO_ACCOUNTS

DOMAIN_SEARCH = {
    "exact": "by the provider",
    "narrows": "provider search narrowed exactly by this tool",
    "none": "this tool scans the conversations",
    "not_applicable": "not possible (no email addresses)",
}


def filters(caps: Capabilities) -> list[str]:
    names = {"unread_only": caps.unread, "tag": caps.tag, "campaign_id": caps.campaign, "query": caps.text}
    return [name for name, supported in names.items() if supported]


async def list_accounts(ctx: Context) -> Annotated[CallToolResult, AccountList]:
    """The inbox accounts this server can read: name (the prefix of conversation ids and the
    `account` argument of the other tools), provider, which filters the provider applies itself
    (the tools apply the others), how search_by_domain works there, and what it may write
    (drafts, send) where it opted in."""
    inbox = inbox_of(ctx)
    accounts = [
        AccountOut(
            name=a.account,
            provider=a.provider,
            filters=filters(a.capabilities),
            domain_search=DOMAIN_SEARCH[a.capabilities.domain],
            writes=write_level(a),
        )
        for a in inbox.accounts
    ]
    if not accounts:
        return result(NO_ACCOUNTS, AccountList(accounts=[]))
    lines = [f"{len(accounts)} account(s):"]
    for a in accounts:
        applied = ", ".join(a.filters) or "none"
        writes = "" if a.writes == "none" else f"; writes: {a.writes}"
        lines.append(f"- {a.name} ({a.provider}): provider filters {applied}; domain search: {a.domain_search}{writes}")
    return result("\n".join(lines), AccountList(accounts=accounts))
