"""Machinery: bare matters driven through the whole standard procedure, against two yardsticks.

The lifecycle is the standard 一征三议两公开 procedure's happy path, ten transitions that visit
every state but the two other endings (rejected, withdrawn)::

    raised → soliciting → propose → consult → resolve → resolved → resolution_publicity
           → implementing → completed → result_publicity → closed

Candidates, each timed over the same number of records and transitions:

``baseline``
    What one would write by hand: a frozen ``attrs`` record (id, state, version, a tuple
    history), a dict ``{(state, action): next}`` and ``attrs.evolve`` appending a small event.
``kernel``
    The library's machinery alone: ``Workflow.target`` (the allowed-check and the transition),
    a new event, and ``Aggregate.apply`` recording it on a minimal frozen aggregate.
``matter fold``
    The same machinery on the real :class:`~communitygov.Matter`: each event is built and
    recorded with ``Matter.apply``, the fold every command ends in and replay uses (allowed-check
    and transition by the workflow, the fields the event changes, the version bumped and the
    time of the last event kept).
``matter commands``
    The real public commands (``open_solicitation``, ``deliberate`` …) with every rule they
    check: periods counted on the working-day calendar, and for each deliberation a meeting
    (bodies of one or two members, one vote each, so the quorum check is as cheap as it gets).
``light commands``
    The four public commands whose rule is a single comparison (``close_solicitation``,
    ``start_implementation``, ``complete``, ``close``), on matters staged in the right states:
    the machinery path through the public API, without the meetings and calendars.
``Machine per object``
    ``transitions`` used the naive way: a ``Machine(model=obj, …)`` built for every object, then
    its trigger methods called. Timed on a sample (``MACHINE_SAMPLE``), as it is slow and large.

The targets are judged on the light commands (per transition, against the baseline), on the
Matter fold (create and whole lifecycle, against a Machine per object) and on the closed Matter
of the commands (memory); the other candidates are printed beside them. See
``docs/performance.md`` for why.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs
from transitions import Machine

from bench import Candidate, interleaved, median, paired_ratio, retained_bytes, verdict
from communitygov import (
    ONE_SOLICITATION_THREE_DELIBERATIONS,
    Aggregate,
    BodyKind,
    Choice,
    Community,
    Decision,
    DecodeError,
    Event,
    Matter,
    MatterState,
    Meeting,
    MotionSource,
    Outcome,
    Vote,
)

__all__ = ["main", "run"]

PROCEDURE = ONE_SOLICITATION_THREE_DELIBERATIONS
WORKFLOW = PROCEDURE.workflow
LIFECYCLE: tuple[str, ...] = (
    "open_solicitation",
    "close_solicitation",
    "adopt",
    "adopt",
    "adopt",
    "publicise_resolution",
    "start_implementation",
    "complete",
    "publicise_result",
    "close",
)
TRANSITIONS = len(LIFECYCLE)
MACHINE_SAMPLE = 2_000
"""At most this many objects per round for a Machine per object (and for tracemalloc)."""
BATCH = 200
"""Matters per batch: the candidates take turns every batch."""

TARGET_TRANSITION_RATIO = 3.0
TARGET_LIFECYCLE_SPEEDUP = 10.0
TARGET_KB_PER_MATTER = 2.0

TZ = timezone(timedelta(hours=8), "CST")
RAISED_AT = datetime(2025, 9, 1, 9, 0, tzinfo=TZ)


def _check_lifecycle() -> None:
    """The lifecycle must be allowed and visit every state but the other two endings."""
    state = WORKFLOW.initial
    seen = {state}
    for action in LIFECYCLE:
        state = WORKFLOW.target(state, action)
        seen.add(state)
    expected = set(WORKFLOW.states) - {MatterState.REJECTED, MatterState.WITHDRAWN}
    if state != MatterState.CLOSED or seen != expected:
        raise AssertionError(f"the lifecycle visits {sorted(seen)}, not {sorted(expected)}")


# --- the baseline: a dict and attrs.evolve ------------------------------------------------


@attrs.frozen
class BaselineEvent:
    """The baseline's event: what was done, and when."""

    action: str
    at: datetime


@attrs.frozen
class BaselineRecord:
    """The baseline's record: an id, a state, a version and the history."""

    id: str
    state: str
    version: int = 0
    history: tuple[BaselineEvent, ...] = ()


NEXT: dict[tuple[str, str], str] = {(s.source, s.action): s.dest for s in WORKFLOW.steps}
"""The hand-written lookup table of the baseline."""


