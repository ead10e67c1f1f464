"""The events of an assistance plan's life: together they are the case file."""

from __future__ import annotations

from datetime import date

import attrs

from communitygov.assistance.records import (
    Consent,
    PlanNoticeKind,
    ReviewOutcome,
    SensitiveDetail,
    StagePlan,
    TeamMember,
    TeamRole,
)
from communitygov.assistance.template import Stage
from communitygov.kernel.events import Event, event_type

__all__ = [
    "ActivityLogged",
    "CaseOpened",
    "ConsentWithdrawn",
    "MentorAssigned",
    "ObservationRecorded",
    "PlanAdopted",
    "PlanAssessed",
    "PlanClosed",
    "PlanGraduated",
    "PlanNoticePosted",
    "PlanResumed",
    "PlanSuspended",
    "PublishConsentGiven",
    "PublishConsentWithdrawn",
    "SensitiveDetailRecorded",
    "StageReviewed",
    "TeamMemberJoined",
    "TeamMemberLeft",
]


@event_type("assistance.case_opened")
@attrs.frozen(kw_only=True)
class CaseOpened(Event):
    """The intake: who the plan is for, who referred them, the case team and the consents.

    The template is stored whole (``template``, ``template_zh``, ``template_en``, ``stages``),
    so the plan replays without it being registered anywhere. The beneficiary's name is not
    stored: only their id and the de-identified ``alias`` (周某) the plan is shown under.
    """

    plan_id: str
    community_id: str
    timezone: str
    template: str
    template_zh: str
    template_en: str
    stages: tuple[Stage, ...]
    beneficiary_id: str
    alias: str
    referred_by: str
    team: tuple[TeamMember, ...]
    consent: Consent
    publish_consent: Consent | None = None
    sensitive: tuple[SensitiveDetail, ...] = attrs.field(default=(), repr=False)


@event_type("assistance.assessed")
@attrs.frozen(kw_only=True)
class PlanAssessed(Event):
    """The assessment (the needs found) and the design of every stage."""

    needs: tuple[str, ...]
    stages: tuple[StagePlan, ...]


@event_type("assistance.adopted")
@attrs.frozen(kw_only=True)
class PlanAdopted(Event):
    """The plan took effect through the matter that resolved to adopt it."""

    matter_id: str


@event_type("assistance.mentor_assigned")
@attrs.frozen(kw_only=True)
class MentorAssigned(Event):
    """A mentor (临时妈妈) assigned from ``start``; a later assignment replaces them."""

    person_id: str
    start: date
    reason: str = ""


@event_type("assistance.team_member_joined")
@attrs.frozen(kw_only=True)
class TeamMemberJoined(Event):
    person_id: str
    role: TeamRole


@event_type("assistance.team_member_left")
@attrs.frozen(kw_only=True)
class TeamMemberLeft(Event):
    person_id: str
    reason: str = ""


@event_type("assistance.activity_logged")
@attrs.frozen(kw_only=True)
class ActivityLogged(Event):
    """An activity of the stage the plan was in, done on ``on``."""

    stage: str
    on: date
    by: str
    what: str
    minutes: int
    notes: str = ""


@event_type("assistance.observation_recorded")
@attrs.frozen(kw_only=True)
class ObservationRecorded(Event):
    """A value of a goal's indicator, observed in ``stage``."""

    stage: str
    goal: str
    value: int
    by: str
    note: str = ""


@event_type("assistance.stage_reviewed")
@attrs.frozen(kw_only=True)
class StageReviewed(Event):
    """A stage review and what it decided.

    ``review_on`` is the review date it set: of the next stage (passed), of this stage
    (extended), or of the stage gone back to (setback); ``to_stage`` is that stage
    (``None`` when the last stage passes into the final evaluation). A stage passed with goals
    unmet lists them, with the reviewers' reason.
    """

    stage: str
    outcome: ReviewOutcome
    reviewers: frozenset[str]
    notes: str = ""
    to_stage: str | None = None
    review_on: date | None = None
    unmet_goals: tuple[str, ...] = ()
    unmet_reason: str = ""


@event_type("assistance.suspended")
@attrs.frozen(kw_only=True)
class PlanSuspended(Event):
    reason: str


@event_type("assistance.resumed")
@attrs.frozen(kw_only=True)
class PlanResumed(Event):
    """The plan resumed; the review dates of the stage it resumed in and of every later stage
    moved ``shift_days`` later (the days it was suspended)."""

    reason: str
    shift_days: int


@event_type("assistance.consent_withdrawn")
@attrs.frozen(kw_only=True)
class ConsentWithdrawn(Event):
    """The beneficiary withdrew consent (个人信息保护法 Art. 15): the plan stops, nothing more
    about them is recorded, and every notice shows them de-identified."""

    note: str = ""


@event_type("assistance.sensitive_recorded")
@attrs.frozen(kw_only=True)
class SensitiveDetailRecorded(Event):
    """A health or disability detail learned after intake, held as sensitive data from now on
    (个人信息保护法 Art. 28): no notice about the plan shows it."""

    detail: SensitiveDetail = attrs.field(repr=False)


@event_type("assistance.publish_consent_given")
@attrs.frozen(kw_only=True)
class PublishConsentGiven(Event):
    """Separate consent to publish the beneficiary's name (个人信息保护法 Art. 25)."""

    consent: Consent


@event_type("assistance.publish_consent_withdrawn")
@attrs.frozen(kw_only=True)
class PublishConsentWithdrawn(Event):
    note: str = ""


@event_type("assistance.graduated")
@attrs.frozen(kw_only=True)
class PlanGraduated(Event):
    """The final review: the beneficiary has completed the plan."""

    summary: str
    reviewers: frozenset[str]


@event_type("assistance.closed")
@attrs.frozen(kw_only=True)
class PlanClosed(Event):
    """The plan was closed for a reason other than graduation."""

    reason: str
    reviewers: frozenset[str]


@event_type("assistance.notice_posted")
@attrs.frozen(kw_only=True)
class PlanNoticePosted(Event):
    """A notice about the plan was posted; it is rendered de-identified unless separate
    consent to publish is on record."""

    kind: PlanNoticeKind
    text: str
    place: str
    amount_fen: int | None = None
