"""What the SQL stores share: their column lists, rows to records, and every read.

Both SQL stores keep the events of one append together, as one row of ``cg_batches``: the
stream, the first and last version, the first and last position, and the events themselves
in one text column. One row per append instead of one per event means one index entry per key
instead of one per event, which is most of what a write costs the database.

The events column is ASCII-delimited text: events are separated by the record separator
(U+001E) and each event's fields — type, schema version, time (the ISO text the hash chain
was computed over), hash, data — by the unit separator (U+001F). Event data is JSON text,
which never holds either character (JSON escapes every control character in a string), so
nothing needs escaping: packing is a join and reading a split, several times quicker than
JSON for both, and the data comes back byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from communitygov.errors import DecodeError, PersistenceError
from communitygov.kernel.timekeeping import require_aware
from communitygov.storage.arguments import require_texts, require_texts_or_none, require_wholes
from communitygov.storage.records import AppendResult, NewEvent, RecordedEvent, Summary

__all__ = [
    "EVENT_SEPARATOR",
    "FIELD_SEPARATOR",
    "SUMMARY_COLUMNS",
    "SQLReads",
    "pack_events",
]

_BATCH_COLUMNS = (
    "community_id, stream_id, first_version, first_position, last_version, last_position, events"
)
SUMMARY_COLUMNS = (
    "community_id, stream_id, kind, version, state, title, updated_at, snapshot, last_hash, "
    "due_at, due_what"
)
_SUMMARY_WIDTH = len(SUMMARY_COLUMNS.split(","))

EVENT_SEPARATOR = "\x1e"
"""Between the events of a batch: the ASCII record separator."""
FIELD_SEPARATOR = "\x1f"
"""Between the fields of an event: the ASCII unit separator."""


def pack_events(events: Sequence[NewEvent]) -> str:
    """The ``events`` column of a batch.

    Raises:
        PersistenceError: a field holds one of the separators. An :class:`AppendRequest`
            refuses them where it is made; this guards the rows against one that never was
            checked (unpickled from an older version, say).
    """
    text = EVENT_SEPARATOR.join(
        [f"{e.type}\x1f{e.schema_version}\x1f{e.at_text}\x1f{e.hash}\x1f{e.data}" for e in events]
    )
    if text.count(FIELD_SEPARATOR) != 4 * len(events) or text.count(EVENT_SEPARATOR) != max(
        len(events) - 1, 0
    ):
        raise PersistenceError(
            "cannot store a batch whose events' fields hold a U+001E or U+001F control "
            "character (the request was never checked: build it anew)"
        )
    return text


def _batch_events(row: Sequence[Any]) -> list[RecordedEvent]:
    """The recorded events of a ``cg_batches`` row in :data:`_BATCH_COLUMNS` order.

    Raises:
        DecodeError: the ``events`` column is not a list of well-formed events.
    """
    community_id, stream_id, version, position, last_version, last_position, text = row
    unit = FIELD_SEPARATOR
    try:
        if type(community_id) is not str or type(stream_id) is not str:
            raise TypeError("its community or stream column holds a value of another type")
        events = []
        for offset, record in enumerate(text.split(EVENT_SEPARATOR)):
            type_name, schema_version, at, hash_, data = record.split(unit)
            events.append(
                RecordedEvent(
                    community_id,
                    stream_id,
                    version + offset,
                    position + offset,
                    type_name,
                    int(schema_version),
                    data,
                    datetime.fromisoformat(at),
                    hash_,
                )
            )
        # The row's keys say where its events end; a read by those keys must find them all.
        if (last_version, last_position) != (events[-1].version, events[-1].position):
            raise ValueError(
                f"the row says they end at version {last_version} (position "
                f"{last_position}), but they end at version {events[-1].version} (position "
                f"{events[-1].position})"
            )
    except (ValueError, TypeError, AttributeError) as exc:
        raise DecodeError(
            "stored batch",
            version,
            f"its events from version {version} (position {position}) cannot be read: {exc}",
            stream=str(stream_id),
        ) from exc
    return events


def _events_after(
    rows: Sequence[Sequence[Any]], after: Callable[[RecordedEvent], bool]
) -> list[RecordedEvent]:
    """Every event of the batch ``rows`` for which ``after`` holds, in order."""
    return [event for row in rows for event in _batch_events(row) if after(event)]


def _load_query(placeholder: str) -> str:
    """The one query that loads a stream: its summary joined to the batches holding any
    later events.

    Args:
        placeholder: the driver's parameter marker (``?`` or ``%s``).
    """
    summary = ", ".join(f"s.{column.strip()}" for column in SUMMARY_COLUMNS.split(","))
    batch = ", ".join(f"b.{column.strip()}" for column in _BATCH_COLUMNS.split(","))
    return (
        f"SELECT {summary}, {batch} FROM cg_streams s "
        "LEFT JOIN cg_batches b ON b.community_id = s.community_id "
        "AND b.stream_id = s.stream_id AND b.last_version > s.version "
        f"WHERE s.community_id = {placeholder} AND s.stream_id = {placeholder} "
        "ORDER BY b.first_version"
    )


_BIGGEST = 2**63 - 1
"""The largest whole number an SQL parameter holds (``bigint``)."""


def _bounded(number: int) -> int:
    """``number`` within what an SQL parameter holds; no version or position lies beyond."""
    return max(min(number, _BIGGEST), -_BIGGEST)


_SUMMARY_TEXTS = (0, 1, 2, 4, 5, 7, 8, 10)
"""The columns of :data:`SUMMARY_COLUMNS` that hold text."""


def _as_text(value: Any) -> str:
    """A stored key as text: itself, bytes decoded, anything else written out."""
    if type(value) is str:
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _summary_from_row(row: Sequence[Any], moment: Callable[[Any], datetime]) -> Summary:
    """A summary from a row in :data:`SUMMARY_COLUMNS` order; ``moment`` reads a stored time.

    Raises:
        DecodeError: the row holds a value of another type, or a time that cannot be read.
    """
    try:
        if type(row[3]) is not int or any(type(row[i]) is not str for i in _SUMMARY_TEXTS):
            raise TypeError("a column holds a value of another type than its own")
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
    except (ValueError, TypeError, AttributeError) as exc:
        raise DecodeError(
            "stored summary",
            row[3] if type(row[3]) is int else 0,
            str(exc),
            stream=str(row[1]),
        ) from exc


def _split_loaded(
    rows: Sequence[Sequence[Any]], moment: Callable[[Any], datetime]
) -> tuple[Summary, list[RecordedEvent]] | None:
    """The summary and later events from the rows of :func:`_load_query`."""
    if not rows:
        return None
    width = _SUMMARY_WIDTH
    summary = _summary_from_row(rows[0], moment)
    batches = [row[width:] for row in rows if row[width] is not None]
    return summary, _events_after(batches, lambda event: event.version > summary.version)


class SQLReads:
    """The reads of an SQL store, written once for every driver.

    A store inherits this and gives the driver's parameter marker (``MARK``), how a stored
    time comes back (:meth:`_stored_time`) and is passed in (:meth:`_time_argument`), and
    :meth:`_read`, which runs one query and translates the driver's errors.
    """

    MARK: ClassVar[str]
    _queries: ClassVar[dict[str, str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        p = cls.MARK
        cls._queries = {
            "stream": f"SELECT {_BATCH_COLUMNS} FROM cg_batches WHERE community_id = {p} "
            f"AND stream_id = {p} AND last_version > {p} ORDER BY first_version",
            # Every batch holds at least one event: ``limit`` batches hold enough.
            "page": f"SELECT {_BATCH_COLUMNS} FROM cg_batches WHERE community_id = {p} "
            f"AND last_position > {p} ORDER BY last_position LIMIT {p}",
            "load": _load_query(p),
            "command": "SELECT stream_id, version, first_position, last_position "
            f"FROM cg_commands WHERE community_id = {p} AND command_id = {p}",
            "communities": "SELECT DISTINCT community_id FROM cg_streams ORDER BY 1",
        }

    def _read(self, sql: str, parameters: Sequence[Any]) -> list[Any]:
        """The rows of one query.

        Raises:
            StoreUnavailable: the database cannot be read.
        """
        raise NotImplementedError

    @staticmethod
    def _stored_time(value: Any) -> datetime:
        """A time as the driver returns it, as an aware datetime."""
        raise NotImplementedError

    @staticmethod
    def _time_argument(moment: datetime) -> Any:
        """A time as the driver compares it with the stored ones."""
        raise NotImplementedError

    def read_stream(
        self, community_id: str, stream_id: str, after_version: int = 0
    ) -> list[RecordedEvent]:
        """See :meth:`communitygov.storage.protocol.EventStore.read_stream`.

        Raises:
            StoreUnavailable: the database cannot be read.
            DecodeError: a stored batch cannot be read.
        """
        require_texts(community_id=community_id, stream_id=stream_id)
        require_wholes(after_version=after_version)
        after_version = _bounded(after_version)
        rows = self._read(self._queries["stream"], (community_id, stream_id, after_version))
        return _events_after(rows, lambda event: event.version > after_version)

    def read_all(
        self, community_id: str, after_position: int = 0, limit: int = 1000
    ) -> list[RecordedEvent]:
        """See :meth:`communitygov.storage.protocol.EventStore.read_all`.

        Raises:
            StoreUnavailable: the database cannot be read.
            DecodeError: a stored batch cannot be read.
        """
        require_texts(community_id=community_id)
        require_wholes(after_position=after_position, limit=limit)
        after_position, limit = _bounded(after_position), _bounded(max(limit, 0))
        rows = self._read(self._queries["page"], (community_id, after_position, limit))
        # ``limit`` batches hold at least ``limit`` events: read only as many as make the page.
        events: list[RecordedEvent] = []
        for row in rows:
            if len(events) >= limit:
                break
            events += [e for e in _batch_events(row) if e.position > after_position]
        return events[:limit]

    def load(self, community_id: str, stream_id: str) -> tuple[Summary, list[RecordedEvent]] | None:
        """See :meth:`communitygov.storage.protocol.EventStore.load` (one query).

        Raises:
            StoreUnavailable: the database cannot be read.
            DecodeError: the stored summary or a stored batch cannot be read.
        """
        require_texts(community_id=community_id, stream_id=stream_id)
        rows = self._read(self._queries["load"], (community_id, stream_id))
        return _split_loaded(rows, self._stored_time)

    def summaries(
        self,
        community_id: str,
        *,
        kind: str | None = None,
        state: str | None = None,
        due_before: datetime | None = None,
    ) -> list[Summary]:
        """See :meth:`communitygov.storage.protocol.EventStore.summaries`.

        Raises:
            StoreUnavailable: the database cannot be read.
            DecodeError: a stored summary cannot be read.
        """
        require_texts(community_id=community_id)
        require_texts_or_none(kind=kind, state=state)
        if due_before is not None:
            require_aware(due_before, "due_before")
        p = self.MARK
        sql = f"SELECT {SUMMARY_COLUMNS} FROM cg_streams WHERE community_id = {p}"
        parameters: list[Any] = [community_id]
        if kind is not None:
            sql += f" AND kind = {p}"
            parameters.append(kind)
        if state is not None:
            sql += f" AND state = {p}"
            parameters.append(state)
        if due_before is not None:
            sql += f" AND due_at IS NOT NULL AND due_at < {p} ORDER BY due_at, stream_id"
            parameters.append(self._time_argument(due_before))
        else:
            sql += " ORDER BY stream_id"
        return [_summary_from_row(row, self._stored_time) for row in self._read(sql, parameters)]

    def command_result(self, community_id: str, command_id: str) -> AppendResult | None:
        """See :meth:`communitygov.storage.protocol.EventStore.command_result`.

        Raises:
            StoreUnavailable: the database cannot be read.
            DecodeError: the stored command cannot be read.
        """
        require_texts(community_id=community_id, command_id=command_id)
        rows = self._read(self._queries["command"], (community_id, command_id))
        if not rows:
            return None
        stream_id, version, first, last = rows[0]
        if type(stream_id) is not str or any(type(n) is not int for n in (version, first, last)):
            raise DecodeError(
                "stored command",
                0,
                f"command {command_id!r} of community {community_id!r} is stored as "
                f"{tuple(rows[0])!r}, not as a stream and three whole numbers",
                stream=str(stream_id),
            )
        return AppendResult(community_id, stream_id, version, first, last)

    def communities(self) -> list[str]:
        """See :meth:`communitygov.storage.protocol.EventStore.communities`.

        Raises:
            StoreUnavailable: the database cannot be read.
        """
        # A community id stored as another type (an edited SQLite row) is named by its text,
        # so that verifying that community reports its streams rather than passing them over.
        rows = self._read(self._queries["communities"], ())
        return sorted({_as_text(row[0]) for row in rows})
