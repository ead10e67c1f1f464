"""Faults, not hopes: killed writers, racing processes, hand-edited rows."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest

import communitygov as cg
from communitygov.storage.integrity import verify
from communitygov.storage.rows import FIELD_SEPARATOR
from communitygov.testing.conformance import make_request

BATCH = 40

WRITER = textwrap.dedent(
    f"""
    import sys
    import communitygov as cg
    from communitygov.testing.conformance import make_request

    store = cg.SQLiteStore(sys.argv[1])
    version = 0
    previous = "0" * 64
    print("ready", flush=True)
    while True:
        request = make_request(
            "c1", "s1", expected=version, count={BATCH}, previous_hash=previous
        )
        store.append(request)
        version += {BATCH}
        previous = request.events[-1].hash
    """
)


def test_a_writer_killed_mid_batch_leaves_whole_batches(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    cg.SQLiteStore(path).close()
    for delay in (0.3, 0.55, 0.8):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        store = cg.SQLiteStore(path)
        events = store.read_stream("c1", "s1")
        loaded = store.load("c1", "s1")
        assert events, "the writer stored nothing before it was killed"
        assert len(events) % BATCH == 0
        assert loaded is not None
        assert loaded[0].version == len(events)
        assert verify(store) == []
        store.close()
        with sqlite3.connect(path) as connection:  # start the next round from an empty stream
            connection.execute("DELETE FROM cg_batches")
            connection.execute("DELETE FROM cg_streams")


RACER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    import communitygov as cg

    gov = cg.Governance(cg.SQLiteStore(sys.argv[1]), retries=1000)
    racer = sys.argv[2]
    at = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=8)))
    for n in range(int(sys.argv[3])):
        person = f"{racer}-{n}"
        gov.execute(
            cg.Community,
            "c1",
            "c1",
            lambda c: c.register_person(person, person, at=at),
            command_id=f"add-{person}",
        )
    """
)


