"""The SQLite store: the embedded default, on the standard library's ``sqlite3``.

A file (or ``":memory:"``) in WAL mode with ``synchronous=FULL`` by default: in WAL mode
``NORMAL`` may lose the last transactions on a power cut, and governance records must not, so
every commit is synced. Pass ``synchronous="NORMAL"`` where speed matters more than the last
second before a power failure (a crash of the process alone loses nothing in either mode).

Writers take the database's write lock at the start of a transaction (``BEGIN IMMEDIATE``), so
positions are given in commit order and a reader never finds a late gap.

Given a connection the host application owns, the store writes inside the host's open
transaction (under a savepoint), so the host's own tables and ours commit together; it never
commits or closes that connection itself.
"""

from __future__ import annotations

import errno
import itertools
import os
import re
import secrets
import sqlite3
import stat
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attrs

from communitygov.errors import ConcurrencyConflict, MalformedRequest, StoreUnavailable
from communitygov.storage.protocol import ClosedOnExit
from communitygov.storage.read_only import refuse_append, require_current_schema, require_flag
from communitygov.storage.records import AppendRequest, AppendResult, NewEvent, require_requests
from communitygov.storage.rows import SUMMARY_COLUMNS, SQLReads, pack_events
from communitygov.storage.sqlite_schema import (
    MIGRATIONS,
    OUR_INDEXES,
    OUR_TABLES,
    SCHEMA_VERSION,
)

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]


def _time_text(moment: datetime, events: Sequence[NewEvent]) -> str:
    """``moment.isoformat()``, taken from the last event when that is where it came from (a
    summary's ``updated_at`` usually is), as the event has formatted it already."""
    if events and moment is events[-1].at:
        return events[-1].at_text
    return moment.isoformat()


def _utc(moment: datetime) -> str:
    """A sortable text for an instant: ISO 8601 in UTC (the first or last instant Python
    holds, for one whose UTC falls outside the years 1 to 9999)."""
    try:
        return moment.astimezone(UTC).isoformat()
    except OverflowError:
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC).isoformat()


