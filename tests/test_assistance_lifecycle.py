"""The life of an assistance plan: the source story from start to graduation, then each part
of the cycle on its own (suspension, setbacks, extensions, mentors, the team, consents)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import communitygov as cg
from communitygov.assistance import ConsentWithdrawn, PlanAdopted, StageReviewed
from support import TZ, Log

DAY = timedelta(days=1)


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TZ)


PEOPLE = {
    "wu": "吴勤勤",
    "luo": "罗宝菊",
    "zhang": "张素环",
    "qiu": "邱芝兰",
    "li": "李志华",
    "zhou": "周盛",
}
SEATS = {
    cg.BodyKind.PARTY_COMMITTEE: ("wu", "pc1", "pc2"),
    cg.BodyKind.RESIDENTS_COMMITTEE: ("rc1", "rc2"),
    cg.BodyKind.REPRESENTATIVES_ASSEMBLY: ("luo", "rep1", "rep2", "rep3", "rep4"),
    cg.BodyKind.SUPERVISION_COMMITTEE: ("zhang",),
}
TEAM = (
    cg.TeamMember("wu", cg.TeamRole.BRANCH_SECRETARY),
    cg.TeamMember("luo", cg.TeamRole.RESIDENT_REPRESENTATIVE),
    cg.TeamMember("li", cg.TeamRole.VOLUNTEER),
)
SENSITIVE = (
    cg.SensitiveDetail(cg.SensitiveKind.DISABILITY, "盆骨及右腿受伤,终生残疾"),
    cg.SensitiveDetail(cg.SensitiveKind.HEALTH, "社交恐惧症"),
)
REVIEWS = (date(2019, 6, 28), date(2019, 9, 27), date(2019, 12, 27), date(2020, 6, 26))


def sanwan() -> cg.Community:
    """The Sanwan community of the story, with the bodies the matter needs."""
    when = at(2019, 1, 2)
    community, _ = cg.Community.register("sanwan", "三湾街社区", district="上街区", at=when)
    people = dict(PEOPLE)
    for members in SEATS.values():
        people.update({p: f"委员 {p}" for p in members if p not in people})
    for person_id, name in people.items():
        community, _ = community.register_person(person_id, name, at=when)
    for body, members in SEATS.items():
        for person_id in members:
            community, _ = community.appoint(person_id, body, start=date(2019, 1, 1), at=when)
    return community


COMMUNITY = sanwan()


def decide(plan_text: str, start: datetime, matter_id: str = "fule") -> cg.Matter:
    """A matter taken to its resolution notice, every body meeting in full and adopting."""
    matter, _ = cg.Matter.raise_matter(
        matter_id,
        community=COMMUNITY,
        procedure=cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
        title="“福乐”精准帮扶项目",
        description=plan_text,
        source=cg.MotionSource.CADRES,
        raised_by="wu",
        at=start,
        concerns="fule-1",
    )
    matter, _ = matter.open_solicitation(at=start)
    closes = matter.solicitation_closes_at
    assert closes is not None
    matter, _ = matter.close_solicitation(at=closes)
    when = closes
    for number, step in enumerate(matter.procedure.steps):
        when = closes + timedelta(days=number, hours=9)
        present = sorted(COMMUNITY.members_of(step.body, COMMUNITY.local_date(when)))
        meeting = cg.Meeting(
            body=step.body,
            present=present,
            votes=[cg.Vote(p, cg.Choice.YES) for p in present],
            outcome=cg.Outcome.ADOPTED,
            plan=plan_text if number == 0 else None,
        )
        matter, _ = matter.deliberate(meeting, community=COMMUNITY, at=when)
    matter, _ = matter.publicise_resolution(
        f"经居民代表会议表决通过“福乐”精准帮扶项目:{plan_text}。",
        place="三湾街社区公示栏",
        at=when + DAY,
    )
    return matter


def design(reviews: tuple[date, ...] = REVIEWS) -> list[cg.StagePlan]:
    return [
        cg.StagePlan(stage=stage.key, goals=stage.goals, review_on=review_on)
        for stage, review_on in zip(cg.FOUR_STAGES.stages, reviews, strict=True)
    ]


def taken_in(log: Log, **changes: object) -> cg.AssistancePlan:
    arguments: dict[str, object] = {
        "community": COMMUNITY,
        "template": cg.FOUR_STAGES,
        "beneficiary": "zhou",
        "referred_by": "支部书记入户走访",
        "team": TEAM,
        "consent": cg.Consent(given_by="zhou", on=date(2019, 3, 5), how="签字同意书"),
        "sensitive": SENSITIVE,
        "at": at(2019, 3, 5),
    }
    arguments.update(changes)
    return log(cg.AssistancePlan.intake("fule-1", **arguments))  # type: ignore[arg-type]


def adopted(log: Log) -> cg.AssistancePlan:
    """The story's plan, adopted on 2019-03-25 and in its first stage."""
    plan = taken_in(log)
    plan = log(plan.assess(["恢复语言沟通能力"], design(), at=at(2019, 3, 8)))
    matter = decide("为周盛量身制定四部曲帮扶方案", at(2019, 3, 4))
    return log(plan.adopt(matter, at=at(2019, 3, 25)))


