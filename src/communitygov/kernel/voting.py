"""Voting rules as data: quorum and pass thresholds, counted the way Chinese law counts.

A body (a residents' representatives' assembly, a party members' assembly, a committee)
decides when enough people are present (the quorum) and enough of them vote in favour (the
pass threshold). Both are a :class:`Bound`: a fraction of a count base, either inclusive or
strict. Civil Code Art. 1259 fixes the reading of the Chinese wording: "以上" includes the
number itself ("at least"), "过半数" and "超过" exclude it ("more than"). Which count the
fraction is taken of differs by body (all members, those present, those who should attend),
so the base is explicit too.

Fractions are exact (:class:`fractions.Fraction`, never floats). Each bound keeps its
numerator and denominator as plain integers, so evaluating a vote is integer arithmetic only.
Every :class:`VotingRule` carries its :class:`LegalBasis` and effective date, because the
numbers vary by place and change with the law: the presets below are defaults to be replaced
where local rules differ.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from fractions import Fraction
from types import MappingProxyType

import attrs

from communitygov.errors import (
    DefinitionError,
    InvalidCount,
    MorePresentThanExpected,
    MoreThanMembers,
    MoreVotesThanPresent,
    QuorumNotMet,
    ThresholdNotReached,
)
from communitygov.kernel.checks import shows_something

__all__ = [
    "COMMITTEE",
    "PARTY_MEMBERS_ASSEMBLY",
    "PRESETS",
    "REPRESENTATIVES_ASSEMBLY",
    "RESIDENTS_ASSEMBLY",
    "BasisKind",
    "Bound",
    "CountBase",
    "LegalBasis",
    "Tally",
    "VoteOutcome",
    "VotingRule",
    "at_least",
    "more_than",
]


class CountBase(enum.Enum):
    """The count a fraction is taken of."""

    #: Everyone in the body (应到 / 全体成员): for an assembly, all its members.
    MEMBERS = "members"
    #: Those present at the meeting (到会).
    PRESENT = "present"
    #: Those expected to attend (应到会): members less those excused under the body's rules.
    SHOULD_ATTEND = "expected to attend"

    @property
    def label(self) -> str:
        """A short English label for messages: "members", "present" or "expected"."""
        return _LABELS[self]

    @property
    def phrase(self) -> str:
        """The English noun phrase used after "of": "members", "those present", ..."""
        return _PHRASES[self]

    @property
    def zh(self) -> str:
        """The Chinese label: 全体成员, 到会人员 or 应到会人员."""
        return _ZH[self]


_LABELS = {
    CountBase.MEMBERS: "members",
    CountBase.PRESENT: "present",
    CountBase.SHOULD_ATTEND: "expected",
}
_PHRASES = {
    CountBase.MEMBERS: "members",
    CountBase.PRESENT: "those present",
    CountBase.SHOULD_ATTEND: "those expected to attend",
}
_ZH = {
    CountBase.MEMBERS: "全体成员",
    CountBase.PRESENT: "到会人员",
    CountBase.SHOULD_ATTEND: "应到会人员",
}

_HALF = Fraction(1, 2)


def _ratio(value: Fraction) -> str:
    """Render a fraction as "2/3", or "1" for a whole number."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


