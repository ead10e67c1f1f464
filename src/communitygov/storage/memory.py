"""The in-memory store: a real adapter for tests, examples and short-lived jobs.

It keeps everything in dictionaries behind one lock, so it is safe to share between threads.
Nothing survives the process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import attrs

from communitygov.errors import ConcurrencyConflict, StoreUnavailable
from communitygov.kernel.timekeeping import require_aware
from communitygov.storage.arguments import require_texts, require_texts_or_none, require_wholes
from communitygov.storage.protocol import ClosedOnExit
from communitygov.storage.records import (
    AppendRequest,
    AppendResult,
    RecordedEvent,
    Summary,
    require_requests,
)

__all__ = ["MemoryStore"]


class _Community:
    """One community's records."""

    def __init__(self) -> None:
        self.events: list[RecordedEvent] = []
        self.streams: dict[str, list[RecordedEvent]] = {}
        self.summaries: dict[str, Summary] = {}
        self.commands: dict[str, AppendResult] = {}


class MemoryStore(ClosedOnExit):
    """Keeps streams and summaries in memory; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._communities: dict[str, _Community] = {}
        self._closed = False

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The lock, held while the store is open.

        Raises:
            StoreUnavailable: the store was closed.
        """
        with self._lock:
            if self._closed:
                raise StoreUnavailable("memory", "the store is closed")
            yield

    def append(self, request: AppendRequest) -> AppendResult:
        """See :meth:`communitygov.storage.protocol.EventStore.append`."""
        return self.append_many([request])[0]

    def append_many(self, requests: Sequence[AppendRequest]) -> list[AppendResult]:
        """See :meth:`communitygov.storage.protocol.EventStore.append_many`."""
        require_requests(requests)
        with self._locked():
            # Per request: its result if its command id was stored before, the index of the
            # request of this call that carried its command id first, or None to store it.
            plan: list[AppendResult | int | None] = []
            versions: dict[tuple[str, str], int] = {}
            commands: dict[tuple[str, str | None], int] = {}
            for index, request in enumerate(requests):
                community = self._communities.get(request.community_id)
                command_id = request.command_id
                command = (request.community_id, command_id)
                if command in commands:
                    plan.append(commands[command])
                    continue
                seen = (
                    community.commands.get(command_id)
                    if community is not None and command_id is not None
                    else None
                )
                if seen is not None:
                    plan.append(attrs.evolve(seen, duplicate=True))
                    continue
                key = (request.community_id, request.stream_id)
                current = versions.get(key)
                if current is None:
                    stream = community.streams.get(request.stream_id, []) if community else []
                    current = len(stream)
                if current != request.expected_version:
                    raise ConcurrencyConflict(
                        request.stream_id,
                        request.expected_version,
                        current,
                        community=request.community_id,
                    )
                versions[key] = current + len(request.events)
                if command_id is not None:
                    commands[command] = index
                plan.append(None)
            results: list[AppendResult] = []
            for request, step in zip(requests, plan, strict=True):
                if step is None:
                    results.append(self._store(request))
                elif isinstance(step, int):
                    results.append(attrs.evolve(results[step], duplicate=True))
                else:
                    results.append(step)
            return results

    def _store(self, request: AppendRequest) -> AppendResult:
        community = self._communities.setdefault(request.community_id, _Community())
        stream = community.streams.setdefault(request.stream_id, [])
        first = len(community.events) + 1
        for offset, new in enumerate(request.events):
            recorded = RecordedEvent(
                community_id=request.community_id,
                stream_id=request.stream_id,
                version=len(stream) + 1,
                position=first + offset,
                type=new.type,
                schema_version=new.schema_version,
                data=new.data,
                at=datetime.fromisoformat(new.at_text),  # as the SQL stores give it back
                hash=new.hash,
            )
            stream.append(recorded)
            community.events.append(recorded)
        community.summaries[request.stream_id] = _in_utc(request.summary)
        result = AppendResult(
            request.community_id,
            request.stream_id,
            len(stream),
            first,
            len(community.events),
        )
        if request.command_id is not None:
            community.commands[request.command_id] = result
        return result

    def read_stream(
        self, community_id: str, stream_id: str, after_version: int = 0
    ) -> list[RecordedEvent]:
        """See :meth:`communitygov.storage.protocol.EventStore.read_stream`."""
        require_texts(community_id=community_id, stream_id=stream_id)
        require_wholes(after_version=after_version)
        with self._locked():
            community = self._communities.get(community_id)
            stream = community.streams.get(stream_id, []) if community else []
            return stream[max(after_version, 0) :]

    def read_all(
        self, community_id: str, after_position: int = 0, limit: int = 1000
    ) -> list[RecordedEvent]:
        """See :meth:`communitygov.storage.protocol.EventStore.read_all`."""
        require_texts(community_id=community_id)
        require_wholes(after_position=after_position, limit=limit)
        with self._locked():
            community = self._communities.get(community_id)
            events = community.events if community else []
            start = max(after_position, 0)
            return events[start : start + max(limit, 0)]

    def load(self, community_id: str, stream_id: str) -> tuple[Summary, list[RecordedEvent]] | None:
        """See :meth:`communitygov.storage.protocol.EventStore.load`."""
        require_texts(community_id=community_id, stream_id=stream_id)
        with self._locked():
            community = self._communities.get(community_id)
            summary = community.summaries.get(stream_id) if community else None
            if community is None or summary is None:
                return None
            return summary, community.streams[stream_id][summary.version :]

    def summaries(
        self,
        community_id: str,
        *,
        kind: str | None = None,
        state: str | None = None,
        due_before: datetime | None = None,
    ) -> list[Summary]:
        """See :meth:`communitygov.storage.protocol.EventStore.summaries`."""
        require_texts(community_id=community_id)
        require_texts_or_none(kind=kind, state=state)
        if due_before is not None:
            require_aware(due_before, "due_before")
        with self._locked():
            community = self._communities.get(community_id)
            found = [
                summary
                for _, summary in sorted(community.summaries.items() if community else [])
                if (kind is None or summary.kind == kind)
                and (state is None or summary.state == state)
                and (
                    due_before is None
                    or (summary.due_at is not None and summary.due_at < due_before)
                )
            ]
        if due_before is not None:
            found.sort(key=lambda summary: (summary.due_at, summary.stream_id))
        return found

    def command_result(self, community_id: str, command_id: str) -> AppendResult | None:
        """See :meth:`communitygov.storage.protocol.EventStore.command_result`."""
        require_texts(community_id=community_id, command_id=command_id)
        with self._locked():
            community = self._communities.get(community_id)
            return community.commands.get(command_id) if community else None

    def communities(self) -> list[str]:
        """See :meth:`communitygov.storage.protocol.EventStore.communities`."""
        with self._locked():
            return sorted(self._communities)

    def close(self) -> None:
        """Drop every record: the store refuses reads and writes from now on."""
        with self._lock:
            self._closed = True
            self._communities = {}


def _in_utc(summary: Summary) -> Summary:
    """``summary`` with its times in UTC, as the SQL stores give them back."""
    due_at = summary.due_at
    return attrs.evolve(
        summary,
        updated_at=summary.updated_at.astimezone(UTC),
        due_at=due_at.astimezone(UTC) if due_at is not None else None,
    )
