"""The records a fund is made of: its roles, its entries and their effect on the books, the
balances, and the reconciliations of its periods."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import attrs
from dateutil.relativedelta import relativedelta

from communitygov.errors import PeriodTooLate
from communitygov.kernel.checks import require_date
from communitygov.kernel.money import Money

__all__ = [
    "LATEST_PERIOD",
    "Balances",
    "BuyerType",
    "Entry",
    "EntryKind",
    "EntryStatus",
    "FundRole",
    "Reconciliation",
]


class FundRole(Enum):
    """The two offices of a fund, held by two different people who are not near relatives."""

    CUSTODIAN = "custodian"
    BOOKKEEPER = "bookkeeper"

    @property
    def zh(self) -> str:
        """The office in Chinese: 管钱 or 管账."""
        return "管钱" if self is FundRole.CUSTODIAN else "管账"

    @property
    def en(self) -> str:
        """The office in English: "cash custodian" or "bookkeeper"."""
        return "cash custodian" if self is FundRole.CUSTODIAN else "bookkeeper"

    @property
    def other(self) -> FundRole:
        """The other office."""
        return FundRole.BOOKKEEPER if self is FundRole.CUSTODIAN else FundRole.CUSTODIAN


class BuyerType(Enum):
    """Who bought an item at a sale."""

    RESIDENT = "resident"
    PARTNER_UNIT = "partner_unit"
    VISITOR = "visitor"
    OTHER = "other"


class EntryKind(Enum):
    """What a cash movement is; each moves money between the fund's accounts."""

    SALE = "sale"
    """Cash received for an item sold: cash on hand and the total raised go up."""
    DEPOSIT = "deposit"
    """Cash paid into the bank: from cash on hand to the bank."""
    WITHDRAWAL = "withdrawal"
    """Cash drawn from the bank: from the bank to cash on hand."""
    PAYOUT = "payout"
    """Cash paid to the beneficiary, from cash on hand."""
    EXPENSE = "expense"
    """Cash spent (materials, stall fees) against a receipt, from cash on hand."""

    @property
    def zh(self) -> str:
        """The kind in Chinese."""
        return _KIND_ZH[self]


_KIND_ZH = {
    EntryKind.SALE: "义卖收入",
    EntryKind.DEPOSIT: "存入银行",
    EntryKind.WITHDRAWAL: "银行取现",
    EntryKind.PAYOUT: "支付受助人",
    EntryKind.EXPENSE: "费用支出",
}


class EntryStatus(Enum):
    """Where an entry is in maker–checker: recorded by the custodian, then booked or rejected
    by the bookkeeper."""

    RECORDED = "recorded"
    BOOKED = "booked"
    REJECTED = "rejected"


@attrs.frozen
class Balances:
    """The books: what booked entries add up to.

    Attributes:
        cash: cash on hand, held by the custodian; never negative.
        bank: money in the bank; never negative.
        raised: the total raised by sales.
        paid: the total paid to the beneficiary.
        spent: the total spent on expenses.
    """

    cash: Money
    bank: Money
    raised: Money
    paid: Money
    spent: Money

    @classmethod
    def empty(cls, currency: str) -> Balances:
        """All zero, in ``currency``."""
        zero = Money.zero(currency)
        return cls(zero, zero, zero, zero, zero)

    @property
    def held(self) -> Money:
        """Cash on hand and the bank together."""
        return self.cash + self.bank

    def moved(self, kind: EntryKind, amount: Money) -> Balances:
        """The books after ``amount`` moved as ``kind`` says (a negative amount undoes it)."""
        if kind is EntryKind.SALE:
            return attrs.evolve(self, cash=self.cash + amount, raised=self.raised + amount)
        if kind is EntryKind.DEPOSIT:
            return attrs.evolve(self, cash=self.cash - amount, bank=self.bank + amount)
        if kind is EntryKind.WITHDRAWAL:
            return attrs.evolve(self, cash=self.cash + amount, bank=self.bank - amount)
        if kind is EntryKind.PAYOUT:
            return attrs.evolve(self, cash=self.cash - amount, paid=self.paid + amount)
        return attrs.evolve(self, cash=self.cash - amount, spent=self.spent + amount)