def baseline_transition(record: BaselineRecord, action: str, at: datetime) -> BaselineRecord:
    """Check, transition and record one action, by hand."""
    dest = NEXT.get((record.state, action))
    if dest is None:
        raise ValueError(f"cannot {action} while {record.state}")
    return attrs.evolve(
        record,
        state=dest,
        version=record.version + 1,
        history=(*record.history, BaselineEvent(action, at)),
    )


def baseline_create(record_id: str) -> BaselineRecord:
    """A new baseline record."""
    return BaselineRecord(record_id, WORKFLOW.initial, 1, (BaselineEvent("create", RAISED_AT),))


def baseline_drive(records: Sequence[BaselineRecord]) -> list[BaselineRecord]:
    """Every record through the lifecycle."""
    out = []
    for record in records:
        for action in LIFECYCLE:
            record = baseline_transition(record, action, RAISED_AT)
        out.append(record)
    return out


def baseline_lifecycles(ids: Sequence[str]) -> list[BaselineRecord]:
    """Create every record and drive it through the lifecycle."""
    return baseline_drive([baseline_create(record_id) for record_id in ids])


# --- the kernel: Workflow + Event + Aggregate.apply ---------------------------------------


@attrs.frozen(kw_only=True)
class Opened(Event):
    """A tracked record was opened."""

    record_id: str


@attrs.frozen(kw_only=True)
class ActionTaken(Event):
    """An action was taken on a tracked record."""

    action: str


@attrs.frozen(kw_only=True)
class Tracked(Aggregate):
    """The smallest aggregate following a workflow: the kernel's machinery and nothing else."""

    created_by = (Opened,)
    kind = "tracked record"

    state: str

    @classmethod
    def open(cls, record_id: str, at: datetime) -> Tracked:
        """A new record in the workflow's initial state."""
        return cls._start(Opened(at=at, record_id=record_id), None)

    @classmethod
    def _start(cls, event: Event, context: Any) -> Tracked:
        assert isinstance(event, Opened)
        return cls(id=event.record_id, version=1, last_at=event.at, state=WORKFLOW.initial)

    def _changes(self, event: Event) -> dict[str, Any]:
        if not isinstance(event, ActionTaken):
            raise DecodeError(event.type_name, event.schema_version, "not a tracked event")
        return {"state": WORKFLOW.target(self.state, event.action)}


def kernel_drive(records: Sequence[Tracked]) -> list[Tracked]:
    """Every record through the lifecycle: ``Workflow.target``, an event, ``apply``."""
    out = []
    for record in records:
        for action in LIFECYCLE:
            record = record.apply(ActionTaken(at=RAISED_AT, action=action))
        out.append(record)
    return out


def kernel_lifecycles(ids: Sequence[str]) -> list[Tracked]:
    """Create every record and drive it through the lifecycle."""
    return kernel_drive([Tracked.open(record_id, RAISED_AT) for record_id in ids])


# --- the real Matter ----------------------------------------------------------------------


def bare_community() -> Community:
    """A community whose bodies are as small as a valid meeting allows.

    One member on the party committee, one on the residents' committee (so two at their joint
    meeting), one representative: every deliberation has one or two people present.
    """
    return bare_community_record()[0]


def bare_community_record() -> Decision[Community]:
    """:func:`bare_community` with the events that made it, to store."""
    at = RAISED_AT - timedelta(days=30)
    community, events = Community.register("bench", "基准社区", at=at)
    seats = (
        ("p0", BodyKind.PARTY_COMMITTEE),
        ("p1", BodyKind.RESIDENTS_COMMITTEE),
        ("p2", BodyKind.REPRESENTATIVES_ASSEMBLY),
    )
    for person, body in seats:
        community, registered = community.register_person(person, f"成员{person}", at=at)
        community, seated = community.appoint(person, body, start=date(2024, 1, 1), at=at)
        events += registered + seated
    return community, events


def _meeting(body: BodyKind, people: Sequence[str], plan: str | None = None) -> Meeting:
    return Meeting(
        body=body,
        present=people,
        votes=[Vote(person, Choice.YES) for person in people],
        outcome=Outcome.ADOPTED,
        plan=plan,
    )


