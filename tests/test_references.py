"""Verification follows the references between aggregates: a plan's adopting matter and a
fund's plan must be records the store holds, as the referring record says."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import attrs
from hypothesis import given, settings

import communitygov as cg
from communitygov.assistance.events import PlanAdopted, PlanAssessed
from communitygov.people import named_people
from communitygov.testing import assistance_strategies as cgas
from communitygov.testing import strategies as cgst
from support import START, community, raised, tracked_community


def _stored(*decisions: cg.Decision[cg.Aggregate]) -> cg.Governance:
    gov = cg.Governance(cg.MemoryStore())
    for decision in decisions:
        gov.create(decision)
    return gov


def _adoption_version(generated: cgas.GeneratedPlan) -> int:
    return next(
        version
        for version, event in enumerate(generated.events, start=1)
        if isinstance(event, PlanAdopted)
    )


@settings(max_examples=max(10, settings().max_examples // 5))
@given(cgas.plans_with_events(max_steps=5))
def test_a_plan_verifies_only_beside_the_matter_that_adopted_it(
    generated: cgas.GeneratedPlan,
) -> None:
    community, matter, plan = generated.records()
    assert _stored(community, matter, plan).verify() == []

    # Adopted through a matter decided in memory and never stored.
    (problem,) = _stored(community, plan).verify()
    assert (problem.community_id, problem.stream_id) == ("community", generated.plan.id)
    assert problem.version == _adoption_version(generated)
    assert problem.detail == (
        "the plan was adopted through matter 'adopting-matter', which the store does not hold "
        "in community 'community'"
    )


@settings(max_examples=max(5, settings().max_examples // 10))
@given(cgas.plans_with_events(max_steps=0))
def test_a_plan_adopted_through_a_matter_stored_only_up_to_its_vote_is_reported(
    generated: cgas.GeneratedPlan,
) -> None:
    community, (_, events), plan = generated.records()
    # Stored as far as the assembly's vote: as far as the archive shows, no resolution notice
    # had run when the plan was adopted.
    voted = events[: -len(("publicised", "started"))]
    stale = (cg.Matter.replay(voted), voted)
    (problem,) = _stored(community, stale, plan).verify()
    assert problem.version == _adoption_version(generated)
    assert problem.detail.startswith(
        "the plan was adopted through matter 'adopting-matter', which, as the store holds it, "
        "could not adopt it then: "
    )
    assert "matter 'adopting-matter' is resolved:" in problem.detail  # its stored state


@settings(max_examples=max(5, settings().max_examples // 10))
@given(cgas.plans_with_events(max_steps=0))
def test_a_plan_adopted_through_another_kind_of_record_is_reported(
    generated: cgas.GeneratedPlan,
) -> None:
    community, _, plan = generated.records()
    # The store holds an assistance plan, not a matter, under the adopting matter's id.
    other = cg.AssistancePlan.intake(
        "adopting-matter",
        community=generated.community,
        template=cg.FOUR_STAGES,
        beneficiary=cgas.BENEFICIARY,
        referred_by="入户走访",
        team=[cg.TeamMember(p, cg.TeamRole.VOLUNTEER) for p in cgas.CASE_TEAM[:2]],
        consent=cg.Consent(cgas.BENEFICIARY, generated.plan.opened.at.date()),
        at=generated.plan.opened.at,
    )
    problems = _stored(community, other, plan).verify()
    assert [(p.stream_id, p.version) for p in problems] == [
        (generated.plan.id, _adoption_version(generated))
    ]
    assert "which the store does not hold" in problems[0].detail


@settings(max_examples=max(10, settings().max_examples // 5))
@given(cgst.funds_with_events(max_steps=5))
def test_a_fund_verifies_only_beside_the_plan_it_was_opened_for(
    generated: cgst.GeneratedFund,
) -> None:
    community, matter, plan, fund = generated.records()
    assert _stored(community, matter, plan, fund).verify() == []
    (problem,) = _stored(community, matter, fund).verify()
    assert (problem.stream_id, problem.version) == (generated.fund.id, 1)
    assert problem.detail == (
        "the fund was opened for assistance plan 'plan', which the store does not hold in "
        "community 'fundville'"
    )


def test_a_fund_opened_for_another_beneficiary_than_the_stored_plans_is_reported() -> None:
    (community, community_events), _, _ = cgst.fund_records()
    # The store holds another intake under the plan's id: for p2, not the beneficiary.
    other = cg.AssistancePlan.intake(
        "plan",
        community=community,
        template=cg.FOUR_STAGES,
        beneficiary="p2",
        referred_by="入户走访",
        team=[cg.TeamMember(p, cg.TeamRole.VOLUNTEER) for p in ("team0", "team1")],
        consent=cg.Consent("p2", cgst.fund_plan().opened.at.date()),
        at=cgst.fund_plan().opened.at,
    )
    (problem,) = _stored((community, community_events), other, cgst.open_fund()).verify()
    assert (problem.stream_id, problem.version) == ("fund", 1)
    assert problem.detail == (
        "the fund was opened for beneficiary 'beneficiary', but assistance plan 'plan' is for 'p2'"
    )


@settings(max_examples=max(5, settings().max_examples // 10))
@given(cgas.plans_with_events(max_steps=0))
def test_a_plan_adopted_before_its_stored_matter_was_raised_is_reported(
    generated: cgas.GeneratedPlan,
) -> None:
    community, _, plan = generated.records()
    adopted_at = generated.events[_adoption_version(generated) - 1].at
    # Another matter under the adopting matter's id, raised the day after the adoption.
    later = cg.Matter.raise_matter(
        "adopting-matter",
        community=generated.community,
        procedure=cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
        title="后来的事项",
        description="同名的另一事项",
        source=cg.MotionSource.CADRES,
        raised_by="pc1",
        at=adopted_at + timedelta(days=1),
        concerns=generated.plan.id,
    )
    (problem,) = _stored(community, later, plan).verify()
    assert problem.detail == (
        "the plan was adopted through matter 'adopting-matter', which was raised only after "
        "the adoption"
    )


@settings(max_examples=max(5, settings().max_examples // 10))
@given(cgas.plans_with_events(max_steps=0))
def test_a_plan_whose_design_was_revised_after_its_matter_decided_is_reported(
    generated: cgas.GeneratedPlan,
) -> None:
    community, matter, _ = generated.records()
    decided_at = generated.matter.deliberations[-1].at
    # The stored design is dated after the matter's deciding meeting, as if revised then.
    events = tuple(
        attrs.evolve(event, at=decided_at + timedelta(minutes=1))
        if isinstance(event, PlanAssessed)
        else event
        for event in generated.events
    )
    stored = (cg.AssistancePlan.replay(events), events)
    (problem,) = _stored(community, matter, stored).verify()
    assert (problem.stream_id, problem.version) == (generated.plan.id, _adoption_version(generated))
    assert problem.detail.startswith(
        "the plan was adopted through matter 'adopting-matter', which, as the store holds it, "
        "could not adopt it then: the design of assistance plan 'plan' was last revised at "
    )


@settings(max_examples=max(5, settings().max_examples // 10))
@given(cgas.plans_with_events(max_steps=0))
def test_review_dates_moved_after_the_matter_decided_are_not_reported(
    generated: cgas.GeneratedPlan,
) -> None:
    community, matter, _ = generated.records()
    decided_at = generated.matter.deliberations[-1].at
    (assessed,) = [e for e in generated.events if isinstance(e, PlanAssessed)]
    moved = attrs.evolve(
        assessed,
        at=decided_at + timedelta(minutes=1),
        stages=tuple(
            attrs.evolve(s, review_on=s.review_on + timedelta(days=7)) for s in assessed.stages
        ),
    )
    events = list(generated.events)
    events.insert(events.index(assessed) + 1, moved)  # the same design, its reviews moved
    stored = (cg.AssistancePlan.replay(events), tuple(events))
    assert _stored(community, matter, stored).verify() == []
    other = attrs.evolve(moved, needs=(*assessed.needs, "就业"))  # another need: a new design
    events[events.index(moved)] = other
    stored = (cg.AssistancePlan.replay(events), tuple(events))
    (problem,) = _stored(community, matter, stored).verify()
    assert "could not adopt it then: the design of assistance plan" in problem.detail


def test_a_fund_opened_before_its_stored_plan_was_taken_in_is_reported() -> None:
    (community, community_events), _, (plan, _) = cgst.fund_records()
    fund, fund_events = cgst.open_fund()
    # The plan's intake, dated a year after the fund opened.
    taken_in = cg.AssistancePlan.intake(
        plan.id,
        community=community,
        template=cg.FOUR_STAGES,
        beneficiary=plan.beneficiary_id,
        referred_by="入户走访",
        team=[cg.TeamMember(p, cg.TeamRole.VOLUNTEER) for p in ("team0", "team1")],
        consent=cg.Consent(plan.beneficiary_id, fund.opened.at.date()),
        at=fund.opened.at + timedelta(days=365),
    )
    (problem,) = _stored((community, community_events), taken_in, (fund, fund_events)).verify()
    assert (problem.stream_id, problem.version) == (fund.id, 1)
    assert problem.detail == (
        "the fund was opened for assistance plan 'plan', which was taken in only after the opening"
    )


def test_a_fund_opened_for_a_stored_plan_not_in_effect_then_is_reported() -> None:
    community, matter, (_, plan_events) = cgst.fund_records()
    fund = cgst.open_fund()
    # The store holds the plan as taken in and designed only: it was never adopted.
    unadopted = plan_events[:-1]
    (problem,) = _stored(
        community, matter, (cg.AssistancePlan.replay(unadopted), unadopted), fund
    ).verify()
    assert (problem.stream_id, problem.version) == ("fund", 1)
    assert problem.detail.startswith(
        "the fund was opened for assistance plan 'plan', which, as the store holds it, could "
        "not take a fund then: cannot open a fund at 2020-05-01T09:00:00+08:00 for assistance "
        "plan 'plan': it has not been adopted (its state is 'awaiting_adoption')"
    )
    # Adopted, but only after the fund opened: at the opening, it had not been adopted.
    adoption = plan_events[-1]
    late = (*unadopted, attrs.evolve(adoption, at=fund[0].opened.at + timedelta(days=1)))
    (problem,) = _stored(community, matter, (cg.AssistancePlan.replay(late), late), fund).verify()
    assert "it has not been adopted (its state is 'awaiting_adoption')" in problem.detail


def test_damage_to_the_adopting_matter_is_reported_as_the_matters_alone(tmp_path: Path) -> None:
    generated = _stored_plan_example()
    path = tmp_path / "store.db"
    with cg.SQLiteStore(path) as store:
        gov = cg.Governance(store)
        for decision in generated.records():
            gov.create(decision)
        assert gov.verify() == []
    with sqlite3.connect(path) as connection:  # the notice's end moved to 2099, by hand
        edited = connection.execute(
            'UPDATE cg_batches SET events = replace(events, \'"ends_at":"2020-\', '
            "'\"ends_at\":\"2099-') WHERE stream_id = 'adopting-matter'"
        ).rowcount
    assert edited == 1
    connection.close()
    with cg.SQLiteStore(path) as store:
        problems = cg.Governance(store).verify()
    assert {problem.stream_id for problem in problems} == {"adopting-matter"}


def _stored_plan_example() -> cgas.GeneratedPlan:
    """One generated plan, the first its strategy gives."""
    found: list[cgas.GeneratedPlan] = []

    @settings(max_examples=1, database=None, derandomize=True)
    @given(cgas.plans_with_events(max_steps=0))
    def take(generated: cgas.GeneratedPlan) -> None:
        found.append(generated)

    take()
    return found[0]


def test_a_matter_naming_someone_the_stored_register_does_not_hold_is_reported() -> None:
    # A copy of the community with a person added in memory, never stored, passed the
    # command's check: the matter was stored raised by someone the register never held.
    gov = cg.Governance(cg.MemoryStore())
    gov.create((community(), tracked_community().events))
    forged, _ = community().register_person("mallory", "某人", at=START)
    decision = cg.Matter.raise_matter(
        "m1",
        community=forged,
        procedure=cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
        title="t",
        description="d",
        source=cg.MotionSource.RESIDENTS,
        raised_by="mallory",
        at=START,
    )
    gov.create(decision)
    other = raised(matter_id="m2")  # raised by someone the register holds
    gov.create((other.value, other.events))
    (problem,) = gov.verify()
    assert (problem.stream_id, problem.version) == ("m1", 1)
    assert problem.detail == "it names 'mallory', whom the community's register does not hold"
    assert named_people(decision[1][0]) == frozenset({"mallory"})


def test_a_plan_that_ends_at_the_instant_its_fund_opens_is_not_reported() -> None:
    # Consent withdrawn at the very instant the fund opened, after the opening: times cannot
    # tell the order of two streams' records, so the opening stands.
    community, matter, plan = cgst.fund_records()
    fund = cgst.open_fund()
    withdrawn = plan[0].withdraw_consent(at=fund[0].opened.at)
    gov = _stored(community, matter, plan, fund)
    gov.execute(cg.AssistancePlan, "fundville", "plan", lambda _: withdrawn)
    assert gov.verify() == []
    # Withdrawn a moment before the opening: reported.
    earlier = plan[0].withdraw_consent(at=fund[0].opened.at - timedelta(microseconds=1))
    gov = _stored(community, matter, plan, fund)
    gov.execute(cg.AssistancePlan, "fundville", "plan", lambda _: earlier)
    (problem,) = gov.verify()
    assert (problem.stream_id, problem.version) == ("fund", 1)
    assert "consent to assistance plan 'plan' was withdrawn" in problem.detail
