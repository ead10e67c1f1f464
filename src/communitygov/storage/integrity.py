"""Tamper evidence: each stored event carries a hash chained over the previous one in its stream.

Verification recomputes every chain, checks that it ends where its stream's summary says, and
names the first stream and version that no longer match, so an event altered, removed (the
last ones too) or reordered by hand is found.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime

from communitygov.errors import DecodeError, PersistenceError
from communitygov.storage.protocol import EventStore
from communitygov.storage.records import Problem, RecordedEvent

__all__ = ["GENESIS", "chain_hash", "chain_hash_formatted", "verify"]

GENESIS = "0" * 64
"""The "previous hash" of a stream's first event."""


def chain_hash(
    previous: str,
    stream_id: str,
    version: int,
    type_name: str,
    schema_version: int,
    at: datetime,
    data: str,
) -> str:
    """The SHA-256 hash of an event chained to ``previous`` (hex)."""
    return chain_hash_formatted(
        previous, stream_id, version, type_name, schema_version, at.isoformat(), data
    )


def chain_hash_formatted(
    previous: str,
    stream_id: str,
    version: int,
    type_name: str,
    schema_version: int,
    at_text: str,
    data: str,
) -> str:
    """:func:`chain_hash` with the time already formatted: ``at_text`` is ``at.isoformat()``.

    This is the one definition of what is hashed, for a writer that has the text at hand.
    """
    text = "\x1f".join(
        (previous, stream_id, str(version), type_name, str(schema_version), at_text, data)
    )
    # A lone surrogate hashes (it is refused by the request that would carry it).
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def verify(store: EventStore, community_id: str | None = None) -> list[Problem]:
    """Check every hash chain of a community (or of every community), that each chain ends
    where its stream's summary says it does, and that the community's positions run on
    without a gap.

    Safe while others write: the summaries are read before the events, so an append that
    lands meanwhile is never taken for damage.

    Returns:
        One :class:`Problem` per broken stream, at the first version that does not match (a
        stream whose last events were removed: the first version missing), and one where the
        community's positions are not consecutive (events of some stream removed, or moved in
        from another community), at the event after the gap; where a stored record cannot be
        read at all, one naming it, after which its community is not checked further (the
        other communities are); an empty list when everything verifies.

    Raises:
        PersistenceError: the store's ``read_all`` gives a page that does not end past the
            position it was asked to read after (an adapter whose positions do not advance),
            rather than paging for ever.
    """
    communities = [community_id] if community_id is not None else store.communities()
    return [problem for community in communities for problem in _verify_or_report(store, community)]


def _verify_or_report(store: EventStore, community: str) -> list[Problem]:
    """The problems of ``community``; where a stored row cannot be read, what was found before
    it and that row, as the community's last problem (what follows it cannot be read in order,
    so it is not checked)."""
    problems: list[Problem] = []
    try:
        _verify(store, community, problems)
    except DecodeError as exc:
        detail = f"a stored record cannot be read: {exc}"
        problems.append(Problem(community, exc.stream or "", exc.version, detail))
    return problems


def _verify(store: EventStore, community: str, problems: list[Problem]) -> None:
    before = {summary.stream_id: summary for summary in store.summaries(community)}
    last: dict[str, tuple[int, str]] = {}  # each chain's end: version, hash
    at_summary: dict[str, str] = {}  # each chain's hash at its summary's version
    broken: set[str] = set()
    position = 0
    for event in _all_events(store, community):
        previous_position, position = position, event.position
        stream = event.stream_id
        if stream in broken:
            continue
        version, previous = last.get(stream, (0, GENESIS))
        detail = _check(event, version, previous)
        if detail:
            broken.add(stream)
            problems.append(Problem(community, stream, event.version, detail))
        elif position != previous_position + 1:  # some stream's events gone, or moved in
            detail = (
                f"its position {position} follows position {previous_position} in the community"
            )
            problems.append(Problem(community, stream, event.version, detail))
        last[stream] = (event.version, event.hash)
        summary = before.get(stream)
        if summary is not None and event.version == summary.version:
            at_summary[stream] = event.hash
    for stream, summary in before.items():
        version, _ = last.get(stream, (0, GENESIS))
        if stream in broken:
            continue
        if version < summary.version:
            broken.add(stream)
            detail = f"the summary is at version {summary.version}; the events end at {version}"
            problems.append(Problem(community, stream, version + 1, detail))
        elif at_summary.get(stream, GENESIS if summary.version == 0 else None) != (
            summary.last_hash
        ):
            broken.add(stream)
            detail = f"the summary's last hash is not that of version {summary.version}"
            problems.append(Problem(community, stream, summary.version, detail))
    # Chains past the summaries read first: written since, or their summary tampered with.
    moved_on = {
        stream: end
        for stream, end in last.items()
        if stream not in broken and (stream not in before or end[0] > before[stream].version)
    }
    if moved_on:
        after = {summary.stream_id: summary for summary in store.summaries(community)}
        for stream, (version, last_hash) in moved_on.items():
            summary = after.get(stream)
            if summary is None:
                detail = "the stream has events but no summary"
                problems.append(Problem(community, stream, version, detail))
            elif summary.version < version:
                detail = f"the summary is at version {summary.version}; the events go on"
                problems.append(Problem(community, stream, summary.version + 1, detail))
            elif summary.version == version and summary.last_hash != last_hash:
                detail = f"the summary's last hash is not that of version {version}"
                problems.append(Problem(community, stream, version, detail))


def _check(event: RecordedEvent, version: int, previous: str) -> str:
    if event.version != version + 1:
        return f"version {event.version} follows version {version}"
    expected = chain_hash(
        previous,
        event.stream_id,
        event.version,
        event.type,
        event.schema_version,
        event.at,
        event.data,
    )
    return "" if expected == event.hash else "the stored event does not match its hash"


def _all_events(store: EventStore, community_id: str) -> Iterator[RecordedEvent]:
    """Every event of the community, page by page.

    Raises:
        PersistenceError: a page asked for after a position ends at or before it: the store
            does not read as the protocol says (``read_all`` returns events after
            ``after_position``, in order), and paging on would never end.
    """
    position = 0
    while True:
        page = store.read_all(community_id, after_position=position, limit=1000)
        if not page:
            return
        yield from page
        last = page[-1].position
        if not (isinstance(last, int) and last > position):
            raise PersistenceError(
                f"the store's read_all({community_id!r}, after_position={position}) ended at "
                f"position {last!r}: a page after a position must end past it, or verification "
                "would read the same events for ever"
            )
        position = last
