"""Migration 0014 re-folds the names stored under the old folding (accents stripped only), on
both databases: a few moved names are placed one by one, many make it renumber everything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EUROPEAN = [
    ("LDZ", "Łódź Logistics Sp. z o.o."),
    ("ORS", "Ørsted A/S"),
    ("BRO", "Øresund Bridge"),
    ("LAK", "Łąka Ogrody"),
    ("DE1", "Müller Bau GmbH"),
    ("DE2", "Mueller Trading"),
    ("BAE", "Bäckerei Müller"),
    ("ZRH", "Zürich Versicherungs AG"),
]
TYPED = ["lodz", "logistics", "orsted", "oresund", "laka", "ogrody", "mueller", "muller", "zurich"]

# Runs in its own process: the database is built as the code before 0014 left it (the old
# folding, ranks, the word index kept by its triggers), then migrated and searched.
SCRIPT = r"""
import asyncio, json, re, sys, unicodedata
from datetime import UTC, datetime

from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

from opsportal.startup import WITHOUT_KEYS, started
from persistence.database import tortoise_config

url, companies, typed = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
postgres = url.startswith("postgres")


def old_words(text):
    bare = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()
    return [w[:64] for w in re.findall(r"\w+", bare)]


async def build():
    with TortoiseContext() as ctx:
        before = "models.0013_staff_disabled_and_last_sign_in"
        await migrate(config=tortoise_config(url), target=before)
        conn = connections.get("default")
        marks = ", ".join(f"${i}" if postgres else "?" for i in range(1, 9))
        now = datetime.now(UTC) if postgres else datetime.now(UTC).isoformat(" ")
        rows = sorted(
            (" ".join(old_words(name)), code, name) for code, name in companies
        )
        await conn.execute_many(
            "INSERT INTO company (name, code, code_key, name_key, search_text, sort_rank, "
            f"created_at, updated_at) VALUES ({marks})",
            [
                [name, code, code.lower(), key,
                 " ".join(dict.fromkeys(old_words(name) + old_words(code))),
                 (i + 1) * 1048576, now, now]
                for i, (key, code, name) in enumerate(rows)
            ],
        )
        await ctx.close_connections()


async def migrated():
    # Migrated, and started as the server starts: its first step repairs the ranks.
    async with started(url, None, WITHOUT_KEYS):
        conn = connections.get("default")
        ranks = await conn.execute_query_dict(
            "SELECT sort_rank FROM company ORDER BY name_key, id"
        )
        if not postgres:
            await conn.execute_script(
                "INSERT INTO company_fts(company_fts) VALUES ('integrity-check')"
            )
        return [r["sort_rank"] for r in ranks]


async def found():
    from domain.access import Viewer
    from domain.signin import add_staff
    from domain.search import search

    async with started(url, None, WITHOUT_KEYS):
        staff = await add_staff("x@supplier.example", "a long password", administrator=True)
        viewer = Viewer(staff)
        return {t: [h.name for h, _ in (await search(viewer, t, 50))[0]] for t in typed}


asyncio.run(build())
ranks = asyncio.run(migrated())
print(json.dumps({"ranks": ranks, "found": asyncio.run(found())}))
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
@pytest.mark.parametrize("fillers", [10, 400])  # many moved names, then few
async def test_existing_names_are_refolded(
    request: pytest.FixtureRequest, tmp_path: Path, database: str, fillers: int
) -> None:
    if database == "postgres":
        url = await _fresh_postgres(request.getfixturevalue("postgres_url"), f"refold{fillers}")
    else:
        url = f"sqlite://{tmp_path}/old.sqlite3"
    companies = EUROPEAN + [(f"F{i:03d}", f"Filler {i:03d} Ltd") for i in range(fillers)]
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, url, json.dumps(companies), json.dumps(TYPED)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # Every company ranked again by the start-up's repair, in the new alphabetical order.
    ranks = result["ranks"]
    assert None not in ranks and ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert result["found"] == {
        "lodz": ["Łódź Logistics Sp. z o.o."],
        "logistics": ["Łódź Logistics Sp. z o.o."],
        "orsted": ["Ørsted A/S"],
        "oresund": ["Øresund Bridge"],
        "laka": ["Łąka Ogrody"],
        "ogrody": ["Łąka Ogrody"],
        "mueller": ["Mueller Trading", "Müller Bau GmbH", "Bäckerei Müller"],
        "muller": ["Müller Bau GmbH", "Bäckerei Müller"],
        "zurich": ["Zürich Versicherungs AG"],
    }
