"""The rules of a stage review: who signs it, when it may happen, which stage it is about."""

from __future__ import annotations

from collections.abc import Iterable

from communitygov.assistance.records import TeamMember
from communitygov.assistance.template import PlanTemplate
from communitygov.errors import (
    NotCurrentStage,
    NotOnCaseTeam,
    StageSkipped,
    TooFewReviewers,
    UnknownReference,
)

__all__ = ["REVIEWERS_REQUIRED", "check_reviewers", "check_stage"]

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
