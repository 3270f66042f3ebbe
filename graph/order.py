"""Purchase orders in GraphQL: per company and per customer, newest first, with their lines."""

from __future__ import annotations

import enum
from datetime import date, datetime

import strawberry
from strawberry import relay

from domain.limits import (
    MAX_ATTACHMENTS,
    MAX_CLASSIFICATIONS,
    MAX_EXTRINSICS,
    MAX_LINE_EXTRINSICS,
    MAX_ORDER_LINES,
)
from domain.records import Address as AddressRecord
from domain.records import Classification as ClassificationRecord
from domain.records import Extrinsic, Money, unspsc_of
from graph.address import Address
from graph.amounts import money, quantity
from graph.attachments import OrderAttachment
from graph.bounds import at_most
from graph.context import Info
from graph.line_details import Classification
from graph.node_id import described_node_id
from graph.pagination import (
    bounded_first,
    decode_cursor,
    encode_cursor,
    page_info,
    parse_global_id,
)
from persistence.punchout_tables import Order as OrderRow
from persistence.punchout_tables import OrderLine as OrderLineRow

ORDERS_CAP = 50


@strawberry.type(description="A charge on an order (Shipping, Tax).")
class Charge:
    amount: str | None = strawberry.field(
        description="A decimal string, every digit sent (at least cents)."
    )
    currency: str | None = strawberry.field(description="ISO 4217.")
    description: str | None = strawberry.field(description="What it is for.")


@strawberry.type(description="A name and value sent with an order (a cXML Extrinsic).")
class OrderExtrinsic:
    name: str = strawberry.field(description="The Extrinsic's name.")
    value: str = strawberry.field(description="As sent.")


@strawberry.enum(description="Where an order line's catalog price came from.")
class CatalogPriceSource(enum.Enum):
    CONTRACT = strawberry.enum_value(
        "contract", description="The company's contract price valid on the order's day."
    )
    LIST = strawberry.enum_value("list", description="The product's list price.")


@strawberry.type(
    description="A line of a purchase order. Amounts are decimal strings, exactly as sent "
    "(every digit; money shown with at least cents)."
)
class OrderLine:
    line_number: int = strawberry.field(description="The buyer's line number.")
    quantity: str = strawberry.field(description="How many units.")
    supplier_part_id: str = strawberry.field(description="The supplier's part number.")
    supplier_part_auxiliary_id: str | None = strawberry.field(
        description="The supplier's auxiliary ID, as the cart carried it."
    )
    description: str | None = strawberry.field(description="What the item is.")
    unit_price: str | None = strawberry.field(description="Price per unit.")
    currency: str | None = strawberry.field(description="ISO 4217 currency of the price.")
    unit_of_measure: str | None = strawberry.field(description="UN/CEFACT unit code.")
    unspsc: str | None = strawberry.field(
        description="The first UNSPSC classification's code, if one was sent."
    )
    requested_delivery_date: str | None = strawberry.field(description="As sent.")
    classifications: list[Classification] = strawberry.field(
        description="Every Classification sent (UNSPSC, eCl@ss...), in order.",
        metadata=at_most(items=MAX_CLASSIFICATIONS),
    )
    manufacturer_part_id: str | None = strawberry.field(description="ManufacturerPartID, as sent.")
    manufacturer_name: str | None = strawberry.field(description="ManufacturerName, as sent.")
    lead_time: str | None = strawberry.field(description="LeadTime (days), as sent.")
    extrinsics: list[OrderExtrinsic] = strawberry.field(
        description="The line's Extrinsics (in ItemDetail), in order.",
        metadata=at_most(items=MAX_LINE_EXTRINSICS),
    )
    catalog_unit_price: str | None = strawberry.field(
        description="The catalog's price for the company when the order came in (its contract "
        "price valid on the order's `priceDate`, else the list price), as the catalog held it "
        "then: a later catalog change does not rewrite it. Null: the part was not in the "
        "catalog (or inactive), or the order came before prices were checked."
    )
    catalog_currency: str | None = strawberry.field(
        description="ISO 4217 currency of `catalogUnitPrice`."
    )
    catalog_price_source: CatalogPriceSource | None = strawberry.field(
        description="Whether `catalogUnitPrice` was a contract price or the list price."
    )
    price_mismatch: bool = strawberry.field(
        description="The catalog did not confirm the line's price: its unit price differs "
        "from `catalogUnitPrice` (compared exactly: 4.25 equals 4.250), or its currency "
        "from `catalogCurrency`, or its part is not in the catalog. False on lines of orders "
        "received before prices were checked (see `Order.priceExceptions`)."
    )

    @classmethod
    def from_row(cls, row: OrderLineRow) -> OrderLine:
        classifications = ClassificationRecord.list_from_json(row.classifications)
        return cls(
            line_number=row.line_number,
            quantity=quantity(row.quantity),
            supplier_part_id=row.supplier_part_id,
            supplier_part_auxiliary_id=row.supplier_part_auxiliary_id,
            description=row.description,
            unit_price=money(row.unit_price),
            currency=row.currency,
            unit_of_measure=row.unit_of_measure,
            unspsc=unspsc_of(classifications),
            requested_delivery_date=row.requested_delivery_date,
            classifications=[Classification.from_record(c) for c in classifications],
            manufacturer_part_id=row.manufacturer_part_id,
            manufacturer_name=row.manufacturer_name,
            lead_time=row.lead_time,
            extrinsics=[
                OrderExtrinsic(name=e.name, value=e.value)
                for e in Extrinsic.list_from_json(row.extrinsics)
            ],
            catalog_unit_price=money(row.catalog_unit_price),
            catalog_currency=row.catalog_currency,
            catalog_price_source=(
                CatalogPriceSource(row.catalog_price_source) if row.catalog_price_source else None
            ),
            price_mismatch=row.price_mismatch,
        )


