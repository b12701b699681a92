"""The arguments several tools take, declared once so that their descriptions and bounds cannot
drift between tools."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

Account = Annotated[
    str | None,
    Field(description="Only this account (see list_accounts); all accounts when omitted.", max_length=100),
]
Since = Annotated[
    str | None,
    Field(
        description="Only conversations active since then: an ISO date or time like 2026-11-01 (UTC; an offset "
        "such as +02:00 is converted), or a span like 7d, 24h, 2w.",
        max_length=40,
    ),
]


def _not_a_flag(value: object) -> object:
    """JSON's true is not the number 1 (pydantic would read it as 1)."""
    if isinstance(value, bool):
        raise PydanticCustomError("not_a_flag", "input should be a number, not true or false")
    return value


Limit = Annotated[int, Field(ge=1, le=100, description="Most conversations to return."), BeforeValidator(_not_a_flag)]
Cursor = Annotated[
    str | None,
    Field(
        description="next_cursor of the previous call with the same other arguments, to get more.",
        max_length=4096,
    ),
]
ConversationId = Annotated[
    str,
    Field(
        description="An id from list_conversations or search_by_domain, e.g. 'sendkit:664a1b2c3d4e5f6a7b8c9d0e'.",
        max_length=300,
    ),
]
ResponseFormat = Literal["concise", "detailed"]
