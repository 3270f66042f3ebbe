"""The staff walkthrough of issue 2, as one story through HTTP."""

from __future__ import annotations

import re

from persistence.tables import AuditEvent
from testkit.operations import (
    ADD_PUNCHOUT_CUSTOMER,
    ASSIGN_ROLE,
    COMPANY_DETAILS,
    COMPANY_SEARCH,
    CUSTOMER_DETAILS,
    LOGIN,
    ROLE_SEARCH,
    VIEWER,
)
from tests.conftest import PASSWORD, Api, World


async def test_staff_member_creates_a_punchout_customer(api: Api, world: World) -> None:
    # 1. Sign in.
    body = await api(LOGIN, {"email": "Administrator@Supplier.example", "password": PASSWORD})
    assert body["data"]["login"]["errors"] == []
    token = body["data"]["login"]["token"]
    viewer = (await api(VIEWER, token=token))["data"]["viewer"]
    assert viewer == {
        "email": "administrator@supplier.example",
        "isAdministrator": True,
        "isSuperuser": False,
        "roles": [],
    }

    # 2. Type part of the name: the company appears as they type.
    for typed in ("a", "ac", "acm", "acm sup", "ACME supp"):
        found = (await api(COMPANY_SEARCH, {"search": typed}, token))["data"]["companies"]
        assert [e["node"]["name"] for e in found["edges"]] == ["ACME Supplies Ltd"], typed
    company_id = found["edges"][0]["node"]["id"]

    # 3. Open the parent company: no customers yet.
    company = (await api(COMPANY_DETAILS, {"id": company_id}, token))["data"]["company"]
    assert company["code"] == "ACME" and company["customers"]["edges"] == []

    # 4. Add the punchout customer.
    added = await api(
        ADD_PUNCHOUT_CUSTOMER,
        {"companyId": company_id, "username": "  punchout-114729@yourdomain.com "},
        token,
    )
    payload = added["data"]["addPunchoutCustomer"]
    assert payload["errors"] == []
    customer = payload["customer"]
    assert customer["username"] == "punchout-114729@yourdomain.com"
    assert customer["isPunchout"] is True
    assert customer["company"]["id"] == company_id
    listed = (await api(COMPANY_DETAILS, {"id": company_id}, token))["data"]["company"]
    assert [e["node"]["id"] for e in listed["customers"]["edges"]] == [customer["id"]]

    # 5. Type a role, pick it, assign it.
    roles = (await api(ROLE_SEARCH, {"search": "compa"}, token))["data"]["roles"]
    assert roles[0]["name"] == "companyAdmin" and roles[0]["description"]
    assigned = await api(ASSIGN_ROLE, {"customerId": customer["id"], "role": "companyAdmin"}, token)
    assert assigned["data"]["assignRole"] == {
        "customer": {"id": customer["id"], "roles": [{"name": "companyAdmin"}]},
        "errors": [],
    }

    # 6. Developer Fields and the identities to hand to the buyer.
    details = await api(CUSTOMER_DETAILS, {"id": customer["id"]}, token)
    assert "errors" not in details
    shown = details["data"]["customer"]
    assert shown["company"] == {"id": company_id, "name": "ACME Supplies Ltd"}
    assert shown["roles"] == [{"name": "companyAdmin"}]
    field, identity, encoding = shown["developerFields"]
    assert (field["key"], field["label"]) == ("PUNCHOUT_API_KEY", "PUNCHOUT API Key")
    assert (identity["key"], identity["value"]) == ("PUNCHOUT_IDENTITY_CREDENTIAL", "Sender")
    assert (encoding["key"], encoding["value"]) == ("PUNCHOUT_CART_ENCODING", "cxml-urlencoded")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", field["value"])  # >= 32 random bytes
    assert shown["punchoutCredentials"] == {
        "fromDomain": "NetworkID",
        "fromIdentity": "punchout-114729@yourdomain.com",
        "toDomain": "NetworkID",
        "toIdentity": "opsportal-supplier",
        "senderDomain": "NetworkID",
        "senderIdentity": "punchout-114729@yourdomain.com",
        "sharedSecret": field["value"],
        "setupUrl": "https://punchout.example.com/cxml",
    }

    # Who did it is on record, without the secret.
    events = (
        await AuditEvent.filter(target_type="customer").order_by("id").prefetch_related("actor")
    )
    assert [e.action for e in events] == [
        "customer.add_punchout",
        "customer.assign_role",
        "customer.read_api_key",
    ]
    assert {e.actor.email for e in events} == {"administrator@supplier.example"}
    for event in await AuditEvent.all():
        assert field["value"] not in repr((event.before, event.after))
