"""On PostgreSQL, compare the folded search keys byte by byte (COLLATE "C").

The typeahead finds a prefix as a range (key >= 'acm' AND key < 'acn'); that range and its
B-tree index are only right under byte order, whatever the database's default collation.
SQLite already compares text bytewise.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

COLUMNS = [
    ("company", "name_key", 255),
    ("company", "code_key", 64),
    ("company_word", "word", 64),
]


async def byte_order(apps, schema_editor) -> None:
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    for table, column, length in COLUMNS:
        await schema_editor.client.execute_script(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE VARCHAR({length}) COLLATE "C"'
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [ops.RunPython(byte_order, ops.RunPython.noop)]