class SQLiteStore(SQLReads, ClosedOnExit):
    """Streams and summaries in an SQLite database.

    Args:
        path: a database file (created if missing) or ``":memory:"``.
        connection: a connection the application owns, instead of ``path``.
        synchronous: ``"FULL"`` (the default, durable) or ``"NORMAL"``.
        timeout: seconds to wait for another writer's lock before giving up.
        read_only: read an existing store and change nothing: the file is opened read-only,
            its journal mode is left as it is, nothing is migrated, and every append raises
            :class:`~communitygov.errors.StoreReadOnly`. SQLite may leave its ``-wal`` and
            ``-shm`` files beside a database in WAL mode, as any reader of one does; in a
            directory the user cannot write, where it cannot create them, it reads a file
            that nothing can write (on a read-only file system, or with no write permission
            for anyone) and refuses any other.

    Raises:
        StoreUnavailable: the database cannot be opened or is newer than this code; read-only,
            also a file that is not there, ``":memory:"``, and a database that does not hold
            this library's tables at the schema this code reads.
    """

    def __init__(
        self,
        path: str | bytes | os.PathLike[str] | None = None,
        *,
        connection: sqlite3.Connection | None = None,
        synchronous: str = "FULL",
        timeout: float = 30.0,
        read_only: bool = False,
    ) -> None:
        if (path is None) == (connection is None):
            raise StoreUnavailable("SQLite", "give either a path or a connection")
        self._read_only = require_flag("SQLite", read_only)
        if path is not None:
            _require_path(path)
            if read_only:
                _require_existing(os.fsdecode(path))
        if connection is not None and not isinstance(connection, sqlite3.Connection):
            raise StoreUnavailable(
                "SQLite", f"connection={connection!r} is not an sqlite3 connection"
            )
        _check_options(synchronous, timeout)
        self._owned = connection is None
        self._closed = False
        self._lock = threading.RLock()
        self._where = os.fsdecode(path) if path is not None else "connection"
        try:
            if connection is None and read_only:
                connection = _connect_read_only(self._where, timeout)
            elif connection is None:
                connection = sqlite3.connect(
                    _file_name(self._where),
                    timeout=timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
            self._connection = connection
            connection.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            # Checked before anything is written, so that a refused database is left as it was.
            if read_only:
                found = self._schema(_cursor(connection))
                require_current_schema("SQLite", self._where, found, SCHEMA_VERSION)
            else:
                self._check(_cursor(connection))
                if self._owned:
                    connection.execute(f"PRAGMA page_size={PAGE_SIZE}")  # a new file's only
                    connection.execute("PRAGMA journal_mode=WAL")
                    connection.execute(f"PRAGMA synchronous={synchronous.upper()}")
                self._migrate()
        except (sqlite3.Error, ValueError) as exc:  # ValueError: a NUL in the path
            self._close_owned(connection)
            raise StoreUnavailable("SQLite", f"{self._where}: {exc}") from exc
        except StoreUnavailable:
            self._close_owned(connection)
            raise

    @property
    def read_only(self) -> bool:
        """Whether the store was opened read-only (it refuses every append)."""
        return self._read_only

    def _close_owned(self, connection: sqlite3.Connection | None) -> None:
        if self._owned and connection is not None:
            connection.close()

    # --- transactions ------------------------------------------------------------------

    @contextmanager
    def _transaction(self, first: AppendRequest | None = None) -> Iterator[sqlite3.Cursor]:
        """A write transaction: our own ``BEGIN IMMEDIATE``, or a savepoint in the host's.

        Args:
            first: the first request the transaction writes, named if another writer got
                there first.

        Raises:
            ConcurrencyConflict: inside the host's transaction, another writer has written
                since that transaction's snapshot was taken (it cannot write now; a new one
                can).
            StoreUnavailable: the database cannot be written (locked too long, disk full …);
                it says when SQLite rolled the host's whole transaction back with ours.
        """
        connection = self._connection
        with self._lock:
            self._require_open()
            try:
                nested = connection.in_transaction
                cursor = _cursor(connection)
            except sqlite3.Error as exc:
                raise StoreUnavailable("SQLite", f"{self._where}: {exc}") from exc
            host_lost = False
            try:
                cursor.execute("SAVEPOINT cg_write" if nested else "BEGIN IMMEDIATE")
                try:
                    yield cursor
                    cursor.execute("RELEASE cg_write" if nested else "COMMIT")
                except BaseException:  # the COMMIT too: a busy one leaves the transaction open
                    if nested and connection.in_transaction:
                        cursor.execute("ROLLBACK TO cg_write")
                        cursor.execute("RELEASE cg_write")
                    elif nested:  # SQLite undoes the whole transaction on some errors
                        host_lost = True
                    elif connection.in_transaction:  # an I/O error may have rolled it back
                        cursor.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                stale = getattr(exc, "sqlite_errorname", "") == "SQLITE_BUSY_SNAPSHOT"
                if stale and first is not None and not host_lost:
                    version = first.expected_version
                    raise ConcurrencyConflict(
                        first.stream_id, version, version, community=first.community_id
                    ) from exc
                lost = (
                    "; SQLite rolled back the application's whole transaction with it, so "
                    "nothing of it was written either"
                    if host_lost
                    else ""
                )
                raise StoreUnavailable("SQLite", f"{self._where}: {exc}{lost}") from exc
            finally:
                cursor.close()

    # --- reading (the queries are in SQLReads) ------------------------------------------

    MARK = "?"

    @staticmethod
    def _stored_time(value: Any) -> datetime:
        """A summary's times are stored as ISO 8601 text, and given back in UTC."""
        return datetime.fromisoformat(value).astimezone(UTC)

    @staticmethod
    def _time_argument(moment: datetime) -> Any:
        """Deadlines are stored as UTC text, which sorts as the instants do."""
        return _utc(moment)

    def _read(self, sql: str, parameters: Sequence[Any]) -> list[Any]:
        with self._lock:
            self._require_open()
            try:
                return _cursor(self._connection).execute(sql, parameters).fetchall()
            except UnicodeEncodeError:  # a lone surrogate: no stored text holds one
                return []
            except sqlite3.Error as exc:
                raise StoreUnavailable("SQLite", f"{self._where}: {exc}") from exc

    def _require_open(self) -> None:
        if self._closed:
            raise StoreUnavailable("SQLite", f"{self._where}: the store is closed")

    def _migrate(self) -> None:
        """Create or migrate our tables. The version is read and checked again under the
        write lock, so two processes opening an old database migrate it once."""
        with self._transaction() as cursor:
            current = self._check(cursor)
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS cg_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            if current == SCHEMA_VERSION:
                return
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    cursor.execute(statement)
            cursor.execute(
                "INSERT OR REPLACE INTO cg_meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    def _check(self, cursor: sqlite3.Cursor) -> int:
        """The schema the database is at (0 when new), once it is known that this code can
        open it and migrate it. Reads only.

        Raises:
            StoreUnavailable: a newer library wrote it, its recorded version is not one, the
                application has its own objects on tables a migration rebuilds, or it holds
                tables named as ours with no record of their schema.
        """
        with self._lock:
            current = self._schema(cursor)
            if current == 0:
                self._refuse_unrecorded_tables(cursor)
            elif current < SCHEMA_VERSION:
                self._refuse_dependents(cursor, current)
            return current

    def _refuse_unrecorded_tables(self, cursor: sqlite3.Cursor) -> None:
        """Refuse a database holding tables named as ours when it records no schema of ours:
        another application's, or one damaged, which creating our tables would fail on
        halfway.

        Raises:
            StoreUnavailable: it holds such tables.
        """
        found = sorted(
            row[0]
            for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if row[0] in OUR_TABLES
        )
        if found:
            raise StoreUnavailable(
                "SQLite",
                f"{self._where} holds tables named as this library's ({', '.join(found)}) but "
                "records no schema of ours: it is another application's database, or a damaged "
                "one; nothing was changed",
            )

    def _schema(self, cursor: sqlite3.Cursor) -> int:
        """The schema the database is at (0 when new). Reads only.

        Raises:
            StoreUnavailable: a newer library wrote it, or its recorded version is not one.
        """
        with self._lock:
            has_meta = cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cg_meta'"
            ).fetchone()
            row = (
                cursor.execute("SELECT value FROM cg_meta WHERE key = 'schema_version'").fetchone()
                if has_meta
                else None
            )
            given = row[0] if row else "0"
            text = str(given)
            current = int(text) if text.isascii() and text.isdigit() else -1
            if current > SCHEMA_VERSION:
                raise StoreUnavailable(
                    "SQLite",
                    f"{self._where} was written by a newer library (schema {current}; "
                    f"this code knows {SCHEMA_VERSION})",
                )
            if current < 0:
                raise StoreUnavailable(
                    "SQLite",
                    f"{self._where}: cg_meta records the schema version {given!r}, which is not "
                    f"a version this code knows (0 to {SCHEMA_VERSION})",
                )
            return current

    def _refuse_dependents(self, cursor: sqlite3.Cursor, current: int) -> None:
        """Refuse to migrate when the application's own views, triggers, indexes or foreign
        keys are on a table the migrations drop and build again: dropping it would drop the
        triggers and indexes, cascade deletes into the rows that refer to it, or break the
        views.

        Raises:
            StoreUnavailable: naming each object that is in the way.
        """
        rebuilt = ("cg_batches", "cg_streams", "cg_events")
        pattern = re.compile(r"\bcg_(?:batches|streams|events)\b", re.IGNORECASE)
        found = [
            f"{kind} {name!r}"
            for kind, name, sql in cursor.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE type IN ('view', 'trigger')"
            )
            if sql and pattern.search(sql)
        ]
        found += [
            f"index {name!r}"
            for name, table in cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
            if table.lower() in rebuilt and name not in OUR_INDEXES
        ]
        found += [
            f"the foreign key of table {name!r}"
            for (name,) in cursor.execute(
                "SELECT DISTINCT m.name FROM sqlite_master AS m, "
                "pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table' "
                "AND lower(f.\"table\") IN ('cg_batches', 'cg_streams', 'cg_events')"
            )
        ]
        if found:
            raise StoreUnavailable(
                "SQLite",
                f"{self._where} is at schema {current}, and moving it to schema "
                f"{SCHEMA_VERSION} drops tables of ours (cg_events, cg_batches, cg_streams) and "
                f"builds them again; the application's {', '.join(found)} are on them. "
                "Nothing was changed: drop them, open the store once, and create them again",
            )

    # --- writing -----------------------------------------------------------------------

    def append(self, request: AppendRequest) -> AppendResult:
        """See :meth:`communitygov.storage.protocol.EventStore.append`."""
        return self.append_many([request])[0]

    def append_many(self, requests: Sequence[AppendRequest]) -> list[AppendResult]:
        """See :meth:`communitygov.storage.protocol.EventStore.append_many`.

        Every request is checked first (command id, expected version), then all the rows are
        written with one statement per table.
        """
        require_requests(requests)
        self._require_writable(requests)
        if not requests:
            self._read("SELECT 1", ())  # nothing to write, but a closed connection is an error
            return []
        with self._transaction(requests[0]) as cursor:
            writes = _Writes(cursor)
            if len(requests) > 1:
                writes.look_up(requests)
            results = [writes.plan(request) for request in requests]
            writes.flush()
            return results

    def _require_writable(self, requests: Sequence[AppendRequest]) -> None:
        """Refuse an append to a store opened read-only (``StoreUnavailable`` first, if it
        is closed too)."""
        if self._read_only:
            self._require_open()
            refuse_append("SQLite", requests)

    @classmethod
    def bulk_import(
        cls,
        path: str | bytes | os.PathLike[str],
        requests: Iterable[AppendRequest],
        *,
        synchronous: str = "FULL",
        timeout: float = 30.0,
    ) -> SQLiteStore:
        """A new database at ``path`` holding every request of ``requests``, opened.

        For replaying an archive into an empty store. The requests are checked as
        :meth:`append_many` checks them (expected versions, command ids), a thousand at a
        time, and written into a temporary file beside ``path`` with no journal and no sync at
        each commit; only when every one is in is the file synced, once, and put in place
        with a hard link (so the file system must allow hard links). Until then nothing is at
        ``path``: a request refused, an error or a killed process leaves nothing there (a
        killed process may leave its temporary ``.<name>.*.importing`` file beside it). Once
        the file is in place it holds the whole archive; should syncing its directory or
        opening it then fail, the error says so. ``requests`` may be any iterable, a
        generator reading an archive larger than memory included.

        Args:
            path: the new database file; nothing may exist there yet.
            requests: append requests, in the order they were made.
            synchronous, timeout: as for the store, once it is opened.

        Raises:
            StoreUnavailable: something exists at ``path``, ``synchronous`` or ``timeout``
                is not one the store takes, or the file cannot be written or put in place.
            ConcurrencyConflict: a request does not follow the stream's earlier ones.
            PersistenceError: a request cannot be stored (a separator in an event's fields).
        """
        _check_options(synchronous, timeout)
        _require_path(path)
        try:
            iter(requests)
        except TypeError:
            raise MalformedRequest(
                None, "requests", requests, None, "a bulk import takes AppendRequest records"
            ) from None
        if os.fsdecode(path) == ":memory:":  # as SQLiteStore reads a path, a Path too
            raise StoreUnavailable(
                "SQLite", "':memory:' names no file; a bulk import writes a new database file"
            )
        target = Path(os.fsdecode(path))
        if os.path.lexists(target):
            raise StoreUnavailable("SQLite", f"{target} exists; {_IMPORT_INTO_NEW}")
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.importing")
        try:
            # Created with the mode any new file gets (not mkstemp's 0600).
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except (OSError, ValueError) as exc:
            raise StoreUnavailable("SQLite", f"{target}: {exc}") from exc
        try:
            _write_archive(temporary, requests, target)
            _sync(temporary, directory=False)
            try:
                os.link(temporary, target)  # unlike a rename, never replaces what appeared
            except FileExistsError:
                raise StoreUnavailable(
                    "SQLite", f"{target} appeared during the import; {_IMPORT_INTO_NEW}"
                ) from None
            except OSError as exc:
                raise StoreUnavailable(
                    "SQLite",
                    f"{target}: {exc} (a bulk import puts its file in place with a hard link, "
                    "which this file system does not allow)"
                    if exc.errno in (errno.EPERM, errno.ENOTSUP, errno.EXDEV)
                    else f"{target}: {exc}",
                ) from exc
        finally:
            with suppress(OSError):  # a leftover is named in the docs; never hide the error
                temporary.unlink(missing_ok=True)
        try:
            _sync(target.parent, directory=True)
            return cls(target, synchronous=synchronous, timeout=timeout)
        except StoreUnavailable as exc:
            raise StoreUnavailable(
                "SQLite", f"{target} holds the whole archive, but: {exc.detail}"
            ) from exc

    def close(self) -> None:
        """Close the database, unless the connection belongs to the application; the store
        refuses reads and writes from now on either way."""
        with self._lock:
            self._closed = True
            if self._owned:
                self._connection.close()


