"""What the API gained for the console (both databases): a company's assigned staff, and
Developer Fields that leave the key unread until a person asks for it."""

from __future__ import annotations

from tests.conftest import Api, Buyer, World, error_codes, global_id

FIELDS = """
query($id: ID!, $secrets: Boolean!) {
  customer(id: $id) { developerFields(secrets: $secrets) { key isSecret value } }
}"""
READS = """
query($id: ID!) { customer(id: $id) { auditEvents(first: 50) { edges { node { action } } } } }"""
STAFF = "query($id: ID!) { company(id: $id) { assignedStaff } }"


async def key_reads(api: Api, world: World, customer_id: int) -> int:
    body = await api(
        READS, {"id": global_id("Customer", customer_id)}, world.tokens["administrator"]
    )
    edges = body["data"]["customer"]["auditEvents"]["edges"]
    return sum(edge["node"]["action"] == "customer.read_api_key" for edge in edges)


async def test_developer_fields_without_secrets_read_nothing(
    api: Api, world: World, buyer: Buyer
) -> None:
    variables = {"id": global_id("Customer", buyer.customer_id), "secrets": False}
    for kind in ("administrator", "companyEdit"):
        body = await api(FIELDS, variables, world.tokens[kind])
        assert "errors" not in body, body  # not refused either: nothing was read
        fields = {f["key"]: f for f in body["data"]["customer"]["developerFields"]}
        assert fields["PUNCHOUT_API_KEY"] == {
            "key": "PUNCHOUT_API_KEY",
            "isSecret": True,
            "value": None,
        }
        assert all(f["value"] is not None for k, f in fields.items() if k != "PUNCHOUT_API_KEY")
    assert await key_reads(api, world, buyer.customer_id) == 0

    body = await api(FIELDS, {**variables, "secrets": True}, world.tokens["administrator"])
    fields = {f["key"]: f for f in body["data"]["customer"]["developerFields"]}
    assert fields["PUNCHOUT_API_KEY"]["value"] == buyer.key
    assert await key_reads(api, world, buyer.customer_id) == 1
    refused = await api(FIELDS, {**variables, "secrets": True}, world.tokens["companyEdit"])
    assert error_codes(refused) == ["FORBIDDEN"]


async def test_a_company_lists_its_assigned_staff(api: Api, world: World) -> None:
    acme, globex = global_id("Company", world.acme.id), global_id("Company", world.globex.id)
    body = await api(STAFF, {"id": acme}, world.tokens["administrator"])
    assert body["data"]["company"]["assignedStaff"] == ["crmcompanyedit@supplier.example"]
    body = await api(STAFF, {"id": globex}, world.tokens["companyEdit"])
    assert body["data"]["company"]["assignedStaff"] == []
    # Out of scope: the company is null, its staff with it.
    body = await api(STAFF, {"id": globex}, world.tokens["crmCompanyEdit"])
    assert body["data"]["company"] is None
