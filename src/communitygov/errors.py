"""The library's exceptions: one root, :class:`CommunityGovError`, and a tree under it.

Every error carries the facts that caused it as attributes (what was asked, the state, the
numbers) and a message a community worker can read. A rejected command never changes the
aggregate it was called on, nor the store.

The tree::

    CommunityGovError
    ├── DefinitionError                 a malformed procedure, rule or template
    ├── CalendarError
    │   └── CalendarDataUnavailable     a date outside the years a calendar knows
    ├── CommandRejected                 a command refused; nothing changed
    │   ├── TransitionNotAllowed        the action is not allowed in the current state
    │   ├── InvalidInput                a malformed argument
    │   │   ├── EmptyField
    │   │   ├── IdTooLong               an aggregate's id longer than every store keeps
    │   │   ├── UnstorableText          a text with a NUL or a lone surrogate, which no store keeps
    │   │   ├── NaiveDatetime
    │   │   ├── TimeOutOfRange          a time outside 0001-01-02 00:00 to 9999-12-30 00:00 UTC
    │   │   ├── PeriodOutOfRange        a period that would end after 9999-12-30 00:00 UTC
    │   │   ├── DuplicateId
    │   │   ├── InvalidCount
    │   │   ├── NotApplicable           an argument the command cannot apply as things stand
    │   │   ├── NoSeats
    │   │   ├── WrongCommunity
    │   │   ├── StagesMismatch          a plan's design does not follow its template
    │   │   ├── ReviewDateTooEarly
    │   │   ├── ReviewDateTooLate       a review date past what a deadline can be kept for
    │   │   ├── ActivityInFuture
    │   │   ├── InvalidAmount           a malformed, non-positive or non-integer amount of money
    │   │   ├── CurrencyMismatch        amounts in two currencies added, compared or booked
    │   │   ├── FuturePeriod            a period reconciled before it has ended
    │   │   ├── PeriodBeforeOpening     a period reconciled before the fund opened
    │   │   └── PeriodTooLate           a period after the last one a fund keeps
    │   ├── TimeWentBackwards
    │   ├── UnknownReference            an id the aggregate does not know
    │   ├── NotYetRegistered            someone named before the register knew them
    │   └── RuleViolation               a governance rule broken
    │       ├── QuorumNotMet, ThresholdNotReached, DecisionContradictsVote
    │       ├── PeriodNotElapsed, WindowClosed, WindowTooShort, PapersNotSentInTime
    │       ├── PapersBeforePlan        papers dated before the plan they were about existed
    │       ├── PapersAfterMeeting      papers dated after the meeting they were for
    │       ├── PapersForEarlierMeeting papers dated before the step's previous meeting
    │       ├── NotAMember, NotEligible, WrongBody, SamePerson
    │       ├── VotedTwice, MoreVotesThanPresent, VoteFromAbsentPerson, PresentNotExpected
    │       ├── VoteWithoutRight        a vote from a member without one (预备党员)
    │       ├── NotExcused              a member left out of those expected with no excusal
    │       ├── AmendmentNotAllowed, PlanRequired, PlanVersionMismatch
    │       ├── ObjectionsPending, ObjectionAlreadyRuled, ObjectionSuperseded
    │       ├── MatterNotAdopted        the adopting matter's resolution is not in effect
    │       ├── MatterConcernsAnother   the adopting matter was raised about something else
    │       ├── DesignAfterDecision     a plan's design revised after its matter decided on it
    │       ├── NotOnCaseTeam, TooFewReviewers, CaseTeamTooSmall, ReviewNotDue
    │       ├── NotCurrentStage (StageSkipped under it), SetbackNotEarlier, GoalsUnmet
    │       ├── ActivityBeforeAdoption, ActivityDuringSuspension
    │       ├── PlanNotInEffect         a fund opened for a plan not adopted yet, or finished
    │       ├── ConsentAlreadyWithdrawn nothing is recorded after consent is withdrawn
    │       ├── NoPublishConsent        consent to publish withdrawn when none is on record
    │       ├── InvalidConsent          a consent given by someone else, or dated later
    │       ├── NearRelativeInRole, NotRoleHolder, OwnEntry, OwnCount  fund roles; maker–checker
    │       │   (EntryByRelative under NearRelativeInRole: an entry a relative recorded, booked)
    │       └── EntryAlreadyChecked, PeriodClosed, InsufficientFunds, EntriesPending, NotReversible
    ├── PersistenceError
    │   ├── ConcurrencyConflict (StreamExists under it), NotFound, IntegrityViolation
    │   ├── DecodeError (UnknownProcedure under it: a stored matter's procedure not given)
    │   ├── StoreUnavailable
    │   └── StoreReadOnly               an append asked of a store opened read-only
    └── MissingExtra                    an optional extra is not installed (also an ImportError)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from fractions import Fraction
from typing import Any

__all__ = [
    "ActivityBeforeAdoption",
    "ActivityDuringSuspension",
    "ActivityInFuture",
    "AmendmentNotAllowed",
    "CalendarDataUnavailable",
    "CalendarError",
    "CaseTeamTooSmall",
    "CommandIdInUse",
    "CommandRejected",
    "CommunityGovError",
    "ConcurrencyConflict",
    "ConsentAlreadyWithdrawn",
    "CurrencyMismatch",
    "DecisionContradictsVote",
    "DecodeError",
    "DefinitionError",
    "DesignAfterDecision",
    "DuplicateId",
    "EmptyField",
    "EntriesPending",
    "EntryAlreadyChecked",
    "EntryByRelative",
    "FuturePeriod",
    "GoalsUnmet",
    "IdTooLong",
    "InsufficientFunds",
    "IntegrityViolation",
    "InvalidAmount",
    "InvalidConsent",
    "InvalidCount",
    "InvalidInput",
    "MalformedDecision",
    "MalformedRequest",
    "MatterConcernsAnother",
    "MatterNotAdopted",
    "MissingExtra",
    "MorePresentThanExpected",
    "MoreThanMembers",
    "MoreVotesThanPresent",
    "NaiveDatetime",
    "NearRelativeInRole",
    "NoPublishConsent",
    "NoSeats",
    "NotAMember",
    "NotApplicable",
    "NotCurrentStage",
    "NotEligible",
    "NotExcused",
    "NotFound",
    "NotOnCaseTeam",
    "NotReversible",
    "NotRoleHolder",
    "NotYetRegistered",
    "ObjectionAlreadyRuled",
    "ObjectionSuperseded",
    "ObjectionsPending",
    "OwnCount",
    "OwnEntry",
    "PapersAfterMeeting",
    "PapersBeforePlan",
    "PapersForEarlierMeeting",
    "PapersNotSentInTime",
    "PeriodBeforeOpening",
    "PeriodClosed",
    "PeriodNotElapsed",
    "PeriodOutOfRange",
    "PeriodTooLate",
    "PersistenceError",
    "PlanNotInEffect",
    "PlanRequired",
    "PlanVersionMismatch",
    "PresentNotExpected",
    "QuorumNotMet",
    "ReviewDateTooEarly",
    "ReviewDateTooLate",
    "ReviewNotDue",
    "RuleViolation",
    "SamePerson",
    "SetbackNotEarlier",
    "StageSkipped",
    "StagesMismatch",
    "StoreReadOnly",
    "StoreUnavailable",
    "StreamExists",
    "ThresholdNotReached",
    "TimeOutOfRange",
    "TimeWentBackwards",
    "TooFewReviewers",
    "TransitionNotAllowed",
    "UnknownProcedure",
    "UnknownReference",
    "UnstorableText",
    "VoteFromAbsentPerson",
    "VoteWithoutRight",
    "VotedTwice",
    "WindowClosed",
    "WindowTooShort",
    "WrongBody",
    "WrongCommunity",
    "WrongType",
]


def _a(word: str) -> str:
    """``word`` after its indefinite article: "an int", "a str", "a UUID", "an HTTPError"."""
    if word[:2].isupper():  # an acronym, read letter by letter
        return f"{'an' if word[0] in 'AEFHILMNORSX' else 'a'} {word}"
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _shown(value: object) -> str:
    """``repr(value)``, or a description where Python refuses to write it out (a whole
    number of more digits than ``sys.get_int_max_str_digits()`` allows)."""
    try:
        return repr(value)
    except ValueError:
        if isinstance(value, int):
            sign = "a negative" if value < 0 else "a"
            return f"<{sign} whole number of {value.bit_length():,} bits>"
        return f"<a {type(value).__name__}>"


def _fraction(value: Fraction) -> str:
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


class CommunityGovError(Exception):
    """The root of every error this library raises.

    Errors pickle and copy whole (to a worker process's caller, say): their class, message,
    facts and notes, without their ``__init__`` being called again.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (type(self), self.args), dict(self.__dict__))


