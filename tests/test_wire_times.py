"""Every time a provider sends is read into UTC: `UtcTime` (providers/wire_base.py) on every
datetime field of every wire model, and what it does to naive, offset and overflowing times.

`UtcTime` replaced a validator of every field (which cost a Python call per field of every
object parsed): it runs on time fields only, so a new time field must say `UtcTime` (or a type
built on it, as InboxBase's `IsoTime`). The walk below fails on one that does not.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import typing
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

import pytest
from pydantic import AfterValidator, BaseModel, Field

import leadinbox_mcp.providers
from leadinbox_mcp.providers.inboxbase import wire as inboxbase_wire
from leadinbox_mcp.providers.lemlist import wire as lemlist_wire
from leadinbox_mcp.providers.lemlist import writes as lemlist_writes
from leadinbox_mcp.providers.sendkit import wire as sendkit_wire
from leadinbox_mcp.providers.sendkit import writes as sendkit_writes
from leadinbox_mcp.providers.sendpilot import wire as sendpilot_wire
from leadinbox_mcp.providers.wire_base import UtcTime, Wire, as_utc, parse


def _provider_modules() -> list[str]:
    """Every module of every provider package (wire.py, writes.py, ...): a wire model anywhere
    under providers/ is walked, including a new provider's."""
    names = []
    for info in pkgutil.walk_packages(leadinbox_mcp.providers.__path__, "leadinbox_mcp.providers."):
        importlib.import_module(info.name)
        names.append(info.name)
    return names


def _subclasses(cls: type[Wire]) -> Iterator[type[Wire]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _wire_models() -> list[type[Wire]]:
    _provider_modules()
    models = list(dict.fromkeys(_subclasses(Wire)))
    for model in models:
        model.model_rebuild()  # defer_build: resolve the annotations before reading them
    return models


def _carries_utc(metadata: typing.Iterable[Any]) -> bool:
    return any(isinstance(item, AfterValidator) and item.func is as_utc for item in metadata)


def _bare_datetime(annotation: Any, covered: bool) -> bool:
    """Whether `datetime` occurs in the annotation outside an `Annotated[..., AfterValidator(as_utc)]`."""
    if isinstance(annotation, (str, typing.ForwardRef)):  # unresolved: judged by its text
        return "datetime" in str(annotation) and not covered
    if isinstance(annotation, type) and issubclass(annotation, datetime):
        return not covered
    if typing.get_origin(annotation) is Annotated:
        inner, *metadata = typing.get_args(annotation)
        return _bare_datetime(inner, covered or _carries_utc(metadata))
    return any(_bare_datetime(arg, covered) for arg in typing.get_args(annotation))


def untimed_fields(model: type[BaseModel]) -> list[str]:
    """The fields of `model` whose annotation holds a datetime that `as_utc` does not see."""
    return [
        name
        for name, field in model.model_fields.items()
        if _bare_datetime(field.annotation, _carries_utc(field.metadata))
    ]


def test_every_wire_time_field_is_read_into_utc() -> None:
    models = _wire_models()
    names = {model.__qualname__ for model in models}
    # The walk reaches the wire models of every provider and of the writes.
    assert {"InboxList", "ThreadEnvelope", "ConversationList", "MessageList", "ContactMessages"} <= names
    assert {"_Draft", "_Reply"} <= names
    timed = [
        name
        for model in models
        for name, field in model.model_fields.items()
        if _bare_datetime(field.annotation, covered=False)
    ]
    assert len(timed) >= 25, timed  # the walk does see the time fields
    forgotten = [
        f"{model.__module__}.{model.__qualname__}.{name}" for model in models for name in untimed_fields(model)
    ]
    assert not forgotten, "time fields of wire models must be UtcTime (providers/wire_base.py): " + ", ".join(forgotten)


def test_the_walk_catches_a_forgotten_time_field() -> None:
    IsoLike = Annotated[UtcTime, AfterValidator(lambda value: value)]  # noqa: N806

    class Model(BaseModel):
        good: UtcTime = None
        good_optional: Annotated[datetime, AfterValidator(as_utc)] | None = None
        good_built_on: IsoLike = None
        good_listed: list[UtcTime] = Field(default_factory=list)
        plain: str | None = None
        bare: datetime | None = None
        bare_listed: list[datetime] = Field(default_factory=list)
        other_validator: Annotated[datetime | None, AfterValidator(lambda value: value)] = None

    assert untimed_fields(Model) == [
        "bare",
        "bare_listed",
        "other_validator",
    ]


# A time field of each provider's wire models: the model, a document with the time at AT, and
# where the parsed model holds it. InboxBase's `IsoTime` reads the ISO string itself, then UtcTime.
READERS = {
    "sendkit_thread": (
        sendkit_wire.ThreadEnvelope,
        '{"data": {"messages": [{"sentAt": AT}]}}',
        "data.messages.0.sent_at",
    ),
    "sendkit_reply": (sendkit_writes._ReplyAnswer, '{"data": {"scheduledFor": AT}}', "data.scheduled_for"),
    "lemlist_row": (
        lemlist_wire.InboxList,
        '{"data": [{"contactId": "c", "lastActivityAt": AT}]}',
        "data.0.last_activity_at",
    ),
    "lemlist_draft": (lemlist_writes._Drafts, '{"drafts": [{"_id": "d1", "updatedAt": AT}]}', "drafts.0.updated_at"),
    "sendpilot_message": (
        sendpilot_wire.MessageList,
        '{"messages": [{"id": "m1", "sentAt": AT}]}',
        "messages.0.sent_at",
    ),
    "inboxbase_iso": (
        inboxbase_wire.ConversationList,
        '{"conversations": [{"id": "c1", "createdAtIso": AT}]}',
        "conversations.0.created_at_iso",
    ),
}


def _held(parsed: Any, path: str) -> Any:
    for step in path.split("."):
        parsed = parsed[int(step)] if step.isdigit() else getattr(parsed, step)
    return parsed


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("2026-03-01T09:30:00", datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),  # naive: taken as UTC
        ("2026-03-01T09:30:00+02:00", datetime(2026, 3, 1, 7, 30, tzinfo=UTC)),  # converted
        ("2026-03-01T09:30:00.250-05:30", datetime(2026, 3, 1, 15, 0, 0, 250000, tzinfo=UTC)),
        ("2026-03-01T09:30:00Z", datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
        ("0001-01-01T00:00+14:00", None),  # no UTC equivalent: counts as absent
        (None, None),
    ],
)
def test_times_arrive_in_utc(reader: str, sent: Any, expected: datetime | None) -> None:
    model, document, path = READERS[reader]
    at = _held(parse(model, json.loads(document.replace("AT", json.dumps(sent))), "a", reader), path)
    assert at == expected
    if expected is not None:
        assert at.tzinfo is UTC  # the same tzinfo as the domain model's, not an offset of 0
