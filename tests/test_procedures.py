"""Procedures as data: malformed ones fail when built, a local variant runs end to end, the
diagram shows every state, and the calendar decides how periods are counted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import attrs
import pytest

import communitygov as cg
from support import (
    PARTY_COMMITTEE,
    REPRESENTATIVES,
    RESIDENTS,
    RESIDENTS_COMMITTEE,
    Log,
    at,
    community,
    drive,
    later,
    meeting,
    new_matter,
    raised,
)

P3 = cg.ONE_SOLICITATION_THREE_DELIBERATIONS
P4 = cg.FOUR_DELIBERATIONS
P4S = cg.ONE_SOLICITATION_FOUR_DELIBERATIONS
B = cg.BodyKind
S = cg.MatterState


def _step(
    key: str, on_reject: str | None = None, body: cg.BodyKind = B.PARTY_COMMITTEE
) -> cg.DeliberationStep:
    return cg.DeliberationStep(
        key=key, en=key, zh=key, body=body, rule=cg.COMMITTEE, on_reject=on_reject
    )


def _procedure(
    steps: tuple[cg.DeliberationStep, ...], upheld_returns_to: str = "propose", name: str = "bad"
) -> cg.Procedure:
    return cg.Procedure(
        name=name,
        en="a test procedure",
        zh="测试",
        steps=steps,
        resolution_publicity=cg.PublicityRules(upheld_returns_to=upheld_returns_to),
    )


# --- malformed procedures ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "upheld", "problem"),
    [
        pytest.param((), "propose", "at least one deliberation step", id="no-steps"),
        pytest.param(
            (_step("propose"), _step("propose")), "propose", "'propose' is used twice", id="dup"
        ),
        pytest.param(
            (_step("propose"), _step("closed")), "propose", "'closed' is reserved", id="reserved"
        ),
        pytest.param(
            (_step("propose"), _step("soliciting")),
            "propose",
            "'soliciting' is reserved",
            id="reserved-soliciting",
        ),
        pytest.param(
            (_step("propose", on_reject="consult"), _step("consult")),
            "propose",
            "not to 'consult'",
            id="reject-to-later-step",
        ),
        pytest.param(
            (_step("propose"), _step("consult", on_reject="nowhere")),
            "propose",
            "not to 'nowhere'",
            id="reject-to-unknown-step",
        ),
        pytest.param(
            (_step("propose"), _step("consult")),
            "resolve",
            "returns to 'resolve', which is not a step",
            id="upheld-returns-to-unknown",
        ),
        pytest.param(
            (_step("propose"), _step("two words")),
            "propose",
            "'two words' is not a plain identifier",
            id="non-identifier",
        ),
        pytest.param((_step("1st"),), "1st", "'1st' is not a plain identifier", id="digit-first"),
        pytest.param(
            (_step("s" * 201),), "s" * 201, "longer than 200 characters", id="key-too-long"
        ),
    ],
)
def test_malformed_procedure_fails_when_built(
    steps: tuple[cg.DeliberationStep, ...], upheld: str, problem: str
) -> None:
    with pytest.raises(cg.DefinitionError) as caught:
        _procedure(steps, upheld)
    assert caught.value.what == "procedure 'bad'"
    assert problem in caught.value.problem
    assert isinstance(caught.value, cg.CommunityGovError)
    assert not isinstance(caught.value, cg.CommandRejected)


def test_procedure_needs_a_name() -> None:
    with pytest.raises(cg.DefinitionError) as caught:
        _procedure((_step("propose"),), name="  ")
    assert caught.value.problem == "the name is empty"


@pytest.mark.parametrize(
    ("build", "what", "field", "given"),
    [
        (
            lambda: cg.PublicityRules(upheld_returns_to="consult", ruling_within=3),
            "PublicityRules",
            "ruling_within",
            3,
        ),
        (
            lambda: cg.PublicityRules(upheld_returns_to="consult", period=timedelta(days=7)),
            "PublicityRules",
            "period",
            timedelta(days=7),
        ),
        (lambda: cg.SolicitationRules(minimum="7 days"), "SolicitationRules", "minimum", "7 days"),
        (
            lambda: attrs.evolve(P3, result_publicity=7),
            "Procedure",
            "result_publicity",
            7,
        ),
        (
            lambda: attrs.evolve(P3.steps[0], papers_notice=timedelta(days=3)),
            "DeliberationStep",
            "papers_notice",
            timedelta(days=3),
        ),
    ],
)
def test_a_period_that_is_not_a_period_fails_when_built(
    build: Callable[[], object], what: str, field: str, given: object
) -> None:
    # Not later, as a bare AttributeError, when a command first counts it.
    with pytest.raises(cg.DefinitionError) as caught:
        build()
    assert caught.value.what == what
    assert caught.value.problem == f"{field} must be a Period such as Period.days(3), not {given!r}"


@pytest.mark.parametrize(
    ("build", "field", "given"),
    [
        # A text where a set of choices belongs was split into its letters, and the matter
        # failed with a bare AttributeError at its first opinion or objection.
        (
            lambda: cg.PublicityRules(upheld_returns_to="propose", objectors="residents"),
            "objectors",
            "residents",
        ),
        (lambda: cg.SolicitationRules(constituencies="residents"), "constituencies", "residents"),
        (lambda: cg.SolicitationRules(constituencies=None), "constituencies", None),
        (
            lambda: cg.PublicityRules(upheld_returns_to="propose", objectors=["residents"]),
            "objectors",
            frozenset({"residents"}),
        ),
        (
            lambda: cg.PublicityRules(
                upheld_returns_to="propose", ruling_body="supervision_committee"
            ),
            "ruling_body",
            "supervision_committee",
        ),
        (lambda: cg.PublicityRules(upheld_returns_to=None), "upheld_returns_to", None),
        (lambda: attrs.evolve(P3, name=None), "name", None),
        (lambda: attrs.evolve(P3, calendar=None), "calendar", None),
        (lambda: attrs.evolve(P3, calendar="weekdays"), "calendar", "weekdays"),
        (lambda: P3.with_calendar("official"), "calendar", "official"),
        (lambda: attrs.evolve(P3, steps=None), "steps", None),
        (lambda: attrs.evolve(P3, solicitation="none"), "solicitation", "none"),
        (lambda: attrs.evolve(P3, resolution_publicity=None), "resolution_publicity", None),
    ],
)
def test_a_definition_holding_a_value_of_another_type_fails_when_built(
    build: Callable[[], object], field: str, given: object
) -> None:
    with pytest.raises(cg.WrongType) as caught:
        build()
    assert (caught.value.field, caught.value.value) == (field, given)


def test_rules_take_any_iterable_of_choices() -> None:
    rules = cg.PublicityRules(upheld_returns_to="propose", objectors=[cg.Constituency.RESIDENTS])
    assert rules.objectors == frozenset({cg.Constituency.RESIDENTS})
    assert attrs.evolve(P3, steps=list(P3.steps)) == P3


@pytest.mark.parametrize(
    ("build", "what", "field"),
    [
        (lambda: cg.SolicitationRules(constituencies=()), "SolicitationRules", "constituencies"),
        (
            lambda: cg.PublicityRules(upheld_returns_to="propose", objectors=frozenset()),
            "PublicityRules",
            "objectors",
        ),
    ],
    ids=["nobody-gives-opinions", "nobody-may-object"],
)
def test_a_group_of_no_one_fails_when_built(
    build: Callable[[], object], what: str, field: str
) -> None:
    # Every opinion, or every objection, could only be refused with NotEligible.
    with pytest.raises(cg.DefinitionError) as caught:
        build()
    assert caught.value.what == what
    assert caught.value.problem == f"{field} is empty: name at least one constituency"
    one = frozenset({cg.Constituency.REPRESENTATIVES})
    assert cg.SolicitationRules(constituencies=one).constituencies == one


def test_no_deadline_for_rulings_and_no_papers_notice_are_allowed() -> None:
    rules = cg.PublicityRules(upheld_returns_to="consult", ruling_within=None)
    assert rules.ruling_within is None
    assert P3.steps[0].papers_notice is None


def test_evolving_a_preset_is_checked_too() -> None:
    with pytest.raises(cg.DefinitionError):
        attrs.evolve(P3, steps=())


def test_a_rejection_may_send_the_matter_back_to_the_same_step() -> None:
    procedure = _procedure((_step("propose", on_reject="propose"),), name="retry")
    assert procedure.workflow.target("propose", "reject") == "propose"
    assert procedure.step("propose").on_reject == "propose"
    assert procedure.is_step("propose")
    assert not procedure.is_step("closed")
    with pytest.raises(cg.DefinitionError):
        procedure.step("consult")


def test_presets_are_registered_by_name() -> None:
    assert {P3.name: P3, P4.name: P4, P4S.name: P4S} == cg.PROCEDURES
    assert P4.name == "dengzhou-siyi-liang-gongkai"
    assert P4.zh == "四议两公开"
    # The definition 四议两公开 had before, under the name its stored matters carry.
    assert P4S.name == "siyi-liang-gongkai"
    assert P4S.zh == "一征四议两公开"
    assert P4S.steps == P4.steps
    assert P4S.solicitation == P3.solicitation
    assert [s.key for s in P3.steps] == ["propose", "consult", "resolve"]
    assert [s.key for s in P4.steps] == ["propose", "consult", "review", "resolve"]
    review = P4.step("review")
    assert review.body is B.PARTY_MEMBERS_ASSEMBLY
    assert review.rule == cg.PARTY_MEMBERS_ASSEMBLY
    assert review.papers_notice == cg.Period.days(3)
    assert P3.step("propose").on_reject is None
    assert P3.step("consult").on_reject == P3.step("resolve").on_reject == "propose"


# --- the Zhengzhou 陇海大院 variant (DOMAIN.md §2.2) -----------------------------------------

LONGHAI = cg.Procedure(
    name="longhai-dayuan",
    en="household canvass, three deliberations, resolution publicity",
    zh="陇海大院议事程序",
    solicitation=cg.SolicitationRules(
        minimum=cg.Period.days(7), constituencies=frozenset({cg.Constituency.RESIDENTS})
    ),
    steps=(
        cg.DeliberationStep(
            key="propose",
            en="the branch proposes",
            zh="党支部提议",
            body=B.PARTY_COMMITTEE,
            rule=cg.COMMITTEE,
            may_amend=True,
        ),
        cg.DeliberationStep(
            key="review",
            en="party representatives and the residents' committee review",
            zh="党员代表和居委会审议",
            body=B.TWO_COMMITTEES,
            rule=cg.COMMITTEE,
            may_amend=True,
            on_reject="propose",
        ),
        cg.DeliberationStep(
            key="resolve",
            en="the residents' assembly resolves",
            zh="居民大会决议",
            body=B.RESIDENTS_ASSEMBLY,
            rule=cg.RESIDENTS_ASSEMBLY,
            on_reject="propose",
        ),
    ),
    resolution_publicity=cg.PublicityRules(upheld_returns_to="review", period=cg.Period.days(7)),
    result_publicity=cg.Period.days(7),
)

HOUSEHOLDS = (*REPRESENTATIVES, *RESIDENTS)
"""The household representatives who make up the residents' assembly: 35 of them."""