def test_the_story_of_zhou_sheng() -> None:
    """Zhou Sheng's plan is adopted through a matter, Qiu Zhilan is his mentor from May 2019,
    he passes the four stages and graduates (docs/assistance.md tells the same story)."""
    log = Log()
    matter = decide("为周盛量身制定四部曲帮扶方案", at(2019, 3, 4))
    assert matter.state == cg.MatterState.RESOLUTION_PUBLICITY

    # Intake: referred by the branch secretary, a team of three, consent to the plan only.
    plan = taken_in(log)
    assert (plan.state, plan.title, plan.alias) == ("intake", "周某的精准帮扶项目", "周某")
    assert plan.publish_consent is None
    assert plan.sensitive == SENSITIVE
    assert "周盛" not in repr(plan)
    assert all(detail.text not in repr(plan) for detail in SENSITIVE)

    # Assessment and design: the template's default goals and four review dates.
    plan = log(
        plan.assess(["恢复语言沟通能力", "走出家门", "自食其力"], design(), at=at(2019, 3, 8))
    )
    assert plan.state == "awaiting_adoption"
    assert [s.review_on for s in plan.stages] == list(REVIEWS)

    # Adoption: refused while the resolution notice is up, accepted once it has run its period.
    with pytest.raises(cg.PeriodNotElapsed):
        plan.adopt(matter, at=at(2019, 3, 18))
    plan = log(plan.adopt(matter, at=at(2019, 3, 25)))
    assert (plan.state, plan.adopted_on, plan.review_due_on) == (
        "speak_up",
        date(2019, 3, 25),
        date(2019, 6, 28),
    )
    assert log[-1] == PlanAdopted(at=at(2019, 3, 25), matter_id="fule")

    # Qiu Zhilan, mentor from May 2019.
    plan = log(
        plan.assign_mentor("qiu", start=date(2019, 5, 1), community=COMMUNITY, at=at(2019, 4, 28))
    )
    assert plan.mentor == "qiu"
    assert plan.mentors[0].start == date(2019, 5, 1)

    # Speak up.
    plan = log(
        plan.log_activity(
            cg.Activity(on=date(2019, 5, 6), by="qiu", what="上门陪伴聊天", minutes=120),
            at=at(2019, 5, 7),
        )
    )
    plan = log(plan.record_observation("conversations", 4, by="qiu", at=at(2019, 6, 21)))
    assert plan.unmet_goals() == ()
    plan = log(plan.pass_stage("speak_up", reviewers=["wu", "luo"], at=at(2019, 6, 28)))

    # Go out: one outing a week is not yet two, so the stage is extended, then passed.
    plan = log(plan.record_observation("outings", 1, by="qiu", at=at(2019, 9, 20)))
    assert plan.unmet_goals() == ("outings",)
    with pytest.raises(cg.GoalsUnmet):
        plan.pass_stage("go_out", reviewers=["wu", "luo"], at=at(2019, 9, 27))
    plan = log(
        plan.extend_stage(
            "go_out",
            review_on=date(2019, 10, 31),
            reason="独自出门仍有困难",
            reviewers=["wu", "li"],
            at=at(2019, 9, 27),
        )
    )
    assert (plan.state, plan.review_due_on) == ("go_out", date(2019, 10, 31))
    plan = log(plan.record_observation("outings", 3, by="li", at=at(2019, 10, 25)))
    plan = log(plan.pass_stage("go_out", reviewers=["wu", "luo", "li"], at=at(2019, 10, 31)))

    # A first wish, and standing on his own feet.
    plan = log(plan.record_observation("wish", 1, by="qiu", at=at(2019, 12, 20)))
    plan = log(plan.pass_stage("first_wish", reviewers=["wu", "luo"], at=at(2019, 12, 27)))
    plan = log(plan.record_observation("income", 3, by="luo", at=at(2020, 6, 20)))
    plan = log(plan.pass_stage("stand_up", reviewers=["wu", "luo"], at=at(2020, 6, 26)))
    assert plan.state == "evaluation"
    assert plan.describe().due_what == "final review"

    # The final review: graduated. The case file rebuilds the plan.
    plan = log(plan.graduate("四个阶段全部完成", reviewers=["wu", "luo", "li"], at=at(2020, 6, 30)))
    assert (plan.state, plan.is_final) == ("graduated", True)
    passed = [e.stage for e in log if isinstance(e, StageReviewed) and e.outcome.value == "passed"]
    assert passed == list(cg.FOUR_STAGES.keys)
    assert cg.AssistancePlan.replay(log) == plan

    # 2,590 yuan of handicrafts sold: the notice shows 周某 and no health detail.
    plan = log(
        plan.post_notice(
            cg.PlanNoticeKind.INCOME,
            "周盛(社交恐惧症)制作的手工制品已售出。",
            place="三湾街社区公示栏",
            at=at(2020, 7, 1),
            amount_fen=259_000,
        )
    )
    text = cg.render_text(plan.notices(COMMUNITY)[-1])
    assert "2,590.00 元" in text
    assert "周某" in text
    assert "周盛" not in text
    assert "社交恐惧症" not in text
    assert cg.AssistancePlan.replay(log) == plan


