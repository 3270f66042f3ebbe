"""Statements on the typeahead's index structures that live code runs (the structures
themselves are created by migrations 0007, 0008 and 0019, each with its own frozen copy).
Each table's are made from its description (persistence.search_corpus); the companies' are
named here as they always were."""

from persistence.search_corpus import COMPANIES

# PostgreSQL: the typeahead's prefix streams, filled from every company (0008, renumbering).
POSTGRES_PREFIX_FILL = COMPANIES.postgres_prefix_fill()

# The same for the companies whose ids lie in a range (a bulk load's new rows).
POSTGRES_PREFIX_FILL_IDS = COMPANIES.postgres_prefix_fill_ids()

# SQLite: FTS5 entries of the companies whose ids lie in a range, added in rank order.
SQLITE_FTS_FILL_IDS = COMPANIES.sqlite_fts_fill_ids()

# SQLite: FTS5 entries given one by one: (rank, search_text), in rank order.
SQLITE_FTS_ADD = COMPANIES.sqlite_fts_add()

# SQLite: every entry of the word index removed (before it is filled again in rank order).
SQLITE_FTS_CLEAR = COMPANIES.sqlite_fts_clear()

# The triggers that keep those structures in step with the company table, one row at a time
# (0007, 0008); a bulk load sets them aside and fills the structures itself.
SQLITE_TRIGGERS = COMPANIES.sqlite_triggers
POSTGRES_TRIGGERS = COMPANIES.postgres_triggers
