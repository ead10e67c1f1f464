"""The people a record names, checked against its community's register.

Every command that names someone as acting or taking a part checks them against the community
it is given; but it is given the community as a value, and a copy built or changed in memory
(a person added and never stored) passes that check. :func:`people_problems` reads the
register the store holds and finds each matter, plan or fund whose events name someone it
does not hold. Who wrote an activity or an observation of a plan is free text (a volunteer
group, a partner unit) and is not checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Set

from communitygov.assistance.events import (
    CaseOpened,
    MentorAssigned,
    PlanClosed,
    PlanGraduated,
    StageReviewed,
    TeamMemberJoined,
)
from communitygov.errors import CommunityGovError, DecodeError
from communitygov.funds.events import FundOpened, FundRoleChanged
from communitygov.kernel.events import Event
from communitygov.matters.events import (
    DeliberationHeld,
    ImplementationStarted,
    MatterRaised,
    MatterWithdrawn,
    ObjectionRaised,
    ObjectionRuled,
    OpinionRecorded,
    ProgressRecorded,
)
from communitygov.organisation.community import Community
from communitygov.storage.protocol import EventStore
from communitygov.storage.records import Problem, RecordedEvent

__all__ = ["named_people", "people_problems"]

_NAMING_EVENTS: tuple[type[Event], ...] = (
    MatterRaised,
    OpinionRecorded,
    DeliberationHeld,
    ObjectionRaised,
    ObjectionRuled,
    ImplementationStarted,
    ProgressRecorded,
    MatterWithdrawn,
    CaseOpened,
    MentorAssigned,
    TeamMemberJoined,
    StageReviewed,
    PlanGraduated,
    PlanClosed,
    FundOpened,
    FundRoleChanged,
)
"""The events of the library that name people of the community."""

_NAMING = frozenset(cls.type_name for cls in _NAMING_EVENTS)
"""Their types, by which they are read (and decoded) alone."""


def named_people(event: Event) -> frozenset[str]:
    """The ids of the people ``event`` names as acting or taking a part (none for an event
    that names nobody, or one of a kind the library does not know)."""
    names: Iterable[str]
    match event:
        case MatterRaised():
            names = (event.raised_by,)
        case OpinionRecorded():
            names = (event.author_id,)
        case DeliberationHeld():
            names = (*event.expected, *event.present, *(vote.person_id for vote in event.votes))
        case ObjectionRuled():
            names = event.ruled_by
        case ObjectionRaised() | ImplementationStarted() | ProgressRecorded() | MatterWithdrawn():
            names = (event.by,)
        case CaseOpened():
            names = (event.beneficiary_id, *(member.person_id for member in event.team))
        case MentorAssigned() | TeamMemberJoined() | FundRoleChanged():
            names = (event.person_id,)
        case StageReviewed() | PlanGraduated() | PlanClosed():
            names = event.reviewers
        case FundOpened():
            names = (event.beneficiary_id, event.custodian, event.bookkeeper)
        case _:
            names = ()
    return frozenset(names)


def people_problems(
    store: EventStore,
    community_id: str,
    kinds: Mapping[str, str],
    *,
    decode: Callable[[RecordedEvent], Event],
    skip: Set[str] = frozenset(),
) -> list[Problem]:
    """One :class:`Problem` for each stream of ``kinds`` (stream ids and their kinds, in
    ``community_id``) whose events name someone the community's register, as the store holds
    it, does not hold: at the first such event. Streams in ``skip``, the community's own, and
    any that cannot be read are not checked (the other checks report them); nor is any if the
    register itself cannot be read.
    """
    try:
        register = Community.replay(map(decode, store.read_stream(community_id, community_id)))
    except CommunityGovError:  # reported by the chains' and the summaries' checks
        return []
    known = register.people
    problems = []
    for stream_id in kinds:
        if stream_id in skip or stream_id == community_id:
            continue
        try:
            recorded = [r for r in store.read_stream(community_id, stream_id) if r.type in _NAMING]
            for stored in recorded:
                unknown = sorted(named_people(decode(stored)) - known.keys())
                if unknown:
                    problems.append(
                        Problem(
                            community_id,
                            stream_id,
                            stored.version,
                            f"it names {', '.join(map(repr, unknown))}, whom the community's "
                            "register does not hold",
                        )
                    )
                    break
        except DecodeError:
            continue
    return problems
