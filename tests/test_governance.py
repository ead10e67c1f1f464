"""The Governance facade: load, decide, append, retry; queries; integrity."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import communitygov as cg
from communitygov.organisation.events import MembershipStarted
from communitygov.snapshots import LIBRARY_AGGREGATES, SHAPE_KEY, shape_of
from communitygov.testing._adoption import adopted, staffed
from communitygov.testing.conformance import make_request
from support import START, advance, community, raised, tracked_at, tracked_community


@pytest.fixture
def gov() -> cg.Governance:
    g = cg.Governance(cg.MemoryStore())
    g.create((community(), tracked_community().events))
    return g


def _raise(gov: cg.Governance, matter_id: str = "m1") -> cg.Matter:
    t = raised(matter_id=matter_id)
    return gov.create((t.value, t.events))


def _step(gov: cg.Governance, matter_id: str = "m1", **kwargs: object) -> cg.Matter:
    c = gov.community("sanwan")
    return gov.execute(cg.Matter, "sanwan", matter_id, lambda m: advance(m, c), **kwargs)  # type: ignore[arg-type]


def test_a_matter_round_trips_through_the_store(gov: cg.Governance) -> None:
    matter = _raise(gov)
    assert gov.matter("sanwan", "m1") == matter
    while not matter.is_final:
        matter = _step(gov)
        assert gov.matter("sanwan", "m1") == matter
    events = gov.history("sanwan", "m1")
    assert cg.Matter.replay(events) == matter
    assert gov.verify() == []


@pytest.mark.parametrize("command", ["close", None, 3])
def test_a_command_that_cannot_be_called_is_refused_before_anything_is_read(
    gov: cg.Governance, command: object
) -> None:
    # It was a bare TypeError from deep inside execute.
    matter = _raise(gov)
    with pytest.raises(cg.WrongType) as refused:
        gov.execute(cg.Matter, "sanwan", "m1", command)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == ("command", command)
    assert gov.matter("sanwan", "m1") == matter


def test_a_query_of_a_community_the_store_does_not_hold_is_not_found(
    gov: cg.Governance,
) -> None:
    # A typo read as "nothing is due" / "no matters" / "nothing happened".
    _raise(gov)
    assert gov.summaries("sanwan", kind="fund") == []  # held, with nothing of that kind
    assert gov.due("sanwan", at=START, within=timedelta(0)) == []
    last = gov.feed("sanwan")[-1].position
    assert gov.feed("sanwan", after=last) == []  # held, with nothing new
    for ask in (
        lambda: gov.summaries("sanwam"),
        lambda: gov.summaries("sanwam", kind="matter", state="raised"),
        lambda: gov.due("sanwam", at=START),
        lambda: gov.feed("sanwam"),
        lambda: gov.feed("sanwam", after=last),
    ):
        with pytest.raises(cg.NotFound) as missing:
            ask()
        assert (missing.value.kind, missing.value.id) == ("community", "sanwam")


def test_verifying_a_community_the_store_does_not_hold_is_not_found(gov: cg.Governance) -> None:
    assert gov.verify("sanwan") == []
    for summaries in (True, False):
        with pytest.raises(cg.NotFound) as missing:
            gov.verify("sanwam", summaries=summaries)  # a typo must not read as intact
        assert (missing.value.kind, missing.value.id) == ("community", "sanwam")


@pytest.mark.parametrize(
    ("damage", "reported"),
    [
        ("DELETE FROM cg_batches", "the events end at 0"),  # the summary kept
        (
            "UPDATE cg_batches SET events = 'garbage' WHERE first_position = 1",
            "cannot be read",
        ),
        ("UPDATE cg_streams SET community_id = CAST(community_id AS BLOB)", "no summary"),
    ],
    ids=["events-deleted", "first-record-unreadable", "community-id-as-bytes"],
)
def test_a_community_whose_records_are_damaged_is_reported_not_missing(
    tmp_path: Path, damage: str, reported: str
) -> None:
    path = tmp_path / "damaged.db"
    with cg.SQLiteStore(path) as store:
        cg.Governance(store).register_community("c1", "社区", at=START)
    with sqlite3.connect(path) as connection:
        connection.execute(damage)
    connection.close()
    with cg.SQLiteStore(path) as store:
        gov = cg.Governance(store)
        assert gov.verify("c1") == gov.verify()  # every community the store names is c1
        problems = gov.verify()
    assert [(p.stream_id, p.version) for p in problems] == [("c1", 1)]
    assert reported in problems[0].detail


def test_a_batch_whose_stream_id_is_stored_as_bytes_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    with cg.SQLiteStore(path) as store:
        cg.Governance(store).register_community("c1", "社区", at=START)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE cg_batches SET stream_id = CAST(stream_id AS BLOB)")
    connection.close()
    with cg.SQLiteStore(path) as store:
        problems = cg.Governance(store).verify("c1")
    assert [(p.stream_id, p.version) for p in problems] == [("b'c1'", 1), ("c1", 1)]
    assert "its community or stream column holds a value of another type" in problems[0].detail


def test_event_data_nested_deeper_than_json_reads_is_a_decode_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.db"
    with cg.SQLiteStore(path) as store:
        cg.Governance(store).register_community("c1", "社区", at=START)
    with sqlite3.connect(path) as connection:  # the data of the one event, nested 100,000 deep
        (events,) = connection.execute("SELECT events FROM cg_batches").fetchone()
        *head, data = events.split("\x1f")
        deep = "\x1f".join([*head, "[" * 100_000 + data + "]" * 100_000])
        connection.execute("UPDATE cg_batches SET events = ?", (deep,))
    connection.close()
    with cg.SQLiteStore(path) as store:
        gov = cg.Governance(store)
        for read in (lambda: gov.history("c1", "c1"), lambda: gov.feed("c1")):
            with pytest.raises(cg.DecodeError, match="nests deeper than any event's"):
                read()
        (problem,) = gov.verify("c1")
    assert problem.stream_id == "c1"


def test_a_conflict_with_the_applications_own_stale_transaction_is_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "app.db"
    other = cg.Governance(cg.SQLiteStore(path))
    other.register_community("sanwan", "三湾街社区", at=START)
    connection = sqlite3.connect(path, isolation_level=None)
    gov = cg.Governance(cg.SQLiteStore(connection=connection))
    waits: list[float] = []
    monkeypatch.setattr("communitygov.governance.time.sleep", waits.append)
    decided: list[int] = []

    def register(c: cg.Community) -> cg.Decision[cg.Community]:
        decided.append(c.version)
        return c.register_person("wu", "吴勤勤", at=START)

    connection.execute("BEGIN")
    gov.community("sanwan")  # the application's transaction reads first
    other.execute(
        cg.Community, "sanwan", "sanwan", lambda c: c.register_person("li", "李", at=START)
    )
    with pytest.raises(cg.ConcurrencyConflict) as refused:
        gov.execute(cg.Community, "sanwan", "sanwan", register)
    assert refused.value.expected == refused.value.actual == 1
    assert (refused.value.community, refused.value.stream) == ("sanwan", "sanwan")
    assert (decided, waits) == ([1], [])
    assert refused.value.__notes__ == [
        "community 'sanwan': not decided again, as no retry within the same transaction can succeed"
    ]
    connection.execute("ROLLBACK")
    assert "wu" in gov.execute(cg.Community, "sanwan", "sanwan", register).people  # a new one can
    connection.close()


def test_the_clock_gives_now_and_the_defaults_of_due_and_register_community() -> None:
    times = iter([START, START + timedelta(days=40)])
    gov = cg.Governance(cg.MemoryStore(), clock=lambda: next(times))
    community = gov.register_community("sanwan", "三湾街社区")  # at the clock's first time
    assert community.last_at == START
    c = gov.execute(
        cg.Community, "sanwan", "sanwan", lambda c: c.register_person("wu", "吴勤勤", at=START)
    )
    raised = cg.Matter.raise_matter(
        "m1",
        community=c,
        procedure=cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
        title="t",
        description="d",
        source=cg.MotionSource.RESIDENTS,
        raised_by="wu",
        at=START,
    )
    gov.create(raised)
    gov.execute(cg.Matter, "sanwan", "m1", lambda m: m.open_solicitation(at=START))
    due = gov.due("sanwan")  # at the clock's second time: the window closed days ago
    assert [s.stream_id for s in due] == ["m1"]
    assert due == gov.due("sanwan", at=START + timedelta(days=40))


def test_the_system_clock_is_the_default_and_a_bad_clock_is_refused() -> None:
    before = datetime.now(UTC)
    now = cg.Governance(cg.MemoryStore()).now()
    assert before <= now <= datetime.now(UTC)
    assert now.utcoffset() == timedelta(0)
    with pytest.raises(cg.WrongType) as not_callable:
        cg.Governance(cg.MemoryStore(), clock=START)  # type: ignore[arg-type]
    assert not_callable.value.field == "clock"
    gov = cg.Governance(cg.MemoryStore())
    with pytest.raises(cg.WrongType):
        gov.clock = 5  # type: ignore[assignment]
    assert gov.now().tzinfo is not None  # the clock it had
    naive = cg.Governance(cg.MemoryStore(), clock=lambda: datetime(2026, 3, 2, 9))
    with pytest.raises(cg.NaiveDatetime):
        naive.now()
    with pytest.raises(cg.NaiveDatetime):
        naive.due("sanwan")
    text = cg.Governance(cg.MemoryStore(), clock=lambda: "2026-03-02")  # type: ignore[arg-type,return-value]
    with pytest.raises(cg.WrongType) as not_a_time:
        text.now()
    assert not_a_time.value.value == "2026-03-02"


class FirstSummaryOnly(cg.MemoryStore):
    """An adapter that keeps only a stream's first summary, as one that writes summaries
    lazily might: its loads return that summary and every later event."""

    def __init__(self) -> None:
        super().__init__()
        self.first: dict[tuple[str, str], cg.Summary] = {}

    def append(self, request: cg.AppendRequest) -> cg.AppendResult:
        self.first.setdefault((request.community_id, request.stream_id), request.summary)
        return super().append(request)

    def load(
        self, community_id: str, stream_id: str
    ) -> tuple[cg.Summary, list[cg.RecordedEvent]] | None:
        summary = self.first.get((community_id, stream_id))
        if summary is None:
            return None
        return summary, self.read_stream(community_id, stream_id, summary.version)


def test_a_matter_loads_from_an_old_summary_and_the_events_after_it() -> None:
    gov = cg.Governance(FirstSummaryOnly())
    gov.create((community(), tracked_community().events))
    matter = _raise(gov)
    for _ in range(3):
        matter = _step(gov)
    loaded = gov.store.load("sanwan", "m1")
    assert loaded is not None
    assert (loaded[0].version, len(loaded[1])) == (1, matter.version - 1)
    assert gov.matter("sanwan", "m1") == matter
    assert _step(gov) == cg.Matter.replay(gov.history("sanwan", "m1"))


def test_the_community_round_trips(gov: cg.Governance) -> None:
    assert gov.community("sanwan") == community()


def test_a_rejected_command_stores_nothing(gov: cg.Governance) -> None:
    _raise(gov)
    before = gov.history("sanwan", "m1")
    with pytest.raises(cg.TransitionNotAllowed):
        gov.execute(cg.Matter, "sanwan", "m1", lambda m: m.close(at=START + timedelta(days=1)))
    assert gov.history("sanwan", "m1") == before
    assert gov.matter("sanwan", "m1").version == 1


def test_a_conflict_is_decided_again_against_fresh_state(gov: cg.Governance) -> None:
    _raise(gov)
    rival = cg.Governance(gov.store)
    calls: list[int] = []

    def open_once_raced(m: cg.Matter) -> cg.Decision[cg.Matter]:
        calls.append(m.version)
        if len(calls) == 1:  # another writer gets there first
            rival.execute(
                cg.Matter,
                "sanwan",
                "m1",
                lambda other: other.withdraw("重复", by="pc0", community=community(), at=START),
            )
        return m.open_solicitation(at=START + timedelta(hours=1))

    with pytest.raises(cg.TransitionNotAllowed) as refused:
        gov.execute(cg.Matter, "sanwan", "m1", open_once_raced)
    assert calls == [1, 2]  # decided again, against the withdrawn matter, which refuses
    assert refused.value.state == "withdrawn"
    assert gov.matter("sanwan", "m1").state == "withdrawn"


def test_retries_are_bounded(gov: cg.Governance) -> None:
    _raise(gov)
    rival = cg.Governance(gov.store)
    hours = iter(range(1, 100))

    def always_raced(m: cg.Matter) -> cg.Decision[cg.Matter]:
        rival.execute(
            cg.Matter,
            "sanwan",
            "m1",
            lambda other: (
                other.open_solicitation(at=START + timedelta(hours=next(hours)))
                if other.state == "raised"
                else other.record_opinion(
                    cg.Opinion(
                        f"o{other.version}", "res0", cg.Channel.ONLINE, cg.Stance.SUPPORT, "好"
                    ),
                    community=community(),
                    at=START + timedelta(hours=next(hours)),
                )
            ),
        )
        return m.withdraw("重复", by="pc0", community=community(), at=START + timedelta(days=5))

    limited = cg.Governance(gov.store, retries=2)
    with pytest.raises(cg.ConcurrencyConflict) as refused:
        limited.execute(cg.Matter, "sanwan", "m1", always_raced)
    assert gov.matter("sanwan", "m1").state == "soliciting"
    assert (refused.value.community, refused.value.stream) == ("sanwan", "m1")
    assert str(refused.value).startswith("stream 'm1' of community 'sanwan' is at version ")
    assert refused.value.__notes__ == [
        "matter 'm1' of community 'sanwan': decided 3 times, conflicting each time (retries=2)"
    ]


def test_a_conflict_decided_once_names_the_community_once(gov: cg.Governance) -> None:
    # The note read "community 'sanwan' of community 'sanwan': decided 1 times".
    rival = cg.Governance(gov.store)

    def raced(c: cg.Community) -> cg.Decision[cg.Community]:
        rival.execute(
            cg.Community, "sanwan", "sanwan", lambda o: o.register_person("li", "李", at=START)
        )
        return c.register_person("wu", "吴勤勤", at=START)

    once = cg.Governance(gov.store, retries=0)
    with pytest.raises(cg.ConcurrencyConflict) as refused:
        once.execute(cg.Community, "sanwan", "sanwan", raced)
    error = refused.value
    assert (error.community, error.stream, error.actual) == ("sanwan", "sanwan", error.expected + 1)
    assert str(error) == (
        f"stream 'sanwan' of community 'sanwan' is at version {error.actual}, not "
        f"{error.expected}: someone else wrote first"
    )
    assert error.__notes__ == ["community 'sanwan': decided once, conflicting (retries=0)"]


def test_many_retries_wait_no_longer_than_the_most_and_end_in_a_conflict(
    gov: cg.Governance, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With retries past 1,024 the doubled wait overflowed a float: a bare OverflowError.
    class Contended(cg.MemoryStore):
        def append_many(self, requests: Sequence[cg.AppendRequest]) -> list[cg.AppendResult]:
            first = requests[0]
            if first.expected_version > 0:
                raise cg.ConcurrencyConflict(
                    first.stream_id,
                    first.expected_version,
                    first.expected_version + 1,
                    community=first.community_id,
                )
            return super().append_many(requests)

    waits: list[float] = []
    monkeypatch.setattr("communitygov.governance.time.sleep", waits.append)
    monkeypatch.setattr("communitygov.governance.random.uniform", lambda low, high: high)
    contended = cg.Governance(Contended(), retries=2_000)
    contended.register_community("sanwan", "三湾街社区", at=START)
    with pytest.raises(cg.ConcurrencyConflict):
        contended.execute(
            cg.Community, "sanwan", "sanwan", lambda c: c.register_person("wu", "吴", at=START)
        )
    assert len(waits) == 2_000
    assert max(waits) == 0.05


def test_a_conflict_is_decided_again_after_a_random_wait_that_doubles(
    gov: cg.Governance, monkeypatch: pytest.MonkeyPatch
) -> None:
    _raise(gov)
    rival = cg.Governance(gov.store)
    waits: list[float] = []
    monkeypatch.setattr("communitygov.governance.time.sleep", waits.append)
    monkeypatch.setattr("communitygov.governance.random.uniform", lambda low, high: high)
    hours = iter(range(1, 100))

    def raced(m: cg.Matter) -> cg.Decision[cg.Matter]:
        if len(waits) < 7:  # a rival writes between this load and its append, seven times
            rival.execute(
                cg.Matter,
                "sanwan",
                "m1",
                lambda other: (
                    other.record_opinion(
                        cg.Opinion(
                            f"o{other.version}", "res0", cg.Channel.ONLINE, cg.Stance.SUPPORT, "好"
                        ),
                        community=community(),
                        at=START + timedelta(hours=next(hours)),
                    )
                    if other.state == "soliciting"
                    else other.open_solicitation(at=START + timedelta(hours=next(hours)))
                ),
            )
        return m.withdraw("重复", by="pc0", community=community(), at=START + timedelta(days=5))

    assert gov.retries == 8
    gov.execute(cg.Matter, "sanwan", "m1", raced)
    assert gov.matter("sanwan", "m1").state == "withdrawn"
    assert waits == [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.05]  # at most 50 ms


def test_no_wait_when_nothing_conflicts_or_nothing_is_left_to_retry(
    gov: cg.Governance, monkeypatch: pytest.MonkeyPatch
) -> None:
    _raise(gov)
    waits: list[float] = []
    monkeypatch.setattr("communitygov.governance.time.sleep", waits.append)
    gov.execute(
        cg.Matter, "sanwan", "m1", lambda m: m.open_solicitation(at=START + timedelta(hours=1))
    )
    rival = cg.Governance(gov.store)
    once = cg.Governance(gov.store, retries=0)

    def raced(m: cg.Matter) -> cg.Decision[cg.Matter]:
        rival.execute(
            cg.Matter,
            "sanwan",
            "m1",
            lambda other: other.withdraw(
                "重复", by="pc0", community=community(), at=START + timedelta(hours=2)
            ),
        )
        return m.close_solicitation(at=START + timedelta(days=30))

    with pytest.raises(cg.ConcurrencyConflict):
        once.execute(cg.Matter, "sanwan", "m1", raced)
    assert waits == []


def test_a_retried_command_id_lands_once(gov: cg.Governance) -> None:
    _raise(gov)
    calls: list[str] = []

    def open_solicitation(m: cg.Matter) -> cg.Decision[cg.Matter]:
        calls.append("called")
        return m.open_solicitation(at=START + timedelta(hours=1))

    first = gov.execute(cg.Matter, "sanwan", "m1", open_solicitation, command_id="req-42")
    again = gov.execute(cg.Matter, "sanwan", "m1", open_solicitation, command_id="req-42")
    assert again == first
    assert calls == ["called"]
    assert len(gov.history("sanwan", "m1")) == 2


def test_a_retried_creation_lands_once(gov: cg.Governance) -> None:
    decision = cg.Matter.raise_matter(
        "m9",
        community=community(),
        procedure=cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
        title="t",
        description="d",
        source=cg.MotionSource.RESIDENTS,
        raised_by="pc0",
        at=START,
    )
    assert gov.create(decision, command_id="create-m9") == decision[0]
    assert gov.create(decision, command_id="create-m9") == decision[0]
    assert len(gov.history("sanwan", "m9")) == 1


def test_missing_or_mistyped_aggregates_are_not_found(gov: cg.Governance) -> None:
    with pytest.raises(cg.NotFound) as missing:
        gov.matter("sanwan", "nothing")
    assert (missing.value.kind, missing.value.id, missing.value.community) == (
        "matter",
        "nothing",
        "sanwan",
    )
    assert missing.value.found is None
    with pytest.raises(cg.NotFound) as other_kind:
        gov.load(cg.Matter, "sanwan", "sanwan")  # that stream is the community
    assert (other_kind.value.kind, other_kind.value.found) == ("matter", "community")
    assert str(other_kind.value) == (
        "no matter 'sanwan' in community 'sanwan': 'sanwan' is the id of a community"
    )
    for read in (gov.plan, gov.fund):
        with pytest.raises(cg.NotFound) as other_kind:
            read("sanwan", "sanwan")
        assert other_kind.value.found == "community"
    with pytest.raises(cg.NotFound):
        gov.matter("elsewhere", "m1")
    with pytest.raises(cg.NotFound):
        gov.procedure("no-such-procedure")


def test_queries_answer_from_summaries(gov: cg.Governance) -> None:
    _raise(gov, "m1")
    _raise(gov, "m2")
    _step(gov, "m2")  # soliciting, due when the window closes
    due = gov.due("sanwan", at=START, within=timedelta(days=30))
    assert [s.stream_id for s in due] == ["m2"]
    assert due[0].due_what == "solicitation closes"
    assert gov.due("sanwan", at=START, within=timedelta(days=1)) == []
    assert [s.stream_id for s in gov.summaries("sanwan", kind="matter", state="raised")] == ["m1"]


def test_the_feed_is_in_order_and_pages(gov: cg.Governance) -> None:
    _raise(gov)
    _step(gov)
    items = gov.feed("sanwan")
    assert [i.position for i in items] == list(range(1, len(items) + 1))
    assert isinstance(items[-1].event, cg.Event)
    tail = gov.feed("sanwan", after=len(items) - 2)
    assert [i.stream_id for i in tail] == ["m1", "m1"]


def test_a_custom_procedure_needs_registering_to_load(gov: cg.Governance) -> None:
    import attrs

    custom = attrs.evolve(cg.ONE_SOLICITATION_THREE_DELIBERATIONS, name="custom")
    store = gov.store
    with_custom = cg.Governance(store, procedures=[*cg.PROCEDURES.values(), custom])
    decision = cg.Matter.raise_matter(
        "c1",
        community=community(),
        procedure=custom,
        title="t",
        description="d",
        source=cg.MotionSource.RESIDENTS,
        raised_by="pc0",
        at=START,
    )
    with_custom.create(decision)
    assert with_custom.matter("sanwan", "c1") == decision[0]
    with pytest.raises(cg.UnknownProcedure, match="follows procedure 'custom', which is not"):
        gov.matter("sanwan", "c1")


def test_a_calendar_mismatch_is_refused_on_load(gov: cg.Governance) -> None:
    weekdays = cg.Governance(gov.store, calendar=cg.WEEKDAYS)
    decision = cg.Matter.raise_matter(
        "cal",
        community=community(),
        procedure=weekdays.procedure("yizheng-sanyi-liang-gongkai"),
        title="t",
        description="d",
        source=cg.MotionSource.RESIDENTS,
        raised_by="pc0",
        at=START,
    )
    weekdays.create(decision)
    assert weekdays.matter("sanwan", "cal") == decision[0]
    with pytest.raises(cg.DecodeError) as refused:
        gov.matter("sanwan", "cal")
    assert str(refused.value).endswith(
        "the snapshot of stream 'cal' in community 'sanwan' (version 1) cannot be read: the "
        "matter counts on the 'weekdays' calendar; procedure "
        "'yizheng-sanyi-liang-gongkai' here counts on 'official Chinese'"
    )


@pytest.mark.parametrize(
    ("snapshot", "why"),
    [
        ("not json", "it is not JSON (Expecting value"),
        (
            json.dumps({SHAPE_KEY: shape_of(cg.Matter), "id": "m1"}),
            "cannot be read: required field",
        ),
        ("[1, 2]", "it is not a JSON object but [1, 2]"),
        (
            "[" * 100_000 + "]" * 100_000,
            "nests deeper than any snapshot does",
        ),  # not a RecursionError
    ],
)
def test_an_unreadable_snapshot_is_a_decode_error_naming_the_stream(
    tmp_path: Path, snapshot: str, why: str
) -> None:
    store = cg.SQLiteStore(tmp_path / "s.db")
    gov = cg.Governance(store)
    gov.create((community(), tracked_community().events))
    _raise(gov)
    with sqlite3.connect(tmp_path / "s.db") as connection:
        connection.execute("UPDATE cg_streams SET snapshot = ? WHERE stream_id = 'm1'", (snapshot,))
    connection.close()
    before = store.read_all("sanwan")
    with pytest.raises(cg.DecodeError) as caught:
        gov.matter("sanwan", "m1")
    message = str(caught.value)
    assert "the snapshot of stream 'm1' in community 'sanwan' (version 1)" in message
    assert why in message
    assert caught.value.event_type == "matter snapshot"
    assert store.read_all("sanwan") == before
    store.close()


@pytest.mark.parametrize("summaries", [None, 0, "no", []])
def test_verify_takes_summaries_only_as_a_bool(gov: cg.Governance, summaries: object) -> None:
    # None from a configuration checked the chains alone, and reported an edited summary
    # intact.
    with pytest.raises(cg.WrongType) as refused:
        gov.verify(summaries=summaries)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == ("summaries", summaries)


@pytest.mark.parametrize("how", ["copied", "moved"])
def test_a_stream_put_at_the_end_of_another_community_is_reported(tmp_path: Path, how: str) -> None:
    # The chains do not cover the community: a stream copied or moved to the end of another
    # community's records left no gap, verified intact, and loaded as that community's.
    path = tmp_path / "s.db"
    store = cg.SQLiteStore(path)
    gov = cg.Governance(store)
    gov.create((community(), tracked_community().events))
    _raise(gov)
    gov.register_community("beicun", "北村社区", at=START)
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO cg_batches (community_id, last_position, first_position, stream_id, "
            "first_version, last_version, events) SELECT 'beicun', 2, 2, stream_id, "
            "first_version, last_version, events FROM cg_batches WHERE stream_id = 'm1'"
        )
        columns = [row[1] for row in connection.execute("PRAGMA table_info(cg_streams)")]
        others = ", ".join(c for c in columns if c != "community_id")
        connection.execute(
            f"INSERT INTO cg_streams (community_id, {others}) SELECT 'beicun', {others} "
            "FROM cg_streams WHERE stream_id = 'm1'"
        )
        if how == "moved":  # from the end of its own community's records: no gap there
            for table in ("cg_batches", "cg_streams"):
                connection.execute(
                    f"DELETE FROM {table} WHERE community_id = 'sanwan' AND stream_id = 'm1'"
                )
    connection.close()
    problems = [(p.community_id, p.stream_id, p.detail) for p in gov.verify()]
    moved = (
        "beicun",
        "m1",
        "the stream is stored in community 'beicun', but its events make a matter of "
        "community 'sanwan'",
    )
    assert moved in problems
    store.close()


def _snapshot_rewritten(
    path: Path, stream: str, change: Callable[[dict[str, object]], None]
) -> None:
    with sqlite3.connect(path) as connection:
        (text,) = connection.execute(
            "SELECT snapshot FROM cg_streams WHERE stream_id = ?", (stream,)
        ).fetchone()
        data = json.loads(text)
        change(data)
        connection.execute(
            "UPDATE cg_streams SET snapshot = ? WHERE stream_id = ?", (json.dumps(data), stream)
        )
    connection.close()


@pytest.mark.parametrize("shape", [None, "0123456789abcdef"])
def test_a_snapshot_of_another_shape_is_not_read_and_the_events_say_what_the_matter_is(
    tmp_path: Path, shape: str | None
) -> None:
    # Written by a version of the library whose Matter had other fields: thawed, an older
    # snapshot took today's defaults for what it lacked and kept what it said, whatever the
    # events say.
    store = cg.SQLiteStore(tmp_path / "s.db")
    gov = cg.Governance(store)
    gov.create((community(), tracked_community().events))
    _raise(gov)
    stepped = _step(gov)

    def older(data: dict[str, object]) -> None:
        del data[SHAPE_KEY]
        if shape is not None:
            data[SHAPE_KEY] = shape
        data["raised"]["title"] = "a title of another version"  # type: ignore[index]

    _snapshot_rewritten(tmp_path / "s.db", "m1", older)
    before = store.read_all("sanwan", limit=1_000)
    assert gov.matter("sanwan", "m1") == stepped
    assert gov.verify() == []  # an older snapshot is no damage: it is never read
    assert store.read_all("sanwan", limit=1_000) == before
    # The next change writes the snapshot in today's shape, and it is read again.
    again = _step(gov)
    (summary,) = gov.summaries("sanwan", kind="matter")
    assert json.loads(summary.snapshot)[SHAPE_KEY] == shape_of(cg.Matter)
    assert gov._snapshots.thaw(cg.Matter, summary) == again == gov.matter("sanwan", "m1")
    store.close()


def test_a_snapshot_of_todays_shape_that_differs_from_its_events_is_still_reported(
    tmp_path: Path,
) -> None:
    store = cg.SQLiteStore(tmp_path / "s.db")
    gov = cg.Governance(store)
    gov.create((community(), tracked_community().events))
    _raise(gov)

    def edited(data: dict[str, object]) -> None:
        data["raised"]["title"] = "edited"  # type: ignore[index]

    _snapshot_rewritten(tmp_path / "s.db", "m1", edited)
    assert gov.matter("sanwan", "m1").title == "edited"  # today's shape is read
    (problem,) = gov.verify("sanwan")
    assert problem.detail == "the summary's snapshot is not the matter its events make"
    store.close()


def test_a_matter_whose_older_snapshot_cannot_be_replayed_is_a_decode_error(
    tmp_path: Path,
) -> None:
    store = cg.SQLiteStore(tmp_path / "s.db")
    gov = cg.Governance(store)
    gov.create((community(), tracked_community().events))
    _raise(gov)
    _step(gov)
    _snapshot_rewritten(tmp_path / "s.db", "m1", lambda data: data.pop(SHAPE_KEY))
    with sqlite3.connect(tmp_path / "s.db") as connection:  # the raising's batch lost
        connection.execute("DELETE FROM cg_batches WHERE stream_id = 'm1' AND first_version = 1")
    connection.close()
    with pytest.raises(cg.DecodeError) as refused:
        gov.matter("sanwan", "m1")
    assert "a matter history must start with its creation" in str(refused.value)
    store.close()


@attrs.frozen
class _Inner:
    n: int


@attrs.frozen
class _Outer:
    inner: _Inner
    kinds: tuple[cg.BodyKind, ...]


@attrs.frozen
class _InnerRenamed:
    m: int


@attrs.frozen
class _OuterOfRenamed:
    inner: _InnerRenamed
    kinds: tuple[cg.BodyKind, ...]


@attrs.frozen
class _OuterWithANote:
    inner: _Inner
    kinds: tuple[cg.BodyKind, ...]
    note: str = ""


@attrs.frozen
class _OuterOptional:
    inner: _Inner | None
    kinds: tuple[cg.BodyKind, ...]


def test_shapes_follow_fields_all_the_way_down() -> None:
    first = shape_of(_Outer)
    assert first == shape_of(_Outer)
    assert len(first) == 16
    assert int(first, 16) >= 0
    others = [_OuterOfRenamed, _OuterWithANote, _OuterOptional]
    assert len({first, *(shape_of(cls) for cls in others)}) == 1 + len(others)
    library = [cg.Community, cg.Matter, cg.AssistancePlan, cg.Fund]
    assert len({shape_of(cls) for cls in library}) == len(library)


def test_the_library_aggregates_shapes_are_the_ones_stored() -> None:
    # Pinned: a change to a field of these classes, or of anything they hold, changes its
    # shape, and every snapshot written before it is replayed instead of read. Such a change
    # says so in the CHANGELOG, and the value here is updated with it.
    assert {cls.__name__: shape_of(cls) for cls in LIBRARY_AGGREGATES} == {
        "Community": "8c16bfc724fa1751",
        "Matter": "5136386d4362ca81",
        "AssistancePlan": "2180b320a51aa350",
        "Fund": "819c8fd0a737291b",
    }


# --- command ids and retries ------------------------------------------------------------


def test_a_command_id_used_on_another_stream_is_refused_and_runs_nothing() -> None:
    gov = cg.Governance(cg.MemoryStore())
    gov.register_community("c1", "社区", at=_AT_COMMANDS, command_id="k1")
    ran: list[str] = []

    def register(c: cg.Community) -> cg.Decision[cg.Community]:
        ran.append("ran")
        return c.register_person("p1", "某", at=_AT_COMMANDS)

    with pytest.raises(cg.CommandIdInUse) as refused:
        gov.execute(cg.Community, "c1", "c2", register, command_id="k1")
    error = refused.value
    assert (error.command_id, error.stream, error.used_by, error.community) == (
        "k1",
        "c2",
        "c1",
        "c1",
    )
    assert ran == []
    matter = raised(c=community("c1"))
    with pytest.raises(cg.CommandIdInUse):
        gov.create((matter.value, matter.events), command_id="k1")
    community_again = cg.Community.register("c1", "社区", at=_AT_COMMANDS)
    assert gov.create(community_again, command_id="k1") == gov.community("c1")
    assert [s.stream_id for s in gov.summaries("c1")] == ["c1"]


def test_a_command_that_lands_between_the_look_up_and_the_append_returns_the_stored_one() -> None:
    # A retry racing its own first try: the store reports a duplicate, and the facade gives
    # back what was stored, not what it has just decided again.
    class Late(cg.MemoryStore):
        def command_result(self, community_id: str, command_id: str) -> cg.AppendResult | None:
            return None  # as if the first try had not landed yet when looked up

    gov = cg.Governance(Late())
    gov.register_community("c1", "社区", at=_AT_COMMANDS)
    first = gov.execute(
        cg.Community,
        "c1",
        "c1",
        lambda c: c.register_person("p1", "先", at=_AT_COMMANDS),
        command_id="add-p1",
    )
    again = gov.execute(
        cg.Community,
        "c1",
        "c1",
        lambda c: c.register_person("p2", "后", at=_AT_COMMANDS),
        command_id="add-p1",
    )
    assert again == first
    assert set(gov.community("c1").people) == {"p1"}


@pytest.mark.parametrize("retries", [-1, "3", 1.5, None])
def test_retries_must_be_a_whole_number_of_zero_or_more(retries: object) -> None:
    with pytest.raises(cg.InvalidCount) as refused:
        cg.Governance(cg.MemoryStore(), retries=retries)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == ("retries", retries)
    gov = cg.Governance(cg.MemoryStore(), retries=0)
    assert gov.retries == 0
    with pytest.raises(cg.InvalidCount):
        gov.retries = retries  # type: ignore[assignment]
    assert gov.retries == 0


class _Logged:
    """A store that wraps another and passes every call through ``__getattr__``."""

    def __init__(self, store: cg.EventStore) -> None:
        self.inner = store
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> object:
        self.calls.append(name)
        return getattr(self.inner, name)


def test_a_store_that_passes_its_calls_through_is_a_store() -> None:
    logged = _Logged(cg.MemoryStore())
    gov = cg.Governance(logged)  # type: ignore[arg-type]
    gov.register_community("c1", "社区", at=_AT_COMMANDS)
    assert gov.community("c1").name == "社区"
    assert {"append", "load"} <= set(logged.calls)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: cg.Governance("not a store"), "store"),  # type: ignore[arg-type]
        (lambda: cg.Governance(cg.MemoryStore), "store"),  # the class, not a store  # type: ignore[arg-type]
        (lambda: cg.Governance(cg.MemoryStore(), calendar="x"), "calendar"),  # type: ignore[arg-type]
        (lambda: cg.Governance(cg.MemoryStore(), codec="x"), "codec"),  # type: ignore[arg-type]
        (lambda: cg.Governance(cg.MemoryStore(), procedures=["x"]), "procedures"),  # type: ignore[list-item]
        (lambda: cg.Governance(cg.MemoryStore(), procedures=None), "procedures"),  # type: ignore[arg-type]
        (lambda: cg.Governance(cg.MemoryStore()).procedure([]), "name"),  # type: ignore[arg-type]
        (lambda: cg.Governance(cg.MemoryStore()).load(int, "c1", "c1"), "cls"),  # type: ignore[type-var]
    ],
)
def test_the_facade_refuses_arguments_it_cannot_use(make: Callable[[], object], field: str) -> None:
    with pytest.raises(cg.WrongType) as refused:
        make()
    assert refused.value.field == field


def test_due_refuses_a_time_without_a_timezone() -> None:
    gov = cg.Governance(cg.MemoryStore())
    for at in (datetime(2026, 3, 2, 9), date(2026, 3, 2)):
        with pytest.raises(cg.NaiveDatetime) as refused:
            gov.due("c1", at=at)  # type: ignore[arg-type]
        assert refused.value.field == "at"


_AT_COMMANDS = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=8)))


def test_a_command_id_on_a_stream_of_another_kind_is_not_found() -> None:
    # The community's own stream is "c1"; a matter called "c1" with the community's command id
    # was replayed as a matter and failed to decode.
    gov = cg.Governance(cg.MemoryStore())
    gov.register_community("c1", "社区", at=_AT_COMMANDS, command_id="k1")
    with pytest.raises(cg.NotFound, match="matter") as other_kind:
        gov.execute(cg.Matter, "c1", "c1", lambda m: m.close(at=_AT_COMMANDS), command_id="k1")
    assert other_kind.value.found == "community"
    with pytest.raises(cg.NotFound):
        gov.execute(cg.Matter, "c1", "c1", lambda m: m.close(at=_AT_COMMANDS))


def _due_matter(due_at: datetime) -> cg.Governance:
    store = cg.MemoryStore()
    store.append(make_request("c1", "s1", due_at=due_at))
    return cg.Governance(store)


def test_due_counts_elapsed_time_whatever_the_zone_of_at() -> None:
    # New York changes to summer time on 2026-03-08: 24 hours from 12:00 the day before is
    # 13:00 there, and an answer must not depend on the zone the same instant is written in.
    gov = _due_matter(datetime(2026, 3, 8, 16, 30, tzinfo=UTC))
    utc = datetime(2026, 3, 7, 17, tzinfo=UTC)
    new_york = utc.astimezone(ZoneInfo("America/New_York"))
    assert new_york == utc
    for at in (utc, new_york):
        assert [s.stream_id for s in gov.due("c1", at=at, within=timedelta(hours=24))] == ["s1"]


def test_due_past_the_first_day_python_holds_finds_nothing() -> None:
    gov = _due_matter(datetime(2026, 3, 8, tzinfo=UTC))
    assert gov.due("c1", at=_AT_COMMANDS, within=timedelta.min) == []
    assert gov.due("c1", at=datetime(1, 1, 3, tzinfo=UTC), within=-timedelta(days=5)) == []
    assert [s.stream_id for s in gov.due("c1", at=_AT_COMMANDS, within=timedelta.max)] == ["s1"]


@pytest.mark.parametrize(
    ("ask", "field"),
    [
        (lambda g: g.due("c1", at=_AT_COMMANDS, within=7), "within"),
        (lambda g: g.feed("c1", after="0"), "after_position"),
        (lambda g: g.feed("c1", limit=None), "limit"),
    ],
)
def test_queries_refuse_arguments_of_the_wrong_type(
    ask: Callable[[cg.Governance], object], field: str
) -> None:
    with pytest.raises(cg.WrongType) as refused:
        ask(cg.Governance(cg.MemoryStore()))
    assert refused.value.field == field


_MICROSECOND = timedelta(microseconds=1)
_DEADLINE = datetime(2026, 3, 8, tzinfo=UTC)
_OFFSETS = st.builds(
    timezone,
    st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda minutes: timedelta(minutes=minutes)),
)


def _microseconds_from_year_1(at: datetime) -> int:
    """``at`` in UTC, as whole microseconds from 0001-01-01 00:00 (negative before it)."""
    offset = at.utcoffset()
    assert offset is not None
    return (at.replace(tzinfo=None) - datetime.min - offset) // _MICROSECOND


@st.composite
def _windows(draw: st.DrawFn) -> tuple[datetime, timedelta]:
    """A time anywhere Python holds, in any offset, and a window: any at all, or one ending
    within a few microseconds of the deadline."""
    at = draw(st.datetimes(timezones=_OFFSETS))
    gap = _microseconds_from_year_1(_DEADLINE) - _microseconds_from_year_1(at)
    near = timedelta(microseconds=gap + draw(st.integers(-2, 2)))
    within = draw(st.one_of(st.timedeltas(), st.just(near)))
    return at, within


@given(_windows())
def test_due_finds_a_deadline_exactly_when_the_window_ends_after_it(
    window: tuple[datetime, timedelta],
) -> None:
    at, within = window
    gov = _due_matter(_DEADLINE)
    ends = _microseconds_from_year_1(at) + within // _MICROSECOND
    expected = ["s1"] if _microseconds_from_year_1(_DEADLINE) < ends else []
    assert [s.stream_id for s in gov.due("c1", at=at, within=within)] == expected


def test_due_at_the_ends_of_the_years_python_holds_counts_the_offset() -> None:
    # In UTC, 0001-01-01 00:00+08:00 lies before the first day Python holds, and 9999-12-31
    # 23:00-08:00 after the last; neither is an overflow of the window.
    gov = _due_matter(_DEADLINE)
    first = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8)))
    last = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-8)))
    assert gov.due("c1", at=first) == []
    assert [s.stream_id for s in gov.due("c1", at=last, within=timedelta(0))] == ["s1"]
    assert [s.stream_id for s in gov.due("c1", at=last, within=-timedelta(days=7))] == ["s1"]


def _with_a_stray_membership(c: cg.Community) -> cg.Decision[cg.Community]:
    """A lawful decision whose community then holds something that is not a membership."""
    registered, events = c.register_person("p9", "王九", at=START)
    return attrs.evolve(registered, memberships=(object(),)), events


def _other_community(gov: cg.Governance) -> cg.Community:
    return gov.register_community("dongcun", "东村", at=START)


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (lambda c, other: None, "value"),
        (lambda c, other: (c,), "value"),
        (lambda c, other: (c, [1]), "list of events"),
        (lambda c, other: ("c", ()), "aggregate"),
        (lambda c, other: other.register_person("p9", "王九", at=START), "aggregate's id"),
        (
            lambda c, other: (raised(matter_id="sanwan").value, raised(matter_id="sanwan").events),
            "aggregate's class",
        ),
        (lambda c, other: (c, c.register_person("p9", "王九", at=START)[1]), "aggregate's version"),
        (lambda c, other: _with_a_stray_membership(c), "aggregate"),
    ],
)
def test_a_command_that_decides_about_something_else_stores_nothing(
    gov: cg.Governance, command: Callable[..., object], field: str
) -> None:
    other = _other_community(gov)
    before = {c: gov.store.read_stream(c, c) for c in ("sanwan", "dongcun")}
    with pytest.raises(cg.MalformedDecision) as refused:
        gov.execute(cg.Community, "sanwan", "sanwan", lambda c: command(c, other))  # type: ignore[arg-type, return-value]
    assert refused.value.field == field
    assert "nothing stored" in str(refused.value)
    assert {c: gov.store.read_stream(c, c) for c in ("sanwan", "dongcun")} == before
    assert gov.verify() == []


def test_a_creation_whose_version_its_events_do_not_reach_is_refused() -> None:
    gov = cg.Governance(cg.MemoryStore())
    registered, events = cg.Community.register("c1", "社区", at=START)
    with pytest.raises(cg.MalformedDecision) as refused:
        gov.create((registered, events + events))
    assert (refused.value.given, refused.value.should_be) == (1, 2)
    assert gov.communities() == []
    gov.register_community("c2", "社区", at=START)
    gov.register_community("c1", "社区", at=START)
    assert gov.communities() == ["c1", "c2"]


def test_a_deadline_at_a_local_midnight_the_clocks_skip_verifies_clean(tmp_path: Path) -> None:
    # Asunción put its clocks forward at midnight on 1 October 2023: the fund's September
    # falls due at a local time that does not exist, stored as its instant in UTC.
    gov = cg.Governance(cg.SQLiteStore(tmp_path / "gap.db"))
    when = datetime(2023, 9, 1, 9, tzinfo=ZoneInfo("America/Asuncion"))
    gov.register_community("c1", "社区", at=when, timezone="America/Asuncion")
    for person in ("wu", "li", "zhou", "luo", "zhang"):
        gov.execute(cg.Community, "c1", "c1", lambda c, p=person: c.register_person(p, p, at=when))
    community = gov.execute(cg.Community, "c1", "c1", lambda c: staffed(c, when))
    matter, plan_decision = adopted(
        cg.AssistancePlan.intake(
            "p1",
            community=community,
            template=cg.FOUR_STAGES,
            beneficiary="zhou",
            referred_by="走访",
            team=[
                cg.TeamMember("wu", cg.TeamRole.BRANCH_SECRETARY),
                cg.TeamMember("li", cg.TeamRole.VOLUNTEER),
            ],
            consent=cg.Consent("zhou", date(2023, 9, 1)),
            at=when,
        ),
        community,
        name="zhou",
        detail="走访",
    )
    gov.create(matter)
    plan = gov.create(plan_decision)
    assert plan.adoption is not None
    opening = plan.adoption.at
    assert (opening.year, opening.month) == (2023, 9)
    fund = gov.create(
        cg.Fund.open(
            "f1",
            plan=plan,
            community=community,
            purpose="义卖",
            custodian="luo",
            bookkeeper="zhang",
            at=opening,
        )
    )
    fund = gov.execute(
        cg.Fund,
        "c1",
        "f1",
        lambda f: f.record_sale(
            cg.Money(100), item="笔", buyer=cg.BuyerType.RESIDENT, by="luo", at=opening
        ),
    )
    due = fund.describe().due_at
    assert due is not None
    assert (due.month, due.day, due.hour) == (10, 1, 0)
    assert gov.verify() == []


def test_an_event_that_cannot_be_written_is_a_malformed_decision() -> None:
    # A command may build its events by hand; one holding a value its field's type cannot be
    # written from is refused before anything is stored.
    gov = cg.Governance(cg.MemoryStore())
    gov.register_community("c1", "社区", at=START)
    gov.execute(cg.Community, "c1", "c1", lambda c: c.register_person("p1", "某", at=START))
    before = gov.history("c1", "c1")
    event = MembershipStarted(
        at=START,
        person_id="p1",
        body=cg.BodyKind.PARTY_COMMITTEE,
        start="2026-01-01",  # type: ignore[arg-type]
        role="",
    )
    with pytest.raises(cg.MalformedDecision) as refused:
        gov.execute(cg.Community, "c1", "c1", lambda c: (c.apply(event), (event,)))
    assert (refused.value.field, refused.value.given) == ("event 1", event)
    assert "cannot be written" in refused.value.because
    assert gov.history("c1", "c1") == before


def test_a_snapshot_from_before_notices_said_what_they_are_about_is_replayed() -> None:
    tracked = tracked_at("closed")
    gov = cg.Governance(cg.MemoryStore())
    gov.register_community("sanwan", "三湾街社区", at=START)
    matter = gov.create((tracked.value, tracked.events))
    (summary,) = gov.summaries("sanwan", kind="matter")
    older = json.loads(summary.snapshot)
    for notice in older["posted"]:
        assert notice.pop("about") == "matter"  # the field this version added
    del older[SHAPE_KEY]  # snapshots named no shape then
    stale = attrs.evolve(summary, snapshot=json.dumps(older))
    assert gov._snapshots.thaw(cg.Matter, stale) is None  # replayed instead
    gov.store._communities["sanwan"].summaries[matter.id] = stale  # type: ignore[attr-defined]
    loaded = gov.matter("sanwan", matter.id)
    assert loaded == matter
    assert {notice.about for notice in loaded.notices()} == {cg.NoticeSubject.MATTER}


@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
def test_creating_over_an_existing_id_is_stream_exists_and_writes_nothing(
    store_kind: str, tmp_path: Path
) -> None:
    store = cg.MemoryStore() if store_kind == "memory" else cg.SQLiteStore(tmp_path / "g.db")
    gov = cg.Governance(store)
    gov.create((community(), tracked_community().events))
    first = _raise(gov)
    stepped = _step(gov)
    before = store.read_all("sanwan", limit=1_000)
    again = raised(matter_id="m1", when=START + timedelta(days=1))
    with pytest.raises(cg.StreamExists) as refused:
        gov.create((again.value, again.events))
    error = refused.value
    assert isinstance(error, cg.ConcurrencyConflict)  # caught where conflicts are caught
    assert (error.kind, error.stream, error.community) == ("matter", "m1", "sanwan")
    assert (error.expected, error.actual) == (0, stepped.version)
    assert str(error).startswith("a matter cannot be created as 'm1' in community 'sanwan'")
    assert store.read_all("sanwan", limit=1_000) == before
    assert gov.matter("sanwan", "m1") == stepped != first
    # a community registered twice is refused the same way
    with pytest.raises(cg.StreamExists) as twice:
        gov.register_community("sanwan", "三湾街社区", at=START)
    assert (twice.value.kind, twice.value.actual) == ("community", gov.community("sanwan").version)


def test_a_matter_on_a_procedure_the_facade_was_not_given_is_refused_and_nothing_stored() -> None:
    store = cg.MemoryStore()
    gov = cg.Governance(store)
    gov.create((community(), tracked_community().events))
    before = store.read_all("sanwan", limit=1_000)
    custom = attrs.evolve(cg.ONE_SOLICITATION_THREE_DELIBERATIONS, name="本社区议事规则")
    stranger = raised(custom)
    with pytest.raises(cg.MalformedDecision, match="give it in procedures=") as refused:
        gov.create((stranger.value, stranger.events))
    assert (refused.value.field, refused.value.given) == ("matter's procedure", "本社区议事规则")
    # the same name with other rules would be read back under the rules given
    impostor = attrs.evolve(
        cg.ONE_SOLICITATION_THREE_DELIBERATIONS, result_publicity=cg.Period.days(30)
    )
    with pytest.raises(cg.MalformedDecision, match="another procedure of that name"):
        gov.create((raised(impostor).value, raised(impostor).events))
    assert store.read_all("sanwan", limit=1_000) == before
    assert [s.stream_id for s in gov.summaries("sanwan")] == ["sanwan"]
    # given the procedure, the facade stores the matter and reads it back
    knowing = cg.Governance(store, procedures=[custom])
    assert knowing.create((stranger.value, stranger.events)) == stranger.value
    assert knowing.matter("sanwan", "m1") == stranger.value


# --- decisions whose events do not make the aggregate ---------------------------------------


def _opened_then_closed(
    m: cg.Matter,
) -> tuple[cg.Matter, tuple[cg.Event, ...], tuple[cg.Event, ...]]:
    """Two commands run one after the other: the matter after both, and each one's events."""
    opened, first = m.open_solicitation(at=START)
    closed, second = opened.close_solicitation(at=opened.solicitation_closes_at)
    return closed, first, second


