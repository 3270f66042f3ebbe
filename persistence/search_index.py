"""Statements on the typeahead's index structures that live code runs (the structures
themselves are created by migrations 0007 and 0008, each with its own frozen copy)."""

# PostgreSQL: the typeahead's prefix streams, filled from every company (0008, renumbering).
# Each company's prefixes are made distinct on their own (its rank is its own): one DISTINCT
# over every company's took 2.6 times as long (26 s against 10 s for 200,000 companies).
POSTGRES_PREFIX_FILL = (
    "INSERT INTO company_prefix (prefix, sort_rank) "
    "SELECT p.prefix, c.sort_rank FROM company c CROSS JOIN LATERAL "
    "(SELECT DISTINCT left(w, k) AS prefix "
    "FROM unnest(string_to_array(c.search_text, ' ')) AS w, generate_series(1, 4) AS k "
    "WHERE length(w) >= k) AS p "
    "WHERE c.sort_rank IS NOT NULL"
)

# The same for the companies whose ids lie in a range (a bulk load's new rows).
POSTGRES_PREFIX_FILL_IDS = POSTGRES_PREFIX_FILL + " AND c.id BETWEEN $1 AND $2"

# SQLite: FTS5 entries of the companies whose ids lie in a range, added in rank order. FTS5
# starts a new segment whenever a rowid (the rank) is lower than the one before, so rows fed
# in any other order make thousands of segments to merge ('rebuild' reads the table in id
# order: 10 s for 200,000 companies, against 1.3 s in rank order).
SQLITE_FTS_FILL_IDS = (
    "INSERT INTO company_fts(rowid, search_text) SELECT sort_rank, search_text FROM company "
    "WHERE id BETWEEN ? AND ? AND sort_rank IS NOT NULL ORDER BY sort_rank"
)

# SQLite: FTS5 entries given one by one: (rank, search_text), in rank order.
SQLITE_FTS_ADD = "INSERT INTO company_fts(rowid, search_text) VALUES (?, ?)"

# SQLite: every entry of the word index removed (before it is filled again in rank order).
SQLITE_FTS_CLEAR = "INSERT INTO company_fts(company_fts) VALUES ('delete-all')"

# The triggers that keep those structures in step with the company table, one row at a time
# (0007, 0008); a bulk load sets them aside and fills the structures itself.
SQLITE_TRIGGERS = ("company_fts_insert", "company_fts_delete", "company_fts_update")
POSTGRES_TRIGGERS = ("company_prefix_sync",)
