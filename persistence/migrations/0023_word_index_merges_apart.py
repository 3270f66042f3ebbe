"""SQLite: the word indexes (company_fts, 0007; product_fts, 0019) no longer merge their
segments inside the insert that completes a level (FTS5's `automerge`, default 4): at a million
companies that insert took 25-40 ms, one company write in sixty or so (the writes' p99). The
server merges them in the background instead, a few pages at a time
(persistence/sqlite_merges.py). Nothing on PostgreSQL.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

TABLES = ("company_fts", "product_fts")


async def _automerge(schema_editor, segments: int) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return
    for table in TABLES:
        await client.execute_script(
            f"INSERT INTO {table}({table}, rank) VALUES('automerge', {segments})"
        )


async def merges_apart(apps, schema_editor) -> None:
    await _automerge(schema_editor, 0)


async def merges_inside(apps, schema_editor) -> None:
    await _automerge(schema_editor, 4)  # FTS5's default


class Migration(migrations.Migration):
    dependencies = [("models", "0022_prefix_stream_planning")]
    operations = [ops.RunPython(merges_apart, merges_inside)]