def test_every_step_of_the_story_replays() -> None:
    log = Log()
    plan = adopted(log)
    for n in range(1, len(log) + 1):
        assert cg.AssistancePlan.replay(log[:n]).version == n
    assert cg.AssistancePlan.replay(log) == plan


def test_the_design_may_be_revised_before_adoption() -> None:
    log = Log()
    plan = taken_in(log)
    plan = log(plan.assess(["交流"], design(), at=at(2019, 3, 8)))
    later = (date(2019, 7, 30), *REVIEWS[1:])
    plan = log(plan.assess(["交流", "出门"], design(later), at=at(2019, 3, 9)))
    assert plan.state == "awaiting_adoption"
    assert plan.stages[0].review_on == date(2019, 7, 30)
    assert plan.needs == ("交流", "出门")


@given(offset=st.integers(-(10**8), 10**8))
def test_only_a_design_the_matter_decided_on_takes_effect(offset: int) -> None:
    """A design revised after the matter's deciding meeting was never decided: the plan
    cannot take effect through that matter (DOMAIN §4), up to the microsecond."""
    matter = decide("为周盛量身制定四部曲帮扶方案", at(2019, 3, 4))
    decided_at = matter.deliberations[-1].at
    plan = taken_in(Log())
    revised_at = decided_at + timedelta(microseconds=offset)
    plan, _ = plan.assess(["恢复语言沟通能力"], design(), at=revised_at)
    assert plan.designed_at == revised_at
    assert matter.resolution is not None
    assert matter.resolution.ends_at is not None
    if offset <= 0:
        assert plan.adopt(matter, at=matter.resolution.ends_at)[0].state == "speak_up"
        return
    with pytest.raises(cg.DesignAfterDecision) as refused:
        plan.adopt(matter, at=matter.resolution.ends_at)
    assert (refused.value.plan, refused.value.matter) == ("fule-1", "fule")
    assert (refused.value.designed_at, refused.value.decided_at) == (revised_at, decided_at)


