"""Stores opened read-only read what was written, change nothing, and refuse every append."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import communitygov as cg
from communitygov.storage import open_store
from communitygov.storage.urls import shown_url
from communitygov.testing.append_requests import make_request

AT = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=8)))

Opener = Callable[..., Any]
"""Opens the store under test: ``opener()`` for writing, ``opener(read_only=True)``."""


@pytest.fixture(params=["sqlite", "postgresql"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens one database again and again: an SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "records.db"
        yield lambda **options: cg.SQLiteStore(path, **options)
        return
    server = request.getfixturevalue("postgres_server")
    name, dsn = server.create_database()
    yield lambda **options: cg.PostgresStore(dsn, **options)
    server.drop_database(name)


def _write_story(store: cg.EventStore) -> None:
    gov = cg.Governance(store)
    gov.register_community("sanwan", "三湾社区", at=AT)
    for n in range(3):

        def add(c: cg.Community, n: int = n) -> cg.Decision[cg.Community]:
            return c.register_person(f"p{n}", f"居民{n}", at=AT)

        gov.execute(cg.Community, "sanwan", "sanwan", add, command_id=f"add-{n}")


def _everything(store: cg.EventStore) -> tuple[Any, ...]:
    return (
        store.summaries("sanwan"),
        store.read_all("sanwan", limit=1000),
        store.load("sanwan", "sanwan"),
        store.command_result("sanwan", "add-1"),
    )


def test_a_store_opened_read_only_reads_everything_and_refuses_every_append(
    opener: Opener,
) -> None:
    with opener() as writer:
        _write_story(writer)
        written = _everything(writer)
    with opener(read_only=True) as reader:
        assert reader.read_only is True
        with pytest.raises(AttributeError):
            reader.read_only = False
        assert _everything(reader) == written
        gov = cg.Governance(reader)
        assert set(gov.community("sanwan").people) == {"p0", "p1", "p2"}
        assert gov.verify() == []

        next_one = make_request("sanwan", "m1")
        with pytest.raises(cg.StoreReadOnly) as refused:
            reader.append(next_one)
        assert (refused.value.community, refused.value.stream, refused.value.requests) == (
            "sanwan",
            "m1",
            1,
        )
        assert "was opened read-only: the append to stream 'm1' of community 'sanwan'" in str(
            refused.value
        )
        with pytest.raises(cg.StoreReadOnly, match="'m1' of community 'sanwan' and 1 more"):
            reader.append_many([next_one, make_request("sanwan", "m2")])
        with pytest.raises(cg.StoreReadOnly, match="an append of no requests was refused"):
            reader.append_many([])
        with pytest.raises(cg.StoreReadOnly):
            gov.register_community("dongcun", "东村", at=AT)

        def rename(c: cg.Community) -> cg.Decision[cg.Community]:
            return c.register_person("p9", "居民9", at=AT)

        with pytest.raises(cg.StoreReadOnly):
            gov.execute(cg.Community, "sanwan", "sanwan", rename, command_id="add-9")
        assert _everything(reader) == written
        assert reader.summaries("dongcun") == []
    with opener() as writer:
        assert _everything(writer) == written
    closed = opener(read_only=True)
    closed.close()
    with pytest.raises(cg.StoreUnavailable, match="closed"):
        closed.append(make_request("sanwan", "m1"))


def test_a_read_only_store_sees_what_a_writer_commits_while_it_is_open(opener: Opener) -> None:
    with opener() as writer:
        _write_story(writer)
        with opener(read_only=True) as reader:
            before = len(reader.read_all("sanwan"))
            writer.append(make_request("sanwan", "m1", count=2))
            assert len(reader.read_all("sanwan")) == before + 2
            assert reader.load("sanwan", "m1") is not None


def test_a_postgresql_database_without_our_tables_is_refused_and_left_without_them(
    postgres_server: Any,
) -> None:
    import psycopg

    name, dsn = postgres_server.create_database()
    try:
        with pytest.raises(cg.StoreUnavailable, match="holds no communitygov records"):
            cg.PostgresStore(dsn, read_only=True)
        with psycopg.connect(dsn) as connection:
            found = connection.execute(
                "SELECT count(*) FROM pg_class WHERE relname LIKE 'cg%'"
            ).fetchone()
        assert found == (0,)
    finally:
        postgres_server.drop_database(name)


def test_the_flag_is_a_bool(tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    cg.SQLiteStore(path).close()
    for given in ("false", 1, None):
        with pytest.raises(cg.StoreUnavailable, match="read_only is True or False"):
            cg.SQLiteStore(path, read_only=given)  # type: ignore[arg-type]
        with pytest.raises(cg.StoreUnavailable, match="read_only is True or False"):
            open_store(f"sqlite:///{path}", read_only=given)  # type: ignore[arg-type]


# --- SQLite: the file is left exactly as it was -------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_sqlite_opened_read_only_leaves_the_file_and_its_journal_mode_as_they_were(
    tmp_path: Path, journal: str
) -> None:
    path = tmp_path / "records.db"
    with cg.SQLiteStore(path) as writer:
        _write_story(writer)
    if journal == "delete":
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA journal_mode=DELETE")
        connection.close()
    digest, modified = _digest(path), path.stat().st_mtime_ns
    with cg.SQLiteStore(path, read_only=True) as reader:
        assert len(reader.read_all("sanwan")) == 4
        with pytest.raises(cg.StoreReadOnly):
            reader.append(make_request("sanwan", "m1"))
    assert (_digest(path), path.stat().st_mtime_ns) == (digest, modified)
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == (journal,)
    connection.close()


def test_sqlite_read_only_refuses_what_holds_no_database(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    with pytest.raises(cg.StoreUnavailable, match=f"{missing}: no such file"):
        cg.SQLiteStore(missing, read_only=True)
    with pytest.raises(cg.StoreUnavailable, match="':memory:' opened read-only"):
        cg.SQLiteStore(":memory:", read_only=True)
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(cg.StoreUnavailable, match="holds no communitygov records"):
        cg.SQLiteStore(empty, read_only=True)
    assert empty.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    connection.close()
    digest = _digest(foreign)
    with pytest.raises(cg.StoreUnavailable, match="holds no communitygov records"):
        cg.SQLiteStore(foreign, read_only=True)
    assert _digest(foreign) == digest


def test_sqlite_read_only_opens_the_very_file_a_path_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    names = ["a?mode=rwc#x%41 周.db", "file:records.db"]
    for name in names:
        with cg.SQLiteStore(name) as writer:
            writer.append(make_request("c1", name))
    for name in (*names, str(tmp_path / names[0]), f"{tmp_path}//{names[1]}"):
        with cg.SQLiteStore(name, read_only=True) as reader:
            assert [s.stream_id for s in reader.summaries("c1")] == [Path(name).name]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == sorted(names)


def test_sqlite_on_a_host_connection_can_be_read_only(tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    with cg.SQLiteStore(path) as writer:
        _write_story(writer)
    connection = sqlite3.connect(path)
    reader = cg.SQLiteStore(connection=connection, read_only=True)
    assert len(reader.read_all("sanwan")) == 4
    with pytest.raises(cg.StoreReadOnly):
        reader.append(make_request("sanwan", "m1"))
    reader.close()
    assert connection.execute("SELECT count(*) FROM cg_streams").fetchone() == (1,)
    connection.close()


_READER = textwrap.dedent(
    """
    import sys
    import communitygov as cg
    for read_only in (True, False):
        try:
            with cg.SQLiteStore(sys.argv[1], read_only=read_only) as store:
                print(len(store.read_all("sanwan")), cg.Governance(store).verify())
        except cg.StoreUnavailable as exc:
            print("refused:", exc.detail)
    """
)


def _as_unprivileged(argv: list[str]) -> list[str]:
    """``argv`` run without the right to write what its user may not (root's override
    of file permissions dropped), so that an unwritable directory is one."""
    if os.geteuid() != 0:
        return argv
    capsh = shutil.which("capsh")
    if capsh is None:
        pytest.skip("running as root without capsh, which drops root's override of permissions")
    drop = "--drop=cap_dac_override,cap_dac_read_search"
    return [capsh, drop, "--", "-c", 'exec "$0" "$@"', *argv]


def _read_unprivileged(path: Path) -> list[str]:
    """What :data:`_READER` prints for ``path``: read-only first, then for writing."""
    command = _as_unprivileged([sys.executable, "-c", _READER, str(path)])
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Path]:
    """A store (WAL mode; its -wal and -shm went at close) in a directory nobody may write,
    made writable again afterwards."""
    directory = tmp_path / "archive"
    directory.mkdir()
    path = directory / "records.db"
    with cg.SQLiteStore(path) as writer:
        _write_story(writer)
    directory.chmod(0o555)
    yield path
    directory.chmod(0o755)
    path.chmod(0o644)


def test_sqlite_read_only_reads_a_file_nothing_can_write_in_a_directory_nobody_may_write(
    archive: Path,
) -> None:
    archive.chmod(0o444)
    lines = _read_unprivileged(archive)
    assert lines[0] == "4 []"
    assert lines[1].startswith("refused: ")  # opened for writing, it cannot be read here
    assert sorted(p.name for p in archive.parent.iterdir()) == ["records.db"]


def test_sqlite_read_only_refuses_a_file_someone_may_write_in_a_directory_it_cannot_write(
    archive: Path,
) -> None:
    # Read without SQLite's shared memory, a writer's commits would go unseen, or read as
    # damage.
    archive.chmod(0o644)
    lines = _read_unprivileged(archive)
    assert lines[0] == (
        f"refused: {archive}: SQLite cannot create {archive}-shm (its directory cannot be "
        "written), which it needs to read a database that may be written meanwhile; a file "
        "nothing can write (on a read-only file system, or with no write permission for "
        "anyone: chmod a-w) is read without it"
    )


def test_sqlite_read_only_refuses_a_file_whose_wal_it_cannot_share_even_through_a_link(
    archive: Path, tmp_path: Path
) -> None:
    # A transaction committed to the -wal and not yet copied into the file, as a writer
    # that was killed leaves it; without the -shm, SQLite cannot read the -wal here.
    archive.parent.chmod(0o755)
    leave_wal = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint=0')\n"
        "c.execute(\"INSERT INTO cg_meta VALUES ('committed', 'in the wal')\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", leave_wal, str(archive)], check=True, timeout=60)
    Path(f"{archive}-shm").unlink()
    assert Path(f"{archive}-wal").stat().st_size > 0
    archive.chmod(0o444)
    archive.parent.chmod(0o555)
    link = tmp_path / "link.db"
    link.symlink_to(archive)
    for name in (archive, link):
        lines = _read_unprivileged(name)
        assert lines[0] == (
            f"refused: {name}: SQLite cannot create {archive}-shm (its directory cannot be "
            f"written), which it needs to read the transactions in {archive}-wal; open the "
            "database once where its directory can be written, or copy it there with that file"
        )


def test_sqlite_read_only_refuses_what_is_not_a_file(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    for path in (pipe, tmp_path):
        with pytest.raises(cg.StoreUnavailable, match=f"{path}: not a file"):
            cg.SQLiteStore(path, read_only=True)


# --- open_store and shown URLs ------------------------------------------------------------


def test_open_store_opens_read_only_and_refuses_a_new_memory_store(tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    with cg.SQLiteStore(path) as writer:
        _write_story(writer)
    with open_store(f"sqlite:///{path}", read_only=True) as reader:
        assert isinstance(reader, cg.SQLiteStore)
        assert reader.read_only
        with pytest.raises(cg.StoreReadOnly):
            reader.append(make_request("sanwan", "m1"))
    with pytest.raises(cg.StoreUnavailable, match="nothing to read"):
        open_store("memory://", read_only=True)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://clerk:s3cret@db/records", "postgresql://clerk:***@db/records"),
        ("postgresql://clerk@db/records", "postgresql://clerk@db/records"),
        ("postgresql://db:5432/records", "postgresql://db:5432/records"),
        ("postgresql://:s3cret@db/records", "postgresql://:***@db/records"),
        (
            "postgresql://db/records?user=clerk&Password=s3cret&sslmode=require",
            "postgresql://db/records?user=clerk&Password=***&sslmode=require",
        ),
        ("postgress://clerk:s3cret@db/records", "postgress://clerk:***@db/records"),
        ("postgresql:clerk:s3cret@db/records", "postgresql:***@db/records"),
        ("clerk:s3cret@db/records", "clerk:***@db/records"),
        ("postgresql://clerk:p@ss@db/records", "postgresql://clerk:***@db/records"),
        ("postgresql://clerk:pa?ss#@db/records", "postgresql://clerk:***@db/records"),
        ("postgresql://db:5432/re@cords", "postgresql://db:***@cords"),  # a / in a password?
        ("postgresql://app:Zm9v/YmFy@db/records", "postgresql://app:***@db/records"),
        (
            "postgresql://db/records?oauth_client_secret=x",
            "postgresql://db/records?oauth_client_secret=***",
        ),
        ("host=db user=app:ro password=Tr0ub@dor3", "host=db user=app:ro password=***"),
        ("host=db password=sec\\ ret port=5", "host=db password=*** port=5"),
        ("postgresql://[::1]:5432/records", "postgresql://[::1]:5432/records"),
        ("host=db password=s3cret port=5", "host=db password=*** port=5"),
        ("host=db password='s3 cret' port=5", "host=db password=*** port=5"),
        ("postgresql://db/records?sslpassword=key#x", "postgresql://db/records?sslpassword=***"),
        (
            "postgresql://db/records?sslpassword=a#b&password=c",
            "postgresql://db/records?sslpassword=***&password=***",
        ),
        ("postgresql://db/records?%70assword=s3cret", "postgresql://db/records?%70assword=***"),
        ("sqlite:///records.db", "sqlite:///records.db"),
        ("sqlite:///dir:x/a@b.db", "sqlite:///dir:x/a@b.db"),
        ("postgresql:///db?%70assword=x", "postgresql:///db?%70assword=***"),
        ("memory://", "memory://"),
    ],
)
def test_shown_urls_hide_their_passwords(url: str, shown: str) -> None:
    assert shown_url(url) == shown


def test_shown_url_takes_text_and_shows_nothing_of_anything_else() -> None:
    for given in (None, b"postgresql://clerk:s3cret@db/records"):
        with pytest.raises(cg.WrongType) as refused:
            shown_url(given)  # type: ignore[arg-type]
        assert "s3cret" not in str(refused.value)


def test_a_password_ending_in_an_at_leaves_the_message_readable() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(cg.StoreUnavailable) as refused:
        cg.PostgresStore("host=127.0.0.1 port=1 password=abc@ connect_timeout=1")
    assert "abc" not in str(refused.value)
    assert "127.0.0.1" in str(refused.value)


def test_a_url_that_cannot_be_opened_is_named_without_its_password() -> None:
    with pytest.raises(cg.StoreUnavailable) as refused:
        open_store("postgress://clerk:s3cret@db/records")
    assert "s3cret" not in str(refused.value)
    assert "'postgress://clerk:***@db/records' names no kind of store" in str(refused.value)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgresql://clerk:pa%zzss3cret@127.0.0.1:1/db", 'invalid percent-encoded token: "***"'),
        ("postgresql://127.0.0.1:1/db?password=s3cret%ZZ", 'invalid percent-encoded token: "***"'),
        (
            'postgresql://u@127.0.0.1:1/db?password=s3"cret%ZZ',
            'invalid percent-encoded token: "***"',
        ),
        ("postgresql:clerk:s3cret@db/records", 'missing "=" after "postgresql:***@db/records"'),
        (
            "postgresql://u@127.0.0.1:1/db?connect_timeout=s3cret",
            "bad value for connect_timeout: '…'",
        ),
        ("postgresql://clerk:s3cret@127.0.0.1:1/db?foo=1", 'invalid URI query parameter: "foo"'),
    ],
)
def test_an_invalid_dsn_is_named_without_its_secrets(url: str, said: str) -> None:
    pytest.importorskip("psycopg")
    for attempt in (lambda: open_store(url), lambda: cg.PostgresStore(url)):
        with pytest.raises(cg.StoreUnavailable) as refused:
            attempt()
        assert "s3cret" not in str(refused.value)
        assert f"invalid DSN: {said}" in str(refused.value)
        assert refused.value.__cause__ is None  # the driver's error quotes the DSN as it is
    with pytest.raises(cg.StoreUnavailable) as refused:
        cg.PostgresStore("password=s3 cret host=db")
    assert "cret" not in str(refused.value)
    for given in ("postgresql://u:s3cret@db/d\x00b", "host=db password=s3cret\x00"):
        with pytest.raises(cg.StoreUnavailable, match="holds no NUL") as refused:
            cg.PostgresStore(given)
        assert "s3cret" not in str(refused.value)


def test_a_server_unreachable_for_a_password_with_an_at_is_named_without_it() -> None:
    # An unescaped @ ends the password early: libpq takes the rest for the host, and its
    # complaint about that host must not show the rest of the password either.
    pytest.importorskip("psycopg")
    with pytest.raises(cg.StoreUnavailable) as refused:
        open_store("postgresql://clerk:s3c@ret@127.0.0.1:1/db")
    assert "s3c" not in str(refused.value)
    assert "ret@" not in str(refused.value)
