"""Stores opened read-only (``read_only=True``): what the shipped SQL stores share.

A store opened read-only reads as any other store does. It never creates, migrates or
changes a table, so opening it leaves the database as it was (for an auditor checking a copy
of the records, a backup on read-only media, a replica, or a tool that only shows). It opens
only a database that already holds this library's tables at the schema the code reads, and
refuses every append with :class:`~communitygov.errors.StoreReadOnly`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from communitygov.errors import StoreReadOnly, StoreUnavailable
from communitygov.storage.records import AppendRequest

__all__ = ["refuse_append", "require_current_schema", "require_flag"]


def require_flag(store: str, read_only: object) -> bool:
    """``read_only`` as given, refused unless it is a ``bool`` (a text ``"false"`` is true).

    Raises:
        StoreUnavailable: naming the value.
    """
    if not isinstance(read_only, bool):
        raise StoreUnavailable(store, f"read_only is True or False, not {read_only!r}")
    return read_only


def require_current_schema(store: str, where: str, found: int, current: int) -> None:
    """Refuse to open read-only a database that is not at the schema this code reads: one
    holding none of our tables (``found == 0``), or one an older version wrote, which only
    a store opened for writing migrates. (A newer schema is refused by each store as always.)

    Raises:
        StoreUnavailable: saying which.
    """
    if found == 0:
        raise StoreUnavailable(
            store, f"{where} holds no communitygov records, so there is nothing to read"
        )
    if found < current:
        raise StoreUnavailable(
            store,
            f"{where} is at schema {found}, which a store opened read-only does not migrate; "
            f"open it once for writing to move it to schema {current}",
        )


def refuse_append(store: str, requests: Sequence[AppendRequest]) -> NoReturn:
    """Refuse an append, naming the first request's stream.

    Raises:
        StoreReadOnly: always.
    """
    first = requests[0] if requests else None
    raise StoreReadOnly(
        store,
        first.community_id if first else None,
        first.stream_id if first else None,
        len(requests),
    )
