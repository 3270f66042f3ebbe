"""Search keys folded by transliteration, and the German reading of umlauts (domain.text).

Letters that do not decompose now fold ("Łódź" -> "lodz", "Ørsted" -> "orsted"), and a name
with ä/ö/ü gets its German reading too: german_name_key (indexed where set) and its words in
search_text ("Müller" -> "muller mueller"). ASCII names fold as before, so SQL picks out the
names with any other character and only those are folded again, in batches. Those whose name
key changed move in alphabetical order: they lose their rank here, and the server's first
start-up step ("repair search ranks", domain.ranks) renumbers the companies and rebuilds the
word index once. The folding below is a frozen copy of domain.text's at the time.
"""

import re
import unicodedata

from anyascii import anyascii
from tortoise import fields, migrations
from tortoise.migrations import operations as ops

BATCH = 5000
_WORD = re.compile(r"\w+")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def _keep(char):
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


def _words(text):
    if text.isascii():
        folded = text.lower()
    else:
        folded = anyascii("".join(c if _keep(c) else " " for c in text)).lower()
    return [w[:64] for w in _WORD.findall(folded)]


def _german_words(text):
    if text.isascii():
        return []
    composed = unicodedata.normalize("NFC", text)
    german = composed.translate(_GERMAN)
    return _words(german) if german != composed else []


def search_keys(name, code):
    """(name_key, german_name_key, search_text), as domain.companies made them then."""
    plain, german = _words(name), _german_words(name)
    key, german_key = " ".join(plain)[:255], " ".join(german)[:255]
    text = " ".join(dict.fromkeys([*plain, *german, *_words(code)]))
    return key, (german_key if german_key and german_key != key else None), text


def _non_ascii(postgres: bool) -> str:
    # More bytes than characters in UTF-8: a character beyond ASCII.
    if postgres:
        return "octet_length(name) <> char_length(name)"
    return "length(CAST(name AS BLOB)) <> length(name)"


async def refold(apps, schema_editor) -> None:
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
            key, german_key, text = search_keys(row["name"], row["code"])
            if key != row["name_key"]:
                renamed.append([key, german_key, text, row["id"]])
            elif german_key is not None or text != row["search_text"]:
                refreshed.append([german_key, text, row["id"]])
        if renamed:  # unranked: the start-up's rank repair places them
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


class Migration(migrations.Migration):
    dependencies = [("models", "0013_staff_disabled_and_last_sign_in")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Company",
            name="german_name_key",
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.RunPython(refold, ops.RunPython.noop),
    ]
