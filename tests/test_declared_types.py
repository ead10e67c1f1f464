"""``declared_types``: a record checks each field against the type its class declares."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs
import pytest

import communitygov as cg
from communitygov.kernel.checks import collected, declared_types

if TYPE_CHECKING:
    from decimal import Decimal  # resolvable only by a type checker


class _Greets(Protocol):
    def greet(self) -> str: ...


@runtime_checkable
class _Named(Protocol):
    @property
    def name(self) -> str: ...


@attrs.frozen
class _Person:
    name: str = "p"


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
    named: _Named = _Person()
    span: tuple[int, str] = (1, "a")
    tags: frozenset[str] = attrs.field(
        default=frozenset(), converter=lambda v: collected(frozenset, v)
    )
    derived: int = attrs.field(init=False, default="set by the class")


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
    assert _record(tags=["a", "b"]).tags == frozenset({"a", "b"})  # any iterable but a text
    assert _record(span=(2, "b")).span == (2, "b")


def test_fields_the_class_sets_itself_are_not_checked() -> None:
    assert _record().derived == "set by the class"


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
        ("named", object(), "a _Named"),
        ("span", (1,), "a tuple of (an int, a text)"),
        ("span", (1, 2), "a tuple of (an int, a text)"),
        ("span", (1, "a", "b"), "a tuple of (an int, a text)"),
        ("tags", "ab", "a frozenset whose items are each a text"),  # not split into letters
        ("tags", None, "a frozenset whose items are each a text"),
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
    given = attrs.asdict(_record(), recurse=False, filter=lambda field, _: field.init)
    extended = _Extended(**given)
    assert extended.text == "t"
    with pytest.raises(cg.WrongType):
        _Extended(**{**given, "count": "1"})


@pytest.mark.parametrize("text", ["电梯\x00", "\x00", "title\ud800", "\udfff楼"])
def test_a_command_refuses_a_text_no_store_keeps(text: str) -> None:
    # Refused by the command, as bad input, not later by the store as a storage error.
    from support import community

    for field in ("title", "description"):
        arguments: dict[str, Any] = {
            "community": community(),
            "procedure": cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
            "title": "加装电梯",
            "description": "7号楼",
            "source": cg.MotionSource.RESIDENTS,
            "raised_by": "pc0",
            "at": datetime(2026, 1, 1, tzinfo=UTC),
        }
        with pytest.raises(cg.UnstorableText) as refused:
            cg.Matter.raise_matter("m1", **{**arguments, field: text})
        assert (refused.value.field, refused.value.value) == (field, text)
        assert isinstance(refused.value, cg.CommandRejected)


@pytest.mark.parametrize("render", [cg.render_text, cg.render_markdown, cg.render_html])
@pytest.mark.parametrize("notice", [None, "公告", 3])
def test_a_renderer_given_something_else_than_a_notice_says_so(render: Any, notice: object) -> None:
    # It was a bare AttributeError from deep inside the layout.
    with pytest.raises(cg.WrongType) as refused:
        render(notice)
    assert (refused.value.field, refused.value.value) == ("notice", notice)


@pytest.mark.parametrize("aggregate", [cg.Matter, cg.AssistancePlan, cg.Fund, cg.Community])
def test_replaying_something_else_than_events_says_so(aggregate: Any) -> None:
    with pytest.raises(cg.WrongType) as refused:
        aggregate.replay([1, 2])
    assert (refused.value.field, refused.value.value) == ("event", 1)
    community, events = cg.Community.register("c", "社区", at=datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(cg.WrongType) as later:
        cg.Community.replay([*events, "registered"])
    assert later.value.value == "registered"
    assert cg.Community.replay(events) == community
