"""Storage: matters saved and loaded through the facade, against eventsourcing and raw drivers.

The workload: matters raised and taken through nine commands (ten events), decided in memory,
then saved in **one** append through the facade (``gov.create((matter, events))``: encode the
events, chain their hashes, freeze the snapshot, build the summary, one transaction), then each
loaded by id (``gov.matter``: one query, the summary and any later events, the snapshot thawed).

Candidates, timed in the same run, batch by batch in alternating order (see :mod:`bench`):

``communitygov``
    The facade on :class:`~communitygov.SQLiteStore` (``synchronous=FULL``, the default, and
    ``NORMAL``) or :class:`~communitygov.storage.postgres.PostgresStore`.
``facade, null store``
    The facade's own work alone (encode, hash chain, snapshot, summary) on a store that keeps
    nothing: ``save − this`` is what the store costs.
``eventsourcing``
    The ``eventsourcing`` library's ``Application`` on the same backend with the same durability:
    an ``Aggregate`` that records ten events (created + nine), saved with ``app.save`` once and
    loaded with ``app.repository.get``. Its events carry strings padded so that each stores as
    many bytes as ours on average. On SQLite both libraries use WAL mode; eventsourcing leaves
    ``synchronous`` at SQLite's default (FULL on this build, checked at run time), and for the
    NORMAL rows its connections are given ``PRAGMA synchronous=NORMAL`` as ours are.
``raw sqlite3`` / ``raw psycopg``
    The driver alone writing exactly the rows our store writes (the batch row holding the ten
    events, packed, and the summary row, into the same tables), with positions counted in
    Python: the floor.
``sqlite3, a commit of one small row``
    A transaction per matter that writes one small row into a table of its own: what a commit
    costs at that durability, whatever it holds.

Then a bulk import (an archive of every matter's ``AppendRequest`` replayed with
``append_many`` into an empty store, 1,000 requests per call, and on SQLite with
``SQLiteStore.bulk_import`` into a new file, which the target is checked on), and four
writer threads on distinct streams, after which every event must be there exactly once
(positions 1..N without a gap, every stream versions 1..10) and ``gov.verify()`` must find
nothing.

``python -m bench.storage`` runs it alone; ``python -m bench --only storage`` from the runner.
eventsourcing is a bench-only dependency: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import itertools
import os
import pstats
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC
from functools import partial
from typing import Any

import attrs

from bench import Candidate, interleaved, median, paired_ratio, verdict
from bench.machinery import PROCEDURE, RAISED_AT, Script, bare_community_record
from communitygov import (
    Decision,
    Event,
    Governance,
    Matter,
    MemoryStore,
    MotionSource,
    SQLiteStore,
)
from communitygov.storage.protocol import EventStore
from communitygov.storage.records import AppendRequest, AppendResult, RecordedEvent
from communitygov.storage.rows import pack_events

__all__ = ["main", "run"]

COMMUNITY = "bench"
COMMANDS = 9
EVENTS_PER_MATTER = COMMANDS + 1
BATCH = 150
"""Matters per batch: the candidates take turns every batch."""
IMPORT_CHUNK = 1_000
"""AppendRequests per ``append_many`` call in the bulk import."""
THREADS = 4
THREAD_MATTERS = 5_000
"""At most this many matters in the writer-thread runs (each kind is timed once)."""
QUICK_MATTERS = 300

TARGET_SAVE = {"SQLite": 2.0, "PostgreSQL": 1.5}
TARGET_LOAD = {"SQLite": 3.0, "PostgreSQL": 2.0}
TARGET_IMPORT_EVENTS_PER_S = 100_000


# --- deciding: the domain work, kept out of the save timings ------------------------------


class Decider:
    """Raises matters and takes them through nine commands, in memory."""

    def __init__(self) -> None:
        self.script = Script.build()
        self.commands = self.script.commands()[:COMMANDS]

    def decide(self, matter_id: str) -> Decision[Matter]:
        """A new matter and its ten events: raised, then nine commands."""
        matter, events = Matter.raise_matter(
            matter_id,
            community=self.script.community,
            procedure=PROCEDURE,
            title="修缮楼道",
            description="楼道照明",
            source=MotionSource.RESIDENTS,
            raised_by="p0",
            at=RAISED_AT,
        )
        recorded: list[Event] = list(events)
        for command in self.commands:
            matter, new = command(matter)
            recorded += new
        return matter, tuple(recorded)

    def batch(self, ids: Sequence[str]) -> list[Decision[Matter]]:
        """Decisions for every id."""
        return [self.decide(matter_id) for matter_id in ids]


class CaptureStore(MemoryStore):
    """A store whose appends keep the requests they are given and nothing else (the facade
    alone); the rest of the protocol is the memory store's, over nothing."""

    def __init__(self, keep: bool = True) -> None:
        super().__init__()
        self.keep = keep
        self.requests: list[AppendRequest] = []

    def append(self, request: AppendRequest) -> AppendResult:
        """Keep (or drop) the request."""
        if self.keep:
            self.requests.append(request)
        count = len(request.events)
        return AppendResult(request.community_id, request.stream_id, count, 1, count)


