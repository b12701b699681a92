"""What every provider's wire models share: tolerant parsing, UTC times, one way to fail."""

from __future__ import annotations

import asyncio
import gc
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from leadinbox_mcp.providers.errors import UpstreamError
from leadinbox_mcp.providers.model import Page, Person, Thread


def as_utc(value: datetime | None) -> datetime | None:
    """Times in UTC, as the domain model has them: a naive time is taken as UTC, any other is
    converted; one with no UTC equivalent (0001-01-01T00:00+14:00) counts as absent."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return None


UtcTime = Annotated[datetime | None, AfterValidator(as_utc)]
"""The type of every time field of a wire model (`as_utc` on what pydantic parsed). Declared on
the field rather than as a validator of every field: it runs for times only."""


def _number_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


PageCursor = Annotated[str | None, BeforeValidator(_number_as_text)]
"""A provider's next-page cursor, documented as a string: sent as a number, it is the same cursor."""


class Wire(BaseModel):
    """A provider's JSON object: unknown fields ignored, aliases as documented, times as
    `UtcTime` (tests/test_wire_times.py fails on a time field without it)."""

    # defer_build: the validators are built on the first answer parsed, not at start-up.
    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _null_means_absent(cls, data: Any) -> Any:
        """A documented field sent as null takes its default ([] for lists), as if absent."""
        if isinstance(data, dict) and None in data.values():  # most objects have no null: no copy
            return {key: value for key, value in data.items() if value is not None}
        return data


WireT = TypeVar("WireT", bound=BaseModel)


log = logging.getLogger(__name__)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No garbage collection while an answer is read: reading millions of small objects set it off
    again and again (15 MB of `[[],[],...]` took 1.76 s to parse with it, 0.30 s without); what
    it would collect is collected after.

    After a read that made more than FREEZE_AFTER objects, those objects (and every other one
    the collector tracks) are set aside from it (`gc.freeze`) until the event loop next turns:
    by then the answer's raw JSON is gone, freed by reference counting, which a frozen object
    still is. Otherwise the first collection after the pause walks all of them while they are
    still alive: 0.47 s of the event loop for 5 million lists."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            if gc.get_count()[0] > FREEZE_AFTER:
                _freeze_until_the_loop_turns()
            gc.enable()


FREEZE_AFTER = 100_000
"""Objects made during one pause past which they are frozen; a page of 100 rows makes a few thousand."""


def _freeze_until_the_loop_turns() -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return  # no loop to turn (a worker thread): the collector walks them as it would have
    gc.freeze()
    loop.call_soon(gc.unfreeze)


def parse(model: type[WireT], data: Any, account: str, label: str) -> WireT:
    """`data` as `model`, or an UpstreamError that says where the provider's JSON went wrong.

    Rows of a listing (`SkippableRows`) that cannot be read do not fail it: each is replaced by a
    row without a usable id, which the client leaves out, and the listing gets a note (see
    `with_parse_notes`)."""
    token, budget = _unreadable.set([]), _nested.set([MAX_NESTED, 0])
    try:
        with gc_paused():
            parsed = model.model_validate(data)
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"]) or "the body"
        raise UpstreamError(
            f"{account}: {label} answered with data this server cannot read (at {where}); the API may have changed."
        ) from None
    finally:
        skipped, (_, cut) = _unreadable.get(), _nested.get() or (0, 0)
        _unreadable.reset(token)
        _nested.reset(budget)
    if cut:
        _note(
            f"{account}: {label} sent more than {MAX_NESTED:,} attachments, participants or other items inside one "
            f"answer; {cut:,} were left out."
        )
    if skipped:
        n = len(skipped)
        note = (
            f"{account}: {label} sent {n} conversation{'s' if n != 1 else ''} this server cannot read "
            f"(at {skipped[0]}{', ...' if n > 1 else ''}), so {'it is' if n == 1 else 'they are'} left out; "
            "the rest of the page is listed."
        )
        _note(note)
    return parsed


def _note(sentence: str) -> None:
    """A sentence for the page or thread being read (see `with_parse_notes`), and the log."""
    log.warning("%s", sentence)
    collected = _notes.get()
    if collected is not None and sentence not in collected:
        collected.append(sentence)


_unreadable: ContextVar[list[str] | None] = ContextVar("leadinbox_mcp_unreadable_rows", default=None)
"""Where the rows of the document `parse` is reading could not be read."""
_notes: ContextVar[list[str] | None] = ContextVar("leadinbox_mcp_parse_notes", default=None)
_nested: ContextVar[list[int] | None] = ContextVar("leadinbox_mcp_nested_items", default=None)
"""The nested items (`Nested`) the document `parse` is reading may still have, and how many were cut."""
MAX_NESTED = 20_000
"""Items of the lists inside a provider's entries (a message's attachments, a conversation's
participants or users) read from one answer at most. Rows and thread entries are cut before they
are read; this bounds what they hold (700,000 attachments fit in one 16 MiB thread, and took
6.5 s to read), far above what any real answer holds."""


