"""The order price check end to end, through a real `opsportal serve` on a real socket: a
punchout session, a cart filled at the catalog's prices, the cart handed back
(`transferPunchoutCart`), then the buyer's OrderRequest made from that PunchOutOrderMessage
with one price changed: flagged under the default setting, refused under `reject`. On SQLite
and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from testkit.documents import SAFE_XML
from testkit.operations import LOGIN
from tests.cxml_helpers import post_cxml
from tests.live_shop import Shop, server_database_url, server_problems, shop
from tests.priced_orders import (
    COMPANY_ID,
    CREATE_PRODUCT,
    SET_CONTRACT_PRICE,
    Item,
    priced_order,
    product_input,
)
from tests.storefront_helpers import ADD

ORDERS = """query($id: ID!) { company(id: $id) { orders(first: 10) { edges { node {
  orderId priceExceptions
  lines { supplierPartId quantity unitPrice currency catalogUnitPrice catalogPriceSource
          priceMismatch }
} } } } }"""
ADD_INPUT_FIELDS = '{ __type(name: "AddCartLineInput") { inputFields { name } } }'
# The catalog: (part, list price, the shop company's contract price or None).
CATALOG = [("PAP-A4-80", "4.25", "3.90"), ("PEN-BL-1", "1.20", None)]


@pytest.fixture(params=["sqlite", "postgres"])
def server_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return server_database_url(request, tmp_path, "order_prices")


async def staff_data(found: Shop, token: str, query: str, variables: dict[str, Any]) -> Any:
    body = await found.graphql(query, variables, token)
    assert "errors" not in body, body
    return body["data"]


@dataclass(frozen=True)
class Listed:
    """A product of the catalog: its ID, and what the shop's company pays for it."""

    id: str
    pays: str


async def fill_catalog(found: Shop) -> tuple[str, str, dict[str, Listed]]:
    """The catalog made by the run's administrator: its token, the shop company's ID, and the
    products by part ID."""
    login = await found.graphql(LOGIN, {"email": found.bed.email, "password": found.bed.password})
    token = login["data"]["login"]["token"]
    code = f"SHOP-{found.bed.tag}"
    [edge] = (await staff_data(found, token, COMPANY_ID, {"code": code}))["companies"]["edges"]
    company = edge["node"]["id"]
    products = {}
    for part, list_price, contract in CATALOG:
        made = await staff_data(
            found, token, CREATE_PRODUCT, {"input": product_input(part, list_price)}
        )
        product_id = made["createProduct"]["product"]["id"]
        if contract is not None:
            price = {"productId": product_id, "companyId": company}
            await staff_data(
                found, token, SET_CONTRACT_PRICE, {"input": {**price, "unitPrice": contract}}
            )
        products[part] = Listed(product_id, contract or list_price)
    return token, company, products


async def add_from_catalog(
    found: Shop, credential: str, part: str, product: Listed, quantity: str
) -> None:
    """A cart line of a catalog product: `addCartLine(input: {productId, quantity})`, which
    prices it from the catalog, where the storefront API has it; else the free-form line at
    the company's price."""
    fields = await found.graphql(ADD_INPUT_FIELDS, credential=credential)
    if "productId" in {f["name"] for f in fields["data"]["__type"]["inputFields"]}:
        line: dict[str, object] = {"productId": product.id, "quantity": quantity}
    else:
        line = {
            "supplierPartId": part,
            "description": f"Product {part}",
            "quantity": quantity,
            "unitOfMeasure": "RM",
            "unitPrice": product.pays,
            "currency": "EUR",
            "classifications": [{"domain": "UNSPSC", "value": "14111507"}],
        }
    body = await found.graphql(ADD, {"input": line}, credential)
    assert body["data"]["addCartLine"]["errors"] == [], body


def items_of(message: str) -> list[Item]:
    """The lines of a PunchOutOrderMessage, as the buyer's system turns them into an order."""
    root = etree.fromstring(message.encode(), SAFE_XML)
    return [
        Item(
            part=item.findtext("ItemID/SupplierPartID"),
            price=item.findtext("ItemDetail/UnitPrice/Money"),
            currency=item.find("ItemDetail/UnitPrice/Money").get("currency"),
            quantity=item.get("quantity"),
            unit=item.findtext("ItemDetail/UnitOfMeasure"),
        )
        for item in root.iter("ItemIn")
    ]


async def test_an_order_from_a_punchout_cart_with_a_changed_price(server_database: str) -> None:
    async with shop(server_database) as found:
        token, company, products = await fill_catalog(found)
        credential = await found.open()
        await add_from_catalog(found, credential, "PAP-A4-80", products["PAP-A4-80"], "3")
        await add_from_catalog(found, credential, "PEN-BL-1", products["PEN-BL-1"], "10")
        transfer = (await found.transfer(credential))["data"]["transferPunchoutCart"]
        assert transfer["errors"] == [], transfer
        carried = items_of(transfer["transfer"]["message"])
        assert [(i.part, i.price, i.quantity) for i in carried] == [
            ("PAP-A4-80", "3.90", "3"),
            ("PEN-BL-1", "1.20", "10"),
        ]
        # The buyer's order: the cart's lines, the paper's price changed on the way.
        changed = [replace(carried[0], price="3.50"), carried[1]]

        document = priced_order(found.username, found.key, changed, order_id="PO-LIVE-1")
        answer = await post_cxml(found.http, document)
        assert answer.code == 200, answer.message
        orders = await staff_data(found, token, ORDERS, {"id": company})
        [order] = [e["node"] for e in orders["company"]["orders"]["edges"]]
        assert order["priceExceptions"] == 1
        assert order["lines"] == [
            {
                "supplierPartId": "PAP-A4-80",
                "quantity": "3",
                "unitPrice": "3.50",
                "currency": "EUR",
                "catalogUnitPrice": "3.90",
                "catalogPriceSource": "CONTRACT",
                "priceMismatch": True,
            },
            {
                "supplierPartId": "PEN-BL-1",
                "quantity": "10",
                "unitPrice": "1.20",
                "currency": "EUR",
                "catalogUnitPrice": "1.20",
                "catalogPriceSource": "LIST",
                "priceMismatch": False,
            },
        ]

        await found.restart(OPSPORTAL_ORDER_PRICE_CHECK="reject")
        again = priced_order(
            found.username, found.key, changed, order_id="PO-LIVE-2", payload="prices-2@buyer"
        )
        refused = await post_cxml(found.http, again)
        assert (refused.code, refused.status_text) == (400, "Bad Request")
        assert "line 1 (PAP-A4-80): unit price 3.50 EUR, catalog 3.90 EUR." in refused.message
        assert "PEN-BL-1" not in refused.message
        assert (await post_cxml(found.http, again)).body == refused.body  # a retry, alike
        orders = await staff_data(found, token, ORDERS, {"id": company})
        assert [e["node"]["orderId"] for e in orders["company"]["orders"]["edges"]] == ["PO-LIVE-1"]
        # The cart's own prices pass.
        fine = priced_order(
            found.username, found.key, carried, order_id="PO-LIVE-3", payload="prices-3@buyer"
        )
        assert (await post_cxml(found.http, fine)).code == 200
        assert server_problems(found) == []