def _require_path(path: object) -> None:
    """Refuse a database path that is not a ``str``, ``bytes`` or ``os.PathLike`` (a number
    would name some other file).

    Raises:
        StoreUnavailable: naming the path.
    """
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise StoreUnavailable(
            "SQLite", f"path={path!r} is not a file path (str, bytes or os.PathLike)"
        )
    text = os.fsdecode(path)
    if not text:
        raise StoreUnavailable(
            "SQLite",
            "an empty path names no file: SQLite would open a temporary database, gone when "
            "it closes (give ':memory:' for a database in memory)",
        )
    if text.endswith((os.sep, "/")) or (os.altsep and text.endswith(os.altsep)):
        raise StoreUnavailable(
            "SQLite",
            f"{text!r} ends with a separator, so it names a folder, not a file (SQLite would "
            "write a file named without it)",
        )


def _require_existing(path: str) -> None:
    """Refuse to open read-only what holds no database: ``":memory:"`` (a new, empty one)
    or a path where nothing is (SQLite would say only "unable to open database file").

    Raises:
        StoreUnavailable: naming the path.
    """
    if path == ":memory:":
        raise StoreUnavailable(
            "SQLite",
            "':memory:' opened read-only would be a new, empty database with nothing to read",
        )
    try:
        status = os.stat(path)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        missing = isinstance(exc, FileNotFoundError)
        raise StoreUnavailable("SQLite", f"{path}: {'no such file' if missing else exc}") from exc
    if not stat.S_ISREG(status.st_mode):
        raise StoreUnavailable("SQLite", f"{path}: not a file (a directory, a pipe or a device)")


