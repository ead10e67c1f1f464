"""Workflows: the compiled lookups agree with ``transitions`` itself, definitions are checked,
the diagram shows everything, and the fold applies transitions to frozen records faithfully."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from transitions import Machine, MachineError

from communitygov import (
    ONE_SOLICITATION_THREE_DELIBERATIONS,
    PROCEDURES,
    Aggregate,
    BodyKind,
    Choice,
    Community,
    DefinitionError,
    Event,
    Matter,
    Meeting,
    MotionSource,
    Outcome,
    Procedure,
    Step,
    TransitionNotAllowed,
    Vote,
    Workflow,
)
from communitygov.kernel.slots import fast_init, maker
from communitygov.matters.events import DeliberationHeld, MatterClosed
from support import Log

AT = datetime(2025, 9, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))


class _Model:
    """A throwaway model for a machine built only to ask it questions."""

    state: str
    trigger: Callable[[str], bool]


def _reference_machine(workflow: Workflow) -> tuple[Machine, _Model]:
    """A fresh ``transitions`` machine over the same definition, with a model attached."""
    model = _Model()
    machine = Machine(
        model=model,
        states=list(workflow.states),
        transitions=[
            {"trigger": s.action, "source": s.source, "dest": s.dest} for s in workflow.steps
        ],
        initial=workflow.initial,
        auto_transitions=False,
    )
    return machine, model


# --- (a) no drift: every (state, action) pair of every preset -----------------------------


@pytest.mark.parametrize("name", sorted(PROCEDURES))
def test_every_state_action_pair_agrees_with_the_transitions_machine(name: str) -> None:
    workflow = PROCEDURES[name].workflow
    machine, model = _reference_machine(workflow)
    actions = list(dict.fromkeys(step.action for step in workflow.steps))
    checked = allowed_pairs = 0
    for state in workflow.states:
        expected_allowed = tuple(machine.get_triggers(state))
        assert workflow.allowed(state) == expected_allowed, state
        for action in actions:
            machine.set_state(state, model=model)
            may = getattr(model, f"may_{action}")()
            assert workflow.can(state, action) is may, (state, action)
            if may:
                model.trigger(action)
                assert workflow.target(state, action) == model.state, (state, action)
                allowed_pairs += 1
            else:
                with pytest.raises(MachineError):
                    model.trigger(action)
                assert model.state == state
                with pytest.raises(TransitionNotAllowed) as caught:
                    workflow.target(state, action)
                assert caught.value.action == action
                assert caught.value.state == state
                assert caught.value.allowed == expected_allowed
            checked += 1
    assert checked == len(workflow.states) * len(actions)
    assert allowed_pairs == len(workflow.steps)


@pytest.mark.parametrize("name", sorted(PROCEDURES))
def test_terminal_states_allow_nothing_and_say_so(name: str) -> None:
    workflow = PROCEDURES[name].workflow
    for state in workflow.terminal:
        assert workflow.is_terminal(state)
        assert workflow.allowed(state) == ()
        with pytest.raises(TransitionNotAllowed, match="none \\(the state is final\\)"):
            workflow.target(state, "withdraw")


def test_an_action_no_step_names_is_never_allowed() -> None:
    workflow = next(iter(PROCEDURES.values())).workflow
    assert not workflow.can(workflow.initial, "fly")
    with pytest.raises(TransitionNotAllowed) as caught:
        workflow.target(workflow.initial, "fly")
    assert caught.value.allowed == workflow.allowed(workflow.initial)
    assert workflow.allowed("no such state") == ()


# --- (b) definition errors ----------------------------------------------------------------

_STATES = ("draft", "review", "done")


def _workflow(
    steps: list[Step],
    *,
    states: tuple[str, ...] = _STATES,
    initial: str = "draft",
    terminal: tuple[str, ...] = ("done",),
) -> Workflow:
    return Workflow("test", states, steps, initial, terminal)


def test_a_well_formed_definition_compiles() -> None:
    workflow = _workflow([Step("submit", "draft", "review"), Step("approve", "review", "done")])
    assert workflow.target("draft", "submit") == "review"
    assert workflow.allowed("review") == ("approve",)


@pytest.mark.parametrize(
    ("steps", "problem"),
    [
        ([Step("submit", "draft", "nowhere")], "unknown 'nowhere'"),
        ([Step("submit", "limbo", "review")], "unknown 'limbo'"),
        (
            [Step("submit", "draft", "review"), Step("submit", "draft", "done")],
            "'submit' appears twice in 'draft'",
        ),
        ([Step("reopen", "done", "draft")], "'reopen' leaves terminal 'done'"),
    ],
    ids=["unknown-dest", "unknown-source", "duplicate-action", "from-terminal"],
)
def test_malformed_steps_raise_definition_error(steps: list[Step], problem: str) -> None:
    with pytest.raises(DefinitionError, match=re.escape(problem)) as caught:
        _workflow(steps)
    assert caught.value.what == "workflow 'test'"


def test_an_unknown_initial_state_raises_definition_error() -> None:
    with pytest.raises(DefinitionError, match="initial state 'start' is not a state"):
        _workflow([Step("submit", "draft", "review")], initial="start")


def test_an_unknown_terminal_state_raises_definition_error() -> None:
    with pytest.raises(DefinitionError, match="unknown terminal states"):
        _workflow([Step("submit", "draft", "review")], terminal=("archived",))


def test_a_state_listed_twice_raises_definition_error() -> None:
    with pytest.raises(DefinitionError, match="listed twice"):
        _workflow([], states=("draft", "draft", "done"))


def test_the_same_action_from_different_states_is_fine() -> None:
    workflow = _workflow([Step("cancel", "draft", "done"), Step("cancel", "review", "done")])
    assert workflow.target("draft", "cancel") == workflow.target("review", "cancel") == "done"


# --- (c) the Mermaid diagram --------------------------------------------------------------

_EDGE = re.compile(r"^\s*(\S+) --> (\S+): (.+)$")


@pytest.mark.parametrize("name", sorted(PROCEDURES))
def test_mermaid_shows_every_state_and_every_transition(name: str) -> None:
    workflow = PROCEDURES[name].workflow
    diagram = workflow.mermaid()
    assert diagram.lstrip("-\n").startswith(name) or name in diagram
    assert "stateDiagram-v2" in diagram
    for state in workflow.states:
        assert f'state "{state}" as {state}' in diagram, state
    edges = set()
    for line in diagram.splitlines():
        match = _EDGE.match(line)
        if match:
            source, dest, labels = match.groups()
            edges |= {(source, action.strip(), dest) for action in labels.split("|")}
    assert edges == {(s.source, s.action, s.dest) for s in workflow.steps}
    assert f"[*] --> {workflow.initial}" in diagram


def test_the_procedure_diagram_is_titled_with_its_names() -> None:
    procedure = next(iter(PROCEDURES.values()))
    assert procedure.zh in procedure.mermaid()


# --- the fold: transitions applied to frozen records --------------------------------------


def _evolved(aggregate: Any, event: Event) -> Any:
    """What ``apply`` must return, computed the plain way with ``attrs.evolve``."""
    return attrs.evolve(
        aggregate,
        version=aggregate.version + 1,
        last_at=event.at,
        **aggregate._changes(event),
    )


@attrs.frozen
class _Closed:
    """A community and a closed matter, each with the events that made it."""

    community: Community
    community_events: tuple[Event, ...]
    matter: Matter
    matter_events: tuple[Event, ...]


def _closed_matter(procedure: Procedure) -> _Closed:
    """A community with one-member bodies, and a matter driven from raised to closed."""
    record = Log()
    community = record(Community.register("c", "社区", at=AT - timedelta(days=30)))
    for person, body in (
        ("a", BodyKind.PARTY_COMMITTEE),
        ("b", BodyKind.RESIDENTS_COMMITTEE),
        ("c", BodyKind.REPRESENTATIVES_ASSEMBLY),
        ("d", BodyKind.PARTY_MEMBERS_ASSEMBLY),
    ):
        community = record(community.register_person(person, person, at=AT - timedelta(days=30)))
        community = record(
            community.appoint(person, body, start=date(2024, 1, 1), at=AT - timedelta(days=30))
        )
    community_events = tuple(record)
    record.clear()
    present = {
        BodyKind.PARTY_COMMITTEE: ["a"],
        BodyKind.TWO_COMMITTEES: ["a", "b"],
        BodyKind.REPRESENTATIVES_ASSEMBLY: ["c"],
        BodyKind.PARTY_MEMBERS_ASSEMBLY: ["d"],
    }
    matter = record(
        Matter.raise_matter(
            "m",
            community=community,
            procedure=procedure,
            title="t",
            description="d",
            source=MotionSource.RESIDENTS,
            raised_by="a",
            at=AT,
        )
    )
    closes_at = AT
    if procedure.solicitation is not None:
        matter = record(matter.open_solicitation(at=AT))
        assert matter.solicitation_closes_at is not None
        closes_at = matter.solicitation_closes_at
        matter = record(matter.close_solicitation(at=closes_at))
    held_at = closes_at
    for position, step in enumerate(procedure.steps):
        people = present[step.body]
        held_at = closes_at + timedelta(days=10 * position)  # papers ten days ahead, at most
        meeting = Meeting(
            body=step.body,
            present=people,
            votes=[Vote(p, Choice.YES) for p in people],
            outcome=Outcome.ADOPTED,
            plan="plan" if position == 0 else None,
            papers_sent_on=closes_at.date() if position else None,
        )
        matter = record(matter.deliberate(meeting, community=community, at=held_at))
    matter = record(matter.publicise_resolution("r", place="p", at=held_at))
    assert matter.resolution is not None
    later = matter.resolution.ends_at
    matter = record(matter.start_implementation(by="a", community=community, at=later))
    matter = record(matter.record_progress("half", by="a", community=community, at=later))
    matter = record(matter.complete("done", cost_fen=0, at=later))
    matter = record(matter.publicise_result("r", place="p", at=later))
    assert matter.result is not None
    matter = record(matter.close(at=matter.result.ends_at))
    return _Closed(community, community_events, matter, tuple(record))


@pytest.mark.parametrize("name", sorted(PROCEDURES))
def test_apply_gives_what_attrs_evolve_gives(name: str) -> None:
    closed = _closed_matter(PROCEDURES[name])
    matter = closed.matter
    assert matter.state == "closed"
    for aggregate_class, events, final in (
        (Matter, closed.matter_events, matter),
        (Community, closed.community_events, closed.community),
    ):
        current: Any = aggregate_class.replay(events[:1])
        for event in events[1:]:
            expected = _evolved(current, event)
            current = current.apply(event)
            assert type(current) is aggregate_class
            assert current == expected
            for field in attrs.fields(aggregate_class):
                assert getattr(current, field.name) == getattr(expected, field.name), field.name
        assert current.version == len(events)
        assert current.last_at == events[-1].at
        assert current == final
    assert Matter.replay(closed.matter_events) == matter


@attrs.frozen(kw_only=True)
class _Moved(Event):
    to: str


def _upper(value: str) -> str:
    return value.upper()


@attrs.frozen(kw_only=True)
class _Converted(Aggregate):
    """An aggregate whose field has a converter: ``apply`` must still run it."""

    place: str = attrs.field(converter=_upper)

    def _changes(self, event: Event) -> dict[str, Any]:
        assert isinstance(event, _Moved)
        return {"place": event.to}


@attrs.frozen(kw_only=True)
class _Hooked(Aggregate):
    """An aggregate with a post-init hook: ``apply`` must still call it."""

    place: str

    def __attrs_post_init__(self) -> None:
        if not self.place:
            raise ValueError("a place is required")

    def _changes(self, event: Event) -> dict[str, Any]:
        assert isinstance(event, _Moved)
        return {"place": event.to}


@attrs.frozen(kw_only=True, slots=False)
class _Unslotted(Aggregate):
    """An aggregate whose class keeps a ``__dict__``."""

    place: str

    def _changes(self, event: Event) -> dict[str, Any]:
        assert isinstance(event, _Moved)
        return {"place": event.to}


@attrs.frozen(kw_only=True)
class _Misnamed(Aggregate):
    """An aggregate whose ``_changes`` names a field it does not have."""

    place: str

    def _changes(self, event: Event) -> dict[str, Any]:
        return {"plaice": "x"}


def test_apply_keeps_converters_hooks_and_plain_classes_working() -> None:
    moved = _Moved(at=AT, to="north")
    converted = _Converted(id="x", place="south").apply(moved)
    assert converted.place == "NORTH"
    assert converted.version == 1
    assert converted.last_at == moved.at
    with pytest.raises(ValueError, match="a place is required"):
        _Hooked(id="x", place="south").apply(_Moved(at=AT, to=""))
    assert _Hooked(id="x", place="south").apply(moved).place == "north"
    unslotted = _Unslotted(id="x", place="south").apply(moved)
    assert unslotted == _Unslotted(id="x", version=1, last_at=moved.at, place="north")


def test_apply_refuses_a_change_to_an_unknown_field_as_attrs_does() -> None:
    with pytest.raises(TypeError, match="plaice"):
        _Misnamed(id="x", place="south").apply(_Moved(at=AT, to="north"))


def test_apply_leaves_the_original_untouched() -> None:
    events = _closed_matter(next(iter(PROCEDURES.values()))).matter_events
    before = Matter.replay(events[:-1])
    snapshot = attrs.asdict(before, recurse=False)
    after = before.apply(events[-1])
    assert attrs.asdict(before, recurse=False) == snapshot
    assert after is not before
    assert after.state == "closed"
    assert before.state == "result_publicity"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        after.state = "raised"  # type: ignore[misc]


# --- building records directly (communitygov.kernel.slots) --------------------------------


@attrs.frozen(kw_only=True)
class _Record:
    """A record with every kind of default a compiled constructor must handle."""

    name: str
    count: int = 0
    tags: list[str] = attrs.field(factory=list)
    seen: dict[str, int] = attrs.field(init=False, factory=dict, eq=False)


def test_a_compiled_constructor_builds_what_init_builds() -> None:
    make = maker(_Record)
    assert make is not _Record
    built = make(name="a")
    assert type(built) is _Record
    assert built == _Record(name="a")
    assert (built.count, built.tags, built.seen) == (0, [], {})
    assert make(name="b").tags is not built.tags  # a factory runs for every record
    given = ["x"]
    assert make(name="c", count=2, tags=given).tags is given
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.name = "z"  # type: ignore[misc]
    for wrong in ({}, {"name": "a", "colour": "red"}):
        with pytest.raises(TypeError) as compiled:
            make(**wrong)  # type: ignore[arg-type]
        with pytest.raises(TypeError) as generated:
            _Record(**wrong)  # type: ignore[arg-type]
        assert str(compiled.value) == str(generated.value)
    # Where the generated __init__ does more than store, the class itself is the constructor.
    assert maker(_Converted) is _Converted
    assert maker(_Hooked) is _Hooked
    assert maker(_Unslotted) is _Unslotted


def test_registered_events_build_what_their_generated_init_builds() -> None:
    def fields(event: Event) -> dict[str, Any]:
        return {a.name: getattr(event, a.name) for a in attrs.fields(type(event))}

    for event in _closed_matter(ONE_SOLICITATION_THREE_DELIBERATIONS).matter_events:
        cls = type(event)
        rebuilt = cls(**fields(event))
        assert type(rebuilt) is cls
        assert rebuilt == event
        assert fields(rebuilt) == fields(event)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            rebuilt.at = AT  # type: ignore[misc]
    held = DeliberationHeld.__init__
    assert held.__qualname__ == "DeliberationHeld.__init__"
    assert fast_init(DeliberationHeld) is held  # compiled: it has more than a few fields
    assert fast_init(MatterClosed) is None  # not worth it for one field
    with pytest.raises(TypeError, match=r"DeliberationHeld\.__init__\(\) missing"):
        DeliberationHeld(at=AT)  # type: ignore[call-arg]


class _Subclass(DeliberationHeld):
    """A subclass that is not an attrs class: it inherits the compiled __init__."""


def test_a_subclass_without_an_init_of_its_own_stays_itself() -> None:
    held = next(
        e
        for e in _closed_matter(ONE_SOLICITATION_THREE_DELIBERATIONS).matter_events
        if isinstance(e, DeliberationHeld)
    )
    values = {a.name: getattr(held, a.name) for a in attrs.fields(DeliberationHeld)}
    sub = _Subclass(**values)
    assert type(sub) is _Subclass
    assert all(getattr(sub, name) == value for name, value in values.items())
