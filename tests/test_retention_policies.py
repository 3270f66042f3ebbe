"""Retention beyond the unmatched log (issue 15, item 3), on both databases: the whole cXML log
by age and by the size of its bodies (oldest first), sign-in failures past their window,
expired staff tokens, punchout sessions with their carts after they ended; the settings; and a
running server that purges all of them on its own."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from domain import cxml_log, retention, retention_policies
from domain.errors import Failure
from opsportal.config import ConfigError, Settings
from opsportal.startup import retention_policies as server_policies
from persistence.database import dialect
from persistence.punchout_tables import CartLine, CxmlExchange, PunchoutSession
from persistence.tables import LoginAttempts, Staff, StaffToken
from testkit.command import clean_environment
from testkit.documents import order_document
from testkit.servers import start_server
from tests.conftest import Buyer, World

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


async def _exchange(received_at: datetime, size: int = 10, customer_id: int | None = None) -> int:
    entry = cxml_log.Exchange(
        received_at=received_at,
        route="/cxml",
        request_body="x" * size,
        response_body="",
        status_code=200 if customer_id else 406,
        status_text="OK",
        duration_ms=1.0,
        customer_id=customer_id,
        authenticated=customer_id is not None,
        failure=None if customer_id else Failure.MALFORMED_XML,
    )
    return (await cxml_log.record(entry)).id


async def _kept() -> list[int]:
    return list(await CxmlExchange.all().order_by("id").values_list("id", flat=True))


async def test_the_whole_log_keeps_its_age(db: str, buyer: Buyer) -> None:
    ids = []
    for days in (120, 91, 90, 89, 1):
        late = timedelta(minutes=1 if days == 90 else 0)
        ids.append(
            await _exchange(NOW - timedelta(days=days) - late, customer_id=buyer.customer_id)
        )
        ids.append(await _exchange(NOW - timedelta(days=days) - late))  # a stranger's too
    policy = retention_policies.exchanges_by_age(timedelta(days=90), batch=2)
    assert await retention.run_once([policy], NOW) == {"cXML exchanges past their age": 6}
    assert await _kept() == ids[6:]
    assert await retention.run_once([policy], NOW) == {"cXML exchanges past their age": 0}


async def test_past_the_size_budget_the_oldest_go(db: str, buyer: Buyer) -> None:
    sizes = [500, 300, 200, 100, 400, 250]  # oldest first
    ids = [
        await _exchange(NOW - timedelta(minutes=10 - n), size, buyer.customer_id if n % 2 else None)
        for n, size in enumerate(sizes)
    ]
    assert [r.body_bytes for r in await CxmlExchange.all().order_by("id")] == sizes
    # 250 + 400 + 100 + 200 = 950 fit in 1,000; the 300 before them does not.
    assert await retention_policies.purge_exchanges_over(1_000, batch=2) == 2
    assert await _kept() == ids[2:]
    assert await retention_policies.purge_exchanges_over(1_000, batch=2) == 0
    assert await retention_policies.purge_exchanges_over(950) == 0  # exactly full
    assert await retention_policies.purge_exchanges_over(949, batch=3) == 1
    assert await _kept() == ids[3:]
    assert await retention_policies.purge_exchanges_over(10) == 3  # even the newest
    assert await retention_policies.purge_exchanges_over(10) == 0  # an empty log


async def test_the_size_is_summed_on_the_index(db: str) -> None:
    """The budget's sums read (id, body_bytes) entries, never a row with its bodies."""
    statement = "SELECT id, body_bytes FROM cxml_exchange WHERE id < 9 ORDER BY id DESC LIMIT 5"
    if dialect() == "sqlite":
        rows = await connections.get("default").execute_query_dict(
            f"EXPLAIN QUERY PLAN {statement}"
        )
        plan = " ".join(r["detail"] for r in rows)
        assert "COVERING INDEX" in plan and "TEMP B-TREE" not in plan, plan
        return
    async with in_transaction() as conn:
        await conn.execute_script("SET LOCAL enable_seqscan = off")
        rows = await conn.execute_query_dict(f"EXPLAIN {statement}")
    plan = " ".join(r["QUERY PLAN"] for r in rows)
    assert "Index" in plan and "Sort" not in plan, plan


