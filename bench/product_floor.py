"""The catalog import's floor (bench.product_search): the same rows loaded by the driver alone
into a schema equivalent to the product table's (migrations 0019, 0021), as
bench.company_import's floors are for companies.

- SQLite (`sqlite3`, the driver's defaults): a table with the product's columns, its unique
  part ID and rank, the part-key, name (name_key, id) and German-reading indexes, then an FTS5
  table over the folded words with the same prefix indexes (1-6 characters), built once.
- PostgreSQL (`asyncpg`): a COPY into the same kind of table, then a prefix table (as
  `product_prefix`: 1-4 letters of every word) filled by one statement, then its keys.

Either with its indexes made before the rows (the issue's "equivalent schema") or built after
(the stricter floor). The floor folds as little as it can (`lower()`): the import's checks and
folding are part of what it is measured for.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping, Sequence

ROW = tuple[object, ...]
COLUMNS = (
    "supplier_part_id",
    "supplier_part_auxiliary_id",
    "name",
    "description",
    "unit_price",
    "currency",
    "unit_of_measure",
    "classifications",
    "manufacturer_name",
    "manufacturer_part_id",
    "lead_time_days",
    "image_url",
    "active",
    "part_key",
    "name_key",
    "german_name_key",
    "search_text",
    "sort_rank",
    "created_at",
    "updated_at",
)
_TABLE = """CREATE TABLE product (id INTEGER PRIMARY KEY, supplier_part_id VARCHAR(255) NOT NULL,
  supplier_part_auxiliary_id VARCHAR(255), name VARCHAR(255) NOT NULL, description TEXT NOT NULL,
  unit_price {price} NOT NULL, currency VARCHAR(3) NOT NULL, unit_of_measure VARCHAR(3) NOT NULL,
  classifications {json} NOT NULL, manufacturer_name VARCHAR(255),
  manufacturer_part_id VARCHAR(255), lead_time_days INT, image_url TEXT,
  active BOOL NOT NULL, part_key VARCHAR(255) {c} NOT NULL, name_key VARCHAR(255) {c} NOT NULL,
  german_name_key VARCHAR(255) {c}, search_text TEXT NOT NULL, sort_rank BIGINT,
  created_at {stamp} NOT NULL, updated_at {stamp} NOT NULL)"""
_INDEXES = (
    "CREATE UNIQUE INDEX product_part ON product (supplier_part_id)",
    "CREATE UNIQUE INDEX product_rank ON product (sort_rank)",
    "CREATE INDEX product_part_key ON product (part_key)",
    "CREATE INDEX product_name_key ON product (name_key, id)",
    "CREATE INDEX product_german ON product (german_name_key) WHERE german_name_key IS NOT NULL",
)


def floor_rows(rows: Sequence[Mapping[str, str]]) -> list[ROW]:
    """The rows as the table stores them, folded with `lower()` alone."""
    stamp = "2026-01-01T00:00:00+00:00"
    out: list[ROW] = []
    for rank, r in enumerate(rows, start=1):
        name, part = r["name"], r["part_id"]
        key = name.lower()
        classes = json.dumps([{"domain": "UNSPSC", "value": r.get("unspsc") or ""}])
        lead = r.get("lead_time_days")
        out.append(
            (
                part,
                r.get("auxiliary_id") or None,
                name,
                r.get("description") or "",
                r["unit_price"],
                r["currency"],
                r["unit"],
                classes,
                r.get("manufacturer") or None,
                r.get("manufacturer_part_id") or None,
                int(lead) if lead else None,
                r.get("image_url") or None,
                True,
                part.lower(),
                key,
                None,
                f"{key} {part.lower()}",
                rank,
                stamp,
                stamp,
            )
        )
    return out


def sqlite_floor(
    rows: Sequence[Mapping[str, str]], file: str, *, indexes_first: bool
) -> dict[str, float]:
    phases: dict[str, float] = {}
    started = time.perf_counter()
    values = floor_rows(rows)
    phases["rows as tuples"] = time.perf_counter() - started
    db = sqlite3.connect(file, isolation_level=None)
    try:
        started = time.perf_counter()
        db.execute("BEGIN")
        db.execute(_TABLE.format(price="VARCHAR(40)", json="JSON", c="", stamp="TIMESTAMP"))
        for statement in _INDEXES if indexes_first else ():
            db.execute(statement)
        marks = ", ".join("?" for _ in COLUMNS)
        db.executemany(f"INSERT INTO product ({', '.join(COLUMNS)}) VALUES ({marks})", values)
        for statement in () if indexes_first else _INDEXES:
            db.execute(statement)
        db.execute("COMMIT")
        phases["insert and index"] = time.perf_counter() - started
        started = time.perf_counter()
        db.execute("BEGIN")
        db.execute(
            "CREATE VIRTUAL TABLE product_fts USING fts5(search_text, content='product', "
            "content_rowid='sort_rank', prefix='1 2 3 4 5 6', "
            "tokenize='unicode61 remove_diacritics 0')"
        )
        db.execute("INSERT INTO product_fts(product_fts) VALUES ('rebuild')")
        db.execute("COMMIT")
        phases["FTS5 build"] = time.perf_counter() - started
    finally:
        db.close()
    return phases


async def postgres_floor(
    rows: Sequence[Mapping[str, str]], url: str, *, indexes_first: bool
) -> dict[str, float]:
    """The server's work is most of it: asyncpg's COPY, then statements (wall clock)."""
    from datetime import UTC, datetime
    from decimal import Decimal

    import asyncpg

    phases: dict[str, float] = {}
    started = time.perf_counter()
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    values = [(*r[:4], Decimal(str(r[4])), *r[5:18], stamp, stamp) for r in floor_rows(rows)]
    phases["rows as tuples"] = time.perf_counter() - started
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    table = _TABLE.format(price="NUMERIC", json="JSONB", c='COLLATE "C"', stamp="TIMESTAMPTZ")
    table = table.replace("id INTEGER PRIMARY KEY", "id SERIAL PRIMARY KEY")
    try:
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute(table)
            for statement in _INDEXES if indexes_first else ():
                await conn.execute(statement)
            await conn.copy_records_to_table("product", records=values, columns=list(COLUMNS))
            for statement in () if indexes_first else _INDEXES:
                await conn.execute(statement)
        phases["COPY and index"] = time.perf_counter() - started
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute(
                'CREATE TABLE product_prefix (prefix VARCHAR(4) COLLATE "C" NOT NULL, '
                "sort_rank BIGINT NOT NULL)"
            )
            await conn.execute(
                "INSERT INTO product_prefix SELECT p.prefix, c.sort_rank FROM product c "
                "CROSS JOIN LATERAL (SELECT DISTINCT left(w, k) AS prefix "
                "FROM unnest(string_to_array(c.search_text, ' ')) AS w, "
                "generate_series(1, 4) AS k WHERE length(w) >= k) AS p"
            )
            await conn.execute("ALTER TABLE product_prefix ADD PRIMARY KEY (prefix, sort_rank)")
            await conn.execute("CREATE INDEX product_prefix_rank ON product_prefix (sort_rank)")
        phases["prefix table"] = time.perf_counter() - started
    finally:
        await conn.close()
    return phases
