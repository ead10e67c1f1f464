"""The Matter aggregate: one matter decided by 一征三议两公开 (or another procedure).

A matter is raised, opinions are solicited over a window, each deliberation step's body meets
and adopts or rejects the plan, the resolution is published for a period during which
residents may object, the work is implemented once the period has ended with no objection
pending, and the result is published before the matter closes. Every command is a method that
returns the new matter and the events it produced; the matter it is called on never changes.
How each event changes a matter, for commands and replay alike, is in
:mod:`communitygov.matters.fold`.

>>> from communitygov.matters.presets import ONE_SOLICITATION_THREE_DELIBERATIONS as PROC
>>> PROC.workflow.allowed("raised")
('open_solicitation', 'withdraw')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import attrs

from communitygov.errors import (
    CalendarDataUnavailable,
    DecodeError,
    DuplicateId,
    EmptyField,
    NotAMember,
    NotEligible,
    ObjectionAlreadyRuled,
    ObjectionsPending,
    ObjectionSuperseded,
    PeriodNotElapsed,
    PeriodOutOfRange,
    SamePerson,
    TransitionNotAllowed,
    UnknownProcedure,
    UnknownReference,
    VoteWithoutRight,
    WindowClosed,
    WindowTooShort,
    WrongCommunity,
    WrongType,
)
from communitygov.kernel.aggregate import Aggregate, Decision, Description, require_id
from communitygov.kernel.checks import require_instance, require_text, require_text_set
from communitygov.kernel.events import Event
from communitygov.kernel.money import Money, require_fen
from communitygov.kernel.periods import Period, period_end
from communitygov.kernel.slots import maker
from communitygov.kernel.timekeeping import in_zone, local_date, require_kept
from communitygov.kernel.voting import Tally
from communitygov.matters.deliberation import check_meeting
from communitygov.matters.events import (
    DeliberationHeld,
    ImplementationStarted,
    MatterClosed,
    MatterCompleted,
    MatterRaised,
    MatterWithdrawn,
    ObjectionRaised,
    ObjectionRuled,
    OpinionRecorded,
    ProgressRecorded,
    ResolutionPublicised,
    ResultPublicised,
    SolicitationClosed,
    SolicitationOpened,
)
from communitygov.matters.fold import changes
from communitygov.matters.presets import PROCEDURES
from communitygov.matters.procedure import Constituency, MatterState, Procedure
from communitygov.matters.records import (
    Channel,
    Meeting,
    MotionSource,
    Objection,
    Opinion,
    Outcome,
    Stance,
)
from communitygov.organisation.community import Community
from communitygov.publicity.notices import Notice, NoticeKind

__all__ = ["Deadline", "Matter"]

_COMMAND_OF = {
    "adopt": "deliberate",
    "reject": "deliberate",
    "reject_and_end": "deliberate",
    "uphold_objection": "rule_on_objection",
    "dismiss_objection": "rule_on_objection",
}
"""The command that takes each workflow action whose name is not the command's: the workflow
tells a meeting that adopts from one that rejects, and an upheld objection from a dismissed
one, as they lead to different states; the matter has one command for each pair."""


@attrs.frozen
class Deadline:
    """Something due by a time: a window closing, a publicity period ending."""

    what: str
    due: datetime


@attrs.frozen(kw_only=True)
class Matter(Aggregate):
    """A matter (议事事项) and everything that has happened to it.

    Read its ``state``, :meth:`allowed_actions`, :meth:`open_deadlines` and :meth:`notices`.
    Change it only through its commands; each returns the new matter and the events that
    record the change, and :meth:`replay` folds those events back into the same matter.

    The matter keeps the events its queries need (the one that raised it, the one that opened
    the solicitation, each meeting, …) rather than copies of what they say; what never changes
    after it is raised (its community, title, description, source, who raised it) and what
    follows from the rest (the plans, the resolution and result notices) are read through
    properties. Every event copies the matter's fields, so the fewer there are, the cheaper.
    """

    created_by = (MatterRaised,)
    kind = "matter"
    id_field = "matter_id"

    raised: MatterRaised
    """The event that raised the matter."""
    procedure: Procedure = attrs.field(repr=False)
    state: str
    solicitation: SolicitationOpened | None = None
    """The event that opened the solicitation, once it is open."""
    opinions: tuple[Opinion, ...] = ()
    deliberations: tuple[DeliberationHeld, ...] = ()
    objections: tuple[Objection, ...] = ()
    implementation: ImplementationStarted | None = None
    """The event that started the work, once it has started."""
    progress: tuple[ProgressRecorded, ...] = ()
    completion: MatterCompleted | None = None
    withdrawal: MatterWithdrawn | None = None
    posted: tuple[Notice, ...] = ()
    """Every notice posted, oldest first (see :meth:`notices`)."""

    # --- what the matter was raised with ---------------------------------------------------

    @property
    def community_id(self) -> str:
        """The id of the community the matter belongs to."""
        return self.raised.community_id

    @property
    def timezone(self) -> str:
        """The community's timezone when the matter was raised; periods are counted in it."""
        return self.raised.timezone

    @property
    def title(self) -> str:
        """The matter's title."""
        return self.raised.title

    @property
    def description(self) -> str:
        """What the matter is about."""
        return self.raised.description

    @property
    def source(self) -> MotionSource:
        """Where the matter came from."""
        return self.raised.source

    @property
    def raised_by(self) -> str:
        """Who raised the matter."""
        return self.raised.raised_by

    @property
    def concerns(self) -> str | None:
        """The id of the record the matter decides on (an assistance plan's), or empty;
        ``None`` for a matter raised before matters named it (stored by an older version)."""
        return self.raised.concerns

    @property
    def solicitation_opened_at(self) -> datetime | None:
        """When the solicitation opened, once it has."""
        return None if self.solicitation is None else self.solicitation.at

    @property
    def solicitation_closes_at(self) -> datetime | None:
        """When the solicitation window closes, once it is open."""
        return None if self.solicitation is None else self.solicitation.closes_at

    @property
    def implementation_started_at(self) -> datetime | None:
        """When the work started, once it has."""
        return None if self.implementation is None else self.implementation.at

    # --- what follows from the rest ------------------------------------------------------

    @property
    def plans(self) -> tuple[str, ...]:
        """Every version of the plan, in the order the meetings put them on the table."""
        return tuple(held.plan for held in self.deliberations if held.plan is not None)

    @property
    def resolution(self) -> Notice | None:
        """The latest resolution notice, if one has been posted (one of :meth:`notices`)."""
        return _latest(self.posted, NoticeKind.RESOLUTION)

    @property
    def result(self) -> Notice | None:
        """The result notice, if it has been posted (one of :meth:`notices`)."""
        return _latest(self.posted, NoticeKind.RESULT)

    @property
    def publicity_round(self) -> int:
        """How many resolution notices have been posted (an upheld objection means another)."""
        return sum(notice.kind is NoticeKind.RESOLUTION for notice in self.posted)

    # --- queries -----------------------------------------------------------------------

    @property
    def plan(self) -> str | None:
        """The plan now on the table (the latest version), if any."""
        plans = self.plans
        return plans[-1] if plans else None

    @property
    def plan_version(self) -> int:
        """The current plan version; 0 before the first proposal."""
        return sum(held.plan is not None for held in self.deliberations)

    @property
    def is_final(self) -> bool:
        """Whether the matter is closed, rejected or withdrawn."""
        return self.procedure.workflow.is_terminal(self.state)

    def allowed_actions(self) -> tuple[str, ...]:
        """The commands (the matter's methods) its state allows now, such as ``deliberate``
        and ``withdraw`` at a deliberation step, less those refused whatever the time:
        ``start_implementation`` while an objection awaits a ruling, and ``rule_on_objection``
        while none does. The workflow's own actions, which tell an adopting meeting from a
        rejecting one (``adopt``, ``reject``, ``reject_and_end``, ``uphold_objection``,
        ``dismiss_objection``),
        are ``procedure.workflow.allowed(state)``."""
        awaiting = bool(self.pending_objections())
        refused = "rule_on_objection" if not awaiting else "start_implementation"
        commands: list[str] = []
        for action in self.procedure.workflow.allowed(self.state):
            command = _COMMAND_OF.get(action, action)
            if command not in commands and command != refused:
                commands.append(command)
        return tuple(commands)

    def pending_objections(self) -> tuple[Objection, ...]:
        """Objections to the resolution notice now up that await a ruling.

        None while no notice is up: once an upheld objection has sent the matter back, the
        other objections to that notice are never ruled on; they lapse with the resolution
        they object to, and the upheld ruling names them (``ObjectionRuled.lapsed``). A new
        notice starts a new round.
        """
        if self.state != MatterState.RESOLUTION_PUBLICITY:
            return ()
        current = self.publicity_round
        return tuple(o for o in self.objections if o.pending and o.round == current)

    def open_deadlines(self) -> tuple[Deadline, ...]:
        """What the matter is waiting for, with when it falls due.

        While the resolution notice is up, the rulings on its pending objections come first
        (soonest first), then the notice's end: no work starts before every objection is ruled
        on, so a ruling due after the notice ends is still what the matter waits for.
        """
        state = self.state
        if state == MatterState.SOLICITING and self.solicitation is not None:
            return (Deadline("solicitation closes", self.solicitation.closes_at),)
        if state == MatterState.RESOLUTION_PUBLICITY:
            resolution = self.resolution
            if resolution is not None:
                rulings = [
                    Deadline(f"ruling on objection {o.id}", o.ruling_due)
                    for o in self.pending_objections()
                    if o.ruling_due is not None
                ]
                rulings.sort(key=lambda deadline: deadline.due)
                return (*rulings, Deadline("resolution publicity ends", _ends(resolution)))
        if state == MatterState.RESULT_PUBLICITY:
            result = self.result
            if result is not None:
                return (Deadline("result publicity ends", _ends(result)),)
        return ()

    def describe(self) -> Description:
        """The matter's summary: its state, title and the first open deadline."""
        deadlines = self.open_deadlines()
        title = self.raised.title
        if deadlines:
            return Description(self.state, title, deadlines[0].due, deadlines[0].what)
        return Description(self.state, title)

    def notices(self) -> tuple[Notice, ...]:
        """Every notice the matter has posted, oldest first: the resolution notices, the
        rulings on objections, the result notice; as they were typed. A matter about an
        assistance plan (``concerns``) names its beneficiary as its texts do: show its notices
        through the plan's disclosure (``plan.disclosure(community).notice(notice)``), or
        take the community's board with :func:`communitygov.board.notice_board`, which
        redacts every notice so."""
        return self.posted

    # --- commands: raising and solicitation ----------------------------------------------

    @classmethod
    def raise_matter(
        cls,
        matter_id: str,
        *,
        community: Community,
        procedure: Procedure,
        title: str,
        description: str,
        source: MotionSource,
        raised_by: str,
        at: datetime,
        concerns: str = "",
    ) -> Decision[Matter]:
        """Put a new matter on the community's agenda.

        Args:
            concerns: the id of the record the matter decides on, such as the assistance plan
                it would adopt (a plan takes effect only through the matter raised about it);
                empty for none.

        Raises:
            EmptyField: the id, title or description is empty.
            UnknownReference: ``raised_by`` is not a person of the community.
            NotYetRegistered: ``raised_by`` was registered after ``at``.
            NaiveDatetime: ``at`` has no timezone.
            WrongType: ``community`` is not a :class:`Community`, ``procedure`` not a
                :class:`Procedure`, ``source`` not a :class:`MotionSource` (a name or a value
                as text included) or ``raised_by`` not a text.
        """
        require_kept(at)
        require_instance(community, Community, "community")
        require_instance(procedure, Procedure, "procedure")
        require_instance(source, MotionSource, "source")
        require_id(matter_id, "matter id")
        require_text(title, "title")
        require_text(description, "description")
        if concerns:
            require_text(concerns, "concerns")
        else:
            require_instance(concerns, str, "concerns")
        community.person(raised_by, by=at)
        event = _new_raised(
            at=at,
            matter_id=matter_id,
            community_id=community.id,
            procedure=procedure.name,
            title=title,
            description=description,
            source=source,
            raised_by=raised_by,
            timezone=community.timezone,
            calendar=procedure.calendar.name,
            concerns=concerns,
        )
        return cls._raised(event, procedure), (event,)

    def open_solicitation(
        self, *, at: datetime, closes_at: datetime | None = None
    ) -> Decision[Matter]:
        """Start collecting opinions (一征) until ``closes_at``.

        By default the window lasts the procedure's minimum, counted by the Civil Code.

        Raises:
            TransitionNotAllowed: the matter is past being raised, or its procedure solicits
                no opinions (``Procedure.solicitation`` is ``None``).
            WindowTooShort: ``closes_at`` is earlier than the minimum allows.
            TimeOutOfRange: ``closes_at`` is after the last time the library keeps.
            PeriodOutOfRange: the minimum would end after it.
        """
        at = self._begin("open_solicitation", at)
        rules = self.procedure.solicitation
        assert rules is not None  # a procedure without one has no such transition
        earliest = self._period_end(at, rules.minimum)
        if closes_at is None:
            closes_at = earliest
        elif require_kept(closes_at, "closes_at") < earliest:
            raise WindowTooShort(
                "solicitation window", f"until {closes_at.isoformat()}", str(rules.minimum)
            )
        return self._record(SolicitationOpened(at=at, closes_at=closes_at))

    def record_opinion(
        self, opinion: Opinion, *, community: Community, at: datetime
    ) -> Decision[Matter]:
        """Record an opinion given while the solicitation window is open.

        Raises:
            TransitionNotAllowed: the matter is not soliciting (its procedure may have no
                solicitation).
            WindowClosed: the window has closed.
            DuplicateId: an opinion with that id is already recorded.
            NotEligible: the author is not in a group the procedure asks.
            EmptyField: the opinion has no id or text.
            WrongType: ``opinion`` is not an :class:`Opinion`, its channel or stance is not
                one of its kind or its author's id not a text, or ``community`` is not a
                :class:`Community`.
        """
        at = self._begin("record_opinion", at)
        require_instance(opinion, Opinion, "opinion")
        require_text(opinion.id, "opinion id")
        require_instance(opinion.channel, Channel, "channel")
        require_instance(opinion.stance, Stance, "stance")
        solicitation, rules = self.solicitation, self.procedure.solicitation
        assert solicitation is not None
        assert rules is not None
        if at >= solicitation.closes_at:
            raise WindowClosed("solicitation window", solicitation.at, solicitation.closes_at, at)
        if any(o.id == opinion.id for o in self.opinions):
            raise DuplicateId("opinion", opinion.id)
        require_text(opinion.text, "opinion text")
        self._require_eligible(
            community,
            opinion.author_id,
            rules.constituencies,
            at,
            "give an opinion",
        )
        return self._record(
            OpinionRecorded(
                at=at,
                opinion_id=opinion.id,
                author_id=opinion.author_id,
                channel=opinion.channel,
                stance=opinion.stance,
                text=opinion.text,
            )
        )

    def close_solicitation(self, *, at: datetime) -> Decision[Matter]:
        """Close the solicitation once its window has ended; the first step may then meet.

        Raises:
            TransitionNotAllowed: the matter is not soliciting (its procedure may have no
                solicitation).
            PeriodNotElapsed: the window has not ended yet.
        """
        at = self._begin("close_solicitation", at)
        solicitation = self.solicitation
        assert solicitation is not None
        closes_at = solicitation.closes_at
        if at < closes_at:
            raise PeriodNotElapsed("solicitation window", closes_at, at)
        return self._record(SolicitationClosed(at=at, opinions=len(self.opinions)))

    # --- commands: deliberation ----------------------------------------------------------

    def deliberate(
        self, meeting: Meeting, *, community: Community, at: datetime
    ) -> Decision[Matter]:
        """Record the meeting of the current step's body and what it decided.

        An adopted plan moves to the next step (or, after the last, to ``resolved``); a rejected
        one goes where the procedure says, or, where the step allows it and the minutes say
        so (``Meeting(ends_matter=True)``), ends the matter as rejected. The meeting is held
        on ``at``'s date.

        Raises:
            TransitionNotAllowed: the matter is not at a deliberation step.
            WrongBody, NotAMember, NotExcused, PresentNotExpected, MoreVotesThanPresent,
            VotedTwice, VoteFromAbsentPerson, VoteWithoutRight, PlanRequired,
            AmendmentNotAllowed,
            PlanVersionMismatch,
            PapersNotSentInTime, PapersBeforePlan, PapersForEarlierMeeting, PapersAfterMeeting,
            QuorumNotMet,
            ThresholdNotReached,
            DecisionContradictsVote: the minutes break a rule (see
                :mod:`communitygov.matters.deliberation`).
            NotApplicable: the minutes end the matter (``ends_matter``) where they adopted
                the plan or where the step sends every rejection back.
            WrongType: ``meeting`` is not a :class:`Meeting` or ``community`` not a
                :class:`Community`.
        """
        require_instance(meeting, Meeting, "meeting")
        if meeting.outcome is Outcome.ADOPTED:
            action = "adopt"
        else:  # check_meeting refuses an ending the step does not allow
            ending = meeting.ends_matter and self.procedure.workflow.can(
                self.state, "reject_and_end"
            )
            action = "reject_and_end" if ending else "reject"
        at = self._begin(action, at)
        self._require_community(community)
        procedure = self.procedure
        step = procedure.step(self.state)
        previous = next((h for h in reversed(self.deliberations) if h.step == step.key), None)
        event = check_meeting(
            meeting,
            at=at,
            step=step,
            first_step=self.state == procedure.steps[0].key,
            community=community,
            day=community.local_date(at),
            plan_version=self.plan_version,
            plan_since=self._plan_tabled_on(),
            calendar=procedure.calendar,
            previous_on=None if previous is None else local_date(previous.at, self.timezone),
        )
        return self._record(event)

    # --- commands: the resolution notice and objections ----------------------------------

    def publicise_resolution(self, text: str, *, place: str, at: datetime) -> Decision[Matter]:
        """Post the resolution notice (一公开); its period is counted by the procedure.

        Raises:
            EmptyField: the text or place is empty.
            CalendarDataUnavailable: the calendar has no data for a year the period reaches.
            PeriodOutOfRange: the period would end after the last time the library keeps.
        """
        at = self._begin("publicise_resolution", at)
        require_text(text, "notice text")
        require_text(place, "notice place")
        period = self.procedure.resolution_publicity.period
        ends_at = self._period_end(at, period)
        return self._record(
            ResolutionPublicised(at=at, text=text, place=place, period=period, ends_at=ends_at)
        )

    def raise_objection(
        self, objection_id: str, *, by: str, text: str, community: Community, at: datetime
    ) -> Decision[Matter]:
        """Record an objection to the resolution while its notice is up.

        The ruling falls due ``ruling_within`` after the objection (see
        :class:`~communitygov.matters.procedure.PublicityRules`); until it is made it is one of
        the matter's open deadlines. An objection is never refused for want of calendar data:
        if the calendar cannot count the ruling's period (a year not yet announced), or it
        would end after the last time the library keeps, the objection is recorded with no
        due time (``ruling_due`` is ``None``) rather than a guessed one.

        Raises:
            WindowClosed: the publicity period has ended.
            DuplicateId: an objection with that id exists.
            NotEligible: the person may not object under the procedure.
            EmptyField: the objection has no text.
            WrongType: ``by`` is not a text or ``community`` not a :class:`Community`.
        """
        at = self._begin("raise_objection", at)
        resolution = self.resolution
        assert resolution is not None
        ends_at = _ends(resolution)
        if at >= ends_at:
            raise WindowClosed("resolution publicity", resolution.posted_at, ends_at, at)
        require_text(objection_id, "objection id")
        if any(o.id == objection_id for o in self.objections):
            raise DuplicateId("objection", objection_id)
        require_text(text, "objection text")
        rules = self.procedure.resolution_publicity
        self._require_eligible(community, by, rules.objectors, at, "object")
        due = self._ruling_due(at, rules.ruling_within)
        return self._record(
            ObjectionRaised(at=at, objection_id=objection_id, by=by, text=text, ruling_due=due)
        )

    def rule_on_objection(
        self,
        objection_id: str,
        *,
        upheld: bool,
        ruling: str,
        ruled_by: Iterable[str],
        place: str,
        community: Community,
        at: datetime,
    ) -> Decision[Matter]:
        """Record the ruling of the objection body on an objection; the ruling is published.

        An upheld objection sends the matter back to the step the procedure names, and the
        other objections to the notice still awaiting a ruling lapse with the resolution: the
        published ruling names them (``ObjectionRuled.lapsed``), and they are never ruled on.
        A dismissed one leaves the notice running.

        Raises:
            UnknownReference: no objection with that id.
            ObjectionAlreadyRuled: it has a ruling already.
            ObjectionSuperseded: it was to an earlier notice, which an upheld objection has
                replaced.
            NotAMember: someone ruling does not sit on the ruling body that day.
            QuorumNotMet, ThresholdNotReached: too few of the ruling body's members rule
                for the procedure's ruling rule (a majority of the members who may rule, the
                objector standing aside, by default): one member does not rule for the
                committee.
            NotYetRegistered: someone ruling was registered after ``at``.
            EmptyField: the ruling, place or list of those ruling is empty, or someone ruling
                is named by a blank id.
            DuplicateId: someone is named twice among those ruling.
            SamePerson: the objector is among those ruling on the objection.
            VoteWithoutRight: one of those ruling holds a seat on the ruling body without a
                vote (a probationary party member); those without one are not counted among
                the members who may rule either.
            WrongType: ``upheld`` is not a ``bool`` (``None`` and ``"no"`` included),
                ``objection_id`` is not a text, ``ruled_by`` is a text or holds something
                that is not, or ``community`` is not a :class:`Community`.
        """
        require_instance(upheld, bool, "upheld")
        at = self._begin("uphold_objection" if upheld else "dismiss_objection", at)
        self._require_community(community)
        require_instance(objection_id, str, "objection id")
        objection = next((o for o in self.objections if o.id == objection_id), None)
        if objection is None:
            raise UnknownReference("objection", objection_id)
        if not objection.pending:
            raise ObjectionAlreadyRuled(objection_id)
        if objection.round != self.publicity_round:
            raise ObjectionSuperseded(objection_id, objection.round, self.publicity_round)
        require_text(ruling, "ruling")
        require_text(place, "notice place")
        rulers = require_text_set(ruled_by, "ruled by", "ruling member")
        if not rulers:
            raise EmptyField("ruled by")
        if objection.by in rulers:
            raise SamePerson(objection.by, "objector", "ruling member")
        rules = self.procedure.resolution_publicity
        body = rules.ruling_body
        day = community.local_date(at)
        without_vote = community.without_vote(body, day)
        for person in sorted(rulers):
            community.person(person, by=at)
            if not community.is_member(person, body, day):
                raise NotAMember(person, body.en, day)
            if person in without_vote:
                raise VoteWithoutRight(person, body.en, day)
        # The objector stands aside: the rule counts the members who may rule, those with a
        # vote on the body.
        may_rule = len(community.members_of(body, day) - without_vote - {objection.by})
        count = Tally(
            members=may_rule, should_attend=may_rule, present=len(rulers), yes=len(rulers)
        )
        rules.ruling_rule.require_passed(count, body.en)
        # An upheld objection takes the resolution down, and the others to it lapse with it.
        others = (o.id for o in self.pending_objections() if o.id != objection_id)
        lapsed = tuple(others) if upheld else ()
        return self._record(
            ObjectionRuled(
                at=at,
                objection_id=objection_id,
                upheld=upheld,
                ruling=ruling,
                ruled_by=rulers,
                place=place,
                lapsed=lapsed,
            )
        )

    # --- commands: implementation and the result -----------------------------------------

    def start_implementation(
        self, *, by: str, community: Community, at: datetime
    ) -> Decision[Matter]:
        """Start the work, once the resolution notice has run its period with no objection
        pending.

        Args:
            by: who starts it: a person in the community's register.

        Raises:
            PeriodNotElapsed: the notice is still up.
            ObjectionsPending: an objection awaits a ruling.
            EmptyField: ``by`` is empty.
            UnknownReference: ``by`` is not a person of the community.
            WrongCommunity: ``community`` is not the matter's.
            WrongType: ``by`` is not a text or ``community`` not a :class:`Community`.
        """
        at = self._begin("start_implementation", at)
        self._require_community(community)
        resolution = self.resolution
        assert resolution is not None
        ends_at = _ends(resolution)
        if at < ends_at:
            raise PeriodNotElapsed("resolution publicity", ends_at, at)
        pending = self.pending_objections()
        if pending:
            raise ObjectionsPending(o.id for o in pending)
        self._require_person(community, by, "started by", at)
        return self._record(ImplementationStarted(at=at, by=by))

    def record_progress(
        self, text: str, *, by: str, community: Community, at: datetime
    ) -> Decision[Matter]:
        """Record progress of the work.

        Args:
            by: who records it: a person in the community's register.

        Raises:
            EmptyField: the text or ``by`` is empty.
            UnknownReference: ``by`` is not a person of the community.
            WrongCommunity: ``community`` is not the matter's.
            WrongType: ``by`` is not a text or ``community`` not a :class:`Community`.
        """
        at = self._begin("record_progress", at)
        self._require_community(community)
        require_text(text, "progress text")
        self._require_person(community, by, "recorded by", at)
        return self._record(ProgressRecorded(at=at, text=text, by=by))

    def complete(self, summary: str, *, cost_fen: int, at: datetime) -> Decision[Matter]:
        """Record that the work is done: what was done and what it cost, in fen.

        Raises:
            EmptyField: the summary is empty.
            InvalidCount: the cost is not a whole number of fen, 0 or more.
            InvalidAmount: the cost is above :data:`~communitygov.MAX_FEN` (10**30 fen).
        """
        at = self._begin("complete", at)
        require_text(summary, "summary")
        require_fen(cost_fen, "cost in fen")
        return self._record(MatterCompleted(at=at, summary=summary, cost_fen=cost_fen))

    def publicise_result(self, text: str, *, place: str, at: datetime) -> Decision[Matter]:
        """Post the result notice (二公开): what was done and spent, as :meth:`complete`
        recorded them, then ``text``.

        Raises:
            EmptyField: the text or place is empty.
            CalendarDataUnavailable: the calendar has no data for a year the period reaches.
            PeriodOutOfRange: the period would end after the last time the library keeps.
        """
        at = self._begin("publicise_result", at)
        require_text(text, "notice text")
        require_text(place, "notice place")
        completion = self.completion
        assert completion is not None  # the workflow publicises only a completed matter
        shown = (
            f"实施情况 Done: {completion.summary}\n费用 Spent: {Money(completion.cost_fen)}\n{text}"
        )
        period = self.procedure.result_publicity
        ends_at = self._period_end(at, period)
        return self._record(
            ResultPublicised(at=at, text=shown, place=place, period=period, ends_at=ends_at)
        )

    def close(self, *, at: datetime) -> Decision[Matter]:
        """Close the matter once the result notice has run its period.

        Raises:
            PeriodNotElapsed: the result notice is still up.
        """
        at = self._begin("close", at)
        result = self.result
        assert result is not None
        ends_at = _ends(result)
        if at < ends_at:
            raise PeriodNotElapsed("result publicity", ends_at, at)
        return self._record(MatterClosed(at=at))

    def withdraw(
        self, reason: str, *, by: str, community: Community, at: datetime
    ) -> Decision[Matter]:
        """Withdraw the matter before it is resolved.

        Args:
            by: who withdraws it: a person in the community's register.

        Raises:
            EmptyField: no reason or no person given.
            UnknownReference: ``by`` is not a person of the community.
            WrongCommunity: ``community`` is not the matter's.
            WrongType: ``by`` is not a text or ``community`` not a :class:`Community`.
        """
        at = self._begin("withdraw", at)
        self._require_community(community)
        require_text(reason, "reason")
        self._require_person(community, by, "withdrawn by", at)
        return self._record(MatterWithdrawn(at=at, reason=reason, by=by))

    # --- helpers -------------------------------------------------------------------------

    def _plan_tabled_on(self) -> date:
        """The day, in the matter's zone, the plan now on the table was tabled: the day of the
        meeting that made its version, or the day the matter was raised before any plan."""
        tabled = next((h for h in reversed(self.deliberations) if h.plan is not None), None)
        return local_date(self.raised.at if tabled is None else tabled.at, self.timezone)

    def _begin(self, action: str, at: datetime) -> datetime:
        """Check the time, then that the workflow's ``action`` is allowed now.

        Raises:
            TransitionNotAllowed: it is not; the error names the command and the commands
                allowed now (see :meth:`allowed_actions`).
        """
        at = self._checked_time(at)
        if not self.procedure.workflow.can(self.state, action):
            raise TransitionNotAllowed(
                _COMMAND_OF.get(action, action), self.state, self.allowed_actions()
            )
        return at

    def _period_end(self, start: datetime, period: Period) -> datetime:
        """When ``period`` from ``start`` ends, counted in the community's timezone."""
        return period_end(in_zone(start, self.raised.timezone), period, self.procedure.calendar)

    def _ruling_due(self, raised_at: datetime, within: Period | None) -> datetime | None:
        """When a ruling on an objection raised at ``raised_at`` falls due, if it can be told."""
        if within is None:
            return None
        try:
            return self._period_end(raised_at, within)
        except (CalendarDataUnavailable, PeriodOutOfRange):
            return None

    def _require_community(self, community: Community) -> None:
        require_instance(community, Community, "community")
        if community.id != self.raised.community_id:
            raise WrongCommunity(self.raised.community_id, community.id)

    @staticmethod
    def _require_person(community: Community, person_id: str, field: str, at: datetime) -> None:
        """Check that ``person_id``, given as ``field``, names a person of ``community``
        registered by ``at``.

        Raises:
            EmptyField: it is empty.
            WrongType: it is not a text.
            UnknownReference: nobody of that id is in the register.
            NotYetRegistered: they were registered after ``at``.
        """
        require_text(person_id, field)
        community.person(person_id, by=at)

    def _require_eligible(
        self,
        community: Community,
        person_id: str,
        groups: frozenset[Constituency],
        at: datetime,
        role: str,
    ) -> None:
        self._require_community(community)
        community.person(person_id, by=at)
        day: date = community.local_date(at)
        for group in sorted(groups, key=_residents_first):
            body = group.body
            if body is None or community.is_member(person_id, body, day):
                return
        names = " or ".join(sorted(group.en for group in groups))
        raise NotEligible(person_id, role, names)

    # --- the fold (communitygov.matters.fold) ---------------------------------------------

    @classmethod
    def _start(cls, event: Event, context: Any) -> Matter:
        assert isinstance(event, MatterRaised)
        procedure = _resolve_procedure(event.procedure, context)
        if procedure.calendar.name != event.calendar:
            raise DecodeError(
                event.type_name,
                event.schema_version,
                f"the matter counts its periods on the {event.calendar!r} calendar; the "
                f"procedure given counts on {procedure.calendar.name!r}",
            )
        return cls._raised(event, procedure)

    @classmethod
    def _raised(cls, event: MatterRaised, procedure: Procedure) -> Matter:
        """The matter ``event`` raises, once ``procedure`` is known to be the one it names."""
        make = _new_matter if cls is Matter else maker(cls)
        return make(
            id=event.matter_id,
            version=1,
            last_at=event.at,
            raised=event,
            procedure=procedure,
            state=procedure.workflow.initial,
        )

    # The fold itself, called as a method: one call fewer in every apply.
    _changes = changes

    @classmethod
    def replay(
        cls, events: Iterable[Event], context: Procedure | Mapping[str, Procedure] | None = None
    ) -> Matter:
        """Rebuild a matter from its history.

        Args:
            events: the matter's events, oldest first.
            context: the procedure it follows, or procedures by name; the shipped presets by
                default.

        Raises:
            DecodeError: the history does not start with ``MatterRaised``, or names a procedure
                not given (:class:`~communitygov.UnknownProcedure`).
            WrongType: ``context`` is neither a procedure nor a mapping of procedures.
        """
        return super().replay(events, context)


