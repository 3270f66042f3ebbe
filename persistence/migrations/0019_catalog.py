"""Issue 17: the catalog. Products (with the folded keys and rank the typeahead reads, as
companies have) and companies' contract prices.

A contract price is unique per (product, company, valid_from); as NULLs are distinct in a
unique index on both databases, a partial unique index makes the price without a valid_from
one per product and company as well. The decimal field below is a frozen copy of
persistence.exact_decimal's (as in 0015).
"""

import functools
from decimal import Decimal
from json import dumps, loads

from pypika_tortoise import functions
from pypika_tortoise.enums import SqlTypes
from tortoise import fields, migrations
from tortoise.fields.base import Field, OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class ExactDecimalField(Field, Decimal):
    SQL_TYPE = "NUMERIC"

    def to_db_value(self, value, instance):
        if value is not None and not isinstance(value, Decimal):
            value = Decimal(str(value))
        self.validate(value)
        return value

    def to_python_value(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value))

    class _db_sqlite:
        SQL_TYPE = "VARCHAR(40)"

        def function_cast(self, term):
            return functions.Cast(term, SqlTypes.NUMERIC)


def _json():
    return fields.JSONField(encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads)


class Migration(migrations.Migration):
    # Re-point to 0018 when the branch that brings it is merged first.
    dependencies = [("models", "0017_cxml_exchange_identities")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Product",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("supplier_part_id", fields.CharField(unique=True, max_length=255)),
                ("supplier_part_auxiliary_id", fields.CharField(null=True, max_length=255)),
                ("name", fields.CharField(max_length=255)),
                ("description", fields.TextField(unique=False)),
                ("unit_price", ExactDecimalField()),
                ("currency", fields.CharField(max_length=3)),
                ("unit_of_measure", fields.CharField(max_length=3)),
                ("classifications", _json()),
                ("manufacturer_name", fields.CharField(null=True, max_length=255)),
                ("manufacturer_part_id", fields.CharField(null=True, max_length=255)),
                ("lead_time_days", fields.IntField(null=True)),
                ("image_url", fields.TextField(null=True, unique=False)),
                ("active", fields.BooleanField(default=True)),
                ("part_key", fields.CharField(db_index=True, max_length=255)),
                ("name_key", fields.CharField(max_length=255)),
                ("german_name_key", fields.CharField(null=True, max_length=255)),
                ("search_text", fields.TextField(unique=False)),
                ("sort_rank", fields.BigIntField(null=True, unique=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "product",
                "app": "models",
                "indexes": [Index(fields=["name_key", "id"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ContractPrice",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("product", fields.ForeignKeyField("models.Product", source_field="product_id", db_constraint=True, to_field="id", related_name="contract_prices", on_delete=OnDelete.CASCADE)),
                ("company", fields.ForeignKeyField("models.Company", source_field="company_id", db_constraint=True, to_field="id", related_name="contract_prices", on_delete=OnDelete.CASCADE)),
                ("unit_price", ExactDecimalField()),
                ("currency", fields.CharField(max_length=3)),
                ("valid_from", fields.DateField(null=True)),
                ("valid_until", fields.DateField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "contract_price",
                "app": "models",
                "unique_together": (("product", "company", "valid_from"),),
                "indexes": [Index(fields=["company_id", "id"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.RunSQL(
            "CREATE UNIQUE INDEX contract_price_open_start ON contract_price "
            "(product_id, company_id) WHERE valid_from IS NULL",
            reverse_sql="DROP INDEX contract_price_open_start",
        ),
    ]
