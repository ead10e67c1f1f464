"""The facade's quick paths store exactly what the plain cattrs path stores, and read it back.

Saving encodes events and snapshots with the converter's faster hooks and one reused JSON
encoder, builds a snapshot from the fields of the events it has just encoded (an aggregate
keeps some of its events), and chains hashes over each event's time as the fields already
hold it (the SQL stores keep that same text); loading
thaws snapshots with a faster converter. Each test here sets one of those beside the plain
computation: ``json.dumps`` of what a converter of cattrs' own hooks makes (with the library's
datetime, date, fraction and set rules), and :func:`~communitygov.storage.integrity.chain_hash`
over ``at.isoformat()``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from fractions import Fraction
from typing import Any

import attrs
import cattrs
import pytest
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter as make_json_converter
from hypothesis import given, note, settings
from hypothesis import strategies as st

import communitygov as cg
from communitygov.kernel.codec import compact_json, converted_json, make_fast_converter
from communitygov.kernel.events import ADDED_LATER
from communitygov.matters.events import DeliberationHeld, MatterRaised
from communitygov.organisation.events import MembershipStarted
from communitygov.snapshots import SHAPE_KEY, shape_of
from communitygov.storage.integrity import GENESIS, chain_hash, chain_hash_formatted
from communitygov.testing import assistance_strategies as cgas
from communitygov.testing import strategies as cgst
from support import START, advance, community, raised, tracked_at, tracked_community

EVENT_TYPES = sorted(cg.EVENTS, key=lambda cls: cls.type_name)
one_of_each = st.tuples(*(cgst.events_of(cls) for cls in EVENT_TYPES))


def plain_converter() -> cattrs.Converter:
    """A converter with cattrs' own hooks and the library's storage rules, nothing quicker."""
    converter = make_json_converter()
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook(Fraction, str)
    converter.register_unstructure_hook_factory(
        lambda cls: getattr(cls, "__origin__", None) is frozenset,
        lambda cls: (
            lambda value: sorted(converter.unstructure(item, cls.__args__[0]) for item in value)
        ),
    )
    converter.register_unstructure_hook(
        cg.Procedure,
        lambda procedure: {"name": procedure.name, "calendar": procedure.calendar.name},
    )
    # A field added in a later schema is left out while it holds its default.
    for record in (DeliberationHeld, MembershipStarted, cg.Membership):
        later_fields = [f.name for f in attrs.fields(record) if ADDED_LATER in f.metadata]
        assert later_fields, record
        converter.register_unstructure_hook(
            record,
            make_dict_unstructure_fn(
                record,
                converter,
                **{name: override(omit_if_default=True) for name in later_fields},  # type: ignore[arg-type]
            ),
        )
    return converter


PLAIN = plain_converter()


def plain_json(value: Any) -> str:
    """What the plain path stores for ``value``."""
    data = PLAIN.unstructure(value, type(value))
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def plain_snapshot(aggregate: cg.Aggregate) -> str:
    """What the plain path stores as ``aggregate``'s snapshot: its shape, then its fields."""
    data = {SHAPE_KEY: shape_of(type(aggregate)), **PLAIN.unstructure(aggregate, type(aggregate))}
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


