"""`node(id:)` for orders (staff, within their company scope) and cart lines (the storefront
session that owns them), with the IDs these objects always had."""

from __future__ import annotations

import base64

import pytest

from persistence.punchout_tables import Order as OrderRow
from testkit.documents import order_document
from tests.conftest import Api, Buyer, World, error_codes, global_id, make_buyer
from tests.cxml_helpers import post_cxml
from tests.storefront_helpers import ADD, REMOVE, SESSION, TRANSFER, line, open_session

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Order { orderId customerUsername total lines { lineNumber supplierPartId } }
  ... on CartLine { supplierPartId quantity unitPrice currency amount } } }"""
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


async def add_line(api: Api, credential: str, part: str) -> str:
    """Adds a line to the session's cart; the line's ID as the cart gives it."""
    body = await api(ADD, {"input": line(part)}, credential)
    lines = body["data"]["addCartLine"]["cart"]["lines"]
    return next(x["id"] for x in lines if x["supplierPartId"] == part)


@pytest.fixture
async def carts(api: Api, buyer: Buyer) -> dict[str, str]:
    """Two open sessions of one buyer, a line in each: credentials and line IDs."""
    mine, theirs = await open_session(api, buyer), await open_session(api, buyer)
    return {
        "mine": mine,
        "theirs": theirs,
        "my_line": await add_line(api, mine, "PEN-042"),
        "their_line": await add_line(api, theirs, "INK-007"),
    }


async def test_a_cart_line_resolves_with_its_own_session_credential(
    api: Api, carts: dict[str, str]
) -> None:
    from persistence.punchout_tables import CartLine

    row = await CartLine.get(supplier_part_id="PEN-042")
    assert carts["my_line"] == global_id("CartLine", row.id)  # the ID it always had
    body = await api(NODE, {"id": carts["my_line"]}, carts["mine"])
    assert body == {
        "data": {
            "node": {
                "__typename": "CartLine",
                "id": carts["my_line"],
                "supplierPartId": "PEN-042",
                "quantity": "2",
                "unitPrice": "1.25",
                "currency": "EUR",
                "amount": "2.50",
            }
        }
    }
    # The same line as the session's cart lists it.
    session = (await api(SESSION, token=carts["mine"]))["data"]["punchoutSession"]
    assert [x["id"] for x in session["cart"]["lines"]] == [carts["my_line"]]


async def test_a_cart_line_is_nobody_elses(api: Api, world: World, carts: dict[str, str]) -> None:
    # Another session (of the same buyer, even) and every kind of staff get null, no error.
    assert await api(NODE, {"id": carts["my_line"]}, carts["theirs"]) == {"data": {"node": None}}
    for kind in ("administrator", "superuser", "companyEdit", "crmCompanyEdit"):
        body = await api(NODE, {"id": carts["my_line"]}, world.tokens[kind])
        assert body == {"data": {"node": None}}, kind
    # Staff without a role, and no credential at all, are refused as for any other node.
    body = await api(NODE, {"id": carts["my_line"]}, world.tokens["none"])
    assert body["data"] == {"node": None} and error_codes(body) == ["FORBIDDEN"]
    body = await api(NODE, {"id": carts["my_line"]})
    assert body["data"] == {"node": None} and error_codes(body) == ["UNAUTHENTICATED"]


async def test_a_session_credential_reaches_nothing_but_its_cart_lines(
    api: Api, world: World, buyer: Buyer, carts: dict[str, str]
) -> None:
    await send_order(buyer, api, "PO-1")
    order = await OrderRow.get(order_id="PO-1")
    for other in (
        global_id("Order", order.id),
        global_id("Company", world.acme.id),
        global_id("Customer", buyer.customer_id),
        carts["their_line"],
    ):
        assert await api(NODE, {"id": other}, carts["mine"]) == {"data": {"node": None}}, other


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "garbage",
        raw_id("CartLine"),
        raw_id("CartLine:abc"),
        raw_id("CartLine:-1"),
        raw_id("CartLine:99999999999"),
        raw_id("cartline:1"),
        global_id("CartLine", 999_999),
    ],
)
async def test_malformed_and_unknown_cart_line_ids_read_as_missing(
    api: Api, carts: dict[str, str], malformed: str
) -> None:
    assert await api(NODE, {"id": malformed}, carts["mine"]) == {"data": {"node": None}}


async def test_a_removed_line_and_an_ended_session_resolve_no_more(
    api: Api, carts: dict[str, str]
) -> None:
    removed = await api(REMOVE, {"input": {"lineId": carts["my_line"]}}, carts["mine"])
    assert removed["data"]["removeCartLine"]["errors"] == []
    assert await api(NODE, {"id": carts["my_line"]}, carts["mine"]) == {"data": {"node": None}}

    # After the transfer the credential stops working, here as for every storefront field.
    transfer = await api(TRANSFER, token=carts["theirs"])
    assert transfer["data"]["transferPunchoutCart"]["errors"] == []
    body = await api(NODE, {"id": carts["their_line"]}, carts["theirs"])
    assert body["data"] == {"node": None}
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert (
        body["errors"][0]["message"]
        == (await api(SESSION, token=carts["theirs"]))["errors"][0]["message"]
    )