def _rebuilt(cls: type[CommunityGovError], args: tuple[Any, ...]) -> CommunityGovError:
    """An error of ``cls`` with the message ``args``, before its facts are set back."""
    return cls.__new__(cls, *args)


# --- definitions -------------------------------------------------------------------------


class DefinitionError(CommunityGovError):
    """A procedure, voting rule, calendar or template is malformed.

    Raised when the definition is built; a calendar (anything with ``is_working_day``) is
    found malformed only when a period is counted on it and it has no working day in a year.
    """

    def __init__(self, what: str, problem: str) -> None:
        self.what = what
        self.problem = problem
        super().__init__(f"invalid {what}: {problem}")


# --- calendars ---------------------------------------------------------------------------


class CalendarError(CommunityGovError):
    """A calendar cannot answer a question about a date."""


class CalendarDataUnavailable(CalendarError):
    """The calendar has no official data for the year asked about.

    A legal deadline is never guessed: extend the calendar (or plug in your own) once the
    State Council has announced that year's holidays.
    """

    def __init__(self, calendar: str, year: int, known: tuple[int, int] | None = None) -> None:
        self.calendar = calendar
        self.year = year
        self.known = known
        span = f" (it knows {known[0]}–{known[1]})" if known else ""
        super().__init__(
            f"the {calendar} calendar has no official data for {year}{span}; "
            "a legal deadline is never guessed"
        )


# --- rejected commands -------------------------------------------------------------------


class CommandRejected(CommunityGovError):
    """A command was refused. The aggregate and the store are exactly as they were."""


class TransitionNotAllowed(CommandRejected):
    """The action is not allowed in the aggregate's current state."""

    def __init__(self, action: str, state: str, allowed: Iterable[str]) -> None:
        self.action = action
        self.state = state
        self.allowed = tuple(allowed)
        allowed_text = ", ".join(self.allowed) if self.allowed else "none (the state is final)"
        super().__init__(f"cannot {action} while {state}; allowed now: {allowed_text}")


class InvalidInput(CommandRejected):
    """An argument is malformed."""


class EmptyField(InvalidInput):
    """A required text field is empty, or shows nothing (white space, characters such as the
    zero-width space that show nothing)."""

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(f"{field} must not be empty")


class IdTooLong(InvalidInput):
    """An aggregate's id is longer than every store keeps (200 characters)."""

    def __init__(self, field: str, value: str, most: int) -> None:
        self.field = field
        self.value = value
        self.most = most
        super().__init__(
            f"{field} is {len(value)} characters long ({value[:20]!r}…); an id is at most "
            f"{most} characters"
        )


class UnstorableText(InvalidInput):
    """A text holds a character no store keeps: a NUL (U+0000), which PostgreSQL's text
    refuses, or a lone surrogate, which no UTF-8 text can hold."""

    def __init__(self, field: str, value: str) -> None:
        self.field = field
        self.value = value
        super().__init__(
            f"{field}={_shown(value)} holds a NUL character or a lone surrogate, which no store "
            "keeps; remove it"
        )


class NaiveDatetime(InvalidInput):
    """A datetime without a timezone, or something else than a datetime, was given where the
    library needs a timezone-aware time."""

    def __init__(self, field: str, value: object) -> None:
        self.field = field
        self.value = value
        if isinstance(value, datetime) and value.tzinfo is None:
            problem = f"{field}={value.isoformat()} has no timezone"
        elif isinstance(value, datetime):
            problem = (
                f"{field}={value.replace(tzinfo=None).isoformat()} is in a timezone "
                f"({_shown(value.tzinfo)}) that gives no valid offset from UTC"
            )
        else:
            problem = f"{field}={_shown(value)} is a {type(value).__name__}, not a datetime"
        super().__init__(
            f"{problem}; pass a timezone-aware datetime "
            "(for example with tzinfo=ZoneInfo('Asia/Shanghai'))"
        )