@attrs.frozen
class Script:
    """Everything a bare lifecycle needs, built once: the community, meetings and times."""

    community: Community
    meetings: tuple[Meeting, Meeting, Meeting]
    closes_at: datetime
    implement_at: datetime
    close_at: datetime

    @classmethod
    def build(cls) -> Script:
        """The script of the standard procedure with the smallest valid records."""
        community = bare_community()
        meetings = (
            _meeting(BodyKind.PARTY_COMMITTEE, ["p0"], plan="方案"),
            _meeting(BodyKind.TWO_COMMITTEES, ["p0", "p1"]),
            _meeting(BodyKind.REPRESENTATIVES_ASSEMBLY, ["p2"]),
        )
        probe = cls(community, meetings, RAISED_AT, RAISED_AT, RAISED_AT)
        matter = probe.raise_matter("probe")
        matter, _ = matter.open_solicitation(at=RAISED_AT)
        closes_at = matter.solicitation_closes_at
        assert closes_at is not None
        implement_at = closes_at + timedelta(days=14)
        close_at = implement_at + timedelta(days=14)
        return cls(community, meetings, closes_at, implement_at, close_at)

    def raise_matter(self, matter_id: str) -> Matter:
        """A new matter on the standard procedure."""
        matter, _ = Matter.raise_matter(
            matter_id,
            community=self.community,
            procedure=PROCEDURE,
            title="修缮楼道",
            description="楼道照明",
            source=MotionSource.RESIDENTS,
            raised_by="p0",
            at=RAISED_AT,
        )
        return matter

    def commands(self) -> tuple[Callable[[Matter], Decision[Matter]], ...]:
        """The lifecycle as public commands, one per transition, each giving its decision."""
        community = self.community
        first, second, third = self.meetings
        closes_at, implement_at, close_at = self.closes_at, self.implement_at, self.close_at
        return (
            lambda m: m.open_solicitation(at=RAISED_AT),
            lambda m: m.close_solicitation(at=closes_at),
            lambda m: m.deliberate(first, community=community, at=closes_at),
            lambda m: m.deliberate(second, community=community, at=closes_at),
            lambda m: m.deliberate(third, community=community, at=closes_at),
            lambda m: m.publicise_resolution("决议", place="公示栏", at=closes_at),
            lambda m: m.start_implementation(by="p0", community=community, at=implement_at),
            lambda m: m.complete("完成", cost_fen=0, at=implement_at),
            lambda m: m.publicise_result("结果", place="公示栏", at=implement_at),
            lambda m: m.close(at=close_at),
        )

    def drive(self, matter: Matter) -> Matter:
        """One matter through the lifecycle by its public commands."""
        community = self.community
        first, second, third = self.meetings
        closes_at, implement_at = self.closes_at, self.implement_at
        matter, _ = matter.open_solicitation(at=RAISED_AT)
        matter, _ = matter.close_solicitation(at=closes_at)
        matter, _ = matter.deliberate(first, community=community, at=closes_at)
        matter, _ = matter.deliberate(second, community=community, at=closes_at)
        matter, _ = matter.deliberate(third, community=community, at=closes_at)
        matter, _ = matter.publicise_resolution("决议", place="公示栏", at=closes_at)
        matter, _ = matter.start_implementation(by="p0", community=community, at=implement_at)
        matter, _ = matter.complete("完成", cost_fen=0, at=implement_at)
        matter, _ = matter.publicise_result("结果", place="公示栏", at=implement_at)
        matter, _ = matter.close(at=self.close_at)
        return matter

    def staged(self, matter: Matter) -> tuple[Matter, Matter, Matter]:
        """``matter`` soliciting, at its resolution publicity, and at its result publicity."""
        states = [matter]
        for command in self.commands():
            states.append(command(states[-1])[0])
        return states[1], states[6], states[9]

    def events(self) -> tuple[tuple[type[Event], dict[str, Any]], ...]:
        """The lifecycle's events as (class, fields), to be built afresh for the fold."""
        matter = self.raise_matter("probe")
        recorded: list[Event] = []
        for command in self.commands():
            matter, events = command(matter)
            recorded += events
        assert matter == self.drive(self.raise_matter("probe"))
        return tuple(
            (type(event), {a.alias: getattr(event, a.name) for a in attrs.fields(type(event))})
            for event in recorded
        )


def commands_drive(script: Script, matters: Sequence[Matter]) -> list[Matter]:
    """Every matter through the lifecycle by its public commands."""
    drive = script.drive
    return [drive(matter) for matter in matters]


