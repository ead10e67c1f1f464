"""Small builders shared by the tests: a community with its bodies, meetings, matters driven along.

The community (:func:`community`) has
- a party organisation committee of 5 (``pc0``…``pc4``), who are also party members;
- a residents' committee of 4 (``rc0``…``rc3``);
- a residents' representatives' assembly of 30 (``rep00``…``rep29``);
- a supervision committee of 3 (``sup0``…``sup2``);
- 5 further party members (``pm0``…``pm4``): the party members' assembly has 10 members;
- 5 plain residents (``res0``…``res4``) who sit on no body.

Every seat starts on :data:`SEATED` and is still held. Times are in Asia/Shanghai.

An aggregate does not keep its events; where a test needs them (to replay, or to look at what
was recorded) it keeps them itself: in a :class:`Tracked` value (the aggregate with every event
that made it; :func:`raised`, :func:`tracked_at` and :func:`tracked_community` give one), or in
a :class:`Log` that commands' decisions pass through.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import cache
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

import communitygov as cg
from communitygov.testing import strategies as cgst

A = TypeVar("A", bound=cg.Aggregate)

TZ = ZoneInfo("Asia/Shanghai")
SEATED = date(2024, 1, 1)
COMMUNITY_ID = "sanwan"

PARTY_COMMITTEE = tuple(f"pc{i}" for i in range(5))
RESIDENTS_COMMITTEE = tuple(f"rc{i}" for i in range(4))
REPRESENTATIVES = tuple(f"rep{i:02}" for i in range(30))
SUPERVISORS = tuple(f"sup{i}" for i in range(3))
PARTY_MEMBERS = (*PARTY_COMMITTEE, *(f"pm{i}" for i in range(5)))
RESIDENTS = tuple(f"res{i}" for i in range(5))

ROSTERS: dict[cg.BodyKind, tuple[str, ...]] = {
    cg.BodyKind.PARTY_COMMITTEE: PARTY_COMMITTEE,
    cg.BodyKind.RESIDENTS_COMMITTEE: RESIDENTS_COMMITTEE,
    cg.BodyKind.TWO_COMMITTEES: (*PARTY_COMMITTEE, *RESIDENTS_COMMITTEE),
    cg.BodyKind.REPRESENTATIVES_ASSEMBLY: REPRESENTATIVES,
    cg.BodyKind.SUPERVISION_COMMITTEE: SUPERVISORS,
    cg.BodyKind.PARTY_MEMBERS_ASSEMBLY: PARTY_MEMBERS,
}
"""Who sits on each body of :func:`community`, in a stable order."""

PLAN = "福乐帮扶方案：开口说话、走出家门、实现第一个心愿、自食其力"


@attrs.frozen
class Tracked(Generic[A]):
    """An aggregate and the events that made it, oldest first: what a store would keep."""

    value: A
    events: tuple[cg.Event, ...] = ()

    def then(self, decision: cg.Decision[A]) -> Tracked[A]:
        """The aggregate a command returned, with the events it recorded added to the log."""
        value, events = decision
        return Tracked(value, (*self.events, *events))


class Log(list[cg.Event]):
    """The events of the commands it is called with, in order; each call returns the value."""

    def __call__(self, decision: cg.Decision[A]) -> A:
        value, events = decision
        self.extend(events)
        return value


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A time in Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


START = at(2025, 9, 1)
"""When matters are raised by default: Monday 1 September 2025, 09:00."""
_MORNING = timedelta(hours=9)


@cache
def tracked_community(community_id: str = COMMUNITY_ID) -> Tracked[cg.Community]:
    """The test community with the events that built it (built once and shared)."""
    when = at(2024, 1, 1)
    t = Tracked(*cg.Community.register(community_id, "三湾街社区", at=when, district="上街区"))
    everyone = dict.fromkeys(
        (*PARTY_MEMBERS, *RESIDENTS_COMMITTEE, *REPRESENTATIVES, *SUPERVISORS, *RESIDENTS)
    )
    for person in everyone:
        t = t.then(t.value.register_person(person, f"居民 {person}", at=when))
    for body, people in ROSTERS.items():
        if body is not cg.BodyKind.TWO_COMMITTEES:
            for person in people:
                t = t.then(t.value.appoint(person, body, start=SEATED, at=when))
    return t


def community(community_id: str = COMMUNITY_ID) -> cg.Community:
    """The test community (a frozen value, so it is built once and shared)."""
    return tracked_community(community_id).value


def meeting(
    body: cg.BodyKind,
    present: int | Sequence[str],
    yes: int,
    *,
    outcome: cg.Outcome = cg.Outcome.ADOPTED,
    **details: object,
) -> cg.Meeting:
    """A meeting of ``body``: the first ``present`` members came (or exactly those named), the
    first ``yes`` of them voted yes and the rest no. ``details`` go to :class:`cg.Meeting`."""
    people = tuple(ROSTERS[body][:present] if isinstance(present, int) else present)
    votes = [cg.Vote(p, cg.Choice.YES if i < yes else cg.Choice.NO) for i, p in enumerate(people)]
    return cg.Meeting(
        body=body,
        present=people,
        votes=votes,
        outcome=outcome,
        minutes=f"{body.zh}会议记录",
        **details,  # type: ignore[arg-type]
    )


def raised(
    procedure: cg.Procedure = cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
    *,
    c: cg.Community | None = None,
    matter_id: str = "m1",
    when: datetime = START,
    concerns: str = "",
) -> Tracked[cg.Matter]:
    """A matter just raised by the party secretary ``pc0`` (about ``concerns``), with its one
    event."""
    decision = cg.Matter.raise_matter(
        matter_id,
        community=community() if c is None else c,
        procedure=procedure,
        title="福乐精准帮扶项目",
        description="为周某制定四部曲帮扶方案",
        source=cg.MotionSource.CADRES,
        raised_by="pc0",
        at=when,
        concerns=concerns,
    )
    return Tracked(*decision)


def new_matter(
    procedure: cg.Procedure = cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
    *,
    c: cg.Community | None = None,
    matter_id: str = "m1",
    when: datetime = START,
) -> cg.Matter:
    """A matter just raised by the party secretary ``pc0``."""
    return raised(procedure, c=c, matter_id=matter_id, when=when).value


def later(m: cg.Matter, days: int = 1, not_before: datetime | None = None) -> datetime:
    """``days`` after the matter's last record, or ``not_before`` if that is later."""
    last = m.last_at
    assert last is not None
    moment = last + timedelta(days=days)
    return moment if not_before is None or moment >= not_before else not_before