class TimeOutOfRange(InvalidInput):
    """A time lies within a day of the first or last day Python holds (the years 1 to 9999):
    it may not be told in every timezone, and no store keeps it. The library keeps times from
    0001-01-02 00:00 to 9999-12-30 00:00, UTC."""

    def __init__(self, value: datetime, timezone: str | None = None) -> None:
        self.value = value
        self.timezone = timezone
        told = "" if timezone is None else f" (told in timezone {_shown(timezone)})"
        super().__init__(
            f"{value.isoformat()}{told} lies outside the times the library keeps, from "
            "0001-01-02 00:00 to 9999-12-30 00:00 UTC"
        )


class PeriodOutOfRange(InvalidInput):
    """A period would end after the last time the library keeps (9999-12-30 00:00 UTC)."""

    def __init__(self, start: date, period: str) -> None:
        self.start = start
        self.period = period
        super().__init__(
            f"a period of {period} from {start.isoformat()} would end after the last time the "
            "library keeps, 9999-12-30 00:00 UTC"
        )


class WrongType(InvalidInput):
    """A value of another type was given where the library needs one of its own records or
    choices (a text where a :class:`~communitygov.MotionSource` belongs, say)."""

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        name = type(value).__name__
        super().__init__(f"{field}={_shown(value)} is {_a(name)}, not {expected}")


class DuplicateId(InvalidInput):
    """An id is already in use within the aggregate, or is given twice in one list."""

    def __init__(self, kind: str, id: str, problem: str = "already exists") -> None:
        self.kind = kind
        self.id = id
        super().__init__(f"{kind} {_shown(id)} {problem}")


class MalformedDecision(InvalidInput):
    """What was given to ``Governance.create``, or returned by the command given to
    ``Governance.execute``, is not a decision about that aggregate: not a pair of the new
    aggregate and its events, an aggregate of another class, id or community than the one the
    command ran on, events that are not events, a version the events do not lead to, or
    events that, replayed, do not make the aggregate returned. Nothing is stored.

    ``should_be`` is what the rest implies (``None`` where no one value is).
    """

    def __init__(self, field: str, given: object, should_be: object, because: str) -> None:
        self.field = field
        self.given = given
        self.should_be = should_be
        self.because = because
        implied = f", not {_shown(should_be)}" if should_be is not None else ""
        shown = _shown(given)
        if len(shown) > 160:
            shown = f"{shown[:120]}… ({len(shown):,} characters)"
        super().__init__(f"the decision's {field} is {shown}{implied} ({because}); nothing stored")


class InvalidCount(InvalidInput):
    """A count or amount is not a whole number of zero or more."""

    def __init__(self, field: str, value: object) -> None:
        self.field = field
        self.value = value
        super().__init__(f"{field} must be a whole number, 0 or more; got {_shown(value)}")


class NotApplicable(InvalidInput):
    """An argument was given that the command cannot apply as things stand (a review date
    for the stage after the last one, a reason for unmet goals when every goal is met): it is
    refused rather than dropped."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}={_shown(value)} cannot apply: {reason}")


class NoSeats(InvalidInput):
    """A seat was asked for on a joint body, whose members come from other bodies."""

    def __init__(self, body: str, parts: Iterable[str]) -> None:
        self.body = body
        self.parts = tuple(parts)
        super().__init__(
            f"the {body} has no seats of its own; appoint to the {' or the '.join(self.parts)}"
        )


class TimeWentBackwards(CommandRejected):
    """A command is dated before the aggregate's last recorded event."""

    def __init__(self, at: datetime, last: datetime) -> None:
        self.at = at
        self.last = last
        super().__init__(
            f"cannot record at {at.isoformat()}: the last record is dated {last.isoformat()}"
        )


class UnknownReference(CommandRejected):
    """A command names something the aggregate does not know (a body, a person, an objection)."""

    def __init__(self, kind: str, id: str) -> None:
        self.kind = kind
        self.id = id
        super().__init__(f"unknown {kind} {_shown(id)}")


class NotYetRegistered(CommandRejected):
    """A command names someone as acting, or taking a part, at a time before the community's
    register knew them."""

    def __init__(self, person: str, at: datetime, registered_at: datetime, community: str) -> None:
        self.person = person
        self.at = at
        self.registered_at = registered_at
        self.community = community
        super().__init__(
            f"person {_shown(person)} was registered in community {_shown(community)} on "
            f"{registered_at.isoformat()}, after {at.isoformat()}"
        )


class RuleViolation(CommandRejected):
    """A governance rule was broken."""


class QuorumNotMet(RuleViolation):
    """Too few people were present for the meeting to decide anything."""

    def __init__(
        self,
        body: str,
        present: int,
        base: int,
        base_name: str,
        required: int,
        fraction: Fraction,
        inclusive: bool,
    ) -> None:
        self.body = body
        self.present = present
        self.base = base
        self.base_name = base_name
        self.required = required
        self.fraction = fraction
        self.inclusive = inclusive
        bound = "at least" if inclusive else "more than"
        super().__init__(
            f"quorum not met: {present} of {base} {base_name} present at the {body}; "
            f"{bound} {_fraction(fraction)} ({required}) required"
        )


class ThresholdNotReached(RuleViolation):
    """Not enough votes in favour for the motion to pass."""

    def __init__(
        self,
        body: str,
        yes: int,
        base: int,
        base_name: str,
        required: int,
        fraction: Fraction,
        inclusive: bool,
    ) -> None:
        self.body = body
        self.yes = yes
        self.base = base
        self.base_name = base_name
        self.required = required
        self.fraction = fraction
        self.inclusive = inclusive
        bound = "at least" if inclusive else "more than"
        super().__init__(
            f"threshold not reached at the {body}: {yes} in favour of {base} {base_name}; "
            f"{bound} {_fraction(fraction)} ({required}) required"
        )


class PeriodNotElapsed(RuleViolation):
    """A period (a publicity or solicitation period) has not ended yet."""

    def __init__(self, period: str, ends_at: datetime, at: datetime) -> None:
        self.period = period
        self.ends_at = ends_at
        self.at = at
        super().__init__(f"the {period} runs until {ends_at.isoformat()}; it is {at.isoformat()}")


class WindowClosed(RuleViolation):
    """Something was submitted outside the window that accepts it."""

    def __init__(self, window: str, opens_at: datetime, closes_at: datetime, at: datetime) -> None:
        self.window = window
        self.opens_at = opens_at
        self.closes_at = closes_at
        self.at = at
        super().__init__(
            f"the {window} is open from {opens_at.isoformat()} until {closes_at.isoformat()}; "
            f"{at.isoformat()} is outside it"
        )


