"""Party members without a vote (预备党员): they sit in the party members' assembly, attend and
speak, but neither vote nor count in its quorum or its "more than half of those who should
attend" (中国共产党支部工作条例(试行) Art. 11 counts the members with a vote)."""

from __future__ import annotations

from datetime import date, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import communitygov as cg
from communitygov.kernel.codec import EventCodec
from communitygov.matters.events import DeliberationHeld
from communitygov.organisation.events import MembershipStarted
from support import (
    PARTY_MEMBERS,
    SEATED,
    at,
    community,
    drive_tracked,
    later,
    meeting,
    raised,
)

B = cg.BodyKind
P4 = cg.FOUR_DELIBERATIONS
PROBATIONARY = ("res0", "res1")
"""Two residents admitted as probationary party members: ten members vote, twelve sit."""


def _with_probationary() -> cg.Community:
    c = community()
    for person in PROBATIONARY:
        c, _ = c.appoint(
            person, B.PARTY_MEMBERS_ASSEMBLY, start=SEATED, at=at(2024, 1, 2), voting=False
        )
    return c


C = _with_probationary()


def _at_review() -> cg.Matter:
    return drive_tracked(raised(P4, c=C), "review", C).value


def _review(
    m: cg.Matter, voting_present: int, yes: int, *, probationary: tuple[str, ...] = PROBATIONARY
) -> tuple[cg.Meeting, datetime]:
    """The party members' assembly's review, four days on: the first ``voting_present`` of
    the ten with a vote came, the first ``yes`` of them voted yes and the rest no, and those
    ``probationary`` came too and voted nothing."""
    when = later(m, 4)
    present = (*PARTY_MEMBERS[:voting_present], *probationary)
    minutes = meeting(B.PARTY_MEMBERS_ASSEMBLY, present, yes, papers_sent_on=later(m).date())
    votes = [v for v in minutes.votes if v.person_id not in probationary]
    return attrs.evolve(minutes, votes=votes), when


def test_a_probationary_member_holds_a_seat_without_a_vote() -> None:
    day = date(2025, 9, 1)
    assert set(PROBATIONARY) <= C.members_of(B.PARTY_MEMBERS_ASSEMBLY, day)
    assert C.without_vote(B.PARTY_MEMBERS_ASSEMBLY, day) == frozenset(PROBATIONARY)
    assert C.without_vote(B.REPRESENTATIVES_ASSEMBLY, day) == frozenset()
    assert community().without_vote(B.PARTY_MEMBERS_ASSEMBLY, day) == frozenset()
    # Becoming a full member (转正): the seat without a vote ends, a voting one starts that day.
    full = date(2025, 10, 1)
    c, _ = C.end_membership("res0", B.PARTY_MEMBERS_ASSEMBLY, end=full, at=at(2025, 10, 1))
    c, _ = c.appoint("res0", B.PARTY_MEMBERS_ASSEMBLY, start=full, at=at(2025, 10, 1))
    assert c.without_vote(B.PARTY_MEMBERS_ASSEMBLY, full) == {"res1"}
    assert c.without_vote(B.PARTY_MEMBERS_ASSEMBLY, date(2025, 9, 30)) == set(PROBATIONARY)
    assert "res0" in c.members_of(B.PARTY_MEMBERS_ASSEMBLY, full)


@pytest.mark.parametrize(
    "body", [b for b in B if b not in (B.PARTY_MEMBERS_ASSEMBLY, B.TWO_COMMITTEES)]
)
def test_only_the_party_members_assembly_has_seats_without_a_vote(body: cg.BodyKind) -> None:
    c = community()
    with pytest.raises(cg.NotApplicable) as refused:
        c.appoint("res0", body, start=SEATED, at=at(2024, 1, 2), voting=False)
    assert (refused.value.field, refused.value.value) == ("voting", False)
    assert body.en in str(refused.value)
    assert c == community()
    with pytest.raises(cg.WrongType):
        c.appoint("res0", B.PARTY_MEMBERS_ASSEMBLY, start=SEATED, at=at(2024, 1, 2), voting="no")  # type: ignore[arg-type]


