"""The shape every aggregate shares: an id, a version, the time of its last event, and a fold.

An aggregate is a frozen ``attrs`` value. A command validates its arguments against the current
value, builds the events that record what happened, and returns the new value together with
those events; the value it was called on is untouched. The new value is always computed by
applying the events, so replaying a history rebuilds exactly the same aggregate.

The aggregate holds its current state, not its history: the events are what a command returns,
what a store keeps, and what :meth:`Aggregate.replay` folds. Keeping them out of the value keeps
it small and lets a store load it from a summary without reading every event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Self, TypeAlias, TypeVar

import attrs

from communitygov.errors import DecodeError, IdTooLong, WrongType
from communitygov.kernel.checks import require_text
from communitygov.kernel.events import Event
from communitygov.kernel.slots import Copy, copier
from communitygov.kernel.timekeeping import require_in_order

__all__ = [
    "MAX_KEY_LENGTH",
    "Aggregate",
    "Decision",
    "Description",
    "community_of",
    "require_id",
]

MAX_KEY_LENGTH = 200
"""The most characters of an id, a kind or a state name (a community's, a stream's, a
command's): the texts the stores keep in their keys and indexes. Three of them make one
index entry, which PostgreSQL keeps within 2,704 bytes (200 characters are at most 800 bytes
of UTF-8). A procedure's step keys and a template's stage keys are state names."""

A = TypeVar("A")

Decision: TypeAlias = tuple[A, tuple[Event, ...]]
"""What a command returns: the new aggregate and the events that record the change."""


@attrs.frozen
class Description:
    """What a store's summary row says of an aggregate, so queries need no replay."""

    state: str
    title: str
    due_at: datetime | None = None
    due_what: str = ""


@attrs.frozen(kw_only=True)
class Aggregate:
    """Base of the library's aggregates.

    Subclasses list the event types they create from in ``created_by`` and implement
    :meth:`_start` (the first event) and :meth:`_changes` (every later event). They may name
    in ``id_field`` the field of their creating event that holds their id, so that it can be
    read without replaying the event.
    """

    created_by: ClassVar[tuple[type[Event], ...]] = ()
    kind: ClassVar[str] = "aggregate"
    id_field: ClassVar[str] = ""

    id: str
    version: int = 0
    last_at: datetime | None = None
    """When the latest event happened."""

    @classmethod
    def _start(cls, event: Event, context: Any) -> Self:
        """The aggregate as its first event makes it (version 1)."""
        raise NotImplementedError

    def _changes(self, event: Event) -> dict[str, Any]:
        """The fields a later event changes."""
        raise NotImplementedError

    def describe(self) -> Description:
        """The state, title and next deadline, for a store's summary."""
        raise NotImplementedError

    def apply(self, event: Event) -> Self:
        """The aggregate after ``event``; used by commands and by replay alike.

        The new value is what ``attrs.evolve`` would give; where the class allows, it is built
        by a compiled copy instead (:func:`communitygov.kernel.slots.copier`), which is several
        times faster for an aggregate of many fields.
        """
        changes = self._changes(event)
        cls = type(self)
        copy = _COPIERS.get(cls, _uncompiled)
        if copy is _uncompiled:
            copy = _COPIERS[cls] = copier(cls)
        if copy is not None:
            new: Self | None = copy(self, self.version + 1, event.at, changes)
            if new is not None:
                return new
        return attrs.evolve(self, version=self.version + 1, last_at=event.at, **changes)

    def _checked_time(self, at: datetime) -> datetime:
        """``at``, once it is known to be timezone-aware and not before the last event."""
        return require_in_order(at, self.last_at)

    def _record(self, *events: Event) -> Decision[Self]:
        aggregate = self
        for event in events:
            aggregate = aggregate.apply(event)
        return aggregate, events

    @classmethod
    def replay(cls, events: Iterable[Event], context: Any = None) -> Self:
        """Rebuild an aggregate from its whole history.

        Raises:
            DecodeError: the history does not start with a creating event.
            WrongType: something in it is not an :class:`~communitygov.kernel.events.Event`.
        """
        iterator = iter(events)
        first = next(iterator, None)
        if first is not None and not isinstance(first, Event):
            raise WrongType("event", first, "an Event")
        if first is None or not isinstance(first, cls.created_by):
            found = type(first).type_name if first is not None else "nothing"
            raise DecodeError(found, 0, f"a {cls.kind} history must start with its creation")
        aggregate = cls._start(first, context)
        for event in iterator:
            if not isinstance(event, Event):
                raise WrongType("event", event, "an Event")
            aggregate = aggregate.apply(event)
        return aggregate


def _uncompiled(inst: Any, version: int, last_at: datetime, changes: dict[str, Any]) -> Any:
    raise AssertionError("a placeholder, never called")  # pragma: no cover


_COPIERS: dict[type, Copy | None] = {}
"""The compiled copy of each aggregate class (see :mod:`communitygov.kernel.slots`)."""


def community_of(aggregate: Aggregate) -> str:
    """The id of the community ``aggregate`` belongs to: its ``community_id``, or, for a
    community, its own id."""
    community_id = getattr(aggregate, "community_id", None)
    return community_id if isinstance(community_id, str) else aggregate.id


def require_id(value: object, field: str) -> str:
    """``value``, once it is known to be a text that shows something and that every store
    keeps as an aggregate's id: :data:`MAX_KEY_LENGTH` characters at most.

    Raises:
        WrongType: it is not a text.
        EmptyField: it shows nothing.
        UnstorableText: it holds a NUL or a lone surrogate.
        IdTooLong: it is longer than :data:`MAX_KEY_LENGTH` characters.
    """
    text = require_text(value, field)
    if len(text) > MAX_KEY_LENGTH:
        raise IdTooLong(field, text, MAX_KEY_LENGTH)
    return text
