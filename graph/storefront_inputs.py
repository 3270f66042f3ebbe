"""What the storefront's cart mutations take: a line to add, a new quantity, a line to remove."""

from __future__ import annotations

import strawberry

from graph.line_details import ClassificationInput


@strawberry.input(
    description="A line to add to the cart: a catalog product (`productId` and `quantity`; "
    "the catalog gives the rest, at the company's price), or, where the server allows them "
    "(OPSPORTAL_STOREFRONT_FREE_FORM_LINES), a free-form line the storefront describes and "
    "prices itself (supplierPartId, description, quantity, unitOfMeasure, unitPrice, currency "
    "and a classification). Amounts are decimal strings."
)
class AddCartLineInput:
    product_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A product's ID (from `products`): its line, at the session company's "
        "price today (contract price first). Give it with `quantity` alone.",
    )
    quantity: str = strawberry.field(
        description="How many units: a decimal above 0 (1.5, not 1,5), kept exactly, with up "
        "to 20 decimals."
    )
    supplier_part_id: str | None = strawberry.field(
        default=None, description="Free-form: the supplier's part number."
    )
    supplier_part_auxiliary_id: str | None = strawberry.field(
        default=None, description="An auxiliary ID, e.g. a quote or configuration."
    )
    description: str | None = strawberry.field(
        default=None, description="Free-form: what the item is, at most 2,000 characters."
    )
    unit_of_measure: str | None = strawberry.field(
        default=None, description="Free-form: UN/CEFACT unit code, e.g. EA."
    )
    unit_price: str | None = strawberry.field(
        default=None,
        description="Free-form: price per unit, a decimal, 0 or more, kept exactly, up to 20 "
        "decimals.",
    )
    currency: str | None = strawberry.field(
        default=None, description="Free-form: ISO 4217; every line of a cart shares one."
    )
    unspsc: str | None = strawberry.field(
        default=None,
        description="UNSPSC code, 8 or 10 digits; or give it among `classifications`. A line "
        "needs one classification at least.",
    )
    classifications: list[ClassificationInput] | None = strawberry.field(
        default=None,
        description="Every classification of the item, in order (eCl@ss, UNSPSC...), at most "
        "10; `unspsc` goes first unless one of these is UNSPSC.",
    )
    manufacturer_part_id: str | None = strawberry.field(
        default=None, description="The manufacturer's part number."
    )
    manufacturer_name: str | None = strawberry.field(
        default=None, description="The manufacturer's name."
    )
    lead_time: int | None = strawberry.field(
        default=None, description="Days to deliver, 0-3650 (the cart message's LeadTime)."
    )


@strawberry.input(description="A new quantity for a cart line.")
class UpdateCartLineInput:
    line_id: strawberry.ID = strawberry.field(description="The line's ID.")
    quantity: str = strawberry.field(
        description="How many units: a decimal above 0, kept exactly, up to 20 decimals."
    )


@strawberry.input(description="A cart line to remove.")
class RemoveCartLineInput:
    line_id: strawberry.ID = strawberry.field(description="The line's ID.")