class WindowTooShort(RuleViolation):
    """A window was opened for less than the procedure's minimum."""

    def __init__(self, window: str, asked: str, minimum: str) -> None:
        self.window = window
        self.asked = asked
        self.minimum = minimum
        super().__init__(f"the {window} must last at least {minimum}; {asked} was asked")


class PapersNotSentInTime(RuleViolation):
    """Meeting papers were sent later than the procedure requires."""

    def __init__(self, body: str, sent_on: date | None, latest: date, notice: str) -> None:
        self.body = body
        self.sent_on = sent_on
        self.latest = latest
        self.notice = notice
        sent = f"were sent on {sent_on.isoformat()}" if sent_on else "were not sent"
        super().__init__(
            f"the papers for the {body} {sent}; they must go out {notice} before the meeting, "
            f"by {latest.isoformat()}"
        )


class PapersBeforePlan(RuleViolation):
    """Meeting papers are dated before the plan on the table existed: they cannot have been
    about it."""

    def __init__(self, body: str, sent_on: date, plan_version: int, since: date) -> None:
        self.body = body
        self.sent_on = sent_on
        self.plan_version = plan_version
        self.since = since
        plan = (
            f"plan version {plan_version} was tabled on"
            if plan_version
            else "the matter was raised on"
        )
        super().__init__(
            f"the papers for the {body} were sent on {sent_on.isoformat()}, before {plan} "
            f"{since.isoformat()}: they cannot have been about it"
        )


class PapersForEarlierMeeting(RuleViolation):
    """Meeting papers are dated before the step's previous meeting (the matter came back to
    the step since): they went out for that meeting, not for this one."""

    def __init__(self, body: str, sent_on: date, previous_on: date) -> None:
        self.body = body
        self.sent_on = sent_on
        self.previous_on = previous_on
        super().__init__(
            f"the papers for the {body} were sent on {sent_on.isoformat()}, before its previous "
            f"meeting on this step on {previous_on.isoformat()}: they went out for that "
            "meeting; send this meeting's papers again"
        )


class PapersAfterMeeting(RuleViolation):
    """Meeting papers are dated after the meeting: they did not go out before it."""

    def __init__(self, body: str, sent_on: date, meeting_day: date) -> None:
        self.body = body
        self.sent_on = sent_on
        self.meeting_day = meeting_day
        super().__init__(
            f"the papers for the {body} were sent on {sent_on.isoformat()}, after the meeting "
            f"of {meeting_day.isoformat()}"
        )


class NotAMember(RuleViolation):
    """A person is not a member of the body on the date in question."""

    def __init__(self, person: str, body: str, on: date) -> None:
        self.person = person
        self.body = body
        self.on = on
        super().__init__(f"{person} is not a member of the {body} on {on.isoformat()}")


class NotEligible(RuleViolation):
    """A person may not take this part (give an opinion, object, rule)."""

    def __init__(self, person: str, role: str, eligible: str) -> None:
        self.person = person
        self.role = role
        self.eligible = eligible
        super().__init__(f"{person} may not {role}; only {eligible} may")


class WrongBody(RuleViolation):
    """A meeting was held by a body other than the one the step requires."""

    def __init__(self, step: str, expected: str, got: str) -> None:
        self.step = step
        self.expected = expected
        self.got = got
        super().__init__(f"the {step} step is for the {expected}; a meeting of the {got} was given")


class VotedTwice(RuleViolation):
    """One person appears more than once among the votes of a meeting."""

    def __init__(self, person: str, times: int) -> None:
        self.person = person
        self.times = times
        super().__init__(f"{person} voted {times} times; each person votes once")


class MoreThanMembers(InvalidInput):
    """A tally counts more people expected or present than the body has members."""

    def __init__(self, field: str, count: int, members: int) -> None:
        self.field = field
        self.count = count
        self.members = members
        super().__init__(f"tally {field} is {count}, more than the body's {members} members")


class MorePresentThanExpected(InvalidInput):
    """A tally counts more people present than expected to attend: whoever came was
    expected (a member not expected who came is a member expected after all)."""

    def __init__(self, present: int, should_attend: int) -> None:
        self.present = present
        self.should_attend = should_attend
        super().__init__(
            f"tally present is {present}, more than the {should_attend} expected to attend"
        )


class MoreVotesThanPresent(RuleViolation):
    """A meeting records more votes than people present."""

    def __init__(self, votes: int, present: int) -> None:
        self.votes = votes
        self.present = present
        super().__init__(f"{votes} votes recorded but only {present} people present")


class VoteFromAbsentPerson(RuleViolation):
    """A vote was counted for someone not recorded as present."""

    def __init__(self, person: str) -> None:
        self.person = person
        super().__init__(f"a vote was recorded for {person}, who was not present")


class VoteWithoutRight(RuleViolation):
    """A vote, or a ruling on an objection, was recorded for a member who has no vote on the
    body (a probationary party member, 预备党员, who attends and speaks but does not vote)."""

    def __init__(self, person: str, body: str, on: date) -> None:
        self.person = person
        self.body = body
        self.on = on
        super().__init__(
            f"{person} holds a seat on the {body} without a vote on {on.isoformat()}, and may "
            "neither vote nor rule there"
        )


class NotExcused(RuleViolation):
    """A member of the body is left out of those expected at a meeting, with no reason for
    excusing them recorded: those who should attend may not be narrowed without a record."""

    def __init__(self, person: str, body: str, day: date) -> None:
        self.person = person
        self.body = body
        self.day = day
        super().__init__(
            f"{person} sat on the {body} on {day.isoformat()} but is not among those expected, "
            "and no excusal is recorded: name them in excused= with the reason"
        )


class PresentNotExpected(RuleViolation):
    """Someone recorded as present was not among those expected (the body's members)."""

    def __init__(self, person: str, body: str) -> None:
        self.person = person
        self.body = body
        super().__init__(f"{person} is recorded as present but was not expected at the {body}")


class DecisionContradictsVote(RuleViolation):
    """The minutes record a rejection although the vote passed."""

    def __init__(self, body: str, outcome: str, yes: int) -> None:
        self.body = body
        self.outcome = outcome
        self.yes = yes
        super().__init__(
            f"the minutes of the {body} say {outcome}, but {yes} votes in favour pass the motion"
        )


class AmendmentNotAllowed(RuleViolation):
    """The plan was amended at a step whose body may not amend it."""

    def __init__(self, step: str) -> None:
        self.step = step
        super().__init__(f"the plan may not be amended at the {step} step")


