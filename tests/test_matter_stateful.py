"""A stateful model of the Matter: random command sequences on random procedures.

Hypothesis draws a procedure and a community, raises a matter, then runs commands in random
order at random times: valid ones (biased so that matters get far: resolved, implemented,
closed) and invalid ones (wrong state, a meeting without a quorum, of the wrong body, with a
vote from someone absent, a date in the past ...). A command that raises a
``CommunityGovError`` must leave the matter exactly as it was; one that succeeds becomes the
new matter, and its events are added to the machine's own log (the matter does not keep them).
After every step the invariants below are checked against the matter and that whole log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import attrs
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from communitygov import (
    CommunityGovError,
    DecisionContradictsVote,
    DuplicateId,
    EmptyField,
    Event,
    InvalidCount,
    Matter,
    MatterState,
    Meeting,
    MoreVotesThanPresent,
    MotionSource,
    NotAMember,
    NotEligible,
    ObjectionAlreadyRuled,
    ObjectionsPending,
    ObjectionSuperseded,
    Opinion,
    Outcome,
    PapersBeforePlan,
    PapersForEarlierMeeting,
    PapersNotSentInTime,
    PeriodNotElapsed,
    Procedure,
    QuorumNotMet,
    SamePerson,
    Tally,
    ThresholdNotReached,
    TimeWentBackwards,
    TransitionNotAllowed,
    UnknownReference,
    Vote,
    VoteFromAbsentPerson,
    VoteWithoutRight,
    WindowClosed,
    WindowTooShort,
    WrongBody,
)
from communitygov.kernel.aggregate import Decision
from communitygov.kernel.calendars import CALENDAR_DAYS
from communitygov.kernel.periods import PeriodUnit, last_day, period_end
from communitygov.matters.events import (
    DeliberationHeld,
    ImplementationStarted,
    ObjectionRaised,
    ObjectionRuled,
    ResolutionPublicised,
    ResultPublicised,
)
from communitygov.matters.procedure import Constituency, DeliberationStep
from communitygov.matters.records import Channel, Choice, Stance
from communitygov.organisation.bodies import BodyKind
from communitygov.organisation.community import Community
from communitygov.testing import strategies as cgst

S = MatterState

# Every body has at least one member, so every step can both adopt and reject.
COMMUNITIES = cgst.communities(
    party_committee=st.integers(1, 5),
    residents_committee=st.integers(1, 5),
    party_members=st.integers(1, 10),
    representatives=st.integers(3, 12),
    residents=st.integers(1, 12),
    supervision=st.integers(1, 3),
)

# Actions named as the workflow names them (deliberate is adopt / reject, a ruling is
# uphold_objection / dismiss_objection).
ACTIONS = (
    "open_solicitation",
    "record_opinion",
    "close_solicitation",
    "adopt",
    "reject",
    "publicise_resolution",
    "raise_objection",
    "uphold_objection",
    "dismiss_objection",
    "start_implementation",
    "record_progress",
    "complete",
    "publicise_result",
    "close",
    "withdraw",
)

TEXTS = st.sampled_from(["同意加装电梯", "Fix the lift in building 3", "   "])
MICROSECOND = timedelta(microseconds=1)
FLAWS = (
    "no quorum",
    "late papers",
    "papers before the plan",
    "papers for an earlier meeting",
    "wrong body",
    "absent voter",
    "vote without right",
    "contradicting minutes",
)
CLOCKS = (
    ZoneInfo("Asia/Shanghai"),
    UTC,
    timezone(timedelta(hours=-10)),
    timezone(timedelta(hours=14)),
)


class MatterMachine(RuleBasedStateMachine):
    """Drives one matter of a random procedure in a random community."""

    procedure: Procedure
    community: Community
    matter: Matter
    events: list[Event]
    """Every event the matter's commands returned, oldest first: what a store would keep."""
    now: datetime

    def __init__(self) -> None:
        super().__init__()
        self.final_state: str | None = None
        self.opinion_ids = 0

    # --- set-up and helpers ----------------------------------------------------------

    @initialize(
        procedure=cgst.procedures(),
        community=COMMUNITIES,
        delay=st.integers(0, 4320),
        clock=st.sampled_from(CLOCKS),
        data=st.data(),
        fast_forward=st.integers(0, 20),
    )
    def raise_matter(
        self,
        procedure: Procedure,
        community: Community,
        delay: int,
        clock: tzinfo,
        data: st.DataObject,
        fast_forward: int,
    ) -> None:
        self.procedure, self.community = procedure, community
        self.people = sorted(community.people)
        # Commands are dated in a random timezone; the community's own decides the days.
        self.now = cgst.DEFAULT_START.astimezone(clock) + timedelta(minutes=delay)
        self.matter, raised = Matter.raise_matter(
            "m1",
            community=community,
            procedure=procedure,
            title="加装电梯",
            description="Residents of building 3 ask for a lift.",
            source=MotionSource.RESIDENTS,
            raised_by=self.people[0],
            at=self.now,
        )
        self.events = list(raised)
        # Start the random part of the run at a random depth along the happy path.
        for _ in range(fast_forward):
            if self.matter.is_final:
                break
            self.next_valid_command(data)

    @property
    def state(self) -> str:
        return self.matter.state

    def at_step(self) -> bool:
        return self.procedure.is_step(self.state)

    def members(self, body: BodyKind) -> list[str]:
        return sorted(self.community.members_of(body, self.community.local_date(self.now)))

    def without_vote(self, body: BodyKind) -> list[str]:
        return sorted(self.community.without_vote(body, self.community.local_date(self.now)))

    def attempt(
        self,
        command: Callable[[], Decision[Matter]],
        *,
        errors: tuple[type[CommunityGovError], ...] = (),
    ) -> bool:
        """Run ``command``; check a refusal changed nothing, or adopt the new matter.

        With ``errors`` the command must be refused with one of them; a final matter must
        refuse every command; otherwise the command must succeed.
        """
        before = self.matter
        copy = attrs.evolve(before)
        must_fail = bool(errors) or before.is_final
        refusal: CommunityGovError | None = None
        try:
            after, events = command()
        except CommunityGovError as error:
            refusal = error
        if refusal is not None:
            assert self.matter is before
            assert before == copy
            assert before.version == copy.version
            assert before.last_at == copy.last_at
            assert must_fail, f"refused unexpectedly: {refusal!r}"
            if errors:
                assert isinstance(refusal, errors), f"{refusal!r} is not one of {errors}"
            event(f"refused: {type(refusal).__name__}")
            return False
        assert not must_fail, f"accepted although it should fail ({errors}): {events}"
        assert events
        assert after.version == before.version + len(events)
        assert after.last_at == events[-1].at
        assert before.last_at is not None
        assert all(e.at >= before.last_at for e in events)
        self.matter = after
        self.events.extend(events)
        event(f"reached: {after.state if after.state in S.FIXED else 'a step'}")
        return True

    def meeting(
        self,
        data: st.DataObject,
        *,
        outcome: Outcome | None = None,
        quorate: bool = True,
        papers: date | None = None,
    ) -> Meeting:
        """A meeting of the current step's body; its papers, where the step wants them, sent
        on ``papers`` or, by default, the earliest day they can go out (:meth:`papers_since`)."""
        step = self.procedure.step(self.state)
        first = step.key == self.procedure.steps[0].key
        required = first and self.matter.plan_version == 0
        may_amend = first or step.may_amend
        plan: str | None = None
        if required or (may_amend and data.draw(st.booleans(), label="amend")):
            plan = f"plan v{self.matter.plan_version + 1}"
        day = self.community.local_date(self.now)
        return data.draw(
            cgst.meetings(
                self.community,
                step.body,
                day,
                step.rule,
                outcome=outcome,
                quorate=quorate,
                plan=plan,
                papers_sent_on=papers if papers is not None else self.papers_on_time(step),
            ),
            label="meeting",
        )

    def plan_tabled_on(self) -> date:
        """The day the plan on the table was tabled; before any plan, the day the matter was
        raised: papers sent before it were about something else."""
        tabled = [held.at for held in self.matter.deliberations if held.plan is not None]
        return self.community.local_date(tabled[-1] if tabled else self.matter.raised.at)

    def previous_meeting_on(self) -> date | None:
        """The day of the current step's previous meeting, if the matter came back to it:
        papers sent before it went out for that meeting."""
        state = self.state
        held = [h.at for h in self.matter.deliberations if h.step == state]
        return self.community.local_date(held[-1]) if held else None

    def papers_since(self) -> date:
        """The earliest day papers for the current step's meeting can go out: the day the
        plan on the table was tabled, or the step's previous meeting if that is later."""
        previous = self.previous_meeting_on()
        tabled = self.plan_tabled_on()
        return tabled if previous is None else max(tabled, previous)

    def papers_on_time(self, step: DeliberationStep) -> date | None:
        """The earliest day papers about the plan on the table can go out, where the step
        wants them."""
        return None if step.papers_notice is None else self.papers_since()

    def papers_late(self, step: DeliberationStep) -> bool:
        """Whether papers sent on the earliest day they can go out are too late for today's
        meeting."""
        notice = step.papers_notice
        if notice is None:
            return False
        day = self.community.local_date(self.now)
        # Counted as the matter counts it: calendar days as they fall, working days on the
        # procedure's calendar.
        calendar_days = notice.unit is PeriodUnit.CALENDAR_DAYS
        count_on = CALENDAR_DAYS if calendar_days else self.procedure.calendar
        return last_day(self.papers_since(), notice, count_on) > day

    def wait_for_papers(self) -> None:
        """Wait, where the current step wants papers, until papers sent on the earliest day
        they can go out have had their notice."""
        step = self.procedure.step(self.state)
        while self.papers_late(step):
            self.now += timedelta(days=1)

    def deliberate(
        self, meeting: Meeting, errors: tuple[type[CommunityGovError], ...] = ()
    ) -> bool:
        step = self.procedure.step(self.state) if self.at_step() else None
        done = self.attempt(
            lambda: self.matter.deliberate(meeting, community=self.community, at=self.now),
            errors=errors,
        )
        if done and step is not None:
            keys = [s.key for s in self.procedure.steps]
            if meeting.outcome is Outcome.ADOPTED:
                position = keys.index(step.key)
                following = keys[position + 1] if position + 1 < len(keys) else S.RESOLVED
                assert self.state == following
            else:
                assert self.state == (step.on_reject or S.REJECTED)
        return done

    def eligible_people(self, groups: frozenset[Constituency]) -> list[str]:
        return [person for person in self.people if self.eligible(person, groups)]

    def eligible(self, person: str, groups: frozenset[Constituency]) -> bool:
        day = self.community.local_date(self.now)
        return any(
            group.body is None or self.community.is_member(person, group.body, day)
            for group in groups
        )

    # --- time ------------------------------------------------------------------------

    @rule(minutes=st.integers(1, 3 * 24 * 60))
    def wait(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @precondition(lambda self: bool(self.matter.open_deadlines()))
    @rule(offset=st.sampled_from([-MICROSECOND, timedelta(0), timedelta(minutes=1)]))
    def wait_for_the_deadline(self, offset: timedelta) -> None:
        due = self.matter.open_deadlines()[0].due
        self.now = max(self.now, due + offset)

    # --- the happy path, several steps at once, so matters get far --------------------

    @precondition(lambda self: not self.matter.is_final)
    @rule(data=st.data(), steps=st.integers(1, 10))
    def make_progress(self, data: st.DataObject, steps: int) -> None:
        for _ in range(steps):
            if self.matter.is_final:
                return
            self.next_valid_command(data)

    def next_valid_command(self, data: st.DataObject) -> None:
        matter, now = self.matter, self.now
        state = matter.state
        if state == S.RAISED:
            self.attempt(lambda: matter.open_solicitation(at=now))
        elif state == S.SOLICITING:
            closes_at = matter.solicitation_closes_at
            assert closes_at is not None
            authors = self.eligible_people(self.procedure.solicitation.constituencies)
            if now < closes_at and authors and data.draw(st.booleans(), label="an opinion"):
                author = data.draw(st.sampled_from(authors), label="author")
                self.opinion_ids += 1
                opinion = Opinion(
                    f"o{self.opinion_ids}", author, Channel.STOOL_TALK, Stance.SUGGEST, "加装扶手"
                )
                self.attempt(
                    lambda: matter.record_opinion(opinion, community=self.community, at=now)
                )
                return
            self.now = max(now, closes_at)
            self.attempt(lambda: matter.close_solicitation(at=self.now))
        elif self.at_step():
            outcome = data.draw(
                st.sampled_from([Outcome.ADOPTED, Outcome.ADOPTED, Outcome.ADOPTED, None])
            )
            self.wait_for_papers()
            self.deliberate(self.meeting(data, outcome=outcome))
        elif state == S.RESOLVED:
            self.attempt(lambda: matter.publicise_resolution("决议公告", place="公示栏", at=now))
        elif state == S.RESOLUTION_PUBLICITY:
            resolution = matter.resolution
            assert resolution is not None
            pending = matter.pending_objections()
            if pending:
                body = self.procedure.resolution_publicity.ruling_body
                seated = self.community.members_of(body, self.community.local_date(now))
                may_rule = sorted(seated - {pending[0].by})
                ruled_by = may_rule[: len(may_rule) // 2 + 1]  # a majority of them, that day
                if not may_rule:  # the objector is the only member: nobody may rule
                    return
                upheld = data.draw(st.booleans(), label="upheld")
                self.attempt(
                    lambda: matter.rule_on_objection(
                        pending[0].id,
                        upheld=upheld,
                        ruling="成立" if upheld else "不成立",
                        ruled_by=ruled_by,
                        place="公示栏",
                        community=self.community,
                        at=now,
                    )
                )
                return
            objectors = self.eligible_people(self.procedure.resolution_publicity.objectors)
            if now < resolution.ends_at and objectors and data.draw(st.booleans(), label="object"):
                by = data.draw(st.sampled_from(objectors), label="objector")
                objection_id = f"x{len(matter.objections) + 1}"
                self.attempt(
                    lambda: matter.raise_objection(
                        objection_id, by=by, text="噪音扰民", community=self.community, at=now
                    )
                )
                return
            self.now = max(now, resolution.ends_at)
            self.attempt(
                lambda: matter.start_implementation(
                    by=self.people[0], community=self.community, at=self.now
                )
            )
        elif state == S.IMPLEMENTING:
            if data.draw(st.booleans(), label="more progress"):
                self.attempt(
                    lambda: matter.record_progress(
                        "进展", by=self.people[0], community=self.community, at=now
                    )
                )
            else:
                self.attempt(lambda: matter.complete("完工", cost_fen=120_000, at=now))
        elif state == S.COMPLETED:
            self.attempt(lambda: matter.publicise_result("结果公告", place="公示栏", at=now))
        elif state == S.RESULT_PUBLICITY:
            assert matter.result is not None
            self.now = max(now, matter.result.ends_at)
            self.attempt(lambda: matter.close(at=self.now))

    # --- solicitation ----------------------------------------------------------------

    @precondition(lambda self: self.state == S.RAISED)
    @rule(extra_days=st.none() | st.integers(-3, 20))
    def open_solicitation(self, extra_days: int | None) -> None:
        closes_at = None
        if extra_days is not None:
            # Periods are counted on the community's calendar dates.
            local = self.now.astimezone(ZoneInfo(self.community.timezone))
            minimum = self.procedure.solicitation.minimum
            earliest = period_end(local, minimum, self.procedure.calendar)
            closes_at = earliest + timedelta(days=extra_days)
        errors = (WindowTooShort,) if extra_days is not None and extra_days < 0 else ()
        self.attempt(
            lambda: self.matter.open_solicitation(at=self.now, closes_at=closes_at), errors=errors
        )

    @precondition(lambda self: self.state == S.SOLICITING)
    @rule(data=st.data(), text=TEXTS, reuse_id=st.booleans())
    def record_opinion(self, data: st.DataObject, text: str, reuse_id: bool) -> None:
        author = data.draw(st.sampled_from([*self.people, "stranger"]), label="author")
        known = [opinion.id for opinion in self.matter.opinions]
        if reuse_id and known:
            opinion_id = data.draw(st.sampled_from(known), label="opinion id")
        else:
            self.opinion_ids += 1
            opinion_id = f"o{self.opinion_ids}"
        opinion = Opinion(opinion_id, author, Channel.HOUSEHOLD_VISIT, Stance.SUPPORT, text)
        closes_at = self.matter.solicitation_closes_at
        assert closes_at is not None
        errors: tuple[type[CommunityGovError], ...] = ()
        if self.now >= closes_at:
            errors = (WindowClosed,)
        elif opinion_id in known:
            errors = (DuplicateId,)
        elif not text.strip():
            errors = (EmptyField,)
        elif author not in self.community.people:
            errors = (UnknownReference,)
        elif not self.eligible(author, self.procedure.solicitation.constituencies):
            errors = (NotEligible,)
        self.attempt(
            lambda: self.matter.record_opinion(opinion, community=self.community, at=self.now),
            errors=errors,
        )

    @precondition(lambda self: self.state == S.SOLICITING)
    @rule()
    def close_solicitation(self) -> None:
        closes_at = self.matter.solicitation_closes_at
        assert closes_at is not None
        errors = (PeriodNotElapsed,) if self.now < closes_at else ()
        self.attempt(lambda: self.matter.close_solicitation(at=self.now), errors=errors)

    # --- deliberation ----------------------------------------------------------------

    @precondition(lambda self: self.at_step())
    @rule(data=st.data())
    def deliberate_valid_meeting(self, data: st.DataObject) -> None:
        # Valid but for its papers where the plan was tabled too recently for their notice.
        step = self.procedure.step(self.state)
        late = (PapersNotSentInTime,) if self.papers_late(step) else ()
        self.deliberate(self.meeting(data), errors=late)

    @precondition(lambda self: self.at_step())
    @rule(data=st.data(), flaw=st.sampled_from(FLAWS))
    def deliberate_invalid_meeting(self, data: st.DataObject, flaw: str) -> None:
        self.wait_for_papers()  # so that the flaw is the meeting's only one
        step = self.procedure.step(self.state)
        if flaw == "no quorum":
            self.deliberate(self.meeting(data, quorate=False), errors=(QuorumNotMet,))
        elif flaw == "late papers" and step.papers_notice is not None:
            today = self.community.local_date(self.now)
            self.deliberate(self.meeting(data, papers=today), errors=(PapersNotSentInTime,))
        elif flaw == "papers before the plan" and step.papers_notice is not None:
            before = self.plan_tabled_on() - timedelta(days=1)
            self.deliberate(self.meeting(data, papers=before), errors=(PapersBeforePlan,))
        elif (
            flaw == "papers for an earlier meeting"
            and step.papers_notice is not None
            and self.papers_since() > self.plan_tabled_on()
        ):
            before = self.papers_since() - timedelta(days=1)
            self.deliberate(self.meeting(data, papers=before), errors=(PapersForEarlierMeeting,))
        elif flaw == "wrong body":
            meeting = self.meeting(data)
            other = data.draw(st.sampled_from([b for b in cgst.STEP_BODIES if b is not step.body]))
            self.deliberate(attrs.evolve(meeting, body=other), errors=(WrongBody,))
        elif flaw == "absent voter":
            meeting = self.meeting(data)
            absent = [person for person in self.people if person not in meeting.present]
            voter = data.draw(st.sampled_from(absent), label="absent") if absent else "stranger"
            votes = list(meeting.votes)
            if len(votes) == len(meeting.present) and votes:
                votes.pop()
            votes.append(Vote(voter, Choice.YES))
            self.deliberate(
                attrs.evolve(meeting, votes=votes),
                errors=(VoteFromAbsentPerson, MoreVotesThanPresent),
            )
        elif flaw == "vote without right" and self.without_vote(step.body):
            # A probationary party member who came casts a vote, in place of one who has one.
            meeting = self.meeting(data)
            probationary = data.draw(st.sampled_from(self.without_vote(step.body)))
            votes = list(meeting.votes)
            if len(votes) == len(meeting.present) and votes:
                votes.pop()
            votes.append(Vote(probationary, Choice.YES))
            present = meeting.present | {probationary}
            self.deliberate(
                attrs.evolve(meeting, present=present, votes=votes), errors=(VoteWithoutRight,)
            )
        else:  # minutes that contradict the vote
            meeting = self.meeting(data)
            if meeting.outcome is Outcome.ADOPTED:
                flipped, error = Outcome.REJECTED, DecisionContradictsVote
            else:
                flipped, error = Outcome.ADOPTED, ThresholdNotReached
            self.deliberate(attrs.evolve(meeting, outcome=flipped), errors=(error,))

    # --- the resolution notice and objections ----------------------------------------

    @precondition(lambda self: self.state == S.RESOLVED)
    @rule(text=TEXTS)
    def publicise_resolution(self, text: str) -> None:
        errors = () if text.strip() else (EmptyField,)
        self.attempt(
            lambda: self.matter.publicise_resolution(text, place="公示栏", at=self.now),
            errors=errors,
        )
        if self.state == S.RESOLUTION_PUBLICITY:
            assert self.matter.resolution is not None
            assert self.matter.resolution.ends_at > self.now
            # A new notice starts with no objections of its own; earlier ones are kept.
            assert not self.matter.pending_objections()
            assert all(o.round < self.matter.publicity_round for o in self.matter.objections)

    @precondition(lambda self: self.state == S.RESOLUTION_PUBLICITY)
    @rule(data=st.data(), text=TEXTS, reuse_id=st.booleans())
    def raise_objection(self, data: st.DataObject, text: str, reuse_id: bool) -> None:
        by = data.draw(st.sampled_from([*self.people, "stranger"]), label="objector")
        known = [objection.id for objection in self.matter.objections]
        objection_id = (
            data.draw(st.sampled_from(known)) if reuse_id and known else f"x{len(known) + 1}"
        )
        resolution = self.matter.resolution
        assert resolution is not None
        errors: tuple[type[CommunityGovError], ...] = ()
        if self.now >= resolution.ends_at:
            errors = (WindowClosed,)
        elif objection_id in known:
            errors = (DuplicateId,)
        elif not text.strip():
            errors = (EmptyField,)
        elif by not in self.community.people:
            errors = (UnknownReference,)
        elif not self.eligible(by, self.procedure.resolution_publicity.objectors):
            errors = (NotEligible,)
        self.attempt(
            lambda: self.matter.raise_objection(
                objection_id, by=by, text=text, community=self.community, at=self.now
            ),
            errors=errors,
        )

    @precondition(lambda self: self.state == S.RESOLUTION_PUBLICITY)
    @rule(data=st.data(), upheld=st.booleans(), outsider=st.booleans())
    def rule_on_objection(self, data: st.DataObject, upheld: bool, outsider: bool) -> None:
        objections = {objection.id: objection for objection in self.matter.objections}
        objection_id = data.draw(st.sampled_from([*sorted(objections), "x-unknown"]))
        body = self.procedure.resolution_publicity.ruling_body
        members = self.members(body)
        ruled_by = set(data.draw(st.lists(st.sampled_from(members), min_size=1, unique=True)))
        strangers = [person for person in self.people if person not in members]
        if outsider and strangers:
            ruled_by.add(data.draw(st.sampled_from(strangers), label="outsider"))
        errors: tuple[type[CommunityGovError], ...] = ()
        if objection_id not in objections:
            errors = (UnknownReference,)
        elif not objections[objection_id].pending:
            errors = (ObjectionAlreadyRuled,)
        elif objections[objection_id].round != self.matter.publicity_round:
            errors = (ObjectionSuperseded,)
        elif objections[objection_id].by in ruled_by:
            errors = (SamePerson,)
        elif not ruled_by <= set(members):
            errors = (NotAMember,)
        else:  # a majority of those who may rule, the objector standing aside
            may_rule = len(set(members) - {objections[objection_id].by})
            count = Tally(
                members=may_rule, should_attend=may_rule, present=len(ruled_by), yes=len(ruled_by)
            )
            if not self.procedure.resolution_publicity.ruling_rule.evaluate(count).passed:
                errors = (QuorumNotMet, ThresholdNotReached)
        done = self.attempt(
            lambda: self.matter.rule_on_objection(
                objection_id,
                upheld=upheld,
                ruling="成立" if upheld else "不成立",
                ruled_by=ruled_by,
                place="公示栏",
                community=self.community,
                at=self.now,
            ),
            errors=errors,
        )
        if done:
            expected = self.procedure.resolution_publicity.upheld_returns_to
            assert self.state == (expected if upheld else S.RESOLUTION_PUBLICITY)

    @precondition(lambda self: self.state == S.RESOLUTION_PUBLICITY)
    @rule()
    def start_implementation(self) -> None:
        resolution = self.matter.resolution
        assert resolution is not None
        errors: tuple[type[CommunityGovError], ...] = ()
        if self.now < resolution.ends_at:
            errors = (PeriodNotElapsed,)
        elif self.matter.pending_objections():
            errors = (ObjectionsPending,)
        self.attempt(
            lambda: self.matter.start_implementation(
                by=self.people[0], community=self.community, at=self.now
            ),
            errors=errors,
        )

    # --- implementation and the result -----------------------------------------------

    @precondition(lambda self: self.state == S.IMPLEMENTING)
    @rule(text=TEXTS)
    def record_progress(self, text: str) -> None:
        errors = () if text.strip() else (EmptyField,)
        self.attempt(
            lambda: self.matter.record_progress(
                text, by=self.people[0], community=self.community, at=self.now
            ),
            errors=errors,
        )

    @precondition(lambda self: self.state == S.IMPLEMENTING)
    @rule(text=TEXTS, cost=st.integers(-100, 10**9))
    def complete(self, text: str, cost: int) -> None:
        errors: tuple[type[CommunityGovError], ...] = ()
        if not text.strip():
            errors = (EmptyField,)
        elif cost < 0:
            errors = (InvalidCount,)
        self.attempt(lambda: self.matter.complete(text, cost_fen=cost, at=self.now), errors=errors)

    @precondition(lambda self: self.state == S.COMPLETED)
    @rule(text=TEXTS)
    def publicise_result(self, text: str) -> None:
        errors = () if text.strip() else (EmptyField,)
        self.attempt(
            lambda: self.matter.publicise_result(text, place="公示栏", at=self.now),
            errors=errors,
        )

    @precondition(lambda self: self.state == S.RESULT_PUBLICITY)
    @rule()
    def close(self) -> None:
        result = self.matter.result
        assert result is not None
        errors = (PeriodNotElapsed,) if self.now < result.ends_at else ()
        self.attempt(lambda: self.matter.close(at=self.now), errors=errors)

    # A blank reason three times in four: withdrawing for real ends the run, so it is rarer.
    # Now and then by someone the register does not hold.
    @rule(
        reason=st.sampled_from([" ", "  ", "\t", "群众意见分歧较大"]),
        stranger=st.sampled_from([False, False, False, True]),
    )
    def withdraw(self, reason: str, stranger: bool) -> None:
        allowed = self.procedure.workflow.can(self.state, "withdraw")
        by = "stranger" if stranger else self.people[0]
        errors: tuple[type[CommunityGovError], ...] = ()
        if not allowed:
            errors = (TransitionNotAllowed,)
        elif not reason.strip():
            errors = (EmptyField,)
        elif stranger:
            errors = (UnknownReference,)
        self.attempt(
            lambda: self.matter.withdraw(reason, by=by, community=self.community, at=self.now),
            errors=errors,
        )

    # --- commands that must be refused -----------------------------------------------

    def command(self, action: str, at: datetime) -> Callable[[], Decision[Matter]]:
        """A call of ``action`` with plausible arguments."""
        matter, community, person = self.matter, self.community, self.people[0]
        body = self.procedure.steps[0].body
        commands: dict[str, Callable[[], Decision[Matter]]] = {
            "open_solicitation": lambda: matter.open_solicitation(at=at),
            "record_opinion": lambda: matter.record_opinion(
                Opinion("o-poke", person, Channel.OTHER, Stance.NEUTRAL, "意见"),
                community=community,
                at=at,
            ),
            "close_solicitation": lambda: matter.close_solicitation(at=at),
            "adopt": lambda: matter.deliberate(
                Meeting(body=body, present=(), votes=(), outcome=Outcome.ADOPTED),
                community=community,
                at=at,
            ),
            "reject": lambda: matter.deliberate(
                Meeting(body=body, present=(), votes=(), outcome=Outcome.REJECTED),
                community=community,
                at=at,
            ),
            "publicise_resolution": lambda: matter.publicise_resolution("公告", place="栏", at=at),
            "raise_objection": lambda: matter.raise_objection(
                "x-poke", by=person, text="异议", community=community, at=at
            ),
            "uphold_objection": lambda: matter.rule_on_objection(
                "x1",
                upheld=True,
                ruling="成立",
                ruled_by=[person],
                place="栏",
                community=community,
                at=at,
            ),
            "dismiss_objection": lambda: matter.rule_on_objection(
                "x1",
                upheld=False,
                ruling="不成立",
                ruled_by=[person],
                place="栏",
                community=community,
                at=at,
            ),
            "start_implementation": lambda: matter.start_implementation(
                by=person, community=self.community, at=at
            ),
            "record_progress": lambda: matter.record_progress(
                "进展", by=person, community=self.community, at=at
            ),
            "complete": lambda: matter.complete("完工", cost_fen=1, at=at),
            "publicise_result": lambda: matter.publicise_result("结果", place="栏", at=at),
            "close": lambda: matter.close(at=at),
            "withdraw": lambda: matter.withdraw("撤回", by=person, community=self.community, at=at),
        }
        return commands[action]

    @rule(data=st.data(), back=st.sampled_from([None, MICROSECOND, timedelta(days=1)]))
    def command_that_must_be_refused(self, data: st.DataObject, back: timedelta | None) -> None:
        """An action the state does not allow, or any action dated before the last record."""
        if back is None:
            workflow = self.procedure.workflow
            refused = [action for action in ACTIONS if not workflow.can(self.state, action)]
            action = data.draw(st.sampled_from(refused), label="action")
            self.attempt(self.command(action, self.now), errors=(TransitionNotAllowed,))
        else:
            action = data.draw(st.sampled_from(ACTIONS), label="action")
            last = self.matter.last_at
            assert last is not None
            self.attempt(self.command(action, last - back), errors=(TimeWentBackwards,))

    @precondition(lambda self: self.matter.is_final)
    @rule()
    def every_command_is_refused_once_final(self) -> None:
        for action in ACTIONS:
            self.attempt(self.command(action, self.now), errors=(TransitionNotAllowed,))

    # --- invariants ------------------------------------------------------------------

    @invariant()
    def state_is_a_workflow_state(self) -> None:
        assert self.state in self.procedure.workflow.states
        assert self.matter.version == len(self.events)
        assert self.matter.last_at == self.events[-1].at
        assert self.matter.is_final == (self.state in S.TERMINAL)
        assert self.matter.is_final == (not self.matter.allowed_actions())

    @invariant()
    def replay_rebuilds_the_matter(self) -> None:
        assert Matter.replay(self.events, self.procedure) == self.matter

    @invariant()
    def terminal_states_stay_terminal(self) -> None:
        if self.final_state is not None:
            assert self.state == self.final_state
        elif self.matter.is_final:
            self.final_state = self.state

    @invariant()
    def implementation_waits_for_the_notice_and_objections(self) -> None:
        ends_at: datetime | None = None
        pending: set[str] = set()
        for record in self.events:
            if isinstance(record, ResolutionPublicised):
                ends_at, pending = record.ends_at, set()
            elif isinstance(record, ObjectionRaised):
                pending.add(record.objection_id)
            elif isinstance(record, ObjectionRuled):
                pending.discard(record.objection_id)
            elif isinstance(record, ImplementationStarted):
                assert ends_at is not None
                assert record.at >= ends_at
                assert not pending

    @invariant()
    def objections_belong_to_the_notice_they_were_raised_against(self) -> None:
        notices = 0
        rounds: dict[str, int] = {}
        ruled: set[str] = set()
        posted = 0
        for record in self.events:
            if isinstance(record, ResolutionPublicised | ResultPublicised):
                notices += isinstance(record, ResolutionPublicised)
                posted += 1
            elif isinstance(record, ObjectionRaised):
                assert record.objection_id not in rounds  # unique over the whole matter
                rounds[record.objection_id] = notices
            elif isinstance(record, ObjectionRuled):
                assert record.objection_id not in ruled
                ruled.add(record.objection_id)
                posted += 1
        matter = self.matter
        assert matter.publicity_round == notices
        assert [(o.id, o.round, not o.pending) for o in matter.objections] == [
            (objection_id, round_, objection_id in ruled) for objection_id, round_ in rounds.items()
        ]
        # Only while a notice is up do objections to it await a ruling.
        assert {o.id for o in matter.pending_objections()} == {
            objection_id
            for objection_id, round_ in rounds.items()
            if round_ == notices
            and objection_id not in ruled
            and matter.state == S.RESOLUTION_PUBLICITY
        }
        assert len(matter.notices()) == posted

    @invariant()
    def every_recorded_vote_satisfies_its_rule(self) -> None:
        for record in self.events:
            if not isinstance(record, DeliberationHeld):
                continue
            # Those without a vote (probationary party members) count in none of the numbers.
            assert record.without_vote <= record.members
            assert not {vote.person_id for vote in record.votes} & record.without_vote
            voting = record.members - record.without_vote
            yes = sum(vote.choice is Choice.YES for vote in record.votes)
            no = sum(vote.choice is Choice.NO for vote in record.votes)
            tally = Tally(
                members=len(voting),
                should_attend=len(record.expected & voting),
                present=len(record.present & voting),
                yes=yes,
                no=no,
                abstain=len(record.votes) - yes - no,
            )
            assert record.tally() == tally
            outcome = self.procedure.step(record.step).rule.evaluate(tally)
            assert outcome.quorum_met
            assert outcome.passed == (record.outcome is Outcome.ADOPTED)
            assert record.present <= record.expected <= record.members
            assert {vote.person_id for vote in record.votes} <= record.present


TestMatterMachine = MatterMachine.TestCase
# max_examples comes from the active profile (dev or ci); the number of steps is capped.
TestMatterMachine.settings = settings(stateful_step_count=30)
