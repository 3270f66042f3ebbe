"""Alphabetical ranks: each company's place in (name_key, id) order, kept with gaps.

SQLite's full-text index (FTS5) is keyed by the rank, so it hands out matches already in
alphabetical order and a page of typeahead results stops after the first few matches,
however many there are; PostgreSQL's company_prefix carries it too. A new or renamed company
takes a rank between its neighbours (domain.rank_windows): it splits the gap, or, when the gap
is used up, a window of at most a few hundred neighbours around it is respaced in the same
transaction. No request renumbers every company: where even the largest window leaves little
room, the request still succeeds and a background task (domain.rank_spread) spreads the
crowded region out in short batches. Renumbering every company is for bulk loads and the
start-up repair only.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from domain import rank_spread, rank_store
from domain.rank_store import AFTER_EVERY_ID, RANK_LOCK
from domain.rank_windows import GAP, ROOM, WINDOW, Around, respace, split
from persistence.database import dialect
from persistence.search_corpus import COMPANIES, PRODUCTS, Corpus
from persistence.sql import Sql

__all__ = ["GAP", "RANK_LOCK", "place", "rank_new", "renumber", "repair_if_needed"]

# Where WINDOW rows a side leave no room at all (a crowded region the background task has not
# reached yet), a request may respace this many a side: still bounded, still well under 1 s.
LAST_RESORT = 8 * WINDOW
_LAST_RESORT_SIZES = (0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 384, 512, 768, LAST_RESORT)


class RanksExhausted(RuntimeError):
    """No room near a place even after respacing LAST_RESORT rows a side (unreachable while
    the background spreading runs: it restores room long before)."""


async def place(
    name_key: str, company_id: int | None, conn: BaseDBAsyncClient, corpus: Corpus = COMPANIES
) -> int:
    """A free rank between the neighbours of (name_key, company_id), inside the caller's
    transaction `conn`; a new company (no id yet) goes after every company of the same name.
    May respace a window of neighbours (their ranks and index entries change in `conn`).
    Companies' ranks, or another corpus's (products)."""
    await rank_store.lock(conn, corpus)
    me = company_id if company_id is not None else AFTER_EVERY_ID
    near = await rank_store.neighbours(conn, name_key, me, 2, corpus)
    low = near.before[0][1] if near.before else None
    if not near.after:
        return (low or 0) + GAP
    high = near.after[0][1]
    if high - (low or 0) >= 2:
        return split(low or 0, high, _left(near), _right(near))
    around = await rank_store.ranks_around(conn, low, high, me, WINDOW + 1, corpus)
    window = respace(around)
    if window is None:
        around = await rank_store.ranks_around(conn, low, high, me, LAST_RESORT + 1, corpus)
        window = respace(around, sizes=_LAST_RESORT_SIZES)
    if window is None or window.rank is None:
        raise RanksExhausted(f"no room for a rank near {high}")
    if company_id is not None:
        await rank_store.unrank(conn, company_id, corpus)
    await rank_store.move(conn, window.moves, corpus)
    if window.spacing < ROOM:
        rank_spread.spread_later(window.rank, corpus)
    return window.rank


def _left(near: Around) -> int | None:
    """The gap below the lower neighbour (None: there is none, the gap starts at 0)."""
    if not near.before:
        return None
    return near.before[0][1] - (near.before[1][1] if len(near.before) > 1 else 0)


def _right(near: Around) -> int | None:
    """The gap above the upper neighbour (None: it is the last company)."""
    return near.after[1][1] - near.after[0][1] if len(near.after) > 1 else None


async def renumber(conn: BaseDBAsyncClient | None = None, corpus: Corpus = COMPANIES) -> None:
    """Give every company a fresh, evenly spaced rank, and rebuild SQLite's index once: for
    bulk loads and the start-up repair only (seconds at a million companies), never inside a
    request."""
    db = conn or get_connection("default")
    sqlite = dialect() == "sqlite"
    await db.execute_script(f"UPDATE search_index_state SET paused = {'1' if sqlite else 'TRUE'}")
    # Negative first, so that no new rank meets an old one under the unique index.
    table = corpus.table
    await db.execute_script(f"UPDATE {table} SET sort_rank = -id")
    await db.execute_script(
        f"UPDATE {table} SET sort_rank = ranked.n * {GAP} FROM (SELECT id, ROW_NUMBER() "
        f"OVER (ORDER BY name_key, id) AS n FROM {table}) AS ranked WHERE {table}.id = ranked.id"
    )
    if sqlite:
        await db.execute_script(corpus.sqlite_fts_rebuild())
    else:
        await db.execute_script(f"TRUNCATE {corpus.prefixes}")
        await db.execute_script(corpus.postgres_prefix_fill())
        # Fresh statistics (or the planner misjudges the streams) and, outside a transaction, a
        # fresh visibility map, so that the streams are read from the index alone (measured:
        # p99 140 ms before, 16 ms after, at a million companies).
        if conn is None:
            await db.execute_script(f"VACUUM ANALYZE {table}")
            await db.execute_script(f"VACUUM ANALYZE {corpus.prefixes}")
        else:
            await db.execute_script(f"ANALYZE {table}; ANALYZE {corpus.prefixes}")
    await db.execute_script(f"UPDATE search_index_state SET paused = {'0' if sqlite else 'FALSE'}")


async def rank_new(company_ids: list[int], corpus: Corpus = COMPANIES) -> None:
    """Rank companies added without one (a bulk import): one by one when they are few next to
    the rest (each placed as a created company is, in a short transaction of its own), else by
    renumbering everything once."""
    if not company_ids:
        return
    table = corpus.table
    db = get_connection("default")
    total = (await db.execute_query_dict(f"SELECT count(*) AS n FROM {table}"))[0]["n"]
    if len(company_ids) * 20 > total:
        await renumber(corpus=corpus)
        return
    sql = Sql(db)
    rows = await sql.rows(f"SELECT id, name_key FROM {table} WHERE id IN ({sql.ps(company_ids)})")
    for row in rows:
        async with in_transaction() as conn:
            rank = await place(row["name_key"], row["id"], conn, corpus)
            update = Sql(conn)
            await update.run(
                f"UPDATE {table} SET sort_rank = {update.p(rank)} WHERE id = {update.p(row['id'])}"
            )
    await rank_spread.settled()


async def repair_if_needed(corpora: tuple[Corpus, ...] = (COMPANIES, PRODUCTS)) -> None:
    """After a bulk load that did not finish (the process died), rank and index again: the
    companies and the products."""
    db = get_connection("default")
    rows = await db.execute_query_dict("SELECT paused FROM search_index_state")
    broken = bool(rows and rows[0]["paused"])
    for corpus in corpora:
        unranked = await db.execute_query_dict(
            f"SELECT 1 AS x FROM {corpus.table} WHERE sort_rank IS NULL LIMIT 1"
        )
        if broken or unranked:
            await renumber(corpus=corpus)
