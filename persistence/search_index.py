"""Statements on the typeahead's index structures that live code runs (the structures
themselves are created by migrations 0007 and 0008, each with its own frozen copy)."""

# PostgreSQL: the typeahead's prefix streams, filled from every company (0008, renumbering).
POSTGRES_PREFIX_FILL = (
    "INSERT INTO company_prefix (prefix, sort_rank) "
    "SELECT DISTINCT left(w, k), c.sort_rank FROM company c, "
    "unnest(string_to_array(c.search_text, ' ')) AS w, generate_series(1, 4) AS k "
    "WHERE c.sort_rank IS NOT NULL AND length(w) >= k"
)
