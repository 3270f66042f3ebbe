"""Importing companies in bulk from rows of `code,name` (a CSV file, the demo).

A bad row (a reader's problem, a bad code or name, a duplicate, a row the database refuses)
is skipped with its line and reason, and every other row is imported. The import itself is
all or nothing: one transaction, so that it either stores every good row, ranked and in the
word index, or (the database gone, the process killed) nothing at all.

How it goes (profile and timings in docs/performance.md#company-import): every row is read,
checked and folded first (createCompany's rule, each distinct word and name folded once:
domain.company_folding), outside the transaction;
then, in it, the new companies are ranked from one sort (domain.import_ranks), stored as
plain tuples in large batches (COPY on PostgreSQL), and entered in the word index once, in
rank order. When the load at least doubles the table, or moves every rank, the table's
secondary indexes and the word index's triggers and keys are set aside and built once after
it (persistence.bulk_load), instead of being updated row by row.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from domain.company_folding import CODE, CODE_KEY, NAME, NAME_KEY, CompanyFolder, Row
from domain.errors import CompanyRefused
from domain.import_ranks import bulk_ranks
from domain.ranks import RANK_LOCK
from persistence import bulk_load
from persistence.sql import adapt, insert_rows, is_postgres

BATCH = 20_000  # rows a statement (executemany or COPY), and between two progress reports
SHOWN = 200  # characters of a rejected row's code and name kept in its Reject
DUPLICATE = "duplicate code"
# PostgreSQL's statistics and visibility map are refreshed after a load that adds this share
# of the companies (below it, autovacuum's own thresholds take it in their stride).
TIDY_SHARE = 0.05

Progress = Callable[[str, int, int], None]
"""progress(phase, done, total): phase "reading" (rows read; total 0, unknown), "storing"
(companies stored of `total`), then "indexing" once (the word index, then the commit)."""


class SourceRow(NamedTuple):
    """A row as read, with its line in the file; `problem` is set when the reader already
    found it unusable (undecodable bytes, a field past the size limit)."""

    line: int
    values: Mapping[str, str | None]
    problem: str | None = None


@dataclass(frozen=True)
class Reject:
    line: int
    code: str
    name: str
    reason: str


@dataclass
class ImportReport:
    imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> rows (never 0)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


class _New(NamedTuple):
    """The good rows: their lines, and what the company table stores of each (folded once),
    in the order of bulk_load.COLUMNS' last six."""

    lines: list[int]
    rows: list[Row]


class _Run:
    """One import's report and its rejects, passed on in line order once it is over."""

    def __init__(self, on_reject: Callable[[Reject], None] | None) -> None:
        self.report = ImportReport()
        self.on_reject = on_reject
        self.rejects: list[Reject] = []

    def reject(self, line: int, code: str, name: str, reason: str) -> None:
        self.report.skipped[reason] += 1
        if self.on_reject:
            self.rejects.append(Reject(line, code[:SHOWN], name[:SHOWN], reason))

    def flush(self) -> None:
        if self.on_reject:
            for reject in sorted(self.rejects, key=lambda r: r.line):
                self.on_reject(reject)
        self.rejects = []


async def import_companies(
    rows: Iterable[Mapping[str, str | None] | SourceRow],
    progress: Progress | None = None,
    on_reject: Callable[[Reject], None] | None = None,
) -> ImportReport:
    """Import the rows; a bad row is counted, passed to `on_reject` (after the import, in line
    order) and skipped, never fatal. Plain mappings are numbered 1, 2, ... in place of lines.
    Anything else that goes wrong (the database gone) raises, and nothing is imported."""
    run = _Run(on_reject)
    tell = progress or (lambda phase, done, total: None)
    added, renumbered = 0, False
    with _without_gc():
        good = _read(rows, run, tell)
        if good.rows:
            async with in_transaction() as conn:
                added, renumbered = await _load(conn, good, run, tell)
    if added and is_postgres():
        db = get_connection("default")
        total = (await db.execute_query_dict("SELECT count(*) AS n FROM company"))[0]["n"]
        if renumbered or added >= TIDY_SHARE * total:
            await bulk_load.tidy(db)
    run.report.imported = added
    run.flush()
    return run.report


