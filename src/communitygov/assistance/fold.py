"""How each event changes an assistance plan: the fold that commands and replay share.

:func:`started` makes a plan from its intake event; :func:`changes` gives the fields every later
event changes, with the state the plan's workflow moves to. Each event type has one function
here, which returns the workflow action the event records and the fields it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from communitygov.assistance.events import (
    ActivityLogged,
    CaseOpened,
    ConsentWithdrawn,
    MentorAssigned,
    ObservationRecorded,
    PlanAdopted,
    PlanAssessed,
    PlanClosed,
    PlanGraduated,
    PlanNoticePosted,
    PlanResumed,
    PlanSuspended,
    PublishConsentGiven,
    PublishConsentWithdrawn,
    SensitiveDetailRecorded,
    StageReviewed,
    TeamMemberJoined,
    TeamMemberLeft,
)
from communitygov.assistance.records import ReviewOutcome, StagePlan, Suspension, TeamMember
from communitygov.assistance.template import RESUME, SETBACK, PlanTemplate
from communitygov.errors import DecodeError, DefinitionError
from communitygov.kernel.events import Event
from communitygov.kernel.timekeeping import local_date

if TYPE_CHECKING:
    from communitygov.assistance.plan import AssistancePlan

__all__ = ["Design", "changes", "revises_design", "started"]

_Fold = tuple[str, dict[str, Any]]
"""An event's action in the workflow, and the fields it changes."""


def started(
    cls: type[AssistancePlan], event: CaseOpened, template: PlanTemplate | None = None
) -> AssistancePlan:
    """The plan ``event`` opens (version 1), on ``template`` if it is built already, else on
    the template the event records.

    Raises:
        DecodeError: the template the event records is malformed.
    """
    if template is None:
        try:
            template = PlanTemplate(
                name=event.template,
                zh=event.template_zh,
                en=event.template_en,
                stages=event.stages,
            )
        except DefinitionError as exc:
            raise DecodeError(event.type_name, event.schema_version, str(exc)) from exc
    return cls(
        id=event.plan_id,
        version=1,
        last_at=event.at,
        opened=event,
        template=template,
        state=template.workflow.initial,
        team=event.team,
        publish_consent=event.publish_consent,
    )


def changes(plan: AssistancePlan, event: Event) -> dict[str, Any]:
    """The fields ``event`` changes in ``plan``, its new state among them.

    Raises:
        DecodeError: ``event`` is not an event of an assistance plan after its intake.
    """
    fold = _FOLDS.get(type(event))
    if fold is None:
        raise DecodeError(event.type_name, event.schema_version, "not an assistance event")
    action, changed = fold(plan, event)
    changed["state"] = plan.template.workflow.target(plan.state, action)
    return changed


def _with_review(
    plan: AssistancePlan, stage: str | None, review_on: date | None
) -> tuple[StagePlan, ...]:
    """The design with ``stage``'s review date set to ``review_on`` (if both are given)."""
    if stage is None or review_on is None:
        return plan.stages
    return tuple(
        attrs.evolve(design, review_on=review_on) if design.stage == stage else design
        for design in plan.stages
    )


def _assessed(plan: AssistancePlan, event: PlanAssessed) -> _Fold:
    changes: dict[str, Any] = {"needs": event.needs, "stages": event.stages}
    if revises_design(None if plan.designed_at is None else (plan.needs, plan.stages), event):
        changes["designed_at"] = event.at
    return "assess", changes


Design = tuple[tuple[str, ...], tuple[StagePlan, ...]]
"""A plan's design: its needs and its stages' plans."""


def revises_design(design: Design | None, event: PlanAssessed) -> bool:
    """Whether the assessment ``event`` sets a design in substance, after ``design`` (``None``
    before the first): other needs, or other goals or activities for a stage; not review
    dates moved alone, which the adopting matter need not decide again."""
    if design is None:
        return True
    return _substance(*design) != _substance(event.needs, event.stages)


def _substance(needs: tuple[str, ...], stages: tuple[StagePlan, ...]) -> tuple[object, ...]:
    return needs, tuple((s.stage, s.goals, s.activities) for s in stages)


def _adopted(plan: AssistancePlan, event: PlanAdopted) -> _Fold:
    return "adopt", {"adoption": event, "stage_entered_at": event.at}


