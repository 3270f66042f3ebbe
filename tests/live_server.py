"""A real `opsportal serve` on the suite's database, for tests that must go over real HTTP.

One server process per database (SQLite, then PostgreSQL): it serves the same database the
in-process fixtures fill (`world`, `make_buyer`...), with the suite's KEK, so a test sets up
through the fixtures and asks the server over a socket, as a client would. Its stdout and
stderr go to one log, which a test reads from a mark: what the server logged for its requests.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from testkit.command import clean_environment
from testkit.servers import Server, start_server


@dataclass
class LiveServer:
    server: Server
    log: Path

    @property
    def base(self) -> str:
        return self.server.base

    def mark(self) -> int:
        """Where the log ends now: `logged_since(mark)` is what was logged after it."""
        return self.log.stat().st_size

    def logged_since(self, mark: int) -> str:
        with self.log.open("rb") as log:
            log.seek(mark)
            return log.read().decode("utf-8", "replace")


@pytest.fixture(scope="session")
def live_server(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    from tests.conftest import VAULT_KEK

    folder = tmp_path_factory.mktemp("live-server")
    log = folder / "server.log"
    # Served as a headless shop's server is: its tests add free-form cart lines.
    env = clean_environment(
        {"OPSPORTAL_KEY_ENCRYPTION_KEY": VAULT_KEK, "OPSPORTAL_STOREFRONT_FREE_FORM_LINES": "allow"}
    )
    with log.open("w") as out:
        server = start_server(
            database_url, folder, env=env, stdout=out, stderr=subprocess.STDOUT, start_timeout=90
        )
    try:
        yield LiveServer(server, log)
    finally:
        server.stop()
