"""Odd input at a store's boundary: every shipped store answers alike, with a library error or
the plain answer, never a driver's or Python's own exception."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import communitygov as cg
from communitygov.storage.integrity import verify
from communitygov.storage.records import MAX_KEY_LENGTH, storable_text
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
    odd = _Text("\udfff")  # a text of a class of its own is still text
    assert any_store.read_all(odd) == []
    assert any_store.command_result("c1", odd) is None
    assert any_store.read_all(_Text("c1\x00")) == []


class _Text(str):
    __slots__ = ()


def test_keys_of_the_longest_length_in_the_widest_characters_are_kept(
    any_store: cg.EventStore,
) -> None:
    # Four bytes of UTF-8 each: three such texts make one PostgreSQL index entry.
    wide = "𠀀" * MAX_KEY_LENGTH
    request = make_request(wide, wide, command_id=wide)
    summary = attrs.evolve(request.summary, kind=wide, state=wide)
    request = attrs.evolve(request, kind=wide, summary=summary)
    any_store.append(request)
    [summary] = any_store.summaries(wide, kind=wide, state=wide)
    assert summary.stream_id == wide
    assert any_store.command_result(wide, wide) is not None


@pytest.mark.parametrize("field", ["community", "stream", "kind", "command id", "state"])
def test_a_key_longer_than_the_stores_keep_is_refused_where_the_request_is_made(
    field: str,
) -> None:
    long = "x" * (MAX_KEY_LENGTH + 1)
    ids = {"community": "c1", "stream": "s1", "command id": "k1", field: long}
    request = make_request("c1", "s1")

    def make() -> object:
        if field == "kind":
            summary = attrs.evolve(request.summary, kind=long)
            return attrs.evolve(request, kind=long, summary=summary)
        if field == "state":
            return attrs.evolve(request, summary=attrs.evolve(request.summary, state=long))
        return make_request(ids["community"], ids["stream"], command_id=ids["command id"])

    with pytest.raises(cg.MalformedRequest) as refused:
        make()
    field_name = "summary's state" if field == "state" else field
    assert (refused.value.field, refused.value.given) == (field_name, long)
    assert f"at most {MAX_KEY_LENGTH}" in refused.value.because


def test_ids_of_a_text_class_of_their_own_are_written_as_they_are_read(
    any_store: cg.EventStore,
) -> None:
    # The reads took a str subclass (a StrEnum member, say) and the writes refused it.
    made = make_request("c1", "s1", command_id="k1")
    summary = attrs.evolve(
        made.summary, community_id=_Text("c1"), stream_id=_Text("s1"), kind=_Text("matter")
    )
    request = attrs.evolve(
        made,
        summary=summary,
        community_id=_Text("c1"),
        stream_id=_Text("s1"),
        kind=_Text("matter"),
        command_id=_Text("k1"),
    )
    assert {type(request.community_id), type(request.stream_id), type(request.kind)} == {str}
    assert type(request.command_id) is str
    any_store.append(request)
    assert [e.stream_id for e in any_store.read_all(_Text("c1"))] == ["s1"]
    assert any_store.command_result("c1", _Text("k1")) is not None
    assert any_store.communities() == ["c1"]
    [summary] = any_store.summaries("c1")
    assert {type(summary.community_id), type(summary.stream_id), type(summary.kind)} == {str}


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
    assert verify(store) == []
    assert isinstance(host.execute("SELECT 1 AS one").fetchone(), sqlite3.Row)  # still theirs
    host.close()


def test_a_commit_refused_as_busy_leaves_no_transaction_open(tmp_path: Path) -> None:
    # A reader holding the rollback journal's shared lock makes the COMMIT itself busy; the
    # transaction must not stay open on the application's connection.
    path = tmp_path / "host.db"
    host = sqlite3.connect(path, isolation_level=None)
    store = cg.SQLiteStore(connection=host, timeout=0.2)
    store.append(make_request("c1", "a"))
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT 1 FROM cg_streams").fetchall()
    with pytest.raises(cg.StoreUnavailable, match="locked"):
        store.append(make_request("c1", "b"))
    assert not host.in_transaction
    assert store.read_stream("c1", "b") == []
    reader.execute("COMMIT")
    store.append(make_request("c1", "d"))
    host.close()
    with cg.SQLiteStore(path) as reopened:
        assert [s.stream_id for s in reopened.summaries("c1")] == ["a", "d"]
    reader.close()


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
        ({"path": 7}, "not a file path"),
        ({"path": ""}, "an empty path names no file"),
        ({"path": b""}, "an empty path names no file"),
        ({"path": "newdir/"}, "names a folder, not a file"),
        ({"path": b"newdir/"}, "names a folder, not a file"),
    ],
)
def test_a_path_or_connection_sqlite_cannot_use_is_refused(
    arguments: dict[str, object], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "newdir/" made a file named "newdir", which read-only then refused as "newdir/".
    monkeypatch.chdir(tmp_path)
    for read_only in (False, True):
        with pytest.raises(cg.StoreUnavailable, match=message):
            cg.SQLiteStore(**arguments, read_only=read_only)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_separator_or_nul_is_refused_only_where_no_store_can_keep_it(
    any_store: cg.EventStore,
) -> None:
    # U+001E and U+001F pack a batch's events, so only an event's type, data and hash may not
    # hold them; a NUL no PostgreSQL text holds, anywhere.
    request = make_request("c1", "s1", command_id="cmd\x1f1")
    titled = attrs.evolve(request, summary=attrs.evolve(request.summary, title="标\x1e题\x1f"))
    assert any_store.append(titled).version == 1
    assert any_store.summaries("c1")[0].title == "标\x1e题\x1f"
    assert any_store.command_result("c1", "cmd\x1f1") is not None
    with pytest.raises(cg.MalformedRequest, match=r"title.*NUL character at 1"):
        attrs.evolve(request, summary=attrs.evolve(request.summary, title="标\x00题"))
    with pytest.raises(cg.MalformedRequest) as refused:
        make_request("c1", "s\x001")
    assert (refused.value.field, refused.value.given) == ("stream", "s\x001")
    assert any_store.read_stream("c1", "s\x001") == []
    assert any_store.load("c1", "s\x001") is None
    assert any_store.command_result("c1", "cmd\x00") is None


EVERY_CHARACTER = st.characters(exclude_categories=())
SOME_ODD_CHARACTERS = st.sampled_from(["\x00", "\x1e", "\x1f", "\ud800", "\udfff", "x", "标", "😀"])
ODD_TEXT = st.text(EVERY_CHARACTER | SOME_ODD_CHARACTERS, max_size=40)


def _keepable(text: str) -> bool:
    return "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


@given(ODD_TEXT)
@example("标\x00")  # wide text: the NUL is sought in its UTF-8 bytes
@example("\x00")
@example("标\udfff")
def test_a_text_is_storable_unless_it_holds_a_nul_or_a_lone_surrogate(text: str) -> None:
    assert storable_text(text) == _keepable(text)


@given(title=ODD_TEXT, data=ODD_TEXT)
def test_a_request_is_refused_exactly_when_one_of_its_texts_cannot_be_kept(
    title: str, data: str
) -> None:
    """All the texts are checked at once and, only if that finds something, one by one: the
    two agree, and a separator is refused in an event's data but kept in a title."""
    request = make_request("c1", "s1", count=2)
    events = (request.events[0], attrs.evolve(request.events[1], data=data))
    fields = {"events": events, "summary": attrs.evolve(request.summary, title=title)}
    if _keepable(title) and _keepable(data) and "\x1e" not in data and "\x1f" not in data:
        assert attrs.evolve(request, **fields).summary.title == title
        return
    with pytest.raises(cg.MalformedRequest) as refused:
        attrs.evolve(request, **fields)
    assert refused.value.field in {"summary's title", "event 2's data"}
    wrong = refused.value.given
    assert wrong == (title if refused.value.field == "summary's title" else data)


