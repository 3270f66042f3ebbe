"""The storefront's side of the catalog in GraphQL: the price a punchout session's company pays
for a product (`Product.price`, filled in by `products` for a session: graph/product.py), and
the line `addCartLine` makes of a product (`productId`, a global ID of type Product) or, where
the setting allows them, of a free-form input."""

from __future__ import annotations

import strawberry

from domain import storefront_catalog
from domain.cart_input import LineInput
from domain.catalog_records import CatalogPrice
from domain.errors import CartCode, CartRefused
from graph.amounts import money
from graph.pagination import parse_global_id
from graph.storefront_inputs import AddCartLineInput
from persistence.punchout_tables import PunchoutSession as SessionRow

PRODUCT = "Product"  # the type name of a product's global ID


def product_id(value: strawberry.ID | None) -> int | None:
    """The database id in a product's global ID; None for one that is no product's."""
    return parse_global_id(value, PRODUCT) if value is not None else None


@strawberry.type(description="What a punchout session's company pays for a product today.")
class ProductPrice:
    unit_price: str = strawberry.field(
        description="Price per unit: a decimal string, every digit (at least cents)."
    )
    currency: str = strawberry.field(description="ISO 4217.")
    is_contract_price: bool = strawberry.field(
        description="True: the company's contract price (valid today); false: the list price."
    )

    @classmethod
    def of(cls, price: CatalogPrice) -> ProductPrice:
        return cls(
            unit_price=money(price.unit_price),
            currency=price.currency,
            is_contract_price=price.is_contract_price,
        )


def free_form_line(input: AddCartLineInput) -> tuple[LineInput, list[str]]:
    """The free-form line `input` describes, and the names of its fields missing."""
    required = {
        "supplierPartId": input.supplier_part_id,
        "description": input.description,
        "unitOfMeasure": input.unit_of_measure,
        "unitPrice": input.unit_price,
        "currency": input.currency,
    }
    line = LineInput(
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
