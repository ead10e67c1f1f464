"""Hypothesis strategies for money and funds, for your own property-based tests.

Every generated fund was opened on a small community (:func:`fund_community`) and driven along
by its public commands, mostly by the role holder whose step it is and sometimes by anyone:
entries of every kind, bookings, rejections, reversals, role changes, reconciliations and
resolved discrepancies. Refused commands are skipped, so the events are exactly those the
accepted commands returned::

    from hypothesis import given
    from communitygov.testing import fund_strategies as cgfs

    @given(cgfs.funds_with_events(max_steps=30))
    def test_my_ledger_report(generated):
        report = my_report(generated.fund)
        ...

Needs the ``testing`` extra (Hypothesis).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import attrs

from communitygov.assistance.plan import AssistancePlan
from communitygov.assistance.records import Consent, TeamMember, TeamRole
from communitygov.assistance.template import FOUR_STAGES
from communitygov.errors import CommandRejected, MissingExtra
from communitygov.funds.fund import Fund
from communitygov.funds.records import BuyerType, FundRole
from communitygov.kernel.aggregate import Decision
from communitygov.kernel.events import Event
from communitygov.kernel.money import CNY, Money
from communitygov.kernel.timekeeping import zone
from communitygov.matters.matter import Matter
from communitygov.organisation.community import Community
from communitygov.testing._adoption import adopted, staffed

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - only without the extra
    raise MissingExtra("communitygov.testing", "testing") from exc

__all__ = [
    "FUND_BENEFICIARY",
    "FUND_PEOPLE",
    "FUND_RELATIVES",
    "GeneratedFund",
    "amounts",
    "fund_actions",
    "fund_community",
    "fund_plan",
    "fund_records",
    "funds",
    "funds_with_events",
    "open_fund",
]

FUND_BENEFICIARY = "beneficiary"
"""The person id of the beneficiary in :func:`fund_community`."""
FUND_PEOPLE = ("p0", "p1", "p2", "p3", "p4")
"""The people who may hold a fund's roles (or try to); ``p0`` and ``p1`` hold them at first."""
FUND_RELATIVES = (("p2", "p3"), ("p4", FUND_BENEFICIARY))
"""The declared near relatives in :func:`fund_community`."""
_TAKEN_IN = datetime(2020, 4, 1, 9, tzinfo=zone("Asia/Shanghai"))
"""When the community was registered and the plan taken in."""
_START = datetime(2020, 5, 1, 9, tzinfo=zone("Asia/Shanghai"))
"""When the fund opens, after the plan took effect."""


def fund_community() -> Community:
    """A community with the beneficiary, :data:`FUND_PEOPLE`, two case-team members, the
    near relatives of :data:`FUND_RELATIVES`, and the bodies that adopt the plan."""
    return _fund_community()[0]


@cache
def _fund_community() -> Decision[Community]:
    """:func:`fund_community`, with the events that made it."""
    community, events = Community.register("fundville", "基金社区", at=_TAKEN_IN)
    kept = list(events)
    for person in (FUND_BENEFICIARY, *FUND_PEOPLE, "team0", "team1"):
        community, events = community.register_person(person, f"居民{person}", at=_TAKEN_IN)
        kept += events
    for first, second in FUND_RELATIVES:
        community, events = community.declare_near_relatives(first, second, "配偶", at=_TAKEN_IN)
        kept += events
    community, events = staffed(community, _TAKEN_IN)
    return community, (*kept, *events)


def fund_plan() -> AssistancePlan:
    """The beneficiary's assistance plan, taken in, designed and adopted through the matter of
    :func:`fund_records` before the fund of :func:`open_fund` opens."""
    return _adopted()[1][0]


@cache
def _adopted() -> tuple[Decision[Matter], Decision[AssistancePlan]]:
    """The matter that adopted :func:`fund_plan`, and the plan, with their events."""
    community = fund_community()
    taken_in = AssistancePlan.intake(
        "plan",
        community=community,
        template=FOUR_STAGES,
        beneficiary=FUND_BENEFICIARY,
        referred_by="入户走访",
        team=[TeamMember(p, TeamRole.VOLUNTEER) for p in ("team0", "team1")],
        consent=Consent(FUND_BENEFICIARY, _TAKEN_IN.date()),
        at=_TAKEN_IN,
    )
    return adopted(taken_in, community, name="居民beneficiary", detail="手工艺")


def fund_records() -> tuple[Decision[Community], Decision[Matter], Decision[AssistancePlan]]:
    """:func:`fund_community`, the matter that adopted :func:`fund_plan`, and the plan, with
    their events, to store before a fund of :func:`open_fund`: a store that holds a fund holds
    the plan it was opened for and the matter that adopted it, as
    :meth:`~communitygov.Governance.verify` expects."""
    return (_fund_community(), *_adopted())


def open_fund() -> Decision[Fund]:
    """The fund of :func:`fund_plan`, held by ``p0`` (custodian) and kept by ``p1``."""
    return Fund.open(
        "fund",
        plan=fund_plan(),
        community=fund_community(),
        purpose="手工艺品义卖",
        custodian="p0",
        bookkeeper="p1",
        at=_START,
    )


def amounts(*, max_fen: int = 500_000, currency: str = CNY) -> st.SearchStrategy[Money]:
    """Amounts of 1 fen to ``max_fen`` fen in ``currency``; small amounts are drawn often."""
    return st.integers(1, max_fen).map(lambda fen: Money(fen, currency))


