"""The README's PostgreSQL steps work as written: the role and the database made with its psql
statements, a backup with its pg_dump command, a restore with its statements and pg_restore
command as the role (not a superuser), and the restored database, with its KEK, serves the
buyer's key again. Names are made unique, so a server of one's own is left as it was."""

from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from domain.key_vault import new_kek
from opsportal.demo import DEMO_PUNCHOUT_CUSTOMER
from testkit.command import clean_environment, opsportal
from testkit.documents import setup_document
from testkit.ports import free_port
from testkit.servers import start_server

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def section(heading: str) -> str:
    return README.split(f"\n{heading}\n", 1)[1].split("\n#", 1)[0]


def shell_lines(text: str) -> list[str]:
    """The commands of the section's ```sh blocks, continuation lines joined."""
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    joined = "\n".join(blocks).replace("\\\n", " ").replace("$(date +%F)", "DATE")
    return [line.strip() for line in joined.splitlines() if line.strip()]


def psql_statements(lines: list[str]) -> list[str]:
    return [shlex.split(line)[-1] for line in lines if line.startswith("sudo -u postgres psql -c")]


def binary(name: str) -> str:
    found = shutil.which(name) or max(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), default="")
    assert found, f"no {name}"
    return found


def rename(statement: str, name: str) -> str:
    """The README's role and database, named `name` instead."""
    return re.sub(r"\bopsportal\b", name, statement)


async def superuser(server: str, statements: list[str]) -> None:
    import asyncpg

    conn = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def test_the_postgresql_steps_back_up_and_restore_with_the_kek(
    postgres_url: str, tmp_path: Path
) -> None:
    name = f"readme_{os.getpid()}"
    server = urlsplit(postgres_url)
    url = f"postgres://{name}:change-me@{server.hostname}:{server.port}/{name}"

    create = psql_statements(shell_lines(section("### On PostgreSQL")))
    assert [s.split()[:2] for s in create] == [["CREATE", "ROLE"], ["CREATE", "DATABASE"]]
    restore_lines = shell_lines(section("### Backing up and restoring"))
    dump = next(shlex.split(line) for line in restore_lines if line.startswith("pg_dump "))
    restore = next(shlex.split(line) for line in restore_lines if line.startswith("pg_restore "))
    recreate = psql_statements(restore_lines)
    assert [s.split()[:2] for s in recreate] == [["DROP", "DATABASE"], ["CREATE", "DATABASE"]]

    await superuser(postgres_url, [rename(s, name) for s in create])
    try:
        env = {"DATABASE_URL": url, "OPSPORTAL_KEY_ENCRYPTION_KEY": new_kek()}
        demo = opsportal(
            tmp_path, "demo", "--companies", "20", "--password", "demo-pass-123", env=env
        )
        assert demo.returncode == 0, demo.stderr
        key = re.search(r"PUNCHOUT API Key: (\S+)", demo.stdout)
        assert key

        backup = tmp_path / "opsportal.dump"
        # The README's commands, with this server's URL and the backup file here.
        assert dump[-1].startswith("postgres://")
        options = [o for o in dump[1:-1] if not o.startswith("--file=")]
        assert len(options) == len(dump) - 3, dump  # one --file= left out
        done = subprocess.run(
            [binary("pg_dump"), *options, f"--file={backup}", url], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr

        await superuser(postgres_url, [rename(s, name) for s in recreate])
        options = [o for o in restore[1:-1] if not o.startswith("--dbname=")]
        assert len(options) == len(restore) - 3, restore  # one --dbname= left out
        done = subprocess.run(
            [binary("pg_restore"), *options, f"--dbname={url}", str(backup)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr

        # Without the backup's KEK, the server refuses to start, naming the KEK it misses.
        refused = opsportal(
            tmp_path,
            "serve",
            "--port",
            str(free_port()),
            env={**env, "OPSPORTAL_KEY_ENCRYPTION_KEY": new_kek()},
        )
        assert refused.returncode == 2 and "is not configured" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1

        served = start_server(url, tmp_path, env=clean_environment(env))
        try:
            document = setup_document(DEMO_PUNCHOUT_CUSTOMER, key.group(1))
            answer = httpx.post(
                f"{served.base}/cxml", content=document, headers={"Content-Type": "text/xml"}
            )
            assert '<Status code="200"' in answer.text
        finally:
            served.stop()
    finally:
        await superuser(
            postgres_url,
            [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'DROP ROLE IF EXISTS "{name}"'],
        )
