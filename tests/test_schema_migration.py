"""A database written by an earlier schema opens with this code.

The version-1 tables (one row per event) are built from the stores' own migration list and
filled with exactly the rows a version-1 store wrote for a short story; an SQLite database is
also taken to version 2 (one row per append, in tables keyed by their primary keys) by that
version's own migration, as the library of that version left it. Opening the store migrates
them, and every event, summary, command id and hash chain must come through unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import communitygov as cg
from communitygov.storage import sqlite as sqlite_store
from communitygov.storage import sqlite_schema

AT = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=8)))


def _story() -> cg.MemoryStore:
    """Two communities, a few commands each, one with a command id."""
    store = cg.MemoryStore()
    gov = cg.Governance(store)
    for community in ("c1", "c2"):
        gov.register_community(community, f"社区{community}", at=AT)
        for n in range(3):

            def add(c: cg.Community, n: int = n) -> cg.Decision[cg.Community]:
                return c.register_person(f"p{n}", f"居民{n}", at=AT)

            gov.execute(
                cg.Community,
                community,
                community,
                add,
                command_id=f"{community}-add-{n}" if n == 1 else None,
            )
    return store


def _v1_rows(store: cg.MemoryStore) -> tuple[list[Any], list[Any], list[Any]]:
    """The version-1 rows of ``cg_events``, ``cg_streams`` and ``cg_commands``."""
    events: list[Any] = []
    streams: list[Any] = []
    commands: list[Any] = []
    for community in store.communities():
        for e in store.read_all(community):
            events.append(
                (
                    e.community_id,
                    e.position,
                    e.stream_id,
                    e.version,
                    e.type,
                    e.schema_version,
                    e.data,
                    e.at.isoformat(),
                    e.hash,
                )
            )
        for s in store.summaries(community):
            streams.append(
                (
                    s.community_id,
                    s.stream_id,
                    s.kind,
                    s.version,
                    s.state,
                    s.title,
                    s.updated_at,
                    s.due_at,
                    s.due_what,
                    s.snapshot,
                    s.last_hash,
                )
            )
        for n in range(3):
            result = store.command_result(community, f"{community}-add-{n}")
            if result is not None:
                commands.append(
                    (
                        community,
                        f"{community}-add-{n}",
                        result.stream_id,
                        result.version,
                        result.first_position,
                        result.last_position,
                    )
                )
    return events, streams, commands


_INSERTS = (
    "INSERT INTO cg_events (community_id, position, stream_id, version, type, schema_version, "
    "data, at, hash) VALUES ({})",
    "INSERT INTO cg_streams (community_id, stream_id, kind, version, state, title, updated_at, "
    "due_at, due_what, snapshot, last_hash) VALUES ({})",
    "INSERT INTO cg_commands (community_id, command_id, stream_id, version, first_position, "
    "last_position) VALUES ({})",
)


def _write_sqlite(path: Path, story: cg.MemoryStore, version: int) -> None:
    """An SQLite database holding ``story`` at schema ``version`` (1 or 2)."""
    _write_v1_sqlite(path, story)
    with sqlite3.connect(path) as connection:
        for later in range(2, version + 1):
            for statement in sqlite_schema.MIGRATIONS[later]:
                connection.execute(statement)
        connection.execute("UPDATE cg_meta SET value = ? WHERE key = 'schema_version'", (version,))
    connection.close()


def _write_v1_sqlite(path: Path, story: cg.MemoryStore) -> None:
    events, streams, commands = _v1_rows(story)
    streams = [
        (*row[:6], row[6].astimezone(UTC).isoformat(), None, *row[8:])
        if row[7] is None
        else (*row[:6], row[6].isoformat(), row[7].astimezone(UTC).isoformat(), *row[8:])
        for row in streams
    ]
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE cg_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        for statement in sqlite_schema.MIGRATIONS[1]:
            connection.execute(statement)
        for sql, rows in zip(_INSERTS, (events, streams, commands), strict=True):
            width = len(rows[0])
            connection.executemany(sql.format(", ".join(["?"] * width)), rows)
        connection.execute("INSERT INTO cg_meta VALUES ('schema_version', '1')")
    connection.close()


def _write_v1_postgres(dsn: str, story: cg.MemoryStore) -> None:
    import psycopg

    from communitygov.storage.postgres_schema import MIGRATIONS

    events, streams, commands = _v1_rows(story)
    with psycopg.connect(dsn) as connection:
        connection.execute("CREATE TABLE cg_meta (key text PRIMARY KEY, value text NOT NULL)")
        for statement in MIGRATIONS[1]:
            connection.execute(statement.encode())
        # Schema 1 also had its own cg_append (its body does not matter here, its signature
        # does: the migration must drop it, not leave an overload beside the new one).
        connection.execute(
            "CREATE FUNCTION cg_append(text, text, integer, text[], integer[], text[], text[], "
            "text[], text, integer, text, text, timestamptz, timestamptz, text, text, text, "
            "text) RETURNS integer LANGUAGE sql AS 'SELECT 1'"
        )
        with connection.cursor() as cursor:
            for sql, rows in zip(_INSERTS, (events, streams, commands), strict=True):
                width = len(rows[0])
                cursor.executemany(sql.format(", ".join(["%s"] * width)), rows)
            cursor.executemany(
                "INSERT INTO cg_positions (community_id, last_position) VALUES (%s, %s)",
                [(c, max(e[1] for e in events if e[0] == c)) for c in story.communities()],
            )
        connection.execute("INSERT INTO cg_meta VALUES ('schema_version', '1')")


Migrated = tuple[cg.MemoryStore, Callable[..., Any], str]


@pytest.fixture(params=["sqlite", "sqlite-v2", "postgresql"])
def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Migrated]:
    """The story, a function that opens the older database holding it (given the store's
    options), and where it is (a path or a DSN)."""
    story = _story()
    if request.param.startswith("sqlite"):
        path = tmp_path / "old.db"
        _write_sqlite(path, story, 2 if request.param == "sqlite-v2" else 1)
        yield story, lambda **options: cg.SQLiteStore(path, **options), str(path)
        return
    server = request.getfixturevalue("postgres_server")
    name, dsn = server.create_database()
    _write_v1_postgres(dsn, story)
    yield story, lambda **options: cg.PostgresStore(dsn, **options), dsn
    server.drop_database(name)


def test_an_older_database_opens_with_every_record_intact(migrated: Migrated) -> None:
    story, open_store, _ = migrated
    store = open_store()
    gov = cg.Governance(store)
    assert gov.verify() == []
    for community in story.communities():
        assert store.read_all(community) == story.read_all(community)
        assert store.read_stream(community, community, 2) == story.read_stream(
            community, community, 2
        )
        assert store.summaries(community) == story.summaries(community)  # times by instant
        assert store.command_result(community, f"{community}-add-1") == story.command_result(
            community, f"{community}-add-1"
        )
        assert gov.community(community) == cg.Governance(story).community(community)
    # Work goes on where the old rows stopped: the next position and version follow on.
    after = gov.execute(cg.Community, "c1", "c1", lambda c: c.register_person("p9", "新", at=AT))
    assert after.version == 5
    assert [e.position for e in store.read_all("c1")] == list(range(1, 6))
    assert gov.verify() == []
    store.close()
    reopened = open_store()  # migrated once: opening again changes nothing
    assert len(reopened.read_all("c1")) == 5
    reopened.close()


def _schema_and_bytes(where: str) -> tuple[str, bytes]:
    """The schema version a database records and, for an SQLite file, its bytes."""
    if Path(where).exists():
        with sqlite3.connect(where) as connection:
            row = connection.execute("SELECT value FROM cg_meta").fetchone()
        connection.close()
        return row[0], Path(where).read_bytes()
    import psycopg

    with psycopg.connect(where) as postgres:
        found = postgres.execute("SELECT value FROM cg_meta").fetchone()
    assert found is not None
    return found[0], b""


def test_an_older_database_is_not_opened_read_only_and_is_left_as_it_was(
    migrated: Migrated,
) -> None:
    story, open_store, where = migrated
    before = _schema_and_bytes(where)
    with pytest.raises(
        cg.StoreUnavailable,
        match=r"is at schema [12], which a store opened read-only does not migrate; open it "
        r"once for writing to move it to schema \d",
    ):
        open_store(read_only=True)
    assert _schema_and_bytes(where) == before
    open_store().close()  # migrates it
    with open_store(read_only=True) as reader:
        for community in story.communities():
            assert reader.read_all(community) == story.read_all(community)
        assert cg.Governance(reader).verify() == []


@pytest.mark.parametrize("migrated", ["postgresql"], indirect=True)
def test_the_postgresql_migration_leaves_one_append_function(migrated: Migrated) -> None:
    import psycopg

    _, open_store, dsn = migrated
    open_store().close()
    with psycopg.connect(dsn) as connection:
        functions = connection.execute(
            "SELECT pg_get_function_identity_arguments(oid) FROM pg_proc "
            "WHERE proname = 'cg_append'"
        ).fetchall()
    assert len(functions) == 1
    assert "text[]" not in functions[0][0]


def test_a_summary_behind_its_events_loads_with_the_events_after_it(migrated: Migrated) -> None:
    # A version-1 store used directly (not through the facade) could be given a summary of an
    # earlier version than its events; such a stream loads with the events after it.
    story, open_store, where = migrated
    update = "UPDATE cg_streams SET version = 2 WHERE community_id = 'c1' AND stream_id = 'c1'"
    if Path(where).exists():
        with sqlite3.connect(where) as connection:
            connection.execute(update)
    else:
        import psycopg

        with psycopg.connect(where) as connection:
            connection.execute(update)
    store = open_store()
    loaded = store.load("c1", "c1")
    assert loaded is not None
    assert loaded[0].version == 2
    assert loaded[1] == story.read_stream("c1", "c1", 2)
    assert len(loaded[1]) == 2
    store.close()


@pytest.mark.parametrize("migrated", ["sqlite", "sqlite-v2"], indirect=True)
def test_sqlite_tables_are_rowid_tables_with_their_keys_after_migration(
    migrated: Migrated,
) -> None:
    _, open_store, path = migrated
    open_store().close()
    with sqlite3.connect(path) as connection:
        tables = dict(
            connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name LIKE 'cg_%'"
            ).fetchall()
        )
        indexes = {
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        }
        version = connection.execute(
            "SELECT value FROM cg_meta WHERE key = 'schema_version'"
        ).fetchone()
    connection.close()
    assert set(tables) == {"cg_meta", "cg_batches", "cg_streams", "cg_commands"}
    assert "WITHOUT ROWID" not in tables["cg_batches"]
    assert "WITHOUT ROWID" not in tables["cg_streams"]
    assert indexes == {
        "cg_batches_position",
        "cg_batches_version",
        "cg_streams_stream",
        "cg_streams_due",
        "cg_streams_state",
    }
    assert version == (str(sqlite_store.SCHEMA_VERSION),)


def _contents(path: Path) -> list[Any]:
    """Every schema object of an SQLite file and every row of our tables."""
    with sqlite3.connect(path) as connection:
        found: list[Any] = connection.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        for table in ("cg_meta", "cg_batches", "cg_streams", "cg_commands"):
            found += connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
    connection.close()
    return found


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("CREATE VIEW open_matters AS SELECT stream_id FROM cg_streams", "view 'open_matters'"),
        (
            "CREATE TRIGGER audit AFTER INSERT ON CG_BATCHES BEGIN SELECT 1; END",
            "trigger 'audit'",
        ),
        (
            "CREATE TABLE notes (community_id TEXT, stream_id TEXT, FOREIGN KEY "
            "(community_id, stream_id) REFERENCES cg_streams ON DELETE CASCADE)",
            "the foreign key of table 'notes'",
        ),
        (
            "CREATE TABLE notes (community_id TEXT, stream_id TEXT, FOREIGN KEY "
            "(community_id, stream_id) REFERENCES CG_Streams ON DELETE CASCADE)",
            "the foreign key of table 'notes'",
        ),
        ("CREATE INDEX by_title ON cg_streams (title)", "index 'by_title'"),
    ],
)
def test_an_application_object_on_a_rebuilt_table_stops_the_migration_and_changes_nothing(
    tmp_path: Path, statement: str, named: str
) -> None:
    # Schema 3 drops cg_batches and cg_streams and builds them again: that would drop the
    # application's triggers on them, cascade deletes into rows that refer to them, and break
    # its views. The store refuses instead, naming what is in the way.
    path = tmp_path / "app.db"
    _write_sqlite(path, _story(), 2)
    with sqlite3.connect(path) as connection:
        connection.execute(statement)
        connection.execute("CREATE TABLE unrelated (x TEXT)")
        connection.execute("CREATE VIEW also_unrelated AS SELECT x FROM unrelated")
    connection.close()
    before = _contents(path)
    with pytest.raises(cg.StoreUnavailable, match=named) as refused:
        cg.SQLiteStore(path)
    assert "schema 2" in str(refused.value)
    assert "Nothing was changed" in str(refused.value)
    assert _contents(path) == before
    with sqlite3.connect(path) as connection:  # not even switched to write-ahead logging
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    connection.close()
    assert not Path(f"{path}-wal").exists()
    with sqlite3.connect(path) as connection:
        kind = statement.split()[1].lower()
        connection.execute(f"DROP {kind} {named.split(chr(39))[1]}")
    connection.close()
    store = cg.SQLiteStore(path)
    assert cg.Governance(store).verify() == []
    store.close()


def test_a_store_that_finds_the_database_migrated_meanwhile_migrates_nothing(
    tmp_path: Path,
) -> None:
    # Two processes open an older database at once: both read the old version, one takes the
    # write lock and migrates. The other must read the version again under the lock, rather
    # than run the migrations a second time on tables that have moved on.
    path = tmp_path / "old.db"
    story = _story()
    _write_sqlite(path, story, 1)

    class OpenedAtTheSameTime(cg.SQLiteStore):
        first_look = True

        def _check(self, cursor: sqlite3.Cursor) -> int:
            seen = super()._check(cursor)
            if OpenedAtTheSameTime.first_look:  # the other process migrates right now
                OpenedAtTheSameTime.first_look = False
                cg.SQLiteStore(path).close()
            return seen

    store = OpenedAtTheSameTime(path)
    assert not OpenedAtTheSameTime.first_look
    assert store.read_all("c1") == story.read_all("c1")
    assert cg.Governance(store).verify() == []
    store.close()


def test_a_new_database_opens_beside_an_application_table_that_refers_to_ours(
    tmp_path: Path,
) -> None:
    # Nothing of ours exists yet, so nothing is rebuilt: the application may declare its
    # foreign key first.
    path = tmp_path / "new.db"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE notes (community_id TEXT, stream_id TEXT, FOREIGN KEY "
            "(community_id, stream_id) REFERENCES cg_streams (community_id, stream_id))"
        )
    connection.close()
    store = cg.SQLiteStore(path)
    gov = cg.Governance(store)
    gov.register_community("c1", "社区", at=AT)
    assert gov.verify() == []
    store.close()


@pytest.mark.parametrize("recorded", ["abc", "-1", "2.5", ""])
def test_a_recorded_schema_version_that_is_not_one_is_refused(
    tmp_path: Path, recorded: str
) -> None:
    path = tmp_path / "odd.db"
    _write_sqlite(path, _story(), 2)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE cg_meta SET value = ? WHERE key = 'schema_version'", (recorded,))
    connection.close()
    before = _contents(path)
    with pytest.raises(cg.StoreUnavailable, match=f"schema version {recorded!r}"):
        cg.SQLiteStore(path)
    assert _contents(path) == before


@pytest.mark.parametrize(
    "statements",
    [
        ["CREATE TABLE cg_streams (x)"],
        ["CREATE TABLE cg_meta (key TEXT, value TEXT)", "CREATE TABLE cg_batches (y)"],
    ],
    ids=["another-applications-table", "our-names-without-a-recorded-schema"],
)
def test_a_database_with_tables_named_as_ours_but_no_schema_is_refused_and_left_as_it_was(
    tmp_path: Path, statements: list[str]
) -> None:
    path = tmp_path / "foreign.db"
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()

    def state() -> list[Any]:
        with sqlite3.connect(path) as connection:
            found: list[Any] = connection.execute("PRAGMA journal_mode").fetchall()
            found += connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        connection.close()
        return found

    before = state()
    assert before[0] == ("delete",)
    with pytest.raises(cg.StoreUnavailable, match="records no schema of ours") as refused:
        cg.SQLiteStore(path)
    assert "cg_batches" in str(refused.value) or "cg_streams" in str(refused.value)
    assert state() == before  # not switched to WAL, no cg_meta created


def test_an_application_table_whose_name_starts_like_ours_is_left_alone(tmp_path: Path) -> None:
    # Only the tables our migrations create are ours: cg_settings, CG_x are the application's.
    path = tmp_path / "shared.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE cg_settings (key TEXT, value TEXT)")
        connection.execute("CREATE TABLE CG_x (y)")
    connection.close()
    with cg.SQLiteStore(path) as store:
        cg.Governance(store).register_community("c1", "社区", at=AT)
    with sqlite3.connect(path) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    connection.close()
    assert {"cg_settings", "CG_x", "cg_streams", "cg_batches"} <= names
