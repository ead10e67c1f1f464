"""The main job: the Sanwan story, told against a real store.

From the source story (People's Daily Henan channel, 2020-07-01): the Sanwan community's party
branch consulted party members and resident representatives and adopted a four-stage plan for
a young resident, with a veteran party member as his mentor; volunteers helped him make
handicrafts, and 2,590 yuan of them were sold. This script tells it step by step through
:class:`~communitygov.governance.Governance`, so the store it leaves behind holds the whole
story:

* the community and its bodies;
* the 福乐 plan decided by 一征三议两公开 — solicitation, proposal, consultation with an
  amendment, resolution with a quorum, the resolution notice with an objection that is
  dismissed, implementation, the result notice;
* the assistance plan adopted through that matter, its mentor and its four stages;
* the handicraft fund: 2,590 yuan of sales recorded, booked, reconciled and published, and one
  June sale awaiting the bookkeeper;
* a second matter whose resolution draws an objection that is upheld and sent back to
  deliberation;

then the notice board and an integrity check. The beneficiary's name is in the register only:
every notice shows him de-identified (周某). Names of the officers are the story's; the rest of
the roster is made up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from enum import Enum
from typing import TextIO, TypeVar
from zoneinfo import ZoneInfo

import attrs

from communitygov.assistance.plan import AssistancePlan
from communitygov.assistance.records import (
    Activity,
    Consent,
    PlanNoticeKind,
    SensitiveDetail,
    SensitiveKind,
    StagePlan,
    TeamMember,
    TeamRole,
)
from communitygov.assistance.template import FOUR_STAGES
from communitygov.board import notice_board
from communitygov.errors import CommunityGovError
from communitygov.funds.fund import Fund
from communitygov.funds.records import BuyerType
from communitygov.governance import Governance
from communitygov.kernel.aggregate import Aggregate, Decision
from communitygov.kernel.events import Event
from communitygov.kernel.money import Money
from communitygov.matters.matter import Matter
from communitygov.matters.presets import ONE_SOLICITATION_THREE_DELIBERATIONS
from communitygov.matters.records import (
    Channel,
    Choice,
    Meeting,
    MotionSource,
    Opinion,
    Outcome,
    Stance,
    Vote,
)
from communitygov.organisation.bodies import BodyKind
from communitygov.organisation.community import Community
from communitygov.publicity.notices import render_text
from communitygov.storage.memory import MemoryStore
from communitygov.storage.protocol import EventStore

__all__ = [
    "COMMUNITY_ID",
    "StoryAlreadyTold",
    "build_community",
    "decide_plan",
    "describe",
    "register_community",
    "run",
]

COMMUNITY_ID = "sanwan"
"""The id of the demo's community."""
SHANGHAI = ZoneInfo("Asia/Shanghai")
SEATED_SINCE = date(2018, 1, 1)
BENEFICIARY = "周盛"
BOARD = "三湾街社区公示栏"
MATTER_ID = "fule-plan"
PLAN_ID = "fule-1"
FUND_ID = "fule-crafts"
SECOND_MATTER_ID = "charging-pile"

A = TypeVar("A", bound=Aggregate)


class StoryAlreadyTold(CommunityGovError):
    """The store already holds the demo's community."""

    def __init__(self, community_id: str) -> None:
        self.community_id = community_id
        super().__init__(
            f"the store already holds community {community_id!r}; "
            "use another --store (or --community) to tell the story again"
        )


def _at(month: int, day: int, hour: int = 9, year: int = 2019) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def describe(event: Event, redact: Callable[[str], str] = str) -> str:
    """One line naming an event and its main facts, for a printed history.

    Args:
        redact: applied to each fact before a long one is cut short (a secret cut in two
            would no longer be found in the line).
    """
    facts = []
    for field in attrs.fields(type(event)):
        if field.name == "at":
            continue
        value = getattr(event, field.name)
        if isinstance(value, frozenset):
            text = f"{len(value)} people"
        elif isinstance(value, tuple):
            text = f"{len(value)} items"
        elif isinstance(value, datetime):
            text = value.strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, Enum):
            text = str(value.value)
        else:
            text = str(value)
        if text and text != "None":
            facts.append(f"{field.name}={_clip(redact(text))}")
    return f"{event.type_name}  " + ", ".join(facts)


