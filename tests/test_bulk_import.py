"""``SQLiteStore.bulk_import``: an archive replayed into a new file, all of it or nothing."""

from __future__ import annotations

import errno
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import communitygov as cg
from communitygov.storage.integrity import verify
from communitygov.testing.conformance import make_request

_DUE = datetime(2026, 4, 1, 12, tzinfo=timezone(timedelta(hours=8)))


def _archive(streams: int, *, appends: int = 2) -> list[cg.AppendRequest]:
    """Every stream's appends, the streams taking turns, as a store would have received them;
    every third append carries a command id."""
    requests = []
    previous = {f"s{n}": "0" * 64 for n in range(streams)}
    for turn in range(appends):
        for n, stream in enumerate(previous):
            command = f"cmd-{turn}-{n}" if n % 3 == 0 else None
            request = make_request(
                "c1" if n % 2 else "c2",
                stream,
                expected=2 * turn,
                count=2,
                previous_hash=previous[stream],
                command_id=command,
                due_at=_DUE + timedelta(days=n) if turn == appends - 1 else None,
            )
            previous[stream] = request.events[-1].hash
            requests.append(request)
    return requests


def _contents(store: cg.EventStore) -> tuple[object, ...]:
    """Everything a store answers about communities c1 and c2."""
    return tuple(
        (
            store.read_all(community, 0, 100_000),
            store.summaries(community),
            store.summaries(community, due_before=_DUE + timedelta(days=10)),
            [store.command_result(community, f"cmd-{t}-{n}") for t in range(2) for n in range(9)],
        )
        for community in ("c1", "c2")
    )


def test_an_imported_file_answers_as_the_appends_would_have(tmp_path: Path) -> None:
    archive = _archive(1_100)  # 2,200 appends: more than one transaction of the import
    appended = cg.SQLiteStore(tmp_path / "appended.db")
    appended.append_many(archive)
    imported = cg.SQLiteStore.bulk_import(tmp_path / "imported.db", iter(archive))
    try:
        assert _contents(imported) == _contents(appended)
        assert verify(imported, "c1") == []
        assert verify(imported, "c2") == []
        with closing(sqlite3.connect(tmp_path / "imported.db")) as reader:
            assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert imported._connection.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
        # It takes appends as any store does, after the archive's last position: s1 (of c1)
        # was appended to at 1 and 1,101.
        after = make_request(
            "c1", "s1", expected=4, count=1, previous_hash=archive[1_101].events[-1].hash
        )
        assert imported.append(after).first_position == len(appended.read_all("c1", 0, 9_999)) + 1
        assert verify(imported, "c1") == []
    finally:
        imported.close()
        appended.close()
    assert sorted(p.name for p in tmp_path.iterdir() if "importing" in p.name) == []


def test_a_command_id_seen_earlier_in_the_archive_stores_nothing_again(tmp_path: Path) -> None:
    first = make_request("c1", "s1", command_id="retry")
    again = make_request("c1", "s2", command_id="retry")
    with cg.SQLiteStore.bulk_import(tmp_path / "x.db", [first, again]) as store:
        assert [e.stream_id for e in store.read_all("c1")] == ["s1"]
        assert store.summaries("c1")[0].stream_id == "s1"


@settings(max_examples=12, deadline=None)
@given(st.integers(min_value=0, max_value=1_101), st.booleans())
def test_a_request_refused_anywhere_leaves_nothing_at_the_path(
    tmp_path_factory: pytest.TempPathFactory, bad: int, conflict: bool
) -> None:
    # Before, inside or after the first transaction's thousand: the file is never there.
    directory = tmp_path_factory.mktemp("refused")
    archive = _archive(551)  # 1,102 appends
    stream = archive[bad].stream_id
    if conflict:
        archive[bad] = make_request(archive[bad].community_id, stream, expected=7, count=1)
        expected: type[Exception] = cg.ConcurrencyConflict
    else:
        archive[bad] = "not a request"  # type: ignore[call-overload]
        expected = cg.MalformedRequest
    with pytest.raises(expected) as refused:
        cg.SQLiteStore.bulk_import(directory / "archive.db", archive)
    if conflict:
        assert isinstance(refused.value, cg.ConcurrencyConflict)
        assert (refused.value.stream, refused.value.expected) == (stream, 7)
    else:
        assert isinstance(refused.value, cg.MalformedRequest)
        assert (refused.value.stream, refused.value.given) == (None, "not a request")
    assert list(directory.iterdir()) == []


