"""What a product and a contract price must be: the checks every way in shares (the staff
API, the CSV imports, the demo), each refusal a CatalogRefused naming the input field.

Every text of a product ends up in a PunchOutOrderMessage (XML 1.0): characters XML cannot
carry are refused where they are typed, as the cart's are. Prices are exact decimals
(domain/numbers.py) within the cart's bound, so that a product always fits a cart line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import CatalogCode, CatalogRefused
from domain.limits import MAX_CLASSIFICATIONS, MAX_DESCRIPTION, currency_code
from domain.numbers import NotANumber, exact
from domain.records import Classification
from domain.text import code_key, german_words, words
from domain.unit_codes import unit_code
from domain.urls import UrlRefused, checked_url, shown

# The cart's bounds (domain.cart_input's MAX_QUANTITY and MAX_LEAD_TIME; a test keeps them
# equal): a catalog price or lead time the cart would refuse is refused here already.
MAX_PRICE = Decimal("1000000000")
MAX_LEAD_TIME_DAYS = 3650
TEXT_MAX = 255
UNSPSC = re.compile(r"^\d{8}(\d{2})?$")
# Controls (NUL among them), lone surrogates and noncharacters: no XML 1.0 document holds them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CLEARABLE = frozenset(
    {
        "supplier_part_auxiliary_id",
        "manufacturer_name",
        "manufacturer_part_id",
        "lead_time_days",
        "image_url",
    }
)


@dataclass(frozen=True)
class ProductInput:
    """A new product, as typed or read from a file (prices as text: every digit kept)."""

    supplier_part_id: str
    name: str
    unit_price: str
    currency: str
    unit_of_measure: str
    classifications: Sequence[Classification]
    description: str = ""
    supplier_part_auxiliary_id: str | None = None
    manufacturer_name: str | None = None
    manufacturer_part_id: str | None = None
    lead_time_days: int | None = None
    image_url: str | None = None
    active: bool = True


@dataclass(frozen=True)
class ProductChange:
    """Changes to a product: None keeps a value; `clear` names the optional fields to empty
    (of CLEARABLE)."""

    supplier_part_id: str | None = None
    name: str | None = None
    unit_price: str | None = None
    currency: str | None = None
    unit_of_measure: str | None = None
    classifications: Sequence[Classification] | None = None
    description: str | None = None
    supplier_part_auxiliary_id: str | None = None
    manufacturer_name: str | None = None
    manufacturer_part_id: str | None = None
    lead_time_days: int | None = None
    image_url: str | None = None
    active: bool | None = None
    clear: frozenset[str] = frozenset()


def _xml_safe(text: str, field: str) -> str:
    if NOT_XML.search(text):
        raise CatalogRefused(
            CatalogCode.INVALID, f"{field} holds a character XML cannot carry.", field
        )
    return text


def required_text(value: str, field: str, limit: int = TEXT_MAX) -> str:
    """A text the product must have: trimmed (a name's inner spaces collapsed), 1-`limit`
    characters."""
    text = " ".join(value.split()) if field == "name" else value.strip()
    if not text:
        raise CatalogRefused(CatalogCode.REQUIRED, f"{field} is required.", field)
    if len(text) > limit:
        raise CatalogRefused(
            CatalogCode.INVALID, f"{field} has at most {limit:,} characters.", field
        )
    return _xml_safe(text, field)


def optional_text(value: str | None, field: str, limit: int = TEXT_MAX) -> str | None:
    """A text the product may have: trimmed; blank is none."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > limit:
        raise CatalogRefused(
            CatalogCode.INVALID, f"{field} has at most {limit:,} characters.", field
        )
    return _xml_safe(text, field)


def description(value: str) -> str:
    text = value.strip()
    if len(text) > MAX_DESCRIPTION:
        raise CatalogRefused(
            CatalogCode.INVALID,
            f"description has at most {MAX_DESCRIPTION:,} characters.",
            "description",
        )
    return _xml_safe(text, "description")


def price(value: str, field: str = "unitPrice") -> Decimal:
    """An exact price: 0 or more, below a billion, every digit as given."""
    sent = value.strip()
    try:
        number = exact(sent)
    except NotANumber as problem:
        quoted = sent if len(sent) <= 40 else sent[:40] + "..."
        raise CatalogRefused(CatalogCode.INVALID, f'{field} "{quoted}" {problem}.', field) from None
    if number < 0:
        raise CatalogRefused(CatalogCode.INVALID, f"{field} must be 0 or more.", field)
    if number >= MAX_PRICE:
        raise CatalogRefused(CatalogCode.INVALID, f"{field} must be below {MAX_PRICE:,}.", field)
    return number


def currency(value: str) -> str:
    code = currency_code(value)
    if code is None:
        raise CatalogRefused(
            CatalogCode.INVALID, "currency is an ISO 4217 code, e.g. EUR.", "currency"
        )
    return code


def unit_of_measure(value: str) -> str:
    code = unit_code(value)
    if code is None:
        shown_value = value.strip()[:20]
        raise CatalogRefused(
            CatalogCode.UNKNOWN_UNIT,
            f'unitOfMeasure "{shown_value}" is not a UN/CEFACT unit code (e.g. EA each, C62 one, '
            "BX is withdrawn: XBX box, XPK package).",
            "unitOfMeasure",
        )
    return code


def classifications(given: Sequence[Classification]) -> tuple[Classification, ...]:
    """At least one, at most MAX_CLASSIFICATIONS, each a domain and a code; a UNSPSC code has
    8 or 10 digits."""
    field = "classifications"
    found = tuple(Classification(c.domain.strip(), c.value.strip()) for c in given)
    if not found:
        raise CatalogRefused(
            CatalogCode.REQUIRED, "A product needs a classification, e.g. UNSPSC.", field
        )
    if len(found) > MAX_CLASSIFICATIONS:
        raise CatalogRefused(
            CatalogCode.INVALID,
            f"A product has at most {MAX_CLASSIFICATIONS} classifications.",
            field,
        )
    for c in found:
        if not c.domain or not c.value or len(c.domain) > 64 or len(c.value) > TEXT_MAX:
            raise CatalogRefused(
                CatalogCode.INVALID,
                "A classification has a domain (e.g. UNSPSC, eCl@ss) and a code.",
                field,
            )
        if c.domain.upper() == "UNSPSC" and not UNSPSC.match(c.value):
            raise CatalogRefused(
                CatalogCode.INVALID, f'The UNSPSC code "{c.value[:20]}" has 8 or 10 digits.', field
            )
        _xml_safe(c.domain + c.value, field)
    return found


def lead_time(days: int | None) -> int | None:
    if days is not None and not 0 <= days <= MAX_LEAD_TIME_DAYS:
        raise CatalogRefused(
            CatalogCode.INVALID, f"leadTimeDays is 0-{MAX_LEAD_TIME_DAYS}.", "leadTimeDays"
        )
    return days


def image_url(value: str | None) -> str | None:
    url = (value or "").strip()
    if not url:
        return None
    try:
        return checked_url(url, allow_http=False)
    except UrlRefused as problem:
        raise CatalogRefused(
            CatalogCode.INVALID, f'imageUrl "{shown(url)}" {problem}.', "imageUrl"
        ) from None


def validity(valid_from: date | None, valid_until: date | None) -> None:
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise CatalogRefused(CatalogCode.INVALID, "validUntil is before validFrom.", "validUntil")


def product_values(data: ProductInput) -> dict[str, Any]:
    """A new product's columns, checked (its search keys beside them)."""
    part = required_text(data.supplier_part_id, "supplierPartId")
    name = required_text(data.name, "name")
    return {
        "supplier_part_id": part,
        "supplier_part_auxiliary_id": optional_text(
            data.supplier_part_auxiliary_id, "supplierPartAuxiliaryId"
        ),
        "name": name,
        "description": description(data.description),
        "unit_price": price(data.unit_price),
        "currency": currency(data.currency),
        "unit_of_measure": unit_of_measure(data.unit_of_measure),
        "classifications": [c.to_json() for c in classifications(data.classifications)],
        "manufacturer_name": optional_text(data.manufacturer_name, "manufacturerName"),
        "manufacturer_part_id": optional_text(data.manufacturer_part_id, "manufacturerPartId"),
        "lead_time_days": lead_time(data.lead_time_days),
        "image_url": image_url(data.image_url),
        "active": data.active,
        **search_keys(name, part),
    }


def search_keys(name: str, part: str) -> dict[str, Any]:
    """The typeahead's folded copies of a product (as domain.companies keeps a company's)."""
    plain_words, german = words(name), german_words(name)
    key = " ".join(plain_words)[:TEXT_MAX]
    german_key = " ".join(german)[:TEXT_MAX]
    return {
        "part_key": code_key(part)[:TEXT_MAX],
        "name_key": key,
        "german_name_key": german_key if german_key and german_key != key else None,
        "search_text": " ".join(dict.fromkeys([*plain_words, *german, *words(part)])),
    }