def test_processes_racing_on_one_stream_land_every_command_once(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    at = cg.Community.register("c1", "社区", at=_t0())
    gov = cg.Governance(cg.SQLiteStore(path))
    gov.create(at)
    racers, each = 4, 15
    children = [
        subprocess.Popen([sys.executable, "-c", RACER, str(path), f"r{i}", str(each)])
        for i in range(racers)
    ]
    assert [child.wait(timeout=120) for child in children] == [0] * racers
    community = gov.community("c1")
    assert len(community.people) == racers * each
    history = gov.history("c1", "c1")
    assert [e.__class__.__name__ for e in history[1:]] == ["PersonRegistered"] * racers * each
    assert community.version == 1 + racers * each
    assert gov.verify() == []


def test_threads_retrying_through_the_facade_land_every_command_once(tmp_path: Path) -> None:
    import threading

    gov = cg.Governance(cg.SQLiteStore(tmp_path / "threads.db"), retries=1000)
    gov.create(cg.Community.register("c1", "社区", at=_t0()))

    def add(racer: int) -> None:
        for n in range(20):
            person = f"t{racer}-{n}"
            gov.execute(
                cg.Community, "c1", "c1", lambda c, p=person: c.register_person(p, p, at=_t0())
            )

    threads = [threading.Thread(target=add, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(gov.community("c1").people) == 80


def test_a_row_altered_by_hand_is_named_by_verification(tmp_path: Path) -> None:
    path = tmp_path / "tampered.db"
    gov = _community_of(path, people=5)
    assert gov.verify() == []
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE cg_batches SET events = replace(events, '某', '张三') "
            "WHERE stream_id = 'c1' AND first_version = 4"
        )
    problems = gov.verify("c1")
    assert [(p.community_id, p.stream_id, p.version) for p in problems] == [("c1", "c1", 4)]
    assert "does not match its hash" in problems[0].detail


def test_a_deleted_row_is_named_by_verification(tmp_path: Path) -> None:
    path = tmp_path / "deleted.db"
    gov = _community_of(path, people=3)
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM cg_batches WHERE stream_id = 'c1' AND first_version = 2")
    problems = gov.verify()
    assert [(p.stream_id, p.version) for p in problems] == [("c1", 3)]


def test_the_last_rows_deleted_by_hand_are_named_by_verification(tmp_path: Path) -> None:
    # The chain that is left is whole: only its summary shows that it ended later.
    path = tmp_path / "cut.db"
    gov = _community_of(path, people=3)
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM cg_batches WHERE stream_id = 'c1' AND first_version >= 3")
    problems = gov.verify()
    assert [(p.stream_id, p.version) for p in problems] == [("c1", 3)]
    assert "the summary is at version 4; the events end at 2" in problems[0].detail
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM cg_batches")
    assert [(p.stream_id, p.version) for p in gov.verify()] == [("c1", 1)]


@pytest.mark.parametrize("how", ["removed", "moved"])
def test_a_stream_removed_or_moved_by_hand_shows_in_the_positions(tmp_path: Path, how: str) -> None:
    # Whole streams, summaries and all: each chain left is intact, the positions are not.
    path = tmp_path / f"{how}.db"
    store = cg.SQLiteStore(path)
    for stream in ("a", "b", "c"):
        store.append(make_request("c1", stream, count=2))
    store.append(make_request("c2", "d", count=2))
    with sqlite3.connect(path) as connection:
        for table in ("cg_batches", "cg_streams"):
            if how == "removed":
                connection.execute(f"DELETE FROM {table} WHERE stream_id = 'b'")
            else:
                connection.execute(f"UPDATE {table} SET community_id = 'c2' WHERE stream_id = 'c'")
    problems = [(p.community_id, p.stream_id, p.version, p.detail) for p in verify(store)]
    if how == "removed":
        assert problems == [("c1", "c", 1, "its position 5 follows position 2 in the community")]
    else:
        assert problems == [("c2", "c", 1, "its position 5 follows position 2 in the community")]
    store.close()


def test_appends_landing_while_verification_reads_are_no_damage() -> None:
    # Writers go on while a verification reads: one append lands as the summaries are read,
    # two just after (one of them a new stream); none of it is damage.
    class Busy(cg.MemoryStore):
        busy = True

        def summaries(self, community_id: str, **filters: Any) -> list[cg.Summary]:
            if not self.busy:
                return super().summaries(community_id, **filters)
            self.busy = False
            self._next("s1")
            found = super().summaries(community_id, **filters)
            self._next("s1")
            self.append(make_request("c1", "new"))
            return found

        def _next(self, stream: str) -> None:
            last = self.read_stream("c1", stream)[-1]
            self.append(make_request("c1", stream, expected=last.version, previous_hash=last.hash))

    store = Busy()
    store.append(make_request("c1", "s1"))
    assert verify(store) == []
    assert [e.version for e in store.read_stream("c1", "s1")] == [1, 2, 3]


def test_a_summary_rewritten_by_hand_is_named_by_verification(tmp_path: Path) -> None:
    path = tmp_path / "summary.db"
    gov = cg.Governance(cg.SQLiteStore(path))
    gov.create(cg.Community.register("c1", "社区", at=_t0()))
    gov.execute(cg.Community, "c1", "c1", lambda c: c.register_person("p1", "某", at=_t0()))
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE cg_streams SET last_hash = ? WHERE stream_id = 'c1'", ("f" * 64,)
        )
    assert [(p.version, p.detail) for p in gov.verify()] == [
        (2, "the summary's last hash is not that of version 2")
    ]
    first = gov.store.read_stream("c1", "c1")[0].hash
    with sqlite3.connect(path) as connection:  # a summary taken back to version 1, whole
        connection.execute(
            "UPDATE cg_streams SET version = 1, last_hash = ? WHERE stream_id = 'c1'", (first,)
        )
    assert [(p.version, p.detail) for p in gov.verify()] == [
        (2, "the summary is at version 1; the events go on")
    ]
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM cg_streams")
    assert [(p.version, p.detail) for p in gov.verify("c1")] == [
        (2, "the stream has events but no summary")
    ]


@pytest.mark.parametrize("data", ["{not json", '{"at": "2026-01-01T00:00:00"}'])
def test_a_corrupt_stored_event_is_a_decode_error(tmp_path: Path, data: str) -> None:
    path = tmp_path / "corrupt.db"
    gov = cg.Governance(cg.SQLiteStore(path))
    gov.create(cg.Community.register("c1", "社区", at=_t0()))
    with sqlite3.connect(path) as connection:
        (text,) = connection.execute(
            "SELECT events FROM cg_batches WHERE first_version = 1"
        ).fetchone()
        fields = text.split(FIELD_SEPARATOR)  # type, schema version, time, hash, data
        fields[4] = data
        connection.execute(
            "UPDATE cg_batches SET events = ? WHERE first_version = 1",
            (FIELD_SEPARATOR.join(fields),),
        )
    with pytest.raises(cg.DecodeError):
        gov.history("c1", "c1")


def test_a_mangled_batch_is_a_decode_error_naming_its_stream(tmp_path: Path) -> None:
    path = tmp_path / "mangled.db"
    gov = cg.Governance(cg.SQLiteStore(path))
    gov.create(cg.Community.register("c1", "社区", at=_t0()))
    gov.execute(cg.Community, "c1", "c1", lambda c: c.register_person("p1", "某", at=_t0()))
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE cg_batches SET events = '[[' WHERE first_version = 2")
    with pytest.raises(cg.DecodeError, match="stream 'c1': its events from version 2") as raised:
        gov.history("c1", "c1")
    assert (raised.value.stream, raised.value.version) == ("c1", 2)
    assert gov.community("c1").version == 2  # the summary still loads the community


def _two_communities(path: Path) -> cg.Governance:
    """Communities c1 (two people, versions 1 to 3, positions 1 to 3) and c2 (one person)."""
    gov = _community_of(path, people=2)
    gov.create(cg.Community.register("c2", "东村", at=_t0()))
    gov.execute(cg.Community, "c2", "c2", lambda c: c.register_person("q1", "某", at=_t0()))
    return gov


@pytest.mark.parametrize(
    ("edit", "version", "said"),
    [
        ("UPDATE cg_batches SET events = '[[' WHERE first_version = 2", 2, "version 2"),
        (
            "UPDATE cg_batches SET last_position = last_position + 10 WHERE first_version = 3",
            3,
            "position 13",
        ),
        ("UPDATE cg_batches SET last_version = 1 WHERE first_version = 2", 2, "version 1"),
        ("UPDATE cg_streams SET updated_at = 'noon'", 3, "noon"),
        ("UPDATE cg_streams SET version = 'three'", 0, "another type"),
    ],
)
def test_a_row_that_cannot_be_read_is_a_problem_and_the_other_communities_are_checked(
    tmp_path: Path, edit: str, version: int, said: str
) -> None:
    path = tmp_path / "unreadable.db"
    gov = _two_communities(path)
    with sqlite3.connect(path) as connection:
        connection.execute(
            f"{edit} AND community_id = 'c1'"
            if "WHERE" in edit
            else f"{edit} WHERE community_id = 'c1'"
        )
        connection.execute(
            "UPDATE cg_batches SET events = replace(events, '某', '张三') "
            "WHERE community_id = 'c2' AND first_version = 2"
        )
    problems = gov.verify()
    assert [(p.community_id, p.stream_id, p.version) for p in problems] == [
        ("c1", "c1", version),
        ("c2", "c2", 2),
    ]
    assert "cannot be read" in problems[0].detail
    assert said in problems[0].detail
    with pytest.raises(cg.DecodeError) as raised:
        gov.history("c1", "c1") if "cg_batches" in edit else gov.summaries("c1")
    assert raised.value.stream == "c1"


def test_a_batch_whose_keys_were_edited_is_named_by_verification(tmp_path: Path) -> None:
    # A lowered last position hides the batch's last event from a page read after it; the
    # verification, reading from the start, finds that the row's keys disagree with it.
    path = tmp_path / "keys.db"
    store = cg.SQLiteStore(path)
    store.append(make_request("c1", "s1", count=3))
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE cg_batches SET last_position = 2")
    problems = verify(store)
    assert [(p.stream_id, p.version) for p in problems] == [("s1", 1)]
    assert "end at version 3 (position 2), but they end at version 3 (position 3)" in (
        problems[0].detail
    )
    store.close()


def test_a_command_row_that_cannot_be_read_is_a_decode_error(tmp_path: Path) -> None:
    path = tmp_path / "command.db"
    gov = cg.Governance(cg.SQLiteStore(path))
    gov.register_community("c1", "社区", at=_t0(), command_id="k1")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE cg_commands SET version = 'one'")
    with pytest.raises(cg.DecodeError, match="'k1'") as raised:
        gov.register_community("c1", "社区", at=_t0(), command_id="k1")
    assert raised.value.event_type == "stored command"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        ("UPDATE cg_streams SET snapshot = replace(snapshot, '社区', '别处')", "snapshot"),
        ("UPDATE cg_streams SET state = 'closed'", "state is 'closed'"),
        ("UPDATE cg_streams SET title = '别处'", "title is '别处'"),
        ("UPDATE cg_streams SET due_at = '2030-01-01T00:00:00+00:00'", "deadline is"),
        ("UPDATE cg_streams SET due_what = 'x'", "deadline's purpose is 'x'"),
        ("UPDATE cg_streams SET updated_at = '2030-01-01T00:00:00+00:00'", "time is"),
        ("UPDATE cg_streams SET kind = 'matter'", "cannot be replayed"),
        (
            "UPDATE cg_streams SET kind = 'widget'",
            "kind is 'widget', but its events make a community",
        ),
    ],
)
def test_a_summary_that_its_events_do_not_make_is_named_by_verification(
    tmp_path: Path, edit: str, said: str
) -> None:
    # None of these edits touches a hash: the events replayed tell what the summary should say.
    path = tmp_path / "summary.db"
    gov = _two_communities(path)
    assert gov.verify() == []
    with sqlite3.connect(path) as connection:
        connection.execute(f"{edit} WHERE community_id = 'c1'")
    problems = gov.verify()
    assert [(p.community_id, p.stream_id, p.version) for p in problems] == [("c1", "c1", 3)]
    assert said in problems[0].detail
    assert gov.verify(summaries=False) == []  # the chains alone: intact


