"""The rules of a case team: who may be on it, and how small it may get.

The team signs the plan's reviews, so it never has fewer people than a review needs
(:data:`~communitygov.assistance.reviews.REVIEWERS_REQUIRED`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from communitygov.assistance.records import TeamMember
from communitygov.assistance.reviews import REVIEWERS_REQUIRED
from communitygov.errors import CaseTeamTooSmall, DuplicateId, NotOnCaseTeam, SamePerson
from communitygov.kernel.checks import require_instance, require_items
from communitygov.organisation.community import Community

__all__ = ["check_joining", "check_leaving", "check_team"]


def check_team(
    team: Iterable[TeamMember], *, beneficiary_id: str, community: Community, at: datetime
) -> tuple[TeamMember, ...]:
    """The case team named at intake, once each member could join it after the ones before
    (:func:`check_joining`) and it has people enough to sign a review.

    Raises:
        UnknownReference: someone on the team is not in the register.
        NotYetRegistered: someone on the team was registered after ``at``.
        SamePerson: the beneficiary is on their own case team.
        DuplicateId: someone is on the team twice.
        CaseTeamTooSmall: the team has fewer than two people.
    """
    members = require_items(team, TeamMember, "team")
    for position, member in enumerate(members):
        check_joining(
            member.person_id,
            members[:position],
            beneficiary_id=beneficiary_id,
            community=community,
            at=at,
        )
    _check_size(len(members))
    return members


def check_joining(
    person_id: str,
    team: Iterable[TeamMember],
    *,
    beneficiary_id: str,
    community: Community,
    at: datetime,
) -> None:
    """Check that ``person_id`` may join ``team``.

    Raises:
        UnknownReference: the person is not in the register.
        NotYetRegistered: they were registered after ``at``.
        SamePerson: the person is the beneficiary.
        DuplicateId: the person is on the team already.
    """
    community.person(person_id, by=at)
    if person_id == beneficiary_id:
        raise SamePerson(person_id, "beneficiary", "case team member")
    if any(member.person_id == person_id for member in team):
        raise DuplicateId("case team member", person_id)


def check_leaving(person_id: str, team: tuple[TeamMember, ...], *, plan_id: str) -> None:
    """Check that ``person_id`` may leave ``team``, the case team of plan ``plan_id``.

    Raises:
        WrongType: ``person_id`` is not text.
        NotOnCaseTeam: the person is not on it.
        CaseTeamTooSmall: fewer than two people would be left.
    """
    require_instance(person_id, str, "person id")
    if not any(member.person_id == person_id for member in team):
        raise NotOnCaseTeam(person_id, plan_id)
    _check_size(len(team) - 1)


def _check_size(size: int) -> None:
    if size < REVIEWERS_REQUIRED:
        raise CaseTeamTooSmall(size, REVIEWERS_REQUIRED)
