"""The Community aggregate: its people, who sat on which body when, and declared relatives.

Every record in the library belongs to exactly one community. The community answers the
questions the rules ask: was this person a member of that body on that day, and are these two
people near relatives.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import attrs

from communitygov.errors import (
    DecodeError,
    DuplicateId,
    NearRelativeInRole,
    NoSeats,
    NotAMember,
    NotApplicable,
    NotEligible,
    NotYetRegistered,
    SamePerson,
    UnknownReference,
)
from communitygov.kernel.aggregate import Aggregate, Decision, Description, require_id
from communitygov.kernel.checks import require_date, require_instance, require_text
from communitygov.kernel.events import Event, added_later
from communitygov.kernel.timekeeping import earlier, local_date, require_kept, zone
from communitygov.organisation.bodies import JOINT_BODIES, BodyKind
from communitygov.organisation.events import (
    CommunityRegistered,
    GuardianDeclared,
    GuardianshipEnded,
    MembershipEnded,
    MembershipStarted,
    NearRelativesDeclared,
    PersonRegistered,
)

__all__ = ["Community", "Guardianship", "Membership", "Person"]


@attrs.frozen
class Person:
    """A person known to the community, since ``registered_at``."""

    id: str
    name: str
    registered_at: datetime


@attrs.frozen
class Guardianship:
    """``guardian_id`` is the guardian of ``ward_id`` from ``since`` (when it was declared)."""

    ward_id: str
    guardian_id: str
    since: datetime


@attrs.frozen
class Membership:
    """A seat on a body from ``start``; ``end`` is the first day no longer on it (or ``None``).
    ``voting`` is ``False`` for a seat without a vote (a probationary party member)."""

    person_id: str
    body: BodyKind
    start: date
    end: date | None = None
    role: str = ""
    voting: bool = added_later(True)

    def covers(self, day: date) -> bool:
        """Whether the seat was held on ``day``."""
        return self.start <= day and (self.end is None or day < self.end)


_KEPT_APART = {
    BodyKind.SUPERVISION_COMMITTEE: BodyKind.RESIDENTS_COMMITTEE,
    BodyKind.RESIDENTS_COMMITTEE: BodyKind.SUPERVISION_COMMITTEE,
}
"""Bodies no one may sit on together, nor beside a near relative on the other: the committee
and the body that supervises it (村民委员会组织法 Art. 32)."""

_MEMBERS_KEPT = 4096
"""How many answers :meth:`Community.members_of` keeps before it starts afresh."""


@attrs.frozen(kw_only=True)
class Community(Aggregate):
    """A community (社区): the tenant every other record belongs to."""

    created_by = (CommunityRegistered,)
    kind = "community"
    id_field = "community_id"

    name: str
    registered_at: datetime
    district: str = ""
    timezone: str = "Asia/Shanghai"
    people: Mapping[str, Person] = attrs.field(factory=dict)
    memberships: tuple[Membership, ...] = ()
    relatives: frozenset[frozenset[str]] = frozenset()
    guardianships: tuple[Guardianship, ...] = ()
    """Each guardianship declared and not ended."""
    _members: dict[object, frozenset[str]] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )
    """What :meth:`members_of` and :meth:`without_vote` have answered: by (body, day,
    which), and each distinct set by itself.

    Not part of the value: a new community (every event makes one) starts with it empty, and
    snapshots leave it out."""

    # --- commands ----------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        community_id: str,
        name: str,
        *,
        at: datetime,
        district: str = "",
        timezone: str = "Asia/Shanghai",
    ) -> Decision[Community]:
        """Register a new community.

        Args:
            community_id: the community's id; every record of it carries this id.
            name: its name.
            at: when it is registered.
            district: the sub-district and district above it, for notices.
            timezone: the IANA timezone whose calendar dates decide membership on a day and
                the days of periods.

        Raises:
            EmptyField: the id or name is empty.
            NaiveDatetime: ``at`` has no timezone.
            TimeOutOfRange: ``at`` lies outside the times the library keeps.
            UnknownReference: the timezone is not known.
            WrongType: the id, name, district or timezone is not a text (``None`` included).
        """
        require_id(community_id, "community id")
        require_text(name, "community name")
        require_text(district, "district", blank=True)
        zone(timezone)
        event = CommunityRegistered(
            at=require_kept(at),
            community_id=community_id,
            name=name,
            district=district,
            timezone=timezone,
        )
        return cls._start(event, None), (event,)

    def register_person(self, person_id: str, name: str, *, at: datetime) -> Decision[Community]:
        """Add a person to the community's register.

        Raises:
            EmptyField: the id or name is empty.
            DuplicateId: the id is taken.
        """
        at = self._checked_time(at)
        require_text(person_id, "person id")
        require_text(name, "person name")
        if person_id in self.people:
            raise DuplicateId("person", person_id)
        return self._record(PersonRegistered(at=at, person_id=person_id, name=name))

    def appoint(
        self,
        person_id: str,
        body: BodyKind,
        *,
        start: date,
        at: datetime,
        role: str = "",
        voting: bool = True,
    ) -> Decision[Community]:
        """Give a person a seat on a body from ``start`` (a role such as "secretary" optional).

        Args:
            voting: ``False`` for a seat without a vote: a probationary party member (预备党员)
                sits in the party members' assembly, attends and speaks, but does not vote
                and is not counted in its quorum or its "more than half of those who should
                attend" (中国共产党章程 Art. 7; 中国共产党支部工作条例(试行) Art. 11 counts
                the members with a vote). On becoming a full member (转正), end the seat and
                appoint a voting one from that day.

        Raises:
            UnknownReference: the person is not registered.
            DuplicateId: the person holds a seat on that body that is open on or after
                ``start``.
            NoSeats: the body is a joint meeting, which has no seats of its own.
            SamePerson: a seat on the supervision committee for a member of the residents'
                committee, or the other way round, held on or after ``start``.
            NearRelativeInRole: the same for a declared near relative of such a member
                (村民委员会组织法 Art. 32: the committee's members and their near relatives
                may not sit on the body that supervises it).
            NotApplicable: ``voting=False`` on a body other than the party members' assembly,
                where every seat votes.
            NotEligible: a seat on the party organisation committee for a probationary party
                member, or a seat without a vote for a member of that committee, held on or
                after ``start`` (a probationary member may not be elected).
            WrongType: ``body`` is not a :class:`BodyKind`, ``start`` not a date, ``role``
                not text, ``voting`` not a bool or the person's id not text.
        """
        at = self._checked_time(at)
        require_instance(body, BodyKind, "body")
        require_date(start, "start")
        require_text(role, "role", blank=True)
        require_instance(voting, bool, "voting")
        self.person(person_id)
        if body in JOINT_BODIES:
            raise NoSeats(body.en, (part.en for part in JOINT_BODIES[body]))
        if not voting and body is not BodyKind.PARTY_MEMBERS_ASSEMBLY:
            raise NotApplicable(
                "voting",
                voting,
                f"every seat on the {body.en} votes; only the party members' assembly has "
                "members without a vote (probationary members, 预备党员)",
            )
        self._require_full_member_on_the_committee(person_id, body, start, voting)
        if any(
            m.person_id == person_id and m.body is body and (m.end is None or m.end > start)
            for m in self.memberships
        ):
            raise DuplicateId(f"seat on the {body.en} held by", person_id)
        self._require_apart_from_those_supervised(person_id, body, start)
        return self._record(
            MembershipStarted(
                at=at, person_id=person_id, body=body, start=start, role=role, voting=voting
            )
        )

    def _seated_from(self, person_id: str, body: BodyKind, day: date) -> bool:
        """Whether ``person_id`` holds a seat on ``body`` on ``day`` or a later day."""
        return any(
            m.person_id == person_id and m.body is body and (m.end is None or m.end > day)
            for m in self.memberships
        )

    def _require_full_member_on_the_committee(
        self, person_id: str, body: BodyKind, start: date, voting: bool
    ) -> None:
        """A probationary party member may not be elected (中国共产党章程 Art. 7: no
        被选举权), so holds no seat on the party organisation committee at the same time.

        Raises:
            NotEligible: a committee seat for someone without a vote in the party members'
                assembly on or after ``start``, or a seat without a vote for a member of the
                committee then.
        """
        committee, assembly = BodyKind.PARTY_COMMITTEE, BodyKind.PARTY_MEMBERS_ASSEMBLY
        if body is committee and any(
            m.person_id == person_id
            and m.body is assembly
            and not m.voting
            and (m.end is None or m.end > start)
            for m in self.memberships
        ):
            raise NotEligible(
                person_id,
                f"sit on the {committee.en} while a probationary party member",
                "full party members",
            )
        if body is assembly and not voting and self._seated_from(person_id, committee, start):
            raise NotEligible(
                person_id,
                f"be a probationary party member while on the {committee.en}",
                "those off the committee",
            )

    def _require_apart_from_those_supervised(
        self, person_id: str, body: BodyKind, start: date
    ) -> None:
        """Refuse a seat on the supervision committee to a member of the residents' committee
        or a near relative of one, and the other way round, for seats held on or after
        ``start`` (村民委员会组织法 Art. 32)."""
        other = _KEPT_APART.get(body)
        if other is None:
            return
        if self._seated_from(person_id, other, start):
            raise SamePerson(person_id, f"{other.en} member", f"{body.en} member")
        for holder in sorted({m.person_id for m in self.memberships if m.body is other}):
            if self._seated_from(holder, other, start) and self.are_near_relatives(
                person_id, holder
            ):
                raise NearRelativeInRole(
                    person_id, f"{body.en} member", holder, f"{other.en} member"
                )

    def end_membership(
        self, person_id: str, body: BodyKind, *, end: date, at: datetime
    ) -> Decision[Community]:
        """End a person's open seat on a body; ``end`` is the first day without it.

        Raises:
            NotAMember: the person holds no open seat there that started before ``end``.
            WrongType: the person's id is not text, ``body`` not a :class:`BodyKind`.
        """
        at = self._checked_time(at)
        require_instance(person_id, str, "person id")
        require_instance(body, BodyKind, "body")
        require_date(end, "end")
        if not any(
            m.person_id == person_id and m.body is body and m.end is None and m.start < end
            for m in self.memberships
        ):
            raise NotAMember(person_id, body.en, end)
        return self._record(MembershipEnded(at=at, person_id=person_id, body=body, end=end))

    def declare_near_relatives(
        self, person_id: str, relative_id: str, relation: str, *, at: datetime
    ) -> Decision[Community]:
        """Record that two people are near relatives (spouse, parent, child, sibling …).

        Raises:
            UnknownReference: either person is not registered.
            SamePerson: both ids are the same person.
            NearRelativeInRole: one sits on the supervision committee and the other on the
                residents' committee, today or later (村民委员会组织法 Art. 32).
            EmptyField: the relation is empty.
            DuplicateId: the two are declared near relatives already (in either order).
            WrongType: either id is not a text.
        """
        at = self._checked_time(at)
        self.person(person_id)
        self.person(relative_id)
        if person_id == relative_id:
            raise SamePerson(person_id, "person", "relative")
        require_text(relation, "relation")
        if self.are_near_relatives(person_id, relative_id):
            raise DuplicateId(
                "near-relative link", f"{person_id} / {relative_id}", "is declared already"
            )
        today = self.local_date(at)
        for first, second in ((person_id, relative_id), (relative_id, person_id)):
            for body, other in _KEPT_APART.items():
                if self._seated_from(first, body, today) and self._seated_from(
                    second, other, today
                ):
                    raise NearRelativeInRole(
                        first, f"{body.en} member", second, f"{other.en} member"
                    )
        return self._record(
            NearRelativesDeclared(
                at=at, person_id=person_id, relative_id=relative_id, relation=relation
            )
        )

    def declare_guardian(
        self, ward_id: str, guardian_id: str, *, basis: str, at: datetime
    ) -> Decision[Community]:
        """Record that ``guardian_id`` is the guardian (监护人) of ``ward_id``, who cannot
        consent for themselves: a minor under 14 (个人信息保护法 Art. 31), or an adult a court
        has found without full capacity (民法典 Art. 28). A near relative is not a guardian by
        being one: an adult who can consent does so themselves.

        Args:
            basis: why, as the record shows it ("未满十四周岁", "法院判决认定无民事行为能力").

        Raises:
            UnknownReference: either person is not registered.
            NotYetRegistered: either was registered after ``at``.
            SamePerson: both ids are the same person.
            EmptyField: the basis is empty.
            DuplicateId: the guardianship is declared already.
            WrongType: either id, or the basis, is not a text.
        """
        at = self._checked_time(at)
        self.person(ward_id, by=at)
        self.person(guardian_id, by=at)
        if ward_id == guardian_id:
            raise SamePerson(ward_id, "ward", "guardian")
        require_text(basis, "guardianship basis")
        if self.is_guardian(guardian_id, ward_id):
            raise DuplicateId("guardianship", f"{guardian_id} of {ward_id}", "is declared already")
        return self._record(
            GuardianDeclared(at=at, ward_id=ward_id, guardian_id=guardian_id, basis=basis)
        )

    def end_guardianship(
        self, ward_id: str, guardian_id: str, *, at: datetime, reason: str = ""
    ) -> Decision[Community]:
        """Record that ``guardian_id`` is no longer the guardian of ``ward_id`` (the ward
        came of age or regained capacity, another guardian was appointed).

        Raises:
            UnknownReference: no such guardianship is declared.
            WrongType: either id, or the reason, is not a text.
        """
        at = self._checked_time(at)
        require_instance(ward_id, str, "ward id")
        require_instance(guardian_id, str, "guardian id")
        require_text(reason, "reason", blank=True)
        if not self.is_guardian(guardian_id, ward_id):
            raise UnknownReference("guardianship", f"{guardian_id} of {ward_id}")
        return self._record(
            GuardianshipEnded(at=at, ward_id=ward_id, guardian_id=guardian_id, reason=reason)
        )

    # --- queries -----------------------------------------------------------------------

    def local_date(self, at: datetime) -> date:
        """The calendar date of ``at`` in the community's timezone.

        Raises:
            NaiveDatetime: ``at`` carries no timezone, or is not a datetime (a date).
        """
        return local_date(at, self.timezone)

    def person(self, person_id: str, *, by: datetime | None = None) -> Person:
        """The registered person with that id; registered by ``by``, if it is given.

        Every command naming a person of the community (to seat, to raise a matter, to take
        into a plan, to hold a fund's role) finds them here, and so refuses an id that is not
        a text; one that says when someone acted or took a part (raising, meeting, ruling,
        objecting, taking into a plan, holding a fund's role) passes ``by`` and refuses
        someone the register did not know yet then.

        Raises:
            UnknownReference: no such person.
            NotYetRegistered: they were registered after ``by``.
            WrongType: ``person_id`` is not a text (a list, a number, ``None``).
        """
        require_instance(person_id, str, "person id")
        try:
            person = self.people[person_id]
        except KeyError:
            raise UnknownReference("person", person_id) from None
        if by is not None and earlier(by, person.registered_at):
            raise NotYetRegistered(person_id, by, person.registered_at, self.id)
        return person

    def members_of(self, body: BodyKind, on: date) -> frozenset[str]:
        """The ids of everyone holding a seat on ``body`` on ``on``.

        The same community gives the same set object for the same membership, so the records
        that keep it (every ``DeliberationHeld`` does) share one set.

        Raises:
            WrongType: ``body`` is not a :class:`BodyKind`, or ``on`` is not a date (a
                datetime, whose day depends on its zone, or a text).
        """
        return self._seated(body, on, without_vote=False)

    def without_vote(self, body: BodyKind, on: date) -> frozenset[str]:
        """The ids of those holding a seat on ``body`` on ``on`` without a vote (probationary
        party members): among :meth:`members_of`, and left out of every count of its votes.

        Raises:
            WrongType: ``body`` is not a :class:`BodyKind`, or ``on`` is not a date.
        """
        return self._seated(body, on, without_vote=True)

    def _seated(self, body: BodyKind, on: date, *, without_vote: bool) -> frozenset[str]:
        """Those holding a seat on ``body`` on ``on`` (only those without a vote, if asked),
        remembered by (body, day, which) and each distinct set by itself."""
        known = self._members
        key = (body, on, without_vote)
        found = known.get(key)
        if found is None:
            require_instance(body, BodyKind, "body")
            require_date(on, "day")
            parts = JOINT_BODIES.get(body, (body,))
            seated = frozenset(
                m.person_id
                for m in self.memberships
                if m.body in parts and m.covers(on) and not (without_vote and m.voting)
            )
            if len(known) >= _MEMBERS_KEPT:
                known.clear()
            found = known.setdefault(seated, seated)
            known[key] = found
        return found

    def is_member(self, person_id: str, body: BodyKind, on: date) -> bool:
        """Whether the person held a seat on ``body`` on ``on``.

        Raises:
            WrongType: ``body`` is not a :class:`BodyKind`, or ``on`` is not a date.
        """
        require_instance(body, BodyKind, "body")
        require_date(on, "day")
        parts = JOINT_BODIES.get(body, (body,))
        return any(
            m.person_id == person_id and m.body in parts and m.covers(on) for m in self.memberships
        )

    def is_guardian(self, guardian_id: str, ward_id: str, *, on: date | None = None) -> bool:
        """Whether ``guardian_id`` is a declared guardian of ``ward_id``: now, and, if ``on``
        is given, since that day or before (in the community's timezone)."""
        return any(
            g.ward_id == ward_id
            and g.guardian_id == guardian_id
            and (on is None or self.local_date(g.since) <= on)
            for g in self.guardianships
        )

    def are_near_relatives(self, first: str, second: str) -> bool:
        """Whether a near-relative link between the two has been declared."""
        return frozenset((first, second)) in self.relatives

    def describe(self) -> Description:
        """The community's summary: registered, under its name."""
        return Description("registered", self.name)

    # --- the fold ----------------------------------------------------------------------

    @classmethod
    def _start(cls, event: Event, context: Any) -> Community:
        assert isinstance(event, CommunityRegistered)
        return cls(
            id=event.community_id,
            name=event.name,
            district=event.district,
            timezone=event.timezone,
            registered_at=event.at,
            version=1,
            last_at=event.at,
        )

    def _changes(self, event: Event) -> dict[str, Any]:
        if isinstance(event, PersonRegistered):
            people = dict(self.people)
            people[event.person_id] = Person(event.person_id, event.name, event.at)
            return {"people": people}
        if isinstance(event, MembershipStarted):
            seat = Membership(
                event.person_id, event.body, event.start, role=event.role, voting=event.voting
            )
            return {"memberships": (*self.memberships, seat)}
        if isinstance(event, MembershipEnded):
            return {
                "memberships": tuple(
                    attrs.evolve(m, end=event.end)
                    if m.person_id == event.person_id and m.body is event.body and m.end is None
                    else m
                    for m in self.memberships
                )
            }
        if isinstance(event, NearRelativesDeclared):
            pair = frozenset((event.person_id, event.relative_id))
            return {"relatives": self.relatives | {pair}}
        if isinstance(event, GuardianDeclared):
            declared = Guardianship(event.ward_id, event.guardian_id, event.at)
            return {"guardianships": (*self.guardianships, declared)}
        if isinstance(event, GuardianshipEnded):
            return {
                "guardianships": tuple(
                    g
                    for g in self.guardianships
                    if (g.ward_id, g.guardian_id) != (event.ward_id, event.guardian_id)
                )
            }
        raise DecodeError(type(event).type_name, event.schema_version, "not a community event")
