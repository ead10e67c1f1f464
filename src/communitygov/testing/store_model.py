"""A reference model of the store protocol, and a Hypothesis state machine holding an adapter
to it.

The model keeps in plain dictionaries what any store must answer: each community's events in
position order, each stream's version, summary and last hash, and each stored command id's
result. :func:`check_against_model` drives an adapter with random appends (single and
several per call; right and wrong expected versions; repeated command ids; events of zero to
three; deadlines in several offsets) and, after every step, asks it everything a reader can
ask, comparing each answer with the model's. A refused append must leave the store exactly as
it was. The conformance kit runs it as
``StoreContract.test_every_answer_matches_the_reference_model``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import attrs

from communitygov.errors import ConcurrencyConflict, MissingExtra

try:
    import pytest
    from hypothesis import HealthCheck, settings
    from hypothesis import strategies as st
    from hypothesis.stateful import (
        RuleBasedStateMachine,
        invariant,
        rule,
        run_state_machine_as_test,
    )
except ImportError as exc:  # pragma: no cover - exercised by the wheel tests without extras
    raise MissingExtra("the store conformance kit", "testing") from exc

from communitygov.storage.integrity import GENESIS, verify
from communitygov.storage.protocol import EventStore
from communitygov.storage.records import AppendRequest, AppendResult, RecordedEvent, Summary
from communitygov.testing.append_requests import make_request

__all__ = ["StoreModel", "check_against_model"]

_STREAMS = {"s1": "matter", "s2": "matter", "流3": "plan"}
"""The streams of each community in a run, and their kinds (a stream keeps its kind)."""
_COMMANDS = ("c1", "c2", "c3")
_ZONES = (UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30)))
_T0 = datetime(2026, 3, 2, 9, 0)


@attrs.define
class _Community:
    """What the model holds for one community."""

    events: list[RecordedEvent] = attrs.Factory(list)
    summaries: dict[str, Summary] = attrs.Factory(dict)
    commands: dict[str, AppendResult] = attrs.Factory(dict)
    """What each command id's append stored (its first result, as ``command_result`` gives it)."""

    def copy(self) -> _Community:
        return _Community(list(self.events), dict(self.summaries), dict(self.commands))

    def version(self, stream_id: str) -> int:
        summary = self.summaries.get(stream_id)
        return summary.version if summary is not None else 0


class StoreModel:
    """The answers the store protocol promises, kept in plain dictionaries."""

    def __init__(self) -> None:
        self.communities: dict[str, _Community] = {}

    def community(self, community_id: str) -> _Community:
        """What the model holds for ``community_id`` (nothing yet, for a new one)."""
        return self.communities.get(community_id, _Community())

    def append_many(self, requests: Sequence[AppendRequest]) -> list[AppendResult]:
        """Apply ``requests`` in order, all or nothing, each checked against the ones before it.

        Raises:
            ConcurrencyConflict: a request's stream is not at its expected version (a request
                carrying a command id already stored is answered with its first result first).
        """
        staged: dict[str, _Community] = {}
        results = []
        for request in requests:
            if request.community_id not in staged:
                staged[request.community_id] = self.community(request.community_id).copy()
            results.append(_apply(staged[request.community_id], request))
        self.communities.update(staged)
        return results


def _apply(community: _Community, request: AppendRequest) -> AppendResult:
    command = request.command_id
    if command is not None and command in community.commands:
        return attrs.evolve(community.commands[command], duplicate=True)
    current = community.version(request.stream_id)
    if current != request.expected_version:
        raise ConcurrencyConflict(
            request.stream_id, request.expected_version, current, community=request.community_id
        )
    last = community.events[-1].position if community.events else 0
    count = len(request.events)
    for offset, new in enumerate(request.events, 1):
        community.events.append(
            RecordedEvent(
                community_id=request.community_id,
                stream_id=request.stream_id,
                version=current + offset,
                position=last + offset,
                type=new.type,
                schema_version=new.schema_version,
                data=new.data,
                at=new.at,
                hash=new.hash,
            )
        )
    community.summaries[request.stream_id] = request.summary
    result = AppendResult(
        request.community_id, request.stream_id, current + count, last + 1, last + count
    )
    if command is not None:
        community.commands[command] = result
    return result


