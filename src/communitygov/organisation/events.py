"""Events of a community's organisation: people, memberships, declared relatives and
guardians."""

from __future__ import annotations

from datetime import date

import attrs

from communitygov.kernel.events import Event, added_later, event_type
from communitygov.organisation.bodies import BodyKind

__all__ = [
    "CommunityRegistered",
    "GuardianDeclared",
    "GuardianshipEnded",
    "MembershipEnded",
    "MembershipStarted",
    "NearRelativesDeclared",
    "PersonRegistered",
]


@event_type("community.registered")
@attrs.frozen(kw_only=True)
class CommunityRegistered(Event):
    community_id: str
    name: str
    district: str = ""
    timezone: str = "Asia/Shanghai"


@event_type("community.person_registered")
@attrs.frozen(kw_only=True)
class PersonRegistered(Event):
    person_id: str
    name: str


@event_type("community.membership_started", version=2)
@attrs.frozen(kw_only=True)
class MembershipStarted(Event):
    """A seat on a body from ``start``.

    Schema 2 added ``voting``: ``False`` for a seat without a vote (a probationary party
    member, 预备党员); ``True`` in schema-1 events.
    """

    person_id: str
    body: BodyKind
    start: date
    role: str = ""
    voting: bool = added_later(True)


@event_type("community.membership_ended")
@attrs.frozen(kw_only=True)
class MembershipEnded(Event):
    person_id: str
    body: BodyKind
    end: date


@event_type("community.near_relatives_declared")
@attrs.frozen(kw_only=True)
class NearRelativesDeclared(Event):
    person_id: str
    relative_id: str
    relation: str


@event_type("community.guardian_declared")
@attrs.frozen(kw_only=True)
class GuardianDeclared(Event):
    ward_id: str
    guardian_id: str
    basis: str


@event_type("community.guardianship_ended")
@attrs.frozen(kw_only=True)
class GuardianshipEnded(Event):
    ward_id: str
    guardian_id: str
    reason: str = ""
