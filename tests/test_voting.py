"""Tests for communitygov.kernel.voting: legal counting at the boundaries, presets, errors."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from communitygov.errors import (
    DefinitionError,
    InvalidCount,
    MorePresentThanExpected,
    MoreThanMembers,
    MoreVotesThanPresent,
    QuorumNotMet,
    ThresholdNotReached,
)
from communitygov.kernel.voting import (
    COMMITTEE,
    PARTY_MEMBERS_ASSEMBLY,
    PRESETS,
    REPRESENTATIVES_ASSEMBLY,
    RESIDENTS_ASSEMBLY,
    BasisKind,
    Bound,
    CountBase,
    LegalBasis,
    Tally,
    VotingRule,
    at_least,
    more_than,
)

HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)


def tally(members: int, present: int, yes: int, should_attend: int | None = None) -> Tally:
    return Tally(
        members=members,
        should_attend=members if should_attend is None else should_attend,
        present=present,
        yes=yes,
    )


# --- the representatives' assembly quorum: "2/3以上" includes 2/3 itself -------------------


@pytest.mark.parametrize(
    ("members", "present", "met"),
    [(30, 20, True), (30, 19, False), (3, 2, True), (3, 1, False), (31, 21, True), (31, 20, False)],
)
def test_representatives_quorum_includes_exactly_two_thirds(
    members: int, present: int, met: bool
) -> None:
    outcome = REPRESENTATIVES_ASSEMBLY.evaluate(tally(members, present, yes=present))
    assert outcome.quorum_met is met
    assert REPRESENTATIVES_ASSEMBLY.quorum.is_met(present, members) is met


def test_representatives_quorum_required_count() -> None:
    assert REPRESENTATIVES_ASSEMBLY.evaluate(tally(30, 20, yes=11)).quorum_required == 20
    assert REPRESENTATIVES_ASSEMBLY.evaluate(tally(3, 2, yes=2)).quorum_required == 2


# --- "过半数": exactly half is not enough --------------------------------------------------


def test_exactly_half_in_favour_does_not_pass() -> None:
    outcome = REPRESENTATIVES_ASSEMBLY.evaluate(tally(30, 20, yes=10))
    assert outcome.quorum_met
    assert not outcome.passed
    assert outcome.yes_required == 11


def test_one_more_than_half_passes() -> None:
    outcome = REPRESENTATIVES_ASSEMBLY.evaluate(tally(30, 20, yes=11))
    assert outcome.passed


def test_residents_assembly_quorum_excludes_exactly_half() -> None:
    assert not RESIDENTS_ASSEMBLY.evaluate(tally(30, 15, yes=15)).quorum_met
    assert RESIDENTS_ASSEMBLY.evaluate(tally(30, 16, yes=9)).passed


def test_committee_counts_yes_against_all_members() -> None:
    # 5 of 9 present is a quorum, but 4 in favour is not more than half of 9 members.
    assert not COMMITTEE.evaluate(tally(9, 5, yes=4)).passed
    assert COMMITTEE.evaluate(tally(9, 5, yes=5)).passed


# --- the party members' assembly counts against those who should attend ------------------


def test_party_assembly_counts_yes_against_those_who_should_attend() -> None:
    votes = tally(members=32, should_attend=30, present=20, yes=12)
    outcome = PARTY_MEMBERS_ASSEMBLY.evaluate(votes)
    assert outcome.quorum_met
    assert votes.yes > votes.present / 2  # would pass if counted against those present
    assert not outcome.passed
    assert outcome.yes_required == 16
    assert PARTY_MEMBERS_ASSEMBLY.evaluate(
        tally(members=32, should_attend=30, present=20, yes=16)
    ).passed


def test_party_assembly_quorum_counts_members_not_those_expected() -> None:
    # 15 present: half of 30 expected, but less than half of 32 members.
    votes = tally(members=32, should_attend=30, present=15, yes=15)
    assert not PARTY_MEMBERS_ASSEMBLY.evaluate(votes).quorum_met


def test_party_assembly_quorum_is_half_inclusive() -> None:
    # 半数以上: exactly half of the members present is a quorum (Civil Code Art. 1259).
    assert PARTY_MEMBERS_ASSEMBLY.evaluate(
        tally(members=32, should_attend=32, present=16, yes=0)
    ).quorum_met


# --- outcomes and errors carry the numbers -------------------------------------------------


def test_reasons_are_readable_sentences() -> None:
    outcome = REPRESENTATIVES_ASSEMBLY.evaluate(tally(30, 20, yes=11))
    assert outcome.reasons == (
        "quorum met: 20 of 30 members present; at least 2/3 (20) required",
        "passed: 11 in favour of 20 present; more than 1/2 (11) required",
    )


def test_without_a_quorum_nothing_passes() -> None:
    outcome = REPRESENTATIVES_ASSEMBLY.evaluate(tally(30, 19, yes=19))
    assert not outcome.quorum_met
    assert not outcome.passed
    assert (
        outcome.reasons[0] == "quorum not met: 19 of 30 members present; at least 2/3 (20) required"
    )


def test_quorum_not_met_message_and_attributes() -> None:
    with pytest.raises(QuorumNotMet) as caught:
        REPRESENTATIVES_ASSEMBLY.check(
            tally(30, 19, yes=19), "residents' representatives' assembly"
        )
    error = caught.value
    assert str(error) == (
        "quorum not met: 19 of 30 members present at the residents' representatives' assembly; "
        "at least 2/3 (20) required"
    )
    assert (error.present, error.base, error.base_name, error.required) == (19, 30, "members", 20)
    assert error.fraction == TWO_THIRDS
    assert error.inclusive is True
    assert error.body == "residents' representatives' assembly"


def test_check_names_the_rule_when_no_body_is_given() -> None:
    with pytest.raises(QuorumNotMet, match="at the residents' assembly;"):
        RESIDENTS_ASSEMBLY.check(tally(30, 15, yes=15))


def test_check_returns_the_outcome_when_the_quorum_is_met() -> None:
    outcome = REPRESENTATIVES_ASSEMBLY.check(tally(30, 20, yes=10), "assembly")
    assert outcome.quorum_met
    assert not outcome.passed


def test_require_passed_raises_threshold_not_reached_with_the_numbers() -> None:
    votes = tally(members=32, should_attend=30, present=20, yes=12)
    with pytest.raises(ThresholdNotReached) as caught:
        PARTY_MEMBERS_ASSEMBLY.require_passed(votes, "party members' assembly")
    error = caught.value
    assert (error.yes, error.base, error.base_name, error.required) == (12, 30, "expected", 16)
    assert error.fraction == HALF
    assert error.inclusive is False
    assert str(error) == (
        "threshold not reached at the party members' assembly: 12 in favour of 30 expected; "
        "more than 1/2 (16) required"
    )


def test_require_passed_checks_the_quorum_first() -> None:
    with pytest.raises(QuorumNotMet):
        REPRESENTATIVES_ASSEMBLY.require_passed(tally(30, 19, yes=19), "assembly")


def test_require_passed_returns_a_passed_outcome() -> None:
    assert REPRESENTATIVES_ASSEMBLY.require_passed(tally(30, 20, yes=11), "assembly").passed


# --- Bound: rendering and the empty base ---------------------------------------------------


def test_bound_renders_in_english_and_chinese() -> None:
    assert str(at_least(TWO_THIRDS, CountBase.MEMBERS)) == "at least 2/3 of members"
    assert str(more_than(HALF, CountBase.PRESENT)) == "more than 1/2 of those present"
    assert str(at_least(Fraction(1), CountBase.PRESENT)) == "all those present"
    assert at_least(TWO_THIRDS, CountBase.MEMBERS).zh == "全体成员的2/3以上"
    assert more_than(HALF, CountBase.PRESENT).zh == "到会人员过半数"


def test_empty_base_meets_inclusive_but_not_strict_bound() -> None:
    assert at_least(TWO_THIRDS, CountBase.MEMBERS).required(0) == 0
    assert at_least(TWO_THIRDS, CountBase.MEMBERS).is_met(0, 0)
    assert more_than(HALF, CountBase.MEMBERS).required(0) == 1
    assert not more_than(HALF, CountBase.MEMBERS).is_met(0, 0)


@pytest.mark.parametrize("rule", list(PRESETS.values()), ids=list(PRESETS))
@given(members=st.integers(0, 40), should_attend=st.integers(0, 40))
def test_a_meeting_of_nobody_decides_nothing(
    rule: VotingRule, members: int, should_attend: int
) -> None:
    # "At least 2/3 of 0 members" is 0: a body with no members that day, or with everyone
    # excused, met its quorum with nobody present, and its rejection was recorded.
    empty = tally(members, 0, 0, should_attend=min(should_attend, members))
    outcome = rule.evaluate(empty)
    assert not outcome.quorum_met
    assert not outcome.passed
    assert outcome.quorum_required >= 1
    with pytest.raises(QuorumNotMet) as refused:
        rule.check(empty, "body")
    assert (refused.value.present, refused.value.required) == (0, outcome.quorum_required)


def test_count_base_labels() -> None:
    assert [base.label for base in CountBase] == ["members", "present", "expected"]
    assert CountBase.SHOULD_ATTEND.zh == "应到会人员"


# --- Hypothesis: required() and is_met() at the boundary -----------------------------------


@st.composite
def bounds(draw: st.DrawFn) -> Bound:
    inclusive = draw(st.booleans())
    # A strict bound of 1 ("more than all") is refused, so strict fractions stay below 1.
    q = draw(st.integers(min_value=1 if inclusive else 2, max_value=1000))
    p = draw(st.integers(min_value=1, max_value=q if inclusive else q - 1))
    base = draw(st.sampled_from([CountBase.MEMBERS, CountBase.SHOULD_ATTEND]))
    return Bound(Fraction(p, q), base, inclusive)


def exactly_met(bound: Bound, count: int, base_count: int) -> bool:
    threshold = bound.fraction * base_count
    return count >= threshold if bound.inclusive else count > threshold


@given(bounds(), st.integers(min_value=0, max_value=100_000))
def test_required_is_the_smallest_count_that_meets_the_bound(bound: Bound, n: int) -> None:
    required = bound.required(n)
    assert exactly_met(bound, required, n)
    assert not exactly_met(bound, required - 1, n)
    assert bound.is_met(required, n)
    assert not bound.is_met(required - 1, n)
    if n > 0:
        assert required <= n  # every bound in (0, 1], strict ones below 1, can be met


@given(bounds(), st.integers(min_value=0, max_value=300))
def test_is_met_agrees_with_exact_fraction_comparison(bound: Bound, n: int) -> None:
    for count in range(n + 1):
        assert bound.is_met(count, n) is exactly_met(bound, count, n)


# --- malformed definitions -----------------------------------------------------------------


@pytest.mark.parametrize(
    "fraction",
    [Fraction(0), Fraction(-1, 2), Fraction(4, 3), Fraction(2)],
)
@pytest.mark.parametrize("inclusive", [True, False])
def test_fraction_outside_zero_to_one_is_refused(fraction: Fraction, inclusive: bool) -> None:
    with pytest.raises(DefinitionError, match="above 0 and at most 1"):
        Bound(fraction, CountBase.MEMBERS, inclusive)


def test_float_fraction_is_refused() -> None:
    bad: Any = 0.5
    with pytest.raises(DefinitionError, match="must be a fractions"):
        at_least(bad, CountBase.MEMBERS)


def test_more_than_all_is_refused() -> None:
    with pytest.raises(DefinitionError, match="never be met"):
        more_than(Fraction(1), CountBase.MEMBERS)


def test_quorum_counted_against_those_present_is_refused() -> None:
    with pytest.raises(DefinitionError, match="those present"):
        VotingRule(
            name="assembly",
            quorum=more_than(HALF, CountBase.PRESENT),
            passing=more_than(HALF, CountBase.PRESENT),
            basis=REPRESENTATIVES_ASSEMBLY.basis,
        )


def test_legal_basis_refuses_a_blank_citation_or_a_datetime() -> None:
    with pytest.raises(DefinitionError, match="citation"):
        LegalBasis(" ", date(2020, 1, 1), BasisKind.LAW)
    with pytest.raises(DefinitionError, match="effective"):
        LegalBasis("some law", datetime(2020, 1, 1), BasisKind.LAW)


@pytest.mark.parametrize("field", ["members", "should_attend", "present", "yes", "no", "abstain"])
def test_tally_refuses_negative_counts(field: str) -> None:
    counts: dict[str, Any] = {
        "members": 3,
        "should_attend": 3,
        "present": 3,
        "yes": 1,
        "no": 1,
        "abstain": 1,
    }
    counts[field] = -1
    with pytest.raises(InvalidCount, match=f"tally {field} "):
        Tally(**counts)


@given(
    st.integers(0, 6),
    st.integers(0, 7),
    st.integers(0, 7),
    st.integers(0, 3),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_tally_takes_only_counts_that_can_stand_together(
    members: int, should_attend: int, present: int, yes: int, no: int, abstain: int
) -> None:
    # The boundaries: as many expected or present as members, as many present as expected
    # (it passed 2 in favour and 4 against "of 2 expected", 6 present), as many votes as
    # present.
    counts = (members, should_attend, present, yes, no, abstain)
    if should_attend > members or present > members:
        with pytest.raises(MoreThanMembers) as refused:
            Tally(*counts)
        field = "should_attend" if should_attend > members else "present"
        assert (refused.value.field, refused.value.members) == (field, members)
    elif present > should_attend:
        with pytest.raises(MorePresentThanExpected) as unexpected:
            Tally(*counts)
        assert (unexpected.value.present, unexpected.value.should_attend) == (
            present,
            should_attend,
        )
    elif yes + no + abstain > present:
        with pytest.raises(MoreVotesThanPresent) as too_many:
            Tally(*counts)
        assert (too_many.value.votes, too_many.value.present) == (yes + no + abstain, present)
    else:
        assert Tally(*counts).count(CountBase.PRESENT) == present


def test_tally_refuses_a_bool() -> None:
    flag: Any = True
    with pytest.raises(InvalidCount):
        Tally(members=3, should_attend=3, present=3, yes=flag)


def test_tally_count_by_base() -> None:
    votes = Tally(members=32, should_attend=30, present=20, yes=12)
    assert votes.count(CountBase.MEMBERS) == 32
    assert votes.count(CountBase.SHOULD_ATTEND) == 30
    assert votes.count(CountBase.PRESENT) == 20


# --- presets -------------------------------------------------------------------------------


def test_presets_carry_their_legal_basis() -> None:
    assert dict(PRESETS) == {
        "representatives_assembly": REPRESENTATIVES_ASSEMBLY,
        "residents_assembly": RESIDENTS_ASSEMBLY,
        "party_members_assembly": PARTY_MEMBERS_ASSEMBLY,
        "committee": COMMITTEE,
    }
    assert REPRESENTATIVES_ASSEMBLY.basis.citation == "村民委员会组织法 第二十六条"
    assert REPRESENTATIVES_ASSEMBLY.basis.effective == date(2010, 10, 28)
    assert RESIDENTS_ASSEMBLY.basis.effective == date(2018, 12, 29)
    assert PARTY_MEMBERS_ASSEMBLY.basis.kind is BasisKind.LAW
    assert COMMITTEE.basis.kind is BasisKind.DEFAULT
    assert PARTY_MEMBERS_ASSEMBLY.passing == more_than(HALF, CountBase.SHOULD_ATTEND)
