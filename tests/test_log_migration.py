"""Migration 0018 on both databases: exchanges logged before are authenticated where a customer
was matched and the answer was not 401; each gets its bodies' size in UTF-8 bytes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.postgres import fresh_database

ROOT = Path(__file__).resolve().parents[1]

# Runs in its own process: the log is built as the code before 0018 left it, then migrated as
# the server starts, then read through the tables.
SCRIPT = r"""
import asyncio, json, sys
from datetime import UTC, datetime

from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

from opsportal.startup import WITHOUT_KEYS, started
from persistence.database import tortoise_config

url = sys.argv[1]
postgres = url.startswith("postgres")
now = datetime.now(UTC) if postgres else datetime.now(UTC).isoformat(" ")
LOGGED = [  # customer, status, request body
    (1, 200, "<cXML>Müller €</cXML>"),
    (1, 401, "<cXML>wrong secret</cXML>"),
    (1, 403, "<cXML>disabled</cXML>"),
    (1, 400, "<cXML>no BuyerCookie</cXML>"),
    (None, 401, "<cXML>nobody</cXML>"),
    (None, 406, "junk"),
]


async def insert(conn, table, **values):
    marks = ", ".join(f"${i}" if postgres else "?" for i in range(1, len(values) + 1))
    await conn.execute_query(
        f"INSERT INTO {table} ({', '.join(values)}) VALUES ({marks})", list(values.values())
    )


async def build():
    with TortoiseContext() as ctx:
        await migrate(config=tortoise_config(url), target="models.0017_cxml_exchange_identities")
        conn = connections.get("default")
        await insert(conn, "company", id=1, name="ACME", code="ACME", code_key="acme",
                     name_key="acme", created_at=now, updated_at=now)
        await insert(conn, "customer", id=1, username="buyer", username_key="buyer",
                     is_punchout=True, created_at=now, company_id=1)
        for customer, status, body in LOGGED:
            await insert(conn, "cxml_exchange", customer_id=customer, received_at=now,
                         route="/cxml", status_code=status, status_text="x", duration_ms=1.0,
                         request_body=body, response_body="<Status/>")
        await ctx.close_connections()


async def migrated():
    from persistence.punchout_tables import CxmlExchange

    async with started(url, None, WITHOUT_KEYS):
        rows = await CxmlExchange.all().order_by("id")
        return [[r.authenticated, r.body_bytes] for r in rows]


asyncio.run(build())
print(json.dumps(asyncio.run(migrated())))
"""


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_exchanges_logged_before(
    request: pytest.FixtureRequest, tmp_path: Path, database: str
) -> None:
    if database == "postgres":
        url = fresh_database(request.getfixturevalue("postgres_url"), "log0018")
    else:
        url = f"sqlite://{tmp_path}/old.sqlite3"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, url], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    answer = len("<Status/>")
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [
        [True, len("<cXML>Müller €</cXML>".encode()) + answer],  # 2 + 3 bytes for ü and €
        [False, len("<cXML>wrong secret</cXML>") + answer],
        [True, len("<cXML>disabled</cXML>") + answer],
        [True, len("<cXML>no BuyerCookie</cXML>") + answer],
        [False, len("<cXML>nobody</cXML>") + answer],
        [False, len("junk") + answer],
    ]