def test_an_unchecked_request_never_reaches_a_batch(tmp_path: Path) -> None:
    # One unpickled from an older version skips the checks; the batch is still refused.
    request = make_request("c1", "s1")
    object.__setattr__(request.events[0], "type", "test.\x1fhappened")
    store = cg.SQLiteStore(tmp_path / "unchecked.db")
    with pytest.raises(cg.PersistenceError, match="U\\+001E or U\\+001F"):
        store.append(request)
    assert store.read_all("c1") == []
    store.close()


def test_deadlines_asked_at_the_ends_of_time_answer_plainly(any_store: cg.EventStore) -> None:
    any_store.append(make_request("c1", "s1", due_at=datetime(2026, 3, 3, tzinfo=UTC)))
    first = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8)))
    last = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-8)))
    assert any_store.summaries("c1", due_before=first) == []
    assert [s.stream_id for s in any_store.summaries("c1", due_before=last)] == ["s1"]
    assert [s.stream_id for s in cg.Governance(any_store).due("c1", at=last)] == ["s1"]


def test_a_store_takes_a_sequence_of_requests(any_store: cg.EventStore) -> None:
    requests = (make_request("c1", f"s{n}") for n in range(2))
    with pytest.raises(cg.MalformedRequest, match="sequence of AppendRequest"):
        any_store.append_many(requests)  # type: ignore[arg-type]
    assert any_store.read_all("c1") == []


