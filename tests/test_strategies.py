"""The public strategies in communitygov.testing produce valid values only."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from communitygov import (
    EVENTS,
    Community,
    Event,
    InvalidInput,
    Matter,
    MatterState,
    MotionSource,
    Outcome,
    Procedure,
    QuorumNotMet,
    Tally,
    VotingRule,
    event_type,
)
from communitygov.kernel.periods import last_day
from communitygov.matters.procedure import DeliberationStep
from communitygov.organisation.bodies import BodyKind
from communitygov.organisation.events import CommunityRegistered
from communitygov.testing import strategies as cgst
from communitygov.testing.append_requests import make_request
from support import SMALL_COMMUNITIES


def matter_at_first_step(procedure: Procedure, community: Community) -> tuple[Matter, datetime]:
    """A matter on ``procedure`` whose solicitation has just closed (or just raised, where the
    procedure solicits nothing), and when its first meeting may be held: then, or once papers
    sent the day it was raised (see :func:`papers_for`) have had the first step's notice."""
    at = cgst.DEFAULT_START
    matter, _ = Matter.raise_matter(
        "m1",
        community=community,
        procedure=procedure,
        title="A ramp for building 3",
        description="Residents ask for a wheelchair ramp.",
        source=MotionSource.RESIDENTS,
        raised_by=min(community.people),
        at=at,
    )
    closes_at = at
    if procedure.solicitation is not None:
        matter, _ = matter.open_solicitation(at=at)
        assert matter.solicitation_closes_at is not None
        closes_at = matter.solicitation_closes_at
        matter, _ = matter.close_solicitation(at=closes_at)
    notice = procedure.steps[0].papers_notice
    if notice is None:
        return matter, closes_at
    ready = last_day(community.local_date(at), notice, procedure.calendar)
    return matter, max(closes_at, datetime.combine(ready, closes_at.timetz()))


def papers_for(step: DeliberationStep, community: Community) -> date | None:
    """Papers for the first meeting, where its step wants them: sent the day the matter was
    raised, the earliest day they can be about it."""
    return None if step.papers_notice is None else community.local_date(cgst.DEFAULT_START)


@given(cgst.aware_datetimes(min_year=2010, max_year=2012))
def test_aware_datetimes_are_aware_and_in_range(value: datetime) -> None:
    assert value.utcoffset() is not None
    assert 2010 <= value.year <= 2012
    assert datetime.fromisoformat(value.isoformat()) == value


@given(cgst.voting_rules())
def test_voting_rules_are_valid(rule: VotingRule) -> None:
    assert rule.quorum.base.value != "present"
    assert 0 < rule.quorum.fraction <= 1
    assert 0 < rule.passing.fraction <= 1
    assert rule.passing.inclusive or rule.passing.fraction < 1
    # Everyone present and in favour always passes.
    assert rule.evaluate(Tally(members=7, should_attend=7, present=7, yes=7)).passed


@given(cgst.procedures())
def test_procedures_build_and_follow_the_brief(procedure: Procedure) -> None:
    keys = [step.key for step in procedure.steps]
    assert 1 <= len(keys) <= 4
    assert len(set(keys)) == len(keys)
    for position, step in enumerate(procedure.steps):
        assert step.body in cgst.STEP_BODIES
        assert step.on_reject is None or keys.index(step.on_reject) <= position
    assert procedure.resolution_publicity.upheld_returns_to in keys
    for period in (
        *([] if procedure.solicitation is None else [procedure.solicitation.minimum]),
        procedure.resolution_publicity.period,
        procedure.result_publicity,
    ):
        assert 1 <= period.count <= 10
    ruling_within = procedure.resolution_publicity.ruling_within
    assert ruling_within is None or 1 <= ruling_within.count <= 10
    soliciting = {MatterState.RAISED, MatterState.SOLICITING}
    fixed = set(MatterState.FIXED) - (set() if procedure.solicitation else soliciting)
    assert set(procedure.workflow.states) == set(keys) | fixed


def test_procedures_give_rulings_a_due_time_or_none_and_solicit_or_not() -> None:
    seen: set[tuple[str, bool]] = set()

    @settings(max_examples=100, derandomize=True, database=None)
    @given(cgst.procedures())
    def draw(procedure: Procedure) -> None:
        seen.add(("ruling due", procedure.resolution_publicity.ruling_within is None))
        seen.add(("solicitation", procedure.solicitation is None))

    draw()
    assert seen == {(kind, none) for kind in ("ruling due", "solicitation") for none in (1, 0)}


SIZES: dict[str, Any] = {
    "party_committee": 2,
    "representatives": st.integers(3, 30),
    "residents": 0,
    "supervision": 1,
}


def _has_the_bodies_asked_for(community: Community) -> None:
    on = cgst.DEFAULT_START.date()
    assert len(community.members_of(BodyKind.PARTY_COMMITTEE, on)) == 2
    assert 3 <= len(community.members_of(BodyKind.REPRESENTATIVES_ASSEMBLY, on)) <= 30
    assert not community.members_of(BodyKind.RESIDENTS_ASSEMBLY, on)
    for body in cgst.SEATED_BODIES:
        assert community.members_of(body, on) <= set(community.people)