@strawberry.type(description="A purchase order received over cXML (OrderRequest).")
class Order(relay.Node):
    id: relay.NodeID[int]
    _id = described_node_id("The order's ID here.")
    order_id: str = strawberry.field(description="The buyer's orderID.")
    order_type: str = strawberry.field(
        description="new, update or delete: the last request received for it."
    )
    order_date: str | None = strawberry.field(description="The buyer's orderDate, as sent.")
    deployment_mode: str = strawberry.field(description="production or test.")
    is_test: bool = strawberry.field(description="A test-mode order: not to be fulfilled.")
    received_at: datetime = strawberry.field(description="When it first arrived.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    customer_username: str = strawberry.field(description="The punchout customer who sent it.")
    total: str | None = strawberry.field(
        description="The order's total, as sent: every digit (at least cents)."
    )
    currency: str | None = strawberry.field(description="ISO 4217 currency of the total.")
    ship_to: Address | None = strawberry.field(description="Where to ship.")
    bill_to: Address | None = strawberry.field(description="Whom to bill.")
    shipping: Charge | None = strawberry.field(description="Shipping, as sent.")
    tax: Charge | None = strawberry.field(description="Tax, as sent.")
    comments: str | None = strawberry.field(description="The buyer's comments.")
    extrinsics: list[OrderExtrinsic] = strawberry.field(
        description="Every Extrinsic sent.", metadata=at_most(items=MAX_EXTRINSICS)
    )
    lines: list[OrderLine] = strawberry.field(
        description="The lines, by line number.", metadata=at_most(items=MAX_ORDER_LINES)
    )
    price_exceptions: int | None = strawberry.field(
        description="How many of its lines have `priceMismatch` (the catalog did not confirm "
        "their price, or their part), as checked when it came in (an update checks its lines "
        "again). 0: every line at the catalog's price. Null: received before prices were "
        "checked. Under OPSPORTAL_ORDER_PRICE_CHECK=reject such an order is refused instead."
    )
    price_date: date | None = strawberry.field(
        description="The day whose catalog prices its lines were checked against: the "
        "orderDate's day, else the day it was received. Null: not checked."
    )

    @strawberry.field(
        description="The files sent with it (MIME parts of its OrderRequests), oldest first.",
        metadata=at_most(items=MAX_ATTACHMENTS),
    )
    async def attachments(self, info: Info) -> list[OrderAttachment]:
        stored = await info.context.loaders.order_attachments.load(self.id)
        return [OrderAttachment.from_stored(a, info.context.settings.public_url) for a in stored]

    @classmethod
    def from_row(cls, row: OrderRow) -> Order:
        def charge(stored: dict[str, object] | None) -> Charge | None:
            sent = Money.from_json(stored)
            if sent is None:
                return None
            return Charge(
                amount=money(sent.amount), currency=sent.currency, description=sent.description
            )

        return cls(
            id=row.id,
            order_id=row.order_id,
            order_type=row.order_type,
            order_date=row.order_date,
            deployment_mode=row.deployment_mode,
            is_test=row.deployment_mode == "test",
            received_at=row.received_at,
            updated_at=row.updated_at,
            customer_username=row.customer.username,
            total=money(row.total),
            currency=row.currency,
            ship_to=Address.from_record(AddressRecord.from_json(row.ship_to)),
            bill_to=Address.from_record(AddressRecord.from_json(row.bill_to)),
            shipping=charge(row.shipping),
            tax=charge(row.tax),
            comments=row.comments,
            extrinsics=[
                OrderExtrinsic(name=e.name, value=e.value)
                for e in Extrinsic.list_from_json(row.extrinsics)
            ],
            lines=[
                OrderLine.from_row(line) for line in sorted(row.lines, key=lambda x: x.line_number)
            ],
            price_exceptions=row.price_exceptions,
            price_date=row.price_date,
        )


async def orders_page(
    first: int, after: str | None, *, company_id: int | None = None, customer_id: int | None = None
) -> relay.Connection[Order]:
    """Orders of one company or one customer (whose scope the caller has checked), newest
    first, each with its lines and customer fetched alongside (no query per order)."""
    first = bounded_first(first, ORDERS_CAP)
    query = (
        OrderRow.filter(company_id=company_id)
        if company_id is not None
        else OrderRow.filter(customer_id=customer_id)
    )
    if after is not None:
        query = query.filter(id__lt=decode_cursor(after, int)[0])
    rows = await query.order_by("-id").limit(first + 1).prefetch_related("lines", "customer")
    edges = [relay.Edge(cursor=encode_cursor(r.id), node=Order.from_row(r)) for r in rows[:first]]
    return relay.Connection(edges=edges, page_info=page_info(edges, len(rows) > first, bool(after)))


async def order_by_id(info: Info, id: strawberry.ID) -> Order | None:
    """The order if its company is in the viewer's scope; None when missing or out of it.
    Orders asked for together (aliased `node` fields) load in one batch."""
    row_id = parse_global_id(id, "Order")
    row = await info.context.loaders.reachable_orders.load(row_id) if row_id is not None else None
    return Order.from_row(row) if row else None
