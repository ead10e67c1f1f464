"""The shipped matter strategies: valid matters, with the events that made them, that get far."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import communitygov as cg
from communitygov.matters.events import MatterRaised, MatterWithdrawn, ObjectionRuled
from communitygov.testing import strategies as cgst
from support import SMALL_COMMUNITIES


def assert_made_by_its_events(generated: cgst.GeneratedMatter) -> None:
    matter, events = generated.matter, generated.events
    assert isinstance(events[0], MatterRaised)
    assert matter.community_id == generated.community.id
    assert matter.version == len(events)
    assert all(earlier.at <= later.at for earlier, later in itertools.pairwise(events))
    assert matter.last_at == events[-1].at
    assert cg.Matter.replay(events, matter.procedure) == matter
    assert matter.state in matter.procedure.workflow.states
    if matter.state != cg.MatterState.RESOLUTION_PUBLICITY:  # no notice up to object to
        assert matter.pending_objections() == ()


@settings(max_examples=60, deadline=None)
@given(cgst.matters_with_events())
def test_generated_matters_are_what_their_events_make(generated: cgst.GeneratedMatter) -> None:
    assert_made_by_its_events(generated)
    assert generated.matter.procedure in cg.PROCEDURES.values()


@settings(max_examples=60, deadline=None)
@given(cgst.matters_with_events(procedures=cgst.procedures(), communities=SMALL_COMMUNITIES))
def test_generated_matters_follow_any_procedure(generated: cgst.GeneratedMatter) -> None:
    assert_made_by_its_events(generated)


@settings(max_examples=25, deadline=None)
@given(cgst.matters_with_events(max_steps=40))
def test_generated_matters_store_and_load_back(generated: cgst.GeneratedMatter) -> None:
    gov = cg.Governance(cg.MemoryStore())
    community, matter_record = generated.records()
    assert community == (generated.community, generated.community_events)
    gov.create(community)
    gov.create(matter_record, command_id="raise")
    matter = generated.matter
    assert gov.matter(matter.community_id, matter.id) == matter
    assert gov.history(matter.community_id, matter.id) == list(generated.events)
    assert gov.verify() == []


def test_walks_reach_every_ending_and_every_kind_of_step() -> None:
    seen: Counter[str] = Counter()

    @settings(max_examples=300, derandomize=True, database=None, deadline=None)
    @given(cgst.matters_with_events())
    def walk(generated: cgst.GeneratedMatter) -> None:
        matter = generated.matter
        seen[matter.state if matter.is_final else "open"] += 1
        seen["opinions"] += bool(matter.opinions)
        seen["objections"] += bool(matter.objections)
        seen["upheld"] += any(isinstance(e, ObjectionRuled) and e.upheld for e in generated.events)
        seen["amended"] += matter.plan_version > 1
        seen["papers"] += any(d.papers_sent_on is not None for d in matter.deliberations)

    walk()
    assert seen["closed"] >= 30, seen  # most walks that get anywhere get to the end
    for outcome in ("rejected", "withdrawn", "open", "opinions", "objections", "upheld"):
        assert seen[outcome] > 0, (outcome, seen)
    assert seen["amended"] > 0, seen
    assert seen["papers"] > 0, seen  # 四议两公开 sends papers before its assemblies
    assert seen["withdrawn"] < seen["closed"], seen


@settings(max_examples=20, deadline=None)
@given(cgst.matters(max_steps=0, matter_id="电梯-3"))
def test_no_steps_leaves_the_matter_as_raised(matter: cg.Matter) -> None:
    # Raised, or waiting for the first deliberation where the procedure solicits nothing.
    first = (
        cg.MatterState.RAISED if matter.procedure.solicitation else matter.procedure.steps[0].key
    )
    assert (matter.id, matter.state, matter.version) == ("电梯-3", first, 1)


def test_matter_strategies_refuse_impossible_requests() -> None:
    with pytest.raises(InvalidArgument, match="max_steps"):
        cgst.matters_with_events(max_steps=-1)
    with pytest.raises(InvalidArgument, match="matter_id"):
        cgst.matters(matter_id="  ")
    nobody, _ = cg.Community.register("empty", "空社区", at=datetime(2020, 1, 6, tzinfo=UTC))

    @given(cgst.matters(communities=st.just(nobody)))
    def raise_one(matter: cg.Matter) -> None:
        raise AssertionError("a matter was raised in a community of nobody")

    with pytest.raises(InvalidArgument, match="nobody"):
        raise_one()


@st.composite
def _party_members_leaving(draw: st.DrawFn) -> cg.Community:
    """A community whose party members' seats all end within days of the assembly's meeting."""
    community = draw(SMALL_COMMUNITIES)
    assert community.last_at is not None
    today = community.local_date(community.last_at)
    end = today + timedelta(days=draw(st.integers(7, 20)))
    body = cg.BodyKind.PARTY_MEMBERS_ASSEMBLY
    for person in sorted(community.members_of(body, today)):
        community, _ = community.end_membership(person, body, end=end, at=community.last_at)
    return community


@settings(max_examples=60, deadline=None)
@given(
    cgst.matters_with_events(
        procedures=st.just(cg.FOUR_DELIBERATIONS),
        communities=_party_members_leaving(),
    )
)
def test_a_meeting_is_drawn_only_for_a_day_its_body_has_members(
    generated: cgst.GeneratedMatter,
) -> None:
    # 四议两公开 sends the party members' papers days before their assembly: the walk holds
    # it only if the assembly still has members on the day it meets, and otherwise waits.
    assert_made_by_its_events(generated)
    for meeting in generated.matter.deliberations:
        assert meeting.members


@pytest.mark.parametrize(
    ("procedure", "state"),
    [
        (procedure, state)
        for procedure in cg.PROCEDURES.values()
        for state in procedure.workflow.states
    ],
    ids=lambda value: value.name if isinstance(value, cg.Procedure) else value,
)
def test_until_gives_matters_in_that_state(procedure: cg.Procedure, state: str) -> None:
    @settings(max_examples=10, deadline=None)
    @given(cgst.matters_with_events(procedures=st.just(procedure), until=state))
    def walk(generated: cgst.GeneratedMatter) -> None:
        assert generated.matter.state == state
        assert_made_by_its_events(generated)
        if state != cg.MatterState.WITHDRAWN:  # no walk is withdrawn on its way elsewhere
            assert not any(isinstance(e, MatterWithdrawn) for e in generated.events)

    walk()


def test_until_must_be_a_state_of_the_procedure() -> None:
    p3 = st.just(cg.ONE_SOLICITATION_THREE_DELIBERATIONS)
    for until in ("review", "no-such-state"):  # 四议两公开 has a review; 一征三议两公开 does not

        @given(cgst.matters(procedures=p3, until=until))
        def walk(matter: cg.Matter) -> None:
            raise AssertionError(f"a matter of 一征三议两公开 was drawn in {matter.state!r}")

        with pytest.raises(InvalidArgument, match="not a state of procedure"):
            walk()


def test_until_soliciting_names_the_procedures_that_have_it() -> None:
    @given(cgst.matters(procedures=cgst.procedures(solicitation=False), until="soliciting"))
    def without(matter: cg.Matter) -> None:
        raise AssertionError("a matter of a procedure without a solicitation was soliciting")

    with pytest.raises(InvalidArgument, match=r"procedures\(solicitation=True\)"):
        without()

    @settings(max_examples=10, deadline=None)
    @given(cgst.matters(procedures=cgst.procedures(solicitation=True), until="soliciting"))
    def soliciting(matter: cg.Matter) -> None:
        assert matter.state == cg.MatterState.SOLICITING
        assert matter.procedure.solicitation is not None

    soliciting()


def test_until_draws_among_the_presets_those_that_have_the_state() -> None:
    seen: set[str] = set()

    @settings(max_examples=40, derandomize=True, database=None, deadline=None)
    @given(st.data())
    def walk(data: st.DataObject) -> None:
        for until in (cg.MatterState.RAISED, cg.MatterState.SOLICITING, "review"):
            matter = data.draw(cgst.matters(until=until, max_steps=12))
            assert matter.state == until
            seen.add(matter.procedure.name)

    walk()
    assert seen == set(cg.PROCEDURES), seen


def test_until_refuses_what_no_walk_can_reach() -> None:
    proposal = cg.ONE_SOLICITATION_THREE_DELIBERATIONS.steps[0]
    never_rejected = attrs.evolve(
        cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
        name="never-rejected",
        steps=(
            attrs.evolve(proposal, on_reject=proposal.key),
            *(
                attrs.evolve(step, rejection_may_end=False)
                for step in cg.ONE_SOLICITATION_THREE_DELIBERATIONS.steps[1:]
            ),
        ),
    )
    for strategy, why in (
        (cgst.matters(procedures=st.just(never_rejected), until="rejected"), "can end in"),
        (cgst.matters(until="closed", max_steps=5), "too few to reach 'closed'"),
    ):

        @given(strategy)
        def walk(matter: cg.Matter) -> None:
            raise AssertionError(f"drawn in {matter.state}")

        with pytest.raises(InvalidArgument, match=why):
            walk()


def test_matters_in_one_state_differ() -> None:
    seen: Counter[str] = Counter()

    @settings(max_examples=100, derandomize=True, database=None, deadline=None)
    @given(
        st.data(),
        st.sampled_from(
            [
                cg.MatterState.SOLICITING,
                cg.MatterState.RESOLUTION_PUBLICITY,
                cg.MatterState.IMPLEMENTING,
            ]
        ),
    )
    def walk(data: st.DataObject, state: str) -> None:
        matter = data.draw(cgst.matters(until=state))
        assert matter.state == state
        seen["opinions"] += bool(matter.opinions)
        seen["objections"] += bool(matter.objections)
        seen["dismissed"] += any(o.upheld is False for o in matter.objections)
        seen["progress"] += bool(matter.progress)

    walk()
    assert all(seen[kind] > 0 for kind in ("opinions", "objections", "dismissed", "progress")), seen


@settings(max_examples=5, deadline=None)
@given(cgst.matters_with_events(communities=SMALL_COMMUNITIES, max_steps=2))
def test_a_matter_whose_communitys_events_are_not_known_has_no_records(
    generated: cgst.GeneratedMatter,
) -> None:
    assert generated.community_events == ()
    with pytest.raises(InvalidArgument, match="communities_with_events"):
        generated.records()
    # stored without its community, it is reported
    gov = cg.Governance(cg.MemoryStore())
    gov.create((generated.matter, generated.events))
    (problem,) = gov.verify()
    assert (problem.stream_id, problem.version) == (generated.matter.id, 1)
    assert problem.detail.startswith("the matter belongs to a community the store does not hold")