def commands_lifecycles(script: Script, ids: Sequence[str]) -> list[Matter]:
    """Raise every matter and drive it through the lifecycle by its public commands."""
    raise_matter, drive = script.raise_matter, script.drive
    return [drive(raise_matter(matter_id)) for matter_id in ids]


LIGHT_TRANSITIONS = 4


def light_commands_drive(
    script: Script, staged: Sequence[tuple[Matter, Matter, Matter]]
) -> list[Matter]:
    """The four commands whose rules are one comparison each, through the public API."""
    closes_at, implement_at, close_at = script.closes_at, script.implement_at, script.close_at
    out = []
    for soliciting, publicised, resulted in staged:
        out.append(soliciting.close_solicitation(at=closes_at)[0])
        matter, _ = publicised.start_implementation(
            by="p0", community=script.community, at=implement_at
        )
        out.append(matter.complete("完成", cost_fen=0, at=implement_at)[0])
        out.append(resulted.close(at=close_at)[0])
    return out


def fold_drive(
    plan: Sequence[tuple[type[Event], dict[str, Any]]], matters: Sequence[Matter]
) -> list[Matter]:
    """Every matter through the lifecycle by building each event and applying it."""
    out = []
    for matter in matters:
        for event_class, fields in plan:
            matter = matter.apply(event_class(**fields))
        out.append(matter)
    return out


def fold_lifecycles(
    script: Script, plan: Sequence[tuple[type[Event], dict[str, Any]]], ids: Sequence[str]
) -> list[Matter]:
    """Raise every matter and fold its lifecycle's events into it."""
    return fold_drive(plan, [script.raise_matter(matter_id) for matter_id in ids])


# --- the naive yardstick: a Machine per object --------------------------------------------


class MachineModel:
    """A domain object that carries its own ``transitions`` machine."""

    state: str


STATES = list(WORKFLOW.states)
MACHINE_TRANSITIONS = [
    {"trigger": s.action, "source": s.source, "dest": s.dest} for s in WORKFLOW.steps
]


def machine_create(count: int) -> list[MachineModel]:
    """``count`` objects, each with a ``Machine`` of its own."""
    out = []
    for _ in range(count):
        model = MachineModel()
        Machine(
            model=model,
            states=STATES,
            transitions=MACHINE_TRANSITIONS,
            initial=WORKFLOW.initial,
            auto_transitions=False,
        )
        out.append(model)
    return out


def machine_drive(models: Sequence[MachineModel]) -> Sequence[MachineModel]:
    """Call every trigger of the lifecycle on every object."""
    for model in models:
        for action in LIFECYCLE:
            getattr(model, action)()
    return models


# --- measuring ----------------------------------------------------------------------------


@attrs.frozen
class Row:
    """One candidate's figures."""

    name: str
    transition_us: float
    transition_ratio: float
    lifecycle_us: float | None
    speedup_vs_machine: float | None
    kb_per_object: float | None


def _ids(count: int, prefix: str) -> list[str]:
    return [f"{prefix}{number}" for number in range(count)]


def measure_memory(script: Script, count: int) -> dict[str, float]:
    """Bytes per object kept in memory, by tracemalloc, for each candidate."""
    plan = script.events()
    return {
        "baseline": retained_bytes(lambda: baseline_lifecycles(_ids(count, "b")), count),
        "kernel": retained_bytes(lambda: kernel_lifecycles(_ids(count, "k")), count),
        "matter fold": retained_bytes(
            lambda: fold_lifecycles(script, plan, _ids(count, "f")), count
        ),
        "matter commands": retained_bytes(
            lambda: commands_lifecycles(script, _ids(count, "m")), count
        ),
        "matter, raised only": retained_bytes(
            lambda: [script.raise_matter(i) for i in _ids(count, "r")], count
        ),
        "Machine per object": retained_bytes(lambda: machine_create(count), count),
    }


def memory_breakdown(script: Script, count: int) -> list[tuple[str, float]]:
    """Where a finished matter's bytes were allocated: (source line, bytes per matter)."""
    ids = _ids(count, "x")
    warm = commands_lifecycles(script, ids)
    del warm
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        kept = commands_lifecycles(script, ids)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    del kept
    stats = after.compare_to(before, "lineno")
    rows = []
    for stat in stats:
        if stat.size_diff <= 0:
            continue
        frame = stat.traceback[0]
        where = f"{_short(frame.filename)}:{frame.lineno}"
        rows.append((where, stat.size_diff / count))
    return rows


