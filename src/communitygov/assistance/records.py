"""The records an assistance plan is made of: its team, consents, sensitive data, design,
activities and the kinds of its reviews and notices."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import Enum

import attrs

from communitygov.assistance.template import Goal
from communitygov.kernel.checks import collected, declared_types
from communitygov.publicity.notices import NoticeKind

__all__ = [
    "Activity",
    "Consent",
    "PlanNoticeKind",
    "ReviewOutcome",
    "SensitiveDetail",
    "SensitiveKind",
    "StagePlan",
    "Suspension",
    "TeamMember",
    "TeamRole",
]


class TeamRole(Enum):
    """What a member of a case team is."""

    BRANCH_SECRETARY = "branch_secretary"
    RESIDENT_REPRESENTATIVE = "resident_representative"
    VOLUNTEER = "volunteer"
    SOCIAL_WORKER = "social_worker"


@attrs.frozen(field_transformer=declared_types)
class TeamMember:
    """A person on a plan's case team, who may sign its reviews."""

    person_id: str
    role: TeamRole


@attrs.frozen(field_transformer=declared_types)
class Consent:
    """A consent on record (个人信息保护法 Art. 14: informed, voluntary, explicit).

    Attributes:
        given_by: who consented: the beneficiary, or their guardian.
        on: the day it was given.
        how: how it is evidenced ("signed form 签字同意书", "recorded interview").
    """

    given_by: str
    on: date
    how: str = ""


class SensitiveKind(Enum):
    """A category of sensitive personal information (个人信息保护法 Art. 28)."""

    HEALTH = "health"
    DISABILITY = "disability"


@attrs.frozen(field_transformer=declared_types)
class SensitiveDetail:
    """A health or disability detail of the beneficiary: sensitive personal information.

    It is kept in the case file and never shown in a notice; its text is left out of the
    value's ``repr`` so that it does not end up in logs. A notice is searched for the text as
    recorded (see :class:`~communitygov.publicity.privacy.Disclosure`), not for other words
    meaning the same: record each wording a notice may use as a detail of its own.
    """

    kind: SensitiveKind
    text: str = attrs.field(repr=False)


def _goals(value: Iterable[Goal]) -> tuple[Goal, ...]:
    return collected(tuple, value)


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return collected(tuple, value)


@attrs.frozen(field_transformer=declared_types)
class StagePlan:
    """What the plan sets out for one stage of its template.

    Attributes:
        stage: the stage's key.
        goals: its measurable goals (at least one).
        activities: the activities planned.
        review_on: the day its review is due (in the community's timezone).
    """

    stage: str
    goals: tuple[Goal, ...] = attrs.field(converter=_goals)
    review_on: date
    activities: tuple[str, ...] = attrs.field(default=(), converter=_texts)

    def goal(self, key: str) -> Goal | None:
        """The goal named ``key``, if the stage has one."""
        return next((goal for goal in self.goals if goal.key == key), None)


@attrs.frozen(field_transformer=declared_types)
class Activity:
    """Something done with the beneficiary, as the activity log records it.

    Attributes:
        on: the day it happened.
        by: who did it (a person id, or a volunteer group).
        what: what was done.
        minutes: how long it took.
        notes: anything else worth keeping.
    """

    on: date
    by: str
    what: str
    minutes: int
    notes: str = ""


class ReviewOutcome(Enum):
    """What a stage review decided."""

    PASSED = "passed"
    EXTENDED = "extended"
    SETBACK = "setback"


@attrs.frozen
class Suspension:
    """A time the plan was suspended: from ``since`` until ``until`` (``None`` while it lasts).

    Both are days in the community's timezone; ``resume_to`` is the stage it resumes in.
    """

    since: date
    reason: str
    resume_to: str
    until: date | None = None

    def covers(self, day: date) -> bool:
        """Whether the plan was suspended for the whole of ``day`` (the days it was
        suspended and resumed on are partly active, so they are not covered)."""
        return self.since < day and (self.until is None or day < self.until)


class PlanNoticeKind(Enum):
    """What a notice about a plan announces."""

    ADOPTION = "adoption"
    RESULT = "result"
    INCOME = "income"

    @property
    def notice_kind(self) -> NoticeKind:
        """The kind of notice it is posted as: the adoption is a resolution, the rest results."""
        return NoticeKind.RESOLUTION if self is PlanNoticeKind.ADOPTION else NoticeKind.RESULT

    @property
    def zh(self) -> str:
        """What it announces, in Chinese."""
        return {"adoption": "帮扶项目实施", "result": "帮扶成效"}.get(self.value, "帮扶收入")

    @property
    def en(self) -> str:
        """What it announces, in English."""
        return {"adoption": "plan adopted", "result": "results"}.get(self.value, "income raised")
