"""The shipped stores pass the conformance kit; SQLite specifics."""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import communitygov as cg
from communitygov.storage import open_store
from communitygov.storage.records import MAX_VERSION
from communitygov.storage.sqlite import PAGE_SIZE
from communitygov.testing.conformance import StoreContract, make_request


class TestMemoryStore(StoreContract):
    reopens = False

    def make_store(self, name: str) -> cg.EventStore:
        return cg.MemoryStore()


class TestSQLiteStore(StoreContract):
    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path: Path) -> None:
        self.directory = tmp_path

    def make_store(self, name: str) -> cg.EventStore:
        return cg.SQLiteStore(self.directory / f"{name}.db")


class _AnswersOnceClosed(cg.MemoryStore):
    """An adapter with a slip: it lists its communities after it was closed."""

    def communities(self) -> list[str]:
        return []


class _KitOnTheSlip(StoreContract):  # not collected: the kit's tests are called by hand
    reopens = False

    def make_store(self, name: str) -> cg.EventStore:
        return _AnswersOnceClosed()


def test_the_kit_names_the_method_a_closed_store_still_answers(
    request: pytest.FixtureRequest,
) -> None:
    with pytest.raises(pytest.fail.Exception) as failed:
        _KitOnTheSlip().test_a_closed_store_refuses_reads_and_writes(request)
    assert str(failed.value) == "communities() on a closed store did not raise StoreUnavailable"


class _ConflictsWithoutTheCommunity(cg.MemoryStore):
    """An adapter written before conflicts carried their community: it leaves it out."""

    def append_many(self, requests: Sequence[cg.AppendRequest]) -> list[cg.AppendResult]:
        try:
            return super().append_many(requests)
        except cg.ConcurrencyConflict as conflict:
            raise cg.ConcurrencyConflict(
                conflict.stream, conflict.expected, conflict.actual
            ) from None


class _KitOnTheForgetfulAdapter(StoreContract):  # not collected: called by hand
    reopens = False

    def make_store(self, name: str) -> cg.EventStore:
        return _ConflictsWithoutTheCommunity()


def test_the_kit_fails_an_adapter_whose_conflicts_do_not_name_the_community() -> None:
    kit = _KitOnTheForgetfulAdapter()
    with pytest.raises(pytest.fail.Exception) as failed:
        kit.test_a_conflict_names_the_community_of_its_stream(kit.make_store("forgetful"))
    assert str(failed.value) == (
        "the ConcurrencyConflict carries community=None, stream='s1', expected=3, actual=1; it "
        "should carry community='c2', stream='s1', expected=3, actual=1 (the request's "
        "community and stream, its expected version and the stream's version)"
    )
    with pytest.raises(pytest.fail.Exception, match="community=None"):
        kit.test_a_wrong_expected_version_conflicts_and_writes_nothing(kit.make_store("again"))


class TestSQLiteStoreOnAHostConnection(StoreContract):
    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path: Path) -> None:
        self.directory = tmp_path

    def make_store(self, name: str) -> cg.EventStore:
        connection = sqlite3.connect(self.directory / f"{name}.db", check_same_thread=False)
        return cg.SQLiteStore(connection=connection)


def test_host_tables_and_ours_commit_together(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "app.db")
    connection.execute("CREATE TABLE app_log (line TEXT)")
    connection.commit()
    store = cg.SQLiteStore(connection=connection)
    connection.execute("INSERT INTO app_log VALUES ('before')")  # opens the host's transaction
    store.append(make_request("c1", "s1"))
    connection.rollback()
    assert connection.execute("SELECT count(*) FROM app_log").fetchone() == (0,)
    assert store.read_stream("c1", "s1") == []
    connection.execute("INSERT INTO app_log VALUES ('again')")
    store.append(make_request("c1", "s1"))
    connection.commit()
    reopened = cg.SQLiteStore(tmp_path / "app.db")
    assert len(reopened.read_stream("c1", "s1")) == 1
    assert connection.execute("SELECT count(*) FROM app_log").fetchone() == (1,)


def test_a_connection_the_application_closed_is_an_error_even_for_an_empty_append(
    tmp_path: Path,
) -> None:
    connection = sqlite3.connect(tmp_path / "app.db")
    store = cg.SQLiteStore(connection=connection)
    assert store.append_many([]) == []
    connection.close()
    for call in (lambda: store.append_many([]), lambda: store.read_all("c1")):
        with pytest.raises(cg.StoreUnavailable, match="closed database"):
            call()


