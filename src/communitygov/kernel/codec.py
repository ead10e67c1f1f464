"""Turning events into plain JSON-ready data and back.

The codec is built on a ``cattrs`` converter made by :func:`make_converter`, never on the
global converter, so an application's own cattrs hooks cannot change how governance records
are stored. The output is deterministic (fields in their class's order, sets sorted), which the
stores' hash chains rely on.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from enum import Enum
from fractions import Fraction
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter as make_json_converter
from cattrs.v import format_exception

from communitygov.errors import DecodeError, NaiveDatetime
from communitygov.kernel.calendars import Calendar
from communitygov.kernel.events import ADDED_LATER, EVENTS, Event, EventRegistry
from communitygov.kernel.timekeeping import require_aware

__all__ = [
    "EncodedEvent",
    "EventCodec",
    "StdlibFloat",
    "compact_json",
    "converted_json",
    "make_converter",
    "make_fast_converter",
    "quick_loads",
]

_ORJSON: Callable[[Any], bytes] | None
"""orjson's ``dumps``, when the ``fast`` extra is installed, refusing every subclass."""
quick_loads: Callable[[str], Any] | None
"""orjson's ``loads`` when the ``fast`` extra is installed, else ``None``: about twice as
quick as ``json.loads`` on a snapshot. It reads a whole number beyond 64 bits as a float,
and refuses what the standard library reads leniently (``NaN``, a lone surrogate), so trust
it only where a float is refused and fall back to ``json.loads`` on any failure."""
try:
    import orjson
except ImportError:  # the ``fast`` extra is not installed
    _ORJSON = None
    quick_loads = None
else:
    _ORJSON = functools.partial(
        orjson.dumps,
        option=orjson.OPT_PASSTHROUGH_SUBCLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_DATACLASS,
    )
    quick_loads = orjson.loads


_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"))


def compact_json(value: Any) -> str:
    """``value`` as JSON with no spaces, UTF-8 text kept as is, and keys in their dict's order.

    This is the text the library stores for event fields and snapshots, for any JSON-ready
    tree (hooks of an application's own included); :func:`converted_json` writes the same text
    quicker for the trees of the library's own hooks. The values are trees a converter has just
    built, so the check for circular references is left out.
    """
    return _COMPACT_JSON.encode(value)


def converted_json(value: Any) -> str:
    """:func:`compact_json` of a tree that a converter from :func:`make_fast_converter` built
    with the library's own hooks: the same text, written by orjson when the ``fast`` extra is
    installed (several times quicker).

    The texts agree because orjson is only trusted with what it writes exactly as the
    standard library does: text, whole numbers up to 64 bits, booleans, ``None``, lists and
    dicts with text keys. Anything else in the tree makes orjson refuse, and the standard
    library writes the whole tree: a float (the converter hands floats over as
    :class:`StdlibFloat`, a subclass), a larger number, a key that is not text, a lone
    surrogate.
    """
    if _ORJSON is not None:
        try:
            return _ORJSON(value).decode()
        except TypeError:  # orjson.JSONEncodeError is a TypeError
            pass
    return _COMPACT_JSON.encode(value)


class StdlibFloat(float):
    """A float as a converter from :func:`make_fast_converter` hands it over: written by the
    standard library's encoder in every case (``1e-05``, ``NaN``), which orjson's own float
    text would not match, so :func:`converted_json` leaves it to the standard library."""

    __slots__ = ()


def _structure_aware_datetime(value: Any, _: type) -> datetime:
    moment = datetime.fromisoformat(value)
    # A parsed offset is a fixed one, so a time with a tzinfo is aware.
    return moment if moment.tzinfo is not None else require_aware(moment, "stored datetime")


def _plain_enum(cls: Any) -> bool:
    """Whether ``cls`` is an enum whose values cattrs stores as they are (no typed ``_value_``)."""
    return isinstance(cls, type) and issubclass(cls, Enum) and "_value_" not in cls.__annotations__


