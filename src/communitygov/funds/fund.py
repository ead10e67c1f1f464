"""The Fund aggregate: the money raised for a beneficiary, held by one person and kept in the
books by another (管钱 / 管账).

The rules it keeps (DOMAIN §5; 村民委员会组织法 Art. 30, 32):

- a fund opens only for an assistance plan in effect: adopted through its matter (DOMAIN §4),
  not yet graduated or closed, and with the beneficiary's consent standing;
- the cash custodian, the bookkeeper and the beneficiary are three different people, and none is
  a declared near relative of another, at opening and at every change of role holder;
- maker–checker: the custodian records every cash movement, the bookkeeper books or rejects it;
  only booked entries count, and nobody checks an entry they recorded;
- cash on hand and the bank never go below zero, counting outflows that await booking;
- a period (a calendar month in the community's timezone) is reconciled by a cash count
  witnessed by the bookkeeper; a difference is kept as a discrepancy until it is explained, by
  the bookkeeper and never by whoever counted that cash; a reconciled period is closed, and
  corrections go into the open period as reversing entries;
- each reconciled period's statement is published, rendered through the beneficiary's plan's
  :class:`~communitygov.publicity.privacy.Disclosure`, so the beneficiary is de-identified unless
  separate consent to publish is on record.

Every command returns the new fund and the events that record the change; the fund it is called
on never changes. How each event changes a fund is in :mod:`communitygov.funds.fold`, and the
text of a published statement in :mod:`communitygov.funds.statement`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

import attrs

from communitygov.assistance.plan import AssistancePlan
from communitygov.errors import (
    ConsentAlreadyWithdrawn,
    DuplicateId,
    EntriesPending,
    EntryAlreadyChecked,
    EntryByRelative,
    FuturePeriod,
    InsufficientFunds,
    InvalidAmount,
    NearRelativeInRole,
    NotReversible,
    NotRoleHolder,
    OwnCount,
    OwnEntry,
    PeriodBeforeOpening,
    PeriodClosed,
    PlanNotInEffect,
    SamePerson,
    TimeWentBackwards,
    UnknownReference,
    WrongCommunity,
    WrongType,
)
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
from communitygov.funds.fold import changes, started
from communitygov.funds.records import (
    Balances,
    BuyerType,
    Entry,
    EntryKind,
    EntryStatus,
    FundRole,
    Reconciliation,
    keepable_month,
    month_after,
    month_of,
)
from communitygov.funds.statement import statement
from communitygov.kernel.aggregate import Aggregate, Decision, Description, require_id
from communitygov.kernel.checks import require_instance, require_text
from communitygov.kernel.events import Event
from communitygov.kernel.money import CNY, Money, require_currency_code
from communitygov.kernel.timekeeping import local_date, require_kept, zone
from communitygov.organisation.community import Community
from communitygov.publicity.notices import Notice

__all__ = ["Fund", "check_plan_takes_a_fund"]

_TITLE = "{}的帮扶基金"
"""A fund's title, around the beneficiary's shown name."""
_BENEFICIARY = "beneficiary"


def check_plan_takes_a_fund(plan: AssistancePlan, at: datetime) -> None:
    """Check that a fund may be opened for ``plan`` at ``at``: the beneficiary's consent
    stands, and the plan is in effect (adopted through its matter by ``at``, and neither
    graduated nor closed).

    Raises:
        ConsentAlreadyWithdrawn: the beneficiary has withdrawn consent to the plan.
        PlanNotInEffect: the plan is not in effect at ``at``.
    """
    withdrawal = plan.consent_withdrawal
    if withdrawal is not None:
        raise ConsentAlreadyWithdrawn(plan.id, withdrawal.at, "open a fund")
    adoption = plan.adoption
    if adoption is None or at < adoption.at or plan.is_final:
        adopted_at = None if adoption is None else adoption.at
        raise PlanNotInEffect(plan.id, plan.state, "open a fund", at, adopted_at)


def _check_holder(
    community: Community, role: FundRole, person: str, others: Mapping[str, str], at: datetime
) -> None:
    """Check that ``person`` may hold ``role`` beside ``others`` (by their role's name) from
    ``at``.

    Raises:
        UnknownReference: the person is not in the community's register.
        NotYetRegistered: they were registered after ``at``.
        SamePerson: they hold one of the other parts.
        NearRelativeInRole: they are a declared near relative of someone holding another part.
    """
    community.person(person, by=at)
    for other_role, other in others.items():
        if other == person:
            raise SamePerson(person, other_role, role.en)
    for other_role, other in others.items():
        if community.are_near_relatives(person, other):
            raise NearRelativeInRole(person, role.en, other, other_role)


@attrs.frozen(kw_only=True)
class Fund(Aggregate):
    """A beneficiary's fund: its role holders, its entries, its books and its reconciliations.

    Read :attr:`books`, :attr:`entries`, :meth:`pending`, :attr:`reconciliations` and
    :meth:`statements`. Change it only through its commands; :meth:`replay` folds the events
    they return back into the same fund.

    Every command raises :class:`~communitygov.WrongType` for an argument of another type
    than its annotation's (a text where a :class:`FundRole` or :class:`BuyerType` belongs,
    ``None`` for a text, a datetime for a month), besides the errors each lists.
    """

    created_by = (FundOpened,)
    kind = "fund"
    id_field = "fund_id"

    opened: FundOpened = attrs.field(repr=False)
    """The opening event: what never changes (community, plan, beneficiary, purpose)."""
    custodian: str
    """Who holds the cash (管钱) now."""
    bookkeeper: str
    """Who keeps the books (管账) now."""
    books: Balances
    """What the booked entries add up to."""
    entries: tuple[Entry, ...] = ()
    reconciliations: tuple[Reconciliation, ...] = ()
    published: tuple[FundStatementPublished, ...] = ()

    # --- what the opening recorded ---------------------------------------------------------

    @property
    def community_id(self) -> str:
        """The id of the community the fund belongs to."""
        return self.opened.community_id

    @property
    def plan_id(self) -> str:
        """The assistance plan the fund raises money for."""
        return self.opened.plan_id

    @property
    def beneficiary_id(self) -> str:
        """The plan's beneficiary, to whom payouts go."""
        return self.opened.beneficiary_id

    @property
    def currency(self) -> str:
        """The currency every amount of the fund is in."""
        return self.opened.currency

    @property
    def title(self) -> str:
        """The fund's de-identified title ("周某的帮扶基金"); summaries show it."""
        return _TITLE.format(self.opened.alias)

    # --- queries ---------------------------------------------------------------------------

    @property
    def closed_through(self) -> date | None:
        """The first day of the last closed month, or ``None`` while no period is closed."""
        return self.reconciliations[-1].period if self.reconciliations else None

    def holder(self, role: FundRole) -> str:
        """Who holds ``role`` now.

        Raises:
            WrongType: ``role`` is not a :class:`FundRole` (its value ``"custodian"`` included).
        """
        require_instance(role, FundRole, "role")
        return self.custodian if role is FundRole.CUSTODIAN else self.bookkeeper

    def role_conflict(self, community: Community) -> NearRelativeInRole | None:
        """The conflict between the fund's custodian, bookkeeper and beneficiary that the
        community's declarations show now, if any: a near relative declared after the roles
        were given (村民委员会组织法 Art. 32). While there is one, the checks that rely on the
        two roles being kept apart (:meth:`book`, :meth:`reject`, :meth:`reconcile`,
        :meth:`resolve_discrepancy`) are refused with it; :meth:`change_role` ends it.

        Raises:
            WrongCommunity: ``community`` is not the fund's.
            WrongType: ``community`` is not a :class:`Community`.
        """
        self._require_community(community)
        holders = {_BENEFICIARY: self.beneficiary_id}
        for role in (FundRole.CUSTODIAN, FundRole.BOOKKEEPER):
            person = self.holder(role)
            for other_role, other in holders.items():
                if community.are_near_relatives(person, other):
                    return NearRelativeInRole(person, role.en, other, other_role)
            holders[role.en] = person
        return None

    def entry(self, entry_id: str) -> Entry:
        """The entry with that id.

        Raises:
            WrongType: ``entry_id`` is not a text (an entry's id is, such as ``"e1"``).
            UnknownReference: no such entry.
        """
        if not isinstance(entry_id, str):
            raise WrongType("entry id", entry_id, "a text, such as 'e1'")
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise UnknownReference("fund entry", entry_id)

    def pending(self) -> tuple[Entry, ...]:
        """The entries recorded but neither booked nor rejected, oldest first."""
        return tuple(e for e in self.entries if e.status is EntryStatus.RECORDED)

    def reconciliation(self, period: date) -> Reconciliation:
        """The reconciliation that closed the month of ``period``'s last day.

        Raises:
            UnknownReference: no reconciliation ends with that month.
        """
        month = month_of(period)
        for reconciliation in self.reconciliations:
            if reconciliation.period == month:
                return reconciliation
        raise UnknownReference("reconciled period", f"{month:%Y-%m}")

    def describe(self) -> Description:
        """The fund's summary: ``open`` (or ``discrepancy`` while a count difference is
        unexplained), its de-identified title, and as deadline the end of the earliest month
        whose entries await reconciliation."""
        state = "discrepancy" if any(r.discrepancy_open for r in self.reconciliations) else "open"
        closed = self.closed_through
        unreconciled = [e.period for e in self.entries if closed is None or e.period > closed]
        if not unreconciled:
            return Description(state, self.title)
        due = datetime.combine(month_after(min(unreconciled)), time(), zone(self.opened.timezone))
        return Description(state, self.title, due, "cash reconciliation")

    def statements(self, *, plan: AssistancePlan, community: Community) -> tuple[Notice, ...]:
        """Every published statement, oldest first, rendered through the plan's
        :meth:`~communitygov.AssistancePlan.disclosure` as it stands at the time of the call.

        Args:
            plan: the fund's assistance plan (it knows whether the beneficiary may be named).
            community: the fund's community (it knows the people's names).

        Raises:
            UnknownReference: ``plan`` is not the fund's plan.
            WrongCommunity: ``community`` is not the fund's.
            WrongType: ``plan`` is not an :class:`~communitygov.AssistancePlan` (its id
                included) or ``community`` not a :class:`~communitygov.Community`.
        """
        require_instance(plan, AssistancePlan, "plan")
        if plan.id != self.plan_id:
            raise UnknownReference("assistance plan of this fund", plan.id)
        self._require_community(community)
        disclosure = plan.disclosure(community)
        subject = _TITLE.format(disclosure.shown_name)
        notices = []
        postings: dict[date, int] = {}  # how many of each period's statements came before
        for posted in self.published:
            number = postings.get(posted.period, 0)
            postings[posted.period] = number + 1
            notices.append(disclosure.notice(statement(self, posted, number, subject, community)))
        return tuple(notices)

    # --- commands: opening and roles -------------------------------------------------------

    @classmethod
    def open(
        cls,
        fund_id: str,
        *,
        plan: AssistancePlan,
        community: Community,
        purpose: str,
        custodian: str,
        bookkeeper: str,
        at: datetime,
        currency: str = CNY,
    ) -> Decision[Fund]:
        """Open a fund for a purpose of an assistance plan, with its two role holders.

        Args:
            fund_id: the fund's id (not derived from the beneficiary's name).
            plan: the assistance plan; its beneficiary is the fund's.
            community: the plan's community, whose register and declared relatives are checked.
            purpose: what the fund is for ("手工艺品义卖").
            custodian: who holds the cash (管钱).
            bookkeeper: who keeps the books (管账).
            at: when.
            currency: the currency of every amount; CNY by default.

        Raises:
            EmptyField: the id or purpose is empty.
            InvalidAmount: ``currency`` is not an ISO 4217 code (three capital letters, such
                as ``"CNY"``).
            ConsentAlreadyWithdrawn: the beneficiary has withdrawn consent to the plan, so
                nothing more about them may be recorded.
            PlanNotInEffect: the plan is not in effect at ``at``: not adopted yet (a plan takes
                effect only through a matter: DOMAIN §4), adopted later, or graduated or
                closed.
            WrongCommunity: ``community`` is not the plan's.
            UnknownReference: a role holder is not in the register.
            NotYetRegistered: a role holder was registered after ``at``.
            SamePerson: two of custodian, bookkeeper and beneficiary are one person.
            NearRelativeInRole: two of them are declared near relatives.
            NaiveDatetime: ``at`` has no timezone.
            TimeWentBackwards: ``at`` is before the plan's case was opened.
        """
        require_kept(at)
        require_id(fund_id, "fund id")
        require_text(purpose, "fund purpose")
        require_currency_code(currency)
        require_instance(plan, AssistancePlan, "plan")
        require_instance(community, Community, "community")
        if at < plan.opened.at:
            raise TimeWentBackwards(at, plan.opened.at)
        check_plan_takes_a_fund(plan, at)
        if plan.community_id != community.id:
            raise WrongCommunity(plan.community_id, community.id)
        beneficiary = plan.beneficiary_id
        _check_holder(community, FundRole.CUSTODIAN, custodian, {_BENEFICIARY: beneficiary}, at)
        _check_holder(
            community,
            FundRole.BOOKKEEPER,
            bookkeeper,
            {_BENEFICIARY: beneficiary, FundRole.CUSTODIAN.en: custodian},
            at,
        )
        event = FundOpened(
            at=at,
            fund_id=fund_id,
            community_id=community.id,
            timezone=community.timezone,
            plan_id=plan.id,
            beneficiary_id=beneficiary,
            alias=plan.alias,
            purpose=purpose,
            currency=currency,
            custodian=custodian,
            bookkeeper=bookkeeper,
        )
        return cls._start(event, None), (event,)

    def change_role(
        self,
        role: FundRole,
        person_id: str,
        *,
        community: Community,
        at: datetime,
        reason: str = "",
    ) -> Decision[Fund]:
        """Give ``role`` to ``person_id`` from now on.

        Entries the old holder recorded stay as they are; a new bookkeeper cannot check an
        entry they recorded as custodian.

        Args:
            role: which office changes hands.
            person_id: the new holder.
            community: the fund's community, whose register and declared relatives are checked.
            at: when.
            reason: why (a term ended, a resignation).

        Raises:
            WrongCommunity: ``community`` is not the fund's.
            DuplicateId: they hold ``role`` already.
            UnknownReference: the person is not in the register.
            NotYetRegistered: they were registered after ``at``.
            SamePerson: they hold the other role or are the beneficiary.
            NearRelativeInRole: they are a near relative of the other holder or the beneficiary.
        """
        at = self._checked_time(at)
        require_instance(role, FundRole, "role")
        require_text(reason, "reason", blank=True)
        self._require_community(community)
        if person_id == self.holder(role):
            raise DuplicateId(role.en, person_id)
        other = role.other
        _check_holder(
            community,
            role,
            person_id,
            {_BENEFICIARY: self.beneficiary_id, other.en: self.holder(other)},
            at,
        )
        return self._record(FundRoleChanged(at=at, role=role, person_id=person_id, reason=reason))

    # --- commands: the custodian's entries --------------------------------------------------

    def record_sale(
        self,
        amount: Money,
        *,
        item: str,
        buyer: BuyerType,
        by: str,
        at: datetime,
        note: str = "",
    ) -> Decision[Fund]:
        """Record cash received for an item sold.

        Args:
            amount: how much; more than zero, in the fund's currency.
            item: what was sold ("海绵笔筒").
            buyer: who bought it.
            by: the custodian.
            at: when; its month is the entry's period.
            note: anything else.

        Raises:
            NotRoleHolder: ``by`` is not the custodian.
            InvalidAmount: ``amount`` is not a :class:`Money` above zero.
            CurrencyMismatch: it is in another currency.
            EmptyField: ``item`` is empty.
            PeriodClosed: the month of ``at`` is reconciled.
            PeriodTooLate: the month of ``at`` is after November 9999, the last a fund keeps.
        """
        require_text(item, "item sold")
        require_instance(buyer, BuyerType, "buyer")
        return self._entry(EntryKind.SALE, amount, by, at, item=item, buyer=buyer, note=note)

    def record_deposit(
        self, amount: Money, *, by: str, at: datetime, note: str = ""
    ) -> Decision[Fund]:
        """Record cash paid into the bank.

        Raises:
            NotRoleHolder: ``by`` is not the custodian.
            InvalidAmount: ``amount`` is not a :class:`Money` above zero.
            CurrencyMismatch: it is in another currency.
            PeriodClosed: the month of ``at`` is reconciled.
            PeriodTooLate: the month of ``at`` is after November 9999, the last a fund keeps.
            InsufficientFunds: the cash on hand, less outflows awaiting booking, is less.
        """
        return self._entry(EntryKind.DEPOSIT, amount, by, at, note=note)

    def record_withdrawal(
        self, amount: Money, *, by: str, at: datetime, note: str = ""
    ) -> Decision[Fund]:
        """Record cash drawn from the bank.

        Raises:
            NotRoleHolder: ``by`` is not the custodian.
            InvalidAmount: ``amount`` is not a :class:`Money` above zero.
            CurrencyMismatch: it is in another currency.
            PeriodClosed: the month of ``at`` is reconciled.
            PeriodTooLate: the month of ``at`` is after November 9999, the last a fund keeps.
            InsufficientFunds: the bank, less withdrawals awaiting booking, holds less.
        """
        return self._entry(EntryKind.WITHDRAWAL, amount, by, at, note=note)

    def record_payout(
        self, amount: Money, *, by: str, at: datetime, note: str = ""
    ) -> Decision[Fund]:
        """Record cash paid to the beneficiary.

        Raises:
            NotRoleHolder: ``by`` is not the custodian.
            InvalidAmount: ``amount`` is not a :class:`Money` above zero.
            CurrencyMismatch: it is in another currency.
            PeriodClosed: the month of ``at`` is reconciled.
            PeriodTooLate: the month of ``at`` is after November 9999, the last a fund keeps.
            InsufficientFunds: the cash on hand, less outflows awaiting booking, is less.
        """
        return self._entry(EntryKind.PAYOUT, amount, by, at, note=note)

    def record_expense(
        self, amount: Money, *, receipt: str, by: str, at: datetime, note: str = ""
    ) -> Decision[Fund]:
        """Record cash spent against a receipt.

        Args:
            amount: how much.
            receipt: the receipt's reference.
            by: the custodian.
            at: when.
            note: what it was for.

        Raises:
            NotRoleHolder: ``by`` is not the custodian.
            InvalidAmount: ``amount`` is not a :class:`Money` above zero.
            CurrencyMismatch: it is in another currency.
            EmptyField: ``receipt`` is empty.
            PeriodClosed: the month of ``at`` is reconciled.
            PeriodTooLate: the month of ``at`` is after November 9999, the last a fund keeps.
            InsufficientFunds: the cash on hand, less outflows awaiting booking, is less.
        """
        require_text(receipt, "receipt reference")
        return self._entry(EntryKind.EXPENSE, amount, by, at, receipt=receipt, note=note)

    def reverse(self, entry_id: str, *, reason: str, by: str, at: datetime) -> Decision[Fund]:
        """Record an entry that undoes a booked one, in the open period; it too awaits booking.

        This is how a mistake in a closed period is corrected: the original stays as it was.

        Args:
            entry_id: the booked entry to undo.
            reason: why.
            by: the custodian.
            at: when.

        Raises:
            NotRoleHolder: ``by`` is not the custodian.
            UnknownReference: no such entry.
            NotReversible: it is not booked, is itself a reversal, or is already reversed.
            EmptyField: ``reason`` is empty.
            PeriodClosed: the month of ``at`` is reconciled.
            PeriodTooLate: the month of ``at`` is after November 9999, the last a fund keeps.
            InsufficientFunds: undoing it would take more than an account holds.
        """
        original = self.entry(entry_id)
        if original.status is not EntryStatus.BOOKED:
            raise NotReversible(entry_id, f"it is {original.status.value}, not booked")
        if original.reverses is not None:
            raise NotReversible(entry_id, "it is a reversal; record the movement again instead")
        reversal = next(
            (
                e
                for e in self.entries
                if e.reverses == entry_id and e.status is not EntryStatus.REJECTED
            ),
            None,
        )
        if reversal is not None:
            raise NotReversible(entry_id, f"entry {reversal.id!r} reverses it already")
        require_text(reason, "reason for the reversal")
        return self._entry(
            original.kind,
            original.amount,
            by,
            at,
            item=original.item,
            buyer=original.buyer,
            receipt=original.receipt,
            note=reason,
            reverses=entry_id,
        )

    # --- commands: the bookkeeper's checks --------------------------------------------------

    def book(self, entry_id: str, *, by: str, community: Community, at: datetime) -> Decision[Fund]:
        """Book an entry: from now on it counts in the books.

        Args:
            community: the fund's community, whose declared relatives are checked (see
                :meth:`role_conflict`).

        Raises:
            NotRoleHolder: ``by`` is not the bookkeeper.
            WrongCommunity: ``community`` is not the fund's.
            NearRelativeInRole: the role holders and the beneficiary are no longer kept
                apart: change a role first.
            EntryByRelative: (a ``NearRelativeInRole``) the entry was recorded by a declared
                near relative of the beneficiary or of the bookkeeper (a custodian since
                replaced, say): it is never booked, only rejected.
            UnknownReference: no such entry.
            OwnEntry: ``by`` recorded it.
            EntryAlreadyChecked: it is already booked or rejected.
        """
        at = self._check(entry_id, by, community, at, "book an entry")
        recorder = self.entry(entry_id).recorded_by
        for other, other_role in (
            (self.beneficiary_id, _BENEFICIARY),
            (by, FundRole.BOOKKEEPER.en),
        ):
            if community.are_near_relatives(recorder, other):
                raise EntryByRelative(entry_id, recorder, other, other_role)
        return self._record(EntryBooked(at=at, entry_id=entry_id, by=by))

    def reject(
        self, entry_id: str, *, reason: str, by: str, community: Community, at: datetime
    ) -> Decision[Fund]:
        """Reject an entry: it never counts.

        Args:
            community: the fund's community, whose declared relatives are checked (see
                :meth:`role_conflict`).

        Raises:
            NotRoleHolder: ``by`` is not the bookkeeper.
            WrongCommunity: ``community`` is not the fund's.
            NearRelativeInRole: the role holders and the beneficiary are no longer kept
                apart: change a role first.
            UnknownReference: no such entry.
            OwnEntry: ``by`` recorded it.
            EntryAlreadyChecked: it is already booked or rejected.
            EmptyField: ``reason`` is empty.
        """
        at = self._check(entry_id, by, community, at, "reject an entry")
        require_text(reason, "reason for the rejection")
        return self._record(EntryRejected(at=at, entry_id=entry_id, by=by, reason=reason))

    # --- commands: reconciliation and statements -------------------------------------------

    def reconcile(
        self,
        period: date,
        *,
        counted: Money,
        by: str,
        witness: str,
        community: Community,
        at: datetime,
    ) -> Decision[Fund]:
        """Count the cash for ``period``'s month and close it (and every earlier month), once
        the month is over. The cash counted is compared with the cash the books hold at the
        count: the month's closing cash, moved on by what a later month has booked before the
        count (every entry recorded by then must be booked or rejected first). A difference is
        kept as an open discrepancy.

        Args:
            period: any day of the month to close.
            counted: the cash the custodian counted; zero or more.
            by: the custodian.
            witness: the bookkeeper.
            community: the fund's community, whose declared relatives are checked (see
                :meth:`role_conflict`).
            at: when.

        Raises:
            NotRoleHolder: ``by`` is not the custodian or ``witness`` not the bookkeeper.
            WrongCommunity: ``community`` is not the fund's.
            NearRelativeInRole: the role holders and the beneficiary are no longer kept
                apart: change a role first.
            InvalidAmount: ``counted`` is not a :class:`Money` of zero or more.
            CurrencyMismatch: it is in another currency.
            PeriodClosed: the month is already closed.
            FuturePeriod: the month has not ended (in the fund's time zone): a month closed
                while it runs would refuse the rest of its cash movements.
            PeriodBeforeOpening: the month ended before the fund opened.
            PeriodTooLate: the month is after November 9999, the last a fund keeps.
            EntriesPending: entries recorded before the count await booking (of any month:
                the count is compared with every movement of cash recorded by then).
        """
        at = self._checked_time(at)
        self._require(FundRole.CUSTODIAN, by, "count the cash")
        self._require(FundRole.BOOKKEEPER, witness, "witness the count")
        self._require_kept_apart(community)
        if not isinstance(counted, Money):
            raise InvalidAmount("cash counted", counted, "give a Money, such as Money.yuan(10)")
        counted.require_currency(self.currency)
        if counted.fen < 0:
            raise InvalidAmount("cash counted", str(counted), "a count is zero or more")
        month = keepable_month(period)
        opened = month_of(local_date(self.opened.at, self.opened.timezone))
        if month < opened:
            raise PeriodBeforeOpening(month, opened)
        self._require_open(month)
        today = local_date(at, self.opened.timezone)
        if month >= month_of(today):  # counted once the month is over, never while it runs
            raise FuturePeriod(month, today)
        waiting = [e.id for e in self.pending()]
        if waiting:
            raise EntriesPending(waiting)
        return self._record(
            CashReconciled(
                at=at,
                period=month,
                counted=counted,
                by=by,
                witness=witness,
                books_cash=self.books.cash,
            )
        )

    def resolve_discrepancy(
        self, period: date, *, explanation: str, by: str, community: Community, at: datetime
    ) -> Decision[Fund]:
        """Record how the difference found when ``period`` was reconciled is explained.

        The explanation does not change the books: a correction is a reversing or new entry.

        Args:
            community: the fund's community, whose declared relatives are checked (see
                :meth:`role_conflict`).

        Raises:
            NotRoleHolder: ``by`` is not the bookkeeper.
            WrongCommunity: ``community`` is not the fund's.
            NearRelativeInRole: the role holders and the beneficiary are no longer kept
                apart: change a role first.
            UnknownReference: no reconciliation ended with that month, or it has no open
                discrepancy.
            OwnCount: ``by`` counted that cash, as the custodian then.
            EmptyField: ``explanation`` is empty.
        """
        at = self._checked_time(at)
        self._require(FundRole.BOOKKEEPER, by, "resolve a discrepancy")
        self._require_kept_apart(community)
        reconciliation = self.reconciliation(period)
        if not reconciliation.discrepancy_open:
            raise UnknownReference("open discrepancy in period", f"{reconciliation.period:%Y-%m}")
        if reconciliation.counted_by == by:
            raise OwnCount(by, reconciliation.period)
        require_text(explanation, "explanation")
        return self._record(
            DiscrepancyResolved(at=at, period=reconciliation.period, by=by, explanation=explanation)
        )

    def publish_statement(self, period: date, *, place: str, at: datetime) -> Decision[Fund]:
        """Post the statement of the reconciled period that ends with ``period``'s month.

        A statement, once posted, stays as it was; a difference explained after it is
        published by posting the period's statement again.

        Raises:
            UnknownReference: no reconciliation ended with that month.
            DuplicateId: its statement is already published, and no difference has been
                explained since.
            EmptyField: ``place`` is empty.
        """
        at = self._checked_time(at)
        reconciliation = self.reconciliation(period)
        month = reconciliation.period
        postings = sum(1 for p in self.published if p.period == month)
        explained_since = (
            bool(reconciliation.resolved_by) and reconciliation.explained_after == postings
        )
        if postings and not explained_since:
            raise DuplicateId("statement of period", f"{month:%Y-%m}")
        require_text(place, "notice place")
        return self._record(FundStatementPublished(at=at, period=month, place=place))

    # --- helpers ---------------------------------------------------------------------------

    def _entry(
        self, kind: EntryKind, amount: Money, by: str, at: datetime, **details: Any
    ) -> Decision[Fund]:
        """Check and record one of the custodian's entries."""
        at = self._checked_time(at)
        require_text(details.get("note", ""), "note", blank=True)
        self._require(FundRole.CUSTODIAN, by, "record an entry")
        if not isinstance(amount, Money):
            raise InvalidAmount("amount", amount, "give a Money, such as Money.parse('25 元')")
        amount.require_currency(self.currency).require_positive()
        self._require_open(keepable_month(local_date(at, self.opened.timezone)))
        event = EntryRecorded(
            at=at, entry_id=f"e{len(self.entries) + 1}", kind=kind, amount=amount, by=by, **details
        )
        signed = -amount if event.reverses is not None else amount
        change = Balances.empty(self.currency).moved(kind, signed)
        available = self._available()
        for account, moved, left in (
            ("cash on hand", change.cash, available.cash),
            ("bank", change.bank, available.bank),
        ):
            if (left + moved).fen < 0:
                raise InsufficientFunds(account, str(left), str(-moved))
        return self._record(event)

    def _available(self) -> Balances:
        """The books less every outflow that awaits booking (inflows do not count until
        booked)."""
        zero = Balances.empty(self.currency)
        cash, bank = self.books.cash, self.books.bank
        for entry in self.pending():
            change = entry.effect(zero)
            if change.cash.fen < 0:
                cash += change.cash
            if change.bank.fen < 0:
                bank += change.bank
        return attrs.evolve(self.books, cash=cash, bank=bank)

    def _check(
        self, entry_id: str, by: str, community: Community, at: datetime, action: str
    ) -> datetime:
        """The checks booking and rejecting share; the time."""
        at = self._checked_time(at)
        self._require(FundRole.BOOKKEEPER, by, action)
        self._require_kept_apart(community)
        entry = self.entry(entry_id)
        if entry.recorded_by == by:
            raise OwnEntry(by, entry_id)
        if entry.status is not EntryStatus.RECORDED:
            raise EntryAlreadyChecked(entry_id, entry.status.value)
        return at

    def _require_kept_apart(self, community: Community) -> None:
        """Check that the fund's community is ``community`` and that no role conflict has
        arisen in it since the roles were given (see :meth:`role_conflict`).

        Raises:
            WrongCommunity: it is another community.
            WrongType: ``community`` is not a :class:`Community`.
            NearRelativeInRole: the conflict found.
        """
        conflict = self.role_conflict(community)
        if conflict is not None:
            raise conflict

    def _require(self, role: FundRole, person: str, action: str) -> None:
        holder = self.holder(role)
        if person != holder:
            raise NotRoleHolder(person, action, role.en, holder)

    def _require_open(self, month: date) -> None:
        closed = self.closed_through
        if closed is not None and month <= closed:
            raise PeriodClosed(month, closed)

    def _require_community(self, community: Community) -> None:
        require_instance(community, Community, "community")
        if community.id != self.community_id:
            raise WrongCommunity(self.community_id, community.id)

    # --- the fold (communitygov.funds.fold) ------------------------------------------------

    @classmethod
    def _start(cls, event: Event, context: Any) -> Fund:
        return started(cls, event)

    def _changes(self, event: Event) -> dict[str, Any]:
        return changes(self, event)