@attrs.frozen
class _Append:
    """One append as the machine draws it; the request is built against the model's state."""

    community: str
    stream: str
    count: int
    off_by: int
    """Added to the stream's version for the expected version (0: the right one)."""
    command: str | None
    state: str
    due_in: int | None
    """The deadline, in hours after the events' start, if any."""
    zone: timezone


_APPENDS = st.builds(
    _Append,
    community=st.sampled_from("ab"),
    stream=st.sampled_from(sorted(_STREAMS)),
    count=st.integers(0, 3),
    off_by=st.sampled_from((0, 0, 0, 0, -1, 1, 2)),
    command=st.none() | st.sampled_from(_COMMANDS),
    state=st.sampled_from(("open", "closed")),
    due_in=st.none() | st.integers(-2, 4),
    zone=st.sampled_from(_ZONES),
)


class _Machine(RuleBasedStateMachine):
    """Appends drawn at random to one adapter and to the model, and every read compared."""

    store: EventStore

    def __init__(self) -> None:
        super().__init__()
        self.model = StoreModel()
        run = uuid.uuid4().hex[:12]  # the store outlives a run: each run has communities of its own
        self.ids = {letter: f"model-{run}-{letter}" for letter in "ab"}

    def _request(self, wanted: _Append, staged: StoreModel) -> AppendRequest:
        community_id = self.ids[wanted.community]
        community = staged.community(community_id)
        summary = community.summaries.get(wanted.stream)
        start = _T0.replace(tzinfo=wanted.zone)
        return make_request(
            community_id,
            wanted.stream,
            expected=max(community.version(wanted.stream) + wanted.off_by, 0),
            count=wanted.count,
            previous_hash=summary.last_hash if summary is not None else GENESIS,
            command_id=wanted.command,
            kind=_STREAMS[wanted.stream],
            state=wanted.state,
            due_at=start + timedelta(hours=wanted.due_in) if wanted.due_in is not None else None,
            start=start,
        )

    def _append(self, requests: list[AppendRequest], one: bool) -> None:
        try:
            expected = self.model.append_many(requests)
        except ConcurrencyConflict as conflict:
            self._refused(requests, one, conflict)
            return
        got = [self.store.append(requests[0])] if one else self.store.append_many(requests)
        assert got == expected, f"the store answered {got!r}; the model {expected!r}"

    def _refused(
        self, requests: list[AppendRequest], one: bool, conflict: ConcurrencyConflict
    ) -> None:
        """The store refuses ``requests`` with the model's conflict and keeps what it held."""
        before = self._everything()
        with pytest.raises(ConcurrencyConflict) as refused:
            self.store.append(requests[0]) if one else self.store.append_many(requests)
        error = refused.value
        got = (error.community, error.stream, error.expected, error.actual)
        assert got == (conflict.community, conflict.stream, conflict.expected, conflict.actual), (
            f"the store's conflict (community, stream, expected, actual) is {got!r}; the "
            f"model's: {conflict}"
        )
        assert self._everything() == before, "a refused append changed the store"

    @rule(wanted=_APPENDS)
    def append(self, wanted: _Append) -> None:
        self._append([self._request(wanted, self.model)], one=True)

    @rule(wanted=st.lists(_APPENDS, min_size=1, max_size=5))
    def append_many(self, wanted: list[_Append]) -> None:
        # Each request is built against the ones before it, as a bulk import's would be.
        staged = StoreModel()
        staged.communities = {key: value.copy() for key, value in self.model.communities.items()}
        requests = []
        for each in wanted:
            request = self._request(each, staged)
            requests.append(request)
            with contextlib.suppress(ConcurrencyConflict):  # the call will be refused
                staged.append_many([request])
        self._append(requests, one=False)

    @rule(
        community=st.sampled_from("ab"),
        after=st.integers(-1, 12),
        limit=st.integers(-1, 12),
    )
    def read_a_page(self, community: str, after: int, limit: int) -> None:
        community_id = self.ids[community]
        events = self.model.community(community_id).events
        expected = [e for e in events if e.position > after][: max(limit, 0)]
        _same_events(self.store.read_all(community_id, after, limit), expected)

    @rule(
        community=st.sampled_from("ab"),
        stream=st.sampled_from(sorted(_STREAMS)),
        after=st.integers(-1, 6),
    )
    def read_a_stream(self, community: str, stream: str, after: int) -> None:
        community_id = self.ids[community]
        events = self.model.community(community_id).events
        expected = [e for e in events if e.stream_id == stream and e.version > after]
        _same_events(self.store.read_stream(community_id, stream, after), expected)

    @rule(
        community=st.sampled_from("ab"),
        kind=st.none() | st.sampled_from(("matter", "plan")),
        state=st.none() | st.sampled_from(("open", "closed")),
        due_in=st.none() | st.integers(-3, 5),
    )
    def query_summaries(
        self, community: str, kind: str | None, state: str | None, due_in: int | None
    ) -> None:
        community_id = self.ids[community]
        due_before = None if due_in is None else _T0.replace(tzinfo=UTC) + timedelta(hours=due_in)
        found = self.store.summaries(community_id, kind=kind, state=state, due_before=due_before)
        held = self.model.community(community_id).summaries
        expected = [
            held[stream]
            for stream in sorted(held)
            if (kind is None or held[stream].kind == kind)
            and (state is None or held[stream].state == state)
        ]
        if due_before is not None:
            expected = sorted(
                (s for s in expected if s.due_at is not None and s.due_at < due_before),
                key=lambda s: (s.due_at, s.stream_id),
            )
        _same_summaries(found, expected)

    @invariant()
    def every_stream_and_command_answers_as_the_model(self) -> None:
        for community_id in self.ids.values():
            held = self.model.community(community_id)
            _same_events(self.store.read_all(community_id), held.events)
            for stream in _STREAMS:
                loaded = self.store.load(community_id, stream)
                summary = held.summaries.get(stream)
                if summary is None:
                    assert loaded is None, (stream, loaded)
                    continue
                assert loaded is not None, f"stream {stream!r} not found"
                _same_summaries([loaded[0]], [summary])
                assert loaded[1] == [], loaded[1]  # every append writes its summary
            for command in _COMMANDS:
                assert self.store.command_result(community_id, command) == held.commands.get(
                    command
                ), command
            assert verify(self.store, community_id) == []
        having = {c for c in self.ids.values() if self.model.community(c).summaries}
        assert having <= set(self.store.communities())
        assert not (set(self.ids.values()) - having) & set(self.store.communities())

    def _everything(self) -> object:
        """All that a reader of this run's communities can see, to compare before and after."""
        return [
            (
                self.store.read_all(community_id),
                self.store.summaries(community_id),
                [self.store.command_result(community_id, c) for c in _COMMANDS],
            )
            for community_id in self.ids.values()
        ]


def _same_events(found: list[RecordedEvent], expected: list[RecordedEvent]) -> None:
    assert found == expected, f"the store read {found!r}; the model {expected!r}"
    # Equal datetimes may differ in offset: each event's time comes back as it was given.
    assert [e.at.utcoffset() for e in found] == [e.at.utcoffset() for e in expected]


def _same_summaries(found: list[Summary], expected: list[Summary]) -> None:
    assert found == expected, f"the store's summaries {found!r}; the model's {expected!r}"
    for summary in found:  # the same instants, given back in UTC
        assert summary.updated_at.utcoffset() == timedelta(0), summary
        assert summary.due_at is None or summary.due_at.utcoffset() == timedelta(0), summary


def check_against_model(store: EventStore, *, examples: int = 40, steps: int = 20) -> None:
    """Drive ``store`` with random appends and reads, comparing every answer with the model's.

    ``store`` is used by every run; each run appends to communities of its own (named
    ``model-…``), so the store need not be empty and is left holding them.

    Raises:
        AssertionError: an answer differs from the model's (Hypothesis shrinks the steps that
            lead to it and prints them).
    """

    class Machine(_Machine):
        pass

    Machine.store = store
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
