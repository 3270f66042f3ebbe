"""Every row of the permission table (issue 2), field by field, through HTTP."""

from __future__ import annotations

import pytest

from persistence.tables import Customer, CustomerRole
from testkit.operations import (
    ADD_PUNCHOUT_CUSTOMER,
    ASSIGN_ROLE,
    COMPANY_DETAILS,
    COMPANY_SEARCH,
    CUSTOMER_DETAILS,
    REMOVE_ROLE,
    VIEWER,
)
from tests.conftest import Api, World, add_customer, error_codes, global_id

ALL_COMPANIES = ["ACME Supplies Ltd", "Globex Corporation"]
ALL = ["administrator", "superuser", "companyEdit"]
ADMINS = ["administrator", "superuser"]
NO_SECRET = ["companyEdit", "crmCompanyEdit"]


def token_for(world: World, kind: str) -> str | None:
    return None if kind == "anonymous" else world.tokens[kind]


@pytest.mark.parametrize(
    ("kind", "seen"),
    [*((k, ALL_COMPANIES) for k in ALL), ("crmCompanyEdit", ["ACME Supplies Ltd"])],
)
async def test_search_sees_the_companies_in_scope(
    api: Api, world: World, kind: str, seen: list[str]
) -> None:
    body = await api(COMPANY_SEARCH, {"search": ""}, world.tokens[kind])
    assert [e["node"]["name"] for e in body["data"]["companies"]["edges"]] == seen
    # Typing the hidden company's own code or name finds nothing either.
    for typed in ("globex", "GLOBEX corp"):
        body = await api(COMPANY_SEARCH, {"search": typed}, world.tokens[kind])
        found = [e["node"]["name"] for e in body["data"]["companies"]["edges"]]
        assert found == (["Globex Corporation"] if "Globex Corporation" in seen else [])


@pytest.mark.parametrize(
    ("kind", "code"), [("none", "FORBIDDEN"), ("anonymous", "UNAUTHENTICATED")]
)
async def test_search_refused(api: Api, world: World, kind: str, code: str) -> None:
    body = await api(COMPANY_SEARCH, {"search": "acme"}, token_for(world, kind))
    assert body["data"] is None
    assert error_codes(body) == [code]


async def test_bad_token_is_unauthenticated(api: Api, world: World) -> None:
    for token in ("not-a-token", world.tokens["administrator"] + "x"):
        body = await api(VIEWER, token=token)
        assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_unassigned_company_is_indistinguishable_from_a_missing_one(
    api: Api, world: World
) -> None:
    crm = world.tokens["crmCompanyEdit"]
    globex_customer = await add_customer(world.globex, "buyer@globex.example")
    missing_company, missing_customer = (
        global_id("Company", 999_999),
        global_id("Customer", 999_999),
    )

    hidden = await api(COMPANY_DETAILS, {"id": global_id("Company", world.globex.id)}, crm)
    missing = await api(COMPANY_DETAILS, {"id": missing_company}, crm)
    assert hidden == missing == {"data": {"company": None}}

    hidden = await api(CUSTOMER_DETAILS, {"id": global_id("Customer", globex_customer)}, crm)
    missing = await api(CUSTOMER_DETAILS, {"id": missing_customer}, crm)
    assert hidden == missing == {"data": {"customer": None}}

    node = "query($id: ID!) { node(id: $id) { id } }"
    for hidden_id in (
        global_id("Company", world.globex.id),
        global_id("Customer", globex_customer),
    ):
        assert await api(node, {"id": hidden_id}, crm) == {"data": {"node": None}}

    for op, missing_id in ((ASSIGN_ROLE, missing_customer), (REMOVE_ROLE, missing_customer)):
        name = op.split("(")[0].split()[-1]
        field = name[0].lower() + name[1:]
        hidden = await api(
            op, {"customerId": global_id("Customer", globex_customer), "role": "buyer"}, crm
        )
        missing = await api(op, {"customerId": missing_id, "role": "buyer"}, crm)
        assert hidden["data"][field]["errors"] == missing["data"][field]["errors"]
        assert [e["code"] for e in hidden["data"][field]["errors"]] == ["NOT_FOUND"]
    assert await CustomerRole.all().count() == 0

    # The assigned company is there, with its customers.
    acme_customer = await add_customer(world.acme, "buyer@acme.example")
    seen = await api(COMPANY_DETAILS, {"id": global_id("Company", world.acme.id)}, crm)
    edges = seen["data"]["company"]["customers"]["edges"]
    assert [e["node"]["id"] for e in edges] == [global_id("Customer", acme_customer)]


@pytest.mark.parametrize("kind", ADMINS)
async def test_admins_add_punchout_customers(api: Api, world: World, kind: str) -> None:
    body = await api(
        ADD_PUNCHOUT_CUSTOMER,
        {"companyId": global_id("Company", world.globex.id), "username": f"{kind}-made"},
        world.tokens[kind],
    )
    assert body["data"]["addPunchoutCustomer"]["errors"] == []
    assert await Customer.filter(username=f"{kind}-made", company_id=world.globex.id).exists()


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("companyEdit", "FORBIDDEN"),
        ("crmCompanyEdit", "FORBIDDEN"),
        ("none", "FORBIDDEN"),
        ("anonymous", "UNAUTHENTICATED"),
    ],
)
async def test_others_may_not_add_punchout_customers(
    api: Api, world: World, kind: str, code: str
) -> None:
    # Even on a company the crmCompanyEdit member is assigned to.
    body = await api(
        ADD_PUNCHOUT_CUSTOMER,
        {"companyId": global_id("Company", world.acme.id), "username": "sneaky"},
        token_for(world, kind),
    )
    assert body["data"] is None
    assert error_codes(body) == [code]
    assert await Customer.all().count() == 0