def _connect_read_only(path: str, timeout: float) -> sqlite3.Connection:
    """A read-only connection to the database at ``path``.

    To read a database in WAL mode SQLite needs its ``-shm`` and ``-wal`` files beside it,
    and creates them if they are missing. Where it cannot (a directory the user cannot
    write), the file is opened as immutable (read without locks) only if nothing can write
    it meanwhile, that is if it lies on a read-only file system or nobody has write
    permission on it, and only if no ``-wal`` file holds transactions it would miss.

    Raises:
        StoreUnavailable: saying why the file cannot be read here.
        sqlite3.Error: anything else SQLite refuses.
    """

    def connect(immutable: bool) -> sqlite3.Connection:
        escaped = quote(path, safe="/", errors="surrogateescape")  # %, ? and # too
        # An absolute path gets an empty authority: ``file:`` then ``//x`` names a host x.
        uri = f"file://{escaped}" if path.startswith("/") else f"file:{escaped}"
        return sqlite3.connect(
            f"{uri}?mode=ro{'&immutable=1' if immutable else ''}",
            uri=True,
            timeout=timeout,
            isolation_level=None,
            check_same_thread=False,
        )

    connection = connect(immutable=False)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return connection
    except sqlite3.Error as exc:
        connection.close()
        real = os.path.realpath(path)  # SQLite keeps the -wal beside the file a link points to
        directory = os.path.dirname(real)
        if getattr(exc, "sqlite_errorname", "") not in _CANNOT_CREATE_SHM or os.access(
            directory, os.W_OK, effective_ids=os.access in os.supports_effective_ids
        ):
            raise
    cannot = f"{path}: SQLite cannot create {real}-shm (its directory cannot be written)"
    wal = f"{real}-wal"
    if os.path.exists(wal) and os.path.getsize(wal) > 0:
        raise StoreUnavailable(
            "SQLite",
            f"{cannot}, which it needs to read the transactions in {wal}; open the database "
            "once where its directory can be written, or copy it there with that file",
        )
    try:
        unwritable = os.statvfs(real).f_flag & os.ST_RDONLY or os.stat(real).st_mode & 0o222 == 0
    except OSError as exc:
        raise StoreUnavailable("SQLite", f"{cannot}, and: {exc}") from exc
    if not unwritable:
        raise StoreUnavailable(
            "SQLite",
            f"{cannot}, which it needs to read a database that may be written meanwhile; a "
            "file nothing can write (on a read-only file system, or with no write permission "
            "for anyone: chmod a-w) is read without it",
        )
    return connect(immutable=True)


