"""For the tests of the order price check: our own OrderRequest documents (lines with their
own prices and currencies, an orderDate of the test's choosing, or none, as a buyer's system
sends them), a small catalog made through the domain, and the staff operations that make one
over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

import httpx

from domain.access import Viewer
from domain.catalog import create_product
from domain.catalog_prices import ContractPriceInput, set_contract_price
from domain.catalog_records import CatalogProduct
from domain.catalog_rules import ProductInput
from domain.records import Classification
from persistence.punchout_tables import OrderLine
from persistence.tables import Company, Staff
from testkit.documents import setup_document
from tests.conftest import Buyer, World
from tests.cxml_helpers import Answer, post_cxml


@dataclass(frozen=True)
class Item:
    """An order line as the buyer sends it: prices are the text sent, every digit."""

    part: str
    price: str
    currency: str = "EUR"
    quantity: str = "1"
    unit: str = "EA"
    description: str = ""


ORDER = """<OrderRequest>
      <OrderRequestHeader orderID={order_id} {date}type={kind}>
        <Total><Money currency={currency}>{total}</Money></Total>
        <ShipTo><Address addressID="DOCK-2"><Name xml:lang="en">Receiving, dock 2</Name>
          </Address></ShipTo>
        <Comments xml:lang="en">Checked against the catalog.</Comments>
      </OrderRequestHeader>
      {lines}
    </OrderRequest>"""
LINE = """<ItemOut quantity={quantity} lineNumber="{number}">
        <ItemID><SupplierPartID>{part}</SupplierPartID></ItemID>
        <ItemDetail><UnitPrice><Money currency={currency}>{price}</Money></UnitPrice>
          <Description xml:lang="en">{description}</Description>
          <UnitOfMeasure>{unit}</UnitOfMeasure>
          <Classification domain="UNSPSC">14111507</Classification></ItemDetail>
      </ItemOut>"""


def priced_order(
    identity: str,
    secret: str,
    items: list[Item],
    *,
    order_id: str = "PO-PRICES-1",
    payload: str = "prices-1@buyer.example",
    order_date: str | None = "2026-11-27T11:00:00+01:00",
    kind: str = "new",
) -> str:
    """An OrderRequest of these lines (numbered from 1), its Total their sum in the first
    line's currency; no orderDate attribute when `order_date` is None."""
    lines = "".join(
        LINE.format(
            quantity=quoteattr(item.quantity),
            number=number,
            part=escape(item.part),
            currency=quoteattr(item.currency),
            price=escape(item.price),
            description=escape(item.description or f"Item {item.part}"),
            unit=escape(item.unit),
        )
        for number, item in enumerate(items, start=1)
    )
    total = sum((Decimal(i.quantity) * Decimal(i.price) for i in items), Decimal(0))
    request = ORDER.format(
        order_id=quoteattr(order_id),
        date="" if order_date is None else f"orderDate={quoteattr(order_date)} ",
        kind=quoteattr(kind),
        currency=quoteattr(items[0].currency if items else "EUR"),
        total=f"{total:.2f}",
        lines=lines,
    )
    return setup_document(identity, secret, payload=payload, request=request)


# Staff operations that put the parts of these orders in the catalog (over HTTP, as the
# console and staff tools do).
CREATE_PRODUCT = """mutation($input: CreateProductInput!) { createProduct(input: $input) {
  product { id supplierPartId unitPrice currency } errors { field code message } } }"""
SET_CONTRACT_PRICE = """mutation($input: SetContractPriceInput!) { setContractPrice(input: $input) {
  contractPrice { unitPrice currency } errors { field code message } } }"""
COMPANY_ID = """query($code: String!) { companies(search: $code, first: 1) {
  edges { node { id code } } } }"""


def product_input(part: str, price: str, name: str = "Copy paper A4 80 g") -> dict[str, object]:
    """A createProduct input: a ream of paper at `price` EUR."""
    return {
        "supplierPartId": part,
        "name": name,
        "unitPrice": price,
        "currency": "EUR",
        "unitOfMeasure": "RM",
        "classifications": [{"domain": "UNSPSC", "value": "14111507"}],
    }


# A small catalog, made through the domain by the founding administrator of tests.conftest's
# `world` (for the tests on the in-process app).
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


async def product(part: str, price: str, currency: str = "EUR", **more: object) -> CatalogProduct:
    """A product of the catalog (each EA, UNSPSC 14111507); `more`: ProductInput's options."""
    viewer = Viewer(await Staff.get(email="founder@supplier.example"))
    data = ProductInput(
        supplier_part_id=part,
        name=f"Product {part}",
        unit_price=price,
        currency=currency,
        unit_of_measure="EA",
        classifications=[Classification("UNSPSC", "14111507")],
        **more,  # type: ignore[arg-type]
    )
    return await create_product(viewer, data)


async def contract(
    item: CatalogProduct,
    company: Company,
    price: str,
    window: tuple[date | None, date | None] = (None, None),
) -> None:
    viewer = Viewer(await Staff.get(email="founder@supplier.example"))
    await set_contract_price(viewer, ContractPriceInput(item.id, company.id, price, None, *window))


async def catalog(world: World) -> None:
    """Paper at 4.25 EUR, Acme's 3.90 in November 2026; toner with Acme's 99.00 always; a pen
    at 1.20 EUR; an inactive stapler."""
    paper = await product("PAP-A4-80", "4.25")
    await contract(paper, world.acme, "3.90", NOVEMBER)
    toner = await product("TON-BK-1", "120.00")
    await contract(toner, world.acme, "99.00")
    await product("PEN-BL-1", "1.20")
    await product("STA-HD-1", "24.00", active=False)


async def stored_lines() -> dict[str, OrderLine]:
    """The stored order lines, by part ID."""
    return {line.supplier_part_id: line for line in await OrderLine.all()}


async def flags() -> dict[str, bool]:
    """priceMismatch of each stored line, by part ID."""
    return {part: line.price_mismatch for part, line in (await stored_lines()).items()}


async def send(
    client: httpx.AsyncClient, buyer: Buyer, items: list[Item], **options: str
) -> Answer:
    return await post_cxml(client, priced_order(buyer.username, buyer.key, items, **options))
