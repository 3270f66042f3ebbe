"""New rows of several tables stored together, atomically, in the fewest round trips.

Where a request writes a few new rows that belong together (a punchout session and the log
entry of the exchange that opened it), each row is built as a table object (so the values are
exactly what tortoise would write: JSON encoded, auto_now_add times set, every column the
table has) and stored here with hand-written INSERTs: on PostgreSQL one statement (each
INSERT a data-modifying WITH, which PostgreSQL runs exactly once and atomically with the
rest), on SQLite one transaction. Through the ORM the same was a transaction of four round
trips on PostgreSQL (BEGIN, two INSERTs, COMMIT) and most of a cXML setup's time.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.models import Model
from tortoise.transactions import in_transaction

from persistence.sql import Sql


def _insert(sql: Sql, row: Model) -> str:
    """INSERT ... RETURNING the primary key of one new table object; its values added to
    `sql`'s parameters."""
    meta = row._meta
    executor = sql.conn.executor_class(model=type(row), db=sql.conn)
    fields: list[str] = executor.regular_columns  # tortoise's own: every column but a generated pk
    columns = ", ".join(f'"{meta.fields_db_projection[f]}"' for f in fields)
    values = ", ".join(sql.p(meta.fields_map[f].to_db_value(getattr(row, f), row)) for f in fields)
    return (
        f'INSERT INTO "{meta.db_table}" ({columns}) VALUES ({values}) '
        f'RETURNING "{meta.db_pk_column}" AS pk'
    )


def _saved(row: Model, pk: Any) -> None:
    row.pk = pk
    row._saved_in_db = True


async def insert_together(*rows: Model, using: BaseDBAsyncClient | None = None) -> None:
    """Store new table objects (none referring to another of them) in one go: all of them or
    none. Each gets its primary key, and counts as saved, as after `save()`."""
    conn = using or get_connection("default")
    sql = Sql(conn)
    if sql.postgres:
        withs = ", ".join(f"r{n} AS ({_insert(sql, row)})" for n, row in enumerate(rows))
        keys = ", ".join(f"(SELECT pk FROM r{n}) AS pk{n}" for n in range(len(rows)))
        found = (await sql.rows(f"WITH {withs} SELECT {keys}"))[0]
        for n, row in enumerate(rows):
            _saved(row, found[f"pk{n}"])
        return
    async with in_transaction(conn.connection_name) as transaction:
        for row in rows:
            one = Sql(transaction)
            _saved(row, (await one.rows(_insert(one, row)))[0]["pk"])
