"""Removing a throwaway PostgreSQL server: for :class:`~communitygov.testing.postgres.
TemporaryPostgres`, and run as a script, its watchdog.

The watchdog runs this file by its path with ``python -I -S``: it needs nothing but the
standard library, imports nothing of this package, and starts in a few milliseconds.

    python -I -S _postgres_cleanup.py BASE USER PG_CTL...

It says ``ready``, then waits on its standard input, a pipe from the process that started
the server. A line ``done`` means that process removed the server itself; the end of the
pipe alone means it went first (killed, say), and the watchdog removes the server.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

SETTLED = 3.0
"""Seconds the directory must stay gone before the watchdog is done: an ``initdb`` or
``pg_ctl`` that the dead process left running may write into it again meanwhile."""


def remove(base: Path, pg_ctl: list[str], user: str | None) -> None:
    """Stop the server if it still runs, then delete its directory (whether or not
    ``pg_ctl`` could stop it: a server whose directory is gone stops itself within about a
    minute, when it finds its lock file missing)."""
    data = base / "data"
    try:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                cwd=base,
                user=user,
                timeout=90,
                check=False,
            )
    except (OSError, subprocess.SubprocessError, KeyError):  # KeyError: no such user
        pass
    finally:
        shutil.rmtree(base, ignore_errors=True)


def remove_until_gone(base: Path, pg_ctl: list[str], user: str | None) -> None:
    """:func:`remove`, again whenever the directory comes back, until it has stayed gone
    for :data:`SETTLED` seconds (30 at most)."""
    deadline = time.monotonic() + 30
    gone_since = None
    while time.monotonic() < deadline:
        if base.exists():
            remove(base, pg_ctl, user)
            gone_since = None
        elif gone_since is None:
            gone_since = time.monotonic()
        elif time.monotonic() - gone_since >= SETTLED:
            return
        time.sleep(0.2)


def watch(arguments: list[str]) -> None:
    """The watchdog: ``arguments`` are the directory, the user ('' for none) and pg_ctl."""
    base, user, *pg_ctl = arguments
    for name in ("SIGTERM", "SIGHUP", "SIGINT"):  # sent to a whole tree, they must not stop it
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    with suppress(OSError):  # the process that started this one may be gone already
        print("ready", flush=True)
    if sys.stdin.buffer.readline() != b"done\n":
        remove_until_gone(Path(base), pg_ctl, user or None)


if __name__ == "__main__":
    watch(sys.argv[1:])