class PlanRequired(RuleViolation):
    """A step that must put a plan on the table was recorded without one."""

    def __init__(self, step: str) -> None:
        self.step = step
        super().__init__(f"the {step} step must put a plan on the table")


class PlanVersionMismatch(RuleViolation):
    """A meeting deliberated a plan version other than the current one."""

    def __init__(self, on_table: int, current: int) -> None:
        self.on_table = on_table
        self.current = current
        super().__init__(
            f"the meeting deliberated plan version {on_table}; the current version is {current}"
        )


class SamePerson(RuleViolation):
    """One person was named where two different people are required."""

    def __init__(self, person: str, first: str, second: str) -> None:
        self.person = person
        self.first = first
        self.second = second
        super().__init__(f"{person} cannot be both the {first} and the {second}")


class WrongCommunity(InvalidInput):
    """A record of one community was given where another's was needed."""

    def __init__(self, expected: str, got: str) -> None:
        self.expected = expected
        self.got = got
        super().__init__(
            f"a record of community {_shown(got)} was given where one of community "
            f"{_shown(expected)} is needed"
        )


class ObjectionsPending(RuleViolation):
    """Objections are still waiting for a ruling."""

    def __init__(self, objections: Iterable[str]) -> None:
        self.objections = tuple(objections)
        super().__init__(
            f"{len(self.objections)} objection(s) await a ruling: {', '.join(self.objections)}"
        )


class ObjectionAlreadyRuled(RuleViolation):
    """An objection already has a ruling."""

    def __init__(self, objection: str) -> None:
        self.objection = objection
        super().__init__(f"objection {_shown(objection)} has already been ruled on")


class ObjectionSuperseded(RuleViolation):
    """A ruling on an objection to an earlier resolution notice: another objection to that
    notice was upheld, the matter was deliberated again, and the notice the objection was
    to no longer stands. Objections to the notice now up may be ruled on."""

    def __init__(self, objection: str, notice: int, current: int) -> None:
        self.objection = objection
        self.notice = notice
        self.current = current
        super().__init__(
            f"objection {_shown(objection)} was to resolution notice {notice}, which an upheld "
            f"objection has replaced (the notice now up is number {current}): it can no longer "
            "be ruled on; object to the notice now up instead"
        )


# --- assistance plans ------------------------------------------------------------------


class StagesMismatch(InvalidInput):
    """A plan's design does not set out exactly the stages of its template, in order."""

    def __init__(self, expected: Iterable[str], got: Iterable[str]) -> None:
        self.expected = tuple(expected)
        self.got = tuple(got)
        super().__init__(
            f"the plan must set out every stage of its template in order "
            f"({', '.join(self.expected)}); it sets out {', '.join(self.got) or 'none'}"
        )


class ReviewDateTooEarly(InvalidInput):
    """A review date was set for a day that has passed or is out of order."""

    def __init__(self, stage: str, on: date, earliest: date) -> None:
        self.stage = stage
        self.on = on
        self.earliest = earliest
        super().__init__(
            f"the review of stage {_shown(stage)} cannot be set for {on.isoformat()}; "
            f"the earliest possible day is {earliest.isoformat()}"
        )


class ReviewDateTooLate(InvalidInput):
    """A review date was set (or would move, on resuming) past the last day a deadline can be
    kept for in any timezone."""

    def __init__(self, stage: str, on: date, latest: date) -> None:
        self.stage = stage
        self.on = on
        self.latest = latest
        super().__init__(
            f"the review of stage {_shown(stage)} cannot be set for {on.isoformat()}; "
            f"the latest possible day is {latest.isoformat()}"
        )


class ActivityInFuture(InvalidInput):
    """An activity was logged with a date after the day it was logged on."""

    def __init__(self, on: date, today: date) -> None:
        self.on = on
        self.today = today
        super().__init__(
            f"an activity dated {on.isoformat()} cannot be logged on {today.isoformat()}: "
            "it has not happened yet"
        )


class MatterNotAdopted(RuleViolation):
    """A plan was to be adopted through a matter whose resolution has not taken effect."""

    def __init__(self, matter: str, state: str) -> None:
        self.matter = matter
        self.state = state
        super().__init__(
            f"matter {_shown(matter)} is {state.replace('_', ' ')}: a plan takes effect only "
            "through a matter that resolved to adopt it, once its resolution notice has run its "
            "period with no objection upheld"
        )


class MatterConcernsAnother(RuleViolation):
    """A plan was to be adopted through a matter raised about something else (DOMAIN: a plan
    takes effect only once *that* matter's resolution is adopted)."""

    def __init__(self, matter: str, concerns: str, plan: str) -> None:
        self.matter = matter
        self.concerns = concerns
        self.plan = plan
        about = f"decides on {_shown(concerns)}" if concerns else "names nothing it decides on"
        super().__init__(
            f"matter {_shown(matter)} {about}, not assistance plan {_shown(plan)}: a plan takes "
            "effect only through the matter raised about it (raise_matter(…, concerns=its id))"
        )


class NotOnCaseTeam(RuleViolation):
    """Someone acting for a plan (signing a review, leaving the team) is not on its case team."""

    def __init__(self, person: str, plan: str) -> None:
        self.person = person
        self.plan = plan
        super().__init__(f"{person} is not on the case team of assistance plan {_shown(plan)}")


class TooFewReviewers(RuleViolation):
    """A review was signed by fewer members of the case team than a review needs."""

    def __init__(self, reviewers: Iterable[str], required: int) -> None:
        self.reviewers = tuple(sorted(reviewers))
        self.required = required
        signed = ", ".join(self.reviewers) or "nobody"
        super().__init__(
            f"a review needs at least {required} members of the case team; "
            f"{len(self.reviewers)} signed ({signed})"
        )


class CaseTeamTooSmall(RuleViolation):
    """A case team would have fewer people than a review needs."""

    def __init__(self, size: int, minimum: int) -> None:
        self.size = size
        self.minimum = minimum
        super().__init__(
            f"a case team needs at least {minimum} people, so that its reviews can be signed; "
            f"this one would have {size}"
        )


class ReviewNotDue(RuleViolation):
    """A stage was reviewed before its review date."""

    def __init__(self, stage: str, due_on: date, on: date) -> None:
        self.stage = stage
        self.due_on = due_on
        self.on = on
        super().__init__(
            f"the review of stage {_shown(stage)} is due on {due_on.isoformat()}; it is "
            f"{on.isoformat()}"
        )


