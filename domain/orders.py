"""Purchase orders in: storing an OrderRequest once, however often the buyer retries it, its
lines checked against the catalog (domain/order_prices.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
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
from domain.order_prices import PriceCheck, PriceCheckMode, check_prices
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
    price_exceptions: int
    price_date: date


@dataclass
class Received:
    response_body: bytes
    replayed: bool  # a retry of a request already served: nothing was stored again
    # A refusal answered (and remembered for retries) rather than raised: the order was
    # refused for its prices (PRICE_MISMATCH), and nothing of it stored.
    failure: Failure | None = None


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
    failure = Failure[receipt.failure] if receipt.failure else None
    return Received(receipt.response_body.encode("utf-8"), replayed=True, failure=failure)


async def receive(
    customer: Customer,
    data: OrderData,
    body_sha256: str,
    response: bytes,
    exchange: Exchange,
    attached: Sequence[Attachment] = (),
    *,
    mode: PriceCheckMode,
    refused: Callable[[CxmlRefused], bytes],
) -> Received:
    """Store the order, its attachments, its receipt and the exchange in one transaction; a
    retry with the same payloadID and document (`body_sha256`: attachments included, see
    `attachments.request_digest`) gets the first answer back and stores nothing.

    Its lines are checked against the catalog as it is stored; under `mode` REJECT an order
    with a flagged line is refused instead: nothing of it is stored, but the refusal is, with
    the exchange, in one transaction (`refused` answers it and completes the exchange), and a
    retry gets it again."""
    replay = await _replay(customer, data.payload_id, body_sha256)
    if replay is not None:
        return replay
    received_on = exchange.received_at.date()
    try:
        async with in_transaction() as conn:
            await CxmlReceipt.create(
                customer=customer,
                payload_id=data.payload_id,
                body_sha256=body_sha256,
                response_body=response.decode("utf-8"),
                using_db=conn,
            )
            await _apply(customer, data, conn, mode, received_on)
            await attachments.store(customer.id, data.order_id, data.payload_id, attached, conn)
            await cxml_log.record(exchange, using=conn)
    except CxmlRefused as refusal:
        if refusal.failure is not Failure.PRICE_MISMATCH:
            raise
        answer = refused(refusal)
        return await _remember(customer, data.payload_id, body_sha256, refusal, answer, exchange)
    except IntegrityError:
        # A concurrent copy won the race: answer as it was answered.
        replay = await _replay(customer, data.payload_id, body_sha256)
        if replay is not None:
            return replay
        raise _duplicate(customer, data) from None
    return Received(response, replayed=False)


async def _remember(
    customer: Customer,
    payload_id: str,
    body_sha256: str,
    refusal: CxmlRefused,
    answer: bytes,
    exchange: Exchange,
) -> Received:
    """A refusal kept under its payloadID, so that a retry is refused alike even once the
    catalog or the setting has changed; and the exchange that brought it."""
    try:
        async with in_transaction() as conn:
            await CxmlReceipt.create(
                customer=customer,
                payload_id=payload_id,
                body_sha256=body_sha256,
                response_body=answer.decode("utf-8"),
                failure=refusal.failure.name,
                using_db=conn,
            )
            await cxml_log.record(exchange, using=conn)
    except IntegrityError:
        replay = await _replay(customer, payload_id, body_sha256)  # a concurrent copy's
        if replay is not None:
            return replay
        raise
    return Received(answer, replayed=False, failure=refusal.failure)


def _duplicate(customer: Customer, data: OrderData) -> CxmlRefused:
    return CxmlRefused(
        Failure.DUPLICATE_ORDER,
        f'Order {data.order_id} exists already; send type="update" to change it.',
        f"A new order {data.order_id!r} came before from this customer.",
        customer.id,
    )


async def _apply(
    customer: Customer,
    data: OrderData,
    conn: BaseDBAsyncClient,
    mode: PriceCheckMode,
    received_on: date,
) -> None:
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
    # In the transaction, after the order's own checks: the catalog as it is now.
    prices = await check_prices(customer.company_id, data.lines, data.order_date, received_on)
    if mode is PriceCheckMode.REJECT and prices.exceptions:
        raise prices.refusal(customer.id)
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
        "price_exceptions": len(prices.exceptions),
        "price_date": prices.day,
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
    await OrderLine.bulk_create(_lines(order.id, data.lines, prices), using_db=conn)


def _lines(order_id: int, lines: Sequence[OrderLineData], prices: PriceCheck) -> list[OrderLine]:
    """The rows of the lines: exactly as sent, and beside each the catalog's price as the
    catalog holds it now."""
    rows = []
    for line, checked in zip(lines, prices.lines, strict=True):
        rows.append(
            OrderLine(
                order_id=order_id,
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
                catalog_unit_price=checked.catalog_unit_price,
                catalog_currency=checked.catalog_currency,
                catalog_price_source=checked.source,
                price_mismatch=checked.mismatch,
            )
        )
    return rows


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