@pytest.mark.parametrize(
    ("command", "field", "because"),
    [
        pytest.param(
            lambda m, c: (lambda r: (r[0], (*r[2], *r[1])))(_opened_then_closed(m)),
            "list of events",
            "cannot close_solicitation while raised",
            id="two-commands-events-in-the-wrong-order",
        ),
        pytest.param(
            lambda m, c: (
                m.withdraw("重复", by="pc0", community=community(), at=START)[0],
                raised(matter_id="m2").events,
            ),
            "list of events",
            "not a matter event",
            id="another-matters-event",
        ),
        pytest.param(
            lambda m, c: (
                m.withdraw("重复", by="pc0", community=community(), at=START)[0],
                c.register_person("p9", "王九", at=START)[1],
            ),
            "list of events",
            "not a matter event",
            id="a-community-event",
        ),
        pytest.param(
            lambda m, c: (attrs.evolve(m, state=cg.MatterState.CLOSED), ()),
            "aggregate",
            "make another one",
            id="changed-with-no-event",
        ),
        pytest.param(
            lambda m, c: (lambda d: (attrs.evolve(d[0], state=cg.MatterState.CLOSED), d[1]))(
                m.open_solicitation(at=START)
            ),
            "aggregate",
            "make another one",
            id="changed-beyond-its-event",
        ),
    ],
)
def test_a_decision_whose_events_do_not_make_the_aggregate_stores_nothing(
    gov: cg.Governance, command: Callable[..., object], field: str, because: str
) -> None:
    _raise(gov)
    c = gov.community("sanwan")
    before = gov.history("sanwan", "m1")
    with pytest.raises(cg.MalformedDecision) as refused:
        gov.execute(cg.Matter, "sanwan", "m1", lambda m: command(m, c))  # type: ignore[arg-type, return-value]
    assert refused.value.field == field
    assert because in refused.value.because
    assert gov.history("sanwan", "m1") == before
    assert gov.matter("sanwan", "m1") == cg.Matter.replay(before)
    assert gov.verify() == []


