"""``declared_types``: a record checks each field against the type its class declares."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

import attrs
import pytest

import communitygov as cg
from communitygov.kernel.checks import declared_types

if TYPE_CHECKING:
    from decimal import Decimal  # resolvable only by a type checker


class _Greets(Protocol):
    def greet(self) -> str: ...


@attrs.frozen(field_transformer=declared_types)
class _Record:
    text: str
    count: int
    ratio: float
    day: date
    moment: datetime
    choice: cg.Choice
    names: tuple[str, ...]
    maybe: int | None
    anything: Any
    greeter: _Greets


def _record(**changes: object) -> _Record:
    fields: dict[str, object] = {
        "text": "t",
        "count": 1,
        "ratio": 0.5,
        "day": date(2026, 1, 1),
        "moment": datetime(2026, 1, 1, tzinfo=UTC),
        "choice": cg.Choice.YES,
        "names": ("a",),
        "maybe": None,
        "anything": object(),
        "greeter": object(),
    }
    return _Record(**{**fields, **changes})  # type: ignore[arg-type]


def test_values_of_their_declared_types_are_taken() -> None:
    assert _record().text == "t"
    assert _record(ratio=2).ratio == 2  # a whole number is a number too
    assert _record(maybe=3).maybe == 3


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("text", None, "a text"),
        ("count", True, "an int"),
        ("count", 1.5, "an int"),
        ("ratio", "0.5", "a float"),
        ("day", datetime(2026, 1, 1, tzinfo=UTC), "a date (a datetime.date, not a datetime)"),
        ("moment", date(2026, 1, 1), "a datetime"),
        ("choice", "yes", "a Choice (Choice.YES"),
        ("names", ("a", 1), "a tuple whose items are each a text"),
        ("names", ["a"], "a tuple whose items are each a text"),
        ("maybe", "3", "an int or None"),
    ],
)
def test_a_value_of_another_type_is_wrong_type(field: str, value: object, expected: str) -> None:
    with pytest.raises(cg.WrongType) as refused:
        _record(**{field: value})
    assert (refused.value.field, refused.value.value) == (field, value)
    assert refused.value.expected.startswith(expected)


@attrs.frozen
class _Extended(_Record):
    """A subclass adding a field whose type only a type checker resolves."""

    price: Decimal | None = None


def test_a_subclass_keeps_the_checks_of_its_base_whatever_it_declares() -> None:
    base = _record()
    extended = _Extended(**attrs.asdict(base, recurse=False))
    assert extended.text == "t"
    with pytest.raises(cg.WrongType):
        _Extended(**{**attrs.asdict(base, recurse=False), "count": "1"})
