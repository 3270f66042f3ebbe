"""SQLite's word indexes (FTS5) merged in the background, a few pages at a time.

FTS5 writes each transaction's entries as a small segment and, by default, merges segments
inside the insert that completes a level: at a million companies that insert took 25-40 ms,
about one company write in sixty (the writes' p99). Migration 0023 turns that off; while the
server runs, this task merges instead: every EVERY seconds, while the indexes have segments to
merge, steps of PAGES pages (1.5-5 ms each, on the event loop's thread like every statement:
persistence.sqlite_inline), letting requests in between steps. On the same connection as the
requests, so no second writer ever meets them. Should the task fall behind (or no server run
while writes happen), FTS5 still merges a level of 16 segments itself (`crisismerge`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from tortoise.connection import get_connection

from persistence.search_corpus import COMPANIES, PRODUCTS

log = logging.getLogger("opsportal.database")

EVERY = 0.5  # seconds between rounds
PAGES = 16  # a step's merge work, in pages
STEPS = 8  # steps a round, at most, per index
INDEXES = (COMPANIES.fts, PRODUCTS.fts)


async def merge_step(index: str) -> bool:
    """One step of merging `index`'s segments; whether it found any to merge (FTS5 changes
    at least two rows when it does)."""
    connection = get_connection("default")
    async with connection.acquire_connection() as raw:
        before = _changes()
        await raw.execute(f"INSERT INTO {index}({index}, rank) VALUES('merge', {PAGES})")
        return _changes() - before >= 2


async def merge_round() -> int:
    """Up to STEPS steps an index, while there is work; the steps that found some."""
    worked = 0
    for index in INDEXES:
        for _ in range(STEPS):
            if not await merge_step(index):
                break
            worked += 1
            await asyncio.sleep(0)  # requests go first
    return worked


def _changes() -> int:
    """Rows changed through the server's connection so far (its writes, and the merges')."""
    return int(get_connection("default")._connection._conn.total_changes)


async def _run(every: float) -> None:
    merged_at = -1
    while True:
        await asyncio.sleep(every)
        try:
            if _changes() == merged_at:
                continue  # nothing written since the last round: nothing new to merge
            await merge_round()
            merged_at = _changes()
        except Exception:  # noqa: BLE001 - the next round tries again; FTS5 merges itself
            log.exception("merging the word indexes failed")


@asynccontextmanager
async def merges_apart(every: float = EVERY) -> AsyncIterator[bool]:
    """For the block (the server's life), the word indexes merged in the background; False
    (and nothing done) on PostgreSQL, whose prefix streams are plain B-trees."""
    if get_connection("default").capabilities.dialect != "sqlite":
        yield False
        return
    task = asyncio.create_task(_run(every), name="opsportal word index merges")
    try:
        yield True
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
