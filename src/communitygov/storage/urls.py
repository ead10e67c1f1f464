"""Opening a store from a URL: ``memory://``, ``sqlite:///path.db``, ``postgresql://…``."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from communitygov.errors import StoreUnavailable
from communitygov.storage.memory import MemoryStore
from communitygov.storage.passwords import shown_url
from communitygov.storage.read_only import require_flag
from communitygov.storage.sqlite import SQLiteStore

if TYPE_CHECKING:
    from communitygov.storage.postgres import PostgresStore

__all__ = ["open_store", "shown_url"]


def open_store(url: str, *, read_only: bool = False) -> MemoryStore | SQLiteStore | PostgresStore:
    """Open the store a URL names: an :class:`~communitygov.EventStore`, and a context
    manager (``with open_store(url) as store:`` closes it when the block ends).

    * ``memory://`` — a new in-memory store;
    * ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` or
      ``sqlite:///:memory:`` — an SQLite database (created if missing); the path is
      %-escaped as in any URL (``%3F`` for a ``?`` in a file name), and is all the URL says;
    * ``postgresql://user:password@host:port/database`` (or ``postgres://``) — a PostgreSQL
      database, with the ``postgres`` extra.

    Schemes are read in any case (``SQLite:///x.db``).

    With ``read_only=True`` the store reads an existing database and changes nothing (see
    :mod:`communitygov.storage.read_only`); a new memory store, having nothing to read, is
    refused.

    Raises:
        StoreUnavailable: the URL names no known kind of store, or the store cannot be opened.
        MissingExtra: the PostgreSQL driver is not installed.
    """
    require_flag("named", read_only)
    if not isinstance(url, str):
        raise StoreUnavailable("named", f"a store URL is text, not {type(url).__name__}")
    shown = shown_url(url)
    if url and (url[0] <= " " or url[-1] <= " "):  # white space or a control character
        raise StoreUnavailable(
            "named", f"{shown!r} has white space or a control character at an end"
        )
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # a bracketed host that is no IPv6 address, say
        raise StoreUnavailable("named", f"{shown!r} is not a URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme == "memory":
        if url.lower() != "memory://":
            raise StoreUnavailable(
                "memory", f"expected memory:// and nothing after it, got {shown!r}"
            )
        if read_only:
            raise StoreUnavailable(
                "memory", "a new memory store opened read-only would have nothing to read"
            )
        return MemoryStore()
    if scheme == "sqlite":
        prefix = "sqlite:///"
        if not url.lower().startswith(prefix) or len(url) == len(prefix):
            raise StoreUnavailable("SQLite", f"expected sqlite:///path.db, got {shown!r}")
        path = url[len(prefix) :]
        if "?" in path or "#" in path:
            raise StoreUnavailable(
                "SQLite",
                f"{shown!r} has a query or fragment; a sqlite:/// URL names a file and nothing "
                "else (give SQLiteStore its options instead; a ? or # in a file name is "
                "written %3F or %23)",
            )
        try:
            return SQLiteStore(unquote(path, errors="strict"), read_only=read_only)
        except UnicodeDecodeError as exc:
            raise StoreUnavailable(
                "SQLite", f"{shown!r} names its file with %-escapes that are not UTF-8: {exc}"
            ) from exc
    if scheme in ("postgresql", "postgres"):
        from communitygov.storage.postgres import PostgresStore

        # libpq reads the scheme in lower case only
        return PostgresStore(scheme + url[len(scheme) :], read_only=read_only)
    raise StoreUnavailable(
        "named",
        f"{shown!r} names no kind of store this library has; use memory://, sqlite:///path.db "
        "or postgresql://…",
    )