PAGE_SIZE = 2048
"""The page size of a database file the store creates (SQLite's default is 4096). A save
writes a batch row and a summary row of 2 to 3 KB each and an entry in five keys; with pages
of 2 KB it writes 24 KB to the log instead of 44 KB, and the file holds a third less. A file
that exists keeps the page size it has, and so does the database of a connection given to
the store."""

_CANNOT_CREATE_SHM = ("SQLITE_READONLY_DIRECTORY", "SQLITE_READONLY_CANTINIT", "SQLITE_CANTOPEN")


def _file_name(path: str) -> str:
    """``path`` as SQLite takes it for that very file: one starting with ``file:`` would be
    read as a URI (with its own query and escapes), so it is given as ``./file:…``."""
    return os.path.join(".", path) if path.startswith("file:") else path


def _cursor(connection: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor giving rows as tuples, whatever ``row_factory`` the application has set on
    its connection.

    Raises:
        StoreUnavailable: the connection gives text back as something else than ``str``
            (its ``text_factory``), which the store cannot read.
    """
    if connection.text_factory is not str:
        raise StoreUnavailable(
            "SQLite",
            f"the connection's text_factory is {connection.text_factory!r}; the store reads "
            "text as str (set text_factory = str, or give the store a connection of its own)",
        )
    cursor = connection.cursor()
    cursor.row_factory = None
    return cursor


_IMPORT_INTO_NEW = "a bulk import writes a new database and never adds to one"

_IMPORT_CHUNK = 1000
"""Requests per transaction of a bulk import."""


def _write_archive(file: Path, requests: Iterable[AppendRequest], target: Path) -> None:
    """Our tables and every request, in the new database ``file``: no journal (a failed
    import is thrown away whole) and no sync until the caller's one at the end. Errors name
    ``target``, the file the caller asked for."""
    try:
        connection = sqlite3.connect(file, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreUnavailable("SQLite", f"{target}: {exc}") from exc
    try:
        connection.execute(f"PRAGMA page_size={PAGE_SIZE}")
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        store = SQLiteStore(connection=connection)
        source = iter(requests)
        done = 0
        while part := list(itertools.islice(source, _IMPORT_CHUNK)):
            require_requests(part, first=done + 1)  # numbered within the whole archive
            store.append_many(part)
            done += len(part)
    except sqlite3.Error as exc:
        raise StoreUnavailable("SQLite", f"{target}: {exc}") from exc
    except StoreUnavailable as exc:
        raise StoreUnavailable(
            "SQLite", f"{target}: {exc.detail.removeprefix('connection: ')}"
        ) from exc
    finally:
        connection.close()


def _sync(path: Path, *, directory: bool) -> None:
    """Wait until ``path`` (a file, or a directory's entries) is on the disk. As SQLite does,
    a directory is not synced where it cannot be opened as one (Windows) or where its file
    system does not sync directories."""
    if directory and not hasattr(os, "O_DIRECTORY"):
        return
    flags = os.O_RDONLY | os.O_DIRECTORY if directory else os.O_RDWR
    try:
        handle = os.open(path, flags)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
    except OSError as exc:
        if directory and exc.errno in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            return
        raise StoreUnavailable("SQLite", f"{path}: {exc}") from exc


_LONGEST_TIMEOUT = (2**31 - 1) / 1000
"""The longest wait SQLite's ``busy_timeout`` takes, in seconds."""


def _check_options(synchronous: object, timeout: object) -> None:
    """Refuse a ``synchronous`` level or a ``timeout`` the store cannot take."""
    if not isinstance(synchronous, str) or synchronous.upper() not in ("FULL", "NORMAL", "EXTRA"):
        raise StoreUnavailable("SQLite", f"unknown synchronous level {synchronous!r}")
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 <= timeout <= _LONGEST_TIMEOUT
    ):
        raise StoreUnavailable(
            "SQLite",
            f"the timeout is {timeout!r}; it is a number of seconds from 0 to "
            f"{_LONGEST_TIMEOUT:,} (SQLite counts it in milliseconds, up to 2**31 - 1)",
        )


_WRITE_SUMMARY = (
    f"INSERT INTO cg_streams ({SUMMARY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (community_id, stream_id) DO UPDATE SET "
    + ", ".join(
        f"{column} = excluded.{column}"
        for column in (c.strip() for c in SUMMARY_COLUMNS.split(","))
        if column not in ("community_id", "stream_id")
    )
)
"""A stream's summary: a new row, or its row updated in place (its keys untouched)."""

_CHUNK = 500
"""Streams looked up per query (well under SQLite's limit on parameters)."""


class _Writes:
    """The rows of one ``append_many`` call: checked request by request, written together."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.cursor = cursor
        self.versions: dict[tuple[str, str], int] = {}
        self.positions: dict[str, int] = {}
        self.commands: dict[tuple[str, str], AppendResult] = {}
        self.batches: list[tuple[Any, ...]] = []
        self.summaries: list[tuple[Any, ...]] = []
        self.command_rows: list[tuple[Any, ...]] = []

    def look_up(self, requests: Sequence[AppendRequest]) -> None:
        """Read the versions and last positions all of ``requests`` need, a chunk of streams
        at a time (each chunk one search of the summaries' key per stream)."""
        streams: dict[str, set[str]] = {}
        for request in requests:
            streams.setdefault(request.community_id, set()).add(request.stream_id)
        for community, ids in streams.items():
            ordered = sorted(ids)
            self.versions.update(dict.fromkeys(((community, s) for s in ordered), 0))
            for start in range(0, len(ordered), _CHUNK):
                chunk = ordered[start : start + _CHUNK]
                for stream, version in self.cursor.execute(
                    "SELECT stream_id, version FROM cg_streams WHERE community_id = ? "
                    f"AND stream_id IN ({', '.join('?' * len(chunk))})",
                    [community, *chunk],
                ):
                    self.versions[community, stream] = version
            row = self.cursor.execute(
                "SELECT max(last_position) FROM cg_batches WHERE community_id = ?", (community,)
            ).fetchone()
            self.positions[community] = row[0] or 0

    def plan(self, request: AppendRequest) -> AppendResult:
        """Check ``request`` against the store and the requests before it; queue its rows.

        Raises:
            ConcurrencyConflict: the stream is not at the expected version.
        """
        community, stream = request.community_id, request.stream_id
        if request.command_id is not None:
            seen = self._command(community, request.command_id)
            if seen is not None:
                return seen
        current, last = self._version_and_position(community, stream)
        if current != request.expected_version:
            raise ConcurrencyConflict(
                stream, request.expected_version, current, community=community
            )
        count = len(request.events)
        result = AppendResult(community, stream, current + count, last + 1, last + count)
        if count:
            self.batches.append(
                (
                    community,
                    last + count,
                    last + 1,
                    stream,
                    current + 1,
                    current + count,
                    pack_events(request.events),
                )
            )
        summary = request.summary
        self.summaries.append(
            (
                summary.community_id,
                summary.stream_id,
                summary.kind,
                summary.version,
                summary.state,
                summary.title,
                _time_text(summary.updated_at, request.events),
                summary.snapshot,
                summary.last_hash,
                _utc(summary.due_at) if summary.due_at is not None else None,
                summary.due_what,
            )
        )
        self.versions[community, stream] = summary.version
        self.positions[community] = last + count
        if request.command_id is not None:
            self.commands[community, request.command_id] = attrs.evolve(result, duplicate=True)
            self.command_rows.append(
                (community, request.command_id, stream, result.version, last + 1, last + count)
            )
        return result

    def _command(self, community: str, command_id: str) -> AppendResult | None:
        seen = self.commands.get((community, command_id))
        if seen is not None:
            return seen
        row = self.cursor.execute(
            "SELECT stream_id, version, first_position, last_position FROM cg_commands "
            "WHERE community_id = ? AND command_id = ?",
            (community, command_id),
        ).fetchone()
        if row is None:
            return None
        stream_id, version, first, last = row
        return AppendResult(community, stream_id, version, first, last, True)

    def _version_and_position(self, community: str, stream: str) -> tuple[int, int]:
        """The stream's version and the community's last position, as of this call."""
        version = self.versions.get((community, stream))
        last = self.positions.get(community)
        if version is None or last is None:
            row = self.cursor.execute(
                "SELECT (SELECT version FROM cg_streams WHERE community_id = ?1 "
                "AND stream_id = ?2), (SELECT max(last_position) FROM cg_batches "
                "WHERE community_id = ?1)",
                (community, stream),
            ).fetchone()
            if version is None:
                version = row[0] or 0
            if last is None:
                last = row[1] or 0
        return version, last

    def flush(self) -> None:
        """Write every queued row."""
        cursor = self.cursor
        if self.batches:
            cursor.executemany(
                "INSERT INTO cg_batches (community_id, last_position, first_position, "
                "stream_id, first_version, last_version, events) VALUES (?, ?, ?, ?, ?, ?, ?)",
                self.batches,
            )
        cursor.executemany(_WRITE_SUMMARY, self.summaries)
        if self.command_rows:
            cursor.executemany(
                "INSERT INTO cg_commands (community_id, command_id, stream_id, version, "
                "first_position, last_position) VALUES (?, ?, ?, ?, ?, ?)",
                self.command_rows,
            )
