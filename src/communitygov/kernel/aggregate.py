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

import keyword
import types
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar, Self, TypeAlias, TypeVar

import attrs

from communitygov.errors import DecodeError
from communitygov.kernel.events import Event
from communitygov.kernel.timekeeping import require_in_order

__all__ = ["Aggregate", "Decision", "Description"]

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
    :meth:`_start` (the first event) and :meth:`_changes` (every later event).
    """

    created_by: ClassVar[tuple[type[Event], ...]] = ()
    kind: ClassVar[str] = "aggregate"

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
        """The aggregate after ``event``; used by commands and by replay alike."""
        version = self.version + 1
        last_at = event.at
        changes = self._changes(event)
        cls = type(self)
        copier = _COPIERS.get(cls, _UNCOMPILED)
        if copier is _UNCOMPILED:
            copier = _COPIERS[cls] = _compile_copier(cls)
        if copier is not None and copier.fields.issuperset(changes):
            new: Self = copier.copy(self, version, last_at, changes)
            return new
        return attrs.evolve(self, version=version, last_at=last_at, **changes)

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


# --- the fold's copy ----------------------------------------------------------------------
#
# ``attrs.evolve`` reads every field and calls ``__init__`` with all of them as keywords, which
# for an aggregate of twenty-odd fields costs several times the rest of a transition. For the
# common case, a slotted class whose ``__init__`` attrs generated and which has no converter,
# validator or init hook, that ``__init__`` does nothing but store each argument in its slot,
# so the copy below stores the same values in the same slots directly, through the slots' own
# descriptors. Any other class keeps ``attrs.evolve``, and so does a change naming something
# that is not a field (so the same ``TypeError`` is raised).


@attrs.frozen
class _Copier:
    """A compiled copy of one aggregate class: the fields a change may name, and the copy."""

    fields: frozenset[str]
    copy: Callable[[Any, int, datetime, dict[str, Any]], Any]


_UNCOMPILED = _Copier(frozenset(), lambda *_: None)
_COPIERS: dict[type, _Copier | None] = {}


def _slot(cls: type, name: str) -> types.MemberDescriptorType | None:
    for klass in cls.__mro__:
        if name in vars(klass):
            found = vars(klass)[name]
            return found if isinstance(found, types.MemberDescriptorType) else None
    return None


def _compile_copier(cls: type) -> _Copier | None:
    """The fast copy of ``cls``, or ``None`` where only ``attrs.evolve`` is equivalent."""
    init = vars(cls).get("__init__")
    code = getattr(init, "__code__", None)
    if (
        code is None
        or not code.co_filename.startswith("<attrs generated")
        or f"{cls.__module__}.{cls.__qualname__}" not in code.co_filename
        or hasattr(cls, "__attrs_pre_init__")
        or hasattr(cls, "__attrs_post_init__")
    ):
        return None
    slots: set[str] = set()
    for klass in cls.__mro__[:-1]:
        if "__slots__" not in vars(klass) or "__new__" in vars(klass):
            return None
        declared = vars(klass)["__slots__"]
        slots.update((declared,) if isinstance(declared, str) else declared)
    fields = attrs.fields(cls)
    if slots - {"__weakref__"} != {field.name for field in fields}:
        return None
    setters: dict[str, Any] = {}
    lines = ["def copy(inst, version, last_at, changes):", "    new = _new(_cls)"]
    by_alias: dict[str, Any] = {}
    for number, field in enumerate(fields):
        descriptor = _slot(cls, field.name)
        if (
            descriptor is None
            or not field.init
            or field.converter is not None
            or field.validator is not None
            or not field.name.isidentifier()
            or keyword.iskeyword(field.name)
        ):
            return None
        setter = f"_set{number}"
        setters[setter] = descriptor.__set__
        value = field.name if field.name in ("version", "last_at") else f"inst.{field.name}"
        lines.append(f"    {setter}(new, {value})")
        by_alias[field.alias] = descriptor.__set__
    if "version" not in by_alias or "last_at" not in by_alias:
        return None
    lines += [
        "    for name, value in changes.items():",
        "        _by_alias[name](new, value)",
        "    return new",
    ]
    namespace: dict[str, Any] = {
        "_new": object.__new__,
        "_cls": cls,
        "_by_alias": by_alias,
        **setters,
    }
    filename = f"<communitygov copy {cls.__module__}.{cls.__qualname__}>"
    exec(compile("\n".join(lines), filename, "exec"), namespace)
    return _Copier(frozenset(by_alias) - {"version", "last_at"}, namespace["copy"])