_ACTIONS = (
    *("sale", "sale", "deposit", "withdrawal", "payout", "payout", "expense"),
    *("book", "book", "book", "reject", "reverse", "role", "reconcile", "resolve", "publish"),
)

Action = Callable[[Fund], Decision[Fund]]
"""A command waiting for the fund to run on."""


@st.composite
def fund_actions(draw: st.DrawFn, when: datetime) -> Action:
    """One command at ``when``, mostly by the role holder whose step it is and sometimes by
    a drawn person: an entry, a check, a reversal, a role change, a reconciliation or a
    statement published. It may be refused; that is part of what it tests."""
    someone = draw(st.sampled_from(FUND_PEOPLE))
    honest = draw(st.sampled_from([True, True, True, False]))
    amount = draw(amounts())
    kind = draw(st.sampled_from(_ACTIONS))
    pick = draw(st.integers(0, 1_000))

    def custodian(fund: Fund) -> str:
        return fund.custodian if honest else someone

    def bookkeeper(fund: Fund) -> str:
        return fund.bookkeeper if honest else someone

    def entry_id(fund: Fund) -> str:
        choices = (fund.pending() if honest and kind != "reverse" else ()) or fund.entries
        return choices[pick % len(choices)].id if choices else "e1"

    if kind == "sale":
        buyer = draw(st.sampled_from(BuyerType))
        return lambda f: f.record_sale(amount, item="笔筒", buyer=buyer, by=custodian(f), at=when)
    if kind == "deposit":
        return lambda f: f.record_deposit(amount, by=custodian(f), at=when)
    if kind == "withdrawal":
        return lambda f: f.record_withdrawal(amount, by=custodian(f), at=when)
    if kind == "payout":
        return lambda f: f.record_payout(amount, by=custodian(f), at=when)
    if kind == "expense":
        return lambda f: f.record_expense(amount, receipt="R-1", by=custodian(f), at=when)
    if kind == "book":
        return lambda f: f.book(entry_id(f), by=bookkeeper(f), community=fund_community(), at=when)
    if kind == "reject":
        return lambda f: f.reject(
            entry_id(f), reason="金额不符", by=bookkeeper(f), community=fund_community(), at=when
        )
    if kind == "reverse":
        return lambda f: f.reverse(entry_id(f), reason="记错", by=custodian(f), at=when)
    if kind == "role":
        role = draw(st.sampled_from(FundRole))
        return lambda f: f.change_role(role, someone, community=fund_community(), at=when)
    if kind == "resolve":
        return lambda f: f.resolve_discrepancy(
            f.closed_through or when.date(),
            explanation="点错",
            by=bookkeeper(f),
            community=fund_community(),
            at=when,
        )
    if kind == "publish":
        return lambda f: f.publish_statement(
            f.closed_through or when.date(), place="社区公示栏", at=when
        )
    excess = draw(st.sampled_from([0, 0, 0, 100]))
    # Mostly the month just over; now and then the one still running, which is refused.
    month = when.date() if pick % 5 == 0 else when.date().replace(day=1) - timedelta(days=1)

    def reconcile(fund: Fund) -> Decision[Fund]:
        counted = Money(fund.books.cash.fen + excess, fund.currency)
        return fund.reconcile(
            month,
            counted=counted,
            by=custodian(fund),
            witness=bookkeeper(fund),
            community=fund_community(),
            at=when,
        )

    return reconcile


@attrs.frozen
class GeneratedFund:
    """A generated fund, the events that made it, and what it was made on.

    Attributes:
        fund: The fund.
        events: Its events, oldest first.
        plan, community: The plan it was opened for and their community.
        matter: The matter that adopted the plan.
        plan_events, community_events, matter_events: Their events (see :meth:`records`).
    """

    fund: Fund
    events: tuple[Event, ...]
    plan: AssistancePlan
    community: Community
    matter: Matter
    plan_events: tuple[Event, ...] = ()
    community_events: tuple[Event, ...] = ()
    matter_events: tuple[Event, ...] = ()

    def records(self) -> tuple[Decision[Any], ...]:
        """The community, the matter, the plan and the fund with their events, in the order a
        store takes them (``for decision in generated.records(): gov.create(decision)``): a
        store that holds the fund holds the plan it was opened for and the matter that adopted
        it, as :meth:`~communitygov.Governance.verify` expects."""
        return (
            (self.community, self.community_events),
            (self.matter, self.matter_events),
            (self.plan, self.plan_events),
            (self.fund, self.events),
        )


@st.composite
def _funds_with_events(draw: st.DrawFn, max_steps: int) -> GeneratedFund:
    fund, events = open_fund()
    when = _START
    for _ in range(draw(st.integers(0, max_steps))):
        when += timedelta(hours=draw(st.sampled_from([1, 5, 24, 24 * 9])))
        action = draw(fund_actions(when))
        try:
            fund, more = action(fund)
        except CommandRejected:
            continue
        events = (*events, *more)
    (community, community_events), (matter, matter_events), (plan, plan_events) = fund_records()
    return GeneratedFund(
        fund, events, plan, community, matter, plan_events, community_events, matter_events
    )


def funds_with_events(*, max_steps: int = 30) -> st.SearchStrategy[GeneratedFund]:
    """Funds driven along by up to ``max_steps`` drawn commands, with their events."""
    return _funds_with_events(max_steps)


def funds(*, max_steps: int = 30) -> st.SearchStrategy[Fund]:
    """Funds driven along by up to ``max_steps`` drawn commands."""
    return funds_with_events(max_steps=max_steps).map(lambda generated: generated.fund)
