"""New rows of several tables stored together, atomically, in the fewest round trips.

Where a request writes a few new rows that belong together (a punchout session and the log
entry of the exchange that opened it), each row is given as plain values by column and stored
here with hand-written INSERTs: on PostgreSQL one statement (each INSERT a data-modifying WITH,
which PostgreSQL runs exactly once and atomically with the rest), on SQLite one transaction.
Through the ORM the same was a transaction of four round trips on PostgreSQL (BEGIN, two
INSERTs, COMMIT) and most of a cXML setup's time; building table objects only to read their
values back cost another tenth of a setup's CPU, so none is built.

The values are what tortoise would write for a table object with the same attributes (a test,
tests/test_plain_inserts.py, compares the stored rows): JSON columns encoded with the
column's own encoder, `auto_now_add` times set to now, and a column left out gets the
database's default, as tortoise's own defaults are (`db_default`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.models import Model
from tortoise.transactions import in_transaction

from persistence.sql import Sql


@dataclass(frozen=True)
class NewRow:
    """One row to store: its table, and its values by column name (a JSON column's as the
    Python value; columns left out get their default)."""

    table: type[Model]
    values: Mapping[str, Any]


@dataclass(frozen=True)
class _Shape:
    """What a table needs of its values before they go to the database."""

    table: str
    pk: str
    json: dict[str, Any]  # column -> the column's encoder
    auto_now_add: tuple[str, ...]


@cache
def _shape(table: type[Model]) -> _Shape:
    meta = table._meta
    json, auto = {}, []
    for name, field in meta.fields_map.items():
        column = meta.fields_db_projection.get(name)
        if isinstance(field, fields.JSONField) and column:
            json[column] = field.encoder
        elif isinstance(field, fields.DatetimeField) and field.auto_now_add and column:
            auto.append(column)
    return _Shape(meta.db_table, meta.db_pk_column, json, tuple(auto))


@cache
def _statement(table: type[Model], columns: tuple[str, ...], postgres: bool, first: int) -> str:
    """INSERT ... RETURNING the primary key, its placeholders numbered from `first` + 1."""
    shape = _shape(table)
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(f"${first + n}" if postgres else "?" for n in range(1, len(columns) + 1))
    return f'INSERT INTO "{shape.table}" ({names}) VALUES ({marks}) RETURNING "{shape.pk}" AS pk'


def _values(row: NewRow, now: datetime) -> dict[str, Any]:
    shape = _shape(row.table)
    values = dict(row.values)
    for column, encode in shape.json.items():
        value = values.get(column)
        if value is not None and not isinstance(value, str):
            values[column] = encode(value)
    for column in shape.auto_now_add:
        if values.get(column) is None:
            values[column] = now
    return values


async def insert_together(*rows: NewRow, using: BaseDBAsyncClient | None = None) -> list[int]:
    """Store new rows (none referring to another of them) in one go: all of them or none.
    Returns their primary keys, in order."""
    conn = using or get_connection("default")
    sql = Sql(conn)
    now = datetime.now(UTC)
    parts: list[tuple[str, int]] = []  # each INSERT, and how many values it takes
    for row in rows:
        values = _values(row, now)
        statement = _statement(row.table, tuple(values), sql.postgres, len(sql.params))
        parts.append((statement, len(values)))
        for value in values.values():
            sql.p(value)
    if sql.postgres:
        withs = ", ".join(f"r{n} AS ({part})" for n, (part, _) in enumerate(parts))
        pks = ", ".join(f"(SELECT pk FROM r{n}) AS pk{n}" for n in range(len(parts)))
        found = (await sql.rows(f"WITH {withs} SELECT {pks}"))[0]
        return [found[f"pk{n}"] for n in range(len(parts))]
    keys: list[int] = []
    at = 0
    async with in_transaction(conn.connection_name) as transaction:
        for part, count in parts:
            params, at = sql.params[at : at + count], at + count
            keys.append((await transaction.execute_query_dict(part, params))[0]["pk"])
    return keys
