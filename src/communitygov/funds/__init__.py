"""The beneficiary's fund (管钱 / 管账): the Fund aggregate, its records and its events."""

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
