"""A PostgreSQL server for the tests: the session's throwaway server, and a database per test.

One throwaway server (:class:`~communitygov.testing.postgres.TemporaryPostgres`) serves the
whole session. With ``COMMUNITYGOV_TEST_POSTGRES_DSN`` set, that server is used instead (its
user needs ``CREATEDB``). Without PostgreSQL programs or psycopg the tests that need a server
are skipped, except under ``CI=true``, where a missing server fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

ENV_DSN = "COMMUNITYGOV_TEST_POSTGRES_DSN"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; under CI=true the PostgreSQL tests must run", pytrace=False)
    pytest.skip(reason)


@attrs.define
class Server:
    """The session's PostgreSQL server: an admin DSN, and the temporary server if we run one."""

    dsn: str
    temporary: Any = None  # TemporaryPostgres, when we started the server ourselves

    def create_database(self) -> tuple[str, str]:
        import psycopg
        from psycopg.conninfo import make_conninfo

        name = f"cg_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}".encode())
        return name, make_conninfo(self.dsn, dbname=name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)".encode())


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """The session's server: ``COMMUNITYGOV_TEST_POSTGRES_DSN`` or a temporary one."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'communitygov[postgres]')")
    external = os.environ.get(ENV_DSN)
    if external:
        yield Server(external)
        return
    from communitygov.testing.postgres import TemporaryPostgres, find_postgres_bin

    if find_postgres_bin() is None:
        _unavailable("PostgreSQL (initdb, pg_ctl) is not installed")
    with TemporaryPostgres() as server:
        yield Server(server.dsn, server)


@pytest.fixture(scope="session")
def postgres_dsn(postgres_server: Server) -> str:
    """The DSN of the session's server (its default database)."""
    return postgres_server.dsn
