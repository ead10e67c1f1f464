"""The Governance facade: load, decide, append, retry — with any store.

One object, created with a store, takes the boilerplate out of event-sourced work: it loads an
aggregate from its summary, runs a command on it, appends the events with the version it
decided against, and if another writer got there first it decides again against fresh state,
a bounded number of times. It answers queries from the summaries, lists deadlines, streams the
events of a community in order, and verifies the hash chains. Plain Python: call it from a web
handler, a script or a test.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from communitygov import Governance, MemoryStore
>>> gov = Governance(MemoryStore())
>>> community = gov.register_community(
...     "sanwan", "三湾街社区", at=datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
... )
>>> gov.community("sanwan").name
'三湾街社区'
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import attrs

from communitygov.assistance.plan import AssistancePlan
from communitygov.audit import summary_problems
from communitygov.errors import (
    CommandIdInUse,
    ConcurrencyConflict,
    DecodeError,
    InvalidCount,
    MalformedDecision,
    NotFound,
    StreamExists,
    UnknownProcedure,
    WrongType,
)
from communitygov.funds.fund import Fund
from communitygov.kernel.aggregate import Aggregate, Decision, community_of
from communitygov.kernel.calendars import Calendar
from communitygov.kernel.checks import require_instance
from communitygov.kernel.codec import EventCodec, converted_json, make_fast_converter
from communitygov.kernel.events import Event
from communitygov.kernel.timekeeping import earlier, require_aware
from communitygov.matters.matter import Matter
from communitygov.matters.presets import PROCEDURES
from communitygov.matters.procedure import Procedure
from communitygov.organisation.community import Community
from communitygov.references import reference_problems
from communitygov.snapshots import Snapshots
from communitygov.storage.integrity import GENESIS, chain_hash_formatted, verify
from communitygov.storage.protocol import ClosedOnExit, EventStore
from communitygov.storage.records import (
    AppendRequest,
    AppendResult,
    Problem,
    RecordedEvent,
    Summary,
    formatted_event,
)

__all__ = ["FeedItem", "Governance"]

A = TypeVar("A", bound=Aggregate)
R = TypeVar("R", Summary, RecordedEvent)

_STORE_METHODS = tuple(
    name for name, value in vars(EventStore).items() if callable(value) and name[0] != "_"
)
"""The methods of the store protocol; looked up as calls find them (a proxy's
``__getattr__`` included), not as ``isinstance`` of a protocol does on newer Pythons."""


@attrs.frozen
class FeedItem:
    """One event of a community's feed, in the community's total order."""

    position: int
    stream_id: str
    version: int
    event: Event


@attrs.frozen
class _Loaded:
    aggregate: Any
    last_hash: str


def _system_clock() -> datetime:
    """The system's time, in UTC."""
    return datetime.now(UTC)


