"""Purchase orders in: storing an OrderRequest once, however often the buyer retries it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from domain import attachments, cxml_log
from domain.access import Ability, Viewer
from domain.attachments import Attachment
from domain.cxml_log import Exchange
from domain.errors import CxmlRefused, Failure
from domain.records import Address, Extrinsic, LineDetails, Money
from persistence.punchout_tables import CxmlReceipt, Order, OrderLine
from persistence.tables import Company, Customer

ORDER_TYPES = ("new", "update", "delete")


@dataclass(frozen=True)
class OrderLineData:
    line_number: int
    quantity: Decimal
    supplier_part_id: str
    supplier_part_auxiliary_id: str | None = None
    description: str | None = None
    unit_price: Decimal | None = None
    currency: str | None = None
    unit_of_measure: str | None = None
    details: LineDetails = LineDetails()  # classifications, manufacturer, dates... as sent


@dataclass(frozen=True)
class OrderData:
    order_id: str
    order_type: str
    order_date: str | None
    deployment_mode: str
    payload_id: str
    total: Decimal | None
    currency: str | None
    ship_to: Address | None
    bill_to: Address | None
    shipping: Money | None
    tax: Money | None
    comments: str | None
    extrinsics: tuple[Extrinsic, ...]
    lines: tuple[OrderLineData, ...]


class _Request(TypedDict):
    """The columns every request of an order sets, a delete too."""

    order_type: str
    deployment_mode: str
    payload_id: str


class _Content(_Request):
    """The columns a new order or an update sets."""

    order_date: str | None
    total: Decimal | None
    currency: str | None
    ship_to: dict[str, Any] | None
    bill_to: dict[str, Any] | None
    shipping: dict[str, Any] | None
    tax: dict[str, Any] | None
    comments: str | None
    extrinsics: list[list[str]]


@dataclass
class Received:
    response_body: bytes
    replayed: bool  # a retry of a request already served: nothing was stored again


async def _replay(customer: Customer, payload_id: str, body_sha256: str) -> Received | None:
    receipt = await CxmlReceipt.get_or_none(customer_id=customer.id, payload_id=payload_id)
    if receipt is None:
        return None
    if receipt.body_sha256 != body_sha256:
        raise CxmlRefused(
            Failure.DUPLICATE_PAYLOAD,
            "This payloadID was used before for a different document.",
            f"payloadID {payload_id!r} came before with a different document.",
            customer.id,
        )
    return Received(receipt.response_body.encode("utf-8"), replayed=True)


async def receive(
    customer: Customer,
    data: OrderData,
    body_sha256: str,
    response: bytes,
    exchange: Exchange,
    attached: Sequence[Attachment] = (),
) -> Received:
    """Store the order, its attachments, its receipt and the exchange in one transaction; a
    retry with the same payloadID and document (`body_sha256`: attachments included, see
    `attachments.request_digest`) gets the first answer back and stores nothing."""
    replay = await _replay(customer, data.payload_id, body_sha256)
    if replay is not None:
        return replay
    try:
        async with in_transaction() as conn:
            await CxmlReceipt.create(
                customer=customer,
                payload_id=data.payload_id,
                body_sha256=body_sha256,
                response_body=response.decode("utf-8"),
                using_db=conn,
            )
            await _apply(customer, data, conn)
            await attachments.store(customer.id, data.order_id, data.payload_id, attached, conn)
            await cxml_log.record(exchange, using=conn)
    except IntegrityError:
        # A concurrent copy won the race: answer as it was answered.
        replay = await _replay(customer, data.payload_id, body_sha256)
        if replay is not None:
            return replay
        raise _duplicate(customer, data) from None
    return Received(response, replayed=False)


def _duplicate(customer: Customer, data: OrderData) -> CxmlRefused:
    return CxmlRefused(
        Failure.DUPLICATE_ORDER,
        f'Order {data.order_id} exists already; send type="update" to change it.',
        f"A new order {data.order_id!r} came before from this customer.",
        customer.id,
    )


async def _apply(customer: Customer, data: OrderData, conn: BaseDBAsyncClient) -> None:
    existing = (
        await Order.filter(customer_id=customer.id, order_id=data.order_id)
        .using_db(conn)
        .select_for_update()
        .first()
    )
    if data.order_type == "new" and existing is not None:
        raise _duplicate(customer, data)
    if data.order_type != "new" and existing is None:
        raise CxmlRefused(
            Failure.UNKNOWN_ORDER,
            f"There is no order {data.order_id} to {data.order_type}.",
            f"An {data.order_type} of order {data.order_id!r}, which this customer never sent.",
            customer.id,
        )
    request: _Request = {
        "order_type": data.order_type,
        "deployment_mode": data.deployment_mode,
        "payload_id": data.payload_id[:255],
    }
    if data.order_type == "delete":
        assert existing is not None
        await Order.filter(id=existing.id).using_db(conn).update(**request)
        return
    values: _Content = {
        **request,
        "order_date": data.order_date,
        "total": data.total,
        "currency": data.currency,
        "ship_to": data.ship_to.to_json() if data.ship_to else None,
        "bill_to": data.bill_to.to_json() if data.bill_to else None,
        "shipping": data.shipping.to_json() if data.shipping else None,
        "tax": data.tax.to_json() if data.tax else None,
        "comments": data.comments,
        "extrinsics": Extrinsic.list_to_json(data.extrinsics),
    }
    if existing is None:
        order = await Order.create(
            customer=customer,
            company_id=customer.company_id,
            order_id=data.order_id,
            using_db=conn,
            **values,
        )
    else:
        order = existing
        await Order.filter(id=order.id).using_db(conn).update(**values)
        await OrderLine.filter(order_id=order.id).using_db(conn).delete()
    await OrderLine.bulk_create(
        [
            OrderLine(
                order_id=order.id,
                line_number=line.line_number,
                quantity=line.quantity,
                supplier_part_id=line.supplier_part_id,
                supplier_part_auxiliary_id=line.supplier_part_auxiliary_id,
                description=line.description,
                unit_price=line.unit_price,
                currency=line.currency,
                unit_of_measure=line.unit_of_measure,
                classifications=[c.to_json() for c in line.details.classifications],
                requested_delivery_date=line.details.requested_delivery_date,
                manufacturer_part_id=line.details.manufacturer_part_id,
                manufacturer_name=line.details.manufacturer_name,
                lead_time=line.details.lead_time,
                extrinsics=Extrinsic.list_to_json(line.details.extrinsics),
            )
            for line in data.lines
        ],
        using_db=conn,
    )


async def reachable_orders(viewer: Viewer | None, order_ids: Sequence[int]) -> list[Order]:
    """Those of the orders whose company the viewer may reach (the rule of `get_customer`),
    each with its customer and lines: two statements, however many ids."""
    if viewer is None or not viewer.can(Ability.REACH_COMPANIES) or not order_ids:
        return []
    query = Order.filter(id__in=list(order_ids))
    if viewer.scoped:
        reachable = Company.filter(viewer.company_scope()).values("id")
        query = query.filter(company_id__in=Subquery(reachable))
    return await query.select_related("customer").prefetch_related("lines")
