"""The product typeahead's keys and word index, for its statements to be served as the
companies' are (0002, 0007, 0014) at a million products:
- on PostgreSQL, the folded keys compared byte by byte (COLLATE "C"): a prefix is a range, and
  ranks are given in byte order; the database's own collation sorts otherwise, and compares
  several times slower;
- on both, the German reading indexed where set (without it, a typed "ue" or "oe" read every
  product);
- on SQLite, the FTS5 word index with prefix indexes of 1 to 6 letters (0019: 1 to 3). FTS5
  reads a prefix longer than its longest prefix index by merging every matching word's entries
  first: "demo"* (every product's part ID "DEMO-...") took 15 ms a part at 100,000 products,
  and a common word typed to 5 letters ("paper"*, "stapl"*) as much at a million, where a
  prefix index is read lazily in rank order and stops at the page's end (at a million: p90
  3.8 ms with 1-4 letters, 0.7 ms with 1-6; p99 18 and 9 ms). A longer prefix is rarer: merged,
  its entries are few.
The FTS5 table is made again and filled in rank order (see persistence.search_corpus).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

COLUMNS = ["part_key", "name_key", "german_name_key"]
FTS = (
    "CREATE VIRTUAL TABLE product_fts USING fts5("
    "search_text, content='product', content_rowid='sort_rank', prefix='1 2 3 4 5 6', "
    "tokenize='unicode61 remove_diacritics 0')"
)


async def search_keys(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        for column in COLUMNS:
            await client.execute_script(
                f'ALTER TABLE product ALTER COLUMN "{column}" TYPE VARCHAR(255) COLLATE "C"'
            )
    else:
        # The triggers name product_fts in their bodies: they keep working on the new table.
        await client.execute_script("DROP TABLE product_fts")
        await client.execute_script(FTS)
        await client.execute_script(
            "INSERT INTO product_fts(rowid, search_text) SELECT sort_rank, search_text "
            "FROM product WHERE sort_rank IS NOT NULL ORDER BY sort_rank"
        )
    await client.execute_script(
        "CREATE INDEX product_german_name_key ON product (german_name_key) "
        "WHERE german_name_key IS NOT NULL"
    )


class Migration(migrations.Migration):
    dependencies = [("models", "0020_order_price_check")]
    operations = [ops.RunPython(search_keys, ops.RunPython.noop)]
