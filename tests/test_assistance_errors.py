"""Every way an assistance-plan command can be refused: the right error, its facts, nothing
changed; and the boundaries of the review rules (the review date, the two reviewers).

Each case builds a plan (or, for ``intake``, nothing), runs one command that must fail, and
checks the error type, its fact attributes, and that the plan is exactly as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import communitygov as cg
from communitygov.assistance import StageReviewed
from support import START, TZ, Tracked, community, matter_at, raised, tracked_at, tracked_community

Plan = cg.AssistancePlan
Command = Callable[[], object]
Arranged = tuple[Plan | None, Command]

PLAN = "plan1"
BENEFICIARY = "res0"
MENTOR = "res2"
OUTSIDER = "res3"
TEAM = (
    cg.TeamMember("pc0", cg.TeamRole.BRANCH_SECRETARY),
    cg.TeamMember("rep00", cg.TeamRole.RESIDENT_REPRESENTATIVE),
    cg.TeamMember("res1", cg.TeamRole.VOLUNTEER),
)
REVIEWERS = ("pc0", "rep00")
CONSENT = cg.Consent(given_by=BENEFICIARY, on=START.date(), how="签字同意书")
SENSITIVE = (cg.SensitiveDetail(cg.SensitiveKind.HEALTH, "社交恐惧症"),)
KEYS = cg.FOUR_STAGES.keys
DAY = timedelta(days=1)


@cache
def adopting_matter() -> cg.Matter:
    """A matter whose resolution has taken effect (implementation has started)."""
    return matter_at(cg.MatterState.IMPLEMENTING, concerns=PLAN)


def adopted_at() -> datetime:
    when = adopting_matter().last_at
    assert when is not None
    return when


def design(first_review: date, *, every: int = 30) -> list[cg.StagePlan]:
    return [
        cg.StagePlan(
            stage=stage.key,
            goals=stage.goals,
            review_on=first_review + timedelta(days=every * n),
            activities=["陪伴"],
        )
        for n, stage in enumerate(cg.FOUR_STAGES.stages)
    ]


def morning(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=TZ)


def intake(**changes: Any) -> cg.Decision[Plan]:
    arguments: dict[str, Any] = {
        "community": community(),
        "template": cg.FOUR_STAGES,
        "beneficiary": BENEFICIARY,
        "referred_by": "入户走访",
        "team": TEAM,
        "consent": CONSENT,
        "sensitive": SENSITIVE,
        "at": START,
    }
    return Plan.intake(PLAN, **{**arguments, **changes})


def meet_goals(t: Tracked[Plan], when: datetime) -> Tracked[Plan]:
    """Observations that meet every goal of the current stage, at ``when``."""
    p = t.value
    stage_plan = p.stages[p.template.position(p.state)]
    for goal in stage_plan.goals:
        t = t.then(t.value.record_observation(goal.key, goal.target, by=MENTOR, at=when))
    return t


@cache
def tracked_plan(state: str) -> Tracked[Plan]:
    """A plan taken along the happy path to ``state``, with its events."""
    t = Tracked(*intake())
    if state == "intake":
        return t
    adopted_day = adopted_at().astimezone(TZ).date()
    t = t.then(t.value.assess(["交流"], design(adopted_day + 30 * DAY), at=START + DAY))
    if state == "awaiting_adoption":
        return t
    t = t.then(t.value.adopt(adopting_matter(), at=adopted_at()))
    if state == "suspended":
        return t.then(t.value.suspend("住院", at=adopted_at() + 2 * DAY))
    if state == "withdrawn":
        return t.then(t.value.withdraw_consent(at=adopted_at() + 2 * DAY))
    while t.value.state != state:
        p = t.value
        if p.state == "evaluation":
            last = p.last_at
            assert last is not None
            if state == "closed":
                return t.then(p.close("迁出", reviewers=REVIEWERS, at=last + DAY))
            return t.then(p.graduate("完成", reviewers=REVIEWERS, at=last + DAY))
        due = p.review_due_on
        assert due is not None
        t = meet_goals(t, morning(due) - DAY)
        t = t.then(t.value.pass_stage(p.state, reviewers=REVIEWERS, at=morning(due)))
    return t


def plan_at(state: str) -> Plan:
    return tracked_plan(state).value


def due(p: Plan) -> datetime:
    """Nine o'clock on the current stage's review day."""
    day = p.review_due_on
    assert day is not None
    return morning(day)


def later(p: Plan, days: int = 1) -> datetime:
    last = p.last_at
    assert last is not None
    return last + timedelta(days=days)


def activity(on: date) -> cg.Activity:
    return cg.Activity(on=on, by=MENTOR, what="陪伴聊天", minutes=60)


def resumed_plan() -> Plan:
    """Suspended two days after adoption, resumed ten days later."""
    p = plan_at("suspended")
    p, _ = p.resume("出院", at=later(p, 10))
    return p


def withdrawn() -> Plan:
    return plan_at("withdrawn")


def other_community_matter() -> cg.Matter:
    other = community("yiyuan")
    return raised(c=other).value


def matter_with_pending_objection() -> cg.Matter:
    m = matter_at(cg.MatterState.RESOLUTION_PUBLICITY, concerns=PLAN)
    m, _ = m.raise_objection("x1", by="res4", text="有异议", community=community(), at=later_m(m))
    return m


def later_m(m: cg.Matter) -> datetime:
    last = m.last_at
    assert last is not None
    return last + timedelta(hours=1)


def ends(m: cg.Matter) -> datetime:
    assert m.resolution is not None
    assert m.resolution.ends_at is not None
    return m.resolution.ends_at


# --- the cases -----------------------------------------------------------------------------


def case(plan: Plan | None, command: Callable[[Plan], object]) -> Arranged:
    return plan, lambda: command(plan)  # type: ignore[arg-type]


def review_in_intake() -> Arranged:
    p = plan_at("intake")
    return case(p, lambda p: p.pass_stage("speak_up", reviewers=REVIEWERS, at=later(p)))


def setback_from_the_first_stage() -> Arranged:
    p = plan_at("speak_up")
    return case(
        p,
        lambda p: p.record_setback(
            "speak_up",
            to="go_out",
            review_on=date(2027, 1, 1),
            reason="x",
            reviewers=REVIEWERS,
            at=due(p),
        ),
    )


def resume_when_running() -> Arranged:
    p = plan_at("go_out")
    return case(p, lambda p: p.resume("出院", at=later(p)))


def adopt_twice() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.adopt(adopting_matter(), at=later(p)))


def log_after_graduation() -> Arranged:
    p = plan_at("graduated")
    return case(p, lambda p: p.log_activity(activity(later(p).date()), at=later(p)))


def activity_while_suspended() -> Arranged:
    p = plan_at("suspended")
    return case(p, lambda p: p.log_activity(activity(later(p).date()), at=later(p)))


def withdraw_publish_consent_never_given() -> Arranged:
    p = plan_at("go_out")
    return case(p, lambda p: p.withdraw_publish_consent(at=later(p)))


def withdraw_publish_consent_twice() -> Arranged:
    p, _ = plan_at("go_out").give_publish_consent(CONSENT, at=later(plan_at("go_out")))
    p, _ = p.withdraw_publish_consent(at=later(p))
    return case(p, lambda p: p.withdraw_publish_consent(at=later(p)))


def consent_given_by_the_branch_secretary() -> Arranged:
    return case(None, lambda _: intake(consent=cg.Consent("pc0", START.date())))


def consent_dated_after_intake() -> Arranged:
    return case(None, lambda _: intake(consent=cg.Consent(BENEFICIARY, START.date() + DAY)))


def publish_consent_given_by_a_team_member() -> Arranged:
    p = plan_at("go_out")
    return case(
        p, lambda p: p.give_publish_consent(cg.Consent("pc0", later(p).date()), at=later(p))
    )


def publish_consent_dated_after_it_is_recorded() -> Arranged:
    p = plan_at("go_out")
    tomorrow = later(p, 2).date()
    return case(p, lambda p: p.give_publish_consent(cg.Consent(BENEFICIARY, tomorrow), at=later(p)))


def publish_consent_withdrawn(on_day_of_withdrawal: bool) -> Callable[[], Arranged]:
    def arrange() -> Arranged:
        p, _ = plan_at("go_out").give_publish_consent(CONSENT, at=later(plan_at("go_out")))
        p, _ = p.withdraw_publish_consent(at=later(p))
        withdrawn_on = later(p, 0).date()
        paper = cg.Consent(BENEFICIARY, withdrawn_on) if on_day_of_withdrawal else CONSENT
        return case(p, lambda p: p.give_publish_consent(paper, at=later(p)))

    return arrange


def after_withdrawal(command: Callable[[Plan], object]) -> Callable[[], Arranged]:
    return lambda: case(withdrawn(), command)


def outsider_reviews() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.pass_stage("speak_up", reviewers=["pc0", OUTSIDER], at=due(p)))


def outsider_leaves() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.leave_team(OUTSIDER, at=later(p)))


def one_reviewer() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.pass_stage("speak_up", reviewers=["pc0"], at=due(p)))


def one_reviewer_twice() -> Arranged:
    p = plan_at("go_out")
    return case(
        p,
        lambda p: p.extend_stage(
            "go_out", review_on=date(2027, 1, 1), reason="x", reviewers=["pc0", "pc0"], at=due(p)
        ),
    )


def one_reviewer_graduates() -> Arranged:
    p = plan_at("evaluation")
    return case(p, lambda p: p.graduate("完成", reviewers=["rep00"], at=later(p)))


def review_a_day_early() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.pass_stage("speak_up", reviewers=REVIEWERS, at=due(p) - DAY))


def setback_before_its_date() -> Arranged:
    p = plan_at("first_wish")
    return case(
        p,
        lambda p: p.record_setback(
            "first_wish",
            to="go_out",
            review_on=due(p).date() + 30 * DAY,
            reason="情绪反复",
            reviewers=REVIEWERS,
            at=due(p) - timedelta(hours=10),
        ),
    )


def review_a_later_stage() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.pass_stage("go_out", reviewers=REVIEWERS, at=due(p)))


def review_an_earlier_stage() -> Arranged:
    p = plan_at("first_wish")
    return case(p, lambda p: p.pass_stage("speak_up", reviewers=REVIEWERS, at=due(p)))


def review_an_unknown_stage() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.pass_stage("fly", reviewers=REVIEWERS, at=due(p)))


def observe_an_unknown_goal() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.record_observation("outings", 2, by=MENTOR, at=later(p)))


def setback_to_a_later_stage() -> Arranged:
    p = plan_at("go_out")
    return case(
        p,
        lambda p: p.record_setback(
            "go_out",
            to="stand_up",
            review_on=due(p).date() + DAY,
            reason="x",
            reviewers=REVIEWERS,
            at=due(p),
        ),
    )


def setback_to_the_same_stage() -> Arranged:
    p = plan_at("first_wish")
    return case(
        p,
        lambda p: p.record_setback(
            "first_wish",
            to="first_wish",
            review_on=due(p).date() + DAY,
            reason="x",
            reviewers=REVIEWERS,
            at=due(p),
        ),
    )


def pass_with_goals_unmet() -> Arranged:
    p = plan_at("go_out")
    p, _ = p.record_observation("outings", 1, by=MENTOR, at=later(p))
    return case(p, lambda p: p.pass_stage("go_out", reviewers=REVIEWERS, at=due(p)))


def pass_with_a_blank_reason() -> Arranged:
    p = plan_at("speak_up")  # never observed: its goal is unmet
    return case(
        p, lambda p: p.pass_stage("speak_up", reviewers=REVIEWERS, at=due(p), unmet_reason="  ")
    )


def activity_before_adoption() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.log_activity(activity(adopted_at().date() - DAY), at=later(p)))


def activity_during_suspension() -> Arranged:
    p = resumed_plan()
    return case(p, lambda p: p.log_activity(activity(adopted_at().date() + 5 * DAY), at=later(p)))


def activity_in_future() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.log_activity(activity(later(p).date() + DAY), at=later(p)))


def mentor_is_beneficiary() -> Arranged:
    p = plan_at("speak_up")
    return case(
        p,
        lambda p: p.assign_mentor(
            BENEFICIARY, start=date(2025, 10, 1), community=community(), at=later(p)
        ),
    )


def beneficiary_on_own_team() -> Arranged:
    team = (*TEAM, cg.TeamMember(BENEFICIARY, cg.TeamRole.VOLUNTEER))
    return None, lambda: intake(team=team)


def beneficiary_joins_team() -> Arranged:
    p = plan_at("intake")
    member = cg.TeamMember(BENEFICIARY, cg.TeamRole.VOLUNTEER)
    return case(p, lambda p: p.join_team(member, community=community(), at=later(p)))


def mentor_again() -> Arranged:
    p = plan_at("speak_up")
    p, _ = p.assign_mentor(MENTOR, start=date(2025, 10, 1), community=community(), at=later(p))
    return case(
        p,
        lambda p: p.assign_mentor(
            MENTOR, start=date(2025, 11, 1), community=community(), at=later(p)
        ),
    )


def team_member_twice() -> Arranged:
    return None, lambda: intake(team=(*TEAM, TEAM[0]))


def team_of_one() -> Arranged:
    return None, lambda: intake(team=TEAM[:1])


def team_shrinks_below_two() -> Arranged:
    p = plan_at("speak_up")
    p, _ = p.leave_team("res1", at=later(p))
    return case(p, lambda p: p.leave_team("pc0", at=later(p)))


def adopt_with_matter_still_deliberating() -> Arranged:
    p = plan_at("awaiting_adoption")
    return case(p, lambda p: p.adopt(matter_at("resolve", concerns=PLAN), at=later(p)))


def adopt_with_withdrawn_matter() -> Arranged:
    p = plan_at("awaiting_adoption")
    m = matter_at("consult", concerns=PLAN)
    m, _ = m.withdraw("重复", by="pc0", community=community(), at=later_m(m))
    return case(p, lambda p: p.adopt(m, at=later(p)))


def adopt_while_the_notice_is_up() -> Arranged:
    p = plan_at("awaiting_adoption")
    m = matter_at(cg.MatterState.RESOLUTION_PUBLICITY, concerns=PLAN)
    return case(p, lambda p: p.adopt(m, at=ends(m) - timedelta(seconds=1)))


def adopt_before_the_notice_ended_through_a_matter_gone_on() -> Arranged:
    p = plan_at("awaiting_adoption")
    m = matter_at(cg.MatterState.IMPLEMENTING, concerns=PLAN)
    return case(p, lambda p: p.adopt(m, at=ends(m) - timedelta(seconds=1)))


def adopt_on_the_day_the_first_review_falls() -> Arranged:
    # Assessed long before: the first stage would start with its review overdue.
    p = plan_at("awaiting_adoption")
    review_on = p.stages[0].review_on
    when = max(adopted_at(), morning(review_on))
    return case(p, lambda p: p.adopt(adopting_matter(), at=when))


def adopt_with_objection_pending() -> Arranged:
    p = plan_at("awaiting_adoption")
    m = matter_with_pending_objection()
    return case(p, lambda p: p.adopt(m, at=ends(m)))


def adopt_with_a_matter_about_something_else() -> Arranged:
    p = plan_at("awaiting_adoption")
    elevator = matter_at(cg.MatterState.IMPLEMENTING, concerns="elevator-7")
    return case(p, lambda p: p.adopt(elevator, at=later(p)))


def adopt_with_a_matter_about_nothing() -> Arranged:
    p = plan_at("awaiting_adoption")
    return case(p, lambda p: p.adopt(matter_at(cg.MatterState.IMPLEMENTING), at=later(p)))


def adopt_with_another_communitys_matter() -> Arranged:
    p = plan_at("awaiting_adoption")
    return case(p, lambda p: p.adopt(other_community_matter(), at=later(p)))


def mentor_from_another_community() -> Arranged:
    p = plan_at("speak_up")
    return case(
        p,
        lambda p: p.assign_mentor(
            MENTOR, start=date(2025, 10, 1), community=community("yiyuan"), at=later(p)
        ),
    )


def design_misses_a_stage() -> Arranged:
    p = plan_at("intake")
    return case(p, lambda p: p.assess(["交流"], design(date(2025, 12, 1))[:3], at=later(p)))


def design_out_of_order() -> Arranged:
    p = plan_at("intake")
    stages = design(date(2025, 12, 1))
    return case(p, lambda p: p.assess(["交流"], [stages[1], stages[0], *stages[2:]], at=later(p)))


def design_review_today() -> Arranged:
    p = plan_at("intake")
    return case(p, lambda p: p.assess(["交流"], design(later(p).date()), at=later(p)))


def design_reviews_on_one_day() -> Arranged:
    p = plan_at("intake")
    return case(p, lambda p: p.assess(["交流"], design(date(2025, 12, 1), every=0), at=later(p)))


def extend_to_today() -> Arranged:
    p = plan_at("speak_up")
    return case(
        p,
        lambda p: p.extend_stage(
            "speak_up", review_on=due(p).date(), reason="x", reviewers=REVIEWERS, at=due(p)
        ),
    )


def pass_into_a_stage_reviewed_in_the_past() -> Arranged:
    p = plan_at("speak_up")
    return case(
        p,
        lambda p: p.pass_stage(
            "speak_up",
            reviewers=REVIEWERS,
            at=due(p),
            unmet_reason="已具备条件",
            next_review_on=due(p).date() - DAY,
        ),
    )


def design_goal_twice() -> Arranged:
    p = plan_at("intake")
    stages = design(date(2025, 12, 1))
    doubled = attrs.evolve(stages[0], goals=(*stages[0].goals, *stages[0].goals))
    return case(p, lambda p: p.assess(["交流"], [doubled, *stages[1:]], at=later(p)))


def no_needs() -> Arranged:
    p = plan_at("intake")
    return case(p, lambda p: p.assess([], design(date(2025, 12, 1)), at=later(p)))


def blank_suspension_reason() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.suspend(" ", at=later(p)))


def blank_sensitive_detail() -> Arranged:
    return None, lambda: intake(sensitive=[cg.SensitiveDetail(cg.SensitiveKind.HEALTH, "")])


def negative_minutes() -> Arranged:
    p = plan_at("speak_up")
    return case(
        p,
        lambda p: p.log_activity(attrs.evolve(activity(later(p).date()), minutes=-5), at=later(p)),
    )


def income_without_amount() -> Arranged:
    p = plan_at("go_out")
    return case(
        p, lambda p: p.post_notice(cg.PlanNoticeKind.INCOME, "收入", place="公示栏", at=later(p))
    )


def unknown_beneficiary() -> Arranged:
    return None, lambda: intake(beneficiary="ghost")


def beneficiary_by_a_list() -> Arranged:
    return None, lambda: intake(beneficiary=[BENEFICIARY])


def leaving_by_a_list() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.leave_team([MENTOR], at=later(p)))  # type: ignore[arg-type]


def mentor_by_a_list() -> Arranged:
    p = plan_at("speak_up")
    return case(
        p,
        lambda p: p.assign_mentor(
            [MENTOR], start=later(p).date(), community=community(), at=later(p)
        ),
    )


def review_a_list_of_stages() -> Arranged:
    p = plan_at("speak_up")
    return case(p, lambda p: p.pass_stage(["speak_up"], reviewers=REVIEWERS, at=due(p)))


def setback_to_a_list_of_stages() -> Arranged:
    p = plan_at("go_out")
    return case(
        p,
        lambda p: p.record_setback(
            "go_out",
            to=["speak_up"],
            review_on=due(p).date() + DAY,
            reason="x",
            reviewers=REVIEWERS,
            at=due(p),
        ),
    )


def next_review_date_as_text() -> Arranged:
    p = plan_at("speak_up")
    return case(
        p,
        lambda p: p.pass_stage(
            "speak_up", reviewers=REVIEWERS, at=due(p), unmet_reason="x", next_review_on="x"
        ),
    )


@cache
def last_stage_met() -> Plan:
    """The plan in its last stage on its review day, every goal met."""
    p = plan_at(KEYS[-1])
    return meet_goals(Tracked(p), due(p) - DAY).value


def pass_the_last_stage(**changes: Any) -> Callable[[], Arranged]:
    """Passing the last stage, its goals met, with ``changes`` made to the review."""

    def arrange() -> Arranged:
        p = last_stage_met()
        return case(p, lambda p: p.pass_stage(KEYS[-1], reviewers=REVIEWERS, at=due(p), **changes))

    return arrange


def time_went_backwards() -> Arranged:
    p = plan_at("go_out")
    return case(p, lambda p: p.suspend("住院", at=START))


def naive_datetime() -> Arranged:
    p = plan_at("go_out")
    return case(p, lambda p: p.suspend("住院", at=datetime(2026, 9, 1, 9)))


CASES = [
    pytest.param(
        adopt_with_a_matter_about_something_else,
        cg.MatterConcernsAnother,
        {"concerns": "elevator-7", "plan": PLAN},
        id="MatterConcernsAnother-another-record",
    ),
    pytest.param(
        adopt_with_a_matter_about_nothing,
        cg.MatterConcernsAnother,
        {"concerns": "", "plan": PLAN},
        id="MatterConcernsAnother-nothing-named",
    ),
    pytest.param(
        consent_given_by_the_branch_secretary,
        cg.InvalidConsent,
        {"field": "consent", "given_by": "pc0", "beneficiary": BENEFICIARY},
        id="InvalidConsent-given-by-someone-else",
    ),
    pytest.param(
        consent_dated_after_intake,
        cg.InvalidConsent,
        {"field": "consent", "on": START.date() + DAY},
        id="InvalidConsent-dated-after-intake",
    ),
    pytest.param(
        publish_consent_given_by_a_team_member,
        cg.InvalidConsent,
        {"field": "consent to publish", "given_by": "pc0"},
        id="InvalidConsent-to-publish-given-by-the-branch-secretary",
    ),
    pytest.param(
        publish_consent_dated_after_it_is_recorded,
        cg.InvalidConsent,
        {"field": "consent to publish", "given_by": BENEFICIARY},
        id="InvalidConsent-to-publish-dated-later",
    ),
    pytest.param(
        publish_consent_withdrawn(on_day_of_withdrawal=False),
        cg.InvalidConsent,
        {"field": "consent to publish", "on": START.date()},
        id="InvalidConsent-to-publish-withdrawn-and-recorded-again",
    ),
    pytest.param(
        publish_consent_withdrawn(on_day_of_withdrawal=True),
        cg.InvalidConsent,
        {"field": "consent to publish", "given_by": BENEFICIARY},
        id="InvalidConsent-to-publish-dated-the-day-it-was-withdrawn",
    ),
    pytest.param(
        review_in_intake,
        cg.TransitionNotAllowed,
        {"action": "pass_stage", "state": "intake"},
        id="TransitionNotAllowed-review-in-intake",
    ),
    pytest.param(
        setback_from_the_first_stage,
        cg.TransitionNotAllowed,
        {"action": "record_setback", "state": "speak_up"},
        id="TransitionNotAllowed-setback-from-first-stage",
    ),
    pytest.param(
        resume_when_running,
        cg.TransitionNotAllowed,
        {"action": "resume", "state": "go_out"},
        id="TransitionNotAllowed-resume",
    ),
    pytest.param(
        adopt_twice,
        cg.TransitionNotAllowed,
        {"action": "adopt", "state": "speak_up"},
        id="TransitionNotAllowed-adopt-twice",
    ),
    pytest.param(
        log_after_graduation,
        cg.TransitionNotAllowed,
        {"action": "log_activity", "state": "graduated"},
        id="TransitionNotAllowed-after-graduation",
    ),
    pytest.param(
        activity_while_suspended,
        cg.TransitionNotAllowed,
        {"action": "log_activity", "state": "suspended"},
        id="TransitionNotAllowed-while-suspended",
    ),
    pytest.param(
        after_withdrawal(
            lambda p: p.post_notice(cg.PlanNoticeKind.RESULT, "回访", place="公示栏", at=later(p))
        ),
        cg.ConsentAlreadyWithdrawn,
        {"plan": "plan1", "action": "post_notice"},
        id="ConsentAlreadyWithdrawn-notice",
    ),
    pytest.param(
        withdraw_publish_consent_never_given,
        cg.NoPublishConsent,
        {"plan": "plan1"},
        id="NoPublishConsent-never-given",
    ),
    pytest.param(
        withdraw_publish_consent_twice,
        cg.NoPublishConsent,
        {"plan": "plan1"},
        id="NoPublishConsent-withdrawn-already",
    ),
    pytest.param(
        after_withdrawal(lambda p: p.withdraw_publish_consent(at=later(p))),
        cg.ConsentAlreadyWithdrawn,
        {"action": "withdraw_publish_consent"},
        id="ConsentAlreadyWithdrawn-withdraw-publish-consent",
    ),
    pytest.param(
        after_withdrawal(lambda p: p.give_publish_consent(CONSENT, at=later(p))),
        cg.ConsentAlreadyWithdrawn,
        {"action": "give_publish_consent"},
        id="ConsentAlreadyWithdrawn-publish-consent",
    ),
    pytest.param(
        after_withdrawal(lambda p: p.log_activity(activity(later(p).date()), at=later(p))),
        cg.ConsentAlreadyWithdrawn,
        {"action": "log_activity"},
        id="ConsentAlreadyWithdrawn-activity",
    ),
    pytest.param(
        after_withdrawal(lambda p: p.withdraw_consent(at=later(p))),
        cg.ConsentAlreadyWithdrawn,
        {"action": "withdraw_consent"},
        id="ConsentAlreadyWithdrawn-again",
    ),
    pytest.param(
        outsider_reviews,
        cg.NotOnCaseTeam,
        {"person": OUTSIDER, "plan": "plan1"},
        id="NotOnCaseTeam-review",
    ),
    pytest.param(outsider_leaves, cg.NotOnCaseTeam, {"person": OUTSIDER}, id="NotOnCaseTeam-leave"),
    pytest.param(
        one_reviewer,
        cg.TooFewReviewers,
        {"reviewers": ("pc0",), "required": 2},
        id="TooFewReviewers",
    ),
    pytest.param(
        one_reviewer_twice,
        cg.TooFewReviewers,
        {"reviewers": ("pc0",)},
        id="TooFewReviewers-same-person-twice",
    ),
    pytest.param(
        one_reviewer_graduates,
        cg.TooFewReviewers,
        {"reviewers": ("rep00",)},
        id="TooFewReviewers-final-review",
    ),
    pytest.param(review_a_day_early, cg.ReviewNotDue, {"stage": "speak_up"}, id="ReviewNotDue"),
    pytest.param(
        setback_before_its_date,
        cg.ReviewNotDue,
        {"stage": "first_wish"},
        id="ReviewNotDue-setback",
    ),
    pytest.param(
        review_a_later_stage,
        cg.StageSkipped,
        {"stage": "go_out", "current": "speak_up"},
        id="StageSkipped",
    ),
    pytest.param(
        review_an_earlier_stage,
        cg.NotCurrentStage,
        {"stage": "speak_up", "current": "first_wish"},
        id="NotCurrentStage",
    ),
    pytest.param(
        review_an_unknown_stage,
        cg.UnknownReference,
        {"kind": "stage", "id": "fly"},
        id="UnknownReference-stage",
    ),
    pytest.param(
        observe_an_unknown_goal,
        cg.UnknownReference,
        {"kind": "goal", "id": "outings"},
        id="UnknownReference-goal-of-another-stage",
    ),
    pytest.param(
        unknown_beneficiary,
        cg.UnknownReference,
        {"kind": "person", "id": "ghost"},
        id="UnknownReference-beneficiary",
    ),
    pytest.param(
        setback_to_a_later_stage,
        cg.SetbackNotEarlier,
        {"to": "stand_up", "current": "go_out"},
        id="SetbackNotEarlier-later",
    ),
    pytest.param(
        setback_to_the_same_stage,
        cg.SetbackNotEarlier,
        {"to": "first_wish", "current": "first_wish"},
        id="SetbackNotEarlier-same",
    ),
    pytest.param(
        pass_with_goals_unmet,
        cg.GoalsUnmet,
        {"stage": "go_out", "goals": ("outings",)},
        id="GoalsUnmet",
    ),
    pytest.param(
        pass_with_a_blank_reason,
        cg.GoalsUnmet,
        {"stage": "speak_up", "goals": ("conversations",)},
        id="GoalsUnmet-blank-reason",
    ),
    pytest.param(
        activity_before_adoption,
        cg.ActivityBeforeAdoption,
        {"on": adopted_at().date() - DAY, "adopted_on": adopted_at().date()},
        id="ActivityBeforeAdoption",
    ),
    pytest.param(
        activity_during_suspension,
        cg.ActivityDuringSuspension,
        {
            "on": adopted_at().date() + 5 * DAY,
            "suspended_on": adopted_at().date() + 2 * DAY,
            "resumed_on": adopted_at().date() + 12 * DAY,
        },
        id="ActivityDuringSuspension",
    ),
    pytest.param(
        activity_in_future,
        cg.ActivityInFuture,
        {"on": adopted_at().date() + 2 * DAY, "today": adopted_at().date() + DAY},
        id="ActivityInFuture",
    ),
    pytest.param(
        mentor_is_beneficiary,
        cg.SamePerson,
        {"person": BENEFICIARY, "first": "beneficiary", "second": "mentor"},
        id="SamePerson-mentor",
    ),
    pytest.param(
        beneficiary_on_own_team,
        cg.SamePerson,
        {"person": BENEFICIARY, "second": "case team member"},
        id="SamePerson-team-at-intake",
    ),
    pytest.param(
        beneficiary_joins_team,
        cg.SamePerson,
        {"person": BENEFICIARY, "second": "case team member"},
        id="SamePerson-joins-team",
    ),
    pytest.param(
        mentor_again, cg.DuplicateId, {"kind": "mentor", "id": MENTOR}, id="DuplicateId-mentor"
    ),
    pytest.param(
        team_member_twice,
        cg.DuplicateId,
        {"kind": "case team member", "id": "pc0"},
        id="DuplicateId-team",
    ),
    pytest.param(
        design_goal_twice,
        cg.DuplicateId,
        {"kind": "goal of stage speak_up", "id": "conversations"},
        id="DuplicateId-goal",
    ),
    pytest.param(
        team_of_one, cg.CaseTeamTooSmall, {"size": 1, "minimum": 2}, id="CaseTeamTooSmall"
    ),
    pytest.param(
        team_shrinks_below_two,
        cg.CaseTeamTooSmall,
        {"size": 1, "minimum": 2},
        id="CaseTeamTooSmall-leaving",
    ),
    pytest.param(
        adopt_with_matter_still_deliberating,
        cg.MatterNotAdopted,
        {"matter": "m1", "state": "resolve"},
        id="MatterNotAdopted-deliberating",
    ),
    pytest.param(
        adopt_with_withdrawn_matter,
        cg.MatterNotAdopted,
        {"matter": "m1", "state": "withdrawn"},
        id="MatterNotAdopted-withdrawn",
    ),
    pytest.param(
        adopt_while_the_notice_is_up,
        cg.PeriodNotElapsed,
        {"period": "resolution publicity of matter 'm1'"},
        id="PeriodNotElapsed-adoption",
    ),
    pytest.param(
        adopt_before_the_notice_ended_through_a_matter_gone_on,
        cg.PeriodNotElapsed,
        {"period": "resolution publicity of matter 'm1'"},
        id="PeriodNotElapsed-adoption-dated-before-the-notice-ended",
    ),
    pytest.param(
        adopt_with_objection_pending,
        cg.ObjectionsPending,
        {"objections": ("x1",)},
        id="ObjectionsPending-adoption",
    ),
    pytest.param(
        adopt_with_another_communitys_matter,
        cg.WrongCommunity,
        {"expected": "sanwan", "got": "yiyuan"},
        id="WrongCommunity-matter",
    ),
    pytest.param(
        mentor_from_another_community,
        cg.WrongCommunity,
        {"expected": "sanwan", "got": "yiyuan"},
        id="WrongCommunity-mentor",
    ),
    pytest.param(
        design_misses_a_stage,
        cg.StagesMismatch,
        {"expected": KEYS, "got": KEYS[:3]},
        id="StagesMismatch-missing",
    ),
    pytest.param(
        design_out_of_order,
        cg.StagesMismatch,
        {"got": (KEYS[1], KEYS[0], *KEYS[2:])},
        id="StagesMismatch-order",
    ),
    pytest.param(
        design_review_today,
        cg.ReviewDateTooEarly,
        {"stage": "speak_up"},
        id="ReviewDateTooEarly-design",
    ),
    pytest.param(
        design_reviews_on_one_day,
        cg.ReviewDateTooEarly,
        {"stage": "go_out", "on": date(2025, 12, 1), "earliest": date(2025, 12, 2)},
        id="ReviewDateTooEarly-design-order",
    ),
    pytest.param(
        extend_to_today,
        cg.ReviewDateTooEarly,
        {"stage": "speak_up"},
        id="ReviewDateTooEarly-extension",
    ),
    pytest.param(
        pass_into_a_stage_reviewed_in_the_past,
        cg.ReviewDateTooEarly,
        {"stage": "go_out"},
        id="ReviewDateTooEarly-next-stage",
    ),
    pytest.param(
        adopt_on_the_day_the_first_review_falls,
        cg.ReviewDateTooEarly,
        {"stage": "speak_up"},
        id="ReviewDateTooEarly-adoption",
    ),
    pytest.param(no_needs, cg.EmptyField, {"field": "needs"}, id="EmptyField-needs"),
    pytest.param(
        blank_suspension_reason, cg.EmptyField, {"field": "reason"}, id="EmptyField-reason"
    ),
    pytest.param(
        blank_sensitive_detail,
        cg.EmptyField,
        {"field": "sensitive detail"},
        id="EmptyField-sensitive-detail",
    ),
    pytest.param(
        negative_minutes, cg.InvalidCount, {"field": "minutes", "value": -5}, id="InvalidCount"
    ),
    pytest.param(
        income_without_amount,
        cg.InvalidCount,
        {"field": "amount in fen", "value": None},
        id="InvalidCount-income-without-amount",
    ),
    pytest.param(
        beneficiary_by_a_list,
        cg.WrongType,
        {"field": "person id", "value": [BENEFICIARY]},
        id="WrongType-beneficiary",
    ),
    pytest.param(
        mentor_by_a_list,
        cg.WrongType,
        {"field": "person id", "value": [MENTOR]},
        id="WrongType-mentor",
    ),
    pytest.param(
        leaving_by_a_list,
        cg.WrongType,
        {"field": "person id", "value": [MENTOR]},
        id="WrongType-leaving",
    ),
    pytest.param(
        review_a_list_of_stages,
        cg.WrongType,
        {"field": "stage", "value": ["speak_up"]},
        id="WrongType-stage",
    ),
    pytest.param(
        setback_to_a_list_of_stages,
        cg.WrongType,
        {"field": "to", "value": ["speak_up"]},
        id="WrongType-setback-to",
    ),
    pytest.param(
        next_review_date_as_text,
        cg.WrongType,
        {"field": "next review date", "value": "x"},
        id="WrongType-next-review-date",
    ),
    pytest.param(
        pass_the_last_stage(next_review_on="not a date"),
        cg.WrongType,
        {"field": "next review date", "value": "not a date"},
        id="WrongType-next-review-date-after-the-last-stage",
    ),
    pytest.param(
        pass_the_last_stage(next_review_on=date(2030, 1, 1)),
        cg.NotApplicable,
        {"field": "next review date", "value": date(2030, 1, 1)},
        id="NotApplicable-next-review-date-after-the-last-stage",
    ),
    pytest.param(
        pass_the_last_stage(unmet_reason="提前完成"),
        cg.NotApplicable,
        {"field": "unmet reason", "value": "提前完成"},
        id="NotApplicable-unmet-reason-with-every-goal-met",
    ),
    pytest.param(time_went_backwards, cg.TimeWentBackwards, {"at": START}, id="TimeWentBackwards"),
    pytest.param(naive_datetime, cg.NaiveDatetime, {"field": "at"}, id="NaiveDatetime"),
]

REQUIRED = {
    cg.TransitionNotAllowed,
    cg.MatterConcernsAnother,
    cg.InvalidConsent,
    cg.ConsentAlreadyWithdrawn,
    cg.NoPublishConsent,
    cg.NotOnCaseTeam,
    cg.TooFewReviewers,
    cg.ReviewNotDue,
    cg.StageSkipped,
    cg.NotCurrentStage,
    cg.UnknownReference,
    cg.SetbackNotEarlier,
    cg.GoalsUnmet,
    cg.ActivityBeforeAdoption,
    cg.ActivityDuringSuspension,
    cg.ActivityInFuture,
    cg.SamePerson,
    cg.DuplicateId,
    cg.CaseTeamTooSmall,
    cg.MatterNotAdopted,
    cg.PeriodNotElapsed,
    cg.ObjectionsPending,
    cg.WrongCommunity,
    cg.StagesMismatch,
    cg.ReviewDateTooEarly,
    cg.EmptyField,
    cg.InvalidCount,
    cg.TimeWentBackwards,
    cg.NaiveDatetime,
    cg.WrongType,
    cg.NotApplicable,
}


def assert_unchanged(p: Plan | None, before: Plan | None) -> None:
    if p is None or before is None:
        assert p is before
        return
    assert p == before
    assert p.version == before.version
    assert p.last_at == before.last_at


@pytest.mark.parametrize(("arrange", "error", "facts"), CASES)
def test_command_is_refused_and_nothing_changes(
    arrange: Callable[[], Arranged],
    error: type[cg.CommunityGovError],
    facts: Mapping[str, object],
) -> None:
    p, command = arrange()
    before = copy.deepcopy(p)

    with pytest.raises(error) as caught:
        command()

    assert type(caught.value) is error
    for name, value in facts.items():
        assert getattr(caught.value, name) == value, name
    assert str(caught.value)  # a readable message
    assert_unchanged(p, before)


def test_the_cases_cover_every_plan_error() -> None:
    assert {param.values[1] for param in CASES} == REQUIRED
    for error in REQUIRED:
        assert issubclass(error, cg.CommandRejected)


def test_stage_skipped_is_a_kind_of_not_current_stage() -> None:
    assert issubclass(cg.StageSkipped, cg.NotCurrentStage)
    error = cg.StageSkipped("go_out", "speak_up")
    assert "none is skipped" in str(error)
    assert "only the current stage" in str(cg.NotCurrentStage("speak_up", "go_out"))


def test_transition_not_allowed_lists_the_commands_allowed() -> None:
    p = plan_at("suspended")
    with pytest.raises(cg.TransitionNotAllowed) as caught:
        p.pass_stage("speak_up", reviewers=REVIEWERS, at=later(p))
    assert caught.value.allowed == p.allowed_actions()
    assert "resume" in caught.value.allowed
    assert not any(a.startswith(("resume_to_", "setback_to_")) for a in caught.value.allowed)


def test_nothing_is_allowed_once_consent_is_withdrawn() -> None:
    p = withdrawn()
    assert p.allowed_actions() == ()
    assert p.is_final


def test_the_plan_is_frozen() -> None:
    p = plan_at("speak_up")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        p.state = "graduated"  # type: ignore[misc]


# --- the boundaries ----------------------------------------------------------------------------

ZONES = st.sampled_from([TZ, UTC, ZoneInfo("America/New_York"), timezone(timedelta(hours=14))])


@given(offset=st.integers(-36 * 3600, 36 * 3600), zone=ZONES)
def test_a_review_is_due_from_the_start_of_its_day_in_the_community(offset: int, zone: Any) -> None:
    p = plan_at("speak_up")
    p, _ = p.record_observation("conversations", 5, by=MENTOR, at=later(p))
    review_day = p.review_due_on
    assert review_day is not None
    start_of_day = datetime.combine(review_day, time(), tzinfo=TZ)
    at = (start_of_day + timedelta(seconds=offset)).astimezone(zone)
    before = copy.deepcopy(p)
    if at.astimezone(TZ).date() >= review_day:  # on the day, or later: it passes
        passed, events = p.pass_stage("speak_up", reviewers=REVIEWERS, at=at)
        assert passed.state == "go_out"
        assert len(events) == 1
    else:  # the day before (in the community's timezone, wherever the clock is): refused
        with pytest.raises(cg.ReviewNotDue) as caught:
            p.pass_stage("speak_up", reviewers=REVIEWERS, at=at)
        assert caught.value.due_on == review_day
        assert caught.value.on == at.astimezone(TZ).date()
    assert_unchanged(p, before)


@given(st.sets(st.sampled_from([member.person_id for member in TEAM]), max_size=3))
def test_a_review_needs_exactly_two_members_of_the_team_or_more(signed: set[str]) -> None:
    p = plan_at("go_out")
    p, _ = p.record_observation("outings", 2, by=MENTOR, at=later(p))
    if len(signed) >= 2:
        passed, (event,) = p.pass_stage("go_out", reviewers=signed, at=due(p))
        assert isinstance(event, StageReviewed)
        assert event.reviewers == signed
        assert passed.state == "first_wish"
    else:
        before = copy.deepcopy(p)
        with pytest.raises(cg.TooFewReviewers) as caught:
            p.pass_stage("go_out", reviewers=signed, at=due(p))
        assert caught.value.reviewers == tuple(sorted(signed))
        assert_unchanged(p, before)


@given(value=st.integers(0, 6))
def test_a_stage_passes_without_a_reason_only_when_its_goals_are_met(value: int) -> None:
    p = plan_at("go_out")  # its goal: at least 2 unaccompanied outings a week
    p, _ = p.record_observation("outings", value, by=MENTOR, at=later(p))
    if value >= 2:
        assert p.unmet_goals() == ()
        assert p.pass_stage("go_out", reviewers=REVIEWERS, at=due(p))[0].state == "first_wish"
    else:
        with pytest.raises(cg.GoalsUnmet):
            p.pass_stage("go_out", reviewers=REVIEWERS, at=due(p))
        passed, (event,) = p.pass_stage(
            "go_out", reviewers=REVIEWERS, at=due(p), unmet_reason="已能在陪同下出门,继续巩固"
        )
        assert passed.state == "first_wish"
        assert isinstance(event, StageReviewed)
        assert event.unmet_goals == ("outings",)


LATE = START + timedelta(days=400)
"""Long after every plan of these tests was last changed."""


def _running() -> Plan:
    return plan_at("speak_up")


WRONG_TYPES: dict[str, tuple[Callable[[], object], str]] = {
    "a team role as text": (lambda: cg.TeamMember("pc0", "volunteer"), "role"),  # type: ignore[arg-type]
    "a sensitive kind as text": (lambda: cg.SensitiveDetail("health", "x"), "kind"),  # type: ignore[arg-type]
    "a consent's day as a datetime": (lambda: cg.Consent(BENEFICIARY, START), "on"),
    "a consent's day as text": (lambda: cg.Consent(BENEFICIARY, "2025-09-01"), "on"),  # type: ignore[arg-type]
    "no text of how consent was given": (
        lambda: cg.Consent(BENEFICIARY, START.date(), None),
        "how",
    ),  # type: ignore[arg-type]
    "no notes on an activity": (
        lambda: cg.Activity(on=START.date(), by=MENTOR, what="x", minutes=1, notes=None),  # type: ignore[arg-type]
        "notes",
    ),
    "a goal's direction as text": (
        lambda: cg.Goal("k", "t", "i", 1, "at_most"),  # type: ignore[arg-type]
        "direction",
    ),
    "the template by name": (lambda: intake(template="four_stages"), "template"),
    "the team as names": (lambda: intake(team=["pc0", "rep00"]), "an item of team"),
    "no consent": (lambda: intake(consent=None), "consent"),
    "sensitive details as text": (lambda: intake(sensitive=["社交恐惧症"]), "an item of sensitive"),
    "no referral": (lambda: intake(referred_by=None), "referred by"),
    "no community": (lambda: intake(community=None), "community"),
    "a mentor's start as a datetime": (
        lambda: _running().assign_mentor(MENTOR, start=START, community=community(), at=LATE),  # type: ignore[arg-type]
        "start",
    ),
    "a member by name": (
        lambda: _running().join_team("res1", community=community(), at=LATE),  # type: ignore[arg-type]
        "member",
    ),
    "no activity": (lambda: _running().log_activity(None, at=LATE), "activity"),  # type: ignore[arg-type]
    "no note on an observation": (
        lambda: _running().record_observation(
            cg.FOUR_STAGES.stages[0].goals[0].key, 1, by=MENTOR, at=LATE, note=None
        ),  # type: ignore[arg-type]
        "note",
    ),
    "a reviewer that is no text": (
        lambda: _running().pass_stage("speak_up", reviewers=["pc0", 5], at=LATE),  # type: ignore[list-item]
        "an item of reviewers",
    ),
    "no reviewers": (
        lambda: _running().pass_stage("speak_up", reviewers=None, at=LATE),  # type: ignore[arg-type]
        "reviewers",
    ),
    "a review date as text": (
        lambda: _running().extend_stage(
            "speak_up", review_on="2026-01-01", reason="x", reviewers=REVIEWERS, at=LATE
        ),  # type: ignore[arg-type]
        "review date of stage speak_up",
    ),
    "no reason to suspend": (lambda: _running().suspend(None, at=LATE), "reason"),  # type: ignore[arg-type]
    "a notice's kind as text": (
        lambda: _running().post_notice("result", "t", place="p", at=LATE),  # type: ignore[arg-type]
        "kind",
    ),
    "no note on withdrawing consent": (
        lambda: _running().withdraw_consent(at=LATE, note=None),  # type: ignore[arg-type]
        "note",
    ),
}


@pytest.mark.parametrize("case", WRONG_TYPES)
def test_a_value_of_another_type_is_wrong_type_naming_its_field(case: str) -> None:
    # A text where a choice belongs, None for a text, a datetime for a day: refused where it
    # is given, never a failure when it is stored, nor another value once read back.
    command, field = WRONG_TYPES[case]
    with pytest.raises(cg.WrongType) as refused:
        command()
    assert refused.value.field == field


def test_an_amount_beyond_what_money_holds_is_refused_in_a_notice() -> None:
    p = _running()
    with pytest.raises(cg.InvalidAmount) as refused:
        p.post_notice(cg.PlanNoticeKind.INCOME, "t", place="p", at=later(p), amount_fen=10**5000)
    assert "whole number of 16,610 bits" in str(refused.value)


LATEST = date(9998, 12, 31)


@given(st.integers(-3, 3))
def test_a_review_date_is_taken_up_to_the_last_day_a_deadline_can_be_kept(delta: int) -> None:
    p = plan_at("intake")
    stages = design(START.date() + 30 * DAY)
    stages[-1] = attrs.evolve(stages[-1], review_on=LATEST + timedelta(days=delta))
    if delta <= 0:
        assessed, _ = p.assess(["交流"], stages, at=START + DAY)
        assert assessed.stages[-1].review_on == LATEST + timedelta(days=delta)
    else:
        with pytest.raises(cg.ReviewDateTooLate) as refused:
            p.assess(["交流"], stages, at=START + DAY)
        assert (refused.value.on, refused.value.latest) == (LATEST + timedelta(days=delta), LATEST)


def test_resuming_refuses_to_move_a_review_date_past_the_last_day() -> None:
    p = plan_at("intake")
    adopted_day = adopted_at().astimezone(TZ).date()
    stages = design(adopted_day + 30 * DAY)
    stages[-1] = attrs.evolve(stages[-1], review_on=LATEST - 5 * DAY)
    p, _ = p.assess(["交流"], stages, at=START + DAY)
    p, _ = p.adopt(adopting_matter(), at=adopted_at())
    p, _ = p.suspend("住院", at=adopted_at() + DAY)
    before = copy.deepcopy(p)
    with pytest.raises(cg.ReviewDateTooLate) as refused:
        p.resume("出院", at=adopted_at() + 10 * DAY)
    assert (refused.value.stage, refused.value.on) == (stages[-1].stage, LATEST + 4 * DAY)
    assert p == before
    resumed, _ = p.resume("出院", at=adopted_at() + 6 * DAY)  # five days: to the last day
    assert resumed.stages[-1].review_on == LATEST


def _intake_on_consent(c: cg.Community, consent: cg.Consent) -> cg.Decision[Plan]:
    """The beneficiary taken in at ``START`` in ``c`` on ``consent``."""
    return Plan.intake(
        "plan1",
        community=c,
        template=cg.FOUR_STAGES,
        beneficiary=BENEFICIARY,
        referred_by="入户走访",
        team=TEAM,
        consent=consent,
        at=START,
    )


def test_a_guardian_may_consent_for_the_beneficiary_given_the_community() -> None:
    # A guardian declared in the community consents for a beneficiary who cannot
    # (个人信息保护法 Art. 31; Civil Code Art. 28); the plan needs the community to know it.
    guarded, _ = community().declare_guardian(
        BENEFICIARY, "res4", basis="法院判决认定无民事行为能力", at=START
    )
    guardian = cg.Consent("res4", START.date(), "监护人签字")
    plan, _ = _intake_on_consent(guarded, guardian)
    assert plan.consent == guardian
    when = START + DAY
    with pytest.raises(cg.InvalidConsent, match="pass community="):
        plan.give_publish_consent(guardian, at=when)
    with pytest.raises(cg.WrongCommunity):
        plan.give_publish_consent(guardian, at=when, community=community("elsewhere"))
    published, _ = plan.give_publish_consent(guardian, at=when, community=guarded)
    assert published.publish_consent == guardian
    # A guardian declared only later did not consent for them then.
    later_guardian, _ = community().declare_guardian(
        BENEFICIARY, "res4", basis="未满十四周岁", at=START + 10 * DAY
    )
    with pytest.raises(cg.InvalidConsent):
        _intake_on_consent(later_guardian, guardian)
    # Once the guardianship ends, the guardian no longer consents for them.
    ended, _ = guarded.end_guardianship(BENEFICIARY, "res4", at=when, reason="恢复行为能力")
    with pytest.raises(cg.InvalidConsent):
        plan.give_publish_consent(guardian, at=when, community=ended)


def test_a_near_relative_does_not_consent_for_an_adult_who_can() -> None:
    # Any declared near relative was taken as a guardian: a father consented for his adult
    # son to the plan, and to publishing his name.
    relatives, _ = community().declare_near_relatives(BENEFICIARY, "res4", "父亲", at=START)
    fathers = cg.Consent("res4", START.date(), "父亲签字")
    with pytest.raises(cg.InvalidConsent) as refused:
        _intake_on_consent(relatives, fathers)
    assert refused.value.given_by == "res4"
    assert "a near relative does not consent for an adult who can" in str(refused.value)


def test_a_guardianship_is_declared_once_between_two_registered_people() -> None:
    c = community()
    with pytest.raises(cg.UnknownReference):
        c.declare_guardian(BENEFICIARY, "nobody", basis="未满十四周岁", at=START)
    with pytest.raises(cg.SamePerson):
        c.declare_guardian(BENEFICIARY, BENEFICIARY, basis="未满十四周岁", at=START)
    with pytest.raises(cg.EmptyField):
        c.declare_guardian(BENEFICIARY, "res4", basis=" ", at=START)
    guarded, events = c.declare_guardian(BENEFICIARY, "res4", basis="未满十四周岁", at=START)
    assert guarded.is_guardian("res4", BENEFICIARY)
    assert guarded.is_guardian("res4", BENEFICIARY, on=START.date())
    assert not guarded.is_guardian("res4", BENEFICIARY, on=START.date() - DAY)
    assert not guarded.is_guardian(BENEFICIARY, "res4")
    with pytest.raises(cg.DuplicateId):
        guarded.declare_guardian(BENEFICIARY, "res4", basis="未满十四周岁", at=START)
    with pytest.raises(cg.UnknownReference):
        c.end_guardianship(BENEFICIARY, "res4", at=START)
    assert cg.Community.replay((*tracked_community().events, *events)) == guarded


def test_a_new_consent_to_publish_after_a_withdrawal_publishes_the_name_again() -> None:
    p, _ = plan_at("go_out").give_publish_consent(CONSENT, at=later(plan_at("go_out")))
    p, _ = p.withdraw_publish_consent(at=later(p))
    assert not p.may_publish_name
    withdrawn_on = later(p, 0).date()
    renewed = cg.Consent(BENEFICIARY, withdrawn_on + DAY, "再次签字同意")
    p, _ = p.give_publish_consent(renewed, at=later(p))
    assert p.may_publish_name
    assert p.publish_consent == renewed


def test_a_matter_stored_before_matters_named_what_they_concern_may_still_adopt() -> None:
    # A version-1 matter.raised record names nothing: a plan awaiting it when the library was
    # upgraded is still adopted through it, as before.
    t = tracked_at(cg.MatterState.IMPLEMENTING)
    older = [attrs.evolve(t.events[0], concerns=None), *t.events[1:]]
    legacy = cg.Matter.replay(older)
    assert legacy.concerns is None
    p = plan_at("awaiting_adoption")
    assert p.adopt(legacy, at=max(later(p), ends(legacy)))[0].state == cg.FOUR_STAGES.stages[0].key
    with pytest.raises(cg.EmptyField):
        raised(concerns="   ")


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b"])
def test_texts_inside_records_no_store_keeps_are_refused_by_the_command(text: str) -> None:
    p = plan_at("speak_up")
    on = later(p).date()
    with pytest.raises(cg.UnstorableText) as refused:
        p.log_activity(
            cg.Activity(on=on, by=MENTOR, what="陪伴", minutes=30, notes=text), at=later(p)
        )
    assert refused.value.field == "activity notes"
    with pytest.raises(cg.UnstorableText) as refused:
        p.give_publish_consent(cg.Consent(BENEFICIARY, on, text), at=later(p))
    assert refused.value.field == "how the consent to publish is evidenced"
