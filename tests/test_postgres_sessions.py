"""PostgreSQL connections go back to the pool without asyncpg's reset query (a round trip
after every statement outside a transaction), which is safe only while no code leaves
session state behind: settings are `SET LOCAL`, advisory locks transaction-scoped, nothing
listens or declares a cursor. The first test holds the pool to that; the second the code."""

from __future__ import annotations

import re
from pathlib import Path

from tortoise.connection import get_connection

from persistence.database import _connection, _keep_session, _search_config, search_connection

ROOT = Path(__file__).resolve().parents[1]
# Statements that would leave state in a pooled session: a plain SET (not SET LOCAL), a
# session-level advisory lock, LISTEN, a cursor (the project writes SQL keywords in capitals).
SESSION_STATE = re.compile(
    r"""(^|["'`;]\s*)SET\s+(?!LOCAL\b)(SESSION\s+)?[a-z_.]+\s*(=|TO\b)"""
    r"|pg_advisory_lock\(|pg_advisory_lock_shared\(|\bLISTEN\s|\bDECLARE\s+\w+\s+.*CURSOR",
)
# The one session lock there is: migrations, on a connection of their own that is closed after.
OWN_CONNECTION = {"persistence/database.py"}


def test_postgres_urls_give_connections_back_without_a_reset_query() -> None:
    pools = [_connection("postgres://user@localhost/db"), _search_config("postgres://u@h/db")]
    assert all(isinstance(p, dict) and p["credentials"]["reset"] is _keep_session for p in pools)
    assert _search_config("sqlite:///tmp/x.sqlite3") is None


async def test_only_the_typeahead_plans_every_statement_afresh(db: str) -> None:
    """The typeahead's statements are planned with their values (how far a word's prefix
    stream reaches depends on the word); the others keep the default, a cached plan."""
    search, default = search_connection(), get_connection("default")
    if db != "postgres":
        assert search is default  # SQLite: the one connection
        return
    assert search is not default
    modes = {
        name: (await conn.execute_query_dict("SHOW plan_cache_mode"))[0]["plan_cache_mode"]
        for name, conn in (("search", search), ("default", default))
    }
    assert modes == {"search": "force_custom_plan", "default": "auto"}


async def test_a_pooled_session_keeps_no_state_between_uses(db: str) -> None:
    conn = get_connection("default")
    if db == "postgres":
        assert conn._pool._reset is _keep_session  # type: ignore[attr-defined]
    # A transaction's SET LOCAL and lock end with it, whichever connection comes next.
    async with conn._in_transaction() as transaction:
        if db == "postgres":
            await transaction.execute_query("SET LOCAL statement_timeout = 1234")
            await transaction.execute_query("SELECT pg_advisory_xact_lock(42)")
    if db == "postgres":
        shown = await conn.execute_query_dict("SHOW statement_timeout")
        assert shown[0]["statement_timeout"] != "1234ms"
        held = await conn.execute_query_dict(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory'"
        )
        assert held[0]["n"] == 0


def test_no_live_code_leaves_session_state_behind() -> None:
    found = []
    for folder in ("domain", "persistence", "graph", "cxml", "opsportal"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in OWN_CONNECTION:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if SESSION_STATE.search(line) and not line.lstrip().startswith("#"):
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "session state in a pooled connection:\n" + "\n".join(found)
