"""A community's organisation: people, bodies, memberships and declared relatives."""

from communitygov.organisation.events import (
    CommunityRegistered,
    MembershipEnded,
    MembershipStarted,
    NearRelativesDeclared,
    PersonRegistered,
)

__all__ = [
    "CommunityRegistered",
    "MembershipEnded",
    "MembershipStarted",
    "NearRelativesDeclared",
    "PersonRegistered",
]
