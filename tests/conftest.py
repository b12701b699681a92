from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest
from helpers import FAST, KEY, NOW, Served, serving
from processes import redis_server

from leadinbox_mcp.providers.registry import PROVIDERS, Spec
from leadinbox_mcp.sandbox import sendkit as emulator
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import InboxServer, build_server


@pytest.hookimpl(wrapper=True)
def pytest_cmdline_main(config: pytest.Config) -> Generator[None, object, object]:
    """Every CPU by default: pytest-xdist's `-n logical` (not `auto`: with psutil installed, that
    counts physical cores, one on many 2-vCPU machines) and `--dist loadfile` (one worker runs all
    of a file, so that its module-scoped servers start once) unless `--dist` says otherwise. In one
    process with `-n 0` or `-p no:xdist`, and when debugging: --pdb, --trace, -s."""
    option = config.option
    if (
        config.pluginmanager.hasplugin("xdist")
        and not hasattr(config, "workerinput")  # a worker itself
        and option.numprocesses is None
        and not (option.usepdb or option.trace or option.capture == "no")
    ):
        option.numprocesses = "logical"
    if getattr(option, "numprocesses", None) and option.dist == "no":
        option.dist = "loadfile"
    return (yield)


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


@pytest.fixture(params=PROVIDERS, ids=lambda spec: spec.name)
def sandboxed(request: pytest.FixtureRequest) -> Iterator[tuple[Spec, InboxServer]]:
    """Each provider of the registry: a server whose one account reads its emulator on loopback."""
    spec: Spec = request.param
    emulator = spec.sandbox()
    with LoopbackServer(emulator.create_app(now=NOW)) as server:
        yield spec, build_server(spec.client().accounts(emulator.settings(server.url)), requests_per_second=FAST)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of our own on loopback (the Redis tests' shared store), one per module."""
    pytest.importorskip("redis", reason="the redis package (extra `redis` or `test`) is not installed")
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def variants() -> list[dict]:
    return emulator.build_variant_conversations(now=NOW)


# The fast lane, `pytest -m "not slow"` (under a minute on a 2-core machine), leaves out these
# modules: each starts servers or subprocesses, waits out deadlines and timeouts, or runs
# property tests over many generated cases (5 s or more each; measured with --durations=0).
SLOW_MODULES = frozenset(
    {
        "test_agent_framework.py",
        "test_bounded_render.py",
        "test_cursors.py",
        "test_faults.py",
        "test_hardening.py",
        "test_hostile_input.py",
        "test_http_transport.py",
        "test_inboxbase_documented.py",
        "test_inboxbase_tools.py",
        "test_lemlist_tools.py",
        "test_lemlist_variants.py",
        "test_merge_properties.py",
        "test_provider_errors.py",
        "test_readme_examples.py",
        "test_sandbox_golden.py",
        "test_sendpilot_tools.py",
        "test_sendpilot_variants.py",
        "test_shared_state.py",
        "test_stdio_and_cli.py",
        "test_walk_guarantees.py",
        "test_wire_fuzz.py",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
