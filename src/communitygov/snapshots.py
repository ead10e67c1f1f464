"""Snapshots: an aggregate's state as JSON text in its summary, and back.

The facade stores each aggregate's current state with its summary so that loading needs no
replay. :class:`Snapshots` freezes an aggregate with a converter of its own (a procedure is
stored by name and calendar, and found again among the facade's procedures) and thaws it with
a faster copy of that converter, falling back to the careful one to name what is wrong.

An aggregate keeps some of its events (a matter its raising, meetings and completion), so its
snapshot holds those events' fields too. A save has just encoded the events it stores; given
them, :meth:`Snapshots.freeze` takes their fields as they are instead of encoding them again.

A snapshot names the shape of its class (:func:`shape_of`): its fields and their types, all
the way down. Events have schema versions and are upcast when read; a snapshot is not, so one
written by a version of the library whose classes had other fields is not thawed at all
(:meth:`Snapshots.thaw` answers ``None``) and the aggregate is replayed from its events.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import itertools
import json
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeAlias, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn

from communitygov.assistance.plan import AssistancePlan
from communitygov.errors import DecodeError, UnknownProcedure
from communitygov.funds.fund import Fund
from communitygov.kernel.aggregate import Aggregate
from communitygov.kernel.codec import converted_json, make_fast_converter, quick_loads
from communitygov.kernel.events import Event
from communitygov.matters.matter import Matter
from communitygov.matters.procedure import Procedure
from communitygov.organisation.community import Community
from communitygov.storage.records import Summary

__all__ = ["LIBRARY_AGGREGATES", "SHAPE_KEY", "Snapshots", "shape_of"]

A = TypeVar("A", bound=Aggregate)

LIBRARY_AGGREGATES: tuple[type[Aggregate], ...] = (Community, Matter, AssistancePlan, Fund)
"""The library's own aggregate classes. No field of theirs, or of anything they hold, is a
float or of no declared type, so their snapshots may be read by orjson (see
:meth:`Snapshots.thaw`)."""

Encoded: TypeAlias = Mapping[int, tuple[Event, dict[str, Any]]]
"""Events a save has just encoded and their fields, by ``id(event)``."""

SHAPE_KEY = "$shape"
"""The key of a snapshot's shape in its JSON object: first, and never an attribute's name."""

_FORMAT = 1
"""How snapshots are written, beyond their classes' fields (the hooks of times, money, sets,
procedures): raised when that changes, so that every snapshot written before is replayed."""

_ENCODED: ContextVar[Encoded] = ContextVar("encoded events", default=types.MappingProxyType({}))
"""What the current save has encoded, while it freezes its aggregate."""


class Snapshots:
    """Freezes aggregates to JSON text and thaws them, for one set of procedures."""

    def __init__(self, procedures: Mapping[str, Procedure]) -> None:
        self._converter = _snapshot_converter(procedures)
        self._fast = _fast_structuring(self._converter)
        self._quick: dict[type, Callable[[str], Any]] = (
            dict.fromkeys(LIBRARY_AGGREGATES, quick_loads) if quick_loads is not None else {}
        )

    def freeze(self, aggregate: Aggregate, encoded: Encoded | None = None) -> str:
        """``aggregate``'s state as JSON text, an object whose first key, :data:`SHAPE_KEY`,
        names the shape of its class.

        Args:
            encoded: events just encoded by the library's own codec (the same converter
                hooks) with their fields, by ``id(event)``. An event the aggregate keeps is
                taken from here, when it is that very event of exactly its field's declared
                class, rather than encoded again; the text is the same either way.
        """
        cls = type(aggregate)
        token = _ENCODED.set(encoded) if encoded else None
        try:
            fields = converted_json(self._converter.unstructure(aggregate, cls))
        finally:
            if token is not None:
                _ENCODED.reset(token)
        marked = f'{{"{SHAPE_KEY}":"{shape_of(cls)}"'
        return f"{marked},{fields[1:]}" if fields != "{}" else f"{marked}}}"

    def thaw(self, cls: type[A], summary: Summary) -> A | None:
        """The aggregate frozen in ``summary``; ``None`` if the snapshot is a JSON object of
        another shape than ``cls`` has here (or of none): written by another version of the
        library, it is not read, and the aggregate's events say what it is.

        Raises:
            DecodeError: the snapshot is not a JSON object, or is of ``cls``'s shape and does
                not fit it; the error names the stream, its community and version, and what
                is wrong.
        """
        shape = shape_of(cls)
        quick = self._quick.get(cls)
        if quick is not None:
            # No field of these classes holds a float, and the fast path takes a whole number
            # only as an int: a number orjson read as a float (beyond 64 bits) fails here, and
            # the standard library reads the text again below.
            try:
                quickly = quick(summary.snapshot)
                if quickly[SHAPE_KEY] == shape:
                    read: A = self._fast.structure(quickly, cls)
                    return read
            except Exception:  # read again below, where what is wrong is named
                pass
        try:
            data = json.loads(summary.snapshot)
        except ValueError as exc:
            raise _unreadable(cls, summary, f"it is not JSON ({exc})") from exc
        except RecursionError as exc:
            raise _unreadable(cls, summary, "it nests deeper than any snapshot does") from exc
        if not isinstance(data, dict):
            raise _unreadable(cls, summary, f"it is not a JSON object but {data!r:.40}")
        if data.get(SHAPE_KEY) != shape:
            return None
        try:
            fast: A = self._fast.structure(data, cls)
        except Exception:  # the careful path below names what is wrong
            pass
        else:
            return fast
        try:
            aggregate: A = self._converter.structure(data, cls)
        except UnknownProcedure as exc:  # nothing damaged: a procedure not given
            raise UnknownProcedure(exc.procedure, exc.known, matter=summary.stream_id) from exc
        except DecodeError as exc:
            raise _unreadable(cls, summary, exc.detail) from exc
        except Exception as exc:  # cattrs raises many kinds; all mean "does not fit"
            ours = _decode_error_within(exc)
            if isinstance(ours, UnknownProcedure):
                raise UnknownProcedure(
                    ours.procedure, ours.known, matter=summary.stream_id
                ) from exc
            why = ours.detail if ours else "; ".join(cattrs.transform_error(exc))
            raise _unreadable(cls, summary, why) from exc
        return aggregate


def shape_of(cls: type) -> str:
    """The shape of ``cls``'s snapshots: 16 hexadecimal digits of a hash over the names and
    types of its fields, and of the fields of every class they hold, all the way down (an
    enumeration by its values, a procedure by its name alone, as it is stored), and over
    :data:`_FORMAT`. Two versions of the library write the same snapshot of the same state
    when their shapes agree."""
    shape = _SHAPES.get(cls)
    if shape is None:
        described = f"{_FORMAT}:{_describe(cls, set())}"
        shape = _SHAPES[cls] = hashlib.sha256(described.encode()).hexdigest()[:16]
    return shape


_SHAPES: dict[type, str] = {}
"""Each class's shape, worked out once."""