def test_review_dates_moved_after_the_decision_are_not_a_new_design() -> None:
    matter = decide("为周盛量身制定四部曲帮扶方案", at(2019, 3, 4))
    decided_at = matter.deliberations[-1].at
    assert matter.resolution is not None
    assert matter.resolution.ends_at is not None
    plan = taken_in(Log())
    plan, _ = plan.assess(["恢复语言沟通能力"], design(), at=at(2019, 3, 8))
    later = tuple(day + timedelta(days=30) for day in REVIEWS)
    moved, _ = plan.assess(["恢复语言沟通能力"], design(later), at=decided_at + DAY)
    assert moved.designed_at == plan.designed_at == at(2019, 3, 8)
    adopted, _ = moved.adopt(matter, at=matter.resolution.ends_at)
    assert adopted.review_due_on == later[0]
    # Another need, or other goals, after the decision: a new design, never decided.
    for needs, stages in (
        (["恢复语言沟通能力", "就业"], design(later)),
        (
            ["恢复语言沟通能力"],
            [attrs.evolve(design(later)[0], activities=["散步"]), *design(later)[1:]],
        ),
    ):
        revised, _ = plan.assess(needs, stages, at=decided_at + DAY)
        assert revised.designed_at == decided_at + DAY
        with pytest.raises(cg.DesignAfterDecision):
            revised.adopt(matter, at=matter.resolution.ends_at)


def test_a_matter_past_its_publicity_adopts_whatever_happened_since() -> None:
    log = Log()
    plan = taken_in(log)
    plan = log(plan.assess(["交流"], design(), at=at(2019, 3, 8)))
    matter = decide("方案", at(2019, 3, 4))
    assert matter.resolution is not None
    ends = matter.resolution.ends_at
    assert ends is not None
    # An objection that was dismissed does not stand in the way.
    matter, _ = matter.raise_objection(
        "x1", by="rep1", text="资金?", community=COMMUNITY, at=at(2019, 3, 16)
    )
    matter, _ = matter.rule_on_objection(
        "x1",
        upheld=False,
        ruling="不动用社区资金",
        ruled_by=["zhang"],
        place="公示栏",
        community=COMMUNITY,
        at=at(2019, 3, 17),
    )
    assert plan.adopt(matter, at=ends)[0].state == "speak_up"
    implementing, _ = matter.start_implementation(by="wu", community=COMMUNITY, at=ends)
    done, _ = implementing.complete("完成", cost_fen=0, at=ends + DAY)
    for state in (implementing, done):
        assert plan.adopt(state, at=ends + 2 * DAY)[0].state == "speak_up"


def test_a_suspension_moves_the_review_dates_of_this_and_later_stages() -> None:
    log = Log()
    plan = adopted(log)
    plan = log(plan.record_observation("conversations", 3, by="qiu", at=at(2019, 6, 1)))
    plan = log(plan.pass_stage("speak_up", reviewers=["wu", "luo"], at=at(2019, 6, 28)))
    plan = log(plan.suspend("住院治疗", at=at(2019, 7, 10)))
    assert plan.state == "suspended"
    assert plan.current_stage == "go_out"
    assert plan.describe().due_at is None
    assert plan.allowed_actions()[0] == "resume"
    plan = log(plan.resume("出院", at=at(2019, 7, 31)))
    assert plan.state == "go_out"
    shifted = [day + timedelta(days=21) for day in REVIEWS[1:]]
    assert [s.review_on for s in plan.stages] == [REVIEWS[0], *shifted]
    suspension = plan.suspensions[-1]
    assert (suspension.since, suspension.until, suspension.resume_to) == (
        date(2019, 7, 10),
        date(2019, 7, 31),
        "go_out",
    )
    # The days the plan was suspended and resumed on are partly active.
    for day in (date(2019, 7, 10), date(2019, 7, 31)):
        plan = log(
            plan.log_activity(
                cg.Activity(on=day, by="qiu", what="电话联系", minutes=10), at=at(2019, 8, 1)
            )
        )
    with pytest.raises(cg.ActivityDuringSuspension):
        plan.log_activity(
            cg.Activity(on=date(2019, 7, 11), by="qiu", what="电话联系", minutes=10),
            at=at(2019, 8, 1),
        )
    assert cg.AssistancePlan.replay(log) == plan


