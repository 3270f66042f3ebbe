"""A punchout session after setup: starting it, its cart, and handing the cart back.

The storefront (the supplier's shop pages in the buyer's browser) holds a session credential:
opaque, stored only as its SHA-256, good for that session's cart and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain.cart_input import (
    LineInput,
    LineValues,
    checked_line,
    exact_quantity,
)
from domain.cart_lock import hold
from domain.errors import CartCode, CartRefused, SessionGone
from domain.numbers import exact
from domain.records import (
    Cart,
    CartItem,
    Classification,
    Extrinsic,
    ItemOut,
    LineDetails,
)
from domain.tokens import new_token, token_hash
from persistence.punchout_tables import CartLine, PunchoutSession
from persistence.tables import Customer

SESSION_TOKEN_PREFIX = "pos_"  # tells a session credential from a staff token at a glance
# Far above real punchout carts; bounds the cart's page and the PunchOutOrderMessage.
MAX_CART_LINES = 1000


async def start(start_token: str, ttl: timedelta) -> str:
    """Consume a one-time start token; the storefront's session credential."""
    now = datetime.now(UTC)
    credential = new_token(SESSION_TOKEN_PREFIX)
    # One conditional UPDATE: of two browsers opening the same URL, exactly one gets it.
    started = await PunchoutSession.filter(
        start_token_hash=token_hash(start_token), started_at=None, start_expires_at__gt=now
    ).update(
        started_at=now, session_token_hash=token_hash(credential), session_expires_at=now + ttl
    )
    if started != 1:
        raise SessionGone()
    return credential


async def session_for(credential: str) -> PunchoutSession | None:
    """The open session a credential belongs to, with its customer and company."""
    if not is_session_credential(credential):
        return None
    return (
        await PunchoutSession.filter(
            session_token_hash=token_hash(credential),
            session_expires_at__gt=datetime.now(UTC),
            ended_at=None,
        )
        .select_related("customer__company")
        .first()
    )


def is_read_only(session: PunchoutSession) -> bool:
    """An inspect session shows the buyer's cart; nothing in it may change."""
    return session.operation == "inspect"


def editable(session: PunchoutSession) -> None:
    if is_read_only(session):
        raise CartRefused(CartCode.READ_ONLY, "An inspect session's cart cannot be changed.")


def _item(row: CartLine) -> CartItem:
    return CartItem(
        id=row.id,
        supplier_part_id=row.supplier_part_id,
        supplier_part_auxiliary_id=row.supplier_part_auxiliary_id,
        description=row.description,
        quantity=Decimal(row.quantity),
        unit_of_measure=row.unit_of_measure,
        unit_price=Decimal(row.unit_price),
        currency=row.currency,
        details=LineDetails(
            classifications=Classification.list_from_json(row.classifications),
            manufacturer_part_id=row.manufacturer_part_id,
            manufacturer_name=row.manufacturer_name,
            lead_time=row.lead_time,
            extrinsics=Extrinsic.list_from_json(row.extrinsics),
            requested_delivery_date=row.requested_delivery_date,
        ),
    )


def _cart(rows: list[CartLine], default_currency: str) -> Cart:
    items = tuple(_item(r) for r in rows)
    return Cart(items, items[0].currency if items else default_currency)


async def cart(
    session: PunchoutSession, default_currency: str, using: BaseDBAsyncClient | None = None
) -> Cart:
    """The session's cart, lines in the order added."""
    rows = await CartLine.filter(session_id=session.id).using_db(using).order_by("id")
    return _cart(list(rows), default_currency)


async def cart_lines(session: PunchoutSession, line_ids: Sequence[int]) -> list[CartItem]:
    """Those of the lines that are in this session's cart: one statement, however many ids."""
    return [_item(r) for r in await CartLine.filter(session_id=session.id, id__in=list(line_ids))]


def is_session_credential(token: str | None) -> bool:
    """Whether a bearer token has the form of a session credential (not whether it is open)."""
    return token is not None and token.startswith(SESSION_TOKEN_PREFIX)


async def _same_currency(session: PunchoutSession, currency: str, conn: BaseDBAsyncClient) -> None:
    other = await CartLine.filter(session_id=session.id).using_db(conn).first()
    if other is not None and other.currency != currency:
        raise CartRefused(
            CartCode.INVALID,
            f"This cart is in {other.currency}; a line cannot be in {currency}.",
            "currency",
        )


