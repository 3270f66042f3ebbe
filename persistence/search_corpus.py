"""What the typeahead's engine needs to know of a table it searches and ranks: companies and
products share one engine (domain.search, domain.ranks, persistence.bulk_load), each described
here once.

A corpus table has `name_key` (its folded name), `german_name_key`, `search_text` (the folded
words the word index holds), `sort_rank` (its place in (name_key, id) order, domain.ranks) and
a folded key that an exact match is on (a company's code, a product's part ID). Its word index
has the same names with the table's in front: on SQLite the FTS5 table `<table>_fts` and its
triggers `<table>_fts_insert`/`_delete`/`_update`, on PostgreSQL the prefix streams
`<table>_prefix` and their trigger `<table>_prefix_sync` (migrations 0007, 0008, 0019 and
0021).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Corpus:
    table: str
    exact_key: str  # the folded key of the exact tier (code_key, part_key)
    columns: str  # what a hit selects, from the table aliased `c` (name_key and id among them)
    rank_lock: int  # the PostgreSQL advisory lock that serialises its rank changes
    name: str  # in messages and logs: "company", "product"

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"

    @property
    def prefixes(self) -> str:
        return f"{self.table}_prefix"

    @property
    def sqlite_triggers(self) -> tuple[str, ...]:
        return tuple(f"{self.table}_fts_{event}" for event in ("insert", "delete", "update"))

    @property
    def postgres_triggers(self) -> tuple[str, ...]:
        return (f"{self.table}_prefix_sync",)

    def postgres_prefix_fill(self) -> str:
        """PostgreSQL: the prefix streams filled from every ranked row. Each row's prefixes
        are made distinct on their own (its rank is its own): one DISTINCT over every row's
        took 2.6 times as long (26 s against 10 s for 200,000 companies)."""
        return (
            f"INSERT INTO {self.prefixes} (prefix, sort_rank) "
            f"SELECT p.prefix, c.sort_rank FROM {self.table} c CROSS JOIN LATERAL "
            "(SELECT DISTINCT left(w, k) AS prefix "
            "FROM unnest(string_to_array(c.search_text, ' ')) AS w, generate_series(1, 4) AS k "
            "WHERE length(w) >= k) AS p "
            "WHERE c.sort_rank IS NOT NULL"
        )

    def postgres_prefix_fill_ids(self) -> str:
        """The same for the rows whose ids lie in a range ($1, $2: a bulk load's new rows)."""
        return self.postgres_prefix_fill() + " AND c.id BETWEEN $1 AND $2"

    def sqlite_fts_fill_ids(self) -> str:
        """SQLite: FTS5 entries of the rows whose ids lie in a range, added in rank order.
        FTS5 starts a new segment whenever a rowid (the rank) is lower than the one before,
        so rows fed in any other order make thousands of segments to merge ('rebuild' reads
        the table in id order: 10 s for 200,000 companies, against 1.3 s in rank order)."""
        return (
            f"INSERT INTO {self.fts}(rowid, search_text) SELECT sort_rank, search_text "
            f"FROM {self.table} WHERE id BETWEEN ? AND ? AND sort_rank IS NOT NULL "
            "ORDER BY sort_rank"
        )

    def sqlite_fts_add(self) -> str:
        """SQLite: FTS5 entries given one by one: (rank, search_text), in rank order."""
        return f"INSERT INTO {self.fts}(rowid, search_text) VALUES (?, ?)"

    def sqlite_fts_clear(self) -> str:
        """SQLite: every entry of the word index removed (before it is filled again)."""
        return f"INSERT INTO {self.fts}({self.fts}) VALUES ('delete-all')"

    def sqlite_fts_rebuild(self) -> str:
        return f"INSERT INTO {self.fts}({self.fts}) VALUES ('rebuild')"


COMPANIES = Corpus("company", "code_key", "c.id, c.name, c.code, c.name_key", 0x72616E6B, "company")
# A product hit carries what the typeahead shows at once (domain.product_search.ProductHit):
# every column (c.*, the description and classifications among them) doubled a search's time.
PRODUCTS = Corpus(
    "product",
    "part_key",
    "c.id, c.supplier_part_id, c.name, c.name_key, c.unit_price, c.currency, "
    "c.unit_of_measure, c.active",
    0x70726F64,
    "product",
)