def _clip(text: str, width: int = 28) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def build_community(community_id: str = COMMUNITY_ID) -> Community:
    """The Sanwan community with its officers, the beneficiary and a made-up roster of 30
    representatives."""
    return register_community(community_id)[0]


def register_community(community_id: str = COMMUNITY_ID) -> Decision[Community]:
    """:func:`build_community`, with every event that built it."""
    at = _at(1, 2)
    history: list[Event] = []

    def keep(decision: Decision[Community]) -> Community:
        history.extend(decision[1])
        return decision[0]

    community = keep(
        Community.register(community_id, "三湾街社区", district="上街区济源路街道", at=at)
    )
    officers = {
        "wu": "吴勤勤",  # branch secretary
        "luo": "罗宝菊",  # resident representative, later the fund's cash custodian
        "zhang": "张素环",  # director of the supervision committee
        "qiu": "邱芝兰",  # veteran party member, the mentor
        "li": "李志华",  # volunteer
        "zhou": BENEFICIARY,  # never printed: notices show 周某
    }
    people = dict(officers)
    people.update({f"pc{i}": f"党委委员{i}" for i in range(1, 5)})
    people.update({f"rc{i}": f"居委委员{i}" for i in range(1, 5)})
    people.update({f"rep{i:02}": f"居民代表{i:02}" for i in range(1, 30)})
    people.update({f"sv{i}": f"监委委员{i}" for i in range(1, 3)})
    people["resident"] = "居民甲"
    for person_id, name in people.items():
        community = keep(community.register_person(person_id, name, at=at))
    seats: list[tuple[str, BodyKind, str]] = [("wu", BodyKind.PARTY_COMMITTEE, "secretary")]
    seats += [(f"pc{i}", BodyKind.PARTY_COMMITTEE, "") for i in range(1, 5)]
    seats += [(f"rc{i}", BodyKind.RESIDENTS_COMMITTEE, "") for i in range(1, 5)]
    seats += [("luo", BodyKind.REPRESENTATIVES_ASSEMBLY, "")]
    seats += [(f"rep{i:02}", BodyKind.REPRESENTATIVES_ASSEMBLY, "") for i in range(1, 30)]
    seats += [("zhang", BodyKind.SUPERVISION_COMMITTEE, "director")]
    seats += [(f"sv{i}", BodyKind.SUPERVISION_COMMITTEE, "") for i in (1, 2)]
    seats += [(p, BodyKind.PARTY_MEMBERS_ASSEMBLY, "") for p in ("wu", "qiu", "pc1", "pc2")]
    for person_id, body, role in seats:
        community = keep(community.appoint(person_id, body, start=SEATED_SINCE, at=at, role=role))
    return community, tuple(history)


def _meeting(
    body: BodyKind, present: list[str], yes: int, plan: str | None = None, minutes: str = ""
) -> Meeting:
    votes = tuple(Vote(p, Choice.YES if i < yes else Choice.NO) for i, p in enumerate(present))
    return Meeting(
        body=body,
        present=frozenset(present),
        votes=votes,
        outcome=Outcome.ADOPTED,
        plan=plan,
        minutes=minutes,
    )


def _opinion(
    opinion: Opinion, community: Community, at: datetime
) -> Callable[[Matter], Decision[Matter]]:
    return lambda matter: matter.record_opinion(opinion, community=community, at=at)


def _deliberate(
    meeting: Meeting, community: Community, at: datetime
) -> Callable[[Matter], Decision[Matter]]:
    return lambda matter: matter.deliberate(meeting, community=community, at=at)


