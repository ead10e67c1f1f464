"""A stateful model of the AssistancePlan: random sequences of commands on generated plans.

Hypothesis draws a template, a beneficiary and an adopted plan, then runs commands in random
order at random times: valid ones (observations, activities, reviews that pass, extend or set
back, suspensions and resumptions, notices, consent to publish given and withdrawn, consent
withdrawn, graduation and closure) and invalid ones (a single reviewer, someone off the team,
a review before its date, a later or earlier stage named, a setback forward, an activity dated
before adoption, in a suspension or in the future, a command in the wrong state, anything after
consent is withdrawn). A refused command must raise the error the model predicts and leave the
plan exactly as it was. After every step the invariants are checked against the plan and its
whole log: stages are entered only in order or by an explicit setback, the log replays to the
plan, nothing follows the withdrawal of consent, and no rendered notice names the beneficiary
without consent to publish or shows a sensitive detail.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import communitygov as cg
from communitygov.assistance import (
    ConsentWithdrawn,
    PlanAdopted,
    PlanResumed,
    PlanSuspended,
    StageReviewed,
)
from communitygov.kernel.timekeeping import zone
from communitygov.testing import assistance_strategies as cgas

Plan = cg.AssistancePlan
Command = Callable[[], cg.Decision[Plan]]
DAY = timedelta(days=1)
OUTSIDER = "pc1"  # in the community, never on a generated plan's case team
FLAWS = (
    "one reviewer",
    "outsider",
    "early",
    "later stage",
    "earlier stage",
    "setback forward",
    "unmet without reason",
)


class PlanMachine(RuleBasedStateMachine):
    """Drives one plan; the plan is the system under test, the log is the model's record."""

    def __init__(self) -> None:
        super().__init__()
        self.plan: Plan
        self.log: list[cg.Event] = []

    @initialize(
        generated=cgas.plans_with_events(
            templates=cgas.plan_templates(min_stages=2, max_stages=5), max_steps=0
        )
    )
    def start(self, generated: cgas.GeneratedPlan) -> None:
        self.generated = generated
        self.community = generated.community
        self.plan = generated.plan
        self.log = list(generated.events)
        self.now = self.last_at()
        self.keys = self.plan.template.keys
        self.team = sorted(m.person_id for m in self.plan.team)

    # --- helpers ---------------------------------------------------------------------------

    def last_at(self) -> datetime:
        last = self.plan.last_at
        assert last is not None
        return last

    def today(self) -> date:
        return self.community.local_date(self.now)

    def morning(self, day: date) -> datetime:
        return datetime.combine(day, time(9), tzinfo=zone(self.community.timezone))

    def ok(self, command: Command) -> Plan:
        """Run a command that must succeed; it becomes the plan, its events the log's."""
        self.plan, events = command()
        self.log += events
        self.now = max(self.now, self.last_at())
        state = self.plan.state
        position = self.keys.index(state) + 1 if state in self.keys else None
        event(f"reached: {state if position is None else f'stage {position}'}")
        return self.plan

    def refused(self, command: Command, error: type[cg.CommunityGovError]) -> None:
        """Run a command that must raise ``error`` and change nothing."""
        before = copy.deepcopy(self.plan)
        with pytest.raises(cg.CommunityGovError) as caught:
            command()
        assert type(caught.value) is error, f"expected {error.__name__}, got {caught.value!r}"
        event(f"refused: {error.__name__}")
        assert self.plan == before
        assert (self.plan.version, self.plan.last_at) == (before.version, before.last_at)

    def in_stage(self) -> bool:
        return self.plan.template.is_stage(self.plan.state)

    def withdrawn(self) -> bool:
        return self.plan.consent_withdrawal is not None

    def position(self) -> int:
        return self.plan.template.position(self.plan.state)

    def review_time(self) -> datetime:
        due = self.plan.review_due_on
        assert due is not None
        return max(self.now, self.morning(due))

    def new_review_day(self, data: st.DataObject, at: datetime) -> date:
        days = data.draw(st.integers(1, 60), label="days to the new review")
        return self.community.local_date(at) + timedelta(days=days)

    def two_or_more(self, data: st.DataObject) -> list[str]:
        return data.draw(
            st.lists(st.sampled_from(self.team), min_size=2, unique=True), label="reviewers"
        )

    # --- time ----------------------------------------------------------------------------

    @rule(hours=st.integers(0, 24 * 45))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    # --- valid commands ------------------------------------------------------------------

    @precondition(lambda self: self.in_stage())
    @rule(data=st.data())
    def observe(self, data: st.DataObject) -> None:
        goals = self.plan.stages[self.position()].goals
        goal = data.draw(st.sampled_from(goals), label="goal")
        value = data.draw(st.integers(0, 12), label="value")
        self.ok(lambda: self.plan.record_observation(goal.key, value, by="mentor1", at=self.now))

    @precondition(lambda self: self.in_stage())
    @rule(days_back=st.integers(-2, 40))
    def log_activity(self, days_back: int) -> None:
        on = self.today() - timedelta(days=days_back)
        adopted_on = self.plan.adopted_on
        assert adopted_on is not None
        activity = cg.Activity(on=on, by="mentor1", what="陪伴", minutes=30)
        command: Command = lambda: self.plan.log_activity(activity, at=self.now)  # noqa: E731
        if on > self.today():
            self.refused(command, cg.ActivityInFuture)
        elif on < adopted_on:
            self.refused(command, cg.ActivityBeforeAdoption)
        elif any(since < on < until for since, until in self.suspensions()):
            self.refused(command, cg.ActivityDuringSuspension)
        else:
            assert self.ok(command).activities[-1].on == on

    def suspensions(self) -> list[tuple[date, date]]:
        """The model's own record of past suspensions, from the log: the day each began and
        the day it ended; the days strictly between were suspended."""
        found: list[tuple[date, date]] = []
        since = None
        for recorded in self.log:
            if isinstance(recorded, PlanSuspended):
                since = self.community.local_date(recorded.at)
            elif isinstance(recorded, PlanResumed):
                assert since is not None
                found.append((since, self.community.local_date(recorded.at)))
        return found

    @precondition(lambda self: self.in_stage())
    @rule(data=st.data())
    def pass_stage(self, data: st.DataObject) -> None:
        at = self.review_time()
        position = self.position()
        following = self.keys[position + 1] if position + 1 < len(self.keys) else "evaluation"
        next_review = None
        if following != "evaluation":
            planned = self.plan.stages[position + 1].review_on
            if planned <= self.community.local_date(at) or data.draw(st.booleans()):
                next_review = self.new_review_day(data, at)
        reason = "提前进入下一阶段" if self.plan.unmet_goals() else ""
        stage = self.plan.state
        plan = self.ok(
            lambda: self.plan.pass_stage(
                stage,
                reviewers=self.two_or_more(data),
                at=at,
                unmet_reason=reason,
                next_review_on=next_review,
            )
        )
        assert plan.state == following
        if next_review is not None:
            assert plan.review_due_on == next_review

    @precondition(lambda self: self.in_stage())
    @rule(data=st.data())
    def extend_stage(self, data: st.DataObject) -> None:
        at = self.review_time()
        new_day = self.new_review_day(data, at)
        stage = self.plan.state
        plan = self.ok(
            lambda: self.plan.extend_stage(
                stage, review_on=new_day, reason="延期", reviewers=self.two_or_more(data), at=at
            )
        )
        assert (plan.state, plan.review_due_on) == (stage, new_day)

    @precondition(lambda self: self.in_stage() and self.position() > 0)
    @rule(data=st.data())
    def record_setback(self, data: st.DataObject) -> None:
        at = self.review_time()
        to = data.draw(st.sampled_from(self.keys[: self.position()]), label="back to")
        new_day = self.new_review_day(data, at)
        stage = self.plan.state
        plan = self.ok(
            lambda: self.plan.record_setback(
                stage,
                to=to,
                review_on=new_day,
                reason="情绪反复",
                reviewers=self.two_or_more(data),
                at=at,
            )
        )
        assert (plan.state, plan.review_due_on) == (to, new_day)

    @precondition(lambda self: self.in_stage())
    @rule()
    def suspend(self) -> None:
        stage = self.plan.state
        plan = self.ok(lambda: self.plan.suspend("住院", at=self.now))
        assert (plan.state, plan.current_stage) == ("suspended", stage)

    @precondition(lambda self: self.plan.state == "suspended")
    @rule(days=st.integers(0, 40))
    def resume(self, days: int) -> None:
        self.now += timedelta(days=days)
        stage = self.plan.current_stage
        since = self.plan.suspensions[-1].since
        before = [s.review_on for s in self.plan.stages]
        plan = self.ok(lambda: self.plan.resume("出院", at=self.now))
        assert plan.state == stage
        shift = timedelta(days=(self.today() - since).days)
        start = plan.template.position(plan.state)
        assert [s.review_on for s in plan.stages] == [
            day + shift if n >= start else day for n, day in enumerate(before)
        ]

    @precondition(lambda self: not self.withdrawn() and self.plan.state != "intake")
    @rule(kind=st.sampled_from(cg.PlanNoticeKind), amount=st.integers(0, 10**7))
    def post_notice(self, kind: cg.PlanNoticeKind, amount: int) -> None:
        if "post_notice" not in self.plan.allowed_actions():
            return
        details = "、".join(d.text for d in self.plan.sensitive)
        text = f"{self.generated.name}({details})的帮扶进展"
        self.ok(
            lambda: self.plan.post_notice(
                kind,
                text,
                place="公示栏",
                at=self.now,
                amount_fen=amount if kind is cg.PlanNoticeKind.INCOME else None,
            )
        )

    @precondition(lambda self: not self.withdrawn())
    @rule(give=st.booleans())
    def consent_to_publish(self, give: bool) -> None:
        withdrawn = self.plan.publish_consent_withdrawn
        if (
            give
            and withdrawn is not None
            and self.community.local_date(withdrawn.at) == self.today()
        ):
            # Dated the day consent to publish was withdrawn: it may be one of those withdrawn.
            consent = cg.Consent(cgas.BENEFICIARY, self.today(), "签字")
            self.refused(
                lambda: self.plan.give_publish_consent(consent, at=self.now), cg.InvalidConsent
            )
        elif give:
            consent = cg.Consent(cgas.BENEFICIARY, self.today(), "签字")
            plan = self.ok(lambda: self.plan.give_publish_consent(consent, at=self.now))
            assert plan.may_publish_name
        elif self.plan.publish_consent is None:
            assert "withdraw_publish_consent" not in self.plan.allowed_actions()
            self.refused(
                lambda: self.plan.withdraw_publish_consent(at=self.now), cg.NoPublishConsent
            )
        else:
            assert "withdraw_publish_consent" in self.plan.allowed_actions()
            plan = self.ok(lambda: self.plan.withdraw_publish_consent(at=self.now))
            assert not plan.may_publish_name

    @precondition(lambda self: not self.withdrawn())
    @rule(really=st.integers(0, 3))
    def withdraw_consent(self, really: int) -> None:
        if really == 0:  # now and then: it ends the run's exploration
            plan = self.ok(lambda: self.plan.withdraw_consent(at=self.now))
            assert plan.state == "withdrawn"

    @precondition(lambda self: self.plan.state == "evaluation")
    @rule(data=st.data(), graduate=st.booleans())
    def final_review(self, data: st.DataObject, graduate: bool) -> None:
        reviewers = self.two_or_more(data)
        if graduate:
            plan = self.ok(lambda: self.plan.graduate("完成", reviewers=reviewers, at=self.now))
        else:
            plan = self.ok(lambda: self.plan.close("迁出", reviewers=reviewers, at=self.now))
        assert plan.is_final

    # --- invalid commands ----------------------------------------------------------------

    @precondition(lambda self: self.in_stage())
    @rule(data=st.data(), flaw=st.sampled_from(FLAWS))
    def flawed_review(self, data: st.DataObject, flaw: str) -> None:
        at = self.review_time()
        stage, position = self.plan.state, self.position()
        reviewers = self.two_or_more(data)
        reason = "理由"
        expected: type[cg.CommunityGovError]
        if flaw == "one reviewer":
            reviewers, expected = reviewers[:1], cg.TooFewReviewers
        elif flaw == "outsider":
            reviewers, expected = [reviewers[0], OUTSIDER], cg.NotOnCaseTeam
        elif flaw == "early":
            due = self.plan.review_due_on
            assert due is not None
            at = self.morning(due - DAY)
            if at < self.last_at():
                return
            expected = cg.ReviewNotDue
        elif flaw == "later stage" and position + 1 < len(self.keys):
            stage, expected = self.keys[position + 1], cg.StageSkipped
        elif flaw == "earlier stage" and position > 0:
            stage, expected = self.keys[position - 1], cg.NotCurrentStage
        elif flaw == "setback forward":
            to = self.keys[min(position + 1, len(self.keys) - 1)]
            expected = cg.SetbackNotEarlier if position > 0 else cg.TransitionNotAllowed
            self.refused(
                lambda: self.plan.record_setback(
                    stage,
                    to=to,
                    review_on=self.new_review_day(data, at),
                    reason=reason,
                    reviewers=reviewers,
                    at=at,
                ),
                expected,
            )
            return
        elif flaw == "unmet without reason" and self.plan.unmet_goals():
            reason, expected = "", cg.GoalsUnmet
        else:
            return
        self.refused(
            lambda: self.plan.pass_stage(
                stage,
                reviewers=reviewers,
                at=at,
                unmet_reason=reason,
                next_review_on=self.new_review_day(data, at),
            ),
            expected,
        )

    @precondition(lambda self: not self.withdrawn())
    @rule(data=st.data())
    def wrong_state(self, data: st.DataObject) -> None:
        commands: dict[str, Command] = {
            "resume": lambda: self.plan.resume("出院", at=self.now),
            "graduate": lambda: self.plan.graduate("完成", reviewers=self.team, at=self.now),
            "adopt": lambda: self.plan.adopt(self.generated.matter, at=self.now),
            "suspend": lambda: self.plan.suspend("住院", at=self.now),
            "assess": lambda: self.plan.assess(["x"], self.plan.stages, at=self.now),
        }
        choices = [name for name in commands if name not in self.plan.allowed_actions()]
        name = data.draw(st.sampled_from(choices), label="command")
        self.refused(commands[name], cg.TransitionNotAllowed)

    @precondition(lambda self: self.withdrawn())
    @rule(data=st.data())
    def after_withdrawal(self, data: st.DataObject) -> None:
        commands: list[Command] = [
            lambda: self.plan.withdraw_consent(at=self.now),
            lambda: self.plan.give_publish_consent(
                cg.Consent(cgas.BENEFICIARY, self.today()), at=self.now
            ),
            lambda: self.plan.post_notice(
                cg.PlanNoticeKind.RESULT, "回访", place="公示栏", at=self.now
            ),
            lambda: self.plan.record_observation("g", 1, by="mentor1", at=self.now),
            lambda: self.plan.close("x", reviewers=self.team, at=self.now),
        ]
        self.refused(data.draw(st.sampled_from(commands)), cg.ConsentAlreadyWithdrawn)

    @precondition(lambda self: self.plan.last_at is not None)
    @rule()
    def back_in_time(self) -> None:
        self.refused(
            lambda: self.plan.suspend("住院", at=self.last_at() - timedelta(seconds=1)),
            cg.TimeWentBackwards,
        )

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def replay_rebuilds_the_plan(self) -> None:
        assert Plan.replay(self.log) == self.plan

    @invariant()
    def stages_are_entered_in_order_or_by_a_setback(self) -> None:
        keys, current = self.keys, None
        for recorded in self.log:
            if isinstance(recorded, PlanAdopted):
                current = keys[0]
            elif isinstance(recorded, StageReviewed):
                assert recorded.stage == current
                position = keys.index(recorded.stage)
                if recorded.outcome is cg.ReviewOutcome.PASSED:
                    following = keys[position + 1] if position + 1 < len(keys) else None
                    assert recorded.to_stage == following
                    current = following
                elif recorded.outcome is cg.ReviewOutcome.SETBACK:
                    assert recorded.to_stage is not None
                    assert keys.index(recorded.to_stage) < position
                    current = recorded.to_stage
                else:
                    assert recorded.to_stage == recorded.stage

    @invariant()
    def nothing_is_recorded_after_consent_is_withdrawn(self) -> None:
        withdrawals = [n for n, e in enumerate(self.log) if isinstance(e, ConsentWithdrawn)]
        assert withdrawals in ([], [len(self.log) - 1])

    @invariant()
    def every_rendered_notice_is_de_identified_without_consent(self) -> None:
        plan, name = self.plan, self.generated.name
        disclosure = plan.disclosure(self.community)
        rendered = [cg.render_text(n) for n in plan.notices(self.community)]
        rendered += [disclosure.render_markdown(n) for n in self.generated.matter.notices()]
        for text in rendered:
            assert all(detail.text not in text for detail in plan.sensitive)
            if not plan.may_publish_name:
                assert name not in text
        assert name not in plan.describe().title


PlanMachine.TestCase.settings = settings(
    PlanMachine.TestCase.settings,
    max_examples=max(20, settings.default.max_examples // 2),
    stateful_step_count=30,
)
TestPlanMachine = PlanMachine.TestCase
