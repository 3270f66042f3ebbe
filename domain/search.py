"""The typeahead: ranked, scoped, and served by indexes at a million companies (or products).

One engine for every table described in persistence.search_corpus: companies (`search`, by
code and name) and products (domain.product_search, by part ID and name). Below, "company"
stands for a row of either, and "code" for its exact key.

Ranking: exact code, then name prefix, then every typed word a prefix of some word of the name
or code; alphabetical (folded name, then id) within each tier. Every part is one bounded index
range; a page never sorts or counts every match. A name with an umlaut has two readings
(domain.text): "Müller" is a name-prefix hit for "muller" and for "mueller"; the German
reading's range is a second small range, only when the typed text has an "ae", "oe" or "ue".

Round trips, not the ranges, are most of a typeahead's database time: the exact code, the name
prefix and the German reading are one statement (a UNION ALL of ranges, each ordered and
limited by itself); the word tier follows only when that left the page short.

The word tier reads matches in alphabetical order and stops at the page's end: every company
has a rank in (name_key, id) order (domain.ranks). SQLite's FTS5 index is keyed by that rank
and hands out the companies with every typed prefix in rank order. On PostgreSQL, the table
company_prefix holds the first one to four letters of every word with the company's rank;
the typed words' streams are joined on rank and read in rank order (a longer word is then
checked in full). A crmCompanyEdit viewer's few assigned companies drive their queries instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from domain.access import Ability, Viewer, require, scope_condition
from domain.companies import CODE_PATTERN
from domain.text import code_key, has_german_spelling, prefix_upper_bound, words
from persistence.database import search_connection
from persistence.search_corpus import COMPANIES, Corpus
from persistence.sql import Sql, is_postgres

EXACT_CODE, NAME_PREFIX, WORD_PREFIX = 0, 1, 2
MAX_TOKENS = 8  # typed words beyond these are ignored: a typeahead is not a document search


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

    def starts(self, phrase: str, column: str = "c.name_key", hidden: bool = False) -> str:
        """The key in `column` starts with `phrase` (a range: index-served). `hidden`, on
        PostgreSQL: bounds the planner cannot see, so that it walks the index in order up to
        the LIMIT, never misled by an estimate (docs/search.md: "herm")."""
        low, high = self.p(phrase), self.p(prefix_upper_bound(phrase))
        if hidden and self.postgres:
            low, high = f"(SELECT CAST({low} AS TEXT))", f"(SELECT CAST({high} AS TEXT))"
        return f"{column} >= {low} AND {column} < {high}"

    def not_german_prefix(self, phrase: str) -> str:
        """The company's German reading does not start with `phrase` (NULL: it has none)."""
        starts = self.starts(phrase, "c.german_name_key")
        return f"(c.german_name_key IS NULL OR NOT ({starts}))"

    def unindexed(self, column: str) -> str:
        # Ordering by an expression keeps the planner from walking the name index when a
        # small candidate set should drive the query instead.
        return f"{column} || ''" if self.postgres else f"+{column}"


@dataclass(frozen=True)
class Scope:
    """Which rows a search may show: `condition` on the row `c` (None: all), and whether those
    are a few that should drive the queries (a crmCompanyEdit viewer's assigned companies)."""

    condition: Callable[[Sql], str | None]
    driven: bool = False


EVERY_ROW = Scope(lambda sql: None)


@dataclass(frozen=True)
class Search:
    """One search's fixed parts: the table, who sees what, and the exact tier's key."""

    corpus: Corpus
    scope: Scope
    exact: str | None


PREFIX = 4  # <table>_prefix holds words' first 1-4 letters (migrations 0008, 0019)
_BIGGEST = 2**63 - 1


def _first_rank_from(sql: _Sql, corpus: Corpus, bound: str) -> str:
    """The rank of the first ranked name at or after `bound` (NULL: none), as a subquery."""
    return (
        f"(SELECT sort_rank FROM {corpus.table} WHERE sort_rank IS NOT NULL AND "
        f"name_key >= {sql.p(bound)} ORDER BY name_key, id LIMIT 1)"
    )


