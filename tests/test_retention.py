"""Retention: the unmatched requests' log keeps its age and row limits, oldest dropped first,
a batch at a time on an index; and a running server purges on its own."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from domain import cxml_log, retention
from domain.errors import Failure
from domain.key_vault import new_kek
from opsportal.config import ConfigError, Settings
from persistence.database import dialect
from persistence.punchout_tables import CxmlExchange
from testkit.command import clean_environment, opsportal
from testkit.operations import LOGIN
from testkit.postgres import fresh_database
from testkit.servers import start_server
from tests.conftest import PASSWORD, Buyer

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


async def _exchange(received_at: datetime, customer_id: int | None = None) -> int:
    entry = cxml_log.Exchange(
        received_at=received_at,
        route="/cxml",
        request_body="junk",
        response_body="<cXML/>",
        status_code=406,
        status_text="Not Acceptable",
        duration_ms=1.0,
        customer_id=customer_id,
        failure=Failure.MALFORMED_XML,
    )
    return (await cxml_log.record(entry)).id


async def _unmatched_ages() -> list[int]:
    rows = await CxmlExchange.filter(customer_id=None).order_by("id")
    return [(NOW - r.received_at).days for r in rows]


async def test_entries_older_than_the_limit_go(db: str, buyer: Buyer) -> None:
    for days in (45, 31, 30, 29, 1, 0):
        await _exchange(NOW - timedelta(days=days, minutes=1 if days == 30 else 0))
    theirs = await _exchange(NOW - timedelta(days=400), buyer.customer_id)

    policy = retention.unmatched_exchanges(timedelta(days=30), 100_000, batch=2)
    assert await retention.run_once([policy], NOW) == {"unmatched cXML exchanges": 3}
    assert await _unmatched_ages() == [29, 1, 0]
    assert await CxmlExchange.exists(id=theirs)  # a customer's log is not this policy's
    assert await retention.run_once([policy], NOW) == {"unmatched cXML exchanges": 0}


async def test_beyond_the_row_limit_the_oldest_go(db: str, buyer: Buyer) -> None:
    ids = [await _exchange(NOW - timedelta(hours=10 - n)) for n in range(7)]
    theirs = [await _exchange(NOW - timedelta(hours=20), buyer.customer_id) for _ in range(3)]

    dropped = await retention.purge_unmatched_exchanges(NOW - timedelta(days=30), 3, batch=2)
    assert dropped == 4
    kept = await CxmlExchange.filter(customer_id=None).order_by("id").values_list("id", flat=True)
    assert kept == ids[-3:]
    assert await CxmlExchange.filter(id__in=theirs).count() == 3
    assert await retention.purge_unmatched_exchanges(NOW - timedelta(days=30), 3) == 0


async def test_both_limits_at_once_and_nothing_to_do(db: str) -> None:
    assert await retention.purge_unmatched_exchanges(NOW, 1) == 0  # an empty log
    for days in (40, 35, 3, 2, 1):
        await _exchange(NOW - timedelta(days=days))
    assert await retention.purge_unmatched_exchanges(NOW - timedelta(days=30), 2, batch=1) == 3
    assert await _unmatched_ages() == [2, 1]


async def test_a_failing_policy_does_not_stop_the_others(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    await _exchange(NOW - timedelta(days=90))

    async def broken(now: datetime) -> int:
        raise RuntimeError("the table is gone")

    policies = [
        retention.Policy("broken things", broken),
        retention.unmatched_exchanges(timedelta(days=30), 100_000),
    ]
    assert await retention.run_once(policies, NOW) == {"unmatched cXML exchanges": 1}
    assert "dropping old broken things failed" in caplog.text


async def test_the_scheduler_runs_in_the_background_until_stopped(db: str) -> None:
    old = await _exchange(datetime.now(UTC) - timedelta(days=60))
    policy = retention.unmatched_exchanges(timedelta(days=30), 100_000)
    async with retention.scheduled([policy], timedelta(milliseconds=50)):
        for _ in range(200):
            if not await CxmlExchange.exists(id=old):
                break
            await asyncio.sleep(0.02)
        assert not await CxmlExchange.exists(id=old)
        later = await _exchange(datetime.now(UTC) - timedelta(days=60))
        for _ in range(200):
            if not await CxmlExchange.exists(id=later):
                break
            await asyncio.sleep(0.02)
        assert not await CxmlExchange.exists(id=later)  # it runs again, not just once
    after = await _exchange(datetime.now(UTC) - timedelta(days=60))
    await asyncio.sleep(0.2)
    assert await CxmlExchange.exists(id=after)  # stopped with the block


# The statements the purge runs, as the database plans them: on the index, no sort, no scan.
PLANNED = [
    "SELECT id FROM cxml_exchange WHERE customer_id IS NULL ORDER BY id DESC LIMIT 1 OFFSET 5",
    "SELECT id FROM cxml_exchange WHERE customer_id IS NULL AND id <= 9 ORDER BY id LIMIT 5",
    "SELECT id, received_at FROM cxml_exchange WHERE customer_id IS NULL ORDER BY id LIMIT 5",
]


@pytest.mark.parametrize("statement", PLANNED)
async def test_the_purge_reads_the_index(db: str, statement: str) -> None:
    if dialect() == "sqlite":
        rows = await connections.get("default").execute_query_dict(
            f"EXPLAIN QUERY PLAN {statement}"
        )
        plan = " ".join(r["detail"] for r in rows)
        assert "INDEX" in plan and "TEMP B-TREE" not in plan, plan
        return
    async with in_transaction() as conn:
        # An empty table is cheapest to scan; forbid that to see whether the index serves.
        await conn.execute_script("SET LOCAL enable_seqscan = off")
        rows = await conn.execute_query_dict(f"EXPLAIN {statement}")
    plan = " ".join(r["QUERY PLAN"] for r in rows)
    assert "Index" in plan and "Sort" not in plan, plan


@pytest.fixture(params=["sqlite", "postgres"])
def server_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/retention.sqlite3"
    return fresh_database(request.getfixturevalue("postgres_url"), "opsportal_retention")


UNMATCHED = "{ cxmlLog(first: 20) { edges { node { requestBody } } } }"


def test_a_running_server_purges_on_its_own(server_database: str, tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": server_database,
        "OPSPORTAL_KEY_ENCRYPTION_KEY": new_kek(),
        "OPSPORTAL_RETENTION_INTERVAL_SECONDS": "0.2",
        "OPSPORTAL_UNMATCHED_LOG_MAX_ROWS": "3",
        "OPSPORTAL_UNMATCHED_LOG_DAYS": str(8 / 86400),  # eight seconds
    }
    added = opsportal(
        tmp_path, "staff", "add", "admin@supplier.example", "--password", PASSWORD,
        "--administrator", env=env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    server = start_server(
        server_database,
        tmp_path,
        env=clean_environment(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=server.base, timeout=30) as http:
            variables = {"email": "admin@supplier.example", "password": PASSWORD}
            login = http.post("/graphql", json={"query": LOGIN, "variables": variables})
            auth = {"Authorization": f"Bearer {login.json()['data']['login']['token']}"}

            def logged() -> list[str]:
                body = http.post("/graphql", json={"query": UNMATCHED}, headers=auth).json()
                return [e["node"]["requestBody"] for e in body["data"]["cxmlLog"]["edges"]]

            for number in range(8):
                assert http.post("/cxml", content=f"junk {number}").status_code == 200
            # The row limit: the three newest stay (until they are eight seconds old).
            assert _within(6, lambda: logged() == ["junk 7", "junk 6", "junk 5"]), logged()
            # The age limit: then they go too.
            assert _within(20, lambda: logged() == []), logged()
    finally:
        output = server.stop()
    assert "Traceback" not in output, output


def _within(seconds: float, condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_the_settings_and_their_defaults() -> None:
    defaults = Settings.from_env({})
    assert defaults.unmatched_log_max_age == timedelta(days=30)
    assert defaults.unmatched_log_max_rows == 100_000
    assert defaults.retention_interval == timedelta(minutes=5)
    given = Settings.from_env(
        {
            "OPSPORTAL_UNMATCHED_LOG_DAYS": "7.5",
            "OPSPORTAL_UNMATCHED_LOG_MAX_ROWS": "5000",
            "OPSPORTAL_RETENTION_INTERVAL_SECONDS": "60",
        }
    )
    assert given.unmatched_log_max_age == timedelta(days=7, hours=12)
    assert given.unmatched_log_max_rows == 5000
    assert given.retention_interval == timedelta(minutes=1)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OPSPORTAL_UNMATCHED_LOG_DAYS", "0"),
        ("OPSPORTAL_UNMATCHED_LOG_DAYS", "forever"),
        ("OPSPORTAL_UNMATCHED_LOG_MAX_ROWS", "0"),
        ("OPSPORTAL_UNMATCHED_LOG_MAX_ROWS", "-5"),
        ("OPSPORTAL_RETENTION_INTERVAL_SECONDS", "0"),
        ("OPSPORTAL_RETENTION_INTERVAL_SECONDS", "inf"),
    ],
)
def test_bad_settings_stop_with_their_name(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})
