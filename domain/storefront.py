"""A punchout session after setup: starting it, its cart, and handing the cart back.

The storefront (the supplier's shop pages in the buyer's browser) holds a session credential:
opaque, stored only as its SHA-256, good for that session's cart and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TypedDict

from tortoise.transactions import in_transaction

from domain.errors import CartCode, CartRefused, SessionGone
from domain.limits import currency_code
from domain.records import Cart, CartItem, ItemOut, unspsc_of
from domain.tokens import new_token, token_hash
from persistence.punchout_tables import CartLine, PunchoutSession
from persistence.tables import Customer

SESSION_TOKEN_PREFIX = "pos_"  # tells a session credential from a staff token at a glance
UNIT_OF_MEASURE = re.compile(r"^[A-Z0-9]{1,3}$")  # UN/CEFACT Recommendation 20 codes
UNSPSC = re.compile(r"^\d{8}(\d{2})?$")
MAX_QUANTITY = Decimal("1000000000")
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


@dataclass
class LineInput:
    supplier_part_id: str
    description: str
    quantity: str
    unit_of_measure: str
    unit_price: str
    currency: str
    unspsc: str
    supplier_part_auxiliary_id: str | None = None


class LineValues(TypedDict):
    """A cart line's columns, checked: what a new CartLine is made of."""

    supplier_part_id: str
    supplier_part_auxiliary_id: str | None
    description: str
    quantity: Decimal
    unit_of_measure: str
    unit_price: Decimal
    currency: str
    unspsc: str


def _decimal(value: str, field: str, minimum: Decimal, places: int) -> Decimal:
    try:
        number = Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        number = Decimal("NaN")
    if not number.is_finite() or number < minimum or number >= MAX_QUANTITY:
        raise CartRefused(
            CartCode.INVALID, f"{field} must be a number of at least {minimum}.", field
        )
    exponent = number.as_tuple().exponent  # an int: the number is finite
    if isinstance(exponent, int) and -exponent > places:
        raise CartRefused(CartCode.INVALID, f"{field} has at most {places} decimal places.", field)
    return number


def _clean(line: LineInput) -> LineValues:
    part = line.supplier_part_id.strip()
    if not part or len(part) > 255:
        raise CartRefused(
            CartCode.INVALID, "A supplier part ID has 1-255 characters.", "supplierPartId"
        )
    aux = (line.supplier_part_auxiliary_id or "").strip() or None
    if aux is not None and len(aux) > 255:
        raise CartRefused(
            CartCode.INVALID,
            "An auxiliary ID has at most 255 characters.",
            "supplierPartAuxiliaryId",
        )
    description = line.description.strip()
    if not description:
        raise CartRefused(CartCode.INVALID, "A line needs a description.", "description")
    uom = line.unit_of_measure.strip().upper()
    if not UNIT_OF_MEASURE.match(uom):
        raise CartRefused(
            CartCode.INVALID,
            "The unit of measure is a UN/CEFACT code, e.g. EA or BX.",
            "unitOfMeasure",
        )
    currency = currency_code(line.currency)
    if currency is None:
        raise CartRefused(
            CartCode.INVALID, "The currency is an ISO 4217 code, e.g. EUR.", "currency"
        )
    unspsc = line.unspsc.strip()
    if not UNSPSC.match(unspsc):
        raise CartRefused(CartCode.INVALID, "The UNSPSC code has 8 (or 10) digits.", "unspsc")
    return {
        "supplier_part_id": part,
        "supplier_part_auxiliary_id": aux,
        "description": description,
        "quantity": _positive_quantity(line.quantity),
        "unit_of_measure": uom,
        "unit_price": _decimal(line.unit_price, "unitPrice", Decimal(0), 4),
        "currency": currency,
        "unspsc": unspsc,
    }


def _positive_quantity(value: str) -> Decimal:
    return _decimal(value, "quantity", Decimal("0.001"), 3)


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
        unspsc=row.unspsc,
    )


def _cart(rows: list[CartLine], default_currency: str) -> Cart:
    items = tuple(_item(r) for r in rows)
    return Cart(items, items[0].currency if items else default_currency)


