"""Hypothesis strategies for assistance plans, for your own property-based tests.

Every strategy produces valid values only: a generated :class:`~communitygov.PlanTemplate`
builds, and a generated plan was taken in, designed, adopted through a matter of
一征三议两公开 and driven along by the public commands (reviews, setbacks, suspensions,
observations, activities, notices, sensitive details learned later, consent changes), with the
events those commands returned::

    from hypothesis import given
    from communitygov.testing import assistance_strategies as cgas

    @given(cgas.plans_with_events(max_steps=20))
    def test_my_report(generated):
        report = my_report(generated.plan, generated.community)
        ...

The beneficiary's name is drawn from :func:`beneficiary_names` (Chinese names, compound
surnames, names with a middle dot, Latin names) and their sensitive details from
:func:`sensitive_details`; the texts of the adopting matter and of the plan's notices mention
both on purpose, so that a test can check what a rendered notice lets through.

Needs the ``testing`` extra (Hypothesis).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import attrs

from communitygov.assistance.plan import AssistancePlan
from communitygov.assistance.records import (
    Activity,
    Consent,
    PlanNoticeKind,
    SensitiveDetail,
    SensitiveKind,
    StagePlan,
    TeamMember,
    TeamRole,
)
from communitygov.assistance.template import Direction, Goal, PlanState, PlanTemplate, Stage
from communitygov.errors import MissingExtra
from communitygov.kernel.aggregate import Decision
from communitygov.kernel.checks import shows_something
from communitygov.kernel.events import Event
from communitygov.kernel.timekeeping import zone
from communitygov.matters.matter import Matter
from communitygov.organisation.community import Community
from communitygov.testing._adoption import adopting_matter, staffed
from communitygov.testing._meetings import DEFAULT_START

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - only without the extra
    raise MissingExtra("communitygov.testing", "testing") from exc

__all__ = [
    "BENEFICIARY",
    "CASE_TEAM",
    "MENTORS",
    "GeneratedPlan",
    "beneficiary_names",
    "goals",
    "plan_templates",
    "plans",
    "plans_with_events",
    "sensitive_details",
    "stages",
]

BENEFICIARY = "beneficiary"
"""The person id of the beneficiary in a generated plan's community."""
CASE_TEAM: tuple[str, ...] = ("team1", "team2", "team3", "team4")
"""The person ids of the case team of a generated plan (a fourth may join later)."""
MENTORS: tuple[str, ...] = ("mentor1", "mentor2")
"""The person ids generated plans draw their mentors from."""

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐邱许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程"
)
_COMPOUND = ("欧阳", "司马", "诸葛", "上官", "慕容", "令狐")
_GIVEN = "盛伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰志红玉萍建国文斌宇浩凯晨欣怡"
_LATIN_FIRST = ("Mary", "John", "Aisha", "Carlos", "Yuki", "Olga", "Pierre", "Amara")
_LATIN_LAST = ("Smith", "Okafor", "Garcia", "Tanaka", "Ivanova", "Dubois", "Nguyen")
_DOTTED = ("阿依古丽·买买提", "古丽娜尔·艾山", "买买提·吐尔逊", "Jean-Luc·Picard")
_DETAILS = {
    SensitiveKind.HEALTH: ("社交恐惧症", "抑郁症", "social anxiety disorder", "癫痫"),
    SensitiveKind.DISABILITY: (
        "盆骨及右腿残疾",
        "下肢二级残疾",
        "wheelchair user since 2014",
        "听力残疾",
    ),
}
_KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True).filter(
    lambda key: key not in PlanState.FIXED
)
_LABELS = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=12
).filter(shows_something)
_HOUR = timedelta(hours=1)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidArgument(message)


# --- templates ---------------------------------------------------------------------------


