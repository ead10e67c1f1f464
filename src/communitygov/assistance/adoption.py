"""The adoption rule: a plan takes effect only through a matter of 一征三议两公开 that resolved
to adopt it, once that matter's resolution notice has run its period with no objection upheld
("待群众无异议后")."""

from __future__ import annotations

from datetime import datetime

from communitygov.errors import (
    DesignAfterDecision,
    MatterConcernsAnother,
    MatterNotAdopted,
    ObjectionsPending,
    PeriodNotElapsed,
    WrongCommunity,
)
from communitygov.matters.matter import Matter
from communitygov.matters.procedure import MatterState

__all__ = ["check_adopting_matter"]

_IN_EFFECT = frozenset(
    {
        MatterState.IMPLEMENTING,
        MatterState.COMPLETED,
        MatterState.RESULT_PUBLICITY,
        MatterState.CLOSED,
    }
)
"""States a matter reaches only after its resolution took effect."""


def check_adopting_matter(
    matter: Matter,
    *,
    plan_id: str,
    community_id: str,
    at: datetime,
    designed_at: datetime | None,
) -> None:
    """Check that ``matter`` can adopt plan ``plan_id`` of ``community_id`` at ``at``: it was
    raised about that plan, it decided on the plan's design as last revised (at
    ``designed_at``; ``None`` when the plan has no design), and its resolution is in effect.

    The matter's resolution is in effect from the end of its resolution notice's period, once
    no objection awaits a ruling (an upheld objection has already sent the matter back): at
    ``at`` the period must have ended, whether the matter is still listed in resolution
    publicity or has gone on to implementation and beyond.

    Raises:
        WrongCommunity: the matter belongs to another community.
        MatterConcernsAnother: the matter was raised about something else than the plan (a
            matter stored before matters named what they concern is taken as raised about it).
        MatterNotAdopted: the matter has not resolved to adopt, or was rejected or withdrawn.
        PeriodNotElapsed: its resolution notice is still up at ``at`` (``at`` is earlier than
            the end of its period, even if the matter has gone on since).
        ObjectionsPending: an objection to the resolution awaits a ruling.
        DesignAfterDecision: the plan's design was revised after the matter's deciding meeting
            (the last meeting it held): the matter did not decide that design.
    """
    if matter.community_id != community_id:
        raise WrongCommunity(community_id, matter.community_id)
    concerns = matter.concerns
    if concerns is not None and concerns != plan_id:  # None: raised before matters named it
        raise MatterConcernsAnother(matter.id, concerns, plan_id)
    state = matter.state
    resolution = matter.resolution
    if resolution is None or (
        state not in _IN_EFFECT and state != MatterState.RESOLUTION_PUBLICITY
    ):
        raise MatterNotAdopted(matter.id, state)
    ends_at = resolution.ends_at
    if ends_at is None or at < ends_at:
        raise PeriodNotElapsed(
            f"resolution publicity of matter {matter.id!r}", ends_at or resolution.posted_at, at
        )
    pending = matter.pending_objections()
    if pending:
        raise ObjectionsPending(objection.id for objection in pending)
    decided_at = matter.deliberations[-1].at
    if designed_at is not None and designed_at > decided_at:
        raise DesignAfterDecision(plan_id, matter.id, designed_at, decided_at)
