"""Punchout customers: adding them, their roles, their Developer Fields and credentials."""

from __future__ import annotations

import asyncio

import pytest

from domain.punchout_keys import current_key
from opsportal.config import Settings
from persistence.tables import AuditEvent, Customer, CustomerRole, PunchoutKey
from testkit.operations import (
    ADD_PUNCHOUT_CUSTOMER,
    ASSIGN_ROLE,
    CUSTOMER_DETAILS,
    REMOVE_ROLE,
    ROLE_SEARCH,
)
from tests.conftest import VAULT, Api, World, add_customer, global_id

SET_BUYER = """
mutation($input: SetBuyerIdentityInput!) {
  setBuyerIdentity(input: $input) {
    customer { punchoutCredentials { fromDomain fromIdentity senderIdentity } }
    errors { field code message }
  }
}"""


async def add(api: Api, world: World, username: str, company_id: str | None = None) -> dict:
    body = await api(
        ADD_PUNCHOUT_CUSTOMER,
        {"companyId": company_id or global_id("Company", world.acme.id), "username": username},
        world.tokens["administrator"],
    )
    return body["data"]["addPunchoutCustomer"]


@pytest.mark.parametrize(
    "username",
    [
        "punchout-114729@yourdomain.com",
        "abc",
        "Buyer_01.test+po",
        "o'brien@buyer.example",
        "x" * 254,
    ],
)
async def test_accepted_usernames(api: Api, world: World, username: str) -> None:
    payload = await add(api, world, f"  {username}\t")
    assert payload["errors"] == []
    assert payload["customer"]["username"] == username


@pytest.mark.parametrize(
    "username",
    [
        "ab",
        "x" * 255,
        "two words",
        "semi;colon",
        "tab\tinside",
        "new\nline",
        "ünïcode",
        "a@@b.example;",
        "   ",
    ],
)
async def test_rejected_usernames_change_nothing(api: Api, world: World, username: str) -> None:
    payload = await add(api, world, username)
    assert payload["customer"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("username", "INVALID")]
    assert await Customer.all().count() == 0
    assert await AuditEvent.filter(target_type="customer").count() == 0


async def test_usernames_are_unique_case_insensitively(api: Api, world: World) -> None:
    assert (await add(api, world, "Punchout-1@Buyer.example"))["errors"] == []
    for again in ("punchout-1@buyer.example", "PUNCHOUT-1@BUYER.EXAMPLE"):
        # Under another company too.
        payload = await add(api, world, again, global_id("Company", world.globex.id))
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("username", "TAKEN")]
    assert await Customer.all().count() == 1
    assert await PunchoutKey.all().count() == 1


async def test_unknown_or_malformed_company_is_not_found(api: Api, world: World) -> None:
    for company_id in (global_id("Company", 424242), global_id("Customer", world.acme.id), "zz"):
        payload = await add(api, world, "orphan", company_id)
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("companyId", "NOT_FOUND")]
    assert await Customer.all().count() == 0


async def test_concurrent_adds_of_one_username_create_one_customer(api: Api, world: World) -> None:
    spellings = ["race@b.example", "RACE@b.example", "Race@B.Example"] * 2
    results = await asyncio.gather(*(add(api, world, name) for name in spellings))
    codes = sorted(e["code"] for r in results for e in r["errors"])
    assert codes == ["TAKEN"] * 5
    assert await Customer.filter(username_key="race@b.example").count() == 1
    assert await PunchoutKey.all().count() == 1
    assert await AuditEvent.filter(action="customer.add_punchout").count() == 1


async def test_each_customer_gets_its_own_strong_key(api: Api, world: World) -> None:
    for i in range(5):
        await add(api, world, f"buyer{i}")
    keys = [await current_key(VAULT, c.id) for c in await Customer.all()]
    assert len(set(keys)) == 5
    assert all(len(k) >= 43 for k in keys)  # 32 bytes, base64url


async def test_role_search_by_prefix(api: Api, world: World) -> None:
    token = world.tokens["companyEdit"]
    everything = (await api(ROLE_SEARCH, {"search": ""}, token))["data"]["roles"]
    names = [r["name"] for r in everything]
    assert {"companyAdmin", "buyer", "approver", "viewer"} <= set(names)
    assert all(r["description"] for r in everything)
    assert [
        r["name"] for r in (await api(ROLE_SEARCH, {"search": "AP"}, token))["data"]["roles"]
    ] == ["approver"]
    assert (await api(ROLE_SEARCH, {"search": "zzz"}, token))["data"]["roles"] == []


