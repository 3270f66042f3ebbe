"""The company typeahead: ranked, scoped, and served by indexes at a million companies.

Ranking: exact code, then name prefix, then every typed word a prefix of some word of the name
or code; alphabetical (folded name, then id) within each tier. Each tier is one bounded query;
a page never sorts or counts every match. A name with an umlaut has two readings (domain.text):
"Müller" is a name-prefix hit for "muller" and for "mueller"; the German reading's range is a
second small query, only when the typed text has an "ae", "oe" or "ue".

The word tier reads matches in alphabetical order and stops at the page's end: every company
has a rank in (name_key, id) order (domain.ranks). SQLite's FTS5 index is keyed by that rank
and hands out the companies with every typed prefix in rank order. On PostgreSQL, the table
company_prefix holds the first one to four letters of every word with the company's rank;
the typed words' streams are joined on rank and read in rank order (a longer word is then
checked in full). A crmCompanyEdit viewer's few assigned companies drive their queries instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.connection import get_connection

from domain.access import Ability, Viewer, require, scope_condition
from domain.companies import CODE_PATTERN
from domain.text import code_key, has_german_spelling, prefix_upper_bound, words
from persistence.sql import Sql

EXACT_CODE, NAME_PREFIX, WORD_PREFIX = 0, 1, 2
MAX_TOKENS = 8  # typed words beyond these are ignored: a typeahead is not a document search
COLUMNS = "c.id, c.name, c.code, c.name_key"


@dataclass(frozen=True)
class SearchPosition:
    """Where a page ended: the keyset cursor (tier, folded name, id)."""

    tier: int
    name_key: str
    id: int


@dataclass(frozen=True)
class Hit:
    id: int
    name: str
    code: str
    name_key: str


class _Sql(Sql):
    """A search statement: the helper's placeholders, and the conditions search repeats."""

    def has_word(self, token: str) -> str:
        """The company has a word starting with `token` (tokens are letters and digits only,
        so they need no escaping in LIKE)."""
        return f"(' ' || c.search_text) LIKE {self.p(f'% {token}%')}"

    def starts(self, phrase: str, column: str = "c.name_key") -> str:
        """The key in `column` starts with `phrase` (a range: index-served)."""
        low, high = self.p(phrase), self.p(prefix_upper_bound(phrase))
        return f"{column} >= {low} AND {column} < {high}"

    def not_german_prefix(self, phrase: str) -> str:
        """The company's German reading does not start with `phrase` (NULL: it has none)."""
        starts = self.starts(phrase, "c.german_name_key")
        return f"(c.german_name_key IS NULL OR NOT ({starts}))"

    def unindexed(self, column: str) -> str:
        # Ordering by an expression keeps the planner from walking the name index when a
        # small candidate set should drive the query instead.
        return f"{column} || ''" if self.postgres else f"+{column}"


async def _prefix_run(phrase: str) -> tuple[int | None, int | None]:
    """The ranks where the names starting with `phrase` begin and where they end (None: no
    such name follows), in one statement."""
    sql = Sql()

    def first(bound: str) -> str:
        return (
            "(SELECT sort_rank FROM company WHERE sort_rank IS NOT NULL AND "
            f"name_key >= {sql.p(bound)} ORDER BY name_key, id LIMIT 1)"
        )

    rows = await sql.rows(
        f"SELECT {first(phrase)} AS start, {first(prefix_upper_bound(phrase))} AS stop"
    )
    return rows[0]["start"], rows[0]["stop"]


async def _start_rank(after: SearchPosition | None) -> int:
    if after is None or after.tier != WORD_PREFIX:
        return -1
    sql = Sql()
    rows = await sql.rows(f"SELECT sort_rank FROM company WHERE id = {sql.p(after.id)}")
    return rows[0]["sort_rank"] if rows and rows[0]["sort_rank"] is not None else -1


def _segments(start: int, skip: tuple[int | None, int | None]) -> list[tuple[int, int | None]]:
    """Rank ranges after `start` around the run of names the name-prefix tier showed."""
    skip_from, skip_to = skip
    segments: list[tuple[int, int | None]] = [(start, skip_from)]
    if skip_from is not None and skip_to is not None:
        segments.append((max(start, skip_to - 1), None))
    return segments


PREFIX = 4  # company_prefix holds words' first 1-4 letters (migration 0008)