async def test_sign_in_failures_past_their_window_go(db: str) -> None:
    for key, minutes in (("old-1", 40), ("now-1", 5), ("old-2", 16), ("now-2", 14), ("old-3", 15)):
        await LoginAttempts.create(
            key=key, failures=3, window_start=NOW - timedelta(minutes=minutes)
        )
    policy = retention_policies.login_attempts(timedelta(minutes=15), batch=1)
    assert await retention.run_once([policy], NOW) == {"sign-in failures past their window": 3}
    assert sorted(await LoginAttempts.all().values_list("key", flat=True)) == ["now-1", "now-2"]


async def test_expired_staff_tokens_go(db: str) -> None:
    staff = await Staff.create(email="staff@supplier.example", password_hash="-")
    for number, hours in enumerate((-30, -2, -1, 1, -3, 12)):  # one out of order: next time
        await StaffToken.create(
            staff=staff, token_hash=f"{number}" * 64, expires_at=NOW + timedelta(hours=hours)
        )
    live = await StaffToken.filter(expires_at__gt=NOW).count()
    policy = retention_policies.expired_staff_tokens(batch=2)
    assert await retention.run_once([policy], NOW) == {"expired staff tokens": 3}
    assert await retention.run_once([policy], NOW + timedelta(hours=2)) == {
        "expired staff tokens": 2
    }
    assert await StaffToken.filter(expires_at__gt=NOW + timedelta(hours=2)).count() == live - 1


async def _session(buyer: Buyer, number: int, lines: int = 2, **times: datetime | None) -> int:
    session = await PunchoutSession.create(
        customer_id=buyer.customer_id,
        start_token_hash=f"{number:064}",
        start_expires_at=times.pop("start_expires_at", NOW - timedelta(days=30)),
        operation="edit",
        deployment_mode="test",
        payload_id=f"p{number}",
        buyer_cookie="c",
        identities={},
        extrinsics=[],
        contacts=[],
        items=[],
        **times,
    )
    for _ in range(lines):
        await CartLine.create(
            session_id=session.id, supplier_part_id="P", description="d", quantity="1",
            unit_of_measure="EA", unit_price="1", currency="EUR", classifications=[],
            extrinsics=[],
        )  # fmt: skip
    return session.id


async def test_sessions_go_with_their_carts_after_they_ended(db: str, buyer: Buyer) -> None:
    long_ago, lately, later = (NOW - timedelta(days=d) for d in (10, 2, -1))
    started = {"started_at": long_ago, "session_expires_at": later}
    kinds = [
        ("handed back long ago", {**started, "ended_at": long_ago}),
        ("never opened, link long expired", {}),
        ("credential long expired", {"started_at": long_ago, "session_expires_at": long_ago}),
        ("handed back lately", {**started, "ended_at": lately}),
        ("open", started),
        ("link not yet used", {"start_expires_at": later}),
    ]
    ids = [await _session(buyer, n, **times) for n, (_, times) in enumerate(kinds)]
    policy = retention_policies.ended_punchout_sessions(timedelta(days=7), batch=2)
    assert await retention.run_once([policy], NOW) == {"ended punchout sessions": 3}
    assert list(await PunchoutSession.all().order_by("id").values_list("id", flat=True)) == ids[3:]
    assert set(await CartLine.all().values_list("session_id", flat=True)) == set(ids[3:])
    assert await CartLine.all().count() == 6


