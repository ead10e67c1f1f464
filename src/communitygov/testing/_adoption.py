"""What the plan and fund strategies share: staffed bodies, a matter that adopts a plan, and a
plan adopted through one."""

from __future__ import annotations

from datetime import datetime, timedelta

from communitygov.assistance.plan import AssistancePlan
from communitygov.assistance.records import StagePlan
from communitygov.kernel.aggregate import Decision
from communitygov.kernel.events import Event
from communitygov.matters.matter import Matter
from communitygov.matters.presets import ONE_SOLICITATION_THREE_DELIBERATIONS
from communitygov.matters.records import Choice, Meeting, MotionSource, Outcome, Vote
from communitygov.organisation.bodies import BodyKind
from communitygov.organisation.community import Community

__all__ = ["adopted", "adopting_matter", "staffed"]

SEATS = {
    BodyKind.PARTY_COMMITTEE: ("pc1", "pc2", "pc3"),
    BodyKind.RESIDENTS_COMMITTEE: ("rc1", "rc2"),
    BodyKind.REPRESENTATIVES_ASSEMBLY: ("rep1", "rep2", "rep3"),
    BodyKind.SUPERVISION_COMMITTEE: ("sup1",),
}
"""Who sits on each body of a generated community; ``pc1`` raises the adopting matter."""
_HOUR = timedelta(hours=1)


def staffed(community: Community, at: datetime) -> Decision[Community]:
    """``community`` with the officers of :data:`SEATS` registered and appointed at ``at``,
    and the events that did it."""
    kept: list[Event] = []
    for body, members in SEATS.items():
        for person in members:
            community, events = community.register_person(person, f"Officer {person}", at=at)
            kept += events
            community, events = community.appoint(person, body, start=at.date(), at=at)
            kept += events
    return community, tuple(kept)


def adopting_matter(
    community: Community, plan_id: str, name: str, detail: str, at: datetime
) -> Decision[Matter]:
    """A matter of :func:`staffed` ``community``, raised at ``at`` about plan ``plan_id``, that
    resolves to adopt it (a plan for ``name``), in effect at the returned matter's ``last_at``
    (its resolution notice has just run its period), with its events."""
    procedure = ONE_SOLICITATION_THREE_DELIBERATIONS
    kept: list[Event] = []

    def keep(decision: Decision[Matter]) -> Matter:
        kept.extend(decision[1])
        return decision[0]

    matter = keep(
        Matter.raise_matter(
            "adopting-matter",
            community=community,
            procedure=procedure,
            title="精准帮扶项目",
            description=f"为{name}({detail})制定精准帮扶方案",
            source=MotionSource.CADRES,
            raised_by="pc1",
            at=at,
            concerns=plan_id,
        )
    )
    matter = keep(matter.open_solicitation(at=at))
    closes_at = matter.solicitation_closes_at
    assert closes_at is not None
    matter = keep(matter.close_solicitation(at=closes_at))
    when = closes_at
    for position, step in enumerate(procedure.steps):
        when += _HOUR
        present = sorted(community.members_of(step.body, community.local_date(when)))
        meeting = Meeting(
            body=step.body,
            present=present,
            votes=[Vote(person, Choice.YES) for person in present],
            outcome=Outcome.ADOPTED,
            plan=f"{name}的四部曲帮扶方案" if position == 0 else None,
        )
        matter = keep(matter.deliberate(meeting, community=community, at=when))
    matter = keep(
        matter.publicise_resolution(
            f"决议:通过{name}的精准帮扶方案。", place="社区公示栏", at=when + _HOUR
        )
    )
    assert matter.resolution is not None
    assert matter.resolution.ends_at is not None
    matter = keep(
        matter.start_implementation(by="pc1", community=community, at=matter.resolution.ends_at)
    )
    return matter, tuple(kept)


def adopted(
    taken_in: Decision[AssistancePlan], community: Community, *, name: str, detail: str
) -> tuple[Decision[Matter], Decision[AssistancePlan]]:
    """The plan just taken in (``taken_in``: the plan and its events), designed with its
    template's default goals and a review every 30 days, and adopted through
    :func:`adopting_matter` raised when the plan was taken in, the moment its resolution
    notice has run its period; with the matter. ``community`` is :func:`staffed`."""
    plan, events = taken_in
    at = plan.opened.at
    matter, matter_events = adopting_matter(community, plan.id, name, detail, at)
    adopted_at = matter.last_at
    assert adopted_at is not None
    review_on = community.local_date(adopted_at)
    design = []
    for stage in plan.template.stages:
        review_on += timedelta(days=30)
        design.append(StagePlan(stage=stage.key, goals=stage.goals, review_on=review_on))
    plan, assessed = plan.assess(["重建社会交往"], design, at=at + _HOUR)
    plan, adoption = plan.adopt(matter, at=adopted_at)
    return (matter, matter_events), (plan, (*events, *assessed, *adoption))