def test_events_of_two_commands_in_their_order_are_stored() -> None:
    gov = cg.Governance(cg.MemoryStore())
    gov.create((community(), tracked_community().events))
    _raise(gov)

    def both(m: cg.Matter) -> cg.Decision[cg.Matter]:
        closed, first, second = _opened_then_closed(m)
        return closed, (*first, *second)

    assert gov.execute(cg.Matter, "sanwan", "m1", both).state == "propose"
    assert gov.verify() == []


def _new_with(events: Callable[[tuple[cg.Event, ...]], tuple[cg.Event, ...]]) -> object:
    t = tracked_at("consult")
    return (t.value, events(t.events))


@pytest.mark.parametrize(
    ("decision", "field", "because"),
    [
        pytest.param(
            lambda: _new_with(lambda e: (e[1], e[0], *e[2:])),
            "list of events",
            "starts with the event that creates it",
            id="not-started-by-its-creation",
        ),
        pytest.param(
            lambda: _new_with(lambda e: (e[0], e[0], *e[2:])),
            "list of events",
            "only its first event creates the matter",
            id="created-twice",
        ),
        pytest.param(
            lambda: _new_with(lambda e: (e[0], e[2], e[1], *e[3:])),
            "list of events",
            "events run in time order",
            id="out-of-time-order",
        ),
        pytest.param(
            lambda: (
                attrs.evolve(tracked_at("consult").value, last_at=START),
                tracked_at("consult").events,
            ),
            "aggregate's time of its last event",
            "the time of its last event",
            id="ends-before-its-last-event",
        ),
        pytest.param(
            lambda: (attrs.evolve(raised().value, state=cg.MatterState.CLOSED), raised().events),
            "aggregate",
            "make another one",
            id="one-event-that-makes-another",
        ),
    ],
)
def test_a_new_aggregate_whose_events_cannot_be_its_history_stores_nothing(
    gov: cg.Governance, decision: Callable[[], object], field: str, because: str
) -> None:
    with pytest.raises(cg.MalformedDecision) as refused:
        gov.create(decision())  # type: ignore[arg-type]
    assert refused.value.field == field
    assert because in refused.value.because
    assert gov.summaries("sanwan", kind="matter") == []
    assert gov.verify() == []


