"""Plan templates are data: the preset, templates of other lengths, and malformed ones."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import communitygov as cg
from communitygov.testing import assistance_strategies as cgas

GOAL = cg.Goal(key="visits", text="每周两次探访", indicator="visits a week", target=2)


def stage(key: str, **changes: Any) -> cg.Stage:
    return attrs.evolve(
        cg.Stage(key=key, zh=f"阶段{key}", en=f"stage {key}", purpose="目的", goals=[GOAL]),
        **changes,
    )


def template(*stages: cg.Stage, **changes: Any) -> cg.PlanTemplate:
    return cg.PlanTemplate(
        **{"name": "custom", "zh": "自定义", "en": "custom", "stages": stages, **changes}
    )


def test_the_preset_is_the_four_stages_of_the_story() -> None:
    four = cg.FOUR_STAGES
    assert cg.PLAN_TEMPLATES[four.name] is four
    assert [s.zh for s in four.stages] == [
        "开口说话",
        "走出家门",
        "实现第一个心愿",
        "从心理真正站起来、自食其力",
    ]
    assert [s.en for s in four.stages] == [
        "speak up",
        "go out of the home",
        "realise a first wish",
        "stand up inside and support oneself",
    ]
    assert all(s.purpose and s.goals for s in four.stages)
    go_out = four.stage("go_out").goals[0]
    assert go_out.target == 2
    assert "unaccompanied" in go_out.text


@pytest.mark.parametrize("count", [1, 3, 6])
def test_templates_of_any_length_build_a_workflow_in_order(count: int) -> None:
    keys = [f"s{i}" for i in range(count)]
    built = template(*(stage(key) for key in keys))
    w = built.workflow
    assert built.keys == tuple(keys)
    assert w.target("awaiting_adoption", "adopt") == keys[0]
    for position, key in enumerate(keys):
        following = keys[position + 1] if position + 1 < count else "evaluation"
        assert w.target(key, "pass_stage") == following
        assert w.target(key, "suspend") == "suspended"
        assert w.target("suspended", f"resume_to_{key}") == key
        setbacks = {a for a in w.allowed(key) if a.startswith("setback_to_")}
        assert setbacks == {f"setback_to_{earlier}" for earlier in keys[:position]}
    assert w.target("evaluation", "graduate") == "graduated"
    assert w.is_terminal("withdrawn")
    assert w.allowed("withdrawn") == ()
    assert "stateDiagram-v2" in built.mermaid()


def test_templates_with_the_same_stages_share_one_workflow() -> None:
    first = template(stage("a"), stage("b"))
    second = template(stage("a"), stage("b"), name="other", zh="另一个", en="another")
    assert first.workflow is second.workflow
    assert first != second


def test_the_position_of_an_unknown_stage_is_a_definition_error() -> None:
    with pytest.raises(cg.DefinitionError, match="no stage 'nope'"):
        cg.FOUR_STAGES.position("nope")
    assert not cg.FOUR_STAGES.is_stage("nope")


MALFORMED: dict[str, tuple[Any, str]] = {
    "no name": (lambda: template(stage("a"), name=" "), "the name is empty"),
    "no Chinese name": (lambda: template(stage("a"), zh=""), "Chinese and an English name"),
    "no stages": (lambda: template(), "at least one stage"),
    "key not an identifier": (lambda: template(stage("go out")), "not a plain identifier"),
    "key reserved": (lambda: template(stage("suspended")), "reserved for a state"),
    "key twice": (lambda: template(stage("a"), stage("a")), "used twice"),
    "key too long": (lambda: template(stage("a" * 201)), "longer than 200 characters"),
    "stage unnamed": (lambda: template(stage("a", en=" ")), "needs a Chinese and English"),
    "no purpose": (lambda: template(stage("a", purpose="")), "purpose"),
    "no default goal": (lambda: template(stage("a", goals=[])), "goals of stage a"),
    "goal without indicator": (
        lambda: template(stage("a", goals=[attrs.evolve(GOAL, indicator=" ")])),
        "indicator in stage a",
    ),
    "goal key twice": (lambda: template(stage("a", goals=[GOAL, GOAL])), "visits"),
    "negative target": (
        lambda: template(stage("a", goals=[attrs.evolve(GOAL, target=-1)])),
        "target of goal visits",
    ),
}


def test_a_goal_refuses_a_target_that_is_not_a_whole_number_at_construction() -> None:
    for target in (1.5, True, "3", None):
        with pytest.raises(cg.WrongType) as refused:
            attrs.evolve(GOAL, target=target)
        assert (refused.value.field, refused.value.value) == ("target", target)


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_a_malformed_template_fails_at_construction(case: str) -> None:
    build, message = MALFORMED[case]
    with pytest.raises(cg.DefinitionError) as caught:
        build()
    assert message in str(caught.value)
    assert caught.value.what.startswith("plan template")


@given(cgas.plan_templates())
def test_generated_templates_are_valid_and_ordered(built: cg.PlanTemplate) -> None:
    assert 1 <= len(built.stages) <= 6
    assert len(set(built.keys)) == len(built.keys)
    assert all(built.position(key) == n for n, key in enumerate(built.keys))
    # A template rebuilt from its fields (as replay and snapshots do) is the same value.
    assert cg.PlanTemplate(built.name, built.zh, built.en, built.stages) == built


@given(cgas.goals(), st.integers(0, 20))
def test_a_goal_is_met_on_the_right_side_of_its_target(goal: cg.Goal, value: int) -> None:
    if goal.direction is cg.Direction.AT_LEAST:
        assert goal.met_by(value) == (value >= goal.target)
    else:
        assert goal.met_by(value) == (value <= goal.target)
    assert goal.met_by(goal.target)


_GOALS = cg.FOUR_STAGES.stages[0].goals
_REVIEW = date(2019, 6, 28)

WRONG_TYPES = {
    "stage plan without goals": (
        lambda: cg.StagePlan(stage="speak_up", goals=None, review_on=_REVIEW),  # type: ignore[arg-type]
        "goals",
    ),
    "stage plan's activities as one text": (
        lambda: cg.StagePlan(
            stage="speak_up", goals=_GOALS, review_on=_REVIEW, activities="陪伴聊天"
        ),
        "activities",
    ),
    "stage's goals as None": (
        lambda: cg.Stage(key="a", zh="甲", en="a", purpose="p", goals=None),  # type: ignore[arg-type]
        "goals",
    ),
    "template's stages as None": (
        lambda: cg.PlanTemplate(name="t", zh="甲", en="t", stages=None),  # type: ignore[arg-type]
        "stages",
    ),
    "template's stages as their keys": (
        lambda: cg.PlanTemplate(name="t", zh="甲", en="t", stages=["speak_up"]),  # type: ignore[list-item]
        "stages",
    ),
    "template's name as None": (
        lambda: cg.PlanTemplate(name=None, zh="甲", en="t", stages=cg.FOUR_STAGES.stages),  # type: ignore[arg-type]
        "name",
    ),
    "disclosure's details as one text": (
        lambda: cg.Disclosure(name="周盛", sensitive="社交恐惧症"),
        "sensitive",
    ),
    "disclosure's name as None": (
        lambda: cg.Disclosure(name=None),  # type: ignore[arg-type]
        "name",
    ),
}


@pytest.mark.parametrize("case", list(WRONG_TYPES), ids=list(WRONG_TYPES))
def test_a_record_of_the_plan_refuses_a_field_of_another_type_when_made(case: str) -> None:
    # Never split into its letters, never a bare TypeError or AttributeError.
    build, field = WRONG_TYPES[case]
    with pytest.raises(cg.WrongType) as refused:
        build()
    assert refused.value.field == field


def test_a_record_of_the_plan_takes_any_iterable_where_a_tuple_is_declared() -> None:
    plan = cg.StagePlan(
        stage="speak_up", goals=list(_GOALS), review_on=_REVIEW, activities=["聊天"]
    )
    assert (plan.goals, plan.activities) == (_GOALS, ("聊天",))
    assert cg.Disclosure(name="周盛", sensitive=["社交恐惧症"]).sensitive == ("社交恐惧症",)
    template = cg.PlanTemplate(name="t", zh="甲", en="t", stages=list(cg.FOUR_STAGES.stages))
    assert template.stages == cg.FOUR_STAGES.stages
