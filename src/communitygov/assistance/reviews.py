"""The rules of a stage review: who signs it, when it may happen, which stage it is about, and
when the next one may be set."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from communitygov.assistance.records import TeamMember
from communitygov.assistance.template import PlanTemplate
from communitygov.errors import (
    NotCurrentStage,
    NotOnCaseTeam,
    ReviewDateTooEarly,
    ReviewNotDue,
    SetbackNotEarlier,
    StageSkipped,
    TooFewReviewers,
    UnknownReference,
)

__all__ = [
    "REVIEWERS_REQUIRED",
    "check_due",
    "check_review_date",
    "check_reviewers",
    "check_setback",
    "check_stage",
]

REVIEWERS_REQUIRED = 2
"""How many members of the case team sign a review (and so the smallest case team)."""


def check_reviewers(
    reviewers: Iterable[str], team: Iterable[TeamMember], plan_id: str
) -> frozenset[str]:
    """The reviewers, once at least :data:`REVIEWERS_REQUIRED` distinct members of the case
    team have signed.

    Raises:
        TooFewReviewers: fewer distinct people signed.
        NotOnCaseTeam: someone who signed is not on the case team.
    """
    signed = frozenset(reviewers)
    if len(signed) < REVIEWERS_REQUIRED:
        raise TooFewReviewers(signed, REVIEWERS_REQUIRED)
    members = {member.person_id for member in team}
    for person in sorted(signed):
        if person not in members:
            raise NotOnCaseTeam(person, plan_id)
    return signed


def check_stage(template: PlanTemplate, named: str, current: str) -> None:
    """Check that a review (or record) names the stage the plan is in.

    Raises:
        UnknownReference: the template has no such stage.
        StageSkipped: it names a later stage.
        NotCurrentStage: it names an earlier stage.
    """
    if not template.is_stage(named):
        raise UnknownReference("stage", named)
    if named == current:
        return
    if template.position(named) > template.position(current):
        raise StageSkipped(named, current)
    raise NotCurrentStage(named, current)


def check_due(stage: str, due: date, today: date) -> None:
    """Check that the review of ``stage``, due on ``due``, is not held before.

    Raises:
        ReviewNotDue: ``today`` is before ``due``.
    """
    if today < due:
        raise ReviewNotDue(stage, due, today)


def check_review_date(stage: str, review_on: date, after: date) -> date:
    """``review_on``, the day ``stage`` is to be reviewed, once it is after ``after`` (today,
    or the review date of the stage before).

    Raises:
        ReviewDateTooEarly: it is not after ``after``.
    """
    if review_on <= after:
        raise ReviewDateTooEarly(stage, review_on, after + timedelta(days=1))
    return review_on


def check_setback(template: PlanTemplate, to: str, current: str) -> None:
    """Check that a setback from the ``current`` stage goes back to ``to``, an earlier stage.

    Raises:
        UnknownReference: the template has no stage ``to``.
        SetbackNotEarlier: ``to`` is not before ``current``.
    """
    if not template.is_stage(to):
        raise UnknownReference("stage", to)
    if template.position(to) >= template.position(current):
        raise SetbackNotEarlier(to, current)
