"""The shape every aggregate shares: an id, a version, its history, and a fold over events.

An aggregate is a frozen ``attrs`` value. A command validates its arguments against the current
value, builds the events that record what happened, and returns the new value together with
those events; the value it was called on is untouched. The new value is always computed by
applying the events, so replaying a history rebuilds exactly the same aggregate.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Self, TypeAlias, TypeVar

import attrs

from communitygov.errors import DecodeError
from communitygov.kernel.events import Event
from communitygov.kernel.timekeeping import require_in_order

__all__ = ["Aggregate", "Decision"]

A = TypeVar("A")

Decision: TypeAlias = tuple[A, tuple[Event, ...]]
"""What a command returns: the new aggregate and the events that record the change."""


@attrs.frozen(kw_only=True)
class Aggregate:
    """Base of the library's aggregates.

    Subclasses list the event types they create from in ``created_by`` and implement
    :meth:`_start` (the first event) and :meth:`_changes` (every later event).
    """

    created_by: ClassVar[tuple[type[Event], ...]] = ()
    kind: ClassVar[str] = "aggregate"

    id: str
    version: int = 0
    history: tuple[Event, ...] = attrs.field(default=(), repr=False)

    @property
    def last_at(self) -> datetime | None:
        """When the latest event happened."""
        return self.history[-1].at if self.history else None

    @classmethod
    def _start(cls, event: Event, context: Any) -> Self:
        """The aggregate as its first event makes it (version 1)."""
        raise NotImplementedError

    def _changes(self, event: Event) -> dict[str, Any]:
        """The fields a later event changes."""
        raise NotImplementedError

    def apply(self, event: Event) -> Self:
        """The aggregate after ``event``; used by commands and by replay alike."""
        return attrs.evolve(
            self, version=self.version + 1, history=(*self.history, event), **self._changes(event)
        )

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
        """
        iterator = iter(events)
        first = next(iterator, None)
        if first is None or not isinstance(first, cls.created_by):
            found = type(first).type_name if first is not None else "nothing"
            raise DecodeError(found, 0, f"a {cls.kind} history must start with its creation")
        aggregate = cls._start(first, context)
        for event in iterator:
            aggregate = aggregate.apply(event)
        return aggregate