def test_the_settings_and_their_defaults() -> None:
    defaults = Settings.from_env({})
    assert defaults.cxml_log_max_age == timedelta(days=90)
    assert defaults.cxml_log_max_bytes == 1024**3
    assert defaults.punchout_session_keep == timedelta(days=7)
    assert [p.name for p in server_policies(defaults)] == [
        "unmatched cXML exchanges",
        "cXML exchanges past their age",
        "cXML exchanges over the log's size",
        "sign-in failures past their window",
        "expired staff tokens",
        "ended punchout sessions",
    ]
    given = Settings.from_env(
        {
            "OPSPORTAL_CXML_LOG_DAYS": "30.5",
            "OPSPORTAL_CXML_LOG_MAX_BYTES": "2097152",
            "OPSPORTAL_PUNCHOUT_SESSION_KEEP_DAYS": "0",
        }
    )
    assert given.cxml_log_max_age == timedelta(days=30, hours=12)
    assert given.cxml_log_max_bytes == 2 * 1024 * 1024
    assert given.punchout_session_keep == timedelta(0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OPSPORTAL_CXML_LOG_DAYS", "0"),
        ("OPSPORTAL_CXML_LOG_DAYS", "a while"),
        ("OPSPORTAL_CXML_LOG_MAX_BYTES", "1048575"),
        ("OPSPORTAL_CXML_LOG_MAX_BYTES", "nan"),
        ("OPSPORTAL_PUNCHOUT_SESSION_KEEP_DAYS", "-1"),
    ],
)
def test_bad_settings_stop_with_their_name(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


async def _until(seconds: float, condition: Callable[[], Awaitable[bool]]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition():
            return True
        await asyncio.sleep(0.1)
    return await condition()


async def test_a_running_server_purges_all_of_it(
    db: str, world: World, buyer: Buyer, database_url: str, tmp_path: Path
) -> None:
    from tests.conftest import VAULT_KEK

    now = datetime.now(UTC)
    staff = await Staff.get(email="administrator@supplier.example")
    expired = await StaffToken.create(staff=staff, token_hash="e" * 64, expires_at=now)
    await LoginAttempts.create(key="passed", failures=5, window_start=now - timedelta(hours=1))
    await LoginAttempts.create(key="counting", failures=5, window_start=now)
    ended = await _session(buyer, 1, ended_at=now - timedelta(hours=1))
    opened = await _session(buyer, 2, started_at=now, session_expires_at=now + timedelta(hours=2))
    env = {
        "OPSPORTAL_KEY_ENCRYPTION_KEY": VAULT_KEK,
        "OPSPORTAL_RETENTION_INTERVAL_SECONDS": "0.2",
        "OPSPORTAL_CXML_LOG_MAX_BYTES": str(1024 * 1024),
        "OPSPORTAL_CXML_LOG_DAYS": str(15 / 86400),  # fifteen seconds
        "OPSPORTAL_PUNCHOUT_SESSION_KEEP_DAYS": str(60 / 86400),  # a minute
    }
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = start_server(
            database_url, tmp_path, env=clean_environment(env), stdout=out,
            stderr=subprocess.STDOUT, start_timeout=90,
        )  # fmt: skip
    try:
        words = "Our own words. " * 3400  # 51,000 characters
        async with httpx.AsyncClient(base_url=server.base, timeout=60) as http:
            for number in range(30):  # 30 orders of about 52 KB: 1.5 MB of bodies
                document = order_document(
                    buyer.username, buyer.key, order_id=f"PO-{number}", payload=f"r-{number}@b"
                ).replace("Please deliver before noon.", words)
                answer = await http.post("/cxml", content=document)
                assert b'code="200"' in answer.content, answer.text[:500]

        async def within_budget() -> bool:
            sizes = await CxmlExchange.all().values_list("body_bytes", flat=True)
            return 0 < sum(sizes) <= 1024 * 1024 and len(sizes) < 30

        assert await _until(10, within_budget)
        kept: list[Any] = (
            await CxmlExchange.all().order_by("id").values_list("payload_id", flat=True)
        )
        assert kept == [f"r-{n}@b" for n in range(30 - len(kept), 30)]  # the newest

        async def the_rest_purged() -> bool:
            attempts = await LoginAttempts.all().values_list("key", flat=True)
            sessions = await PunchoutSession.all().values_list("id", flat=True)
            return (
                not await StaffToken.exists(id=expired.id)
                and attempts == ["counting"]
                and list(sessions) == [opened]
                and not await CartLine.exists(session_id=ended)
            )

        assert await _until(10, the_rest_purged)
        assert await StaffToken.exists()  # the live ones stay
        assert await CartLine.filter(session_id=opened).count() == 2

        async def none_left() -> bool:  # then the age limit takes the rest
            return not await CxmlExchange.exists()

        assert await _until(25, none_left)
    finally:
        server.stop()
    said = log.read_text()
    assert "Traceback" not in said, said[-3000:]