@attrs.frozen
class Bound:
    """A threshold: "at least" (inclusive) or "more than" (strict) a fraction of a count.

    ``required(n)`` is the smallest count that meets the bound out of a base of ``n``:
    ``ceil(p*n/q)`` when inclusive, ``floor(p*n/q) + 1`` when strict. With a base of 0 an
    inclusive bound is met by 0 (0 >= p/q * 0) and a strict one needs 1 (0 > 0 is false): the
    arithmetic is applied as is, and a body with no members never meets a strict bound.

    Attributes:
        fraction: The fraction of the base, with 0 < fraction <= 1.
        base: The count the fraction is taken of.
        inclusive: True for "at least" (以上), False for "more than" (过半数, 超过).

    Raises:
        DefinitionError: at construction, if ``fraction`` is not a :class:`Fraction` in
            (0, 1], if it is a strict bound of 1 ("more than all", never met), or if
            ``base`` or ``inclusive`` has the wrong type.
    """

    fraction: Fraction
    base: CountBase
    inclusive: bool
    _p: int = attrs.field(init=False, repr=False, eq=False, hash=False)
    _q: int = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        fraction: object = self.fraction
        if not isinstance(fraction, Fraction):
            raise DefinitionError(
                "bound",
                f"the fraction must be a fractions.Fraction, got {type(fraction).__name__} "
                f"{fraction!r}",
            )
        if not 0 < fraction <= 1:
            raise DefinitionError(
                "bound", f"the fraction must be above 0 and at most 1, got {_ratio(fraction)}"
            )
        if not isinstance(self.base, CountBase):
            raise DefinitionError("bound", f"the base must be a CountBase, got {self.base!r}")
        if not isinstance(self.inclusive, bool):
            raise DefinitionError("bound", f"inclusive must be a bool, got {self.inclusive!r}")
        if fraction == 1 and not self.inclusive:
            raise DefinitionError("bound", f"more than all {self.base.phrase} can never be met")
        object.__setattr__(self, "_p", fraction.numerator)
        object.__setattr__(self, "_q", fraction.denominator)

    def required(self, base_count: int) -> int:
        """Return the smallest count that meets the bound.

        Args:
            base_count: The size of the base (members, present or expected), 0 or more.

        Returns:
            ``ceil(p*n/q)`` for an inclusive bound, ``floor(p*n/q) + 1`` for a strict one.
            For a base of 0 that is 0 (inclusive) or 1 (strict).
        """
        if self.inclusive:
            return -(-self._p * base_count // self._q)
        return self._p * base_count // self._q + 1

    def is_met(self, count: int, base_count: int) -> bool:
        """Tell whether ``count`` out of ``base_count`` meets the bound.

        Args:
            count: The count being judged (those present, votes in favour).
            base_count: The size of the base.

        Returns:
            True if ``count >= p/q * base_count`` (inclusive) or ``count > p/q * base_count``
            (strict), compared exactly.
        """
        if self.inclusive:
            return count * self._q >= self._p * base_count
        return count * self._q > self._p * base_count

    def __str__(self) -> str:
        if self.fraction == 1:
            return f"all {self.base.phrase}"
        bound = "at least" if self.inclusive else "more than"
        return f"{bound} {_ratio(self.fraction)} of {self.base.phrase}"

    @property
    def zh(self) -> str:
        """The bound in Chinese, such as "全体成员的2/3以上" or "到会人员过半数"."""
        if self.fraction == 1:
            return f"{self.base.zh}全部"
        if self.inclusive:
            return f"{self.base.zh}的{_ratio(self.fraction)}以上"
        if self.fraction == _HALF:
            return f"{self.base.zh}过半数"
        return f"超过{self.base.zh}的{_ratio(self.fraction)}"


def at_least(fraction: Fraction, base: CountBase) -> Bound:
    """Build an inclusive bound: "at least ``fraction`` of ``base``" (以上).

    Args:
        fraction: The fraction, with 0 < fraction <= 1.
        base: The count the fraction is taken of.

    Returns:
        The bound.

    Raises:
        DefinitionError: ``fraction`` is not a Fraction in (0, 1].
    """
    return Bound(fraction, base, inclusive=True)


def more_than(fraction: Fraction, base: CountBase) -> Bound:
    """Build a strict bound: "more than ``fraction`` of ``base``" (过半数, 超过).

    Args:
        fraction: The fraction, with 0 < fraction < 1.
        base: The count the fraction is taken of.

    Returns:
        The bound.

    Raises:
        DefinitionError: ``fraction`` is not a Fraction in (0, 1).
    """
    return Bound(fraction, base, inclusive=False)


class BasisKind(enum.Enum):
    """Where a rule comes from."""

    #: A statute or a party regulation.
    LAW = "law"
    #: Local templates and common practice: plausible, not binding.
    PRACTICE = "practice"
    #: This library's own default where neither law nor a common template fixes a number.
    DEFAULT = "default"


@attrs.frozen
class LegalBasis:
    """The source of a rule and the date from which it applies.

    Attributes:
        citation: The source, such as "村民委员会组织法 第二十六条".
        effective: The date the cited text took effect.
        kind: Law, practice or the library's default.
        note: Anything a reader should know (variations, caveats).

    Raises:
        DefinitionError: at construction, if ``citation`` is blank, ``effective`` is not a
            plain date (a datetime is refused), or ``kind`` is not a :class:`BasisKind`.
    """

    citation: str
    effective: date
    kind: BasisKind
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.citation, str) or not shows_something(self.citation):
            raise DefinitionError("legal basis", "the citation must not be empty")
        if not isinstance(self.effective, date) or isinstance(self.effective, datetime):
            raise DefinitionError(
                "legal basis", f"effective must be a date, got {self.effective!r}"
            )
        if not isinstance(self.kind, BasisKind):
            raise DefinitionError("legal basis", f"kind must be a BasisKind, got {self.kind!r}")


