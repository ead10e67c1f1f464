"""Procedures are data: who is asked, who deliberates in what order, how results are published.

A :class:`Procedure` is a value. The standard 一征三议两公开 and the 四议两公开 variant are
presets in :mod:`communitygov.matters.presets`; a community whose practice differs builds its
own value (no subclassing). A malformed procedure fails when it is built, with a
:class:`~communitygov.errors.DefinitionError`, never later while a matter runs.

Each procedure compiles one :class:`~communitygov.kernel.workflow.Workflow` when it is built;
every matter on that procedure shares it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

import attrs

from communitygov.errors import DefinitionError
from communitygov.kernel.aggregate import MAX_KEY_LENGTH
from communitygov.kernel.calendars import Calendar
from communitygov.kernel.checks import collected, declared_types, shows_something
from communitygov.kernel.chinese_calendar import OFFICIAL
from communitygov.kernel.periods import Period
from communitygov.kernel.voting import COMMITTEE, VotingRule
from communitygov.kernel.workflow import Step, Workflow
from communitygov.organisation.bodies import BodyKind

__all__ = [
    "Constituency",
    "DeliberationStep",
    "MatterState",
    "Procedure",
    "PublicityRules",
    "SolicitationRules",
]


class Constituency(Enum):
    """A group of people who may take part (give opinions, object)."""

    PARTY_MEMBERS = "party_members"
    REPRESENTATIVES = "representatives"
    RESIDENTS = "residents"

    @property
    def en(self) -> str:
        """English name."""
        return {
            "party_members": "party members",
            "representatives": "resident representatives",
        }.get(self.value, "residents")

    @property
    def body(self) -> BodyKind | None:
        """The body whose members form this group; ``None`` for every registered resident."""
        return _CONSTITUENCY_BODIES.get(self)


_CONSTITUENCY_BODIES = {
    Constituency.PARTY_MEMBERS: BodyKind.PARTY_MEMBERS_ASSEMBLY,
    Constituency.REPRESENTATIVES: BodyKind.REPRESENTATIVES_ASSEMBLY,
}


class MatterState:
    """The names of the fixed states of a matter; each deliberation step adds its own key."""

    RAISED = "raised"
    SOLICITING = "soliciting"
    RESOLVED = "resolved"
    RESOLUTION_PUBLICITY = "resolution_publicity"
    IMPLEMENTING = "implementing"
    COMPLETED = "completed"
    RESULT_PUBLICITY = "result_publicity"
    CLOSED = "closed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    FIXED = (
        RAISED,
        SOLICITING,
        RESOLVED,
        RESOLUTION_PUBLICITY,
        IMPLEMENTING,
        COMPLETED,
        RESULT_PUBLICITY,
        CLOSED,
        REJECTED,
        WITHDRAWN,
    )
    TERMINAL = (CLOSED, REJECTED, WITHDRAWN)


def _period(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A validator: the field holds a :class:`Period`.

    Raises:
        DefinitionError: anything else (a number of days, a ``timedelta``), which would
            otherwise fail only when a command counts the period.
    """
    if not isinstance(value, Period):
        raise DefinitionError(
            type(instance).__name__,
            f"{attribute.name} must be a Period such as Period.days(3), not {value!r}",
        )


