"""Ranks in alphabetical order for every company, and SQLite's FTS5 index keyed by them
(models.ranks), so that full-text matches come out alphabetically."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


GAP = 1 << 20

# Frozen copies of what this migration created (persistence.search_index holds the live ones).
SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE company_fts USING fts5("
    "search_text, content='company', content_rowid='sort_rank', prefix='1 2 3', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER company_fts_insert AFTER INSERT ON company "
    "WHEN new.sort_rank IS NOT NULL AND NOT (SELECT paused FROM search_index_state) BEGIN "
    "INSERT INTO company_fts(rowid, search_text) VALUES (new.sort_rank, new.search_text); END",
    "CREATE TRIGGER company_fts_delete AFTER DELETE ON company "
    "WHEN old.sort_rank IS NOT NULL AND NOT (SELECT paused FROM search_index_state) BEGIN "
    "INSERT INTO company_fts(company_fts, rowid, search_text) "
    "VALUES ('delete', old.sort_rank, old.search_text); END",
    "CREATE TRIGGER company_fts_update AFTER UPDATE OF search_text, sort_rank ON company "
    "WHEN NOT (SELECT paused FROM search_index_state) BEGIN "
    "INSERT INTO company_fts(company_fts, rowid, search_text) "
    "SELECT 'delete', old.sort_rank, old.search_text WHERE old.sort_rank IS NOT NULL; "
    "INSERT INTO company_fts(rowid, search_text) "
    "SELECT new.sort_rank, new.search_text WHERE new.sort_rank IS NOT NULL; END",
]


async def rank_and_index(apps, schema_editor) -> None:
    client = schema_editor.client
    sqlite = client.capabilities.dialect == "sqlite"
    await client.execute_script("INSERT INTO search_index_state (id, paused) VALUES (1, FALSE)")
    await client.execute_script(
        f"UPDATE company SET sort_rank = ranked.n * {GAP} FROM (SELECT id, ROW_NUMBER() "
        "OVER (ORDER BY name_key, id) AS n FROM company) AS ranked WHERE company.id = ranked.id"
    )
    if sqlite:
        for old in ("company_fts_insert", "company_fts_delete", "company_fts_update"):
            await client.execute_script(f"DROP TRIGGER IF EXISTS {old}")
        await client.execute_script("DROP TABLE IF EXISTS company_fts")
        for statement in SQLITE_INDEX:
            await client.execute_script(statement)
        await client.execute_script("INSERT INTO company_fts(company_fts) VALUES ('rebuild')")


class Migration(migrations.Migration):
    dependencies = [("models", "0006_full_text_search")]

    initial = False

    operations = [
        ops.CreateModel(
            name="SearchIndexState",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("paused", fields.BooleanField(default=False)),
            ],
            options={"table": "search_index_state", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Company",
            name="sort_rank",
            field=fields.BigIntField(null=True, unique=True),
        ),
        ops.RunPython(rank_and_index, ops.RunPython.noop),
    ]