@attrs.frozen(kw_only=True)
class Entry:
    """A cash movement as the custodian recorded it, and what the bookkeeper made of it.

    Attributes:
        id: the entry's number in the fund (``e1``, ``e2`` …).
        kind: what movement it is.
        amount: how much; always more than zero.
        period: the first day of the month (in the community's timezone) it was recorded in.
        recorded_by: the custodian who recorded it.
        recorded_at: when.
        item: for a sale, what was sold.
        buyer: for a sale, who bought it.
        receipt: for an expense, the receipt's reference.
        note: anything else.
        reverses: for a reversing entry, the id of the entry it undoes; its effect on the
            books is the original's, negated.
        status: recorded, booked or rejected.
        checked_by: the bookkeeper who booked or rejected it.
        reason: why it was rejected.
    """

    id: str
    kind: EntryKind
    amount: Money
    period: date
    recorded_by: str
    recorded_at: datetime
    item: str = ""
    buyer: BuyerType | None = None
    receipt: str = ""
    note: str = ""
    reverses: str | None = None
    status: EntryStatus = EntryStatus.RECORDED
    checked_by: str = ""
    reason: str = ""

    @property
    def signed(self) -> Money:
        """The amount as it moves the books: negated for a reversing entry."""
        return -self.amount if self.reverses is not None else self.amount

    def effect(self, books: Balances) -> Balances:
        """``books`` with this entry booked."""
        return books.moved(self.kind, self.signed)


@attrs.frozen(kw_only=True)
class Reconciliation:
    """A period's cash count against the books, and whether any difference is resolved.

    Attributes:
        period: the first day of the last month it closes; every earlier month is closed too.
        counted: the cash the custodian counted.
        books: the booked balances at the end of the period.
        cash_at_count: the cash the books held when it was counted: the period's closing
            cash, moved on by any movement of a later month booked before the count.
        counted_by: the custodian who counted.
        witnessed_by: the bookkeeper who witnessed the count.
        at: when it was counted.
        resolution: how a difference was explained, once it is.
        resolved_by: who resolved it.
        resolved_at: when, once it is.
        explained_after: how many of the period's statements had been posted when the
            difference was explained: those show it unexplained, as they were posted.
    """

    period: date
    counted: Money
    books: Balances
    cash_at_count: Money
    counted_by: str
    witnessed_by: str
    at: datetime
    resolution: str = ""
    resolved_by: str = ""
    resolved_at: datetime | None = None
    explained_after: int = 0

    @property
    def difference(self) -> Money:
        """The cash counted less the cash the books held when it was counted (negative: a
        shortfall)."""
        return self.counted - self.cash_at_count

    @property
    def discrepancy_open(self) -> bool:
        """Whether the count differs from the books and the difference is not yet resolved."""
        return bool(self.difference) and not self.resolved_by


def month_of(day: date) -> date:
    """The period ``day`` falls in: the first day of its month.

    Raises:
        WrongType: ``day`` is not a date (a datetime, whose day depends on its zone, or a
            text).
    """
    return require_date(day, "period").replace(day=1)


LATEST_PERIOD = date(9999, 11, 1)
"""The last period a fund keeps: a period's reconciliation falls due when the month after it
begins, and the month after December 9999 is past the last day Python holds."""


def keepable_month(day: date) -> date:
    """The period ``day`` falls in (:func:`month_of`), once a fund may keep it.

    Raises:
        WrongType: ``day`` is not a date.
        PeriodTooLate: it is after :data:`LATEST_PERIOD`.
    """
    month = month_of(day)
    if month > LATEST_PERIOD:
        raise PeriodTooLate(month, LATEST_PERIOD)
    return month


def month_after(month: date) -> date:
    """The period after ``month``'s."""
    return month + relativedelta(months=1)
