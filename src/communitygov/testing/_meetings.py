"""Strategies for communities and their meetings; re-exported by :mod:`.strategies`.

Kept apart from the value strategies only for size: import them from
:mod:`communitygov.testing.strategies`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import attrs

from communitygov.errors import MissingExtra
from communitygov.kernel.events import Event
from communitygov.kernel.voting import Tally, VotingRule
from communitygov.matters.records import Choice, Meeting, Outcome, Vote
from communitygov.organisation.bodies import BodyKind
from communitygov.organisation.community import Community

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - only without the extra
    raise MissingExtra("communitygov.testing", "testing") from exc

__all__ = [
    "DEFAULT_START",
    "SEATED_BODIES",
    "Roster",
    "communities",
    "communities_with_events",
    "meetings",
    "rosters",
]

DEFAULT_START = datetime(2020, 1, 6, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
"""When :func:`communities` registers its community, people and seats (a Monday)."""

SEATED_BODIES: tuple[BodyKind, ...] = (
    BodyKind.PARTY_COMMITTEE,
    BodyKind.RESIDENTS_COMMITTEE,
    BodyKind.PARTY_MEMBERS_ASSEMBLY,
    BodyKind.REPRESENTATIVES_ASSEMBLY,
    BodyKind.RESIDENTS_ASSEMBLY,
    BodyKind.SUPERVISION_COMMITTEE,
)
"""The bodies with seats of their own (the two committees' joint meeting has none)."""

_Want = Literal["adopt", "reject", "quorate", "inquorate"]


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidArgument(message)


# --- communities -------------------------------------------------------------------------


_NOTES = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
"""Minutes and reasons: any text a store keeps (no NUL, no lone surrogate)."""


def _sizes(
    value: int | st.SearchStrategy[int] | None, low: int, high: int
) -> st.SearchStrategy[int]:
    if value is None:
        return st.integers(low, high)
    return st.just(value) if isinstance(value, int) else value


@st.composite
def _communities(
    draw: st.DrawFn,
    sizes: tuple[tuple[BodyKind, st.SearchStrategy[int]], ...],
    probationary: st.SearchStrategy[int] | None,
    at: datetime,
    community_id: str,
    timezone: str,
) -> tuple[Community, tuple[Event, ...]]:
    seats = {body: draw(size) for body, size in sizes}
    _check(all(n >= 0 for n in seats.values()), f"body sizes must be 0 or more: {seats}")
    party_members = seats.get(BodyKind.PARTY_MEMBERS_ASSEMBLY, 0)
    if probationary is None:
        probationary = st.integers(0, min(2, max(party_members - 1, 0)))
    without_vote = draw(probationary, label="probationary")
    _check(
        0 <= without_vote < max(party_members, 1),
        f"probationary members must be 0 or more and fewer than the {party_members} party "
        f"members, so that some vote: {without_vote}",
    )
    # No one sits on the supervision committee and the residents' committee both (Art. 32).
    apart = seats.get(BodyKind.RESIDENTS_COMMITTEE, 0) + seats.get(
        BodyKind.SUPERVISION_COMMITTEE, 0
    )
    largest, total = max(*seats.values(), apart, 0), sum(seats.values())
    pool = [f"p{i:03d}" for i in range(draw(st.integers(largest, max(largest, total))))]
    community, events = Community.register(
        community_id, f"Community {community_id}", at=at, timezone=timezone
    )
    log = list(events)
    start = community.local_date(at)
    for number, person in enumerate(pool):
        community, events = community.register_person(person, f"Resident {number}", at=at)
        log += events
    supervised: list[str] = []
    committee: list[str] = []  # the party committee's seats come first
    probation: set[str] = set()
    for body, count in seats.items():
        if count:
            candidates = pool
            if body is BodyKind.SUPERVISION_COMMITTEE:
                candidates = [person for person in pool if person not in supervised]
            chosen = draw(st.permutations(candidates))[:count]
            if body is BodyKind.RESIDENTS_COMMITTEE:
                supervised = chosen
            if body is BodyKind.PARTY_COMMITTEE:
                committee = chosen
            if body is BodyKind.PARTY_MEMBERS_ASSEMBLY:
                # No one on the party committee is on probation (no 被选举权).
                off_committee = [person for person in chosen if person not in committee]
                probation = set(draw(st.permutations(off_committee))[:without_vote])
            for person in sorted(chosen):
                voting = body is not BodyKind.PARTY_MEMBERS_ASSEMBLY or person not in probation
                community, events = community.appoint(
                    person, body, start=start, at=at, voting=voting
                )
                log += events
    return community, tuple(log)


def communities_with_events(
    *,
    party_committee: int | st.SearchStrategy[int] | None = None,
    residents_committee: int | st.SearchStrategy[int] | None = None,
    party_members: int | st.SearchStrategy[int] | None = None,
    probationary: int | st.SearchStrategy[int] | None = None,
    representatives: int | st.SearchStrategy[int] | None = None,
    residents: int | st.SearchStrategy[int] | None = None,
    supervision: int | st.SearchStrategy[int] | None = None,
    at: datetime = DEFAULT_START,
    community_id: str = "community",
    timezone: str = "Asia/Shanghai",
) -> st.SearchStrategy[tuple[Community, tuple[Event, ...]]]:
    """Communities as :func:`communities` builds them, each with the events that built it.

    The events are those the commands returned, oldest first: what a store would keep, and
    what :meth:`~communitygov.Community.replay` folds back into the same community. Use it to
    test a store or anything else that reads events. The arguments are those of
    :func:`communities`.

    Returns:
        A strategy of ``(community, events)`` pairs.
    """
    sizes = (
        (BodyKind.PARTY_COMMITTEE, _sizes(party_committee, 3, 7)),
        (BodyKind.RESIDENTS_COMMITTEE, _sizes(residents_committee, 3, 7)),
        (BodyKind.PARTY_MEMBERS_ASSEMBLY, _sizes(party_members, 3, 30)),
        (BodyKind.REPRESENTATIVES_ASSEMBLY, _sizes(representatives, 3, 30)),
        (BodyKind.RESIDENTS_ASSEMBLY, _sizes(residents, 3, 40)),
        (BodyKind.SUPERVISION_COMMITTEE, _sizes(supervision, 3, 5)),
    )
    on_probation = None if probationary is None else _sizes(probationary, 0, 0)
    return _communities(sizes, on_probation, at, community_id, timezone)


def _community(built: tuple[Community, tuple[Event, ...]]) -> Community:
    return built[0]


def communities(
    *,
    party_committee: int | st.SearchStrategy[int] | None = None,
    residents_committee: int | st.SearchStrategy[int] | None = None,
    party_members: int | st.SearchStrategy[int] | None = None,
    probationary: int | st.SearchStrategy[int] | None = None,
    representatives: int | st.SearchStrategy[int] | None = None,
    residents: int | st.SearchStrategy[int] | None = None,
    supervision: int | st.SearchStrategy[int] | None = None,
    at: datetime = DEFAULT_START,
    community_id: str = "community",
    timezone: str = "Asia/Shanghai",
) -> st.SearchStrategy[Community]:
    """Communities with registered people and bodies of the sizes given.

    Everything is done through the public commands at ``at``: the community is registered,
    then a pool of people (ids ``p000``, ``p001``, ...), then each body's seats, starting on
    ``at``'s date in the community's timezone and never ending. A person may sit on several
    bodies (the pool is between the largest body and the sum of all); some people sit on none.

    Args:
        party_committee: Seats on the party organisation committee, as a count or a
            strategy of counts; 3 to 7 by default.
        residents_committee: Seats on the residents' committee; 3 to 7 by default.
        party_members: Members of the party members' assembly; 3 to 30 by default.
        probationary: How many of the party members hold their seat without a vote
            (预备党员: they attend, but neither vote nor count in the quorum); 0 to 2 by
            default, and always fewer than ``party_members``, so that some vote. They are
            drawn among the party members not on the party committee, which a
            probationary member may not sit on: fewer, if fewer are off it.
        representatives: Members of the residents' representatives' assembly; 3 to 30.
        residents: Members of the residents' assembly; 3 to 40 by default.
        supervision: Members of the supervision committee; 3 to 5 by default.
        at: When everything is registered; timezone-aware.
        community_id: The community's id.
        timezone: The community's IANA timezone, whose dates decide who sits on a body.

    Returns:
        A strategy of :class:`~communitygov.Community`. :func:`communities_with_events` gives
        the events that built each one too.
    """
    return communities_with_events(
        party_committee=party_committee,
        residents_committee=residents_committee,
        party_members=party_members,
        probationary=probationary,
        representatives=representatives,
        residents=residents,
        supervision=supervision,
        at=at,
        community_id=community_id,
        timezone=timezone,
    ).map(_community)


# --- rosters and meetings ----------------------------------------------------------------


@attrs.frozen
class Roster:
    """Who sat on a body on the day of a meeting, who was expected, and who came.

    Attributes:
        members: Everyone holding a seat that day, with a vote or without.
        expected: Those expected to attend (members less those excused; every member
            without a vote is expected).
        present: Those who came; a subset of ``expected``. The quorum is met or failed by
            those with a vote among them.
        excused: Whether anyone was excused (if not, a meeting leaves ``expected`` unset).
        without_vote: The members without a vote (probationary party members), whom no
            count of the rule includes.
    """

    members: frozenset[str]
    expected: frozenset[str]
    present: frozenset[str]
    excused: bool
    without_vote: frozenset[str] = frozenset()


def _present_counts(rule: VotingRule, members: int, expected: int, want: _Want) -> list[int]:
    """How many may come for the meeting to end as ``want``, by the rule's own evaluation."""
    counts = []
    for present in range(expected + 1):
        outcome = rule.evaluate(
            Tally(members=members, should_attend=expected, present=present, yes=0)
        )
        quorate, needed = outcome.quorum_met, outcome.yes_required
        if want == "inquorate":
            fits = not quorate
        elif want == "quorate":
            fits = quorate
        elif want == "adopt":
            fits = quorate and needed <= present
        else:
            fits = quorate and needed >= 1
        if fits:
            counts.append(present)
    return counts


def _draw_roster(
    draw: st.DrawFn,
    members: list[str],
    without_vote: list[str],
    rule: VotingRule,
    want: _Want,
    excused: bool,
) -> tuple[Roster, list[str]]:
    """A roster that can end as ``want``, and those present with a vote in a random order.

    ``members`` are those with a vote, whose numbers the rule counts; those ``without_vote``
    are expected, and some of them come."""
    expected = members
    counts = _present_counts(rule, len(members), len(members), want)
    if excused and len(members) > 1 and draw(st.booleans()):
        stay = draw(st.integers(1, len(members) - 1))
        chosen = draw(st.permutations(members))[:stay]
        chosen_counts = _present_counts(rule, len(members), stay, want)
        if chosen_counts:
            expected, counts = sorted(chosen), chosen_counts
    _check(
        bool(counts),
        f"no meeting of {len(members)} members can be {want} under the rule {rule.name!r}",
    )
    size = draw(st.sampled_from(counts))
    present = draw(st.permutations(expected))[:size]
    attending = draw(st.permutations(without_vote))[: draw(st.integers(0, len(without_vote)))]
    roster = Roster(
        members=frozenset(members).union(without_vote),
        expected=frozenset(expected).union(without_vote),
        present=frozenset(present).union(attending),
        excused=len(expected) < len(members),
        without_vote=frozenset(without_vote),
    )
    return roster, present


@st.composite
def _rosters(
    draw: st.DrawFn,
    members: list[str],
    without_vote: list[str],
    rule: VotingRule,
    want: _Want,
    excused: bool,
) -> Roster:
    return _draw_roster(draw, members, without_vote, rule, want, excused)[0]


def _seats(community: Community, body: BodyKind, on: date) -> tuple[list[str], list[str]]:
    """Those holding a seat on ``body`` on ``on`` with a vote, and those without one."""
    without_vote = community.without_vote(body, on)
    return sorted(community.members_of(body, on) - without_vote), sorted(without_vote)


def rosters(
    community: Community,
    body: BodyKind,
    on: date,
    rule: VotingRule,
    *,
    quorate: bool = True,
    excused: bool = True,
) -> st.SearchStrategy[Roster]:
    """Attendance at a meeting of ``body`` on ``on`` that meets (or fails) ``rule``'s quorum.

    Args:
        community: The community whose seats count.
        body: The body that meets.
        on: The day of the meeting, in the community's timezone (``community.local_date(at)``).
        rule: The voting rule whose quorum is judged.
        quorate: Whether the quorum is met; ``False`` gives quorum-failing rosters.
        excused: Whether some members may be excused (left out of those expected).

    Returns:
        A strategy of :class:`Roster`.

    Raises:
        InvalidArgument: when drawn, if no roster of that body can be so (a body with no
            members, say).
    """
    members, without_vote = _seats(community, body, on)
    return _rosters(members, without_vote, rule, "quorate" if quorate else "inquorate", excused)


@st.composite
def _meetings(
    draw: st.DrawFn,
    body: BodyKind,
    members: list[str],
    without_vote: list[str],
    rule: VotingRule,
    wants: tuple[_Want, ...],
    excused: bool,
    plan: str | None,
    papers_sent_on: date | None,
) -> Meeting:
    feasible = [want for want in wants if _present_counts(rule, len(members), len(members), want)]
    _check(
        bool(feasible),
        f"no meeting of the {body.en} ({len(members)} members) can {' or '.join(wants)} "
        f"under the rule {rule.name!r}",
    )
    want = draw(st.sampled_from(feasible))
    roster, present = _draw_roster(draw, members, without_vote, rule, want, excused)
    needed = rule.evaluate(
        Tally(
            members=len(members),
            should_attend=len(roster.expected - roster.without_vote),
            present=len(present),
            yes=0,
        )
    ).yes_required
    if want == "adopt":
        yes = draw(st.integers(needed, len(present)))
    elif want == "reject":
        yes = draw(st.integers(0, min(len(present), needed - 1)))
    else:
        yes = draw(st.integers(0, len(present)))
    votes = [Vote(person, Choice.YES) for person in present[:yes]]
    for person in present[yes:]:
        choice = draw(st.sampled_from([Choice.NO, Choice.ABSTAIN, None]))
        if choice is not None:
            votes.append(Vote(person, choice))
    if want == "adopt":
        outcome = Outcome.ADOPTED
    elif want == "reject":
        outcome = Outcome.REJECTED
    else:
        outcome = draw(st.sampled_from(Outcome))
    return Meeting(
        body=body,
        present=roster.present,
        votes=tuple(draw(st.permutations(votes))),
        outcome=outcome,
        minutes=draw(_NOTES),
        excused=dict.fromkeys(roster.members - roster.expected, "因病请假"),
        plan=plan,
        papers_sent_on=papers_sent_on,
        reason="" if outcome is Outcome.ADOPTED else draw(_NOTES),
    )


def meetings(
    community: Community,
    body: BodyKind,
    on: date,
    rule: VotingRule,
    *,
    outcome: Outcome | None = None,
    quorate: bool = True,
    excused: bool = True,
    plan: str | None = None,
    papers_sent_on: date | None = None,
) -> st.SearchStrategy[Meeting]:
    """Minutes of a meeting of ``body`` on ``on``, valid for that body and day under ``rule``.

    Those present are members (less any excused), every named vote is from someone present
    with a vote (members without one, probationary party members, may come, and never
    vote), and the outcome is the one ``rule.evaluate`` gives on the meeting's numbers. With
    ``quorate=False`` the meeting fails the quorum instead (its recorded outcome is random), so
    :meth:`~communitygov.Matter.deliberate` must refuse it.

    The plan and papers fields are passed through: set them as the step requires (a plan at
    the first step, papers early enough where the step wants notice).

    Args:
        community: The community whose seats count.
        body: The body that meets.
        on: The day of the meeting, in the community's timezone (``community.local_date(at)``).
        rule: The step's voting rule.
        outcome: The outcome wanted; either outcome the body can reach if ``None``.
        quorate: ``False`` for quorum-failing meetings.
        excused: Whether some members may be excused from attending.
        plan: The plan text put on the table, if any.
        papers_sent_on: When the papers went out, if the step requires notice.

    Returns:
        A strategy of :class:`~communitygov.Meeting`.

    Raises:
        InvalidArgument: when drawn, if the body cannot reach such an outcome (no members).
    """
    wants: tuple[_Want, ...]
    if not quorate:
        wants = ("inquorate",)
    elif outcome is None:
        wants = ("adopt", "reject")
    else:
        wants = ("adopt",) if outcome is Outcome.ADOPTED else ("reject",)
    members, without_vote = _seats(community, body, on)
    return _meetings(body, members, without_vote, rule, wants, excused, plan, papers_sent_on)