def goals(*, key: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Goal]:
    """Valid goals: a key, a text and an indicator, a target of 0 to 10 and a direction.

    Args:
        key: Where to draw the key from; short identifiers by default.

    Returns:
        A strategy of :class:`~communitygov.Goal`.
    """
    return st.builds(
        Goal,
        key=_KEYS if key is None else key,
        text=_LABELS,
        indicator=_LABELS,
        target=st.integers(0, 10),
        direction=st.sampled_from(Direction),
    )


_GOAL_LISTS = st.lists(goals(), min_size=1, max_size=3, unique_by=lambda goal: goal.key)


def stages(*, key: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Stage]:
    """Valid stages: a key, names, a purpose and one to three default goals.

    Args:
        key: Where to draw the key from; identifiers that are not reserved by default.

    Returns:
        A strategy of :class:`~communitygov.Stage`.
    """
    return st.builds(
        Stage,
        key=_KEYS if key is None else key,
        zh=_LABELS,
        en=_LABELS,
        purpose=_LABELS,
        goals=_GOAL_LISTS,
    )


def plan_templates(*, min_stages: int = 1, max_stages: int = 6) -> st.SearchStrategy[PlanTemplate]:
    """Valid plan templates of ``min_stages`` to ``max_stages`` stages with distinct keys.

    Args:
        min_stages: The fewest stages, at least 1.
        max_stages: The most stages.

    Returns:
        A strategy of :class:`~communitygov.PlanTemplate`.
    """
    _check(1 <= min_stages <= max_stages, f"bad stage counts {min_stages}..{max_stages}")
    stage_lists = st.lists(
        stages(), min_size=min_stages, max_size=max_stages, unique_by=lambda stage: stage.key
    )
    return st.builds(
        PlanTemplate,
        name=st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True),
        zh=_LABELS,
        en=_LABELS,
        stages=stage_lists,
    )


# --- people and their data ---------------------------------------------------------------


def beneficiary_names() -> st.SearchStrategy[str]:
    """Realistic names: Chinese (with one- and two-character surnames), transliterated with a
    middle dot, and Latin ("Mary Smith").

    Returns:
        A strategy of names.
    """
    given = st.text(alphabet=_GIVEN, min_size=1, max_size=2)
    chinese = st.tuples(st.sampled_from(_SURNAMES) | st.sampled_from(_COMPOUND), given).map("".join)
    latin = st.tuples(st.sampled_from(_LATIN_FIRST), st.sampled_from(_LATIN_LAST)).map(" ".join)
    return chinese | latin | st.sampled_from(_DOTTED)


def sensitive_details() -> st.SearchStrategy[SensitiveDetail]:
    """Health and disability details such as case files hold.

    Returns:
        A strategy of :class:`~communitygov.SensitiveDetail`.
    """
    return st.sampled_from(
        [SensitiveDetail(kind, text) for kind, texts in _DETAILS.items() for text in texts]
    )


# --- plans -------------------------------------------------------------------------------


@attrs.frozen
class GeneratedPlan:
    """A generated plan with everything around it.

    Attributes:
        community: The plan's community: the beneficiary (:data:`BENEFICIARY`), the case team
            (:data:`CASE_TEAM`), the mentors (:data:`MENTORS`) and the bodies of the matter.
        matter: The matter that adopted the plan (its resolution notice names the beneficiary).
        plan: The plan.
        events: The plan's events, oldest first: what a store would keep, and what
            :meth:`~communitygov.AssistancePlan.replay` folds back into ``plan``.
        community_events, matter_events: The community's and the matter's events. Store
            them with the plan's (:meth:`records`) and the store holds the matter that
            adopted the plan, as :meth:`~communitygov.Governance.verify` expects.
    """

    community: Community
    matter: Matter
    plan: AssistancePlan
    events: tuple[Event, ...]
    community_events: tuple[Event, ...] = ()
    matter_events: tuple[Event, ...] = ()

    def records(self) -> tuple[Decision[Any], ...]:
        """The community, the matter and the plan with their events, in the order a store
        takes them (``for decision in generated.records(): gov.create(decision)``)."""
        return (
            (self.community, self.community_events),
            (self.matter, self.matter_events),
            (self.plan, self.events),
        )

    @property
    def name(self) -> str:
        """The beneficiary's name."""
        return self.community.person(BENEFICIARY).name


