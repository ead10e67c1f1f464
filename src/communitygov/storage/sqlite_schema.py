"""The SQLite store's tables and their migrations.

:class:`~communitygov.storage.sqlite.SQLiteStore` creates and migrates these when it opens a
database (a newer layout it does not know is refused). Four tables:

``cg_batches``
    the events of every append, one row per append (see :mod:`communitygov.storage.rows`),
    a rowid table with unique indexes on ``(community_id, last_position)`` and
    ``(community_id, stream_id, first_version)``.
``cg_streams``
    one summary row per stream, a rowid table unique on ``(community_id, stream_id)``, with
    indexes for the state and deadline queries; times are ISO 8601 text (deadlines in UTC, so
    that they sort as the instants do).
``cg_commands``
    the result of every append that carried a command id, keyed
    ``(community_id, command_id)``.
``cg_meta``
    the schema version.

A migration is history: once released, its statements are never edited.
"""

from __future__ import annotations

import re

from communitygov.storage.rows import SUMMARY_COLUMNS

__all__ = ["MIGRATIONS", "OUR_INDEXES", "SCHEMA_VERSION"]

SCHEMA_VERSION = 3
"""The table layout this code writes. Older layouts are migrated on open."""

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE cg_events (
            community_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            stream_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            type TEXT NOT NULL,
            schema_version INTEGER NOT NULL,
            data TEXT NOT NULL,
            at TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (community_id, position),
            UNIQUE (community_id, stream_id, version)
        ) WITHOUT ROWID""",
        """CREATE TABLE cg_streams (
            community_id TEXT NOT NULL,
            stream_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            version INTEGER NOT NULL,
            state TEXT NOT NULL,
            title TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            due_at TEXT,
            due_what TEXT NOT NULL,
            snapshot TEXT NOT NULL,
            last_hash TEXT NOT NULL,
            PRIMARY KEY (community_id, stream_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX cg_streams_due ON cg_streams (community_id, due_at)",
        "CREATE INDEX cg_streams_state ON cg_streams (community_id, kind, state)",
        """CREATE TABLE cg_commands (
            community_id TEXT NOT NULL,
            command_id TEXT NOT NULL,
            stream_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            first_position INTEGER NOT NULL,
            last_position INTEGER NOT NULL,
            PRIMARY KEY (community_id, command_id)
        ) WITHOUT ROWID""",
    ),
    # One row per append instead of one per event; every stored event becomes a batch of one.
    2: (
        """CREATE TABLE cg_batches (
            community_id TEXT NOT NULL,
            last_position INTEGER NOT NULL,
            first_position INTEGER NOT NULL,
            stream_id TEXT NOT NULL,
            first_version INTEGER NOT NULL,
            last_version INTEGER NOT NULL,
            events TEXT NOT NULL,
            PRIMARY KEY (community_id, last_position),
            UNIQUE (community_id, stream_id, first_version)
        ) WITHOUT ROWID""",
        """INSERT INTO cg_batches (community_id, last_position, first_position, stream_id,
            first_version, last_version, events)
        SELECT community_id, position, position, stream_id, version, version,
            type || char(31) || schema_version || char(31) || at || char(31) || hash
                || char(31) || data
        FROM cg_events ORDER BY community_id, position""",
        "DROP TABLE cg_events",
    ),
    # Rowid tables with separate keys: a batch or a summary row (a few KB) fits in a leaf page
    # of its own instead of spilling into an overflow page, as it must in a key's B-tree; a
    # write touches fewer pages and a load reads fewer.
    3: (
        """CREATE TABLE cg_batches_3 (
            community_id TEXT NOT NULL,
            last_position INTEGER NOT NULL,
            first_position INTEGER NOT NULL,
            stream_id TEXT NOT NULL,
            first_version INTEGER NOT NULL,
            last_version INTEGER NOT NULL,
            events TEXT NOT NULL
        )""",
        """INSERT INTO cg_batches_3 (community_id, last_position, first_position, stream_id,
            first_version, last_version, events)
        SELECT community_id, last_position, first_position, stream_id, first_version,
            last_version, events
        FROM cg_batches ORDER BY community_id, last_position""",
        "DROP TABLE cg_batches",
        "ALTER TABLE cg_batches_3 RENAME TO cg_batches",
        "CREATE UNIQUE INDEX cg_batches_position ON cg_batches (community_id, last_position)",
        "CREATE UNIQUE INDEX cg_batches_version "
        "ON cg_batches (community_id, stream_id, first_version)",
        """CREATE TABLE cg_streams_3 (
            community_id TEXT NOT NULL,
            stream_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            version INTEGER NOT NULL,
            state TEXT NOT NULL,
            title TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            due_at TEXT,
            due_what TEXT NOT NULL,
            snapshot TEXT NOT NULL,
            last_hash TEXT NOT NULL
        )""",
        f"""INSERT INTO cg_streams_3 ({SUMMARY_COLUMNS})
        SELECT {SUMMARY_COLUMNS} FROM cg_streams ORDER BY community_id, stream_id""",
        "DROP TABLE cg_streams",
        "ALTER TABLE cg_streams_3 RENAME TO cg_streams",
        "CREATE UNIQUE INDEX cg_streams_stream ON cg_streams (community_id, stream_id)",
        "CREATE INDEX cg_streams_due ON cg_streams (community_id, due_at)",
        "CREATE INDEX cg_streams_state ON cg_streams (community_id, kind, state)",
    ),
}


OUR_INDEXES = frozenset(
    {
        "cg_streams_due",
        "cg_streams_state",
        "cg_streams_stream",
        "cg_batches_position",
        "cg_batches_version",
    }
)
"""The indexes the migrations create (the others of our tables are SQLite's own)."""


OUR_TABLES = frozenset(
    re.findall(
        r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)",
        " ".join(statement for statements in MIGRATIONS.values() for statement in statements),
    )
)
"""Every table a migration creates, at some schema version."""
