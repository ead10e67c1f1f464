"""Summaries checked against their events: what verification adds to the hash chains.

A hash chain covers every stored event, and a summary's version and last hash; it does not
cover what the summary says of its aggregate (state, title, deadline, snapshot), which reads
and queries answer from. :func:`summary_problems` replays each stream of the library's own
kinds and compares what its events make of the aggregate with what its summary says, so an
edited summary, or one written from an aggregate its events do not make, is found as well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from datetime import UTC, datetime
from typing import Any

from communitygov.errors import DecodeError
from communitygov.kernel.aggregate import Aggregate, community_of
from communitygov.kernel.events import Event
from communitygov.snapshots import LIBRARY_AGGREGATES, Snapshots
from communitygov.storage.protocol import EventStore
from communitygov.storage.records import Problem, RecordedEvent, Summary

__all__ = ["AGGREGATES", "summary_problems"]

AGGREGATES: Mapping[str, type[Aggregate]] = {cls.kind: cls for cls in LIBRARY_AGGREGATES}
"""The library's aggregate classes, by the kind their summaries carry."""

_STARTED_BY: Mapping[str, str] = {
    event.type_name: cls.kind for cls in AGGREGATES.values() for event in cls.created_by
}
"""The kind of aggregate each of the library's creating events starts, by its type."""


def summary_problems(
    store: EventStore,
    community_id: str,
    *,
    decode: Callable[[RecordedEvent], Event],
    snapshots: Snapshots,
    context: Any,
    skip: Set[str] = frozenset(),
) -> list[Problem]:
    """One :class:`Problem` for each summary of ``community_id`` that is not what its stream's
    events, replayed, make of the aggregate: the first of its snapshot, state, title,
    deadline and time of the last event that differs, or why the stream cannot be replayed.

    Streams in ``skip`` (found broken already) and of kinds not in :data:`AGGREGATES` are not
    replayed; one of such a kind whose first event is one that starts an aggregate of the
    library (its kind edited) is named. A summary that cannot be read is left to the hash
    chains' verification, which reports it.

    Args:
        decode: turns a stored event back into an event.
        snapshots: reads a summary's snapshot.
        context: what a replay needs (the procedures matters follow).
    """
    try:
        summaries = store.summaries(community_id)
    except DecodeError:
        return []
    problems = []
    for summary in summaries:
        if summary.stream_id in skip:
            continue
        cls = AGGREGATES.get(summary.kind)
        if cls is None:
            detail = _kind_unknown(store, summary)
        else:
            detail = _difference(store, summary, cls, decode, snapshots, context)
        if detail:
            problems.append(Problem(community_id, summary.stream_id, summary.version, detail))
    return problems


def _kind_unknown(store: EventStore, summary: Summary) -> str:
    """For a summary of a kind the library does not know: what is wrong if its stream was
    started by one of the library's own events (its kind edited, say); empty otherwise."""
    first = store.read_stream(summary.community_id, summary.stream_id)[:1]
    made = _STARTED_BY.get(first[0].type) if first else None
    if made is None:
        return ""
    return f"the summary's kind is {summary.kind!r}, but its events make a {made}"


def _difference(
    store: EventStore,
    summary: Summary,
    cls: type[Aggregate],
    decode: Callable[[RecordedEvent], Event],
    snapshots: Snapshots,
    context: Any,
) -> str:
    """What ``summary`` says differently from its events; empty when nothing."""
    try:
        recorded = store.read_stream(summary.community_id, summary.stream_id)
        events = [decode(event) for event in recorded if event.version <= summary.version]
        replayed = cls.replay(events, context)
    except DecodeError as exc:
        return (
            "the stream cannot be replayed to check its summary (a record is damaged, or "
            f"it needs a procedure, calendar or event type not given here): {exc}"
        )
    except Exception as exc:  # an event cannot follow the ones before it, whatever fails
        return (
            f"the stream cannot be replayed: its events do not make a {cls.kind}: "
            f"{type(exc).__name__}: {exc}"
        )
    made_in = community_of(replayed)
    if made_in != summary.community_id:
        return (
            f"the stream is stored in community {summary.community_id!r}, but its events make "
            f"a {cls.kind} of community {made_in!r}"
        )
    try:
        stored = snapshots.thaw(cls, summary)
    except DecodeError as exc:
        return f"the summary's snapshot cannot be read: {exc}"
    if stored is not None and stored != replayed:  # None: of another version, never read
        return f"the summary's snapshot is not the {cls.kind} its events make"
    described = replayed.describe()
    for field, said, made in (
        ("state", summary.state, described.state),
        ("title", summary.title, described.title),
        ("deadline", summary.due_at, described.due_at),
        ("deadline's purpose", summary.due_what, described.due_what),
        ("time", summary.updated_at, replayed.last_at),
    ):
        if not _same(said, made):
            return (
                f"the summary's {field} is {said!r}, but its events make it {made!r} for the "
                f"{cls.kind}"
            )
    return ""


def _same(said: object, made: object) -> bool:
    """Whether a summary's field says what the events make: times as instants, since Python
    never finds a time in a zone's gap or fold equal to one in another zone (a deadline at a
    local midnight that a change of clocks skips, stored in UTC)."""
    if isinstance(said, datetime) and isinstance(made, datetime):
        return said.astimezone(UTC) == made.astimezone(UTC)
    return said == made
