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
    ReviewDateTooLate,
    ReviewNotDue,
    SetbackNotEarlier,
    StageSkipped,
    TooFewReviewers,
    UnknownReference,
)
from communitygov.kernel.checks import require_date, require_instance, require_items

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
    signed = frozenset(require_items(reviewers, str, "reviewers"))
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
        WrongType: it names the stage with something that is not a text.
        UnknownReference: the template has no such stage.
        StageSkipped: it names a later stage.
        NotCurrentStage: it names an earlier stage.
    """
    _require_stage(template, named, "stage")
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


LATEST_REVIEW_DAY = date(9998, 12, 31)
"""The last day a review may be set for: its deadline is kept as a time, and times within a
day of the end of the year 9999 cannot be told in every timezone."""


def check_review_date(stage: str, review_on: date, after: date) -> date:
    """``review_on``, the day ``stage`` is to be reviewed, once it is after ``after`` (today,
    or the review date of the stage before).

    Raises:
        WrongType: it is not a date (a datetime, a text).
        ReviewDateTooEarly: it is not after ``after``.
        ReviewDateTooLate: it is after :data:`LATEST_REVIEW_DAY`.
    """
    require_date(review_on, f"review date of stage {stage}")
    if review_on <= after:
        raise ReviewDateTooEarly(stage, review_on, after + timedelta(days=1))
    if review_on > LATEST_REVIEW_DAY:
        raise ReviewDateTooLate(stage, review_on, LATEST_REVIEW_DAY)
    return review_on


def check_setback(template: PlanTemplate, to: str, current: str) -> None:
    """Check that a setback from the ``current`` stage goes back to ``to``, an earlier stage.

    Raises:
        WrongType: ``to`` is not a text.
        UnknownReference: the template has no stage ``to``.
        SetbackNotEarlier: ``to`` is not before ``current``.
    """
    _require_stage(template, to, "to")
    if template.position(to) >= template.position(current):
        raise SetbackNotEarlier(to, current)


def _require_stage(template: PlanTemplate, key: str, field: str) -> None:
    """Check that ``key``, given as ``field``, names a stage of ``template``.

    Raises:
        WrongType: it is not a text (a list of stages, say).
        UnknownReference: the template has no such stage.
    """
    require_instance(key, str, field)
    if not template.is_stage(key):
        raise UnknownReference("stage", key)
