"""A fund's published statement (收支公示): the text of the notice for one reconciled period.

The statement gives the period's opening and closing balances, what was raised, paid to the
beneficiary and spent in it, the totals so far, the cash count and any difference, and who
holds the cash and the books. :meth:`~communitygov.Fund.statements` renders it through the
beneficiary's plan's disclosure, which decides how the beneficiary is named.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from communitygov.funds.events import FundStatementPublished
from communitygov.funds.records import Balances, FundRole, month_after, month_of
from communitygov.kernel.timekeeping import in_zone, local_date
from communitygov.organisation.community import Community
from communitygov.publicity.notices import Notice, NoticeKind, NoticeSubject

if TYPE_CHECKING:
    from communitygov.funds.fund import Fund

__all__ = ["statement"]


def statement(
    fund: Fund, posted: FundStatementPublished, number: int, subject: str, community: Community
) -> Notice:
    """The notice of the statement ``posted`` published, the period's ``number``-th (from 0),
    about ``subject`` (the fund's title as the beneficiary may be shown), naming the role
    holders as ``community`` knows them: as it was posted, with a difference explained only
    if it was before that posting."""
    index = fund.reconciliations.index(fund.reconciliation(posted.period))
    closing = fund.reconciliations[index]
    before = fund.reconciliations[index - 1] if index else None
    opening = before.books if before else Balances.empty(fund.currency)
    first = (
        month_after(before.period)
        if before
        else month_of(local_date(fund.opened.at, fund.opened.timezone))
    )
    last = month_after(closing.period)
    books = closing.books
    custodian = community.person(closing.counted_by).name
    bookkeeper = community.person(closing.witnessed_by).name
    lines = [
        f"用途 Purpose: {fund.opened.purpose}",
        f"期间 Period: {first.isoformat()} – {date.fromordinal(last.toordinal() - 1)}",
        f"期初余额 Opening balance: 现金 cash {opening.cash}; 银行 bank {opening.bank}",
        f"收入 Receipts (sales): {books.raised - opening.raised}",
        f"支付受助人 Paid to the beneficiary: {books.paid - opening.paid}",
        f"费用 Expenses: {books.spent - opening.spent}",
        f"期末余额 Closing balance: 现金 cash {books.cash}; 银行 bank {books.bank}",
        f"累计筹得 Total raised: {books.raised}",
        f"累计支付 Total paid to the beneficiary: {books.paid}",
    ]
    if closing.cash_at_count != books.cash:
        lines.append(
            f"盘点时账面现金 Cash on the books at the count "
            f"({in_zone(closing.at, fund.opened.timezone):%Y-%m-%d %H:%M}, "
            f"after later movements): {closing.cash_at_count}"
        )
    lines.append(f"现金盘点 Cash counted: {closing.counted} (差额 difference {closing.difference})")
    if closing.resolved_by and number >= closing.explained_after:
        lines.append(f"差额说明 Difference explained: {closing.resolution}")
    elif closing.difference:
        lines.append("差额待查 The difference is not yet explained")
    lines += [
        f"{FundRole.CUSTODIAN.zh} {FundRole.CUSTODIAN.en}: {custodian}",
        f"{FundRole.BOOKKEEPER.zh} {FundRole.BOOKKEEPER.en}: {bookkeeper}",
    ]
    return Notice(
        kind=NoticeKind.STATEMENT,
        community_id=fund.community_id,
        subject_id=fund.id,
        subject=subject,
        text="\n".join(lines),
        place=posted.place,
        posted_at=in_zone(posted.at, fund.opened.timezone),
        about=NoticeSubject.FUND,
    )