class Governance(ClosedOnExit):
    """The application facade over an :class:`~communitygov.storage.protocol.EventStore`.

    ``with Governance(store) as gov:`` closes the store when the block ends (:meth:`close`).

    Args:
        store: where records are kept.
        procedures: the procedures matters may follow, by name or as values; the shipped
            presets by default.
        calendar: if given, every procedure counts its periods on this calendar.
        codec: the event codec; the library's own by default.
        retries: how many times a command is decided again after a concurrency conflict (a
            whole number, 0 or more); before each, the facade waits a random moment of up to
            1 ms, then up to 2, 4 … ms (at most 50), so that writers that collided spread out.
        clock: what :meth:`now` asks for the time (a callable returning a timezone-aware
            datetime); the system's clock, in UTC, by default. Give a fixed or stepping one in
            tests.

    Raises:
        WrongType: ``store`` lacks a method of the store protocol, or ``procedures``,
            ``calendar``, ``codec`` or ``clock`` is not what it should be.
        InvalidCount: ``retries`` is not a whole number of 0 or more.
    """

    def __init__(
        self,
        store: EventStore,
        *,
        procedures: Mapping[str, Procedure] | Iterable[Procedure] = PROCEDURES,
        calendar: Calendar | None = None,
        codec: EventCodec | None = None,
        retries: int = 8,
        clock: Callable[[], datetime] = _system_clock,
    ) -> None:
        if isinstance(store, type) or not all(
            callable(getattr(store, name, None)) for name in _STORE_METHODS
        ):  # a store's class has the methods too, but they are not bound to a store
            raise WrongType("store", store, "a store (see communitygov.storage.protocol)")
        if calendar is not None and not isinstance(calendar, Calendar):
            raise WrongType("calendar", calendar, "a Calendar")
        if codec is not None:
            require_instance(codec, EventCodec, "codec")
        values = _procedures(procedures)
        if calendar is not None:
            values = [p.with_calendar(calendar) for p in values]
        self.store = store
        self.procedures: Mapping[str, Procedure] = {p.name: p for p in values}
        self.codec = codec if codec is not None else EventCodec()
        # The library's own codec stores an event's fields as ``compact_json`` of
        # ``codec.fields`` with ``at`` written by ``datetime.isoformat``, which lets a save
        # reuse that text for the hash chain; a save writes those fields with
        # ``converted_json``, from a converter of the same hooks that hands floats over to be
        # written as the standard library writes them. A codec given here (its own converter
        # hooks, a subclass) is used as it is: ``encode``, ``to_json`` and ``at.isoformat()``.
        self._stock_fields = (
            EventCodec(self.codec.registry, make_fast_converter()).fields if codec is None else None
        )
        self.retries = retries
        self.clock = clock
        self._snapshots = Snapshots(self.procedures)

    @property
    def clock(self) -> Callable[[], datetime]:
        """What :meth:`now` asks for the time.

        Raises:
            WrongType: set to something that cannot be called.
        """
        return self._clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        if not callable(clock):
            raise WrongType("clock", clock, "a callable returning a timezone-aware datetime")
        self._clock = clock

    def close(self) -> None:
        """Close the store the facade was given (its own ``close``): every later call that
        reads or writes raises :class:`~communitygov.StoreUnavailable`."""
        self.store.close()

    def now(self) -> datetime:
        """The time by the facade's clock: what a command's ``at`` should be when it is done
        now (``lambda m: m.close_solicitation(at=gov.now())``), and the default of
        :meth:`due` and :meth:`register_community`. What the clock itself raises is raised
        as it is.

        Raises:
            WrongType: the clock gave something else than a datetime.
            NaiveDatetime: the clock gave a datetime without a timezone.
        """
        moment = self.clock()
        require_instance(moment, datetime, "the clock's time")
        return require_aware(moment, "the clock's time")

    @property
    def retries(self) -> int:
        """How many times a command is decided again after a concurrency conflict.

        Raises:
            InvalidCount: set to anything but a whole number of 0 or more.
        """
        return self._retries

    @retries.setter
    def retries(self, retries: int) -> None:
        if type(retries) is not int or retries < 0:
            raise InvalidCount("retries", retries)
        self._retries = retries

    # --- communities -------------------------------------------------------------------

    def register_community(
        self,
        community_id: str,
        name: str,
        *,
        at: datetime | None = None,
        district: str = "",
        timezone: str = "Asia/Shanghai",
        command_id: str | None = None,
    ) -> Community:
        """Register a community and store it, at ``at`` (by default :meth:`now`).

        Raises:
            StreamExists: a community with that id exists.
            WrongType, NaiveDatetime: no ``at`` was given, and the clock's time is not a
                timezone-aware datetime (see :meth:`now`).
        """
        decision = Community.register(
            community_id,
            name,
            at=self.now() if at is None else at,
            district=district,
            timezone=timezone,
        )
        return self.create(decision, command_id=command_id)

    def community(self, community_id: str) -> Community:
        """The community as stored.

        Raises:
            NotFound: no such community.
        """
        return self.load(Community, community_id, community_id)

    def communities(self) -> list[str]:
        """The ids of every community the store holds records of, in order: for a job that
        works through them all."""
        return self.store.communities()

    # --- matters -----------------------------------------------------------------------

    def procedure(self, name: str) -> Procedure:
        """The procedure registered under ``name``.

        Raises:
            NotFound: no such procedure.
            WrongType: ``name`` is not text.
        """
        require_instance(name, str, "name")
        try:
            return self.procedures[name]
        except KeyError:
            raise NotFound("procedure", name) from None

    def matter(self, community_id: str, matter_id: str) -> Matter:
        """The matter as stored.

        Raises:
            NotFound: no such matter in the community.
        """
        return self.load(Matter, community_id, matter_id)

    def plan(self, community_id: str, plan_id: str) -> AssistancePlan:
        """The assistance plan as stored.

        Raises:
            NotFound: no such plan in the community.
        """
        return self.load(AssistancePlan, community_id, plan_id)

    def fund(self, community_id: str, fund_id: str) -> Fund:
        """The fund as stored.

        Raises:
            NotFound: no such fund in the community.
        """
        return self.load(Fund, community_id, fund_id)

    # --- the generic cycle -------------------------------------------------------------

    def create(self, decision: Decision[A], *, command_id: str | None = None) -> A:
        """Store a new aggregate from the command that created it.

        With a ``command_id`` already stored, nothing is stored and the aggregate is returned
        as that command left it.

        Raises:
            StreamExists: a stream with that id exists (a ``ConcurrencyConflict`` that
                deciding again cannot get past).
            ConcurrencyConflict: the application's transaction is older than another
                writer's commit (``actual == expected``).
            CommandIdInUse: ``command_id`` was carried by a command on another stream.
            MalformedDecision: ``decision`` is not a new aggregate and the events that made it
                (a single event is replayed; several must start with the creating event and
                run in time order to the aggregate's last), or an event holds a value of
                another type than its field's, which cannot be written; or it is a matter on
                a procedure this facade was not given (or another one of that name).
        """
        aggregate, events = _checked(decision, None, 0)
        if isinstance(aggregate, Matter):
            self._require_known_procedure(aggregate.procedure)
        self._require_led_to(aggregate, events, None)
        community_id = community_of(aggregate)
        cls = type(aggregate)
        if command_id is not None:
            done = self.store.command_result(community_id, command_id)
            if done is not None:
                return self._as_left_by_command(cls, community_id, aggregate.id, command_id, done)
        try:
            result = self._append(aggregate, events, 0, GENESIS, command_id)
        except ConcurrencyConflict as exc:
            if exc.actual > 0:  # not a stale transaction's snapshot (actual == expected)
                raise StreamExists(cls.kind, aggregate.id, community_id, exc.actual) from exc
            raise
        if result.duplicate:  # the same command landed since it was looked up
            assert command_id is not None
            return self._as_left_by_command(cls, community_id, aggregate.id, command_id, result)
        return aggregate

    def load(self, cls: type[A], community_id: str, aggregate_id: str) -> A:
        """An aggregate as stored: its summary plus any later events.

        Raises:
            NotFound: no such stream in the community, or one of another kind.
            DecodeError: the stored records cannot be read back.
        """
        return self._load(cls, community_id, aggregate_id).aggregate  # type: ignore[no-any-return]

    def execute(
        self,
        cls: type[A],
        community_id: str,
        aggregate_id: str,
        command: Callable[[A], Decision[A]],
        *,
        command_id: str | None = None,
    ) -> A:
        """Load an aggregate, run ``command`` on it, and store what it decided.

        If another writer appends to the stream first, the command is decided again against
        the fresh state, up to ``retries`` times, after a short random wait each time; not
        where the conflict is with the snapshot of the application's own transaction
        (``actual == expected``), which no retry within that transaction can get past. With a
        ``command_id`` already stored, nothing runs and the aggregate is returned as that
        command left it.

        Raises:
            NotFound: no such aggregate.
            CommandRejected: the command refused (nothing is stored).
            ConcurrencyConflict: still conflicting after every retry.
            CommandIdInUse: ``command_id`` was carried by a command on another stream.
            MalformedDecision: ``command`` returned something else than the aggregate it was
                given, moved on by the events it returns (of another class, id or community,
                at a version those events do not lead to, or other than those events,
                replayed onto it, make), or an event it returns holds a value of another type
                than its field's, which cannot be written.
            WrongType: ``cls`` is not an aggregate class, or ``command`` cannot be called.
        """
        _require_aggregate_class(cls)
        if not callable(command):
            raise WrongType("command", command, "a callable taking the aggregate")
        if command_id is not None:
            done = self.store.command_result(community_id, command_id)
            if done is not None:
                return self._as_left_by_command(cls, community_id, aggregate_id, command_id, done)
        for attempt in range(self.retries + 1):
            loaded = self._load(cls, community_id, aggregate_id)
            current: A = loaded.aggregate
            aggregate, events = _checked(command(current), current, current.version)
            self._require_led_to(aggregate, events, current)
            if not events:
                return aggregate
            try:
                result = self._append(
                    aggregate, events, current.version, loaded.last_hash, command_id
                )
            except ConcurrencyConflict as conflict:
                named = _named(cls.kind, aggregate_id, community_id)
                if conflict.expected == conflict.actual:  # the caller's transaction is stale
                    conflict.add_note(
                        f"{named}: not decided again, as no retry within the same transaction "
                        "can succeed"
                    )
                    raise
                if attempt == self.retries:
                    tries = attempt + 1
                    conflict.add_note(
                        f"{named}: decided once, conflicting (retries={self.retries})"
                        if tries == 1
                        else f"{named}: decided {tries} times, conflicting each time "
                        f"(retries={self.retries})"
                    )
                    raise
                if command_id is not None:
                    done = self.store.command_result(community_id, command_id)
                    if done is not None:
                        return self._as_left_by_command(
                            cls, community_id, aggregate_id, command_id, done
                        )
                _back_off(attempt)
                continue
            if result.duplicate:  # the same command landed since it was looked up
                assert command_id is not None
                return self._as_left_by_command(cls, community_id, aggregate_id, command_id, result)
            return aggregate
        raise AssertionError("unreachable")  # pragma: no cover

    # --- queries -----------------------------------------------------------------------

    def summaries(
        self, community_id: str, *, kind: str | None = None, state: str | None = None
    ) -> list[Summary]:
        """The community's stored summaries, optionally of one kind or in one state.

        Raises:
            NotFound: the store holds nothing of ``community_id`` (a mistyped id does not
                read as a community with nothing in it).
        """
        return self._of_a_community(
            community_id, self.store.summaries(community_id, kind=kind, state=state)
        )

    def due(
        self,
        community_id: str,
        *,
        at: datetime | None = None,
        within: timedelta = timedelta(days=7),
    ) -> list[Summary]:
        """Summaries with a deadline before ``at + within``, soonest first (overdue included);
        ``at`` is :meth:`now` unless given. A summary keeps its record's next deadline, so each
        record is listed once: a matter for the first of its :meth:`Matter.open_deadlines
        <communitygov.Matter.open_deadlines>`, which puts an objection's ruling before the
        notice's end.

        Raises:
            NaiveDatetime: ``at`` (or, with none given, the clock's time) is not a
                timezone-aware datetime.
            WrongType: ``within`` is not a ``timedelta``, or no ``at`` was given and the
                clock's time is not a datetime.
            NotFound: the store holds nothing of ``community_id`` (a mistyped id does not
                read as nothing due).
        """
        require_instance(within, timedelta, "within")
        aware = require_aware(self.now() if at is None else at)
        offset = aware.utcoffset()
        assert offset is not None
        # Elapsed time, in UTC (so that a change of summer time in at's zone counts too), as a
        # span from the first instant Python holds: a span holds what a datetime cannot.
        since_first = aware.replace(tzinfo=None) - datetime.min - offset
        try:
            span = since_first + within
        except OverflowError:  # within lies at timedelta's own limits
            span = timedelta.max if within > timedelta(0) else timedelta.min
        if span < timedelta(0):  # the window ends before the first day Python holds
            until = datetime.min
        elif span > datetime.max - datetime.min:  # or after its last
            until = datetime.max
        else:
            until = datetime.min + span
        found = self.store.summaries(community_id, due_before=until.replace(tzinfo=UTC))
        return self._of_a_community(community_id, found)

    def history(self, community_id: str, aggregate_id: str) -> list[Event]:
        """Every event of one aggregate, oldest first.

        Raises:
            NotFound: no such stream.
            DecodeError: a stored event cannot be decoded.
        """
        recorded = self.store.read_stream(community_id, aggregate_id)
        if not recorded:
            raise NotFound("stream", aggregate_id, community_id)
        return [self._decode(event) for event in recorded]

    def feed(self, community_id: str, *, after: int = 0, limit: int = 1000) -> list[FeedItem]:
        """The community's events after position ``after``, in order, decoded: the record
        itself, for projections, with every name and sensitive detail in it (publish
        notices, which de-identify, never the events).

        Raises:
            NotFound: the store holds nothing of ``community_id`` (a mistyped id does not
                read as a community where nothing has happened).
            DecodeError: a stored event cannot be decoded.
        """
        recorded = self.store.read_all(community_id, after_position=after, limit=limit)
        return [
            FeedItem(event.position, event.stream_id, event.version, self._decode(event))
            for event in self._of_a_community(community_id, recorded)
        ]

    def verify(self, community_id: str | None = None, *, summaries: bool = True) -> list[Problem]:
        """Check one community, or all: the hash chains (see
        :func:`~communitygov.storage.integrity.verify`), and then that each summary of the
        library's aggregates is what its events, replayed, make of the aggregate (see
        :func:`~communitygov.audit.summary_problems`; a stream stored under one community
        whose events make another's aggregate included), that each plan was adopted through
        a matter the store holds, resolved to adopt it by then, and each fund opened for a plan
        it holds, and that each matter, plan and fund belongs to a community the store holds
        and names only people its register holds (see
        :func:`~communitygov.references.reference_problems`). An empty list means intact.

        Args:
            summaries: replay every stream to check its summary and what it refers to (the
                longer part of the work: every event is decoded); ``False`` checks the chains
                alone.

        Raises:
            NotFound: ``community_id`` names a community the store holds nothing of (a
                mistyped id is not reported intact).
            WrongType: ``summaries`` is not a ``bool`` (``None`` from a configuration would
                check the chains alone, and report an edited summary intact).
        """
        require_instance(summaries, bool, "summaries")
        if community_id is not None and not self._holds(community_id):
            raise NotFound("community", community_id)
        communities = [community_id] if community_id is not None else self.store.communities()
        problems = []
        for community in communities:
            found = verify(self.store, community)
            if summaries:
                found += summary_problems(
                    self.store,
                    community,
                    decode=self._decode,
                    snapshots=self._snapshots,
                    context=self.procedures,
                    skip={problem.stream_id for problem in found},
                )
                found += reference_problems(
                    self.store,
                    community,
                    decode=self._decode,
                    context=self.procedures,
                    skip={problem.stream_id for problem in found},
                )
            problems += found
        return problems

    # --- internals ---------------------------------------------------------------------

    def _of_a_community(self, community_id: str, found: list[R]) -> list[R]:
        """``found`` (summaries or events), once it is known to be none or of a community the
        store holds.

        Raises:
            NotFound: it is none, and the store holds nothing of ``community_id``.
        """
        if not found and not self._holds(community_id):
            raise NotFound("community", community_id)
        return found

    def _holds(self, community_id: str) -> bool:
        """Whether the store holds an event or a summary of the community (a record that
        cannot be read counts: verifying the community reports it)."""
        try:
            if self.store.read_all(community_id, limit=1):
                return True
        except DecodeError:
            return True
        return community_id in self.store.communities()

    def _decode(self, event: RecordedEvent) -> Event:
        try:
            data = json.loads(event.data)
        except ValueError as exc:
            raise DecodeError(
                event.type, event.schema_version, f"stored data is not JSON: {exc}"
            ) from exc
        except RecursionError as exc:
            raise DecodeError(
                event.type, event.schema_version, "stored data nests deeper than any event's"
            ) from exc
        return self.codec.decode(event.type, event.schema_version, data)

    def _require_known_procedure(self, procedure: Procedure) -> None:
        """Refuse a matter on a procedure this facade does not know: it could be stored, but
        not read back, or read back under another procedure's rules.

        Raises:
            MalformedDecision: no procedure of that name was given, or another one was.
        """
        known = self.procedures.get(procedure.name)
        if known is procedure or known == procedure:
            return
        raise MalformedDecision(
            "matter's procedure",
            procedure.name,
            None,
            "this Governance was given no procedure of that name, so the matter could not be "
            "read back: give it in procedures="
            if known is None
            else "this Governance was given another procedure of that name, so the matter would "
            "be read back under its rules, or not at all if it counts on another calendar",
        )

    def _require_led_to(self, aggregate: A, events: tuple[Event, ...], ran_on: A | None) -> None:
        """Refuse a decision whose events, replayed onto ``ran_on`` (or from nothing), do not
        make ``aggregate``: stored, they would be a history that cannot be replayed, or one
        that disagrees with the aggregate's snapshot.

        A new aggregate of several events (one decided whole in memory, or imported) is not
        replayed, which would add about 19 µs to a save of ten events (docs/performance.md,
        change 20): its first event must be the one that creates this very aggregate (its id
        and community), no later one may, and their times must run in order to the
        aggregate's last. :meth:`verify` replays every stream.

        Raises:
            MalformedDecision: an event cannot follow the ones before it (out of order,
                another aggregate's or another kind's), or the events lead elsewhere.
        """
        if ran_on is None and len(events) > 1:
            _require_history_shape(aggregate, events)
            self._require_started_by(aggregate, events[0])
            return
        try:
            if ran_on is None:
                replayed = type(aggregate).replay(events, self.procedures)
            else:
                replayed = ran_on
                for event in events:
                    replayed = replayed.apply(event)
        except Exception as exc:  # any failure to replay them: a rule's error or a fold's
            raise MalformedDecision(
                "list of events",
                [event.type_name for event in events],
                None,
                f"replayed {f'onto version {ran_on.version}' if ran_on else 'from nothing'}, "
                f"they do not make a {type(aggregate).kind}: {exc}",
            ) from exc
        if replayed != aggregate:
            raise MalformedDecision(
                "aggregate",
                aggregate,
                None,
                "its events, replayed, make another one; a command returns the aggregate its "
                "own events make",
            )

    def _require_started_by(self, aggregate: Aggregate, first: Event) -> None:
        """Refuse a new aggregate whose creating event starts another one (of another id or
        community), read off the event where its class names the field, else replayed alone.

        Raises:
            MalformedDecision: it does.
        """
        cls = type(aggregate)
        given = (aggregate.id, community_of(aggregate))
        if cls.id_field:  # read off the event, without replaying it
            made = (getattr(first, cls.id_field, None), getattr(first, "community_id", None))
        else:
            try:
                started = cls.replay((first,), self.procedures)
            except Exception as exc:  # any failure to replay it
                raise MalformedDecision(
                    "list of events",
                    [first.type_name],
                    None,
                    f"its first event does not start a {cls.kind}: {exc}",
                ) from exc
            made = (started.id, community_of(started))
        if given != made:
            raise MalformedDecision(
                "aggregate's id and community",
                given,
                made,
                "the id and community its creating event starts",
            )

    def _load(self, cls: type[A], community_id: str, aggregate_id: str) -> _Loaded:
        _require_aggregate_class(cls)
        found = self.store.load(community_id, aggregate_id)
        if found is None:
            raise NotFound(cls.kind, aggregate_id, community_id)
        summary, later = found
        if summary.kind != cls.kind:
            raise NotFound(cls.kind, aggregate_id, community_id, found=summary.kind)
        aggregate = self._snapshots.thaw(cls, summary)
        if aggregate is None:  # a snapshot of another version's shape
            return self._replayed(cls, community_id, aggregate_id)
        for event in later:
            aggregate = aggregate.apply(self._decode(event))
        last_hash = later[-1].hash if later else summary.last_hash
        return _Loaded(aggregate, last_hash)

    def _replayed(self, cls: type[A], community_id: str, aggregate_id: str) -> _Loaded:
        """The aggregate its stored events make, replayed from the first.

        Raises:
            DecodeError: they cannot be read, or do not make a ``cls``.
        """
        recorded = self.store.read_stream(community_id, aggregate_id)
        events = [self._decode(event) for event in recorded]
        try:
            aggregate = cls.replay(events, self.procedures)
        except UnknownProcedure as exc:  # name the matter, as the snapshot's thaw does
            if exc.matter is not None:
                raise
            raise UnknownProcedure(exc.procedure, exc.known, matter=aggregate_id) from exc
        except DecodeError:
            raise
        except Exception as exc:  # an event cannot follow the ones before it, whatever fails
            raise DecodeError(
                f"{cls.kind} history",
                0,
                f"the events of stream {aggregate_id!r} in community {community_id!r} do not "
                f"make a {cls.kind}: {type(exc).__name__}: {exc}",
            ) from exc
        return _Loaded(aggregate, recorded[-1].hash)

    def _as_left_by_command(
        self, cls: type[A], community_id: str, stream_id: str, command_id: str, done: AppendResult
    ) -> A:
        """The aggregate as the stored command ``command_id`` left it, by replay.

        Raises:
            CommandIdInUse: that command was on another stream.
            NotFound: the stream is of another kind than ``cls``.
        """
        if done.stream_id != stream_id:
            raise CommandIdInUse(command_id, stream_id, done.stream_id, community_id)
        found = self.store.load(community_id, stream_id)
        if found is None:
            raise NotFound(cls.kind, stream_id, community_id)
        if found[0].kind != cls.kind:
            raise NotFound(cls.kind, stream_id, community_id, found=found[0].kind)
        events = [self._decode(e) for e in self.store.read_stream(community_id, stream_id)]
        return cls.replay(events[: done.version], self.procedures)

    def _append(
        self,
        aggregate: Aggregate,
        events: tuple[Event, ...],
        expected: int,
        previous: str,
        command_id: str | None,
    ) -> AppendResult:
        stream_id = aggregate.id
        fields = self._stock_fields
        new_events = []
        kept: dict[int, tuple[Event, dict[str, Any]]] = {}  # an aggregate keeps some events
        for version, event in enumerate(events, start=expected + 1):
            type_name, schema_version, at = event.type_name, event.schema_version, event.at
            try:
                if fields is not None:
                    values = fields(event)
                    kept[id(event)] = (event, values)
                    data = converted_json(values)
                    at_text = values["at"]
                else:
                    encoded = self.codec.encode(event)
                    type_name, schema_version = encoded.type, encoded.version
                    data = encoded.to_json()
                    at_text = at.isoformat()
            except (AttributeError, TypeError, ValueError) as exc:  # cattrs meets wrong types
                raise MalformedDecision(
                    f"event {version - expected}",
                    event,
                    None,
                    f"it cannot be written: {type(exc).__name__}: {exc}",
                ) from exc
            previous = chain_hash_formatted(
                previous, stream_id, version, type_name, schema_version, at_text, data
            )
            new_events.append(
                formatted_event(type_name, schema_version, data, at, at_text, previous)
            )
        description = aggregate.describe()
        community_id = community_of(aggregate)
        last_at = aggregate.last_at
        assert last_at is not None
        try:
            snapshot = self._snapshots.freeze(aggregate, kept)
        except (AttributeError, TypeError, ValueError) as exc:  # cattrs meets the wrong types
            raise MalformedDecision(
                "aggregate",
                aggregate,
                None,
                f"it cannot be written as a snapshot: {type(exc).__name__}: {exc}",
            ) from exc
        summary = Summary(
            community_id=community_id,
            stream_id=aggregate.id,
            kind=aggregate.kind,
            version=aggregate.version,
            state=description.state,
            title=description.title,
            updated_at=last_at,
            snapshot=snapshot,
            last_hash=previous,
            due_at=description.due_at,
            due_what=description.due_what,
        )
        return self.store.append(
            AppendRequest(
                community_id=community_id,
                stream_id=aggregate.id,
                kind=aggregate.kind,
                expected_version=expected,
                events=tuple(new_events),
                summary=summary,
                command_id=command_id,
            )
        )


