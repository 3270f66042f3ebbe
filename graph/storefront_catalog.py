"""The storefront's catalog in GraphQL: `products(search:, first:)` for a punchout session, each
product at the price the session's company pays, and the line that `addCartLine` makes of one.

Only a punchout session's credential opens these (graph/storefront.py has the session and its
cart). A product's ID is a global ID of type Product, the one `addCartLine` takes.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from domain import storefront, storefront_catalog
from domain.errors import CartCode, CartRefused
from domain.limits import MAX_CLASSIFICATIONS
from domain.storefront_catalog import Found
from graph.amounts import money
from graph.bounds import at_most
from graph.context import Info
from graph.line_details import Classification
from graph.pagination import bounded_first, encode_cursor, page_info, parse_global_id
from graph.permissions import in_punchout_session
from graph.storefront_inputs import AddCartLineInput
from persistence.punchout_tables import PunchoutSession as SessionRow

PRODUCT = "Product"  # the type name of a product's global ID


def product_id(value: strawberry.ID | None) -> int | None:
    """The database id in a product's global ID; None for one that is no product's."""
    return parse_global_id(value, PRODUCT) if value is not None else None


@strawberry.type(description="What the session's company pays for a product today.")
class ProductPrice:
    unit_price: str = strawberry.field(description="Price per unit, exact (a decimal string).")
    currency: str = strawberry.field(description="ISO 4217.")
    is_contract_price: bool = strawberry.field(
        description="True: the company's contract price (valid today); false: the list price."
    )


@strawberry.type(
    name="StorefrontProduct",
    description="A product of the catalog as a punchout session finds it: at its company's price.",
)
class StorefrontProduct:
    id: strawberry.ID = strawberry.field(
        description="The product's global ID (type Product): addCartLine's productId."
    )
    supplier_part_id: str = strawberry.field(description="The supplier's part number.")
    supplier_part_auxiliary_id: str | None = strawberry.field(
        description="The auxiliary part ID, if the product has one."
    )
    name: str = strawberry.field(description="The product's name.")
    description: str = strawberry.field(description="What it is; the cart line's description.")
    unit_of_measure: str = strawberry.field(description="UN/CEFACT unit code, e.g. EA or BX.")
    classifications: list[Classification] = strawberry.field(
        description="UNSPSC and other classifications, in order.",
        metadata=at_most(items=MAX_CLASSIFICATIONS),
    )
    manufacturer_name: str | None = strawberry.field(description="The manufacturer's name.")
    manufacturer_part_id: str | None = strawberry.field(
        description="The manufacturer's part number."
    )
    lead_time_days: int | None = strawberry.field(description="Days to deliver.")
    price: ProductPrice = strawberry.field(description="The company's price: contract first.")

    @classmethod
    def of(cls, found: Found) -> StorefrontProduct:
        product, price = found.product, found.price
        return cls(
            id=strawberry.ID(relay.to_base64(PRODUCT, product.id)),
            supplier_part_id=product.supplier_part_id,
            supplier_part_auxiliary_id=product.supplier_part_auxiliary_id,
            name=product.name,
            description=product.description,
            unit_of_measure=product.unit_of_measure,
            classifications=[Classification.from_record(c) for c in product.classifications],
            manufacturer_name=product.manufacturer_name,
            manufacturer_part_id=product.manufacturer_part_id,
            lead_time_days=product.lead_time_days,
            price=ProductPrice(
                unit_price=money(price.unit_price),
                currency=price.currency,
                is_contract_price=price.is_contract_price,
            ),
        )


async def _session(info: Info) -> SessionRow:
    session = await info.context.punchout_session()
    assert session is not None  # the permission class has checked
    return session


@strawberry.type
class StorefrontCatalogQuery:
    @strawberry.field(
        extensions=[in_punchout_session()],
        description="The catalog's active products matching the typed text (the part ID "
        "exactly first, then names that start with it, then every word the start of a word of "
        "the name or part ID), each at the session company's price today (its contract price, "
        "else the list price). At most 50; only for a punchout session's credential.",
    )
    async def products(
        self,
        info: Info,
        search: Annotated[
            str, strawberry.argument(description="What was typed: words, or a part ID.")
        ],
        first: Annotated[int, strawberry.argument(description="At most 50.")] = 10,
    ) -> relay.Connection[StorefrontProduct]:  # type: ignore[type-var]  # not a Node
        found, more = await storefront_catalog.search(
            await _session(info), search, bounded_first(first, storefront_catalog.MAX_RESULTS)
        )
        edges = [
            relay.Edge(node=StorefrontProduct.of(f), cursor=encode_cursor(n))  # type: ignore[type-var]
            for n, f in enumerate(found)
        ]
        return relay.Connection(  # type: ignore[type-var]
            edges=edges, page_info=page_info(edges, more, False)
        )


def free_form_line(input: AddCartLineInput) -> tuple[storefront.LineInput, list[str]]:
    """The free-form line `input` describes, and the names of its fields missing."""
    required = {
        "supplierPartId": input.supplier_part_id,
        "description": input.description,
        "unitOfMeasure": input.unit_of_measure,
        "unitPrice": input.unit_price,
        "currency": input.currency,
    }
    line = storefront.LineInput(
        supplier_part_id=input.supplier_part_id or "",
        supplier_part_auxiliary_id=input.supplier_part_auxiliary_id,
        description=input.description or "",
        quantity=input.quantity,
        unit_of_measure=input.unit_of_measure or "",
        unit_price=input.unit_price or "",
        currency=input.currency or "",
        unspsc=input.unspsc,
        classifications=[c.to_record() for c in input.classifications or ()],
        manufacturer_part_id=input.manufacturer_part_id,
        manufacturer_name=input.manufacturer_name,
        lead_time=input.lead_time,
    )
    return line, [name for name, value in required.items() if value is None]


def given_with_product(input: AddCartLineInput) -> list[str]:
    """The line's own fields given beside a productId: the catalog decides those."""
    _, missing = free_form_line(input)
    others = {
        "supplierPartAuxiliaryId": input.supplier_part_auxiliary_id,
        "unspsc": input.unspsc,
        "classifications": input.classifications,
        "manufacturerPartId": input.manufacturer_part_id,
        "manufacturerName": input.manufacturer_name,
        "leadTime": input.lead_time,
    }
    required = ["supplierPartId", "description", "unitOfMeasure", "unitPrice", "currency"]
    given = [name for name in required if name not in missing]
    return given + [name for name, value in others.items() if value is not None]


async def add_line(session: SessionRow, input: AddCartLineInput, allow_free_form: bool) -> None:
    """addCartLine: a catalog product's line (productId), or a free-form one."""
    if input.product_id is not None:
        if extra := given_with_product(input):
            raise CartRefused(
                CartCode.INVALID,
                f"With productId the catalog gives the line; leave out {', '.join(extra)}.",
                extra[0],
            )
        await storefront_catalog.add_product(session, product_id(input.product_id), input.quantity)
        return
    line, missing = free_form_line(input)
    await storefront_catalog.add_free_form(session, line, allow_free_form, missing)
