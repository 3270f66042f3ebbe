"""Tortoise's SQLite client, its statements run on the event loop's own thread.

aiosqlite runs each call (a statement, a commit) in a thread of its own and wakes the event
loop with the result: two thread switches a statement. SQLite answers the portal's indexed
statements in microseconds, so the switches were most of the cost: measured on the project's
2-core machine under load, a typeahead spent about 0.7-1.0 ms of CPU on them (2.5
statements) and a cXML setup about 1 ms (6), with waits of several milliseconds each
whenever the machine was busy. `{ __typename }`, which reads nothing, paid none.

Run inline, a statement holds the loop for as long as SQLite takes (no longer than it held
tortoise's connection lock, behind which every other statement waited anyway). Everything
else is tortoise's own: its lock, its transactions, the pragmas, the same sqlite3 calls. The
database URL still says sqlite://; persistence.database picks this client for it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite
from tortoise.backends.sqlite.client import SqliteClient


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's connection with every call made where it is awaited. aiosqlite funnels
    all of them (its cursors' too) through `_execute`, and opens the connection in
    `_connect`; no worker thread is started."""

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._open().__await__()

    async def _open(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def stop(self) -> None:  # nothing to wait for: no thread
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class InlineSqliteClient(SqliteClient):
    async def create_connection(self, with_db: bool) -> None:
        # SqliteClient.create_connection, with the connection above.
        if self._connection:
            return
        filename = self.filename
        self._connection = await InlineConnection(
            lambda: sqlite3.connect(filename, isolation_level=None), 64
        )
        self._connection._conn.row_factory = sqlite3.Row
        for pragma, value in self.pragmas.items():
            cursor = await self._connection.execute(f"PRAGMA {pragma}={value}")
            await cursor.close()
        await self._post_connect()


client_class = InlineSqliteClient  # what tortoise looks for in an engine module