@pytest.mark.parametrize(
    ("kind", "companies"),
    [*((k, ["acme", "globex"]) for k in ALL), ("crmCompanyEdit", ["acme"])],
)
async def test_roles_are_assigned_and_removed_in_scope(
    api: Api, world: World, kind: str, companies: list[str]
) -> None:
    for company in companies:
        customer = global_id("Customer", await add_customer(getattr(world, company), company))
        variables = {"customerId": customer, "role": "buyer"}
        added = await api(ASSIGN_ROLE, variables, world.tokens[kind])
        assert added["data"]["assignRole"]["customer"]["roles"] == [{"name": "buyer"}]
        removed = await api(REMOVE_ROLE, variables, world.tokens[kind])
        assert removed["data"]["removeRole"] == {
            "customer": {"id": customer, "roles": []},
            "errors": [],
        }


@pytest.mark.parametrize(
    ("kind", "code"), [("none", "FORBIDDEN"), ("anonymous", "UNAUTHENTICATED")]
)
async def test_roles_refused(api: Api, world: World, kind: str, code: str) -> None:
    customer = global_id("Customer", await add_customer(world.acme, "acme-buyer"))
    for op in (ASSIGN_ROLE, REMOVE_ROLE):
        body = await api(op, {"customerId": customer, "role": "buyer"}, token_for(world, kind))
        assert body["data"] is None
        assert error_codes(body) == [code]
    assert await CustomerRole.all().count() == 0


@pytest.mark.parametrize("kind", ADMINS)
async def test_admins_read_the_api_key(api: Api, world: World, kind: str) -> None:
    customer = global_id("Customer", await add_customer(world.acme, "acme-buyer"))
    body = await api(CUSTOMER_DETAILS, {"id": customer}, world.tokens[kind])
    assert "errors" not in body
    shown = body["data"]["customer"]
    key = shown["developerFields"][0]["value"]
    assert key and shown["punchoutCredentials"]["sharedSecret"] == key


@pytest.mark.parametrize("kind", NO_SECRET)
async def test_others_get_everything_but_the_api_key(api: Api, world: World, kind: str) -> None:
    customer = global_id("Customer", await add_customer(world.acme, "acme-buyer"))
    body = await api(CUSTOMER_DETAILS, {"id": customer}, world.tokens[kind])
    paths = {tuple(e["path"]): e["extensions"]["code"] for e in body["errors"]}
    assert paths == {
        ("customer", "developerFields", 0, "value"): "FORBIDDEN",
        ("customer", "punchoutCredentials", "sharedSecret"): "FORBIDDEN",
    }
    shown = body["data"]["customer"]
    assert shown["username"] == "acme-buyer"
    assert shown["developerFields"] == [
        {"key": "PUNCHOUT_API_KEY", "label": "PUNCHOUT API Key", "value": None},
        {
            "key": "PUNCHOUT_IDENTITY_CREDENTIAL",
            "label": "Punchout identity credential",
            "value": "Sender",
        },
        {
            "key": "PUNCHOUT_CART_ENCODING",
            "label": "Punchout cart encoding",
            "value": "cxml-urlencoded",
        },
    ]
    assert shown["punchoutCredentials"]["sharedSecret"] is None
    assert shown["punchoutCredentials"]["senderIdentity"] == "acme-buyer"


@pytest.mark.parametrize(
    ("kind", "code"), [("none", "FORBIDDEN"), ("anonymous", "UNAUTHENTICATED")]
)
async def test_customer_details_refused(api: Api, world: World, kind: str, code: str) -> None:
    customer = global_id("Customer", await add_customer(world.acme, "acme-buyer"))
    body = await api(CUSTOMER_DETAILS, {"id": customer}, token_for(world, kind))
    assert body["data"] == {"customer": None}
    assert error_codes(body) == [code]


async def test_ids_and_cursors_beyond_any_row_read_as_missing(api: Api, world: World) -> None:
    token = world.tokens["administrator"]
    for type_name, query in (
        ("Customer", "query($id: ID!) { customer(id: $id) { id } }"),
        ("Company", "query($id: ID!) { company(id: $id) { id } }"),
        ("Company", "query($id: ID!) { node(id: $id) { id } }"),
    ):
        body = await api(query, {"id": global_id(type_name, 99_999_999_999)}, token)
        assert "errors" not in body and list(body["data"].values()) == [None]
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps([99_999_999_999]).encode()).decode()
    query = """query($id: ID!, $after: String) {
      company(id: $id) { customers(after: $after) { edges { node { id } } } } }"""
    body = await api(query, {"id": global_id("Company", world.acme.id), "after": cursor}, token)
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_reading_a_key_is_audited_once_per_request(api: Api, world: World) -> None:
    from persistence.tables import AuditEvent

    customer = global_id("Customer", await add_customer(world.acme, "acme-buyer"))
    for kind in ("companyEdit", "crmCompanyEdit"):  # may not read it: nothing to record
        await api(CUSTOMER_DETAILS, {"id": customer}, world.tokens[kind])
    assert not await AuditEvent.filter(action="customer.read_api_key").exists()
    await api(CUSTOMER_DETAILS, {"id": customer}, world.tokens["superuser"])  # two key fields
    await api(CUSTOMER_DETAILS, {"id": customer}, world.tokens["administrator"])
    reads = await AuditEvent.filter(action="customer.read_api_key").prefetch_related("actor")
    assert sorted(e.actor.email for e in reads) == [
        "administrator@supplier.example",
        "superuser@supplier.example",
    ]
