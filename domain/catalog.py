"""The catalog: products, created and changed by staff who may edit the catalog (audited like
companies), and read by anyone who reaches companies, the storefront and the order price check.

Contract prices and the price a company pays are in `domain.catalog_prices`; the checks every
value gets in `domain.catalog_rules`; the records returned in `domain.catalog_records`.
"""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import audit
from domain.access import Ability, Viewer, require
from domain.catalog_records import CatalogProduct
from domain.catalog_rules import (
    CLEARABLE,
    ProductChange,
    ProductInput,
    classifications,
    currency,
    description,
    image_url,
    lead_time,
    optional_text,
    price,
    product_values,
    required_text,
    search_keys,
    unit_of_measure,
)
from domain.errors import CatalogCode, CatalogRefused
from domain.ranks import place
from persistence.catalog_tables import Product
from persistence.search_corpus import PRODUCTS

# The API's names of the optional fields a change may empty (ProductChange.clear).
CLEARABLE_FIELDS = {
    "supplierPartAuxiliaryId": "supplier_part_auxiliary_id",
    "manufacturerName": "manufacturer_name",
    "manufacturerPartId": "manufacturer_part_id",
    "leadTimeDays": "lead_time_days",
    "imageUrl": "image_url",
}


def _taken(part: str) -> CatalogRefused:
    return CatalogRefused(
        CatalogCode.TAKEN, f"Another product has the supplier part ID {part!r}.", "supplierPartId"
    )


async def create_product(viewer: Viewer | None, data: ProductInput) -> CatalogProduct:
    """A new product (EDIT_CATALOG); refused with CatalogRefused naming the field at fault."""
    viewer = require(viewer, Ability.EDIT_CATALOG)
    values = product_values(data)
    try:
        async with in_transaction() as conn:
            # Its alphabetical place among the products, as a company's among the companies
            # (domain.ranks): the typeahead's word index is keyed by it.
            values["sort_rank"] = await place(values["name_key"], None, conn, PRODUCTS)
            row = await Product.create(**values, using_db=conn)
            product = CatalogProduct.from_row(row)
            await audit.record(
                viewer,
                "product.create",
                "product",
                row.id,
                company_id=None,
                after=product.audited(),
                using=conn,
            )
    except IntegrityError as exc:
        raise _taken(values["supplier_part_id"]) from exc
    return product


def _changes(row: Product, change: ProductChange) -> dict[str, Any]:
    """The checked new values of the fields a change names."""
    unknown = change.clear - CLEARABLE
    if unknown:
        raise CatalogRefused(CatalogCode.INVALID, f"{sorted(unknown)[0]} cannot be emptied.")
    checks: dict[str, Any] = {
        "supplier_part_id": lambda v: required_text(v, "supplierPartId"),
        "name": lambda v: required_text(v, "name"),
        "unit_price": price,
        "currency": currency,
        "unit_of_measure": unit_of_measure,
        "classifications": lambda v: [c.to_json() for c in classifications(v)],
        "description": description,
        "supplier_part_auxiliary_id": lambda v: optional_text(v, "supplierPartAuxiliaryId"),
        "manufacturer_name": lambda v: optional_text(v, "manufacturerName"),
        "manufacturer_part_id": lambda v: optional_text(v, "manufacturerPartId"),
        "lead_time_days": lead_time,
        "image_url": image_url,
        "active": bool,
    }
    values: dict[str, Any] = {name: None for name in change.clear}
    for name, check in checks.items():
        given = getattr(change, name)
        if given is not None and name not in change.clear:
            values[name] = check(given)
    if "name" in values or "supplier_part_id" in values:
        name = values.get("name", row.name)
        part = values.get("supplier_part_id", row.supplier_part_id)
        values.update(search_keys(name, part))
    return values


async def update_product(
    viewer: Viewer | None, product_id: int, change: ProductChange
) -> CatalogProduct:
    """The product with the changes applied (EDIT_CATALOG); NOT_FOUND for no such product."""
    viewer = require(viewer, Ability.EDIT_CATALOG)
    row = await Product.get_or_none(id=product_id)
    if row is None:
        raise CatalogRefused(CatalogCode.NOT_FOUND, "No such product.", "id")
    values = _changes(row, change)
    before = CatalogProduct.from_row(row).audited()
    try:
        async with in_transaction() as conn:
            if values.get("name_key", row.name_key) != row.name_key or row.sort_rank is None:
                values["sort_rank"] = await place(values["name_key"], row.id, conn, PRODUCTS)
            row.update_from_dict(values)
            await row.save(using_db=conn)
            product = CatalogProduct.from_row(row)
            after = product.audited()
            changed = [key for key in after if after[key] != before[key]]
            await audit.record(
                viewer,
                "product.update",
                "product",
                row.id,
                company_id=None,
                before={key: before[key] for key in changed},
                after={key: after[key] for key in changed},
                using=conn,
            )
    except IntegrityError as exc:
        raise _taken(values.get("supplier_part_id", row.supplier_part_id)) from exc
    return product


async def get_product(product_id: int) -> CatalogProduct | None:
    """A product by its id, active or not (the surface decides who may read it)."""
    row = await Product.get_or_none(id=product_id)
    return CatalogProduct.from_row(row) if row else None


async def get_product_by_part(supplier_part_id: str) -> CatalogProduct | None:
    """A product by its supplier part ID, exactly as stored, active or not."""
    row = await Product.get_or_none(supplier_part_id=supplier_part_id)
    return CatalogProduct.from_row(row) if row else None


async def get_products(product_ids: list[int]) -> dict[int, CatalogProduct]:
    """Several products by id, in one statement (the ids that exist)."""
    if not product_ids:
        return {}
    rows = await Product.filter(id__in=list(dict.fromkeys(product_ids)))
    return {row.id: CatalogProduct.from_row(row) for row in rows}
