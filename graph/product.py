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
from domain.records import unspsc_of
from domain.search import SearchPosition
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
)
from graph.permissions import guard, staff_or_punchout_session
from graph.storefront_catalog import ProductPrice

SEARCH_CAP = 50
PRICES_CAP = 100


@strawberry.type(description="A product of the supplier's catalog.")
class Product(relay.Node):
    id: relay.NodeID[int]
    # The Node interface's `id` as a value (as Company's): a typeahead page lists many.
    _id: relay.GlobalID = strawberry.field(
        name="id", description="The Globally Unique ID of this object"
    )
    supplier_part_id: str = strawberry.field(description="The supplier's part ID (unique).")
    supplier_part_auxiliary_id: str | None = strawberry.field(
        description="The supplier's auxiliary ID, if the part needs one."
    )
    name: str = strawberry.field(description="The product's name.")
    description: str = strawberry.field(description="What it is (may be empty).")
    unit_price: str = strawberry.field(
        description="The list price per unit: a decimal string, every digit (at least cents)."
    )
    currency: str = strawberry.field(description="ISO 4217 currency of the list price.")
    unit_of_measure: str = strawberry.field(
        description="UN/CEFACT unit code (Recommendation 20, or 21 prefixed X): EA, BX, XBX..."
    )
    unspsc: str | None = strawberry.field(description="The first UNSPSC classification's code.")
    classifications: list[Classification] = strawberry.field(
        description="Every classification (UNSPSC, eCl@ss...), in order.",
        metadata=at_most(items=MAX_CLASSIFICATIONS),
    )
    manufacturer_name: str | None = strawberry.field(description="The manufacturer's name.")
    manufacturer_part_id: str | None = strawberry.field(description="The manufacturer's part ID.")
    lead_time_days: int | None = strawberry.field(description="Days from order to delivery.")
    image_url: str | None = strawberry.field(description="An https URL of its picture.")
    active: bool = strawberry.field(
        description="Whether buyers see and may order it (inactive: staff only)."
    )
    created_at: datetime = strawberry.field(description="When it was added.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    price: ProductPrice | None = strawberry.field(
        default=None,
        description="For a punchout session's `products`: what its company pays today (its "
        "contract price, else the list price), the price `addCartLine` gives the line. Null "
        "for staff, who read unitPrice and a company's prices.",
    )

    @classmethod
    def from_record(cls, p: CatalogProduct, price: CatalogPrice | None = None) -> Product:
        return cls(
            price=ProductPrice.of(price) if price is not None else None,
            id=p.id,
            _id=relay.GlobalID("Product", str(p.id)),
            supplier_part_id=p.supplier_part_id,
            supplier_part_auxiliary_id=p.supplier_part_auxiliary_id,
            name=p.name,
            description=p.description,
            unit_price=money(p.unit_price),
            currency=p.currency,
            unit_of_measure=p.unit_of_measure,
            unspsc=unspsc_of(p.classifications),
            classifications=[Classification.from_record(c) for c in p.classifications],
            manufacturer_name=p.manufacturer_name,
            manufacturer_part_id=p.manufacturer_part_id,
            lead_time_days=p.lead_time_days,
            image_url=p.image_url,
            active=p.active,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


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
    position = None
    if after is not None:
        tier, key, row_id = decode_cursor(after, int, str, int)
        position = SearchPosition(tier, key, row_id)
    session = await info.context.punchout_session()
    if session is not None:  # the storefront: active products at its company's price
        priced, has_next = await storefront_catalog.search(
            session, search, bounded_first(first, SEARCH_CAP), position
        )
        edges = [
            relay.Edge(
                cursor=encode_cursor(p.tier, p.name_key, p.id),
                node=Product.from_record(c.product, c),
            )
            for c, p in priced
        ]
        return relay.Connection(
            edges=edges, page_info=page_info(edges, has_next, after is not None)
        )
    viewer = await info.context.viewer()
    rows, has_next = await product_search.search_products(
        viewer, search, bounded_first(first, SEARCH_CAP), position
    )
    edges = [
        relay.Edge(cursor=encode_cursor(p.tier, p.name_key, p.id), node=Product.from_record(r))
        for r, p in rows
    ]
    return relay.Connection(edges=edges, page_info=page_info(edges, has_next, after is not None))


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
