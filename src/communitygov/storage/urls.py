"""Opening a store from a URL: ``memory://``, ``sqlite:///path.db``, ``postgresql://…``."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from communitygov.errors import StoreUnavailable
from communitygov.storage.memory import MemoryStore
from communitygov.storage.sqlite import SQLiteStore

if TYPE_CHECKING:
    from communitygov.storage.postgres import PostgresStore

__all__ = ["open_store"]


def open_store(url: str) -> MemoryStore | SQLiteStore | PostgresStore:
    """Open the store a URL names: an :class:`~communitygov.EventStore`, and a context
    manager (``with open_store(url) as store:`` closes it when the block ends).

    * ``memory://`` — a new in-memory store;
    * ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` or
      ``sqlite:///:memory:`` — an SQLite database (created if missing); the path is
      %-escaped as in any URL (``%3F`` for a ``?`` in a file name), and is all the URL says;
    * ``postgresql://user:password@host:port/database`` (or ``postgres://``) — a PostgreSQL
      database, with the ``postgres`` extra.

    Schemes are read in any case (``SQLite:///x.db``).

    Raises:
        StoreUnavailable: the URL names no known kind of store, or the store cannot be opened.
        MissingExtra: the PostgreSQL driver is not installed.
    """
    if not isinstance(url, str):
        raise StoreUnavailable("named", f"a store URL is text, not {url!r}")
    if url and (url[0] <= " " or url[-1] <= " "):  # white space or a control character
        raise StoreUnavailable("named", f"{url!r} has white space or a control character at an end")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # a bracketed host that is no IPv6 address, say
        raise StoreUnavailable("named", f"{url!r} is not a URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme == "memory":
        if url.lower() != "memory://":
            raise StoreUnavailable(
                "memory", f"expected memory:// and nothing after it, got {url!r}"
            )
        return MemoryStore()
    if scheme == "sqlite":
        prefix = "sqlite:///"
        if not url.lower().startswith(prefix) or len(url) == len(prefix):
            raise StoreUnavailable("SQLite", f"expected sqlite:///path.db, got {url!r}")
        path = url[len(prefix) :]
        if "?" in path or "#" in path:
            raise StoreUnavailable(
                "SQLite",
                f"{url!r} has a query or fragment; a sqlite:/// URL names a file and nothing "
                "else (give SQLiteStore its options instead; a ? or # in a file name is "
                "written %3F or %23)",
            )
        try:
            return SQLiteStore(unquote(path, errors="strict"))
        except UnicodeDecodeError as exc:
            raise StoreUnavailable(
                "SQLite", f"{url!r} names its file with %-escapes that are not UTF-8: {exc}"
            ) from exc
    if scheme in ("postgresql", "postgres"):
        from communitygov.storage.postgres import PostgresStore

        return PostgresStore(scheme + url[len(scheme) :])  # libpq reads lower case only
    raise StoreUnavailable(
        "named",
        f"{url!r} names no kind of store this library has; use memory://, sqlite:///path.db "
        "or postgresql://…",
    )
