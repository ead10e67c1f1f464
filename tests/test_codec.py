"""The event codec: every registered event round-trips; bad stored data fails with DecodeError.

The round-trip tests iterate :data:`communitygov.EVENTS`, so an event type added anywhere in
the library is covered without touching this file.
"""

from __future__ import annotations

import enum
import json
import typing
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import cattrs
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

import communitygov as cg
from communitygov import (
    EVENTS,
    CommunityGovError,
    DecodeError,
    DefinitionError,
    Event,
    EventCodec,
    EventRegistry,
    Matter,
    event_type,
)
from communitygov.kernel.codec import make_converter
from communitygov.matters.events import DeliberationHeld, MatterRaised, ObjectionRuled
from communitygov.matters.records import Choice, Outcome, Vote
from communitygov.organisation.bodies import BodyKind
from communitygov.testing import strategies as cgst
from support import raised

CODEC = EventCodec()
SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2025, 9, 26, 10, 30, tzinfo=SHANGHAI)
EVENT_TYPES = sorted(EVENTS, key=lambda cls: cls.type_name)


def hints(event_class: type[Event]) -> dict[str, Any]:
    """The resolved annotations of the class's init fields, by stored name."""
    resolved = typing.get_type_hints(event_class)
    return {field.name: resolved[field.name] for field in attrs.fields(event_class) if field.init}


def is_frozenset(annotation: Any) -> bool:
    return typing.get_origin(annotation) is frozenset


# One event of every registered type in each example: a type added to the registry anywhere
# in the library is covered by every run, without touching this file.
one_of_each = st.tuples(*(cgst.events_of(cls) for cls in EVENT_TYPES))


# --- the registry ------------------------------------------------------------------------


def test_the_registry_holds_the_library_events() -> None:
    names = [cls.type_name for cls in EVENTS]
    assert len(names) == len(set(names)) == len(EVENTS)
    assert {"matter.raised", "matter.deliberation_held", "community.registered"} <= set(names)
    for cls in EVENTS:
        assert cls.schema_version >= 1
        assert EVENTS.get(cls.type_name) is cls
        assert issubclass(cls, Event)


# --- round trips -------------------------------------------------------------------------


@given(one_of_each)
def test_every_event_round_trips_deterministically(events: tuple[Event, ...]) -> None:
    assert {type(event) for event in events} == set(EVENTS)
    for event in events:
        note(f"event: {event!r}")
        encoded = CODEC.encode(event)
        assert (encoded.type, encoded.version) == (event.type_name, event.schema_version)
        assert json.loads(encoded.to_json()) == encoded.data  # JSON-ready as it is
        assert CODEC.decode(encoded.type, encoded.version, encoded.data) == event
        text = CODEC.dumps(event)
        assert CODEC.loads(text) == event
        # Decoding and encoding again gives the very same document (hash chains rely on it).
        assert CODEC.dumps(CODEC.loads(text)) == text

        # Sets are stored sorted, so the same sets built in another order give the same bytes.
        sets = [name for name, annotation in hints(type(event)).items() if is_frozenset(annotation)]
        for name in sets:  # a field added later is left out while it is empty
            assert encoded.data.get(name, []) == sorted(encoded.data.get(name, []))
        rebuilt = attrs.evolve(
            event,
            **{
                name: frozenset(sorted(getattr(event, name), key=repr, reverse=True))
                for name in sets
            },
        )
        assert CODEC.encode(rebuilt).to_json() == encoded.to_json()
        assert CODEC.dumps(rebuilt) == text


def test_frozensets_are_stored_as_sorted_lists() -> None:
    event = ObjectionRuled(
        at=AT,
        objection_id="x1",
        upheld=False,
        ruling="不成立",
        ruled_by=frozenset(["p37", "p36", "p38"]),
        place="公示栏",
    )
    assert CODEC.encode(event).data["ruled_by"] == ["p36", "p37", "p38"]
    held = DeliberationHeld(
        at=AT,
        step="resolve",
        body=BodyKind.REPRESENTATIVES_ASSEMBLY,
        members=frozenset(["c", "a", "b"]),
        expected=frozenset(["b", "a"]),
        present=frozenset(["b"]),
        votes=(Vote("b", Choice.YES),),
        outcome=Outcome.ADOPTED,
        plan_version=1,
    )
    data = CODEC.encode(held).data
    assert (data["members"], data["expected"], data["present"]) == (
        ["a", "b", "c"],
        ["a", "b"],
        ["b"],
    )
    assert data["at"] == "2025-09-26T10:30:00+08:00"


