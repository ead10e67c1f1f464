"""The rules a deliberation meeting must satisfy before its outcome can be recorded.

Who may sit, who came, who voted and how: the checks run in the order a secretary would read the
minutes, and the first broken rule is raised with its numbers. The quorum and the pass threshold
come from the step's :class:`~communitygov.kernel.voting.VotingRule`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from communitygov.errors import (
    AmendmentNotAllowed,
    DecisionContradictsVote,
    MoreVotesThanPresent,
    NotAMember,
    NotApplicable,
    NotExcused,
    PapersAfterMeeting,
    PapersBeforePlan,
    PapersForEarlierMeeting,
    PapersNotSentInTime,
    PlanRequired,
    PlanVersionMismatch,
    PresentNotExpected,
    VotedTwice,
    VoteFromAbsentPerson,
    VoteWithoutRight,
    WrongBody,
)
from communitygov.kernel.calendars import CALENDAR_DAYS, Calendar
from communitygov.kernel.checks import require_date, require_text, shows_something
from communitygov.kernel.periods import Period, PeriodUnit, last_day
from communitygov.matters.events import DeliberationHeld, vote_tally
from communitygov.matters.procedure import DeliberationStep
from communitygov.matters.records import Meeting, Outcome
from communitygov.organisation.community import Community

__all__ = ["check_meeting"]


def check_meeting(
    meeting: Meeting,
    *,
    at: datetime,
    step: DeliberationStep,
    first_step: bool,
    community: Community,
    day: date,
    plan_version: int,
    plan_since: date,
    calendar: Calendar,
    previous_on: date | None = None,
) -> DeliberationHeld:
    """Check a meeting against its step and return the event that records it.

    Args:
        meeting: the minutes.
        at: when the meeting is recorded.
        step: the step the matter is at.
        first_step: whether this step puts the plan on the table.
        community: the community, for who sat on the body on ``day``.
        day: the day of the meeting.
        plan_version: the matter's current plan version (0 before any plan).
        plan_since: the day that version was tabled (the day the matter was raised, before
            any plan): papers sent before it were about something else.
        calendar: the procedure's calendar, for papers due in working days.
        previous_on: the day of the step's previous meeting, if the matter came back to the
            step since: papers sent before it went out for that meeting.

    Raises:
        NotYetRegistered: someone expected was registered after ``at``.
        NotExcused: a member is left out of those expected with no excusal recorded.
        NotApplicable: someone is both expected and excused, or the minutes end the matter
            (``ends_matter``) where they adopted the plan or where the step sends every
            rejection back.
        WrongBody, NotAMember, PresentNotExpected, MoreVotesThanPresent, VotedTwice,
        VoteFromAbsentPerson, VoteWithoutRight, PlanRequired, AmendmentNotAllowed,
        PlanVersionMismatch, PapersNotSentInTime, PapersBeforePlan, PapersForEarlierMeeting,
        PapersAfterMeeting,
        QuorumNotMet,
        ThresholdNotReached,
        DecisionContradictsVote.
        WrongType: the minutes, the reason or the plan is not text, or the papers' day not a
            date (the meeting is known to be a :class:`Meeting`, which checks who came and
            voted when it is made).
    """
    require_text(meeting.minutes, "minutes", blank=True)
    require_text(meeting.reason, "reason", blank=True)
    if meeting.plan is not None:
        require_text(meeting.plan, "plan", blank=True)
    if meeting.papers_sent_on is not None:
        require_date(meeting.papers_sent_on, "papers sent on")
    if meeting.ends_matter:
        _require_may_end(meeting, step)
    body = step.body
    if meeting.body is not body:
        raise WrongBody(step.key, body.en, meeting.body.en)
    members = community.members_of(body, day)
    excused = {excusal.person_id: excusal.reason for excusal in meeting.excused}
    for person in sorted(excused.keys() - members):
        raise NotAMember(person, body.en, day)
    if meeting.expected is not None:
        expected = meeting.expected
    else:  # the very set of members where nobody is excused: kept once, not twice
        expected = members - excused.keys() if excused else members
    for person in sorted(expected - members):
        raise NotAMember(person, body.en, day)
    for person in sorted(expected & excused.keys()):
        raise NotApplicable("excused", person, "they are among those expected")
    without_vote = community.without_vote(body, day)
    # Those without a vote count in none of the numbers: leaving them out needs no excusal.
    for person in sorted(members - expected - excused.keys() - without_vote):
        raise NotExcused(person, body.en, day)
    for person in sorted(meeting.present - expected):
        if person not in members:
            raise NotAMember(person, body.en, day)
        raise PresentNotExpected(person, body.en)
    for person in sorted(expected):
        community.person(person, by=at)
    votes = meeting.votes
    if len(votes) > len(meeting.present):
        raise MoreVotesThanPresent(len(votes), len(meeting.present))
    counts = Counter(vote.person_id for vote in votes)
    for person, times in counts.items():
        if times > 1:
            raise VotedTwice(person, times)
        if person not in meeting.present:
            raise VoteFromAbsentPerson(person)
        if person in without_vote:
            raise VoteWithoutRight(person, body.en, day)

    version_on_table = plan_version if meeting.plan_version is None else meeting.plan_version
    if version_on_table != plan_version:
        raise PlanVersionMismatch(version_on_table, plan_version)
    if meeting.plan is not None and not shows_something(meeting.plan):
        raise PlanRequired(step.key)
    if first_step and plan_version == 0 and meeting.plan is None:
        raise PlanRequired(step.key)
    if meeting.plan is not None and not (first_step or step.may_amend):
        raise AmendmentNotAllowed(step.key)

    sent = meeting.papers_sent_on
    if sent is not None and sent > day:
        raise PapersAfterMeeting(body.en, sent, day)
    if step.papers_notice is not None:
        notice = step.papers_notice
        count_on = CALENDAR_DAYS if notice.unit is PeriodUnit.CALENDAR_DAYS else calendar
        if sent is None or last_day(sent, notice, count_on) > day:
            raise PapersNotSentInTime(
                body.en, sent, _latest_sending_day(day, notice, count_on), str(notice)
            )
    if sent is not None and sent < plan_since:
        raise PapersBeforePlan(body.en, sent, plan_version, plan_since)
    if sent is not None and previous_on is not None and sent < previous_on:
        raise PapersForEarlierMeeting(body.en, sent, previous_on)

    tally = vote_tally(members, expected, meeting.present, votes, without_vote)
    if meeting.outcome is Outcome.ADOPTED:
        step.rule.require_passed(tally, body.en)
    elif step.rule.check(tally, body.en).passed:
        raise DecisionContradictsVote(body.en, meeting.outcome.value, tally.yes)

    return DeliberationHeld(
        at=at,
        step=step.key,
        body=body,
        members=members,
        expected=expected,
        present=meeting.present,
        votes=votes,
        outcome=meeting.outcome,
        plan_version=plan_version + (meeting.plan is not None),
        minutes=meeting.minutes,
        plan=meeting.plan,
        papers_sent_on=meeting.papers_sent_on,
        reason=meeting.reason,
        excused=meeting.excused,
        without_vote=without_vote,
        # Recorded where it decided something: a step without on_reject ends every rejection.
        ends_matter=meeting.ends_matter and step.on_reject is not None,
    )


def _require_may_end(meeting: Meeting, step: DeliberationStep) -> None:
    """Refuse minutes that end the matter where they cannot.

    Raises:
        NotApplicable: the meeting adopted the plan, or the step sends every rejection back.
    """
    if meeting.outcome is Outcome.ADOPTED:
        raise NotApplicable("ends_matter", True, "the meeting adopted the plan")
    if step.on_reject is not None and not step.rejection_may_end:
        raise NotApplicable(
            "ends_matter",
            True,
            f"a rejection at {step.key!r} sends the matter back to {step.on_reject!r}; the "
            "procedure lets no rejection there end it",
        )


def _latest_sending_day(day: date, notice: Period, calendar: Calendar) -> date:
    """The last day papers could go out and still give ``notice`` before ``day``: the first
    day Python holds, where that is too late as well."""
    try:
        candidate = day - timedelta(days=notice.count)
        while last_day(candidate, notice, calendar) > day:
            candidate -= timedelta(days=1)
    except OverflowError:  # before the first day Python holds
        return date.min
    return candidate
