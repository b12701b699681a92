from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import KEY, NOW, Served, serving

from inbox_mcp.providers.sendkit import emulator


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _serve(**options) -> Iterator[Served]:
    yield from serving(emulator.create_app(api_key=KEY, now=NOW, **options))


@pytest.fixture(scope="session")
def sendkit() -> Iterator[Served]:
    """The SendKit emulator on loopback: page-number pagination, fixed clock."""
    yield from _serve()


@pytest.fixture(scope="session")
def sendkit_cursor_mode() -> Iterator[Served]:
    """The same data with the cursor-shaped pagination envelope."""
    yield from _serve(pagination="cursor")


@pytest.fixture(scope="session")
def sendkit_v2() -> Iterator[Served]:
    """The newer list API: no `page`, rows with isRead/unreadCount, lastMessage without read."""
    yield from _serve(pagination="cursor_v2")


@pytest.fixture(scope="session")
def sendkit_old() -> Iterator[Served]:
    """The older pages: page numbers, rows without isRead/unreadCount, threads without isRead,
    unreadCount or attachments."""
    yield from _serve(old_shapes=True)


@pytest.fixture(scope="session")
def sendkit_variants(variants) -> Iterator[Served]:
    """The default data set plus the conversations in shapes it never sends (nulls, manual
    messages without a timestamp or a known direction, a failed scheduled reply)."""
    yield from _serve(conversations=emulator.build_conversations(now=NOW) + variants)


@pytest.fixture(scope="session")
def dataset() -> list[dict]:
    return emulator.build_conversations(now=NOW)


@pytest.fixture(scope="session")
def variants() -> list[dict]:
    return emulator.build_variant_conversations(now=NOW)
