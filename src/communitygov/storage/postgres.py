"""The PostgreSQL store, on psycopg 3 (the ``postgres`` extra).

:class:`PostgresStore` keeps the same records with the same guarantees as the SQLite store.
Its tables, its append function (one round trip per append) and their migrations, and how to
shard them with Citus, are in :mod:`communitygov.storage.postgres_schema`.

Three ways to connect, exactly one of them:

* a DSN: the store opens its own connection (in autocommit mode) and, when the server went
  away and came back, the next call reconnects and work resumes;
* a connection the application owns: inside the application's open transaction our writes
  join it (under a savepoint, so a conflict leaves the application's transaction usable), and
  we never commit, roll back or close it; on an idle connection we run our own transaction;
* a connection pool (``psycopg_pool.ConnectionPool`` or anything with a ``connection()``
  context manager): each call borrows a connection. Give the pool
  ``kwargs={"autocommit": True}`` for one-round-trip appends.

No psycopg exception escapes: a lost connection or a server that is down is
:class:`~communitygov.errors.StoreUnavailable`, a version mismatch or a unique violation is
:class:`~communitygov.errors.ConcurrencyConflict`, anything else a
:class:`~communitygov.errors.PersistenceError` naming the problem.
"""

from __future__ import annotations

import json
import re
import select
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import attrs

from communitygov.errors import (
    ConcurrencyConflict,
    InvalidCount,
    MissingExtra,
    PersistenceError,
    StoreUnavailable,
)
from communitygov.storage.passwords import shown_url, without_passwords
from communitygov.storage.postgres_schema import (
    APPEND,
    BATCH_TYPES,
    COMMAND_TYPES,
    CONFLICT_STATE,
    LOCK_COMMUNITY,
    MIGRATION_LOCK,
    MIGRATIONS,
    SCHEMA_VERSION,
    SUMMARY_TYPES,
)
from communitygov.storage.protocol import ClosedOnExit
from communitygov.storage.read_only import refuse_append, require_current_schema, require_flag
from communitygov.storage.records import (
    AppendRequest,
    AppendResult,
    Summary,
    require_requests,
    storable_text,
)
from communitygov.storage.rows import SUMMARY_COLUMNS, SQLReads, pack_events

if TYPE_CHECKING:
    import psycopg

__all__ = ["SCHEMA_VERSION", "ConnectionPoolLike", "PostgresStore"]

_STORE = "PostgreSQL"

T = TypeVar("T")
Row = tuple[Any, ...]


class ConnectionPoolLike(Protocol):
    """What the store needs of a pool: ``psycopg_pool.ConnectionPool`` is one."""

    def connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """Lend a connection for the ``with`` block."""
        ...


def _require_psycopg() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise MissingExtra("the PostgreSQL store", "postgres") from exc


