"""A throwaway PostgreSQL server for tests: :class:`TemporaryPostgres`.

It runs the installed ``initdb`` and ``pg_ctl`` (found on ``PATH`` or in
``/usr/lib/postgresql/*/bin``) in a temporary directory, on a free loopback port, and removes
everything when it is done. Run as root, it runs the server as the ``postgres`` system user (the
server refuses to run as root) and hands that user the directory.

Nothing is left behind when the process using it dies either (SIGTERM, SIGKILL, even while
the server is still being created): a small watchdog process, in a session of its own, waits
for that process to go, then stops the server and removes the directory. A copy of the process
made by ``fork`` leaves the server alone when it ends.

Use it as a context manager::

    from communitygov.storage.postgres import PostgresStore
    from communitygov.testing.postgres import TemporaryPostgres

    with TemporaryPostgres() as server:
        store = PostgresStore(server.dsn)
        ...

Stopping and starting the server again (:meth:`TemporaryPostgres.stop`,
:meth:`TemporaryPostgres.start`) keeps its data, port and DSN, so a test can take the server
away in the middle of a run and bring it back.

Creating databases needs psycopg (the ``postgres`` extra).
"""

from __future__ import annotations

import glob
import os
import re
import selectors
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import weakref
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import Any

from communitygov.errors import MissingExtra, StoreUnavailable
from communitygov.testing._postgres_cleanup import remove

__all__ = ["TemporaryPostgres", "find_postgres_bin"]