def _longhai_community() -> cg.Community:
    c = community()
    for person in HOUSEHOLDS:
        c, _ = c.appoint(person, B.RESIDENTS_ASSEMBLY, start=date(2024, 6, 1), at=at(2024, 6, 1))
    return c


def test_longhai_variant_runs_end_to_end() -> None:
    c = _longhai_community()
    start = raised(LONGHAI, c=c)
    m = start.value
    log = Log(start.events)
    m = log(m.open_solicitation(at=later(m)))
    for n, person in enumerate(("res0", "res1", "rep07")):  # the household canvass
        opinion = cg.Opinion(
            f"h{n}", person, cg.Channel.HOUSEHOLD_VISIT, cg.Stance.SUGGEST, "加装电梯"
        )
        m = log(m.record_opinion(opinion, community=c, at=later(m, 0) + timedelta(hours=n + 1)))
    assert m.solicitation_closes_at is not None
    m = log(m.close_solicitation(at=m.solicitation_closes_at))
    assert m.state == "propose"

    m = log(
        m.deliberate(
            meeting(B.PARTY_COMMITTEE, 5, 3, plan="陇海大院改造方案"), community=c, at=later(m)
        )
    )
    assert m.state == "review"
    m = log(
        m.deliberate(
            meeting(B.TWO_COMMITTEES, (*PARTY_COMMITTEE, *RESIDENTS_COMMITTEE[:2]), 7),
            community=c,
            at=later(m),
        )
    )
    assert m.state == "resolve"

    when = later(m)
    # The residents' assembly: more than half of the 35 households (18) must be present.
    with pytest.raises(cg.QuorumNotMet) as no_quorum:
        m.deliberate(meeting(B.RESIDENTS_ASSEMBLY, HOUSEHOLDS[:17], 17), community=c, at=when)
    assert (no_quorum.value.present, no_quorum.value.base, no_quorum.value.required) == (17, 35, 18)
    assert no_quorum.value.body == "residents' assembly"
    assert no_quorum.value.inclusive is False
    with pytest.raises(cg.ThresholdNotReached) as too_few:
        m.deliberate(meeting(B.RESIDENTS_ASSEMBLY, HOUSEHOLDS[:18], 9), community=c, at=when)
    assert (too_few.value.yes, too_few.value.required) == (9, 10)
    with pytest.raises(cg.WrongBody) as wrong:
        m.deliberate(meeting(B.REPRESENTATIVES_ASSEMBLY, 30, 30), community=c, at=when)
    assert wrong.value.expected == "residents' assembly"
    m = log(m.deliberate(meeting(B.RESIDENTS_ASSEMBLY, HOUSEHOLDS[:18], 10), community=c, at=when))
    assert m.state == S.RESOLVED
    assert len(m.deliberations[-1].members) == 35

    m = log(m.publicise_resolution("决议：加装电梯", place="陇海大院公示栏", at=later(m)))
    # An upheld objection goes back to the review, as this procedure says.
    m = log(m.raise_objection("x1", by="res2", text="底层住户有意见", community=c, at=later(m, 0)))
    m = log(
        m.rule_on_objection(
            "x1",
            upheld=True,
            ruling="异议成立，重新审议",
            ruled_by=["sup1", "sup2"],
            place="陇海大院公示栏",
            community=c,
            at=later(m),
        )
    )
    assert m.state == "review"
    m = log(
        m.deliberate(
            meeting(B.TWO_COMMITTEES, 9, 9, plan="陇海大院改造方案（修订）"),
            community=c,
            at=later(m),
        )
    )
    m = log(m.deliberate(meeting(B.RESIDENTS_ASSEMBLY, HOUSEHOLDS, 30), community=c, at=later(m)))
    m = log(m.publicise_resolution("决议：加装电梯（修订）", place="陇海大院公示栏", at=later(m)))
    assert m.resolution is not None
    m = log(m.start_implementation(by="pc0", community=c, at=m.resolution.ends_at))
    m = log(m.complete("电梯已安装", cost_fen=30_000_000, at=later(m, 60)))
    m = log(m.publicise_result("结果：电梯已安装", place="陇海大院公示栏", at=later(m)))
    assert m.result is not None
    m = log(m.close(at=m.result.ends_at))

    assert m.state == S.CLOSED
    assert m.plan_version == 2
    assert [d.step for d in m.deliberations] == [
        "propose",
        "review",
        "resolve",
        "review",
        "resolve",
    ]
    assert [n.kind for n in m.notices()] == [
        cg.NoticeKind.RESOLUTION,
        cg.NoticeKind.OBJECTION_RULING,
        cg.NoticeKind.RESOLUTION,
        cg.NoticeKind.RESULT,
    ]
    assert m.version == len(log)
    assert cg.Matter.replay(log, LONGHAI) == m
    assert cg.Matter.replay(log, {LONGHAI.name: LONGHAI}) == m
    with pytest.raises(cg.DecodeError):
        cg.Matter.replay(log)  # not a preset: the procedure must be given