def _community(name: str, at: datetime) -> tuple[Community, tuple[Event, ...]]:
    """The plan's community, with the events that made it."""
    community, events = Community.register("community", "Community", at=at)
    kept = list(events)
    people = {BENEFICIARY: name}
    people.update({person: f"Team member {n}" for n, person in enumerate(CASE_TEAM, 1)})
    people.update({person: f"Mentor {n}" for n, person in enumerate(MENTORS, 1)})
    for person, person_name in people.items():
        community, events = community.register_person(person, person_name, at=at)
        kept += events
    community, events = staffed(community, at)
    return community, (*kept, *events)


_WEIGHTS = {
    "pass_stage": 24,
    "record_observation": 12,
    "post_notice": 8,
    "withdraw_consent": 1,
    "join_team": 0,
    "leave_team": 0,
}
_DEFAULT_WEIGHT = 4
"""How often each command is drawn, relative to the others (:data:`_DEFAULT_WEIGHT` unless
named): withdrawing consent ends the walk, so it is drawn a quarter as often as a command of
its own weight would be; the case team stays as it was taken in."""


class _Walk:
    """A plan driven along by valid commands, with its events and a clock."""

    def __init__(self, plan: AssistancePlan, events: Sequence[Event], community: Community):
        self.plan = plan
        self.events = list(events)
        self.community = community
        last = plan.last_at
        assert last is not None
        self.now = last

    def do(self, decision: Decision[AssistancePlan]) -> None:
        self.plan, events = decision
        self.events += events
        last = self.plan.last_at
        assert last is not None
        self.now = last

    def today(self) -> date:
        return self.community.local_date(self.now)

    def on_day(self, day: date) -> datetime:
        """Nine in the morning of ``day``, or now if that is later."""
        moment = datetime.combine(day, time(9), tzinfo=zone(self.community.timezone))
        return max(moment, self.now)

    def step(self, draw: st.DrawFn) -> None:
        """Take one command the plan allows, biased towards moving it along."""
        choices = [
            action
            for action in self.plan.allowed_actions()
            for _ in range(_WEIGHTS.get(action, _DEFAULT_WEIGHT))
        ]
        if not choices:  # consent was withdrawn: nothing more is recorded
            return
        action = draw(st.sampled_from(choices), label="action")
        self.now += timedelta(hours=draw(st.integers(0, 72)))
        getattr(self, f"_{action}")(draw)

    # Each method takes one valid command of that name.

    def _review_team(self, draw: st.DrawFn) -> list[str]:
        members = [m.person_id for m in self.plan.team]
        return draw(st.lists(st.sampled_from(members), min_size=2, unique=True))

    def _later(self, draw: st.DrawFn, day: date) -> date:
        return day + timedelta(days=draw(st.integers(1, 60)))

    def _log_activity(self, draw: st.DrawFn) -> None:
        adopted_on = self.plan.adopted_on
        assert adopted_on is not None
        today = self.today()
        on = today - timedelta(days=draw(st.integers(0, 3)))
        if on < adopted_on or any(s.covers(on) for s in self.plan.suspensions):
            on = today
        activity = Activity(
            on=on, by=MENTORS[0], what="陪伴交流", minutes=draw(st.integers(0, 240))
        )
        self.do(self.plan.log_activity(activity, at=self.now))

    def _record_observation(self, draw: st.DrawFn) -> None:
        stage = self.plan.stages[self.plan.template.position(self.plan.state)]
        goal = draw(st.sampled_from(stage.goals))
        value = draw(st.integers(0, 12))
        self.do(self.plan.record_observation(goal.key, value, by=MENTORS[0], at=self.now))

    def _due(self) -> datetime:
        due = self.plan.review_due_on
        assert due is not None
        return self.on_day(due)

    def _pass_stage(self, draw: st.DrawFn) -> None:
        plan, at = self.plan, self._due()
        today = self.community.local_date(at)
        position = plan.template.position(plan.state)
        following = plan.stages[position + 1].review_on if position + 1 < len(plan.stages) else None
        override = None
        if following is not None and (following <= today or draw(st.booleans())):
            override = self._later(draw, today)
        self.do(
            plan.pass_stage(
                plan.state,
                reviewers=self._review_team(draw),
                at=at,
                unmet_reason="进展良好,提前进入下一阶段" if plan.unmet_goals() else "",
                next_review_on=override,
            )
        )

    def _extend_stage(self, draw: st.DrawFn) -> None:
        at = self._due()
        self.do(
            self.plan.extend_stage(
                self.plan.state,
                review_on=self._later(draw, self.community.local_date(at)),
                reason="需要更多时间",
                reviewers=self._review_team(draw),
                at=at,
            )
        )

    def _record_setback(self, draw: st.DrawFn) -> None:
        plan, at = self.plan, self._due()
        earlier = plan.template.keys[: plan.template.position(plan.state)]
        self.do(
            plan.record_setback(
                plan.state,
                to=draw(st.sampled_from(earlier)),
                review_on=self._later(draw, self.community.local_date(at)),
                reason="情绪反复",
                reviewers=self._review_team(draw),
                at=at,
            )
        )

    def _suspend(self, draw: st.DrawFn) -> None:
        self.do(self.plan.suspend("住院治疗", at=self.now))

    def _resume(self, draw: st.DrawFn) -> None:
        self.now += timedelta(days=draw(st.integers(0, 30)))
        self.do(self.plan.resume("出院", at=self.now))

    def _assign_mentor(self, draw: st.DrawFn) -> None:
        person = draw(st.sampled_from([m for m in MENTORS if m != self.plan.mentor]))
        self.do(
            self.plan.assign_mentor(
                person, start=self.today(), community=self.community, at=self.now
            )
        )

    def _post_notice(self, draw: st.DrawFn) -> None:
        kind = draw(st.sampled_from(PlanNoticeKind))
        name = self.community.person(BENEFICIARY).name
        details = "、".join(detail.text for detail in self.plan.sensitive)
        amount = draw(st.integers(0, 10**7)) if kind is PlanNoticeKind.INCOME else None
        self.do(
            self.plan.post_notice(
                kind,
                f"{name}({details})参加帮扶项目",
                place=f"{name}家楼下公示栏",
                at=self.now,
                amount_fen=amount,
            )
        )

    def _record_sensitive(self, draw: st.DrawFn) -> None:
        held = self.plan.sensitive
        unheld = [
            SensitiveDetail(kind, text)
            for kind, texts in _DETAILS.items()
            for text in texts
            if SensitiveDetail(kind, text) not in held
        ]
        if unheld:  # a detail learned after intake
            detail = draw(st.sampled_from(unheld), label="learned")
            self.do(self.plan.record_sensitive(detail, at=self.now))

    def _give_publish_consent(self, draw: st.DrawFn) -> None:
        at = self.now
        withdrawn = self.plan.publish_consent_withdrawn
        if withdrawn is not None:  # a new consent is dated after the day of the withdrawal
            at = self.on_day(self.community.local_date(withdrawn.at) + timedelta(days=1))
        consent = Consent(BENEFICIARY, self.community.local_date(at), "签字同意公开姓名")
        self.do(self.plan.give_publish_consent(consent, at=at))

    def _withdraw_publish_consent(self, draw: st.DrawFn) -> None:
        self.do(self.plan.withdraw_publish_consent(at=self.now))

    def _withdraw_consent(self, draw: st.DrawFn) -> None:
        self.do(self.plan.withdraw_consent(at=self.now))

    def _graduate(self, draw: st.DrawFn) -> None:
        self.do(
            self.plan.graduate("四个阶段均已完成", reviewers=self._review_team(draw), at=self.now)
        )

    def _close(self, draw: st.DrawFn) -> None:
        self.do(self.plan.close("迁出本社区", reviewers=self._review_team(draw), at=self.now))


