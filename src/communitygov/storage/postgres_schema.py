"""The PostgreSQL store's tables, its append function, and their migrations.

:class:`~communitygov.storage.postgres.PostgresStore` creates and migrates these when it
opens a database. Four tables:

``cg_batches``
    the events of every append, one row per append (see :mod:`communitygov.storage.rows`),
    keyed ``(community_id, last_position)`` and unique on ``(community_id, first_position)``
    and ``(community_id, stream_id, first_version)``; each event's ``at`` is kept as the exact
    ISO text the hash chain was computed over.
``cg_streams``
    one summary row per stream, keyed ``(community_id, stream_id)``; ``updated_at`` and
    ``due_at`` are ``timestamptz`` (aware datetimes come back, equal by instant). Its
    ``version`` is the stream's version, the one an append checks.
``cg_commands``
    the result of every append that carried a command id, keyed
    ``(community_id, command_id)``.
``cg_meta``
    the schema version (one row, outside any community).

``cg_batches`` and ``cg_streams`` keep rows of up to 8 KB inline and uncompressed
(``toast_tuple_target = 8160``): a batch of events or a summary with its snapshot is written
as it is, without compressing it first. Raw ``COPY`` of the same rows ran about 1.4 times
faster so; the price is larger tables, as JSON compresses well.

An append is one round trip: a call of the PL/pgSQL function ``cg_append(...)``, created by
the migration. It takes the community's transaction-level advisory lock
(``pg_advisory_xact_lock(0x6367, hashtext(community_id))``), so appenders within a community
are serialised and positions are given, and become visible, in commit order: a reader never
finds a late gap. It returns the stored result if the command id was seen; inserts the
summary of a new stream, or moves an existing one on from the expected version (raising
SQLSTATE ``CG409``, with the current version in the message and detail, when that fails);
stores the batch and the command; and returns ``(stream_id, version, first_position,
last_position, duplicate)``. The store's ``append_many`` runs several calls in one
transaction; from ``bulk_threshold`` requests on, it checks every command id and expected
version up front and writes with ``COPY`` instead.

An append inside a REPEATABLE READ or SERIALIZABLE transaction reads the last position as of
its snapshot. If another writer has appended since, the batch would start at that writer's
first position: the unique key on ``first_position`` refuses it, and the append is a
:class:`~communitygov.errors.ConcurrencyConflict` (retry in a new transaction). The same key
stops a bulk import on a Citus coordinator, whose advisory lock the workers do not see, from
overlapping an append running on a worker.

Every key is led by ``community_id``, so a distributed PostgreSQL (Citus) can shard by it::

    SELECT create_distributed_table('cg_batches', 'community_id');
    SELECT create_distributed_table('cg_streams', 'community_id', colocate_with => 'cg_batches');
    SELECT create_distributed_table('cg_commands', 'community_id', colocate_with => 'cg_batches');
    SELECT create_distributed_function(
        'cg_append(text, text, integer, integer, text, text, integer, text, text,'
        ' timestamptz, timestamptz, text, text, text, text)',
        'p_community', colocate_with := 'cg_batches');

so that every append (and its advisory lock) runs on the worker holding its community.
``cg_meta`` stays a local table on the coordinator. Open the store once before distributing
(it creates the tables).
"""

from __future__ import annotations

__all__ = [
    "APPEND",
    "BATCH_TYPES",
    "COMMAND_TYPES",
    "CONFLICT_STATE",
    "LOCK_COMMUNITY",
    "MIGRATIONS",
    "MIGRATION_LOCK",
    "SCHEMA_VERSION",
    "SUMMARY_TYPES",
]

SCHEMA_VERSION = 2
"""The table layout this code writes. Older layouts are migrated on open."""

CONFLICT_STATE = "CG409"
"""The SQLSTATE ``cg_append`` raises when the stream is not at the expected version."""
_LOCK_SPACE = 0x6367  # "cg": the first key of the advisory locks that serialise a community
MIGRATION_LOCK = 0x636F6D6D_676F76
"""The advisory lock ("commgov") that serialises migrations across processes."""
_ID = 'text COLLATE "C" NOT NULL'  # ids sort by code point, as in the other stores