async def test_roles_are_stored_once_and_each_change_audited(api: Api, world: World) -> None:
    customer = global_id("Customer", await add_customer(world.acme, "buyer@acme.example"))
    token = world.tokens["companyEdit"]
    for _ in range(2):
        body = await api(ASSIGN_ROLE, {"customerId": customer, "role": "companyAdmin"}, token)
        assert body["data"]["assignRole"]["errors"] == []
    body = await api(ASSIGN_ROLE, {"customerId": customer, "role": "approver"}, token)
    assert body["data"]["assignRole"]["customer"]["roles"] == [
        {"name": "approver"},
        {"name": "companyAdmin"},
    ]
    assert await CustomerRole.all().count() == 2
    for _ in range(2):
        body = await api(REMOVE_ROLE, {"customerId": customer, "role": "approver"}, token)
        assert body["data"]["removeRole"]["customer"]["roles"] == [{"name": "companyAdmin"}]
    events = (
        await AuditEvent.filter(target_type="customer").order_by("id").prefetch_related("actor")
    )
    assert [(e.action, e.actor.email) for e in events] == [
        ("customer.add_punchout", "founder@supplier.example"),
        ("customer.assign_role", "companyedit@supplier.example"),
        ("customer.assign_role", "companyedit@supplier.example"),
        ("customer.remove_role", "companyedit@supplier.example"),
    ]


async def test_unknown_role_changes_nothing(api: Api, world: World) -> None:
    customer = global_id("Customer", await add_customer(world.acme, "buyer@acme.example"))
    for op, field in ((ASSIGN_ROLE, "assignRole"), (REMOVE_ROLE, "removeRole")):
        body = await api(op, {"customerId": customer, "role": "godMode"}, world.tokens["superuser"])
        payload = body["data"][field]
        assert payload["customer"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("role", "UNKNOWN_ROLE")]
    assert await CustomerRole.all().count() == 0


async def test_buyer_identity_replaces_the_from_default(api: Api, world: World) -> None:
    customer = global_id("Customer", await add_customer(world.acme, "buyer@acme.example"))
    token = world.tokens["companyEdit"]
    body = await api(
        SET_BUYER,
        {"input": {"customerId": customer, "domain": "DUNS", "identity": "123456789"}},
        token,
    )
    assert body["data"]["setBuyerIdentity"]["customer"]["punchoutCredentials"] == {
        "fromDomain": "DUNS",
        "fromIdentity": "123456789",
        "senderIdentity": "buyer@acme.example",
    }
    bad = await api(SET_BUYER, {"input": {"customerId": customer, "domain": "DUNS"}}, token)
    assert [e["code"] for e in bad["data"]["setBuyerIdentity"]["errors"]] == ["REQUIRED"]
    bad = await api(
        SET_BUYER,
        {"input": {"customerId": customer, "domain": "has space", "identity": "1"}},
        token,
    )
    assert [e["code"] for e in bad["data"]["setBuyerIdentity"]["errors"]] == ["INVALID"]
    cleared = await api(
        SET_BUYER, {"input": {"customerId": customer, "domain": None, "identity": None}}, token
    )
    assert cleared["data"]["setBuyerIdentity"]["customer"]["punchoutCredentials"][
        "fromIdentity"
    ] == ("buyer@acme.example")
    refused = await api(
        SET_BUYER,
        {"input": {"customerId": customer, "domain": "DUNS", "identity": "1"}},
        world.tokens["none"],
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_to_identity_is_the_duns_number_when_configured(
    api: Api, world: World, settings: Settings
) -> None:
    import httpx

    from opsportal.app import create_app

    customer = global_id("Customer", await add_customer(world.acme, "buyer@acme.example"))
    duns = Settings(
        database_url=settings.database_url,
        public_url="https://shop.example.com/punchout/",
        supplier_duns="123456789",
    )
    transport = httpx.ASGITransport(app=create_app(duns, vault=VAULT))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        body = await Api(http)(CUSTOMER_DETAILS, {"id": customer}, world.tokens["administrator"])
    creds = body["data"]["customer"]["punchoutCredentials"]
    assert (creds["toDomain"], creds["toIdentity"]) == ("DUNS", "123456789")
    assert creds["setupUrl"] == "https://shop.example.com/punchout/cxml"
