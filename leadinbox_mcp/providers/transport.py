"""Provider requests over aiohttp's connections, held to what httpx2's own transport sends and reads.

aiohttp carries the bytes with an HTTP parser written in C, and `exchange` goes to it directly:
a GET of a provider page costs about 350 µs of CPU this way, against 530 with httpx2's Request and
Response around the same connections, and 630 through httpx2's own transport (httpcore2 and h11,
pure Python). The bytes sent are the ones httpx2 sends, an encoded body is decoded by httpx2's
decoders (tests/test_transport.py holds the two side by side), and aiohttp's failures are raised
as the httpx2 errors they are, so that retries and sentences hold whichever transport a client is
given.
"""

from __future__ import annotations

import functools
import json
import ssl
import sys
import urllib.request
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpx2
import yarl

from leadinbox_mcp.providers.http import read_within

MAX_HEADER_BYTES = 100 * 1024
"""The longest header line a provider may send: httpx2's own transport (h11) allows 100 KiB."""
KEEPALIVE_SECONDS = 5.0
"""How long an idle connection is kept for the next request, as httpx2's own transport keeps it."""


class AiohttpTransport:
    def __init__(self) -> None:
        # Made here, before the first request is stamped by the rate-limit window: loading the
        # certificates takes ~35 ms that would otherwise fall between the stamp and the sending.
        self._tls = httpx2.create_ssl_context()  # honours SSL_CERT_FILE and SSL_CERT_DIR, as httpx2 does
        self._proxies = urllib.request.getproxies()  # HTTP(S)_PROXY, ALL_PROXY and NO_PROXY, as httpx2 reads them
        self._bypassed: dict[str, bool] = {}  # host: NO_PROXY names it
        self._session: aiohttp.ClientSession | None = None

    def _connections(self) -> aiohttp.ClientSession:
        """Made on the first request: a session belongs to the event loop it was made in."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    ssl=self._tls,
                    keepalive_timeout=KEEPALIVE_SECONDS,
                    # Before these Pythons' fix (cpython#118960), asyncio keeps the TLS connections
                    # of servers that never finish closing them; aiohttp aborts them when told to.
                    enable_cleanup_closed=sys.version_info < (3, 12, 8) or (3, 13) <= sys.version_info < (3, 13, 1),
                ),
                cookie_jar=aiohttp.DummyCookieJar(),  # accounts on one host must not share a provider's cookies
                auto_decompress=False,  # an encoded body is decoded as httpx2 decodes it (`exchange`)
                skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"),
                max_line_size=MAX_HEADER_BYTES,
                max_field_size=MAX_HEADER_BYTES,
                request_class=_Request,
            )
            # aiohttp sends an idempotent request a second time when its connection drops; the
            # retries are HttpClient's to count and to refuse (a write that may have landed).
            self._session._retry_connection = False
        return self._session

    async def exchange(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: Any,
        timeout: Mapping[str, float | None],
        max_bytes: int,
    ) -> tuple[int, Mapping[str, str], bytes]:
        """One request (`body`: JSON to send, or None), its answer's status, headers and decoded
        body (`read_within` `max_bytes`). `url` as `wire_url` made it."""
        content = None
        if body is not None:  # as httpx2 encodes a json= body
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
            headers = {**headers, "Content-Type": "application/json"}
        target = yarl.URL(url, encoded=True)  # sent as given: wire_url encoded it as httpx2 does
        with _as_httpx2_error():
            async with self._connections().request(
                method,
                target,
                headers=headers,
                data=content,
                allow_redirects=False,
                proxy=self._proxy_for(target),
                timeout=_timeout(timeout.get("connect"), timeout.get("read")),
            ) as response:
                read: AsyncIterator[bytes] = response.content.iter_any()
                if response.headers.get("content-encoding", "identity").strip().lower() != "identity":
                    # httpx2's decoders: in bounded steps, the codings it knows (unknown ones left
                    # as they came), its DecodingError for a body that does not fit its coding.
                    read = httpx2.Response(
                        response.status, headers=response.raw_headers, stream=_Raw(read)
                    ).aiter_bytes()
                return response.status, response.headers, await read_within(read, response.headers, max_bytes)

    def _proxy_for(self, url: yarl.URL) -> str | None:
        if not self._proxies or url.host is None:
            return None
        if url.host not in self._bypassed:
            self._bypassed[url.host] = bool(urllib.request.proxy_bypass(url.host))
        if self._bypassed[url.host]:
            return None
        return self._proxies.get(url.scheme) or self._proxies.get("all")

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class _Request(aiohttp.ClientRequest):
    """A DELETE without a body says no Content-Length, as httpx2 sends it (RFC 9110, 8.6: not for
    a method that does not anticipate content); aiohttp alone would say Content-Length: 0."""

    GET_METHODS = aiohttp.ClientRequest.GET_METHODS | {"DELETE"}


class _Raw(httpx2.AsyncByteStream):
    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            yield chunk


@functools.lru_cache(maxsize=16)
def _timeout(connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)


@contextmanager
def _as_httpx2_error() -> Iterator[None]:
    """aiohttp's failure as the httpx2 error it is. Only a failure to connect says the request
    was not sent (a write may be retried after it); any other may have reached the provider."""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx2.ConnectTimeout(str(exc) or "connecting timed out") from exc
    except TimeoutError as exc:
        raise httpx2.ReadTimeout(str(exc) or "reading timed out") from exc
    except aiohttp.ClientConnectorError as exc:
        raise httpx2.ConnectError(str(exc)) from exc
    except aiohttp.ClientHttpProxyError as exc:
        raise httpx2.ProxyError(str(exc)) from exc
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError) as exc:
        raise httpx2.RemoteProtocolError(str(exc)) from exc
    except (aiohttp.ClientOSError, aiohttp.ClientConnectionResetError, ConnectionError, ssl.SSLError) as exc:
        raise httpx2.ReadError(str(exc)) from exc
    except aiohttp.ClientError as exc:
        raise httpx2.NetworkError(str(exc)) from exc
    except ValueError as exc:  # a request aiohttp will not send, e.g. a header with a line break in it
        raise httpx2.LocalProtocolError(f"not sent: {type(exc).__name__}") from exc
