"""The events of a matter's life, in the order they usually happen."""

from __future__ import annotations

from datetime import date, datetime

import attrs

from communitygov.kernel.events import Event, added_later, event_type
from communitygov.kernel.periods import Period
from communitygov.kernel.voting import Tally
from communitygov.matters.records import (
    Channel,
    Choice,
    Excusal,
    MotionSource,
    Outcome,
    Stance,
    Vote,
)
from communitygov.organisation.bodies import BodyKind

__all__ = [
    "DeliberationHeld",
    "ImplementationStarted",
    "MatterClosed",
    "MatterCompleted",
    "MatterRaised",
    "MatterWithdrawn",
    "ObjectionRaised",
    "ObjectionRuled",
    "OpinionRecorded",
    "ProgressRecorded",
    "ResolutionPublicised",
    "ResultPublicised",
    "SolicitationClosed",
    "SolicitationOpened",
]


@event_type("matter.raised", version=2)
@attrs.frozen(kw_only=True)
class MatterRaised(Event):
    """A matter put on the agenda. Version 2 adds ``concerns``: the id of the record it decides
    on, or empty; ``None`` in a record of version 1, raised before matters named it."""

    matter_id: str
    community_id: str
    procedure: str
    title: str
    description: str
    source: MotionSource
    raised_by: str
    timezone: str = "Asia/Shanghai"
    calendar: str = "weekdays"
    concerns: str | None = None


@event_type("matter.solicitation_opened")
@attrs.frozen(kw_only=True)
class SolicitationOpened(Event):
    closes_at: datetime


@event_type("matter.opinion_recorded")
@attrs.frozen(kw_only=True)
class OpinionRecorded(Event):
    opinion_id: str
    author_id: str
    channel: Channel
    stance: Stance
    text: str


@event_type("matter.solicitation_closed")
@attrs.frozen(kw_only=True)
class SolicitationClosed(Event):
    opinions: int


@event_type("matter.deliberation_held", version=2)
@attrs.frozen(kw_only=True)
class DeliberationHeld(Event):
    """A meeting of a step's body, with everything its minutes must show.

    ``plan_version`` is the version the meeting decided on: the one it put on the table or
    amended to, or else the one it was given. ``excused`` holds each member not expected and
    the reason they were excused, by person; empty in a record made before excusals were
    recorded. ``without_vote`` holds the members who sat without a vote that day
    (probationary party members), left out of every count of the vote. ``ends_matter`` is
    ``True`` for a rejection that ended the matter where it could have sent it back.

    Schema 2 added ``without_vote`` and ``ends_matter``; in schema-1 events every seat voted
    and a rejection went where the step's ``on_reject`` said.
    """

    step: str
    body: BodyKind
    members: frozenset[str]
    expected: frozenset[str]
    present: frozenset[str]
    votes: tuple[Vote, ...]
    outcome: Outcome
    plan_version: int
    minutes: str = ""
    plan: str | None = None
    papers_sent_on: date | None = None
    reason: str = ""
    excused: tuple[Excusal, ...] = ()
    without_vote: frozenset[str] = added_later(frozenset())
    ends_matter: bool = added_later(False)

    def tally(self) -> Tally:
        """The meeting's numbers as its body's rule counted them: those with a vote among
        the members, those expected and those present, and the votes."""
        return vote_tally(self.members, self.expected, self.present, self.votes, self.without_vote)


def vote_tally(
    members: frozenset[str],
    expected: frozenset[str],
    present: frozenset[str],
    votes: tuple[Vote, ...],
    without_vote: frozenset[str],
) -> Tally:
    """The numbers a voting rule counts at a meeting: those ``without_vote`` in none of them
    (the votes are known to be theirs who have one)."""
    yes = no = 0
    for vote in votes:
        if vote.choice is Choice.YES:
            yes += 1
        elif vote.choice is Choice.NO:
            no += 1
    if without_vote:
        members, expected, present = (
            members - without_vote,
            expected - without_vote,
            present - without_vote,
        )
    return Tally(
        members=len(members),
        should_attend=len(expected),
        present=len(present),
        yes=yes,
        no=no,
        abstain=len(votes) - yes - no,
    )


@event_type("matter.resolution_publicised")
@attrs.frozen(kw_only=True)
class ResolutionPublicised(Event):
    text: str
    place: str
    period: Period
    ends_at: datetime


@event_type("matter.objection_raised", version=2)
@attrs.frozen(kw_only=True)
class ObjectionRaised(Event):
    """An objection to the resolution notice; ``ruling_due`` is when the ruling falls due.

    Schema 2 added ``ruling_due``; it is ``None`` in schema-1 events, when the procedure sets no
    deadline, and when the calendar could not count it.
    """

    objection_id: str
    by: str
    text: str
    ruling_due: datetime | None = None


@event_type("matter.objection_ruled", version=2)
@attrs.frozen(kw_only=True)
class ObjectionRuled(Event):
    """A ruling on an objection; it is published where ``place`` says.

    Schema 2 added ``lapsed``: when the objection is upheld, the other objections to the same
    notice that still awaited a ruling, which lapse with the resolution they object to (the
    published ruling names them). Empty for a dismissal and in schema-1 events.
    """

    objection_id: str
    upheld: bool
    ruling: str
    ruled_by: frozenset[str]
    place: str
    lapsed: tuple[str, ...] = ()


@event_type("matter.implementation_started")
@attrs.frozen(kw_only=True)
class ImplementationStarted(Event):
    by: str


@event_type("matter.progress_recorded")
@attrs.frozen(kw_only=True)
class ProgressRecorded(Event):
    text: str
    by: str


@event_type("matter.completed")
@attrs.frozen(kw_only=True)
class MatterCompleted(Event):
    summary: str
    cost_fen: int


@event_type("matter.result_publicised")
@attrs.frozen(kw_only=True)
class ResultPublicised(Event):
    text: str
    place: str
    period: Period
    ends_at: datetime


@event_type("matter.closed")
@attrs.frozen(kw_only=True)
class MatterClosed(Event):
    pass


@event_type("matter.withdrawn")
@attrs.frozen(kw_only=True)
class MatterWithdrawn(Event):
    reason: str
    by: str