# --- what cannot be decoded --------------------------------------------------------------


@given(name=st.text(min_size=1, max_size=30).filter(lambda name: name not in EVENTS))
def test_an_unknown_type_name_is_refused_by_name(name: str) -> None:
    with pytest.raises(DecodeError) as caught:
        CODEC.decode(name, 1, {"at": AT.isoformat()})
    assert caught.value.event_type == name
    assert repr(name) in str(caught.value)
    document = json.dumps({"type": name, "version": 1, "data": {}})
    with pytest.raises(DecodeError, match="no event type"):
        CODEC.loads(document)


# A value of the wrong shape for each kind of annotation; each is refused by the converter.
POISON: dict[Any, Any] = {
    datetime: "the day after tomorrow",
    date: "someday",
    int: "many",
}


def poison_for(annotation: Any) -> Any:
    """A stored value that cannot be turned into ``annotation``, or ``None`` if unsure."""
    if annotation in POISON:
        return POISON[annotation]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "no such member"
    if isinstance(annotation, type) and attrs.has(annotation):
        return 17  # not a mapping
    if typing.get_origin(annotation) in (frozenset, tuple):
        return 17  # not iterable
    return None


def refused(type_name: str, version: int, stored: Any) -> DecodeError:
    """The DecodeError ``CODEC.decode`` raises for ``stored``: a library error, never cattrs'."""
    with pytest.raises(CommunityGovError) as caught:
        CODEC.decode(type_name, version, stored)
    error = caught.value
    assert isinstance(error, DecodeError), error
    assert not isinstance(error, cattrs.BaseValidationError)
    assert (error.event_type, error.version) == (type_name, version)
    return error


