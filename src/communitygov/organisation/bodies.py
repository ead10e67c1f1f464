"""The bodies of a community that take part in its decisions."""

from __future__ import annotations

from enum import Enum

__all__ = ["BodyKind"]


class BodyKind(Enum):
    """A kind of body; a community has at most one of each.

    The two committees' joint meeting has no members of its own: it is made of the members of
    the party organisation committee and of the residents' committee on the day it meets.
    """

    PARTY_COMMITTEE = "party_committee"
    RESIDENTS_COMMITTEE = "residents_committee"
    TWO_COMMITTEES = "two_committees"
    PARTY_MEMBERS_ASSEMBLY = "party_members_assembly"
    REPRESENTATIVES_ASSEMBLY = "representatives_assembly"
    RESIDENTS_ASSEMBLY = "residents_assembly"
    SUPERVISION_COMMITTEE = "supervision_committee"

    @property
    def en(self) -> str:
        """The body's English name."""
        return _NAMES[self][0]

    @property
    def zh(self) -> str:
        """The body's Chinese name."""
        return _NAMES[self][1]

    def __str__(self) -> str:
        return self.en


_NAMES: dict[BodyKind, tuple[str, str]] = {
    BodyKind.PARTY_COMMITTEE: ("party organisation committee", "社区党组织委员会"),
    BodyKind.RESIDENTS_COMMITTEE: ("residents' committee", "居民委员会"),
    BodyKind.TWO_COMMITTEES: ("two committees' joint meeting", "两委联席会议"),
    BodyKind.PARTY_MEMBERS_ASSEMBLY: ("party members' assembly", "党员大会"),
    BodyKind.REPRESENTATIVES_ASSEMBLY: ("residents' representatives' assembly", "居民代表会议"),
    BodyKind.RESIDENTS_ASSEMBLY: ("residents' assembly", "居民会议"),
    BodyKind.SUPERVISION_COMMITTEE: ("residents' affairs supervision committee", "居务监督委员会"),
}

JOINT_BODIES: dict[BodyKind, tuple[BodyKind, ...]] = {
    BodyKind.TWO_COMMITTEES: (BodyKind.PARTY_COMMITTEE, BodyKind.RESIDENTS_COMMITTEE),
}
"""Bodies whose membership is the union of other bodies' memberships."""
