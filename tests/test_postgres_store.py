"""The PostgreSQL store against a real server.

One throwaway server (:class:`~communitygov.testing.postgres.TemporaryPostgres`) serves the
whole session; every test gets a database of its own. With
``COMMUNITYGOV_TEST_POSTGRES_DSN`` set, that server is used instead (its user needs
``CREATEDB``) and the tests that stop the server are skipped. Without PostgreSQL programs or
psycopg the tests are skipped, except under ``CI=true``, where a missing server fails the run.
"""

from __future__ import annotations

import gc
import glob
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from communitygov.errors import (
    ConcurrencyConflict,
    InvalidCount,
    MissingExtra,
    PersistenceError,
    StoreUnavailable,
)
from communitygov.kernel.aggregate import Decision
from communitygov.storage import open_store
from communitygov.storage.integrity import GENESIS, chain_hash, verify
from communitygov.storage.postgres import SCHEMA_VERSION, PostgresStore
from communitygov.storage.records import AppendRequest, AppendResult, NewEvent, Summary
from communitygov.testing.conformance import StoreContract
from postgres_server import ENV_DSN, Server

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2024, 3, 1, 9, 30, 15, 123456, tzinfo=TZ)


# --- the server and a database per test ---------------------------------------------------


@pytest.fixture
def dsn(postgres_server: Server) -> Iterator[str]:
    """A fresh, empty database for one test."""
    name, fresh = postgres_server.create_database()
    yield fresh
    postgres_server.drop_database(name)


@pytest.fixture
def store(dsn: str) -> Iterator[PostgresStore]:
    opened = PostgresStore(dsn)
    yield opened
    opened.close()


# --- records ------------------------------------------------------------------------------


def request(
    stream: str,
    expected: int = 0,
    count: int = 1,
    *,
    community: str = "sanwan",
    command: str | None = None,
    previous: str = GENESIS,
    kind: str = "matter",
    state: str = "open",
    due: datetime | None = None,
) -> AppendRequest:
    """A batch of ``count`` events with a real hash chain, and the summary after it."""
    events = []
    for version in range(expected + 1, expected + count + 1):
        at = START + timedelta(minutes=version, microseconds=version)
        data = f'{{"n":{version},"text":"第{version}条 \\"quoted\\"\\n"}}'
        previous = chain_hash(previous, stream, version, "Noted", 1, at, data)
        events.append(NewEvent("Noted", 1, data, at, previous))
    summary = Summary(
        community_id=community,
        stream_id=stream,
        kind=kind,
        version=expected + count,
        state=state,
        title=f"“{stream}” 事项",
        updated_at=START + timedelta(minutes=expected + count),
        snapshot=f'{{"version":{expected + count}}}',
        last_hash=previous,
        due_at=due,
        due_what="objections close" if due else "",
    )
    return AppendRequest(community, stream, kind, expected, tuple(events), summary, command)


def positions(store: PostgresStore, community: str = "sanwan") -> list[int]:
    return [event.position for event in store.read_all(community, limit=100_000)]


# --- reading and writing ------------------------------------------------------------------


def test_append_and_read_back(store: PostgresStore) -> None:
    first = request("m1", 0, 3, due=START + timedelta(days=7))
    result = store.append(first)
    assert result == AppendResult("sanwan", "m1", 3, 1, 3)
    second = request("m1", 3, 2, previous=first.summary.last_hash)
    assert store.append(second) == AppendResult("sanwan", "m1", 5, 4, 5)

    events = store.read_stream("sanwan", "m1")
    assert [e.version for e in events] == [1, 2, 3, 4, 5]
    assert [e.position for e in events] == [1, 2, 3, 4, 5]
    sent = first.events + second.events
    for stored, new in zip(events, sent, strict=True):
        assert (stored.type, stored.schema_version, stored.data, stored.hash) == (
            new.type,
            new.schema_version,
            new.data,
            new.hash,
        )
        # The hash chain is over the ISO text: it must come back byte-identical.
        assert stored.at.isoformat() == new.at.isoformat()
    assert store.read_stream("sanwan", "m1", after_version=3) == events[3:]
    assert store.read_stream("sanwan", "nothing") == []
    assert store.read_all("sanwan", after_position=1, limit=2) == events[1:3]
    assert verify(store) == []

    loaded = store.load("sanwan", "m1")
    assert loaded is not None
    summary, later = loaded
    assert summary == second.summary  # datetimes equal by instant
    assert summary.updated_at.tzinfo is not None
    assert later == []
    assert store.load("sanwan", "nothing") is None


def test_summaries_filter_and_order(store: PostgresStore) -> None:
    soon, later = START + timedelta(days=1), START + timedelta(days=5)
    store.append(request("b", kind="matter", state="open", due=later))
    store.append(request("a", kind="matter", state="closed"))
    store.append(request("é", kind="plan", state="open", due=soon))
    store.append(request("Z", kind="matter", state="open", due=soon))

    assert [s.stream_id for s in store.summaries("sanwan")] == ["Z", "a", "b", "é"]  # code points
    assert [s.stream_id for s in store.summaries("sanwan", kind="matter")] == ["Z", "a", "b"]
    assert [s.stream_id for s in store.summaries("sanwan", state="open")] == ["Z", "b", "é"]
    due = store.summaries("sanwan", due_before=START + timedelta(days=30))
    assert [(s.stream_id, s.due_at) for s in due] == [("Z", soon), ("é", soon), ("b", later)]
    assert store.summaries("sanwan", due_before=START.astimezone(UTC)) == []
    assert store.summaries("elsewhere") == []