_TOOLS = ("initdb", "pg_ctl")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def find_postgres_bin() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or ``None`` if they are not installed.

    ``PATH`` is searched first, then ``/usr/lib/postgresql/<version>/bin`` (newest first), where
    Debian and Ubuntu put them.

    Returns:
        The directory, or ``None``.
    """
    on_path = shutil.which("initdb")
    if on_path is not None:
        directory = Path(os.path.realpath(on_path)).parent
        if all(os.access(directory / tool, os.X_OK) for tool in _TOOLS):
            return directory

    def version(directory: str) -> tuple[int, ...]:
        name = Path(directory).parent.name
        return tuple(int(part) for part in name.split(".") if part.isdigit())

    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if all(os.access(Path(candidate, tool), os.X_OK) for tool in _TOOLS):
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class TemporaryPostgres:
    """A PostgreSQL server in a temporary directory, for tests; a context manager.

    Args:
        database: the database created at the first start; :attr:`dsn` points at it.
        bin_dir: where ``initdb`` and ``pg_ctl`` are (found with :func:`find_postgres_bin` by
            default).
        system_user: the user that runs the server when this process runs as root.
        settings: extra server settings (``-c name=value``), e.g. ``{"fsync": "off"}``.

    Raises:
        StoreUnavailable: the PostgreSQL programs cannot be found, or ``database`` is not a
            name of lower-case letters, digits and ``_``.
    """

    def __init__(
        self,
        *,
        database: str = "communitygov",
        bin_dir: str | Path | None = None,
        system_user: str = "postgres",
        settings: dict[str, str] | None = None,
    ) -> None:
        _checked(database)
        found = Path(bin_dir) if bin_dir is not None else find_postgres_bin()
        if found is None:
            raise StoreUnavailable(
                "PostgreSQL",
                "initdb and pg_ctl were found neither on PATH nor in /usr/lib/postgresql/*/bin",
            )
        self.bin_dir = found
        self.database = database
        self.settings = dict(settings or {})
        self._user: str | None = system_user if os.geteuid() == 0 else None
        self._base: Path | None = None
        self._port = 0
        self._running = False
        self._finalizer: weakref.finalize[Any, Any] | None = None

    # --- the server --------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The loopback port the server listens on (0 before the first start)."""
        return self._port

    @property
    def directory(self) -> Path | None:
        """The server's temporary directory (its data, socket and log), while it exists."""
        return self._base

    @property
    def running(self) -> bool:
        """Whether the server is up."""
        return self._running

    @property
    def dsn(self) -> str:
        """The connection string of the test database."""
        return self.dsn_for(self.database)

    def dsn_for(self, database: str) -> str:
        """The connection string of another database on this server.

        Args:
            database: the database's name.
        """
        if not self._port:
            raise StoreUnavailable("PostgreSQL", "the temporary server was never started")
        return f"host=127.0.0.1 port={self._port} user=postgres dbname={database}"

    def start(self) -> None:
        """Start the server: the first time, create the cluster and the database.

        Raises:
            StoreUnavailable: ``initdb`` or ``pg_ctl`` failed (the message carries its log).
        """
        if self._running:
            return
        first = self._base is None
        if first:
            self._create_cluster()
        base = self._require_base()
        options = [
            "-c listen_addresses=127.0.0.1",
            f"-k {shlex.quote(str(base / 'socket'))}",
            f"-p {self._port}",
            *(f"-c {shlex.quote(f'{name}={value}')}" for name, value in self.settings.items()),
        ]
        self._run(
            "pg_ctl",
            "-D",
            str(base / "data"),
            "-l",
            str(base / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            " ".join(options),
            "start",
        )
        self._running = True
        if first:
            self.create_database(self.database)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server, keeping its data; :meth:`start` brings it back on the same port.

        Args:
            mode: ``"smart"``, ``"fast"`` (the default: clients are disconnected) or
                ``"immediate"``.
        """
        if not self._running:
            return
        self._run("pg_ctl", "-D", str(self._require_base() / "data"), "-m", mode, "-w", "stop")
        self._running = False

    def cleanup(self) -> None:
        """Stop the server and remove its directory."""
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None
        self._running = False
        self._base = None

    def __enter__(self) -> TemporaryPostgres:
        try:
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.cleanup()

    # --- databases ---------------------------------------------------------------------

    def create_database(self, name: str) -> str:
        """Create a database on the server.

        Args:
            name: lower-case letters, digits and ``_``.

        Returns:
            Its connection string.

        Raises:
            StoreUnavailable: ``name`` holds anything else.
            MissingExtra: psycopg is not installed.
        """
        self._admin(f"CREATE DATABASE {_checked(name)} TEMPLATE template0")
        return self.dsn_for(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting its clients.

        Args:
            name: the database's name.

        Raises:
            StoreUnavailable: ``name`` is not lower-case letters, digits and ``_``.
        """
        self._admin(f"DROP DATABASE IF EXISTS {_checked(name)} WITH (FORCE)")

    def _admin(self, statement: str) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise MissingExtra("the temporary PostgreSQL server", "postgres") from exc
        try:
            with psycopg.connect(self.dsn_for("postgres"), autocommit=True) as connection:
                connection.execute(statement.encode())
        except psycopg.Error as exc:
            raise StoreUnavailable("PostgreSQL", f"{statement}: {exc}") from exc

    # --- internals ---------------------------------------------------------------------

    def _require_base(self) -> Path:
        if self._base is None:
            raise StoreUnavailable("PostgreSQL", "the temporary server has been cleaned up")
        return self._base

    def _create_cluster(self) -> None:
        base = Path(tempfile.mkdtemp(prefix="communitygov-pg-"))
        self._base = base
        pg_ctl = self._command("pg_ctl")
        try:
            watchdog = _start_watchdog(base, pg_ctl, self._user)
        except OSError as exc:
            self._base = None
            shutil.rmtree(base, ignore_errors=True)
            raise StoreUnavailable("PostgreSQL", f"cannot start the watchdog: {exc}") from exc
        except BaseException:
            self._base = None
            shutil.rmtree(base, ignore_errors=True)
            raise
        self._finalizer = weakref.finalize(
            self, _release, base, pg_ctl, self._user, watchdog, os.getpid()
        )
        (base / "socket").mkdir()
        if self._user is not None:
            import pwd

            try:
                record = pwd.getpwnam(self._user)
            except KeyError:
                raise StoreUnavailable(
                    "PostgreSQL", f"there is no system user {self._user!r} to run the server as"
                ) from None
            for path in (base, base / "socket"):
                os.chown(path, record.pw_uid, record.pw_gid)
        self._port = _free_port()
        self._run(
            "initdb",
            "-D",
            str(base / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def _command(self, tool: str) -> list[str]:
        return [str(self.bin_dir / tool)]

    def _run(self, tool: str, *arguments: str) -> None:
        base = self._require_base()
        try:
            subprocess.run(
                [*self._command(tool), *arguments],
                check=True,
                capture_output=True,
                text=True,
                cwd=base,
                user=self._user,
                timeout=120,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            output = ""
            if isinstance(exc, subprocess.CalledProcessError):
                output = f"{exc.stdout}\n{exc.stderr}"
            log = base / "server.log"
            if log.exists():
                output += "\n" + log.read_text(errors="replace")[-2000:]
            raise StoreUnavailable("PostgreSQL", f"{tool} failed: {exc}\n{output.strip()}") from exc


def _start_watchdog(base: Path, pg_ctl: list[str], user: str | None) -> subprocess.Popen[bytes]:
    """A process that removes the server once this one has gone, however it went.

    It waits on a pipe from this process, whose end the system closes when this process
    ends, killed or not; in a session of its own, signals to this one's process group
    (Ctrl-C) do not reach it.

    Raises:
        StoreUnavailable: it did not start (its error is given).
    """
    script = Path(__file__).with_name("_postgres_cleanup.py")
    if not sys.executable:
        raise StoreUnavailable(
            "PostgreSQL", "this Python does not know its own interpreter (sys.executable)"
        )
    with tempfile.TemporaryFile() as errors:
        watchdog = subprocess.Popen(
            [sys.executable, "-I", "-S", str(script), str(base), user or "", *pg_ctl],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,
        )
        assert watchdog.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(watchdog.stdout, selectors.EVENT_READ)
            said = watchdog.stdout.readline() if selector.select(timeout=60) else b""
        watchdog.stdout.close()
        if said != b"ready\n":
            watchdog.kill()
            watchdog.wait()
            errors.seek(0)
            raise StoreUnavailable(
                "PostgreSQL",
                "the temporary server's watchdog did not start: "
                + errors.read()[-2000:].decode(errors="replace"),
            )
    return watchdog


def _release(
    base: Path,
    pg_ctl: list[str],
    user: str | None,
    watchdog: subprocess.Popen[bytes],
    owner: int,
) -> None:
    """Remove the server, then tell the watchdog it has nothing to do; should removing it
    fail, leave the watchdog to do it. In a process forked from the one that started the
    server (``owner``), nothing: the server is not its own."""
    if os.getpid() != owner:
        return
    assert watchdog.stdin is not None
    try:
        remove(base, pg_ctl, user)
    except BaseException:
        with suppress(OSError):
            watchdog.stdin.close()  # the end of the pipe: the watchdog removes the server
        raise
    with suppress(OSError):
        watchdog.stdin.write(b"done\n")
        watchdog.stdin.close()
    try:
        watchdog.wait(timeout=10)
    except subprocess.TimeoutExpired:
        watchdog.kill()
        watchdog.wait()


def _checked(name: object) -> str:
    """``name``, once it is a database name these helpers create and drop.

    Raises:
        StoreUnavailable: it is not a name of lower-case letters, digits and ``_`` that
            starts with a letter or ``_``.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise StoreUnavailable(
            "PostgreSQL",
            f"database name {name!r}: use lower-case letters, digits and _, "
            "starting with a letter or _",
        )
    return name
