"""Search keys folded by transliteration, and the German reading of umlauts (models.text).

Letters that do not decompose now fold ("Łódź" -> "lodz", "Ørsted" -> "orsted"), and a name
with ä/ö/ü gets its German reading too: german_name_key (indexed where set) and its words in
search_text ("Müller" -> "muller mueller"). ASCII names fold as before, so SQL picks out the
names with any other character and only those are folded again, in batches. Those whose name
key changed move in alphabetical order: ranked again one by one when they are few, else all
companies are renumbered and the word index rebuilt once (models.ranks). Measured at 200,000
demo companies on SQLite (29,417 names beyond ASCII, 4,959 of them moved): 10.7 s in all
(12.5 s when the moved names were placed one by one).
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

BATCH = 5000
# Placing one moved name costs ~1.6 ms, renumbering ~30 us a company (measured at 200,000
# companies on SQLite): renumber once more than one company in 50 moved.
PLACINGS_PER_RENUMBER = 50


def _non_ascii(postgres: bool) -> str:
    # More bytes than characters in UTF-8: a character beyond ASCII.
    if postgres:
        return "octet_length(name) <> char_length(name)"
    return "length(CAST(name AS BLOB)) <> length(name)"


async def refold(apps, schema_editor) -> None:
    from models.companies import search_keys
    from models.ranks import place, renumber

    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    mark = (lambda i: f"${i}") if postgres else (lambda i: "?")
    if postgres:  # prefix ranges need byte order, as for name_key (0002)
        await client.execute_script(
            'ALTER TABLE company ALTER COLUMN german_name_key TYPE VARCHAR(255) COLLATE "C"'
        )
    await client.execute_script(
        "CREATE INDEX company_german_name_key ON company (german_name_key) "
        "WHERE german_name_key IS NOT NULL"
    )
    moved: list[tuple[int, str]] = []
    last = 0
    while True:
        rows = await client.execute_query_dict(
            "SELECT id, name, code, name_key, search_text FROM company "
            f"WHERE id > {int(last)} AND {_non_ascii(postgres)} ORDER BY id LIMIT {BATCH}"
        )
        if not rows:
            break
        last = rows[-1]["id"]
        renamed, refreshed = [], []
        for row in rows:
            keys = search_keys(row["name"], row["code"])
            if keys.name_key != row["name_key"]:
                renamed.append([keys.name_key, keys.german_name_key, keys.search_text, row["id"]])
                moved.append((row["id"], keys.name_key))
            elif keys.german_name_key is not None or keys.search_text != row["search_text"]:
                refreshed.append([keys.german_name_key, keys.search_text, row["id"]])
        if renamed:  # unranked until placed below, so that no stale rank is a neighbour
            await client.execute_many(
                f"UPDATE company SET name_key = {mark(1)}, german_name_key = {mark(2)}, "
                f"search_text = {mark(3)}, sort_rank = NULL WHERE id = {mark(4)}",
                renamed,
            )
        if refreshed:
            await client.execute_many(
                f"UPDATE company SET german_name_key = {mark(1)}, search_text = {mark(2)} "
                f"WHERE id = {mark(3)}",
                refreshed,
            )
    if not moved:
        return
    total = (await client.execute_query_dict("SELECT COUNT(*) AS n FROM company"))[0]["n"]
    if len(moved) * PLACINGS_PER_RENUMBER > total:
        await renumber(client)
        return
    for company_id, name_key in moved:
        rank = await place(name_key, company_id, client)
        await client.execute_query(
            f"UPDATE company SET sort_rank = {mark(1)} WHERE id = {mark(2)}", [rank, company_id]
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0012_one_current_key")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Company",
            name="german_name_key",
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.RunPython(refold, ops.RunPython.noop),
    ]