def _settle() -> None:
    """Collect, then freeze what is alive, so the ``gc.collect()`` before every timed batch
    does not walk the archive and the stores' bookkeeping again and again (it is the same for
    every candidate either way; frozen, it costs milliseconds instead of a tenth of a second)."""
    gc.collect()
    gc.freeze()


def _ids(prefix: str) -> Callable[[int], list[str]]:
    counter = itertools.count()

    def take(count: int) -> list[str]:
        return [f"{prefix}{next(counter)}" for _ in range(count)]

    return take


def _governance(store: Any) -> Governance:
    return Governance(store)


def save_all(gov: Governance, decisions: Sequence[Decision[Matter]]) -> int:
    """Create every decided matter through the facade, one append each."""
    create = gov.create
    for decision in decisions:
        create(decision)
    return len(decisions)


# --- eventsourcing -------------------------------------------------------------------------


def _es_classes() -> tuple[type, type]:
    """The eventsourcing application and aggregate (imported here: a bench-only dependency)."""
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class EsMatter(Aggregate):  # type: ignore[misc]
        """A matter: raised, then nine steps, each an event with a few strings."""

        @event("Raised")
        def __init__(self, title: str, description: str, raised_by: str, note: str) -> None:
            self.title = title
            self.state = "raised"
            self.steps = 0

        @event("Stepped")
        def step(self, action: str, by: str, note: str) -> None:
            self.state = action
            self.steps += 1

    return Application, EsMatter


@attrs.define
class EsWorkload:
    """Builds eventsourcing aggregates whose events store as many bytes as ours."""

    aggregate: type
    pad: int = 0

    def build(self, count: int) -> list[Any]:
        """``count`` aggregates with ten pending events each."""
        note = "说" * self.pad
        out = []
        for _ in range(count):
            item = self.aggregate("修缮楼道", "楼道照明", "p0", note)
            for number in range(COMMANDS):
                item.step(f"action{number}", "p0", note)
            out.append(item)
        return out

    def fit(self, app: Any, target_bytes: float) -> float:
        """Choose the padding so a stored event averages ``target_bytes``; return the mean."""

        def mean_bytes() -> float:
            (item,) = self.build(1)
            sizes = [len(app.mapper.to_stored_event(e).state) for e in item.collect_events()]
            return sum(sizes) / len(sizes)

        self.pad = 0
        bare = mean_bytes()
        self.pad = max(0, round((target_bytes - bare) / 3))  # 3 UTF-8 bytes per character
        return mean_bytes()


def es_save(app: Any, aggregates: Sequence[Any]) -> int:
    """Save every aggregate once."""
    save = app.save
    for item in aggregates:
        save(item)
    return len(aggregates)


def es_load(app: Any, ids: Sequence[uuid.UUID]) -> list[Any]:
    """Load every aggregate by id."""
    get = app.repository.get
    return [get(item_id) for item_id in ids]


def es_sqlite_app(application: type, path: str, synchronous: str | None) -> Any:
    """An eventsourcing application on an SQLite file; ``synchronous`` set on every connection."""
    app = application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path})
    if synchronous is not None:
        pool = app.recorder.datastore.pool
        original = pool._create_connection

        def create() -> Any:
            connection = original()
            connection._sqlite_conn.execute(f"PRAGMA synchronous={synchronous}")
            return connection

        pool._create_connection = create
        for connection in list(pool._pool):
            connection._sqlite_conn.execute(f"PRAGMA synchronous={synchronous}")
    return app


def es_sqlite_settings(app: Any) -> tuple[str, int]:
    """The journal mode and synchronous level of an eventsourcing SQLite connection."""
    with app.recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        level = cursor.fetchone()[0]
    return str(mode), int(level)


# --- raw drivers ---------------------------------------------------------------------------


@attrs.frozen
class RawMatter:
    """The rows of one matter as our store writes them, with the stream id left out."""

    count: int
    """How many events the batch holds."""
    events: str
    """The batch's events, packed as the store packs them."""
    summary: tuple[Any, ...]
    """The summary row's columns after community and stream id."""


def raw_template(requests: Sequence[AppendRequest], *, text_times: bool) -> list[RawMatter]:
    """The rows our store writes for each request: times as SQLite's text, or as datetimes
    for PostgreSQL's ``timestamptz`` columns."""
    out = []
    for request in requests:
        s = request.summary
        updated: Any = s.updated_at
        due: Any = s.due_at
        if text_times:
            updated = updated.isoformat()
            due = due.astimezone(UTC).isoformat() if due is not None else None
        out.append(
            RawMatter(
                len(request.events),
                pack_events(request.events),
                (
                    s.kind,
                    s.version,
                    s.state,
                    s.title,
                    updated,
                    s.snapshot,
                    s.last_hash,
                    due,
                    s.due_what,
                ),
            )
        )
    return out


_RAW_BATCH_SQL = (
    "INSERT INTO cg_batches (community_id, last_position, first_position, stream_id, "
    "first_version, last_version, events) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})"
)
_RAW_SUMMARY_SQL = (
    "INSERT INTO cg_streams (community_id, stream_id, kind, version, state, title, updated_at, "
    "snapshot, last_hash, due_at, due_what) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
)


def _batch_row(stream_id: str, first: int, matter: RawMatter) -> tuple[Any, ...]:
    """The batch row of a new stream whose events follow position ``first``."""
    return (COMMUNITY, first + matter.count, first + 1, stream_id, 1, matter.count, matter.events)