def _short(filename: str) -> str:
    for marker in ("/communitygov/", "/site-packages/", "/bench/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def meeting_record_bytes(breakdown: Sequence[tuple[str, float]]) -> float:
    """Bytes per matter allocated for its meeting records (events and member sets)."""
    return sum(
        size
        for where, size in breakdown
        if where.startswith(("matters/deliberation.py", "organisation/community.py"))
    )


def run(matters: int, rounds: int, *, show: Callable[[str], None] = print) -> bool:
    """Run the machinery workload, print its table, and say whether every target passed."""
    _check_lifecycle()
    script = Script.build()
    plan = script.events()
    batches = max(1, round(matters / BATCH))
    batch = max(1, matters // batches)
    machine_batch = max(1, min(matters, MACHINE_SAMPLE) // batches)
    matters, sample = batch * batches, machine_batch * batches
    show(
        f"Machinery: {matters:,} bare matters × {TRANSITIONS} transitions of the standard "
        f"procedure; Machine per object on {sample:,} objects; {rounds} rounds of {batches} "
        "interleaved batches of each candidate, medians of the rounds."
    )

    # Frozen records can be driven again and again from the same starting values.
    ids = _ids(batch, "m")
    baseline_records = [baseline_create(i) for i in ids]
    tracked_records = [Tracked.open(i, RAISED_AT) for i in ids]
    raised = [script.raise_matter(i) for i in ids]
    staged = [script.staged(matter) for matter in raised]
    transitions: Mapping[str, Candidate] = {
        "baseline": (lambda: baseline_records, baseline_drive),
        "kernel": (lambda: tracked_records, kernel_drive),
        "matter fold": (lambda: raised, lambda ms: fold_drive(plan, ms)),
        "matter commands": (lambda: raised, lambda ms: commands_drive(script, ms)),
        "light commands": (lambda: staged, lambda st: light_commands_drive(script, st)),
        "Machine per object": (lambda: machine_create(machine_batch), machine_drive),
    }
    lifecycles: Mapping[str, Candidate] = {
        "baseline": (lambda: ids, baseline_lifecycles),
        "kernel": (lambda: ids, kernel_lifecycles),
        "matter fold": (lambda: ids, lambda i: fold_lifecycles(script, plan, i)),
        "matter commands": (lambda: ids, lambda i: commands_lifecycles(script, i)),
        "Machine per object": (lambda: machine_batch, lambda n: machine_drive(machine_create(n))),
        "Machine per object, create only": (lambda: machine_batch, machine_create),
    }
    started = time.perf_counter()
    per_transition = interleaved(transitions, rounds, batches)
    per_lifecycle = interleaved(lifecycles, rounds, batches)
    timing_s = time.perf_counter() - started
    memory_count = min(matters, MACHINE_SAMPLE)
    memory = measure_memory(script, memory_count)
    breakdown = memory_breakdown(script, memory_count)

    def objects(name: str) -> int:
        return sample if name.startswith("Machine") else matters

    def transition_ns(name: str) -> list[float]:
        count = LIGHT_TRANSITIONS if name == "light commands" else TRANSITIONS
        return [t / objects(name) / count for t in per_transition[name]]

    def lifecycle_ns(name: str) -> list[float]:
        return [t / objects(name) for t in per_lifecycle[name]]

    rows = {
        name: Row(
            name,
            median(transition_ns(name)) / 1000,
            paired_ratio(transition_ns(name), transition_ns("baseline")),
            median(lifecycle_ns(name)) / 1000 if name in per_lifecycle else None,
            (
                paired_ratio(lifecycle_ns("Machine per object"), lifecycle_ns(name))
                if name in per_lifecycle
                else None
            ),
            memory[name] / 1024 if name in memory else None,
        )
        for name in transitions
    }
    show("")
    show(
        f"{'candidate':<46}{'µs/transition':>14}{'× baseline':>11}"
        f"{'µs create+life':>16}{'MPO ÷ this':>12}{'KB/object':>11}"
    )
    for row in rows.values():
        show(
            f"{LABELS[row.name]:<46}{row.transition_us:>14.2f}{row.transition_ratio:>10.2f}×"
            f"{_figure(row.lifecycle_us, '.1f', 16)}{_figure(row.speedup_vs_machine, '.1f', 11)}"
            f"{'×' if row.speedup_vs_machine is not None else ' '}"
            f"{_figure(row.kb_per_object, '.2f', 11)}"
        )
    create_us = median(lifecycle_ns("Machine per object, create only")) / 1000
    show(
        f"Machine per object: {create_us:.0f} µs and {memory['Machine per object'] / 1024:.1f} KB "
        "to create one object. KB/object: what each finished object keeps (tracemalloc, "
        f"{memory_count:,} objects)."
    )
    show(
        "Light commands: close_solicitation, start_implementation, complete, close (their rules "
        "are one comparison each)."
    )

    show("")
    show("Matter commands, one at a time over every matter (µs per command, one pass):")
    show("  " + _per_command(script, min(matters, 5_000)))

    meetings = meeting_record_bytes(breakdown)
    raised_kb = memory["matter, raised only"] / 1024
    finished_kb = memory["matter commands"] / 1024
    bare_kb = (memory["matter commands"] - meetings) / 1024
    show("")
    show(
        f"Memory of a matter: {raised_kb:.2f} KB raised; {finished_kb:.2f} KB closed, of which "
        f"{meetings / 1024:.2f} KB are its three meeting records (DeliberationHeld events and "
        f"the member sets they keep), so {bare_kb:.2f} KB without them."
    )
    show("Largest allocations of a closed matter (bytes per matter, by source line):")
    for where, size in sorted(breakdown, key=lambda item: -item[1])[:8]:
        show(f"  {size:>7.0f}  {where}")

    light, fold = rows["light commands"], rows["matter fold"]
    commands, kernel = rows["matter commands"], rows["kernel"]
    assert fold.speedup_vs_machine is not None
    assert kernel.speedup_vs_machine is not None
    assert commands.speedup_vs_machine is not None
    ratio_ok = light.transition_ratio <= TARGET_TRANSITION_RATIO
    speed_ok = fold.speedup_vs_machine >= TARGET_LIFECYCLE_SPEEDUP
    memory_ok = finished_kb <= TARGET_KB_PER_MATTER
    show("")
    show("Targets:")
    show(
        f"  {verdict(ratio_ok)}  per transition ≤ {TARGET_TRANSITION_RATIO:g}× the baseline, "
        f"judged on the light commands: {light.transition_ratio:.2f}× "
        f"(Matter fold {fold.transition_ratio:.2f}×, kernel {kernel.transition_ratio:.2f}×; "
        f"all commands with their rules {commands.transition_ratio:.2f}×)"
    )
    show(
        f"  {verdict(speed_ok)}  create + lifecycle ≥ {TARGET_LIFECYCLE_SPEEDUP:g}× faster than a "
        f"Machine per object, judged on the Matter fold: {fold.speedup_vs_machine:.1f}× "
        f"(kernel {kernel.speedup_vs_machine:.1f}×; "
        f"commands with their rules {commands.speedup_vs_machine:.1f}×)"
    )
    show(
        f"  {verdict(memory_ok)}  ≤ {TARGET_KB_PER_MATTER:g} KB per bare matter, judged on the "
        f"closed Matter with its three minimal meeting records: {finished_kb:.2f} KB "
        f"({bare_kb:.2f} KB without them; {raised_kb:.2f} KB when raised)"
    )
    show(f"(the timed rounds took {timing_s:.0f} s)")
    return ratio_ok and speed_ok and memory_ok


def _figure(value: float | None, spec: str, width: int) -> str:
    return f"{'—':>{width}}" if value is None else f"{value:>{width}{spec}}"


LABELS = {
    "baseline": "baseline: dict + attrs.evolve",
    "kernel": "kernel: Workflow + Aggregate.apply",
    "matter fold": "Matter fold: event + Matter.apply",
    "matter commands": "Matter commands, all (public API, every rule)",
    "light commands": "Matter commands, light rules only",
    "Machine per object": "Machine per object (transitions)",
}


def _per_command(script: Script, count: int) -> str:
    matters = [script.raise_matter(i) for i in _ids(count, "c")]
    parts = []
    gc.collect()
    gc.disable()
    try:
        for action, command in zip(LIFECYCLE, script.commands(), strict=True):
            start = time.perf_counter_ns()
            matters = [command(m)[0] for m in matters]
            parts.append(f"{action} {(time.perf_counter_ns() - start) / count / 1000:.1f}")
    finally:
        gc.enable()
    return "; ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the machinery workload alone: ``python -m bench.machinery``."""
    parser = argparse.ArgumentParser(prog="python -m bench.machinery", description=__doc__)
    parser.add_argument("--matters", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    return 0 if run(args.matters, args.rounds) else 1


if __name__ == "__main__":
    raise SystemExit(main())