@attrs.frozen
class Tally:
    """The counts of one vote at one meeting: plain numbers, nothing more.

    Who may vote, who was present and whether each vote is genuine are the caller's business
    (the meeting record validates them). A tally refuses counts that are not whole numbers of
    zero or more, or that cannot stand together: more expected or present than members, more
    present than expected, more votes than people present.

    Attributes:
        members: Everyone in the body.
        should_attend: Those expected to attend (members less those excused).
        present: Those present.
        yes: Votes in favour.
        no: Votes against.
        abstain: Abstentions.

    Raises:
        InvalidCount: at construction, if a count is negative or not an int (bools too).
        MoreThanMembers: ``should_attend`` or ``present`` exceeds ``members``.
        MorePresentThanExpected: ``present`` exceeds ``should_attend``.
        MoreVotesThanPresent: ``yes + no + abstain`` exceeds ``present``.
    """

    members: int
    should_attend: int
    present: int
    yes: int
    no: int = 0
    abstain: int = 0

    def __attrs_post_init__(self) -> None:
        for name, value in (
            ("members", self.members),
            ("should_attend", self.should_attend),
            ("present", self.present),
            ("yes", self.yes),
            ("no", self.no),
            ("abstain", self.abstain),
        ):
            if type(value) is not int or value < 0:
                raise InvalidCount(f"tally {name}", value)
        for name, value in (("should_attend", self.should_attend), ("present", self.present)):
            if value > self.members:
                raise MoreThanMembers(name, value, self.members)
        if self.present > self.should_attend:
            raise MorePresentThanExpected(self.present, self.should_attend)
        votes = self.yes + self.no + self.abstain
        if votes > self.present:
            raise MoreVotesThanPresent(votes, self.present)

    def count(self, base: CountBase) -> int:
        """Return the count for ``base``.

        Args:
            base: Which count.

        Returns:
            ``members``, ``present`` or ``should_attend``.
        """
        if base is CountBase.MEMBERS:
            return self.members
        if base is CountBase.PRESENT:
            return self.present
        return self.should_attend


@attrs.frozen
class VoteOutcome:
    """What a vote came to under a rule.

    Attributes:
        quorum_met: Enough people were present.
        passed: The quorum was met and enough voted in favour.
        quorum_required: How many had to be present.
        yes_required: How many votes in favour were needed.
        reasons: One readable sentence on the quorum and one on the result.
    """

    quorum_met: bool
    passed: bool
    quorum_required: int
    yes_required: int
    reasons: tuple[str, ...]