class KeepingStore(cg.MemoryStore):
    """A memory store that also keeps the requests it is given, as they came."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[cg.AppendRequest] = []

    def append(self, request: cg.AppendRequest) -> cg.AppendResult:
        self.requests.append(request)
        return super().append(request)


def assert_round_trips(
    aggregate: cg.Aggregate,
    events: tuple[cg.Event, ...],
    before: Iterable[cg.Decision[Any]] = (),
) -> None:
    """Store ``aggregate`` and the events that made it through the facade, after what it
    refers to (``before``): every stored text and hash must be the plain path's, and loading
    must give ``aggregate`` back."""
    store = KeepingStore()
    gov = cg.Governance(store)
    for decision in before:
        gov.create(decision)
    gov.create((aggregate, events))
    request = store.requests[-1]
    previous = GENESIS
    for version, (event, new) in enumerate(zip(events, request.events, strict=True), start=1):
        assert new.data == plain_json(event)
        assert new.at_text == event.at.isoformat()
        previous = chain_hash(
            previous,
            aggregate.id,
            version,
            event.type_name,
            event.schema_version,
            event.at,
            new.data,
        )
        assert new.hash == previous
    assert request.summary.snapshot == plain_snapshot(aggregate)
    assert request.summary.last_hash == previous
    # Read by the fast path itself, not by the careful one it falls back to.
    snapshot = json.loads(request.summary.snapshot)
    assert gov._snapshots._fast.structure(snapshot, type(aggregate)) == aggregate
    assert gov.load(type(aggregate), request.community_id, aggregate.id) == aggregate
    assert gov.verify() == []


# --- events ------------------------------------------------------------------------------


@given(one_of_each)
def test_every_event_is_stored_as_the_plain_path_stores_it(events: tuple[cg.Event, ...]) -> None:
    codec = cg.EventCodec()
    for event in events:
        note(f"event: {event!r}")
        expected = plain_json(event)
        assert codec.fields(event) == json.loads(expected)
        encoded = codec.encode(event)
        assert encoded.to_json() == expected
        assert codec.decode(encoded.type, encoded.version, json.loads(expected)) == event


@given(one_of_each)
def test_the_time_in_the_fields_hashes_as_the_time_itself(events: tuple[cg.Event, ...]) -> None:
    codec = cg.EventCodec()
    for version, event in enumerate(events, start=1):
        fields = codec.fields(event)
        data = compact_json(fields)
        args = (GENESIS, "s1", version, event.type_name, event.schema_version)
        plain = hashlib.sha256(
            "\x1f".join(
                (*map(str, args), event.at.isoformat(), data)  # what has always been hashed
            ).encode("utf-8")
        ).hexdigest()
        assert chain_hash(*args, event.at, data) == plain
        assert chain_hash_formatted(*args, fields["at"], data) == plain


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_compact_json_is_json_dumps_without_spaces_or_escapes(value: Any) -> None:
    assert compact_json(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# Every character (lone surrogates too), numbers of any size, floats of every kind.
ANY_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats()
    | st.text(st.characters(exclude_categories=())),
    lambda children: (
        st.lists(children)
        | st.tuples(children, children)
        | st.dictionaries(st.text(st.characters(exclude_categories=())), children)
    ),
    max_leaves=30,
)


@given(ANY_JSON_VALUES)
def test_converted_json_writes_what_the_standard_library_writes(value: Any) -> None:
    """With the ``fast`` extra (orjson) or without it, a converted tree's text is the one
    ``json.dumps`` writes: numbers beyond 64 bits and lone surrogates included."""
    converted = make_fast_converter().unstructure(value)
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert converted_json(converted) == expected
    assert compact_json(converted) == expected


@given(st.floats() | st.lists(st.floats(), min_size=1) | st.dictionaries(st.text(), st.floats()))
def test_converted_floats_are_written_as_the_standard_library_writes_them(value: Any) -> None:
    """Floats among values orjson would write itself: ``1e-05``, ``1e+16``, ``NaN`` and
    ``Infinity`` as ``json.dumps`` writes them, not as orjson would."""
    converted = make_fast_converter().unstructure(value)
    assert converted_json(converted) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)


AWARE_TIMES = st.datetimes(
    datetime(2, 1, 1), datetime(9998, 1, 1), timezones=st.timezones() | st.just(UTC)
)


@given(st.lists(AWARE_TIMES, min_size=1, max_size=300), st.data())
def test_each_time_is_written_as_its_own_isoformat_however_often_it_recurs(
    moments: list[datetime], data: st.DataObject
) -> None:
    """A save formats the same time object once; times equal as instants but written with
    other offsets or zones keep their own text, and past the remembered ones all is the same."""
    repeats = data.draw(st.lists(st.sampled_from(moments), max_size=50))
    twins = [m.astimezone(timezone(timedelta(hours=8))) for m in moments[:5]]
    every = moments + repeats + twins + moments
    converted = make_fast_converter().unstructure(every, list[datetime])
    assert converted == [m.isoformat() for m in every]


class _Stamp(datetime):
    """A time whose own ``isoformat`` writes microseconds always."""

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        return datetime.isoformat(self, sep, "microseconds")


class _Shifting(tzinfo):
    """A zone whose offset its owner can change: its times are not remembered."""

    def __init__(self, hours: int) -> None:
        self.hours = hours

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=self.hours)

    def dst(self, dt: datetime | None) -> None:
        return None


def test_times_are_written_by_datetime_isoformat_whatever_their_class_or_zone() -> None:
    converter = make_fast_converter()
    stamp = _Stamp(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=8)))
    for _ in range(2):
        assert converter.unstructure(stamp, datetime) == "2026-03-02T09:00:00+08:00"
    zone = _Shifting(8)
    moment = datetime(2026, 3, 2, 9, tzinfo=zone)
    assert converter.unstructure(moment, datetime) == "2026-03-02T09:00:00+08:00"
    zone.hours = 9
    assert converter.unstructure(moment, datetime) == "2026-03-02T09:00:00+09:00"


def test_a_time_of_a_datetime_subclass_is_stored_as_the_plain_path_stores_it() -> None:
    at = _Stamp(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=8)))
    gov = cg.Governance(cg.SQLiteStore(":memory:"))
    gov.register_community("c1", "社区", at=at)
    assert gov.verify() == []
    stored = gov.store.read_stream("c1", "c1")[0]
    assert json.loads(stored.data)["at"] == "2026-03-02T09:00:00+08:00"


def test_a_converter_hands_floats_over_equal_and_still_floats() -> None:
    converted = make_fast_converter().unstructure({"ratio": 0.25, "tiny": 1e-05})
    assert converted == {"ratio": 0.25, "tiny": 1e-05}
    assert all(isinstance(value, float) for value in converted.values())
    assert converted_json(converted) == '{"ratio":0.25,"tiny":1e-05}'
    # The public converter hands plain floats over, for an application's own JSON writer.
    plain = cg.make_converter().unstructure({"ratio": 0.25})
    assert type(plain["ratio"]) is float


def test_an_application_event_with_floats_is_written_as_the_standard_library_writes_it() -> None:
    registry = cg.EventRegistry()

    @cg.event_type("app.measured", registry=registry)
    @attrs.frozen(kw_only=True)
    class Measured(cg.Event):
        reading: float
        readings: tuple[float, ...]

    event = Measured(at=datetime(2026, 3, 2, tzinfo=UTC), reading=1e-05, readings=(1e16, 0.5))
    fields = cg.EventCodec(registry).fields(event)
    assert type(fields["reading"]) is float
    assert converted_json(make_fast_converter().unstructure(event, Measured)) == json.dumps(
        fields, separators=(",", ":"), ensure_ascii=False
    )


def test_a_codec_that_stores_times_otherwise_still_chains_over_isoformat() -> None:
    converter = cg.make_converter()
    converter.register_unstructure_hook(datetime, lambda at: at.astimezone(UTC).isoformat())
    gov = cg.Governance(cg.MemoryStore(), codec=cg.EventCodec(converter=converter))
    t = tracked_at(cg.MatterState.RESOLVED)
    gov.create((community(), tracked_community().events))
    gov.create((t.value, t.events))
    stored = gov.store.read_stream(t.value.community_id, t.value.id)
    assert [json.loads(e.data)["at"] for e in stored] == [
        e.at.astimezone(UTC).isoformat() for e in t.events
    ]
    assert gov.verify() == []


def test_a_codec_with_its_own_event_hooks_is_used_as_it_is() -> None:
    # A hook for one event class that renames its time and writes it in UTC: the facade must
    # store what the codec makes and chain over the event's own time.
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

    from communitygov.organisation.events import PersonRegistered

    converter = cg.make_converter()
    converter.register_unstructure_hook(
        PersonRegistered,
        make_dict_unstructure_fn(
            PersonRegistered,
            converter,
            at=override(rename="when", unstruct_hook=lambda at: at.astimezone(UTC).isoformat()),
        ),
    )
    converter.register_structure_hook(  # and read back, so that the stream replays
        PersonRegistered,
        make_dict_structure_fn(PersonRegistered, converter, at=override(rename="when")),
    )
    gov = cg.Governance(cg.MemoryStore(), codec=cg.EventCodec(converter=converter))
    gov.register_community("c1", "社区", at=START)
    gov.execute(cg.Community, "c1", "c1", lambda c: c.register_person("p1", "某", at=START))
    (_, stored) = gov.store.read_stream("c1", "c1")
    assert json.loads(stored.data)["when"] == START.astimezone(UTC).isoformat()
    assert gov.verify() == []


# --- snapshots ---------------------------------------------------------------------------


def _summary_of(matter: cg.Matter, snapshot: str) -> cg.Summary:
    return cg.Summary(
        community_id=matter.community_id,
        stream_id=matter.id,
        kind=matter.kind,
        version=matter.version,
        state=matter.state,
        title=matter.title,
        updated_at=START,
        snapshot=snapshot,
        last_hash=GENESIS,
    )


def test_matters_along_the_way_are_stored_as_the_plain_path_stores_them() -> None:
    registered = [(community(), tracked_community().events)]
    t = raised()
    assert_round_trips(t.value, t.events, before=registered)
    while not t.value.is_final:
        t = t.then(advance(t.value))
        assert_round_trips(t.value, t.events, before=registered)
    assert t.value.state == cg.MatterState.CLOSED
    withdrawn = raised().then(
        raised().value.withdraw("重复", by="pc0", community=community(), at=START)
    )
    assert_round_trips(withdrawn.value, withdrawn.events, before=registered)


@settings(max_examples=max(10, settings().max_examples // 5))
@given(cgas.plans_with_events(max_steps=15))
def test_generated_plans_and_their_matters_snapshot_as_the_plain_path(
    generated: cgas.GeneratedPlan,
) -> None:
    community, matter, _ = generated.records()
    assert_round_trips(*matter, before=[community])
    assert_round_trips(generated.plan, generated.events, before=[community, matter])


@settings(max_examples=max(10, settings().max_examples // 5))
@given(cgst.funds_with_events(max_steps=25))
def test_generated_funds_snapshot_as_the_plain_path(generated: cgst.GeneratedFund) -> None:
    *before, _ = generated.records()
    assert_round_trips(generated.fund, generated.events, before=before)


@settings(max_examples=max(10, settings().max_examples // 5))
@given(cgst.communities_with_events())
def test_generated_communities_snapshot_as_the_plain_path(
    built: tuple[cg.Community, tuple[cg.Event, ...]],
) -> None:
    community, events = built
    assert_round_trips(community, events)


@attrs.frozen
class _RaisedWithANote(MatterRaised):
    """A subclass of an event a matter keeps, with a field of its own."""

    note: str = "附注"


def test_a_snapshot_takes_only_that_very_event_of_its_declared_class_from_the_save() -> None:
    matter = raised().value
    snapshots = cg.Governance(cg.MemoryStore())._snapshots
    marked = {"marked": True}
    plain = snapshots.freeze(matter)
    assert plain == plain_snapshot(matter)
    # The event the save encoded, itself: its fields are taken as they are.
    assert '"raised":{"marked":true}' in snapshots.freeze(
        matter, {id(matter.raised): (matter.raised, marked)}
    )
    # An equal event, or another object under the same id: encoded here.
    twin = attrs.evolve(matter.raised)
    assert snapshots.freeze(matter, {id(matter.raised): (twin, marked)}) == plain
    # A subclass is encoded as the declared class, whatever the save encoded for it.
    noted = attrs.evolve(matter, raised=_RaisedWithANote(**attrs.asdict(matter.raised)))
    assert snapshots.freeze(noted, {id(noted.raised): (noted.raised, marked)}) == plain
    assert snapshots.freeze(noted) == plain


def test_a_snapshot_holding_a_number_beyond_64_bits_thaws_exactly() -> None:
    # orjson, when installed, reads such a number as a float; the fast path takes a whole
    # number only as an int, so the standard library reads the snapshot again, exactly.
    fund, events = cgst.open_fund()
    opened = fund.last_at
    assert opened is not None
    huge = cg.Money(10**25 + 1)  # beyond 2**64, exact only as an int
    sold, more = fund.record_sale(
        huge, item="笔", buyer=cg.BuyerType.RESIDENT, by="p0", at=opened + timedelta(hours=1)
    )
    assert_round_trips(sold, (*events, *more), before=cgst.fund_records())
    gov = cg.Governance(cg.MemoryStore())
    gov.create((sold, (*events, *more)))
    assert gov.load(cg.Fund, sold.community_id, sold.id).entries[-1].amount == huge


def test_a_time_read_before_never_stands_in_for_a_naive_one() -> None:
    matter = raised().value
    snapshots = cg.Governance(cg.MemoryStore())._snapshots
    snapshot = snapshots.freeze(matter)
    assert snapshots.thaw(cg.Matter, _summary_of(matter, snapshot)) == matter
    data = json.loads(snapshot)
    aware = data["last_at"]
    data["last_at"] = aware[: -len("+08:00")]
    with pytest.raises(cg.DecodeError, match="no timezone"):
        snapshots.thaw(cg.Matter, _summary_of(matter, json.dumps(data)))
    # and the time read before is still read as it was
    assert snapshots.thaw(cg.Matter, _summary_of(matter, snapshot)).last_at == matter.last_at


def test_times_thaw_exactly_however_many_different_ones_are_read() -> None:
    matter = raised().value
    snapshots = cg.Governance(cg.MemoryStore())._snapshots
    data = json.loads(snapshots.freeze(matter))
    assert matter.last_at is not None
    for minutes in range(3_000):  # more than the fast path keeps
        moment = matter.last_at + timedelta(minutes=minutes)
        data["last_at"] = moment.isoformat()
        thawed = snapshots.thaw(cg.Matter, _summary_of(matter, json.dumps(data)))
        assert thawed.last_at == moment
        assert thawed.last_at.utcoffset() == moment.utcoffset()


def test_a_field_added_later_is_stored_only_when_it_is_not_its_default() -> None:
    # A meeting without members lacking a vote, and a seat with a vote, are stored as they
    # were before those fields existed; with them, the fields are there, and read back.
    codec = cg.EventCodec()
    t = tracked_at("resolve")
    held = next(e for e in t.events if isinstance(e, DeliberationHeld))
    assert not {"without_vote", "ends_matter"} & set(codec.encode(held).data)
    unusual = attrs.evolve(held, without_vote=frozenset({"res0"}), ends_matter=True)
    data = codec.encode(unusual).data
    assert (data["without_vote"], data["ends_matter"]) == (["res0"], True)
    assert codec.loads(codec.dumps(unusual)) == unusual
    seat = MembershipStarted(
        at=START, person_id="res0", body=cg.BodyKind.PARTY_MEMBERS_ASSEMBLY, start=START.date()
    )
    assert "voting" not in codec.encode(seat).data
    probation = attrs.evolve(seat, voting=False)
    assert codec.encode(probation).data["voting"] is False
    assert codec.loads(codec.dumps(probation)) == probation
