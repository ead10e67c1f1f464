"""Plan templates are data: an ordered list of stages, each with its purpose and default goals.

A :class:`PlanTemplate` is a value. The four stages of the source story (精准帮扶四部曲) are the
preset :data:`FOUR_STAGES`; a community that works in three stages, or six, builds its own
value. A malformed template fails when it is built, with a
:class:`~communitygov.errors.DefinitionError`, never later while a plan runs.

Each template has one :class:`~communitygov.kernel.workflow.Workflow`, built once for its stage
keys and shared by every plan on a template with the same stages.

>>> FOUR_STAGES.keys
('speak_up', 'go_out', 'first_wish', 'stand_up')
>>> FOUR_STAGES.workflow.allowed("awaiting_adoption")[:2]
('assess', 'adopt')
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from functools import lru_cache

import attrs

from communitygov.errors import (
    CommandRejected,
    DefinitionError,
    DuplicateId,
    EmptyField,
    InvalidCount,
)
from communitygov.kernel.aggregate import MAX_KEY_LENGTH
from communitygov.kernel.checks import collected, declared_types, shows_something
from communitygov.kernel.workflow import Step, Workflow

__all__ = [
    "FOUR_STAGES",
    "PLAN_TEMPLATES",
    "Direction",
    "Goal",
    "PlanState",
    "PlanTemplate",
    "Stage",
    "check_goals",
]


class Direction(Enum):
    """Which side of its target a goal's indicator must reach."""

    AT_LEAST = "at_least"
    AT_MOST = "at_most"


@attrs.frozen(field_transformer=declared_types)
class Goal:
    """A measurable goal of a stage: an indicator, counted in whole numbers, and its target.

    Attributes:
        key: the goal's name within its stage; observations name it.
        text: the goal as people say it ("leaves home unaccompanied at least twice a week").
        indicator: what is counted ("unaccompanied outings a week").
        target: the number the indicator must reach.
        direction: whether the indicator must be at least (the default) or at most the target.
    """

    key: str
    text: str
    indicator: str
    target: int
    direction: Direction = Direction.AT_LEAST

    def met_by(self, value: int) -> bool:
        """Whether an observed ``value`` of the indicator meets the target."""
        if self.direction is Direction.AT_LEAST:
            return value >= self.target
        return value <= self.target


def _goals(value: Iterable[Goal]) -> tuple[Goal, ...]:
    return collected(tuple, value)


@attrs.frozen(field_transformer=declared_types)
class Stage:
    """One stage of a template.

    Attributes:
        key: the stage's stable name; also the plan's state while it runs.
        zh: its name in Chinese ("开口说话").
        en: its name in English ("speak up").
        purpose: what the stage is for.
        goals: the default goals a plan starts from (a plan may set its own).
    """

    key: str
    zh: str
    en: str
    purpose: str
    goals: tuple[Goal, ...] = attrs.field(default=(), converter=_goals)


class PlanState:
    """The names of the fixed states of a plan; each stage of its template adds its own key.

    A plan is taken in (``intake``), assessed and designed (``awaiting_adoption``), adopted
    through a matter into its first stage, runs its stages in order, and after the last one
    waits for the final review (``evaluation``), which graduates or closes it. A running plan
    may be ``suspended`` and resumed; withdrawing consent ends it (``withdrawn``).
    """

    INTAKE = "intake"
    AWAITING_ADOPTION = "awaiting_adoption"
    EVALUATION = "evaluation"
    SUSPENDED = "suspended"
    GRADUATED = "graduated"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    FIXED = (INTAKE, AWAITING_ADOPTION, EVALUATION, SUSPENDED, GRADUATED, CLOSED, WITHDRAWN)
    FINISHED = (GRADUATED, CLOSED, WITHDRAWN)
    """States in which the plan's work is over; only notices and consent changes remain, and
    after ``withdrawn`` nothing at all."""


SETBACK = "setback_to_"
"""Prefix of the workflow actions that send a plan back to an earlier stage (one per stage)."""
RESUME = "resume_to_"
"""Prefix of the workflow actions that resume a suspended plan in a stage (one per stage)."""


def _stages(value: Iterable[Stage]) -> tuple[Stage, ...]:
    return collected(tuple, value)