# --- the diagram ---------------------------------------------------------------------------


@pytest.mark.parametrize("procedure", [P3, P4, P4S, LONGHAI], ids=lambda p: p.name)
def test_mermaid_shows_every_state(procedure: cg.Procedure) -> None:
    text = procedure.mermaid()
    assert "stateDiagram-v2" in text
    assert procedure.zh in text
    before = [] if procedure.solicitation is None else [S.RAISED, S.SOLICITING]
    states = [*before, *(s.key for s in procedure.steps), *S.FIXED[2:]]
    assert set(procedure.workflow.states) == set(states)
    for state in states:
        assert f'state "{state}" as {state}' in text, state
    first = procedure.steps[0].key
    if procedure.solicitation is None:
        assert f"[*] --> {first}" in text
        assert "solicitation" not in text
    else:
        assert f"[*] --> {S.RAISED}" in text
        assert f"{S.SOLICITING} --> {first}: close_solicitation" in text
    assert f"{first} --> {S.REJECTED}: reject" in text
    returns_to = procedure.resolution_publicity.upheld_returns_to
    assert f"{S.RESOLUTION_PUBLICITY} --> {returns_to}: uphold_objection" in text


# --- calendars -----------------------------------------------------------------------------

OFFICIAL = cg.ChineseOfficialCalendar()
BEFORE_NATIONAL_DAY = at(2025, 9, 26, 10)  # a Friday; 1–8 October 2025 are holidays


