"""Events: immutable facts, each with a stable type name and a schema version.

State is a fold over events, and the events are the audit trail: they are what a store keeps
and what every public notice is rendered from. An event class is a frozen ``attrs`` class
deriving from :class:`Event` and registered under a type name that never changes, even when the
class is renamed or moved::

    @event_type("matter.raised", version=1)
    @attrs.frozen(kw_only=True)
    class MatterRaised(Event):
        title: str

When an event's fields change, bump its version and register an upcaster that turns the old
stored form into the new one (see :mod:`communitygov.kernel.codec`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import attrs

from communitygov.errors import DefinitionError
from communitygov.kernel.slots import fast_init

__all__ = [
    "ADDED_LATER",
    "EVENTS",
    "Event",
    "EventRegistry",
    "Upcaster",
    "added_later",
    "event_type",
]

E = TypeVar("E", bound="Event")

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns the stored fields of an event at schema version ``n`` into those of version ``n + 1``."""


@attrs.frozen(kw_only=True)
class Event:
    """Base of every event: something that happened, at a timezone-aware instant."""

    type_name: ClassVar[str] = ""
    schema_version: ClassVar[int] = 0

    at: datetime


_REGISTERED: weakref.WeakKeyDictionary[type[Event], tuple[str, int]] = weakref.WeakKeyDictionary()
"""The name and schema version each registered class was given, whichever registry it was in.

They are stored on the class itself, which every registry (and every copy from
:meth:`EventRegistry.extended`) shares, so once given they never change.
"""


class EventRegistry:
    """Maps stable type names to event classes, and holds the upcasters of old versions.

    The library's own events live in :data:`EVENTS`. Applications that add events of their own
    may register them there too, or build a registry of their own with :meth:`extended`.
    """

    def __init__(self) -> None:
        self._types: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, cls: type[E], name: str, version: int) -> type[E]:
        """Register ``cls`` under ``name`` at schema ``version``.

        A class keeps the name and version it was first registered under, in every registry:
        registering it again with the same ones (here or in another registry) only adds it to
        this registry.

        Raises:
            DefinitionError: the name is taken by another class, the version is below 1, or the
                class is already registered under another name or version.
        """
        if type(version) is not int or version < 1:
            raise DefinitionError(
                f"event {name!r}", f"schema version must be >= 1, not {version!r}"
            )
        existing = self._types.get(name)
        if existing is not None and existing is not cls:
            raise DefinitionError(
                f"event {name!r}", f"the name is already used by {existing.__qualname__}"
            )
        registered = _REGISTERED.get(cls)
        if registered is not None and registered != (name, version):
            given, given_version = registered
            raise DefinitionError(
                f"event {name!r}",
                f"{cls.__qualname__} is already registered as {given!r} version {given_version}; "
                "a registered class keeps its name and version (define a new class instead)",
            )
        _REGISTERED[cls] = (name, version)
        cls.type_name = name
        cls.schema_version = version
        self._types[name] = cls
        return cls

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator registering how to lift stored ``name`` events from ``from_version``."""

        def register(function: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = function
            return function

        return register

    def upcast(self, name: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
        """Lift stored fields from ``version`` to the current schema of ``name``.

        A version with no upcaster is returned unchanged, so adding an optional field with a
        default needs no upcaster.
        """
        current = self._types[name].schema_version
        while version < current:
            step = self._upcasters.get((name, version))
            if step is not None:
                data = step(data)
            version += 1
        return data

    def get(self, name: str) -> type[Event] | None:
        """The class registered under ``name``, or ``None``."""
        return self._types.get(name)

    def extended(self) -> EventRegistry:
        """A copy of this registry that can take more events without touching this one."""
        copy = EventRegistry()
        copy._types = dict(self._types)
        copy._upcasters = dict(self._upcasters)
        return copy

    def __iter__(self) -> Iterator[type[Event]]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def __contains__(self, name: object) -> bool:
        return name in self._types


EVENTS = EventRegistry()
"""The registry of every event the library defines."""

ADDED_LATER = "communitygov.added_later"
"""The metadata key of a field :func:`added_later` declares."""


def added_later(default: Any) -> Any:
    """A field added to a record in a later schema, ``default`` being what the records before
    it mean: stored only when it holds another value, so that a record that does not use it
    is stored as it was before the field existed (the same text, the same size)."""
    return attrs.field(default=default, metadata={ADDED_LATER: True})


def event_type(
    name: str, version: int = 1, registry: EventRegistry = EVENTS
) -> Callable[[type[E]], type[E]]:
    """Class decorator: register an event class under a stable ``name`` and schema ``version``.

    It also gives the class a faster ``__init__`` that does exactly what the attrs-generated one
    does, where that is possible (see :func:`communitygov.kernel.slots.fast_init`): events are
    built on every command and every replay.
    """

    def register(cls: type[E]) -> type[E]:
        if not attrs.has(cls) or not issubclass(cls, Event):
            raise DefinitionError(f"event {name!r}", "must be an attrs class deriving from Event")
        registry.register(cls, name, version)
        init = fast_init(cls)
        if init is not None and "__init__" in vars(cls):
            cls.__init__ = init  # type: ignore[method-assign]
        return cls

    return register