def test_a_bulk_import_names_the_item_by_its_place_in_the_archive(tmp_path: Path) -> None:
    archive: list[object] = [make_request("c1", f"s{n}") for n in range(1_000)]
    archive.append("junk")
    with pytest.raises(cg.MalformedRequest, match="request 1001 is 'junk'"):
        cg.SQLiteStore.bulk_import(tmp_path / "x.db", archive)  # type: ignore[arg-type]
    assert not (tmp_path / "x.db").exists()


WRONG_READS: list[tuple[str, Callable[[cg.EventStore], object]]] = [
    ("after_version", lambda s: s.read_stream("c1", "s1", None)),  # type: ignore[arg-type]
    ("after_version", lambda s: s.read_stream("c1", "s1", 1.5)),  # type: ignore[arg-type]
    ("after_version", lambda s: s.read_stream("c1", "s1", True)),
    ("after_position", lambda s: s.read_all("c1", None)),  # type: ignore[arg-type]
    ("after_position", lambda s: s.read_all("c1", "0")),  # type: ignore[arg-type]
    ("limit", lambda s: s.read_all("c1", 0, None)),  # type: ignore[arg-type]
    ("limit", lambda s: s.read_all("c1", 0, float("inf"))),  # type: ignore[arg-type]
    ("limit", lambda s: s.read_all("c1", 0, True)),
    ("community_id", lambda s: s.read_all(5)),  # type: ignore[arg-type]
    ("community_id", lambda s: s.load(b"c1", "s1")),  # type: ignore[arg-type]
    ("stream_id", lambda s: s.read_stream("c1", ["s1"])),  # type: ignore[arg-type]
    ("community_id", lambda s: s.summaries(5)),  # type: ignore[arg-type]
    ("kind", lambda s: s.summaries("c1", kind=b"matter")),  # type: ignore[arg-type]
    ("command_id", lambda s: s.command_result("c1", [1])),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("field", "read"), WRONG_READS)
def test_a_read_naming_something_of_the_wrong_type_is_refused_alike(
    any_store: cg.EventStore, field: str, read: Callable[[cg.EventStore], object]
) -> None:
    # SQLite compared 5 with "5" and answered with community "5"'s records; memory raised
    # TypeError; PostgreSQL refused the query.
    any_store.append(make_request("5", "s1"))
    with pytest.raises(cg.WrongType) as refused:
        read(any_store)
    assert refused.value.field == field


def test_reads_on_a_closed_store_are_refused_even_when_they_would_find_nothing(
    any_store: cg.EventStore,
) -> None:
    any_store.close()
    with pytest.raises(cg.StoreUnavailable):
        any_store.read_all("c1", 0, 0)
    with pytest.raises(cg.StoreUnavailable):
        any_store.append_many([])


