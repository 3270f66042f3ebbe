"""The product typeahead: part ID exact first, then name prefix, then word prefixes,
alphabetical within each tier; the companies' engine (domain.search) on the product table,
served by the same kind of indexes (migration 0019), so that it holds at a million products.

Staff see every product (`search_products`: whoever reaches companies), as lean hits: the
columns a typeahead shows, as plain values (no table objects), as the companies' `Hit`; the
rest of a product is loaded for a page at once when asked (domain.catalog.get_products). The
storefront and other callers without a viewer ask `find_products` (whole products), which by
default shows active ones only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from domain.access import Ability, Viewer, require
from domain.catalog_records import CatalogProduct
from domain.search import EVERY_ROW, Row, Scope, SearchPosition, ranked
from persistence.catalog_tables import Product
from persistence.search_corpus import PRODUCTS
from persistence.sql import hydrate

ACTIVE_ONLY = Scope(lambda sql: "c.active")
_WHOLE = replace(PRODUCTS, columns="c.*")


@dataclass(frozen=True)
class ProductHit:
    """What a typeahead hit shows at once: PRODUCTS.columns, as plain values."""

    id: int
    supplier_part_id: str
    name: str
    unit_price: Decimal
    currency: str
    unit_of_measure: str
    active: bool

    @classmethod
    def from_row(cls, r: Row) -> ProductHit:
        # SQLite keeps the exact decimal as its text and the flag as 0/1 (PostgreSQL: both
        # native); Decimal() takes either, as the ORM's field does.
        return cls(
            r["id"],
            r["supplier_part_id"],
            r["name"],
            Decimal(r["unit_price"]),
            r["currency"],
            r["unit_of_measure"],
            bool(r["active"]),
        )


async def find_products(
    search: str, first: int, after: SearchPosition | None = None, *, active_only: bool = True
) -> tuple[list[tuple[CatalogProduct, SearchPosition]], bool]:
    """Up to `first` ranked products after `after` (each with its cursor), and whether more
    follow; one or two statements a page, as the company typeahead. Part IDs are matched
    exactly after folding (case and accents), so "pap-a4-80" finds "PAP-A4-80" first."""
    scope = ACTIVE_ONLY if active_only else EVERY_ROW
    rows, more = await ranked(_WHOLE, scope, None, search, first, after)
    found = [(CatalogProduct.from_row(hydrate(Product, row)), at) for row, at in rows]
    return found, more


async def search_products(
    viewer: Viewer | None, search: str, first: int, after: SearchPosition | None = None
) -> tuple[list[tuple[ProductHit, SearchPosition]], bool]:
    """The staff typeahead: every product, active or not (whoever reaches companies), as
    lean hits."""
    require(viewer, Ability.REACH_COMPANIES)
    rows, more = await ranked(PRODUCTS, EVERY_ROW, None, search, first, after)
    return [(ProductHit.from_row(r), at) for r, at in rows], more
