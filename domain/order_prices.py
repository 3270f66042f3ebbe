"""Order prices checked against the catalog when the order comes in (issue 17).

The cart passes through the buyer's browser, so an OrderRequest may carry any price. Each line
of a new order or an update is compared with what the company pays for its part on the order's
day (`catalog_prices.prices_for`, one statement for the whole order: the company's contract
price valid that day, else the list price). A line is flagged (`mismatch`) when its unit price
differs from the catalog's as exact decimals (4.25 and 4.250 are one price), when its currency
differs (or it has no price or currency), or when its part ID names no active product.

What happens to a flagged order is the setting OPSPORTAL_ORDER_PRICE_CHECK: `flag` stores it
with its lines marked, `reject` refuses it (a cXML 400 naming the lines; nothing stored).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from domain.catalog_prices import prices_for
from domain.catalog_records import CatalogPrice
from domain.errors import CxmlRefused, Failure
from domain.numbers import at_least_cents

# The most lines a refusal names one by one; the rest are counted.
NAMED_IN_REFUSAL = 20
_LEADING_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")


class PriceCheckMode(enum.Enum):
    """OPSPORTAL_ORDER_PRICE_CHECK: what becomes of an order whose lines the catalog does
    not confirm."""

    FLAG = "flag"  # stored, its lines marked, the order's count of them shown to staff
    REJECT = "reject"  # refused with a cXML 400 naming the lines; nothing stored


class PricedLine(Protocol):
    """What the check reads of an order line (domain.orders.OrderLineData has it)."""

    @property
    def line_number(self) -> int: ...
    @property
    def supplier_part_id(self) -> str: ...
    @property
    def unit_price(self) -> Decimal | None: ...
    @property
    def currency(self) -> str | None: ...


@dataclass(frozen=True)
class LineCheck:
    """One line against the catalog: `catalog` is what the company pays for the part on the
    day (None: not in the catalog, or inactive)."""

    line_number: int
    supplier_part_id: str
    unit_price: Decimal | None
    currency: str | None
    catalog: CatalogPrice | None

    @property
    def mismatch(self) -> bool:
        if self.catalog is None or self.unit_price is None:
            return True
        # Decimal equality is exact: no rounding, whatever the scales.
        return self.unit_price != self.catalog.unit_price or self.currency != self.catalog.currency

    @property
    def catalog_unit_price(self) -> Decimal | None:
        return None if self.catalog is None else self.catalog.unit_price

    @property
    def catalog_currency(self) -> str | None:
        return None if self.catalog is None else self.catalog.currency

    @property
    def source(self) -> str | None:
        """contract, list, or None for a part not in the catalog."""
        if self.catalog is None:
            return None
        return "contract" if self.catalog.is_contract_price else "list"

    def explained(self) -> str:
        """Why it is flagged, for the buyer: `line 2 (PAP-A4-80): unit price 3.00 EUR, catalog
        4.25 EUR`, or `line 5 (X-1): not in the catalog`."""
        named = f"line {self.line_number} ({self.supplier_part_id})"
        if self.catalog is None:
            return f"{named}: not in the catalog"
        catalog = f"catalog {at_least_cents(self.catalog.unit_price)} {self.catalog.currency}"
        if self.unit_price is None:
            return f"{named}: no unit price, {catalog}"
        sent = f"{at_least_cents(self.unit_price)} {self.currency or '(no currency)'}"
        return f"{named}: unit price {sent}, {catalog}"


@dataclass(frozen=True)
class PriceCheck:
    """An order's lines against the catalog of `day`, in the order's order."""

    day: date
    lines: tuple[LineCheck, ...]

    @property
    def exceptions(self) -> tuple[LineCheck, ...]:
        """The flagged lines, in the order's order."""
        return tuple(line for line in self.lines if line.mismatch)

    def refusal(self, customer_id: int) -> CxmlRefused:
        """The refusal under `reject`: every flagged line named (the first
        NAMED_IN_REFUSAL; the rest counted)."""
        flagged = self.exceptions
        named = "; ".join(line.explained() for line in flagged[:NAMED_IN_REFUSAL])
        if len(flagged) > NAMED_IN_REFUSAL:
            named += f"; and {len(flagged) - NAMED_IN_REFUSAL} more lines"
        lines = "line" if len(flagged) == 1 else "lines"
        message = (
            f"The order's prices do not match the catalog ({len(flagged)} {lines}): {named}. "
            "Nothing was stored; send the order again with the catalog's prices, under a new "
            "payloadID."
        )
        reason = (
            f"Refused under OPSPORTAL_ORDER_PRICE_CHECK=reject, checked against the prices of "
            f"{self.day.isoformat()}: {named}."
        )
        return CxmlRefused(Failure.PRICE_MISMATCH, message, reason, customer_id)


def order_day(order_date: str | None, received_on: date) -> date:
    """The day whose prices apply: the orderDate's calendar day as the buyer wrote it (in its
    own offset: 2026-11-27T23:30:00-08:00 is the 27th), else the day it was received."""
    if order_date:
        try:
            return datetime.fromisoformat(order_date.strip()).date()
        except ValueError:
            pass
        leading = _LEADING_DAY.match(order_date)  # a date first, an odd time after it
        if leading:
            try:
                return date(*(int(part) for part in leading.groups()))
            except ValueError:
                pass
    return received_on


async def check_prices(
    company_id: int, lines: Sequence[PricedLine], order_date: str | None, received_on: date
) -> PriceCheck:
    """The lines against what the company pays on the order's day: one statement."""
    day = order_day(order_date, received_on)
    found = await prices_for(company_id, [line.supplier_part_id for line in lines], day)
    return PriceCheck(
        day,
        tuple(
            LineCheck(
                line.line_number,
                line.supplier_part_id,
                line.unit_price,
                line.currency,
                found.get(line.supplier_part_id),
            )
            for line in lines
        ),
    )
