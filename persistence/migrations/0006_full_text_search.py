"""The typeahead moves to each database's own full-text index.

company.search_text holds the folded words of name and code (computed in Python, so that both
databases fold alike); SQLite indexes it with FTS5 (kept in step by triggers; rekeyed by rank
in 0007); PostgreSQL's index follows in 0008. The company_word table goes.
"""

import re
import unicodedata

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

BATCH = 5000

SQLITE = [
    "CREATE VIRTUAL TABLE company_fts USING fts5("
    "search_text, content='company', content_rowid='id', prefix='1 2 3', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER company_fts_insert AFTER INSERT ON company BEGIN "
    "INSERT INTO company_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER company_fts_delete AFTER DELETE ON company BEGIN "
    "INSERT INTO company_fts(company_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER company_fts_update AFTER UPDATE OF search_text ON company BEGIN "
    "INSERT INTO company_fts(company_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO company_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
POSTGRES: list[str] = []  # PostgreSQL's index comes in 0008 (prefix streams)


# The folding of the time, frozen (domain.text folds live data).
_WORD = re.compile(r"\w+")


def _words(text):
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return [w[:64] for w in _WORD.findall(bare)]


def search_text(name, code):
    return " ".join(dict.fromkeys([*_words(name), *_words(code)]))


async def fill_and_index(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    update = (
        "UPDATE company SET search_text = $1 WHERE id = $2"
        if postgres
        else "UPDATE company SET search_text = ? WHERE id = ?"
    )
    last = 0
    while True:
        select = f"SELECT id, name, code FROM company WHERE id > {int(last)} ORDER BY id LIMIT {BATCH}"
        rows = await client.execute_query_dict(select)
        if not rows:
            break
        await client.execute_many(
            update, [[search_text(r["name"], r["code"]), r["id"]] for r in rows]
        )
        last = rows[-1]["id"]
    for statement in POSTGRES if postgres else SQLITE:
        await client.execute_script(statement)
    if not postgres:
        await client.execute_script("INSERT INTO company_fts(company_fts) VALUES ('rebuild')")


class Migration(migrations.Migration):
    dependencies = [("models", "0005_buyer_identity_key")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Company",
            name="search_text",
            field=fields.TextField(null=True, unique=False),
        ),
        ops.DeleteModel(name="CompanyWord"),
        ops.RunPython(fill_and_index, ops.RunPython.noop),
    ]
