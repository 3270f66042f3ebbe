"""The catalog in GraphQL for staff: the product typeahead, a product by ID, and a company's
contract prices. Changes are in graph/product_mutations.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry import relay

from domain import catalog, catalog_prices, product_search, storefront_catalog
from domain.access import Ability
from domain.catalog_records import CatalogPrice, CatalogProduct
from domain.catalog_records import ContractPrice as ContractPriceRecord
from domain.limits import MAX_CLASSIFICATIONS
from domain.product_search import ProductHit
from domain.records import unspsc_of
from graph.amounts import money
from graph.bounds import at_most
from graph.context import Info
from graph.line_details import Classification
from graph.pagination import (
    After,
    bounded_first,
    decode_cursor,
    encode_cursor,
    page_info,
    parse_global_id,
    ranked_page,
    search_position,
)
from graph.permissions import guard, staff_or_punchout_session
from graph.storefront_catalog import ProductPrice

SEARCH_CAP = 50
PRICES_CAP = 100


@strawberry.type(description="A product of the supplier's catalog.")
class Product(relay.Node):
    """Made whole (`from_record`) or from a typeahead hit (`from_hit`): a hit holds the fields
    a typeahead shows, as plain values (a field with a resolver costs several times a plain
    one, and a page lists ten); the others load the page's products in one statement, and only
    when a query asks for them (graph.loaders)."""

    id: relay.NodeID[int]
    # The Node interface's `id` as a value (as Company's): a typeahead page lists many.
    _id: relay.GlobalID = strawberry.field(
        name="id", description="The Globally Unique ID of this object"
    )
    supplier_part_id: str = strawberry.field(description="The supplier's part ID (unique).")

    @strawberry.field(description="The supplier's auxiliary ID, if the part needs one.")
    async def supplier_part_auxiliary_id(self, info: Info) -> str | None:
        return (await self._whole(info)).supplier_part_auxiliary_id

    name: str = strawberry.field(description="The product's name.")

    @strawberry.field(description="What it is (may be empty).")
    async def description(self, info: Info) -> str:
        return (await self._whole(info)).description

    unit_price: str = strawberry.field(
        description="The list price per unit: a decimal string, every digit (at least cents)."
    )
    currency: str = strawberry.field(description="ISO 4217 currency of the list price.")
    unit_of_measure: str = strawberry.field(
        description="UN/CEFACT unit code (Recommendation 20, or 21 prefixed X): EA, BX, XBX..."
    )

    @strawberry.field(description="The first UNSPSC classification's code.")
    async def unspsc(self, info: Info) -> str | None:
        return unspsc_of((await self._whole(info)).classifications)

    @strawberry.field(
        description="Every classification (UNSPSC, eCl@ss...), in order.",
        metadata=at_most(items=MAX_CLASSIFICATIONS),
    )
    async def classifications(self, info: Info) -> list[Classification]:
        return [Classification.from_record(c) for c in (await self._whole(info)).classifications]

    @strawberry.field(description="The manufacturer's name.")
    async def manufacturer_name(self, info: Info) -> str | None:
        return (await self._whole(info)).manufacturer_name

    @strawberry.field(description="The manufacturer's part ID.")
    async def manufacturer_part_id(self, info: Info) -> str | None:
        return (await self._whole(info)).manufacturer_part_id

    @strawberry.field(description="Days from order to delivery.")
    async def lead_time_days(self, info: Info) -> int | None:
        return (await self._whole(info)).lead_time_days

    @strawberry.field(description="An https URL of its picture.")
    async def image_url(self, info: Info) -> str | None:
        return (await self._whole(info)).image_url

    active: bool = strawberry.field(
        description="Whether buyers see and may order it (inactive: staff only)."
    )
    price: ProductPrice | None = strawberry.field(
        default=None,
        description="For a punchout session's `products`: what its company pays today (its "
        "contract price, else the list price), the price `addCartLine` gives the line. Null "
        "for staff, who read unitPrice and a company's prices.",
    )

    @strawberry.field(description="When it was added.")
    async def created_at(self, info: Info) -> datetime:
        return (await self._whole(info)).created_at

    @strawberry.field(description="When it last changed.")
    async def updated_at(self, info: Info) -> datetime:
        return (await self._whole(info)).updated_at

    record: strawberry.Private[CatalogProduct | None] = None

    @classmethod
    def from_record(cls, p: CatalogProduct, price: CatalogPrice | None = None) -> Product:
        return cls(
            price=ProductPrice.of(price) if price is not None else None,
            id=p.id,
            _id=relay.GlobalID("Product", str(p.id)),
            supplier_part_id=p.supplier_part_id,
            name=p.name,
            unit_price=money(p.unit_price),
            currency=p.currency,
            unit_of_measure=p.unit_of_measure,
            active=p.active,
            record=p,
        )

    @classmethod
    def from_hit(cls, p: ProductHit) -> Product:
        return cls(
            id=p.id,
            _id=relay.GlobalID("Product", str(p.id)),
            supplier_part_id=p.supplier_part_id,
            name=p.name,
            unit_price=money(p.unit_price),
            currency=p.currency,
            unit_of_measure=p.unit_of_measure,
            active=p.active,
        )

    async def _whole(self, info: Info) -> CatalogProduct:
        if self.record is None:
            found = await info.context.loaders.products.load(self.id)
            if found is None:  # gone since the page was read
                raise LookupError(f"product {self.id} is gone")
            self.record = found
        return self.record


@strawberry.type(
    description="A company's own price for a product, on the days from validFrom to "
    "validUntil (both included; null: no bound). Where several are valid on a day, the one "
    "that started last applies; the list price where none is."
)
class ContractPrice:
    product: Product = strawberry.field(description="The product it prices.")
    unit_price: str = strawberry.field(description="Price per unit (at least cents).")
    currency: str = strawberry.field(description="ISO 4217.")
    valid_from: date | None = strawberry.field(description="The first day it applies.")
    valid_until: date | None = strawberry.field(description="The last day it applies.")
    updated_at: datetime = strawberry.field(description="When it was last set.")

    @classmethod
    def from_record(cls, price: ContractPriceRecord, product: CatalogProduct) -> ContractPrice:
        return cls(
            product=Product.from_record(product),
            unit_price=money(price.unit_price),
            currency=price.currency,
            valid_from=price.valid_from,
            valid_until=price.valid_until,
            updated_at=price.updated_at,
        )


async def prices_page(
    company_id: int, first: int, after: str | None
) -> relay.Connection[ContractPrice]:  # type: ignore[type-var]  # not a Node
    """A company's contract prices, oldest first (the caller reached the company)."""
    first = bounded_first(first, PRICES_CAP)
    after_id = decode_cursor(after, int)[0] if after is not None else None
    rows, has_next = await catalog_prices.contract_prices(company_id, first, after_id)
    # Not Nodes: see graph/pagination.py on the type: ignores.
    edges = [
        relay.Edge(cursor=encode_cursor(c.id), node=ContractPrice.from_record(c, p))  # type: ignore[type-var]
        for c, p in rows
    ]
    return relay.Connection(  # type: ignore[type-var]
        edges=edges, page_info=page_info(edges, has_next, after is not None)
    )