class NotCurrentStage(RuleViolation):
    """A review or record names a stage other than the one the plan is in."""

    def __init__(self, stage: str, current: str) -> None:
        self.stage = stage
        self.current = current
        super().__init__(self._explain())

    def _explain(self) -> str:
        return (
            f"the plan is at {_shown(self.current)}, not {_shown(self.stage)}; "
            "only the current stage is reviewed"
        )


class StageSkipped(NotCurrentStage):
    """A stage after the current one was named: stages run in order, none is skipped."""

    def _explain(self) -> str:
        return (
            f"stage {_shown(self.stage)} comes after {_shown(self.current)}, which has not passed: "
            "stages run in order and none is skipped"
        )


class SetbackNotEarlier(RuleViolation):
    """A setback named a stage that is not before the current one."""

    def __init__(self, to: str, current: str) -> None:
        self.to = to
        self.current = current
        super().__init__(
            f"a setback goes back to an earlier stage; {_shown(to)} is not before {_shown(current)}"
        )


class GoalsUnmet(RuleViolation):
    """A stage was passed with goals unmet and no reason recorded."""

    def __init__(self, stage: str, goals: Iterable[str]) -> None:
        self.stage = stage
        self.goals = tuple(goals)
        super().__init__(
            f"stage {_shown(stage)} has goals not yet met ({', '.join(self.goals)}); "
            "it passes only if the reviewers record why"
        )


class DesignAfterDecision(RuleViolation):
    """A plan was to be adopted through a matter whose deciding meeting was held before the
    plan's design was last revised: the matter did not decide that design."""

    def __init__(self, plan: str, matter: str, designed_at: datetime, decided_at: datetime) -> None:
        self.plan = plan
        self.matter = matter
        self.designed_at = designed_at
        self.decided_at = decided_at
        super().__init__(
            f"the design of assistance plan {_shown(plan)} was last revised at "
            f"{designed_at.isoformat()}, after matter {_shown(matter)} decided on the plan at "
            f"{decided_at.isoformat()}: a design takes effect only through a matter that decided "
            "on it; raise a new matter about the revised design"
        )


class ActivityBeforeAdoption(RuleViolation):
    """An activity was dated before the plan was adopted."""

    def __init__(self, on: date, adopted_on: date) -> None:
        self.on = on
        self.adopted_on = adopted_on
        super().__init__(
            f"an activity dated {on.isoformat()} is before the plan took effect on "
            f"{adopted_on.isoformat()}"
        )


class ActivityDuringSuspension(RuleViolation):
    """An activity was dated on a day the plan was suspended."""

    def __init__(self, on: date, suspended_on: date, resumed_on: date) -> None:
        self.on = on
        self.suspended_on = suspended_on
        self.resumed_on = resumed_on
        super().__init__(
            f"an activity dated {on.isoformat()} falls while the plan was suspended "
            f"from {suspended_on.isoformat()} until {resumed_on.isoformat()}"
        )


class PlanNotInEffect(RuleViolation):
    """Something that needs an assistance plan in effect was asked of a plan that has not
    taken effect by then (not adopted yet, or adopted later than the time asked), or whose
    work is over (graduated or closed)."""

    def __init__(
        self, plan: str, state: str, action: str, at: datetime, adopted_at: datetime | None
    ) -> None:
        self.plan = plan
        self.state = state
        self.action = action
        self.at = at
        self.adopted_at = adopted_at
        if adopted_at is None:
            why = f"it has not been adopted (its state is {state!r})"
        elif at < adopted_at:
            why = f"it took effect only at {adopted_at.isoformat()}"
        else:
            why = f"it has {state.replace('_', ' ')}"
        super().__init__(
            f"cannot {action} at {at.isoformat()} for assistance plan {_shown(plan)}: {why}; a "
            "plan is in effect from its adoption through a matter until it graduates or closes"
        )


class ConsentAlreadyWithdrawn(RuleViolation):
    """Consent was withdrawn: nothing more about the person may be recorded (个人信息保护法
    Art. 15)."""

    def __init__(self, plan: str, withdrawn_at: datetime, action: str) -> None:
        self.plan = plan
        self.withdrawn_at = withdrawn_at
        self.action = action
        super().__init__(
            f"cannot {action}: consent to assistance plan {_shown(plan)} was withdrawn at "
            f"{withdrawn_at.isoformat()}, and nothing more about the person may be recorded"
        )


class InvalidConsent(RuleViolation):
    """A consent that cannot be the beneficiary's: given by someone who is neither the
    beneficiary nor a guardian of theirs declared in the community, dated
    after the day it is recorded, or, for consent to publish, dated on or before the day such
    consent was last withdrawn (个人信息保护法 Art. 14, 15, 29, 31)."""

    def __init__(self, field: str, given_by: str, on: date, beneficiary: str, because: str) -> None:
        self.field = field
        self.given_by = given_by
        self.on = on
        self.beneficiary = beneficiary
        self.because = because
        super().__init__(
            f"the {field} given by {_shown(given_by)} on {on.isoformat()} cannot be "
            f"{_shown(beneficiary)}'s: {because}"
        )


class NoPublishConsent(RuleViolation):
    """Consent to publish the beneficiary's name was withdrawn while none is on record."""

    def __init__(self, plan: str) -> None:
        self.plan = plan
        super().__init__(
            f"cannot withdraw consent to publish the name: assistance plan {_shown(plan)} has no "
            "such consent on record (its notices already show the beneficiary de-identified)"
        )


# --- funds -----------------------------------------------------------------------------


class InvalidAmount(InvalidInput):
    """An amount of money is malformed, not a whole number of fen, or not above zero."""

    def __init__(self, field: str, value: object, problem: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"{field} {_shown(value)} is not a valid amount: {problem}")


class CurrencyMismatch(InvalidInput):
    """Amounts in two different currencies were added, compared or booked together."""

    def __init__(self, expected: str, got: str) -> None:
        self.expected = expected
        self.got = got
        super().__init__(f"an amount in {got} cannot be combined with amounts in {expected}")


class FuturePeriod(InvalidInput):
    """A period was reconciled before it ended (``today`` is the day of the count, in the
    fund's time zone)."""

    def __init__(self, period: date, today: date) -> None:
        self.period = period
        self.today = today
        when = "it has not begun" if period > today else "it has not ended yet"
        super().__init__(
            f"the period of {period:%Y-%m} cannot be reconciled on {today.isoformat()}: {when}; "
            "a month is counted and closed once it is over"
        )