def _sale(amount: Money, item: str, at: datetime) -> Callable[[Fund], Decision[Fund]]:
    return lambda fund: fund.record_sale(
        amount, item=item, buyer=BuyerType.PARTNER_UNIT, by="luo", at=at
    )


def _book(entry_id: str, community: Community, at: datetime) -> Callable[[Fund], Decision[Fund]]:
    return lambda fund: fund.book(entry_id, by="zhang", community=community, at=at)


class _Story:
    """Runs each step through the facade and prints it as it happens."""

    def __init__(self, gov: Governance, community_id: str, say: Callable[[str], None]) -> None:
        self.gov = gov
        self.community_id = community_id
        self.say = say

    def create(self, decision: Decision[A], step: str) -> A:
        aggregate = self.gov.create(decision)
        self._told(aggregate, step)
        return aggregate

    def do(
        self, cls: type[A], aggregate_id: str, command: Callable[[A], Decision[A]], step: str
    ) -> A:
        aggregate = self.gov.execute(cls, self.community_id, aggregate_id, command)
        self._told(aggregate, step)
        return aggregate

    def _told(self, aggregate: Aggregate, step: str) -> None:
        when = aggregate.last_at
        assert when is not None
        state = aggregate.describe().state
        self.say(f"  {when:%Y-%m-%d %H:%M}  {aggregate.id:<13} [{state:<21}] {step}")


class _Walk(_Story):
    """The same steps without a store: each decision is kept, in order, with its step."""

    def __init__(self, community_id: str) -> None:
        super().__init__(Governance(MemoryStore()), community_id, lambda line: None)
        self.current: dict[str, Aggregate] = {}
        self.steps: list[tuple[str, Decision[Matter]]] = []

    def create(self, decision: Decision[A], step: str) -> A:
        return self._keep(decision, step)

    def do(
        self, cls: type[A], aggregate_id: str, command: Callable[[A], Decision[A]], step: str
    ) -> A:
        current = self.current[aggregate_id]
        assert isinstance(current, cls)
        return self._keep(command(current), step)

    def _keep(self, decision: Decision[A], step: str) -> A:
        aggregate, _ = decision
        self.current[aggregate.id] = aggregate
        if isinstance(aggregate, Matter):
            self.steps.append((step, (aggregate, decision[1])))
        return aggregate


def decide_plan(community: Community) -> Iterator[tuple[str, Decision[Matter]]]:
    """The 福乐 matter's steps, from raising to closure, without a store: each step's
    description with the matter and the events it recorded."""
    walk = _Walk(community.id)
    matter = _decide_plan(walk, community)
    assert matter.resolution is not None
    assert matter.resolution.ends_at is not None
    _implement(walk, community, matter.resolution.ends_at)
    return iter(walk.steps)


