"""The one helper for the few statements written by hand (where the ORM's query building
costs more than the query: every staff request, every cXML request, the typeahead).

It numbers placeholders for the database at hand ($1 on PostgreSQL, ? on SQLite), adapts
datetimes as tortoise stores them, and turns rows back into table objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
