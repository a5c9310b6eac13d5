"""The database in a backup, per engine: dumping it, with what the manifest says about the dump, and
restoring it.

    SQLite       a copy made with SQLite's online backup API, consistent while the site writes,
                 and copied back through the same API
    PostgreSQL   `pg_dump --format=custom`, taken in the snapshot the row counts were read in,
                 restored with `pg_restore` in one transaction (backups/pg_client.py finds both)

Also the checks after a restore: the rows each table has now, and the tables the archive lacks.
"""

import contextlib
import sqlite3
import time
from dataclasses import dataclass, field

from django.core.management.base import CommandError
from django.db.migrations.loader import MigrationLoader

from backups.pg_client import libpq_env, pg_tool, run_tool

ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# How long a SQLite backup or restore waits for another connection's lock before giving up.
SQLITE_LOCK_SECONDS = 60


def vendor_of(connection):
    """ "sqlite" or "postgresql": the databases an archive can hold."""
    if connection.vendor not in ENGINE_NAMES:
        raise CommandError(f"Backups support SQLite and PostgreSQL, not {connection.settings_dict['ENGINE']}.")
    return connection.vendor


@dataclass
class DatabaseState:
    """What the manifest says about a database dump: read from the dump's own snapshot."""

    counts: dict  # {table: rows}
    applied: list  # [(app, migration name)] from django_migrations
    details: dict = field(default_factory=dict)  # server and pg_dump versions


def dump_database(connection, target):
    """Write the database of `connection` to the file `target` in its engine's own format."""
    if vendor_of(connection) == "sqlite":
        return dump_sqlite(connection, target)
    return dump_postgresql(connection, target)


def dump_sqlite(connection, target):
    """Copy the database with SQLite's online backup API, then read the counts from the copy.

    The backup API copies a consistent state while other connections keep writing (in WAL mode
    they are not even blocked), unlike copying the file, which can catch a half-written page.
    """
    if connection.in_atomic_block:
        # SQLite will not copy a database its own connection is writing to (SQLITE_LOCKED).
        raise CommandError("A SQLite backup cannot be taken inside a transaction of the same connection.")
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy, progress=_give_up_after(SQLITE_LOCK_SECONDS))
    with contextlib.closing(sqlite3.connect(target)) as copy:
        # One self-contained file: a copy of a WAL database would otherwise open in WAL mode.
        copy.execute("PRAGMA journal_mode=DELETE")
        tables = [
            name
            for (name,) in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {table: copy.execute(f"SELECT COUNT(*) FROM {_sqlite_quote(table)}").fetchone()[0] for table in tables}
        applied = []
        if "django_migrations" in counts:
            applied = copy.execute("SELECT app, name FROM django_migrations").fetchall()
    return DatabaseState(counts, applied, {"sqlite_version": sqlite3.sqlite_version})


def _give_up_after(seconds):
    """A progress callback for Connection.backup(), which otherwise retries a locked database forever."""
    started = time.monotonic()

    def progress(status, remaining, total):
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() - started > seconds:
            raise CommandError(
                f"The SQLite database stayed locked for {seconds} s (a long write transaction?): try again later."
            )

    return progress


def _sqlite_quote(name):
    return '"' + name.replace('"', '""') + '"'


def dump_postgresql(connection, target):
    """`pg_dump --format=custom` of the database, reading the counts in the very snapshot pg_dump dumps.

    A repeatable-read transaction exports its snapshot and pg_dump imports it (`--snapshot`), so
    the manifest's row counts and migrations describe exactly what the dump holds, even while the
    site writes.
    """
    import psycopg
    from psycopg import sql

    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    pg_dump, dump_major = pg_tool("pg_dump", server_major)
    with contextlib.closing(psycopg.connect(**connection.get_connection_params())) as snapshot:
        snapshot.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snapshot.read_only = True
        with snapshot.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot_id,) = cursor.fetchone()
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = ANY(current_schemas(false)) ORDER BY tablename"
            )
            tables = [name for (name,) in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table)))
                counts[table] = cursor.fetchone()[0]
            applied = []
            if "django_migrations" in counts:
                cursor.execute("SELECT app, name FROM django_migrations")
                applied = cursor.fetchall()
            run_tool(
                [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot_id}", f"--file={target}"],
                libpq_env(connection.settings_dict),
            )
        snapshot.rollback()
    details = {"server_version": connection.pg_version, "pg_dump_major": dump_major}
    return DatabaseState(counts, applied, details)


def migration_heads(applied):
    """{app: [migration names]}: of the `applied` (app, name) pairs, those no other applied migration
    of the same app builds on. Migrations this code does not know are listed too."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    applied = {tuple(key) for key in applied}
    heads = {}
    for key in sorted(applied):
        node = graph.node_map.get(key)
        if node is not None and any(child.key in applied and child.key[0] == key[0] for child in node.children):
            continue
        heads.setdefault(key[0], []).append(key[1])
    return heads


def restore_database(connection, dump, manifest):
    """Replace the database of `connection` with the dump file `dump`."""
    if vendor_of(connection) == "sqlite":
        restore_sqlite(connection, dump)
    else:
        restore_postgresql(connection, dump, manifest)


def restore_sqlite(connection, dump):
    """Copy `dump` over the configured database with the backup API (after checking the copy).

    Through SQLite itself, not by replacing the file: other processes that have the database
    open see the restored content, and the -wal and -shm files stay consistent with it.
    """
    with contextlib.closing(sqlite3.connect(dump)) as source:
        (result,) = source.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise CommandError(f"The archive's SQLite database is damaged: {result}")
        connection.close()
        connection.ensure_connection()
        source.backup(connection.connection, progress=_give_up_after(SQLITE_LOCK_SECONDS))


def restore_postgresql(connection, dump, manifest):
    """`pg_restore --clean --if-exists --no-owner --single-transaction` into the configured database.

    One transaction: a failure leaves the database as it was. --clean drops the archive's objects
    first; tables only the current database has (made by a later migration) stay, see `extra_tables`.
    """
    connection.ensure_connection()
    at_least = max(connection.pg_version // 10000, manifest["database"].get("pg_dump_major", 0))
    pg_restore, _major = pg_tool("pg_restore", at_least)
    name = connection.settings_dict["NAME"]
    connection.close()  # no transaction or lock of ours in the way of the DROPs
    run_tool(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--no-password",
            f"--dbname={name}",
            str(dump),
        ],
        libpq_env(connection.settings_dict),
    )


def count_rows(connection, tables):
    """{table: rows now, or None when the table does not exist} for `tables`."""
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table not in existing:
                counts[table] = None
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def extra_tables(connection, manifest):
    """Tables the database has and the archive did not (PostgreSQL: --clean leaves them)."""
    return sorted(set(connection.introspection.table_names()) - set(manifest["tables"]))