def _capped(value: Any) -> Any:
    """A nested list, cut to what `parse`'s budget for the answer has left (see MAX_NESTED)."""
    budget = _nested.get()
    if budget is None or not isinstance(value, list):
        return value
    if len(value) > budget[0]:
        budget[1] += len(value) - budget[0]
        value = value[: budget[0]]
    budget[0] -= len(value)
    return value


Nested = BeforeValidator(_capped)
"""For a list inside an entry (attachments, participants, users, tags, cc): read within MAX_NESTED
per answer."""


Noted = TypeVar("Noted", Page, Thread)


async def with_parse_notes(read: Awaitable[Noted]) -> Noted:
    """What `read` gives (a provider's page or thread), with the sentences `parse` wrote while it
    ran (rows or nested items it left out) among its notes: the clients need no code of their
    own for it."""
    collected: list[str] = []
    token = _notes.set(collected)
    try:
        result = await read
    finally:
        _notes.reset(token)
    new = tuple(note for note in collected if note not in result.notes)
    return result.model_copy(update={"notes": result.notes + new}) if new else result


_UNREADABLE = "\x00unreadable"


def unreadable_id(index: int) -> str:
    """The id `SkippableRows` gives, through its `blank`, to the row at `index` that it could not
    read: its client leaves the row out without a word of its own, since `parse` has said it."""
    return f"{_UNREADABLE}{index}"


def is_unreadable(row_id: str | None) -> bool:
    """Whether an id (or a client's id made of it) is one `unreadable_id` gave."""
    return row_id is not None and _UNREADABLE in row_id


def keep_newest(raw: Any, holder: str, items: str, most: int) -> int:
    """A thread's JSON cut, before it is read, to the last `most` entries of `raw[holder][items]`
    (the newest: the list is oldest first): reading and converting hundreds of thousands would
    hold the server for many seconds. How many there were (0: no such list)."""
    detail = raw.get(holder) if isinstance(raw, dict) else None
    if not isinstance(detail, dict) or not isinstance(entries := detail.get(items), list):
        return 0
    if len(entries) > most:
        detail[items] = entries[-most:]
    return len(entries)


def cut_page(raw: Any, items: str, most: int, time_fields: tuple[str, ...], newest: bool = True) -> tuple[Any, int]:
    """A thread page's JSON with its list of entries (`raw[items]`, or `raw` itself when it is a
    bare list) cut to `most` before it is read, when it came longer than that (the provider
    ignored the `limit` asked for), as `keep_newest` cuts a thread; and how many entries came.
    The cut keeps the newest end, told by the times of the first and last entries (the first of
    `time_fields` each has; where they cannot tell, the first end), or with `newest=False` the
    first `most`, for a page whose position counts its entries."""
    entries = raw if isinstance(raw, list) else raw.get(items) if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        return raw, 0
    if len(entries) > most:
        first, last = _raw_time(entries[0], time_fields), _raw_time(entries[-1], time_fields)
        oldest_first = newest and first is not None and last is not None and first < last
        cut = entries[-most:] if oldest_first else entries[:most]
        return (cut if isinstance(raw, list) else {**raw, items: cut}), len(entries)
    return raw, len(entries)


MAX_LIST_ROWS = 1000
"""Rows of one listing page read at most: pages are asked for 100 rows at most, and a provider
that answered far more (a quarter of a million small rows fit in 16 MiB) would hold the server
for seconds while they were read."""


def cut_rows(raw: Any, items: str, account: str, label: str) -> Any:
    """A listing page's JSON with its rows (`raw[items]`) cut to the first MAX_LIST_ROWS before
    it is read; the listing gets a note when rows were left out."""
    raw, came = cut_page(raw, items, MAX_LIST_ROWS, (), newest=False)
    if came > MAX_LIST_ROWS:
        _note(
            f"{account}: {label} sent {came:,} conversations in one page, far more than asked for; only the first "
            f"{MAX_LIST_ROWS:,} are read, so older conversations may be missing."
        )
    return raw


