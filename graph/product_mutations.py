"""Changing the catalog in GraphQL: createProduct, updateProduct and setContractPrice, for
whoever may edit the catalog (administrators, superusers, companyEdit); audited like
companies. Input problems come back in the payload's `errors` (CatalogError)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import strawberry

from domain import catalog, catalog_prices
from domain.access import Ability, who_may
from domain.catalog import CLEARABLE_FIELDS
from domain.catalog_records import CatalogProduct
from domain.catalog_rules import ProductChange, ProductInput
from domain.errors import CatalogCode, CatalogRefused
from graph.context import Info
from graph.errors import ONE_ERROR, CatalogError, refusals
from graph.line_details import ClassificationInput
from graph.pagination import parse_global_id
from graph.permissions import guard
from graph.product import ContractPrice, Product

_PRICE = "A decimal string, 0 or more, below 1,000,000,000, kept exactly (up to 20 decimals)."
_UNIT = "UN/CEFACT unit code: Recommendation 20 (EA, C62, KGM...) or 21 prefixed X (XBX box)."
_CLASSIFICATIONS = (
    "Every classification, in order: at least one, at most 10 (UNSPSC: 8 or 10 digits)."
)


@strawberry.input(description="A new product.")
class CreateProductInput:
    supplier_part_id: str = strawberry.field(description="The supplier's part ID: unique.")
    name: str = strawberry.field(description="The product's name.")
    unit_price: str = strawberry.field(description=f"The list price per unit. {_PRICE}")
    currency: str = strawberry.field(description="ISO 4217, e.g. EUR.")
    unit_of_measure: str = strawberry.field(description=_UNIT)
    classifications: list[ClassificationInput] = strawberry.field(description=_CLASSIFICATIONS)
    description: str = strawberry.field(
        default="", description="What it is; up to 2,000 characters."
    )
    supplier_part_auxiliary_id: str | None = strawberry.field(
        default=None, description="An auxiliary ID."
    )
    manufacturer_name: str | None = strawberry.field(default=None, description="The manufacturer.")
    manufacturer_part_id: str | None = strawberry.field(
        default=None, description="The manufacturer's part ID."
    )
    lead_time_days: int | None = strawberry.field(default=None, description="0-3650 days.")
    image_url: str | None = strawberry.field(default=None, description="An https URL.")
    active: bool = strawberry.field(default=True, description="Whether buyers see it.")


@strawberry.input(
    description="Changes to a product: omitted fields stay as they are; null empties an "
    "optional one (auxiliary ID, manufacturer, lead time, image)."
)
class UpdateProductInput:
    id: strawberry.ID = strawberry.field(description="The product's ID.")
    supplier_part_id: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new unique part ID."
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new name.")
    unit_price: str | None = strawberry.field(default=strawberry.UNSET, description=_PRICE)
    currency: str | None = strawberry.field(default=strawberry.UNSET, description="ISO 4217.")
    unit_of_measure: str | None = strawberry.field(default=strawberry.UNSET, description=_UNIT)
    classifications: list[ClassificationInput] | None = strawberry.field(
        default=strawberry.UNSET, description=f"The full new list. {_CLASSIFICATIONS}"
    )
    description: str | None = strawberry.field(default=strawberry.UNSET, description="What it is.")
    supplier_part_auxiliary_id: str | None = strawberry.field(
        default=strawberry.UNSET, description="An auxiliary ID."
    )
    manufacturer_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="The manufacturer."
    )
    manufacturer_part_id: str | None = strawberry.field(
        default=strawberry.UNSET, description="The manufacturer's part ID."
    )
    lead_time_days: int | None = strawberry.field(
        default=strawberry.UNSET, description="0-3650 days."
    )
    image_url: str | None = strawberry.field(default=strawberry.UNSET, description="An https URL.")
    active: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether buyers see it."
    )


@strawberry.input(
    description="A company's price for a product; setting one with the same validFrom "
    "(or none) again replaces it."
)
class SetContractPriceInput:
    product_id: strawberry.ID = strawberry.field(description="The product's ID.")
    company_id: strawberry.ID = strawberry.field(description="The company's ID.")
    unit_price: str = strawberry.field(description=f"Price per unit. {_PRICE}")
    currency: str | None = strawberry.field(
        default=None, description="ISO 4217; by default the product's list currency."
    )
    valid_from: date | None = strawberry.field(default=None, description="First day it applies.")
    valid_until: date | None = strawberry.field(default=None, description="Last day it applies.")


@strawberry.type(description="The result of creating or changing a product.")
class ProductPayload:
    product: Product | None = strawberry.field(description="The product, when it succeeded.")
    errors: list[CatalogError] = strawberry.field(
        description="What was wrong with the input.", metadata=ONE_ERROR
    )


@strawberry.type(description="The result of setting a contract price.")
class ContractPricePayload:
    contract_price: ContractPrice | None = strawberry.field(
        description="The price, when it succeeded."
    )
    errors: list[CatalogError] = strawberry.field(
        description="What was wrong with the input.", metadata=ONE_ERROR
    )


def _given(value: Any) -> bool:
    return value is not strawberry.UNSET


def _change(input: UpdateProductInput) -> ProductChange:
    """Omitted fields kept; null empties an optional field (and keeps a required one)."""
    values: dict[str, Any] = {}
    clear: set[str] = set()
    for field in CLEARABLE_FIELDS.values():
        given = getattr(input, field)
        if _given(given) and given is None:
            clear.add(field)
    for field in ProductChange.__dataclass_fields__:
        if field == "clear":
            continue
        given = getattr(input, field)
        if _given(given) and given is not None:
            values[field] = [c.to_record() for c in given] if field == "classifications" else given
    return ProductChange(**values, clear=frozenset(clear))


def _id(value: strawberry.ID, type_name: str, field: str) -> int:
    row_id = parse_global_id(value, type_name)
    if row_id is None:
        raise CatalogRefused(CatalogCode.NOT_FOUND, f"No such {type_name.lower()}.", field)
    return row_id


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(
        extensions=[guard(Ability.EDIT_CATALOG)],
        description=f"Add a product to the catalog ({who_may(Ability.EDIT_CATALOG)}).",
    )
    async def create_product(self, info: Info, input: CreateProductInput) -> ProductPayload:
        viewer = await info.context.viewer()
        data = ProductInput(
            supplier_part_id=input.supplier_part_id,
            name=input.name,
            unit_price=input.unit_price,
            currency=input.currency,
            unit_of_measure=input.unit_of_measure,
            classifications=[c.to_record() for c in input.classifications],
            description=input.description,
            supplier_part_auxiliary_id=input.supplier_part_auxiliary_id,
            manufacturer_name=input.manufacturer_name,
            manufacturer_part_id=input.manufacturer_part_id,
            lead_time_days=input.lead_time_days,
            image_url=input.image_url,
            active=input.active,
        )
        return await _product(lambda: catalog.create_product(viewer, data))

    @strawberry.mutation(
        extensions=[guard(Ability.EDIT_CATALOG)],
        description=f"Change a product ({who_may(Ability.EDIT_CATALOG)}).",
    )
    async def update_product(self, info: Info, input: UpdateProductInput) -> ProductPayload:
        viewer = await info.context.viewer()

        async def change() -> CatalogProduct:
            product_id = _id(input.id, "Product", "id")
            return await catalog.update_product(viewer, product_id, _change(input))

        return await _product(change)

    @strawberry.mutation(
        extensions=[guard(Ability.EDIT_CATALOG)],
        description="Set a company's price for a product, optionally for a period "
        f"({who_may(Ability.EDIT_CATALOG)}).",
    )
    async def set_contract_price(
        self, info: Info, input: SetContractPriceInput
    ) -> ContractPricePayload:
        viewer = await info.context.viewer()

        async def change() -> ContractPrice:
            data = catalog_prices.ContractPriceInput(
                product_id=_id(input.product_id, "Product", "productId"),
                company_id=_id(input.company_id, "Company", "companyId"),
                unit_price=input.unit_price,
                currency=input.currency,
                valid_from=input.valid_from,
                valid_until=input.valid_until,
            )
            price = await catalog_prices.set_contract_price(viewer, data)
            product = await catalog.get_product(price.product_id)
            assert product is not None  # just priced, in the same request
            return ContractPrice.from_record(price, product)

        price, errors = await refusals(change, CatalogError)
        return ContractPricePayload(contract_price=price, errors=errors)


async def _product(change: Callable[[], Awaitable[CatalogProduct]]) -> ProductPayload:
    product, errors = await refusals(change, CatalogError)
    return ProductPayload(product=Product.from_record(product) if product else None, errors=errors)