def test_an_aggregate_its_events_do_not_make_is_found_once_stored(tmp_path: Path) -> None:
    # A new aggregate of one event is replayed before it is stored; one of several is only
    # checked for its shape, so an aggregate altered by hand at the version and time its
    # events lead to is stored as it is, and verification finds it.
    gov = cg.Governance(cg.SQLiteStore(tmp_path / "forged.db"))
    registered, events = cg.Community.register("c1", "社区", at=_t0())
    with pytest.raises(cg.MalformedDecision):
        gov.create((attrs.evolve(registered, name="别处"), events))
    assert gov.communities() == []
    person, more = registered.register_person("p1", "某", at=_t0())
    gov.create((attrs.evolve(person, name="别处"), (*events, *more)))
    [problem] = gov.verify()
    assert (problem.stream_id, problem.version) == ("c1", 2)
    assert "snapshot is not the community its events make" in problem.detail


def _community_of(path: Path, *, people: int) -> cg.Governance:
    """A facade on a new SQLite file holding community c1 and ``people`` people registered
    one command each (versions 1 to ``people + 1``)."""
    gov = cg.Governance(cg.SQLiteStore(path))
    gov.create(cg.Community.register("c1", "社区", at=_t0()))
    for n in range(people):
        gov.execute(
            cg.Community, "c1", "c1", lambda c, n=n: c.register_person(f"p{n}", "某", at=_t0())
        )
    return gov


def _t0() -> datetime:
    return datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=8)))