class PeriodBeforeOpening(InvalidInput):
    """A period was reconciled that ended before the fund opened."""

    def __init__(self, period: date, opened: date) -> None:
        self.period = period
        self.opened = opened
        super().__init__(
            f"the period of {period:%Y-%m} cannot be reconciled: the fund opened in "
            f"{opened:%Y-%m}, and holds nothing before"
        )


class PeriodTooLate(InvalidInput):
    """Something was recorded into (or a reconciliation asked of) a period after the last one
    a fund keeps: a period's reconciliation falls due when the month after it begins, and the
    month after December 9999 is past the last day Python holds."""

    def __init__(self, period: date, latest: date) -> None:
        self.period = period
        self.latest = latest
        super().__init__(
            f"the period of {period:%Y-%m} is past the last one a fund keeps, "
            f"{latest:%Y-%m}: its reconciliation would fall due after the year 9999"
        )


class NearRelativeInRole(RuleViolation):
    """A role would go to a near relative of someone it must be kept apart from: a fund role
    to a relative of the other role holder or of the beneficiary, a seat on the supervision
    committee to a relative of a residents' committee member or the other way round
    (村民委员会组织法 Art. 32)."""

    def __init__(self, person: str, role: str, relative: str, relative_role: str) -> None:
        self.person = person
        self.role = role
        self.relative = relative
        self.relative_role = relative_role
        super().__init__(
            f"{person} cannot be the {role}: they are a declared near relative of {relative}, "
            f"the {relative_role}"
        )


class EntryByRelative(NearRelativeInRole):
    """An entry recorded by a declared near relative of the beneficiary or of the bookkeeper
    (a custodian replaced since, say) was to be booked: it can only be rejected."""

    def __init__(self, entry: str, person: str, relative: str, relative_role: str) -> None:
        self.entry = entry
        self.person = person
        self.role = "cash custodian"
        self.relative = relative
        self.relative_role = relative_role
        RuleViolation.__init__(  # the message is the entry's, not the role's
            self,
            f"entry {_shown(entry)} was recorded by {person}, a declared near relative of "
            f"{relative}, the {relative_role}: it cannot be booked, only rejected",
        )


class NotRoleHolder(RuleViolation):
    """Someone other than the role holder tried a step reserved to that role."""

    def __init__(self, person: str, action: str, role: str, holder: str) -> None:
        self.person = person
        self.action = action
        self.role = role
        self.holder = holder
        super().__init__(f"{person} may not {action}: only the {role} ({holder}) may")


class OwnEntry(RuleViolation):
    """Someone tried to book or reject an entry they recorded themselves."""

    def __init__(self, person: str, entry: str) -> None:
        self.person = person
        self.entry = entry
        super().__init__(
            f"{person} recorded entry {_shown(entry)} and so cannot check it: "
            "the maker and the checker are different people"
        )


class OwnCount(RuleViolation):
    """Someone tried to explain the difference found by a cash count they made themselves."""

    def __init__(self, person: str, period: date) -> None:
        self.person = person
        self.period = period
        super().__init__(
            f"{person} counted the cash that closed {period:%Y-%m} and so cannot explain its "
            "difference: the counter and the checker are different people"
        )


class EntryAlreadyChecked(RuleViolation):
    """An entry was booked or rejected a second time."""

    def __init__(self, entry: str, status: str) -> None:
        self.entry = entry
        self.status = status
        super().__init__(f"entry {_shown(entry)} is already {status}")


class PeriodClosed(RuleViolation):
    """Something was recorded into (or reconciled for) a period that is reconciled and closed."""

    def __init__(self, period: date, closed_through: date) -> None:
        self.period = period
        self.closed_through = closed_through
        super().__init__(
            f"the period of {period:%Y-%m} is closed (the books are reconciled through "
            f"{closed_through:%Y-%m}); record a reversing entry in the open period instead"
        )


class InsufficientFunds(RuleViolation):
    """Money would leave an account that does not hold it (counting entries not yet booked)."""

    def __init__(self, account: str, available: object, asked: object) -> None:
        self.account = account
        self.available = available
        self.asked = asked
        super().__init__(f"{asked} cannot leave the {account}: only {available} is available")


class EntriesPending(RuleViolation):
    """A period was reconciled while entries recorded before the count await booking."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries = tuple(entries)
        super().__init__(
            f"{len(self.entries)} entr{'y' if len(self.entries) == 1 else 'ies'} await booking "
            f"or rejection: {', '.join(self.entries)}"
        )


class NotReversible(RuleViolation):
    """An entry cannot be reversed: it is not booked, is a reversal, or is already reversed."""

    def __init__(self, entry: str, reason: str) -> None:
        self.entry = entry
        self.reason = reason
        super().__init__(f"entry {_shown(entry)} cannot be reversed: {reason}")


# --- persistence -------------------------------------------------------------------------


class PersistenceError(CommunityGovError):
    """A store could not do what was asked."""


class ConcurrencyConflict(PersistenceError):
    """Another writer appended to the stream first; nothing was written.

    ``community`` is the community the stream belongs to (a stream's id is unique only within
    its community). It is ``None`` only where an adapter does not give it, which the store
    conformance kit refuses.

    ``actual`` is the stream's version as the append saw it: where the append runs in a
    transaction whose snapshot is older than another writer's commit, that is the snapshot's
    version (``actual == expected``), and a new transaction sees the one now stored.
    """

    def __init__(
        self, stream: str, expected: int, actual: int, *, community: str | None = None
    ) -> None:
        self.stream = stream
        self.expected = expected
        self.actual = actual
        self.community = community
        where = f" of community {_shown(community)}" if community is not None else ""
        named = f"stream {_shown(stream)}{where}"
        if expected == actual:  # as the transaction's snapshot shows it; others wrote since
            message = (
                f"{named} was at version {actual}, as expected, in the snapshot of the "
                "transaction the append runs in, but another writer has written since "
                "(a REPEATABLE READ or SERIALIZABLE transaction on PostgreSQL, one that read "
                "first on SQLite): retry in a new transaction"
            )
        elif expected == 0:
            message = (
                f"{named} exists already, at version {actual}: its id is taken, or someone "
                "else created it first"
            )
        else:
            message = f"{named} is at version {actual}, not {expected}: someone else wrote first"
        super().__init__(message)


class StreamExists(ConcurrencyConflict):
    """A new aggregate was to be stored under an id a stream of its community already has;
    nothing was written.

    Raised by :meth:`~communitygov.Governance.create` (and so ``register_community``), where a
    store reports a conflict at version 0. Unlike the other conflicts it does not go away when
    the command is decided again: the id is taken. Catch it before ``ConcurrencyConflict``
    where conflicts are retried.
    """

    def __init__(self, kind: str, stream: str, community: str, actual: int) -> None:
        self.kind = kind
        self.community = community
        self.stream = stream
        self.expected = 0
        self.actual = actual
        PersistenceError.__init__(
            self,
            f"{_a(kind)} cannot be created as {_shown(stream)} in community "
            f"{_shown(community)}: a stream with that id exists already, at version {actual} "
            "(the id is taken, or someone else created it first); trying again will not help: "
            "load it, or choose another id",
        )


class CommandIdInUse(PersistenceError):
    """A command id was given that an earlier command on another stream carried: the earlier
    result cannot be this command's, and nothing is run or stored."""

    def __init__(self, command_id: str, stream: str, used_by: str, community: str) -> None:
        self.command_id = command_id
        self.stream = stream
        self.used_by = used_by
        self.community = community
        super().__init__(
            f"command id {_shown(command_id)} was used for stream {_shown(used_by)} of community "
            f"{_shown(community)}, so it cannot be a command on stream {_shown(stream)}; give each "
            "command an id of its own"
        )