def _mentor_assigned(plan: AssistancePlan, event: MentorAssigned) -> _Fold:
    return "assign_mentor", {"mentors": (*plan.mentors, event)}


def _joined(plan: AssistancePlan, event: TeamMemberJoined) -> _Fold:
    return "join_team", {"team": (*plan.team, TeamMember(event.person_id, event.role))}


def _left(plan: AssistancePlan, event: TeamMemberLeft) -> _Fold:
    team = tuple(m for m in plan.team if m.person_id != event.person_id)
    return "leave_team", {"team": team}


def _activity_logged(plan: AssistancePlan, event: ActivityLogged) -> _Fold:
    return "log_activity", {"activities": (*plan.activities, event)}


def _observed(plan: AssistancePlan, event: ObservationRecorded) -> _Fold:
    return "record_observation", {"observations": (*plan.observations, event)}


def _reviewed(plan: AssistancePlan, event: StageReviewed) -> _Fold:
    changed: dict[str, Any] = {
        "reviews": (*plan.reviews, event),
        "stages": _with_review(plan, event.to_stage, event.review_on),
    }
    if event.outcome is ReviewOutcome.EXTENDED:
        return "extend_stage", changed
    changed["stage_entered_at"] = event.at
    if event.outcome is ReviewOutcome.PASSED:
        return "pass_stage", changed
    return f"{SETBACK}{event.to_stage}", changed


def _suspended(plan: AssistancePlan, event: PlanSuspended) -> _Fold:
    suspension = Suspension(
        since=local_date(event.at, plan.timezone), reason=event.reason, resume_to=plan.state
    )
    return "suspend", {"suspensions": (*plan.suspensions, suspension)}


def _resumed(plan: AssistancePlan, event: PlanResumed) -> _Fold:
    last = plan.suspensions[-1]
    first = plan.template.position(last.resume_to)
    shift = timedelta(days=event.shift_days)
    stages = tuple(
        attrs.evolve(design, review_on=design.review_on + shift) if position >= first else design
        for position, design in enumerate(plan.stages)
    )
    ended = attrs.evolve(last, until=local_date(event.at, plan.timezone))
    return f"{RESUME}{last.resume_to}", {
        "suspensions": (*plan.suspensions[:-1], ended),
        "stages": stages,
    }


def _consent_withdrawn(plan: AssistancePlan, event: ConsentWithdrawn) -> _Fold:
    return "withdraw_consent", {"consent_withdrawal": event}


def _sensitive_recorded(plan: AssistancePlan, event: SensitiveDetailRecorded) -> _Fold:
    return "record_sensitive", {"sensitive_recorded": (*plan.sensitive_recorded, event.detail)}


def _publish_consent_given(plan: AssistancePlan, event: PublishConsentGiven) -> _Fold:
    return "give_publish_consent", {"publish_consent": event.consent}


def _publish_consent_withdrawn(plan: AssistancePlan, event: PublishConsentWithdrawn) -> _Fold:
    return "withdraw_publish_consent", {"publish_consent": None, "publish_consent_withdrawn": event}


def _graduated(plan: AssistancePlan, event: PlanGraduated) -> _Fold:
    return "graduate", {"graduation": event}


def _closed(plan: AssistancePlan, event: PlanClosed) -> _Fold:
    return "close", {"closure": event}


def _notice_posted(plan: AssistancePlan, event: PlanNoticePosted) -> _Fold:
    return "post_notice", {"posted": (*plan.posted, event)}


_FOLDS: Mapping[type[Event], Callable[[AssistancePlan, Any], _Fold]] = {
    PlanAssessed: _assessed,
    PlanAdopted: _adopted,
    MentorAssigned: _mentor_assigned,
    TeamMemberJoined: _joined,
    TeamMemberLeft: _left,
    ActivityLogged: _activity_logged,
    ObservationRecorded: _observed,
    StageReviewed: _reviewed,
    PlanSuspended: _suspended,
    PlanResumed: _resumed,
    ConsentWithdrawn: _consent_withdrawn,
    PublishConsentGiven: _publish_consent_given,
    SensitiveDetailRecorded: _sensitive_recorded,
    PublishConsentWithdrawn: _publish_consent_withdrawn,
    PlanGraduated: _graduated,
    PlanClosed: _closed,
    PlanNoticePosted: _notice_posted,
}
"""How each event changes a plan."""
