"""The whole punchout loop, as a buyer's system and browser run it against the server."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from persistence.punchout_tables import Order
from testkit.documents import order_document, setup_document
from tests.conftest import Api, Buyer, World, global_id
from tests.cxml_helpers import assert_cxml, post_cxml
from tests.storefront_helpers import ADD, REMOVE, SESSION, TRANSFER, UPDATE, line, read_form

ORDERS = """
query($id: ID!) { company(id: $id) { orders(first: 10) { edges { node {
  orderId orderType isTest total currency customerUsername comments
  shipTo { name city countryCode } extrinsics { name value }
  lines { lineNumber quantity supplierPartId supplierPartAuxiliaryId unitPrice unspsc }
} } } } }"""
COOKIE = "  ÄBC-cookie &amp; 42\n"  # as written in the XML; the buyer gets it back byte for byte


async def test_setup_shop_transfer_order(api: Api, world: World, buyer: Buyer) -> None:
    # The buyer's procurement system opens a session.
    document = setup_document(buyer.username, buyer.key, cookie=COOKIE, from_="AN0100-BUYER")
    answer = await post_cxml(api.http, document)
    assert answer.code == 200

    # The buyer's browser opens the StartPage URL once: a redirect to the storefront.
    path = answer.start_url.removeprefix("https://punchout.example.com")
    opened = await api.http.get(path)
    assert opened.status_code == 303
    location = opened.headers["location"]
    assert location.startswith("https://punchout.example.com/storefront#session=pos_")
    assert opened.headers["cache-control"] == "no-store"
    credential = location.split("#session=", 1)[1]
    again = await api.http.get(path)
    assert again.status_code == 410 and "start again from your procurement system" in again.text

    # The storefront reads the session and fills the cart.
    session = (await api(SESSION, token=credential))["data"]["punchoutSession"]
    assert (session["operation"], session["customerUsername"], session["companyName"]) == (
        "create",
        buyer.username,
        "ACME Supplies Ltd",
    )
    assert session["user"]["email"] == "jane@buyer.example"
    assert session["cart"] == {"editable": True, "total": "0.00", "currency": None, "lines": []}
    pen = (
        await api(
            ADD, {"input": line("PEN-042", "2", "1.25", supplierPartAuxiliaryId="q-7")}, credential
        )
    )["data"]["addCartLine"]
    assert pen["errors"] == []
    pad = (await api(ADD, {"input": line("PAD-A4", "1", "3.5")}, credential))["data"]["addCartLine"]
    ink = (await api(ADD, {"input": line("INK-1", "1", "9.99")}, credential))["data"]["addCartLine"]
    pad_id = pad["cart"]["lines"][1]["id"]
    ink_id = ink["cart"]["lines"][2]["id"]
    changed = await api(UPDATE, {"input": {"lineId": pad_id, "quantity": "4"}}, credential)
    assert changed["data"]["updateCartLine"]["cart"]["lines"][1]["quantity"] == "4"
    removed = await api(REMOVE, {"input": {"lineId": ink_id}}, credential)
    cart = removed["data"]["removeCartLine"]["cart"]
    assert [(x["supplierPartId"], x["amount"]) for x in cart["lines"]] == [
        ("PEN-042", "2.50"),
        ("PAD-A4", "14.00"),
    ]

    # Transfer: what the browser posts back.
    transfer = (await api(TRANSFER, token=credential))["data"]["transferPunchoutCart"]
    assert transfer["errors"] == []
    result = transfer["transfer"]
    assert result["url"] == "https://buyer.example/return"
    assert result["fieldName"] == "cxml-urlencoded"
    form = read_form(result["formHtml"])
    assert form.action == result["url"]
    assert form.fields == {"cxml-urlencoded": result["fieldValue"]}
    assert "script" not in form.tags and "link" not in form.tags and "img" not in form.tags
    posted = form.fields["cxml-urlencoded"].encode()
    assert posted == result["message"].encode()

    message = etree.fromstring(posted)
    assert_cxml(message)
    assert b"<BuyerCookie>  \xc3\x84BC-cookie &amp; 42\n</BuyerCookie>" in posted
    assert message.findtext("Header/From/Credential/Identity") == "opsportal-supplier"
    assert message.findtext("Header/To/Credential/Identity") == "AN0100-BUYER"
    assert b"SharedSecret" not in posted and buyer.key.encode() not in posted
    head = message.find("Message/PunchOutOrderMessage/PunchOutOrderMessageHeader")
    assert head.get("operationAllowed") == "edit"
    assert head.findtext("Total/Money") == "16.50"
    items = message.findall("Message/PunchOutOrderMessage/ItemIn")
    assert [(i.get("quantity"), i.findtext("ItemID/SupplierPartID")) for i in items] == [
        ("2", "PEN-042"),
        ("4", "PAD-A4"),
    ]
    assert items[0].findtext("ItemID/SupplierPartAuxiliaryID") == "q-7"

    # The session is over: its credential opens nothing more.
    gone = await api(SESSION, token=credential)
    assert gone["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    # The approved requisition comes back as an order for those lines.
    order_lines = [
        (
            i.findtext("ItemID/SupplierPartID"),
            i.get("quantity"),
            i.findtext("ItemDetail/UnitPrice/Money"),
            i.findtext("ItemDetail/Description"),
            i.findtext("ItemID/SupplierPartAuxiliaryID"),
        )
        for i in items
    ]
    placed = await post_cxml(api.http, order_document(buyer.username, buyer.key, lines=order_lines))
    assert (placed.code, placed.http_status) == (200, 200)
    placed.assert_valid()

    # Staff see it.
    orders = await api(
        ORDERS, {"id": global_id("Company", world.acme.id)}, world.tokens["crmCompanyEdit"]
    )
    [order] = [e["node"] for e in orders["data"]["company"]["orders"]["edges"]]
    assert (order["orderId"], order["orderType"], order["isTest"]) == ("PO-1001", "new", False)
    assert (order["total"], order["currency"], order["customerUsername"]) == (
        "16.50",
        "EUR",
        buyer.username,
    )
    assert order["shipTo"] == {"name": "Buyer HQ", "city": "Berlin", "countryCode": "DE"}
    assert order["extrinsics"] == [{"name": "CostCenter", "value": "CC-7"}]
    assert [
        (x["supplierPartId"], x["quantity"], x["supplierPartAuxiliaryId"]) for x in order["lines"]
    ] == [("PEN-042", "2", "q-7"), ("PAD-A4", "4", None)]
    stored = await Order.get().prefetch_related("lines")
    assert sum(x.quantity * x.unit_price for x in stored.lines) == Decimal("16.5")
