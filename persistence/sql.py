"""The one helper for the few statements written by hand (where the ORM's query building
costs more than the query: every staff request, every cXML request, the typeahead).

It numbers placeholders for the database at hand ($1 on PostgreSQL, ? on SQLite), adapts
datetimes as tortoise stores them, and turns rows back into table objects.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.models import Model

M = TypeVar("M", bound=Model)


def is_postgres(conn: BaseDBAsyncClient | None = None) -> bool:
    return (conn or get_connection("default")).capabilities.dialect == "postgres"


def adapt(value: Any, postgres: bool) -> Any:
    """A parameter as the database compares it: SQLite holds times as text, written by
    tortoise as `isoformat(" ")`, so they are compared as that text."""
    if isinstance(value, datetime) and not postgres:
        return value.isoformat(" ")
    return value


class Sql:
    """Builds one statement's parameters: `p(value)` appends one and returns its placeholder."""

    def __init__(self, conn: BaseDBAsyncClient | None = None) -> None:
        self.conn = conn or get_connection("default")
        self.postgres = is_postgres(self.conn)
        self.params: list[Any] = []

    def p(self, value: Any) -> str:
        self.params.append(adapt(value, self.postgres))
        return f"${len(self.params)}" if self.postgres else "?"

    def ps(self, values: Iterable[Any]) -> str:
        """Placeholders for several values, comma-separated (for IN lists)."""
        return ", ".join(self.p(v) for v in values)

    async def rows(self, statement: str) -> list[dict[str, Any]]:
        return await self.conn.execute_query_dict(statement, self.params)

    async def run(self, statement: str) -> None:
        await self.conn.execute_query(statement, self.params)


def row_marks(count: int, postgres: bool) -> str:
    """The placeholders of one row of `count` values, for executemany."""
    return ", ".join(f"${i}" if postgres else "?" for i in range(1, count + 1))


def adapt_rows(rows: Iterable[Sequence[Any]], postgres: bool) -> list[list[Any]]:
    return [[adapt(v, postgres) for v in row] for row in rows]


async def insert_rows(
    conn: BaseDBAsyncClient, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[tuple[Any, BaseException]]:
    """Many rows in one go, as plain tuples through the driver itself (one executemany on
    SQLite, one COPY on PostgreSQL), inside the open transaction. A row the database refuses
    (`refused`) is left out and returned, as its first value with the error; the others go
    in. The rows' first values are a key new to the table, ascending; times adapted."""
    refusals: list[tuple[Any, BaseException]] = []
    if is_postgres(conn):
        await _copy_halving(conn, table, list(columns), rows, refusals)
    else:
        await _executemany_resuming(conn, table, columns, rows, refusals)
    return refusals


async def _executemany_resuming(
    conn: BaseDBAsyncClient,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    refusals: list[tuple[Any, BaseException]],
) -> None:
    # SQLite undoes only the statement that failed, one row: the rows before it stay in, and
    # the insert goes on after it. No savepoint: its journal cost more than the insert itself.
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'INSERT INTO "{table}" ({names}) VALUES ({row_marks(len(columns), False)})'
    count = f'SELECT count(*) FROM "{table}" WHERE "{columns[0]}" BETWEEN ? AND ?'
    async with conn.acquire_connection() as raw:
        rest = rows
        while rest:
            try:
                await raw.executemany(statement, rest)
                return
            except Exception as exc:
                if not refused(exc) or not raw.in_transaction:  # RAISE(ROLLBACK) ended it
                    raise
                cursor = await raw.execute(count, (rest[0][0], rest[-1][0]))
                went_in = int((await cursor.fetchone())[0])
                refusals.append((rest[went_in][0], exc))
                rest = rest[went_in + 1 :]


async def _copy_halving(
    conn: BaseDBAsyncClient,
    table: str,
    columns: list[str],
    rows: Sequence[Sequence[Any]],
    refusals: list[tuple[Any, BaseException]],
) -> None:
    # A refused row fails the whole COPY (and PostgreSQL's transaction, until the savepoint
    # is rolled back to): halve until the refused rows are found.
    try:
        async with savepoint(conn):
            async with conn.acquire_connection() as raw:
                await raw.copy_records_to_table(table, records=rows, columns=columns)
    except Exception as exc:
        if not refused(exc):
            raise
        if len(rows) == 1:
            refusals.append((rows[0][0], exc))
            return
        half = len(rows) // 2
        await _copy_halving(conn, table, columns, rows[:half], refusals)
        await _copy_halving(conn, table, columns, rows[half:], refusals)


def refused(exc: BaseException) -> bool:
    """Whether an error means the database refused the values (a constraint, a trigger's
    refusal, a value it cannot store), not that it failed: the caller may skip those rows."""
    from tortoise.exceptions import IntegrityError

    if isinstance(exc, IntegrityError | sqlite3.IntegrityError | sqlite3.DataError):
        return True
    import asyncpg

    return isinstance(exc, asyncpg.IntegrityConstraintViolationError | asyncpg.DataError)


async def run(conn: BaseDBAsyncClient, statement: str, params: Sequence[Any] = ()) -> None:
    """One statement, inside a transaction as well as outside: tortoise's execute_script goes
    through sqlite3's executescript, which first commits any transaction open on SQLite."""
    await conn.execute_query(statement, list(params))


@asynccontextmanager
async def savepoint(conn: BaseDBAsyncClient, name: str = "bulk") -> AsyncIterator[None]:
    """A savepoint inside the open transaction: what the block did is undone if it raises,
    and the transaction goes on."""
    await run(conn, f"SAVEPOINT {name}")
    try:
        yield
    except Exception:
        await run(conn, f"ROLLBACK TO SAVEPOINT {name}")
        await run(conn, f"RELEASE SAVEPOINT {name}")
        raise
    await run(conn, f"RELEASE SAVEPOINT {name}")


@cache
def _db_fields(model: type[Model]) -> tuple[str, ...]:
    # Asked on first use, not at import: a model knows its foreign-key columns only once
    # tortoise is set up.
    return tuple(model._meta.db_fields)


@cache
def columns(model: type[Model], alias: str) -> str:
    """The model's columns, selected from `alias` as `alias_column` (several tables in one row)."""
    return ", ".join(f'{alias}."{c}" AS {alias}_{c}' for c in _db_fields(model))


def hydrate(model: type[M], row: Mapping[str, Any], prefix: str = "") -> M:
    """A table object from a row selected with `columns(model, prefix)`, as the ORM builds it
    (values converted, known to be saved). Tortoise has no public way to do this from rows it
    did not fetch itself; this is the one place that uses its own builder."""
    values = {c: row[f"{prefix}_{c}" if prefix else c] for c in _db_fields(model)}
    return model._init_from_db(**values)
