"""The whole life of a matter: both presets end to end, the side roads, and what it reports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import attrs
import pytest

import communitygov as cg
from communitygov.matters import (
    DeliberationHeld,
    MatterClosed,
    MatterRaised,
    MatterWithdrawn,
    ObjectionRuled,
    ResolutionPublicised,
)
from support import (
    PARTY_COMMITTEE,
    PLAN,
    REPRESENTATIVES,
    ROSTERS,
    TZ,
    Tracked,
    advance,
    at,
    community,
    drive,
    drive_tracked,
    later,
    matter_at,
    meeting,
    new_matter,
    raised,
    sent_back_with_an_objection_unruled,
    tracked_at,
)

P3 = cg.ONE_SOLICITATION_THREE_DELIBERATIONS
P4 = cg.FOUR_DELIBERATIONS
S = cg.MatterState
B = cg.BodyKind


class Trail:
    """Runs commands on a matter, keeping every event and state they produced.

    ``matters`` pairs each matter along the way with the events that made it.
    """

    def __init__(self, start: Tracked[cg.Matter]) -> None:
        self.m = start.value
        self.events: list[cg.Event] = list(start.events)
        self.states = [self.m.state]
        self.matters = [(self.m, start.events)]

    def __call__(self, decision: cg.Decision[cg.Matter]) -> cg.Matter:
        m, events = decision
        assert events, "a command that succeeds records at least one event"
        assert m.version == self.m.version + len(events)
        assert m.last_at == events[-1].at
        self.m = m
        self.events.extend(events)
        self.states.append(m.state)
        self.matters.append((m, tuple(self.events)))
        return m


def _opinion(opinion_id: str, author: str, stance: cg.Stance = cg.Stance.SUPPORT) -> cg.Opinion:
    return cg.Opinion(opinion_id, author, cg.Channel.HOUSEHOLD_VISIT, stance, "意见")


def _replays(trail: Trail, procedure: cg.Procedure | None = None) -> None:
    """Every intermediate matter is what replaying its events so far gives."""
    for m, events in trail.matters:
        assert m.version == len(events)
        assert cg.Matter.replay(events, procedure) == m


# --- the whole life ------------------------------------------------------------------------


def test_whole_life_on_one_solicitation_three_deliberations() -> None:
    c = community()
    t = Trail(raised(P3, when=at(2025, 9, 1)))
    assert t.m.state == S.RAISED
    assert t.m.plan is None
    assert t.m.plan_version == 0

    m = t(t.m.open_solicitation(at=at(2025, 9, 1, 10)))
    # Civil Code Art. 201: 7 days counted from the next day; the window ends at 24:00 of 9-8.
    assert m.solicitation_closes_at == at(2025, 9, 9, 0)
    m = t(m.record_opinion(_opinion("o1", "res0"), community=c, at=at(2025, 9, 2)))
    m = t(
        m.record_opinion(
            _opinion("o2", "rep03", cg.Stance.SUGGEST), community=c, at=at(2025, 9, 8, 23, 59)
        )
    )
    assert [o.id for o in m.opinions] == ["o1", "o2"]
    m = t(m.close_solicitation(at=at(2025, 9, 9, 0)))

    m = t(
        m.deliberate(meeting(B.PARTY_COMMITTEE, 4, 3, plan=PLAN), community=c, at=at(2025, 9, 10))
    )
    assert (m.plan, m.plan_version) == (PLAN, 1)
    m = t(m.deliberate(meeting(B.TWO_COMMITTEES, 7, 5), community=c, at=at(2025, 9, 11)))
    # The assembly: 20 of 30 present is exactly 2/3; 11 of 20 is more than half.
    m = t(
        m.deliberate(meeting(B.REPRESENTATIVES_ASSEMBLY, 20, 11), community=c, at=at(2025, 9, 12))
    )
    m = t(m.publicise_resolution("决议：通过福乐项目", place="社区公示栏", at=at(2025, 9, 12, 15)))
    assert m.resolution is not None
    assert m.resolution.ends_at == at(2025, 9, 20, 0)  # 9-19 is a Friday
    m = t(
        m.start_implementation(by="pc0", community=community(), at=at(2025, 9, 20, 0))
    )  # the instant it ends
    m = t(
        m.record_progress("第一阶段：开口说话", by="pc1", community=community(), at=at(2025, 10, 1))
    )
    m = t(
        m.record_progress(
            "第二阶段：走出家门", by="pc1", community=community(), at=at(2025, 10, 15)
        )
    )
    m = t(m.complete("四个阶段完成", cost_fen=259_000, at=at(2025, 10, 31)))
    m = t(m.publicise_result("结果：售出手工作品2590元", place="社区公示栏", at=at(2025, 11, 3)))
    assert m.result is not None
    assert m.result.ends_at == at(2025, 11, 11, 0)
    m = t(m.close(at=at(2025, 11, 11, 0)))

    assert t.states == [
        S.RAISED,
        S.SOLICITING,
        S.SOLICITING,
        S.SOLICITING,
        "propose",
        "consult",
        "resolve",
        S.RESOLVED,
        S.RESOLUTION_PUBLICITY,
        S.IMPLEMENTING,
        S.IMPLEMENTING,
        S.IMPLEMENTING,
        S.COMPLETED,
        S.RESULT_PUBLICITY,
        S.CLOSED,
    ]
    assert m.is_final
    assert m.allowed_actions() == ()
    assert m.open_deadlines() == ()
    assert m.version == len(t.events) == 15
    assert m.last_at == t.events[-1].at == at(2025, 11, 11, 0)
    assert isinstance(t.events[0], MatterRaised)
    assert isinstance(t.events[-1], MatterClosed)
    assert [len(p.text) > 0 for p in m.progress] == [True, True]
    assert m.completion is not None
    assert m.completion.cost_fen == 259_000
    assert m.implementation_started_at == at(2025, 9, 20, 0)

    # The record of each deliberation shows who sat, who was expected, who came and how they voted.
    propose, consult, resolve = m.deliberations
    assert [d.step for d in m.deliberations] == ["propose", "consult", "resolve"]
    assert propose.members == propose.expected == frozenset(PARTY_COMMITTEE)
    assert propose.present == frozenset(PARTY_COMMITTEE[:4])
    assert propose.plan == PLAN
    assert consult.members == frozenset(ROSTERS[B.TWO_COMMITTEES])
    assert consult.plan is None
    assert propose.plan_version == consult.plan_version == resolve.plan_version == 1
    assert len(resolve.members) == 30
    assert sum(v.choice is cg.Choice.YES for v in resolve.votes) == 11
    assert all(d.outcome is cg.Outcome.ADOPTED for d in m.deliberations)

    assert cg.Matter.replay(t.events) == m
    _replays(t)


def test_whole_life_on_four_deliberations_with_papers_three_days_ahead() -> None:
    c = community()
    t = Trail(drive_tracked(raised(P4), "review"))
    m = t.m
    assert m.allowed_actions() == ("deliberate", "withdraw")
    sent = later(m).date()  # after the plan was tabled and agreed
    meeting_day = later(m, 4)
    # 10 party members: at least half present (5) is a quorum, but adoption needs more than half
    # of those who should attend (6 of 10), not of those present.
    with pytest.raises(cg.ThresholdNotReached) as caught:
        m.deliberate(
            meeting(B.PARTY_MEMBERS_ASSEMBLY, 6, 5, papers_sent_on=sent),
            community=c,
            at=meeting_day,
        )
    assert (caught.value.yes, caught.value.base, caught.value.required) == (5, 10, 6)
    m = t(
        m.deliberate(
            meeting(B.PARTY_MEMBERS_ASSEMBLY, 6, 6, papers_sent_on=sent),
            community=c,
            at=meeting_day,
        )
    )
    review = m.deliberations[-1]
    assert (review.step, review.body, review.papers_sent_on) == (
        "review",
        B.PARTY_MEMBERS_ASSEMBLY,
        sent,
    )
    assert m.state == "resolve"
    while not m.is_final:
        m = t(advance(m, c))
    assert m.state == S.CLOSED
    assert [d.step for d in m.deliberations] == ["propose", "consult", "review", "resolve"]
    assert m.version == len(t.events)
    assert cg.Matter.replay(t.events) == m
    assert cg.Matter.replay(t.events, P4) == m
    _replays(t)


def test_four_deliberations_solicits_no_opinions_and_waits_for_the_proposal_at_once() -> None:
    # DOMAIN §2.3: branch proposes → two committees consult → party members review → the
    # representatives' assembly resolves; no 一征 before the proposal.
    m = raised(P4).value
    assert m.state == "propose"
    assert m.allowed_actions() == ("deliberate", "withdraw")
    assert m.solicitation_opened_at is None
    assert m.open_deadlines() == ()
    with pytest.raises(cg.TransitionNotAllowed) as refused:
        m.open_solicitation(at=later(m))
    assert (refused.value.action, refused.value.state) == ("open_solicitation", "propose")
    with pytest.raises(cg.TransitionNotAllowed):
        m.record_opinion(_opinion("o1", "res0"), community=community(), at=later(m))
    assert raised(P4).value == m  # refused, and nothing changed


def test_a_matter_stored_under_the_earlier_four_deliberations_replays_with_its_solicitation() -> (
    None
):
    # Matters raised under "siyi-liang-gongkai" opened a solicitation; the name still carries
    # that definition, so their histories replay as they were decided.
    legacy = cg.ONE_SOLICITATION_FOUR_DELIBERATIONS
    t = drive_tracked(raised(legacy), "review")
    assert t.value.solicitation_opened_at is not None
    assert cg.Matter.replay(t.events) == t.value
    assert cg.Matter.replay(t.events).procedure is cg.PROCEDURES["siyi-liang-gongkai"]
    with pytest.raises(cg.UnknownProcedure):
        cg.Matter.replay(t.events, P4)


@pytest.mark.parametrize(
    ("procedure", "soliciting"),
    [(P4, []), (cg.ONE_SOLICITATION_FOUR_DELIBERATIONS, ["opened", "closed"])],
    ids=["P4", "P4-soliciting"],
)
def test_the_events_the_commands_returned_in_order_rebuild_the_matter(
    procedure: cg.Procedure, soliciting: list[str]
) -> None:
    start = raised(procedure)
    m = start.value
    returned: list[cg.Event] = list(start.events)
    while not m.is_final:
        m, events = advance(m)
        returned.extend(events)
    assert cg.Matter.replay(returned) == m
    assert m.version == len(returned)
    assert m.last_at == returned[-1].at
    assert [type(e).type_name for e in returned] == [
        "matter.raised",
        *(f"matter.solicitation_{what}" for what in soliciting),
        *["matter.deliberation_held"] * 4,
        "matter.resolution_publicised",
        "matter.implementation_started",
        "matter.completed",
        "matter.result_publicised",
        "matter.closed",
    ]
    times = [e.at for e in returned]
    assert times == sorted(times)


def test_a_command_leaves_the_matter_it_was_called_on_alone() -> None:
    m = matter_at(S.SOLICITING)
    fields = {field.name: getattr(m, field.name) for field in attrs.fields(cg.Matter)}
    after, _ = m.record_opinion(_opinion("o1", "res0"), community=community(), at=later(m, 0))
    assert all(getattr(m, name) is value for name, value in fields.items())
    assert m.opinions == ()
    assert after.opinions != ()
    assert after.version == m.version + 1


# --- rejection -----------------------------------------------------------------------------


def test_rejection_at_consult_goes_back_to_propose() -> None:
    c = community()
    m = matter_at("consult")
    # 5 of 9 present is a quorum; 2 yes is far from more than half of the 9 members.
    m, (event,) = m.deliberate(
        meeting(B.TWO_COMMITTEES, 5, 2, outcome=cg.Outcome.REJECTED, reason="费用过高"),
        community=c,
        at=later(m),
    )
    assert m.state == "propose"
    assert isinstance(event, DeliberationHeld)
    assert (event.step, event.outcome, event.reason) == ("consult", cg.Outcome.REJECTED, "费用过高")
    # Back at the proposal the committee may table a revised plan.
    m, _ = m.deliberate(
        meeting(B.PARTY_COMMITTEE, 5, 5, plan="修改后的方案"), community=c, at=later(m)
    )
    assert (m.state, m.plan_version, m.plan) == ("consult", 2, "修改后的方案")
    assert drive(m, S.CLOSED).state == S.CLOSED


def test_rejection_at_resolve_goes_back_to_propose() -> None:
    m = matter_at("resolve")
    m, _ = m.deliberate(
        meeting(B.REPRESENTATIVES_ASSEMBLY, 20, 10, outcome=cg.Outcome.REJECTED),
        community=community(),
        at=later(m),
    )
    assert m.state == "propose"
    assert m.plan_version == 1  # the plan on the table is unchanged until someone amends it


def test_rejection_at_propose_ends_the_matter_as_rejected() -> None:
    t = tracked_at("propose")
    m = t.value
    t = t.then(
        m.deliberate(
            meeting(B.PARTY_COMMITTEE, 5, 1, plan=PLAN, outcome=cg.Outcome.REJECTED),
            community=community(),
            at=later(m),
        )
    )
    m = t.value
    assert m.state == S.REJECTED
    assert m.is_final
    assert m.allowed_actions() == ()
    assert cg.Matter.replay(t.events) == m


# --- amendment -----------------------------------------------------------------------------


def test_amendment_at_consult_makes_plan_version_two() -> None:
    c = community()
    m = matter_at("consult")
    assert m.plan_version == 1
    m, _ = m.deliberate(
        meeting(B.TWO_COMMITTEES, 9, 9, plan="方案第二版：增加临时妈妈"), community=c, at=later(m)
    )
    assert (m.plan_version, m.plan) == (2, "方案第二版：增加临时妈妈")
    assert m.plans == (PLAN, "方案第二版：增加临时妈妈")
    assert m.deliberations[-1].plan_version == 2  # the version the meeting adopted
    # The assembly now deliberates version 2, and says so.
    m, _ = m.deliberate(
        meeting(B.REPRESENTATIVES_ASSEMBLY, 30, 30, plan_version=2), community=c, at=later(m)
    )
    assert m.state == S.RESOLVED
    assert m.deliberations[-1].plan_version == 2


# --- objections ----------------------------------------------------------------------------


def _object_and_rule(
    t: Tracked[cg.Matter], *, upheld: bool, objection_id: str = "x1"
) -> Tracked[cg.Matter]:
    """Raise an objection and rule on it; the ruling is the last event logged."""
    c = community()
    m = t.value
    t = t.then(
        m.raise_objection(objection_id, by="res1", text="选址不合理", community=c, at=later(m, 0))
    )
    m = t.value
    assert [o.id for o in m.pending_objections()] == [objection_id]
    return t.then(
        m.rule_on_objection(
            objection_id,
            upheld=upheld,
            ruling="经核实，异议成立" if upheld else "经核实，异议不成立",
            ruled_by=["sup0", "sup1"],
            place="社区公示栏",
            community=c,
            at=later(m),
        )
    )


def test_upheld_objection_returns_to_the_named_step_and_a_new_notice_starts_a_new_period() -> None:
    t = tracked_at(S.RESOLUTION_PUBLICITY)
    assert t.value.resolution is not None
    first_end = t.value.resolution.ends_at
    t = _object_and_rule(t, upheld=True)
    m, ruled = t.value, t.events[-1]
    assert isinstance(ruled, ObjectionRuled)
    assert ruled.ruled_by == frozenset({"sup0", "sup1"})
    assert m.state == P3.resolution_publicity.upheld_returns_to == "propose"
    assert m.objections[0].upheld is True
    assert m.publicity_round == 1

    t = drive_tracked(t, S.RESOLUTION_PUBLICITY)
    m = t.value
    assert m.resolution is not None
    assert m.resolution.ends_at > first_end
    # The new notice has its own objections: the ruled one belongs to the first notice.
    assert m.publicity_round == 2
    assert [(o.id, o.round, o.upheld) for o in m.objections] == [("x1", 1, True)]
    assert m.pending_objections() == ()
    with pytest.raises(cg.PeriodNotElapsed) as caught:
        m.start_implementation(by="pc0", community=community(), at=max(first_end, later(m, 0)))
    assert caught.value.ends_at == m.resolution.ends_at
    t = t.then(m.start_implementation(by="pc0", community=community(), at=m.resolution.ends_at))
    m = t.value
    assert m.state == S.IMPLEMENTING
    assert sum(isinstance(e, ResolutionPublicised) for e in t.events) == 2
    assert cg.Matter.replay(t.events) == m


def test_an_objection_pending_on_an_earlier_notice_does_not_hold_up_a_later_one() -> None:
    c = community()
    t = sent_back_with_an_objection_unruled()
    assert t.value.state == "propose"
    # x1 stays unruled on record, but nothing awaits a ruling while no notice is up
    assert [o.id for o in t.value.objections if o.pending] == ["x1"]
    assert t.value.pending_objections() == ()
    t = drive_tracked(t, S.RESOLUTION_PUBLICITY)
    m = t.value
    assert [(o.id, o.round, o.pending) for o in m.objections] == [
        ("x1", 1, True),
        ("x2", 1, False),
    ]
    assert m.pending_objections() == ()
    # x1 objected to the first notice, which no longer stands: it is not ruled on now, and
    # an upheld ruling on it cannot send the matter back again.
    for upheld in (True, False):
        with pytest.raises(cg.ObjectionSuperseded) as refused:
            m.rule_on_objection(
                "x1",
                upheld=upheld,
                ruling="旧异议",
                ruled_by=["sup0", "sup1"],
                place="社区公示栏",
                community=c,
                at=later(m),
            )
        assert (refused.value.objection, refused.value.notice, refused.value.current) == (
            "x1",
            1,
            2,
        )
    # Objection ids are unique over the whole matter, not only the current notice.
    with pytest.raises(cg.DuplicateId):
        m.raise_objection("x1", by="res3", text="再次异议", community=c, at=later(m, 0))
    t = t.then(m.raise_objection("x3", by="res3", text="再次异议", community=c, at=later(m, 0)))
    assert [(o.id, o.round) for o in t.value.pending_objections()] == [("x3", 2)]
    assert cg.Matter.replay(t.events) == t.value


def test_upheld_objection_goes_where_a_custom_procedure_says() -> None:
    to_consult = attrs.evolve(
        P3,
        name="back-to-consult",
        resolution_publicity=attrs.evolve(P3.resolution_publicity, upheld_returns_to="consult"),
    )
    t = _object_and_rule(tracked_at(S.RESOLUTION_PUBLICITY, to_consult), upheld=True)
    assert t.value.state == "consult"
    assert cg.Matter.replay(t.events, to_consult) == t.value


def test_dismissed_objection_leaves_the_notice_running() -> None:
    m = _object_and_rule(tracked_at(S.RESOLUTION_PUBLICITY), upheld=False).value
    assert m.state == S.RESOLUTION_PUBLICITY
    assert m.pending_objections() == ()
    assert m.objections[0].upheld is False
    assert m.resolution is not None
    m, _ = m.start_implementation(by="pc0", community=community(), at=m.resolution.ends_at)
    assert m.state == S.IMPLEMENTING


# --- withdrawal and final states -----------------------------------------------------------


@pytest.mark.parametrize("state", [S.RAISED, S.SOLICITING, "propose", "consult", "resolve"])
def test_withdrawal_before_resolution(state: str) -> None:
    t = tracked_at(state)
    m = t.value
    m, (event,) = m.withdraw("居民已自行解决", by="pc0", community=community(), at=later(m))
    assert m.state == S.WITHDRAWN
    assert isinstance(event, MatterWithdrawn)
    assert m.withdrawal == event
    assert m.is_final
    assert cg.Matter.replay((*t.events, event)) == m


@pytest.mark.parametrize(
    "state", [S.RESOLVED, S.RESOLUTION_PUBLICITY, S.IMPLEMENTING, S.COMPLETED, S.RESULT_PUBLICITY]
)
def test_no_withdrawal_once_resolved(state: str) -> None:
    m = matter_at(state)
    with pytest.raises(cg.TransitionNotAllowed) as caught:
        m.withdraw("太晚了", by="pc0", community=community(), at=later(m))
    assert (caught.value.action, caught.value.state) == ("withdraw", state)
    assert "withdraw" not in caught.value.allowed


def _closed() -> cg.Matter:
    return matter_at(S.CLOSED)


def _rejected() -> cg.Matter:
    m = matter_at("propose")
    m, _ = m.deliberate(
        meeting(B.PARTY_COMMITTEE, 5, 0, plan=PLAN, outcome=cg.Outcome.REJECTED),
        community=community(),
        at=later(m),
    )
    return m


def _withdrawn() -> cg.Matter:
    m = matter_at("consult")
    m, _ = m.withdraw("撤回", by="pc0", community=community(), at=later(m))
    return m


@pytest.mark.parametrize(
    "make", [_closed, _rejected, _withdrawn], ids=["closed", "rejected", "withdrawn"]
)
def test_final_states_stay_final(make: Callable[[], cg.Matter]) -> None:
    m = make()
    c = community()
    when = later(m)
    attempts = {
        "open_solicitation": lambda: m.open_solicitation(at=when),
        "record_opinion": lambda: m.record_opinion(_opinion("o9", "res0"), community=c, at=when),
        "close_solicitation": lambda: m.close_solicitation(at=when),
        "deliberate, adopting": lambda: m.deliberate(
            meeting(B.PARTY_COMMITTEE, 5, 5), community=c, at=when
        ),
        "deliberate, rejecting": lambda: m.deliberate(
            meeting(B.PARTY_COMMITTEE, 5, 0, outcome=cg.Outcome.REJECTED), community=c, at=when
        ),
        "publicise_resolution": lambda: m.publicise_resolution("x", place="y", at=when),
        "raise_objection": lambda: m.raise_objection(
            "x9", by="res0", text="x", community=c, at=when
        ),
        "rule_on_objection, dismissing": lambda: m.rule_on_objection(
            "x9", upheld=False, ruling="r", ruled_by=["sup0"], place="p", community=c, at=when
        ),
        "rule_on_objection, upholding": lambda: m.rule_on_objection(
            "x9", upheld=True, ruling="r", ruled_by=["sup0"], place="p", community=c, at=when
        ),
        "start_implementation": lambda: m.start_implementation(
            by="pc0", community=community(), at=when
        ),
        "record_progress": lambda: m.record_progress("x", by="pc0", community=community(), at=when),
        "complete": lambda: m.complete("x", cost_fen=0, at=when),
        "publicise_result": lambda: m.publicise_result("x", place="y", at=when),
        "close": lambda: m.close(at=when),
        "withdraw": lambda: m.withdraw("x", by="pc0", community=community(), at=when),
    }
    for attempted, attempt in attempts.items():
        with pytest.raises(cg.TransitionNotAllowed) as caught:
            attempt()
        assert (caught.value.action, caught.value.state, caught.value.allowed) == (
            attempted.split(",")[0],  # the command, whatever the meeting or ruling decided
            m.state,
            (),
        )
    assert m.allowed_actions() == ()
    assert m.open_deadlines() == ()


# --- queries -------------------------------------------------------------------------------

ALLOWED_P3 = {
    S.RAISED: ("open_solicitation", "withdraw"),
    S.SOLICITING: ("record_opinion", "close_solicitation", "withdraw"),
    "propose": ("deliberate", "withdraw"),
    "consult": ("deliberate", "withdraw"),
    "resolve": ("deliberate", "withdraw"),
    S.RESOLVED: ("publicise_resolution",),
    S.RESOLUTION_PUBLICITY: ("raise_objection", "start_implementation"),  # no objection yet
    S.IMPLEMENTING: ("record_progress", "complete"),
    S.COMPLETED: ("publicise_result",),
    S.RESULT_PUBLICITY: ("close",),
    S.CLOSED: (),
}


@pytest.mark.parametrize(("state", "allowed"), ALLOWED_P3.items())
def test_allowed_actions(state: str, allowed: tuple[str, ...]) -> None:
    m = matter_at(state)
    assert sorted(m.allowed_actions()) == sorted(allowed)


def test_allowed_actions_on_four_deliberations_include_the_review() -> None:
    assert sorted(matter_at("review", P4).allowed_actions()) == ["deliberate", "withdraw"]


def test_open_deadlines_follow_the_periods() -> None:
    seen: dict[str, tuple[cg.Deadline, ...]] = {}
    m = new_matter()
    while True:
        seen[m.state] = m.open_deadlines()
        if m.is_final:
            break
        m, _ = advance(m)
    assert seen[S.SOLICITING] == (cg.Deadline("solicitation closes", at(2025, 9, 10, 0)),)
    # Posted on Sunday 9-14: the 7th day is Sunday 9-21, so the period runs to Monday 9-22
    # (Civil Code Art. 203).
    assert seen[S.RESOLUTION_PUBLICITY] == (
        cg.Deadline("resolution publicity ends", at(2025, 9, 23, 0)),
    )
    assert seen[S.RESULT_PUBLICITY] == (cg.Deadline("result publicity ends", at(2025, 11, 1, 0)),)
    others = set(seen) - {S.SOLICITING, S.RESOLUTION_PUBLICITY, S.RESULT_PUBLICITY}
    assert others == {
        S.RAISED,
        "propose",
        "consult",
        "resolve",
        S.RESOLVED,
        S.IMPLEMENTING,
        S.COMPLETED,
        S.CLOSED,
    }
    assert all(seen[state] == () for state in others)


def test_notices_resolution_rulings_and_result() -> None:
    t = tracked_at(S.RESOLUTION_PUBLICITY)
    t = _object_and_rule(t, upheld=False, objection_id="x1")
    t = _object_and_rule(t, upheld=True, objection_id="x2")
    t = drive_tracked(t, S.CLOSED)
    m = t.value
    notices = m.notices()
    assert [n.kind for n in notices] == [
        cg.NoticeKind.RESOLUTION,
        cg.NoticeKind.OBJECTION_RULING,
        cg.NoticeKind.OBJECTION_RULING,
        cg.NoticeKind.RESOLUTION,
        cg.NoticeKind.RESULT,
    ]
    first, dismissed, upheld, second, result = notices
    assert all(n.community_id == "sanwan" and n.subject_id == "m1" for n in notices)
    assert all(n.subject == "福乐精准帮扶项目" for n in notices)
    assert first.text == "决议：通过福乐项目"
    assert first.place == "社区公示栏"
    assert first.period == cg.Period.days(7)
    assert first.ends_at is not None
    assert first.ends_at > first.posted_at
    assert dismissed.text.startswith("Objection x1: dismissed")
    assert upheld.text.startswith("Objection x2: upheld")
    assert "异议成立" in upheld.text
    assert (dismissed.period, dismissed.ends_at) == (None, None)
    assert second.posted_at > upheld.posted_at
    # What was done and spent, as recorded when the work was completed, then the text given.
    assert result.text == "实施情况 Done: 四个阶段均已完成\n费用 Spent: 2,590.00 元\n结果：项目完成"
    assert result.period == P3.result_publicity
    assert [n.posted_at for n in notices] == sorted(n.posted_at for n in notices)
    text = cg.render_text(result)
    assert "实施结果公开" in text
    assert text.endswith("结果：项目完成")
    assert "异议处理结果公示" in cg.render_markdown(upheld)
    # The notices are kept in the matter's state, and replaying its events posts the same ones.
    assert cg.Matter.replay(t.events).notices() == notices


def test_no_notices_before_the_resolution_is_posted() -> None:
    assert matter_at(S.RESOLVED).notices() == ()


# --- replay --------------------------------------------------------------------------------


@pytest.mark.parametrize("procedure", [P3, P4], ids=["P3", "P4"])
def test_replay_at_every_point_of_the_life(procedure: cg.Procedure) -> None:
    t = raised(procedure)
    while not t.value.is_final:
        assert cg.Matter.replay(t.events) == t.value
        t = t.then(advance(t.value))
    assert cg.Matter.replay(t.events) == t.value
    assert cg.Matter.replay(t.events, cg.PROCEDURES) == t.value


def test_replay_needs_the_procedure_of_a_custom_matter() -> None:
    custom = attrs.evolve(P3, name="custom")
    t = tracked_at("consult", custom)
    with pytest.raises(cg.DecodeError):
        cg.Matter.replay(t.events)
    assert cg.Matter.replay(t.events, {"custom": custom}) == t.value


def test_support_rosters_match_the_community() -> None:
    c = community()
    day = date(2025, 9, 1)
    for body, roster in ROSTERS.items():
        assert c.members_of(body, day) == frozenset(roster), body
    assert len(REPRESENTATIVES) == 30
    assert isinstance(later(new_matter()), datetime)


def test_a_notice_tells_its_posting_time_in_the_community_s_zone_as_its_period() -> None:
    # Posted at 17:00 UTC, which is 01:00 the next day in Shanghai: the period is counted from
    # that day, and the notice read "Posted: 2026-03-19 17:00 … until 2026-03-28 00:00".
    resolved = matter_at(cg.MatterState.RESOLVED)
    last = resolved.last_at
    assert last is not None
    utc_evening = datetime.combine(last.astimezone(UTC).date(), time(17), UTC)
    utc_evening = max(utc_evening, last.astimezone(UTC) + timedelta(hours=1))
    m, _ = resolved.publicise_resolution("决议", place="公示栏", at=utc_evening)
    notice = m.resolution
    assert notice is not None
    local = utc_evening.astimezone(TZ)
    assert notice.posted_at == utc_evening
    assert notice.posted_at.utcoffset() == local.utcoffset()
    text = cg.render_text(notice)
    assert f"{local:%Y-%m-%d %H:%M}, 公示栏" in text
    assert f"{utc_evening:%Y-%m-%d %H:%M}," not in text


# --- a rejection that ends the matter (DOMAIN §2.1: rejected, then revised or ended) -------


@pytest.mark.parametrize("procedure", [P3, P4], ids=["P3", "P4"])
def test_the_assembly_that_rejects_a_plan_may_end_the_matter(procedure: cg.Procedure) -> None:
    t = tracked_at("resolve", procedure)
    m = t.value
    when = later(m)
    rejected = meeting(
        B.REPRESENTATIVES_ASSEMBLY, 30, 5, outcome=cg.Outcome.REJECTED, reason="居民多数反对"
    )
    # Sent back for a revised plan by default, ended when the minutes say so.
    assert m.deliberate(rejected, community=community(), at=when)[0].state == "propose"
    ending = attrs.evolve(rejected, ends_matter=True)
    ended, (held,) = m.deliberate(ending, community=community(), at=when)
    assert ended.state == S.REJECTED
    assert ended.is_final
    assert isinstance(held, DeliberationHeld)
    assert held.ends_matter
    assert cg.Matter.replay([*t.events, held]) == ended
    assert "resolve --> rejected: reject_and_end" in procedure.mermaid()


def test_a_rejection_ends_the_matter_only_where_the_step_allows_it() -> None:
    c = community()
    consult = matter_at("consult")
    rejected = meeting(B.TWO_COMMITTEES, 6, 0, outcome=cg.Outcome.REJECTED, ends_matter=True)
    with pytest.raises(cg.NotApplicable) as refused:
        consult.deliberate(rejected, community=c, at=later(consult))
    assert (refused.value.field, refused.value.value) == ("ends_matter", True)
    assert "'consult' sends the matter back to 'propose'" in str(refused.value)
    assert consult == matter_at("consult")
    resolve = matter_at("resolve")
    adopted = meeting(B.REPRESENTATIVES_ASSEMBLY, 30, 30, ends_matter=True)
    with pytest.raises(cg.NotApplicable, match="adopted the plan"):
        resolve.deliberate(adopted, community=c, at=later(resolve))
    assert resolve == matter_at("resolve")
    # Where every rejection ends the matter, saying so changes nothing.
    propose = matter_at("propose")
    first = meeting(
        B.PARTY_COMMITTEE, 5, 0, outcome=cg.Outcome.REJECTED, ends_matter=True, plan=PLAN
    )
    assert propose.deliberate(first, community=c, at=later(propose))[0].state == S.REJECTED


def test_a_step_whose_rejection_may_end_needs_somewhere_to_send_it_back() -> None:
    step = attrs.evolve(P3.steps[0], rejection_may_end=True)
    with pytest.raises(cg.DefinitionError, match="rejection_may_end at 'propose' needs on_reject"):
        attrs.evolve(P3, name="bad", steps=(step, *P3.steps[1:]))
