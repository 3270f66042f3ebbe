"""Purchase orders in over cXML: stored once, retries answered alike, conflicts refused."""

from __future__ import annotations

import asyncio

import httpx
from tortoise import connections

from persistence.punchout_tables import CxmlExchange, CxmlReceipt, Order, OrderLine
from testkit.documents import order_document
from tests.conftest import Api, Buyer, World, global_id, make_buyer
from tests.cxml_helpers import post_cxml

CUSTOMER_ORDERS = """
query($id: ID!) { customer(id: $id) { orders(first: 10) { edges { node {
  orderId orderType isTest lines { lineNumber supplierPartId quantity }
} } } } }"""


async def test_a_retry_gets_the_same_answer_and_stores_nothing_new(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    document = order_document(buyer.username, buyer.key)
    first = await post_cxml(client, document)
    second = await post_cxml(client, document)
    assert first.code == second.code == 200
    assert second.body == first.body  # the same response, byte for byte
    assert await Order.all().count() == 1
    assert await OrderLine.all().count() == 1
    assert await CxmlReceipt.all().count() == 1
    reasons = await CxmlExchange.all().order_by("id").values_list("reason", flat=True)
    assert reasons[0] is None and "A retry" in reasons[1]


async def test_conflicts(client: httpx.AsyncClient, buyer: Buyer) -> None:
    await post_cxml(client, order_document(buyer.username, buyer.key))
    # The same payloadID with another document.
    changed = order_document(buyer.username, buyer.key, lines=[("PEN-042", "3", "1.25", "x", None)])
    answer = await post_cxml(client, changed)
    assert (answer.code, answer.status_text) == (409, "Conflict")
    # A new order repeating an orderID, under a fresh payloadID.
    again = order_document(buyer.username, buyer.key, payload="order-2@buyer.example")
    answer = await post_cxml(client, again)
    assert answer.code == 409 and "update" in answer.message
    for kind in ("update", "delete"):
        unknown = order_document(
            buyer.username, buyer.key, kind=kind, order_id="PO-NOPE", payload=f"{kind}@b"
        )
        answer = await post_cxml(client, unknown)
        assert (answer.code, answer.status_text) == (417, "Expectation Failed")
    failures = await CxmlExchange.all().order_by("id").values_list("failure", flat=True)
    assert failures == [
        None,
        "DUPLICATE_PAYLOAD",
        "DUPLICATE_ORDER",
        "UNKNOWN_ORDER",
        "UNKNOWN_ORDER",
    ]
    assert await Order.all().count() == 1 and await CxmlReceipt.all().count() == 1


async def test_update_replaces_and_delete_marks(api: Api, world: World, buyer: Buyer) -> None:
    await post_cxml(api.http, order_document(buyer.username, buyer.key))
    update = order_document(
        buyer.username,
        buyer.key,
        kind="update",
        payload="order-1-v2@b",
        mode="test",
        lines=[("PAD-A4", "5", "3.50", "Pad", None), ("INK-1", "1", "9.99", "Ink", None)],
    )
    assert (await post_cxml(api.http, update)).code == 200
    customer = global_id("Customer", buyer.customer_id)
    body = await api(CUSTOMER_ORDERS, {"id": customer}, world.tokens["companyEdit"])
    [order] = [e["node"] for e in body["data"]["customer"]["orders"]["edges"]]
    assert (order["orderType"], order["isTest"]) == ("update", True)
    assert [(x["supplierPartId"], x["quantity"]) for x in order["lines"]] == [
        ("PAD-A4", "5"),
        ("INK-1", "1"),
    ]
    delete = order_document(buyer.username, buyer.key, kind="delete", payload="order-1-del@b")
    assert (await post_cxml(api.http, delete)).code == 200
    assert (await Order.get()).order_type == "delete"


async def test_fifty_concurrent_copies_make_one_order(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    document = order_document(buyer.username, buyer.key)
    answers = await asyncio.gather(*(post_cxml(client, document) for _ in range(50)))
    assert {a.code for a in answers} == {200}
    assert len({a.body for a in answers}) == 1
    assert await Order.all().count() == 1
    assert await OrderLine.all().count() == 1
    assert await CxmlReceipt.all().count() == 1


async def test_a_storage_failure_is_retryable_and_stores_nothing(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    document = order_document(buyer.username, buyer.key)
    db = connections.get("default")
    # A real fault in the real database: the lines' table is missing for a moment.
    await db.execute_script("ALTER TABLE purchase_order_line RENAME TO purchase_order_line_away")
    try:
        answer = await post_cxml(client, document)
    finally:
        await db.execute_script(
            "ALTER TABLE purchase_order_line_away RENAME TO purchase_order_line"
        )
    assert (answer.http_status, answer.code) == (500, 500)
    assert await Order.all().count() == 0 and await CxmlReceipt.all().count() == 0
    retried = await post_cxml(client, document)
    assert retried.code == 200
    assert await Order.all().count() == 1


async def test_orders_follow_the_company_scope(api: Api, world: World, buyer: Buyer) -> None:
    other = await make_buyer(world.globex, "globex-buyer")
    await post_cxml(api.http, order_document(buyer.username, buyer.key))
    await post_cxml(api.http, order_document(other.username, other.key, order_id="G-1"))
    query = """query($id: ID!) { company(id: $id) { orders { edges { node { orderId } } } } }"""
    crm = world.tokens["crmCompanyEdit"]
    acme = await api(query, {"id": global_id("Company", world.acme.id)}, crm)
    assert [e["node"]["orderId"] for e in acme["data"]["company"]["orders"]["edges"]] == ["PO-1001"]
    globex = await api(query, {"id": global_id("Company", world.globex.id)}, crm)
    assert globex == {"data": {"company": None}}
    body = await api(CUSTOMER_ORDERS, {"id": global_id("Customer", other.customer_id)}, crm)
    assert body == {"data": {"customer": None}}


async def test_payment_card_numbers_stay_out_of_the_log(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    await post_cxml(client, order_document(buyer.username, buyer.key))
    entry = await CxmlExchange.get()
    assert "4111111111111111" not in entry.request_body
    assert 'number="***"' in entry.request_body


async def test_order_input_errors(client: httpx.AsyncClient, buyer: Buyer) -> None:
    document = order_document(buyer.username, buyer.key)
    for broken in (
        document.replace('orderID="PO-1001"', ""),
        document.replace('type="new"', 'type="cancel"'),
        document.replace('quantity="2"', 'quantity="two"'),
        document.replace("<SupplierPartID>PEN-042</SupplierPartID>", ""),
        document.replace('payloadID="order-1@buyer.example"', ""),
    ):
        answer = await post_cxml(client, broken)
        assert answer.code == 400, answer.message
    assert await Order.all().count() == 0
