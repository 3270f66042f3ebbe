"""PostgreSQL: rank-ordered streams of word prefixes for the typeahead's common words.

company_prefix holds, for every company, the first one to four letters of each of its words, with its alphabetical rank; a trigger keeps it in step. Walking one prefix's rows in rank
order finds the alphabetically first companies with a common word at once (models.search).
SQLite's FTS5 index does this by itself.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

POSTGRES = [
    'CREATE TABLE company_prefix (prefix VARCHAR(4) COLLATE "C" NOT NULL, '
    "sort_rank BIGINT NOT NULL, PRIMARY KEY (prefix, sort_rank))",
    "CREATE INDEX company_prefix_rank ON company_prefix (sort_rank)",
    """CREATE FUNCTION company_prefix_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT paused FROM search_index_state LIMIT 1) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.sort_rank IS NOT NULL THEN
    DELETE FROM company_prefix WHERE sort_rank = OLD.sort_rank;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.sort_rank IS NOT NULL THEN
    INSERT INTO company_prefix (prefix, sort_rank)
    SELECT DISTINCT left(w, k), NEW.sort_rank
    FROM unnest(string_to_array(NEW.search_text, ' ')) AS w, generate_series(1, 4) AS k
    WHERE length(w) >= k
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER company_prefix_sync AFTER INSERT OR DELETE OR UPDATE OF search_text, "
    "sort_rank ON company FOR EACH ROW EXECUTE FUNCTION company_prefix_sync()",
]


# Frozen (persistence.search_index holds the live statement).
POSTGRES_PREFIX_FILL = (
    "INSERT INTO company_prefix (prefix, sort_rank) "
    "SELECT DISTINCT left(w, k), c.sort_rank FROM company c, "
    "unnest(string_to_array(c.search_text, ' ')) AS w, generate_series(1, 4) AS k "
    "WHERE c.sort_rank IS NOT NULL AND length(w) >= k"
)


async def prefix_streams(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return
    for statement in POSTGRES:
        await client.execute_script(statement)
    await client.execute_script(POSTGRES_PREFIX_FILL)


class Migration(migrations.Migration):
    dependencies = [("models", "0007_alphabetical_ranks")]

    initial = False

    operations = [ops.RunPython(prefix_streams, ops.RunPython.noop)]