def _decide_plan(story: _Story, community: Community) -> Matter:
    """Take the 福乐 plan through the standard procedure up to the dismissed objection."""
    m = MATTER_ID
    story.create(
        Matter.raise_matter(
            m,
            community=community,
            procedure=ONE_SOLICITATION_THREE_DELIBERATIONS,
            title="“福乐”精准帮扶项目",
            description="为辖区困难青年周某量身制定四部曲精准帮扶方案",
            source=MotionSource.CADRES,
            raised_by="wu",
            at=_at(4, 8),
            concerns=PLAN_ID,
        ),
        "raised by the branch secretary, about the plan",
    )
    matter = story.do(
        Matter, m, lambda x: x.open_solicitation(at=_at(4, 8, 10)), "solicitation opened"
    )
    assert matter.solicitation_closes_at is not None
    story.say(f"{'':20}solicitation open until {matter.solicitation_closes_at:%Y-%m-%d %H:%M}")
    opinions = [
        ("op1", "qiu", Channel.HOUSEHOLD_VISIT, Stance.SUPPORT, "先从开口说话做起,我愿意陪伴"),
        ("op2", "luo", Channel.STOOL_TALK, Stance.SUGGEST, "联建单位可以帮着销售手工制品"),
        ("op3", "rep07", Channel.OPINION_FORM, Stance.SUPPORT, "支持,建议每阶段设评估时间"),
    ]
    for day, (opinion_id, author, channel, stance, text) in enumerate(opinions, start=9):
        opinion = Opinion(opinion_id, author, channel, stance, text)
        when = _at(4, day)
        story.do(
            Matter,
            m,
            _opinion(opinion, community, when),
            f"opinion from {community.person(author).name} ({channel.value})",
        )
    matter = story.do(
        Matter, m, lambda x: x.close_solicitation(at=_at(4, 17)), "solicitation closed"
    )
    proposal = _meeting(
        BodyKind.PARTY_COMMITTEE,
        ["wu", "pc1", "pc2", "pc3"],
        yes=4,
        plan="四部曲:开口说话、走出家门、实现第一个心愿、自食其力",
        minutes="支部委员会提议",
    )
    story.do(
        Matter,
        m,
        lambda x: x.deliberate(proposal, community=community, at=_at(4, 18)),
        "proposed by the party organisation committee (plan v1)",
    )
    consultation = _meeting(
        BodyKind.TWO_COMMITTEES,
        ["wu", "pc1", "pc2", "rc1", "rc2", "rc3"],
        yes=6,
        plan="四部曲 + 由老党员担任“临时妈妈”全程陪伴 + 联建单位协助销售手工制品",
        minutes="两委联席会议商议,补充陪伴与销售安排",
    )
    story.do(
        Matter,
        m,
        lambda x: x.deliberate(consultation, community=community, at=_at(4, 19)),
        "consulted and amended by the two committees (plan v2)",
    )
    representatives = ["luo", *(f"rep{i:02}" for i in range(1, 24))]
    resolution = _meeting(BodyKind.REPRESENTATIVES_ASSEMBLY, representatives, yes=22)
    story.do(
        Matter,
        m,
        lambda x: x.deliberate(resolution, community=community, at=_at(4, 22)),
        "resolved by the representatives' assembly: 24 of 30 present (quorum), 22 in favour",
    )
    matter = story.do(
        Matter,
        m,
        lambda x: x.publicise_resolution(
            "经居民代表会议表决通过“福乐”精准帮扶项目四部曲方案。公示期内如有异议,"
            "请向居务监督委员会反映。",
            place=BOARD,
            at=_at(4, 23),
        ),
        "resolution notice posted",
    )
    story.do(
        Matter,
        m,
        lambda x: x.raise_objection(
            "obj1", by="resident", text="帮扶资金从哪里来?", community=community, at=_at(4, 25)
        ),
        "objection raised by a resident",
    )
    return story.do(
        Matter,
        m,
        lambda x: x.rule_on_objection(
            "obj1",
            upheld=False,
            ruling="项目不动用社区资金;手工制品销售收入全部归本人,账目由居务监督委员会管理并公开。",
            ruled_by=["zhang", "sv1"],
            place=BOARD,
            community=community,
            at=_at(4, 26),
        ),
        "objection dismissed by the supervision committee; the ruling is posted",
    )


def _implement(story: _Story, community: Community, effective: datetime) -> None:
    m = MATTER_ID
    story.do(
        Matter,
        m,
        lambda x: x.start_implementation(by="wu", community=community, at=effective),
        "implementation started after the notice period, no objection upheld",
    )
    story.do(
        Matter,
        m,
        lambda x: x.record_progress(
            "邱芝兰担任“临时妈妈”,第一阶段开口说话启动",
            by="wu",
            community=community,
            at=_at(5, 6),
        ),
        "progress recorded",
    )
    story.do(
        Matter,
        m,
        lambda x: x.complete(
            "四部曲帮扶方案已落实,志愿者协助制作手工制品", cost_fen=0, at=_at(12, 20)
        ),
        "completed",
    )
    matter = story.do(
        Matter,
        m,
        lambda x: x.publicise_result(
            "“福乐”项目已按决议实施:陪伴到位,手工制品由支部与联建单位协助销售。",
            place=BOARD,
            at=_at(12, 23),
        ),
        "result notice posted",
    )
    assert matter.result is not None
    assert matter.result.ends_at is not None
    ends = matter.result.ends_at
    story.do(Matter, m, lambda x: x.close(at=ends + timedelta(hours=9)), "closed")


