"""Migration 0015 on both databases: rows stored before keep their numbers, a cart line's UNSPSC
code becomes its one classification (escaped as JSON, whatever it holds), the new lists start
empty; afterwards every digit of a new number is kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Runs in its own process: the database is built as the code before 0015 left it, then
# migrated as the server starts, then read and written through the tables.
SCRIPT = r"""
import asyncio, json, sys
from datetime import UTC, datetime
from decimal import Decimal

from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

from opsportal.startup import WITHOUT_KEYS, started
from persistence.database import tortoise_config

url = sys.argv[1]
postgres = url.startswith("postgres")
now = datetime.now(UTC) if postgres else datetime.now(UTC).isoformat(" ")


async def insert(conn, table, **values):
    marks = ", ".join(f"${i}" if postgres else "?" for i in range(1, len(values) + 1))
    await conn.execute_query(
        f"INSERT INTO {table} ({', '.join(values)}) VALUES ({marks})", list(values.values())
    )


async def build():
    with TortoiseContext() as ctx:
        await migrate(config=tortoise_config(url), target="models.0014_transliterated_search_keys")
        conn = connections.get("default")
        await insert(conn, "company", id=1, name="ACME", code="ACME", code_key="acme",
                     name_key="acme", created_at=now, updated_at=now)
        await insert(conn, "customer", id=1, username="buyer", username_key="buyer",
                     is_punchout=True, created_at=now, company_id=1)
        await insert(conn, "punchout_session", id=1, start_token_hash="h" * 64,
                     start_expires_at=now, operation="edit", deployment_mode="test",
                     payload_id="p", buyer_cookie="c", identities="{}", extrinsics="[]",
                     contacts="[]", items="[]", created_at=now, customer_id=1)
        for i, unspsc in enumerate(["44121704", "", 'odd "code"\\'], start=1):
            await insert(conn, "cart_line", id=i, supplier_part_id=f"P{i}",
                         description="d", quantity="2.000", unit_of_measure="EA",
                         unit_price="1.2500", currency="EUR", unspsc=unspsc,
                         created_at=now, session_id=1)
        await insert(conn, "purchase_order", id=1, company_id=1, order_id="PO-1",
                     order_type="new", deployment_mode="test", payload_id="p",
                     total=Decimal("12.3400"), currency="EUR", extrinsics="[]",
                     received_at=now, updated_at=now, customer_id=1)
        await insert(conn, "purchase_order_line", line_number=1,
                     quantity=Decimal("2.000"), supplier_part_id="P1",
                     unit_price=Decimal("1.2500"), classifications="[]", order_id=1)
        await ctx.close_connections()


async def migrated():
    from persistence.punchout_tables import CartLine, Order, OrderLine

    async with started(url, None, WITHOUT_KEYS):
        cart = await CartLine.all().order_by("id")
        old = await OrderLine.get(line_number=1)
        await OrderLine.create(order_id=1, line_number=2, quantity=Decimal("0.0004"),
                               supplier_part_id="P2", unit_price=Decimal("0.00001"),
                               classifications=[], extrinsics=[])
        new = await OrderLine.get(line_number=2)
        await Order.filter(id=1).update(total=Decimal("0.153825"))
        return {
            "classifications": [c.classifications for c in cart],
            "cart_extrinsics": [c.extrinsics for c in cart],
            "cart_numbers": [[str(c.quantity), str(c.unit_price)] for c in cart],
            "old_line": [str(old.quantity), str(old.unit_price), old.extrinsics],
            "new_line": [format(new.quantity, "f"), format(new.unit_price, "f")],
            "total": format((await Order.get(id=1)).total, "f"),
        }


asyncio.run(build())
print(json.dumps(asyncio.run(migrated())))
"""


async def _fresh_postgres(server_url: str, name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(server_url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name}")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
async def test_lines_stored_before_keep_their_numbers_and_classification(
    request: pytest.FixtureRequest, tmp_path: Path, database: str
) -> None:
    if database == "postgres":
        url = await _fresh_postgres(request.getfixturevalue("postgres_url"), "exact0015")
    else:
        url = f"sqlite://{tmp_path}/old.sqlite3"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["classifications"] == [
        [{"domain": "UNSPSC", "value": "44121704"}],
        [],
        [{"domain": "UNSPSC", "value": 'odd "code"\\'}],
    ]
    assert result["cart_extrinsics"] == [[], [], []]
    assert result["cart_numbers"] == [["2.000", "1.2500"]] * 3  # as they were stored
    assert result["old_line"] == ["2.000", "1.2500", []]
    assert result["new_line"] == ["0.0004", "0.00001"]
    assert result["total"] == "0.153825"