def _required(value: str) -> bool:
    return shows_something(value)


@attrs.frozen(field_transformer=declared_types)
class PlanTemplate:
    """An assistance plan's template: its stages, in the order they run.

    Attributes:
        name: a stable identifier, stored with every plan on the template.
        zh, en: the template's name for people.
        stages: the stages, in order; at least one.

    Raises:
        WrongType: a field of another type than its declared one (a text or ``None`` where
            the stages belong, a stage's key where a :class:`Stage` does).
        DefinitionError: an empty name, no stages, a stage key that is not a plain identifier,
            is used twice or is reserved for a state, a stage without a name, purpose or
            default goal, or a goal without its text or indicator, with a repeated key or a
            target that is not a whole number of 0 or more.
    """

    name: str
    zh: str
    en: str
    stages: tuple[Stage, ...] = attrs.field(converter=_stages)
    workflow: Workflow = attrs.field(init=False, eq=False, repr=False)
    _index: dict[str, int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not _required(self.name):
            raise DefinitionError("plan template", "the name is empty")
        what = f"plan template {self.name!r}"
        if not (_required(self.zh) and _required(self.en)):
            raise DefinitionError(what, "it needs a Chinese and an English name")
        if not self.stages:
            raise DefinitionError(what, "it needs at least one stage")
        index: dict[str, int] = {}
        for position, stage in enumerate(self.stages):
            _check_stage(what, stage, index)
            index[stage.key] = position
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "workflow", _workflow(self.keys))

    @property
    def keys(self) -> tuple[str, ...]:
        """The stage keys, in order."""
        return tuple(stage.key for stage in self.stages)

    def is_stage(self, key: str) -> bool:
        """Whether ``key`` names one of the stages."""
        return key in self._index

    def position(self, key: str) -> int:
        """Where stage ``key`` comes, from 0.

        Raises:
            DefinitionError: there is no such stage.
        """
        position = self._index.get(key)
        if position is None:
            raise DefinitionError(f"plan template {self.name!r}", f"has no stage {key!r}")
        return position

    def stage(self, key: str) -> Stage:
        """The stage named ``key``.

        Raises:
            DefinitionError: there is no such stage.
        """
        return self.stages[self.position(key)]

    def mermaid(self) -> str:
        """The plan's state machine on this template, as a Mermaid state diagram."""
        return self.workflow.mermaid(f"{self.zh} ({self.en})")


def _check_stage(what: str, stage: Stage, seen: dict[str, int]) -> None:
    key = stage.key
    if not key.isidentifier():
        raise DefinitionError(what, f"stage key {key!r} is not a plain identifier")
    if len(key) > MAX_KEY_LENGTH:
        raise DefinitionError(
            what, f"stage key {key[:20]!r}… is longer than {MAX_KEY_LENGTH} characters"
        )
    if key in PlanState.FIXED:
        raise DefinitionError(what, f"stage key {key!r} is reserved for a state")
    if key in seen:
        raise DefinitionError(what, f"stage key {key!r} is used twice")
    if not (_required(stage.zh) and _required(stage.en) and _required(stage.purpose)):
        raise DefinitionError(what, f"stage {key!r} needs a Chinese and English name and a purpose")
    try:
        check_goals(stage.goals, key)
    except CommandRejected as problem:
        raise DefinitionError(what, f"its default goals: {problem}") from None


def check_goals(goals: Iterable[Goal], stage: str) -> tuple[Goal, ...]:
    """The goals of ``stage``, once each has a key of its own, a text, an indicator and a
    target of a whole number of 0 or more.

    Raises:
        EmptyField: no goals, or a goal without its key, text or indicator.
        DuplicateId: two goals of the stage share a key.
        InvalidCount: a target is below 0.
    """
    checked = tuple(goals)
    if not checked:
        raise EmptyField(f"goals of stage {stage}")
    keys: set[str] = set()
    for goal in checked:
        for value, field in (
            (goal.key, "goal key"),
            (goal.text, "goal"),
            (goal.indicator, "indicator"),
        ):
            if not _required(value):
                raise EmptyField(f"{field} in stage {stage}")
        if goal.key in keys:
            raise DuplicateId(f"goal of stage {stage}", goal.key)
        keys.add(goal.key)
        if goal.target < 0:  # a Goal's target is an int (it checks its fields' types)
            raise InvalidCount(f"target of goal {goal.key}", goal.target)
    return checked