def test_a_command_id_is_stored_once(store: PostgresStore) -> None:
    first = store.append(request("m1", 0, 2, command="cmd-1"))
    again = store.append(request("m1", 0, 2, command="cmd-1"))
    assert again == attrs.evolve(first, duplicate=True)
    assert positions(store) == [1, 2]
    assert store.command_result("sanwan", "cmd-1") == first
    assert store.command_result("sanwan", "cmd-2") is None
    # Command ids belong to a community.
    other = store.append(request("m1", 0, 1, community="other", command="cmd-1"))
    assert other == AppendResult("other", "m1", 1, 1, 1)


def test_a_stale_expected_version_conflicts_and_stores_nothing(store: PostgresStore) -> None:
    store.append(request("m1", 0, 2))
    with pytest.raises(ConcurrencyConflict) as caught:
        store.append(request("m1", 1, 1, command="late"))
    error = caught.value
    assert (error.community, error.stream, error.expected, error.actual) == ("sanwan", "m1", 1, 2)
    assert isinstance(caught.value.__cause__, Exception)
    with pytest.raises(ConcurrencyConflict):
        store.append(request("m1", 0, 1))
    assert positions(store) == [1, 2]
    assert store.command_result("sanwan", "late") is None


@pytest.mark.parametrize("bulk_threshold", [1, 1_000_000], ids=["copy", "calls"])
def test_append_many_is_all_or_nothing(dsn: str, bulk_threshold: int) -> None:
    store = PostgresStore(dsn, bulk_threshold=bulk_threshold)
    store.append(request("m1", 0, 1))
    batch = [request("m2", 0, 2), request("m3", 0, 1, community="other"), request("m1", 0, 1)]
    with pytest.raises(ConcurrencyConflict) as caught:
        store.append_many(batch)
    error = caught.value
    assert (error.community, error.stream, error.expected, error.actual) == ("sanwan", "m1", 0, 1)
    assert positions(store) == [1]
    assert store.load("sanwan", "m2") is None
    assert store.communities() == ["sanwan"]
    assert store.append_many([]) == []
    store.close()


@pytest.mark.parametrize("bulk_threshold", [1, 1_000_000], ids=["copy", "calls"])
def test_a_refused_append_many_leaves_no_driver_warning(
    dsn: str, bulk_threshold: int, caplog: pytest.LogCaptureFixture
) -> None:
    # A conflict raised in the middle of a psycopg pipeline made psycopg log "error ignored
    # terminating <psycopg.Pipeline ...>" as it left the pipeline: now and then, as the
    # server's answers and the client's sends happened to cross (1 to 3 calls in 100 here).
    store = PostgresStore(dsn, bulk_threshold=bulk_threshold)
    store.append(request("m1", 0, 1))
    with caplog.at_level(logging.WARNING):
        for attempt in range(150):
            after = [request(f"n{attempt}-{n}", 0, 2) for n in range(6)]
            with pytest.raises(ConcurrencyConflict):
                store.append_many([request("m1", 0, 1), *after])
    assert [record.getMessage() for record in caplog.records] == []
    assert positions(store) == [1]
    store.close()


def test_the_copy_path_and_the_function_path_store_the_same(postgres_server: Server) -> None:
    def scenario(store: PostgresStore) -> tuple[Any, ...]:
        zero = request("m0", 0, 2, command="before")
        store.append(zero)
        first = request("m1", 0, 2, command="c1")
        results = store.append_many(
            [
                first,
                request("m1", 2, 1, previous=first.summary.last_hash, state="closed"),
                request("m1", 0, 2, command="c1"),  # the same command again, in the batch
                request("m0", 0, 2, command="before"),  # a command stored before
                request("m0", 0, 1, community="other"),
                request("m2", 0, 0, state="empty"),
                # a stream that existed before the batch
                request("m0", 2, 3, due=START, previous=zero.summary.last_hash),
            ]
        )
        return (
            results,
            store.read_all("sanwan"),
            store.read_all("other"),
            store.summaries("sanwan"),
            store.command_result("sanwan", "c1"),
            store.append(request("m3", 0, 1)),
            verify(store),
        )

    outcomes = []
    for threshold in (1, 1_000_000):
        name, fresh = postgres_server.create_database()
        store = PostgresStore(fresh, bulk_threshold=threshold)
        outcomes.append(scenario(store))
        store.close()
        postgres_server.drop_database(name)
    copied, called = outcomes
    assert copied == called
    results = copied[0]
    assert [r.duplicate for r in results] == [False, False, True, True, False, False, False]
    assert results[0] == attrs.evolve(results[2], duplicate=False)
    assert copied[-1] == []  # verify() finds every chain intact


# --- concurrency --------------------------------------------------------------------------


def test_positions_are_gap_free_under_concurrent_writers(dsn: str) -> None:
    writers, rounds = 4, 15
    stores = [PostgresStore(dsn) for _ in range(writers)]
    errors: list[BaseException] = []
    done = threading.Event()
    seen: list[int] = []

    def write(index: int) -> None:
        try:
            previous, version = GENESIS, 0
            for _ in range(rounds):
                batch = request(f"w{index}", version, 2, previous=previous)
                stores[index].append(batch)
                previous, version = batch.summary.last_hash, version + 2
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def read() -> None:
        reader = PostgresStore(dsn)
        while True:
            finished = done.is_set()
            page = reader.read_all("sanwan", after_position=seen[-1] if seen else 0)
            seen.extend(event.position for event in page)
            if finished and not page:
                break
        reader.close()

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join()
    assert errors == []
    total = writers * rounds * 2
    # A reader following the log never skipped a position that became visible later.
    assert seen == list(range(1, total + 1))
    for index in range(writers):
        events = stores[index].read_stream("sanwan", f"w{index}")
        assert [e.version for e in events] == list(range(1, rounds * 2 + 1))
        assert [e.position for e in events] == sorted(e.position for e in events)
        stores[index].close()