async def _prefix_stream_tier(
    exact: str | None, tokens: list[str], limit: int, after: SearchPosition | None
) -> list[Hit]:
    """PostgreSQL: the typed words' prefix streams, joined on rank (index-only), read in rank
    (alphabetical) order; a word longer than the stored prefixes is checked in full. The walk
    meets the alphabetically first matches first and stops at `limit`."""
    ordered = sorted(tokens, key=len, reverse=True)  # the longest word's stream is the shortest
    phrase = " ".join(tokens)
    skip = await _prefix_run(phrase)
    hits: list[Hit] = []
    for low, high in _segments(await _start_rank(after), skip):
        if len(hits) >= limit:
            break
        sql = _Sql()
        joins = [
            f"JOIN company_prefix p{i} ON p{i}.prefix = {sql.p(t[:PREFIX])} "
            f"AND p{i}.sort_rank = p0.sort_rank"
            for i, t in enumerate(ordered)
            if i
        ]
        where = [f"p0.prefix = {sql.p(ordered[0][:PREFIX])}", f"p0.sort_rank > {sql.p(low)}"]
        if high is not None:
            where.append(f"p0.sort_rank < {sql.p(high)}")
        where += [sql.has_word(t) for t in ordered if len(t) > PREFIX]
        if has_german_spelling(phrase):
            where.append(sql.not_german_prefix(phrase))
        statement = (
            f"SELECT {COLUMNS}, c.code_key FROM company_prefix p0 {' '.join(joins)} "
            f"JOIN company c ON c.sort_rank = p0.sort_rank WHERE {' AND '.join(where)} "
            f"ORDER BY p0.sort_rank LIMIT {sql.p(limit + 1)}"
        )
        rows = await sql.rows(statement)
        hits += [
            Hit(r["id"], r["name"], r["code"], r["name_key"])
            for r in rows
            if r["code_key"] != exact
        ]
    return hits[:limit]


_BIGGEST = 2**63 - 1
_RANK_OF_ID = "COALESCE((SELECT sort_rank FROM company WHERE id = ?), -1)"
_FIRST_RANK_FROM = (
    "(SELECT sort_rank FROM company WHERE sort_rank IS NOT NULL AND name_key >= ? "
    "ORDER BY name_key, id LIMIT 1)"
)


async def _fts_word_tier(
    exact: str | None, tokens: list[str], limit: int, after: SearchPosition | None
) -> list[Hit]:
    """SQLite: FTS5 hands out matches in rank (alphabetical) order; the first `limit` are
    the page. The name-prefix tier's companies form one run of ranks, skipped by range: first
    the ranks before the run, then (only if the page is not full) those after it. The bounds
    are subqueries, so each part is one statement."""
    phrase = " ".join(tokens)
    after_id = after.id if after is not None and after.tier == WORD_PREFIX else 0
    match = " ".join(f'"{t}"*' for t in tokens)
    german = _Sql()  # leaves out the German readings that the name-prefix tier showed
    skip_german = f" AND {german.not_german_prefix(phrase)}" if has_german_spelling(phrase) else ""
    parts = [
        (f"f.rowid < COALESCE({_FIRST_RANK_FROM}, {_BIGGEST})", phrase),
        (f"f.rowid >= COALESCE({_FIRST_RANK_FROM}, {_BIGGEST})", prefix_upper_bound(phrase)),
    ]
    hits: list[Hit] = []
    for bound, key in parts:
        if len(hits) >= limit:
            break
        rows = await get_connection("default").execute_query_dict(
            f"SELECT {COLUMNS}, c.code_key FROM company_fts f CROSS JOIN company c "
            f"ON c.sort_rank = f.rowid WHERE company_fts MATCH ? AND f.rowid > {_RANK_OF_ID} "
            f"AND {bound}{skip_german} ORDER BY f.rowid LIMIT ?",
            [match, after_id, key, *german.params, limit + 1],
        )
        hits += [
            Hit(r["id"], r["name"], r["code"], r["name_key"])
            for r in rows
            if r["code_key"] != exact
        ]
    return hits[:limit]


def _after(sql: _Sql, tier: int, after: SearchPosition | None) -> str | None:
    if after is None or after.tier != tier:
        return None
    later = f"c.name_key > {sql.p(after.name_key)}"
    same = f"c.name_key = {sql.p(after.name_key)} AND c.id > {sql.p(after.id)}"
    return f"({later} OR ({same}))"


