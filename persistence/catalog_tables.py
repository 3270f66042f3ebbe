"""The catalog's tables: products and the contract prices of companies. Conventions as in
`tables.py` (no docstrings on tables; `<name>_id` annotations beside foreign keys)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from persistence.exact_decimal import ExactDecimalField

if TYPE_CHECKING:
    from persistence.tables import Company


# A product of the supplier's catalog, as the storefront shows it and a cart line carries it.
class Product(Model):
    id = fields.IntField(primary_key=True)
    supplier_part_id = fields.CharField(max_length=255, unique=True)  # exactly as given
    supplier_part_auxiliary_id = fields.CharField(max_length=255, null=True)
    name = fields.CharField(max_length=255)
    description = fields.TextField()
    unit_price = ExactDecimalField()  # the list price: every digit as given
    currency = fields.CharField(max_length=3)
    unit_of_measure = fields.CharField(max_length=3)  # a code of domain/unit_codes.txt
    # Every classification in order: [{"domain", "value"}, ...] (domain.records.Classification).
    classifications: fields.JSONField[list[dict[str, Any]]] = fields.JSONField()
    manufacturer_name = fields.CharField(max_length=255, null=True)
    manufacturer_part_id = fields.CharField(max_length=255, null=True)
    lead_time_days = fields.IntField(null=True)
    image_url = fields.TextField(null=True)  # https only (domain.urls)
    active = fields.BooleanField(default=True)
    # Folded copies for the typeahead, kept by domain.catalog as companies' are by
    # domain.companies: the part ID's (exact tier), the name's and its German reading's (name
    # prefix), the words of name and part ID (word prefixes), and the alphabetical rank.
    part_key = fields.CharField(max_length=255, db_index=True)
    name_key = fields.CharField(max_length=255)
    german_name_key = fields.CharField(max_length=255, null=True)
    search_text = fields.TextField()
    sort_rank = fields.BigIntField(null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "product"
        indexes = [Index(fields=("name_key", "id"))]


# A company's own price for a product, optionally only from or until a date (both included).
# One row per (product, company, valid_from); a partial unique index makes the row without a
# valid_from one per product and company too (migration 0019).
class ContractPrice(Model):
    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="contract_prices", on_delete=fields.CASCADE, db_index=False
    )
    product_id: int
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="contract_prices", on_delete=fields.CASCADE, db_index=False
    )
    company_id: int
    unit_price = ExactDecimalField()
    currency = fields.CharField(max_length=3)
    valid_from = fields.DateField(null=True)
    valid_until = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "contract_price"
        unique_together = (("product", "company", "valid_from"),)
        indexes = [Index(fields=("company_id", "id"))]