def _raw_time(entry: Any, fields: tuple[str, ...]) -> datetime | None:
    value = next((entry[f] for f in fields if isinstance(entry, dict) and entry.get(f) is not None), None)
    try:
        return as_utc(datetime.fromisoformat(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def SkippableRows(blank: Callable[[int], dict[str, Any]]) -> WrapValidator:  # noqa: N802 (used like a type)
    """For a list of rows: a row that does not validate becomes `blank(index)` (a row whose id is
    `unreadable_id(index)`, which its client leaves out), so that one bad row does not fail the page,
    and the page keeps its length (clients page by how many rows came). `parse` notes it. A list
    of two or more rows none of which can be read fails as a whole: that is a changed API, not a
    row (a page of one row is one row: failing it would stop every walk that reaches it)."""

    def rows(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            if not isinstance(value, list):
                raise
            whole = exc
        kept: list[Any] = []
        unreadable: list[str] = []
        for index, item in enumerate(value):
            try:
                kept += handler([item])
            except ValidationError as exc:
                loc = exc.errors()[0]["loc"][1:]
                unreadable.append(".".join(str(part) for part in (info.field_name, index, *loc)))
                kept += handler([blank(index)])
        if len(unreadable) == len(value) > 1:
            raise whole
        skipped = _unreadable.get()
        if skipped is not None:
            skipped += unreadable
        return kept

    return WrapValidator(rows)


MAX_ADDRESS_CHARS = 1000
"""Longer address texts are cut before parsing: no real mailbox is that long."""
_ADDRESS = r'[^\s<>()\[\],;:"@]+@[^\s<>()\[\],;:"@]+'
_BARE = re.compile(_ADDRESS)
_COMMENTED = re.compile(rf"({_ADDRESS}) ?\(([^()]*)\)")
"""Linear, unlike email.utils.parseaddr, which took 2.9 ms for 1,000 characters of 'a@b:a@b:...'."""


def mailbox(value: str | None) -> tuple[str | None, str | None]:
    """(display name, address) of "Name <address>", of a bare address, or of a name alone.

    The address is what the closing angle brackets hold, whatever the name before them says;
    the name loses its quotes and any angle brackets, so that it cannot pass for an address
    ('"ceo@acme.com" <x@evil.test>' is x@evil.test, named ceo@acme.com)."""
    text = " ".join((value or "")[:MAX_ADDRESS_CHARS].split())
    if not text:
        return None, None
    address: str | None = None
    start = text.rfind("<")
    if text.endswith(">") and start != -1:
        address, text = text[start + 1 : -1].strip() or None, text[:start]
    elif "@" in text:
        if _BARE.fullmatch(text):
            return None, text
        commented = _COMMENTED.fullmatch(text)  # RFC 5322's "address (Name)"
        if commented:
            return (" ".join(commented[2].split()) or None), commented[1]
        words = text.split(" ")  # "Name name@x.com": the last word that is an address
        at = max(i for i, word in enumerate(words) if "@" in word)
        address, text = words[at], " ".join(words[:at] + words[at + 1 :])
    name = " ".join(text.replace("<", " ").replace(">", " ").split())
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('\\"', '"').strip()
    if address and name.casefold() == address.casefold():
        name = ""
    return name or None, address


MAX_MAILBOXES = 100
"""Mailboxes read from one field (a message's to or cc) at most, of its first MAX_ADDRESS_LIST_CHARS."""
MAX_ADDRESS_LIST_CHARS = 10_000


def mailboxes(values: list[str]) -> list[tuple[str | None, str | None]]:
    """The mailboxes of address strings such as 'Ana <ana@x.com>, "Doe, Jo" <jo@y.com>' (at most
    MAX_MAILBOXES): split at commas outside quotes and angle brackets (one pass, linear in the
    length)."""
    found: list[tuple[str | None, str | None]] = []
    for value in values:
        value = value[:MAX_ADDRESS_LIST_CHARS]
        if len(found) >= MAX_MAILBOXES:
            break
        if '"' not in value and "<" not in value:  # nothing to keep a comma in: split at each
            found += [pair for pair in map(mailbox, value.split(",")[: MAX_MAILBOXES - len(found)]) if any(pair)]
            continue
        part: list[str] = []
        quoted = angled = False
        for char in value + ",":
            if char == '"' and not angled:
                quoted = not quoted
            elif char == "<" and not quoted:
                angled = True
            elif char == ">" and not quoted:
                angled = False
            elif char == "," and not (quoted or angled):
                name, address = mailbox("".join(part))
                if name or address:
                    found.append((name, address))
                if len(found) >= MAX_MAILBOXES:
                    break
                part = []
                continue
            part.append(char)
    return found[:MAX_MAILBOXES]


def people(value: str | Iterable[str] | None) -> tuple[Person, ...]:
    """Addresses as a provider sends them, in one string (`"Ana <ana@x.com>, bo@y.com"`) or as a
    list of such strings, as people: the address always, the display name where one is given."""
    if not value:
        return ()
    texts = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
    return tuple(Person(name=name, email=address) for name, address in mailboxes(texts))