def _describe(t: Any, seen: set[type]) -> str:
    """``t`` as :func:`shape_of` hashes it."""
    origin = typing.get_origin(t)
    if origin is not None:
        args = ",".join(_describe(arg, seen) for arg in typing.get_args(t))
        union = origin is typing.Union or origin is types.UnionType
        return f"{'Union' if union else _describe(origin, seen)}[{args}]"
    if not isinstance(t, type):
        return repr(t)  # Ellipsis, a Literal's value, Any
    name = t.__qualname__
    if t is Procedure or t in seen:
        return name
    if issubclass(t, enum.Enum):
        return f"{name}<{','.join(repr(member.value) for member in t)}>"
    if attrs.has(t):
        seen.add(t)
        with contextlib.suppress(NameError):  # a type named in text that cannot be found
            attrs.resolve_types(t)  # stands as its text
        fields = ",".join(f"{f.name}:{_describe(f.type, seen)}" for f in attrs.fields(t))
        return f"{name}{{{fields}}}"
    return name


def _decode_error_within(exc: Exception) -> DecodeError | None:
    """The first of our own :class:`DecodeError` among what cattrs has gathered (a hook of
    ours refusing a value), which says what is wrong better than cattrs' summary of it."""
    if not isinstance(exc, ExceptionGroup):
        return None
    found = exc.subgroup(lambda each: isinstance(each, DecodeError))
    while isinstance(found, ExceptionGroup):
        found = found.exceptions[0]
    return found if isinstance(found, DecodeError) else None


def _unreadable(cls: type[Aggregate], summary: Summary, why: str) -> DecodeError:
    """The error for a snapshot that cannot be thawed (snapshots have no schema of their own:
    the version given is 0)."""
    return DecodeError(
        f"{cls.kind} snapshot",
        0,
        f"the snapshot of stream {summary.stream_id!r} in community {summary.community_id!r} "
        f"(version {summary.version}) cannot be read: {why}",
    )


_TIMES_KEPT = 1024
"""How many parsed times the fast path keeps, by their text, before it starts afresh."""


