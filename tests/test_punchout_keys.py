"""The PUNCHOUT API Key's life cycle: sealed at rest, rotated with a grace period, its uses
noted, every read audited."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise import connections

from domain.key_vault import KeyVault, VaultError, new_kek
from persistence.tables import AuditEvent, PunchoutKey
from testkit.command import opsportal
from testkit.documents import setup_document
from testkit.operations import KEYS, ROTATE
from tests.conftest import Api, Buyer, World, error_codes, global_id
from tests.cxml_helpers import post_cxml


async def keys(api: Api, world: World, buyer: Buyer, kind: str = "administrator") -> dict:
    body = await api(KEYS, {"id": global_id("Customer", buyer.customer_id)}, world.tokens[kind])
    return body


async def rotate(api: Api, world: World, buyer: Buyer, kind="administrator", **extra) -> dict:
    given = {"customerId": global_id("Customer", buyer.customer_id), **extra}
    body = await api(ROTATE, {"input": given}, world.tokens[kind])
    return body


async def connects(api: Api, buyer: Buyer, key: str) -> int:
    answer = await post_cxml(api.http, setup_document(buyer.username, key))
    return answer.code


async def test_rotation_keeps_the_old_key_for_the_grace_period(
    api: Api, world: World, buyer: Buyer
) -> None:
    before = datetime.now(UTC)
    assert (await rotate(api, world, buyer))["data"]["rotatePunchoutKey"]["errors"] == []

    customer = (await keys(api, world, buyer))["data"]["customer"]
    new, old = customer["punchoutKeys"]
    assert (new["isCurrent"], new["expiresAt"], old["isCurrent"]) == (True, None, False)
    assert old["value"] == buyer.key and new["value"] != buyer.key
    assert customer["punchoutCredentials"]["sharedSecret"] == new["value"]
    expires = datetime.fromisoformat(old["expiresAt"])
    assert before + timedelta(hours=24) <= expires <= datetime.now(UTC) + timedelta(hours=24)

    # Both connect during the grace period; each use is noted on its key.
    assert await connects(api, buyer, buyer.key) == 200
    assert await connects(api, buyer, new["value"]) == 200
    listed = (await keys(api, world, buyer))["data"]["customer"]["punchoutKeys"]
    assert all(k["lastUsedAt"] for k in listed)

    # When the grace period is over (moved into the past here), the old key stops.
    await PunchoutKey.filter(expires_at__isnull=False).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert await connects(api, buyer, buyer.key) == 401
    assert await connects(api, buyer, new["value"]) == 200
    listed = (await keys(api, world, buyer))["data"]["customer"]["punchoutKeys"]
    assert [k["value"] for k in listed] == [new["value"]]


async def test_a_grace_of_zero_stops_the_old_keys_at_once(
    api: Api, world: World, buyer: Buyer
) -> None:
    await rotate(api, world, buyer, graceHours=48)
    second = (await keys(api, world, buyer))["data"]["customer"]["punchoutKeys"][0]["value"]
    assert (await rotate(api, world, buyer, graceHours=0))["data"]["rotatePunchoutKey"][
        "errors"
    ] == []
    listed = (await keys(api, world, buyer))["data"]["customer"]["punchoutKeys"]
    assert len(listed) == 1 and listed[0]["isCurrent"]
    assert await connects(api, buyer, buyer.key) == 401
    assert await connects(api, buyer, second) == 401
    assert await connects(api, buyer, listed[0]["value"]) == 200


async def test_only_key_readers_rotate_or_see_keys(api: Api, world: World, buyer: Buyer) -> None:
    for kind in ("companyEdit", "crmCompanyEdit", "none"):
        assert error_codes(await rotate(api, world, buyer, kind)) == ["FORBIDDEN"]
        assert "FORBIDDEN" in error_codes(await keys(api, world, buyer, kind))
    assert error_codes(await rotate(api, world, buyer, "superuser")) == []
    assert await PunchoutKey.all().count() == 2
    assert await AuditEvent.filter(action="customer.rotate_api_key").count() == 1


async def test_a_forbidden_key_list_leaves_the_rest_of_the_answer(
    api: Api, world: World, buyer: Buyer
) -> None:
    query = "query($id: ID!) { customer(id: $id) { username punchoutKeys { createdAt } } }"
    body = await api(
        query, {"id": global_id("Customer", buyer.customer_id)}, world.tokens["companyEdit"]
    )
    assert body["data"]["customer"] == {"username": buyer.username, "punchoutKeys": None}
    assert error_codes(body) == ["FORBIDDEN"]


async def test_two_rotations_in_one_request_each_answer_their_own_keys(
    api: Api, world: World, buyer: Buyer
) -> None:
    keys = "customer { punchoutKeys { value isCurrent } }"
    twice = f"""mutation($input: RotatePunchoutKeyInput!) {{
      one: rotatePunchoutKey(input: $input) {{ {keys} }}
      two: rotatePunchoutKey(input: $input) {{ {keys} }}
    }}"""
    given = {"input": {"customerId": global_id("Customer", buyer.customer_id)}}
    body = (await api(twice, given, world.tokens["administrator"]))["data"]
    one, two = (body[n]["customer"]["punchoutKeys"] for n in ("one", "two"))
    assert len(one) == 2 and len(two) == 3
    assert two[0]["value"] not in {k["value"] for k in one}
    assert [k["isCurrent"] for k in two] == [True, False, False]


@pytest.mark.parametrize("grace", [-1, 721, 1e300])
async def test_a_bad_grace_period_changes_nothing(
    api: Api, world: World, buyer: Buyer, grace: float
) -> None:
    payload = (await rotate(api, world, buyer, graceHours=grace))["data"]["rotatePunchoutKey"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("graceHours", "INVALID")]
    assert await PunchoutKey.all().count() == 1
    assert await AuditEvent.filter(action="customer.rotate_api_key").count() == 0
    assert await connects(api, buyer, buyer.key) == 200


async def test_rotation_and_reads_are_on_the_audit_trail(
    api: Api, world: World, buyer: Buyer
) -> None:
    await rotate(api, world, buyer, graceHours=1.5)
    event = await AuditEvent.get(action="customer.rotate_api_key")
    assert event.target_id == buyer.customer_id and event.after["graceHours"] == 1.5
    reads = await AuditEvent.filter(action="customer.read_api_key").count()
    await keys(api, world, buyer)  # two key values and the shared secret: one read
    assert await AuditEvent.filter(action="customer.read_api_key").count() == reads + 1
    assert all(buyer.key not in str(e.after) for e in await AuditEvent.all())


async def test_concurrent_rotations_leave_one_current_key(
    api: Api, world: World, buyer: Buyer
) -> None:
    import asyncio

    answers = await asyncio.gather(*(rotate(api, world, buyer) for _ in range(6)))
    assert all(a["data"]["rotatePunchoutKey"]["errors"] == [] for a in answers)
    assert await PunchoutKey.filter(customer_id=buyer.customer_id, expires_at=None).count() == 1
    assert await PunchoutKey.filter(customer_id=buyer.customer_id).count() == 7


async def _dump(dialect: str) -> str:
    """Everything the database holds, as text, as a dump would."""
    conn = connections.get("default")
    if dialect == "postgres":
        tables = await conn.execute_query_dict(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        rows = []
        for t in tables:
            name = t["tablename"]
            rows += await conn.execute_query_dict(
                f'SELECT row_to_json(t)::text AS r FROM "{name}" t'
            )
        return "\n".join(r["r"] for r in rows)
    path = conn.filename
    await conn.execute_script("PRAGMA wal_checkpoint(FULL)")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as dump:
        text = "\n".join(dump.iterdump())
    raw = b"".join(p.read_bytes() for p in Path(path).parent.glob(Path(path).name + "*"))
    return text + raw.decode("latin-1")


async def test_a_database_dump_reveals_no_key(
    db: str, api: Api, world: World, buyer: Buyer
) -> None:
    assert await connects(api, buyer, buyer.key) == 200  # the cXML log holds it redacted
    await rotate(api, world, buyer)
    new = (await keys(api, world, buyer))["data"]["customer"]["punchoutKeys"][0]["value"]
    dump = await _dump(db)
    assert "punchout-114729@yourdomain.com" in dump  # the dump is a real one
    assert "v1:" in dump  # with the sealed keys
    assert buyer.key not in dump and new not in dump


def test_a_sealed_key_opens_only_with_its_kek_and_for_its_customer() -> None:
    first = new_kek()
    vault = KeyVault.from_text(first)
    sealed = vault.seal("the-key", 7)
    assert vault.open(sealed, 7) == "the-key"
    assert "the-key" not in sealed
    with pytest.raises(VaultError, match="moved from another customer"):
        vault.open(sealed, 8)
    with pytest.raises(VaultError, match="not configured"):
        KeyVault.from_text(new_kek()).open(sealed, 7)
    # A list of KEKs: the first seals, all open.
    newer = new_kek()
    both = KeyVault.from_text(f"{newer},{first}")
    assert both.open(sealed, 7) == "the-key" and not both.is_current(sealed)
    for bad in ("not base64!", "c2hvcnQ="):
        with pytest.raises(VaultError):
            KeyVault.from_text(bad)


def test_the_server_refuses_a_kek_that_does_not_open_its_keys(tmp_path: Path) -> None:
    done = opsportal(tmp_path, "demo", "--companies", "5", "--password", "demo-pass-123")
    assert done.returncode == 0, done.stderr
    kek_file = tmp_path / "opsportal.sqlite3.kek"
    assert kek_file.stat().st_mode & 0o777 == 0o600  # the default KEK: beside, not in, the DB
    key = done.stdout.split("PUNCHOUT API Key: ")[1].split()[0]
    assert key.encode() not in (tmp_path / "opsportal.sqlite3").read_bytes()

    wrong = opsportal(
        tmp_path, "serve", "--port", "9", env={"OPSPORTAL_KEY_ENCRYPTION_KEY": new_kek()}
    )
    assert wrong.returncode == 2
    assert "sealed under key-encryption key" in wrong.stderr and "is not configured" in wrong.stderr


def test_keys_move_to_a_new_kek_and_legacy_keys_get_sealed(tmp_path: Path) -> None:
    assert opsportal(tmp_path, "demo", "--companies", "5").returncode == 0
    old = (tmp_path / "opsportal.sqlite3.kek").read_text().strip()
    new = new_kek()
    moved = opsportal(
        tmp_path, "keys", "reseal", env={"OPSPORTAL_KEY_ENCRYPTION_KEY": f"{new},{old}"}
    )
    assert moved.returncode == 0 and "resealed 1 keys" in moved.stdout, moved.stderr
    demo = opsportal(
        tmp_path, "demo", "--companies", "5", env={"OPSPORTAL_KEY_ENCRYPTION_KEY": new}
    )
    assert demo.returncode == 0, demo.stderr

    # A key stored in the clear by a version before sealing (migration 0011) gets sealed on
    # the next start, and keeps working.
    legacy = "legacy-key-stored-in-the-clear-before-0011"
    with sqlite3.connect(tmp_path / "opsportal.sqlite3") as db:
        (customer,) = db.execute("SELECT customer_id FROM punchout_key").fetchone()
        db.execute("DELETE FROM punchout_key")
        db.execute(
            "INSERT INTO customer_setting (customer_id, key, value) VALUES (?, ?, ?)",
            (customer, "PUNCHOUT_API_KEY", legacy),
        )
    again = opsportal(
        tmp_path, "demo", "--companies", "5", env={"OPSPORTAL_KEY_ENCRYPTION_KEY": new}
    )
    assert again.returncode == 0, again.stderr
    assert f"PUNCHOUT API Key: {legacy}" in again.stdout
    with sqlite3.connect(tmp_path / "opsportal.sqlite3") as db:
        db.execute("PRAGMA wal_checkpoint(FULL)")
        assert db.execute("SELECT count(*) FROM customer_setting").fetchone() == (0,)
    assert legacy.encode() not in (tmp_path / "opsportal.sqlite3").read_bytes()


def test_postgres_needs_a_configured_kek(tmp_path: Path) -> None:
    done = opsportal(tmp_path, "serve", env={"DATABASE_URL": "postgres://u:p@127.0.0.1:1/none"})
    assert done.returncode == 2 and "needs OPSPORTAL_KEY_ENCRYPTION_KEY" in done.stderr


ADD_UNDER = """
import asyncio, sys
from domain.access import Viewer
from domain.customers import add_punchout_customer
from domain.key_vault import KeyVault
from opsportal.startup import started
from persistence.tables import Company, Staff

