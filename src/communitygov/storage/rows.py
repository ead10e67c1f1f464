"""What the SQL stores share: their column lists, the one-query load, and rows to records.

Both SQL stores keep the events of one append together, as one row of ``cg_batches``: the
stream, the first and last version, the first and last position, and the events themselves
as a JSON array of ``[type, schema_version, at, hash, data]`` (``data`` is the event's JSON
text, kept as a string so the hash chain's input comes back byte for byte). One row per
append instead of one per event means one index entry per key instead of one per event,
which is most of what a write costs the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from communitygov.errors import DecodeError
from communitygov.storage.records import NewEvent, RecordedEvent, Summary

__all__ = [
    "BATCH_COLUMNS",
    "SUMMARY_COLUMNS",
    "batch_events",
    "events_after",
    "load_query",
    "pack_events",
    "split_loaded",
    "summary_from_row",
]

BATCH_COLUMNS = "community_id, stream_id, first_version, first_position, events"
SUMMARY_COLUMNS = (
    "community_id, stream_id, kind, version, state, title, updated_at, snapshot, last_hash, "
    "due_at, due_what"
)
_SUMMARY_WIDTH = len(SUMMARY_COLUMNS.split(","))

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def pack_events(events: Sequence[NewEvent]) -> str:
    """The ``events`` column of a batch: its events as one JSON array."""
    return _dumps([[e.type, e.schema_version, e.at.isoformat(), e.hash, e.data] for e in events])


def batch_events(row: Sequence[Any]) -> list[RecordedEvent]:
    """The recorded events of a ``cg_batches`` row in :data:`BATCH_COLUMNS` order.

    Raises:
        DecodeError: the ``events`` column is not a list of well-formed events.
    """
    community_id, stream_id, version, position, text = row
    try:
        packed = json.loads(text)
        return [
            RecordedEvent(
                community_id,
                stream_id,
                version + offset,
                position + offset,
                type_name,
                schema_version,
                data,
                datetime.fromisoformat(at),
                hash_,
            )
            for offset, (type_name, schema_version, at, hash_, data) in enumerate(packed)
        ]
    except (ValueError, TypeError) as exc:
        raise DecodeError(
            "stored batch",
            version,
            f"the events of stream {stream_id!r} from version {version} (position {position}) "
            f"cannot be read: {exc}",
        ) from exc


def events_after(
    rows: Sequence[Sequence[Any]], after: Callable[[RecordedEvent], bool]
) -> list[RecordedEvent]:
    """Every event of the batch ``rows`` for which ``after`` holds, in order."""
    return [event for row in rows for event in batch_events(row) if after(event)]


def load_query(placeholder: str) -> str:
    """The one query that loads a stream: its summary joined to the batches holding any
    later events.

    Args:
        placeholder: the driver's parameter marker (``?`` or ``%s``).
    """
    summary = ", ".join(f"s.{column.strip()}" for column in SUMMARY_COLUMNS.split(","))
    batch = ", ".join(f"b.{column.strip()}" for column in BATCH_COLUMNS.split(","))
    return (
        f"SELECT {summary}, {batch} FROM cg_streams s "
        "LEFT JOIN cg_batches b ON b.community_id = s.community_id "
        "AND b.stream_id = s.stream_id AND b.last_version > s.version "
        f"WHERE s.community_id = {placeholder} AND s.stream_id = {placeholder} "
        "ORDER BY b.first_version"
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
    summary = summary_from_row(rows[0], moment)
    batches = [row[width:] for row in rows if row[width] is not None]
    return summary, events_after(batches, lambda event: event.version > summary.version)
