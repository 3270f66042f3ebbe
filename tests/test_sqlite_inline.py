"""SQLite statements run on the event loop's own thread (persistence/sqlite_inline.py): no
thread hop per statement, in and out of transactions, with tortoise's pragmas."""

from __future__ import annotations

import threading

import pytest
from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from persistence.tables import Company


# SQLite only (asyncpg has no thread of its own): the suite's SQLite database.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_statements_run_on_the_event_loops_thread(db: str) -> None:
    assert db == "sqlite"
    conn = get_connection("default")
    # SQLite calls this function on whichever thread runs the statement.
    conn._connection._conn.create_function("thread_ident", 0, threading.get_ident)
    here = threading.get_ident()
    assert (await conn.execute_query_dict("SELECT thread_ident() AS t"))[0]["t"] == here
    async with in_transaction() as transaction:
        rows = await transaction.execute_query_dict("SELECT thread_ident() AS t")
        assert rows[0]["t"] == here
    pragmas = {
        name: (await conn.execute_query_dict(f"PRAGMA {name}"))[0][name]
        for name in ("journal_mode", "synchronous", "foreign_keys")
    }
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1}


async def test_a_failed_statement_rolls_its_transaction_back(db: str) -> None:
    await Company.create(name="Acme", code="ACME", name_key="acme", code_key="acme")
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await Company.create(name="Other", code="OTHER", name_key="other", code_key="other")
            await Company.create(name="Acme 2", code="ACME", name_key="acme 2", code_key="acme")
    assert [c.code for c in await Company.all()] == ["ACME"]
