"""The storefront's catalog: the products a punchout session may find, at its company's prices,
and cart lines made from them.

A line added from the catalog takes everything but its quantity from the product (part IDs,
its name as the line's description, unit, classifications, manufacturer, lead time) and its
price from
`domain.catalog_prices` (the company's contract price valid today, else the list price): the
browser never names a price. Free-form lines, priced by the storefront itself, stay for
headless shops where the setting allows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from domain import storefront
from domain.cart_input import LineInput
from domain.catalog import get_product
from domain.catalog_prices import prices_for
from domain.catalog_records import CatalogPrice
from domain.errors import CartCode, CartRefused
from domain.numbers import plain
from domain.product_search import find_products
from domain.search import SearchPosition
from persistence.punchout_tables import PunchoutSession


def today() -> date:
    """The day whose contract prices apply: today, in UTC (validity windows are whole days)."""
    return datetime.now(UTC).date()


async def search(
    session: PunchoutSession, query: str, first: int, after: SearchPosition | None = None
) -> tuple[list[tuple[CatalogPrice, SearchPosition]], bool]:
    """The catalog's typeahead (domain.product_search: active products only) for a punchout
    session: up to `first` products after `after`, each at the price its company pays today
    (one more statement for the page's prices), and whether more follow."""
    found, more = await find_products(query, first, after)
    priced = await prices_for(
        session.customer.company_id, [p.supplier_part_id for p, _ in found], today()
    )
    return [
        (price, at) for p, at in found if (price := priced.get(p.supplier_part_id)) is not None
    ], more


async def add_product(session: PunchoutSession, product_id: int | None, quantity: str) -> None:
    """A cart line of the product at the company's price today (the same product at the same
    price again: its line's quantity grows); NOT_FOUND for a product not in the catalog, or
    no longer offered."""
    storefront.editable(session)
    product = await get_product(product_id) if product_id is not None else None
    price = None
    if product is not None and product.active:
        price = (
            await prices_for(session.customer.company_id, [product.supplier_part_id], today())
        ).get(product.supplier_part_id)
    if product is None or price is None:
        raise CartRefused(
            CartCode.NOT_FOUND,
            "No such product in the catalog (or no longer offered).",
            "productId",
        )
    line = LineInput(
        supplier_part_id=product.supplier_part_id,
        supplier_part_auxiliary_id=product.supplier_part_auxiliary_id,
        description=product.name,  # what a requisition shows; the catalog keeps the rest
        quantity=quantity,
        unit_of_measure=product.unit_of_measure,
        unit_price=plain(price.unit_price),
        currency=price.currency,
        classifications=product.classifications,
        manufacturer_part_id=product.manufacturer_part_id,
        manufacturer_name=product.manufacturer_name,
        lead_time=product.lead_time_days,
    )
    await storefront.add_line(session, line, merge=True)


async def add_free_form(
    session: PunchoutSession, line: LineInput, allowed: bool, missing: Sequence[str]
) -> None:
    """A line the storefront priced itself (a headless shop's), where the setting allows
    them: `missing` names the line's fields that were not given."""
    storefront.editable(session)
    if not allowed:
        raise CartRefused(
            CartCode.FREE_FORM_REFUSED,
            "Add products from the catalog (productId and quantity): this server refuses "
            "lines priced by the storefront (OPSPORTAL_STOREFRONT_FREE_FORM_LINES).",
            "productId",
        )
    if missing:
        raise CartRefused(
            CartCode.INVALID,
            f"Give productId, or the line itself: {', '.join(missing)} missing.",
            missing[0],
        )
    await storefront.add_line(session, line)
