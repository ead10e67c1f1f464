"""The store conformance kit: the behaviour every storage adapter must show, as pytest tests.

Subclass :class:`StoreContract` in your own test module, name the subclass so pytest collects
it, and implement the one hook, :meth:`StoreContract.make_store`::

    from communitygov.testing.conformance import StoreContract

    class TestMyStore(StoreContract):
        def make_store(self, name: str) -> EventStore:
            return MyStore(database=name)

Every test then runs against your adapter. The kit needs pytest and Hypothesis (the
``testing`` extra: ``pip install 'communitygov[testing]'``); without them, importing it raises
:class:`~communitygov.errors.MissingExtra`. The store must be safe to share between threads:
several tests write to one store from several threads at once.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import attrs

from communitygov.errors import (
    ConcurrencyConflict,
    DecodeError,
    MissingExtra,
    NaiveDatetime,
    NotFound,
    StoreUnavailable,
)

try:
    import pytest
except ImportError as exc:  # pragma: no cover - exercised by the wheel tests without extras
    raise MissingExtra("the store conformance kit", "testing") from exc
from communitygov.governance import Governance
from communitygov.storage.integrity import GENESIS, verify
from communitygov.storage.protocol import EventStore
from communitygov.storage.records import AppendRequest, NewEvent, RecordedEvent
from communitygov.testing.append_requests import START, make_request
from communitygov.testing.store_model import check_against_model

__all__ = ["StoreContract", "make_request"]


def _require_conflict(
    conflict: ConcurrencyConflict, community: str, stream: str, expected: int, actual: int
) -> None:
    """Fail, naming what differs, unless ``conflict`` carries these facts."""
    got = (conflict.community, conflict.stream, conflict.expected, conflict.actual)
    if got != (community, stream, expected, actual):
        pytest.fail(
            f"the ConcurrencyConflict carries community={conflict.community!r}, "
            f"stream={conflict.stream!r}, expected={conflict.expected!r}, "
            f"actual={conflict.actual!r}; it should carry community={community!r}, "
            f"stream={stream!r}, expected={expected!r}, actual={actual!r} (the request's "
            "community and stream, its expected version and the stream's version)"
        )


def _next(store: EventStore, community_id: str, stream_id: str, **options: object) -> AppendRequest:
    """The next well-chained append to an existing stream."""
    recorded = store.read_stream(community_id, stream_id)
    version = recorded[-1].version if recorded else 0
    previous = recorded[-1].hash if recorded else GENESIS
    return make_request(
        community_id,
        stream_id,
        expected=version,
        previous_hash=previous,
        **options,  # type: ignore[arg-type]
    )


class StoreContract:
    """The behaviour every :class:`~communitygov.storage.protocol.EventStore` must show.

    Implement :meth:`make_store`; everything else is inherited.
    """

    reopens: bool = True
    """Whether a store's records outlive it: ``False`` for one that keeps them in its own
    memory, whose name then opens a fresh, empty store after the first was closed."""

    def make_store(self, name: str) -> EventStore:
        """Open the store called ``name``: a fresh, empty one the first time; the same records
        when opened again with the same name after the first was closed (unless
        :attr:`reopens` is false)."""
        raise NotImplementedError("implement make_store(name) in your StoreContract subclass")

    @pytest.fixture
    def store(self, request: pytest.FixtureRequest) -> Iterator[EventStore]:
        """A fresh store for one test, closed afterwards."""
        store = self.make_store(_name(request))
        yield store
        store.close()

    # --- appending and reading ---------------------------------------------------------

    def test_append_then_read_the_stream(self, store: EventStore) -> None:
        request = make_request("c1", "s1", count=3)
        result = store.append(request)
        assert (result.version, result.first_position, result.last_position) == (3, 1, 3)
        assert not result.duplicate
        events = store.read_stream("c1", "s1")
        assert [e.version for e in events] == [1, 2, 3]
        assert [(e.type, e.data, e.at, e.hash) for e in events] == [
            (n.type, n.data, n.at, n.hash) for n in request.events
        ]
        assert [e.version for e in store.read_stream("c1", "s1", after_version=1)] == [2, 3]

    def test_times_and_text_come_back_exactly(self, store: EventStore) -> None:
        request = make_request(
            "c1", "s1", start=datetime(2025, 9, 26, 23, 59, 59, 123456, START.tzinfo)
        )
        store.append(request)
        (event,) = store.read_stream("c1", "s1")
        assert event.at == request.events[0].at
        assert event.at.isoformat() == request.events[0].at.isoformat()
        assert event.data == request.events[0].data

    def test_a_wrong_expected_version_conflicts_and_writes_nothing(self, store: EventStore) -> None:
        store.append(make_request("c1", "s1", count=2))
        stale = make_request("c1", "s1", expected=1)
        with pytest.raises(ConcurrencyConflict) as conflict:
            store.append(stale)
        _require_conflict(conflict.value, "c1", "s1", expected=1, actual=2)
        assert [e.version for e in store.read_stream("c1", "s1")] == [1, 2]
        loaded = store.load("c1", "s1")
        assert loaded is not None
        assert loaded[0].version == 2

    def test_a_new_stream_that_exists_conflicts(self, store: EventStore) -> None:
        store.append(make_request("c1", "s1"))
        with pytest.raises(ConcurrencyConflict) as conflict:
            store.append(make_request("c1", "s1"))
        _require_conflict(conflict.value, "c1", "s1", expected=0, actual=1)

    def test_a_conflict_names_the_community_of_its_stream(self, store: EventStore) -> None:
        # A stream's id is unique only within its community: the same id in two communities.
        store.append(make_request("c1", "s1", count=3))
        store.append(make_request("c2", "s1"))
        with pytest.raises(ConcurrencyConflict) as conflict:
            store.append(make_request("c2", "s1", expected=3))
        _require_conflict(conflict.value, "c2", "s1", expected=3, actual=1)
        with pytest.raises(ConcurrencyConflict) as conflict:
            store.append_many([make_request("c2", "fresh"), make_request("c1", "s1", expected=1)])
        _require_conflict(conflict.value, "c1", "s1", expected=1, actual=3)
        assert store.read_stream("c2", "fresh") == []

    def test_a_batch_is_all_or_nothing(self, store: EventStore) -> None:
        store.append(make_request("c1", "taken"))
        with pytest.raises(ConcurrencyConflict) as conflict:
            store.append_many([make_request("c1", "fresh", count=2), make_request("c1", "taken")])
        _require_conflict(conflict.value, "c1", "taken", expected=0, actual=1)
        assert store.read_stream("c1", "fresh") == []
        assert store.load("c1", "fresh") is None
        assert [e.position for e in store.read_all("c1")] == [1]

    @pytest.mark.parametrize("size", [2, 70])
    def test_each_request_in_a_call_is_checked_against_the_ones_before_it(
        self, store: EventStore, size: int
    ) -> None:
        # Two requests for one stream in a call: the second must expect the version the first
        # leaves (70 takes a store's bulk path, if it has one).
        others = [make_request("c1", f"other-{n}") for n in range(size - 2)]
        first = make_request("c1", "s1", count=2)
        with pytest.raises(ConcurrencyConflict) as conflict:
            store.append_many([first, *others, make_request("c1", "s1")])
        _require_conflict(conflict.value, "c1", "s1", expected=0, actual=2)
        assert store.read_all("c1") == []
        assert store.summaries("c1") == []
        following = make_request("c1", "s1", expected=2, previous_hash=first.events[-1].hash)
        results = store.append_many([first, *others, following])
        assert (results[-1].version, results[-1].last_position) == (3, size + 1)
        assert [e.version for e in store.read_stream("c1", "s1")] == [1, 2, 3]
        assert verify(store, "c1") == []

    def test_append_many_stores_every_batch(self, store: EventStore) -> None:
        results = store.append_many([make_request("c1", f"s{i}", count=2) for i in range(5)])
        assert [r.version for r in results] == [2] * 5
        assert [e.position for e in store.read_all("c1")] == list(range(1, 11))

    # --- the total order ---------------------------------------------------------------

    def test_positions_are_one_gap_free_order_per_community(self, store: EventStore) -> None:
        for round_ in range(3):
            for stream in ("a", "b"):
                store.append(_next(store, "c1", stream, count=round_ + 1))
        positions = [e.position for e in store.read_all("c1")]
        assert positions == list(range(1, 13))
        page = store.read_all("c1", after_position=4, limit=3)
        assert [e.position for e in page] == [5, 6, 7]
        assert store.read_all("c1", after_position=12) == []
        assert store.read_all("c1", limit=0) == []
        assert store.read_all("c1", after_position=4, limit=-1) == []

    def test_reads_after_a_negative_position_or_version_start_at_the_beginning(
        self, store: EventStore
    ) -> None:
        store.append(_next(store, "c1", "s1", count=3))
        everything = store.read_all("c1")
        assert store.read_all("c1", after_position=-2) == everything
        assert store.read_all("c1", after_position=-2, limit=2) == everything[:2]
        assert store.read_stream("c1", "s1", after_version=-1) == everything

    def test_every_page_and_every_stream_suffix_is_exact(self, store: EventStore) -> None:
        # Batches of different sizes, interleaved: every page boundary, inside a batch or
        # between two, and every version boundary of a stream is tried.
        for round_ in range(3):
            for stream in ("a", "b"):
                store.append(_next(store, "c1", stream, count=round_ + 1))
        everything = store.read_all("c1")
        for after in range(len(everything) + 1):
            for limit in range(1, len(everything) + 2 - after):
                page = store.read_all("c1", after_position=after, limit=limit)
                assert page == everything[after : after + limit], (after, limit)
        for stream in ("a", "b"):
            versions = store.read_stream("c1", stream)
            for after in range(len(versions) + 1):
                assert store.read_stream("c1", stream, after_version=after) == versions[after:]

    def test_no_late_gaps_under_concurrent_writers(self, store: EventStore) -> None:
        writers, batches = 4, 15
        stop = threading.Event()
        seen_problems: list[str] = []

        def write(stream: str) -> None:
            try:
                for _ in range(batches):
                    store.append(_next(store, "c1", stream, count=2))
            except Exception as exc:  # a failed write must fail the test, not end a thread
                seen_problems.append(f"a write to {stream!r} failed: {exc!r}")

        def read() -> None:
            known: dict[int, str] = {}
            while not stop.is_set():
                try:
                    events = store.read_all("c1", limit=10_000)
                except Exception as exc:  # a failed read must fail the test, not pass it
                    seen_problems.append(f"a read failed: {exc!r}")
                    return
                high = max(known, default=0)
                for event in events:
                    key = f"{event.stream_id}:{event.version}"
                    if event.position <= high and known.get(event.position) != key:
                        seen_problems.append(
                            f"position {event.position} ({key}) appeared after a read had "
                            f"seen position {high}: positions must be given in the order "
                            "appends commit (serialise writers)"
                        )
                    known[event.position] = key

        reader = threading.Thread(target=read)
        reader.start()
        threads = [threading.Thread(target=write, args=(f"w{i}",)) for i in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stop.set()
        reader.join()
        assert seen_problems == []
        events = store.read_all("c1", limit=10_000)
        assert [e.position for e in events] == list(range(1, writers * batches * 2 + 1))

    def test_racing_writers_on_one_stream_have_one_winner_per_version(
        self, store: EventStore
    ) -> None:
        store.append(make_request("c1", "s1"))
        outcomes: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(4)

        def race() -> None:
            request = _next(store, "c1", "s1")
            barrier.wait()
            try:
                store.append(request)
                outcome = "won"
            except ConcurrencyConflict:
                outcome = "lost"
            except Exception as exc:  # anything else must show in the assertion
                outcome = f"failed: {exc!r}"
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=race) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["lost", "lost", "lost", "won"]
        assert [e.version for e in store.read_stream("c1", "s1")] == [1, 2]

    # --- idempotent commands -----------------------------------------------------------

    def test_a_command_id_is_stored_once(self, store: EventStore) -> None:
        first = store.append(make_request("c1", "s1", count=2, command_id="cmd-1"))
        again = store.append(make_request("c1", "s1", count=2, command_id="cmd-1"))
        assert again.duplicate
        assert (again.version, again.first_position, again.last_position) == (
            first.version,
            first.first_position,
            first.last_position,
        )
        assert len(store.read_all("c1")) == 2
        found = store.command_result("c1", "cmd-1")
        assert found is not None
        assert found.version == 2
        assert store.command_result("c1", "cmd-2") is None

    @pytest.mark.parametrize("size", [2, 70])
    def test_a_command_id_repeated_within_one_call_is_stored_once(
        self, store: EventStore, size: int
    ) -> None:
        # A retried command can sit in the same batch of appends as its first try (70 takes
        # a store's bulk path, if it has one): the second is a duplicate, as it would be in a
        # later call, and stores nothing.
        requests = [make_request("c1", f"s{n}", command_id=f"cmd-{n}") for n in range(size - 1)]
        requests.append(make_request("c1", "retry", command_id="cmd-0"))
        results = store.append_many(requests)
        again = results[-1]
        assert again.duplicate
        assert not any(result.duplicate for result in results[:-1])
        assert attrs.evolve(again, duplicate=False) == results[0]
        assert [e.stream_id for e in store.read_all("c1")] == [f"s{n}" for n in range(size - 1)]
        assert "retry" not in {summary.stream_id for summary in store.summaries("c1")}
        found = store.command_result("c1", "cmd-0")
        assert found is not None
        assert found.stream_id == "s0"

    @pytest.mark.parametrize("size", [2, 70])
    def test_a_retry_alone_on_its_stream_leaves_the_stream_as_it_was(
        self, store: EventStore, size: int
    ) -> None:
        # A command stored earlier, retried in a batch of appends that touches its stream no
        # other way: the stream, its summary and its load are as they were.
        store.append(make_request("c1", "s0", count=2, command_id="cmd-0"))
        before = store.load("c1", "s0")
        requests = [make_request("c1", "s0", count=2, command_id="cmd-0")]
        requests += [make_request("c1", f"new-{n}") for n in range(size - 1)]
        results = store.append_many(requests)
        assert results[0].duplicate
        assert store.load("c1", "s0") == before
        assert "s0" in {summary.stream_id for summary in store.summaries("c1")}
        assert len(store.read_all("c1", 0, 1_000)) == 2 + (size - 1)

    # --- summaries ---------------------------------------------------------------------

    def test_summaries_move_with_their_events(self, store: EventStore) -> None:
        due = START + timedelta(days=3)
        store.append(make_request("c1", "m1", state="soliciting", due_at=due))
        store.append(make_request("c1", "m2", state="closed"))
        store.append(make_request("c1", "p1", kind="plan", state="intake"))
        loaded = store.load("c1", "m1")
        assert loaded is not None
        summary, later = loaded
        assert (summary.kind, summary.version, summary.state, later) == (
            "matter",
            1,
            "soliciting",
            [],
        )
        assert summary.due_at == due
        # A summary's times come back as the same instants, in UTC (SQL columns keep no offset).
        assert summary.due_at.utcoffset() == summary.updated_at.utcoffset() == timedelta(0)
        assert summary.updated_at == START + timedelta(minutes=1)
        store.append(_next(store, "c1", "m1", state="consult"))
        loaded = store.load("c1", "m1")
        assert loaded is not None
        assert (loaded[0].version, loaded[0].state) == (2, "consult")
        assert loaded[0].last_hash == store.read_stream("c1", "m1")[-1].hash
        matters = store.summaries("c1", kind="matter")
        assert [s.stream_id for s in matters] == ["m1", "m2"]
        assert [s.stream_id for s in store.summaries("c1", state="closed")] == ["m2"]

    def test_deadline_queries_order_by_due_time(self, store: EventStore) -> None:
        for stream, days in (("late", 9), ("soon", 2), ("sooner", 1), ("none", None)):
            due_at = START + timedelta(days=days) if days is not None else None
            store.append(make_request("c1", stream, due_at=due_at))
        due = store.summaries("c1", due_before=START + timedelta(days=7))
        assert [s.stream_id for s in due] == ["sooner", "soon"]
        assert all(s.due_at is not None for s in due)
        for naive in (datetime(2026, 3, 9), (START + timedelta(days=7)).date()):
            with pytest.raises(NaiveDatetime):
                store.summaries("c1", due_before=naive)  # type: ignore[arg-type]

    def test_deadline_queries_take_deadlines_strictly_before_and_ties_by_stream(
        self, store: EventStore
    ) -> None:
        at = START + timedelta(days=2)
        for stream in ("t3", "t1", "t2"):  # written out of order, due at one instant
            store.append(make_request("c1", stream, due_at=at))
        assert store.summaries("c1", due_before=at) == []
        due = store.summaries("c1", due_before=at + timedelta(microseconds=1))
        assert [s.stream_id for s in due] == ["t1", "t2", "t3"]

    def test_summaries_come_in_the_order_of_their_stream_ids(self, store: EventStore) -> None:
        for stream in ("z", "a", "m"):
            store.append(make_request("c1", stream))
        assert [s.stream_id for s in store.summaries("c1")] == ["a", "m", "z"]

    # --- tenancy -----------------------------------------------------------------------

    def test_one_community_never_sees_another(self, store: EventStore) -> None:
        store.append(make_request("alpha", "s1", count=2, command_id="same"))
        store.append(make_request("beta", "s2", command_id="same"))
        assert store.read_stream("beta", "s1") == []
        assert store.load("beta", "s1") is None
        assert [e.stream_id for e in store.read_all("beta")] == ["s2"]
        assert [s.stream_id for s in store.summaries("beta")] == ["s2"]
        assert [e.position for e in store.read_all("beta")] == [1]
        beta = store.command_result("beta", "same")
        assert beta is not None
        assert beta.stream_id == "s2"
        assert store.communities() == ["alpha", "beta"]

    # --- not found, decoding, integrity ------------------------------------------------

    def test_unknown_streams_are_absent(self, store: EventStore) -> None:
        assert store.load("c1", "nothing") is None
        assert store.read_stream("c1", "nothing") == []
        assert store.read_all("c1") == []
        with pytest.raises(NotFound):
            Governance(store).history("c1", "nothing")

    def test_an_event_type_the_code_does_not_know_is_a_decode_error(
        self, store: EventStore
    ) -> None:
        store.append(make_request("c1", "s1", type_name="retired.event_type"))
        with pytest.raises(DecodeError) as caught:
            Governance(store).history("c1", "s1")
        assert caught.value.event_type == "retired.event_type"

    def test_verification_passes_intact_streams_and_names_a_broken_one(
        self, store: EventStore
    ) -> None:
        store.append(make_request("c1", "good", count=3))
        assert verify(store) == []
        broken = make_request("c1", "bad", count=3)
        forged = broken.events[1]
        events = (broken.events[0], NewEvent(forged.type, 1, '{"n":99}', forged.at, forged.hash))
        store.append(
            AppendRequest(
                broken.community_id,
                broken.stream_id,
                broken.kind,
                0,
                (*events, broken.events[2]),
                broken.summary,
            )
        )
        problems = verify(store, "c1")
        assert [(p.stream_id, p.version) for p in problems] == [("bad", 2)]

    def test_verification_checks_each_chain_ends_where_its_summary_does(
        self, store: EventStore
    ) -> None:
        # A summary kept as given: the one stored with the last events is the chain's witness.
        request = make_request("c1", "s1", count=2)
        store.append(
            attrs.evolve(request, summary=attrs.evolve(request.summary, last_hash="f" * 64))
        )
        assert [(p.stream_id, p.version) for p in verify(store, "c1")] == [("s1", 2)]

    # --- everything at once ------------------------------------------------------------

    def test_every_answer_matches_the_reference_model(self, store: EventStore) -> None:
        """Random appends (single and several per call, conflicting, repeated command ids,
        empty batches, deadlines in several offsets), each followed by every read compared
        with :class:`~communitygov.testing.store_model.StoreModel`'s answer."""
        check_against_model(store)

    # --- persistence -------------------------------------------------------------------

    def test_a_closed_store_refuses_reads_and_writes(self, request: pytest.FixtureRequest) -> None:
        store = self.make_store(_name(request))
        store.append(make_request("c1", "s1"))
        store.close()
        uses: dict[str, Callable[[], object]] = {
            "append": lambda: store.append(make_request("c1", "s2")),
            "append_many": lambda: store.append_many([make_request("c1", "s3")]),
            "read_stream": lambda: store.read_stream("c1", "s1"),
            "read_all": lambda: store.read_all("c1"),
            "load": lambda: store.load("c1", "s1"),
            "summaries": lambda: store.summaries("c1"),
            "command_result": lambda: store.command_result("c1", "cmd"),
            "communities": lambda: store.communities(),
        }
        for method, use in uses.items():
            try:
                use()
            except StoreUnavailable:
                continue
            except Exception as exc:  # named below, with the method that raised it
                pytest.fail(f"{method}() on a closed store raised {exc!r}, not StoreUnavailable")
            pytest.fail(f"{method}() on a closed store did not raise StoreUnavailable")

    def test_records_survive_closing_and_reopening(self, request: pytest.FixtureRequest) -> None:
        name = _name(request)
        store = self.make_store(name)
        due = START + timedelta(days=3)
        try:
            store.append(make_request("c1", "s1", count=2, command_id="cmd"))
            store.append(make_request("c1", "s2", state="soliciting", due_at=due))
            summaries = store.summaries("c1")
        finally:
            store.close()
        reopened = self.make_store(name)
        try:
            events: list[RecordedEvent] = reopened.read_stream("c1", "s1")
            if not self.reopens:
                assert (events, reopened.communities()) == ([], [])
                return
            assert [e.version for e in events] == [1, 2]
            assert reopened.summaries("c1") == summaries  # every field of every summary
            soon = reopened.summaries("c1", due_before=due + timedelta(days=1))
            assert [s.stream_id for s in soon] == ["s2"]
            assert reopened.command_result("c1", "cmd") is not None
            assert verify(reopened) == []
            reopened.append(_next(reopened, "c1", "s1"))
            assert reopened.read_all("c1")[-1].position == 4
        finally:
            reopened.close()


def _name(request: pytest.FixtureRequest) -> str:
    """A store name unique to the test: 43 characters at most, of letters, digits and
    underscores (safe as a file, schema or database name)."""
    readable = re.sub(r"[^A-Za-z0-9_]", "_", request.node.name)[:30]
    unique = hashlib.sha256(f"{request.node.nodeid}:{id(request)}".encode()).hexdigest()[:12]
    return f"{readable}_{unique}"