def test_a_new_aggregate_whose_events_go_back_in_a_repeated_hour_stores_nothing() -> None:
    # 01:45 of the first pass through the hour New York repeats comes 45 minutes before 01:30
    # of the second; Python, comparing two times of one zone by their clocks, took it as later.
    new_york = ZoneInfo("America/New_York")
    second_pass = datetime(2026, 11, 1, 1, 30, tzinfo=new_york, fold=1)
    first_pass = datetime(2026, 11, 1, 1, 45, tzinfo=new_york)
    c, created = cg.Community.register("ny", "纽约", at=second_pass, timezone="America/New_York")
    c, registered = c.register_person("p", "人", at=second_pass + timedelta(hours=1))
    back = attrs.evolve(registered[0], at=first_pass)
    gov = cg.Governance(cg.MemoryStore())
    with pytest.raises(cg.MalformedDecision) as refused:
        gov.create((attrs.evolve(c, last_at=first_pass), (*created, back)))
    assert "events run in time order" in refused.value.because
    assert gov.communities() == []


def test_a_stream_that_cannot_be_replayed_is_reported_by_verify(gov: cg.Governance) -> None:
    # A new aggregate of several events is not replayed when stored: events of one time in
    # the wrong order get through, and verification names the stream rather than failing.
    t = tracked_at("consult")
    opened, closed = t.events[1], t.events[2]
    shuffled = (t.events[0], attrs.evolve(closed, at=opened.at), opened, *t.events[3:])
    gov.create((t.value, shuffled))
    (problem,) = gov.verify()
    assert (problem.stream_id, problem.version) == ("m1", len(shuffled))
    assert "cannot be replayed" in problem.detail