def test_a_host_transaction_that_read_before_another_writer_gets_a_conflict(
    tmp_path: Path,
) -> None:
    # Its snapshot is older than the other writer's commit: SQLite cannot let it write.
    path = tmp_path / "app.db"
    other = cg.SQLiteStore(path)
    connection = sqlite3.connect(path, isolation_level=None)
    store = cg.SQLiteStore(connection=connection)
    connection.execute("BEGIN")
    assert store.read_stream("c1", "s1") == []  # the host's transaction reads first
    other.append(make_request("c2", "elsewhere"))
    with pytest.raises(cg.ConcurrencyConflict) as refused:
        store.append(make_request("c1", "s1", command_id="k1"))
    error = refused.value
    assert (error.community, error.stream, error.expected, error.actual) == ("c1", "s1", 0, 0)
    assert str(error).startswith("stream 's1' of community 'c1' was at version 0, as expected")
    assert "retry in a new transaction" in str(refused.value)
    connection.execute("ROLLBACK")
    store.append(make_request("c1", "s1", command_id="k1"))  # a new transaction can
    assert [e.version for e in other.read_stream("c1", "s1")] == [1]


def test_a_failure_that_undoes_the_host_transaction_says_so(tmp_path: Path) -> None:
    # A full disk makes SQLite roll back the whole transaction, the host's part with ours.
    connection = sqlite3.connect(tmp_path / "app.db")
    connection.execute("CREATE TABLE app_log (line TEXT)")
    connection.commit()
    store = cg.SQLiteStore(connection=connection)
    connection.commit()
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages + 3}")
    connection.execute("INSERT INTO app_log VALUES ('step 1')")
    request = make_request("c1", "s1")
    request = attrs.evolve(request, summary=attrs.evolve(request.summary, title="x" * 100_000))
    with pytest.raises(cg.StoreUnavailable) as refused:
        store.append(request)
    assert "full" in str(refused.value)
    assert "rolled back the application's whole transaction" in str(refused.value)
    assert not connection.in_transaction
    assert connection.execute("SELECT count(*) FROM app_log").fetchone() == (0,)
    assert store.read_stream("c1", "s1") == []


