"""How each event changes a fund: the fold that commands and replay share.

:func:`started` makes a fund from its opening event; :func:`changes` gives the fields every
later event changes. Each event type has one function here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs

from communitygov.errors import DecodeError
from communitygov.funds.events import (
    CashReconciled,
    DiscrepancyResolved,
    EntryBooked,
    EntryRecorded,
    EntryRejected,
    FundOpened,
    FundRoleChanged,
    FundStatementPublished,
)
from communitygov.funds.records import Balances, Entry, EntryStatus, Reconciliation, month_of
from communitygov.kernel.events import Event
from communitygov.kernel.timekeeping import local_date

if TYPE_CHECKING:
    from communitygov.funds.fund import Fund

__all__ = ["changes", "started"]


def started(cls: type[Fund], event: Event) -> Fund:
    """The fund ``event`` opens (version 1)."""
    assert isinstance(event, FundOpened)
    return cls(
        id=event.fund_id,
        version=1,
        last_at=event.at,
        opened=event,
        custodian=event.custodian,
        bookkeeper=event.bookkeeper,
        books=Balances.empty(event.currency),
    )


def changes(fund: Fund, event: Event) -> dict[str, Any]:
    """The fields ``event`` changes in ``fund``.

    Raises:
        DecodeError: ``event`` is not an event of a fund after its opening.
    """
    fold = _FOLDS.get(type(event))
    if fold is None:
        raise DecodeError(event.type_name, event.schema_version, "not a fund event")
    return fold(fund, event)


def _books_through(fund: Fund, month: date) -> Balances:
    """What the entries booked in ``month`` and before add up to."""
    books = Balances.empty(fund.currency)
    for entry in fund.entries:
        if entry.status is EntryStatus.BOOKED and entry.period <= month:
            books = entry.effect(books)
    return books


def _with_entry(fund: Fund, entry_id: str, **changes: Any) -> tuple[Entry, ...]:
    return tuple(attrs.evolve(e, **changes) if e.id == entry_id else e for e in fund.entries)


def _role_changed(fund: Fund, event: FundRoleChanged) -> dict[str, Any]:
    return {event.role.value: event.person_id}


def _recorded(fund: Fund, event: EntryRecorded) -> dict[str, Any]:
    entry = Entry(
        id=event.entry_id,
        kind=event.kind,
        amount=event.amount,
        period=month_of(local_date(event.at, fund.opened.timezone)),
        recorded_by=event.by,
        recorded_at=event.at,
        item=event.item,
        buyer=event.buyer,
        receipt=event.receipt,
        note=event.note,
        reverses=event.reverses,
    )
    return {"entries": (*fund.entries, entry)}


def _booked(fund: Fund, event: EntryBooked) -> dict[str, Any]:
    entry = fund.entry(event.entry_id)
    return {
        "entries": _with_entry(
            fund, event.entry_id, status=EntryStatus.BOOKED, checked_by=event.by
        ),
        "books": entry.effect(fund.books),
    }


def _rejected(fund: Fund, event: EntryRejected) -> dict[str, Any]:
    entries = _with_entry(
        fund, event.entry_id, status=EntryStatus.REJECTED, checked_by=event.by, reason=event.reason
    )
    return {"entries": entries}


def _reconciled(fund: Fund, event: CashReconciled) -> dict[str, Any]:
    books = _books_through(fund, event.period)
    reconciliation = Reconciliation(
        period=event.period,
        counted=event.counted,
        books=books,
        # A count recorded before counts were compared with the cash at the count was
        # compared with the period's closing cash, and keeps that meaning.
        cash_at_count=books.cash if event.books_cash is None else event.books_cash,
        counted_by=event.by,
        witnessed_by=event.witness,
        at=event.at,
    )
    return {"reconciliations": (*fund.reconciliations, reconciliation)}


def _resolved(fund: Fund, event: DiscrepancyResolved) -> dict[str, Any]:
    posted = sum(1 for p in fund.published if p.period == event.period)
    reconciliations = tuple(
        attrs.evolve(
            r,
            resolution=event.explanation,
            resolved_by=event.by,
            resolved_at=event.at,
            explained_after=posted,
        )
        if r.period == event.period
        else r
        for r in fund.reconciliations
    )
    return {"reconciliations": reconciliations}


def _published(fund: Fund, event: FundStatementPublished) -> dict[str, Any]:
    return {"published": (*fund.published, event)}


_FOLDS: Mapping[type[Event], Callable[[Fund, Any], dict[str, Any]]] = {
    FundRoleChanged: _role_changed,
    EntryRecorded: _recorded,
    EntryBooked: _booked,
    EntryRejected: _rejected,
    CashReconciled: _reconciled,
    DiscrepancyResolved: _resolved,
    FundStatementPublished: _published,
}
"""How each event changes a fund."""