def test_a_setback_returns_to_an_earlier_stage_whose_goals_count_afresh() -> None:
    log = Log()
    plan = adopted(log)
    plan = log(plan.record_observation("conversations", 3, by="qiu", at=at(2019, 6, 1)))
    plan = log(plan.pass_stage("speak_up", reviewers=["wu", "luo"], at=at(2019, 6, 28)))
    plan = log(plan.record_observation("outings", 2, by="qiu", at=at(2019, 9, 1)))
    plan = log(plan.pass_stage("go_out", reviewers=["wu", "luo"], at=at(2019, 9, 27)))
    plan = log(
        plan.record_setback(
            "first_wish",
            to="speak_up",
            review_on=date(2020, 2, 28),
            reason="春节后情绪反复,又不愿说话",
            reviewers=["wu", "li"],
            at=at(2019, 12, 27),
        )
    )
    assert (plan.state, plan.review_due_on) == ("speak_up", date(2020, 2, 28))
    review = plan.reviews[-1]
    assert (review.outcome, review.to_stage, review.notes) == (
        cg.ReviewOutcome.SETBACK,
        "speak_up",
        "春节后情绪反复,又不愿说话",
    )
    # What was observed before the setback no longer counts for the stage.
    assert plan.unmet_goals() == ("conversations",)
    plan = log(plan.record_observation("conversations", 3, by="qiu", at=at(2020, 2, 20)))
    assert plan.unmet_goals() == ()
    # Passing again goes on to the next stage; its designed date has passed, so a new one.
    with pytest.raises(cg.ReviewDateTooEarly):
        plan.pass_stage("speak_up", reviewers=["wu", "luo"], at=at(2020, 2, 28))
    plan = log(
        plan.pass_stage(
            "speak_up",
            reviewers=["wu", "luo"],
            at=at(2020, 2, 28),
            next_review_on=date(2020, 4, 30),
        )
    )
    assert (plan.state, plan.review_due_on) == ("go_out", date(2020, 4, 30))
    assert cg.AssistancePlan.replay(log) == plan


def test_the_mentor_can_be_replaced_and_the_team_can_change() -> None:
    log = Log()
    plan = adopted(log)
    plan = log(
        plan.assign_mentor("qiu", start=date(2019, 5, 1), community=COMMUNITY, at=at(2019, 4, 28))
    )
    plan = log(
        plan.assign_mentor(
            "zhang", start=date(2019, 6, 1), community=COMMUNITY, at=at(2019, 5, 30), reason="搬家"
        )
    )
    assert plan.mentor == "zhang"
    assert [m.person_id for m in plan.mentors] == ["qiu", "zhang"]

    plan = log(
        plan.join_team(
            cg.TeamMember("qiu", cg.TeamRole.VOLUNTEER), community=COMMUNITY, at=at(2019, 5, 31)
        )
    )
    plan = log(plan.leave_team("li", at=at(2019, 6, 1), reason="工作调动"))
    assert [m.person_id for m in plan.team] == ["wu", "luo", "qiu"]
    plan = log(plan.record_observation("conversations", 3, by="qiu", at=at(2019, 6, 2)))
    with pytest.raises(cg.NotOnCaseTeam):
        plan.pass_stage("speak_up", reviewers=["wu", "li"], at=at(2019, 6, 28))
    plan = log(plan.pass_stage("speak_up", reviewers=["qiu", "luo"], at=at(2019, 6, 28)))
    assert cg.AssistancePlan.replay(log) == plan


