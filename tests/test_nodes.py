"""`node(id:)` for orders (staff, within their company scope) and cart lines (the storefront
session that owns them), with the IDs these objects always had."""

from __future__ import annotations

import base64

import pytest

from persistence.tables import Order as OrderRow
from testkit.documents import order_document
from tests.conftest import Api, Buyer, World, error_codes, global_id, make_buyer
from tests.cxml_helpers import post_cxml

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Order { orderId customerUsername total lines { lineNumber supplierPartId } } } }"""
COMPANY = "query($id: ID!) { company(id: $id) { id } }"
ORDER_IDS = """query($id: ID!) { company(id: $id) { orders { edges { node { id orderId } } } } }"""


def token_for(world: World, kind: str) -> str | None:
    return None if kind == "anonymous" else world.tokens[kind]


async def send_order(buyer: Buyer, api: Api, order_id: str) -> None:
    document = order_document(
        buyer.username, buyer.key, order_id=order_id, payload=f"{order_id}@buyer.example"
    )
    answer = await post_cxml(api.http, document)
    assert answer.code == 200, answer.message


@pytest.fixture
async def orders(api: Api, world: World) -> dict[str, str]:
    """One order at ACME (assigned to crmCompanyEdit) and one at Globex (not): their IDs as
    the companies' order lists give them."""
    found = {}
    for company in (world.acme, world.globex):
        buyer = await make_buyer(company, f"buyer@{company.code.lower()}.example")
        await send_order(buyer, api, f"PO-{company.code}")
        listed = await api(
            ORDER_IDS, {"id": global_id("Company", company.id)}, world.tokens["administrator"]
        )
        [edge] = listed["data"]["company"]["orders"]["edges"]
        found[company.code] = edge["node"]["id"]
    return found


async def test_an_order_keeps_its_id_and_node_resolves_it(
    api: Api, world: World, orders: dict[str, str]
) -> None:
    row = await OrderRow.get(order_id="PO-ACME")
    assert orders["ACME"] == global_id("Order", row.id)  # the ID it always had
    body = await api(NODE, {"id": orders["ACME"]}, world.tokens["administrator"])
    assert body == {
        "data": {
            "node": {
                "__typename": "Order",
                "id": orders["ACME"],
                "orderId": "PO-ACME",
                "customerUsername": "buyer@acme.example",
                "total": "2.50",
                "lines": [{"lineNumber": 1, "supplierPartId": "PEN-042"}],
            }
        }
    }


@pytest.mark.parametrize(
    ("kind", "sees", "code"),
    [
        ("administrator", {"ACME", "GLOBEX"}, None),
        ("superuser", {"ACME", "GLOBEX"}, None),
        ("companyEdit", {"ACME", "GLOBEX"}, None),
        ("crmCompanyEdit", {"ACME"}, None),  # assigned ACME only
        ("none", set(), "FORBIDDEN"),
        ("anonymous", set(), "UNAUTHENTICATED"),
    ],
)
async def test_an_order_is_reached_as_its_company_is(
    api: Api, world: World, orders: dict[str, str], kind: str, sees: set[str], code: str | None
) -> None:
    token = token_for(world, kind)
    for company in (world.acme, world.globex):
        body = await api(NODE, {"id": orders[company.code]}, token)
        node = body["data"]["node"]
        assert (node is not None) == (company.code in sees), (company.code, body)
        assert error_codes(body) == ([code] if code else [])
        if node is not None:
            assert node["orderId"] == f"PO-{company.code}"
        # Exactly as the order's company answers the same caller.
        same = await api(COMPANY, {"id": global_id("Company", company.id)}, token)
        assert (same["data"]["company"] is None) == (node is None)
        assert error_codes(same) == error_codes(body)


async def test_an_order_out_of_scope_is_indistinguishable_from_a_missing_one(
    api: Api, world: World, orders: dict[str, str]
) -> None:
    crm = world.tokens["crmCompanyEdit"]
    hidden = await api(NODE, {"id": orders["GLOBEX"]}, crm)
    missing = await api(NODE, {"id": global_id("Order", 999_999)}, crm)
    assert hidden == missing == {"data": {"node": None}}


def raw_id(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "garbage",
        "Order:1",  # not base64
        raw_id("Order"),
        raw_id("Order:"),
        raw_id("Order:abc"),
        raw_id("Order:-1"),
        raw_id("Order:1.0"),
        raw_id("Order:99999999999"),  # beyond any row
        raw_id("Order:1" + "0" * 40),
        raw_id("order:1"),  # type names are case-sensitive
        raw_id("OrderLine:1"),
        raw_id("Widget:1"),
        global_id("Order", 999_999),  # well-formed, but no such order
    ],
)
async def test_malformed_and_unknown_order_ids_read_as_missing(
    api: Api, world: World, orders: dict[str, str], malformed: str
) -> None:
    body = await api(NODE, {"id": malformed}, world.tokens["administrator"])
    assert body == {"data": {"node": None}}