@st.composite
def _plans_with_events(
    draw: st.DrawFn,
    templates: st.SearchStrategy[PlanTemplate],
    names: st.SearchStrategy[str],
    max_steps: int,
) -> GeneratedPlan:
    name = draw(names, label="name")
    details = draw(st.lists(sensitive_details(), min_size=1, max_size=3, unique=True))
    at = DEFAULT_START
    community, community_events = _community(name, at)
    matter, matter_events = adopting_matter(community, "plan", name, details[0].text, at)
    template = draw(templates, label="template")
    team = [TeamMember(CASE_TEAM[0], TeamRole.BRANCH_SECRETARY)]
    team += [
        TeamMember(person, TeamRole.VOLUNTEER) for person in CASE_TEAM[1 : draw(st.integers(2, 3))]
    ]
    consent = Consent(BENEFICIARY, at.date(), "签字同意书")
    publish = consent if draw(st.booleans(), label="consent to publish") else None
    plan, events = AssistancePlan.intake(
        "plan",
        community=community,
        template=template,
        beneficiary=BENEFICIARY,
        referred_by="入户走访",
        team=team,
        consent=consent,
        at=at,
        sensitive=details,
        publish_consent=publish,
    )
    walk = _Walk(plan, events, community)
    adopted_at = matter.last_at
    assert adopted_at is not None
    review_on = community.local_date(adopted_at)
    design = []
    for stage in template.stages:
        review_on += timedelta(days=draw(st.integers(7, 60)))
        design.append(StagePlan(stage=stage.key, goals=stage.goals, review_on=review_on))
    walk.do(walk.plan.assess(["重建社会交往"], design, at=at + _HOUR))
    walk.do(walk.plan.adopt(matter, at=adopted_at))
    for _ in range(draw(st.integers(0, max_steps), label="steps")):
        walk.step(draw)
    return GeneratedPlan(
        community, matter, walk.plan, tuple(walk.events), community_events, matter_events
    )