def test_with_calendar_returns_a_new_procedure() -> None:
    weekdays = P3.with_calendar(cg.WEEKDAYS)
    assert weekdays.calendar == cg.WEEKDAYS
    assert P3.calendar == OFFICIAL  # the preset is untouched
    assert weekdays.name == P3.name
    assert weekdays.steps == P3.steps
    assert weekdays.workflow.states == P3.workflow.states


def test_the_shipped_procedures_move_a_period_ending_in_the_national_day_holiday() -> None:
    # They counted on Monday to Friday, with no holidays, until the official calendar became
    # their own: the notice ended in the holiday, and residents could not object in it.
    weekdays = new_matter(P3.with_calendar(cg.WEEKDAYS), when=BEFORE_NATIONAL_DAY)
    official = new_matter(P3, when=BEFORE_NATIONAL_DAY)
    weekdays, _ = weekdays.open_solicitation(at=BEFORE_NATIONAL_DAY)
    official, _ = official.open_solicitation(at=BEFORE_NATIONAL_DAY)
    # The 7th day is Friday 3 October: a working day Monday to Friday, but a holiday officially,
    # so the period runs to the first working day after the holiday, Thursday 9 October.
    assert weekdays.solicitation_closes_at == at(2025, 10, 4, 0)
    assert official.solicitation_closes_at == at(2025, 10, 10, 0)
    with pytest.raises(cg.PeriodNotElapsed) as caught:
        official.close_solicitation(at=at(2025, 10, 9, 18))
    assert caught.value.ends_at == at(2025, 10, 10, 0)
    weekdays, _ = weekdays.close_solicitation(at=at(2025, 10, 9, 18))
    assert weekdays.state == "propose"
    for preset in cg.PROCEDURES.values():
        assert preset.calendar == OFFICIAL


