"""The fault and load scenarios of testkit/faults/ (bench/faults/ runs them), reduced, on SQLite
and on PostgreSQL.

Each starts real `opsportal serve` processes; together they take some seconds per database.
Select them with `pytest -m faults`, leave them out with `-m "not faults"`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from testkit.faults import concurrent_add, hostile_cxml, log_flood, sigkill, sigterm
from testkit.faults.common import Report
from testkit.postgres import fresh_database

pytestmark = pytest.mark.faults


@pytest.fixture(params=["sqlite", "postgres"])
def server_database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """An empty database for the servers a test starts: a SQLite file, or a new database on
    the session's PostgreSQL server."""
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path}/faults.sqlite3"
    else:
        server = request.getfixturevalue("postgres_url")
        url = fresh_database(server, f"opsportal_{request.node.originalname}")
    # The scripts keep their servers' logs in temporary folders: pytest's, here (set after
    # the session's PostgreSQL cluster has found its own).
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return url


def passed(report: Report) -> None:
    assert report.problems == [], report.problems


def test_concurrent_adds_of_one_username(server_database: str) -> None:
    passed(concurrent_add.run(server_database, concurrency=50, rounds=1))


def test_sigkill_in_a_loop(server_database: str) -> None:
    passed(sigkill.run(server_database, kills=2, writers=2))


def test_sigterm_drains_in_flight_requests(server_database: str) -> None:
    # Enough sign-ins (argon2, a few threads at a time) to stay in flight on more cores.
    passed(sigterm.run(server_database, logins=6 * (os.cpu_count() or 2), setups=8))


def test_hostile_cxml_among_real_requests(server_database: str) -> None:
    kinds = len(hostile_cxml.hostile_kinds(1024 * 1024))
    passed(hostile_cxml.run(server_database, rounds=1, hostile=kinds, real=kinds))


def test_a_log_flood_grows_the_database_by_a_bounded_amount(server_database: str) -> None:
    # Enough to pass the log's 1 MiB budget: 240 refused requests keep about 1.1 MB of bodies.
    passed(log_flood.run(server_database, requests=240, concurrency=10, comment=20_000))


def test_sigterm_with_two_workers_stops_listening(postgres_url: str, tmp_path: Path) -> None:
    # The supervisor's own copy of the listening socket is closed at once (opsportal/cli.py).
    url = fresh_database(postgres_url, "opsportal_sigterm_workers")
    passed(sigterm.run(url, logins=6 * (os.cpu_count() or 2), setups=8, workers=2))
