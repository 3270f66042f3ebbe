"""Several workers (or machines) against one PostgreSQL: nothing lives in one process's memory."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx

from domain.key_vault import new_kek
from testkit.command import clean_environment, opsportal
from testkit.operations import LOGIN
from testkit.postgres import create_database
from testkit.servers import start_server
from tests.conftest import PASSWORD


def test_sqlite_means_one_worker(tmp_path: Path) -> None:
    done = opsportal(tmp_path, "serve", "--workers", "2")
    assert done.returncode == 2
    assert "SQLite means one worker" in done.stderr


async def test_concurrent_starts_migrate_once(postgres_url: str) -> None:
    url = await create_database(postgres_url, "opsportal_migrate_race")
    script = (
        "import asyncio, sys; from persistence.database import migrate_database; "
        "asyncio.run(migrate_database(sys.argv[1]))"
    )
    starts = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            script,
            url,
            cwd=Path(__file__).resolve().parents[1],
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    results = [await p.communicate() for p in starts]
    assert [p.returncode for p in starts] == [0, 0, 0], [r[1][-800:] for r in results]


async def test_two_workers_share_sign_ins_and_sessions(postgres_url: str, tmp_path: Path) -> None:
    url = await create_database(postgres_url, "opsportal_workers")
    env = {"DATABASE_URL": url, "OPSPORTAL_KEY_ENCRYPTION_KEY": new_kek()}
    setup = opsportal(
        tmp_path,
        "staff",
        "add",
        "admin@supplier.example",
        "--password",
        PASSWORD,
        "--administrator",
        env=env,
    )
    assert setup.returncode == 0, setup.stderr
    server = start_server(
        url,
        tmp_path,
        env=clean_environment(env),
        workers=2,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_timeout=60,
    )
    base = server.base
    try:
        # Sign in once; every later request may land on either worker, on a new connection.
        login = httpx.post(
            f"{base}/graphql",
            json={
                "query": LOGIN,
                "variables": {"email": "admin@supplier.example", "password": PASSWORD},
            },
        ).json()
        token = login["data"]["login"]["token"]
        for _ in range(20):
            with httpx.Client(base_url=base) as fresh:
                body = fresh.post(
                    "/graphql",
                    json={"query": "{ viewer { email } }"},
                    headers={"Authorization": f"Bearer {token}"},
                ).json()
                assert body == {"data": {"viewer": {"email": "admin@supplier.example"}}}
        # Failed sign-ins count across workers: five wrong passwords, each on a new
        # connection, and the sixth attempt is refused even with the right password.
        for password in ["wrong password"] * 5 + [PASSWORD]:
            with httpx.Client(base_url=base) as fresh:
                answer = fresh.post(
                    "/graphql",
                    json={
                        "query": LOGIN,
                        "variables": {"email": "admin@supplier.example", "password": password},
                    },
                ).json()["data"]["login"]
        assert [e["code"] for e in answer["errors"]] == ["RATE_LIMITED"]
    finally:
        output = server.stop()
    assert output.count("Application startup complete") == 2, output