def test_with_calendar_counts_working_days_with_make_up_days() -> None:
    five_working_days = attrs.evolve(
        P3,
        name="five-working-days",
        resolution_publicity=attrs.evolve(
            P3.resolution_publicity, period=cg.Period.working_days(5)
        ),
    )
    ends: dict[str, datetime] = {}
    for label, procedure in (
        ("weekdays", five_working_days.with_calendar(cg.WEEKDAYS)),
        ("official", five_working_days),
    ):
        m = new_matter(procedure, when=at(2025, 9, 1))
        m = drive(m, S.RESOLVED)
        m, _ = m.publicise_resolution("决议", place="公示栏", at=BEFORE_NATIONAL_DAY)
        assert m.resolution is not None
        ends[label] = m.resolution.ends_at
    # Mon–Fri: 29 and 30 September, 1, 2 and 3 October. Officially: Sunday 28 September is a
    # make-up working day, then 29 and 30 September, then 9 and 10 October (DOMAIN.md §3.2).
    assert ends == {"weekdays": at(2025, 10, 4, 0), "official": at(2025, 10, 11, 0)}


def test_official_calendar_refuses_to_guess_an_unannounced_year() -> None:
    official = P3.with_calendar(OFFICIAL)
    last_known = OFFICIAL.known_years[1]
    when = at(last_known, 12, 28)
    m = new_matter(official, when=when)
    with pytest.raises(cg.CalendarDataUnavailable) as caught:
        m.open_solicitation(at=when)
    assert caught.value.year == last_known + 1
    assert m.state == S.RAISED
    assert m.version == 1


def test_a_matter_never_replays_onto_another_calendar() -> None:
    weekdays = P3.with_calendar(cg.WEEKDAYS)
    assert weekdays != P3
    t = raised(weekdays, when=BEFORE_NATIONAL_DAY)
    m = t.value
    with pytest.raises(cg.DecodeError) as caught:
        cg.Matter.replay(t.events)  # the preset of that name counts on the official calendar
    assert "the matter counts its periods on the 'weekdays' calendar" in str(caught.value)
    replayed = cg.Matter.replay(t.events, weekdays)
    assert replayed == m
    assert replayed.procedure.calendar == cg.WEEKDAYS


def test_a_step_names_its_body_as_a_body_kind() -> None:
    # A body given by name was taken, and failed deep inside the first deliberation.
    with pytest.raises(cg.WrongType) as refused:
        _step("propose", body="party_committee")  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == ("body", "party_committee")