# Each example checks every event type five ways, and what matters is the shape of the stored
# data, not its content: a sixth of the profile's examples is plenty.
@settings(max_examples=max(10, settings.default.max_examples // 6))
@given(events=one_of_each, data=st.data())
def test_stored_data_that_does_not_fit_is_refused(
    events: tuple[Event, ...], data: st.DataObject
) -> None:
    for event in events:
        event_class = type(event)
        name, version, stored = (encoded := CODEC.encode(event)).type, encoded.version, encoded.data
        hinted = hints(event_class)

        # Stored by a newer schema than the code knows.
        ahead = data.draw(st.integers(1, 1000), label=f"{name}: versions ahead")
        assert "newer schema" in str(refused(name, version + ahead, stored))

        # A required field missing; a field of the wrong shape; not a mapping at all.
        required = [
            f.name for f in attrs.fields(event_class) if f.init and f.default is attrs.NOTHING
        ]
        missing = data.draw(st.sampled_from(required), label=f"{name}: missing")
        refused(name, version, {key: value for key, value in stored.items() if key != missing})
        poisons = {key: poison_for(annotation) for key, annotation in hinted.items()}
        broken = data.draw(
            st.sampled_from(sorted(k for k, v in poisons.items() if v is not None)),
            label=f"{name}: malformed",
        )
        refused(name, version, {**stored, broken: poisons[broken]})
        refused(name, version, [stored])

        # A naive datetime: stored times must carry their offset.
        times = [key for key, annotation in hinted.items() if annotation is datetime]
        key = data.draw(st.sampled_from(times), label=f"{name}: naive")
        naive = getattr(event, key).replace(tzinfo=None).isoformat()
        assert "no timezone" in str(refused(name, version, {**stored, key: naive}))


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[]", '{"type": "matter.closed"}', '{"type": 1, "version": 1}', "null"],
)
def test_documents_that_are_not_encoded_events_are_refused(text: str) -> None:
    with pytest.raises(DecodeError):
        CODEC.loads(text)


@pytest.mark.parametrize(
    ("type_name", "version"),
    [
        ("matter.closed", "1"),
        ("matter.closed", None),
        ("matter.closed", True),
        ("matter.closed", 0),
        ("matter.closed", -1),
        ("matter.closed", 1.0),
        (["matter.closed"], 1),
        (None, 1),
        (1, 1),
    ],
)
def test_a_stored_type_or_version_of_the_wrong_kind_is_refused(
    type_name: object, version: object
) -> None:
    document = json.dumps({"type": type_name, "version": version, "data": {"at": AT.isoformat()}})
    with pytest.raises(CommunityGovError) as loaded:
        CODEC.loads(document)
    assert isinstance(loaded.value, DecodeError), loaded.value
    with pytest.raises(CommunityGovError) as decoded:
        CODEC.decode(type_name, version, {"at": AT.isoformat()})  # type: ignore[arg-type]
    assert isinstance(decoded.value, DecodeError), decoded.value
    assert str(decoded.value) == str(loaded.value)
    assert repr(version if isinstance(type_name, str) else type_name) in str(decoded.value)


def test_stored_fields_that_are_not_a_mapping_are_refused() -> None:
    pairs = [["at", AT.isoformat()]]  # dict() would take it; a stored event never looks so
    with pytest.raises(DecodeError, match="not a mapping"):
        CODEC.decode("matter.closed", 1, pairs)  # type: ignore[arg-type]
    with pytest.raises(DecodeError, match="not a mapping"):
        CODEC.loads(json.dumps({"type": "matter.closed", "version": 1, "data": pairs}))


def test_a_naive_stored_time_is_described_plainly() -> None:
    with pytest.raises(DecodeError) as caught:
        CODEC.decode("matter.closed", 1, {"at": "2025-09-26T10:30:00"})
    detail = caught.value.detail
    assert "2025-09-26T10:30:00 has no timezone" in detail
    assert detail.endswith("@ $.at")
    assert "unknown error" not in detail
    assert "tzinfo=" not in detail  # advice for callers, not for stored data


# --- upcasting ---------------------------------------------------------------------------


def test_an_upcaster_lifts_an_old_payload_on_an_extended_registry() -> None:
    registry = EVENTS.extended()

    @event_type("test.notice_posted", version=2, registry=registry)
    @attrs.frozen(kw_only=True)
    class NoticePosted(Event):
        """Version 2 renamed ``where`` to ``place`` and added ``copies``."""

        place: str
        copies: int

    @registry.upcaster("test.notice_posted", 1)
    def v1_to_v2(stored: dict[str, Any]) -> dict[str, Any]:
        lifted = {key: value for key, value in stored.items() if key != "where"}
        return {**lifted, "place": stored["where"], "copies": 1}

    codec = EventCodec(registry)
    old = {"at": AT.isoformat(), "where": "公示栏"}
    assert codec.decode("test.notice_posted", 1, old) == NoticePosted(
        at=AT, place="公示栏", copies=1
    )
    current = NoticePosted(at=AT, place="楼道", copies=3)
    assert codec.loads(codec.dumps(current)) == current  # version 2 is not upcast again
    assert json.loads(codec.dumps(current))["version"] == 2
    # The library's own registry never learnt the test event.
    assert "test.notice_posted" not in EVENTS
    with pytest.raises(DecodeError, match="no event type"):
        CODEC.decode("test.notice_posted", 1, old)
    # An old payload the upcaster cannot read is a DecodeError too, not a KeyError.
    with pytest.raises(DecodeError):
        codec.decode("test.notice_posted", 1, {"at": AT.isoformat()})


def test_an_extended_registry_does_not_change_the_library_registry() -> None:
    ruled = ObjectionRuled(
        at=AT,
        objection_id="x1",
        upheld=True,
        ruling="成立",
        ruled_by=frozenset({"p1"}),
        place="栏",
    )
    before = CODEC.encode(ruled)
    copy = EVENTS.extended()
    # A registered class keeps its type name and schema version, in every registry.
    with pytest.raises(DefinitionError, match="already registered"):
        copy.register(ObjectionRuled, ObjectionRuled.type_name, ObjectionRuled.schema_version + 1)
    with pytest.raises(DefinitionError, match="already registered"):
        copy.register(ObjectionRuled, "test.objection_ruled", ObjectionRuled.schema_version)
    with pytest.raises(DefinitionError, match="already registered"):
        EVENTS.register(ObjectionRuled, ObjectionRuled.type_name, ObjectionRuled.schema_version + 1)
    assert (ObjectionRuled.type_name, ObjectionRuled.schema_version) == (
        before.type,
        before.version,
    )
    assert "test.objection_ruled" not in copy
    assert CODEC.encode(CODEC.decode(before.type, before.version, before.data)) == before
    assert EventCodec(copy).encode(ruled) == before
    # Registering it again as it is changes nothing, here or in the copy.
    assert EVENTS.register(ObjectionRuled, before.type, before.version) is ObjectionRuled
    assert copy.register(ObjectionRuled, before.type, before.version) is ObjectionRuled
    assert EVENTS.get(before.type) is copy.get(before.type) is ObjectionRuled
    assert len(copy) == len(EVENTS)
    assert CODEC.encode(ruled) == before


def test_a_class_registered_in_one_registry_keeps_its_name_in_another() -> None:
    first, second = EventRegistry(), EventRegistry()

    @event_type("test.first", version=2, registry=first)
    @attrs.frozen(kw_only=True)
    class Noticed(Event):
        place: str

    assert second.register(Noticed, "test.first", 2) is Noticed  # the same name and version
    with pytest.raises(DefinitionError, match=r"'test\.first' version 2"):
        second.register(Noticed, "test.second", 2)
    with pytest.raises(DefinitionError):
        event_type("test.first", version=3, registry=EventRegistry())(Noticed)
    assert (Noticed.type_name, Noticed.schema_version) == ("test.first", 2)
    assert "test.second" not in second

    # A subclass is a class of its own: it may be registered under a name of its own.
    @event_type("test.first_subclass", registry=second)
    @attrs.frozen(kw_only=True)
    class Subclass(Noticed):
        copies: int

    assert (Subclass.type_name, Subclass.schema_version) == ("test.first_subclass", 1)
    assert (Noticed.type_name, Noticed.schema_version) == ("test.first", 2)


CHAINED = EVENTS.extended()


@event_type("test.chained", version=3, registry=CHAINED)
@attrs.frozen(kw_only=True)
class Chained(Event):
    """Version 2 added ``copies``; version 3 changed nothing stored (so it has no upcaster)."""

    place: str
    copies: int


CHAINED.upcaster("test.chained", 1)(lambda stored: {**stored, "copies": 1})
CHAINED.upcaster("test.chained", 3)(lambda stored: {"broken": True})  # never reached


@given(place=st.text(max_size=20), copies=st.integers(0, 100))
def test_upcasters_chain_through_every_version(place: str, copies: int) -> None:
    codec = EventCodec(CHAINED)
    stored = {"at": AT.isoformat(), "place": place}
    assert codec.decode("test.chained", 1, stored) == Chained(at=AT, place=place, copies=1)
    # From version 2 nothing needs lifting: the stored fields pass through to version 3.
    lifted = codec.decode("test.chained", 2, {**stored, "copies": copies})
    assert lifted == Chained(at=AT, place=place, copies=copies)
    assert codec.loads(codec.dumps(lifted)) == lifted
    assert "test.chained" not in EVENTS


def test_a_set_of_sets_is_stored_as_sorted_lists_of_sorted_lists() -> None:
    # Declared near relatives are a set of pairs; their stored text must not depend on the
    # process's string hashing.
    pairs = frozenset(frozenset({f"b{n}", f"a{n}"}) for n in range(20))
    stored = make_converter().unstructure(pairs, frozenset[frozenset[str]])
    assert stored == [[f"a{n}", f"b{n}"] for n in sorted(range(20), key=str)]


def test_a_matter_raised_before_matters_named_what_they_concern_concerns_nothing() -> None:
    # matter.raised version 2 added ``concerns``; a version-1 record has no such field.
    codec = EventCodec()
    encoded = codec.encode(raised(concerns="plan1").events[0])
    assert (encoded.type, encoded.version) == ("matter.raised", 2)
    assert encoded.data["concerns"] == "plan1"
    older = {key: value for key, value in encoded.data.items() if key != "concerns"}
    event = codec.decode("matter.raised", 1, older)
    assert isinstance(event, MatterRaised)
    assert event.concerns is None  # raised before matters named what they concern
    assert Matter.replay([event]).concerns is None


@settings(max_examples=max(10, settings().max_examples // 5), deadline=None)
@given(
    record=st.one_of(
        cgst.matters(max_steps=12),
        cgst.plans(max_steps=6),
        cgst.funds(max_steps=6),
        cgst.communities(),
    )
)
def test_every_record_becomes_json_through_the_public_converter(record: object) -> None:
    # What a web handler does with a record: every aggregate becomes plain JSON data, a
    # matter's procedure naming its calendar.
    data = make_converter().unstructure(record)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    if isinstance(record, cg.Matter):
        assert data["procedure"]["calendar"] == record.procedure.calendar.name


def test_a_feed_item_carries_its_event_s_fields_and_type_name() -> None:
    gov = cg.Governance(cg.MemoryStore())
    community, events = cgst.fund_records()[0]
    gov.create((community, events))
    converter = make_converter()
    for item in gov.feed(community.id):
        data = converter.unstructure(item)
        assert data["event"] == {
            "type": item.event.type_name,
            **converter.unstructure(item.event),
        }
        assert len(data["event"]) > 2  # the fields themselves, not only the time
        assert json.loads(json.dumps(data, ensure_ascii=False)) == data
