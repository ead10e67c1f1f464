"""Checks that an argument is of the library's own kind, for the commands and records that
take one: a clear :class:`~communitygov.WrongType` instead of a failure deep inside."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

import attrs

from communitygov.errors import DuplicateId, EmptyField, UnstorableText, WrongType

__all__ = [
    "INVISIBLE",
    "collected",
    "declared_types",
    "member_of",
    "require_date",
    "require_instance",
    "require_items",
    "require_text",
    "require_text_list",
    "require_text_set",
    "shows_something",
    "storable_text",
]

T = TypeVar("T")
C = TypeVar("C")


def require_instance(value: Any, cls: type[T], field: str) -> T:
    """``value``, once it is known to be a ``cls``.

    Raises:
        WrongType: it is not; for an enum the error lists the members.
    """
    if not isinstance(value, cls):
        raise WrongType(field, value, _expected(cls))
    return value


INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
"""Characters that show nothing (or only shape or move what follows), as the inside of a
regular expression's character class: Unicode's Default_Ignorable_Code_Point, among them
the soft hyphen, zero-width spaces and joiners, direction marks (the Arabic letter mark too),
the word joiner, the Hangul fillers, variation selectors, tags and the byte-order mark. Text
pasted from a web page or a chat often carries them."""

_SHOWS_NOTHING = re.compile(f"[\\s{INVISIBLE}]*")
"""A text of white space and :data:`INVISIBLE` characters only."""


def shows_something(text: str) -> bool:
    """Whether ``text`` holds more than white space and :data:`INVISIBLE` characters."""
    if text.isascii():
        return bool(text.strip())
    return _SHOWS_NOTHING.fullmatch(text) is None


def require_text(value: Any, field: str, *, blank: bool = False) -> str:
    """``value``, once it is known to be a text, and one that shows something (more than
    white space and :data:`INVISIBLE` characters) unless ``blank``.

    Raises:
        WrongType: it is not a text (``None`` included).
        EmptyField: it shows nothing, and ``blank`` is false.
        UnstorableText: it holds a NUL or a lone surrogate, which no store keeps.
    """
    if not isinstance(value, str):
        raise WrongType(field, value, "a text")
    if not blank and not shows_something(value):
        raise EmptyField(field)
    if not storable_text(value):
        raise UnstorableText(field, value)
    return value


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""A NUL, or a surrogate code point: UTF-8 encodes none, alone or beside another (a character
beyond U+FFFF is one code point in a Python text, never a pair)."""


def storable_text(text: str) -> bool:
    """Whether every store can keep ``text``: it holds no lone surrogate (no UTF-8 text can)
    and no NUL (no PostgreSQL text can)."""
    if text.isascii():
        return "\x00" not in text
    return _UNSTORABLE.search(text) is None  # a third of the time of encoding it to look


def require_date(value: Any, field: str) -> date:
    """``value``, once it is known to be a day: a ``date``, not a ``datetime`` (whose day
    depends on the zone it is told in).

    Raises:
        WrongType: anything else.
    """
    if not isinstance(value, date) or isinstance(value, datetime):
        raise WrongType(field, value, "a date (a datetime.date, not a datetime)")
    return value


def require_items(values: Any, cls: type[T], field: str) -> tuple[T, ...]:
    """``values`` as a tuple, once it is known to be an iterable (not a text) of ``cls``.

    Raises:
        WrongType: it is a text or not iterable, or an item is not a ``cls``.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise WrongType(field, values, f"a list whose items are each {_expected(cls)}")
    items = tuple(values)
    for item in items:
        require_instance(item, cls, f"an item of {field}")
    return items


def require_text_list(values: Any, field: str) -> tuple[str, ...]:
    """``values`` as a tuple, once it is known to be an iterable (not a text) of texts with
    more than white space.

    Raises:
        WrongType: it is a text or not iterable, or an item is not a text.
        EmptyField: an item is empty or white space.
    """
    return tuple(
        require_text(item, f"an item of {field}") for item in require_items(values, str, field)
    )


def require_text_set(values: Any, field: str, kind: str) -> frozenset[str]:
    """``values`` as a set, once it is known to be an iterable (not a text) of texts with
    more than white space, none given twice (each names one ``kind``, a person present, say).

    Raises:
        WrongType: it is a text or not iterable, or an item is not a text.
        EmptyField: an item is empty or white space.
        DuplicateId: an item is given twice.
    """
    seen: set[str] = set()
    for item in require_text_list(values, field):
        if item in seen:
            raise DuplicateId(kind, item, "is named twice")
        seen.add(item)
    return frozenset(seen)


def declared_types(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """An ``attrs`` field transformer (``@attrs.frozen(field_transformer=declared_types)``):
    every field without a validator of its own checks, at construction, that its value (once
    converted) is of its declared type, so that a record handed in with a text where a
    choice belongs, ``None`` for a text or a datetime for a day is a :class:`WrongType` at
    once, and never a failure when it is stored or a different value once read back.

    Checked: ``str``, ``int`` (not ``bool``), ``float`` (an ``int`` too), ``bool``,
    ``date`` (not ``datetime``), ``datetime``, enums and other classes, runtime-checkable
    protocols (by their members), ``X | None``, ``tuple[X, ...]`` and ``frozenset[X]`` item
    by item, and ``tuple[X, Y]`` place by place; anything else (``Any``, a protocol that is
    not runtime-checkable, ``Sequence[X]``, ``Mapping[K, V]``) is taken as it is. The types
    are those of the class the transformer is applied to, resolved at the first
    construction. Fields the class sets itself (``init=False``) are not checked.
    """
    return [
        field
        if field.validator is not None or not field.init
        else field.evolve(validator=_DeclaredType(cls))
        for field in fields
    ]


def collected(collection: Callable[[Iterable[Any]], C], value: Any) -> C:
    """For an ``attrs`` converter: ``value`` made into ``collection`` if it is an iterable
    other than a text (a list given for a ``frozenset`` field, say). A text, or anything not
    iterable, is handed on as it is for the field's check to refuse, rather than split into
    its letters or failing with a ``TypeError``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return typing.cast(C, value)
    return collection(value)