@lru_cache(maxsize=64)
def _workflow(keys: tuple[str, ...]) -> Workflow:
    """The plan workflow for these stage keys, built once and shared."""
    s = PlanState
    running = [*keys, s.EVALUATION, s.SUSPENDED]
    open_states = [s.INTAKE, s.AWAITING_ADOPTION, *running]
    steps = [
        Step("assess", s.INTAKE, s.AWAITING_ADOPTION),
        Step("assess", s.AWAITING_ADOPTION, s.AWAITING_ADOPTION),
        Step("adopt", s.AWAITING_ADOPTION, keys[0]),
    ]
    for position, key in enumerate(keys):
        following = keys[position + 1] if position + 1 < len(keys) else s.EVALUATION
        steps += [
            Step("log_activity", key, key),
            Step("record_observation", key, key),
            Step("pass_stage", key, following),
            Step("extend_stage", key, key),
            *(Step(f"{SETBACK}{earlier}", key, earlier) for earlier in keys[:position]),
            Step("suspend", key, s.SUSPENDED),
        ]
    steps += [Step(f"{RESUME}{key}", s.SUSPENDED, key) for key in keys]
    steps.append(Step("graduate", s.EVALUATION, s.GRADUATED))
    for state in open_states:
        steps += [
            Step("assign_mentor", state, state),
            Step("join_team", state, state),
            Step("leave_team", state, state),
            Step("close", state, s.CLOSED),
        ]
    for state in (*running, s.GRADUATED, s.CLOSED):
        steps.append(Step("post_notice", state, state))
    for state in (*open_states, s.GRADUATED, s.CLOSED):
        steps += [
            Step("record_sensitive", state, state),
            Step("give_publish_consent", state, state),
            Step("withdraw_publish_consent", state, state),
            Step("withdraw_consent", state, s.WITHDRAWN),
        ]
    states = [s.INTAKE, s.AWAITING_ADOPTION, *keys, *s.FIXED[2:]]
    return Workflow("assistance plan", states, steps, s.INTAKE, (s.WITHDRAWN,))


FOUR_STAGES = PlanTemplate(
    name="si-bu-qu",
    zh="精准帮扶四部曲",
    en="the four-stage assistance plan",
    stages=[
        Stage(
            key="speak_up",
            zh="开口说话",
            en="speak up",
            purpose="重建与人交流的意愿和信心 (the wish and confidence to talk with others)",
            goals=[
                Goal(
                    key="conversations",
                    text="每周主动与陪伴人交谈三次以上 (starts a conversation three times a week)",
                    indicator="conversations he starts a week",
                    target=3,
                )
            ],
        ),
        Stage(
            key="go_out",
            zh="走出家门",
            en="go out of the home",
            purpose="走出家门、参与社区生活 (leave the home and take part in community life)",
            goals=[
                Goal(
                    key="outings",
                    text="每周至少两次独自出门 (leaves home unaccompanied at least twice a week)",
                    indicator="unaccompanied outings a week",
                    target=2,
                )
            ],
        ),
        Stage(
            key="first_wish",
            zh="实现第一个心愿",
            en="realise a first wish",
            purpose="自己选定并实现一个心愿 (choose a wish and make it come true)",
            goals=[
                Goal(
                    key="wish",
                    text="实现一个自己选定的心愿 (realises a wish he chose himself)",
                    indicator="wishes realised",
                    target=1,
                )
            ],
        ),
        Stage(
            key="stand_up",
            zh="从心理真正站起来、自食其力",
            en="stand up inside and support oneself",
            purpose="心理上站起来,靠劳动获得收入 (stand on his own feet and earn a living)",
            goals=[
                Goal(
                    key="income",
                    text="连续三个月有劳动收入 (earns from his own work three months running)",
                    indicator="months with own income in the last three",
                    target=3,
                )
            ],
        ),
    ],
)
"""The four stages of the 福乐 plan in the source story (精准帮扶四部曲)."""

PLAN_TEMPLATES: dict[str, PlanTemplate] = {FOUR_STAGES.name: FOUR_STAGES}
"""The shipped templates by name."""
