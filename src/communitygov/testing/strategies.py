"""Hypothesis strategies for communitygov's values, for your own property-based tests.

Every strategy produces valid values only: a generated :class:`~communitygov.Procedure`
builds, a generated :class:`~communitygov.Meeting` passes the rules of the body and day it was
drawn for, a generated community was built through its public commands (and
:func:`communities_with_events` gives those commands' events with it), and a generated matter
was driven along its procedure by them (:func:`matters_with_events`). Use them as they are
or narrow them with their arguments::

    from hypothesis import given, strategies as st
    from communitygov.testing import strategies as cgst

    @given(cgst.communities(representatives=st.integers(3, 30)), cgst.procedures())
    def test_my_notice_board(community, procedure): ...

Nothing here touches Hypothesis' global type registry: events are built field by field from
their ``attrs`` definitions (see :func:`events_of`), and the types the library needs special
values for (aware datetimes, periods, voting rules) are looked up in a private table that
``overrides`` can extend per call.

Needs the ``testing`` extra (Hypothesis).
"""

from __future__ import annotations

import collections.abc
import enum
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from fractions import Fraction
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

import attrs

from communitygov.errors import MissingExtra
from communitygov.kernel.calendars import CALENDAR_DAYS, WEEKDAYS, Calendar
from communitygov.kernel.checks import shows_something
from communitygov.kernel.events import EVENTS, Event, EventRegistry
from communitygov.kernel.money import MAX_FEN, Money
from communitygov.kernel.periods import Period, PeriodUnit
from communitygov.kernel.voting import PRESETS, BasisKind, Bound, CountBase, LegalBasis, VotingRule
from communitygov.matters.procedure import (
    Constituency,
    DeliberationStep,
    MatterState,
    Procedure,
    PublicityRules,
    SolicitationRules,
)
from communitygov.organisation.bodies import BodyKind
from communitygov.testing._meetings import (
    DEFAULT_START,
    SEATED_BODIES,
    Roster,
    communities,
    communities_with_events,
    meetings,
    rosters,
)

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - only without the extra
    raise MissingExtra("communitygov.testing", "testing") from exc

from communitygov.testing.assistance_strategies import (
    BENEFICIARY,
    CASE_TEAM,
    MENTORS,
    GeneratedPlan,
    beneficiary_names,
    goals,
    plan_templates,
    plans,
    plans_with_events,
    sensitive_details,
    stages,
)
from communitygov.testing.fund_strategies import (
    FUND_BENEFICIARY,
    FUND_PEOPLE,
    FUND_RELATIVES,
    GeneratedFund,
    amounts,
    fund_actions,
    fund_community,
    fund_plan,
    fund_records,
    funds,
    funds_with_events,
    open_fund,
)
from communitygov.testing.matter_strategies import (
    GeneratedMatter,
    matters,
    matters_with_events,
)

__all__ = [
    "BENEFICIARY",
    "CASE_TEAM",
    "DEFAULT_START",
    "FUND_BENEFICIARY",
    "FUND_PEOPLE",
    "FUND_RELATIVES",
    "MENTORS",
    "SEATED_BODIES",
    "STEP_BODIES",
    "GeneratedFund",
    "GeneratedMatter",
    "GeneratedPlan",
    "Roster",
    "amounts",
    "aware_datetimes",
    "beneficiary_names",
    "bounds",
    "communities",
    "communities_with_events",
    "events",
    "events_of",
    "fund_actions",
    "fund_community",
    "fund_plan",
    "fund_records",
    "funds",
    "funds_with_events",
    "goals",
    "legal_bases",
    "matters",
    "matters_with_events",
    "meetings",
    "open_fund",
    "periods",
    "plan_templates",
    "plans",
    "plans_with_events",
    "procedures",
    "rosters",
    "sensitive_details",
    "stages",
    "voting_rules",
]

E = TypeVar("E", bound=Event)

