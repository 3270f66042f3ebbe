"""A cart line as the storefront gives it, checked: every rule a line must meet before it
joins a cart (numbers exact and in range, units and classifications well formed, texts that
an XML document can carry), for the storefront's free-form lines and the catalog's alike."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from domain.errors import CartCode, CartRefused
from domain.limits import MAX_CLASSIFICATIONS, MAX_DESCRIPTION, currency_code
from domain.numbers import NotANumber, exact
from domain.records import Classification, unspsc_of

UNIT_OF_MEASURE = re.compile(r"^[A-Z0-9]{1,3}$")  # UN/CEFACT Recommendation 20 codes
UNSPSC = re.compile(r"^\d{8}(\d{2})?$")
MAX_QUANTITY = Decimal("1000000000")
MAX_LEAD_TIME = 3650  # days


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


def checked_line(line: LineInput) -> LineValues:
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


def exact_quantity(value: str) -> Decimal:
    """A quantity as typed: exact, above 0, below MAX_QUANTITY."""
    return _decimal(value, "quantity", positive=True)