def _procedures(procedures: object) -> list[Procedure]:
    """The procedures given, by name or as values.

    Raises:
        WrongType: they are not procedures.
    """
    values = procedures.values() if isinstance(procedures, Mapping) else procedures
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise WrongType("procedures", procedures, "procedures, by name or as values")
    return [require_instance(value, Procedure, "procedures") for value in values]


def _checked(decision: Decision[A], ran_on: A | None, expected: int) -> Decision[A]:
    """``decision`` as a pair of an aggregate and a tuple of events, once it is one about
    ``ran_on`` (or, for ``None``, about a new aggregate) at ``expected`` plus its events.

    Raises:
        MalformedDecision: it is not.
    """
    if not isinstance(decision, tuple) or len(decision) != 2:
        raise MalformedDecision(
            "value", decision, None, "a command returns the new aggregate and its events"
        )
    aggregate, events = decision
    if not isinstance(aggregate, Aggregate):
        raise MalformedDecision("aggregate", aggregate, None, "it is one of the library's")
    if not isinstance(events, (tuple, list)) or not all(isinstance(e, Event) for e in events):
        raise MalformedDecision("list of events", events, None, "a tuple of events")
    if ran_on is not None:
        for field, given, should_be in (
            ("aggregate's class", type(aggregate).__name__, type(ran_on).__name__),
            ("aggregate's id", aggregate.id, ran_on.id),
            ("aggregate's community", community_of(aggregate), community_of(ran_on)),
        ):
            if given != should_be:
                raise MalformedDecision(
                    field, given, should_be, "a command moves on the aggregate it is given"
                )
    if aggregate.version != expected + len(events):
        raise MalformedDecision(
            "aggregate's version",
            aggregate.version,
            expected + len(events),
            f"version {expected} moved on by its {len(events)} events",
        )
    return aggregate, tuple(events)