STEP_BODIES: tuple[BodyKind, ...] = (
    BodyKind.PARTY_COMMITTEE,
    BodyKind.TWO_COMMITTEES,
    BodyKind.PARTY_MEMBERS_ASSEMBLY,
    BodyKind.REPRESENTATIVES_ASSEMBLY,
    BodyKind.RESIDENTS_ASSEMBLY,
)
"""The bodies :func:`procedures` puts at deliberation steps."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidArgument(message)


# --- time, periods, rules ----------------------------------------------------------------


def aware_datetimes(
    *,
    min_year: int = 2005,
    max_year: int = 2026,
    timezones: st.SearchStrategy[tzinfo] | None = None,
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes whose local date lies in ``min_year``..``max_year``.

    The default years are those every shipped calendar knows. The default timezones are UTC,
    Asia/Shanghai and fixed offsets in whole minutes: none has daylight saving time, so every
    value round-trips through its ISO form and compares equal afterwards (Python never calls
    two datetimes in different zones equal when one falls in a DST fold or gap).

    Args:
        min_year: The first year, inclusive; 2 or later (a store keeps no time within a day
            of the first year's start).
        max_year: The last year, inclusive; 9998 or earlier.
        timezones: Where to draw the timezone from instead of the default.

    Returns:
        A strategy of aware datetimes.
    """
    _check(2 <= min_year <= max_year <= 9998, f"bad years {min_year}..{max_year}")
    if timezones is None:
        offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
        timezones = st.one_of(st.sampled_from([UTC, ZoneInfo("Asia/Shanghai")]), offsets)
    return st.datetimes(
        min_value=datetime(min_year, 1, 1),
        max_value=datetime(max_year, 12, 31, 23, 59, 59, 999999),
        timezones=timezones,
    )


def _dates(min_year: int = 2005, max_year: int = 2026) -> st.SearchStrategy[date]:
    return st.dates(date(min_year, 1, 1), date(max_year, 12, 31))


def _nonblank(max_size: int = 20) -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=max_size).filter(shows_something)


def periods(
    *, min_count: int = 1, max_count: int = 10, units: st.SearchStrategy[PeriodUnit] | None = None
) -> st.SearchStrategy[Period]:
    """Periods of ``min_count``..``max_count`` calendar or working days.

    Args:
        min_count: The shortest period, at least 1.
        max_count: The longest period.
        units: Where to draw the unit from; both units by default.

    Returns:
        A strategy of :class:`~communitygov.Period`.
    """
    _check(1 <= min_count <= max_count, f"bad period counts {min_count}..{max_count}")
    return st.builds(
        Period,
        st.integers(min_count, max_count),
        units if units is not None else st.sampled_from(PeriodUnit),
    )


@st.composite
def _bounds(draw: st.DrawFn, bases: tuple[CountBase, ...], max_denominator: int) -> Bound:
    inclusive = draw(st.booleans())
    denominator = draw(st.integers(1 if inclusive else 2, max_denominator))
    numerator = draw(st.integers(1, denominator if inclusive else denominator - 1))
    return Bound(Fraction(numerator, denominator), draw(st.sampled_from(bases)), inclusive)


def bounds(
    *, bases: Sequence[CountBase] = tuple(CountBase), max_denominator: int = 12
) -> st.SearchStrategy[Bound]:
    """Valid bounds: a fraction in (0, 1], strict only below 1, of one of ``bases``.

    Args:
        bases: The count bases to draw from.
        max_denominator: The largest denominator of the fraction, at least 2.

    Returns:
        A strategy of :class:`~communitygov.Bound`.
    """
    _check(bool(bases), "bounds() needs at least one base")
    _check(max_denominator >= 2, "max_denominator must be at least 2")
    return _bounds(tuple(bases), max_denominator)


def legal_bases() -> st.SearchStrategy[LegalBasis]:
    """Legal bases with a non-blank citation, a date and a kind.

    Returns:
        A strategy of :class:`~communitygov.LegalBasis`.
    """
    return st.builds(
        LegalBasis,
        citation=_nonblank(),
        effective=_dates(),
        kind=st.sampled_from(BasisKind),
        note=st.text(max_size=20),
    )


def voting_rules(*, max_denominator: int = 12) -> st.SearchStrategy[VotingRule]:
    """Valid voting rules with random fractions, bases and inclusive flags.

    The quorum is counted against members or those expected to attend (never those present,
    which the library refuses); the pass threshold against any base.

    Args:
        max_denominator: The largest denominator of either fraction.

    Returns:
        A strategy of :class:`~communitygov.VotingRule`.
    """
    return st.builds(
        VotingRule,
        name=_nonblank(),
        quorum=bounds(
            bases=(CountBase.MEMBERS, CountBase.SHOULD_ATTEND), max_denominator=max_denominator
        ),
        passing=bounds(max_denominator=max_denominator),
        basis=legal_bases(),
    )