_new_raised = maker(MatterRaised)
"""Build a ``MatterRaised`` as its ``__init__`` would, only faster (see
:func:`~communitygov.kernel.slots.maker`): every matter is raised."""
_new_matter = maker(Matter)
"""Build a ``Matter`` the same way, as every raising and replay does."""


def _latest(posted: tuple[Notice, ...], kind: NoticeKind) -> Notice | None:
    for notice in reversed(posted):
        if notice.kind is kind:
            return notice
    return None


def _ends(notice: Notice) -> datetime:
    """When a notice with a period comes down (the resolution and result notices have one)."""
    ends_at = notice.ends_at
    assert ends_at is not None
    return ends_at


def _residents_first(group: Constituency) -> tuple[bool, str]:
    """Every resident qualifies without a seat, so that group is checked first."""
    return group.body is not None, group.value


def _resolve_procedure(name: str, context: object) -> Procedure:
    if isinstance(context, Procedure):
        if context.name != name:
            raise UnknownProcedure(name, (context.name,))
        return context
    if context is None:
        context = PROCEDURES
    if not isinstance(context, Mapping):
        raise WrongType("context", context, "a Procedure or a mapping of names to procedures")
    procedure = context.get(name)
    if procedure is None:
        raise UnknownProcedure(name, context)
    if not isinstance(procedure, Procedure):
        raise WrongType(f"context[{name!r}]", procedure, "a Procedure")
    if procedure.name != name:  # given under the name, but another procedure
        raise UnknownProcedure(name, (getattr(p, "name", str(p)) for p in context.values()))
    return procedure
