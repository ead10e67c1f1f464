"""Odd input at a store's boundary: every shipped store answers alike, with a library error or
the plain answer, never a driver's or Python's own exception."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import communitygov as cg
from communitygov.testing.conformance import make_request

HUGE = [2**63, 2**63 - 1, 2**70, -(2**63) - 1, -(2**70)]


def test_reads_past_the_largest_number_a_column_holds_answer_plainly(
    any_store: cg.EventStore,
) -> None:
    any_store.append(make_request("c1", "s1", count=3))
    for number in HUGE:
        expected_all = [] if number > 0 else [1, 2, 3]
        assert [e.position for e in any_store.read_all("c1", after_position=number)] == (
            expected_all
        )
        assert [e.version for e in any_store.read_stream("c1", "s1", number)] == expected_all
        expected_page = [1, 2, 3] if number > 0 else []
        assert [e.position for e in any_store.read_all("c1", limit=number)] == expected_page


def test_a_text_no_store_can_hold_finds_nothing(any_store: cg.EventStore) -> None:
    # A lone surrogate is refused in every request, so no stored id holds one.
    any_store.append(make_request("c1", "s1"))
    lone = "s\udcff"
    assert any_store.read_stream("c1", lone) == []
    assert any_store.read_all(lone) == []
    assert any_store.load("c1", lone) is None
    assert any_store.summaries(lone, kind=lone) == []
    assert any_store.command_result("c1", lone) is None
    assert [e.stream_id for e in any_store.read_all("c1")] == ["s1"]


def test_something_else_than_a_request_is_refused_and_nothing_is_stored(
    any_store: cg.EventStore,
) -> None:
    good = make_request("c1", "s1")
    for requests in ([good, "not a request"], [None]):
        with pytest.raises(cg.MalformedRequest) as refused:
            any_store.append_many(requests)  # type: ignore[arg-type]
        assert refused.value.stream is None
        assert refused.value.field == f"request {len(requests)}"
    with pytest.raises(cg.MalformedRequest, match="request 1 is 42"):
        any_store.append(42)  # type: ignore[arg-type]
    assert any_store.read_all("c1") == []
    assert any_store.append(good).version == 1


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1, 1, 4)))
def test_times_a_day_inside_the_years_1_to_9999_are_taken(moment: datetime) -> None:
    # The boundary: 0001-01-02T00:00Z is the earliest instant a request holds.
    at = moment.replace(tzinfo=UTC)
    request = make_request("c1", "s1")
    if at >= datetime(1, 1, 2, tzinfo=UTC):
        assert make_request("c1", "s1", due_at=at).summary.due_at == at
    else:
        with pytest.raises(cg.MalformedRequest, match="summary's due_at"):
            make_request("c1", "s1", due_at=at)
    assert request.summary.due_at is None


def test_a_host_connection_with_its_own_row_factory_is_served(tmp_path: Path) -> None:
    host = sqlite3.connect(tmp_path / "host.db", isolation_level=None)
    host.row_factory = sqlite3.Row
    store = cg.SQLiteStore(connection=host)
    result = store.append(make_request("c1", "s1", count=2))
    assert (result.version, result.last_position) == (2, 2)
    assert [e.version for e in store.read_stream("c1", "s1")] == [1, 2]
    assert store.summaries("c1")[0].stream_id == "s1"
    assert cg.Governance(store).verify() == []
    assert isinstance(host.execute("SELECT 1 AS one").fetchone(), sqlite3.Row)  # still theirs
    host.close()


@pytest.mark.parametrize("recorded", ["²", "x", "-1", "1.5"])
def test_a_recorded_schema_version_that_is_not_a_number_is_refused(
    tmp_path: Path, recorded: str
) -> None:
    path = tmp_path / "odd.db"
    cg.SQLiteStore(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE cg_meta SET value = ? WHERE key = 'schema_version'", (recorded,))
    with pytest.raises(cg.StoreUnavailable, match="not a version this code knows"):
        cg.SQLiteStore(path)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"path": "a\x00b.db"}, "null byte"),
        ({"connection": "not a connection"}, "not an sqlite3 connection"),
    ],
)
def test_a_path_or_connection_sqlite_cannot_use_is_refused(
    arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(cg.StoreUnavailable, match=message):
        cg.SQLiteStore(**arguments)  # type: ignore[arg-type]