def test_one_winner_per_version_on_one_stream(dsn: str) -> None:
    writers, rounds = 4, 10
    stores = [PostgresStore(dsn) for _ in range(writers)]
    barrier = threading.Barrier(writers)
    outcomes: list[tuple[int, int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def write(index: int) -> None:
        try:
            for _ in range(rounds):
                loaded = stores[index].load("sanwan", "shared")
                version = loaded[0].version if loaded else 0
                previous = loaded[0].last_hash if loaded else GENESIS
                barrier.wait()
                try:
                    stores[index].append(request("shared", version, 1, previous=previous))
                    outcome = "won"
                except ConcurrencyConflict as conflict:
                    outcome = f"lost {conflict.expected}->{conflict.actual}"
                with lock:
                    outcomes.append((version, index, outcome))
                barrier.wait()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for version in range(rounds):
        round_outcomes = sorted(o for v, _, o in outcomes if v == version)
        assert round_outcomes == [f"lost {version}->{version + 1}"] * (writers - 1) + ["won"]
    events = stores[0].read_stream("sanwan", "shared")
    assert [e.version for e in events] == list(range(1, rounds + 1))
    assert positions(stores[0]) == list(range(1, rounds + 1))
    assert verify(stores[0]) == []
    for opened in stores:
        opened.close()


class _ConnectionPerCall:
    """A pool that opens a connection for each call; psycopg closes it when the call ends."""

    def __init__(self, dsn: str, **kwargs: Any) -> None:
        self.dsn, self.kwargs, self.lent = dsn, kwargs, 0

    def connection(self) -> Any:
        import psycopg

        self.lent += 1
        return psycopg.connect(self.dsn, autocommit=True, **self.kwargs)


def test_a_failed_read_on_a_pool_s_connection_is_not_repeated_unless_it_was_lost(
    store: PostgresStore, dsn: str
) -> None:
    import psycopg

    store.append(request("m1", 0, 1))
    pool = _ConnectionPerCall(dsn, options="-c statement_timeout=100")
    pooled = PostgresStore(pool=pool)
    with psycopg.connect(dsn) as locker:
        locker.execute("LOCK TABLE cg_batches IN ACCESS EXCLUSIVE MODE")
        lent = pool.lent
        with pytest.raises(StoreUnavailable, match="statement timeout"):
            pooled.read_all("sanwan")
        assert pool.lent == lent + 1  # the pool closed the connection after the error: not lost
        locker.rollback()
    assert len(pooled.read_all("sanwan")) == 1
    pooled.close()


def test_a_pool_serves_concurrent_writers(dsn: str) -> None:
    from psycopg_pool import ConnectionPool

    with ConnectionPool(dsn, min_size=2, max_size=4, kwargs={"autocommit": True}) as pool:
        store = PostgresStore(pool=pool)
        errors: list[BaseException] = []

        def write(index: int) -> None:
            try:
                for round_ in range(10):
                    store.append(request(f"p{index}", round_, 1))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert positions(store) == list(range(1, 41))
        assert store.append_many([request("q", 0, 1), request("r", 0, 1)])[1].last_position == 42
        store.close()
        with pool.connection() as connection:  # the pool is the application's: still open
            assert connection.execute(
                "SELECT sum(last_position - first_position + 1) FROM cg_batches"
            ).fetchone() == (42,)

    # A pool without autocommit works too: the store runs its own transactions.
    with ConnectionPool(dsn, min_size=1, max_size=1) as pool:
        store = PostgresStore(pool=pool)
        store.append(request("s", 0, 1))
        assert len(store.read_all("sanwan")) == 43
        with pool.connection() as connection:
            assert connection.info.transaction_status.name == "IDLE"


def test_tenancy(store: PostgresStore) -> None:
    store.append(request("shared-id", 0, 2, community="a", command="x", state="open"))
    store.append(request("shared-id", 0, 1, community="b", command="x", state="closed"))
    store.append(request("only-a", 0, 1, community="a"))
    assert [e.community_id for e in store.read_all("a")] == ["a", "a", "a"]
    assert [e.position for e in store.read_all("b")] == [1]  # each community counts from 1
    assert len(store.read_stream("b", "shared-id")) == 1
    assert store.read_stream("b", "only-a") == []
    assert store.load("b", "only-a") is None
    loaded = store.load("b", "shared-id")
    assert loaded is not None
    assert loaded[0].state == "closed"
    assert [s.stream_id for s in store.summaries("b")] == ["shared-id"]
    result = store.command_result("b", "x")
    assert result == AppendResult("b", "shared-id", 1, 1, 1)
    assert store.communities() == ["a", "b"]
    assert verify(store) == []


# --- the application's connection ---------------------------------------------------------


def test_a_host_transaction_carries_our_append(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn) as host:  # not autocommit: the application's transactions
        host.execute("CREATE TABLE host_records (note text)")
        host.commit()
        store = PostgresStore(connection=host)

        host.execute("INSERT INTO host_records VALUES ('rolled back')")
        store.append(request("m1", 0, 2))
        assert host.info.transaction_status.name == "INTRANS"  # we never commit for the host
        assert len(store.read_all("sanwan")) == 2  # our reads join the transaction
        host.rollback()
        assert store.read_all("sanwan") == []

        host.execute("INSERT INTO host_records VALUES ('kept')")
        store.append(request("m1", 0, 2))
        with pytest.raises(ConcurrencyConflict):  # a savepoint: the host's work survives
            store.append(request("m1", 0, 1))
        host.commit()

        outside = PostgresStore(dsn)
        assert positions(outside) == [1, 2]
        with psycopg.connect(dsn) as other:
            assert other.execute("SELECT note FROM host_records").fetchall() == [("kept",)]

        # Idle, the host's connection gets a transaction of our own, committed.
        assert host.info.transaction_status.name == "IDLE"
        store.append(request("m2", 0, 1))
        assert host.info.transaction_status.name == "IDLE"
        assert positions(outside) == [1, 2, 3]
        store.close()
        assert not host.closed
        outside.close()


@pytest.mark.parametrize("factory", ["RawCursor", "ClientCursor"])
def test_a_host_connection_s_cursor_and_row_factories_do_not_matter(dsn: str, factory: str) -> None:
    # A RawCursor takes $1 rather than %s: every call failed with a syntax error.
    import psycopg
    from psycopg.rows import dict_row

    with psycopg.connect(
        dsn, autocommit=True, cursor_factory=getattr(psycopg, factory), row_factory=dict_row
    ) as host:
        store = PostgresStore(connection=host)
        store.append(request("m1", 0, 2))
        found = store.load("sanwan", "m1")
        assert found is not None
        assert found[0].version == 2
        assert [e.version for e in store.read_stream("sanwan", "m1")] == [1, 2]


def test_an_autocommit_host_connection_gets_atomic_batches(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as host:
        store = PostgresStore(connection=host)
        store.append(request("m1", 0, 1))
        with pytest.raises(ConcurrencyConflict):
            store.append_many([request("m2", 0, 1), request("m1", 0, 1)])
        assert positions(store) == [1]
        with host.transaction():
            store.append(request("m2", 0, 1))
            assert host.info.transaction_status.name == "INTRANS"
        assert positions(store) == [1, 2]


def test_a_failed_host_transaction_is_reported(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn) as host:
        store = PostgresStore(connection=host)
        with pytest.raises(psycopg.Error):
            host.execute("SELECT 1/0")
        with pytest.raises(PersistenceError, match="roll it back"):
            store.append(request("m1", 0, 1))
        host.rollback()
        store.append(request("m1", 0, 1))
        host.commit()


# --- opening, schema, faults --------------------------------------------------------------


def test_reopening_sees_everything_and_the_schema_is_created_once(dsn: str) -> None:
    import psycopg

    opened: list[PostgresStore] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            opened.append(PostgresStore(dsn))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    opened[0].append(request("m1", 0, 3, command="c"))
    for store in opened:
        store.close()

    again = PostgresStore(dsn)
    assert positions(again) == [1, 2, 3]
    assert again.command_result("sanwan", "c") == AppendResult("sanwan", "m1", 3, 1, 3)
    again.close()
    with psycopg.connect(dsn) as connection:
        meta = connection.execute("SELECT key, value FROM cg_meta").fetchall()
        assert meta == [("schema_version", str(SCHEMA_VERSION))]
        functions = connection.execute(
            "SELECT count(*) FROM pg_proc WHERE proname = 'cg_append'"
        ).fetchone()
        assert functions == (1,)
        # Batches and summaries up to 8 KB are stored inline, uncompressed.
        options = connection.execute(
            "SELECT relname, reloptions FROM pg_class "
            "WHERE relname IN ('cg_batches', 'cg_streams') ORDER BY relname"
        ).fetchall()
        assert options == [
            ("cg_batches", ["toast_tuple_target=8160"]),
            ("cg_streams", ["toast_tuple_target=8160"]),
        ]
        # The signature the module's Citus instructions give.
        signature = connection.execute(
            "SELECT to_regprocedure('cg_append(text, text, integer, integer, text, text, integer,"
            " text, text, timestamptz, timestamptz, text, text, text, text)') IS NOT NULL"
        ).fetchone()
        assert signature == (True,)
        # Every key and unique constraint is led by community_id (Citus can shard by it).
        keys = connection.execute(
            "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "WHERE c.contype IN ('p', 'u') AND c.conrelid::regclass::text LIKE 'cg\\_%'"
        ).fetchall()
        assert {table for table, _ in keys} >= {
            "cg_batches",
            "cg_streams",
            "cg_commands",
        }
        assert {column for table, column in keys if table != "cg_meta"} == {"community_id"}


def test_a_newer_schema_is_refused(dsn: str) -> None:
    import psycopg

    PostgresStore(dsn).close()
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("UPDATE cg_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreUnavailable, match="schema 99"):
        PostgresStore(dsn)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("UPDATE cg_meta SET value = '²' WHERE key = 'schema_version'")
    with pytest.raises(StoreUnavailable, match="'²', which is not a version this code knows"):
        PostgresStore(dsn)


@pytest.mark.parametrize("encoding", ["EUC_CN", "SQL_ASCII"])
def test_a_database_not_in_utf8_is_refused_before_anything_is_written(
    postgres_server: Server, encoding: str
) -> None:
    # 镕 (in 朱镕基) is not in GB2312: a bare UnicodeEncodeError escaped, and SQL_ASCII gave
    # stored texts back as bytes, which verify then reported as damage.
    import psycopg
    from psycopg.conninfo import make_conninfo

    name = f"cg_test_{encoding.lower()}_{os.getpid()}"
    with psycopg.connect(postgres_server.dsn, autocommit=True) as connection:
        connection.execute(
            f"CREATE DATABASE {name} ENCODING '{encoding}' LC_COLLATE 'C' LC_CTYPE 'C' "
            "TEMPLATE template0".encode()
        )
    try:
        dsn = make_conninfo(postgres_server.dsn, dbname=name)
        with pytest.raises(StoreUnavailable, match=f"the database is encoded in {encoding}"):
            PostgresStore(dsn)
        with psycopg.connect(dsn) as connection:
            assert connection.execute("SELECT to_regclass('cg_meta')").fetchone() == (None,)
    finally:
        postgres_server.drop_database(name)


def test_our_connections_talk_utf8_and_another_client_encoding_is_refused(
    dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    monkeypatch.setenv("PGCLIENTENCODING", "LATIN1")
    plain = request("m1")
    named = attrs.evolve(plain, summary=attrs.evolve(plain.summary, title="朱镕基的提议"))
    with PostgresStore(dsn) as store:  # whatever the environment says
        store.append(named)
        assert [s.title for s in store.summaries("sanwan")] == ["朱镕基的提议"]
    with psycopg.connect(dsn, autocommit=True) as host:
        assert host.info.parameter_status("client_encoding") == "LATIN1"
        with pytest.raises(StoreUnavailable, match="client_encoding is LATIN1"):
            PostgresStore(connection=host)


def test_a_client_encoding_changed_after_opening_is_refused_at_the_next_call(dsn: str) -> None:
    # The store checked the encoding only when it opened: an application that switched its
    # connection to LATIN1 between calls had the store write UTF-8 bytes as LATIN1 text and
    # read them back garbled, even after switching back.
    import psycopg

    plain = request("m1")
    accented = attrs.evolve(plain, summary=attrs.evolve(plain.summary, title="café 朱镕基"))
    with psycopg.connect(dsn, autocommit=True) as host:
        store = PostgresStore(connection=host)
        store.append(accented)
        assert store.load("sanwan", "m1") is not None  # the same query as below
        host.execute("SET client_encoding TO 'LATIN1'")
        with pytest.raises(StoreUnavailable, match="client_encoding is LATIN1"):
            store.append(request("m2"))
        with pytest.raises(StoreUnavailable, match="client_encoding is LATIN1"):
            store.load("sanwan", "m1")
        host.execute("SET client_encoding TO 'UTF8'")
        found = store.load("sanwan", "m1")
        assert found is not None
        assert found[0].title == "café 朱镕基"
        assert store.read_stream("sanwan", "m2") == []
    with psycopg.connect(dsn, autocommit=True, client_encoding="UTF8") as fresh:
        assert fresh.execute("SELECT title FROM cg_streams").fetchall() == [("café 朱镕基",)]


def test_no_page_of_rows_is_held_after_the_call_that_read_it(dsn: str) -> None:
    # The cursor the store keeps for its connection held the last call's whole result (a page
    # of events, every summary) until the next call.
    import gc

    import psycopg

    with psycopg.connect(dsn, autocommit=True) as host:
        store = PostgresStore(connection=host)
        for n in range(5):
            store.append(request(f"m{n}", 0, 3))

        def held() -> list[int]:
            gc.collect()
            return [
                o.pgresult.ntuples
                for o in gc.get_objects()
                if isinstance(o, psycopg.Cursor) and o.connection is host and o.pgresult is not None
            ]

        assert len(store.read_all("sanwan")) == 15
        assert held() == []
        assert len(store.summaries("sanwan")) == 5
        assert held() == []
        # A page of events stored by one append is one row, and is let go of too.
        store.append(request("big", 0, 500))
        assert len(store.read_all("sanwan", after_position=15)) == 500
        assert held() == []
        assert len(store.read_stream("sanwan", "big")) == 500
        assert held() == []
        found = store.load("sanwan", "m1")  # the load's row may stay with the cursor
        assert found is not None
        assert found[0].version == 3
        assert held() in ([], [1])


def test_a_url_is_opened_whatever_the_case_of_its_scheme(dsn: str) -> None:
    from psycopg.conninfo import conninfo_to_dict

    given = conninfo_to_dict(dsn)
    for scheme in ("POSTGRESQL", "Postgres"):
        url = f"{scheme}://{given['user']}@{given['host']}:{given['port']}/{given['dbname']}"
        with open_store(url) as store:
            store.append(request("m1", 0, 1) if scheme == "POSTGRESQL" else request("m2", 0, 1))
    with PostgresStore(dsn) as store:
        assert [s.stream_id for s in store.summaries("sanwan")] == ["m1", "m2"]


def test_bad_arguments_and_a_closed_store(dsn: str) -> None:
    with pytest.raises(StoreUnavailable, match="exactly one"):
        PostgresStore()
    with pytest.raises(StoreUnavailable, match="exactly one"):
        PostgresStore(dsn, pool=object())  # type: ignore[arg-type]
    with pytest.raises(StoreUnavailable, match="invalid DSN"):
        PostgresStore("not a dsn")
    with pytest.raises(StoreUnavailable, match="invalid DSN: bad value for connect_timeout"):
        PostgresStore("postgresql://u@127.0.0.1:1/db?connect_timeout=abc")
    for escaped in ("postgresql://%ff@127.0.0.1:1/db", "postgresql:///db?application_name=%ff"):
        with pytest.raises(StoreUnavailable, match=r"invalid DSN.*can't decode byte 0xff"):
            PostgresStore(escaped)
    with pytest.raises(
        StoreUnavailable, match=re.escape("must be a psycopg.Connection, not <class 'str'>")
    ):
        PostgresStore(connection="not a connection")  # type: ignore[arg-type]
    store = PostgresStore(dsn)
    store.close()
    with pytest.raises(StoreUnavailable, match="closed"):
        store.read_all("sanwan")
    with PostgresStore(dsn) as entered:  # closed when the block ends
        assert entered.read_all("sanwan") == []
    with pytest.raises(StoreUnavailable, match="closed"):
        entered.read_all("sanwan")


def test_a_connection_the_application_closed_is_an_error_even_for_an_empty_append(
    dsn: str,
) -> None:
    import psycopg

    connection = psycopg.connect(dsn, autocommit=True)
    store = PostgresStore(connection=connection)
    assert store.append_many([]) == []
    connection.close()
    for call in (lambda: store.append_many([]), lambda: store.read_all("sanwan")):
        with pytest.raises(StoreUnavailable, match="closed"):
            call()


@pytest.mark.parametrize(
    "name", ["Bad", "x; DROP DATABASE postgres", "", "名", "abc\n", "1st", None]
)
def test_a_throwaway_server_takes_only_plain_database_names(
    name: str | None, postgres_server: Server
) -> None:
    from communitygov.testing.postgres import TemporaryPostgres

    with pytest.raises(
        StoreUnavailable, match=re.escape(f"database name {name!r}: use lower-case")
    ):
        TemporaryPostgres(database=name)
    if postgres_server.temporary is not None:
        with pytest.raises(StoreUnavailable, match="use lower-case letters, digits and _"):
            postgres_server.temporary.create_database(name)
        with pytest.raises(StoreUnavailable, match="use lower-case letters, digits and _"):
            postgres_server.temporary.drop_database(name)


_START_AND_WAIT = """
import time
from communitygov.testing.postgres import TemporaryPostgres
server = TemporaryPostgres(settings={"fsync": "off"})
server.start()
pid = (server.directory / "data" / "postmaster.pid").read_text().split()[0]
print(server.directory, pid, flush=True)
time.sleep(600)
"""


def _needs_the_programs(server: Server) -> None:
    if server.temporary is None:
        pytest.skip("the tests use a server of their own, not the PostgreSQL programs")


def _run(script: str) -> str:
    """Run ``script`` in a fresh interpreter; what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _wait_until_gone(directories: Iterable[str], pid: int | None = None) -> None:
    """Wait up to a minute for the directories, their processes and ``pid`` to go."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        any(Path(d).exists() or _processes_naming(d) for d in directories)
        or (pid is not None and _alive(pid))
    ):
        time.sleep(0.2)


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie nobody has reaped yet does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in command and _alive(int(entry.name)):
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize(
    ("signal_number", "whole_tree"),
    [(signal.SIGTERM, False), (signal.SIGKILL, False), (signal.SIGTERM, True)],
    ids=["SIGTERM", "SIGKILL", "SIGTERM to every process of it, as a service manager sends"],
)
def test_a_throwaway_server_goes_when_the_process_that_started_it_is_killed(
    postgres_server: Server, signal_number: int, whole_tree: bool
) -> None:
    _needs_the_programs(postgres_server)
    child = subprocess.Popen(
        [sys.executable, "-c", _START_AND_WAIT], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    directory, pid = child.stdout.readline().split()
    assert Path(directory).is_dir()
    assert _alive(int(pid))
    for process in _processes_naming(directory) if whole_tree else []:
        os.kill(process, signal_number)  # the watchdog and the server
    child.send_signal(signal_number)
    child.wait(timeout=30)
    _wait_until_gone([directory], int(pid))
    assert not Path(directory).exists()
    assert not _alive(int(pid))
    assert _processes_naming(directory) == []  # the watchdog is gone too


@pytest.mark.parametrize("after", [0.1, 1.0, 2.0])
def test_a_throwaway_server_killed_while_it_starts_leaves_nothing(
    postgres_server: Server, after: float
) -> None:
    _needs_the_programs(postgres_server)
    # A temporary directory of its own (which the server's user can reach), so that no other
    # server's directory is taken for this one's.
    own = Path(tempfile.mkdtemp())
    own.chmod(0o755)
    pattern = str(own / "communitygov-pg-*")
    before = set(glob.glob(pattern))
    child = subprocess.Popen(
        [sys.executable, "-c", _START_AND_WAIT],
        stdout=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(own)},
    )
    deadline = time.monotonic() + 30
    while not set(glob.glob(pattern)) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    made = set(glob.glob(pattern)) - before
    assert made, "the server's directory never appeared"
    time.sleep(after)  # the watchdog starting, initdb at work, the server starting
    child.kill()
    child.wait(timeout=30)
    _wait_until_gone(made)
    for directory in made:
        assert not Path(directory).exists()
        assert _processes_naming(directory) == []
    own.rmdir()


_CLEAN_UP_INTERRUPTED = """
import communitygov.testing.postgres as module
from communitygov.testing.postgres import TemporaryPostgres
server = TemporaryPostgres(settings={"fsync": "off"})
server.start()
print(server.directory, flush=True)
def interrupted(*arguments):
    raise KeyboardInterrupt  # Ctrl-C while pg_ctl stops the server
module.remove = interrupted
try:
    server.cleanup()
except KeyboardInterrupt:
    pass
"""


def test_a_clean_up_that_is_interrupted_is_finished_by_the_watchdog(
    postgres_server: Server,
) -> None:
    _needs_the_programs(postgres_server)
    directory = _run(_CLEAN_UP_INTERRUPTED).strip()
    _wait_until_gone([directory])
    assert not Path(directory).exists()
    assert _processes_naming(directory) == []


_FORK_THEN_CLEAN_UP = """
import os, sys, time
import psycopg
from communitygov.testing.postgres import TemporaryPostgres
server = TemporaryPostgres(settings={"fsync": "off"})
server.start()
child = os.fork()
if child == 0:
    sys.exit(0)  # the forked copy ends normally, running its finalizers
os.waitpid(child, 0)
psycopg.connect(server.dsn).close()  # the server is still there
started = time.monotonic()
server.cleanup()
print(time.monotonic() - started, server.directory)
"""


def test_a_forked_copy_of_the_process_neither_removes_nor_holds_up_the_server(
    postgres_server: Server,
) -> None:
    _needs_the_programs(postgres_server)
    took, directory = _run(_FORK_THEN_CLEAN_UP).split()
    assert float(took) < 9  # not the 10 s after which a watchdog that did not hear is killed
    assert directory == "None"


def test_a_throwaway_server_cleaned_up_leaves_no_process_behind(postgres_server: Server) -> None:
    from communitygov.testing.postgres import TemporaryPostgres

    _needs_the_programs(postgres_server)
    with TemporaryPostgres(settings={"fsync": "off"}) as server:
        directory = server.directory
        assert directory is not None
        assert _processes_naming(str(directory))
    assert server.directory is None
    assert not directory.exists()
    assert _processes_naming(str(directory)) == []


def test_records_the_server_refuses_raise_a_persistence_error(store: PostgresStore) -> None:
    bad = request("m1", 0, 1)
    # A request never checked (unpickled from an older version, say): the server refuses it.
    object.__setattr__(bad.summary, "title", "NUL \x00 byte")
    with pytest.raises(PersistenceError) as caught:
        store.append(bad)
    assert not type(caught.value).__module__.startswith("psycopg")
    assert store.read_all("sanwan") == []


def test_nothing_is_reachable_while_the_server_is_down(postgres_server: Server, dsn: str) -> None:
    server = postgres_server.temporary
    if server is None:
        pytest.skip(f"{ENV_DSN} is set: the tests cannot stop that server")
    from psycopg_pool import ConnectionPool

    store = PostgresStore(dsn)
    first = request("m1", 0, 2, command="before")
    store.append(first)
    # A short wait for a connection: while the server is down the pool has none to give.
    with ConnectionPool(
        dsn, min_size=1, max_size=2, timeout=0.5, kwargs={"autocommit": True}
    ) as pool:
        pooled = PostgresStore(pool=pool)
        assert len(pooled.read_all("sanwan")) == 2
        server.stop()
        try:
            calls: list[Callable[[PostgresStore], object]] = [
                lambda s: s.append(request("m1", 2, 1, previous=first.summary.last_hash)),
                lambda s: s.append_many([request("m2", 0, 1), request("m3", 0, 1)]),
                lambda s: s.append_many([]),
                lambda s: s.read_stream("sanwan", "m1"),
                lambda s: s.read_all("sanwan"),
                lambda s: s.load("sanwan", "m1"),
                lambda s: s.summaries("sanwan"),
                lambda s: s.command_result("sanwan", "before"),
                lambda s: s.communities(),
            ]
            for opened in (store, pooled):
                for call in calls:
                    with pytest.raises(StoreUnavailable) as caught:
                        call(opened)
                    assert type(caught.value) is StoreUnavailable
                    assert caught.value.store == "PostgreSQL"
            with pytest.raises(StoreUnavailable):
                PostgresStore(dsn)
        finally:
            server.start()

        # Back up: the next calls reconnect, and nothing was lost.
        assert positions(store) == [1, 2]
        second = request("m1", 2, 1, previous=first.summary.last_hash)
        assert store.append(second).version == 3
        deadline = time.monotonic() + 60
        while True:  # the pool reconnects in the background, after a back-off
            try:
                assert positions(pooled) == [1, 2, 3]
                break
            except StoreUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert pooled.append(request("m2", 0, 1)).last_position == 4
        assert verify(store) == []

    # A restart while a store is idle goes unnoticed: the dead connection is replaced,
    # before a write and after a read that found it dead.
    server.stop()
    server.start()
    assert store.append(request("m3", 0, 1)).last_position == 5
    server.stop()
    server.start()
    assert positions(store) == [1, 2, 3, 4, 5]
    assert store.load("sanwan", "m3") is not None
    store.close()


def test_an_append_is_one_round_trip(store: PostgresStore, tmp_path: Path) -> None:
    from psycopg import pq

    for index in range(8):  # warm up: psycopg prepares the statement on the fifth call
        store.append(request(f"warm{index}", 0, 1))
    connection = store._owned
    assert connection is not None
    trace = tmp_path / "libpq.trace"
    with trace.open("w") as sink:
        connection.pgconn.trace(sink.fileno())
        connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            for index in range(10):
                store.append(request(f"m{index}", 0, 3, command=f"c{index}"))
        finally:
            connection.pgconn.untrace()
    sent = [line.split("\t") for line in trace.read_text().splitlines()]
    round_trips = sum(1 for line in sent if line[0] == "F" and line[2] in ("Sync", "Query"))
    print(f"\nround trips per append: {round_trips / 10:g}")
    assert round_trips == 10


# --- the facade ---------------------------------------------------------------------------


def test_the_facade_end_to_end(store: PostgresStore, dsn: str) -> None:
    import communitygov as cg
    from communitygov.demo import build_community, decide_plan

    gov = cg.Governance(store)
    community = build_community()
    at = datetime(2019, 1, 2, 9, tzinfo=TZ)
    gov.register_community("sanwan", "三湾街社区", at=at, district="上街区济源路街道")

    def register(pid: str, name: str) -> Callable[[cg.Community], Decision[cg.Community]]:
        return lambda c: c.register_person(pid, name, at=at)

    def appoint(m: Any) -> Callable[[cg.Community], Decision[cg.Community]]:
        return lambda c: c.appoint(m.person_id, m.body, start=m.start, at=at, role=m.role)

    def replay(events: tuple[Any, ...]) -> Callable[[cg.Matter], Decision[cg.Matter]]:
        def command(matter: cg.Matter) -> Decision[cg.Matter]:
            for event in events:
                matter = matter.apply(event)
            return matter, events

        return command

    for pid, person in community.people.items():
        gov.execute(cg.Community, "sanwan", "sanwan", register(pid, person.name))
    for membership in community.memberships:
        gov.execute(cg.Community, "sanwan", "sanwan", appoint(membership))
    stored = gov.community("sanwan")
    assert stored == community
    steps = list(decide_plan(stored))
    gov.create(steps[0][1], command_id="raise-fule")
    for _, (_, events) in steps[1:]:
        gov.execute(cg.Matter, "sanwan", "fule-plan", replay(events))
    final = steps[-1][1][0]
    assert gov.matter("sanwan", "fule-plan") == final
    assert gov.create(steps[0][1], command_id="raise-fule") == steps[0][1][0]  # idempotent
    history = gov.history("sanwan", "fule-plan")
    assert len(history) == final.version
    assert gov.verify() == []
    feed = gov.feed("sanwan", after=50, limit=3)
    assert [item.position for item in feed] == [51, 52, 53]
    summaries = {s.stream_id: s for s in gov.summaries("sanwan")}
    assert summaries["fule-plan"].state == final.state
    reopened = PostgresStore(dsn)
    assert cg.Governance(reopened).matter("sanwan", "fule-plan") == final
    reopened.close()


# --- bulk import --------------------------------------------------------------------------


def test_bulk_import_speed(store: PostgresStore) -> None:
    streams, per_stream = 5_000, 20
    requests = [
        request(f"s{index:05d}", 0, per_stream, community=f"c{index % 10}", command=f"k{index}")
        for index in range(streams)
    ]
    gc.collect()
    started = time.perf_counter()
    results = store.append_many(requests)
    elapsed = time.perf_counter() - started
    total = streams * per_stream
    print(f"\nbulk import: {total} events in {elapsed:.2f} s = {total / elapsed:,.0f} events/s")
    assert len(results) == streams
    for community in (f"c{i}" for i in range(10)):
        last = store.read_all(community, after_position=total // 10 - 1)
        assert [e.position for e in last] == [total // 10]
    assert verify(store, "c3") == []
    assert store.append(request("s00003", per_stream, 1, community="c3")).version == 21


# --- without psycopg ----------------------------------------------------------------------


def test_the_library_imports_without_psycopg() -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "import communitygov, communitygov.storage.postgres as pg\n"
        "import communitygov.testing.postgres\n"
        "from communitygov.errors import MissingExtra\n"
        "try:\n    pg.PostgresStore('dbname=x')\n"
        "except MissingExtra as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "communitygov[postgres]" in done.stdout


def test_missing_psycopg_is_a_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingExtra) as caught:
        PostgresStore("dbname=x")
    assert caught.value.extra == "postgres"
    assert isinstance(caught.value, ImportError)


# --- the conformance kit ------------------------------------------------------------------


class TestPostgresStoreContract(StoreContract):
    """The PostgreSQL store passes the same kit as every other adapter."""

    @pytest.fixture(autouse=True)
    def _server(self, postgres_server: Server) -> Iterator[None]:
        self.server = postgres_server
        self.databases: dict[str, tuple[str, str]] = {}
        yield
        for database, _ in self.databases.values():
            postgres_server.drop_database(database)

    def make_store(self, name: str) -> PostgresStore:
        if name not in self.databases:
            self.databases[name] = self.server.create_database()
        return PostgresStore(self.databases[name][1])


@pytest.mark.parametrize("level", ["REPEATABLE_READ", "SERIALIZABLE"])
def test_an_append_on_a_stale_snapshot_is_a_conflict_not_a_duplicate_position(
    dsn: str, level: str
) -> None:
    import psycopg

    other = PostgresStore(dsn)
    host = psycopg.connect(dsn)
    host.isolation_level = getattr(psycopg.IsolationLevel, level)
    ours = PostgresStore(connection=host)
    host.execute("SELECT 1")  # the host's transaction takes its snapshot here
    other.append(request("m1", 0, 3))  # positions 1..3, committed after that snapshot
    with pytest.raises(ConcurrencyConflict) as refused:
        ours.append(request("m2", 0, 1))
    assert str(refused.value) == (
        "stream 'm2' of community 'sanwan' was at version 0, as expected, in the snapshot of "
        "the transaction the append runs in, but another writer has written since (a REPEATABLE "
        "READ or SERIALIZABLE transaction on PostgreSQL, one that read first on SQLite): retry "
        "in a new transaction"
    )
    host.rollback()
    assert positions(other) == [1, 2, 3]
    assert ours.append(request("m2", 0, 1)).first_position == 4  # a new transaction: fine
    host.commit()
    assert positions(other) == [1, 2, 3, 4]
    other.close()
    host.close()


def test_a_clash_in_a_call_of_several_names_the_request_that_met_it(dsn: str) -> None:
    # The first request (its community untouched) goes in; the second meets the other
    # writer's positions in its community, and the conflict names that second stream.
    import psycopg

    other = PostgresStore(dsn)
    other.append(request("y0", 0, 1, community="dongcun"))
    host = psycopg.connect(dsn)
    host.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    ours = PostgresStore(connection=host, bulk_threshold=10)
    host.execute("SELECT 1")  # the snapshot
    other.append(request("y1", 0, 1, community="dongcun"))
    with pytest.raises(ConcurrencyConflict) as refused:
        ours.append_many([request("x1", 0, 2), request("y2", 0, 1, community="dongcun")])
    assert (refused.value.community, refused.value.stream) == ("dongcun", "y2")
    assert refused.value.expected == 0
    host.rollback()
    assert positions(other) == []
    assert positions(other, "dongcun") == [1, 2]
    other.close()
    host.close()


def test_a_connection_numbered_past_1023_is_kept_across_calls(dsn: str) -> None:
    # select() refuses descriptors from 1024 on, which made every call take a new connection.
    import resource

    import psycopg

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if max(soft, hard) < 1200:
        pytest.skip("cannot open 1,200 files here")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    filler = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        store = PostgresStore(dsn)
        store.append(request("m1", 0, 1))
        backends = set()
        for _ in range(5):
            with psycopg.connect(dsn, autocommit=True) as watcher:
                before = watcher.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                ).fetchall()
            backends.update(pid for (pid,) in before)
            assert [e.version for e in store.read_stream("sanwan", "m1")] == [1]
        assert len(backends) == 1, backends
        store.close()
    finally:
        for fd in filler:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"dsn": 123}, StoreUnavailable, "a DSN is text"),
        ({"dsn": b"host=x"}, StoreUnavailable, "a DSN is text"),
        ({"dsn": "host=\ud800"}, StoreUnavailable, "a DSN holds no NUL or lone surrogate"),
        ({"pool": object()}, StoreUnavailable, "connection()"),
        ({"dsn": "host=x", "bulk_threshold": "4"}, InvalidCount, "bulk_threshold"),
        ({"dsn": "host=x", "bulk_threshold": -1}, InvalidCount, "bulk_threshold"),
    ],
)
def test_arguments_a_postgres_store_cannot_use_are_refused_before_connecting(
    arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(error, match=re.escape(message)):
        PostgresStore(**arguments)  # type: ignore[arg-type]
