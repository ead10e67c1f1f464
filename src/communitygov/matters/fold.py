"""How each event changes a matter: the fold that commands and replay share.

:func:`changes` gives the fields an event changes, with the state the matter's workflow moves
to. Six events change a matter only by the action they record and by being kept in a field;
they are a table entry (:data:`_KEPT`). Each other event type has one function here, which
returns the workflow action the event records and the fields it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from communitygov.errors import DecodeError
from communitygov.kernel.events import Event
from communitygov.kernel.periods import Period
from communitygov.kernel.slots import maker
from communitygov.kernel.timekeeping import in_zone
from communitygov.matters.events import (
    DeliberationHeld,
    ImplementationStarted,
    MatterClosed,
    MatterCompleted,
    MatterWithdrawn,
    ObjectionRaised,
    ObjectionRuled,
    OpinionRecorded,
    ProgressRecorded,
    ResolutionPublicised,
    ResultPublicised,
    SolicitationClosed,
    SolicitationOpened,
)
from communitygov.matters.records import Objection, Opinion, Outcome
from communitygov.publicity.notices import Notice, NoticeKind

if TYPE_CHECKING:
    from communitygov.matters.matter import Matter

__all__ = ["changes"]

_Fold = tuple[str, dict[str, Any]]
"""An event's action in the workflow, and the fields it changes."""


def changes(matter: Matter, event: Event) -> dict[str, Any]:
    """The fields ``event`` changes in ``matter``, its new ``state`` among them.

    Raises:
        DecodeError: ``event`` is not a matter event.
        TransitionNotAllowed: the matter's workflow does not allow the action the event records.
    """
    found: dict[str, Any]
    kept = _KEPT.get(type(event))
    if kept is not None:
        action, field = kept
        found = {field: event} if field else {}
    else:
        fold = _FOLDS.get(type(event))
        if fold is None:
            raise DecodeError(event.type_name, event.schema_version, "not a matter event")
        action, found = fold(matter, event)
    workflow = matter.procedure.workflow
    state = workflow.table.get((matter.state, action))
    found["state"] = workflow.target(matter.state, action) if state is None else state
    return found


def _deliberation_held(matter: Matter, event: DeliberationHeld) -> _Fold:
    if event.outcome is Outcome.ADOPTED:
        action = "adopt"
    else:
        action = "reject_and_end" if event.ends_matter else "reject"
    return action, {"deliberations": (*matter.deliberations, event)}


def _objection_ruled(matter: Matter, event: ObjectionRuled) -> _Fold:
    objections = tuple(
        attrs.evolve(o, upheld=event.upheld, ruling=event.ruling)
        if o.id == event.objection_id
        else o
        for o in matter.objections
    )
    verdict = "upheld 成立" if event.upheld else "dismissed 不成立"
    text = f"Objection {event.objection_id}: {verdict}.\n{event.ruling}"
    if event.lapsed:
        text += (
            "\n同一决议的其他异议随之失效 Other objections to this resolution lapse with it: "
            + ", ".join(event.lapsed)
        )
    notice = _notice(
        matter,
        NoticeKind.OBJECTION_RULING,
        text,
        event.place,
        event.at,
    )
    found = {"objections": objections, "posted": (*matter.posted, notice)}
    return ("uphold_objection" if event.upheld else "dismiss_objection"), found


def _opinion_recorded(matter: Matter, event: OpinionRecorded) -> _Fold:
    opinion = Opinion(event.opinion_id, event.author_id, event.channel, event.stance, event.text)
    return "record_opinion", {"opinions": (*matter.opinions, opinion)}


def _resolution_publicised(matter: Matter, event: ResolutionPublicised) -> _Fold:
    notice = _notice(
        matter,
        NoticeKind.RESOLUTION,
        event.text,
        event.place,
        event.at,
        event.period,
        event.ends_at,
    )
    return "publicise_resolution", {"posted": (*matter.posted, notice)}


def _objection_raised(matter: Matter, event: ObjectionRaised) -> _Fold:
    objection = Objection(
        event.objection_id,
        event.by,
        event.text,
        matter.publicity_round,
        ruling_due=event.ruling_due,
    )
    return "raise_objection", {"objections": (*matter.objections, objection)}


def _progress_recorded(matter: Matter, event: ProgressRecorded) -> _Fold:
    return "record_progress", {"progress": (*matter.progress, event)}


def _result_publicised(matter: Matter, event: ResultPublicised) -> _Fold:
    notice = _notice(
        matter, NoticeKind.RESULT, event.text, event.place, event.at, event.period, event.ends_at
    )
    return "publicise_result", {"posted": (*matter.posted, notice)}


def _notice(
    matter: Matter,
    kind: NoticeKind,
    text: str,
    place: str,
    posted_at: datetime,
    period: Period | None = None,
    ends_at: datetime | None = None,
) -> Notice:
    """A notice ``matter`` posts, its time told in the community's zone (as its period is)."""
    raised = matter.raised
    return _new_notice(
        kind=kind,
        community_id=raised.community_id,
        subject_id=matter.id,
        subject=raised.title,
        text=text,
        place=place,
        posted_at=in_zone(posted_at, raised.timezone),
        period=period,
        ends_at=ends_at,
    )


_new_notice = maker(Notice)
"""Build a ``Notice`` as its ``__init__`` would, only faster (see
:func:`~communitygov.kernel.slots.maker`): the fold builds every notice a matter posts."""

_KEPT: Mapping[type[Event], tuple[str, str]] = {
    SolicitationOpened: ("open_solicitation", "solicitation"),
    SolicitationClosed: ("close_solicitation", ""),
    ImplementationStarted: ("start_implementation", "implementation"),
    MatterCompleted: ("complete", "completion"),
    MatterClosed: ("close", ""),
    MatterWithdrawn: ("withdraw", "withdrawal"),
}
"""The events that change a matter only by the action they record and by being kept in a
field (or none): the action, and the field."""

_FOLDS: Mapping[type[Event], Callable[[Matter, Any], _Fold]] = {
    OpinionRecorded: _opinion_recorded,
    DeliberationHeld: _deliberation_held,
    ResolutionPublicised: _resolution_publicised,
    ObjectionRaised: _objection_raised,
    ObjectionRuled: _objection_ruled,
    ProgressRecorded: _progress_recorded,
    ResultPublicised: _result_publicised,
}
"""How each other event changes a matter: the action it records, and the fields it changes."""
