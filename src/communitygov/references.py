"""References between aggregates, checked against the store: what verification adds to the
hash chains and the summaries.

An assistance plan takes effect through a matter (:meth:`AssistancePlan.adopt` is given the
matter), and a fund is opened for a plan (:meth:`Fund.open` is given the plan). Each command
checks the value it is given; nothing in the plan's or the fund's own events shows that the
value was the record the store holds. A plan adopted through a matter decided in memory and
never stored, or stored only up to an earlier step, would read as adopted while the archive
holds no resolution to adopt it; and every record belongs to a community, which a command
is given as a value too. :func:`reference_problems` finds such records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from datetime import datetime
from typing import Any

from communitygov.assistance.adoption import check_adopting_matter
from communitygov.assistance.events import PlanAdopted, PlanAssessed
from communitygov.assistance.fold import Design, revises_design
from communitygov.assistance.plan import AssistancePlan
from communitygov.errors import CommunityGovError, DecodeError
from communitygov.funds.events import FundOpened
from communitygov.funds.fund import Fund, check_plan_takes_a_fund
from communitygov.kernel.events import Event
from communitygov.matters.matter import Matter
from communitygov.organisation.community import Community
from communitygov.people import people_problems
from communitygov.storage.protocol import EventStore
from communitygov.storage.records import Problem, RecordedEvent

__all__ = ["reference_problems"]

Decode = Callable[[RecordedEvent], Event]


def reference_problems(
    store: EventStore,
    community_id: str,
    *,
    decode: Decode,
    context: Any,
    skip: Set[str] = frozenset(),
) -> list[Problem]:
    """One :class:`Problem` for each record of ``community_id`` naming another aggregate that
    the store does not hold as the record says:

    - a plan adopted through a matter the store does not hold in the community, one raised
      only after the adoption, or one whose stored events, up to the adoption, had not
      resolved to adopt that plan, or had decided before the plan's design was last revised
      (the problem is given at the plan's adoption);
    - a fund opened for a plan the store does not hold in the community, one taken in only
      after the opening, one for someone other than the fund's beneficiary, or one whose
      stored events, up to the opening, had not put it in effect (given at the fund's
      opening);
    - a matter, plan or fund of a community the store holds no registration of (given at
      its first event), or one that names someone its community's register, as the store
      holds it, does not hold (given at the first event that does; see
      :func:`~communitygov.people.people_problems`).

    Streams in ``skip`` (found broken already) are neither checked nor followed, and neither
    are streams that cannot be read or replayed (which the hash chains' and the summaries'
    checks report): their damage is not laid at the door of the records that refer to them.

    Args:
        decode: turns a stored event back into an event.
        context: what a matter's replay needs (the procedures matters follow).
    """
    try:
        kinds = {summary.stream_id: summary.kind for summary in store.summaries(community_id)}
    except DecodeError:
        return []
    problems = []
    registered = kinds.get(community_id) == Community.kind
    for stream_id, kind in kinds.items():
        if not registered and kind in _BELONGING and stream_id not in skip:
            problems.append(Problem(community_id, stream_id, 1, _UNREGISTERED.format(kind)))
        if stream_id in skip or kind not in (AssistancePlan.kind, Fund.kind):
            continue
        try:
            recorded = store.read_stream(community_id, stream_id)
            referring = [(r.version, decode(r)) for r in recorded if r.type in _REFERRING]
        except DecodeError:
            continue
        design: Design | None = None
        designed_at = None
        for version, event in referring:
            # A stream referred to that is broken already is reported as itself.
            if isinstance(event, PlanAssessed):
                if revises_design(design, event):
                    designed_at = event.at
                design = (event.needs, event.stages)
                continue
            if isinstance(event, PlanAdopted) and event.matter_id not in skip:
                found = _adoption(
                    store, community_id, stream_id, event, designed_at, kinds, decode, context
                )
            elif isinstance(event, FundOpened) and event.plan_id not in skip:
                found = _opening(store, community_id, event, kinds, decode)
            else:
                continue
            if found:
                problems.append(Problem(community_id, stream_id, version, found))
    if registered:
        belonging = {stream: kind for stream, kind in kinds.items() if kind in _BELONGING}
        problems += people_problems(store, community_id, belonging, decode=decode, skip=skip)
    return problems


_BELONGING = frozenset({Matter.kind, AssistancePlan.kind, Fund.kind})
"""The library's kinds of record that belong to a registered community."""

_UNREGISTERED = (
    "the {} belongs to a community the store does not hold: no community is registered "
    "under its community's id"
)

_REFERRING = frozenset({PlanAdopted.type_name, FundOpened.type_name, PlanAssessed.type_name})
"""The types of the events read (and decoded) alone: those that name another aggregate, and a
plan's assessments (the design its adopting matter must have decided on)."""


def _adoption(
    store: EventStore,
    community_id: str,
    plan_id: str,
    adopted: PlanAdopted,
    designed_at: datetime | None,
    kinds: Mapping[str, str],
    decode: Decode,
    context: Any,
) -> str:
    """What is wrong with the matter a plan's adoption names; empty when nothing."""
    matter_id = adopted.matter_id
    said = f"the plan was adopted through matter {matter_id!r}, which"
    if kinds.get(matter_id) != Matter.kind:
        return f"{said} the store does not hold in community {community_id!r}"
    try:
        recorded = store.read_stream(community_id, matter_id)
        then = [event for event in map(decode, recorded) if event.at <= adopted.at]
        if not then:
            return f"{said} was raised only after the adoption"
        matter = Matter.replay(then, context)
    except (DecodeError, CommunityGovError):  # reported by the summaries' check
        return ""
    try:
        check_adopting_matter(
            matter,
            plan_id=plan_id,
            community_id=community_id,
            at=adopted.at,
            designed_at=designed_at,
        )
    except CommunityGovError as exc:
        return f"{said}, as the store holds it, could not adopt it then: {exc}"
    return ""


def _opening(
    store: EventStore,
    community_id: str,
    opened: FundOpened,
    kinds: Mapping[str, str],
    decode: Decode,
) -> str:
    """What is wrong with the plan a fund's opening names; empty when nothing."""
    plan_id = opened.plan_id
    said = f"the fund was opened for assistance plan {plan_id!r}"
    if kinds.get(plan_id) != AssistancePlan.kind:
        return f"{said}, which the store does not hold in community {community_id!r}"
    try:
        recorded = store.read_stream(community_id, plan_id)
        then = [event for event in map(decode, recorded) if event.at <= opened.at]
    except DecodeError:  # reported by the summaries' check
        return ""
    if recorded and not then:
        return f"{said}, which was taken in only after the opening"
    # What the plan recorded at the very instant of the opening may have come before it or
    # after it (times do not order records of two streams): the opening is reported only if
    # it fits neither.
    before = [event for event in then if event.at < opened.at]
    found = ""
    for events in (then, before) if 0 < len(before) < len(then) else (then,):
        try:
            plan = AssistancePlan.replay(events)
        except CommunityGovError:  # reported by the summaries' check
            return ""
        if plan.beneficiary_id != opened.beneficiary_id:
            return (
                f"the fund was opened for beneficiary {opened.beneficiary_id!r}, but assistance "
                f"plan {plan_id!r} is for {plan.beneficiary_id!r}"
            )
        try:
            check_plan_takes_a_fund(plan, opened.at)
        except CommunityGovError as exc:
            found = (
                found or f"{said}, which, as the store holds it, could not take a fund then: {exc}"
            )
        else:
            return ""
    return found
