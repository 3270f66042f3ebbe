"""Numbers exactly as sent, or refused (issue 14): a quantity or amount that is no cXML decimal
is refused with a Status naming the element, the line and the value, and nothing is stored; a
valid one is stored with every digit (0.0004, 2.0004, 0.00001, 0.153825) on both databases, and
GraphQL and the cart message show it so."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from lxml import etree

from domain.numbers import NotANumber, exact
from persistence.punchout_tables import (
    CartLine,
    CxmlExchange,
    CxmlReceipt,
    Order,
    OrderLine,
    PunchoutSession,
)
from testkit.documents import order_document, sender_identity, with_secret
from tests.conftest import Api, Buyer, World, global_id, make_buyer
from tests.cxml_documents import read
from tests.cxml_helpers import assert_cxml, post_cxml
from tests.storefront_helpers import ADD, TRANSFER, UPDATE, line


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("0.0004", "0.0004"),
        ("2.0004", "2.0004"),
        ("0.00001", "0.00001"),
        ("0.153825", "0.153825"),
        ("1.50", "1.50"),
        ("+1", "1"),
        (".5", "0.5"),
        ("1.", "1"),
        ("-0.74", "-0.74"),
        ("1.5E2", "150"),  # the DTD's r8 and number allow an exponent; written out
        ("25e-6", "0.000025"),
        ("0.00000001", "0.00000001"),
        ("99999999999999.99", "99999999999999.99"),
        ("1.000000000000000000000000", "1.00000000000000000000"),  # zeros past 20 places
        ("-0", "0"),
    ],
)
def test_a_number_is_kept_with_every_digit(sent: str, kept: str) -> None:
    assert format(exact(sent), "f") == kept


@pytest.mark.parametrize(
    ("sent", "why"),
    [
        ("1,5", "is not a number"),
        ("1,234", "is not a number"),
        ("1 234", "is not a number"),
        ("1_000", "is not a number"),
        ("١٢", "is not a number"),
        ("²", "is not a number"),
        ("NaN", "is not a number"),
        ("Infinity", "is not a number"),
        ("0x10", "is not a number"),
        ("", "is not a number"),
        ("1e14", "has more than 14 digits before the decimal point"),
        ("1e999999999", "has more than 14 digits before the decimal point"),
        ("0.000000000000000000001", "has more than 20 decimal places"),
        ("1E-999999999999", "has more than 20 decimal places"),
    ],
)
def test_anything_else_is_refused_and_says_why(sent: str, why: str) -> None:
    with pytest.raises(NotANumber) as refused:
        exact(sent)
    assert str(refused.value) == why


async def _send(api: Api, world: World, name: str) -> tuple[Buyer, object]:
    document = read(name)
    buyer = await make_buyer(world.acme, sender_identity(document))
    return buyer, await post_cxml(api.http, with_secret(document, buyer.key))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "generic.order.decimal-comma-quantity.xml",
            'ItemOut line 3: quantity "1,5" is not a number',
        ),
        (
            "generic.order.thousands-separator-price.xml",
            'ItemOut line 2: UnitPrice "1,234" is not a number',  # no lineNumber: its place
        ),
        (
            "generic.setup.edit-decimal-comma-quantity.xml",
            'ItemOut line 7: quantity "1,5" is not a number',
        ),
    ],
)
async def test_a_number_that_is_no_number_is_refused(
    api: Api, world: World, name: str, message: str
) -> None:
    _, answer = await _send(api, world, name)
    assert (answer.http_status, answer.code, answer.status_text) == (200, 400, "Bad Request")
    assert answer.message == message
    answer.assert_valid()
    entry = await CxmlExchange.get()
    assert (entry.failure, entry.reason) == ("INVALID_REQUEST", message)
    for table in (Order, OrderLine, CxmlReceipt, PunchoutSession, CartLine):
        assert await table.all().count() == 0, table


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (
                '<Money currency="EUR">2.50</Money></Total>',
                '<Money currency="EUR">1,234</Money></Total>',
            ),
            'Total: "1,234" is not a number',
        ),
        (
            ("</BillTo>", '</BillTo><Tax><Money currency="EUR">0,74</Money></Tax>'),
            'Tax: "0,74" is not a number',
        ),
        (
            ("</BillTo>", '</BillTo><Shipping><Money currency="EUR">4.5.0</Money></Shipping>'),
            'Shipping: "4.5.0" is not a number',
        ),
        (
            ('quantity="2"', 'quantity="2.0000000000000000000004"'),
            'ItemOut line 1: quantity "2.0000000000000000000004" has more than 20 decimal places',
        ),
        (('quantity="2"', 'quantity="0"'), "ItemOut line 1 needs a quantity above 0."),
    ],
)
async def test_header_amounts_are_refused_alike(
    api: Api, buyer: Buyer, change: tuple[str, str], message: str
) -> None:
    document = order_document(buyer.username, buyer.key)
    assert change[0] in document
    answer = await post_cxml(api.http, document.replace(*change))
    assert (answer.code, answer.message) == (400, message)
    assert await Order.all().count() == await CxmlReceipt.all().count() == 0


ORDER = """query($id: ID!) { customer(id: $id) { orders(first: 5) { edges { node {
  total currency shipping { amount } tax { amount } lines { lineNumber quantity unitPrice }
} } } } }"""


async def test_small_numbers_are_stored_and_shown_with_every_digit(api: Api, world: World) -> None:
    buyer, answer = await _send(api, world, "generic.order.exact-small-numbers.xml")
    assert answer.code == 200, answer.message
    customer = global_id("Customer", buyer.customer_id)
    body = await api(ORDER, {"id": customer}, world.tokens["companyEdit"])
    [order] = [e["node"] for e in body["data"]["customer"]["orders"]["edges"]]
    assert (order["total"], order["currency"]) == ("0.153825", "EUR")
    assert (order["shipping"]["amount"], order["tax"]["amount"]) == ("0.00001", "0.0004")
    assert order["lines"] == [
        {"lineNumber": 1, "quantity": "0.0004", "unitPrice": "384.5625"},
        {"lineNumber": 2, "quantity": "2.0004", "unitPrice": "0.00001"},
    ]
    # As stored, not only as shown: the column keeps the digits on either database.
    lines = await OrderLine.all().order_by("line_number")
    assert [format(x.quantity, "f") for x in lines] == ["0.0004", "2.0004"]
    assert [format(x.unit_price, "f") for x in lines] == ["384.5625", "0.00001"]
    assert format((await Order.get()).total, "f") == "0.153825"


CART = """query { punchoutSession { cart { total currency lines {
  id quantity unitPrice amount } } } }"""


async def _credential(api: Api, answer: object) -> str:
    opened = await api.http.get(urlsplit(answer.start_url).path)
    return opened.headers["location"].split("#session=")[1]


async def test_an_edit_cart_keeps_every_digit_through_the_cart_message(
    api: Api, world: World
) -> None:
    _, answer = await _send(api, world, "ariba.setup.edit-eclass-manufacturer.xml")
    assert answer.code == 200, answer.message
    credential = await _credential(api, answer)
    cart = (await api(CART, token=credential))["data"]["punchoutSession"]["cart"]
    assert [(x["quantity"], x["unitPrice"], x["amount"]) for x in cart["lines"]] == [
        ("0.0004", "384.5625", "0.153825"),
        ("2.0004", "0.00001", "0.000020004"),
        ("1", "7.90", "7.90"),
    ]
    assert (cart["total"], cart["currency"]) == ("8.05", "EUR")  # 8.053845004, half-up
    # A finer quantity typed in the shop is kept too.
    changed = await api(
        UPDATE, {"input": {"lineId": cart["lines"][2]["id"], "quantity": "2.0004"}}, credential
    )
    assert changed["data"]["updateCartLine"]["errors"] == []
    added = await api(ADD, {"input": line("TIP-1", "0.0004", "0.00001")}, credential)
    assert added["data"]["addCartLine"]["errors"] == []
    transfer = (await api(TRANSFER, token=credential))["data"]["transferPunchoutCart"]["transfer"]
    message = etree.fromstring(transfer["message"].encode())
    assert_cxml(message)
    items = message.findall("Message/PunchOutOrderMessage/ItemIn")
    assert [(i.get("quantity"), i.findtext("ItemDetail/UnitPrice/Money")) for i in items] == [
        ("0.0004", "384.5625"),
        ("2.0004", "0.00001"),
        ("2.0004", "7.90"),
        ("0.0004", "0.00001"),
    ]
    # 0.153825 + 0.000020004 + 15.80316 + 0.000000004 = 15.957005008: 15.96 on both surfaces
    total = message.findtext("Message/PunchOutOrderMessage/PunchOutOrderMessageHeader/Total/Money")
    assert total == "15.96"
