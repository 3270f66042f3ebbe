"""The product typeahead's keys as the companies' are (0002, 0014), for its statements to be
served as theirs are: on PostgreSQL the folded keys compared byte by byte (COLLATE "C": a
prefix is a range, and ranks are given in byte order; the database's own collation sorts
otherwise, and compares several times slower), and on both the German reading indexed where
set (without it, a typed "ue" or "oe" read every product).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

COLUMNS = ["part_key", "name_key", "german_name_key"]


async def search_keys(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        for column in COLUMNS:
            await client.execute_script(
                f'ALTER TABLE product ALTER COLUMN "{column}" TYPE VARCHAR(255) COLLATE "C"'
            )
    await client.execute_script(
        "CREATE INDEX product_german_name_key ON product (german_name_key) "
        "WHERE german_name_key IS NOT NULL"
    )


class Migration(migrations.Migration):
    dependencies = [("models", "0019_catalog")]
    operations = [ops.RunPython(search_keys, ops.RunPython.noop)]
