"""Shared by the tests that start processes: the installed command, free ports, the server over
HTTP, a redis-server of our own."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
from helpers import KEY

COMMAND = shutil.which("leadinbox-mcp", path=str(Path(sys.executable).parent)) or shutil.which("leadinbox-mcp")


def env_for(url: str | None, key: str = KEY, **extra: str) -> dict[str, str]:
    """A clean environment for the server: a SendKit account at `url` when given."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    if url:
        env |= {"SENDKIT_API_KEY": key, "SENDKIT_BASE_URL": url}
    return env | extra


def run_cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    assert COMMAND, "leadinbox-mcp is installed (pip install .)"
    return subprocess.run(
        [COMMAND, *args], env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def _ephemeral_ports() -> range:
    """The kernel's range for the local ports of outgoing connections (and of binding port 0)."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        return range(32768, 61000)
    return range(low, high + 1)


def free_port() -> int:
    """A loopback port that nothing holds, for a server that binds it later (a subprocess).

    Chosen at random below the kernel's ephemeral range: a port from that range (binding port 0)
    can become the local port of any outgoing connection before the server binds it, and under
    pytest-xdist the other workers open connections all the time. SystemRandom: hypothesis seeds
    `random` the same in every worker."""
    ephemeral = _ephemeral_ports()
    below = range(max(1024, ephemeral.start - 12288), ephemeral.start)
    for port in random.SystemRandom().sample(below, min(50, len(below))):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port where connections are refused until the block ends: bound, never
    listening, so that no other process (another xdist worker) can start a server on it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def wait_until(ready, process: subprocess.Popen, what: str, seconds: float = 30) -> None:
    """Poll `ready()` until it is true; fail if the process ends or time runs out, with what the
    process printed either way."""
    deadline = time.monotonic() + seconds
    while not ready():
        assert process.poll() is None, f"{what} stopped: {process.communicate()[0]}"
        if time.monotonic() >= deadline:
            process.terminate()
            raise AssertionError(f"{what} did not come up in {seconds:.0f} s: {process.communicate(timeout=10)[0]}")
        time.sleep(0.05)


@dataclass
class HttpServer:
    base: str
    port: int
    process: subprocess.Popen[str]
    output: str = ""
    """stdout and stderr, once it has stopped."""


@contextmanager
def serve_http(*args: str, **env: str) -> Iterator[HttpServer]:
    """`leadinbox-mcp serve --sandbox --transport http` on a free port, until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [COMMAND, "serve", "--sandbox", "--transport", "http", "--port", str(port), *args],
        env=env_for(None, **env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = HttpServer(f"http://127.0.0.1:{port}", port, process)

    def healthy() -> bool:
        try:
            return httpx2.get(served.base + "/healthz", timeout=1, headers={"Connection": "close"}).status_code == 200
        except httpx2.TransportError:
            return False

    try:
        wait_until(healthy, process, "the HTTP server")
        yield served
    finally:
        process.terminate()
        served.output = process.communicate(timeout=20)[0]


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A redis-server of our own on loopback, without persistence; yields its URL."""
    import redis

    binary = shutil.which("redis-server")
    assert binary, "redis-server is installed (Debian: apt-get install -y redis-server)"
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"redis://127.0.0.1:{port}/0"

    def answers() -> bool:
        try:
            with redis.Redis.from_url(url) as probe:
                return bool(probe.ping())
        except redis.ConnectionError:
            return False

    try:
        wait_until(answers, process, "redis-server")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