def _word_part(
    sql: _Sql,
    corpus: Corpus,
    phrase: str,
    after: SearchPosition | None,
    rank: str,
    beyond: bool,
) -> str:
    """The condition on `rank` of one of the word tier's two parts: after the cursor, and
    before (or, `beyond`, after) the run of names that start with `phrase`, which the
    name-prefix tier showed. The bounds are subqueries, so the tier needs no query of its own;
    each part is one range of an index that hands out matches in rank order."""
    start = (
        f"COALESCE((SELECT sort_rank FROM {corpus.table} WHERE id = {sql.p(after.id)}), -1)"
        if after is not None and after.tier == WORD_PREFIX
        else "-1"
    )
    if beyond:  # one lower bound, so that the index seeks to it
        upper = _first_rank_from(sql, corpus, prefix_upper_bound(phrase))
        greatest = "GREATEST" if sql.postgres else "max"
        return f"{rank} >= {greatest}({start} + 1, COALESCE({upper}, {_BIGGEST}))"
    first = _first_rank_from(sql, corpus, phrase)
    return f"{rank} > {start} AND {rank} < COALESCE({first}, {_BIGGEST})"


def _stream_part(
    sql: _Sql,
    how: Search,
    tokens: list[str],
    after: SearchPosition | None,
    limit: int,
    beyond: bool,
) -> str:
    """PostgreSQL's word tier (one part): the typed words' prefix streams, joined on rank
    (index-only), read in rank (alphabetical) order; a word longer than the stored prefixes is
    checked in full. The walk meets the alphabetically first matches first and stops at
    `limit`."""
    corpus, exact = how.corpus, how.exact
    ordered = sorted(tokens, key=len, reverse=True)  # the longest word's stream is the shortest
    phrase = " ".join(tokens)
    joins = [
        f"JOIN {corpus.prefixes} p{n} ON p{n}.sort_rank = p0.sort_rank"
        for n in range(1, len(ordered))
    ]
    # Every stream is bounded by the part's ranks, not only the first: a merge then starts
    # each at the bound, not at a short word's stream's start (docs/search.md: "mo n").
    bounds = _word_part(sql, corpus, phrase, after, "{rank}", beyond)
    where: list[str] = []
    for n, t in enumerate(ordered):
        where += [f"p{n}.prefix = {sql.p(t[:PREFIX])}", bounds.replace("{rank}", f"p{n}.sort_rank")]
    # The row is read last, once every stream has the rank: a lateral subquery naming every
    # stream (OFFSET 0: kept apart) cannot be joined before them (docs/search.md: "c beans m").
    row = [f"c.sort_rank = p{n}.sort_rank" for n in range(len(ordered))]
    row += [sql.has_word(t) for t in ordered if len(t) > PREFIX]
    row.append(f"c.{corpus.exact_key} <> {sql.p(exact)}" if exact is not None else "")
    row.append(sql.not_german_prefix(phrase) if has_german_spelling(phrase) else "")
    row.append(how.scope.condition(sql) or "")
    return (
        f"SELECT {WORD_PREFIX} AS tier, p0.sort_rank AS ord, {corpus.columns} "
        f"FROM {corpus.prefixes} p0 {' '.join(joins)} CROSS JOIN LATERAL "
        f"(SELECT {corpus.columns} FROM {corpus.table} c WHERE {_all(row)} OFFSET 0) AS c "
        f"WHERE {_all(where)} ORDER BY p0.sort_rank LIMIT {sql.p(limit)}"
    )


def _fts_part(
    sql: _Sql,
    how: Search,
    tokens: list[str],
    after: SearchPosition | None,
    limit: int,
    beyond: bool,
) -> str:
    """SQLite's word tier (one part): FTS5 hands out matches in rank (alphabetical) order;
    the first `limit` are all a page can use."""
    corpus, exact = how.corpus, how.exact
    phrase = " ".join(tokens)
    match = " ".join(f'"{t}"*' for t in tokens)
    where = [
        f"{corpus.fts} MATCH {sql.p(match)}",
        _word_part(sql, corpus, phrase, after, "f.rowid", beyond),
    ]
    where.append(f"c.{corpus.exact_key} <> {sql.p(exact)}" if exact is not None else "")
    where.append(sql.not_german_prefix(phrase) if has_german_spelling(phrase) else "")
    where.append(how.scope.condition(sql) or "")
    return (
        f"SELECT {WORD_PREFIX} AS tier, f.rowid AS ord, {corpus.columns} FROM {corpus.fts} f "
        f"CROSS JOIN {corpus.table} c ON c.sort_rank = f.rowid WHERE {_all(where)} "
        f"ORDER BY f.rowid LIMIT {sql.p(limit)}"
    )


def _all(conditions: Sequence[str | None]) -> str:
    return " AND ".join(c for c in conditions if c) or "1 = 1"