def _require_history_shape(aggregate: Aggregate, events: tuple[Event, ...]) -> None:
    """Refuse the events of a new ``aggregate`` that cannot be its history: not started by
    the event that creates one, created twice, or out of time order or ending before it.

    Raises:
        MalformedDecision: they cannot.
    """
    cls = type(aggregate)
    creating = cls.created_by
    problem = ""
    if not isinstance(events[0], creating):
        problem = f"a new {cls.kind}'s history starts with the event that creates it"
    previous = events[0]
    for event in events[1:]:
        if problem:
            break
        if isinstance(event, creating):
            problem = f"only its first event creates the {cls.kind}, not {event.type_name}"
        elif earlier(event.at, previous.at):
            problem = (
                f"{event.type_name} at {event.at.isoformat()} comes after "
                f"{previous.type_name} at {previous.at.isoformat()}: events run in time order"
            )
        previous = event
    if problem:
        raise MalformedDecision(
            "list of events", [event.type_name for event in events], None, problem
        )
    if aggregate.last_at != previous.at:
        raise MalformedDecision(
            "aggregate's time of its last event",
            aggregate.last_at,
            previous.at,
            "the time of its last event",
        )


_BACK_OFF_FIRST = 0.001
_BACK_OFF_MOST = 0.05
_DOUBLINGS = 16
"""More doublings than the wait needs to reach its most (1 ms × 2**16 is past 50 ms)."""


def _back_off(attempt: int) -> None:
    """Wait a random moment before deciding again, up to 1 ms after the first conflict, 2 ms
    after the second, and so on to 50 ms: writers that collided do not collide again in
    step (full jitter)."""
    doubled = _BACK_OFF_FIRST * 2 ** min(attempt, _DOUBLINGS)  # no float past 2**1023
    time.sleep(random.uniform(0, min(_BACK_OFF_MOST, doubled)))


def _named(kind: str, aggregate_id: str, community_id: str) -> str:
    """An aggregate as a note names it: "matter 'm1' of community 'sanwan'", and a community
    once, "community 'sanwan'" (its stream's id is the community's)."""
    if kind == Community.kind and aggregate_id == community_id:
        return f"community {aggregate_id!r}"
    return f"{kind} {aggregate_id!r} of community {community_id!r}"


def _require_aggregate_class(cls: object) -> None:
    if not (isinstance(cls, type) and issubclass(cls, Aggregate)):
        raise WrongType("cls", cls, "an aggregate class, such as Matter")