@pytest.mark.parametrize(
    "offset",
    [timedelta(microseconds=1), timedelta(hours=8, microseconds=500_000)],
)
def test_an_offset_finer_than_whole_seconds_is_refused(offset: timedelta) -> None:
    # Python 3.11 reads such an offset back from its text without its microseconds.
    zone = timezone(offset)
    with pytest.raises(cg.MalformedRequest, match="whole seconds"):
        make_request("c1", "s1", start=datetime(2026, 3, 2, tzinfo=zone))
    with pytest.raises(cg.MalformedRequest, match="whole seconds"):
        make_request("c1", "s1", due_at=datetime(2026, 3, 9, tzinfo=zone))
    seconds = timezone(timedelta(hours=8, minutes=5, seconds=43))  # Shanghai's LMT
    assert make_request("c1", "s1", start=datetime(2026, 3, 2, tzinfo=seconds)).events


class _Broken(tzinfo):
    def __init__(self, offset: object) -> None:
        self.offset = offset

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return self.offset  # type: ignore[return-value]

    def dst(self, dt: datetime | None) -> None:
        return None


@pytest.mark.parametrize("offset", [timedelta(hours=25), 8], ids=["a day or more", "an int"])
def test_a_zone_whose_offset_is_no_valid_one_is_refused(
    any_store: cg.EventStore, offset: object
) -> None:
    moment = datetime(2026, 3, 2, tzinfo=_Broken(offset))
    with pytest.raises(cg.NaiveDatetime):
        any_store.summaries("c1", due_before=moment)
    request = make_request("c1", "s1")
    with pytest.raises(cg.MalformedRequest, match="event 1's time"):
        attrs.evolve(request, events=(attrs.evolve(request.events[0], at=moment),))
    with pytest.raises(cg.MalformedRequest, match="summary's due_at"):
        attrs.evolve(request, summary=attrs.evolve(request.summary, due_at=moment))


def test_every_store_gives_an_event_time_back_with_its_offset_alone(
    any_store: cg.EventStore,
) -> None:
    # The second 01:30 of New York's last summer night: equal only to itself in its own zone.
    at = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York"))
    request = make_request("c1", "s1")
    request = attrs.evolve(request, events=(attrs.evolve(request.events[0], at=at),))
    any_store.append(request)
    (stored,) = any_store.read_stream("c1", "s1")
    assert stored.at == datetime(2026, 11, 1, 1, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert stored.at.tzinfo == timezone(timedelta(hours=-5))


def test_a_bulk_import_of_something_else_than_requests_or_to_no_path_is_refused(
    tmp_path: Path,
) -> None:
    for requests in (None, 5):
        with pytest.raises(cg.MalformedRequest, match="takes AppendRequest records"):
            cg.SQLiteStore.bulk_import(tmp_path / "x.db", requests)  # type: ignore[arg-type]
    for path in (None, 5):
        with pytest.raises(cg.StoreUnavailable, match="not a file path"):
            cg.SQLiteStore.bulk_import(path, [make_request("c1", "s1")])  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_path_as_bytes_names_the_same_file_as_its_text(tmp_path: Path) -> None:
    with cg.SQLiteStore(os.fsencode(tmp_path / "bytes.db")) as store:
        store.append(make_request("c1", "s1"))
    with cg.SQLiteStore(tmp_path / "bytes.db") as store:
        assert store.communities() == ["c1"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == ["bytes.db"]


def test_a_host_connection_giving_text_as_bytes_is_refused_plainly(tmp_path: Path) -> None:
    host = sqlite3.connect(tmp_path / "host.db", isolation_level=None)
    store = cg.SQLiteStore(connection=host)
    store.append(make_request("c1", "s1"))
    host.text_factory = bytes
    for use in (lambda: store.communities(), lambda: store.append(make_request("c1", "s2"))):
        with pytest.raises(cg.StoreUnavailable, match="text_factory"):
            use()
    with pytest.raises(cg.StoreUnavailable, match="text_factory"):
        cg.SQLiteStore(connection=host)
    host.text_factory = str
    assert store.communities() == ["c1"]
    host.close()


@given(st.integers(MAX_KEY_LENGTH - 3, MAX_KEY_LENGTH + 3), st.sampled_from(["s", "𠀀"]))
def test_a_stream_id_is_taken_exactly_up_to_the_longest_key(length: int, character: str) -> None:
    stream = character * length
    if length <= MAX_KEY_LENGTH:
        assert make_request("c1", stream).stream_id == stream
    else:
        with pytest.raises(cg.MalformedRequest):
            make_request("c1", stream)