def _after(sql: _Sql, tier: int, after: SearchPosition | None) -> str | None:
    if after is None or after.tier != tier:
        return None
    later = f"c.name_key > {sql.p(after.name_key)}"
    same = f"c.name_key = {sql.p(after.name_key)} AND c.id > {sql.p(after.id)}"
    return f"({later} OR ({same}))"


def _arm(
    sql: _Sql, corpus: Corpus, tier: int, where: list[str | None], order_driven: bool, limit: int
) -> str:
    """One tier's rows in alphabetical order (folded name, then id), at most `limit`."""
    order = sql.unindexed("c.name_key") if order_driven else "c.name_key"
    return (
        f"SELECT {tier} AS tier, CAST(NULL AS BIGINT) AS ord, {corpus.columns} "
        f"FROM {corpus.table} c WHERE {_all(where)} ORDER BY {order}, c.id LIMIT {sql.p(limit)}"
    )


def _german_prefix_arm(
    sql: _Sql, how: Search, phrase: str, after: SearchPosition | None, limit: int
) -> str:
    """The names whose German reading, but not the plain one, starts with `phrase`: a range
    of the german_name_key index (few rows: names with an umlaut, where the typed text spells
    it out), in alphabetical order; merged with the name-prefix tier by the outer ORDER BY."""
    exact, key = how.exact, how.corpus.exact_key
    where = [
        f"c.{key} <> {sql.p(exact)}" if exact is not None else None,
        sql.starts(phrase, "c.german_name_key"),
        f"NOT ({sql.starts(phrase)})",
        _after(sql, NAME_PREFIX, after),
        how.scope.condition(sql),
    ]
    return _arm(sql, how.corpus, NAME_PREFIX, where, True, limit)


def _tier_arms(
    sql: _Sql,
    tier: int,
    how: Search,
    tokens: list[str],
    limit: int,
    after: SearchPosition | None,
) -> list[str]:
    """The SELECTs of one tier (arms of a UNION ALL), parameters in order; an undriven
    scope's word tier is _fts_part's or _stream_part's instead."""
    exact, key, driven = how.exact, how.corpus.exact_key, how.scope.driven
    phrase = " ".join(tokens)
    german = bool(tokens) and has_german_spelling(phrase)
    where: list[str | None] = []
    if tier == EXACT_CODE:
        where.append(f"c.{key} = {sql.p(exact)}")
    elif tier == NAME_PREFIX and not tokens:
        pass  # nothing typed: every company, alphabetically
    else:
        if exact is not None:
            where.append(f"c.{key} <> {sql.p(exact)}")
        if tier == WORD_PREFIX:  # a scoped viewer: the assigned companies, checked for each word
            where.append(f"NOT ({sql.starts(phrase)})")
            if german:
                where.append(sql.not_german_prefix(phrase))
            where += [sql.has_word(t) for t in tokens]
        elif german and driven:
            where.append(f"(({sql.starts(phrase)}) OR ({sql.starts(phrase, 'c.german_name_key')}))")
        else:
            where.append(sql.starts(phrase, hidden=not driven))
    where += [how.scope.condition(sql), _after(sql, tier, after)]
    # An assigned few companies drive a scoped viewer's queries.
    arms = [_arm(sql, how.corpus, tier, where, driven, limit)]
    if tier == NAME_PREFIX and german and not driven:
        arms.append(_german_prefix_arm(sql, how, phrase, after, limit))
    return arms


Arms = Callable[[_Sql, int], list[str]]  # the SELECTs of one statement, given its limit


def _select(sql: _Sql, arms: list[str], limit: int) -> str:
    """One SELECT of the arms: itself if one, else a UNION ALL of them (each ordered and
    limited by itself: a bounded range of an index) whose ORDER BY puts the tiers in turn."""
    if len(arms) == 1:
        return arms[0]
    union = " UNION ALL ".join(f"SELECT * FROM ({a}) AS a{n}" for n, a in enumerate(arms))
    return f"{union} ORDER BY tier, ord, name_key, id LIMIT {sql.p(limit)}"


