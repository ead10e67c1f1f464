"""Test configuration: Hypothesis profiles, quick locally and thorough under CI=true."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import communitygov

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


# The PostgreSQL fixtures (``postgres_server``, ``postgres_dsn``) serve every test module.
from postgres_server import postgres_dsn, postgres_server  # noqa: E402, F401

STORE_KINDS = ("memory", "sqlite", "postgresql")


@pytest.fixture(params=STORE_KINDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[communitygov.EventStore]:
    """Each shipped store in turn: memory, an SQLite file, a fresh PostgreSQL database."""
    if request.param == "memory":
        yield communitygov.MemoryStore()
    elif request.param == "sqlite":
        store = communitygov.SQLiteStore(tmp_path / "records.db")
        yield store
        store.close()
    else:
        server = request.getfixturevalue("postgres_server")
        name, dsn = server.create_database()
        postgres = communitygov.PostgresStore(dsn)
        yield postgres
        postgres.close()
        server.drop_database(name)
