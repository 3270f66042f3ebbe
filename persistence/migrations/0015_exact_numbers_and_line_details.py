"""Numbers exactly as sent, and every detail of a line kept (issue 14).

Quantities, unit prices and order totals become exact decimals: PostgreSQL's unconstrained
NUMERIC (each value keeps its own scale) in place of NUMERIC(18,3) and NUMERIC(18,4), which
rounded; on SQLite the column stays text and only the reading changes. Values already stored
keep what they had.

Cart lines keep every Classification (a JSON list) in place of one UNSPSC column: the UNSPSC
codes stored so far move into it. Cart and order lines gain the manufacturer's part ID and
name, the lead time, ItemDetail's Extrinsics, and (cart lines) the requested delivery date.
The decimal field below is a frozen copy of persistence.exact_decimal's.
"""

import json
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


class AlterNumericOnPostgres(ops.AlterField):
    """The decimal columns change type on PostgreSQL only: on SQLite they are VARCHAR(40)
    before and after, and remaking the table there (tortoise's way of altering a SQLite
    column) would also delete, by ON DELETE CASCADE, the rows that refer to it: an order's
    lines."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and _postgres(state_editor):
            await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and _postgres(state_editor):
            await super().database_backward(app_label, old_state, new_state, state_editor)


def _postgres(schema_editor):
    return schema_editor.client.capabilities.dialect == "postgres"


def _json_list(null):
    return fields.JSONField(null=null)


async def fill_lists(apps, schema_editor) -> None:
    """The new JSON lists of rows stored before: a cart line's UNSPSC code becomes its one
    Classification; every other list starts empty."""
    client = schema_editor.client
    mark = (lambda i: f"${i}") if _postgres(schema_editor) else (lambda i: "?")
    rows = await client.execute_query_dict(
        "SELECT id, unspsc FROM cart_line WHERE classifications IS NULL"
    )
    moved = [
        [json.dumps([{"domain": "UNSPSC", "value": r["unspsc"]}] if r["unspsc"] else []), r["id"]]
        for r in rows
    ]
    if moved:
        await client.execute_many(
            f"UPDATE cart_line SET classifications = {mark(1)} WHERE id = {mark(2)}", moved
        )
    for table in ("cart_line", "purchase_order_line"):
        await client.execute_script(
            f"UPDATE {table} SET extrinsics = '[]' WHERE extrinsics IS NULL"
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0014_transliterated_search_keys")]

    initial = False

    operations = [
        AlterNumericOnPostgres(
            model_name="CartLine", name="quantity", field=ExactDecimalField()
        ),
        AlterNumericOnPostgres(
            model_name="CartLine", name="unit_price", field=ExactDecimalField()
        ),
        AlterNumericOnPostgres(
            model_name="Order", name="total", field=ExactDecimalField(null=True)
        ),
        AlterNumericOnPostgres(
            model_name="OrderLine", name="quantity", field=ExactDecimalField()
        ),
        AlterNumericOnPostgres(
            model_name="OrderLine", name="unit_price", field=ExactDecimalField(null=True)
        ),
        # Added nullable, filled, then required: rows stored before get their lists. (These
        # two tables are leaves: no table refers to them, so remaking them on SQLite is safe.)
        ops.AddField(model_name="CartLine", name="classifications", field=_json_list(True)),
        ops.AddField(model_name="CartLine", name="extrinsics", field=_json_list(True)),
        ops.AddField(model_name="OrderLine", name="extrinsics", field=_json_list(True)),
        ops.RunPython(fill_lists, ops.RunPython.noop),
        ops.AlterField(model_name="CartLine", name="classifications", field=_json_list(False)),
        ops.AlterField(model_name="CartLine", name="extrinsics", field=_json_list(False)),
        ops.AlterField(model_name="OrderLine", name="extrinsics", field=_json_list(False)),
        ops.RemoveField(model_name="CartLine", name="unspsc"),
        *(
            ops.AddField(model_name=model, name=name, field=fields.TextField(null=True))
            for model, names in (
                (
                    "CartLine",
                    (
                        "manufacturer_part_id",
                        "manufacturer_name",
                        "lead_time",
                        "requested_delivery_date",
                    ),
                ),
                ("OrderLine", ("manufacturer_part_id", "manufacturer_name", "lead_time")),
            )
            for name in names
        ),
    ]