def test_consent_to_publish_shows_the_name_until_it_or_consent_is_withdrawn() -> None:
    log = Log()
    plan = adopted(log)
    plan = log(
        plan.post_notice(cg.PlanNoticeKind.ADOPTION, "帮扶周盛", place="公示栏", at=at(2019, 3, 26))
    )

    def shown() -> str:
        return cg.render_markdown(plan.notices(COMMUNITY)[-1])

    assert "周某" in shown()
    assert "周盛" not in shown()
    assert "fule" in shown()  # the adopting matter is named
    # Nothing to withdraw: refused, and nothing is recorded.
    assert "withdraw_publish_consent" not in plan.allowed_actions()
    with pytest.raises(cg.NoPublishConsent) as refused:
        plan.withdraw_publish_consent(at=at(2019, 3, 27))
    assert refused.value.plan == plan.id

    plan = log(plan.give_publish_consent(cg.Consent("zhou", date(2019, 4, 1)), at=at(2019, 4, 1)))
    assert plan.may_publish_name
    assert "周盛" in shown()
    assert all(detail.text not in shown() for detail in SENSITIVE)
    plan = log(plan.withdraw_publish_consent(at=at(2019, 4, 2)))
    assert "周盛" not in shown()

    plan = log(plan.give_publish_consent(cg.Consent("zhou", date(2019, 4, 3)), at=at(2019, 4, 3)))
    plan = log(plan.withdraw_consent(at=at(2019, 4, 4), note="本人要求"))
    assert plan.publish_consent is not None  # still on record, but consent to the plan is gone
    assert not plan.may_publish_name
    assert "周盛" not in shown()
    assert (plan.state, plan.allowed_actions()) == ("withdrawn", ())
    assert isinstance(log[-1], ConsentWithdrawn)
    assert cg.AssistancePlan.replay(log) == plan


def test_consent_can_be_withdrawn_after_graduation_too() -> None:
    log = Log()
    plan = adopted(log)
    for key, review_on in zip(cg.FOUR_STAGES.keys, REVIEWS, strict=True):
        goal = cg.FOUR_STAGES.stage(key).goals[0]
        due = datetime.combine(review_on, time(9), tzinfo=TZ)
        plan = log(plan.record_observation(goal.key, goal.target, by="qiu", at=due - DAY))
        plan = log(plan.pass_stage(key, reviewers=["wu", "luo"], at=due))
    plan = log(plan.graduate("完成", reviewers=["wu", "luo"], at=at(2020, 7, 1)))
    plan = log(plan.withdraw_consent(at=at(2021, 1, 1)))
    assert plan.state == "withdrawn"
    with pytest.raises(cg.ConsentAlreadyWithdrawn):
        plan.post_notice(cg.PlanNoticeKind.RESULT, "回访", place="公示栏", at=at(2021, 1, 2))


def test_a_plan_can_be_closed_for_another_reason_from_a_running_stage() -> None:
    log = Log()
    plan = adopted(log)
    plan = log(plan.close("全家迁出本社区", reviewers=["wu", "luo"], at=at(2019, 5, 1)))
    assert plan.state == "closed"
    assert plan.closure is not None
    assert plan.closure.reason == "全家迁出本社区"
    assert plan.describe() == cg.Description("closed", "周某的精准帮扶项目")


def test_the_summary_is_de_identified_and_names_the_next_review() -> None:
    log = Log()
    plan = adopted(log)
    description = plan.describe()
    assert description.title == "周某的精准帮扶项目"
    assert description.state == "speak_up"
    assert description.due_at == datetime(2019, 6, 28, tzinfo=TZ)
    assert description.due_what == "stage review"
    assert taken_in(Log()).describe() == cg.Description("intake", "周某的精准帮扶项目")