def plans_with_events(
    *,
    templates: st.SearchStrategy[PlanTemplate] | None = None,
    names: st.SearchStrategy[str] | None = None,
    max_steps: int = 20,
) -> st.SearchStrategy[GeneratedPlan]:
    """Adopted plans driven along by up to ``max_steps`` random valid commands.

    Each plan is taken in on a generated template for a beneficiary with a generated name and
    one to three sensitive details, with a case team of two or three and consent to publish
    the name drawn at random; designed with the template's default goals and review dates 7
    to 60 days apart; adopted through a matter of 一征三议两公开 once its resolution notice
    has run its period. Then each step takes one command the plan allows (observations,
    activities, reviews that pass, extend or set back, suspensions, mentors, notices, sensitive
    details learned later, consent to publish given or withdrawn, consent withdrawn,
    graduation or closure), at times that move forward.

    Args:
        templates: Templates to draw from; :func:`plan_templates` by default.
        names: Beneficiary names to draw from; :func:`beneficiary_names` by default.
        max_steps: The most commands after adoption.

    Returns:
        A strategy of :class:`GeneratedPlan`.
    """
    _check(max_steps >= 0, f"max_steps must be 0 or more, not {max_steps}")
    return _plans_with_events(
        plan_templates() if templates is None else templates,
        beneficiary_names() if names is None else names,
        max_steps,
    )


def _plan(generated: GeneratedPlan) -> AssistancePlan:
    return generated.plan


def plans(
    *,
    templates: st.SearchStrategy[PlanTemplate] | None = None,
    names: st.SearchStrategy[str] | None = None,
    max_steps: int = 20,
) -> st.SearchStrategy[AssistancePlan]:
    """Plans as :func:`plans_with_events` generates them, without what surrounds them.

    Returns:
        A strategy of :class:`~communitygov.AssistancePlan`.
    """
    return plans_with_events(templates=templates, names=names, max_steps=max_steps).map(_plan)
