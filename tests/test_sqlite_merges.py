"""SQLite's word indexes merge in the background, not inside the insert that completes a level
(migration 0023, persistence/sqlite_merges.py): the inserts leave their segments, a merge round
finds them and merges them, and the search finds every company afterwards."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.connection import get_connection

from domain.companies import search_keys
from persistence.search_corpus import COMPANIES, PRODUCTS
from persistence.sqlite_merges import merge_round, merge_step, merges_apart
from persistence.tables import Company


# SQLite's word index is FTS5; PostgreSQL's prefix streams are plain B-trees.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_inserts_leave_the_merging_to_the_background(db: str) -> None:
    conn = get_connection("default")
    for index in (COMPANIES.fts, PRODUCTS.fts):
        rows = await conn.execute_query_dict(f"SELECT v FROM {index}_config WHERE k = 'automerge'")
        assert rows == [{"v": 0}], (index, rows)
    await merge_round()  # whatever the suite's earlier tests left
    assert not await merge_step(COMPANIES.fts)
    for batch in range(2):
        for n in range(10):  # each its own transaction: its own segment
            rank = batch * 10 + n + 1
            name = f"Merge Test {rank:02d} Supplies"
            keys = search_keys(name, f"MT{rank}")
            await Company.create(
                name=name,
                code=f"MT{rank}",
                code_key=f"mt{rank}",
                name_key=keys.name_key,
                search_text=keys.search_text,
                sort_rank=rank * 1000,
            )
        # Ten small segments at one level: merging them was left to the background.
        assert await (merge_step(COMPANIES.fts) if batch == 0 else merge_round())
        await merge_round()
        assert not await merge_step(COMPANIES.fts)
    found = await conn.execute_query_dict(
        f"SELECT rowid FROM {COMPANIES.fts} WHERE {COMPANIES.fts} MATCH 'merge* suppl*' "
        "ORDER BY rowid"
    )
    assert [r["rowid"] for r in found] == [n * 1000 for n in range(1, 21)]


async def test_the_server_merges_in_the_background_on_sqlite(db: str) -> None:
    async with merges_apart(every=0.01) as running:
        assert running is (db == "sqlite")
        if not running:  # PostgreSQL: nothing to merge
            return
        for rank in range(1, 11):
            keys = search_keys(f"Background {rank:02d} Ltd", f"BG{rank}")
            await Company.create(
                name=f"Background {rank:02d} Ltd",
                code=f"BG{rank}",
                code_key=f"bg{rank}",
                name_key=keys.name_key,
                search_text=keys.search_text,
                sort_rank=rank * 1000,
            )
        written = changes()
        for _ in range(200):  # the task's merge changes rows of the index
            await asyncio.sleep(0.01)
            if changes() > written:
                break
        assert changes() > written
        await asyncio.sleep(0.1)
        assert not await merge_step(COMPANIES.fts)  # the task had merged them all


def changes() -> int:
    return int(get_connection("default")._connection._conn.total_changes)
