"""The main job: the Sanwan community decides the 福乐 assistance plan by 一征三议两公开.

From the source story (People's Daily Henan channel, 2020-07-01): the Sanwan community's party
branch consulted party members and resident representatives and adopted a four-stage plan for
a young resident. This script takes that decision through every step of the standard procedure
— solicitation, proposal, consultation with an amendment, resolution with a quorum, the
resolution notice with an objection that is dismissed, implementation, the result notice — and
prints each step, the matter's full history and its notices.

The beneficiary appears only de-identified (周某). Names of the officers are the story's; the
rest of the roster is made up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from enum import Enum
from typing import TextIO
from zoneinfo import ZoneInfo

import attrs

from communitygov.kernel.aggregate import Decision
from communitygov.kernel.events import Event
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

__all__ = ["describe", "run"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEATED_SINCE = date(2018, 1, 1)


def _at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2019, month, day, hour, tzinfo=SHANGHAI)


def describe(event: Event) -> str:
    """One line naming an event and its main facts, for a printed history."""
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
            facts.append(f"{field.name}={_clip(text)}")
    return f"{event.type_name}  " + ", ".join(facts)


def _clip(text: str, width: int = 28) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def build_community() -> Community:
    """The Sanwan community with its officers and a made-up roster of 30 representatives."""
    at = _at(1, 2)
    community, _ = Community.register("sanwan", "三湾街社区", district="上街区济源路街道", at=at)
    officers = {
        "wu": "吴勤勤",  # branch secretary
        "luo": "罗宝菊",  # resident representative, later the fund's cash custodian
        "zhang": "张素环",  # director of the supervision committee
        "qiu": "邱芝兰",  # veteran party member, the mentor
    }
    people = dict(officers)
    people.update({f"pc{i}": f"党委委员{i}" for i in range(1, 5)})
    people.update({f"rc{i}": f"居委委员{i}" for i in range(1, 5)})
    people.update({f"rep{i:02}": f"居民代表{i:02}" for i in range(1, 30)})
    people.update({f"sv{i}": f"监委委员{i}" for i in range(1, 3)})
    people["resident"] = "居民甲"
    for person_id, name in people.items():
        community, _ = community.register_person(person_id, name, at=at)
    seats: list[tuple[str, BodyKind, str]] = [("wu", BodyKind.PARTY_COMMITTEE, "secretary")]
    seats += [(f"pc{i}", BodyKind.PARTY_COMMITTEE, "") for i in range(1, 5)]
    seats += [(f"rc{i}", BodyKind.RESIDENTS_COMMITTEE, "") for i in range(1, 5)]
    seats += [("luo", BodyKind.REPRESENTATIVES_ASSEMBLY, "")]
    seats += [(f"rep{i:02}", BodyKind.REPRESENTATIVES_ASSEMBLY, "") for i in range(1, 30)]
    seats += [("zhang", BodyKind.SUPERVISION_COMMITTEE, "director")]
    seats += [(f"sv{i}", BodyKind.SUPERVISION_COMMITTEE, "") for i in (1, 2)]
    seats += [(p, BodyKind.PARTY_MEMBERS_ASSEMBLY, "") for p in ("wu", "qiu", "pc1", "pc2")]
    for person_id, body, role in seats:
        community, _ = community.appoint(person_id, body, start=SEATED_SINCE, at=at, role=role)
    return community


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


def decide_plan(community: Community) -> Iterator[tuple[str, Decision[Matter]]]:
    """Take the 福乐 plan through the standard procedure, yielding each step with the matter
    and the events it recorded."""
    procedure = ONE_SOLICITATION_THREE_DELIBERATIONS
    matter, events = Matter.raise_matter(
        "fule-plan",
        community=community,
        procedure=procedure,
        title="“福乐”精准帮扶项目",
        description="为辖区困难青年周某量身制定四部曲精准帮扶方案",
        source=MotionSource.CADRES,
        raised_by="wu",
        at=_at(4, 8),
    )
    yield "raised by the branch secretary", (matter, events)

    matter, events = matter.open_solicitation(at=_at(4, 8, 10))
    yield (
        f"solicitation open until {matter.solicitation_closes_at:%Y-%m-%d %H:%M}",
        (matter, events),
    )
    opinions = [
        ("op1", "qiu", Channel.HOUSEHOLD_VISIT, Stance.SUPPORT, "先从开口说话做起,我愿意陪伴"),
        ("op2", "luo", Channel.STOOL_TALK, Stance.SUGGEST, "联建单位可以帮着销售手工制品"),
        ("op3", "rep07", Channel.OPINION_FORM, Stance.SUPPORT, "支持,建议每阶段设评估时间"),
    ]
    for day, (opinion_id, author, channel, stance, text) in enumerate(opinions, start=9):
        matter, events = matter.record_opinion(
            Opinion(opinion_id, author, channel, stance, text), community=community, at=_at(4, day)
        )
        yield f"opinion from {community.person(author).name} ({channel.value})", (matter, events)
    matter, events = matter.close_solicitation(at=_at(4, 17))
    yield f"solicitation closed with {len(matter.opinions)} opinions", (matter, events)

    matter, events = matter.deliberate(
        _meeting(
            BodyKind.PARTY_COMMITTEE,
            ["wu", "pc1", "pc2", "pc3"],
            yes=4,
            plan="四部曲:开口说话、走出家门、实现第一个心愿、自食其力",
            minutes="支部委员会提议",
        ),
        community=community,
        at=_at(4, 18),
    )
    yield "proposed by the party organisation committee (plan v1)", (matter, events)
    matter, events = matter.deliberate(
        _meeting(
            BodyKind.TWO_COMMITTEES,
            ["wu", "pc1", "pc2", "rc1", "rc2", "rc3"],
            yes=6,
            plan="四部曲 + 由老党员担任“临时妈妈”全程陪伴 + 联建单位协助销售手工制品",
            minutes="两委联席会议商议,补充陪伴与销售安排",
        ),
        community=community,
        at=_at(4, 19),
    )
    yield (
        f"consulted and amended by the two committees (plan v{matter.plan_version})",
        (matter, events),
    )
    representatives = ["luo", *(f"rep{i:02}" for i in range(1, 24))]
    matter, events = matter.deliberate(
        _meeting(BodyKind.REPRESENTATIVES_ASSEMBLY, representatives, yes=22),
        community=community,
        at=_at(4, 22),
    )
    yield (
        "resolved by the representatives' assembly: 24 of 30 present, 22 in favour",
        (matter, events),
    )

    matter, events = matter.publicise_resolution(
        "经居民代表会议表决通过“福乐”精准帮扶项目四部曲方案。公示期内如有异议,"
        "请向居务监督委员会反映。",
        place="三湾街社区公示栏",
        at=_at(4, 23),
    )
    assert matter.resolution is not None
    resolution_ends = matter.resolution.ends_at
    assert resolution_ends is not None
    yield f"resolution notice posted until {resolution_ends:%Y-%m-%d %H:%M}", (matter, events)
    matter, events = matter.raise_objection(
        "obj1", by="resident", text="帮扶资金从哪里来?", community=community, at=_at(4, 25)
    )
    yield "objection raised by a resident", (matter, events)
    matter, events = matter.rule_on_objection(
        "obj1",
        upheld=False,
        ruling="项目不动用社区资金;手工制品销售收入全部归本人,账目由居务监督委员会管理并公开。",
        ruled_by=["zhang", "sv1"],
        place="三湾街社区公示栏",
        community=community,
        at=_at(4, 26),
    )
    yield "objection dismissed by the supervision committee; the ruling is posted", (matter, events)

    matter, events = matter.start_implementation(by="wu", at=resolution_ends)
    yield "implementation started after the notice period", (matter, events)
    matter, events = matter.record_progress(
        "邱芝兰担任“临时妈妈”,第一阶段开口说话启动", by="wu", at=_at(5, 6)
    )
    yield "progress recorded", (matter, events)
    matter, events = matter.complete(
        "四部曲帮扶方案已落实,志愿者协助制作手工制品", cost_fen=0, at=_at(12, 20)
    )
    yield "completed", (matter, events)
    matter, events = matter.publicise_result(
        "“福乐”项目已按决议实施:陪伴到位,手工制品由支部与联建单位协助销售。",
        place="三湾街社区公示栏",
        at=_at(12, 23),
    )
    yield "result notice posted", (matter, events)
    assert matter.result is not None
    result_ends = matter.result.ends_at
    assert result_ends is not None
    matter, events = matter.close(at=result_ends + timedelta(hours=9))
    yield "closed", (matter, events)


def run(out: TextIO, echo: Callable[[str], None] | None = None) -> Decision[Matter]:
    """Tell the story to ``out``; return the closed matter and every event it recorded."""
    say = echo or (lambda line: print(line, file=out))
    community = build_community()
    say(f"Community {community.name} ({community.district}): {len(community.people)} people")
    say("")
    matter: Matter | None = None
    history: list[Event] = []
    for step, (matter, events) in decide_plan(community):
        history.extend(events)
        when = matter.last_at
        assert when is not None
        say(f"{when:%Y-%m-%d %H:%M}  [{matter.state:<20}] {step}")
    assert matter is not None
    say("")
    say(f"History of {matter.id} ({len(history)} events):")
    for version, event in enumerate(history, start=1):
        say(f"  {version:>2}  {event.at:%Y-%m-%d %H:%M}  {describe(event)}")
    say("")
    say("Notices:")
    for notice in matter.notices():
        say("")
        say(render_text(notice))
    return matter, tuple(history)