REVIEWS = {
    "speak_up": (date(2019, 6, 28), "conversations", 4, ["临时妈妈每周上门陪伴聊天"]),
    "go_out": (date(2019, 9, 27), "outings", 3, ["陪同到社区活动中心", "参加志愿者手工小组"]),
    "first_wish": (date(2019, 12, 27), "wish", 1, ["帮助他实现自己选定的心愿"]),
    "stand_up": (
        date(2020, 6, 26),
        "income",
        3,
        ["学做海绵笔筒和生肖钥匙链", "支部与联建单位帮助销售"],
    ),
}


def _take_in_plan(story: _Story, community: Community) -> None:
    p = PLAN_ID
    story.create(
        AssistancePlan.intake(
            p,
            community=community,
            template=FOUR_STAGES,
            beneficiary="zhou",
            referred_by="支部书记入户走访",
            team=[
                TeamMember("wu", TeamRole.BRANCH_SECRETARY),
                TeamMember("luo", TeamRole.RESIDENT_REPRESENTATIVE),
                TeamMember("li", TeamRole.VOLUNTEER),
            ],
            consent=Consent(given_by="zhou", on=date(2019, 4, 3), how="签字同意书"),
            sensitive=[
                SensitiveDetail(SensitiveKind.DISABILITY, "盆骨及右腿受伤,终生残疾"),
                SensitiveDetail(SensitiveKind.HEALTH, "社交恐惧症"),
            ],
            at=_at(4, 3),
        ),
        "plan taken in: consent recorded, health details held as sensitive",
    )
    design = [
        StagePlan(
            stage=stage.key,
            goals=stage.goals,
            review_on=REVIEWS[stage.key][0],
            activities=REVIEWS[stage.key][3],
        )
        for stage in FOUR_STAGES.stages
    ]
    needs = ["恢复语言沟通能力", "走出家门、回归社会", "获得收入、自食其力"]
    story.do(
        AssistancePlan,
        p,
        lambda x: x.assess(needs, design, at=_at(4, 5, 10)),
        "assessed; four stages designed: 开口说话 → 走出家门 → 实现第一个心愿 → 自食其力",
    )


def _adopt_plan(story: _Story, community: Community, effective: datetime) -> None:
    matter = story.gov.matter(story.community_id, MATTER_ID)
    story.do(
        AssistancePlan,
        PLAN_ID,
        lambda x: x.adopt(matter, at=effective),
        f"adopted through {MATTER_ID}: its notice ran with no objection upheld",
    )
    mentor_from = effective + timedelta(days=1)
    story.do(
        AssistancePlan,
        PLAN_ID,
        lambda x: x.assign_mentor(
            "qiu", start=mentor_from.date(), community=community, at=mentor_from
        ),
        "邱芝兰 assigned as mentor (临时妈妈)",
    )
    story.do(
        AssistancePlan,
        PLAN_ID,
        lambda x: x.log_activity(
            Activity(on=date(2019, 5, 6), by="qiu", what="上门陪伴聊天", minutes=120),
            at=_at(5, 7),
        ),
        "activity logged by the mentor",
    )


def _stage(story: _Story, key: str) -> None:
    review_on, goal, value, _ = REVIEWS[key]
    observed = datetime(review_on.year, review_on.month, review_on.day, 8, tzinfo=SHANGHAI)
    story.do(
        AssistancePlan,
        PLAN_ID,
        lambda x: x.record_observation(goal, value, by="qiu", at=observed - timedelta(days=3)),
        f"observed {goal} = {value}",
    )
    story.do(
        AssistancePlan,
        PLAN_ID,
        lambda x: x.pass_stage(key, reviewers=["wu", "luo"], at=observed + timedelta(hours=2)),
        f"stage {key} passed on review by two of the case team",
    )