async def main():
    async with started(sys.argv[1], KeyVault.from_text(sys.argv[2])) as vault:
        admin = Viewer(await Staff.get(email="admin@demo.example"))
        company = await Company.all().order_by("id").first()
        await add_punchout_customer(vault, admin, company.id, "second@buyer.example")

asyncio.run(main())
"""


def test_a_half_finished_kek_change_is_refused_at_start(tmp_path: Path) -> None:
    old, new = new_kek(), new_kek()
    demo = opsportal(
        tmp_path, "demo", "--companies", "3", env={"OPSPORTAL_KEY_ENCRYPTION_KEY": old}
    )
    assert demo.returncode == 0, demo.stderr
    # A server already on NEW,OLD seals the next customer's key under NEW; no reseal follows.
    url = f"sqlite://{tmp_path}/opsportal.sqlite3"
    added = subprocess.run(
        [sys.executable, "-c", ADD_UNDER, url, f"{new},{old}"],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert added.returncode == 0, added.stderr
    # Dropping OLD now would leave the first customer unable to connect: refused at start.
    dropped = opsportal(tmp_path, "serve", "--port", "9", env={"OPSPORTAL_KEY_ENCRYPTION_KEY": new})
    assert dropped.returncode == 2 and "is not configured" in dropped.stderr


async def test_a_customer_whose_keys_all_expired_is_known_but_refused(
    api: Api, world: World, buyer: Buyer
) -> None:
    from persistence.punchout_tables import CxmlExchange

    await PunchoutKey.filter(customer_id=buyer.customer_id).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert await connects(api, buyer, buyer.key) == 401
    logged = await CxmlExchange.filter(customer_id=buyer.customer_id).order_by("-id").first()
    assert logged is not None and logged.failure == "WRONG_SECRET"


def test_after_a_lost_kek_its_keys_can_be_discarded(tmp_path: Path) -> None:
    lost, new = new_kek(), new_kek()
    demo = opsportal(
        tmp_path, "demo", "--companies", "3", env={"OPSPORTAL_KEY_ENCRYPTION_KEY": lost}
    )
    assert demo.returncode == 0, demo.stderr
    refused = opsportal(tmp_path, "serve", "--port", "9", env={"OPSPORTAL_KEY_ENCRYPTION_KEY": new})
    assert refused.returncode == 2

    env = {"OPSPORTAL_KEY_ENCRYPTION_KEY": new}
    discarded = opsportal(tmp_path, "keys", "discard-unopenable", env=env)
    assert discarded.returncode == 0, discarded.stderr
    assert "discarded the keys of 1 customers" in discarded.stdout
    assert "punchout-demo@buyer.example: give it a new key" in discarded.stdout
    with sqlite3.connect(tmp_path / "opsportal.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM punchout_key").fetchone() == (0,)
        actions = [a for (a,) in db.execute("SELECT action FROM audit_event")]
    assert "customer.discard_api_keys" in actions
    # The server starts again with the new KEK (the demo run opens the database as it does).
    assert opsportal(tmp_path, "demo", "--companies", "3", env=env).returncode == 0