def _append_parameters(request: AppendRequest) -> tuple[Any, ...]:
    summary = request.summary
    events = request.events
    return (
        request.community_id,
        request.stream_id,
        request.expected_version,
        len(events),
        pack_events(events),
        summary.kind,
        summary.version,
        summary.state,
        summary.title,
        summary.updated_at,
        summary.due_at,
        summary.due_what,
        summary.snapshot,
        summary.last_hash,
        request.command_id,
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")


def _invalid_dsn(exc: BaseException, dsn: str) -> str:
    """libpq's complaint about a DSN, without its passwords, and without the other parts of
    it that libpq quotes (a piece of a password it split, a value), except the names of its
    parameters."""

    def shown(match: re.Match[str]) -> str:
        text = match.group(1) if match.group(1) is not None else match.group(2)
        named = re.search(rf"(?:^|[\s?&]){re.escape(text)}\s*=", dsn)
        if text in ("=", "***") or named or text not in dsn:
            return match.group(0)
        mark = match.group(0)[0]
        return f"{mark}…{mark}"

    return f"invalid DSN: {_QUOTED.sub(shown, without_passwords(_one_line(exc), dsn))}"


def _cursor(connection: psycopg.Connection[Any]) -> psycopg.Cursor[Row]:
    """Our own cursor class, whatever the connection's ``cursor_factory`` (a ``RawCursor``
    takes ``$1``, not ``%s``) and ``row_factory``."""
    from psycopg import Cursor
    from psycopg.rows import tuple_row

    return Cursor(connection, row_factory=tuple_row)


def _within(
    connection: psycopg.Connection[Any],
    cursor: psycopg.Cursor[Row],
    work: Callable[[psycopg.Cursor[Row]], T],
    *,
    write: bool,
    single: bool,
) -> T:
    """Run ``work`` with ``cursor`` of ``connection``: on its own if it is one statement in
    autocommit mode or a read inside the application's transaction, otherwise in our own
    transaction or a savepoint inside the application's.

    Raises:
        StoreUnavailable: the connection's ``client_encoding`` is no longer UTF8 (an
            application may change it on its own connection at any time).
        PersistenceError: the application's transaction has failed.
    """
    from psycopg.pq import TransactionStatus

    if connection.pgconn.parameter_status(b"client_encoding") != b"UTF8":
        _require_unicode(connection)  # raises, naming the encoding
    status = connection.pgconn.transaction_status
    if status == TransactionStatus.INERROR:
        raise PersistenceError(
            "the PostgreSQL connection's transaction has failed; roll it back first"
        )
    idle = status == TransactionStatus.IDLE
    if (idle and connection.autocommit and single) or (not idle and not write):
        return work(cursor)
    with connection.transaction():
        return work(cursor)


def _readable(fd: int) -> bool:
    """Whether the socket ``fd`` has something to read now: ``poll`` where there is one, as
    ``select`` refuses descriptors numbered 1024 and above."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    readable, _, _ = select.select([fd], [], [], 0)  # Windows: no poll, and no such limit
    return bool(readable)


def _require_unicode(connection: psycopg.Connection[Any]) -> None:
    """Refuse a database, or a connection to it, that cannot carry every text a record holds
    (a name such as 朱镕基 is not in GB2312), before anything is written.

    Raises:
        StoreUnavailable: the database is not encoded in UTF8 (``SQL_ASCII`` keeps bytes and
            gives them back undecoded), or the connection's ``client_encoding`` is another.
    """
    status = connection.info.parameter_status
    server, client = status("server_encoding"), status("client_encoding")
    if server != "UTF8":
        raise StoreUnavailable(
            _STORE,
            f"the database is encoded in {server}: this store keeps any Unicode text and "
            "needs a UTF8 database (CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0)",
        )
    if client != "UTF8":
        raise StoreUnavailable(
            _STORE,
            f"the connection's client_encoding is {client}: this store needs UTF8 "
            "(SET client_encoding TO 'UTF8' on the connection, or PGCLIENTENCODING=UTF8)",
        )


def _alive(connection: psycopg.Connection[Any]) -> bool:
    """Whether an idle connection still has a server behind it, without a round trip.

    A server that shut down or restarted has sent its goodbye and closed the socket; reading
    what is waiting finds that out before a query is sent into the void.
    """
    import psycopg
    from psycopg.pq import ConnStatus, TransactionStatus

    if connection.closed:
        return False
    if connection.info.transaction_status != TransactionStatus.IDLE:
        return True
    try:
        for _ in range(8):
            if not _readable(connection.fileno()):
                return True
            connection.pgconn.consume_input()
            if connection.pgconn.status != ConnStatus.OK:
                return False
    except (OSError, ValueError, psycopg.Error):
        return False
    return True


class PostgresStore(SQLReads, ClosedOnExit):
    """Streams and summaries in a PostgreSQL database.

    Args:
        dsn: a connection string; the store opens, owns and reopens its connection.
        connection: a ``psycopg.Connection`` the application owns, instead of ``dsn``.
        pool: a ``psycopg_pool.ConnectionPool`` (or anything with a ``connection()`` context
            manager), instead of ``dsn``.
        bulk_threshold: from this many requests on, :meth:`append_many` checks them all
            first and writes with ``COPY``; below it, it calls ``cg_append`` for each in turn.
            ``COPY`` costs a few round trips more and wins from about five requests on here.
        read_only: read an existing store and change nothing: no table is created or
            migrated, and every append raises :class:`~communitygov.errors.StoreReadOnly`
            (for a replica, or a role that may only read).

    Raises:
        MissingExtra: psycopg is not installed (``pip install 'communitygov[postgres]'``).
        StoreUnavailable: not exactly one of ``dsn``, ``connection`` and ``pool`` was given,
            ``dsn`` is not text (or holds a NUL or a lone surrogate), ``connection`` is not a
            psycopg (synchronous) connection, ``pool`` has no ``connection()``, the server
            cannot be reached, the database is not encoded in UTF8 (or a connection given,
            or lent by the pool, talks another client encoding), or its schema is newer than
            this code; read-only, also a
            database that does not hold this library's tables at the schema this code reads.
        InvalidCount: ``bulk_threshold`` is not a whole number of 0 or more.
    """

    def __init__(
        self,
        dsn: str | None = None,
        *,
        connection: psycopg.Connection[Any] | None = None,
        pool: ConnectionPoolLike | None = None,
        bulk_threshold: int = 4,
        read_only: bool = False,
    ) -> None:
        _require_psycopg()
        import psycopg
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        if sum(source is not None for source in (dsn, connection, pool)) != 1:
            raise StoreUnavailable(_STORE, "give exactly one of a DSN, a connection or a pool")
        if connection is not None and not isinstance(connection, psycopg.Connection):
            raise StoreUnavailable(
                _STORE, f"the connection must be a psycopg.Connection, not {type(connection)!r}"
            )
        if pool is not None and not callable(getattr(pool, "connection", None)):
            raise StoreUnavailable(
                _STORE, f"the pool must lend connections with connection(), as {pool!r} does not"
            )
        if dsn is not None and not isinstance(dsn, str):
            raise StoreUnavailable(_STORE, f"a DSN is text, not {type(dsn).__name__}")
        if dsn is not None and not storable_text(dsn):
            raise StoreUnavailable(
                _STORE, f"a DSN holds no NUL or lone surrogate, as {shown_url(dsn)!r} does"
            )
        if type(bulk_threshold) is not int or bulk_threshold < 0:
            raise InvalidCount("bulk_threshold", bulk_threshold)
        self._read_only = require_flag(_STORE, read_only)
        self._host = connection
        self._pool = pool
        self._owned: psycopg.Connection[Any] | None = None
        self._kept: psycopg.Cursor[Row] | None = None
        self._dsn = ""
        self._given_dsn = dsn or ""
        if dsn is not None:
            defaults: dict[str, str | int] = {
                "connect_timeout": 10,
                "application_name": "communitygov",
            }
            try:
                given = conninfo_to_dict(dsn)
                self._dsn = make_conninfo(
                    dsn,
                    # Ours talk UTF8 whatever the DSN or PGCLIENTENCODING say: any text a
                    # record holds then reaches the server as it is.
                    client_encoding="UTF8",
                    **{key: value for key, value in defaults.items() if key not in given},
                )
            except (psycopg.Error, ValueError) as exc:  # ValueError: %-escapes that are no UTF-8
                raise StoreUnavailable(_STORE, _invalid_dsn(exc, dsn)) from None
        self.bulk_threshold = max(1, bulk_threshold)  # 0 and 1 alike: COPY always
        self._lock = threading.RLock()
        self._closed = False
        self._migrate()

    @property
    def read_only(self) -> bool:
        """Whether the store was opened read-only (it refuses every append)."""
        return self._read_only

    # --- connections and transactions --------------------------------------------------

    def _require_open(self) -> None:
        if self._closed:
            raise StoreUnavailable(_STORE, "the store is closed")

    @contextmanager
    def _lent(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection lent by the pool for one call (a dead one is swapped for another)."""
        assert self._pool is not None
        attempts = 3
        for attempt in range(attempts):
            lent = self._pool.connection()
            connection = lent.__enter__()
            if attempt == attempts - 1 or _alive(connection):
                break
            lent.__exit__(None, None, None)  # the pool discards the dead connection
        try:
            yield connection
        except BaseException as exc:
            if not lent.__exit__(type(exc), exc, exc.__traceback__):
                raise
        else:
            lent.__exit__(None, None, None)

    def _connect(self, poll: bool) -> psycopg.Connection[Any]:
        """Our own connection, opened if there is none or it is closed.

        Args:
            poll: first find out, without a round trip, whether its server went away.
        """
        import psycopg
        from psycopg.pq import TransactionStatus

        connection = self._owned
        if connection is not None and not connection.closed and (not poll or _alive(connection)):
            if connection.pgconn.transaction_status == TransactionStatus.IDLE:
                return connection
            try:  # left inside a transaction by an interruption: never build on that
                connection.rollback()
                return connection
            except psycopg.Error:
                pass
        if connection is not None:
            connection.close()
            self._owned = None
        try:
            self._owned = psycopg.connect(self._dsn, autocommit=True)
        except psycopg.ProgrammingError as exc:  # a parameter libpq cannot use
            raise StoreUnavailable(_STORE, _invalid_dsn(exc, self._dsn)) from None
        return self._owned

    def _run(
        self,
        work: Callable[[psycopg.Cursor[Row]], T],
        *,
        write: bool,
        single: bool,
        conflict: Sequence[AppendRequest] = (),
        keep: bool = False,
    ) -> T:
        """Run ``work`` with a cursor, translating every driver error.

        Args:
            work: what to do.
            write: it writes, so it must be atomic and must not break the application's
                transaction when it fails.
            single: it is one statement (atomic on its own in autocommit mode).
            conflict: holds the request to name if the work runs into another writer (read
                when that happens, so the work may change it as it goes).
            keep: keep the cursor, and the rows it read, for the next call on the same
                connection (a load, an append); otherwise it goes with its rows.
        """
        import psycopg

        for attempt in (1, 2):
            self._require_open()
            lost = False
            try:
                if self._pool is not None:
                    with self._lent() as connection, _cursor(connection) as cursor:
                        try:
                            return _within(connection, cursor, work, write=write, single=single)
                        except psycopg.Error:
                            lost = connection.closed  # before the pool takes it back
                            raise
                with self._lock:  # the application's connection, or ours
                    # Ours is polled for a server that went away only before a write: a read
                    # on a dead connection fails at once and is repeated on a fresh one below.
                    connection = self._host if self._host is not None else self._connect(write)
                    cursor = self._cursor_of(connection)
                    try:
                        return _within(connection, cursor, work, write=write, single=single)
                    except psycopg.Error:
                        lost = connection.closed
                        raise
                    finally:
                        if not keep:
                            cursor.close()
                            self._kept = None
            except psycopg.Error as exc:
                # A read is repeated once on a fresh connection; a write that may have
                # reached the server is not (the caller decides, e.g. with a command id).
                if lost and not write and attempt == 1 and self._host is None:
                    continue
                raise self._translate(exc, conflict) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _cursor_of(self, connection: psycopg.Connection[Any]) -> psycopg.Cursor[Row]:
        """The cursor kept for ``connection`` while it is the one in use (called under the
        lock): a new cursor looks up how to read each column afresh, a tenth of a load. Only a
        load and an append keep it after the call (see :meth:`_run`): what the other reads
        return (a page of events, a stream, every summary) may be large."""
        kept = self._kept
        if kept is None or kept.connection is not connection or kept.closed:
            kept = self._kept = _cursor(connection)
        return kept

    def _translate(self, exc: psycopg.Error, conflict: Sequence[AppendRequest]) -> PersistenceError:
        import psycopg
        from psycopg import errors

        detail = without_passwords(_one_line(exc), self._dsn, self._given_dsn)
        if exc.sqlstate == CONFLICT_STATE:
            try:
                facts = json.loads(exc.diag.message_detail or "")
                return ConcurrencyConflict(
                    str(facts["stream"]),
                    int(facts["expected"]),
                    int(facts["actual"]),
                    # cg_append names the stream; the community is the request's in flight
                    community=conflict[0].community_id if conflict else None,
                )
            except (ValueError, KeyError, TypeError):
                pass
        if isinstance(
            exc, (errors.UniqueViolation, errors.SerializationFailure, errors.DeadlockDetected)
        ):
            if conflict:
                clashed = conflict[0]
                return ConcurrencyConflict(
                    clashed.stream_id,
                    clashed.expected_version,
                    self._version_after_conflict(
                        clashed.community_id, clashed.stream_id, clashed.expected_version
                    ),
                    community=clashed.community_id,
                )
            return PersistenceError(f"the PostgreSQL store met another writer: {detail}")
        if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
            return StoreUnavailable(_STORE, detail)
        return PersistenceError(f"the PostgreSQL store failed: {detail}")

    def _version_after_conflict(self, community: str, stream: str, expected: int) -> int:
        try:
            rows = self._read(
                "SELECT version FROM cg_streams WHERE community_id = %s AND stream_id = %s",
                (community, stream),
            )
        except PersistenceError:
            return expected
        return int(rows[0][0]) if rows else 0

    # --- reading (the queries are in SQLReads) ------------------------------------------

    MARK = "%s"

    @staticmethod
    def _stored_time(value: Any) -> datetime:
        """A ``timestamptz`` comes back from the driver as an aware datetime (in the session's
        time zone), and is given back in UTC."""
        return value.astimezone(UTC)  # type: ignore[no-any-return]

    @staticmethod
    def _time_argument(moment: datetime) -> Any:
        """The driver passes an aware datetime as a ``timestamptz``."""
        return moment

    def _read(self, sql: str, parameters: Sequence[Any]) -> list[Row]:
        def work(cursor: psycopg.Cursor[Row]) -> list[Row]:
            cursor.execute(sql, parameters)
            return cursor.fetchall()

        self._require_open()
        if any(isinstance(p, str) and not storable_text(p) for p in parameters):
            return []  # a lone surrogate or a NUL: no stored text holds one
        # The load is the hot read and returns one row: its cursor is kept for the next call.
        return self._run(work, write=False, single=True, keep=sql is self._queries["load"])

    def _migrate(self) -> None:
        def current(cursor: psycopg.Cursor[Row]) -> int:
            _require_unicode(cursor.connection)
            cursor.execute("SELECT to_regclass('cg_meta') IS NOT NULL")
            row = cursor.fetchone()
            if not row or not row[0]:
                return 0
            cursor.execute("SELECT value FROM cg_meta WHERE key = 'schema_version'")
            found = cursor.fetchone()
            if not found:
                return 0
            text = str(found[0])
            if not (text.isascii() and text.isdigit()):
                raise StoreUnavailable(
                    _STORE,
                    f"cg_meta records the schema version {text!r}, which is not a version "
                    f"this code knows (0 to {SCHEMA_VERSION})",
                )
            return int(text)

        def migrate(cursor: psycopg.Cursor[Row]) -> None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS cg_meta (key text PRIMARY KEY, value text NOT NULL)"
            )
            found = current(cursor)
            self._refuse_newer(found)
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    cursor.execute(statement.encode())
            cursor.execute(
                "INSERT INTO cg_meta (key, value) VALUES ('schema_version', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                (str(SCHEMA_VERSION),),
            )

        found = self._run(current, write=False, single=True)
        self._refuse_newer(found)
        if self._read_only:
            require_current_schema(_STORE, "the database", found, SCHEMA_VERSION)
        elif found < SCHEMA_VERSION:
            self._run(migrate, write=True, single=False)

    @staticmethod
    def _refuse_newer(found: int) -> None:
        if found > SCHEMA_VERSION:
            raise StoreUnavailable(
                _STORE,
                f"the database was written by a newer library (schema {found}; "
                f"this code knows {SCHEMA_VERSION})",
            )

    # --- writing -----------------------------------------------------------------------

    def append(self, request: AppendRequest) -> AppendResult:
        """Store a batch for one stream, all or nothing: one round trip.

        Args:
            request: the batch.

        Returns:
            The stream's new version and the positions given; for a command id already
            stored, the first result with ``duplicate=True`` (nothing new is stored).

        Raises:
            ConcurrencyConflict: the stream is not at ``request.expected_version``.
            StoreUnavailable: the server cannot be reached (whether the append was stored is
                then unknown: repeat it with the same command id to be sure).
            PersistenceError: the server refused the records.
        """

        require_requests([request])
        self._require_writable([request])

        def work(cursor: psycopg.Cursor[Row]) -> AppendResult:
            cursor.execute(APPEND, _append_parameters(request))
            row = cursor.fetchone()
            assert row is not None
            return self._result(request.community_id, row)

        return self._run(work, write=True, single=True, conflict=[request], keep=True)

    def append_many(self, requests: Sequence[AppendRequest]) -> list[AppendResult]:
        """Store several batches in one transaction, all or nothing (a bulk import).

        Below ``bulk_threshold`` requests, ``cg_append`` is called for each in turn; from
        it on, every command id and expected version is checked first and the records are
        written with ``COPY``.

        Args:
            requests: the batches, stored in this order.

        Returns:
            One result per request.

        Raises:
            ConcurrencyConflict: any stream is not at its expected version; nothing is stored.
            StoreUnavailable: the server cannot be reached.
            PersistenceError: the server refused the records.
        """
        require_requests(requests)
        self._require_writable(requests)
        if not requests:  # nothing to write, but a closed connection is an error
            self._read("SELECT 1", ())
            return []
        bulk = len(requests) >= self.bulk_threshold
        # The request a clash with another writer is named after: the one being written
        # when it happens; a clash inside ``COPY`` is named after the first.
        in_flight = [requests[0]]

        def work(cursor: psycopg.Cursor[Row]) -> list[AppendResult]:
            if bulk:
                return self._copy(cursor, requests)
            communities = {request.community_id for request in requests}
            if len(communities) > 1:  # lock every community in one order: no deadlocks
                self._lock_communities(cursor, communities)
            # One statement after another, not pipelined: a conflict raised in the middle of
            # a pipeline makes psycopg log a warning of its own as it leaves the pipeline.
            results = []
            for request in requests:
                in_flight[0] = request
                cursor.execute(APPEND, _append_parameters(request))
                row = cursor.fetchone()
                assert row is not None
                results.append(self._result(request.community_id, row))
            return results

        return self._run(work, write=True, single=False, conflict=in_flight)

    def _require_writable(self, requests: Sequence[AppendRequest]) -> None:
        """Refuse an append to a store opened read-only (``StoreUnavailable`` first, if it
        is closed too)."""
        if self._read_only:
            self._require_open()
            refuse_append(_STORE, requests)

    @staticmethod
    def _lock_communities(cursor: psycopg.Cursor[Row], communities: set[str]) -> dict[str, int]:
        """Lock the communities, in one order (no deadlocks); their last positions."""
        ordered = sorted(communities)
        cursor.executemany(LOCK_COMMUNITY, [(c,) for c in ordered])
        last = {}
        for community in ordered:  # one backward step down the batches' key each
            cursor.execute(
                "SELECT max(last_position) FROM cg_batches WHERE community_id = %s", (community,)
            )
            row = cursor.fetchone()
            last[community] = (row[0] if row else None) or 0
        return last

    @staticmethod
    def _result(community_id: str, row: Sequence[Any]) -> AppendResult:
        stream_id, version, first, last, duplicate = row
        return AppendResult(community_id, stream_id, version, first, last, duplicate)

    def _copy(
        self, cursor: psycopg.Cursor[Row], requests: Sequence[AppendRequest]
    ) -> list[AppendResult]:
        """Check every request, then write them all with ``COPY`` (inside the transaction)."""
        # The look-ups join the keys asked for to the tables' keys, so each is one probe of a
        # key per stream or command, however many rows the community holds.
        communities = {request.community_id for request in requests}
        last = self._lock_communities(cursor, communities)

        commands: dict[tuple[str, str], AppendResult] = {}
        asked = sorted(
            {(r.community_id, r.command_id) for r in requests if r.command_id is not None}
        )
        if asked:
            cursor.execute(
                "SELECT c.community_id, c.command_id, c.stream_id, c.version, "
                "c.first_position, c.last_position FROM unnest(%s::text[], %s::text[]) "
                "AS k(community_id, command_id) "
                "JOIN cg_commands c USING (community_id, command_id)",
                ([c for c, _ in asked], [command for _, command in asked]),
            )
            for community, command, stream, version, first, final in cursor.fetchall():
                commands[community, command] = AppendResult(
                    community, stream, version, first, final, True
                )

        keys = sorted({(r.community_id, r.stream_id) for r in requests})
        cursor.execute(
            "SELECT s.community_id, s.stream_id, s.version FROM unnest(%s::text[], %s::text[]) "
            "AS k(community_id, stream_id) JOIN cg_streams s USING (community_id, stream_id)",
            ([c for c, _ in keys], [stream for _, stream in keys]),
        )
        versions: dict[tuple[str, str], int] = {(c, s): v for c, s, v in cursor.fetchall()}
        stored_before = set(versions)

        results: list[AppendResult] = []
        stored: list[tuple[AppendRequest, int, int]] = []  # request, version, position before
        summaries: dict[tuple[str, str], Summary] = {}
        new_commands: list[tuple[Any, ...]] = []
        for request in requests:
            community, stream = request.community_id, request.stream_id
            if request.command_id is not None:
                seen = commands.get((community, request.command_id))
                if seen is not None:
                    results.append(seen)
                    continue
            current = versions.get((community, stream), 0)
            if current != request.expected_version:
                raise ConcurrencyConflict(
                    stream, request.expected_version, current, community=community
                )
            before = last[community]
            count = len(request.events)
            stored.append((request, current, before))
            last[community] = before + count
            versions[community, stream] = request.summary.version
            summaries[community, stream] = request.summary
            result = AppendResult(community, stream, current + count, before + 1, before + count)
            results.append(result)
            if request.command_id is not None:
                commands[community, request.command_id] = attrs.evolve(result, duplicate=True)
                new_commands.append(
                    (
                        community,
                        request.command_id,
                        stream,
                        result.version,
                        before + 1,
                        last[community],
                    )
                )

        # Every request checks out: stream the batches to the server as they are packed.
        with cursor.copy(
            "COPY cg_batches (community_id, last_position, first_position, stream_id, "
            "first_version, last_version, events) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(BATCH_TYPES)
            write = copy.write_row
            for request, current, before in stored:
                count = len(request.events)
                if count:
                    write(
                        (
                            request.community_id,
                            before + count,
                            before + 1,
                            request.stream_id,
                            current + 1,
                            current + count,
                            pack_events(request.events),
                        )
                    )
        # The summaries this call writes anew replace their rows; a stream whose requests
        # were all duplicates keeps its row.
        replaced = [key for key in summaries if key in stored_before]
        if replaced:
            cursor.executemany(
                "DELETE FROM cg_streams WHERE community_id = %s AND stream_id = %s", replaced
            )
        if summaries:
            with cursor.copy(
                f"COPY cg_streams ({SUMMARY_COLUMNS}) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(SUMMARY_TYPES)
                for (community, stream), summary in summaries.items():
                    copy.write_row(
                        (
                            community,
                            stream,
                            summary.kind,
                            summary.version,
                            summary.state,
                            summary.title,
                            summary.updated_at,
                            summary.snapshot,
                            summary.last_hash,
                            summary.due_at,
                            summary.due_what,
                        )
                    )
        if new_commands:
            with cursor.copy(
                "COPY cg_commands (community_id, command_id, stream_id, version, "
                "first_position, last_position) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(COMMAND_TYPES)
                for command in new_commands:
                    copy.write_row(command)
        return results

    def close(self) -> None:
        """Close the store's own connection; an application's connection or pool stays open."""
        with self._lock:
            self._closed = True
            self._kept = None
            if self._owned is not None:
                self._owned.close()
                self._owned = None