def test_sqlite_reaches_streams_and_batches_by_their_keys(tmp_path: Path) -> None:
    # What a write or a community's read costs must not grow with the rest of the table: each
    # query the store runs searches an index; none scans cg_streams or cg_batches whole.
    connection = sqlite3.connect(tmp_path / "keys.db", isolation_level=None)
    store = cg.SQLiteStore(connection=connection)
    store.append_many([make_request("c2", "x")])
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    store.append_many(
        [make_request("c1", f"s{n}", count=2, command_id=f"k{n}") for n in range(3)]
        + [make_request("c2", "x", expected=1), make_request("c2", "y")]
    )
    store.append(make_request("c1", "s0", expected=2))  # one append alone
    store.load("c1", "s1")
    store.read_stream("c1", "s1", 1)
    store.read_all("c1", 2, limit=3)
    store.command_result("c1", "k1")
    store.summaries("c1")
    store.summaries("c1", kind="matter", state="open")
    store.summaries("c1", due_before=datetime(2030, 1, 1, tzinfo=ZoneInfo("UTC")))
    connection.set_trace_callback(None)
    queries = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert len(queries) >= 10
    for query in queries:
        plan = [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {query}")]
        assert not [step for step in plan if step.startswith("SCAN cg_")], (query, plan)
    store.close()
    connection.close()


def test_sqlite_is_durable_and_in_wal_mode_by_default(tmp_path: Path) -> None:
    store = cg.SQLiteStore(tmp_path / "x.db")
    connection = store._connection
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert connection.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL


def _page_size(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        size: int = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    return size


def test_sqlite_creates_files_with_small_pages_and_leaves_others_as_they_are(
    tmp_path: Path,
) -> None:
    new = tmp_path / "new.db"
    cg.SQLiteStore(new).close()
    assert _page_size(new) == PAGE_SIZE == 2048

    imported = tmp_path / "imported.db"
    cg.SQLiteStore.bulk_import(imported, [make_request("c1", "s1")]).close()
    assert _page_size(imported) == PAGE_SIZE

    existing = tmp_path / "existing.db"
    with sqlite3.connect(existing) as connection:
        connection.execute("CREATE TABLE app_own (x)")  # made by SQLite's default, 4096
    connection.close()
    with cg.SQLiteStore(existing) as store:
        store.append(make_request("c1", "s1"))
    assert _page_size(existing) == 4096

    hosts = tmp_path / "host.db"
    host = sqlite3.connect(hosts, isolation_level=None)
    with cg.SQLiteStore(connection=host) as store:  # the application's database, its settings
        store.append(make_request("c1", "s1"))
    host.close()
    assert _page_size(hosts) == 4096


def test_a_database_from_a_newer_library_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    cg.SQLiteStore(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE cg_meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(cg.StoreUnavailable, match="newer library"):
        cg.SQLiteStore(path)


def test_an_unreadable_file_is_store_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "not-a-database.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(cg.StoreUnavailable):
        cg.SQLiteStore(path)


def test_open_store_understands_urls(tmp_path: Path) -> None:
    assert isinstance(open_store("memory://"), cg.MemoryStore)
    store = open_store(f"sqlite:///{tmp_path / 'u.db'}")
    assert isinstance(store, cg.SQLiteStore)
    store.append(make_request("c1", "s1"))
    assert (tmp_path / "u.db").exists()
    assert isinstance(open_store("sqlite:///:memory:"), cg.SQLiteStore)
    for url in ("mongodb://localhost", "memory", ""):
        with pytest.raises(cg.StoreUnavailable) as refused:
            open_store(url)
        assert str(refused.value) == (
            f"the named store is unavailable: {url!r} names no kind of store this library "
            "has; use memory://, sqlite:///path.db or postgresql://…"
        )
    with pytest.raises(cg.StoreUnavailable, match="a store URL is text, not int"):
        open_store(123)  # type: ignore[arg-type]
    with pytest.raises(cg.StoreUnavailable):
        open_store("sqlite://")
    for url in ("memory://[", "postgresql://[::1/x"):
        with pytest.raises(cg.StoreUnavailable, match="is not a URL"):
            open_store(url)
    for ending in ("?mode=ro", "?", "#"):  # an empty query or fragment is one too
        with pytest.raises(cg.StoreUnavailable, match="query or fragment"):
            open_store(f"sqlite:///{tmp_path / 'q.db'}{ending}")
    assert not list(tmp_path.glob("q.db*"))
    with pytest.raises(cg.StoreUnavailable, match="not UTF-8"):
        open_store(f"sqlite:///{tmp_path}/%FF.db")
    for url in ("memory:///var/records.db", "memory://host", "memory://?x=1"):
        with pytest.raises(cg.StoreUnavailable, match="nothing after it"):
            open_store(url)
    assert isinstance(open_store("MEMORY://"), cg.MemoryStore)
    for url in (" postgresql://u@h/db", "memory://\n", "\x01sqlite:///x.db"):
        with pytest.raises(cg.StoreUnavailable, match="at an end"):
            open_store(url)
    escaped = open_store(f"SQLite:///{tmp_path}/what%3F.db")  # a ? in the name, %-escaped
    escaped.append(make_request("c1", "s1"))
    assert (tmp_path / "what?.db").exists()


def test_a_path_starting_with_file_names_that_file_not_a_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with cg.SQLiteStore("file:records.db?mode=ro") as store:
        store.append(make_request("c1", "s1"))  # a URI's mode=ro would refuse this
    assert sorted(p.name for p in tmp_path.glob("file:*")) == ["file:records.db?mode=ro"]
    imported = cg.SQLiteStore.bulk_import("file:archive.db", [make_request("c1", "s1")])
    assert [e.stream_id for e in imported.read_all("c1")] == ["s1"]
    imported.close()
    assert not (tmp_path / "archive.db").exists()


@pytest.mark.parametrize(
    ("change", "field", "given", "should_be", "message"),
    [
        (
            {"expected_version": -1},
            "expected version",
            -1,
            None,
            "its expected version is -1 (a version is a whole number, 0 or more)",
        ),
        (
            {"summary_version": 3},
            "summary's version",
            3,
            2,
            "its summary's version is 3, not 2 (expected version 0 plus 2 events)",
        ),
        (
            {"summary_version": 1},
            "summary's version",
            1,
            2,
            "its summary's version is 1, not 2 (expected version 0 plus 2 events)",
        ),
        (
            {"summary_stream_id": "s2"},
            "summary's stream",
            "s2",
            "s1",
            "its summary's stream is 's2', not 's1' (the request's stream)",
        ),
        (
            {"summary_community_id": "c2"},
            "summary's community",
            "c2",
            "c1",
            "its summary's community is 'c2', not 'c1' (the request's community)",
        ),
        (
            {"summary_kind": "fund"},
            "summary's kind",
            "fund",
            "matter",
            "its summary's kind is 'fund', not 'matter' (the request's kind)",
        ),
    ],
)
def test_an_append_request_that_contradicts_itself_cannot_be_made(
    change: dict[str, object], field: str, given: object, should_be: object, message: str
) -> None:
    # A store is never asked to decide whose version to believe: the request is refused
    # where it is made, naming the field, what it says and what the rest of it implies.
    good = make_request("c1", "s1", count=2)
    summary_changes = {k.removeprefix("summary_"): v for k, v in change.items() if "summary" in k}
    request_changes = {k: v for k, v in change.items() if "summary" not in k}
    with pytest.raises(cg.MalformedRequest) as refused:
        attrs.evolve(good, summary=attrs.evolve(good.summary, **summary_changes), **request_changes)
    error = refused.value
    assert isinstance(error, cg.PersistenceError)
    assert (error.stream, error.field, error.given, error.should_be) == (
        "s1",
        field,
        given,
        should_be,
    )
    assert error.community == "c1"
    assert str(error) == (
        f"the append request for stream 's1' of community 'c1' is malformed: {message}"
    )


def test_a_list_of_events_is_kept_as_the_tuple_that_was_checked() -> None:
    good = make_request("c1", "s1", count=2)
    events = list(good.events)
    request = cg.AppendRequest(
        "c1",
        "s1",
        "matter",
        0,
        events,  # type: ignore[arg-type]
        good.summary,
    )
    events[1] = "changed after the checks"  # type: ignore[call-overload]
    assert request.events == good.events
    assert type(request.events) is tuple


@given(st.integers(min_value=-3, max_value=3), st.integers(min_value=0, max_value=3))
def test_an_expected_version_below_zero_is_refused_and_zero_upwards_is_taken(
    expected: int, count: int
) -> None:
    # The boundary: 0 (a new stream) is the lowest version a request may expect.
    good = make_request("c1", "s1", expected=max(expected, 0), count=count)
    summary = attrs.evolve(good.summary, version=expected + count)
    if expected >= 0:
        assert attrs.evolve(good, expected_version=expected, summary=summary).expected_version == (
            expected
        )
    else:
        with pytest.raises(cg.MalformedRequest) as refused:
            attrs.evolve(good, expected_version=expected, summary=summary)
        assert (refused.value.field, refused.value.given) == ("expected version", expected)


_NAIVE = datetime(2026, 3, 2, 9)
_FIRST_DAY = datetime(1, 1, 1, 12, tzinfo=timezone(timedelta(hours=8)))
_LAST_DAY = datetime(9999, 12, 31, tzinfo=UTC)


@given(st.integers(min_value=-3, max_value=3), st.integers(min_value=0, max_value=3))
def test_a_stream_may_reach_the_last_version_every_store_keeps(past: int, count: int) -> None:
    # The boundary: MAX_VERSION itself is kept, one more is refused.
    expected = MAX_VERSION - count + past
    good = make_request("c1", "s1", count=count)
    summary = attrs.evolve(good.summary, version=expected + count)
    if past <= 0:
        assert attrs.evolve(good, expected_version=expected, summary=summary).summary.version == (
            MAX_VERSION + past
        )
    else:
        with pytest.raises(cg.MalformedRequest) as refused:
            attrs.evolve(good, expected_version=expected, summary=summary)
        assert (refused.value.field, refused.value.given) == ("expected version", expected)


@pytest.mark.parametrize(
    ("change", "field", "given"),
    [
        ({"expected_version": None}, "expected version", None),
        ({"expected_version": "0"}, "expected version", "0"),
        ({"expected_version": 0.0}, "expected version", 0.0),
        ({"expected_version": False}, "expected version", False),
        ({"events": None}, "events", None),
        ({"events": "ab"}, "events", "ab"),
        ({"event_2": "not an event"}, "event 2", "not an event"),
        ({"event_2_at": _NAIVE}, "event 2's time", _NAIVE),
        ({"event_1_type": None}, "event 1's type", None),
        ({"event_2_data": b"{}"}, "event 2's data", b"{}"),
        ({"event_2_hash": 7}, "event 2's hash", 7),
        ({"event_1_schema_version": "1"}, "event 1's schema version", "1"),
        (
            {"event_1_at": "2026-03-02T09:00:00+08:00"},
            "event 1's time",
            "2026-03-02T09:00:00+08:00",
        ),
        ({"summary": None}, "summary", None),
        ({"summary_updated_at": _NAIVE}, "summary's updated_at", _NAIVE),
        ({"summary_due_at": _NAIVE}, "summary's due_at", _NAIVE),
        ({"command_id": ""}, "command id", ""),
        ({"command_id": 5}, "command id", 5),
        ({"kind": None}, "kind", None),
        ({"summary_version": True}, "summary's version", True),
        ({"summary_version": 2.0}, "summary's version", 2.0),
        ({"summary_title": None}, "summary's title", None),
        ({"summary_state": 3}, "summary's state", 3),
        ({"summary_snapshot": b"{}"}, "summary's snapshot", b"{}"),
        ({"summary_last_hash": None}, "summary's last_hash", None),
        ({"summary_due_what": None}, "summary's due_what", None),
        # What the SQL stores pack a batch with, and what no UTF-8 text can hold.
        ({"event_2_data": '{"t":"a\x1fb"}'}, "event 2's data", '{"t":"a\x1fb"}'),
        ({"event_1_type": "test.\x1ehappened"}, "event 1's type", "test.\x1ehappened"),
        ({"event_1_data": '{"t":"\udcff"}'}, "event 1's data", '{"t":"\udcff"}'),
        ({"summary_title": "标题\ud800"}, "summary's title", "标题\ud800"),
        ({"command_id": "命令\udfff"}, "command id", "命令\udfff"),
        # Times that would not read back in every time zone.
        ({"event_1_at": _FIRST_DAY}, "event 1's time", _FIRST_DAY),
        ({"summary_due_at": _LAST_DAY}, "summary's due_at", _LAST_DAY),
        # Past the last version PostgreSQL keeps.
        ({"expected_version": 2**31 - 2}, "expected version", 2**31 - 2),
    ],
)
def test_an_append_request_holding_what_no_store_keeps_cannot_be_made(
    change: dict[str, object], field: str, given: object
) -> None:
    # Not a bare TypeError from deep inside a comparison, nor a time that one store reads as
    # local and another as UTC: the request is refused where it is made, naming the field.
    good = make_request("c1", "s1", count=2)
    fields = attrs.asdict(good, recurse=False)
    events = list(good.events)
    for key, value in change.items():
        if key.startswith("summary_"):
            fields["summary"] = attrs.evolve(good.summary, **{key.removeprefix("summary_"): value})
        elif key.startswith("event_"):
            number, _, attribute = key.removeprefix("event_").partition("_")
            at = int(number) - 1
            events[at] = attrs.evolve(events[at], **{attribute: value}) if attribute else value  # type: ignore[assignment,arg-type]
            fields["events"] = tuple(events)
        else:
            fields[key] = value
    with pytest.raises(cg.MalformedRequest) as refused:
        cg.AppendRequest(**fields)
    error = refused.value
    assert (error.stream, error.community, error.field, error.given) == ("s1", "c1", field, given)
    assert str(error).startswith(
        f"the append request for stream 's1' of community 'c1' is malformed: its {field} is "
        f"{given!r} ("
    )


@given(
    st.datetimes(timezones=st.timezones()),
    st.datetimes(timezones=st.timezones()),
)
def test_a_new_event_keeps_the_text_of_its_own_time(at: datetime, other: datetime) -> None:
    # The SQL stores keep ``at_text``; it must always be the time the event carries.
    event = cg.NewEvent("Noted", 1, "{}", at, "0" * 64)
    assert event.at_text == at.isoformat()
    assert event.at_text is event.at_text  # formatted once
    moved = attrs.evolve(event, at=other)
    assert moved.at_text == other.isoformat()
    assert moved == cg.NewEvent("Noted", 1, "{}", other, "0" * 64)
    assert event == cg.NewEvent("Noted", 1, "{}", at, "0" * 64)  # the text is not compared


def test_the_text_of_a_new_events_time_is_remembered_not_a_field() -> None:
    at = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    event = cg.NewEvent("Noted", 1, "{}", at, "0" * 64)
    fields = {"type": "Noted", "schema_version": 1, "data": "{}", "at": at, "hash": "0" * 64}
    assert attrs.asdict(event) == fields
    assert event.at_text == "2026-03-02T09:00:00+08:00"
    assert attrs.asdict(event) == fields  # the same before and after it is formatted
    assert cg.NewEvent(**attrs.asdict(event)) == event
    copied = pickle.loads(pickle.dumps(event))
    assert copied == event
    assert copied.at_text == "2026-03-02T09:00:00+08:00"


def test_events_saved_through_the_facade_keep_their_time_in_every_store(
    tmp_path: Path,
) -> None:
    at = datetime(2026, 3, 2, 9, 30, 15, 250, tzinfo=ZoneInfo("Asia/Shanghai"))
    stores = [cg.MemoryStore(), cg.SQLiteStore(tmp_path / "t.db")]
    for store in stores:
        gov = cg.Governance(store)
        gov.register_community("c1", "社区", at=at)
        assert gov.verify() == []
    memory, sqlite = (store.read_all("c1") for store in stores)
    assert [e.at.isoformat() for e in sqlite] == [e.at.isoformat() for e in memory]
    assert [e.at.isoformat() for e in sqlite] == ["2026-03-02T09:30:15.000250+08:00"]
    stores[1].close()


@pytest.mark.parametrize("kind", ["memory", "sqlite file", "sqlite on a host connection"])
def test_a_store_used_in_a_with_block_is_closed_when_it_ends(tmp_path: Path, kind: str) -> None:
    host = sqlite3.connect(tmp_path / "host.db") if kind.endswith("connection") else None
    store: cg.EventStore
    if kind == "memory":
        store = cg.MemoryStore()
    elif host is None:
        store = cg.SQLiteStore(tmp_path / "own.db")
    else:
        store = cg.SQLiteStore(connection=host)
    with store as entered:
        assert entered is store
        entered.append(make_request("c1", "s1"))
    with pytest.raises(cg.StoreUnavailable, match="closed"):
        store.read_all("c1")
    if host is not None:  # the application's connection stays open
        assert host.execute("SELECT count(*) FROM cg_streams").fetchone() == (1,)
        host.close()
    with pytest.raises(KeyError), cg.SQLiteStore(tmp_path / "raised.db") as closed_anyway:
        raise KeyError("the block's own error")
    with pytest.raises(cg.StoreUnavailable, match="closed"):
        closed_anyway.read_all("c1")


@pytest.mark.parametrize(
    ("change", "field", "given"),
    [({"stream_id": ""}, "stream", ""), ({"community_id": 7}, "community", 7)],
)
def test_an_append_request_for_no_stream_or_community_cannot_be_made(
    change: dict[str, object], field: str, given: object
) -> None:
    good = make_request("c1", "s1")
    with pytest.raises(cg.MalformedRequest) as refused:
        attrs.evolve(good, **change)
    assert (refused.value.field, refused.value.given) == (field, given)
    assert "it is a text of one character or more" in str(refused.value)


def test_the_closing_mixin_calls_the_adapters_own_close_whatever_the_order() -> None:
    closed: list[str] = []

    class Base:
        def close(self) -> None:
            closed.append("base")

    class MixinFirst(cg.ClosedOnExit, Base):
        pass

    class MixinLast(Base, cg.ClosedOnExit):
        pass

    for adapter in (MixinFirst(), MixinLast()):
        with adapter as entered:
            assert entered is adapter
    assert closed == ["base", "base"]
    assert not hasattr(cg.ClosedOnExit, "close")


def test_verify_stops_with_an_error_on_a_store_whose_positions_do_not_advance() -> None:
    # Paging on the last position read never ended: verification (and the kit's tests that
    # use it) hung on an adapter that restarted positions per stream.
    class Stuck(cg.MemoryStore):
        def read_all(
            self, community_id: str, after_position: int = 0, limit: int = 1000
        ) -> list[cg.RecordedEvent]:
            page = super().read_all(community_id, after_position, limit)
            return [attrs.evolve(event, position=1) for event in page]

    store = Stuck()
    store.append(make_request("c1", "a", count=2))
    with pytest.raises(cg.PersistenceError, match="must end past it"):
        cg.Governance(store).verify("c1")