def test_a_fold_failing_with_a_bare_error_is_a_malformed_decision_and_a_problem() -> None:
    # Resuming a plan that was never suspended fails inside the fold (an IndexError), not with
    # a rule's error: execute refuses it all the same, and verify reports a stored one.
    from communitygov.assistance.events import PlanResumed
    from communitygov.demo import run

    store = cg.MemoryStore()
    run(io.StringIO(), store=store)
    gov = cg.Governance(store)
    before = gov.history("sanwan", "fule-1")

    def resumed(plan: cg.AssistancePlan) -> cg.Decision[cg.AssistancePlan]:
        event = PlanResumed(at=plan.last_at, reason="出院", shift_days=1)
        return attrs.evolve(plan, version=plan.version + 1), (event,)

    with pytest.raises(cg.MalformedDecision, match="out of range"):
        gov.execute(cg.AssistancePlan, "sanwan", "fule-1", resumed)  # type: ignore[arg-type]
    assert gov.history("sanwan", "fule-1") == before
    opened = attrs.evolve(before[0], plan_id="fule-2")
    fresh = cg.AssistancePlan.replay([opened])
    event = PlanResumed(at=opened.at, reason="出院", shift_days=1)
    gov.create((attrs.evolve(fresh, version=2), (opened, event)))  # several events: its shape
    (problem,) = gov.verify("sanwan")
    assert problem.stream_id == "fule-2"
    assert "IndexError" in problem.detail