class _DeclaredType:
    """A validator checking a value against its field's type as ``owner`` declares it,
    resolved (from its annotations) at its first use."""

    __slots__ = ("_check", "_expected", "_owner")

    def __init__(self, owner: type) -> None:
        self._owner = owner
        self._check: Callable[[Any], bool] | None = None
        self._expected = ""

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        check = self._check
        if check is None:
            declared = typing.get_type_hints(self._owner)[attribute.name]
            check, self._expected = _checker(declared), _described(declared)
            self._check = check
        if not check(value):
            raise WrongType(attribute.name, value, self._expected)


def _checker(declared: Any) -> Callable[[Any], bool]:
    """Whether a value is of the type ``declared``."""
    origin, args = typing.get_origin(declared), typing.get_args(declared)
    if origin in (typing.Union, types.UnionType):
        alternatives = [_checker(arg) for arg in args]
        return lambda value: any(check(value) for check in alternatives)
    if origin in (tuple, frozenset) and args and (len(args) == 1 or args[1] is Ellipsis):
        item = _checker(args[0])
        return lambda value: isinstance(value, origin) and all(map(item, value))
    if origin is tuple and args:
        places = [_checker(arg) for arg in args]
        return lambda value: (
            isinstance(value, tuple)
            and len(value) == len(places)
            and all(check(each) for check, each in zip(places, value, strict=True))
        )
    if declared is type(None):
        return lambda value: value is None
    if declared is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if declared is float:
        return lambda value: isinstance(value, (int, float)) and not isinstance(value, bool)
    if declared is date:
        return lambda value: isinstance(value, date) and not isinstance(value, datetime)
    if getattr(declared, "_is_runtime_protocol", False):
        return lambda value: isinstance(value, declared)  # has the protocol's members
    if declared is Any or getattr(declared, "_is_protocol", False):
        return lambda value: True  # no class to check against
    if isinstance(declared, type):
        return lambda value: isinstance(value, declared)
    return lambda value: True


def _described(declared: Any) -> str:
    """``declared`` in words, for the error."""
    origin, args = typing.get_origin(declared), typing.get_args(declared)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_described(arg) for arg in args)
    if origin in (tuple, frozenset) and args and (len(args) == 1 or args[1] is Ellipsis):
        return f"a {origin.__name__} whose items are each {_described(args[0])}"
    if origin is tuple and args:
        return f"a tuple of ({', '.join(_described(arg) for arg in args)})"
    if declared is type(None):
        return "None"
    if declared is str:
        return "a text"
    if declared is date:
        return "a date (a datetime.date, not a datetime)"
    if isinstance(declared, type):
        return _expected(declared)
    return str(declared)


def member_of(kind: type[Enum]) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """An ``attrs`` validator: the field holds a member of ``kind``.

    Raises:
        WrongType: at construction, for anything else (its value as text included).
    """
    expected = _expected(kind)

    def validate(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, kind):
            raise WrongType(attribute.name, value, expected)

    return validate


def _expected(cls: type) -> str:
    if cls is str:
        return "a text"
    name = cls.__name__
    article = "an" if name[0].lower() in "aeiou" else "a"
    if issubclass(cls, Enum):
        members = ", ".join(f"{name}.{member.name}" for member in cls)
        return f"{article} {name} ({members})"
    return f"{article} {name}"
