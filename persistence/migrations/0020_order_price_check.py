"""Issue 17: order prices checked against the catalog when the order comes in.

Each order line keeps the catalog's price for the company at the order's date, as the catalog
held it then (its own exact decimal: a frozen copy of persistence.exact_decimal's, as in 0015),
its currency and where it came from (a contract price or the list price), and whether the
line's price differs from it (or the part is not in the catalog). The order keeps how many of
its lines were flagged and the day whose prices they were checked against; a receipt keeps the
failure it answered, so that a refused order's retry is refused alike.

Every column is nullable or has a default in the database: rows stored before need a value at
once (PostgreSQL refuses a NOT NULL column without one, and SQLite would otherwise remake the
table, deleting an order's lines by ON DELETE CASCADE). Orders and lines stored before were
never checked: their counts stay null, their lines unflagged.
"""

from decimal import Decimal

from pypika_tortoise import functions
from pypika_tortoise.enums import SqlTypes
from tortoise import fields, migrations
from tortoise.fields.base import Field
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


class Migration(migrations.Migration):
    dependencies = [("models", "0019_catalog")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Order",
            name="price_exceptions",
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name="Order",
            name="price_date",
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name="OrderLine",
            name="catalog_unit_price",
            field=ExactDecimalField(null=True),
        ),
        ops.AddField(
            model_name="OrderLine",
            name="catalog_currency",
            field=fields.CharField(null=True, max_length=3),
        ),
        ops.AddField(
            model_name="OrderLine",
            name="catalog_price_source",
            field=fields.CharField(null=True, max_length=8),
        ),
        ops.AddField(
            model_name="OrderLine",
            name="price_mismatch",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name="CxmlReceipt",
            name="failure",
            field=fields.CharField(null=True, max_length=32),
        ),
    ]
