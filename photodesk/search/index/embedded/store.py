"""Where the embedded index keeps its documents: one SQLite file, updated in place.

- `docs`: every document as written (its vector, and its terms and attributes as JSON);
- `changes`: an append-only log of the ids written or deleted since the current snapshot,
  which is how a process learns what another one wrote;
- `meta`: which snapshot folder is current and up to which change it holds.

A write is one short transaction (WAL mode: readers are never blocked and see either all of
it or nothing). Writers also take an exclusive file lock, so a long rebuild makes them wait
instead of failing on SQLite's busy timeout, and only one writes a snapshot at a time.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (id INTEGER PRIMARY KEY, vector BLOB NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def encode(stored: dict[str, Any]) -> str:
    return json.dumps(stored, default=str, separators=(",", ":"))


class Store:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = folder / "index.sqlite3"
        self._connection: sqlite3.Connection | None = None
        self._pid: int | None = None

    def connection(self) -> sqlite3.Connection:
        # One connection per process: a forked worker must not reuse its parent's.
        if self._connection is None or self._pid != os.getpid():
            self.folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.file, isolation_level=None, check_same_thread=False, timeout=60
            )
            connection.execute("PRAGMA journal_mode=WAL")
            # The index is derived data (reconcile repairs it): no fsync per write.
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(SCHEMA)
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """One consistent view of the store (nested in a write: that one's)."""
        connection = self.connection()
        if connection.in_transaction:
            yield connection
            return
        connection.execute("BEGIN")
        try:
            yield connection
        finally:
            connection.execute("COMMIT")

    @contextmanager
    def locked(self) -> Iterator[None]:
        """The writers' lock, across processes (a long rebuild makes writers wait)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: all or nothing (take `locked` first)."""
        connection = self.connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        with self.locked(), self.transaction() as connection:
            yield connection

    # -- reads (inside `reading` or `writing`) --------------------------------------------
    @staticmethod
    def snapshot(connection: sqlite3.Connection) -> tuple[str, int]:
        """The current snapshot folder's name ("" if none) and the last change it holds."""
        rows = dict(connection.execute("SELECT key, value FROM meta WHERE key LIKE 'snapshot%'"))
        return rows.get("snapshot", ""), int(rows.get("snapshot_seq", 0))

    @classmethod
    def head(cls, connection: sqlite3.Connection) -> int:
        """The last change written."""
        (last,) = connection.execute("SELECT MAX(seq) FROM changes").fetchone()
        return max(last or 0, cls.snapshot(connection)[1])

    @staticmethod
    def changed_since(connection: sqlite3.Connection, seq: int) -> list[int]:
        rows = connection.execute(
            "SELECT id FROM changes WHERE seq > ? AND id IS NOT NULL GROUP BY id", (seq,)
        )
        return [doc_id for (doc_id,) in rows]

    @staticmethod
    def documents(
        connection: sqlite3.Connection, ids: list[int] | None = None
    ) -> Iterator[tuple[int, np.ndarray, dict[str, Any]]]:
        """(id, vector, stored) of these documents (of all if `ids` is None); ids not
        stored are deleted ones."""
        if ids is None:
            rows: Iterable = connection.execute("SELECT id, vector, body FROM docs ORDER BY id")
        else:
            rows = (
                row
                for start in range(0, len(ids), 500)
                for row in connection.execute(
                    "SELECT id, vector, body FROM docs WHERE id IN "
                    f"({','.join('?' * len(ids[start : start + 500]))})",
                    ids[start : start + 500],
                )
            )
        for doc_id, vector, body in rows:
            yield doc_id, np.frombuffer(vector, np.float32), json.loads(body)

    @staticmethod
    def stored_dimension(connection: sqlite3.Connection) -> int | None:
        row = connection.execute("SELECT length(vector) FROM docs LIMIT 1").fetchone()
        return None if row is None else row[0] // 4

    # -- writes (inside `writing`) --------------------------------------------------------
    @staticmethod
    def put(connection: sqlite3.Connection, rows: list[tuple[int, np.ndarray, str]]) -> None:
        connection.executemany(
            "INSERT OR REPLACE INTO docs (id, vector, body) VALUES (?, ?, ?)",
            [(doc_id, np.asarray(v, np.float32).tobytes(), body) for doc_id, v, body in rows],
        )
        connection.executemany("INSERT INTO changes (id) VALUES (?)", [(r[0],) for r in rows])

    @staticmethod
    def remove(connection: sqlite3.Connection, ids: list[int]) -> None:
        connection.executemany("DELETE FROM docs WHERE id = ?", [(i,) for i in ids])
        connection.executemany("INSERT INTO changes (id) VALUES (?)", [(i,) for i in ids])

    @staticmethod
    def clear(connection: sqlite3.Connection) -> int:
        """Remove every document; return the change number of the clearing."""
        connection.execute("DELETE FROM docs")
        return connection.execute("INSERT INTO changes (id) VALUES (NULL)").lastrowid

    @staticmethod
    def mark(connection: sqlite3.Connection) -> int:
        """A change that changes nothing: the number a new snapshot is taken at."""
        return connection.execute("INSERT INTO changes (id) VALUES (NULL)").lastrowid

    @staticmethod
    def set_snapshot(connection: sqlite3.Connection, name: str, seq: int) -> None:
        """Make `name` current; the changes it holds are no longer needed by anyone (a
        reader on an older snapshot loads this one)."""
        connection.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [("snapshot", name), ("snapshot_seq", str(seq))],
        )
        connection.execute("DELETE FROM changes WHERE seq <= ?", (seq,))
