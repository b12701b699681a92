"""`since` as an agent writes it: an ISO date or time (UTC unless it carries an offset, which is
converted to UTC), or a relative span like 7d, 24h or 2w."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from leadinbox_mcp.tools.shared.inbox import ToolInputError, shown

_RELATIVE = re.compile(r"^(\d{1,4})\s*(m|min|h|d|w)$", re.I)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def utc_time(raw: str) -> datetime:
    """An ISO date or time as UTC: one with an offset (2026-11-20T10:00+02:00) is that moment in
    UTC, as every time in an answer is; one without is taken as UTC. Raises ValueError, or
    OverflowError where the offset moves it out of range."""
    when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


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
        return utc_time(raw)
    except OverflowError:  # the offset moves it before year 1 or after 9999
        raise ToolInputError(
            f"since={shown(raw, 40)} is out of range: use a date between the years 1 and 9999 (UTC)."
        ) from None
    except ValueError:
        raise ToolInputError(
            f"since={shown(raw, 40)} is not a date: use an ISO date like 2026-11-01 (UTC) or a span like 7d, 24h or 2w."
        ) from None