async def _fetch(sql: _Sql, where: list[str | None], order_driven: bool, limit: int) -> list[Hit]:
    order = sql.unindexed("c.name_key") if order_driven else "c.name_key"
    conditions = " AND ".join(w for w in where if w) or "1 = 1"
    statement = (
        f"SELECT {COLUMNS} FROM company c WHERE {conditions} "
        f"ORDER BY {order}, c.id LIMIT {sql.p(limit)}"
    )
    rows = await sql.rows(statement)
    return [Hit(r["id"], r["name"], r["code"], r["name_key"]) for r in rows]


async def _german_prefix_tier(
    exact: str | None, phrase: str, limit: int, after: SearchPosition | None
) -> list[Hit]:
    """The names whose German reading, but not the plain one, starts with `phrase`: a range
    of the german_name_key index (few rows: names with an umlaut, where the typed text spells
    it out), in alphabetical order."""
    sql = _Sql()
    where = [
        f"c.code_key <> {sql.p(exact)}" if exact is not None else None,
        sql.starts(phrase, "c.german_name_key"),
        f"NOT ({sql.starts(phrase)})",
        _after(sql, NAME_PREFIX, after),
    ]
    return await _fetch(sql, where, True, limit)


def _merged(first: list[Hit], second: list[Hit], limit: int) -> list[Hit]:
    return sorted(first + second, key=lambda h: (h.name_key, h.id))[:limit]


async def _tier(
    tier: int,
    exact: str | None,
    tokens: list[str],
    viewer: Viewer,
    limit: int,
    after: SearchPosition | None,
) -> list[Hit]:
    sql = _Sql()
    phrase = " ".join(tokens)
    german = bool(tokens) and has_german_spelling(phrase)
    where: list[str | None] = []
    driven = viewer.scoped  # an assigned few companies drive a scoped viewer's queries
    if tier == EXACT_CODE:
        where.append(f"c.code_key = {sql.p(exact)}")
    elif tier == NAME_PREFIX and not tokens:
        pass  # nothing typed: every company, alphabetically
    else:
        if exact is not None:
            where.append(f"c.code_key <> {sql.p(exact)}")
        if tier == WORD_PREFIX:
            where.append(f"NOT ({sql.starts(phrase)})")
            if german:
                where.append(sql.not_german_prefix(phrase))
        elif german and viewer.scoped:
            where.append(f"(({sql.starts(phrase)}) OR ({sql.starts(phrase, 'c.german_name_key')}))")
        else:
            where.append(sql.starts(phrase))
    if tier == WORD_PREFIX and not sql.postgres and not viewer.scoped:
        return await _fts_word_tier(exact, tokens, limit, after)
    if tier == WORD_PREFIX and sql.postgres and not viewer.scoped:
        return await _prefix_stream_tier(exact, tokens, limit, after)
    if tier == WORD_PREFIX:  # a scoped viewer: the assigned companies, checked for each word
        where += [sql.has_word(t) for t in tokens]
    where += [scope_condition(viewer, sql), _after(sql, tier, after)]
    hits = await _fetch(sql, where, driven, limit)
    if tier == NAME_PREFIX and german and not viewer.scoped:
        hits = _merged(hits, await _german_prefix_tier(exact, phrase, limit, after), limit)
    return hits


async def search(
    viewer: Viewer | None, search: str, first: int, after: SearchPosition | None = None
) -> tuple[list[tuple[Hit, SearchPosition]], bool]:
    """Up to `first` ranked hits after `after`, and whether more follow."""
    viewer = require(viewer, Ability.REACH_COMPANIES)
    tokens = list(dict.fromkeys(words(search)))[:MAX_TOKENS]
    tiers = [EXACT_CODE, NAME_PREFIX, WORD_PREFIX] if tokens else [NAME_PREFIX]
    # The exact-code hit, shown first, is left out of the later tiers; no code looks like a
    # text outside the code pattern (then the tier is skipped, and nothing is left out).
    exact = code_key(search) if CODE_PATTERN.fullmatch(search.strip()) else None
    if exact is None:
        tiers = [t for t in tiers if t != EXACT_CODE]
    found: list[tuple[Hit, SearchPosition]] = []
    for tier in tiers:
        if after is not None and tier < after.tier:
            continue

        hits = await _tier(tier, exact, tokens, viewer, first + 1 - len(found), after)
        found += [(h, SearchPosition(tier, h.name_key, h.id)) for h in hits]
        if len(found) > first:
            break
    return found[:first], len(found) > first
