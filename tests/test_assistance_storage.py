"""Assistance plans through the store and the Governance facade, as matters go: stored,
loaded, queried by stage and by reviews due, verified; on the memory and the SQLite store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings

import communitygov as cg
from communitygov.testing import assistance_strategies as cgas
from support import (
    COMMUNITY_ID,
    START,
    TZ,
    Tracked,
    community,
    drive_tracked,
    raised,
    tracked_community,
)

Plan = cg.AssistancePlan
DAY = timedelta(days=1)
TEAM = ("pc0", "rep00")
STORES: dict[str, Callable[[Path], cg.EventStore]] = {
    "memory": lambda _: cg.MemoryStore(),
    "sqlite": lambda directory: cg.SQLiteStore(directory / "plans.db"),
}


@pytest.fixture
def gov(any_store: cg.EventStore) -> cg.Governance:
    """The facade on each shipped store in turn (memory, SQLite, PostgreSQL)."""
    return cg.Governance(any_store)


def store_step_by_step(gov: cg.Governance, generated: cgas.GeneratedPlan) -> None:
    """Store the plan's first event, then each later one through ``execute``; after each, the
    stored plan must be the plan those events make."""
    events = generated.events
    community_id, plan_id = generated.plan.community_id, generated.plan.id
    community, matter, _ = generated.records()  # the matter that adopts the plan, stored
    gov.create(community)
    gov.create(matter)
    gov.create((Plan.replay(events[:1]), events[:1]))
    for n, event in enumerate(events[1:], start=2):
        stored = gov.execute(Plan, community_id, plan_id, lambda p, e=event: (p.apply(e), (e,)))
        assert stored == Plan.replay(events[:n])
        assert gov.load(Plan, community_id, plan_id) == stored


@settings(max_examples=max(10, settings.default.max_examples // 5))
@given(cgas.plans_with_events(max_steps=15))
def test_generated_plans_round_trip_through_both_stores(generated: cgas.GeneratedPlan) -> None:
    plan = generated.plan
    for store in (cg.MemoryStore(), cg.SQLiteStore(":memory:")):
        gov = cg.Governance(store)
        store_step_by_step(gov, generated)
        assert gov.load(Plan, plan.community_id, plan.id) == plan
        assert gov.history(plan.community_id, plan.id) == list(generated.events)
        (summary,) = gov.summaries(plan.community_id, kind="assistance_plan")
        assert (summary.state, summary.title, summary.version) == (
            plan.state,
            plan.title,
            plan.version,
        )
        assert generated.name not in summary.title
        # The snapshot is the record, names and details included: kept out of logs.
        kept = store.read_stream(plan.community_id, plan.id)
        shown = repr((gov.summaries(plan.community_id, kind="assistance_plan"), kept))
        assert generated.name not in shown
        assert all(detail.text not in shown for detail in plan.sensitive)
        assert gov.summaries(plan.community_id, kind="assistance_plan", state=plan.state) == [
            summary
        ]
        assert gov.verify() == []
        store.close()


@cache
def adopting_matter(plan_id: str) -> Tracked[cg.Matter]:
    """The matter ``m-<plan_id>`` that adopts the plan, with its events."""
    raising = raised(matter_id=f"m-{plan_id}", concerns=plan_id)
    return drive_tracked(raising, cg.MatterState.IMPLEMENTING)


def adopted_plan(plan_id: str, reviews: list[date]) -> tuple[Plan, tuple[cg.Event, ...]]:
    """A plan on a three-stage template, adopted, with the given review dates."""
    stages = [
        cg.Stage(
            key=key,
            zh=key,
            en=key,
            purpose="目的",
            goals=[cg.Goal(key="g", text="目标", indicator="次数", target=1)],
        )
        for key in ("trust", "join_in", "on_own")
    ]
    template = cg.PlanTemplate(name="three", zh="三步走", en="three steps", stages=stages)
    matter = adopting_matter(plan_id).value
    when = matter.last_at
    assert when is not None
    plan, events = Plan.intake(
        plan_id,
        community=community(),
        template=template,
        beneficiary="res0",
        referred_by="楼栋长",
        team=[cg.TeamMember(p, cg.TeamRole.VOLUNTEER) for p in TEAM],
        consent=cg.Consent("res0", date(2025, 8, 1)),
        at=START - 2 * DAY,
    )
    design = [
        cg.StagePlan(stage=s.key, goals=s.goals, review_on=day)
        for s, day in zip(template.stages, reviews, strict=True)
    ]
    plan, assessed = plan.assess(["独居"], design, at=START - DAY)  # before the matter decided
    plan, adopted = plan.adopt(matter, at=when)
    return plan, (*events, *assessed, *adopted)


def morning(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=TZ)


def test_plans_are_queried_by_stage_and_by_reviews_due(gov: cg.Governance) -> None:
    adopted_on = adopting_matter("a").value.last_at  # every matter is decided on the same days
    assert adopted_on is not None
    start = adopted_on.astimezone(TZ).date()
    soon = [start + 10 * DAY, start + 40 * DAY, start + 70 * DAY]
    later = [start + 30 * DAY, start + 60 * DAY, start + 90 * DAY]
    gov.create((community(), tracked_community().events))
    for plan_id, reviews in (("a", soon), ("b", later), ("c", soon)):
        matter = adopting_matter(plan_id)
        gov.create((matter.value, matter.events))  # stored with the plan it adopts
        gov.create(adopted_plan(plan_id, reviews))
    cid = COMMUNITY_ID

    # Plan "c" passes its first stage; plan "b" is suspended.
    def observe_and_pass(p: Plan) -> cg.Decision[Plan]:
        p, first = p.record_observation("g", 1, by="res2", at=morning(soon[0]))
        p, second = p.pass_stage("trust", reviewers=TEAM, at=morning(soon[0]))
        return p, (*first, *second)

    gov.execute(Plan, cid, "c", observe_and_pass)
    gov.execute(Plan, cid, "b", lambda p: p.suspend("住院", at=morning(start + DAY)))

    def ids(summaries: list[cg.Summary]) -> list[str]:
        return [s.stream_id for s in summaries]

    assert ids(gov.summaries(cid, kind="assistance_plan", state="trust")) == ["a"]
    assert ids(gov.summaries(cid, kind="assistance_plan", state="join_in")) == ["c"]
    assert ids(gov.summaries(cid, kind="assistance_plan", state="suspended")) == ["b"]

    # Reviews due within a week of the day before plan a's review: a only (b is suspended,
    # c's next review is a month away); overdue ones stay listed.
    due = gov.due(cid, at=morning(soon[0] - DAY))
    assert ids(due) == ["a"]
    assert due[0].due_what == "stage review"
    assert due[0].due_at == datetime.combine(soon[0], time(), tzinfo=TZ)
    assert ids(gov.due(cid, at=morning(soon[1]))) == ["a", "c"]
    assert gov.verify() == []


def test_a_rejected_command_stores_nothing(gov: cg.Governance) -> None:
    plan, events = adopted_plan("a", [date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1)])
    gov.create((plan, events))
    with pytest.raises(cg.TooFewReviewers):
        gov.execute(
            Plan,
            plan.community_id,
            "a",
            lambda p: p.pass_stage("trust", reviewers=["pc0"], at=morning(date(2026, 6, 1))),
        )
    assert gov.history(plan.community_id, "a") == list(events)
    assert gov.load(Plan, plan.community_id, "a") == plan


def test_a_plan_is_not_loaded_as_another_kind(gov: cg.Governance) -> None:
    plan, events = adopted_plan("a", [date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1)])
    gov.create((plan, events))
    with pytest.raises(cg.NotFound):
        gov.matter(plan.community_id, "a")
    with pytest.raises(cg.NotFound):
        gov.load(Plan, plan.community_id, "nothing")
