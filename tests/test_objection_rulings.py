"""The ruling on an objection falls due ``ruling_within`` after the objection (村民委员会组织法
Art. 14's pattern: a ruling within 3 days) and is one of the matter's open deadlines until it
is made."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import communitygov as cg
from communitygov.matters import ObjectionRaised, ObjectionRuled
from support import at, community, later, tracked_at, tracked_community

S = cg.MatterState
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _publicised() -> cg.Matter:
    return tracked_at(S.RESOLUTION_PUBLICITY).value


def _object(m: cg.Matter, when: datetime, objection_id: str = "x1") -> cg.Matter:
    m, _ = m.raise_objection(
        objection_id, by="res1", text="选址不合理", community=community(), at=when
    )
    return m


def _ruling(m: cg.Matter, objection_id: str, *, upheld: bool) -> cg.Decision[cg.Matter]:
    return m.rule_on_objection(
        objection_id,
        upheld=upheld,
        ruling="经核实，异议成立" if upheld else "经核实，异议不成立",
        ruled_by=["sup0", "sup1"],
        place="社区公示栏",
        community=community(),
        at=later(m),
    )


def _rule(m: cg.Matter, objection_id: str = "x1", *, upheld: bool = False) -> cg.Matter:
    return _ruling(m, objection_id, upheld=upheld)[0]


def test_the_commands_allowed_follow_the_objections_awaiting_a_ruling() -> None:
    # While one awaits a ruling, work cannot start, whatever the time; with none, nothing
    # can be ruled on.
    m = _publicised()
    assert m.allowed_actions() == ("raise_objection", "start_implementation")
    objected = _object(m, later(m, 0))
    assert objected.allowed_actions() == ("raise_objection", "rule_on_objection")
    assert objected.resolution is not None
    assert objected.resolution.ends_at is not None
    with pytest.raises(cg.ObjectionsPending):
        objected.start_implementation(
            by="pc0", community=community(), at=objected.resolution.ends_at + timedelta(days=30)
        )
    dismissed = _rule(objected)
    assert dismissed.allowed_actions() == ("raise_objection", "start_implementation")
    with pytest.raises(cg.TransitionNotAllowed) as refused:
        dismissed.close(at=later(dismissed))
    assert refused.value.allowed == ("raise_objection", "start_implementation")


def test_an_objection_puts_its_ruling_due_among_the_open_deadlines_until_it_is_ruled() -> None:
    m = _publicised()
    resolution = m.resolution
    assert resolution is not None
    raised_at = resolution.posted_at + timedelta(hours=1)
    m = _object(m, raised_at)

    due = cg.period_end(raised_at.astimezone(SHANGHAI), cg.Period.days(3), cg.WEEKDAYS)
    assert m.objections[0].ruling_due == due
    assert m.open_deadlines() == (
        cg.Deadline("ruling on objection x1", due),
        cg.Deadline("resolution publicity ends", resolution.ends_at),
    )
    assert due < resolution.ends_at
    assert (m.describe().due_at, m.describe().due_what) == (due, "ruling on objection x1")

    m = _rule(m)
    assert m.open_deadlines() == (cg.Deadline("resolution publicity ends", resolution.ends_at),)


def test_the_ruling_is_due_three_days_after_the_objection_day_moved_past_a_weekend() -> None:
    m = _publicised()
    resolution = m.resolution
    assert resolution is not None
    # Objected on a Wednesday: day 3 is the Saturday, so the ruling is due by the end of Monday.
    wednesday = at(2025, 9, 17)
    assert resolution.posted_at <= wednesday < resolution.ends_at
    m = _object(m, wednesday)
    assert m.objections[0].ruling_due == datetime(2025, 9, 23, tzinfo=SHANGHAI)


def test_a_procedure_without_a_ruling_deadline_lists_none() -> None:
    rules = attrs.evolve(
        cg.ONE_SOLICITATION_THREE_DELIBERATIONS.resolution_publicity, ruling_within=None
    )
    procedure = attrs.evolve(
        cg.ONE_SOLICITATION_THREE_DELIBERATIONS,
        name="no-ruling-deadline",
        resolution_publicity=rules,
    )
    m = tracked_at(S.RESOLUTION_PUBLICITY, procedure).value
    assert m.resolution is not None
    m, events = m.raise_objection(
        "x1", by="res1", text="选址不合理", community=community(), at=later(m, 0)
    )
    assert isinstance(events[0], ObjectionRaised)
    assert events[0].ruling_due is None
    assert [d.what for d in m.open_deadlines()] == ["resolution publicity ends"]


def test_an_objection_stored_before_ruling_deadlines_decodes_without_one() -> None:
    codec = cg.EventCodec()
    assert ObjectionRaised.schema_version == 2
    event = codec.decode(
        "matter.objection_raised",
        1,
        {"at": "2025-09-10T10:00:00+08:00", "objection_id": "x1", "by": "res1", "text": "选址"},
    )
    assert isinstance(event, ObjectionRaised)
    assert event.ruling_due is None


@given(hours=st.integers(min_value=0, max_value=24 * 12))
def test_pending_rulings_come_first_and_the_summary_shows_the_soonest_ruling(hours: int) -> None:
    m = _publicised()
    resolution = m.resolution
    assert resolution is not None
    when = resolution.posted_at + timedelta(hours=hours)
    if when >= resolution.ends_at:  # the boundary: the window has closed
        with pytest.raises(cg.WindowClosed) as refused:
            _object(m, when)
        assert refused.value.closes_at == resolution.ends_at
        return
    m = _object(m, when)
    second = when + timedelta(minutes=1)
    if second < resolution.ends_at:
        m = _object(m, second, "x2")
    due = m.objections[0].ruling_due
    assert due == cg.period_end(when.astimezone(SHANGHAI), cg.Period.days(3), cg.WEEKDAYS)
    assert due - when > timedelta(days=3)
    deadlines = m.open_deadlines()
    # Every pending ruling, soonest first, then the end of the notice, whichever is sooner:
    # no work starts before every objection is ruled on.
    rulings = [d for d in deadlines if d.what.startswith("ruling on objection")]
    assert len(rulings) == len(m.pending_objections())
    assert [d.due for d in rulings] == sorted(o.ruling_due for o in m.pending_objections())
    assert deadlines == (*rulings, cg.Deadline("resolution publicity ends", resolution.ends_at))
    assert (m.describe().due_at, m.describe().due_what) == (due, "ruling on objection x1")


def test_a_ruling_due_after_the_notice_ends_is_what_the_summary_shows() -> None:
    m = _publicised()
    resolution = m.resolution
    assert resolution is not None
    m = _object(m, resolution.ends_at - timedelta(hours=2))
    due = m.objections[0].ruling_due
    assert due is not None
    assert due > resolution.ends_at
    assert (m.describe().due_at, m.describe().due_what) == (due, "ruling on objection x1")
    with pytest.raises(cg.ObjectionsPending):
        m.start_implementation(by="p0", community=community(), at=due)


class _KnownUntil:
    """Monday to Friday, known only up to ``last`` (as a calendar of announced years is)."""

    name = "known until"

    def __init__(self, last: date) -> None:
        self.last = last

    def is_working_day(self, day: date) -> bool:
        if day > self.last:
            raise cg.CalendarDataUnavailable(self.name, day.year)
        return day.weekday() < 5


def test_an_objection_is_recorded_even_when_the_calendar_cannot_count_its_ruling() -> None:
    ends_at = _publicised().resolution.ends_at  # type: ignore[union-attr]
    procedure = cg.ONE_SOLICITATION_THREE_DELIBERATIONS.with_calendar(_KnownUntil(ends_at.date()))
    m = tracked_at(S.RESOLUTION_PUBLICITY, procedure).value
    m, events = m.raise_objection(
        "x1", by="res1", text="选址不合理", community=community(), at=ends_at - timedelta(hours=2)
    )
    assert isinstance(events[0], ObjectionRaised)
    assert events[0].ruling_due is None
    assert [o.id for o in m.pending_objections()] == ["x1"]
    assert [d.what for d in m.open_deadlines()] == ["resolution publicity ends"]


def test_the_due_query_finds_a_matter_by_its_ruling_due() -> None:
    gov = cg.Governance(cg.MemoryStore())
    gov.create((community(), tracked_community().events))
    tracked = tracked_at(S.RESOLUTION_PUBLICITY)
    m = gov.create((tracked.value, tracked.events))
    resolution = m.resolution
    assert resolution is not None
    when = resolution.posted_at + timedelta(hours=1)
    gov.execute(cg.Matter, m.raised.community_id, m.id, lambda x: _object_decision(x, when))
    # Within five days of the objection: the ruling (due in under four) is, the end of the
    # seven-day publicity is not.
    found = gov.due(m.raised.community_id, at=when, within=timedelta(days=5))
    assert [(s.stream_id, s.due_what) for s in found] == [(m.id, "ruling on objection x1")]


def _object_decision(m: cg.Matter, when: datetime) -> cg.Decision[cg.Matter]:
    return m.raise_objection("x1", by="res1", text="选址不合理", community=community(), at=when)


def test_objections_left_unruled_when_another_is_upheld_are_pending_no_more() -> None:
    m = _publicised()
    resolution = m.resolution
    assert resolution is not None
    m = _object(m, resolution.posted_at + timedelta(hours=1), "x1")
    m = _object(m, resolution.posted_at + timedelta(hours=2), "x2")
    assert [o.id for o in m.pending_objections()] == ["x1", "x2"]
    m = _rule(m, "x1", upheld=True)
    assert m.state == m.procedure.resolution_publicity.upheld_returns_to
    # x2 objected to a notice that no longer stands: nothing awaits a ruling, as nothing is due
    assert m.pending_objections() == ()
    assert m.open_deadlines() == ()
    assert "rule_on_objection" not in m.allowed_actions()


def test_the_upheld_ruling_names_the_objections_that_lapse_with_the_resolution() -> None:
    t = tracked_at(S.RESOLUTION_PUBLICITY)
    resolution = t.value.resolution
    assert resolution is not None
    for hour, objection_id in enumerate(["x1", "x2", "x3", "x4"], start=1):
        t = t.then(
            t.value.raise_objection(
                objection_id,
                by="res1",
                text="选址不合理",
                community=community(),
                at=resolution.posted_at + timedelta(hours=hour),
            )
        )
    t = t.then(_ruling(t.value, "x1", upheld=False))  # dismissed: nothing lapses
    dismissal = t.events[-1]
    assert isinstance(dismissal, ObjectionRuled)
    assert dismissal.lapsed == ()
    assert "lapse" not in t.value.posted[-1].text
    t = t.then(_ruling(t.value, "x3", upheld=True))
    ruled = t.events[-1]
    assert isinstance(ruled, ObjectionRuled)
    assert ruled.lapsed == ("x2", "x4")
    notice = t.value.posted[-1]
    assert notice.kind is cg.NoticeKind.OBJECTION_RULING
    assert notice.text.splitlines() == [
        "Objection x3: upheld 成立.",
        "经核实，异议成立",
        "同一决议的其他异议随之失效 Other objections to this resolution lapse with it: x2, x4",
    ]
    # Every objection to the notice has a published outcome: its own ruling, or the lapse.
    ruled_on = {o.id for o in t.value.objections if not o.pending}
    assert ruled_on | set(ruled.lapsed) == {"x1", "x2", "x3", "x4"}
    assert cg.Matter.replay(t.events) == t.value


def test_an_upheld_ruling_with_no_other_objection_names_none() -> None:
    m = _publicised()
    resolution = m.resolution
    assert resolution is not None
    m = _object(m, resolution.posted_at + timedelta(hours=1))
    m = _rule(m, upheld=True)
    assert m.posted[-1].text == "Objection x1: upheld 成立.\n经核实，异议成立"


def test_a_ruling_stored_before_lapses_were_named_decodes_with_none() -> None:
    codec = cg.EventCodec()
    assert ObjectionRuled.schema_version == 2
    event = codec.decode(
        "matter.objection_ruled",
        1,
        {
            "at": "2025-09-10T10:00:00+08:00",
            "objection_id": "x1",
            "upheld": True,
            "ruling": "成立",
            "ruled_by": ["sup0"],
            "place": "栏",
        },
    )
    assert isinstance(event, ObjectionRuled)
    assert event.lapsed == ()