async def search(
    info: Info,
    search: Annotated[
        str, strawberry.argument(description="Typed keywords; every word must match.")
    ] = "",
    first: Annotated[int, strawberry.argument(description="Default 10, at most 50.")] = 10,
    after: After = None,
) -> relay.Connection[Product]:
    position = search_position(after)
    session = await info.context.punchout_session()
    if session is not None:  # the storefront: active products at its company's price
        priced, has_next = await storefront_catalog.search(
            session, search, bounded_first(first, SEARCH_CAP), position
        )
        return ranked_page(
            [(c, at) for c, at in priced],
            has_next,
            after,
            lambda c: Product.from_record(c.product, c),
        )
    viewer = await info.context.viewer()
    rows, has_next = await product_search.search_products(
        viewer, search, bounded_first(first, SEARCH_CAP), position
    )
    return ranked_page(rows, has_next, after, Product.from_hit)


async def product_by_id(info: Info, id: strawberry.ID) -> Product | None:
    row_id = parse_global_id(id, "Product")
    if await info.context.viewer() is None or row_id is None:
        return None  # no viewer: the field's guard lets none through
    found = await catalog.get_product(row_id)
    return Product.from_record(found) if found else None


@strawberry.type
class ProductQuery:
    products: relay.Connection[Product] = strawberry.field(
        resolver=search,
        extensions=[staff_or_punchout_session(Ability.REACH_COMPANIES)],
        description="Typeahead over the catalog (inactive products too): exact part ID first, "
        "then name prefix, then word prefixes, alphabetical within each; case- and "
        "accent-insensitive, as `companies`. With a punchout session's credential (the "
        "storefront): active products only, each with its `price` for the session's company.",
    )
    product: Product | None = strawberry.field(
        resolver=product_by_id,
        extensions=[guard(Ability.REACH_COMPANIES)],
        description="A product by its ID; null when it does not exist.",
    )