@given(cgst.communities(**SIZES))
def test_communities_have_the_bodies_asked_for(community: Community) -> None:
    _has_the_bodies_asked_for(community)


@given(cgst.communities_with_events(**SIZES))
def test_communities_are_built_by_the_events_that_come_with_them(
    built: tuple[Community, tuple[Event, ...]],
) -> None:
    community, events = built
    _has_the_bodies_asked_for(community)
    assert isinstance(events[0], CommunityRegistered)
    assert community.version == len(events)
    assert community.last_at == events[-1].at == cgst.DEFAULT_START
    assert Community.replay(events) == community


@given(
    data=st.data(),
    community=SMALL_COMMUNITIES,
    rule=cgst.voting_rules(),
    body=st.sampled_from(cgst.STEP_BODIES),
    quorate=st.booleans(),
)
def test_rosters_meet_or_fail_the_quorum_as_asked(
    data: st.DataObject, community: Community, rule: VotingRule, body: BodyKind, quorate: bool
) -> None:
    on = cgst.DEFAULT_START.date()
    roster = data.draw(cgst.rosters(community, body, on, rule, quorate=quorate))
    assert roster.present <= roster.expected <= roster.members
    assert roster.members == community.members_of(body, on)
    assert roster.without_vote == community.without_vote(body, on)
    assert roster.without_vote <= roster.expected  # they attend, though they do not vote
    voting = roster.members - roster.without_vote
    tally = Tally(
        members=len(voting),
        should_attend=len(roster.expected & voting),
        present=len(roster.present & voting),
        yes=0,
    )
    assert rule.evaluate(tally).quorum_met is quorate


@given(data=st.data(), procedure=cgst.procedures(), community=SMALL_COMMUNITIES)
def test_generated_meetings_pass_deliberate_at_their_step(
    data: st.DataObject, procedure: Procedure, community: Community
) -> None:
    matter, at = matter_at_first_step(procedure, community)
    step, day = procedure.steps[0], community.local_date(at)
    papers = papers_for(step, community)
    meeting = data.draw(
        cgst.meetings(community, step.body, day, step.rule, plan="Plan v1", papers_sent_on=papers),
        label="meeting",
    )
    assert meeting.present <= community.members_of(step.body, day)
    assert {vote.person_id for vote in meeting.votes} <= meeting.present
    after, events = matter.deliberate(meeting, community=community, at=at)
    assert len(events) == 1
    if meeting.outcome is Outcome.ADOPTED:
        following = procedure.steps[1].key if len(procedure.steps) > 1 else MatterState.RESOLVED
        assert after.state == following
    else:
        assert after.state == (step.on_reject or MatterState.REJECTED)

    # The quorum-failing variant is refused, whatever its minutes say.
    failing = data.draw(
        cgst.meetings(
            community, step.body, day, step.rule, quorate=False, plan="v1", papers_sent_on=papers
        ),
        label="quorum-failing meeting",
    )
    with pytest.raises(QuorumNotMet):
        matter.deliberate(failing, community=community, at=at)


@given(cgst.events())
def test_events_draws_registered_types(event: Event) -> None:
    assert EVENTS.get(type(event).type_name) is type(event)
    assert event.at.utcoffset() is not None


class Priority(Enum):
    LOW = "low"
    HIGH = "high"


@attrs.frozen
class Ward:
    """A field type the strategies know nothing about."""

    number: int

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.number <= 9:
            raise InvalidInput(f"no ward {self.number}")


CUSTOM_EVENTS = EVENTS.extended()


@event_type("test.ward_visited", registry=CUSTOM_EVENTS)
@attrs.frozen(kw_only=True)
class WardVisited(Event):
    ward: Ward
    priority: Priority
    visitors: frozenset[str]
    note: str | None = None


WARDS = st.builds(Ward, st.integers(1, 9))


@given(
    visited=cgst.events_of(WardVisited, overrides={Ward: WARDS}),
    drawn=cgst.events(CUSTOM_EVENTS, overrides={Ward: WARDS}),
)
def test_events_of_builds_custom_events_with_overrides(visited: WardVisited, drawn: Event) -> None:
    assert 1 <= visited.ward.number <= 9
    assert isinstance(visited.priority, Priority)
    assert all(isinstance(visitor, str) for visitor in visited.visitors)
    assert CUSTOM_EVENTS.get(type(drawn).type_name) is type(drawn)
    assert "test.ward_visited" not in EVENTS


def test_strategies_refuse_impossible_requests() -> None:
    with pytest.raises(InvalidArgument):
        cgst.events_of(object)  # not an attrs class
    with pytest.raises(InvalidArgument):
        cgst.periods(min_count=0)
    with pytest.raises(InvalidArgument):
        cgst.procedures(min_steps=3, max_steps=2)
    with pytest.raises(InvalidArgument):
        cgst.aware_datetimes(min_year=2027, max_year=2026)


def test_aware_datetimes_start_no_earlier_than_a_store_keeps() -> None:
    with pytest.raises(InvalidArgument):
        cgst.aware_datetimes(min_year=1).example()


@given(cgst.aware_datetimes(min_year=2, max_year=2))
def test_the_earliest_aware_datetimes_are_stored(value: datetime) -> None:
    make_request("c1", "s1", start=value)