def _fund(story: _Story, community: Community) -> None:
    f = FUND_ID
    plan = story.gov.load(AssistancePlan, story.community_id, PLAN_ID)
    story.create(
        Fund.open(
            f,
            plan=plan,
            community=community,
            purpose="手工艺品义卖",
            custodian="luo",
            bookkeeper="zhang",
            at=_at(5, 1, year=2020),
        ),
        "handicraft fund opened: 罗宝菊 holds the cash, 张素环 keeps the books",
    )
    sales = [("海绵笔筒", "1,200"), ("生肖钥匙扣", "890"), ("海绵笔筒", "500")]
    for day, (item, amount) in enumerate(sales, start=5):
        money = Money.parse(amount)
        when = _at(5, day, year=2020)
        story.do(
            Fund,
            f,
            _sale(money, item, when),
            f"sale recorded by the custodian: {item} {money}",
        )
    fund = story.gov.load(Fund, story.community_id, f)
    for entry in fund.pending():
        story.do(
            Fund,
            f,
            _book(entry.id, community, _at(5, 8, year=2020)),
            f"entry {entry.id} booked by the bookkeeper",
        )
    fund = story.do(
        Fund,
        f,
        lambda x: x.reconcile(
            date(2020, 5, 31),
            counted=Money.yuan(2590),
            by="luo",
            witness="zhang",
            community=community,
            at=_at(6, 1, year=2020),
        ),
        "May reconciled: cash counted 2,590.00 元, witnessed by the bookkeeper",
    )
    story.say(f"{'':20}raised so far: {fund.books.raised}")
    story.do(
        Fund,
        f,
        lambda x: x.publish_statement(date(2020, 5, 1), place=BOARD, at=_at(6, 1, 10, year=2020)),
        "May statement published",
    )
    story.do(
        Fund,
        f,
        lambda x: x.record_sale(
            Money.yuan(60),
            item="生肖钥匙扣",
            buyer=BuyerType.RESIDENT,
            by="luo",
            at=_at(6, 10, year=2020),
        ),
        "a June sale recorded, awaiting the bookkeeper",
    )


def _finish_plan(story: _Story) -> None:
    story.do(
        AssistancePlan,
        PLAN_ID,
        lambda x: x.graduate(
            "四个阶段全部完成,已能靠手工制品获得收入",
            reviewers=["wu", "luo", "li"],
            at=_at(6, 30, year=2020),
        ),
        "graduated on the final review",
    )
    story.do(
        AssistancePlan,
        PLAN_ID,
        lambda x: x.post_notice(
            PlanNoticeKind.INCOME,
            f"{BENEFICIARY}制作的手工制品由支部与联建单位协助销售,收入全部归本人。",
            place=BOARD,
            at=_at(7, 1, year=2020),
            amount_fen=259_000,
        ),
        "income notice posted (the name is de-identified on the board)",
    )


