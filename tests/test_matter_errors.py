"""Every way a matter command can be refused: the right error, its facts, and nothing changed.

Each case builds a matter (or, for ``raise_matter``, only the community), snapshots it, runs one
command that must fail, and checks the error type, at least one fact attribute, and that the
matter and the community are exactly as they were.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import communitygov as cg
from support import (
    PARTY_COMMITTEE,
    REPRESENTATIVES,
    SEATED,
    START,
    at,
    community,
    drive,
    later,
    matter_at,
    meeting,
    new_matter,
    raised,
)

P3 = cg.ONE_SOLICITATION_THREE_DELIBERATIONS
P4 = cg.FOUR_DELIBERATIONS
B = cg.BodyKind
REPS = "residents' representatives' assembly"
SUPERVISION = "residents' affairs supervision committee"

Command = Callable[[], object]
Arranged = tuple[cg.Matter | None, cg.Community, Command]


def _c() -> cg.Community:
    return community()


def _opinion(opinion_id: str = "o1", author: str = "res0") -> cg.Opinion:
    return cg.Opinion(opinion_id, author, cg.Channel.HOUSEHOLD_VISIT, cg.Stance.SUPPORT, "支持")


def _with_objection(objection_id: str = "x1") -> cg.Matter:
    m = matter_at(cg.MatterState.RESOLUTION_PUBLICITY)
    m, _ = m.raise_objection(
        objection_id, by="res1", text="费用不清楚", community=_c(), at=later(m, 0)
    )
    return m


def _ends(notice: cg.Notice | None) -> datetime:
    assert notice is not None
    assert notice.ends_at is not None
    return notice.ends_at


def _closes(m: cg.Matter) -> datetime:
    assert m.solicitation_closes_at is not None
    return m.solicitation_closes_at


# --- the cases -----------------------------------------------------------------------------
# Each arranges (matter or None, community, command) and names the error and its facts.


def transition_not_allowed() -> Arranged:
    m = new_matter()
    return m, _c(), lambda: m.publicise_resolution("决议", place="公示栏", at=later(m))


def transition_not_allowed_deliberating_when_resolved() -> Arranged:
    m = matter_at(cg.MatterState.RESOLVED)
    when = later(m)
    return (
        m,
        _c(),
        lambda: m.deliberate(meeting(B.REPRESENTATIVES_ASSEMBLY, 30, 30), community=_c(), at=when),
    )


def quorum_not_met() -> Arranged:
    m = matter_at("resolve")
    return (
        m,
        _c(),
        lambda: m.deliberate(
            meeting(B.REPRESENTATIVES_ASSEMBLY, 19, 19), community=_c(), at=later(m)
        ),
    )


def threshold_not_reached() -> Arranged:
    m = matter_at("resolve")
    return (
        m,
        _c(),
        lambda: m.deliberate(
            meeting(B.REPRESENTATIVES_ASSEMBLY, 20, 10), community=_c(), at=later(m)
        ),
    )


def implementation_too_early() -> Arranged:
    m = matter_at(cg.MatterState.RESOLUTION_PUBLICITY)
    return (
        m,
        _c(),
        lambda: m.start_implementation(
            by="pc0", community=_c(), at=_ends(m.resolution) - timedelta(minutes=1)
        ),
    )


def close_too_early() -> Arranged:
    m = matter_at(cg.MatterState.RESULT_PUBLICITY)
    return m, _c(), lambda: m.close(at=_ends(m.result) - timedelta(seconds=1))


def solicitation_closed_early() -> Arranged:
    m = matter_at(cg.MatterState.SOLICITING)
    return m, _c(), lambda: m.close_solicitation(at=_closes(m) - timedelta(minutes=1))


def opinion_after_window() -> Arranged:
    m = matter_at(cg.MatterState.SOLICITING)
    return m, _c(), lambda: m.record_opinion(_opinion(), community=_c(), at=_closes(m))


def objection_after_publicity() -> Arranged:
    m = matter_at(cg.MatterState.RESOLUTION_PUBLICITY)
    return (
        m,
        _c(),
        lambda: m.raise_objection(
            "x1", by="res1", text="反对", community=_c(), at=_ends(m.resolution)
        ),
    )


def window_too_short() -> Arranged:
    m = new_matter()
    when = later(m)
    return m, _c(), lambda: m.open_solicitation(at=when, closes_at=when + timedelta(days=6))


def non_member_present() -> Arranged:
    m = matter_at("consult")
    present = (*PARTY_COMMITTEE, "res0")
    return (
        m,
        _c(),
        lambda: m.deliberate(meeting(B.TWO_COMMITTEES, present, 6), community=_c(), at=later(m)),
    )


def membership_ended_the_day_before() -> Arranged:
    m = matter_at("resolve")
    when = later(m)
    # The seat's last day was the day before the meeting: ``end`` is the first day without it.
    c, _ = _c().end_membership("rep00", B.REPRESENTATIVES_ASSEMBLY, end=when.date(), at=when)
    return (
        m,
        c,
        lambda: m.deliberate(meeting(B.REPRESENTATIVES_ASSEMBLY, 25, 25), community=c, at=when),
    )


def seat_starts_the_day_after() -> Arranged:
    m = matter_at("resolve")
    when = later(m)
    tomorrow = when.date() + timedelta(days=1)
    c, _ = _c().appoint("res0", B.REPRESENTATIVES_ASSEMBLY, start=tomorrow, at=when)
    present = (*REPRESENTATIVES[:24], "res0")
    return (
        m,
        c,
        lambda: m.deliberate(
            meeting(B.REPRESENTATIVES_ASSEMBLY, present, 25), community=c, at=when
        ),
    )


def ruler_not_on_supervision_committee() -> Arranged:
    m = _with_objection()
    return (
        m,
        _c(),
        lambda: m.rule_on_objection(
            "x1",
            upheld=False,
            ruling="不成立",
            ruled_by=["sup0", "rep05"],
            place="公示栏",
            community=_c(),
            at=later(m),
        ),
    )


def voted_twice() -> Arranged:
    m = matter_at("propose")
    votes = [cg.Vote("pc0", cg.Choice.YES), cg.Vote("pc0", cg.Choice.YES)]
    minutes = meeting(B.PARTY_COMMITTEE, 5, 5, plan="方案")
    minutes = attrs.evolve(minutes, votes=votes)
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=later(m))


def more_votes_than_present() -> Arranged:
    m = matter_at("propose")
    minutes = meeting(B.PARTY_COMMITTEE, 3, 3, plan="方案")
    minutes = attrs.evolve(minutes, votes=(*minutes.votes, cg.Vote("pc3", cg.Choice.YES)))
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=later(m))


def wrong_body() -> Arranged:
    m = matter_at("consult")
    return (
        m,
        _c(),
        lambda: m.deliberate(meeting(B.PARTY_COMMITTEE, 5, 5), community=_c(), at=later(m)),
    )


def vote_from_absent_person() -> Arranged:
    m = matter_at("propose")
    minutes = meeting(B.PARTY_COMMITTEE, 4, 4, plan="方案")
    minutes = attrs.evolve(minutes, votes=(*minutes.votes[:3], cg.Vote("pc4", cg.Choice.YES)))
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=later(m))


def present_not_expected() -> Arranged:
    m = matter_at("propose")
    # pc4 was excused in advance (left out of those expected) but is recorded as present.
    minutes = meeting(B.PARTY_COMMITTEE, 5, 5, plan="方案", excused={"pc4": "出差"})
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=later(m))


def not_excused() -> Arranged:
    m = matter_at("propose")
    # pc4 was left out of those expected, with no excusal recorded.
    minutes = meeting(B.PARTY_COMMITTEE, 4, 4, plan="方案", expected=PARTY_COMMITTEE[:4])
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=later(m))


def empty_title() -> Arranged:
    return (
        None,
        _c(),
        lambda: cg.Matter.raise_matter(
            "m1",
            community=_c(),
            procedure=P3,
            title="   ",
            description="说明",
            source=cg.MotionSource.RESIDENTS,
            raised_by="res0",
            at=START,
        ),
    )


def empty_withdrawal_reason() -> Arranged:
    m = matter_at("consult")
    return m, _c(), lambda: m.withdraw("", by="pc0", community=_c(), at=later(m))


def naive_datetime() -> Arranged:
    m = new_matter()
    return m, _c(), lambda: m.open_solicitation(at=datetime(2025, 9, 2, 9))


def naive_datetime_when_raising() -> Arranged:
    return (
        None,
        _c(),
        lambda: cg.Matter.raise_matter(
            "m1",
            community=_c(),
            procedure=P3,
            title="标题",
            description="说明",
            source=cg.MotionSource.RESIDENTS,
            raised_by="res0",
            at=datetime(2025, 9, 1, 9),
        ),
    )


def time_went_backwards() -> Arranged:
    m = matter_at(cg.MatterState.SOLICITING)
    return (
        m,
        _c(),
        lambda: m.record_opinion(_opinion(), community=_c(), at=START - timedelta(days=1)),
    )


def not_eligible() -> Arranged:
    party_only = attrs.evolve(
        P3,
        solicitation=cg.SolicitationRules(
            constituencies=frozenset({cg.Constituency.PARTY_MEMBERS})
        ),
    )
    m = matter_at(cg.MatterState.SOLICITING, party_only)
    return m, _c(), lambda: m.record_opinion(_opinion(author="res0"), community=_c(), at=later(m))


def papers_not_sent_in_time() -> Arranged:
    m = matter_at("review", P4)
    when = later(m)
    sent = when.date() - timedelta(days=2)
    minutes = meeting(B.PARTY_MEMBERS_ASSEMBLY, 10, 10, papers_sent_on=sent)
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=when)


def papers_before_plan() -> Arranged:
    # Papers a week ahead, but dated the day before the plan was tabled (2 September: 四议两公开
    # solicits no opinions, so the branch proposes the day after the matter is raised).
    m = matter_at("review", P4)
    when = later(m, 7)
    minutes = meeting(B.PARTY_MEMBERS_ASSEMBLY, 10, 10, papers_sent_on=date(2025, 9, 1))
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=when)


def papers_for_an_earlier_meeting() -> Arranged:
    # The assembly's first review rejects the plan; the matter comes back to the review, and
    # the papers given are those sent for the first one.
    m = matter_at("review", P4)
    first = later(m, 7)
    sent = first.date() - timedelta(days=3)
    rejected = meeting(
        B.PARTY_MEMBERS_ASSEMBLY, 10, 0, outcome=cg.Outcome.REJECTED, papers_sent_on=sent
    )
    m = m.deliberate(rejected, community=_c(), at=first)[0]
    m = drive(m, "review")
    minutes = meeting(B.PARTY_MEMBERS_ASSEMBLY, 10, 10, papers_sent_on=sent)
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=later(m, 7))


def papers_before_the_matter() -> Arranged:
    # Before any plan, papers dated before the matter was raised (1 September).
    first_step_with_papers = attrs.evolve(
        P3,
        steps=[attrs.evolve(P3.steps[0], papers_notice=cg.Period.days(3)), *P3.steps[1:]],
    )
    m = matter_at("propose", first_step_with_papers)
    minutes = meeting(B.PARTY_COMMITTEE, 5, 5, plan="方案", papers_sent_on=date(2025, 8, 31))
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=later(m))


def papers_after_meeting() -> Arranged:
    # A step with no papers notice: the day after the meeting is still after it.
    m = matter_at("consult")
    when = later(m)
    minutes = meeting(B.TWO_COMMITTEES, 9, 9, papers_sent_on=when.date() + timedelta(days=1))
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=when)


def vote_without_right() -> Arranged:
    # res0 sits in the party members' assembly on probation, comes, and is given a vote.
    c, _ = _c().appoint(
        "res0", B.PARTY_MEMBERS_ASSEMBLY, start=SEATED, at=at(2024, 1, 2), voting=False
    )
    m = drive(raised(P4, c=c).value, "review", c)
    when = later(m, 4)
    minutes = meeting(B.PARTY_MEMBERS_ASSEMBLY, 10, 10, papers_sent_on=later(m).date())
    minutes = attrs.evolve(
        minutes,
        present=minutes.present | {"res0"},
        votes=[*minutes.votes, cg.Vote("res0", cg.Choice.YES)],
    )
    return m, c, lambda: m.deliberate(minutes, community=c, at=when)


def rejection_ending_where_it_goes_back() -> Arranged:
    # The two committees send a rejected plan back; they may not end the matter.
    m = matter_at("consult")
    minutes = meeting(B.TWO_COMMITTEES, 9, 0, outcome=cg.Outcome.REJECTED, ends_matter=True)
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=later(m))


def plan_required() -> Arranged:
    m = matter_at("propose")
    return (
        m,
        _c(),
        lambda: m.deliberate(meeting(B.PARTY_COMMITTEE, 5, 5), community=_c(), at=later(m)),
    )


def amendment_not_allowed() -> Arranged:
    m = matter_at("resolve")
    minutes = meeting(B.REPRESENTATIVES_ASSEMBLY, 30, 30, plan="代表会议上改的方案")
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=later(m))


def plan_version_mismatch() -> Arranged:
    m = matter_at("consult")
    minutes = meeting(B.TWO_COMMITTEES, 9, 9, plan_version=2)
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=later(m))


def decision_contradicts_vote() -> Arranged:
    m = matter_at("propose")
    minutes = meeting(B.PARTY_COMMITTEE, 5, 5, plan="方案", outcome=cg.Outcome.REJECTED)
    return m, _c(), lambda: m.deliberate(minutes, community=_c(), at=later(m))


def objections_pending() -> Arranged:
    m = _with_objection()
    return m, _c(), lambda: m.start_implementation(by="pc0", community=_c(), at=_ends(m.resolution))


def objection_already_ruled() -> Arranged:
    m = _with_objection()
    m, _ = m.rule_on_objection(
        "x1",
        upheld=False,
        ruling="不成立",
        ruled_by=["sup0", "sup1"],
        place="公示栏",
        community=_c(),
        at=later(m),
    )
    return (
        m,
        _c(),
        lambda: m.rule_on_objection(
            "x1",
            upheld=True,
            ruling="成立",
            ruled_by=["sup1", "sup2"],
            place="公示栏",
            community=_c(),
            at=later(m),
        ),
    )


def unknown_objection() -> Arranged:
    m = _with_objection()
    return (
        m,
        _c(),
        lambda: m.rule_on_objection(
            "x9",
            upheld=False,
            ruling="不成立",
            ruled_by=["sup0"],
            place="公示栏",
            community=_c(),
            at=later(m),
        ),
    )


def unknown_author() -> Arranged:
    m = matter_at(cg.MatterState.SOLICITING)
    return m, _c(), lambda: m.record_opinion(_opinion(author="ghost"), community=_c(), at=later(m))


def duplicate_opinion() -> Arranged:
    m = matter_at(cg.MatterState.SOLICITING)
    m, _ = m.record_opinion(_opinion("o1", "res0"), community=_c(), at=later(m, 0))
    return m, _c(), lambda: m.record_opinion(_opinion("o1", "res1"), community=_c(), at=later(m))


def duplicate_objection() -> Arranged:
    m = _with_objection("x1")
    return (
        m,
        _c(),
        lambda: m.raise_objection("x1", by="res2", text="也反对", community=_c(), at=later(m, 0)),
    )


def wrong_community() -> Arranged:
    m = matter_at("propose")
    other = community("yiyuan")
    return (
        m,
        other,
        lambda: m.deliberate(
            meeting(B.PARTY_COMMITTEE, 5, 5, plan="方案"), community=other, at=later(m)
        ),
    )


def _acting(
    command: str, community_id: str = "sanwan", by: str = "ghost"
) -> Callable[[], Arranged]:
    """Who acts, in a command that names them: ``by`` of ``community_id``."""

    def arrange() -> Arranged:
        state = {"withdraw": "consult", "start_implementation": cg.MatterState.RESOLUTION_PUBLICITY}
        m = matter_at(state.get(command, cg.MatterState.IMPLEMENTING))
        c = community(community_id)
        when = _ends(m.resolution) if command == "start_implementation" else later(m)
        calls: dict[str, Command] = {
            "withdraw": lambda: m.withdraw("重复", by=by, community=c, at=when),
            "start_implementation": lambda: m.start_implementation(by=by, community=c, at=when),
            "record_progress": lambda: m.record_progress("进展", by=by, community=c, at=when),
        }
        return m, c, calls[command]

    return arrange


def _rule(m: cg.Matter, **changes: Any) -> cg.Decision[cg.Matter]:
    """A ruling on objection ``x1`` by two supervisors, with ``changes`` made to it."""
    arguments: dict[str, Any] = {
        "upheld": False,
        "ruling": "不成立",
        "ruled_by": ["sup0", "sup1"],
        "place": "公示栏",
        "community": _c(),
        "at": later(m),
    }
    return m.rule_on_objection("x1", **{**arguments, **changes})


def _raise(**changes: Any) -> cg.Decision[cg.Matter]:
    """``raise_matter`` with ``changes`` made to its arguments."""
    arguments: dict[str, Any] = {
        "community": _c(),
        "procedure": P3,
        "title": "标题",
        "description": "说明",
        "source": cg.MotionSource.RESIDENTS,
        "raised_by": "res0",
        "at": START,
    }
    return cg.Matter.raise_matter("m1", **{**arguments, **changes})


def ruled(**changes: Any) -> Callable[[], Arranged]:
    """A ruling on a pending objection, refused for ``changes``."""

    def arrange() -> Arranged:
        m = _with_objection()
        return m, _c(), lambda: _rule(m, **changes)

    return arrange


def raised_with(**changes: Any) -> Callable[[], Arranged]:
    """A matter raised with ``changes``, refused."""
    return lambda: (None, _c(), lambda: _raise(**changes))


def opinion_by_a_list() -> Arranged:
    m = matter_at(cg.MatterState.SOLICITING)
    return (
        m,
        _c(),
        lambda: m.record_opinion(_opinion(author=["res0"]), community=_c(), at=later(m)),  # type: ignore[arg-type]
    )


def opinion_without_community() -> Arranged:
    m = matter_at(cg.MatterState.SOLICITING)
    return m, _c(), lambda: m.record_opinion(_opinion(), community=None, at=later(m))  # type: ignore[arg-type]


def objection_by_a_list() -> Arranged:
    m = matter_at(cg.MatterState.RESOLUTION_PUBLICITY)
    return (
        m,
        _c(),
        lambda: m.raise_objection("x1", by=["res1"], text="反对", community=_c(), at=later(m, 0)),  # type: ignore[arg-type]
    )


def objection_without_community() -> Arranged:
    m = matter_at(cg.MatterState.RESOLUTION_PUBLICITY)
    return (
        m,
        _c(),
        lambda: m.raise_objection("x1", by="res1", text="反对", community=None, at=later(m, 0)),  # type: ignore[arg-type]
    )


def deliberation_without_minutes() -> Arranged:
    m = matter_at("propose")
    return m, _c(), lambda: m.deliberate(None, community=_c(), at=later(m))  # type: ignore[arg-type]


def deliberation_without_community() -> Arranged:
    m = matter_at("propose")
    minutes = meeting(B.PARTY_COMMITTEE, 5, 5, plan="方案")
    return m, _c(), lambda: m.deliberate(minutes, community=None, at=later(m))  # type: ignore[arg-type]


def minutes_with(**changes: Any) -> Callable[[], Arranged]:
    """A meeting of the party committee whose minutes are made with ``changes``, refused
    where they are made."""

    def arrange() -> Arranged:
        m = matter_at("propose")
        fields: dict[str, Any] = {
            "body": B.PARTY_COMMITTEE,
            "present": PARTY_COMMITTEE,
            "votes": [cg.Vote(person, cg.Choice.YES) for person in PARTY_COMMITTEE],
            "outcome": cg.Outcome.ADOPTED,
            "plan": "方案",
        }
        return (
            m,
            _c(),
            lambda: m.deliberate(cg.Meeting(**{**fields, **changes}), community=_c(), at=later(m)),
        )

    return arrange


def vote_by_a_number() -> Arranged:
    m = matter_at("propose")
    minutes = meeting(B.PARTY_COMMITTEE, 5, 5, plan="方案")
    return (
        m,
        _c(),
        lambda: m.deliberate(
            attrs.evolve(minutes, votes=[cg.Vote(5, cg.Choice.YES)]),  # type: ignore[arg-type]
            community=_c(),
            at=later(m),
        ),
    )


def cost_beyond_what_money_holds() -> Arranged:
    m = matter_at(cg.MatterState.IMPLEMENTING)
    return m, _c(), lambda: m.complete("完成", cost_fen=cg.MAX_FEN + 1, at=later(m))


CASES: list[Any] = [
    pytest.param(
        transition_not_allowed,
        cg.TransitionNotAllowed,
        {
            "action": "publicise_resolution",
            "state": "raised",
            "allowed": ("open_solicitation", "withdraw"),
        },
        id="TransitionNotAllowed",
    ),
    pytest.param(
        transition_not_allowed_deliberating_when_resolved,
        cg.TransitionNotAllowed,
        {"action": "deliberate", "state": "resolved", "allowed": ("publicise_resolution",)},
        id="TransitionNotAllowed-deliberate-when-resolved",
    ),
    pytest.param(
        quorum_not_met,
        cg.QuorumNotMet,
        {"body": REPS, "present": 19, "base": 30, "required": 20, "inclusive": True},
        id="QuorumNotMet-19-of-30",
    ),
    pytest.param(
        threshold_not_reached,
        cg.ThresholdNotReached,
        {"body": REPS, "yes": 10, "base": 20, "base_name": "present", "required": 11},
        id="ThresholdNotReached-exactly-half",
    ),
    pytest.param(
        implementation_too_early,
        cg.PeriodNotElapsed,
        {"period": "resolution publicity", "ends_at": at(2025, 9, 23, 0)},
        id="PeriodNotElapsed-start-implementation",
    ),
    pytest.param(
        close_too_early,
        cg.PeriodNotElapsed,
        {"period": "result publicity"},
        id="PeriodNotElapsed-close",
    ),
    pytest.param(
        solicitation_closed_early,
        cg.PeriodNotElapsed,
        {"period": "solicitation window", "ends_at": at(2025, 9, 10, 0)},
        id="PeriodNotElapsed-close-solicitation",
    ),
    pytest.param(
        opinion_after_window,
        cg.WindowClosed,
        {"window": "solicitation window", "closes_at": at(2025, 9, 10, 0)},
        id="WindowClosed-opinion",
    ),
    pytest.param(
        objection_after_publicity,
        cg.WindowClosed,
        {"window": "resolution publicity", "closes_at": at(2025, 9, 23, 0)},
        id="WindowClosed-objection",
    ),
    pytest.param(
        window_too_short,
        cg.WindowTooShort,
        {"window": "solicitation window", "minimum": "7 calendar days"},
        id="WindowTooShort",
    ),
    pytest.param(
        non_member_present,
        cg.NotAMember,
        {"person": "res0", "body": "two committees' joint meeting"},
        id="NotAMember-present-non-member",
    ),
    pytest.param(
        membership_ended_the_day_before,
        cg.NotAMember,
        {"person": "rep00", "body": REPS, "on": date(2025, 9, 13)},
        id="NotAMember-membership-ended",
    ),
    pytest.param(
        seat_starts_the_day_after,
        cg.NotAMember,
        {"person": "res0", "body": REPS, "on": date(2025, 9, 13)},
        id="NotAMember-seat-starts-next-day",
    ),
    pytest.param(
        ruler_not_on_supervision_committee,
        cg.NotAMember,
        {"person": "rep05", "body": SUPERVISION},
        id="NotAMember-ruler",
    ),
    pytest.param(voted_twice, cg.VotedTwice, {"person": "pc0", "times": 2}, id="VotedTwice"),
    pytest.param(
        more_votes_than_present,
        cg.MoreVotesThanPresent,
        {"votes": 4, "present": 3},
        id="MoreVotesThanPresent",
    ),
    pytest.param(
        wrong_body,
        cg.WrongBody,
        {
            "step": "consult",
            "expected": "two committees' joint meeting",
            "got": "party organisation committee",
        },
        id="WrongBody",
    ),
    pytest.param(
        vote_from_absent_person,
        cg.VoteFromAbsentPerson,
        {"person": "pc4"},
        id="VoteFromAbsentPerson",
    ),
    pytest.param(
        present_not_expected,
        cg.PresentNotExpected,
        {"person": "pc4", "body": "party organisation committee"},
        id="PresentNotExpected",
    ),
    pytest.param(empty_title, cg.EmptyField, {"field": "title"}, id="EmptyField-title"),
    pytest.param(
        empty_withdrawal_reason, cg.EmptyField, {"field": "reason"}, id="EmptyField-reason"
    ),
    pytest.param(naive_datetime, cg.NaiveDatetime, {"field": "at"}, id="NaiveDatetime"),
    pytest.param(
        naive_datetime_when_raising,
        cg.NaiveDatetime,
        {"field": "at", "value": datetime(2025, 9, 1, 9)},
        id="NaiveDatetime-raise",
    ),
    pytest.param(
        time_went_backwards,
        cg.TimeWentBackwards,
        {"at": START - timedelta(days=1), "last": at(2025, 9, 2)},
        id="TimeWentBackwards",
    ),
    pytest.param(
        not_eligible,
        cg.NotEligible,
        {"person": "res0", "role": "give an opinion", "eligible": "party members"},
        id="NotEligible",
    ),
    pytest.param(
        papers_not_sent_in_time,
        cg.PapersNotSentInTime,
        {
            "body": "party members' assembly",
            "sent_on": date(2025, 9, 2),
            "latest": date(2025, 9, 1),
            "notice": "3 calendar days",
        },
        id="PapersNotSentInTime",
    ),
    pytest.param(
        papers_before_plan,
        cg.PapersBeforePlan,
        {
            "body": "party members' assembly",
            "sent_on": date(2025, 9, 1),
            "plan_version": 1,
            "since": date(2025, 9, 2),
        },
        id="PapersBeforePlan",
    ),
    pytest.param(
        papers_before_the_matter,
        cg.PapersBeforePlan,
        {
            "body": "party organisation committee",
            "sent_on": date(2025, 8, 31),
            "plan_version": 0,
            "since": date(2025, 9, 1),
        },
        id="PapersBeforePlan-before-the-matter",
    ),
    pytest.param(
        papers_for_an_earlier_meeting,
        cg.PapersForEarlierMeeting,
        {
            "body": "party members' assembly",
            "sent_on": date(2025, 9, 7),
            "previous_on": date(2025, 9, 10),
        },
        id="PapersForEarlierMeeting",
    ),
    pytest.param(
        papers_after_meeting,
        cg.PapersAfterMeeting,
        {
            "body": "two committees' joint meeting",
            "sent_on": date(2025, 9, 13),
            "meeting_day": date(2025, 9, 12),
        },
        id="PapersAfterMeeting",
    ),
    pytest.param(
        vote_without_right,
        cg.VoteWithoutRight,
        {"person": "res0", "body": "party members' assembly", "on": date(2025, 9, 7)},
        id="VoteWithoutRight",
    ),
    pytest.param(
        rejection_ending_where_it_goes_back,
        cg.NotApplicable,
        {"field": "ends_matter", "value": True},
        id="NotApplicable-ends_matter",
    ),
    pytest.param(
        not_excused,
        cg.NotExcused,
        {"person": "pc4", "body": "party organisation committee"},
        id="NotExcused",
    ),
    pytest.param(plan_required, cg.PlanRequired, {"step": "propose"}, id="PlanRequired"),
    pytest.param(
        amendment_not_allowed, cg.AmendmentNotAllowed, {"step": "resolve"}, id="AmendmentNotAllowed"
    ),
    pytest.param(
        plan_version_mismatch,
        cg.PlanVersionMismatch,
        {"on_table": 2, "current": 1},
        id="PlanVersionMismatch",
    ),
    pytest.param(
        decision_contradicts_vote,
        cg.DecisionContradictsVote,
        {"body": "party organisation committee", "outcome": "rejected", "yes": 5},
        id="DecisionContradictsVote",
    ),
    pytest.param(
        objections_pending, cg.ObjectionsPending, {"objections": ("x1",)}, id="ObjectionsPending"
    ),
    pytest.param(
        objection_already_ruled,
        cg.ObjectionAlreadyRuled,
        {"objection": "x1"},
        id="ObjectionAlreadyRuled",
    ),
    pytest.param(
        unknown_objection,
        cg.UnknownReference,
        {"kind": "objection", "id": "x9"},
        id="UnknownReference-objection",
    ),
    pytest.param(
        unknown_author,
        cg.UnknownReference,
        {"kind": "person", "id": "ghost"},
        id="UnknownReference-person",
    ),
    *(
        pytest.param(
            _acting(command),
            cg.UnknownReference,
            {"kind": "person", "id": "ghost"},
            id=f"UnknownReference-{command}-by",
        )
        for command in ("withdraw", "start_implementation", "record_progress")
    ),
    *(
        pytest.param(
            _acting(command, "yiyuan", by="pc0"),
            cg.WrongCommunity,
            {"expected": "sanwan", "got": "yiyuan"},
            id=f"WrongCommunity-{command}",
        )
        for command in ("withdraw", "start_implementation", "record_progress")
    ),
    pytest.param(
        duplicate_opinion, cg.DuplicateId, {"kind": "opinion", "id": "o1"}, id="DuplicateId-opinion"
    ),
    pytest.param(
        duplicate_objection,
        cg.DuplicateId,
        {"kind": "objection", "id": "x1"},
        id="DuplicateId-objection",
    ),
    pytest.param(
        wrong_community,
        cg.WrongCommunity,
        {"expected": "sanwan", "got": "yiyuan"},
        id="WrongCommunity",
    ),
    pytest.param(
        ruled(upheld="no"),
        cg.WrongType,
        {"field": "upheld", "value": "no", "expected": "a bool"},
        id="WrongType-upheld-text",
    ),
    pytest.param(
        ruled(upheld=None),
        cg.WrongType,
        {"field": "upheld", "value": None},
        id="WrongType-upheld-None",
    ),
    pytest.param(
        ruled(ruled_by=5), cg.WrongType, {"field": "ruled by", "value": 5}, id="WrongType-ruled-by"
    ),
    pytest.param(
        ruled(ruled_by="sup0"),
        cg.WrongType,
        {"field": "ruled by", "value": "sup0"},
        id="WrongType-ruled-by-a-text",
    ),
    pytest.param(
        ruled(ruled_by=["sup0", 5]),
        cg.WrongType,
        {"field": "an item of ruled by", "value": 5},
        id="WrongType-ruled-by-item",
    ),
    pytest.param(
        ruled(ruled_by=["sup0", "sup0"]),
        cg.DuplicateId,
        {"kind": "ruling member", "id": "sup0"},
        id="DuplicateId-ruling-member",
    ),
    pytest.param(
        ruled(community=None),
        cg.WrongType,
        {"field": "community", "value": None},
        id="WrongType-community-ruling",
    ),
    pytest.param(
        raised_with(community=None),
        cg.WrongType,
        {"field": "community", "value": None},
        id="WrongType-community-raise",
    ),
    pytest.param(
        raised_with(raised_by=["res0"]),
        cg.WrongType,
        {"field": "person id", "value": ["res0"]},
        id="WrongType-raised-by",
    ),
    pytest.param(
        opinion_by_a_list,
        cg.WrongType,
        {"field": "person id", "value": ["res0"]},
        id="WrongType-opinion-author",
    ),
    pytest.param(
        opinion_without_community,
        cg.WrongType,
        {"field": "community", "value": None},
        id="WrongType-community-opinion",
    ),
    pytest.param(
        objection_by_a_list,
        cg.WrongType,
        {"field": "person id", "value": ["res1"]},
        id="WrongType-objector",
    ),
    pytest.param(
        objection_without_community,
        cg.WrongType,
        {"field": "community", "value": None},
        id="WrongType-community-objection",
    ),
    pytest.param(
        deliberation_without_minutes,
        cg.WrongType,
        {"field": "meeting", "value": None},
        id="WrongType-meeting",
    ),
    pytest.param(
        deliberation_without_community,
        cg.WrongType,
        {"field": "community", "value": None},
        id="WrongType-community-deliberation",
    ),
    pytest.param(
        minutes_with(present="pc0"),
        cg.WrongType,
        {"field": "present", "value": "pc0"},
        id="WrongType-present-a-text",
    ),
    pytest.param(
        minutes_with(present=[*PARTY_COMMITTEE, 5]),
        cg.WrongType,
        {"field": "an item of present", "value": 5},
        id="WrongType-present-item",
    ),
    pytest.param(
        minutes_with(present=[*PARTY_COMMITTEE, "pc0"]),
        cg.DuplicateId,
        {"kind": "person present", "id": "pc0", "args": ("person present 'pc0' is named twice",)},
        id="DuplicateId-present",
    ),
    pytest.param(
        minutes_with(expected="pc0"),
        cg.WrongType,
        {"field": "expected", "value": "pc0"},
        id="WrongType-expected-a-text",
    ),
    pytest.param(
        minutes_with(votes=cg.Vote("pc0", cg.Choice.YES)),
        cg.WrongType,
        {"field": "votes"},
        id="WrongType-votes-not-a-list",
    ),
    pytest.param(
        vote_by_a_number,
        cg.WrongType,
        {"field": "person_id", "value": 5},
        id="WrongType-voter",
    ),
    pytest.param(
        cost_beyond_what_money_holds,
        cg.InvalidAmount,
        {"field": "cost in fen", "value": cg.MAX_FEN + 1},
        id="InvalidAmount-cost",
    ),
]

REQUIRED = {
    cg.TransitionNotAllowed,
    cg.VoteWithoutRight,
    cg.NotApplicable,
    cg.QuorumNotMet,
    cg.ThresholdNotReached,
    cg.PeriodNotElapsed,
    cg.WindowClosed,
    cg.WindowTooShort,
    cg.NotAMember,
    cg.VotedTwice,
    cg.MoreVotesThanPresent,
    cg.WrongBody,
    cg.VoteFromAbsentPerson,
    cg.PresentNotExpected,
    cg.EmptyField,
    cg.NaiveDatetime,
    cg.TimeWentBackwards,
    cg.NotEligible,
    cg.PapersNotSentInTime,
    cg.PapersBeforePlan,
    cg.PapersForEarlierMeeting,
    cg.PapersAfterMeeting,
    cg.NotExcused,
    cg.PlanRequired,
    cg.AmendmentNotAllowed,
    cg.PlanVersionMismatch,
    cg.DecisionContradictsVote,
    cg.ObjectionsPending,
    cg.ObjectionAlreadyRuled,
    cg.UnknownReference,
    cg.DuplicateId,
    cg.WrongCommunity,
    cg.WrongType,
    cg.InvalidAmount,
}


@pytest.mark.parametrize(("arrange", "error", "facts"), CASES)
def test_command_is_refused_and_nothing_changes(
    arrange: Callable[[], Arranged],
    error: type[cg.CommunityGovError],
    facts: Mapping[str, object],
) -> None:
    m, c, command = arrange()
    before = copy.deepcopy(m)
    before_version = None if m is None else m.version
    before_last_at = None if m is None else m.last_at
    c_before = copy.deepcopy(c)

    with pytest.raises(error) as caught:
        command()

    assert type(caught.value) is error
    for name, value in facts.items():
        assert getattr(caught.value, name) == value, name
    assert str(caught.value)  # a readable message
    assert c == c_before
    assert c.version == c_before.version
    assert c.last_at == c_before.last_at
    if m is not None:
        assert m == before
        assert m.version == before_version
        assert m.last_at == before_last_at


def test_the_cases_cover_every_error_and_all_are_library_errors() -> None:
    covered = {param.values[1] for param in CASES}
    assert covered == REQUIRED
    for error in covered:
        assert issubclass(error, cg.CommunityGovError)
        assert issubclass(error, cg.CommandRejected)


def test_matter_and_community_are_frozen() -> None:
    m = new_matter()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        m.state = cg.MatterState.CLOSED  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        community().name = "另一个社区"  # type: ignore[misc]


# --- arguments of another type --------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"source": "residents"}, "source", "a MotionSource (MotionSource.RESIDENTS, "),
        ({"source": "martians"}, "source", "a MotionSource"),
        ({"procedure": "yizheng-sanyi-liang-gongkai"}, "procedure", "a Procedure"),
    ],
)
def test_raising_a_matter_with_a_text_for_a_choice_is_refused(
    change: dict[str, object], field: str, expected: str
) -> None:
    arguments: dict[str, Any] = {
        "community": community(),
        "procedure": cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
        "title": "t",
        "description": "d",
        "source": cg.MotionSource.RESIDENTS,
        "raised_by": "pc0",
        "at": START,
    }
    with pytest.raises(cg.WrongType) as refused:
        cg.Matter.raise_matter("m1", **{**arguments, **change})
    error = refused.value
    assert (error.field, error.value) == (field, change[field])
    assert error.expected.startswith(expected)
    assert str(error).startswith(f"{field}={change[field]!r} is a str, not {expected}")


def test_a_vote_or_meeting_with_a_text_for_a_choice_is_refused() -> None:
    with pytest.raises(cg.WrongType, match="choice='yes' is a str, not a Choice"):
        cg.Vote("p1", "yes")  # type: ignore[arg-type]
    with pytest.raises(cg.WrongType, match="body='party_committee' is a str, not a BodyKind"):
        cg.Meeting(body="party_committee", present=[], votes=[], outcome=cg.Outcome.ADOPTED)  # type: ignore[arg-type]
    with pytest.raises(cg.WrongType, match="outcome='adopted' is a str, not an Outcome"):
        cg.Meeting(body=cg.BodyKind.PARTY_COMMITTEE, present=[], votes=[], outcome="adopted")  # type: ignore[arg-type]
    # A plan version given as "0" read as a mismatch with version 0; False passed as 0.
    for version in ("0", False, 1.0):
        with pytest.raises(cg.WrongType) as wrong:
            cg.Meeting(
                body=cg.BodyKind.PARTY_COMMITTEE,
                present=[],
                votes=[],
                outcome=cg.Outcome.ADOPTED,
                plan_version=version,  # type: ignore[arg-type]
            )
        assert (wrong.value.field, wrong.value.value) == ("plan_version", version)
    seat = cg.BodyKind.PARTY_COMMITTEE
    with pytest.raises(cg.WrongType, match="body='party_committee'"):
        community().appoint("pc0", seat.value, start=START.date(), at=START)  # type: ignore[arg-type]
    with pytest.raises(cg.WrongType, match="body='party_committee'"):
        community().end_membership("pc0", seat.value, end=START.date(), at=START)  # type: ignore[arg-type]


def test_an_amount_compares_only_with_an_amount() -> None:
    # Python's own rule for unlike values, as for datetimes: a TypeError, not a wrong answer.
    with pytest.raises(TypeError, match="'<' not supported"):
        assert cg.Money.yuan(1) < 1  # type: ignore[operator]
    assert cg.Money.yuan(1) > cg.Money.zero()


@given(step=st.integers(-3, 3))
@settings(max_examples=20, deadline=None)
def test_a_cost_is_taken_up_to_max_fen_and_refused_beyond(step: int) -> None:
    m = matter_at(cg.MatterState.IMPLEMENTING)
    cost = cg.MAX_FEN + step
    if cost <= cg.MAX_FEN:
        completed, _ = m.complete("完成", cost_fen=cost, at=later(m))
        assert completed.completion is not None
        assert completed.completion.cost_fen == cost
    else:
        with pytest.raises(cg.InvalidAmount) as refused:
            m.complete("完成", cost_fen=cost, at=later(m))
        assert refused.value.value == cost


def test_a_body_with_no_members_that_day_cannot_meet() -> None:
    # "At least 2/3 of 0 members" was met by nobody present, and the empty meeting's
    # rejection ended the matter.
    when = at(2026, 3, 2)
    c, _ = cg.Community.register("empty", "村", at=when)
    c, _ = c.register_person("wu", "吴", at=when)
    step = cg.DeliberationStep(
        key="resolve",
        en="resolve",
        zh="决议",
        body=B.REPRESENTATIVES_ASSEMBLY,
        rule=cg.REPRESENTATIVES_ASSEMBLY,
    )
    procedure = cg.Procedure(
        name="one-step",
        en="one step",
        zh="一步",
        steps=[step],
        resolution_publicity=cg.PublicityRules(upheld_returns_to="resolve"),
    )
    m, _ = cg.Matter.raise_matter(
        "m",
        community=c,
        procedure=procedure,
        title="t",
        description="d",
        source=cg.MotionSource.RESIDENTS,
        raised_by="wu",
        at=when,
    )
    m, _ = m.open_solicitation(at=when)
    m, _ = m.close_solicitation(at=m.solicitation_closes_at)
    before = copy.deepcopy(m)
    nobody = cg.Meeting(
        body=B.REPRESENTATIVES_ASSEMBLY,
        present=[],
        votes=[],
        outcome=cg.Outcome.REJECTED,
        plan="方案",
    )
    with pytest.raises(cg.QuorumNotMet) as refused:
        m.deliberate(nobody, community=c, at=m.last_at)
    assert (refused.value.present, refused.value.base, refused.value.required) == (0, 0, 1)
    assert m == before


def test_nobody_acts_before_the_register_knew_them() -> None:
    # A matter could be raised in 1999 by someone registered in 2024, in a community
    # registered in 2024.
    registered = community().last_at
    assert registered is not None
    before = registered - timedelta(seconds=1)
    with pytest.raises(cg.NotYetRegistered) as refused:
        raised(when=before)
    error = refused.value
    assert (error.person, error.at, error.registered_at) == ("pc0", before, registered)
    assert error.community == "sanwan"
    assert str(error) == (
        f"person 'pc0' was registered in community 'sanwan' on {registered.isoformat()}, after "
        f"{before.isoformat()}"
    )
    assert raised(when=registered).value.raised.at == registered  # the same instant will do
    # Someone registered after the matter's work started cannot have recorded it.
    m = matter_at(cg.MatterState.IMPLEMENTING)
    when = later(m)
    newcomer = community().register_person("new", "新居民", at=when + timedelta(hours=1))[0]
    with pytest.raises(cg.NotYetRegistered):
        m.record_progress("进展", by="new", community=newcomer, at=when)
    assert m.record_progress("进展", by="new", community=newcomer, at=when + timedelta(hours=1))


def test_an_objection_named_by_something_other_than_a_text_is_the_wrong_type() -> None:
    # It was "unknown objection 1", as though an objection might be numbered so.
    m = _with_objection()
    with pytest.raises(cg.WrongType) as refused:
        m.rule_on_objection(
            1,  # type: ignore[arg-type]
            upheld=False,
            ruling="不成立",
            ruled_by=["sup0", "sup1"],
            place="公示栏",
            community=_c(),
            at=later(m),
        )
    assert (refused.value.field, refused.value.value) == ("objection id", 1)


def test_one_member_does_not_rule_for_the_committee() -> None:
    # One supervisor of three upheld an objection and sent the matter back on their own.
    m = _with_objection()
    with pytest.raises(cg.QuorumNotMet) as refused:
        _rule(m, upheld=True, ruled_by=["sup0"])
    assert (refused.value.present, refused.value.base) == (1, 3)
    assert "supervision committee" in str(refused.value)
    assert _rule(m, upheld=True, ruled_by=["sup0", "sup2"])[0].state == "propose"


def test_an_objector_on_the_committee_stands_aside_and_the_others_rule() -> None:
    # With two supervisors, one of whom objected, the other could not rule alone (1 of 2),
    # nor with the objector: the objection could never be ruled on.
    m = matter_at(cg.MatterState.RESOLUTION_PUBLICITY)
    when = later(m, 0)
    two, _ = _c().end_membership(
        "sup2", B.SUPERVISION_COMMITTEE, end=when.date() - timedelta(days=1), at=when
    )
    m, _ = m.raise_objection("x1", by="sup0", text="程序不当", community=two, at=when)
    ruled, _ = m.rule_on_objection(
        "x1",
        upheld=False,
        ruling="不成立",
        ruled_by=["sup1"],
        place="公示栏",
        community=two,
        at=later(m),
    )
    assert ruled.objections[0].upheld is False


def test_nobody_sits_in_a_meeting_before_the_register_knew_them() -> None:
    m = matter_at("propose")
    when = later(m)
    late = _c().register_person("late", "迟到者", at=when + timedelta(days=1))[0]
    late = late.appoint("late", B.PARTY_COMMITTEE, start=SEATED, at=when + timedelta(days=1))[0]
    present = [*PARTY_COMMITTEE, "late"]
    minutes = cg.Meeting(
        body=B.PARTY_COMMITTEE,
        present=present,
        votes=[cg.Vote(person, cg.Choice.YES) for person in present],
        outcome=cg.Outcome.ADOPTED,
        plan="方案",
    )
    with pytest.raises(cg.NotYetRegistered) as refused:
        m.deliberate(minutes, community=late, at=when)
    assert refused.value.person == "late"


def test_papers_due_before_the_first_day_python_holds_are_not_sent_in_time() -> None:
    # The latest sending day was counted back past 0001-01-01: a bare OverflowError.
    first_days = attrs.evolve(
        P3,
        name="first-days",
        steps=[attrs.evolve(P3.steps[0], papers_notice=cg.Period.days(30)), *P3.steps[1:]],
        calendar=cg.CALENDAR_DAYS,
    )
    when = datetime(1, 1, 3, 9, tzinfo=UTC)
    c = cg.Community.register("c1", "社区", at=when, timezone="UTC")[0]
    c = c.register_person("p1", "居民", at=when)[0]
    c = c.appoint("p1", B.PARTY_COMMITTEE, start=date(1, 1, 3), at=when)[0]
    m = cg.Matter.raise_matter(
        "m1",
        community=c,
        procedure=first_days,
        title="t",
        description="d",
        source=cg.MotionSource.RESIDENTS,
        raised_by="p1",
        at=when,
    )[0]
    m = m.open_solicitation(at=when)[0]
    closes_at = m.solicitation_closes_at
    assert closes_at is not None
    m = m.close_solicitation(at=closes_at)[0]
    minutes = cg.Meeting(
        body=B.PARTY_COMMITTEE,
        present=["p1"],
        votes=[cg.Vote("p1", cg.Choice.YES)],
        outcome=cg.Outcome.ADOPTED,
        plan="方案",
    )
    with pytest.raises(cg.PapersNotSentInTime) as refused:
        m.deliberate(minutes, community=c, at=closes_at)
    assert refused.value.latest == date.min


def test_an_excusal_has_a_reason_and_narrows_those_expected() -> None:
    with pytest.raises(cg.EmptyField):
        meeting(B.PARTY_COMMITTEE, 4, 4, plan="方案", excused={"pc4": " "})
    with pytest.raises(cg.DuplicateId):
        meeting(
            B.PARTY_COMMITTEE,
            4,
            4,
            plan="方案",
            excused=[cg.Excusal("pc4", "出差"), cg.Excusal("pc4", "病假")],
        )
    m = matter_at("propose")
    minutes = meeting(B.PARTY_COMMITTEE, 4, 4, plan="方案", excused={"pc4": "出差"})
    _, (event,) = m.deliberate(minutes, community=_c(), at=later(m))
    assert event.expected == frozenset(PARTY_COMMITTEE[:4])  # type: ignore[attr-defined]
    assert event.excused == (cg.Excusal("pc4", "出差"),)  # type: ignore[attr-defined]
    both = meeting(
        B.PARTY_COMMITTEE, 4, 4, plan="方案", expected=PARTY_COMMITTEE, excused={"pc4": "出差"}
    )
    with pytest.raises(cg.NotApplicable):
        m.deliberate(both, community=_c(), at=later(m))


@pytest.mark.parametrize(
    ("context", "field"),
    [
        ("yizheng-sanyi-liang-gongkai", "context"),
        ([cg.ONE_SOLICITATION_THREE_DELIBERATIONS], "context"),
        (3, "context"),
        ({"yizheng-sanyi-liang-gongkai": "x"}, "context['yizheng-sanyi-liang-gongkai']"),
    ],
    ids=["a name", "a list", "a number", "a mapping to a name"],
)
def test_a_replay_refuses_a_context_that_is_no_procedure(context: object, field: str) -> None:
    with pytest.raises(cg.WrongType) as refused:
        cg.Matter.replay(raised().events, context)  # type: ignore[arg-type]
    assert refused.value.field == field
