"""The fund's invariants over random sequences of entries, bookings, rejections, reversals,
role changes and reconciliations by whoever the draw picks (refused commands included)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import communitygov as cg
from communitygov.funds import CashReconciled
from communitygov.testing import strategies as cgst

Fund = cg.Fund


class FundMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fund, events = cgst.open_fund()
        self.events: list[cg.Event] = list(events)
        self.when = self.fund.last_at
        self.closed: dict[str, cg.Entry] = {}
        """Every entry of a closed period, as it was when the period closed."""

    @rule(hours=st.sampled_from([1, 6, 24, 24 * 10]), data=st.data())
    def act(self, hours: int, data: st.DataObject) -> None:
        assert self.when is not None
        self.when += timedelta(hours=hours)
        action = data.draw(cgst.fund_actions(self.when))
        before = self.fund
        try:
            self.fund, events = action(before)
        except cg.CommandRejected:
            assert self.fund is before
            return
        self.events.extend(events)
        if isinstance(events[-1], CashReconciled):
            closed = self.fund.closed_through
            self.closed.update({e.id: e for e in self.fund.entries if e.period <= closed})

    @invariant()
    def balances_are_the_sum_of_booked_entries(self) -> None:
        books = cg.Balances.empty(self.fund.currency)
        for entry in self.fund.entries:
            if entry.status is cg.EntryStatus.BOOKED:
                books = entry.effect(books)
        assert self.fund.books == books
        assert self.fund.books.cash.fen >= 0
        assert self.fund.books.bank.fen >= 0
        assert self.fund.books.raised - self.fund.books.paid - self.fund.books.spent == (
            self.fund.books.held
        )

    @invariant()
    def roles_are_kept_apart(self) -> None:
        community = cgst.fund_community()
        holders = (self.fund.custodian, self.fund.bookkeeper, cgst.FUND_BENEFICIARY)
        assert len(set(holders)) == 3
        for i, first in enumerate(holders):
            for second in holders[i + 1 :]:
                assert not community.are_near_relatives(first, second)
        for entry in self.fund.entries:
            assert entry.checked_by != entry.recorded_by

    @invariant()
    def closed_periods_never_change(self) -> None:
        current = {e.id: e for e in self.fund.entries}
        for entry_id, entry in self.closed.items():
            assert current[entry_id] == entry
        closed = self.fund.closed_through
        assert all(e.period <= closed for e in self.closed.values()) if closed else True

    @invariant()
    def the_custodian_can_always_record_a_sale(self) -> None:
        # No month is closed while it runs, so no cash movement is ever left with nowhere to go.
        assert self.when is not None
        self.fund.record_sale(
            cg.Money(1),
            item="笔筒",
            buyer=cg.BuyerType.RESIDENT,
            by=self.fund.custodian,
            at=self.when + timedelta(minutes=1),
        )

    @invariant()
    def replay_rebuilds_the_fund(self) -> None:
        assert Fund.replay(self.events) == self.fund


FundMachine.TestCase.settings = settings(stateful_step_count=40, deadline=None)
TestFundMachine = FundMachine.TestCase


@settings(deadline=None, max_examples=max(10, settings.default.max_examples // 5))
@given(cgst.funds_with_events(max_steps=25))
def test_generated_funds_round_trip_through_the_memory_and_sqlite_stores(
    generated: cgst.GeneratedFund,
) -> None:
    fund = generated.fund
    for store in (cg.MemoryStore(), cg.SQLiteStore(":memory:")):
        gov = cg.Governance(store)
        *before, _ = generated.records()
        for decision in before:  # the community, the matter, the plan the fund was opened for
            gov.create(decision)
        events = generated.events
        gov.create((Fund.replay(events[:1]), events[:1]))
        if len(events) > 1:
            gov.execute(Fund, fund.community_id, fund.id, lambda f: (fund, generated.events[1:]))
        assert gov.load(Fund, fund.community_id, fund.id) == fund
        assert gov.history(fund.community_id, fund.id) == list(events)
        (summary,) = gov.summaries(fund.community_id, kind="fund")
        assert (summary.title, summary.version) == (fund.title, fund.version)
        assert gov.verify() == []
        store.close()