class RawSQLite:
    """sqlite3 alone: BEGIN IMMEDIATE, the batch row, the summary row, COMMIT."""

    def __init__(self, path: str, synchronous: str) -> None:
        SQLiteStore(path).close()  # the same tables and indexes as ours
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute(f"PRAGMA synchronous={synchronous}")
        self.connection.execute("CREATE TABLE IF NOT EXISTS bench_commits (stream_id TEXT)")
        self.position = 0
        self.batch_sql = _RAW_BATCH_SQL.format(p="?")
        self.summary_sql = _RAW_SUMMARY_SQL.format(p="?")

    def save(self, batch: Sequence[tuple[str, RawMatter]]) -> int:
        """One transaction per matter."""
        execute = self.connection.execute
        for stream_id, matter in batch:
            execute("BEGIN IMMEDIATE")
            execute(self.batch_sql, _batch_row(stream_id, self.position, matter))
            execute(self.summary_sql, (COMMUNITY, stream_id, *matter.summary))
            execute("COMMIT")
            self.position += matter.count
        return len(batch)

    def tiny(self, batch: Sequence[tuple[str, RawMatter]]) -> int:
        """One transaction per matter that writes a single small row: the cost of a commit
        itself at this durability, below which no store that commits each matter can go."""
        execute = self.connection.execute
        for stream_id, _ in batch:
            execute("BEGIN IMMEDIATE")
            execute("INSERT INTO bench_commits (stream_id) VALUES (?)", (stream_id,))
            execute("COMMIT")
        return len(batch)

    def bulk(self, batch: Sequence[tuple[str, RawMatter]]) -> int:
        """Every row of the batch in one transaction (the bulk-import floor)."""
        batches = []
        summaries = []
        for stream_id, matter in batch:
            batches.append(_batch_row(stream_id, self.position, matter))
            summaries.append((COMMUNITY, stream_id, *matter.summary))
            self.position += matter.count
        with self.connection:
            self.connection.execute("BEGIN IMMEDIATE")
            self.connection.executemany(self.batch_sql, batches)
            self.connection.executemany(self.summary_sql, summaries)
        return sum(matter.count for _, matter in batch)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


class RawPsycopg:
    """psycopg alone, on the tables our store created.

    ``save``: a transaction, the batch row, the summary row, commit (three round trips).
    ``save_multirow``: one statement, the batch's INSERT and the summary's in one ``WITH``
    (one round trip, autocommit). ``bulk``: ``COPY`` of every row, one transaction per chunk.
    """

    def __init__(self, dsn: str) -> None:
        import psycopg

        self.connection = psycopg.connect(dsn, autocommit=True)
        self.position = 0
        self.batch_sql = _RAW_BATCH_SQL.format(p="%s")
        self.summary_sql = _RAW_SUMMARY_SQL.format(p="%s")
        self.multirow_sql = f"WITH b AS ({self.batch_sql}) " + self.summary_sql

    def save(self, batch: Sequence[tuple[str, RawMatter]]) -> int:
        """One transaction per matter: the batch row, then the summary."""
        connection = self.connection
        with connection.cursor() as cursor:
            for stream_id, matter in batch:
                with connection.transaction():
                    cursor.execute(self.batch_sql, _batch_row(stream_id, self.position, matter))
                    cursor.execute(self.summary_sql, (COMMUNITY, stream_id, *matter.summary))
                self.position += matter.count
        return len(batch)

    def save_multirow(self, batch: Sequence[tuple[str, RawMatter]]) -> int:
        """One statement per matter: both rows in one ``WITH``."""
        with self.connection.cursor() as cursor:
            for stream_id, matter in batch:
                cursor.execute(
                    self.multirow_sql,
                    (
                        *_batch_row(stream_id, self.position, matter),
                        COMMUNITY,
                        stream_id,
                        *matter.summary,
                    ),
                )
                self.position += matter.count
        return len(batch)

    def bulk(self, batch: Sequence[tuple[str, RawMatter]]) -> int:
        """Every row of the batch with COPY, in one transaction."""
        count = 0
        with self.connection.transaction(), self.connection.cursor() as cursor:
            with cursor.copy(
                "COPY cg_batches (community_id, last_position, first_position, stream_id, "
                "first_version, last_version, events) FROM STDIN"
            ) as copy:
                for stream_id, matter in batch:
                    copy.write_row(_batch_row(stream_id, self.position, matter))
                    count += matter.count
                    self.position += matter.count
            with cursor.copy(
                "COPY cg_streams (community_id, stream_id, kind, version, state, title, "
                "updated_at, snapshot, last_hash, due_at, due_what) FROM STDIN"
            ) as copy:
                for stream_id, matter in batch:
                    copy.write_row((COMMUNITY, stream_id, *matter.summary))
        return count

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def _named(template: Sequence[RawMatter], ids: Sequence[str]) -> list[tuple[str, RawMatter]]:
    return [(stream_id, template[n % len(template)]) for n, stream_id in enumerate(ids)]


# --- backends ------------------------------------------------------------------------------


