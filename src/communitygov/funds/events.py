"""The events of a fund's life: together they are its books and its audit trail."""

from __future__ import annotations

from datetime import date

import attrs

from communitygov.funds.records import BuyerType, EntryKind, FundRole
from communitygov.kernel.events import Event, event_type
from communitygov.kernel.money import Money

__all__ = [
    "CashReconciled",
    "DiscrepancyResolved",
    "EntryBooked",
    "EntryRecorded",
    "EntryRejected",
    "FundOpened",
    "FundRoleChanged",
    "FundStatementPublished",
]


@event_type("fund.opened")
@attrs.frozen(kw_only=True)
class FundOpened(Event):
    """A fund opened for a purpose of an assistance plan, with its two role holders.

    The beneficiary's name is not stored: only their id and the de-identified ``alias``.
    """

    fund_id: str
    community_id: str
    timezone: str
    plan_id: str
    beneficiary_id: str
    alias: str
    purpose: str
    currency: str
    custodian: str
    bookkeeper: str


@event_type("fund.role_changed")
@attrs.frozen(kw_only=True)
class FundRoleChanged(Event):
    """A new holder of one of the fund's roles, from now on."""

    role: FundRole
    person_id: str
    reason: str = ""


@event_type("fund.entry_recorded")
@attrs.frozen(kw_only=True)
class EntryRecorded(Event):
    """The custodian recorded a cash movement (or a reversal of one); it awaits booking."""

    entry_id: str
    kind: EntryKind
    amount: Money
    by: str
    item: str = ""
    buyer: BuyerType | None = None
    receipt: str = ""
    note: str = ""
    reverses: str | None = None


@event_type("fund.entry_booked")
@attrs.frozen(kw_only=True)
class EntryBooked(Event):
    """The bookkeeper booked an entry: from now on it counts in the books."""

    entry_id: str
    by: str


@event_type("fund.entry_rejected")
@attrs.frozen(kw_only=True)
class EntryRejected(Event):
    """The bookkeeper rejected an entry; it never counts."""

    entry_id: str
    by: str
    reason: str


@event_type("fund.cash_reconciled")
@attrs.frozen(kw_only=True)
class CashReconciled(Event):
    """The custodian counted the cash, witnessed by the bookkeeper; the periods through
    ``period`` (the first day of a month) are closed.

    ``books_cash`` is the cash the books held at the count, which the count was compared
    with; ``None`` in a count recorded before counts were compared with it, which was
    compared with the period's closing cash.
    """

    period: date
    counted: Money
    by: str
    witness: str
    books_cash: Money | None = None


@event_type("fund.discrepancy_resolved")
@attrs.frozen(kw_only=True)
class DiscrepancyResolved(Event):
    """The difference found when ``period`` was reconciled was explained."""

    period: date
    by: str
    explanation: str


@event_type("fund.statement_published")
@attrs.frozen(kw_only=True)
class FundStatementPublished(Event):
    """The statement of the reconciled ``period`` was posted at ``place``."""

    period: date
    place: str
