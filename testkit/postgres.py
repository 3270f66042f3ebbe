"""A throwaway PostgreSQL cluster, and new databases on a PostgreSQL server.

The suite starts one for its session when OPSPORTAL_TEST_POSTGRES_URL names none (see
tests/conftest.py); the fault scripts start one for `--postgres`.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from testkit.ports import free_port


class PostgresUnavailable(RuntimeError):
    pass


def _bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if not candidates:
        raise PostgresUnavailable(
            f"no {name} on this machine (install PostgreSQL, e.g. apt-get install postgresql, "
            "or set OPSPORTAL_TEST_POSTGRES_URL)"
        )
    return candidates[0]


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a private cluster on a free local port; yields its URL, removes it after."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    # PostgreSQL refuses to run as root; run it as the postgres user the package creates.
    as_user: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            raise PostgresUnavailable("running as root without runuser to drop to 'postgres'")
        as_user = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="opsportal-pg-"))
    data = root / "data"
    if as_user:
        shutil.chown(root, "postgres")
    port = free_port()

    def run(*cmd: str) -> None:
        done = subprocess.run([*as_user, *cmd], capture_output=True, text=True)
        if done.returncode != 0:
            raise PostgresUnavailable(f"{cmd[0]} failed: {done.stderr.strip() or done.stdout}")

    try:
        # A linguistic default collation (ICU "en"), as production servers have; plain
        # UTF-8 where ICU is absent.
        base = [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        try:
            run(*base, "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en")
        except PostgresUnavailable:
            shutil.rmtree(data, ignore_errors=True)
            run(*base)
        run(
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-w",
            "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off",
            "start",
        )
        try:
            yield f"postgres://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(pg_ctl, "-D", str(data), "-m", "immediate", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def create_database(server_url: str, name: str) -> str:
    """A new, empty database `name` on the server of `server_url` (dropped first if there);
    its URL."""
    import asyncpg

    conn = await asyncpg.connect(server_url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def fresh_database(server_url: str, name: str) -> str:
    """create_database, outside an event loop."""
    return asyncio.run(create_database(server_url, name))
