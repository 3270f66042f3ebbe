"""While the server runs, SQLite's log is checkpointed by a thread, not by the commit that
happens to take it past 1,000 pages on the event loop (persistence/sqlite_checkpoints.py)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from contextlib import closing

from tortoise.connection import get_connection

from persistence.sqlite_checkpoints import BACKSTOP, checkpoints_apart

PAGES = 2_000  # past SQLite's default threshold (1,000), well short of BACKSTOP


def _rows_in_the_file(path: str) -> int | None:
    """The scratch rows the database file itself holds (the log not read: immutable)."""
    try:
        with closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as file:
            return int(file.execute("SELECT count(*) FROM scratch").fetchone()[0])
    except sqlite3.DatabaseError:  # caught while the thread copies pages in
        return None


async def _threshold() -> int:
    rows = await get_connection("default").execute_query_dict("PRAGMA wal_autocheckpoint")
    return int(rows[0]["wal_autocheckpoint"])


async def test_the_log_is_copied_back_by_the_thread(db: str) -> None:
    if db == "postgres":  # nothing to checkpoint: the block runs, without a thread
        async with checkpoints_apart() as checkpointer:
            assert checkpointer is None
        return
    conn = get_connection("default")
    path = conn.filename  # type: ignore[attr-defined]
    await conn.execute_script("DROP TABLE IF EXISTS scratch; CREATE TABLE scratch (b BLOB)")
    await conn.execute_script("PRAGMA wal_checkpoint(TRUNCATE)")  # start from an empty log
    assert await _threshold() == 1_000
    async with checkpoints_apart(every=0.02) as checkpointer:
        assert checkpointer is not None
        assert await _threshold() == BACKSTOP  # the serving connection leaves it to the thread
        assert any(t.name == "sqlite-checkpoints" for t in threading.enumerate())
        for _ in range(PAGES // 100):
            await conn.execute_query(
                "INSERT INTO scratch (b) SELECT randomblob(4000) FROM "
                "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
                "SELECT i FROM n)"
            )
        # No commit took the log past BACKSTOP: only the thread copies the rows into the file.
        for _ in range(250):
            if _rows_in_the_file(path) == PAGES:
                break
            await asyncio.sleep(0.02)
        assert _rows_in_the_file(path) == PAGES
        assert checkpointer.checkpoints >= 1
    assert await _threshold() == 1_000  # the connection as it was found
    assert not any(t.name == "sqlite-checkpoints" for t in threading.enumerate())
    await conn.execute_script("DROP TABLE scratch")
