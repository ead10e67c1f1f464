"""The story's fund: 2,590 yuan of handicraft sales recorded by the custodian, booked by the
bookkeeper, reconciled and published; stored and queried through the Governance facade on the
memory and the SQLite store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import communitygov as cg
from communitygov.testing._adoption import adopted, staffed
from support import TZ, Tracked, at

Fund = cg.Fund
CUSTODIAN = "luo"  # 罗宝菊, resident representative: 管钱
BOOKKEEPER = "zhang"  # 张素焕, director of the supervision committee: 管账
BENEFICIARY = "zhou"
SALES = [("海绵笔筒", 1200), ("生肖钥匙扣", 890), ("海绵笔筒", 500)]
STORES: dict[str, Callable[[Path], cg.EventStore]] = {
    "memory": lambda _: cg.MemoryStore(),
    "sqlite": lambda directory: cg.SQLiteStore(directory / "funds.db"),
}


def story_community() -> Tracked[cg.Community]:
    """The story's people, and officers on every body (to adopt the plan)."""
    t = Tracked(*cg.Community.register("sanwan", "三湾街社区", at=at(2019, 1, 2)))
    for person, name in (
        (BENEFICIARY, "周盛"),
        (CUSTODIAN, "罗宝菊"),
        (BOOKKEEPER, "张素焕"),
        ("qiu", "邱芝兰"),
        ("secretary", "刘书记"),
    ):
        t = t.then(t.value.register_person(person, name, at=at(2019, 1, 2)))
    return t.then(staffed(t.value, at(2019, 1, 2)))


def story_plan(community: cg.Community) -> cg.AssistancePlan:
    return story_adoption(community)[1][0]


def story_adoption(
    community: cg.Community,
) -> tuple[cg.Decision[cg.Matter], cg.Decision[cg.AssistancePlan]]:
    """The plan the fund is for, taken in on 1 April 2019 and adopted through its matter,
    and the matter, with their events."""
    taken_in = cg.AssistancePlan.intake(
        "fule",
        community=community,
        template=cg.FOUR_STAGES,
        beneficiary=BENEFICIARY,
        referred_by="入户走访",
        team=[
            cg.TeamMember("secretary", cg.TeamRole.BRANCH_SECRETARY),
            cg.TeamMember("qiu", cg.TeamRole.VOLUNTEER),
        ],
        consent=cg.Consent(BENEFICIARY, date(2019, 4, 1)),
        sensitive=[cg.SensitiveDetail(cg.SensitiveKind.HEALTH, "社交恐惧症")],
        at=at(2019, 4, 1),
    )
    return adopted(taken_in, community, name="周盛", detail="社交恐惧症")


def story_fund(community: cg.Community, plan: cg.AssistancePlan) -> Tracked[cg.Fund]:
    """The fund through June 2020: the sales booked, May reconciled and published."""
    t = Tracked(
        *Fund.open(
            "fule-crafts",
            plan=plan,
            community=community,
            purpose="手工艺品义卖",
            custodian=CUSTODIAN,
            bookkeeper=BOOKKEEPER,
            at=at(2020, 5, 1),
        )
    )
    for day, (item, yuan) in enumerate(SALES, start=5):
        amount = cg.Money.parse(f"{yuan:,}.00 元")
        t = t.then(
            t.value.record_sale(
                amount,
                item=item,
                buyer=cg.BuyerType.PARTNER_UNIT,
                by=CUSTODIAN,
                at=at(2020, 5, day),
            )
        )
        entry = t.value.entries[-1].id
        t = t.then(t.value.book(entry, by=BOOKKEEPER, community=community, at=at(2020, 5, day, 18)))
    t = t.then(t.value.record_deposit(cg.Money.yuan(2000), by=CUSTODIAN, at=at(2020, 5, 20)))
    t = t.then(t.value.book("e4", by=BOOKKEEPER, community=community, at=at(2020, 5, 21)))
    t = t.then(
        t.value.reconcile(
            date(2020, 5, 31),
            counted=cg.Money.parse("¥590"),
            by=CUSTODIAN,
            witness=BOOKKEEPER,
            community=community,
            at=at(2020, 6, 1),
        )
    )
    return t.then(
        t.value.publish_statement(date(2020, 5, 1), place="社区公示栏", at=at(2020, 6, 1, 10))
    )


