"""A community's organisation: people, bodies, memberships, declared relatives and
guardians."""

from communitygov.organisation.events import (
    CommunityRegistered,
    GuardianDeclared,
    GuardianshipEnded,
    MembershipEnded,
    MembershipStarted,
    NearRelativesDeclared,
    PersonRegistered,
)

__all__ = [
    "CommunityRegistered",
    "GuardianDeclared",
    "GuardianshipEnded",
    "MembershipEnded",
    "MembershipStarted",
    "NearRelativesDeclared",
    "PersonRegistered",
]