def _optional_period(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A validator: the field holds a :class:`Period` or ``None``.

    Raises:
        DefinitionError: anything else.
    """
    if value is not None:
        _period(instance, attribute, value)


def _constituencies(value: Iterable[Constituency]) -> frozenset[Constituency]:
    return collected(frozenset, value)


def _require_someone(rules: object, field: str, group: frozenset[Constituency]) -> None:
    """Refuse a group of no one: a solicitation nobody may answer, or a notice nobody may
    object to, would empty the right the step exists for.

    Raises:
        DefinitionError: ``group`` is empty.
    """
    if not group:
        raise DefinitionError(
            type(rules).__name__, f"{field} is empty: name at least one constituency"
        )


def _steps(value: Iterable[DeliberationStep]) -> tuple[DeliberationStep, ...]:
    return collected(tuple, value)


@attrs.frozen(field_transformer=declared_types)
class SolicitationRules:
    """How opinions are solicited (一征).

    Attributes:
        minimum: the shortest window the solicitation may stay open.
        constituencies: who may give an opinion (one group at least).

    Raises:
        DefinitionError: ``constituencies`` is empty, or ``minimum`` is not a
            :class:`~communitygov.Period`.
        WrongType: ``constituencies`` is not a set of :class:`Constituency` (a text, a list
            of texts, ``None``).
    """

    minimum: Period = attrs.field(default=Period.days(7), validator=_period)
    constituencies: frozenset[Constituency] = attrs.field(
        default=frozenset(Constituency), converter=_constituencies
    )

    def __attrs_post_init__(self) -> None:
        _require_someone(self, "constituencies", self.constituencies)


@attrs.frozen(field_transformer=declared_types)
class DeliberationStep:
    """One deliberation (议): a body meets, votes under a rule, adopts or rejects the plan.

    Attributes:
        key: the step's stable name; also the matter's state while it waits for this meeting.
        en: what the body does, in English ("propose").
        zh: the same in Chinese ("提议").
        body: the body that meets.
        rule: the quorum and pass thresholds of the vote.
        may_amend: whether the body may change the plan (a new plan version).
        on_reject: the key of the step a rejection sends the matter back to, or ``None`` to
            end the matter as rejected.
        rejection_may_end: whether a rejection that would send the matter back may end it
            instead, when the meeting decides so (``Meeting(ends_matter=True)``): the
            assembly that rejects a plan may have it revised, or end the matter (DOMAIN
            §2.1). Only for a step with ``on_reject``: without one, every rejection ends it.
        papers_notice: how long before the meeting its papers must reach the members, if at all.
    """

    key: str
    en: str
    zh: str
    body: BodyKind
    rule: VotingRule
    may_amend: bool = False
    on_reject: str | None = None
    papers_notice: Period | None = attrs.field(default=None, validator=_optional_period)
    rejection_may_end: bool = False


@attrs.frozen(field_transformer=declared_types)
class PublicityRules:
    """How the resolution is published (一公开) and objections are handled.

    Attributes:
        period: how long the notice stays up; work may start only after it ends.
        objectors: who may object while it is up (one group at least: a resolution nobody
            may object to would not be published for objections).
        ruling_body: the body whose members rule on objections.
        ruling_rule: how many of the ruling body's members must make a ruling (those named
            as ruling count as present and in favour of it): a majority of the whole
            committee by default, so that one member does not rule for the committee.
        upheld_returns_to: the step an upheld objection sends the matter back to.
        ruling_within: how long the ruling body has to rule on an objection, counted from
            the day it is raised (the statutory pattern: a ruling within 3 days, 村民委员会组织法
            Art. 14); ``None`` for no deadline. A ruling due is one of the matter's open
            deadlines until it is made; a late ruling is still recorded.

    Raises:
        DefinitionError: ``objectors`` is empty, or a period is not a
            :class:`~communitygov.Period`.
        WrongType: ``objectors`` is not a set of :class:`Constituency`, ``ruling_body`` not a
            :class:`~communitygov.BodyKind`, ``ruling_rule`` not a
            :class:`~communitygov.VotingRule` or ``upheld_returns_to`` not a text.
    """

    upheld_returns_to: str
    period: Period = attrs.field(default=Period.days(7), validator=_period)
    objectors: frozenset[Constituency] = attrs.field(
        default=frozenset({Constituency.RESIDENTS}), converter=_constituencies
    )
    ruling_body: BodyKind = BodyKind.SUPERVISION_COMMITTEE
    ruling_rule: VotingRule = COMMITTEE
    ruling_within: Period | None = attrs.field(default=Period.days(3), validator=_optional_period)

    def __attrs_post_init__(self) -> None:
        _require_someone(self, "objectors", self.objectors)


@attrs.frozen(field_transformer=declared_types)
class Procedure:
    """A decision procedure: solicitation, ordered deliberations, and two publicities.

    Attributes:
        name: a stable identifier, stored with every matter that follows the procedure, so a
            definition, once matters follow it, keeps its name and its steps: a changed
            definition takes a new name, and the old one stays given for the matters raised
            under it.
        en, zh: the procedure's name for people.
        solicitation: the 一征 rules; ``None`` for a procedure without one (四议两公开),
            whose matter waits for its first deliberation as soon as it is raised.
        steps: the deliberations, in order; the first puts the plan on the table.
        resolution_publicity: the first publicity and its objection rules.
        result_publicity: how long the notice of the result stays up before the matter closes.
        calendar: the working-day calendar for every period (Civil Code Art. 201, 203): the
            official Chinese calendar by default, whose data (the ``cn`` extra) knows the
            holidays and make-up working days of the years the State Council has announced,
            and refuses any other year rather than guess.

    Raises:
        DefinitionError: no steps, a repeated or reserved step key, a rejection or objection
            that points at an unknown or later step.
    """

    name: str
    en: str
    zh: str
    steps: tuple[DeliberationStep, ...] = attrs.field(converter=_steps)
    resolution_publicity: PublicityRules
    solicitation: SolicitationRules | None = SolicitationRules()
    result_publicity: Period = attrs.field(default=Period.days(7), validator=_period)
    calendar: Calendar = OFFICIAL
    workflow: Workflow = attrs.field(init=False, eq=False, repr=False)
    _index: dict[str, int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        what = f"procedure {self.name!r}"
        if not shows_something(self.name):
            raise DefinitionError("procedure", "the name is empty")
        if not self.steps:
            raise DefinitionError(what, "it needs at least one deliberation step")
        index: dict[str, int] = {}
        for position, step in enumerate(self.steps):
            if not step.key.isidentifier():
                raise DefinitionError(what, f"step key {step.key!r} is not a plain identifier")
            if len(step.key) > MAX_KEY_LENGTH:
                raise DefinitionError(
                    what, f"step key {step.key[:20]!r}… is longer than {MAX_KEY_LENGTH} characters"
                )
            if step.key in MatterState.FIXED:
                raise DefinitionError(what, f"step key {step.key!r} is reserved for a state")
            if step.key in index:
                raise DefinitionError(what, f"step key {step.key!r} is used twice")
            index[step.key] = position
        for position, step in enumerate(self.steps):
            if step.rejection_may_end and step.on_reject is None:
                raise DefinitionError(
                    what,
                    f"rejection_may_end at {step.key!r} needs on_reject: without it every "
                    "rejection there ends the matter",
                )
            if step.on_reject is not None and index.get(step.on_reject, position + 1) > position:
                raise DefinitionError(
                    what,
                    f"a rejection at {step.key!r} must end the matter or go back to this or an "
                    f"earlier step, not to {step.on_reject!r}",
                )
        if self.resolution_publicity.upheld_returns_to not in index:
            raise DefinitionError(
                what,
                f"an upheld objection returns to {self.resolution_publicity.upheld_returns_to!r}, "
                "which is not a step",
            )
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "workflow", _build_workflow(self))

    def step(self, key: str) -> DeliberationStep:
        """The step named ``key``.

        Raises:
            DefinitionError: there is no such step.
        """
        position = self._index.get(key)
        if position is None:
            raise DefinitionError(f"procedure {self.name!r}", f"has no step {key!r}")
        return self.steps[position]

    def is_step(self, key: str) -> bool:
        """Whether ``key`` names one of the deliberation steps."""
        return key in self._index

    def with_calendar(self, calendar: Calendar) -> Procedure:
        """The same procedure counting its periods on another calendar."""
        return attrs.evolve(self, calendar=calendar)

    def mermaid(self) -> str:
        """The procedure as a Mermaid state diagram."""
        return self.workflow.mermaid(f"{self.zh} ({self.en})")


def _build_workflow(procedure: Procedure) -> Workflow:
    s = MatterState
    keys = [step.key for step in procedure.steps]
    steps: list[Step] = []
    if procedure.solicitation is None:
        initial, before = keys[0], []
    else:
        initial, before = s.RAISED, [s.RAISED, s.SOLICITING]
        steps = [
            Step("open_solicitation", s.RAISED, s.SOLICITING),
            Step("record_opinion", s.SOLICITING, s.SOLICITING),
            Step("close_solicitation", s.SOLICITING, keys[0]),
        ]
    for position, step in enumerate(procedure.steps):
        following = keys[position + 1] if position + 1 < len(keys) else s.RESOLVED
        steps.append(Step("adopt", step.key, following))
        steps.append(Step("reject", step.key, step.on_reject or s.REJECTED))
        if step.rejection_may_end:
            steps.append(Step("reject_and_end", step.key, s.REJECTED))
    steps += [
        Step("publicise_resolution", s.RESOLVED, s.RESOLUTION_PUBLICITY),
        Step("raise_objection", s.RESOLUTION_PUBLICITY, s.RESOLUTION_PUBLICITY),
        Step("dismiss_objection", s.RESOLUTION_PUBLICITY, s.RESOLUTION_PUBLICITY),
        Step(
            "uphold_objection",
            s.RESOLUTION_PUBLICITY,
            procedure.resolution_publicity.upheld_returns_to,
        ),
        Step("start_implementation", s.RESOLUTION_PUBLICITY, s.IMPLEMENTING),
        Step("record_progress", s.IMPLEMENTING, s.IMPLEMENTING),
        Step("complete", s.IMPLEMENTING, s.COMPLETED),
        Step("publicise_result", s.COMPLETED, s.RESULT_PUBLICITY),
        Step("close", s.RESULT_PUBLICITY, s.CLOSED),
    ]
    steps += [Step("withdraw", source, s.WITHDRAWN) for source in (*before, *keys)]
    states = [*before, *keys, *s.FIXED[2:]]
    return Workflow(procedure.name, states, steps, initial, s.TERMINAL)
