"""The connection log tells authenticated exchanges from the rest, and knows its size (issue 15).

`authenticated`: whether the sender proved to be the customer. Rows stored before are taken as
authenticated where a customer was matched and the answer was not 401: the three
authentication failures (unknown sender, missing secret, wrong secret) are the only 401s, and
every other answer given with a customer (a 403 for a disabled customer included) came after
its secret was found right. A row without a customer was never authenticated.

Both columns are added with a default in the database (rows stored before need a value at
once, PostgreSQL refuses a NOT NULL column without one, and SQLite would otherwise remake the
table, losing migration 0017's partial index); the values are then worked out below.

`body_bytes`: the UTF-8 bytes of the two bodies as stored, which retention's size budget adds
up, on an index of (id, body_bytes) so that the sum never reads a body. Rows stored before get
theirs counted here.
"""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


def _postgres(schema_editor):
    return schema_editor.client.capabilities.dialect == "postgres"


async def fill(apps, schema_editor) -> None:
    if _postgres(schema_editor):
        size = "octet_length(request_body) + octet_length(response_body)"
    else:
        size = "length(CAST(request_body AS BLOB)) + length(CAST(response_body AS BLOB))"
    await schema_editor.client.execute_script(
        f"UPDATE cxml_exchange SET body_bytes = {size}, "
        "authenticated = (customer_id IS NOT NULL AND status_code <> 401)"
    )


class Migration(migrations.Migration):
    dependencies = [("models", "0017_cxml_exchange_identities")]

    initial = False

    operations = [
        ops.AddField(
            model_name="CxmlExchange",
            name="authenticated",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name="CxmlExchange",
            name="body_bytes",
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.RunPython(fill, ops.RunPython.noop),
        ops.AddIndex(
            model_name="CxmlExchange",
            index=Index(fields=["id", "body_bytes"]),
        ),
    ]
