"""What the SQL stores share: their column lists, the one-query load, and rows to records."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from communitygov.storage.records import RecordedEvent, Summary

__all__ = [
    "EVENT_COLUMNS",
    "SUMMARY_COLUMNS",
    "event_from_row",
    "load_query",
    "split_loaded",
    "summary_from_row",
]

EVENT_COLUMNS = "community_id, stream_id, version, position, type, schema_version, data, at, hash"
SUMMARY_COLUMNS = (
    "community_id, stream_id, kind, version, state, title, updated_at, snapshot, last_hash, "
    "due_at, due_what"
)
_SUMMARY_WIDTH = len(SUMMARY_COLUMNS.split(","))


def load_query(placeholder: str) -> str:
    """The one query that loads a stream: its summary joined to any later events.

    Args:
        placeholder: the driver's parameter marker (``?`` or ``%s``).
    """
    summary = ", ".join(f"s.{column.strip()}" for column in SUMMARY_COLUMNS.split(","))
    events = ", ".join(f"e.{column.strip()}" for column in EVENT_COLUMNS.split(","))
    return (
        f"SELECT {summary}, {events} FROM cg_streams s "
        "LEFT JOIN cg_events e ON e.community_id = s.community_id "
        "AND e.stream_id = s.stream_id AND e.version > s.version "
        f"WHERE s.community_id = {placeholder} AND s.stream_id = {placeholder} "
        "ORDER BY e.version"
    )


def event_from_row(row: Sequence[Any]) -> RecordedEvent:
    """A recorded event from a row in :data:`EVENT_COLUMNS` order (``at`` as ISO text)."""
    return RecordedEvent(
        community_id=row[0],
        stream_id=row[1],
        version=row[2],
        position=row[3],
        type=row[4],
        schema_version=row[5],
        data=row[6],
        at=datetime.fromisoformat(row[7]),
        hash=row[8],
    )


def summary_from_row(row: Sequence[Any], moment: Callable[[Any], datetime]) -> Summary:
    """A summary from a row in :data:`SUMMARY_COLUMNS` order; ``moment`` reads a stored time."""
    return Summary(
        community_id=row[0],
        stream_id=row[1],
        kind=row[2],
        version=row[3],
        state=row[4],
        title=row[5],
        updated_at=moment(row[6]),
        snapshot=row[7],
        last_hash=row[8],
        due_at=moment(row[9]) if row[9] is not None else None,
        due_what=row[10],
    )


def split_loaded(
    rows: Sequence[Sequence[Any]], moment: Callable[[Any], datetime]
) -> tuple[Summary, list[RecordedEvent]] | None:
    """The summary and later events from the rows of :func:`load_query`."""
    if not rows:
        return None
    width = _SUMMARY_WIDTH
    later = [event_from_row(row[width:]) for row in rows if row[width] is not None]
    return summary_from_row(rows[0], moment), later