class MalformedRequest(PersistenceError):
    """An append request contradicts itself (say, a summary of another stream or version than
    its expected version and events lead to) or holds a value no store can keep (a version that
    is not a whole number, a time without its offset); it is refused where it is made, before
    any store sees it.

    ``should_be`` is the value the rest of the request implies (``None`` where no one value
    is implied), ``because`` says why, and ``community`` is the request's community;
    ``stream`` is ``None`` when what was given is not an append request at all.
    """

    def __init__(
        self,
        stream: str | None,
        field: str,
        given: object,
        should_be: object,
        because: str,
        community: str | None = None,
    ) -> None:
        self.stream = stream
        self.field = field
        self.given = given
        self.should_be = should_be
        self.because = because
        self.community = community
        implied = f", not {_shown(should_be)}" if should_be is not None else ""
        where = f" of community {_shown(community)}" if community is not None else ""
        shown = _shown(given)
        if len(shown) > 160:
            shown = f"{shown[:120]}… ({len(shown):,} characters)"
        if stream is None:  # not a request at all
            super().__init__(f"an append is malformed: its {field} is {shown} ({because})")
            return
        super().__init__(
            f"the append request for stream {_shown(stream)}{where} is malformed: its {field} is "
            f"{shown}{implied} ({because})"
        )


class NotFound(PersistenceError):
    """No stream or aggregate with that id exists in this community.

    ``found`` is the kind of the stream that holds the id instead, if one does (asked for a
    matter, found a community's stream), else ``None``.
    """

    def __init__(
        self, kind: str, id: str, community: str | None = None, found: str | None = None
    ) -> None:
        self.kind = kind
        self.id = id
        self.community = community
        self.found = found
        named = community and not (kind == "community" and community == id)
        where = f" in community {_shown(community)}" if named else ""
        other = f": {_shown(id)} is the id of {_a(found)}" if found is not None else ""
        super().__init__(f"no {kind} {_shown(id)}{where}{other}")


class IntegrityViolation(PersistenceError):
    """Stored records no longer match their hashes."""

    def __init__(self, stream: str, version: int, detail: str) -> None:
        self.stream = stream
        self.version = version
        self.detail = detail
        super().__init__(
            f"stream {_shown(stream)} fails verification at version {version}: {detail}"
        )


class DecodeError(PersistenceError):
    """A stored event cannot be turned back into an event object, or a stored row cannot be
    read back at all (then ``event_type`` names the row: ``'stored batch'``, ``'stored
    summary'``, ``'stored command'``, and ``stream`` the stream it belongs to, where known)."""

    def __init__(
        self, event_type: str, version: int, detail: str, *, stream: str | None = None
    ) -> None:
        self.event_type = event_type
        self.version = version
        self.detail = detail
        self.stream = stream
        if stream is not None:  # a row, not an event
            super().__init__(f"cannot read a {event_type} of stream {_shown(stream)}: {detail}")
        else:
            super().__init__(
                f"cannot decode event {_shown(event_type)} (schema {version}): {detail}"
            )


class UnknownProcedure(DecodeError):
    """A stored matter follows a procedure that was not given (to the
    :class:`~communitygov.Governance`, or to a replay): nothing is damaged, the procedure is
    missing."""

    def __init__(self, procedure: str, known: Iterable[str], *, matter: str | None = None) -> None:
        self.event_type = "matter.raised"
        self.version = 1
        self.stream = None
        self.procedure = procedure
        self.known = tuple(sorted(known))
        self.matter = matter
        which = "the matter" if matter is None else f"matter {_shown(matter)}"
        given = ", ".join(_shown(name) for name in self.known) or "none"
        self.detail = (
            f"{which} follows procedure {_shown(procedure)}, which is not among the procedures "
            f"given ({given}): give it to Governance(procedures=…) or to replay (on the command "
            "line, --procedures MODULE:NAME)"
        )
        PersistenceError.__init__(self, self.detail)


class StoreUnavailable(PersistenceError):
    """The store cannot be reached (a lost connection, a server down)."""

    def __init__(self, store: str, detail: str) -> None:
        self.store = store
        self.detail = detail
        super().__init__(f"the {store} store is unavailable: {detail}")


class StoreReadOnly(PersistenceError):
    """An append asked of a store opened read-only; nothing was written.

    ``community`` and ``stream`` name the first request's stream (``None`` when no request
    was given), ``requests`` counts them.
    """

    def __init__(
        self, store: str, community: str | None, stream: str | None, requests: int
    ) -> None:
        self.store = store
        self.community = community
        self.stream = stream
        self.requests = requests
        if stream is None:
            asked = "an append of no requests"
        else:
            more = f" and {requests - 1} more" if requests > 1 else ""
            asked = f"the append to stream {_shown(stream)} of community {_shown(community)}{more}"
        super().__init__(
            f"the {store} store was opened read-only: {asked} was refused; open it without "
            "read_only to write"
        )


# --- installation ------------------------------------------------------------------------


class MissingExtra(CommunityGovError, ImportError):
    """An optional feature needs a package that is not installed."""

    def __init__(self, feature: str, extra: str) -> None:
        self.feature = feature
        self.extra = extra
        super().__init__(f"{feature} needs an optional extra: pip install 'communitygov[{extra}]'")
