"""PostgreSQL: the typeahead's prefix streams (company_prefix, 0008; product_prefix, 0019) get
statistics on `prefix` from 1,000 values, not 100. Nothing on SQLite.

The word tier joins the typed words' streams, and which one drives the join (a nested loop
probing the others, or a merge) is the planner's choice from each stream's estimated size.
With 100 values, every prefix outside the 100 most common was estimated alike (1,474 entries at
a million companies: "wey" has 213, "bart" 694), and a rare word's stream was merged with a
one-letter word's instead of probing it (149,713 entries of "b" read for "wey b": 27 ms
against 0.3). ANALYZE of a prefix table then samples 300,000 rows instead of 30,000.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

TABLES = ("company_prefix", "product_prefix")


async def prefix_statistics(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return
    for table in TABLES:
        await client.execute_script(f"ALTER TABLE {table} ALTER COLUMN prefix SET STATISTICS 1000")
        await client.execute_script(f"ANALYZE {table}")


class Migration(migrations.Migration):
    dependencies = [("models", "0021_product_search_keys")]
    operations = [ops.RunPython(prefix_statistics, ops.RunPython.noop)]