async def _same_item(
    session: PunchoutSession, values: LineValues, conn: BaseDBAsyncClient
) -> CartLine | None:
    """The cart's line of this very item at this very price, with nothing the buyer sent."""
    rows = await CartLine.filter(
        session_id=session.id,
        supplier_part_id=values["supplier_part_id"],
        supplier_part_auxiliary_id=values["supplier_part_auxiliary_id"],
        unit_of_measure=values["unit_of_measure"],
        currency=values["currency"],
    ).using_db(conn)
    item = (values["unit_price"], values["classifications"], values["manufacturer_name"])
    found = (
        r
        for r in rows
        if (r.unit_price, r.classifications, r.manufacturer_name) == item and not r.extrinsics
    )
    return next(found, None)


async def add_line(session: PunchoutSession, line: LineInput, *, merge: bool = False) -> CartLine:
    """A new line; with `merge` (a catalog product), the line of the same item at the same
    price takes the quantity instead, if the cart has one."""
    editable(session)
    values = checked_line(line)
    async with in_transaction() as conn:
        await hold(session, conn)  # the cap and the currency hold until the commit
        if merge and (same := await _same_item(session, values, conn)) is not None:
            total = Decimal(same.quantity) + values["quantity"]
            same.quantity = exact_quantity(format(total, "f"))
            await same.save(update_fields=["quantity"], using_db=conn)
            return same
        if await CartLine.filter(session_id=session.id).using_db(conn).count() >= MAX_CART_LINES:
            raise CartRefused(
                CartCode.CART_FULL,
                f"A cart holds at most {MAX_CART_LINES:,} lines: transfer this one first.",
            )
        await _same_currency(session, values["currency"], conn)
        return await CartLine.create(session_id=session.id, using_db=conn, **values)


async def _line(session: PunchoutSession, line_id: int, conn: BaseDBAsyncClient) -> CartLine:
    await hold(session, conn)  # not changed once transferred
    found = await CartLine.get_or_none(id=line_id, session_id=session.id, using_db=conn)
    if found is None:
        raise CartRefused(CartCode.NOT_FOUND, "No such line in this cart.", "lineId")
    return found


async def set_quantity(session: PunchoutSession, line_id: int, quantity: str) -> CartLine:
    editable(session)
    value = exact_quantity(quantity)
    async with in_transaction() as conn:
        line = await _line(session, line_id, conn)
        line.quantity = value
        await line.save(update_fields=["quantity"], using_db=conn)
    return line


async def remove_line(session: PunchoutSession, line_id: int) -> None:
    editable(session)
    async with in_transaction() as conn:
        await (await _line(session, line_id, conn)).delete(using_db=conn)


@dataclass(frozen=True)
class Transfer:
    """A cart being handed back (domain/cart_transfer.py): the session, and its cart."""

    session: PunchoutSession
    customer: Customer
    cart: Cart


def initial_lines(items: Sequence[ItemOut], default_currency: str) -> list[LineValues]:
    """Cart lines from the ItemOut lines an edit or inspect request sent, kept as sent: every
    digit of quantity and price (cxml/parse.py refused the request if one was no number; a
    missing one is 1, and 0), every classification and detail."""
    return [
        {
            "supplier_part_id": (item.supplier_part_id or "")[:255],
            "supplier_part_auxiliary_id": (item.supplier_part_auxiliary_id or "")[:255] or None,
            "description": item.description or "",
            "quantity": exact(item.quantity) if item.quantity else Decimal(1),
            "unit_of_measure": (item.unit_of_measure or "EA")[:3].upper(),
            "unit_price": exact(item.unit_price) if item.unit_price else Decimal(0),
            "currency": (item.currency or default_currency)[:3].upper(),
            "classifications": [c.to_json() for c in item.details.classifications],
            "manufacturer_part_id": item.details.manufacturer_part_id,
            "manufacturer_name": item.details.manufacturer_name,
            "lead_time": item.details.lead_time,
            "requested_delivery_date": item.details.requested_delivery_date,
            "extrinsics": Extrinsic.list_to_json(item.details.extrinsics),
        }
        for item in items
    ]
