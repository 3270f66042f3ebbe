"""Our own OrderRequest documents for the order price check: lines with their own prices and
currencies, an orderDate of the test's choosing (or none), as a buyer's system sends them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from testkit.documents import setup_document


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
