"""A throwaway PostgreSQL server for the test session, when none is given.

OPSPORTAL_TEST_POSTGRES_URL names an existing server to use instead. Without either, the
PostgreSQL half of the suite is skipped with the reason, unless OPSPORTAL_REQUIRE_POSTGRES=1
(as in CI), where a missing server is an error.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = _free_port()

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