def test_a_new_aggregate_whose_creating_event_starts_another_is_refused(gov: cg.Governance) -> None:
    t = tracked_at("consult")
    other = attrs.evolve(raised(matter_id="m2").events[0], at=t.events[0].at)
    with pytest.raises(cg.MalformedDecision) as refused:
        gov.create((t.value, (other, *t.events[1:])))
    assert (refused.value.given, refused.value.should_be) == (("m1", "sanwan"), ("m2", "sanwan"))
    assert gov.summaries("sanwan", kind="matter") == []


def test_the_facade_closes_its_store_at_the_end_of_a_with_block(any_store: cg.EventStore) -> None:
    with cg.Governance(any_store) as gov:
        gov.register_community("c1", "社区", at=START)
        assert gov.community("c1").name == "社区"
    with pytest.raises(cg.StoreUnavailable):
        gov.community("c1")
    with pytest.raises(cg.StoreUnavailable):
        any_store.communities()


def test_a_matter_on_a_procedure_not_given_is_an_unknown_procedure_not_damage() -> None:
    own = attrs.evolve(cg.ONE_SOLICITATION_THREE_DELIBERATIONS, name="my-variant")
    store = cg.MemoryStore()
    gov = cg.Governance(store, procedures=[*cg.PROCEDURES.values(), own])
    gov.create((community(), tracked_community().events))
    t = raised(own)
    gov.create((t.value, t.events))
    for load in (
        lambda: cg.Governance(store).matter(community().id, "m1"),
        lambda: cg.Matter.replay(t.events),
    ):
        with pytest.raises(cg.UnknownProcedure) as refused:
            load()
        assert isinstance(refused.value, cg.DecodeError)
        assert refused.value.procedure == "my-variant"
        assert refused.value.known == tuple(sorted(cg.PROCEDURES))
        assert "give it to Governance(procedures=…)" in str(refused.value)
    assert refused.value.matter is None  # a replay does not know the stream
    # Another procedure given alone, or under the stored name: not the one the matter follows.
    for context in (cg.FOUR_DELIBERATIONS, {"my-variant": cg.FOUR_DELIBERATIONS}):
        with pytest.raises(cg.UnknownProcedure) as refused:
            cg.Matter.replay(t.events, context)
        assert refused.value.known == ("dengzhou-siyi-liang-gongkai",)
    # Loaded by replay (no usable snapshot), the error names the matter too.
    with pytest.raises(cg.UnknownProcedure) as refused:
        cg.Governance(store)._replayed(cg.Matter, community().id, "m1")
    assert refused.value.matter == "m1"
    with pytest.raises(cg.UnknownProcedure) as refused:
        cg.Governance(store).matter(community().id, "m1")
    assert refused.value.matter == "m1"
    assert str(refused.value).startswith("matter 'm1' follows procedure 'my-variant', which")
