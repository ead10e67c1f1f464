"""Every way a fund command can be refused: the right error, its facts, and the fund exactly as
it was (equal, same version, same last time)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import communitygov as cg
from communitygov.funds import CashReconciled
from communitygov.testing import strategies as cgst

Fund = cg.Fund
C, B = "p0", "p1"  # the custodian and the bookkeeper of the base fund
DAY = timedelta(days=1)


def when(day: int, hour: int = 9) -> datetime:
    opened = cgst.open_fund()[0].last_at
    assert opened is not None
    return opened.replace(day=day, hour=hour)


def base() -> Fund:
    """May 2020: 100 yuan of sales booked (e1), 30 yuan paid out (e2, booked), a 5 yuan sale
    recorded (e3, pending), and a rejected sale (e4); nothing reconciled."""
    fund, _ = cgst.open_fund()
    steps: list[Callable[[Fund], cg.Decision[Fund]]] = [
        lambda f: f.record_sale(
            cg.Money.yuan(100), item="笔筒", buyer=cg.BuyerType.RESIDENT, by=C, at=when(2)
        ),
        lambda f: f.book("e1", by=B, community=community(), at=when(2, 10)),
        lambda f: f.record_payout(cg.Money.yuan(30), by=C, at=when(3)),
        lambda f: f.book("e2", by=B, community=community(), at=when(3, 10)),
        lambda f: f.record_sale(
            cg.Money.yuan(5), item="钥匙扣", buyer=cg.BuyerType.VISITOR, by=C, at=when(4)
        ),
        lambda f: f.record_sale(
            cg.Money.yuan(7), item="钥匙扣", buyer=cg.BuyerType.VISITOR, by=C, at=when(4, 10)
        ),
        lambda f: f.reject("e4", reason="重复", by=B, community=community(), at=when(4, 11)),
    ]
    for step in steps:
        fund, _ = step(fund)
    return fund


def count(
    fund: Fund, period: date, *, counted: cg.Money, witness: str = B, at: datetime
) -> cg.Decision[Fund]:
    """``fund``'s cash for ``period`` counted by its custodian ``C``, in its community."""
    return fund.reconcile(
        period, counted=counted, by=C, witness=witness, community=community(), at=at
    )


def june(day: int, hour: int = 9) -> datetime:
    return when(1, hour).replace(month=6, day=day)


def may_counted(yuan: int) -> Fund:
    """The base fund with e3 booked and May reconciled on 1 June, ``yuan`` counted (75 is
    what the books hold)."""
    fund, _ = base().book("e3", by=B, community=community(), at=when(5))
    fund, _ = count(fund, date(2020, 5, 31), counted=cg.Money.yuan(yuan), at=june(1))
    return fund


def reconciled() -> Fund:
    """The base fund with May reconciled with no difference."""
    return may_counted(75)


def short_then_swapped() -> Fund:
    """The base fund with May counted 5 yuan short on 1 June by p0 as custodian, and the two
    roles handed round that afternoon until p0 keeps the books (p1 holds the cash)."""
    fund = may_counted(70)
    for role, person in [
        (cg.FundRole.BOOKKEEPER, "p2"),
        (cg.FundRole.CUSTODIAN, B),
        (cg.FundRole.BOOKKEEPER, C),
    ]:
        fund, _ = fund.change_role(role, person, community=community(), at=june(1, 15))
    return fund


def closed_while_running() -> Fund:
    """The base fund with e3 booked and May closed on 31 May at 17:00, as a history stored
    before a month had to be over to be reconciled records it (replay takes it as it is)."""
    fund, _ = base().book("e3", by=B, community=community(), at=when(5))
    counted = CashReconciled(
        at=when(31, 17), period=date(2020, 5, 1), counted=cg.Money.yuan(75), by=C, witness=B
    )
    return fund.apply(counted)


def community(**_: Any) -> cg.Community:
    return cgst.fund_community()


def open_with(**changes: Any) -> Callable[[Fund], object]:
    """``Fund.open`` with ``changes`` made to its arguments (the fund given is left alone)."""
    arguments: dict[str, Any] = {
        "plan": cgst.fund_plan(),
        "community": community(),
        "purpose": "义卖",
        "custodian": C,
        "bookkeeper": B,
        "at": T,
    }
    return lambda _: Fund.open("f", **{**arguments, **changes})


