"""Running the real `opsportal` command on a database of its own, SQLite or PostgreSQL, and
looking into that database with plain SQL (the test process's ORM is on another one)."""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.key_vault import new_kek
from testkit.command import clean_environment
from testkit.postgres import create_database as create_postgres_database

_NUMBERS = itertools.count(1)


@dataclass
class Cli:
    folder: Path
    env: dict[str, str]
    database_url: str

    @property
    def dialect(self) -> str:
        return "sqlite" if self.database_url.startswith("sqlite") else "postgres"

    def __call__(self, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "opsportal.cli", *args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    async def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of a statement written with $1, $2... (turned into ? for SQLite)."""
        if self.dialect == "sqlite":
            for number in range(len(params), 0, -1):
                statement = statement.replace(f"${number}", "?")
            path = self.database_url.removeprefix("sqlite://").split("?", 1)[0]
            with sqlite3.connect(path) as conn:
                return conn.execute(statement, params).fetchall()
        import asyncpg

        conn = await asyncpg.connect(self.database_url.replace("postgres://", "postgresql://"))
        try:
            return [tuple(r) for r in await conn.fetch(statement, *params)]
        finally:
            await conn.close()

    async def add_token(self, email: str) -> None:
        """A sign-in token of this staff member, as login stores one."""
        token = hashlib.sha256(os.urandom(16)).hexdigest()
        now = datetime.now(UTC)
        stamps: tuple[Any, Any] = (now, now + timedelta(hours=1))
        if self.dialect == "sqlite":
            stamps = (stamps[0].isoformat(" "), stamps[1].isoformat(" "))
        await self.sql(
            "INSERT INTO staff_token (staff_id, token_hash, created_at, expires_at) "
            "SELECT id, $1, $2, $3 FROM staff WHERE email = $4",
            token,
            *stamps,
            email,
        )

    async def tokens(self, email: str) -> int:
        rows = await self.sql(
            "SELECT count(*) FROM staff_token t JOIN staff s ON s.id = t.staff_id "
            "WHERE s.email = $1",
            email,
        )
        return int(rows[0][0])


@pytest.fixture(name="cli", params=["sqlite", "postgres"])
async def cli_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Cli]:
    """The command, on a new database of each kind."""
    env = clean_environment()
    if request.param == "postgres":
        server = request.getfixturevalue("postgres_url")
        name = f"opsportal_cli_{os.getpid()}_{next(_NUMBERS)}"
        url = await create_postgres_database(server, name)
        env["OPSPORTAL_KEY_ENCRYPTION_KEY"] = new_kek()
    else:
        url = f"sqlite://{tmp_path}/cli.sqlite3"
    env["DATABASE_URL"] = url
    yield Cli(tmp_path, env, url)
    if request.param == "postgres":
        import asyncpg

        conn = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def one_line(text: str) -> str:
    """The text, asserted to be one line without a traceback."""
    assert "Traceback" not in text
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]
