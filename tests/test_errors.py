"""The error tree: one root, documented, readable."""

from __future__ import annotations

import copy
import pickle
import uuid
from datetime import date
from pathlib import Path

import pytest

import communitygov as cg
from communitygov import errors

DOCS = Path(__file__).resolve().parent.parent / "docs" / "errors.md"


def test_every_error_derives_from_the_root() -> None:
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), cg.CommunityGovError), name


def test_every_error_is_public_and_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name in errors.__all__:
        assert getattr(cg, name) is getattr(errors, name), f"{name} not exported"
        assert f"`{name}`" in text, f"{name} missing from docs/errors.md"


def test_quorum_message_reads_well_and_carries_numbers() -> None:
    from fractions import Fraction

    error = cg.QuorumNotMet(
        body="residents' representatives' assembly",
        present=19,
        base=30,
        base_name="members",
        required=20,
        fraction=Fraction(2, 3),
        inclusive=True,
    )
    assert str(error) == (
        "quorum not met: 19 of 30 members present at the residents' representatives' "
        "assembly; at least 2/3 (20) required"
    )
    assert (error.present, error.base, error.required) == (19, 30, 20)


def test_transition_not_allowed_names_action_state_and_alternatives() -> None:
    error = cg.TransitionNotAllowed("close", "soliciting", ("record_opinion", "withdraw"))
    assert "cannot close while soliciting" in str(error)
    assert error.allowed == ("record_opinion", "withdraw")
    final = cg.TransitionNotAllowed("withdraw", "closed", ())
    assert "the state is final" in str(final)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            cg.ConcurrencyConflict("m1", 0, 3, community="c1"),
            "stream 'm1' of community 'c1' exists already, at version 3: its id is taken, or "
            "someone else created it first",
        ),
        (
            cg.ConcurrencyConflict("m1", 2, 3, community="c1"),
            "stream 'm1' of community 'c1' is at version 3, not 2: someone else wrote first",
        ),
        (
            cg.ConcurrencyConflict("c1", 1, 1, community="c1"),
            "stream 'c1' of community 'c1' was at version 1, as expected, in the snapshot of the "
            "transaction the append runs in, but another writer has written since (a REPEATABLE "
            "READ or SERIALIZABLE transaction on PostgreSQL, one that read first on SQLite): "
            "retry in a new transaction",
        ),
        (  # from an adapter that does not give the community
            cg.ConcurrencyConflict("m1", 2, 3),
            "stream 'm1' is at version 3, not 2: someone else wrote first",
        ),
        (
            cg.StoreReadOnly("SQLite", "c1", "m1", 3),
            "the SQLite store was opened read-only: the append to stream 'm1' of community "
            "'c1' and 2 more was refused; open it without read_only to write",
        ),
        (cg.DuplicateId("opinion", "o1"), "opinion 'o1' already exists"),
        (
            cg.ObjectionSuperseded("x1", 1, 2),
            "objection 'x1' was to resolution notice 1, which an upheld objection has replaced "
            "(the notice now up is number 2): it can no longer be ruled on; object to the "
            "notice now up instead",
        ),
        (cg.WrongType("within", 14, "a timedelta"), "within=14 is an int, not a timedelta"),
        (cg.WrongType("at", "9:00", "a datetime"), "at='9:00' is a str, not a datetime"),
        (
            cg.WrongType("id", uuid.UUID(int=1), "a text"),
            "id=UUID('00000000-0000-0000-0000-000000000001') is a UUID, not a text",
        ),
        (
            cg.NotFound("fund", "p1", "zz", found="assistance_plan"),
            "no fund 'p1' in community 'zz': 'p1' is the id of an assistance_plan",
        ),
        (
            cg.DuplicateId("person present", "pc0", "is named twice"),
            "person present 'pc0' is named twice",
        ),
        (cg.NotFound("community", "zz", "zz"), "no community 'zz'"),
        (cg.NotFound("matter", "m1", "zz"), "no matter 'm1' in community 'zz'"),
        (
            cg.NotFound("matter", "zz", "zz", found="community"),
            "no matter 'zz' in community 'zz': 'zz' is the id of a community",
        ),
        (
            cg.WrongCommunity("c", "o"),
            "a record of community 'o' was given where one of community 'c' is needed",
        ),
        (
            cg.MalformedRequest("s1", "summary's snapshot", "x" * 500, None, "why"),
            "the append request for stream 's1' is malformed: its summary's snapshot is '"
            + "x" * 119
            + "… (502 characters) (why)",
        ),
        (
            cg.NaiveDatetime("at", date(2026, 3, 2)),
            "at=datetime.date(2026, 3, 2) is a date, not a datetime; pass a timezone-aware "
            "datetime (for example with tzinfo=ZoneInfo('Asia/Shanghai'))",
        ),
    ],
)
def test_messages_say_what_happened(error: cg.CommunityGovError, message: str) -> None:
    assert str(error) == message


def test_a_conflict_carries_its_community_as_its_siblings_do() -> None:
    conflict = cg.ConcurrencyConflict("m1", 2, 3, community="c1")
    assert (conflict.community, conflict.stream, conflict.expected, conflict.actual) == (
        "c1",
        "m1",
        2,
        3,
    )
    assert cg.ConcurrencyConflict("m1", 2, 3).community is None
    exists = cg.StreamExists("matter", "m1", "c1", 3)
    assert (exists.community, exists.stream, exists.expected, exists.actual) == ("c1", "m1", 0, 3)


@pytest.mark.parametrize(
    "error",
    [
        cg.EmptyField("title"),
        cg.NotFound("matter", "m1", "zz", found="community"),
        cg.StreamExists("matter", "m1", "c1", 3),
        cg.ConcurrencyConflict("m1", 2, 3, community="c1"),
        cg.WrongType("at", "9:00", "a datetime"),
        cg.MalformedDecision("aggregate", 1, 2, "why"),
        cg.TransitionNotAllowed("close", "raised", ("open_solicitation",)),
        cg.StoreUnavailable("SQLite", "gone"),
        cg.MissingExtra("the official calendar", "cn"),
        cg.FuturePeriod(date(2020, 5, 1), date(2020, 5, 31)),
    ],
    ids=lambda error: type(error).__name__,
)
def test_an_error_pickles_and_copies_whole(error: cg.CommunityGovError) -> None:
    # A worker process's error reaches its caller pickled; before, most came back as a
    # TypeError (their __init__ called again with the message), or with a garbled message.
    error.add_note("while importing the archive")
    for copied in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
        assert type(copied) is type(error)
        assert str(copied) == str(error)
        assert vars(copied) == vars(error)
        assert copied.__notes__ == ["while importing the archive"]