_APPEND_FUNCTION = f"""
CREATE FUNCTION cg_append(
    p_community text,
    p_stream text,
    p_expected integer,
    p_count integer,
    p_events text,
    p_kind text,
    p_summary_version integer,
    p_state text,
    p_title text,
    p_updated_at timestamptz,
    p_due_at timestamptz,
    p_due_what text,
    p_snapshot text,
    p_last_hash text,
    p_command text
) RETURNS TABLE (
    stream_id text,
    version integer,
    first_position bigint,
    last_position bigint,
    duplicate boolean
) LANGUAGE plpgsql AS $function$
#variable_conflict use_column
DECLARE
    v_last bigint;
    v_current integer;
    v_seen record;
BEGIN
    -- Serialise the community's appenders: positions are given in commit order.
    PERFORM pg_advisory_xact_lock({_LOCK_SPACE}, hashtext(p_community));
    SELECT coalesce(max(b.last_position), 0) INTO v_last
    FROM cg_batches b WHERE b.community_id = p_community;

    IF p_command IS NOT NULL THEN
        SELECT c.stream_id, c.version, c.first_position, c.last_position INTO v_seen
        FROM cg_commands c WHERE c.community_id = p_community AND c.command_id = p_command;
        IF FOUND THEN
            RETURN QUERY SELECT v_seen.stream_id::text, v_seen.version, v_seen.first_position,
                v_seen.last_position, true;
            RETURN;
        END IF;
    END IF;

    -- The summary row is the stream's version: insert it for a new stream, or move it on
    -- from the expected version; either failing means another writer got there first.
    IF p_expected = 0 THEN
        INSERT INTO cg_streams AS s (community_id, stream_id, kind, version, state, title,
            updated_at, due_at, due_what, snapshot, last_hash)
        VALUES (p_community, p_stream, p_kind, p_summary_version, p_state, p_title,
            p_updated_at, p_due_at, p_due_what, p_snapshot, p_last_hash)
        ON CONFLICT (community_id, stream_id) DO UPDATE SET kind = EXCLUDED.kind,
            version = EXCLUDED.version, state = EXCLUDED.state, title = EXCLUDED.title,
            updated_at = EXCLUDED.updated_at, due_at = EXCLUDED.due_at,
            due_what = EXCLUDED.due_what, snapshot = EXCLUDED.snapshot,
            last_hash = EXCLUDED.last_hash
        WHERE s.version = 0;  -- a stream with a summary but no event yet
    ELSE
        UPDATE cg_streams s SET kind = p_kind, version = p_summary_version, state = p_state,
            title = p_title, updated_at = p_updated_at, due_at = p_due_at,
            due_what = p_due_what, snapshot = p_snapshot, last_hash = p_last_hash
        WHERE s.community_id = p_community AND s.stream_id = p_stream
            AND s.version = p_expected;
    END IF;
    IF NOT FOUND THEN
        SELECT s.version INTO v_current
        FROM cg_streams s WHERE s.community_id = p_community AND s.stream_id = p_stream;
        v_current := coalesce(v_current, 0);
        RAISE EXCEPTION USING
            ERRCODE = '{CONFLICT_STATE}',
            MESSAGE = format('stream %s is at version %s, not %s', p_stream, v_current, p_expected),
            DETAIL = json_build_object(
                'stream', p_stream, 'expected', p_expected, 'actual', v_current)::text;
    END IF;
    v_current := p_expected;

    IF p_count > 0 THEN
        INSERT INTO cg_batches (community_id, last_position, first_position, stream_id,
            first_version, last_version, events)
        VALUES (p_community, v_last + p_count, v_last + 1, p_stream, v_current + 1,
            v_current + p_count, p_events);
    END IF;

    IF p_command IS NOT NULL THEN
        INSERT INTO cg_commands
            (community_id, command_id, stream_id, version, first_position, last_position)
        VALUES (p_community, p_command, p_stream, v_current + p_count, v_last + 1,
            v_last + p_count);
    END IF;

    RETURN QUERY SELECT p_stream, v_current + p_count, v_last + 1, v_last + p_count, false;
END
$function$
"""

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        f"""CREATE TABLE cg_positions (
            community_id {_ID},
            last_position bigint NOT NULL,
            PRIMARY KEY (community_id)
        )""",
        f"""CREATE TABLE cg_events (
            community_id {_ID},
            position bigint NOT NULL,
            stream_id {_ID},
            version integer NOT NULL,
            type text NOT NULL,
            schema_version integer NOT NULL,
            data text NOT NULL,
            at text NOT NULL,
            hash text NOT NULL,
            PRIMARY KEY (community_id, position),
            UNIQUE (community_id, stream_id, version)
        )""",
        f"""CREATE TABLE cg_streams (
            community_id {_ID},
            stream_id {_ID},
            kind text NOT NULL,
            version integer NOT NULL,
            state text NOT NULL,
            title text NOT NULL,
            updated_at timestamptz NOT NULL,
            due_at timestamptz,
            due_what text NOT NULL,
            last_hash text NOT NULL,
            snapshot text NOT NULL,
            PRIMARY KEY (community_id, stream_id)
        )""",
        "CREATE INDEX cg_streams_due ON cg_streams (community_id, due_at) WHERE due_at IS NOT NULL",
        "CREATE INDEX cg_streams_state ON cg_streams (community_id, kind, state)",
        f"""CREATE TABLE cg_commands (
            community_id {_ID},
            command_id {_ID},
            stream_id {_ID},
            version integer NOT NULL,
            first_position bigint NOT NULL,
            last_position bigint NOT NULL,
            PRIMARY KEY (community_id, command_id)
        )""",
    ),
    # One row per append instead of one per event; every stored event becomes a batch of one.
    # (The version-1 layout also had a cg_append over cg_events, dropped here if present.)
    2: (
        f"""CREATE TABLE cg_batches (
            community_id {_ID},
            last_position bigint NOT NULL,
            first_position bigint NOT NULL,
            stream_id {_ID},
            first_version integer NOT NULL,
            last_version integer NOT NULL,
            events text NOT NULL,
            PRIMARY KEY (community_id, last_position),
            UNIQUE (community_id, first_position),
            UNIQUE (community_id, stream_id, first_version)
        ) WITH (toast_tuple_target = 8160)""",
        # Rows of up to 8 KB (a batch of events, a summary with its snapshot) stay in the
        # table as they are, neither compressed nor moved out (see the module's docstring).
        "ALTER TABLE cg_streams SET (toast_tuple_target = 8160)",
        """INSERT INTO cg_batches (community_id, last_position, first_position, stream_id,
            first_version, last_version, events)
        SELECT community_id, position, position, stream_id, version, version,
            concat_ws(chr(31), type, schema_version, at, hash, data)
        FROM cg_events""",
        "DROP TABLE cg_events",
        "DROP TABLE cg_positions",
        "DROP FUNCTION IF EXISTS cg_append(text, text, integer, text[], integer[], text[], "
        "text[], text[], text, integer, text, text, timestamptz, timestamptz, text, text, "
        "text, text)",
        _APPEND_FUNCTION,
    ),
}

"""The statements that take a database from each schema version to the next, by target."""

APPEND = (
    "SELECT stream_id, version, first_position, last_position, duplicate FROM cg_append("
    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::timestamptz, %s::timestamptz, %s, %s, %s, %s)"
)
"""One append: the call of ``cg_append`` and the row it returns."""
BATCH_TYPES = ("text", "int8", "int8", "text", "int4", "int4", "text")
"""The column types of a ``cg_batches`` row, for binary ``COPY``."""
SUMMARY_TYPES = (
    "text",
    "text",
    "text",
    "int4",
    "text",
    "text",
    "timestamptz",
    "text",
    "text",
    "timestamptz",
    "text",
)
"""The column types of a ``cg_streams`` row in ``SUMMARY_COLUMNS`` order, for binary ``COPY``."""
COMMAND_TYPES = ("text", "text", "text", "int4", "int8", "int8")
"""The column types of a ``cg_commands`` row, for binary ``COPY``."""
LOCK_COMMUNITY = f"SELECT pg_advisory_xact_lock({_LOCK_SPACE}, hashtext(%s))"
"""Locks a community's appenders out until the transaction ends (take them in community
order)."""
