"""PostgreSQL plans the typeahead's word streams from statistics of 1,000 values (migration
0022; why: docs/search.md)."""

from __future__ import annotations

import pytest
from tortoise import connections


# PostgreSQL's planner settings (SQLite's word index is FTS5): the suite's PostgreSQL only.
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_the_prefix_streams_have_statistics_of_a_thousand_values(db: str) -> None:
    assert db == "postgres"
    conn = connections.get("default")
    for table in ("company_prefix", "product_prefix"):
        rows = await conn.execute_query_dict(
            "SELECT a.attstattarget FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            f"WHERE c.relname = '{table}' AND a.attname = 'prefix'"
        )
        assert rows == [{"attstattarget": 1000}], rows
