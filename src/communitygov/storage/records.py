"""What a store keeps: recorded events, per-stream summaries, and append requests.

These values are the whole vocabulary between the library and a storage adapter. An adapter
stores and returns them as they are; it never needs to know what a matter or a fund is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NoReturn

import attrs

from communitygov.errors import MalformedRequest
from communitygov.kernel.aggregate import MAX_KEY_LENGTH
from communitygov.kernel.checks import storable_text
from communitygov.kernel.timekeeping import KEPT_FROM, KEPT_UNTIL, kept

__all__ = [
    "MAX_KEY_LENGTH",
    "MAX_VERSION",
    "AppendRequest",
    "AppendResult",
    "NewEvent",
    "Problem",
    "RecordedEvent",
    "Summary",
    "require_requests",
    "storable_text",
]


class _TimeText:
    """Room for the text of an event's time, outside its ``attrs`` fields: not compared,
    hashed, copied, pickled or listed by ``attrs.asdict``, only remembered."""

    __slots__ = ("_at_text",)
    _at_text: str


@attrs.frozen
class NewEvent(_TimeText):
    """An event about to be stored: its type, schema version, fields as JSON text, time and
    the hash chaining it to the previous event of its stream."""

    type: str
    schema_version: int
    data: str = attrs.field(repr=False)  # the record itself, names and details included
    at: datetime
    hash: str

    @property
    def at_text(self) -> str:
        """``at.isoformat()``: the text the hash chain covers and the SQL stores keep.

        Formatted once per event, however many times it is asked for.
        """
        try:
            return self._at_text
        except AttributeError:
            text = self.at.isoformat()
            object.__setattr__(self, "_at_text", text)
            return text


def formatted_event(
    type_name: str, schema_version: int, data: str, at: datetime, at_text: str, hash_: str
) -> NewEvent:
    """A :class:`NewEvent` whose time the caller has formatted already: internal to the
    library, and trusting its caller.

    ``at_text`` must be exactly ``at.isoformat()``, as nothing checks it again: the facade
    passes the text it formatted from that same ``at`` for the event's data and hash. Anyone
    else builds ``NewEvent``, which formats its own time.
    """
    event = NewEvent(type_name, schema_version, data, at, hash_)
    object.__setattr__(event, "_at_text", at_text)
    return event


@attrs.frozen
class RecordedEvent:
    """An event as the store holds it.

    Attributes:
        community_id: the community the stream belongs to.
        stream_id: the aggregate's id.
        version: its place in the stream, from 1.
        position: its place in the community's total order of all events, from 1.
        type: the event's stable type name.
        schema_version: the schema its fields follow.
        data: the fields, as JSON text (stored and returned exactly as given).
        at: when it happened.
        hash: the chain hash over the previous event of the stream and this one.
    """

    community_id: str
    stream_id: str
    version: int
    position: int
    type: str
    schema_version: int
    data: str = attrs.field(repr=False)  # as in NewEvent: kept out of logs
    at: datetime
    hash: str


@attrs.frozen
class Summary:
    """The current state of one stream, kept in the same transaction as its events.

    Attributes:
        community_id, stream_id: which stream.
        kind: the aggregate kind ("matter", "community", …).
        version: the stream's version the summary describes: in an append request, the
            version the request takes the stream to.
        state: the aggregate's state name.
        title: a human title.
        updated_at: when the latest event happened (a store gives it back in UTC).
        due_at: the next deadline, if any (a store gives it back in UTC); ``due_what`` says
            what falls due.
        snapshot: the aggregate's state as JSON text, so loading needs no replay. It is
            the record itself, names and sensitive details included, so it is left out of
            ``repr`` (which ends up in logs).
        last_hash: the hash of the stream's latest event.
    """

    community_id: str
    stream_id: str
    kind: str
    version: int
    state: str
    title: str
    updated_at: datetime
    snapshot: str = attrs.field(repr=False)
    last_hash: str
    due_at: datetime | None = None
    due_what: str = ""


MAX_VERSION = 2**31 - 1
"""The last version of a stream that every store keeps (PostgreSQL's ``integer``)."""


def _offset(moment: object) -> timedelta | None:
    """``moment``'s offset from UTC; ``None`` for anything but a datetime with a valid one."""
    try:
        return moment.utcoffset() if isinstance(moment, datetime) else None
    except (ValueError, TypeError):  # a tzinfo whose offset is a day or more, or no timedelta
        return None


@attrs.frozen
class AppendRequest:
    """A batch for one stream: all of it is stored, or none.

    Attributes:
        expected_version: the stream's version the batch was decided against (0 for a new
            stream); if the stream has moved on, the store raises ``ConcurrencyConflict``.
        events: the new events, versions ``expected_version + 1`` onwards.
        summary: the stream's summary after the batch.
        command_id: a client-supplied id; the same id again returns the first result and
            stores nothing.

    Raises:
        MalformedRequest: the community, stream or kind is not a text of one to
            :data:`MAX_KEY_LENGTH` characters, nor the command id (when given) or the
            summary's state (which may be empty); the expected version is not a whole
            number of 0 or more; the events are not a tuple (or list, kept as a tuple) of
            :class:`NewEvent` whose type, data and hash are text and whose schema version is
            a whole number; the summary is not a :class:`Summary`, its version is not a
            whole number or its state, title, snapshot, last hash or ``due_what`` is not
            text; a text holds a lone surrogate (no UTF-8 text can) or a NUL (no PostgreSQL
            text can), or an event's type, data or hash a U+001E or U+001F control
            character; the stream would pass :data:`MAX_VERSION`; a time (an event's, the
            summary's ``updated_at`` or ``due_at``) has no valid offset, or one finer than
            whole seconds, or lies within a day of the ends of the years 1 to 9999; or the
            summary is not of this community, stream and kind at
            ``expected_version + len(events)``.
    """

    community_id: str
    stream_id: str
    kind: str
    expected_version: int
    events: tuple[NewEvent, ...]
    summary: Summary
    command_id: str | None = None

    def __attrs_post_init__(self) -> None:
        for field, name in (
            ("community", "community_id"),
            ("stream", "stream_id"),
            ("kind", "kind"),
            ("command id", "command_id"),
        ):
            value = getattr(self, name)
            if type(value) is str and 0 < len(value) <= MAX_KEY_LENGTH:
                continue
            if value is None and name == "command_id":
                continue
            if not isinstance(value, str) or not value:
                self._refuse(
                    field,
                    value,
                    None,
                    "a command id is None or a text of one character or more"
                    if name == "command_id"
                    else "it is a text of one character or more",
                )
            if len(value) > MAX_KEY_LENGTH:
                self._refuse_long(field, value)
            # A text of a str subclass (a StrEnum member, say), kept as the plain text it is,
            # as the reads take it.
            object.__setattr__(self, name, str.__str__(value))
        command = self.command_id
        if type(self.events) is not tuple:
            if not isinstance(self.events, (tuple, list)):
                self._refuse("events", self.events, None, "a tuple of NewEvent records")
            object.__setattr__(self, "events", tuple(self.events))  # as checked, for good
        expected, count = self.expected_version, len(self.events)
        if type(expected) is not int or expected < 0:
            self._refuse(
                "expected version", expected, None, "a version is a whole number, 0 or more"
            )
        if expected + count > MAX_VERSION:
            self._refuse(
                "expected version",
                expected,
                None,
                f"with {count} more event{'s' * (count != 1)} the stream would pass version "
                f"{MAX_VERSION:,}, the last a store keeps",
            )
        for number, event in enumerate(self.events, 1):
            if not isinstance(event, NewEvent):
                self._refuse(f"event {number}", event, None, "events are NewEvent records")
            if (
                type(event.type) is not str
                or type(event.data) is not str
                or type(event.hash) is not str
                or type(event.schema_version) is not int
            ):
                self._refuse_fields(number, event)
            at = event.at
            offset = _offset(at)
            if offset is None or offset.microseconds or not 1 < at.year < 9999:
                self._require_offset(f"event {number}'s time", at)
        summary = self.summary
        if not isinstance(summary, Summary):
            self._refuse("summary", summary, None, "a summary is a Summary record")
        if type(summary.version) is not int:
            self._refuse("summary's version", summary.version, None, "a version is a whole number")
        packed = "".join([f"{e.type}{e.hash}{e.data}" for e in self.events])
        texts = [self.community_id, self.stream_id, self.kind, command or "", packed]
        for field in ("state", "title", "snapshot", "last_hash", "due_what"):
            value = getattr(summary, field)
            if type(value) is not str:
                self._refuse(f"summary's {field}", value, None, "it is text")
            texts.append(value)
        if len(summary.state) > MAX_KEY_LENGTH:
            self._refuse_long("summary's state", summary.state)
        # All the text at once, and only if something may be amiss, each text on its own.
        if "\x1e" in packed or "\x1f" in packed or not storable_text("".join(texts)):
            self._refuse_text()
        self._require_offset("summary's updated_at", summary.updated_at)
        if summary.due_at is not None:
            self._require_offset("summary's due_at", summary.due_at)
        if summary.version != expected + count:
            self._refuse(
                "summary's version",
                summary.version,
                expected + count,
                f"expected version {expected} plus {count} event{'s' * (count != 1)}",
            )
        for field, given, should_be in (
            ("community", summary.community_id, self.community_id),
            ("stream", summary.stream_id, self.stream_id),
            ("kind", summary.kind, self.kind),
        ):
            if given != should_be:
                self._refuse(f"summary's {field}", given, should_be, f"the request's {field}")
        if {type(summary.community_id), type(summary.stream_id), type(summary.kind)} != {str}:
            # Equal texts of a str subclass: kept as the request's plain ones.
            summary = attrs.evolve(
                summary,
                community_id=self.community_id,
                stream_id=self.stream_id,
                kind=self.kind,
            )
            object.__setattr__(self, "summary", summary)

    def _refuse_long(self, field: str, text: str) -> NoReturn:
        self._refuse(
            field,
            text,
            None,
            f"it is {len(text):,} characters long, and the stores keep at most "
            f"{MAX_KEY_LENGTH} in their keys and indexes",
        )

    def _refuse_fields(self, number: int, event: NewEvent) -> NoReturn:
        """Refuse the first field of ``event`` that is not of its type."""
        for field in ("type", "data", "hash"):
            value = getattr(event, field)
            if type(value) is not str:
                self._refuse(f"event {number}'s {field}", value, None, "it is text")
        self._refuse(
            f"event {number}'s schema version",
            event.schema_version,
            None,
            "a version is a whole number",
        )

    def _require_offset(self, field: str, moment: object) -> None:
        """Refuse ``moment`` unless it is a datetime that knows its offset from UTC (a store
        keeps a time with its offset, and one without would mean another instant elsewhere),
        an offset of whole seconds (Python 3.11 reads no finer one back from its text), and
        lies a day or more inside the years 1 to 9999 (so that it reads back in any time
        zone)."""
        offset = _offset(moment)
        if offset is None:
            self._refuse(field, moment, None, "stored times are datetimes with their offset")
        assert isinstance(moment, datetime)
        if offset.microseconds:
            self._refuse(field, moment, None, "a stored time's offset from UTC is whole seconds")
        if not kept(moment):
            self._refuse(
                field,
                moment,
                None,
                f"stored times lie from {KEPT_FROM.isoformat()} to {KEPT_UNTIL.isoformat()}",
            )

    def _refuse_text(self) -> NoReturn:
        """Refuse the first text that holds a lone surrogate (no UTF-8 text can) or a NUL (no
        PostgreSQL text can), or, in an event's type, data or hash, a separator the SQL stores
        pack a batch with."""
        summary = self.summary
        fields: list[tuple[str, str | None, bool]] = [
            ("community", self.community_id, False),
            ("stream", self.stream_id, False),
            ("kind", self.kind, False),
            ("command id", self.command_id, False),
        ]
        for number, event in enumerate(self.events, 1):
            for name in ("type", "data", "hash"):
                fields.append((f"event {number}'s {name}", getattr(event, name), True))
        for name in ("state", "title", "snapshot", "last_hash", "due_what"):
            fields.append((f"summary's {name}", getattr(summary, name), False))
        for field, text, packed in fields:
            if text is None:
                continue
            if packed and ("\x1e" in text or "\x1f" in text):
                self._refuse(
                    field,
                    text,
                    None,
                    "it holds a U+001E or U+001F control character, which no JSON text, "
                    "type name or hash holds and the SQL stores use to pack a batch",
                )
            if "\x00" in text:
                self._refuse(
                    field,
                    text,
                    None,
                    f"it holds a NUL character at {text.index(chr(0))}, which PostgreSQL "
                    "cannot store",
                )
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                self._refuse(
                    field,
                    text,
                    None,
                    f"it holds the lone surrogate U+{ord(text[exc.start]):04X} at "
                    f"{exc.start}, which UTF-8 cannot store",
                )
        raise AssertionError("a text was amiss, yet none is")  # pragma: no cover

    def _refuse(self, field: str, given: object, should_be: object, because: str) -> NoReturn:
        raise MalformedRequest(
            self.stream_id, field, given, should_be, because, community=self.community_id
        )


def require_requests(requests: Sequence[AppendRequest], *, first: int = 1) -> None:
    """Refuse ``requests`` unless they are a sequence of :class:`AppendRequest` records, so
    that a store only ever sees checked requests (``first`` numbers the first of them).

    Raises:
        MalformedRequest: not a sequence, or the first that is not a request (its ``stream``
            is ``None``).
    """
    if not isinstance(requests, Sequence):
        raise MalformedRequest(
            None, "requests", requests, None, "a store takes a sequence of AppendRequest records"
        )
    for number, request in enumerate(requests, first):
        if not isinstance(request, AppendRequest):
            raise MalformedRequest(
                None, f"request {number}", request, None, "a store takes AppendRequest records"
            )


@attrs.frozen
class AppendResult:
    """What an append stored: the stream's new version and the positions given.

    ``duplicate`` is true when the command id had been seen, and nothing new was stored.
    """

    community_id: str
    stream_id: str
    version: int
    first_position: int
    last_position: int
    duplicate: bool = False


@attrs.frozen
class Problem:
    """A stored event that fails verification."""

    community_id: str
    stream_id: str
    version: int
    detail: str
