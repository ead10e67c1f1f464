"""Snapshots: an aggregate's state as JSON text in its summary, and back.

The facade stores each aggregate's current state with its summary so that loading needs no
replay. :class:`Snapshots` freezes an aggregate with a converter of its own (a procedure is
stored by name and calendar, and found again among the facade's procedures) and thaws it with
a faster copy of that converter, falling back to the careful one to name what is wrong.

An aggregate keeps some of its events (a matter its meetings, notices and completion), so its
snapshot holds those events' fields too. A save has just encoded the events it stores; given
them, :meth:`Snapshots.freeze` takes their fields as they are instead of encoding them again.
"""

from __future__ import annotations

import enum
import itertools
import json
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

import cattrs
from cattrs.gen import make_dict_unstructure_fn

from communitygov.errors import DecodeError
from communitygov.kernel.aggregate import Aggregate
from communitygov.kernel.codec import compact_json, make_converter
from communitygov.kernel.events import Event
from communitygov.matters.procedure import Procedure
from communitygov.storage.records import Summary

__all__ = ["Snapshots"]

A = TypeVar("A", bound=Aggregate)

_ENCODED: ContextVar[Mapping[int, dict[str, Any]]] = ContextVar(
    "encoded events", default=types.MappingProxyType({})
)
"""The fields of the events the current save has encoded, by the event's ``id``."""


class Snapshots:
    """Freezes aggregates to JSON text and thaws them, for one set of procedures."""

    def __init__(self, procedures: Mapping[str, Procedure]) -> None:
        self._converter = _snapshot_converter(procedures)
        self._fast = _fast_structuring(self._converter)

    def freeze(
        self, aggregate: Aggregate, encoded: Mapping[int, dict[str, Any]] | None = None
    ) -> str:
        """``aggregate``'s state as JSON text.

        Args:
            encoded: the fields of events just encoded by the same converter hooks (the
                library's own codec), by ``id(event)``; an event the aggregate keeps is taken
                from here rather than encoded again. The events must be alive for the call.
        """
        if not encoded:
            return compact_json(self._converter.unstructure(aggregate, type(aggregate)))
        token = _ENCODED.set(encoded)
        try:
            return compact_json(self._converter.unstructure(aggregate, type(aggregate)))
        finally:
            _ENCODED.reset(token)

    def thaw(self, cls: type[A], summary: Summary) -> A:
        """The aggregate frozen in ``summary``.

        Raises:
            DecodeError: the snapshot is not JSON or does not fit ``cls``.
        """
        try:
            fast: A = self._fast.structure(json.loads(summary.snapshot), cls)
        except Exception:  # the careful path below names what is wrong
            pass
        else:
            return fast
        try:
            aggregate: A = self._converter.structure(json.loads(summary.snapshot), cls)
        except DecodeError:
            raise
        except Exception as exc:  # cattrs and json raise many kinds; all mean "unreadable"
            raise DecodeError(
                f"{cls.kind} snapshot", summary.version, "; ".join(cattrs.transform_error(exc))
            ) from exc
        return aggregate


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
            return lambda value, _: collection(map(inner, value, itertools.repeat(item)))

        return factory

    def an_enum(t: Any) -> bool:
        return isinstance(t, type) and issubclass(t, enum.Enum)

    def structure_enum(t: Any) -> Callable[[Any, Any], Any]:
        members = t._value2member_map_
        return lambda value, _: members[value]

    fast.register_structure_hook_factory(optional, structure_optional)
    fast.register_structure_hook_factory(homogeneous_tuple, structure_items(tuple))
    fast.register_structure_hook_factory(typed_frozenset, structure_items(frozenset))
    fast.register_structure_hook_factory(an_enum, structure_enum)
    return fast


def _snapshot_converter(procedures: Mapping[str, Procedure]) -> cattrs.Converter:
    """A converter for aggregate snapshots: a procedure is stored by name and calendar."""
    converter = make_converter()

    def unstructure_procedure(procedure: Procedure) -> dict[str, str]:
        return {"name": procedure.name, "calendar": procedure.calendar.name}

    def structure_procedure(value: Any, _: type) -> Procedure:
        procedure = procedures.get(value["name"])
        if procedure is None:
            raise DecodeError("matter snapshot", 0, f"unknown procedure {value['name']!r}")
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
        lambda cls: _reusing_encoded(make_dict_unstructure_fn(cls, converter)),
    )
    return converter


def _reusing_encoded(unstructure: Callable[[Any], dict[str, Any]]) -> Callable[[Any], Any]:
    """An event hook that takes the fields the current save encoded, if it encoded this event."""

    def hook(event: Any) -> Any:
        fields = _ENCODED.get().get(id(event))
        return fields if fields is not None else unstructure(event)

    return hook