def test_records_stored_before_seats_without_a_vote_read_as_every_seat_voting() -> None:
    codec = EventCodec()
    seat = codec.encode(
        MembershipStarted(
            at=at(2024, 1, 2), person_id="res0", body=B.PARTY_MEMBERS_ASSEMBLY, start=SEATED
        )
    )
    assert "voting" not in seat.data  # stored as a seat was before seats without a vote
    old_seat = codec.decode("community.membership_started", 1, seat.data)
    assert isinstance(old_seat, MembershipStarted)
    assert old_seat.voting is True
    m = _at_review()
    minutes, when = _review(m, 6, 6)
    held = codec.encode(m.deliberate(minutes, community=C, at=when)[1][0])
    schema_1 = {k: v for k, v in held.data.items() if k != "without_vote"}
    old_meeting = codec.decode("matter.deliberation_held", 1, schema_1)
    assert isinstance(old_meeting, DeliberationHeld)
    assert old_meeting.without_vote == frozenset()


def test_the_quorum_counts_only_those_with_a_vote() -> None:
    m = _at_review()
    # Four of the ten with a vote, and the two without: six of twelve seats, but four of ten
    # votes, under 半数以上 of the members with a vote.
    minutes, when = _review(m, 4, 4)
    with pytest.raises(cg.QuorumNotMet) as refused:
        m.deliberate(minutes, community=C, at=when)
    assert (refused.value.present, refused.value.base) == (4, 10)
    minutes, when = _review(m, 5, 5, probationary=())
    with pytest.raises(cg.ThresholdNotReached) as short:
        m.deliberate(minutes, community=C, at=when)
    assert (short.value.yes, short.value.base, short.value.required) == (5, 10, 6)


def test_more_than_half_of_those_with_a_vote_adopts_and_the_record_says_who_had_none() -> None:
    m = _at_review()
    minutes, when = _review(m, 6, 6)
    after, (held,) = m.deliberate(minutes, community=C, at=when)
    assert after.state == "resolve"
    assert isinstance(held, DeliberationHeld)
    assert held.without_vote == frozenset(PROBATIONARY)
    assert set(PROBATIONARY) <= held.members & held.expected & held.present
    assert held.tally() == cg.Tally(members=10, should_attend=10, present=6, yes=6)
    assert after.deliberations[-1].without_vote == frozenset(PROBATIONARY)
    assert cg.Matter.replay([*drive_tracked(raised(P4, c=C), "review", C).events, held]) == after


def test_a_vote_from_a_member_without_one_is_refused_and_changes_nothing() -> None:
    m = _at_review()
    before = _at_review()
    minutes, when = _review(m, 6, 6)
    votes = [*minutes.votes, cg.Vote("res1", cg.Choice.YES)]
    with pytest.raises(cg.VoteWithoutRight) as refused:
        m.deliberate(
            cg.Meeting(
                body=minutes.body,
                present=minutes.present,
                votes=votes,
                outcome=minutes.outcome,
                papers_sent_on=minutes.papers_sent_on,
            ),
            community=C,
            at=when,
        )
    assert (refused.value.person, refused.value.body, refused.value.on) == (
        "res1",
        "party members' assembly",
        when.date(),
    )
    assert m == before


