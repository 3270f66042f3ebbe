"""A bulk load into the company table, beyond inserting its rows (domain.company_import): the
companies already there, ids taken ahead, the table's secondary indexes and triggers set
aside while the rows pour in and put back after, the word index filled once, in rank order.
Everything here runs inside the load's one transaction, but `tidy`. The same for any table the
typeahead searches (persistence.search_corpus: the product import, domain.product_import),
given as `corpus`; companies by default."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from persistence.search_corpus import COMPANIES, Corpus
from persistence.sql import is_postgres, run

# The columns a load writes: the key first (sql.insert_rows), what the load gives, then the
# company's own values in domain.company_import's order.
COLUMNS = (
    "id",
    "sort_rank",
    "created_at",
    "updated_at",
    "name",
    "code",
    "code_key",
    "name_key",
    "german_name_key",
    "search_text",
)
_EVERY_ID = (0, 2**63 - 1)
LOAD_MAINTENANCE_MEM = "256MB"


@dataclass(frozen=True)
class Present:
    """The companies already there: their code keys, and (name_key, id, sort_rank) of each in
    alphabetical order."""

    code_keys: set[str]
    ranked: list[tuple[str, int, int | None]]


async def present(conn: BaseDBAsyncClient) -> Present:
    _, rows = await conn.execute_query(
        "SELECT code_key, name_key, id, sort_rank FROM company ORDER BY name_key, id"
    )
    return Present(
        {r["code_key"] for r in rows}, [(r["name_key"], r["id"], r["sort_rank"]) for r in rows]
    )


async def make_room(conn: BaseDBAsyncClient) -> None:
    """PostgreSQL: memory for building the indexes set aside, for this transaction (as
    PostgreSQL's own advice on populating a database has it). SQLite's default page cache
    does: a 1 GiB one made no difference to a million-row load."""
    if is_postgres(conn):
        await run(conn, f"SET LOCAL maintenance_work_mem = '{LOAD_MAINTENANCE_MEM}'")


async def pause_search_triggers(conn: BaseDBAsyncClient, paused: bool) -> None:
    """The word index's triggers off (on) for this transaction's own rows. On SQLite this is
    also the load's first write: it takes the database's write lock at once."""
    value = ("TRUE" if paused else "FALSE") if is_postgres(conn) else ("1" if paused else "0")
    await run(conn, f"UPDATE search_index_state SET paused = {value}")


async def next_ids(conn: BaseDBAsyncClient, count: int, table: str = "company") -> Sequence[int]:
    """`count` ids for new companies, ascending, that no other insert takes."""
    if count == 0:
        return []
    if is_postgres(conn):
        # One block of the sequence: no company insert comes between the two statements, as
        # every one takes the rank lock first, which the load holds (domain.company_import).
        _, rows = await conn.execute_query(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS first"
        )
        first = int(rows[0]["first"])
        last = first + count - 1
        await run(conn, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), $1)", [last])
        return range(first, first + count)
    # AUTOINCREMENT: never an id used before, even by a deleted company (the write lock is
    # held, so no other insert comes between).
    _, rows = await conn.execute_query(
        f"SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), "
        f"COALESCE((SELECT max(id) FROM {table}), 0)) AS last"
    )
    first = int(rows[0]["last"]) + 1
    return range(first, first + count)


async def set_aside(conn: BaseDBAsyncClient, corpus: Corpus = COMPANIES) -> list[str]:
    """Set aside, for a load that makes most of the table (or renumbers it), what it would
    otherwise update row by row: the company table's plain indexes and the unique one of
    sort_rank (the load gives distinct ranks itself), the word index's triggers (the load fills
    the word index itself; on SQLite their WHEN alone cost a tenth of the insert), and on
    PostgreSQL the prefix streams' keys (filled by the load, they took four fifths of its
    time). Other unique indexes, constraints and triggers stay and check every row. The
    statements that put everything back exactly as it was, once the load is in."""
    if is_postgres(conn):
        return await _postgres_set_aside(conn, corpus)
    triggers = corpus.sqlite_triggers
    marks = ", ".join("?" for _ in triggers)
    _, rows = await conn.execute_query(
        "SELECT m.type, m.name, m.sql FROM sqlite_master m "
        f"LEFT JOIN pragma_index_list('{corpus.table}') i ON i.name = m.name "
        f"WHERE m.tbl_name = '{corpus.table}' AND m.sql IS NOT NULL AND ("
        f"(m.type = 'trigger' AND m.name IN ({marks})) OR (m.type = 'index' AND "
        '(NOT i."unique" OR (SELECT group_concat(name) FROM pragma_index_info(m.name)) '
        "= 'sort_rank')))",
        list(triggers),
    )
    for row in rows:
        await run(conn, f'DROP {row["type"].upper()} "{row["name"]}"')
    return [str(row["sql"]) for row in rows]


async def _postgres_set_aside(conn: BaseDBAsyncClient, corpus: Corpus) -> list[str]:
    table, prefixes = corpus.table, corpus.prefixes
    _, constraints = await conn.execute_query(
        "SELECT conrelid::regclass::text AS tbl, conname AS name, "
        "pg_get_constraintdef(oid) AS def FROM pg_constraint "
        f"WHERE conrelid = '{prefixes}'::regclass OR (conrelid = '{table}'::regclass "
        "AND contype = 'u' AND conkey = ARRAY[(SELECT attnum FROM pg_attribute "
        f"WHERE attrelid = '{table}'::regclass AND attname = 'sort_rank')]::int2[])"
    )
    _, indexes = await conn.execute_query(
        "SELECT i.indexname AS name, i.indexdef AS sql FROM pg_indexes i "
        "JOIN pg_index x ON x.indexrelid = (quote_ident(i.schemaname) || '.' || "
        "quote_ident(i.indexname))::regclass WHERE i.schemaname = current_schema() "
        f"AND i.tablename IN ('{table}', '{prefixes}') AND NOT x.indisunique"
    )
    back: list[str] = []
    for row in constraints:
        await run(conn, f'ALTER TABLE {row["tbl"]} DROP CONSTRAINT "{row["name"]}"')
        back.append(f'ALTER TABLE {row["tbl"]} ADD CONSTRAINT "{row["name"]}" {row["def"]}')
    for row in indexes:
        await run(conn, f'DROP INDEX "{row["name"]}"')
        back.append(str(row["sql"]))
    for trigger in corpus.postgres_triggers:
        await run(conn, f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        back.append(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    return back


async def put_back(conn: BaseDBAsyncClient, statements: list[str]) -> None:
    for statement in statements:
        await run(conn, statement)


async def move_ranks(
    conn: BaseDBAsyncClient, moves: Sequence[tuple[int, int]], corpus: Corpus = COMPANIES
) -> None:
    """Give present companies new ranks: (id, rank) pairs."""
    if not moves:
        return
    # Negative first, so that no new rank meets an old one under the unique index.
    await run(conn, f"UPDATE {corpus.table} SET sort_rank = -id")
    mark = ("$1", "$2") if is_postgres(conn) else ("?", "?")
    await conn.execute_many(
        f"UPDATE {corpus.table} SET sort_rank = {mark[0]} WHERE id = {mark[1]}",
        [[rank, company_id] for company_id, rank in moves],
    )


async def fill_search_index(
    conn: BaseDBAsyncClient,
    ids: tuple[int, int],
    entries: Iterable[tuple[int, str]] | None,
    *,
    everything: bool,
    corpus: Corpus = COMPANIES,
) -> None:
    """The word index (SQLite's FTS5 table, PostgreSQL's prefix streams) of the new companies:
    those whose ids lie in `ids`, whose (sort_rank, search_text) are `entries` in rank order
    (SQLite's FTS5 table takes them as they are: no sort of the table), or read from the table
    in rank order when `entries` is None (at a million companies, a second less of CPU than
    handing them over from Python: SQLite sorts them faster than Python hands them out of
    their order); or, `everything`, of every company, the old entries removed."""
    if is_postgres(conn):
        if everything:
            await run(conn, f"TRUNCATE {corpus.prefixes}")
            await run(conn, corpus.postgres_prefix_fill())
        else:
            await run(conn, corpus.postgres_prefix_fill_ids(), ids)
        return
    if everything:
        await run(conn, corpus.sqlite_fts_clear())
        await run(conn, corpus.sqlite_fts_fill_ids(), _EVERY_ID)
    elif entries is None:
        await run(conn, corpus.sqlite_fts_fill_ids(), ids)
    else:
        async with conn.acquire_connection() as raw:
            await raw.executemany(corpus.sqlite_fts_add(), entries)


async def tidy(conn: BaseDBAsyncClient, corpus: Corpus = COMPANIES) -> None:
    """After a large load's transaction, outside any: PostgreSQL's statistics (or the planner
    misjudges the streams) and visibility map made fresh, so that the prefix streams are read
    from the index alone (measured in domain.ranks: p99 140 ms without, 16 ms with, at a
    million companies). A small load leaves both to autovacuum."""
    if is_postgres(conn):
        await conn.execute_script(f"VACUUM ANALYZE {corpus.table}")
        await conn.execute_script(f"VACUUM ANALYZE {corpus.prefixes}")