def _fast_structuring(converter: cattrs.Converter) -> cattrs.Converter:
    """A copy of ``converter`` that structures snapshots faster, for the path that succeeds.

    It skips cattrs' detailed validation and resolves the hooks of optional fields,
    homogeneous tuples, frozensets and enums once per type instead of on every value: about a
    quarter off thawing a matter. It accepts exactly what ``converter`` accepts; when it
    raises, :meth:`Snapshots.thaw` repeats the work with ``converter`` so that the error
    reported is the detailed one.
    """
    fast = converter.copy(detailed_validation=False)

    def optional(t: Any) -> bool:
        args: tuple[Any, ...] = getattr(t, "__args__", ())
        return (
            typing.get_origin(t) in (typing.Union, types.UnionType)
            and len(args) == 2
            and type(None) in args
        )

    def structure_optional(t: Any) -> Callable[[Any, Any], Any]:
        first, second = t.__args__
        other = second if first is type(None) else first
        inner = fast.get_structure_hook(other)
        if _calls_the_class(inner):
            return lambda value, _: None if value is None else other(value)
        return lambda value, _: None if value is None else inner(value, other)

    def homogeneous_tuple(t: Any) -> bool:
        args: tuple[Any, ...] = getattr(t, "__args__", ())
        return (
            typing.get_origin(t) is tuple
            and len(args) == 2
            and args[1] is Ellipsis
            and args[0] is not Any
        )

    def typed_frozenset(t: Any) -> bool:
        args: tuple[Any, ...] = getattr(t, "__args__", ())
        return typing.get_origin(t) is frozenset and len(args) == 1 and args[0] is not Any

    def structure_items(
        collection: Callable[[Iterable[Any]], Any],
    ) -> Callable[[Any], Callable[[Any, Any], Any]]:
        def factory(t: Any) -> Callable[[Any, Any], Any]:
            item = t.__args__[0]
            inner = fast.get_structure_hook(item)
            if _calls_the_class(inner):
                return lambda value, _: collection(map(item, value))
            return lambda value, _: collection(map(inner, value, itertools.repeat(item)))

        return factory

    def an_enum(t: Any) -> bool:
        return isinstance(t, type) and issubclass(t, enum.Enum)

    def structure_enum(t: Any) -> Callable[[Any, Any], Any]:
        members = t._value2member_map_
        return lambda value, _: members[value]

    def structure_int(value: Any, _: Any) -> int:
        if type(value) is not int:  # a number orjson read as a float, say
            raise TypeError(f"{value!r} is not a whole number")
        return value

    def structure_bool(value: Any, _: Any) -> bool:
        # Registered apart, or the whole-number hook above would take a bool for an int.
        if type(value) is not bool:
            raise TypeError(f"{value!r} is not true or false")
        return value

    parse_time = fast.get_structure_hook(datetime)
    times: dict[str, datetime] = {}

    def structure_datetime(value: Any, _: Any) -> datetime:
        # A snapshot holds the same few times again and again (a meeting's, its notice's);
        # a datetime is immutable, so one parsed object serves them all.
        moment = times.get(value)
        if moment is None:
            moment = parse_time(value, datetime)
            if len(times) >= _TIMES_KEPT:
                times.clear()
            times[value] = moment
        return moment

    fast.register_structure_hook(int, structure_int)
    fast.register_structure_hook(bool, structure_bool)
    fast.register_structure_hook(datetime, structure_datetime)
    fast.register_structure_hook_factory(optional, structure_optional)
    fast.register_structure_hook_factory(homogeneous_tuple, structure_items(tuple))
    fast.register_structure_hook_factory(typed_frozenset, structure_items(frozenset))
    fast.register_structure_hook_factory(an_enum, structure_enum)
    return fast


def _calls_the_class(hook: Callable[[Any, Any], Any]) -> bool:
    """Whether ``hook`` is cattrs' own for ``str`` and its like, ``hook(value, cls)`` being
    ``cls(value)``: called directly, the class saves a call per value."""
    return hook is cattrs.BaseConverter._structure_call


def _snapshot_converter(procedures: Mapping[str, Procedure]) -> cattrs.Converter:
    """A converter for aggregate snapshots: a procedure is stored by name and calendar."""
    converter = make_fast_converter()

    def unstructure_procedure(procedure: Procedure) -> dict[str, str]:
        return {"name": procedure.name, "calendar": procedure.calendar.name}

    def structure_procedure(value: Any, _: type) -> Procedure:
        procedure = procedures.get(value["name"])
        if procedure is None:
            raise UnknownProcedure(value["name"], procedures)
        if procedure.calendar.name != value["calendar"]:
            raise DecodeError(
                "matter snapshot",
                0,
                f"the matter counts on the {value['calendar']!r} calendar; procedure "
                f"{procedure.name!r} here counts on {procedure.calendar.name!r}",
            )
        return procedure

    converter.register_unstructure_hook(Procedure, unstructure_procedure)
    converter.register_structure_hook(Procedure, structure_procedure)
    converter.register_unstructure_hook_factory(
        lambda cls: isinstance(cls, type) and issubclass(cls, Event),
        lambda cls: _reusing_encoded(cls, make_dict_unstructure_fn(cls, converter)),
    )
    return converter


def _reusing_encoded(
    cls: type, unstructure: Callable[[Any], dict[str, Any]]
) -> Callable[[Any], dict[str, Any]]:
    """The hook of a field declared as the event class ``cls``: the fields the current save
    encoded for this very event, if it did and the event is of ``cls`` itself (a subclass is
    encoded as ``cls``, its own fields left out), or else the event encoded here."""

    def hook(event: Any) -> dict[str, Any]:
        seen = _ENCODED.get().get(id(event))
        if seen is not None and seen[0] is event and type(event) is cls:
            return seen[1]
        return unstructure(event)

    return hook
