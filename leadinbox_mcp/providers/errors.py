"""Errors every provider raises, each carrying one sentence an agent or a person can act on.

Messages never contain credentials: they are built from the account name, the provider's
status and the name of the environment variable to check, never from request headers.
"""

from __future__ import annotations


class ConfigError(Exception):
    """The configuration (the environment, a setting) is wrong; the message names what to fix."""


class ProviderError(Exception):
    """A provider call failed; `str(error)` is the sentence to show, `status` the HTTP status
    the provider answered (None when it did not answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(ProviderError):
    """The provider rejected the credentials (401) or their scope (403)."""


class NotFoundError(ProviderError):
    """The conversation (or identity) does not exist for this account."""


class RateLimitedError(ProviderError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message, 429)
        self.retry_after = retry_after


class BadRequestError(ProviderError):
    """The provider refused the request's parameters (400)."""


class UpstreamError(ProviderError):
    """The provider failed (5xx), could not be reached, or answered with something unreadable."""