async def cart(session: PunchoutSession, default_currency: str) -> Cart:
    """The session's cart, lines in the order added."""
    return _cart(await CartLine.filter(session_id=session.id).order_by("id"), default_currency)


async def cart_lines(session: PunchoutSession, line_ids: Sequence[int]) -> list[CartItem]:
    """Those of the lines that are in this session's cart: one statement, however many ids."""
    return [_item(r) for r in await CartLine.filter(session_id=session.id, id__in=list(line_ids))]


def is_session_credential(token: str | None) -> bool:
    """Whether a bearer token has the form of a session credential (not whether it is open)."""
    return token is not None and token.startswith(SESSION_TOKEN_PREFIX)


async def _same_currency(session: PunchoutSession, currency: str, line_id: int | None) -> None:
    other = await CartLine.filter(session_id=session.id).exclude(id=line_id or 0).first()
    if other is not None and other.currency != currency:
        raise CartRefused(
            CartCode.INVALID,
            f"This cart is in {other.currency}; a line cannot be in {currency}.",
            "currency",
        )


async def add_line(session: PunchoutSession, line: LineInput) -> CartLine:
    editable(session)
    values = _clean(line)
    if await CartLine.filter(session_id=session.id).count() >= MAX_CART_LINES:
        raise CartRefused(
            CartCode.CART_FULL,
            f"A cart holds at most {MAX_CART_LINES:,} lines: transfer this one first.",
        )
    await _same_currency(session, values["currency"], None)
    return await CartLine.create(session_id=session.id, **values)


async def _line(session: PunchoutSession, line_id: int) -> CartLine:
    found = await CartLine.get_or_none(id=line_id, session_id=session.id)
    if found is None:
        raise CartRefused(CartCode.NOT_FOUND, "No such line in this cart.", "lineId")
    return found


async def set_quantity(session: PunchoutSession, line_id: int, quantity: str) -> CartLine:
    editable(session)
    line = await _line(session, line_id)
    line.quantity = _positive_quantity(quantity)
    await line.save(update_fields=["quantity"])
    return line


async def remove_line(session: PunchoutSession, line_id: int) -> None:
    editable(session)
    await (await _line(session, line_id)).delete()


@dataclass(frozen=True)
class Transfer:
    session: PunchoutSession
    customer: Customer
    cart: Cart


async def end(session: PunchoutSession, default_currency: str) -> Transfer:
    """End the session for its cart's transfer; the credential stops working."""
    if not session.browser_form_post:
        raise CartRefused(
            CartCode.NO_RETURN_URL,
            "The buyer's system sent no BrowserFormPost URL, so there is nowhere to send the "
            "cart; ask the buyer to configure one.",
        )
    async with in_transaction() as conn:
        ended = (
            await PunchoutSession.filter(id=session.id, ended_at=None)
            .using_db(conn)
            .update(ended_at=datetime.now(UTC))
        )
        if ended != 1:
            raise CartRefused(CartCode.NOT_FOUND, "This punchout session has ended already.")
        rows = await CartLine.filter(session_id=session.id).using_db(conn).order_by("id")
    return Transfer(session, session.customer, _cart(list(rows), default_currency))


def _lenient(value: object, default: Decimal, step: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return default
    if not number.is_finite() or not 0 <= number < MAX_QUANTITY:
        return default
    return number.quantize(Decimal(step))


def initial_lines(items: Sequence[ItemOut], default_currency: str) -> list[LineValues]:
    """Cart lines from the ItemOut lines an edit or inspect request sent, kept as sent where
    they are usable: a line the buyer sent is theirs to see again, not ours to refuse."""
    return [
        {
            "supplier_part_id": (item.supplier_part_id or "")[:255],
            "supplier_part_auxiliary_id": (item.supplier_part_auxiliary_id or "")[:255] or None,
            "description": item.description or "",
            "quantity": _lenient(item.quantity, Decimal(1), "0.001"),
            "unit_of_measure": (item.unit_of_measure or "EA")[:3].upper(),
            "unit_price": _lenient(item.unit_price, Decimal(0), "0.0001"),
            "currency": (item.currency or default_currency)[:3].upper(),
            "unspsc": (unspsc_of(item.classifications) or "")[:16],
        }
        for item in items
    ]