# --- procedures --------------------------------------------------------------------------


_STEP_KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True).filter(
    lambda key: key not in MatterState.FIXED
)
_PROCEDURE_NAMES = st.from_regex(r"[a-z][a-z0-9-]{0,19}", fullmatch=True)
_CONSTITUENCIES = st.frozensets(st.sampled_from(Constituency), min_size=1)
_LABELS = _nonblank()
_PERIODS = periods()
_PAPERS_NOTICES = st.none() | periods(max_count=5)
_RULES = st.sampled_from(list(PRESETS.values())) | voting_rules()


@st.composite
def _procedures(
    draw: st.DrawFn,
    keys: st.SearchStrategy[list[str]],
    bodies: st.SearchStrategy[BodyKind],
    rules: st.SearchStrategy[VotingRule],
    calendars: st.SearchStrategy[Calendar],
    solicitations: st.SearchStrategy[SolicitationRules | None],
) -> Procedure:
    names = draw(keys)
    steps = []
    for position, key in enumerate(names):
        back = draw(st.integers(-1, position))  # -1: a rejection ends the matter
        steps.append(
            DeliberationStep(
                key=key,
                en=draw(_LABELS),
                zh=draw(_LABELS),
                body=draw(bodies),
                rule=draw(rules),
                may_amend=draw(st.booleans()),
                on_reject=None if back < 0 else names[back],
                rejection_may_end=back >= 0 and draw(st.booleans()),
                papers_notice=draw(_PAPERS_NOTICES),
            )
        )
    return Procedure(
        name=draw(_PROCEDURE_NAMES),
        en=draw(_LABELS),
        zh=draw(_LABELS),
        steps=steps,
        resolution_publicity=PublicityRules(
            upheld_returns_to=names[draw(st.integers(0, len(names) - 1))],
            period=draw(_PERIODS),
            objectors=draw(_CONSTITUENCIES),
            ruling_within=draw(st.none() | _PERIODS),
        ),
        solicitation=draw(solicitations),
        result_publicity=draw(_PERIODS),
        calendar=draw(calendars),
    )


def procedures(
    *,
    min_steps: int = 1,
    max_steps: int = 4,
    bodies: Sequence[BodyKind] = STEP_BODIES,
    rules: st.SearchStrategy[VotingRule] | None = None,
    calendars: st.SearchStrategy[Calendar] | None = None,
    solicitation: bool | None = None,
) -> st.SearchStrategy[Procedure]:
    """Valid procedures: distinct identifier step keys, random bodies, rules and periods.

    Some solicit opinions first and some (as 四议两公开) do not. Each step's rejection ends
    the matter or returns to the same or an earlier step; an upheld objection returns to any
    step; every period is 1 to 10 days (papers notice 1 to 5), and a
    ruling on an objection is due within such a period or has no due time. The objection
    ruling body is the supervision committee.

    Args:
        min_steps: The fewest deliberation steps, at least 1.
        max_steps: The most deliberation steps.
        bodies: The bodies steps may name (:data:`STEP_BODIES` by default).
        rules: Voting rules to draw from; the shipped presets and :func:`voting_rules` by
            default.
        calendars: Calendars to draw from; :data:`~communitygov.CALENDAR_DAYS` and
            :data:`~communitygov.WEEKDAYS` by default.
        solicitation: ``True`` for procedures that all solicit opinions first (whose
            matters have the states ``"raised"`` and ``"soliciting"``: give it with
            ``matters(until="soliciting")``), ``False`` for none that do, ``None`` (the
            default) for both.

    Returns:
        A strategy of :class:`~communitygov.Procedure`.
    """
    _check(1 <= min_steps <= max_steps, f"bad step counts {min_steps}..{max_steps}")
    _check(bool(bodies), "procedures() needs at least one body")
    if rules is None:
        rules = _RULES
    if calendars is None:
        calendars = st.sampled_from([CALENDAR_DAYS, WEEKDAYS])
    keys = st.lists(_STEP_KEYS, min_size=min_steps, max_size=max_steps, unique=True)
    soliciting = st.builds(SolicitationRules, minimum=_PERIODS, constituencies=_CONSTITUENCIES)
    solicitations: st.SearchStrategy[SolicitationRules | None] = (
        st.none() | soliciting
        if solicitation is None
        else (soliciting if solicitation else st.none())
    )
    return _procedures(keys, st.sampled_from(tuple(bodies)), rules, calendars, solicitations)


