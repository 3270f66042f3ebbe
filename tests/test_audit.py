"""The audit trail in GraphQL: newest first, scoped like everything else, read only."""

from __future__ import annotations

import json

from testkit.operations import ASSIGN_ROLE
from tests.conftest import Api, World, add_customer, global_id

COMPANY_AUDIT = """query($id: ID!) { company(id: $id) { auditEvents(first: 50) { edges { node {
  at actorEmail action targetType targetId before after } } } } }"""
CUSTOMER_AUDIT = """query($id: ID!, $after: String) { customer(id: $id) {
  auditEvents(first: 1, after: $after) { edges { node { action actorEmail after } }
  pageInfo { hasNextPage endCursor } } } }"""


async def test_audit_trail_newest_first_and_scoped(api: Api, world: World) -> None:
    customer_id = await add_customer(world.acme, "audited-buyer")
    customer = global_id("Customer", customer_id)
    await api(ASSIGN_ROLE, {"customerId": customer, "role": "buyer"}, world.tokens["companyEdit"])
    company = global_id("Company", world.acme.id)

    body = await api(COMPANY_AUDIT, {"id": company}, world.tokens["crmCompanyEdit"])
    events = [e["node"] for e in body["data"]["company"]["auditEvents"]["edges"]]
    assert [e["action"] for e in events] == [
        "customer.assign_role",
        "customer.add_punchout",
        "company.create",
    ]
    assert events[0]["actorEmail"] == "companyedit@supplier.example"
    assert json.loads(events[0]["after"]) == {"role": "buyer"}

    first = await api(CUSTOMER_AUDIT, {"id": customer}, world.tokens["administrator"])
    page = first["data"]["customer"]["auditEvents"]
    assert [e["node"]["action"] for e in page["edges"]] == ["customer.assign_role"]
    rest = await api(
        CUSTOMER_AUDIT,
        {"id": customer, "after": page["pageInfo"]["endCursor"]},
        world.tokens["administrator"],
    )
    assert [e["node"]["action"] for e in rest["data"]["customer"]["auditEvents"]["edges"]] == [
        "customer.add_punchout"
    ]

    hidden = await api(
        COMPANY_AUDIT, {"id": global_id("Company", world.globex.id)}, world.tokens["crmCompanyEdit"]
    )
    assert hidden == {"data": {"company": None}}
    body = await api(COMPANY_AUDIT, {"id": company}, world.tokens["none"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_nothing_in_the_schema_changes_or_deletes_the_trail() -> None:
    from graph.schema import schema

    mutations = schema._schema.mutation_type.fields
    assert not [name for name in mutations if "audit" in name.lower()]