@pytest.mark.parametrize("existing", ["file", "empty file", "directory", "symlink"])
def test_a_path_that_exists_is_refused_and_left_alone(tmp_path: Path, existing: str) -> None:
    target = tmp_path / "there.db"
    if existing == "file":
        cg.SQLiteStore(target).close()
        target.write_bytes(target.read_bytes())
    elif existing == "empty file":
        target.touch()
    elif existing == "directory":
        target.mkdir()
    else:
        target.symlink_to(tmp_path / "nowhere.db")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(cg.StoreUnavailable, match="exists; a bulk import writes a new database"):
        cg.SQLiteStore.bulk_import(target, _archive(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if existing == "empty file":
        assert target.read_bytes() == b""


def test_no_file_and_no_directory_are_refused(tmp_path: Path) -> None:
    for memory in (":memory:", Path(":memory:")):
        with pytest.raises(cg.StoreUnavailable, match="':memory:' names no file"):
            cg.SQLiteStore.bulk_import(memory, _archive(1))
    assert not Path(":memory:").exists()
    with pytest.raises(cg.StoreUnavailable, match="No such file or directory"):
        cg.SQLiteStore.bulk_import(tmp_path / "missing" / "x.db", _archive(1))
    assert list(tmp_path.iterdir()) == []


def test_a_generator_is_read_as_the_import_goes(tmp_path: Path) -> None:
    taken: list[int] = []

    def archive() -> Iterator[cg.AppendRequest]:
        for n, request in enumerate(_archive(1_200, appends=1)):
            taken.append(n)
            yield request

    imported = cg.SQLiteStore.bulk_import(tmp_path / "x.db", archive(), synchronous="NORMAL")
    with imported as store:
        assert len(taken) == 1_200
        assert len(store.summaries("c1")) + len(store.summaries("c2")) == 1_200
        assert store._connection.execute("PRAGMA synchronous").fetchone() == (1,)


KILLED = textwrap.dedent(
    """
    import os, signal, sys
    import communitygov as cg
    from communitygov.testing.conformance import make_request

    def archive():
        for n in range(int(sys.argv[2])):
            if n == int(sys.argv[3]):
                os.kill(os.getpid(), signal.SIGKILL)
            yield make_request("c1", f"s{n}")

    cg.SQLiteStore.bulk_import(sys.argv[1], archive())
    """
)


@pytest.mark.parametrize("killed_at", [10, 1_500])
def test_a_process_killed_during_the_import_leaves_nothing_at_the_path(
    tmp_path: Path, killed_at: int
) -> None:
    target = tmp_path / "killed.db"
    child = subprocess.run(
        [sys.executable, "-c", KILLED, str(target), "3000", str(killed_at)], check=False
    )
    assert child.returncode == -signal.SIGKILL
    assert not target.exists()
    leftovers = list(tmp_path.iterdir())
    assert [
        p.name.endswith(".importing") and p.name.startswith(".killed.db.") for p in leftovers
    ] == [True]
    # The same archive imported whole, beside the leftover, is all there.
    again = (make_request("c1", f"s{n}") for n in range(3000))
    with cg.SQLiteStore.bulk_import(target, again) as store:
        assert len(store.read_all("c1", 0, 10_000)) == 3000
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    os.remove(leftovers[0])


def test_an_empty_archive_makes_an_empty_store(tmp_path: Path) -> None:
    with cg.SQLiteStore.bulk_import(os.fsencode(tmp_path / "empty.db"), []) as store:
        assert store.communities() == []
        assert store.append(make_request("c1", "s1")).first_position == 1


@pytest.mark.parametrize(
    ("options", "refused"),
    [
        ({"synchronous": "OFF"}, "unknown synchronous level 'OFF'"),
        (
            {"timeout": None},
            "the timeout is None; it is a number of seconds from 0 to 2,147,483.647",
        ),
        ({"timeout": -1}, "the timeout is -1"),
        ({"timeout": float("nan")}, "the timeout is nan"),
        ({"timeout": 2_147_484}, "the timeout is 2147484; it is a number of seconds from 0 to"),
    ],
)
def test_options_the_store_cannot_take_are_refused_before_anything_is_written(
    tmp_path: Path, options: dict[str, object], refused: str
) -> None:
    with pytest.raises(cg.StoreUnavailable, match=re.escape(refused)):
        cg.SQLiteStore.bulk_import(tmp_path / "x.db", _archive(2), **options)  # type: ignore[arg-type]
    with pytest.raises(cg.StoreUnavailable, match=re.escape(refused)):
        cg.SQLiteStore(tmp_path / "y.db", **options)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_the_imported_file_gets_the_mode_any_new_database_gets(tmp_path: Path) -> None:
    cg.SQLiteStore(tmp_path / "plain.db").close()
    cg.SQLiteStore.bulk_import(tmp_path / "imported.db", _archive(2)).close()
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("*.db")}
    assert modes["imported.db"] == modes["plain.db"]


def test_a_file_that_appears_during_the_import_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "raced.db"
    link = os.link

    def someone_else_first(source: Path, destination: Path) -> None:
        Path(destination).write_text("theirs")
        link(source, destination)

    monkeypatch.setattr(os, "link", someone_else_first)
    with pytest.raises(cg.StoreUnavailable, match="appeared during the import"):
        cg.SQLiteStore.bulk_import(target, _archive(3))
    assert target.read_text() == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["raced.db"]


def test_a_file_system_without_hard_links_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(source: Path, destination: Path) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", refused)
    with pytest.raises(cg.StoreUnavailable, match="hard link, which this file system does not"):
        cg.SQLiteStore.bulk_import(tmp_path / "x.db", _archive(3))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("failure", [errno.EINVAL, errno.EIO])
def test_a_directory_that_cannot_be_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: int
) -> None:
    # EINVAL: the file system does not sync directories, and SQLite goes on as well. Anything
    # else is an error that says the archive is in place.
    fsync = os.fsync

    def no_directories(handle: int) -> None:
        if stat.S_ISDIR(os.fstat(handle).st_mode):
            raise OSError(failure, os.strerror(failure))
        fsync(handle)

    monkeypatch.setattr(os, "fsync", no_directories)
    target = tmp_path / "x.db"
    if failure == errno.EINVAL:
        with cg.SQLiteStore.bulk_import(target, _archive(3)) as store:
            assert len(store.summaries("c1")) + len(store.summaries("c2")) == 3
    else:
        with pytest.raises(cg.StoreUnavailable, match=f"{target} holds the whole archive, but"):
            cg.SQLiteStore.bulk_import(target, _archive(3))
        monkeypatch.undo()
        with cg.SQLiteStore(target) as store:
            assert len(store.summaries("c1")) + len(store.summaries("c2")) == 3
