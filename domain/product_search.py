"""The product typeahead: part ID exact first, then name prefix, then word prefixes,
alphabetical within each tier; the companies' engine (domain.search) on the product table,
served by the same kind of indexes (migration 0019), so that it holds at a million products.

Staff see every product (`search_products`: whoever reaches companies); the storefront and
other callers without a viewer ask `find_products`, which by default shows active ones only.
"""

from __future__ import annotations

from domain.access import Ability, Viewer, require
from domain.catalog_records import CatalogProduct
from domain.search import EVERY_ROW, Scope, SearchPosition, ranked
from persistence.catalog_tables import Product
from persistence.search_corpus import PRODUCTS
from persistence.sql import hydrate

ACTIVE_ONLY = Scope(lambda sql: "c.active")


async def find_products(
    search: str, first: int, after: SearchPosition | None = None, *, active_only: bool = True
) -> tuple[list[tuple[CatalogProduct, SearchPosition]], bool]:
    """Up to `first` ranked products after `after` (each with its cursor), and whether more
    follow; one or two statements a page, as the company typeahead. Part IDs are matched
    exactly after folding (case and accents), so "pap-a4-80" finds "PAP-A4-80" first."""
    scope = ACTIVE_ONLY if active_only else EVERY_ROW
    rows, more = await ranked(PRODUCTS, scope, None, search, first, after)
    found = [(CatalogProduct.from_row(hydrate(Product, row)), at) for row, at in rows]
    return found, more


async def search_products(
    viewer: Viewer | None, search: str, first: int, after: SearchPosition | None = None
) -> tuple[list[tuple[CatalogProduct, SearchPosition]], bool]:
    """The staff typeahead: every product, active or not (whoever reaches companies)."""
    require(viewer, Ability.REACH_COMPANIES)
    return await find_products(search, first, after, active_only=False)
