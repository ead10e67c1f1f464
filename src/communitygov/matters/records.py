"""The records a matter keeps: opinions, votes, meetings, notices, objections.

These are plain values, given to commands and kept inside events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum

import attrs

from communitygov.errors import DuplicateId
from communitygov.kernel.checks import (
    declared_types,
    member_of,
    require_items,
    require_text,
    require_text_set,
)
from communitygov.organisation.bodies import BodyKind

__all__ = [
    "Channel",
    "Choice",
    "Excusal",
    "Meeting",
    "MotionSource",
    "Objection",
    "Opinion",
    "Outcome",
    "Stance",
    "Vote",
]


class MotionSource(Enum):
    """Where a matter came from (议题来源)."""

    RESIDENTS = "residents"
    """Residents' suggestions (群众建议)."""
    CADRES = "cadres"
    """A proposal by the community's cadres (干部提议)."""
    HIGHER_LEVEL = "higher_level"
    """An assignment from the sub-district or district (上级交办)."""


class Channel(Enum):
    """How an opinion was collected."""

    HOUSEHOLD_VISIT = "household_visit"
    OPINION_FORM = "opinion_form"
    STOOL_TALK = "stool_talk"
    MEETING = "meeting"
    ONLINE = "online"
    OTHER = "other"


class Stance(Enum):
    """An opinion's stance on the matter."""

    SUPPORT = "support"
    OPPOSE = "oppose"
    SUGGEST = "suggest"
    NEUTRAL = "neutral"


class Choice(Enum):
    """How one person voted."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class Outcome(Enum):
    """What a meeting decided, as the minutes record it."""

    ADOPTED = "adopted"
    REJECTED = "rejected"


@attrs.frozen
class Opinion:
    """An opinion given during the solicitation."""

    id: str
    author_id: str
    channel: Channel
    stance: Stance
    text: str


@attrs.frozen(field_transformer=declared_types)
class Vote:
    """One person's vote.

    Raises:
        WrongType: at construction, the person's id is not a text or the choice not a
            :class:`Choice`.
    """

    person_id: str
    choice: Choice = attrs.field(validator=member_of(Choice))


@attrs.frozen(field_transformer=declared_types)
class Excusal:
    """A member excused in advance from a meeting (请假), and why.

    Raises:
        WrongType: at construction, the person's id or the reason is not a text.
    """

    person_id: str
    reason: str


def _present(value: Iterable[str]) -> frozenset[str]:
    return require_text_set(value, "present", "person present")


def _expected(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else require_text_set(value, "expected", "person expected")


def _excused(value: Mapping[str, str] | Iterable[Excusal]) -> tuple[Excusal, ...]:
    """Excusals, sorted by person, from a mapping of person ids to reasons or from
    :class:`Excusal` records; each person named once, each with a reason."""
    if isinstance(value, Mapping):
        value = [Excusal(person, reason) for person, reason in value.items()]
    excused = require_items(value, Excusal, "excused")
    seen: set[str] = set()
    for excusal in excused:
        require_text(excusal.person_id, "person excused")
        require_text(excusal.reason, f"reason {excusal.person_id} was excused")
        if excusal.person_id in seen:
            raise DuplicateId("person excused", excusal.person_id, "is named twice")
        seen.add(excusal.person_id)
    return tuple(sorted(excused, key=lambda excusal: excusal.person_id))


def _votes(value: Iterable[Vote]) -> tuple[Vote, ...]:
    return require_items(value, Vote, "votes")


@attrs.frozen(kw_only=True, field_transformer=declared_types)
class Meeting:
    """The record of one deliberation meeting, as its minutes give it.

    Attributes:
        body: the body that met (it must be the step's body).
        present: who came.
        votes: each named vote; a person votes at most once and only if present.
        outcome: what the meeting decided; it must agree with the vote under the step's rule.
        minutes: the minutes.
        expected: who should have attended (应到会); by default every member on the day
            not ``excused``.
        excused: each member excused in advance (请假: a long illness, say) and the reason,
            by person. A member left out of ``expected`` must be excused here, with a
            reason: those who should attend are the base of a party members' assembly's
            vote, and may not be narrowed without a record. A member without a vote, who
            counts in none of the numbers, may be left out without one.
        plan: a plan text put on the table: required at the first step the first time,
            otherwise an amendment (a new plan version), allowed only where the step may amend.
        plan_version: the plan version the meeting deliberated; by default the current one.
        papers_sent_on: when the papers went out, where the step requires notice.
        reason: why the plan was rejected or sent back, if it was.
        ends_matter: for a rejection at a step whose rejection may end the matter
            (``DeliberationStep.rejection_may_end``), that it does, instead of sending the
            matter back for a revised plan.

    Raises:
        WrongType: at construction, the body or outcome is not one of its kind, ``present``
            or ``expected`` is a text or holds something that is not (a text is not split
            into its characters), ``votes`` is not a list of :class:`Vote`, the minutes,
            reason or plan is not a text, the plan version not a whole number or the papers'
            day not a date.
        EmptyField: at construction, someone present, expected or excused is named by a
            blank id, or excused with no reason.
        DuplicateId: at construction, someone is named twice as present, as expected or as
            excused.
    """

    body: BodyKind = attrs.field(validator=member_of(BodyKind))
    present: frozenset[str] = attrs.field(converter=_present)
    votes: tuple[Vote, ...] = attrs.field(converter=_votes)
    outcome: Outcome = attrs.field(validator=member_of(Outcome))
    minutes: str = ""
    expected: frozenset[str] | None = attrs.field(default=None, converter=_expected)
    excused: tuple[Excusal, ...] = attrs.field(default=(), converter=_excused)
    plan: str | None = None
    plan_version: int | None = None
    papers_sent_on: date | None = None
    reason: str = ""
    ends_matter: bool = False


@attrs.frozen
class Objection:
    """An objection raised while the resolution notice was up, and its ruling."""

    id: str
    by: str
    text: str
    round: int = 1
    """Which resolution notice it was raised against (1 for the first)."""
    upheld: bool | None = None
    ruling: str = ""
    ruling_due: datetime | None = None
    """When the ruling falls due (``None``: no deadline)."""

    @property
    def pending(self) -> bool:
        """Whether it has no ruling. One to a notice that an upheld objection has replaced
        keeps none for good (it lapsed, and the upheld ruling names it);
        :meth:`~communitygov.Matter.pending_objections` gives those that await a ruling now."""
        return self.upheld is None