def adopting_meeting(m: cg.Matter, when: datetime) -> cg.Meeting:
    """A meeting of the current step's body where everyone comes and votes yes."""
    step = m.procedure.step(m.state)
    extra: dict[str, object] = {}
    if m.plan_version == 0:
        extra["plan"] = PLAN
    if step.papers_notice is not None:
        extra["papers_sent_on"] = when.date() - timedelta(days=step.papers_notice.count)
    roster = ROSTERS[step.body]
    return meeting(step.body, len(roster), len(roster), **extra)


def advance(m: cg.Matter, c: cg.Community | None = None) -> tuple[cg.Matter, tuple[cg.Event, ...]]:
    """Take the next step of the happy path, each a day after the last (or when a period ends,
    or the papers' notice has run)."""
    c = community() if c is None else c
    s = cg.MatterState
    state = m.state
    if state == s.RAISED:
        return m.open_solicitation(at=later(m))
    if state == s.SOLICITING:
        assert m.solicitation_closes_at is not None
        return m.close_solicitation(at=later(m, not_before=m.solicitation_closes_at + _MORNING))
    if m.procedure.is_step(state):
        notice = m.procedure.step(state).papers_notice
        # Papers go out the day after the last record, once the plan on the table exists.
        when = later(m, 1 if notice is None else 1 + notice.count)
        return m.deliberate(adopting_meeting(m, when), community=c, at=when)
    if state == s.RESOLVED:
        return m.publicise_resolution("决议：通过福乐项目", place="社区公示栏", at=later(m))
    if state == s.RESOLUTION_PUBLICITY:
        assert m.resolution is not None
        return m.start_implementation(
            by="pc0", community=c, at=later(m, not_before=m.resolution.ends_at + _MORNING)
        )
    if state == s.IMPLEMENTING:
        return m.complete("四个阶段均已完成", cost_fen=259_000, at=later(m, 30))
    if state == s.COMPLETED:
        return m.publicise_result("结果：项目完成", place="社区公示栏", at=later(m))
    if state == s.RESULT_PUBLICITY:
        assert m.result is not None
        return m.close(at=later(m, not_before=m.result.ends_at + _MORNING))
    raise AssertionError(f"no step out of the final state {state!r}")


def drive_tracked(
    t: Tracked[cg.Matter], to: str, c: cg.Community | None = None
) -> Tracked[cg.Matter]:
    """Take the happy path until the matter is in state ``to``, logging the events."""
    for _ in range(50):
        if t.value.state == to:
            return t
        t = t.then(advance(t.value, c))
    raise AssertionError(f"state {to!r} was not reached")


def drive(m: cg.Matter, to: str, c: cg.Community | None = None) -> cg.Matter:
    """Take the happy path until the matter is in state ``to``; return it at once if it is."""
    return drive_tracked(Tracked(m), to, c).value


def tracked_at(
    state: str,
    procedure: cg.Procedure = cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
    *,
    concerns: str = "",
) -> Tracked[cg.Matter]:
    """A new matter (about ``concerns``) driven along the happy path to ``state``, with all
    its events."""
    return drive_tracked(raised(procedure, concerns=concerns), state)


def matter_at(
    state: str,
    procedure: cg.Procedure = cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
    *,
    concerns: str = "",
) -> cg.Matter:
    """A new matter (about ``concerns``) driven along the happy path to ``state``."""
    return tracked_at(state, procedure, concerns=concerns).value


def sent_back_with_an_objection_unruled() -> Tracked[cg.Matter]:
    """A matter whose first resolution notice drew two objections: ``x2`` was upheld, which
    sent the matter back to the proposal, and ``x1`` was never ruled on."""
    c = community()
    t = tracked_at(cg.MatterState.RESOLUTION_PUBLICITY)
    m = t.value
    t = t.then(m.raise_objection("x1", by="res2", text="噪音", community=c, at=later(m, 0)))
    t = t.then(t.value.raise_objection("x2", by="res1", text="选址", community=c, at=later(m, 0)))
    m = t.value
    return t.then(
        m.rule_on_objection(
            "x2",
            upheld=True,
            ruling="异议成立",
            ruled_by=["sup0", "sup1"],
            place="社区公示栏",
            community=c,
            at=later(m),
        )
    )


SMALL_COMMUNITIES = cgst.communities(
    party_committee=st.integers(1, 5),
    residents_committee=st.integers(1, 5),
    party_members=st.integers(1, 10),
    representatives=st.integers(1, 12),
    residents=st.integers(1, 12),
    supervision=st.integers(1, 3),
)
"""Generated communities with small bodies, which keep building them cheap; every body has
at least one member."""