T = when(6)
ADOPTED_AT = cgst.fund_plan().adoption.at  # type: ignore[union-attr]
"""When the fund's plan took effect."""


def with_relative(person: str) -> cg.Community:
    """The fund's community with ``person`` declared a near relative of the beneficiary."""
    c, _ = community().declare_near_relatives(person, cgst.FUND_BENEFICIARY, "母子", at=T)
    return c


def custodian_replaced() -> Fund:
    """The base fund, its custodian ``C`` (who recorded the pending e3) replaced by p3."""
    fund, _ = base().change_role(cg.FundRole.CUSTODIAN, "p3", community=community(), at=T)
    return fund


LAST_DAYS = datetime(9999, 12, 15, 9, tzinfo=T.tzinfo)
"""In December 9999, a month no fund keeps (its reconciliation would fall due in 10000)."""
CASES: dict[
    str, tuple[Callable[[], Fund], Callable[[Fund], object], type[Exception], dict[str, Any]]
] = {
    "custodian is the bookkeeper": (
        base,
        lambda f: f.change_role(cg.FundRole.CUSTODIAN, B, community=community(), at=T),
        cg.SamePerson,
        {"person": B, "first": "bookkeeper", "second": "cash custodian"},
    ),
    "bookkeeper is the beneficiary": (
        base,
        lambda f: f.change_role(
            cg.FundRole.BOOKKEEPER, cgst.FUND_BENEFICIARY, community=community(), at=T
        ),
        cg.SamePerson,
        {"person": cgst.FUND_BENEFICIARY, "first": "beneficiary", "second": "bookkeeper"},
    ),
    "near relative of the beneficiary": (
        base,
        lambda f: f.change_role(cg.FundRole.CUSTODIAN, "p4", community=community(), at=T),
        cg.NearRelativeInRole,
        {"person": "p4", "role": "cash custodian", "relative": cgst.FUND_BENEFICIARY},
    ),
    "unknown person": (
        base,
        lambda f: f.change_role(cg.FundRole.CUSTODIAN, "nobody", community=community(), at=T),
        cg.UnknownReference,
        {"kind": "person", "id": "nobody"},
    ),
    "the bookkeeper records": (
        base,
        lambda f: f.record_payout(cg.Money.yuan(1), by=B, at=T),
        cg.NotRoleHolder,
        {"person": B, "role": "cash custodian", "holder": C},
    ),
    "the custodian books": (
        base,
        lambda f: f.book("e3", by=C, community=community(), at=T),
        cg.NotRoleHolder,
        {"person": C, "role": "bookkeeper", "holder": B},
    ),
    "booked twice": (
        base,
        lambda f: f.book("e1", by=B, community=community(), at=T),
        cg.EntryAlreadyChecked,
        {"entry": "e1", "status": "booked"},
    ),
    "booking a rejected entry": (
        base,
        lambda f: f.book("e4", by=B, community=community(), at=T),
        cg.EntryAlreadyChecked,
        {"entry": "e4", "status": "rejected"},
    ),
    "unknown entry": (
        base,
        lambda f: f.reject("e99", reason="?", by=B, community=community(), at=T),
        cg.UnknownReference,
        {"kind": "fund entry", "id": "e99"},
    ),
    "payout beyond cash on hand": (
        base,
        lambda f: f.record_payout(cg.Money.parse("70.01"), by=C, at=T),
        cg.InsufficientFunds,
        {"account": "cash on hand", "available": "70.00 元", "asked": "70.01 元"},
    ),
    "withdrawal beyond the bank": (
        base,
        lambda f: f.record_withdrawal(cg.Money(1), by=C, at=T),
        cg.InsufficientFunds,
        {"account": "bank", "available": "0.00 元", "asked": "0.01 元"},
    ),
    "negative amount": (
        base,
        lambda f: f.record_deposit(cg.Money.parse("-5 元"), by=C, at=T),
        cg.InvalidAmount,
        {"field": "amount", "value": "-5.00 元"},
    ),
    "zero amount": (
        base,
        lambda f: f.record_expense(cg.Money(0), receipt="R1", by=C, at=T),
        cg.InvalidAmount,
        {"field": "amount"},
    ),
    "an amount that is not money": (
        base,
        lambda f: f.record_payout(12.5, by=C, at=T),
        cg.InvalidAmount,
        {"field": "amount", "value": 12.5},
    ),
    "a fund in a currency written in small letters": (
        base,
        open_with(currency="cny"),
        cg.InvalidAmount,
        {"field": "currency", "value": "cny"},
    ),
    "an entry named by a number": (
        base,
        lambda f: f.book(3, by=B, community=community(), at=T),
        cg.WrongType,
        {"field": "entry id", "value": 3},
    ),
    "another currency": (
        base,
        lambda f: f.record_payout(cg.Money(100, "USD"), by=C, at=T),
        cg.CurrencyMismatch,
        {"expected": "CNY", "got": "USD"},
    ),
    "an expense without a receipt": (
        base,
        lambda f: f.record_expense(cg.Money(100), receipt=" ", by=C, at=T),
        cg.EmptyField,
        {"field": "receipt reference"},
    ),
    "reconciled with an entry pending": (
        base,
        lambda f: count(f, date(2020, 5, 1), counted=cg.Money(0), at=june(1)),
        cg.EntriesPending,
        {"entries": ("e3",)},
    ),
    "reconciliation witnessed by someone else": (
        base,
        lambda f: count(f, date(2020, 5, 1), counted=cg.Money(0), witness="p2", at=T),
        cg.NotRoleHolder,
        {"person": "p2", "role": "bookkeeper"},
    ),
    "reconciling a month not begun": (
        base,
        lambda f: count(f, date(2020, 6, 1), counted=cg.Money(0), at=T),
        cg.FuturePeriod,
        {"period": date(2020, 6, 1), "today": date(2020, 5, 6)},
    ),
    # Closed while it ran, the month would refuse its last hours' sales.
    "reconciling the month while it runs": (
        base,
        lambda f: count(f, date(2020, 5, 1), counted=cg.Money(0), at=when(31, 23)),
        cg.FuturePeriod,
        {"period": date(2020, 5, 1), "today": date(2020, 5, 31)},
    ),
    "an entry in a closed period": (
        closed_while_running,
        lambda f: f.record_sale(
            cg.Money(1), item="笔筒", buyer=cg.BuyerType.OTHER, by=C, at=when(31, 18)
        ),
        cg.PeriodClosed,
        {"period": date(2020, 5, 1), "closed_through": date(2020, 5, 1)},
    ),
    "a closed period reconciled again": (
        reconciled,
        lambda f: count(f, date(2020, 5, 2), counted=cg.Money(0), at=june(2)),
        cg.PeriodClosed,
        {"period": date(2020, 5, 1)},
    ),
    "reversing a pending entry": (
        base,
        lambda f: f.reverse("e3", reason="记错", by=C, at=T),
        cg.NotReversible,
        {"entry": "e3"},
    ),
    "reversing beyond the cash": (
        base,
        lambda f: f.record_payout(cg.Money.yuan(70), by=C, at=T)[0].reverse(
            "e1", reason="退货", by=C, at=T
        ),
        cg.InsufficientFunds,
        {"account": "cash on hand", "available": "0.00 元", "asked": "100.00 元"},
    ),
    "resolving where nothing differs": (
        reconciled,
        lambda f: f.resolve_discrepancy(
            date(2020, 5, 1), explanation="?", by=B, community=community(), at=june(2)
        ),
        cg.UnknownReference,
        {"kind": "open discrepancy in period", "id": "2020-05"},
    ),
    "explaining one's own count": (
        short_then_swapped,
        lambda f: f.resolve_discrepancy(
            date(2020, 5, 1), explanation="点错", by=C, community=community(), at=june(2)
        ),
        cg.OwnCount,
        {"person": C, "period": date(2020, 5, 1)},
    ),
    "a statement of an unreconciled period": (
        base,
        lambda f: f.publish_statement(date(2020, 5, 1), place="公示栏", at=T),
        cg.UnknownReference,
        {"kind": "reconciled period", "id": "2020-05"},
    ),
    "time went backwards": (
        base,
        lambda f: f.book("e3", by=B, community=community(), at=when(1)),
        cg.TimeWentBackwards,
        {},
    ),
    "another community": (
        base,
        lambda f: f.change_role(
            cg.FundRole.CUSTODIAN,
            "p2",
            community=cg.Community.register("other", "别的社区", at=T)[0],
            at=T,
        ),
        cg.WrongCommunity,
        {"expected": "fundville", "got": "other"},
    ),
    "the role to its holder": (
        base,
        lambda f: f.change_role(cg.FundRole.CUSTODIAN, C, community=community(), at=T),
        cg.DuplicateId,
        {"kind": "cash custodian", "id": C},
    ),
    "a role by name": (
        base,
        lambda f: f.change_role("custodian", "p2", community=community(), at=T),  # type: ignore[arg-type]
        cg.WrongType,
        {"field": "role", "value": "custodian"},
    ),
    "a buyer by name": (
        base,
        lambda f: f.record_sale(cg.Money.yuan(1), item="笔", buyer="resident", by=C, at=T),  # type: ignore[arg-type]
        cg.WrongType,
        {"field": "buyer", "value": "resident"},
    ),
    "no note on a sale": (
        base,
        lambda f: f.record_sale(
            cg.Money.yuan(1),
            item="笔",
            buyer=cg.BuyerType.RESIDENT,
            by=C,
            at=T,
            note=None,  # type: ignore[arg-type]
        ),
        cg.WrongType,
        {"field": "note", "value": None},
    ),
    "a period as a datetime": (
        base,
        lambda f: count(f, when(31), counted=cg.Money.yuan(70), at=T),  # a datetime is a date
        cg.WrongType,
        {"field": "period"},
    ),
    "a period as text": (
        reconciled,
        lambda f: f.publish_statement("2020-05", place="公示栏", at=june(2)),  # type: ignore[arg-type]
        cg.WrongType,
        {"field": "period", "value": "2020-05"},
    ),
    "a month before the fund opened": (
        base,
        lambda f: count(f, date(2019, 1, 1), counted=cg.Money.zero(), at=when(31, 18)),
        cg.PeriodBeforeOpening,
        {"period": date(2019, 1, 1), "opened": date(2020, 5, 1)},
    ),
    "a fund opened before the plan took effect": (
        base,
        open_with(at=ADOPTED_AT - timedelta(seconds=1)),
        cg.PlanNotInEffect,
        {"plan": "plan", "state": "speak_up", "adopted_at": ADOPTED_AT},
    ),
    "an entry a relative of the beneficiary recorded, booked": (
        custodian_replaced,
        lambda f: f.book("e3", by=B, community=with_relative(C), at=T),
        cg.EntryByRelative,
        {"entry": "e3", "person": C, "relative": cgst.FUND_BENEFICIARY},
    ),
    "a fund opened before the plan's case": (
        base,
        open_with(at=cgst.fund_plan().opened.at - timedelta(seconds=1)),
        cg.TimeWentBackwards,
        {"last": cgst.fund_plan().opened.at},
    ),
    "a custodian named by a list": (
        base,
        open_with(custodian=[C]),
        cg.WrongType,
        {"field": "person id", "value": [C]},
    ),
    "a role given to a list": (
        base,
        lambda f: f.change_role(cg.FundRole.CUSTODIAN, ["p2"], community=community(), at=T),  # type: ignore[arg-type]
        cg.WrongType,
        {"field": "person id", "value": ["p2"]},
    ),
    "a sale in December 9999": (
        base,
        lambda f: f.record_sale(
            cg.Money.yuan(1), item="笔", buyer=cg.BuyerType.RESIDENT, by=C, at=LAST_DAYS
        ),
        cg.PeriodTooLate,
        {"period": date(9999, 12, 1), "latest": date(9999, 11, 1)},
    ),
    "December 9999 reconciled": (
        base,
        lambda f: count(f, date(9999, 12, 31), counted=cg.Money.zero(), at=LAST_DAYS),
        cg.PeriodTooLate,
        {"period": date(9999, 12, 1), "latest": date(9999, 11, 1)},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_refused_command_changes_nothing(case: str) -> None:
    arrange, command, error, facts = CASES[case]
    fund = arrange()
    before = copy.deepcopy(fund)
    with pytest.raises(error) as caught:
        command(fund)
    for name, value in facts.items():
        assert getattr(caught.value, name) == value, name
    assert str(caught.value)
    assert fund == before
    assert (fund.version, fund.last_at) == (before.version, before.last_at)


def test_nobody_books_their_own_entry_after_swapping_roles() -> None:
    fund = base()
    # p0 recorded e3 as custodian; hand the books to p0 after p1 takes the cash.
    fund, _ = fund.change_role(cg.FundRole.BOOKKEEPER, "p2", community=community(), at=T)
    fund, _ = fund.change_role(cg.FundRole.CUSTODIAN, "p1", community=community(), at=T)
    fund, _ = fund.change_role(cg.FundRole.BOOKKEEPER, C, community=community(), at=T)
    with pytest.raises(cg.OwnEntry) as caught:
        fund.book("e3", by=C, community=community(), at=T)
    assert (caught.value.person, caught.value.entry) == (C, "e3")


def test_a_bookkeeper_who_did_not_count_explains_the_difference() -> None:
    fund, _ = short_then_swapped().change_role(
        cg.FundRole.BOOKKEEPER, "p2", community=community(), at=june(2)
    )
    fund, _ = fund.resolve_discrepancy(
        date(2020, 5, 1), explanation="点错", by="p2", community=community(), at=june(2)
    )
    reconciliation = fund.reconciliation(date(2020, 5, 1))
    assert (reconciliation.counted_by, reconciliation.resolved_by) == (C, "p2")
    assert not reconciliation.discrepancy_open


def test_a_posted_statement_stays_as_posted_and_an_explanation_is_posted_anew() -> None:
    short = may_counted(70)  # 5 yuan short
    posted, _ = short.publish_statement(date(2020, 5, 1), place="公示栏", at=june(1, 10))

    def texts(fund: Fund) -> list[str]:
        return [
            cg.render_text(n) for n in fund.statements(plan=cgst.fund_plan(), community=community())
        ]

    (first,) = texts(posted)
    assert "差额待查 The difference is not yet explained" in first
    explained, _ = posted.resolve_discrepancy(
        date(2020, 5, 1), explanation="找零出错", by=B, community=community(), at=june(3)
    )
    assert texts(explained) == [first]  # the notice of 1 June is not rewritten
    assert explained.reconciliation(date(2020, 5, 1)).resolved_at == june(3)
    reposted, _ = explained.publish_statement(date(2020, 5, 1), place="公示栏", at=june(4))
    again, second = texts(reposted)
    assert again == first
    assert "差额说明 Difference explained: 找零出错" in second
    assert "差额待查" not in second
    with pytest.raises(cg.DuplicateId):  # nothing explained since: nothing new to post
        reposted.publish_statement(date(2020, 5, 1), place="公示栏", at=june(5))
    # Explained at the very instant of the posting, after it: the order of the records
    # decides, not their times.
    same, _ = posted.resolve_discrepancy(
        date(2020, 5, 1), explanation="找零出错", by=B, community=community(), at=june(1, 10)
    )
    assert texts(same) == [first]
    again_at_once, _ = same.publish_statement(date(2020, 5, 1), place="公示栏", at=june(1, 10))
    assert "差额说明 Difference explained: 找零出错" in texts(again_at_once)[1]


def test_a_count_is_compared_with_the_cash_the_books_hold_when_it_is_made() -> None:
    # May's books close with 75 yuan in cash; on 1 June, before May is counted, 30 yuan are
    # paid out and booked: the box then holds 45.
    may, _ = base().book("e3", by=B, community=community(), at=when(5))
    paid, _ = may.record_payout(cg.Money.yuan(30), by=C, at=june(1, 8))
    (payout,) = paid.pending()
    june_paid, _ = paid.book(payout.id, by=B, community=community(), at=june(1, 8))
    for counted, difference in ((45, 0), (75, 30)):
        fund, _ = count(june_paid, date(2020, 5, 1), counted=cg.Money.yuan(counted), at=june(1))
        reconciliation = fund.reconciliation(date(2020, 5, 1))
        assert reconciliation.books.cash == cg.Money.yuan(75)  # May's closing balance
        assert reconciliation.cash_at_count == cg.Money.yuan(45)
        assert reconciliation.difference == cg.Money.yuan(difference)
        assert reconciliation.discrepancy_open is bool(difference)
    (notice,) = fund.publish_statement(date(2020, 5, 1), place="公示栏", at=june(2))[0].statements(
        plan=cgst.fund_plan(), community=community()
    )
    text = cg.render_text(notice)
    assert "期末余额 Closing balance: 现金 cash 75.00 元" in text
    assert (
        "Cash on the books at the count (2020-06-01 09:00, after later movements): 45.00 元" in text
    )
    # A count recorded before counts were compared with the cash at the count keeps its
    # meaning on replay: it was compared with the month's closing cash.
    recorded_before = CashReconciled(
        at=june(1), period=date(2020, 5, 1), counted=cg.Money.yuan(75), by=C, witness=B
    )
    old = june_paid.apply(recorded_before).reconciliation(date(2020, 5, 1))
    assert (old.cash_at_count, old.difference) == (cg.Money.yuan(75), cg.Money.zero())
    # A movement recorded before the count and not yet checked: the count waits for it.
    with pytest.raises(cg.EntriesPending) as refused:
        count(paid, date(2020, 5, 1), counted=cg.Money.yuan(45), at=june(1))
    assert refused.value.entries == (payout.id,)


def test_near_relatives_cannot_hold_the_two_roles() -> None:
    fund, _ = base().change_role(cg.FundRole.BOOKKEEPER, "p2", community=community(), at=T)
    with pytest.raises(cg.NearRelativeInRole) as caught:
        fund.change_role(cg.FundRole.CUSTODIAN, "p3", community=community(), at=T)
    assert (caught.value.relative, caught.value.relative_role) == ("p2", "bookkeeper")


@pytest.mark.parametrize(
    ("first", "second", "person", "role", "relative", "relative_role"),
    [
        (C, B, B, "bookkeeper", C, "cash custodian"),
        (B, cgst.FUND_BENEFICIARY, B, "bookkeeper", cgst.FUND_BENEFICIARY, "beneficiary"),
        (C, cgst.FUND_BENEFICIARY, C, "cash custodian", cgst.FUND_BENEFICIARY, "beneficiary"),
    ],
    ids=["custodian-and-bookkeeper", "bookkeeper-and-beneficiary", "custodian-and-beneficiary"],
)
def test_relatives_declared_after_opening_stop_the_checks_until_a_role_changes(
    first: str, second: str, person: str, role: str, relative: str, relative_role: str
) -> None:
    # Declared after the roles were given: before, the fund went on booking and counting as if
    # the two were kept apart.
    fund = may_counted(70)  # 5 yuan short: a discrepancy to explain
    related, _ = community().declare_near_relatives(first, second, "配偶", at=june(2))
    conflict = fund.role_conflict(related)
    assert conflict is not None
    assert (conflict.person, conflict.role, conflict.relative, conflict.relative_role) == (
        person,
        role,
        relative,
        relative_role,
    )
    assert fund.role_conflict(community()) is None
    pending, _ = fund.record_sale(
        cg.Money.yuan(5), item="笔筒", buyer=cg.BuyerType.RESIDENT, by=C, at=june(3)
    )  # an entry is recorded: it awaits a check
    entry = pending.entries[-1].id
    checks: list[Callable[[Fund], object]] = [
        lambda f: f.book(entry, by=B, community=related, at=june(4)),
        lambda f: f.reject(entry, reason="不符", by=B, community=related, at=june(4)),
        lambda f: f.resolve_discrepancy(
            date(2020, 5, 31), explanation="找零", by=B, community=related, at=june(4)
        ),
        lambda f: f.reconcile(
            date(2020, 6, 30),
            counted=cg.Money.yuan(0),
            by=C,
            witness=B,
            community=related,
            at=datetime(2020, 7, 1, 9, tzinfo=T.tzinfo),
        ),
    ]
    for check in checks:
        before = copy.deepcopy(pending)
        with pytest.raises(cg.NearRelativeInRole) as caught:
            check(pending)
        assert str(caught.value) == str(conflict)
        assert pending == before
    # Someone who holds no role is told so, not about the conflict.
    with pytest.raises(cg.NotRoleHolder):
        pending.book(entry, by="p4", community=related, at=june(4))
    # Only the declarations count, not whom the register held when the value was taken.
    bare, _ = cg.Community.register("fundville", "基金社区", at=T)
    assert fund.role_conflict(bare) is None
    # A new holder of the related role ends the conflict.
    moved = cg.FundRole.BOOKKEEPER if role == "bookkeeper" else cg.FundRole.CUSTODIAN
    newcomer = "p2" if moved is cg.FundRole.BOOKKEEPER else "p3"
    fund, _ = pending.change_role(moved, newcomer, community=related, at=june(4))
    assert fund.role_conflict(related) is None
    by = newcomer if moved is cg.FundRole.BOOKKEEPER else B
    if moved is cg.FundRole.CUSTODIAN and relative == cgst.FUND_BENEFICIARY:
        # The entry was recorded by the beneficiary's relative: never booked, only rejected.
        with pytest.raises(cg.EntryByRelative) as caught:
            fund.book(entry, by=by, community=related, at=june(5))
        assert isinstance(caught.value, cg.NearRelativeInRole)
        assert (caught.value.entry, caught.value.person, caught.value.relative) == (
            entry,
            C,
            cgst.FUND_BENEFICIARY,
        )
        assert str(caught.value) == (
            f"entry {entry!r} was recorded by {C}, a declared near relative of "
            f"{cgst.FUND_BENEFICIARY}, the beneficiary: it cannot be booked, only rejected"
        )
        rejected, _ = fund.reject(entry, reason="近亲属经手", by=by, community=related, at=june(5))
        assert rejected.entry(entry).status is cg.EntryStatus.REJECTED
        return
    booked, _ = fund.book(entry, by=by, community=related, at=june(5))
    assert booked.entry(entry).status is cg.EntryStatus.BOOKED


@pytest.mark.parametrize(
    ("custodian", "bookkeeper", "error"),
    [
        ("p0", "p0", cg.SamePerson),
        (cgst.FUND_BENEFICIARY, "p1", cg.SamePerson),
        ("p2", "p3", cg.NearRelativeInRole),
        ("p4", "p1", cg.NearRelativeInRole),
    ],
)
def test_the_roles_are_checked_at_opening(
    custodian: str, bookkeeper: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        Fund.open(
            "f",
            plan=cgst.fund_plan(),
            community=community(),
            purpose="义卖",
            custodian=custodian,
            bookkeeper=bookkeeper,
            at=T,
        )


def test_a_correction_goes_into_the_open_period_as_a_reversal() -> None:
    fund = reconciled()
    june = when(31, 18) + 2 * DAY
    fund, _ = fund.reverse("e3", reason="退货", by=C, at=june)
    reversal = fund.entries[-1]
    assert (reversal.reverses, reversal.period, reversal.kind) == (
        "e3",
        date(2020, 6, 1),
        cg.EntryKind.SALE,
    )
    fund, _ = fund.book(reversal.id, by=B, community=community(), at=june)
    assert fund.books.raised == cg.Money.yuan(100)
    assert fund.entry("e3").status is cg.EntryStatus.BOOKED
    with pytest.raises(cg.NotReversible):
        fund.reverse("e3", reason="again", by=C, at=june)
    with pytest.raises(cg.NotReversible):
        fund.reverse(reversal.id, reason="again", by=C, at=june)


def test_no_fund_opens_for_a_plan_whose_consent_was_withdrawn() -> None:
    plan = cgst.fund_plan()
    last = plan.last_at
    assert last is not None
    withdrawn, _ = plan.withdraw_consent(at=last + DAY)
    with pytest.raises(cg.ConsentAlreadyWithdrawn) as refused:
        Fund.open(
            "f",
            plan=withdrawn,
            community=community(),
            purpose="义卖",
            custodian=C,
            bookkeeper=B,
            at=last + 2 * DAY,
        )
    assert (refused.value.plan, refused.value.action) == (plan.id, "open a fund")


def _opening(plan: cg.AssistancePlan, at: datetime) -> cg.Decision[Fund]:
    return Fund.open(
        "f", plan=plan, community=community(), purpose="义卖", custodian=C, bookkeeper=B, at=at
    )


def test_a_fund_opens_only_for_a_plan_in_effect() -> None:
    """DOMAIN §4: a plan takes effect only once adopted through its matter; a fund raising
    money for it opens from then until the plan graduates or closes."""
    plan = cgst.fund_plan()
    adoption = plan.adoption
    assert adoption is not None
    plan_events = cgst.fund_records()[2][1]
    for unadopted in (plan_events[:1], plan_events[:-1]):  # taken in; designed
        earlier = cg.AssistancePlan.replay(unadopted)
        with pytest.raises(cg.PlanNotInEffect) as refused:
            _opening(earlier, adoption.at + DAY)
        assert (refused.value.plan, refused.value.state, refused.value.adopted_at) == (
            plan.id,
            earlier.state,
            None,
        )
        assert "it has not been adopted" in str(refused.value)
    with pytest.raises(cg.PlanNotInEffect) as refused:
        _opening(plan, adoption.at - timedelta(microseconds=1))
    assert refused.value.adopted_at == adoption.at
    assert f"it took effect only at {adoption.at.isoformat()}" in str(refused.value)
    assert _opening(plan, adoption.at)[0].plan_id == plan.id
    reviewers = [member.person_id for member in plan.team]
    with pytest.raises(cg.PlanNotInEffect) as refused:
        _opening(
            plan.close("迁出", reviewers=reviewers, at=adoption.at + DAY)[0], adoption.at + 3 * DAY
        )
    assert (refused.value.state, refused.value.adopted_at) == ("closed", adoption.at)
    assert "it has closed" in str(refused.value)
    # A suspended plan is still in effect: the fund may open while the work pauses.
    suspended, _ = plan.suspend("住院", at=adoption.at + DAY)
    assert _opening(suspended, adoption.at + 2 * DAY)[0].plan_id == plan.id


@given(offset=st.integers(-(10**9), 10**9))
def test_a_fund_opens_from_the_moment_of_adoption_on(offset: int) -> None:
    plan = cgst.fund_plan()
    assert plan.adoption is not None
    at = plan.adoption.at + timedelta(microseconds=offset)
    if offset < 0:
        with pytest.raises(cg.PlanNotInEffect):
            _opening(plan, at)
    else:
        assert _opening(plan, at)[0].opened.at == at


def test_money_refuses_amounts_beyond_its_bound_and_says_so_in_numbers_python_writes() -> None:
    assert cg.Money(cg.MAX_FEN).fen == cg.MAX_FEN
    assert cg.Money(-cg.MAX_FEN).fen == -cg.MAX_FEN
    for fen in (cg.MAX_FEN + 1, -cg.MAX_FEN - 1, 10**5000):
        with pytest.raises(cg.InvalidAmount) as refused:
            cg.Money(fen)
        assert "at most 10**30 fen" in str(refused.value)
    with pytest.raises(cg.InvalidAmount, match=r"at most 10\*\*30 fen"):
        cg.Money.parse("1" * 4400)
    with pytest.raises(cg.InvalidAmount):
        cg.Money(cg.MAX_FEN) + cg.Money(1)


def test_the_last_period_a_fund_keeps_is_november_9999() -> None:
    fund, _ = base().book("e3", by=B, community=community(), at=T)
    november = datetime(9999, 11, 30, 9, tzinfo=T.tzinfo)
    fund, _ = fund.record_sale(
        cg.Money.yuan(1), item="笔", buyer=cg.BuyerType.RESIDENT, by=C, at=november
    )
    assert fund.describe().due_at == datetime(2020, 6, 1, tzinfo=T.tzinfo)  # May comes first
    fund, _ = fund.book("e5", by=B, community=community(), at=november)
    fund, _ = count(fund, date(2020, 5, 1), counted=cg.Money.yuan(75), at=november)
    assert fund.describe().due_at == datetime(9999, 12, 1, tzinfo=T.tzinfo)
    december = november + DAY
    fund, _ = count(fund, date(9999, 11, 1), counted=cg.Money.yuan(76), at=december)
    fund, _ = fund.publish_statement(date(9999, 11, 1), place="公示栏", at=december)
    (last,) = fund.statements(plan=cgst.fund_plan(), community=community())
    assert "2020-06-01 – 9999-11-30" in last.text


def test_the_queries_refuse_arguments_of_another_type() -> None:
    fund = base()
    assert fund.holder(cg.FundRole.CUSTODIAN) == C
    assert fund.holder(cg.FundRole.BOOKKEEPER) == B
    for role in ("custodian", None):  # never the bookkeeper for anything but CUSTODIAN
        with pytest.raises(cg.WrongType) as refused:
            fund.holder(role)  # type: ignore[arg-type]
        assert refused.value.field == "role"
    with pytest.raises(cg.WrongType) as refused:
        fund.statements(plan=fund.plan_id, community=community())  # type: ignore[arg-type]
    assert refused.value.field == "plan"
