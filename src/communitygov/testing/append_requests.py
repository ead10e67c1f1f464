"""Append requests for tests: well-chained events and a matching summary, built in one call."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from communitygov.storage.integrity import GENESIS, chain_hash
from communitygov.storage.records import AppendRequest, NewEvent, Summary

__all__ = ["START", "make_request"]

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
"""Where the events of :func:`make_request` start by default: a stream's version n is at
``START + n minutes``."""


def make_request(
    community_id: str,
    stream_id: str,
    *,
    expected: int = 0,
    count: int = 1,
    previous_hash: str = GENESIS,
    command_id: str | None = None,
    kind: str = "matter",
    state: str = "open",
    due_at: datetime | None = None,
    start: datetime = START,
    type_name: str = "test.happened",
) -> AppendRequest:
    """An append of ``count`` well-chained events to a stream at version ``expected``.

    The events' data records their stream and version, so a test can tell them apart.
    """
    events = []
    previous = previous_hash
    for version in range(expected + 1, expected + count + 1):
        at = start + timedelta(minutes=version)
        data = f'{{"n":{version},"stream":"{stream_id}","text":"公示 ✓"}}'
        previous = chain_hash(previous, stream_id, version, type_name, 1, at, data)
        events.append(NewEvent(type_name, 1, data, at, previous))
    version = expected + count
    summary = Summary(
        community_id=community_id,
        stream_id=stream_id,
        kind=kind,
        version=version,
        state=state,
        title=f"{stream_id} 标题",
        updated_at=start + timedelta(minutes=version),
        snapshot=f'{{"version":{version}}}',
        last_hash=previous,
        due_at=due_at,
        due_what="something due" if due_at else "",
    )
    return AppendRequest(
        community_id=community_id,
        stream_id=stream_id,
        kind=kind,
        expected_version=expected,
        events=tuple(events),
        summary=summary,
        command_id=command_id,
    )