@attrs.frozen
class VotingRule:
    """The quorum and the pass threshold of one kind of body, with their legal basis.

    Attributes:
        name: The body the rule is for, such as "residents' representatives' assembly".
        quorum: How many must be present, as a fraction of members or of those expected.
        passing: How many must vote in favour, as a fraction of any base.
        basis: Where the rule comes from and since when.

    Raises:
        DefinitionError: at construction, if ``name`` is blank, a part has the wrong type, or
            the quorum is counted against those present (which every meeting would meet).
    """

    name: str
    quorum: Bound
    passing: Bound
    basis: LegalBasis

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not shows_something(self.name):
            raise DefinitionError("voting rule", "the name must not be empty")
        if not isinstance(self.quorum, Bound) or not isinstance(self.passing, Bound):
            raise DefinitionError(f"voting rule {self.name!r}", "quorum and passing must be Bounds")
        if not isinstance(self.basis, LegalBasis):
            raise DefinitionError(f"voting rule {self.name!r}", "basis must be a LegalBasis")
        if self.quorum.base is CountBase.PRESENT:
            raise DefinitionError(
                f"voting rule {self.name!r}",
                "a quorum cannot be a fraction of those present; "
                "count it against members or those expected to attend",
            )

    def evaluate(self, tally: Tally) -> VoteOutcome:
        """Apply the rule to a tally.

        A vote without a quorum decides nothing, so it never passes; nor does one with nobody
        present, whatever the rule's share of its base comes to.

        Args:
            tally: The counts of the vote.

        Returns:
            The outcome, with the required counts and a sentence on each.
        """
        quorum, passing = self.quorum, self.passing
        quorum_base = tally.count(quorum.base)
        # A meeting of nobody decides nothing, whatever a share of nobody comes to (a body
        # with no members that day, or with everyone excused).
        quorum_required = max(1, quorum.required(quorum_base))
        quorum_met = tally.present >= quorum_required
        yes_base = tally.count(passing.base)
        yes_required = passing.required(yes_base)
        passed = quorum_met and tally.yes >= yes_required

        bound = "at least" if quorum.inclusive else "more than"
        quorum_reason = (
            f"quorum {'met' if quorum_met else 'not met'}: {tally.present} of {quorum_base} "
            f"{quorum.base.label} present; {bound} {_ratio(quorum.fraction)} "
            f"({quorum_required}) required"
        )
        if quorum_met:
            bound = "at least" if passing.inclusive else "more than"
            pass_reason = (
                f"{'passed' if passed else 'not passed'}: {tally.yes} in favour of {yes_base} "
                f"{passing.base.label}; {bound} {_ratio(passing.fraction)} "
                f"({yes_required}) required"
            )
        else:
            pass_reason = "not passed: without a quorum the vote decides nothing"
        return VoteOutcome(
            quorum_met=quorum_met,
            passed=passed,
            quorum_required=quorum_required,
            yes_required=yes_required,
            reasons=(quorum_reason, pass_reason),
        )

    def check(self, tally: Tally, body: str | None = None) -> VoteOutcome:
        """Apply the rule, refusing a tally without a quorum.

        Args:
            tally: The counts of the vote.
            body: The body named in the error message; the rule's ``name`` if not given.

        Returns:
            The outcome (the quorum is met; the motion may or may not have passed).

        Raises:
            QuorumNotMet: too few were present.
        """
        outcome = self.evaluate(tally)
        if not outcome.quorum_met:
            quorum = self.quorum
            raise QuorumNotMet(
                body=self.name if body is None else body,
                present=tally.present,
                base=tally.count(quorum.base),
                base_name=quorum.base.label,
                required=outcome.quorum_required,
                fraction=quorum.fraction,
                inclusive=quorum.inclusive,
            )
        return outcome

    def require_passed(self, tally: Tally, body: str | None = None) -> VoteOutcome:
        """Apply the rule, refusing a tally without a quorum or without enough votes in favour.

        Args:
            tally: The counts of the vote.
            body: The body named in the error message; the rule's ``name`` if not given.

        Returns:
            The outcome of a vote that passed.

        Raises:
            QuorumNotMet: too few were present.
            ThresholdNotReached: too few voted in favour.
        """
        outcome = self.check(tally, body)
        if not outcome.passed:
            passing = self.passing
            raise ThresholdNotReached(
                body=self.name if body is None else body,
                yes=tally.yes,
                base=tally.count(passing.base),
                base_name=passing.base.label,
                required=outcome.yes_required,
                fraction=passing.fraction,
                inclusive=passing.inclusive,
            )
        return outcome


