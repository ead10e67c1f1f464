"""Checks that an argument is of the library's own kind, for the commands and records that
take one: a clear :class:`~communitygov.WrongType` instead of a failure deep inside."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import attrs

from communitygov.errors import WrongType

__all__ = ["member_of", "require_instance"]

T = TypeVar("T")


def require_instance(value: Any, cls: type[T], field: str) -> T:
    """``value``, once it is known to be a ``cls``.

    Raises:
        WrongType: it is not; for an enum the error lists the members.
    """
    if not isinstance(value, cls):
        raise WrongType(field, value, _expected(cls))
    return value


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
    name = cls.__name__
    article = "an" if name[0] in "AEIOU" else "a"
    if issubclass(cls, Enum):
        members = ", ".join(f"{name}.{member.name}" for member in cls)
        return f"{article} {name} ({members})"
    return f"{article} {name}"
