"""What every provider's wire models share: tolerant parsing, UTC times, one way to fail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from inbox_mcp.providers.errors import UpstreamError


class Wire(BaseModel):
    """A provider's JSON object: unknown fields ignored, aliases as documented."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _null_means_absent(cls, data: Any) -> Any:
        """A documented field sent as null takes its default ([] for lists), as if absent."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _assume_utc(cls, value: object) -> object:
        """Times in UTC, as the domain model has them: a naive time is taken as UTC, any other is
        converted; one with no UTC equivalent (0001-01-01T00:00+14:00) counts as absent."""
        if isinstance(value, datetime):
            if value.tzinfo is None:
                return value.replace(tzinfo=UTC)
            try:
                return value.astimezone(UTC)
            except OverflowError:
                return None
        return value


WireT = TypeVar("WireT", bound=BaseModel)


def parse(model: type[WireT], data: Any, account: str, label: str) -> WireT:
    """`data` as `model`, or an UpstreamError that says where the provider's JSON went wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"]) or "the body"
        raise UpstreamError(
            f"{account}: {label} answered with data this server cannot read (at {where}); the API may have changed."
        ) from None