# --- presets (DOMAIN.md §3.1) --------------------------------------------------------------

REPRESENTATIVES_ASSEMBLY = VotingRule(
    name="residents' representatives' assembly",
    quorum=at_least(Fraction(2, 3), CountBase.MEMBERS),
    passing=more_than(_HALF, CountBase.PRESENT),
    basis=LegalBasis(
        citation="村民委员会组织法 第二十六条",
        effective=date(2010, 10, 28),
        kind=BasisKind.LAW,
        note=(
            "the villagers' representatives' assembly rule (2010 revision); community rule "
            "templates copy it for residents' representatives' assemblies. The revised "
            "城市居民委员会组织法 (in force 2026-01-01) may set its own numbers."
        ),
    ),
)
"""Representatives' assembly: at least 2/3 of members present; more than 1/2 of those present."""

RESIDENTS_ASSEMBLY = VotingRule(
    name="residents' assembly",
    quorum=more_than(_HALF, CountBase.MEMBERS),
    passing=more_than(_HALF, CountBase.PRESENT),
    basis=LegalBasis(
        citation="城市居民委员会组织法 第九条",
        effective=date(2018, 12, 29),
        kind=BasisKind.LAW,
        note=(
            "2018 revision. Members are all residents aged 18 or over, or the household "
            "representatives, or the representatives elected by residents' groups, according "
            "to how the assembly is convened."
        ),
    ),
)
"""Residents' assembly: more than 1/2 of members present; more than 1/2 of those present."""

PARTY_MEMBERS_ASSEMBLY = VotingRule(
    name="party members' assembly",
    quorum=at_least(_HALF, CountBase.MEMBERS),
    passing=more_than(_HALF, CountBase.SHOULD_ATTEND),
    basis=LegalBasis(
        citation="中国共产党支部工作条例(试行) 第十一条",
        effective=date(2018, 10, 28),
        kind=BasisKind.LAW,
        note=(
            "半数以上 (at least half) of the party members with a vote must be present "
            "(Civil Code Art. 1259: 以上 includes the number); a motion passes on more than "
            "half of those who should attend, not of those present. Some local rules require 2/3 "
            "present."
        ),
    ),
)
"""Party members' assembly: at least 1/2 of voting members present; more than 1/2 of those
expected to attend vote in favour."""

COMMITTEE = VotingRule(
    name="committee",
    quorum=more_than(_HALF, CountBase.MEMBERS),
    passing=more_than(_HALF, CountBase.MEMBERS),
    basis=LegalBasis(
        citation="communitygov default: a majority of the whole committee",
        effective=date(2018, 10, 28),
        kind=BasisKind.DEFAULT,
        note=(
            "for a branch committee or a joint meeting of the two committees; no single text "
            "fixes these numbers. The date is that of 中国共产党支部工作条例(试行)."
        ),
    ),
)
"""Committee: more than 1/2 of members present; more than 1/2 of all members in favour."""

PRESETS: Mapping[str, VotingRule] = MappingProxyType(
    {
        "representatives_assembly": REPRESENTATIVES_ASSEMBLY,
        "residents_assembly": RESIDENTS_ASSEMBLY,
        "party_members_assembly": PARTY_MEMBERS_ASSEMBLY,
        "committee": COMMITTEE,
    }
)
"""The presets by a short stable key."""
