"""SQLite's write-ahead log copied back into the database by a thread of the server's own.

By default, the connection whose commit takes the log past 1,000 pages copies the log into
the database then and there (a checkpoint: both files synced to disk). The server's statements
run on the event loop's thread (persistence.sqlite_inline), so that request, and every request
behind it, waited for the disk: 10-35 ms on the project's machine, most of the company writes'
p99 at a million companies (docs/performance.md). While the server runs, its connection
leaves checkpoints to a thread with a connection of its own, which checkpoints PASSIVE (it
neither waits for nor blocks readers and writers) soon after the log changes; sqlite3 lets go
of the GIL while SQLite works, so the event loop serves on. Should the thread fall behind, the
server's connection still checkpoints past BACKSTOP pages, as before, only later.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise.connection import get_connection

log = logging.getLogger("opsportal.database")

BACKSTOP = 10_000  # pages (40 MiB at 4 KiB): the serving connection checkpoints past these
EVERY = 0.2  # seconds between looks at the log


class Checkpointer:
    """A daemon thread that checkpoints `path`'s log whenever it has changed since the last
    look; `checkpoints` counts those that found pages to copy."""

    def __init__(self, path: str, every: float = EVERY) -> None:
        self.path, self.every = path, every
        self.checkpoints = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
        try:
            seen: tuple[int, int] | None = None
            while not self._stop.wait(self.every):
                try:
                    stat = os.stat(f"{self.path}-wal")
                except FileNotFoundError:
                    continue
                if (stat.st_mtime_ns, stat.st_size) == seen:
                    continue
                seen = (stat.st_mtime_ns, stat.st_size)
                self._checkpoint(connection)
        finally:
            connection.close()

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        try:
            _busy, pages, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:  # e.g. another process checkpointing: the next look tries again
            log.debug("checkpoint of %s skipped", self.path, exc_info=True)
            return
        if copied > 0 or pages > 0:
            self.checkpoints += 1


def _database_file() -> str | None:
    """The open SQLite database's file, or None (PostgreSQL, or SQLite in memory)."""
    filename = getattr(get_connection("default"), "filename", None)
    if not isinstance(filename, str) or filename == ":memory:" or filename.startswith("file:"):
        return None
    return filename


@asynccontextmanager
async def checkpoints_apart(every: float = EVERY) -> AsyncIterator[Checkpointer | None]:
    """For the block (the server's life), the open SQLite database's checkpoints made by a
    thread, the serving connection's own only past BACKSTOP pages; None on PostgreSQL or
    SQLite in memory (nothing to do)."""
    path = _database_file()
    if path is None:
        yield None
        return
    connection = get_connection("default")
    _, rows = await connection.execute_query("PRAGMA wal_autocheckpoint")
    threshold = int(rows[0][0])
    await connection.execute_query(f"PRAGMA wal_autocheckpoint={BACKSTOP}")
    checkpointer = Checkpointer(path, every)
    checkpointer.start()
    try:
        yield checkpointer
    finally:
        checkpointer.stop()
        await connection.execute_query(f"PRAGMA wal_autocheckpoint={threshold}")