def _describe(exc: BaseException, expected: type | None) -> str:
    """What was wrong with one stored value, for :class:`DecodeError`'s detail."""
    if isinstance(exc, NaiveDatetime) and isinstance(exc.value, datetime):
        return f"the time {exc.value.isoformat()} has no timezone; stored times carry their offset"
    return format_exception(exc, expected)


def _check_header(type_name: object, version: object) -> tuple[str, int]:
    """The stored type name and schema version, once they are a string and a version >= 1."""
    if not isinstance(type_name, str):
        raise DecodeError("?", 0, f"the stored type must be a string, not {type_name!r}")
    if type(version) is not int or version < 1:
        raise DecodeError(
            type_name, 0, f"the stored schema version must be an integer >= 1, not {version!r}"
        )
    return type_name, version


def make_converter() -> cattrs.Converter:
    """A fresh converter for the library's records.

    Datetimes become ISO 8601 strings with their offset, dates ISO dates, fractions "p/q"
    strings, enums their values, frozensets sorted lists, and a working-day calendar its name
    (a matter's procedure counts on one). An event held where any event may be (a
    :class:`~communitygov.FeedItem`'s) becomes its own fields and its type name, under
    ``"type"``. A field :func:`~communitygov.kernel.events.added_later` is left out while it
    holds its default.
    """
    converter = make_json_converter()
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(datetime, _structure_aware_datetime)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(date, lambda value, _: date.fromisoformat(value))
    converter.register_unstructure_hook(Fraction, str)
    converter.register_structure_hook(Fraction, lambda value, _: Fraction(value))
    # What cattrs does for these, without a call per item (sets) or the enum's ``value`` property.
    converter.register_unstructure_hook_factory(_plain_enum, lambda _: attrgetter("_value_"))
    converter.register_unstructure_hook_factory(
        lambda cls: getattr(cls, "__origin__", None) is frozenset,
        lambda cls: _sorted_list(converter.get_unstructure_hook(_item_type(cls))),
    )
    converter.register_unstructure_hook_func(lambda cls: cls is Calendar, attrgetter("name"))

    def leaving_out_defaults_added_later(cls: Any) -> Callable[[Any], dict[str, Any]]:
        overrides: dict[str, Any] = {
            field.name: override(omit_if_default=True)
            for field in attrs.fields(cls)
            if ADDED_LATER in field.metadata
        }
        return make_dict_unstructure_fn(cls, converter, **overrides)

    converter.register_unstructure_hook_factory(
        _has_fields_added_later, leaving_out_defaults_added_later
    )

    def unstructure_any_event(event: Event) -> dict[str, Any]:
        fields: dict[str, Any] = converter.unstructure(event, unstructure_as=type(event))
        return {"type": event.type_name, **fields}

    converter.register_unstructure_hook_func(lambda cls: cls is Event, unstructure_any_event)
    return converter


def _has_fields_added_later(cls: Any) -> bool:
    return (
        isinstance(cls, type)
        and attrs.has(cls)
        and any(ADDED_LATER in field.metadata for field in attrs.fields(cls))
    )


def make_fast_converter() -> cattrs.Converter:
    """:func:`make_converter`, handing floats over as :class:`StdlibFloat` (still floats,
    equal to what was given), for trees that :func:`converted_json` writes: the library's
    own, inside a save."""
    converter = make_converter()
    converter.register_unstructure_hook(float, StdlibFloat)
    converter.register_unstructure_hook(datetime, _remembered_isoformat)
    return converter


_ISOFORMATTED: dict[int, tuple[datetime, str]] = {}
"""The texts of the instants formatted last, by the id of the very object formatted."""

_STEADY_ZONES = frozenset({type(None), timezone, ZoneInfo})
"""Zones whose offset for a given time never changes: a time in one of them always formats to
the same text. Any other ``tzinfo`` may compute its offset as it likes, and is not trusted."""