def test_the_story_s_statement_shows_the_sales_the_roles_and_no_name() -> None:
    community = story_community().value
    plan = story_plan(community)
    fund = story_fund(community, plan).value
    assert fund.books.raised == cg.Money.yuan(2590)
    assert (fund.books.cash, fund.books.bank) == (cg.Money.yuan(590), cg.Money.yuan(2000))
    (notice,) = fund.statements(plan=plan, community=community)
    text = cg.render_text(notice)
    assert "累计筹得 Total raised: 2,590.00 元" in text
    assert "收入 Receipts (sales): 2,590.00 元" in text
    assert "管钱 cash custodian: 罗宝菊" in text
    assert "管账 bookkeeper: 张素焕" in text
    assert "周某的帮扶基金" in text
    assert "周盛" not in text
    assert "社交恐惧症" not in text
    assert "差额 difference 0.00 元" in text
    assert fund.describe() == cg.Description("open", "周某的帮扶基金")


def test_the_name_is_shown_only_with_consent_to_publish() -> None:
    community = story_community().value
    plan = story_plan(community)
    fund = story_fund(community, plan).value
    consenting, _ = plan.give_publish_consent(
        cg.Consent(BENEFICIARY, date(2020, 6, 2)), at=at(2020, 6, 2)
    )
    (notice,) = fund.statements(plan=consenting, community=community)
    assert "周盛的帮扶基金" in cg.render_markdown(notice)


def test_replay_rebuilds_the_story_s_fund() -> None:
    community = story_community().value
    tracked = story_fund(community, story_plan(community))
    assert Fund.replay(tracked.events) == tracked.value


@pytest.fixture
def gov(any_store: cg.EventStore) -> cg.Governance:
    """The facade on each shipped store in turn (memory, SQLite, PostgreSQL)."""
    return cg.Governance(any_store)


def test_the_fund_is_stored_loaded_and_queried(gov: cg.Governance) -> None:
    community_events = story_community()
    community = community_events.value
    gov.create((community, community_events.events))
    matter, plan_decision = story_adoption(community)
    gov.create(matter)  # stored with the plan it adopted
    plan = gov.create(plan_decision)  # stored with the fund opened for it
    tracked = story_fund(community, plan)
    events = tracked.events
    gov.create((Fund.replay(events[:1]), events[:1]))
    for n, event in enumerate(events[1:], start=2):
        stored = gov.execute(Fund, "sanwan", "fule-crafts", lambda f, e=event: (f.apply(e), (e,)))
        assert stored == Fund.replay(events[:n])
    assert gov.load(Fund, "sanwan", "fule-crafts") == tracked.value
    assert gov.history("sanwan", "fule-crafts") == list(events)
    (summary,) = gov.summaries("sanwan", kind="fund")
    assert (summary.state, summary.title) == ("open", "周某的帮扶基金")
    assert "周盛" not in summary.snapshot

    # A June sale awaits reconciliation: the fund is due at the end of June.
    def sell(fund: Fund) -> cg.Decision[Fund]:
        return fund.record_sale(
            cg.Money.yuan(30),
            item="钥匙扣",
            buyer=cg.BuyerType.RESIDENT,
            by=CUSTODIAN,
            at=at(2020, 6, 3),
        )

    gov.execute(Fund, "sanwan", "fule-crafts", sell)
    (due,) = [s for s in gov.due("sanwan", at=at(2020, 6, 28)) if s.kind == "fund"]
    assert (due.stream_id, due.due_what) == ("fule-crafts", "cash reconciliation")
    assert due.due_at == at(2020, 7, 1, 0).replace(tzinfo=TZ)

    # A refused command stores nothing.
    before = gov.history("sanwan", "fule-crafts")
    with pytest.raises(cg.NotRoleHolder):
        gov.execute(
            Fund,
            "sanwan",
            "fule-crafts",
            lambda f: f.book("e5", by=CUSTODIAN, community=community, at=at(2020, 6, 4)),
        )
    assert gov.history("sanwan", "fule-crafts") == before

    # A count that differs from the books is kept as a discrepancy until explained.
    def count(fund: Fund) -> cg.Decision[Fund]:
        fund, booked = fund.book("e5", by=BOOKKEEPER, community=community, at=at(2020, 6, 4))
        fund, counted = fund.reconcile(
            date(2020, 6, 30),
            counted=cg.Money.yuan(610),
            by=CUSTODIAN,
            witness=BOOKKEEPER,
            community=community,
            at=at(2020, 7, 1),
        )
        return fund, (*booked, *counted)

    fund = gov.execute(Fund, "sanwan", "fule-crafts", count)
    assert fund.reconciliation(date(2020, 6, 1)).difference == cg.Money.yuan(-10)
    assert [s.stream_id for s in gov.summaries("sanwan", kind="fund", state="discrepancy")] == [
        "fule-crafts"
    ]
    assert [s for s in gov.due("sanwan", at=at(2020, 7, 5)) if s.kind == "fund"] == []
    assert gov.verify() == []