@attrs.define
class Backend:
    """Where the candidates store: a name, its durability levels, and how to open each thing.

    ``store``, ``es_app`` and ``raw`` take a label and a level; ``store`` with a label it was
    given before opens the same database again (another connection).
    """

    name: str
    levels: tuple[str, ...]
    """Durability levels compared, the first the default."""
    store: Callable[[str, str], EventStore]
    es_app: Callable[[str, str], Any]
    raw: Callable[[str, str], Any]
    raw_modes: dict[str, str]
    """Raw candidates: their name and the method of the raw writer they time."""
    text_times: bool
    notes: list[str] = attrs.Factory(list)
    importer: Callable[[str, Sequence[AppendRequest]], EventStore] | None = None
    """A bulk import of an archive into a new database, where the store has one."""


_SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


@contextmanager
def sqlite_backend(application: type) -> Iterator[Backend]:
    """SQLite files in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="communitygov-bench-") as directory:

        def path(label: str) -> str:
            return os.path.join(directory, f"{label}.db")

        def store(label: str, level: str) -> EventStore:
            return SQLiteStore(path(label), synchronous=level)

        def es_app(label: str, level: str) -> Any:
            return es_sqlite_app(application, path(label), level)

        def raw(label: str, level: str) -> RawSQLite:
            return RawSQLite(path(label), level)

        mode, level = es_sqlite_settings(es_sqlite_app(application, path("es-probe"), None))
        ours = SQLiteStore(path("probe"))
        our_mode = ours._connection.execute("PRAGMA journal_mode").fetchone()[0]
        our_level = ours._connection.execute("PRAGMA synchronous").fetchone()[0]
        ours.close()
        yield Backend(
            "SQLite",
            ("FULL", "NORMAL"),
            store,
            es_app,
            raw,
            {"raw sqlite3": "save", "sqlite3, a commit of one small row": "tiny"},
            text_times=True,
            importer=lambda label, archive: SQLiteStore.bulk_import(path(label), archive),
            notes=[
                f"SQLite {sqlite3.sqlite_version}, files on {_filesystem(directory)}. "
                f"eventsourcing's connections as it opens them: journal_mode={mode}, "
                f"synchronous={_SYNCHRONOUS.get(level, level)}; ours by default: "
                f"journal_mode={our_mode}, synchronous={_SYNCHRONOUS.get(our_level, our_level)}. "
                "Each row's level is set on all three (ours, eventsourcing's, raw sqlite3).",
            ],
        )


def _filesystem(directory: str) -> str:
    """The mount a directory is on, e.g. ``ext4 /`` (best effort)."""
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            found = [line.split() for line in mounts]
    except OSError:
        return "?"
    best = ("?", "?")
    for fields in found:
        point, kind = fields[1], fields[2]
        if directory.startswith(point) and len(point) >= len(best[1]):
            best = (kind, point)
    return f"{best[0]} {best[1]}"


@contextmanager
def postgres_backend(application: type, show: Callable[[str], None]) -> Iterator[Backend | None]:
    """A throwaway PostgreSQL server, one database per candidate; ``None`` if unavailable."""
    try:
        import psycopg

        from communitygov.storage.postgres import PostgresStore
        from communitygov.testing.postgres import TemporaryPostgres, find_postgres_bin
    except ImportError as exc:
        show(f"PostgreSQL: skipped ({exc}; pip install -e '.[bench]').")
        yield None
        return
    if find_postgres_bin() is None:
        show("PostgreSQL: skipped (initdb and pg_ctl are not installed).")
        yield None
        return
    with TemporaryPostgres() as server:
        created: set[str] = set()

        def database(label: str) -> str:
            name = "b_" + "".join(c if c.isalnum() else "_" for c in label.lower())
            if name not in created:
                server.create_database(name)
                created.add(name)
            return name

        def store(label: str, level: str) -> EventStore:
            return PostgresStore(server.dsn_for(database(label)))

        def es_app(label: str, level: str) -> Any:
            return application(
                env={
                    "PERSISTENCE_MODULE": "eventsourcing.postgres",
                    "POSTGRES_DBNAME": database(label),
                    "POSTGRES_HOST": "127.0.0.1",
                    "POSTGRES_PORT": str(server.port),
                    "POSTGRES_USER": "postgres",
                    "POSTGRES_PASSWORD": "",
                }
            )

        def raw(label: str, level: str) -> RawPsycopg:
            dsn = server.dsn_for(database(label))
            PostgresStore(dsn).close()  # the same tables and indexes as ours
            return RawPsycopg(dsn)

        with psycopg.connect(server.dsn, autocommit=True) as connection:
            settings = {
                name: connection.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                for name in ("server_version", "synchronous_commit", "fsync", "wal_sync_method")
            }
            # A round trip's cost changes as the scheduler places the two processes: it is
            # measured in batches, and the fastest and slowest batch are reported.
            trip_us = []
            for _ in range(10):
                started = time.perf_counter_ns()
                for _ in range(200):
                    connection.execute("SELECT 1")
                trip_us.append((time.perf_counter_ns() - started) / 200 / 1000)
        yield Backend(
            "PostgreSQL",
            ("on",),
            store,
            es_app,
            raw,
            {
                "raw psycopg, transaction, two INSERTs": "save",
                "raw psycopg, one statement": "save_multirow",
            },
            text_times=False,
            notes=[
                f"PostgreSQL {settings['server_version']} on loopback (TemporaryPostgres), "
                f"synchronous_commit={settings['synchronous_commit']}, fsync={settings['fsync']}, "
                f"wal_sync_method={settings['wal_sync_method']}, the same server for all. "
                f"A round trip (SELECT 1) costs {min(trip_us):.0f}–{max(trip_us):.0f} µs here "
                "(10 batches of 200 in a row: the fastest and the slowest).",
            ],
        )


# --- measuring -----------------------------------------------------------------------------


@attrs.frozen
class Figures:
    """What the run found on one backend: table rows and verdicts."""

    backend: str
    rows: list[tuple[str, str, str]]
    verdicts: list[tuple[bool, str]]


def _per_matter(timings: Sequence[int], count: int) -> list[float]:
    return [t / count for t in timings]


def _line(name: str, ns: float, speedup: float | None = None) -> str:
    rate = f"{1e9 / ns:>10,.0f}/s"
    ratio = f"{speedup:>14.2f}×" if speedup is not None else ""
    return f"  {name:<54}{ns / 1000:>9.0f}{rate}{ratio}"


def _batches(matters: int) -> int:
    """How many batches of about ``BATCH`` matters, dividing ``matters`` exactly."""
    first = max(1, round(matters / BATCH))
    return next(b for b in range(first, matters + 1) if matters % b == 0)


def run_backend(
    backend: Backend,
    decider: Decider,
    es: EsWorkload,
    archive: Sequence[AppendRequest],
    matters: int,
    rounds: int,
    *,
    show: Callable[[str], None] = print,
) -> Figures:
    """Every workload on one backend; print its tables; return its verdicts."""
    batches = _batches(matters)
    batch = matters // batches
    template = raw_template(archive[:batch], text_times=backend.text_times)
    show(
        f"{backend.name}: {matters:,} matters × {EVENTS_PER_MATTER} events, one transaction "
        f"each; {rounds} rounds of {batches} interleaved batches, medians of the rounds."
    )
    for note in backend.notes:
        show(f"  {note}")
    default = backend.levels[0]
    rows: list[tuple[str, str, str]] = []
    verdicts: list[tuple[bool, str]] = []

    # --- save ---
    save: dict[str, Candidate] = {}
    govs: dict[str, Governance] = {}
    es_apps: dict[str, Any] = {}
    es_ids: list[uuid.UUID] = []
    our_ids: list[str] = []
    raws: list[Any] = []
    for level in backend.levels:
        keep = level == default
        gov = govs[level] = _governance(backend.store(f"ours-{level}", level))
        take = _ids(f"{level.lower()}-")

        def our_setup(take: Callable[[int], list[str]] = take, keep: bool = keep) -> Any:
            ids = take(batch)
            if keep and len(our_ids) < matters:
                our_ids.extend(ids)
            return decider.batch(ids)

        save[f"communitygov {level}"] = (our_setup, partial(save_all, gov))
        app = es_apps[level] = backend.es_app(f"es-{level}", level)

        def es_setup(keep: bool = keep) -> Any:
            built = es.build(batch)
            if keep and len(es_ids) < matters:
                es_ids.extend(item.id for item in built)
            return built

        save[f"eventsourcing {level}"] = (es_setup, partial(es_save, app))
        for name, method in backend.raw_modes.items():
            raw = backend.raw(f"{name}-{level}", level)
            raws.append(raw)
            raw_take = _ids("r")
            save[f"{name} {level}"] = (
                lambda raw_take=raw_take: _named(template, raw_take(batch)),
                getattr(raw, method),
            )
    null_gov = _governance(CaptureStore(keep=False))
    null_take = _ids("n")
    save["facade, null store"] = (
        lambda: decider.batch(null_take(batch)),
        partial(save_all, null_gov),
    )
    decide_take = _ids("d")
    save["communitygov: decide"] = (lambda: decide_take(batch), decider.batch)
    save["eventsourcing: decide"] = (lambda: batch, es.build)
    started = time.perf_counter()
    _settle()
    save_t = interleaved(save, rounds, batches)
    save_s = time.perf_counter() - started
    for raw in raws:
        raw.close()

    def per(name: str) -> list[float]:
        return _per_matter(save_t[name], matters)

    show("")
    show(
        f"{'save: 10 events + summary, one transaction':<56}{'µs/matter':>9}{'rate':>12}"
        f"{'× eventsourcing':>15}"
    )
    for level in backend.levels:
        es_ns = per(f"eventsourcing {level}")
        for name in (
            f"communitygov {level}",
            f"eventsourcing {level}",
            *(f"{raw} {level}" for raw in backend.raw_modes),
        ):
            speedup = paired_ratio(es_ns, per(name))
            show(_line(name, median(per(name)), speedup))
            rows.append((f"save, {name}", f"{median(per(name)) / 1000:.0f} µs", f"{speedup:.2f}×"))
    null_ns = median(per("facade, null store"))
    show(_line("facade alone, null store (encode, hash, snapshot, summary)", null_ns))
    show(
        _line(
            "communitygov: decide (raise + 9 commands, no storing)",
            median(per("communitygov: decide")),
        )
    )
    show(
        _line(
            "eventsourcing: decide (create + 9 events, no storing)",
            median(per("eventsourcing: decide")),
        )
    )
    ours = median(per(f"communitygov {default}"))
    theirs = median(per(f"eventsourcing {default}"))
    decide_ns = median(per("communitygov: decide"))
    es_decide = median(per("eventsourcing: decide"))
    show(
        f"  Of our save ({default}), the facade's own work is {null_ns / 1000:.0f} µs and the "
        f"store {(ours - null_ns) / 1000:.0f} µs. End to end (decide + save): communitygov "
        f"{(decide_ns + ours) / 1000:.0f} µs, eventsourcing {(es_decide + theirs) / 1000:.0f} µs "
        f"per matter ({(es_decide + theirs) / (decide_ns + ours):.2f}×)."
    )
    rows.append(("save, facade alone (null store)", f"{null_ns / 1000:.0f} µs", ""))
    rows.append(
        (
            "decide, communitygov / eventsourcing",
            f"{decide_ns / 1000:.0f} / {es_decide / 1000:.0f} µs",
            "",
        )
    )
    target = TARGET_SAVE[backend.name]
    for level in backend.levels:
        es_ns = per(f"eventsourcing {level}")
        speedup = paired_ratio(es_ns, per(f"communitygov {level}"))
        floors = ", ".join(
            f"{raw} {paired_ratio(es_ns, per(f'{raw} {level}')):.2f}×" for raw in backend.raw_modes
        )
        verdicts.append(
            (
                speedup >= target,
                f"save ≥ {target:g}× eventsourcing, {backend.name} {level}: {speedup:.2f}× "
                f"(the raw driver, the floor: {floors})",
            )
        )
        verdicts.append(
            (
                speedup >= 1.0,
                f"save never slower than eventsourcing, {backend.name} {level}: {speedup:.2f}×",
            )
        )

    # --- load ---
    gov = govs[default]
    app = es_apps[default]
    store = gov.store

    def chunks(ids: Sequence[Any]) -> Iterator[Sequence[Any]]:
        return itertools.cycle([ids[i : i + batch] for i in range(0, matters, batch)])

    our_chunks, sql_chunks, es_chunks = chunks(our_ids), chunks(our_ids), chunks(es_ids)
    # The cycles advance together: in a batch every candidate loads the same matters.
    load: dict[str, Candidate] = {
        "communitygov: gov.matter": (
            lambda: next(our_chunks),
            lambda ids: [gov.matter(COMMUNITY, i) for i in ids],
        ),
        "eventsourcing: repository.get": (lambda: next(es_chunks), partial(es_load, app)),
        "communitygov: store.load alone (the query, no thaw)": (
            lambda: next(sql_chunks),
            lambda ids: [store.load(COMMUNITY, i) for i in ids],
        ),
    }
    started = time.perf_counter()
    _settle()
    load_t = interleaved(load, rounds, batches)
    load_s = time.perf_counter() - started
    show("")
    show(f"{'load by id':<56}{'µs/matter':>9}{'rate':>12}{'× eventsourcing':>15}")
    es_ns = _per_matter(load_t["eventsourcing: repository.get"], matters)
    for name in load:
        mine = _per_matter(load_t[name], matters)
        speedup = paired_ratio(es_ns, mine)
        show(_line(name, median(mine), speedup))
        rows.append((f"load, {name}", f"{median(mine) / 1000:.0f} µs", f"{speedup:.2f}×"))
    speedup = paired_ratio(es_ns, _per_matter(load_t["communitygov: gov.matter"], matters))
    target = TARGET_LOAD[backend.name]
    verdicts.append(
        (speedup >= target, f"load ≥ {target:g}× eventsourcing, {backend.name}: {speedup:.2f}×")
    )
    verdicts.append(
        (speedup >= 1.0, f"load never slower than eventsourcing, {backend.name}: {speedup:.2f}×")
    )
    show(f"(save rounds {save_s:.0f} s, load rounds {load_s:.0f} s)")
    for gov in govs.values():
        gov.store.close()

    show("")
    verdicts += bulk_import(backend, archive, rounds, rows, show=show)
    show("")
    verdicts += writer_threads(backend, decider, matters, rows, show=show)
    return Figures(backend.name, rows, verdicts)


def bulk_import(
    backend: Backend,
    archive: Sequence[AppendRequest],
    rounds: int,
    rows: list[tuple[str, str, str]],
    *,
    show: Callable[[str], None] = print,
) -> list[tuple[bool, str]]:
    """The archive replayed with ``append_many`` into an empty store, against the raw floor."""
    events = sum(len(r.events) for r in archive)
    chunks = [archive[i : i + IMPORT_CHUNK] for i in range(0, len(archive), IMPORT_CHUNK)]
    template = raw_template(archive, text_times=backend.text_times)
    named = list(zip([r.stream_id for r in archive], template, strict=True))
    raw_chunks = [named[i : i + IMPORT_CHUNK] for i in range(0, len(named), IMPORT_CHUNK)]
    level = backend.levels[0]
    serial = itertools.count()
    opened: list[Any] = []

    def our_setup() -> EventStore:
        store = backend.store(f"import-{next(serial)}", level)
        opened.append(store)
        return store

    def our_run(store: EventStore) -> int:
        for chunk in chunks:
            store.append_many(chunk)
        return events

    def raw_setup() -> Any:
        raw = backend.raw(f"raw-import-{next(serial)}", level)
        opened.append(raw)
        return raw

    def raw_run(raw: Any) -> int:
        for chunk in raw_chunks:
            raw.bulk(chunk)
        return events

    raw_name = next(iter(backend.raw_modes)).split(",")[0]
    candidates: dict[str, Candidate] = {
        "communitygov: append_many": (our_setup, our_run),
        f"{raw_name}: the same rows, one transaction per chunk": (raw_setup, raw_run),
    }
    ours = "communitygov: append_many"
    importer = backend.importer
    if importer is not None:

        def import_run(label: str) -> int:
            opened.append(importer(label, archive))
            return events

        ours = "communitygov: bulk_import into a new file"
        candidates[ours] = (lambda: f"bulk-import-{next(serial)}", import_run)
    _settle()
    timings = interleaved(candidates, rounds)
    show(
        f"bulk import: {len(archive):,} AppendRequests ({events:,} events) replayed into an "
        f"empty store, {IMPORT_CHUNK:,} per append_many call, {level}; {rounds} rounds"
    )
    for name, values in timings.items():
        rate = events / (median(values) / 1e9)
        show(f"  {name:<54}{rate:>12,.0f} events/s")
        rows.append((f"bulk import, {name}", f"{rate:,.0f} events/s", ""))
    rate = events / (median(timings[ours]) / 1e9)
    problems = []
    for store in [s for s in opened if not isinstance(s, (RawSQLite, RawPsycopg))][-2:]:
        _register(store)  # after the import, untimed: the matters' community
        problems += [str(p) for p in _governance(store).verify(COMMUNITY)]
        problems += check_complete(store, [r.stream_id for r in archive])
    for item in opened:
        item.close()
    ok = rate >= TARGET_IMPORT_EVENTS_PER_S and not problems
    return [
        (
            ok,
            f"bulk import ≥ {TARGET_IMPORT_EVENTS_PER_S:,} events/s, {backend.name} "
            f"({ours.removeprefix('communitygov: ')}): "
            f"{rate:,.0f} events/s; every event once and verify clean: "
            f"{'yes' if not problems else problems[:3]}",
        )
    ]


def _all_events(store: EventStore) -> Iterator[RecordedEvent]:
    position = 0
    while True:
        page = store.read_all(COMMUNITY, after_position=position, limit=5000)
        if not page:
            return
        yield from page
        position = page[-1].position


def _register(store: EventStore) -> None:
    """Store the matters' community, which :meth:`Governance.verify` expects to find."""
    _governance(store).create(bare_community_record())


