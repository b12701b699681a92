"""`since` as an agent writes it: an ISO date or time, or a relative span like 7d, 24h or 2w."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from inbox_mcp.tools.inbox import ToolInputError, shown

_RELATIVE = re.compile(r"^(\d{1,4})\s*(m|min|h|d|w)$", re.I)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str | None, now: datetime | None = None) -> datetime | None:
    if text is None or not text.strip():
        return None
    raw = text.strip()
    now = now or datetime.now(UTC)
    relative = _RELATIVE.match(raw)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2).lower()
        return now - timedelta(**{_UNITS[unit]: amount})
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ToolInputError(
            f"since={shown(raw, 40)} is not a date: use an ISO date like 2026-11-01 (UTC) or a span like 7d, 24h or 2w."
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
