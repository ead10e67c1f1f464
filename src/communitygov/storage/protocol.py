"""The store protocol: what an adapter implements for the library to keep its records there.

A store keeps streams of events, one per aggregate, each belonging to one community, and one
summary row per stream with the aggregate's current state. It guarantees:

* **atomic batches with optimistic concurrency**: :meth:`EventStore.append` stores a whole
  batch or nothing, and only if the stream is still at the version the batch was decided
  against; otherwise it raises :class:`~communitygov.errors.ConcurrencyConflict`;
* **one total order per community, with no late gaps**: every event gets the next position in
  its community, and a reader that has seen position N never later finds a new event below N;
* **summaries in the same transaction** as the events they describe;
* **idempotent commands**: an append carrying a command id already stored returns the first
  result and stores nothing;
* **tenancy**: every read names its community and sees nothing of another's;
* **translated errors**: no driver exception escapes; a lost connection is
  :class:`~communitygov.errors.StoreUnavailable`.

The shipped adapters are :class:`~communitygov.storage.memory.MemoryStore`,
:class:`~communitygov.storage.sqlite.SQLiteStore` and
:class:`~communitygov.storage.postgres.PostgresStore`; :mod:`communitygov.testing.conformance`
holds the tests any adapter must pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self, runtime_checkable

from communitygov.storage.records import AppendRequest, AppendResult, RecordedEvent, Summary

__all__ = ["ClosedOnExit", "EventStore"]


@runtime_checkable
class EventStore(Protocol):
    """A place to keep event streams and their summaries."""

    def append(self, request: AppendRequest) -> AppendResult:
        """Store a batch for one stream, all or nothing.

        Returns:
            The stream's new version and the positions given; for a command id already
            stored, the first result with ``duplicate=True`` (nothing new is stored).

        Raises:
            ConcurrencyConflict: the stream is not at ``request.expected_version``.
            StoreUnavailable: the store cannot be reached.
        """
        ...

    def append_many(self, requests: Sequence[AppendRequest]) -> list[AppendResult]:
        """Store several batches in one transaction, all or nothing (a bulk import).

        Raises:
            ConcurrencyConflict: any stream is not at its expected version; nothing is stored.
        """
        ...

    def read_stream(
        self, community_id: str, stream_id: str, after_version: int = 0
    ) -> list[RecordedEvent]:
        """The events of one stream after ``after_version``, oldest first (empty if none; all
        of them for a version below 1)."""
        ...

    def read_all(
        self, community_id: str, after_position: int = 0, limit: int = 1000
    ) -> list[RecordedEvent]:
        """Up to ``limit`` events of the community after ``after_position``, in position order
        (none for a ``limit`` below 1; from the first for a position below 1)."""
        ...

    def load(self, community_id: str, stream_id: str) -> tuple[Summary, list[RecordedEvent]] | None:
        """The stream's summary and any events after the version it describes, or ``None``."""
        ...

    def summaries(
        self,
        community_id: str,
        *,
        kind: str | None = None,
        state: str | None = None,
        due_before: datetime | None = None,
    ) -> list[Summary]:
        """The community's summaries, filtered, ordered by stream id; their times in UTC.

        With ``due_before`` (which must know its offset: ``NaiveDatetime`` otherwise), only
        those due strictly before it, by due time and then stream id."""
        ...

    def command_result(self, community_id: str, command_id: str) -> AppendResult | None:
        """What the append carrying ``command_id`` stored, if it was stored."""
        ...

    def communities(self) -> list[str]:
        """Every community with at least one stream, for verification and exports."""
        ...

    def close(self) -> None:
        """Release the store's resources (never a connection the caller owns); every later
        call raises ``StoreUnavailable``."""
        ...


class ClosedOnExit:
    """A mixin for stores: ``with store:`` closes it when the block ends, as a file does.

    The shipped stores have it; an adapter gets it by inheriting it, and it needs nothing
    but the protocol's :meth:`EventStore.close`, which the adapter defines (the mixin has
    none of its own, so the order of the base classes does not matter).
    """

    if TYPE_CHECKING:

        def close(self) -> None:
            """The store's own :meth:`EventStore.close`."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
