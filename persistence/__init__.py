"""Persistence: the tables, opening the database, its migrations, and the one SQL helper.

Knows nothing of the domain's rules; `domain/` builds on it, never the other way round.
"""

# The tortoise app "models" (its label is recorded in every migration, so it stays): every
# module that declares tables.
MODEL_MODULES = [
    "persistence.tables",
    "persistence.punchout_tables",
    "persistence.catalog_tables",
]
