"""The statements on ranks that placing and spreading them share: the placement lock,
neighbours by name, rows by rank, and rewriting a few ranks in a safe order. Companies' by
default; any table persistence.search_corpus describes (products too) when given.

Every read here is one index range per side: a row value such as (name_key, id) < (?, ?) is,
in SQLite, a range on name_key alone, read through every company of that name (thousands for
a name given again and again), so the same name and the names before it are asked apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection

from domain.rank_windows import Around
from persistence.search_corpus import COMPANIES, Corpus
from persistence.sql import Sql, is_postgres

RANK_LOCK = COMPANIES.rank_lock  # the PostgreSQL advisory lock that serialises rank changes
AFTER_EVERY_ID = 2**31 - 1  # a new company (no id yet) goes after every namesake (int4 ids)


def _ranked(corpus: Corpus) -> str:
    return f"SELECT id, sort_rank FROM {corpus.table} WHERE sort_rank IS NOT NULL"


async def lock(conn: BaseDBAsyncClient, corpus: Corpus = COMPANIES) -> None:
    """One rank change at a time, until the transaction ends: two concurrent placements would
    otherwise pick the same free rank. (SQLite runs one transaction at a time anyway.)"""
    if is_postgres(conn):
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [corpus.rank_lock])


def _side(tag: int, condition: str, order: str, limit: int, corpus: Corpus = COMPANIES) -> str:
    return (
        f"SELECT {tag} AS side, id, sort_rank FROM ({_ranked(corpus)} AND {condition} "
        f"ORDER BY {order} LIMIT {int(limit)}) AS s{tag}"
    )


def neighbours_query(
    sql: Sql, name_key: str, me: int, count: int, corpus: Corpus = COMPANIES
) -> str:
    """The statement of `neighbours` (its parameters go to `sql`): four index ranges."""
    p = sql.p
    below = "name_key DESC, id DESC"
    parts = [
        _side(0, f"name_key = {p(name_key)} AND id < {p(me)}", "id DESC", count, corpus),
        _side(0, f"name_key < {p(name_key)} AND id <> {p(me)}", below, count, corpus),
        _side(1, f"name_key = {p(name_key)} AND id > {p(me)}", "id", count, corpus),
        _side(1, f"name_key > {p(name_key)} AND id <> {p(me)}", "name_key, id", count, corpus),
    ]
    return " UNION ALL ".join(parts)


async def neighbours(
    conn: BaseDBAsyncClient, name_key: str, me: int, count: int, corpus: Corpus = COMPANIES
) -> Around:
    """The `count` ranked companies on each side of (name_key, me) in alphabetical order, the
    company `me` itself left out (a renamed company still has its old place), in one
    statement."""
    sql = Sql(conn)
    return _around(await sql.rows(neighbours_query(sql, name_key, me, count, corpus)), count)


async def ranks_around(
    conn: BaseDBAsyncClient,
    low: int | None,
    high: int,
    me: int,
    count: int,
    corpus: Corpus = COMPANIES,
) -> Around:
    """The `count` ranked companies from `low` down and from `high` up (both included), the
    company `me` left out, in one statement of two ranges of the rank index."""
    sql = Sql(conn)
    parts = []  # in the text's order: SQLite's placeholders are numbered by place
    if low is not None:
        below = f"sort_rank <= {sql.p(low)} AND id <> {sql.p(me)}"
        parts.append(_side(0, below, "sort_rank DESC", count, corpus))
    above = f"sort_rank >= {sql.p(high)} AND id <> {sql.p(me)}"
    parts.append(_side(1, above, "sort_rank", count, corpus))
    rows = await sql.rows(" UNION ALL ".join(parts))
    return _around(rows, count)


def _around(rows: Sequence[dict[str, Any]], count: int) -> Around:
    sides: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
    for row in rows:
        sides[int(row["side"])].append((int(row["id"]), int(row["sort_rank"])))
    before = sorted(sides[0], key=lambda r: -r[1])
    after = sorted(sides[1], key=lambda r: r[1])
    # A side with fewer rows than asked for (from either of its ranges) has no more.
    return Around(before[:count], after[:count], len(before) < count, len(after) < count)


async def side_by_rank(
    start: int, *, down: bool, count: int, chunk: int = 2000, corpus: Corpus = COMPANIES
) -> list[tuple[int, int]]:
    """Up to `count` companies' (id, rank) from `start` (included) down or (excluded) up,
    nearest first, read in short statements outside any transaction (requests run between)."""
    found: list[tuple[int, int]] = []
    edge, first = start, True
    while len(found) < count:
        sql = Sql(get_connection("default"))
        if down:
            beyond = f"sort_rank {'<=' if first else '<'} {sql.p(edge)}"
            order = "sort_rank DESC"
        else:
            beyond, order = f"sort_rank > {sql.p(edge)}", "sort_rank"
        size = min(chunk, count - len(found))
        rows = await sql.rows(
            f"SELECT id, sort_rank FROM {corpus.table} WHERE {beyond} ORDER BY {order} LIMIT {size}"
        )
        found += [(int(r["id"]), int(r["sort_rank"])) for r in rows]
        if len(rows) < size:
            break
        edge, first = found[-1][1], False
    return found


async def ranks_between(
    conn: BaseDBAsyncClient, low: int, high: int, limit: int, corpus: Corpus = COMPANIES
) -> dict[int, int]:
    """id -> rank of the companies ranked from `low` to `high` (at most `limit`)."""
    sql = Sql(conn)
    rows = await sql.rows(
        f"{_ranked(corpus)} AND sort_rank >= {sql.p(low)} AND sort_rank <= {sql.p(high)} "
        f"ORDER BY sort_rank LIMIT {int(limit)}"
    )
    return {int(r["id"]): int(r["sort_rank"]) for r in rows}


async def move(
    conn: BaseDBAsyncClient, moves: Sequence[tuple[int, int, int]], corpus: Corpus = COMPANIES
) -> None:
    """Give each (id, old, new) its new rank, one update a row in the order given (a safe
    order: domain.rank_windows.safe_order), as one prepared statement. The triggers of
    migrations 0007 and 0008 move each company's entries in the word index with it."""
    if not moves:
        return
    marks = ("$1", "$2") if is_postgres(conn) else ("?", "?")
    await conn.execute_many(
        f"UPDATE {corpus.table} SET sort_rank = {marks[0]} WHERE id = {marks[1]}",
        [[new, company_id] for company_id, _, new in moves],
    )


async def unrank(conn: BaseDBAsyncClient, company_id: int, corpus: Corpus = COMPANIES) -> None:
    """Take a renamed company out of its old place (and the word index) before a window
    around its new place is respaced: the old rank may lie inside the window."""
    sql = Sql(conn)
    await sql.run(f"UPDATE {corpus.table} SET sort_rank = NULL WHERE id = {sql.p(company_id)}")
