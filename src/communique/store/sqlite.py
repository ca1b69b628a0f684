"""SQLite files with numbered migrations, safe for several processes at once.

Each store (call log, article texts, feed items) keeps its own file and its own list
of migrations: migration ``n`` is the SQL that brings the schema from version
``n - 1`` to ``n``, applied once and recorded in ``PRAGMA user_version``. WAL mode
and a busy timeout let two processes write to one file without losing a row.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

BUSY_TIMEOUT_S = 30.0


def connect(path: Path, migrations: Sequence[str]) -> sqlite3.Connection:
    """Open ``path`` (created if missing), migrated to the newest schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The stores serialise their use of a connection with a lock, so worker threads of a
    # batch may share it.
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    migrate(conn, migrations)
    return conn


def migrate(conn: sqlite3.Connection, migrations: Sequence[str]) -> int:
    """Apply the migrations this file has not seen yet; return the schema version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version >= len(migrations):
        return version
    conn.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then see it done
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for number in range(version, len(migrations)):
            for statement in migrations[number].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(migrations)


class SqliteStore:
    """A store in one SQLite file: the connection is opened (and migrated) on first use
    and shared by the store's threads, each use under :attr:`_lock`."""

    #: the store's migrations, oldest first (see :func:`migrate`)
    migrations: Sequence[str] = ()

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path, self.migrations)
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
