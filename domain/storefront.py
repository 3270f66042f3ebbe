"""A punchout session after setup: starting it, its cart, and handing the cart back.

The storefront (the supplier's shop pages in the buyer's browser) holds a session credential:
opaque, stored only as its SHA-256, good for that session's cart and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypedDict

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain.cart_lock import hold
from domain.errors import CartCode, CartRefused, SessionGone
from domain.limits import MAX_CLASSIFICATIONS, MAX_DESCRIPTION, currency_code
from domain.numbers import NotANumber, exact
from domain.records import (
    Cart,
    CartItem,
    Classification,
    Extrinsic,
    ItemOut,
    LineDetails,
    unspsc_of,
)
from domain.tokens import new_token, token_hash
from persistence.punchout_tables import CartLine, PunchoutSession
from persistence.tables import Customer

SESSION_TOKEN_PREFIX = "pos_"  # tells a session credential from a staff token at a glance
UNIT_OF_MEASURE = re.compile(r"^[A-Z0-9]{1,3}$")  # UN/CEFACT Recommendation 20 codes
UNSPSC = re.compile(r"^\d{8}(\d{2})?$")
MAX_QUANTITY = Decimal("1000000000")
# Far above real punchout carts; bounds the cart's page and the PunchOutOrderMessage.
MAX_CART_LINES = 1000
MAX_LEAD_TIME = 3650  # days


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
    unspsc: str | None = None  # a UNSPSC code; or one among the classifications
    supplier_part_auxiliary_id: str | None = None
    classifications: Sequence[Classification] = ()
    manufacturer_part_id: str | None = None
    manufacturer_name: str | None = None
    lead_time: int | None = None  # days


class LineValues(TypedDict):
    """A cart line's columns, checked: what a new CartLine is made of."""

    supplier_part_id: str
    supplier_part_auxiliary_id: str | None
    description: str
    quantity: Decimal
    unit_of_measure: str
    unit_price: Decimal
    currency: str
    classifications: list[dict[str, Any]]
    manufacturer_part_id: str | None
    manufacturer_name: str | None
    lead_time: str | None
    requested_delivery_date: str | None
    extrinsics: list[list[str]]


def _decimal(value: str, field: str, positive: bool) -> Decimal:
    """An exact number (domain/numbers.py), above 0 (or at least 0), below a billion."""
    sent = (value or "").strip()
    try:
        number = exact(sent)
    except NotANumber as problem:
        shown = sent if len(sent) <= 40 else sent[:40] + "..."
        raise CartRefused(CartCode.INVALID, f'{field} "{shown}" {problem}.', field) from None
    if number < 0 or (positive and number == 0):
        least = "above 0" if positive else "0 or more"
        raise CartRefused(CartCode.INVALID, f"{field} must be {least}.", field)
    if number >= MAX_QUANTITY:
        raise CartRefused(CartCode.INVALID, f"{field} must be below {MAX_QUANTITY:,}.", field)
    return number


def _text(value: str | None, field: str, what: str) -> str | None:
    text = (value or "").strip() or None
    if text is not None and len(text) > 255:
        raise CartRefused(CartCode.INVALID, f"{what} has at most 255 characters.", field)
    return text


def _classifications(line: LineInput) -> list[Classification]:
    """The line's classifications in order; `unspsc` first unless one of them is UNSPSC."""
    found = [Classification(c.domain.strip(), c.value.strip()) for c in line.classifications]
    field = "classifications"
    if len(found) > MAX_CLASSIFICATIONS:
        raise CartRefused(
            CartCode.INVALID, f"A line has at most {MAX_CLASSIFICATIONS} classifications.", field
        )
    for c in found:
        if not c.domain or not c.value or len(c.domain) > 64 or len(c.value) > 255:
            raise CartRefused(
                CartCode.INVALID,
                "A classification has a domain (e.g. UNSPSC, eCl@ss) and a code.",
                field,
            )
        if c.domain.upper() == "UNSPSC" and not UNSPSC.match(c.value):
            raise CartRefused(CartCode.INVALID, "The UNSPSC code has 8 (or 10) digits.", field)
    unspsc = line.unspsc.strip() if line.unspsc is not None else None
    if unspsc is not None:
        if not UNSPSC.match(unspsc):
            raise CartRefused(CartCode.INVALID, "The UNSPSC code has 8 (or 10) digits.", "unspsc")
        sent = unspsc_of(found)
        if sent is None:
            found.insert(0, Classification("UNSPSC", unspsc))
        elif sent != unspsc:
            raise CartRefused(
                CartCode.INVALID, "unspsc differs from the UNSPSC classification.", "unspsc"
            )
    if not found:
        raise CartRefused(
            CartCode.INVALID,
            "A line needs a classification: a UNSPSC code, or classifications.",
            "unspsc",
        )
    return found


def _clean(line: LineInput) -> LineValues:
    part = line.supplier_part_id.strip()
    if not part or len(part) > 255:
        raise CartRefused(
            CartCode.INVALID, "A supplier part ID has 1-255 characters.", "supplierPartId"
        )
    aux = _text(line.supplier_part_auxiliary_id, "supplierPartAuxiliaryId", "An auxiliary ID")
    description = line.description.strip()
    if not description:
        raise CartRefused(CartCode.INVALID, "A line needs a description.", "description")
    if len(description) > MAX_DESCRIPTION:  # what the cart message and the session carry
        raise CartRefused(
            CartCode.INVALID,
            f"A description has at most {MAX_DESCRIPTION:,} characters.",
            "description",
        )
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
    if line.lead_time is not None and not 0 <= line.lead_time <= MAX_LEAD_TIME:
        raise CartRefused(CartCode.INVALID, f"The lead time is 0-{MAX_LEAD_TIME} days.", "leadTime")
    values: LineValues = {
        "supplier_part_id": part,
        "supplier_part_auxiliary_id": aux,
        "description": description,
        "quantity": _decimal(line.quantity, "quantity", positive=True),
        "unit_of_measure": uom,
        "unit_price": _decimal(line.unit_price, "unitPrice", positive=False),
        "currency": currency,
        "classifications": [c.to_json() for c in _classifications(line)],
        "manufacturer_part_id": _text(
            line.manufacturer_part_id, "manufacturerPartId", "A manufacturer part ID"
        ),
        "manufacturer_name": _text(
            line.manufacturer_name, "manufacturerName", "A manufacturer name"
        ),
        "lead_time": None if line.lead_time is None else str(line.lead_time),
        "requested_delivery_date": None,
        "extrinsics": [],
    }
    _xml_text(values)
    return values


# What an XML 1.0 document cannot carry: the cart message could not be built (and the
# session would have ended for nothing), so it is refused when typed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(values: LineValues) -> None:
    texts = [
        ("supplierPartId", values["supplier_part_id"]),
        ("supplierPartAuxiliaryId", values["supplier_part_auxiliary_id"]),
        ("description", values["description"]),
        ("manufacturerPartId", values["manufacturer_part_id"]),
        ("manufacturerName", values["manufacturer_name"]),
    ]
    texts += [("classifications", c[k]) for c in values["classifications"] for k in c]
    for field, text in texts:
        if text and NOT_XML.search(text):
            raise CartRefused(
                CartCode.INVALID, "Control characters cannot go into the cart message.", field
            )


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


async def add_line(session: PunchoutSession, line: LineInput) -> CartLine:
    editable(session)
    values = _clean(line)
    async with in_transaction() as conn:
        await hold(session, conn)  # the cap and the currency hold until the commit
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
    value = _decimal(quantity, "quantity", positive=True)
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