# --- events ------------------------------------------------------------------------------

_VALUES: Mapping[Any, st.SearchStrategy[Any]] = {
    datetime: aware_datetimes(),
    date: _dates(),
    str: st.text(max_size=20),
    int: st.integers(),
    bool: st.booleans(),
    Fraction: st.fractions(),
    Money: st.builds(
        Money, st.integers(-MAX_FEN, MAX_FEN), st.from_regex(r"[A-Z]{3}", fullmatch=True)
    ),
    Period: periods(),
    Bound: bounds(),
    LegalBasis: legal_bases(),
    VotingRule: voting_rules(),
    type(None): st.none(),
}


def _for_type(
    annotation: Any, table: Mapping[Any, st.SearchStrategy[Any]]
) -> st.SearchStrategy[Any]:
    """A strategy for values of a resolved field annotation."""
    if annotation in table:
        return table[annotation]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_for_type(arg, table) for arg in args))
    if origin is Literal:
        return st.sampled_from(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(_for_type(args[0], table), max_size=5).map(tuple)
        return st.tuples(*(_for_type(arg, table) for arg in args))
    if origin in (frozenset, collections.abc.Set):
        return st.frozensets(_for_type(args[0], table), max_size=5)
    if origin in (set, collections.abc.MutableSet):
        return st.sets(_for_type(args[0], table), max_size=5)
    if origin in (list, collections.abc.Sequence, collections.abc.MutableSequence):
        return st.lists(_for_type(args[0], table), max_size=5)
    if origin in (dict, collections.abc.Mapping, collections.abc.MutableMapping):
        keys, values = (_for_type(arg, table) for arg in args)
        return st.dictionaries(keys, values, max_size=5)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return st.sampled_from(annotation)
    if isinstance(annotation, type) and attrs.has(annotation):
        return _instances(annotation, table)
    return st.from_type(annotation)


def _instances(
    cls: type[Any], table: Mapping[Any, st.SearchStrategy[Any]]
) -> st.SearchStrategy[Any]:
    """``st.builds`` of an attrs class, one strategy per init field from its annotations."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception as exc:  # a NameError, usually: an annotation imported for typing only
        raise InvalidArgument(
            f"cannot read the field types of {cls.__qualname__}: {exc}; "
            "pass a strategy for it in overrides"
        ) from exc
    fields = {
        field.alias: _for_type(hints[field.name], table)
        for field in attrs.fields(cls)
        if field.init
    }
    return st.builds(cls, **fields)


def events_of(
    event_class: type[E], *, overrides: Mapping[Any, st.SearchStrategy[Any]] | None = None
) -> st.SearchStrategy[E]:
    """Instances of one event class, every field drawn from its annotation.

    Field types are read from the class's ``attrs`` fields: datetimes are aware
    (:func:`aware_datetimes`), amounts within :data:`~communitygov.MAX_FEN`, periods, bounds
    and voting rules are valid, enums, optionals,
    tuples, frozensets and nested attrs classes are built recursively, and anything else goes
    to ``st.from_type``. Defaulted fields get random values too.

    Args:
        event_class: A registered event class (or any attrs class).
        overrides: Strategies by type, used before the built-in ones; add one for a field type
            of your own. Hypothesis' global registry is never changed.

    Returns:
        A strategy of ``event_class`` instances.

    Raises:
        InvalidArgument: ``event_class`` is not an attrs class or its annotations cannot be
            resolved.
    """
    _check(attrs.has(event_class), f"{event_class!r} is not an attrs class")
    table = {**_VALUES, **(overrides or {})}
    strategy: st.SearchStrategy[E] = _instances(event_class, table)
    return strategy


def events(
    registry: EventRegistry = EVENTS,
    *,
    overrides: Mapping[Any, st.SearchStrategy[Any]] | None = None,
) -> st.SearchStrategy[Event]:
    """Events of every type registered in ``registry`` (see :func:`events_of`).

    Args:
        registry: The registry whose types to draw from; the library's own by default.
        overrides: Strategies by type for field types of your own.

    Returns:
        A strategy of events.

    Raises:
        InvalidArgument: the registry is empty.
    """
    classes = list(registry)
    _check(bool(classes), "the registry has no event types")
    return st.one_of(*(events_of(cls, overrides=overrides) for cls in classes))