def check_complete(store: EventStore, streams: Sequence[str]) -> list[str]:
    """What is wrong with the community's events: a gap or repeat in the positions, a stream
    without exactly versions 1..10, a stream nobody wrote (the community's own aside)."""
    problems = []
    versions: dict[str, list[int]] = {}
    expected = 0
    for event in _all_events(store):
        expected += 1
        if event.position != expected:
            problems.append(f"position {event.position} where {expected} was due")
            expected = event.position
        versions.setdefault(event.stream_id, []).append(event.version)
    wanted = list(range(1, EVENTS_PER_MATTER + 1))
    problems += [
        f"stream {stream}: versions {versions.get(stream)}"
        for stream in streams
        if versions.get(stream) != wanted
    ]
    extra = set(versions) - set(streams) - {COMMUNITY}
    if extra:
        problems.append(f"{len(extra)} streams nobody wrote")
    return problems


def writer_threads(
    backend: Backend,
    decider: Decider,
    matters: int,
    rows: list[tuple[str, str, str]],
    *,
    show: Callable[[str], None] = print,
) -> list[tuple[bool, str]]:
    """Four threads saving distinct streams, then every event checked; one writer beside them."""
    level = backend.levels[0]
    per_thread = max(1, min(matters, THREAD_MATTERS) // THREADS)
    total = per_thread * THREADS
    ids = [[f"t{t}-{n}" for n in range(per_thread)] for t in range(THREADS)]
    streams = [i for part in ids for i in part]
    decisions = [decider.batch(part) for part in ids]
    serial = itertools.count()

    def stores(kind: str) -> list[EventStore]:
        label = f"threads-{next(serial)}"
        first = backend.store(label, level)
        _register(first)  # before the timing: the matters' community
        if kind == "one writer":
            return [first]
        if kind == "shared":
            return [first] * THREADS
        return [first, *(backend.store(label, level) for _ in range(THREADS - 1))]

    def go(given: list[EventStore]) -> list[BaseException]:
        errors: list[BaseException] = []
        if len(given) == 1:
            for part in decisions:
                save_all(_governance(given[0]), part)
            return errors

        def work(store: EventStore, part: Sequence[Decision[Matter]]) -> None:
            try:
                save_all(_governance(store), part)
            except BaseException as exc:  # reported after the join
                errors.append(exc)

        threads = [
            threading.Thread(target=work, args=(store, part))
            for store, part in zip(given, decisions, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return errors

    kinds = {
        "1 writer, the same matters": "one writer",
        f"{THREADS} writer threads, a store (connection) each": "own",
        f"{THREADS} writer threads, one shared store": "shared",
    }
    show(f"writer threads on distinct streams: {total:,} matters in all, {level}:")
    verdicts = []
    for name, kind in kinds.items():
        given = stores(kind)
        start = time.perf_counter()
        errors = go(given)
        rate = total / (time.perf_counter() - start)
        problems = [repr(e) for e in errors]
        problems += check_complete(given[0], streams)
        problems += [str(p) for p in _governance(given[0]).verify(COMMUNITY)]
        for store in {id(s): s for s in given}.values():
            store.close()
        state = "every event once, verify clean" if not problems else f"{problems[:3]}"
        show(
            f"  {name:<54}{rate:>9,.0f} matters/s "
            f"({rate * EVENTS_PER_MATTER:,.0f} events/s); {state}"
        )
        rows.append((f"threads, {name}", f"{rate:,.0f} matters/s", state))
        if kind != "one writer":
            verdicts.append(
                (
                    not problems,
                    f"{name}, {backend.name}: {rate:,.0f} matters/s; no event lost or duplicated, "
                    f"verify clean: {'yes' if not problems else problems[:3]}",
                )
            )
    return verdicts


# --- profile -------------------------------------------------------------------------------


def profile(backend: Backend, decider: Decider, count: int, show: Callable[[str], None]) -> None:
    """Where a save and a load spend their time (cProfile, by cumulative time)."""
    gov = _governance(backend.store("profile", backend.levels[0]))
    decisions = decider.batch([f"p{n}" for n in range(count)])
    for title, work in (
        ("save", lambda: save_all(gov, decisions)),
        ("load", lambda: [gov.matter(COMMUNITY, f"p{n}") for n in range(count)]),
    ):
        profiler = cProfile.Profile()
        profiler.enable()
        work()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(22)
        show(f"Profile of {title} × {count:,}, {backend.name} {backend.levels[0]}:")
        for line in out.getvalue().splitlines():
            if "function calls" in line or "ncalls" in line or "(" in line:
                show("  " + line.replace(os.getcwd() + "/", "").rstrip()[:160])
        show("")
    gov.store.close()


# --- the run -------------------------------------------------------------------------------


def build_archive(decider: Decider, count: int) -> list[AppendRequest]:
    """Every matter's AppendRequest, as the facade makes them (encoded, chained, summarised)."""
    capture = CaptureStore()
    gov = _governance(capture)
    for n in range(count):
        gov.create(decider.decide(f"a{n}"))
    return capture.requests


def run(
    matters: int,
    rounds: int,
    *,
    backends: Sequence[str] = ("sqlite", "postgres"),
    show_profile: bool = False,
    show: Callable[[str], None] = print,
) -> bool:
    """Run the storage workload on each backend, print its tables, say whether all targets pass."""
    try:
        application, aggregate = _es_classes()
    except ImportError:
        show("Storage: skipped, eventsourcing is not installed (pip install -e '.[bench]').")
        return True
    decider = Decider()
    archive = build_archive(decider, matters)
    sizes = [len(e.data.encode()) for e in archive[0].events]
    mean = sum(sizes) / len(sizes)
    es = EsWorkload(aggregate)
    with tempfile.TemporaryDirectory() as directory:
        es_mean = es.fit(es_sqlite_app(application, os.path.join(directory, "fit.db"), None), mean)
    show(
        f"Storage: {matters:,} matters, each raised and taken through {COMMANDS} commands "
        f"({EVENTS_PER_MATTER} events) in memory, then saved in one append and loaded by id. "
        f"A stored event averages {mean:.0f} bytes of JSON for us and {es_mean:.0f} for "
        "eventsourcing (its strings padded to match); our summary row also carries a "
        f"{len(archive[0].summary.snapshot.encode()):,}-byte snapshot."
    )
    figures = []
    if "sqlite" in backends:
        with sqlite_backend(application) as backend:
            show("")
            figures.append(run_backend(backend, decider, es, archive, matters, rounds, show=show))
            if show_profile:
                show("")
                profile(backend, decider, min(matters, 2_000), show)
    if "postgres" in backends:
        show("")
        with postgres_backend(application, show) as pg:
            if pg is not None:
                figures.append(run_backend(pg, decider, es, archive, matters, rounds, show=show))
                if show_profile:
                    show("")
                    profile(pg, decider, min(matters, 2_000), show)
    gc.unfreeze()
    show("")
    show("Storage targets:")
    passed = True
    for figure in figures:
        for ok, text in figure.verdicts:
            passed = passed and ok
            show(f"  {verdict(ok)}  {text}")
    return passed


def main(argv: Sequence[str] | None = None) -> int:
    """Run the storage workload alone: ``python -m bench.storage``."""
    parser = argparse.ArgumentParser(prog="python -m bench.storage", description=__doc__)
    parser.add_argument("--matters", type=int, default=None, help="default 10,000")
    parser.add_argument("--rounds", type=int, default=None, help="default 2")
    parser.add_argument("--quick", action="store_true", help="300 matters: a smoke run")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), action="append")
    parser.add_argument("--profile", action="store_true", help="print cProfile summaries")
    args = parser.parse_args(argv)
    matters = args.matters or (QUICK_MATTERS if args.quick else 10_000)
    rounds = args.rounds or 2
    backends = args.backend or ("sqlite", "postgres")
    return 0 if run(matters, rounds, backends=backends, show_profile=args.profile) else 1


if __name__ == "__main__":
    raise SystemExit(main())