def _gated(sql: _Sql, steps: list[Arms], limit: int) -> str:
    """PostgreSQL: the steps in one statement, each run only if the ones before left the
    page short. Each step is a MATERIALIZED WITH, and a later one's condition on the earlier
    ones' counts is a one-time filter: when false, the step's scans never start."""
    withs = []
    for n, step in enumerate(steps):
        body = _select(sql, step(sql, limit), limit)
        if n:
            short = " + ".join(f"(SELECT count(*) FROM s{m})" for m in range(n))
            body = f"SELECT * FROM ({body}) AS g{n} WHERE {short} < {sql.p(limit)}"
        withs.append(f"s{n} AS MATERIALIZED ({body})")
    every = " UNION ALL ".join(f"SELECT * FROM s{n}" for n in range(len(steps)))
    return f"WITH {', '.join(withs)} {every} ORDER BY tier, ord, name_key, id LIMIT {sql.p(limit)}"


Row = dict[str, Any]


async def _page(steps: list[Arms], limit: int) -> list[tuple[Row, SearchPosition]]:
    """The first `limit` rows of the steps, in one statement (see _gated and _select)."""
    sql = _Sql(search_connection())
    if len(steps) == 1:
        statement = _select(sql, steps[0](sql, limit), limit)
    else:
        statement = _gated(sql, steps, limit)
    return [
        (r, SearchPosition(r["tier"], r["name_key"], r["id"])) for r in await sql.rows(statement)
    ]


async def ranked(
    corpus: Corpus,
    scope: Scope,
    exact_pattern: re.Pattern[str] | None,
    search: str,
    first: int,
    after: SearchPosition | None = None,
) -> tuple[list[tuple[Row, SearchPosition]], bool]:
    """Up to `first` ranked rows of `corpus` (as its `columns` select them) after `after`,
    and whether more follow: the engine every typeahead shares (see `search`). The exact tier
    is tried when the typed text (trimmed) matches `exact_pattern` (None: always)."""
    tokens = list(dict.fromkeys(words(search)))[:MAX_TOKENS]
    tiers = [EXACT_CODE, NAME_PREFIX, WORD_PREFIX] if tokens else [NAME_PREFIX]
    # The exact-code hit, shown first, is left out of the later tiers; no code looks like a
    # text outside the code pattern (then the tier is skipped, and nothing is left out).
    typed = search.strip()
    fits = typed and (exact_pattern is None or exact_pattern.fullmatch(typed))
    exact = code_key(search)[:255] if fits else None
    if exact is None:
        tiers = [t for t in tiers if t != EXACT_CODE]
    if after is not None:
        tiers = [t for t in tiers if t >= after.tier]
    how = Search(corpus, scope, exact)
    words_apart = WORD_PREFIX in tiers and not scope.driven
    direct = [t for t in tiers if t != WORD_PREFIX or not words_apart]

    def tiers_arms(sql: _Sql, limit: int) -> list[str]:
        return [a for t in direct for a in _tier_arms(sql, t, how, tokens, limit, after)]

    def word_part(beyond: bool) -> Arms:
        def arms(sql: _Sql, limit: int) -> list[str]:
            part = _stream_part if sql.postgres else _fts_part
            return [part(sql, how, tokens, after, limit, beyond)]

        return arms

    steps = ([tiers_arms] if direct else []) + (
        [word_part(False), word_part(True)] if words_apart else []
    )
    # On PostgreSQL, a round trip to the server costs more than a one-time check: the word
    # tier's two parts are one statement. Not with the tiers before it, whose statement plans in
    # a fifth of the time and fills most pages alone.
    statements = [[step] for step in steps]
    if words_apart and is_postgres():
        statements = statements[:-2] + [steps[-2:]]
    found: list[tuple[Row, SearchPosition]] = []
    for statement in statements:
        if len(found) > first:
            break
        found += await _page(statement, first + 1 - len(found))
    return found[:first], len(found) > first


async def search(
    viewer: Viewer | None, search: str, first: int, after: SearchPosition | None = None
) -> tuple[list[tuple[Hit, SearchPosition]], bool]:
    """Up to `first` ranked companies after `after`, and whether more follow.

    One statement for the exact code and the name prefix (and for a crmCompanyEdit viewer,
    whose few companies drive every query, the word tier too). An unscoped viewer's word tier
    follows only when the page is not full yet, in two parts: before the run of names the
    name-prefix tier showed, then after it (each an index range read in rank order; either
    may read far at a million companies, so neither runs unless the page needs it)."""
    viewer = require(viewer, Ability.REACH_COMPANIES)
    scope = Scope(lambda sql: scope_condition(viewer, sql), viewer.scoped)
    rows, more = await ranked(COMPANIES, scope, CODE_PATTERN, search, first, after)
    hits = [(Hit(r["id"], r["name"], r["code"], r["name_key"]), at) for r, at in rows]
    return hits, more