@given(
    voting_present=st.integers(0, 10),
    yes=st.integers(0, 10),
    probationary=st.sets(st.sampled_from(PROBATIONARY)),
)
def test_those_without_a_vote_never_change_the_outcome(
    voting_present: int, yes: int, probationary: set[str]
) -> None:
    # Whoever of those without a vote comes, the meeting stands or falls as the rule judges
    # the ten with a vote: at least half present, more than half of the ten in favour.
    yes = min(yes, voting_present)
    m = _at_review()
    minutes, when = _review(m, voting_present, yes, probationary=tuple(sorted(probationary)))
    outcome = cg.PARTY_MEMBERS_ASSEMBLY.evaluate(
        cg.Tally(members=10, should_attend=10, present=voting_present, yes=yes)
    )
    if not outcome.quorum_met:
        with pytest.raises(cg.QuorumNotMet):
            m.deliberate(minutes, community=C, at=when)
    elif not outcome.passed:
        with pytest.raises(cg.ThresholdNotReached):
            m.deliberate(minutes, community=C, at=when)
    else:
        assert m.deliberate(minutes, community=C, at=when)[0].state == "resolve"
    assert outcome.quorum_met is (voting_present >= 5)
    assert outcome.passed is (voting_present >= 5 and yes >= 6)


def test_those_ruling_on_an_objection_are_counted_among_the_members_with_a_vote() -> None:
    # A procedure whose objections the party members' assembly rules on: 6 of the 10 with a
    # vote are a majority; the two without one neither rule nor count among those who may.
    p3 = cg.ONE_SOLICITATION_THREE_DELIBERATIONS
    by_party = attrs.evolve(
        p3,
        name="party-rules-objections",
        resolution_publicity=attrs.evolve(
            p3.resolution_publicity, ruling_body=B.PARTY_MEMBERS_ASSEMBLY
        ),
    )
    m = drive_tracked(raised(by_party, c=C), cg.MatterState.RESOLUTION_PUBLICITY, C).value
    m, _ = m.raise_objection("x1", by="res3", text="噪音", community=C, at=later(m, 0))
    when = later(m, 0)

    def rule(ruled_by: list[str]) -> cg.Matter:
        return m.rule_on_objection(
            "x1",
            upheld=False,
            ruling="异议不成立",
            ruled_by=ruled_by,
            place="社区公示栏",
            community=C,
            at=when,
        )[0]

    with pytest.raises(cg.VoteWithoutRight) as refused:
        rule([*PARTY_MEMBERS[:6], "res0"])
    assert (refused.value.person, refused.value.on) == ("res0", when.date())
    with pytest.raises(cg.QuorumNotMet) as short:  # 5 of 10, not 5 of 12 less the objector
        rule(list(PARTY_MEMBERS[:5]))
    assert (short.value.present, short.value.base) == (5, 10)
    assert rule(list(PARTY_MEMBERS[:6])).objections[0].upheld is False


def test_a_probationary_member_sits_on_no_party_committee() -> None:
    committee, assembly = B.PARTY_COMMITTEE, B.PARTY_MEMBERS_ASSEMBLY
    with pytest.raises(cg.NotEligible) as refused:
        C.appoint("res0", committee, start=date(2025, 1, 1), at=at(2025, 1, 1))
    assert (refused.value.person, refused.value.eligible) == ("res0", "full party members")
    with pytest.raises(cg.NotEligible):  # nor is a committee member made probationary
        community().appoint("pc0", assembly, start=SEATED, at=at(2024, 1, 2), voting=False)
    # Once a full member, from that day on.
    full = date(2025, 10, 1)
    c, _ = C.end_membership("res0", assembly, end=full, at=at(2025, 10, 1))
    c, _ = c.appoint("res0", assembly, start=full, at=at(2025, 10, 1))
    c, _ = c.appoint("res0", committee, start=full, at=at(2025, 10, 1))
    assert c.is_member("res0", committee, full)


def test_a_member_without_a_vote_may_be_left_out_of_those_expected_without_an_excusal() -> None:
    m = _at_review()
    minutes, when = _review(m, 6, 6, probationary=())
    voting_only = attrs.evolve(minutes, expected=PARTY_MEMBERS)
    after, (held,) = m.deliberate(voting_only, community=C, at=when)
    assert isinstance(held, DeliberationHeld)
    assert held.expected == frozenset(PARTY_MEMBERS)
    assert held.tally() == cg.Tally(members=10, should_attend=10, present=6, yes=6)
    assert after.state == "resolve"