def _second_matter(story: _Story, community: Community) -> Matter:
    m = SECOND_MATTER_ID
    start = _at(6, 3)
    story.create(
        Matter.raise_matter(
            m,
            community=community,
            procedure=ONE_SOLICITATION_THREE_DELIBERATIONS,
            title="电动车充电桩选址",
            description="在3号楼北侧空地建设电动车集中充电桩",
            source=MotionSource.RESIDENTS,
            raised_by="rep03",
            at=start,
        ),
        "raised by a resident representative",
    )
    matter = story.do(Matter, m, lambda x: x.open_solicitation(at=start), "solicitation opened")
    closes = matter.solicitation_closes_at
    assert closes is not None
    matter = story.do(Matter, m, lambda x: x.close_solicitation(at=closes), "solicitation closed")
    when = closes
    for number, step in enumerate(matter.procedure.steps):
        when = closes + timedelta(days=number, hours=9)
        present = sorted(community.members_of(step.body, community.local_date(when)))
        meeting = _meeting(
            step.body,
            present,
            yes=len(present),
            plan="3号楼北侧建设充电桩" if number == 0 else None,
        )
        story.do(
            Matter,
            m,
            _deliberate(meeting, community, when),
            f"{step.body.en}: {len(present)} present, all in favour",
        )
    posted = when + timedelta(days=1)
    story.do(
        Matter,
        m,
        lambda x: x.publicise_resolution(
            "经居民代表会议表决,在3号楼北侧空地建设电动车充电桩。", place=BOARD, at=posted
        ),
        "resolution notice posted",
    )
    story.do(
        Matter,
        m,
        lambda x: x.raise_objection(
            "obj1",
            by="resident",
            text="选址紧邻消防通道,存在安全隐患",
            community=community,
            at=posted + timedelta(days=1),
        ),
        "objection raised by a resident: the site blocks the fire lane",
    )
    return story.do(
        Matter,
        m,
        lambda x: x.rule_on_objection(
            "obj1",
            upheld=True,
            ruling="异议成立:选址占用消防通道,退回重新商议。",
            ruled_by=["zhang", "sv2"],
            place=BOARD,
            community=community,
            at=posted + timedelta(days=2),
        ),
        "objection upheld by the supervision committee: sent back to deliberation",
    )


def run(
    out: TextIO,
    echo: Callable[[str], None] | None = None,
    *,
    store: EventStore | None = None,
    community_id: str = COMMUNITY_ID,
) -> Decision[Matter]:
    """Tell the story to ``out``, storing every step in ``store`` (a new in-memory store by
    default); return the 福乐 matter and its stored history.

    Raises:
        StoryAlreadyTold: the store already holds ``community_id``.
    """
    say = echo or (lambda line: print(line, file=out))
    gov = Governance(store if store is not None else MemoryStore())
    if community_id in gov.communities():
        raise StoryAlreadyTold(community_id)
    story = _Story(gov, community_id, say)

    community = gov.create(register_community(community_id))
    say(f"Community {community.name} ({community.district}): {len(community.people)} people")
    for body in (
        BodyKind.PARTY_COMMITTEE,
        BodyKind.RESIDENTS_COMMITTEE,
        BodyKind.REPRESENTATIVES_ASSEMBLY,
        BodyKind.SUPERVISION_COMMITTEE,
        BodyKind.PARTY_MEMBERS_ASSEMBLY,
    ):
        members = community.members_of(body, SEATED_SINCE)
        say(f"  {body.en}: {len(members)} seats")

    say("")
    say("1. The 福乐 plan: taken in and designed, then decided by 一征三议两公开")
    _take_in_plan(story, community)
    matter = _decide_plan(story, community)
    assert matter.resolution is not None
    assert matter.resolution.ends_at is not None
    effective = matter.resolution.ends_at
    _implement(story, community, effective)
    say("")
    say("2. The assistance plan, adopted through that matter: its mentor and the four stages")
    _adopt_plan(story, community, effective)
    for key in ("speak_up", "go_out", "first_wish"):
        _stage(story, key)
    say("")
    say("3. The handicraft fund: 管钱 and 管账 kept apart")
    _fund(story, community)
    _stage(story, "stand_up")
    _finish_plan(story)
    say("")
    say("4. A second matter: an objection upheld")
    second = _second_matter(story, community)
    say(f"{'':20}{second.id} is back in deliberation: state {second.state}")

    say("")
    say("Notice board 公示栏:")
    for notice in notice_board(gov, community_id):
        say("")
        say(render_text(notice))
    say("")
    problems = gov.verify(community_id)
    count = len(problems)
    say(f"Integrity check: {f'{count} problem' + 's' * (count != 1) if problems else 'intact'}")
    for problem in problems:
        say(f"  {problem.stream_id} v{problem.version}: {problem.detail}")
    final = gov.matter(community_id, MATTER_ID)
    return final, tuple(gov.history(community_id, MATTER_ID))