@contextmanager
def _without_gc() -> Iterator[None]:
    """No cyclic garbage collection during an import: it makes millions of tuples, none of
    them ever part of a cycle, and each collection walks those still held (at a million rows:
    1.8 s of collections while storing alone, 0.9 s with the rows frozen). Imports run in a
    command of their own (the demo's and the benchmarks' too): nothing else waits on it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(rows: Iterable[Mapping[str, str | None] | SourceRow], run: _Run, tell: Progress) -> _New:
    """Check and fold every row (no database needed); duplicates within the rows are found
    here, duplicates of stored companies in the transaction."""
    good = _New([], [])
    seen: set[str] = set()
    fold = CompanyFolder().fold
    number = 0
    for number, given in enumerate(rows, start=1):
        line, values, problem = given if isinstance(given, SourceRow) else (number, given, None)
        raw_code, raw_name = values.get("code") or "", values.get("name") or ""
        if problem:
            run.reject(line, raw_code, raw_name, problem)
            continue
        try:
            row = fold(raw_code, raw_name)
        except CompanyRefused as exc:
            run.reject(line, raw_code, raw_name, f"{exc.field}: {exc.message}")
            continue
        if row[CODE_KEY] in seen:
            run.reject(line, row[CODE], row[NAME], DUPLICATE)
            continue
        seen.add(row[CODE_KEY])
        good.lines.append(line)
        good.rows.append(row)
        if number % BATCH == 0:
            tell("reading", number, 0)
    tell("reading", number, 0)
    return good


async def _load(conn: BaseDBAsyncClient, good: _New, run: _Run, tell: Progress) -> tuple[int, bool]:
    """Everything the import writes, in its one transaction; the companies stored, and
    whether every company was renumbered."""
    if is_postgres(conn):
        # Company creations wait until the load is done: they would take ranks it gives.
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [RANK_LOCK])
    await bulk_load.pause_search_triggers(conn, True)
    await bulk_load.make_room(conn)
    present = await bulk_load.present(conn)
    if any(row[CODE_KEY] in present.code_keys for row in good.rows):
        new = _New([], [])
        for line, row in zip(good.lines, good.rows, strict=True):
            if row[CODE_KEY] in present.code_keys:
                run.reject(line, row[CODE], row[NAME], DUPLICATE)
            else:
                new.lines.append(line)
                new.rows.append(row)
    else:
        new = good
    if not new.rows:
        await bulk_load.pause_search_triggers(conn, False)
        return 0, False
    ids = await bulk_load.next_ids(conn, len(new.rows))
    ranks = bulk_ranks(present.ranked, [row[NAME_KEY] for row in new.rows])
    # Many rows into few, or every rank moved: what would be updated row by row (secondary
    # indexes, the word index's triggers and keys) is built once after instead.
    many = len(new.rows) >= len(present.ranked) or ranks.renumbered
    aside = await bulk_load.set_aside(conn) if many else []
    await bulk_load.move_ranks(conn, ranks.moves)
    refused = await _store(conn, new, ids, ranks.new, run, tell)
    tell("indexing", 0, 0)
    # SQLite reads the new rows back in rank order (a sort of its own, faster than handing
    # a million entries over out of the rows' order); PostgreSQL fills its streams itself.
    await bulk_load.fill_search_index(conn, (ids[0], ids[-1]), None, everything=ranks.renumbered)
    await bulk_load.put_back(conn, aside)
    await bulk_load.pause_search_triggers(conn, False)
    return len(new.rows) - len(refused), ranks.renumbered


async def _store(
    conn: BaseDBAsyncClient,
    new: _New,
    ids: Sequence[int],
    ranks: list[int],
    run: _Run,
    tell: Progress,
) -> set[int]:
    """Insert the new companies in batches; only the rows the database refuses are skipped.
    Their positions in `new`."""
    stamp = adapt(datetime.now(UTC), is_postgres(conn))
    refusals: list[tuple[Any, BaseException]] = []  # (id, the database's error)
    rows = new.rows
    for start in range(0, len(rows), BATCH):
        end = min(start + BATCH, len(rows))
        batch = [(ids[i], ranks[i], stamp, stamp, *rows[i]) for i in range(start, end)]
        refusals += await insert_rows(conn, "company", bulk_load.COLUMNS, batch)
        tell("storing", end, len(rows))
    position = {company_id: i for i, company_id in enumerate(ids)} if refusals else {}
    for company_id, exc in refusals:
        at = position[company_id]
        detail = (str(exc).strip().splitlines() or [""])[0][:200]
        reason = f"the database refused it ({type(exc).__name__}: {detail})"
        run.reject(new.lines[at], rows[at][CODE], rows[at][NAME], reason)
    return {position[company_id] for company_id, _ in refusals}
