"""Issue 17: the catalog. Products (with the folded keys and rank the typeahead reads, as
companies have) and companies' contract prices.

A contract price is unique per (product, company, valid_from); as NULLs are distinct in a
unique index on both databases, a partial unique index makes the price without a valid_from
one per product and company as well. The decimal field below is a frozen copy of
persistence.exact_decimal's (as in 0015).

The product typeahead shares the companies' engine (domain.search), so products get the same
word index, under the same names with `product` for `company`: on SQLite an FTS5 table keyed
by the alphabetical rank, kept in step by triggers (as 0007 made company_fts); on PostgreSQL
the prefix streams product_prefix, kept by a trigger (as 0008 made company_prefix). Both obey
search_index_state's pause, as the companies' do. Frozen copies, as every migration keeps.
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


SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE product_fts USING fts5("
    "search_text, content='product', content_rowid='sort_rank', prefix='1 2 3', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER product_fts_insert AFTER INSERT ON product "
    "WHEN new.sort_rank IS NOT NULL AND NOT (SELECT paused FROM search_index_state) BEGIN "
    "INSERT INTO product_fts(rowid, search_text) VALUES (new.sort_rank, new.search_text); END",
    "CREATE TRIGGER product_fts_delete AFTER DELETE ON product "
    "WHEN old.sort_rank IS NOT NULL AND NOT (SELECT paused FROM search_index_state) BEGIN "
    "INSERT INTO product_fts(product_fts, rowid, search_text) "
    "VALUES ('delete', old.sort_rank, old.search_text); END",
    "CREATE TRIGGER product_fts_update AFTER UPDATE OF search_text, sort_rank ON product "
    "WHEN NOT (SELECT paused FROM search_index_state) BEGIN "
    "INSERT INTO product_fts(product_fts, rowid, search_text) "
    "SELECT 'delete', old.sort_rank, old.search_text WHERE old.sort_rank IS NOT NULL; "
    "INSERT INTO product_fts(rowid, search_text) "
    "SELECT new.sort_rank, new.search_text WHERE new.sort_rank IS NOT NULL; END",
]

POSTGRES_INDEX = [
    'CREATE TABLE product_prefix (prefix VARCHAR(4) COLLATE "C" NOT NULL, '
    "sort_rank BIGINT NOT NULL, PRIMARY KEY (prefix, sort_rank))",
    "CREATE INDEX product_prefix_rank ON product_prefix (sort_rank)",
    """CREATE FUNCTION product_prefix_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT paused FROM search_index_state LIMIT 1) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.sort_rank IS NOT NULL THEN
    DELETE FROM product_prefix WHERE sort_rank = OLD.sort_rank;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.sort_rank IS NOT NULL THEN
    INSERT INTO product_prefix (prefix, sort_rank)
    SELECT DISTINCT left(w, k), NEW.sort_rank
    FROM unnest(string_to_array(NEW.search_text, ' ')) AS w, generate_series(1, 4) AS k
    WHERE length(w) >= k
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER product_prefix_sync AFTER INSERT OR DELETE OR UPDATE OF search_text, "
    "sort_rank ON product FOR EACH ROW EXECUTE FUNCTION product_prefix_sync()",
]


async def word_index(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for statement in POSTGRES_INDEX if postgres else SQLITE_INDEX:
        await client.execute_script(statement)


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
        ops.RunPython(word_index, ops.RunPython.noop),
    ]