def _remembered_isoformat(moment: datetime) -> str:
    """``datetime.isoformat(moment)``, formatted once for the same object however often a save
    asks: an event's time, the deadline it sets and the aggregate's copies of both in the
    snapshot are one object. An entry keeps its object alive, so an id in the table is never
    another object's; the table is emptied when it has 256 entries. A time in a zone outside
    :data:`_STEADY_ZONES` is formatted every time."""
    if type(moment.tzinfo) not in _STEADY_ZONES:
        return datetime.isoformat(moment)
    kept = _ISOFORMATTED.get(id(moment))
    if kept is not None and kept[0] is moment:
        return kept[1]
    text = datetime.isoformat(moment)
    if len(_ISOFORMATTED) >= 256:
        _ISOFORMATTED.clear()
    _ISOFORMATTED[id(moment)] = (moment, text)
    return text


def _item_type(cls: Any) -> Any:
    """The declared item type of ``frozenset[X]`` (``Any`` if none is declared)."""
    args: tuple[Any, ...] = getattr(cls, "__args__", ())
    return args[0] if args else Any


def _sorted_list(unstructure: Callable[[Any], Any]) -> Callable[[frozenset[Any]], list[Any]]:
    """A hook storing a set as the sorted list of its items, each unstructured as its declared
    type (so a set of sets is a sorted list of sorted lists)."""
    return lambda value: sorted(map(unstructure, value))


@attrs.frozen
class EncodedEvent:
    """An event as stored: its type name, schema version and JSON-ready fields."""

    type: str
    version: int
    data: dict[str, Any]

    def to_json(self) -> str:
        """The fields as stored: :func:`compact_json`, in the event class's field order."""
        return compact_json(self.data)


class EventCodec:
    """Encodes events for storage and decodes them, upcasting old schema versions.

    Args:
        registry: the event types this codec knows; the library's own by default.
        converter: a converter from :func:`make_converter`, if you need to add hooks.
    """

    def __init__(
        self, registry: EventRegistry = EVENTS, converter: cattrs.Converter | None = None
    ) -> None:
        self.registry = registry
        self.converter = converter if converter is not None else make_converter()

    def encode(self, event: Event) -> EncodedEvent:
        """The stored form of ``event``."""
        return EncodedEvent(event.type_name, event.schema_version, self.fields(event))

    def fields(self, event: Event) -> dict[str, Any]:
        """The fields of ``event``, JSON-ready: the ``data`` of :meth:`encode`, alone."""
        data: dict[str, Any] = self.converter.unstructure(event, type(event))
        return data

    def decode(self, type_name: str, version: int, data: Mapping[str, Any]) -> Event:
        """The event stored as ``type_name`` at schema ``version`` with fields ``data``.

        Raises:
            DecodeError: the type is not a string or is unknown, the version is not an integer
                of 1 or more or is newer than the code, or the fields are not a mapping or do
                not fit the class.
        """
        type_name, version = _check_header(type_name, version)
        cls = self.registry.get(type_name)
        if cls is None:
            raise DecodeError(type_name, version, "no event type of that name is registered")
        if version > cls.schema_version:
            raise DecodeError(
                type_name,
                version,
                f"stored by a newer schema than this code knows ({cls.schema_version})",
            )
        if not isinstance(data, Mapping):
            detail = f"the stored fields are a {type(data).__name__}, not a mapping"
            raise DecodeError(type_name, version, detail)
        try:
            fields = self.registry.upcast(type_name, version, dict(data))
            event: Event = self.converter.structure(fields, cls)
        except DecodeError:
            raise
        except Exception as exc:  # cattrs raises many kinds; all mean "does not fit"
            problems = cattrs.transform_error(exc, format_exception=_describe)
            raise DecodeError(type_name, version, "; ".join(problems)) from exc
        return event

    def dumps(self, event: Event) -> str:
        """``event`` as one JSON document with its type and version."""
        encoded = self.encode(event)
        return json.dumps(
            {"type": encoded.type, "version": encoded.version, "data": encoded.data},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def loads(self, text: str) -> Event:
        """The event in a document written by :meth:`dumps`.

        Raises:
            DecodeError: the document is not one, or its type, version or fields are not what
                :meth:`decode` accepts.
        """
        try:
            document = json.loads(text)
            type_name, version, data = document["type"], document["version"], document["data"]
        except (ValueError, KeyError, TypeError) as exc:
            raise DecodeError("?", 0, f"not an encoded event: {exc}") from exc
        return self.decode(type_name, version, data)
