"""Importing the catalog in bulk (`opsportal catalog import`, the demo): an upsert by part ID
on the companies import's engine (persistence.bulk_load, domain.import_ranks), with its
robustness: every row checked with the same rules as createProduct (domain.catalog_rules)
before the transaction, a bad row skipped with its line and reason, and the import itself all
or nothing, in one transaction.

A part ID already in the catalog is updated in place (its contract prices stay); a new one is
inserted, ranked from one sort among the products there. When an update changes a product's
name (its place in the alphabet) or its words, every product is renumbered and the word index
filled again once, in the same transaction. Imports are not audited row by row (as the
companies import is not); the command's output says what changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from domain import rank_store
from domain.catalog_rules import ProductInput, product_values
from domain.company_import import ImportReport, Progress, Reject, SourceRow, _without_gc
from domain.errors import CatalogCode, CatalogRefused
from domain.import_ranks import bulk_ranks
from domain.rank_windows import GAP
from domain.records import Classification
from persistence import bulk_load
from persistence.search_corpus import PRODUCTS
from persistence.sql import adapt, insert_rows, is_postgres

BATCH = 20_000
SHOWN = 200
DUPLICATE = "duplicate part ID"
TIDY_SHARE = 0.05
REQUIRED = ("part_id", "name", "unit_price", "currency", "unit")
OPTIONAL = (
    "unspsc",
    "classifications",
    "description",
    "auxiliary_id",
    "manufacturer",
    "manufacturer_part_id",
    "lead_time_days",
    "image_url",
    "active",
)
# The product's own columns, in the order a load writes them after id, rank and stamps.
VALUES = (
    "supplier_part_id",
    "supplier_part_auxiliary_id",
    "name",
    "description",
    "unit_price",
    "currency",
    "unit_of_measure",
    "classifications",
    "manufacturer_name",
    "manufacturer_part_id",
    "lead_time_days",
    "image_url",
    "active",
    "part_key",
    "name_key",
    "german_name_key",
    "search_text",
)
COLUMNS = ("id", "sort_rank", "created_at", "updated_at", *VALUES)
_TRUE, _FALSE = {"", "1", "true", "yes", "y", "active"}, {"0", "false", "no", "n", "inactive"}


@dataclass
class CatalogImportReport(ImportReport):
    updated: int = 0  # products already there, changed in place (`imported`: the new ones)


class _Good(NamedTuple):
    """A good row: its line, and its VALUES as the driver takes them (checked and folded
    once, a plain tuple, as the companies import keeps its rows)."""

    line: int
    row: tuple[Any, ...]

    @property
    def part(self) -> str:
        return str(self.row[_PART])

    @property
    def keys(self) -> tuple[str, str]:
        """(name_key, search_text): a product's place in the alphabet and its words."""
        return self.row[_NAME_KEY], self.row[_SEARCH_TEXT]


_PART, _NAME, _PRICE = (
    VALUES.index("supplier_part_id"),
    VALUES.index("name"),
    VALUES.index("unit_price"),
)
_NAME_KEY, _SEARCH_TEXT = VALUES.index("name_key"), VALUES.index("search_text")
_CLASSES = VALUES.index("classifications")
_JSON = json.JSONEncoder(separators=(",", ":")).encode  # one encoder for every row


def _classifications(values: Mapping[str, str | None]) -> list[Classification]:
    """`unspsc` (a code), then `classifications` as DOMAIN:CODE pairs separated by `|`."""
    found = []
    unspsc = (values.get("unspsc") or "").strip()
    if unspsc:
        found.append(Classification("UNSPSC", unspsc))
    for pair in (values.get("classifications") or "").split("|"):
        if pair.strip():
            domain, _, code = pair.partition(":")
            found.append(Classification(domain.strip(), code.strip()))
    return found


def row_input(values: Mapping[str, str | None]) -> ProductInput:
    """A CSV row as createProduct's input (CatalogRefused for what cannot be one)."""
    lead = (values.get("lead_time_days") or "").strip()
    active = (values.get("active") or "").strip().lower()
    if active not in _TRUE | _FALSE:
        raise CatalogRefused(CatalogCode.INVALID, "active is yes or no.", "active")
    try:
        days = int(lead) if lead else None
    except ValueError:
        raise CatalogRefused(
            CatalogCode.INVALID, "leadTimeDays is a whole number.", "leadTimeDays"
        ) from None
    return ProductInput(
        supplier_part_id=values.get("part_id") or "",
        name=values.get("name") or "",
        unit_price=values.get("unit_price") or "",
        currency=values.get("currency") or "",
        unit_of_measure=values.get("unit") or "",
        classifications=_classifications(values),
        description=values.get("description") or "",
        supplier_part_auxiliary_id=values.get("auxiliary_id"),
        manufacturer_name=values.get("manufacturer"),
        manufacturer_part_id=values.get("manufacturer_part_id"),
        lead_time_days=days,
        image_url=values.get("image_url"),
        active=active in _TRUE,
    )


def stored(values: Mapping[str, Any], names: Sequence[str], conn: BaseDBAsyncClient) -> list[Any]:
    """Values as the driver takes them: SQLite keeps an exact decimal as its text and a date
    as its ISO text (persistence.exact_decimal; as tortoise writes them)."""
    if is_postgres(conn):
        return [values[n] for n in names]
    return [
        str(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, date) else v
        for v in (values[n] for n in names)
    ]


def _reason(exc: CatalogRefused) -> str:
    """A refusal as a reject's reason: the message, naming its field (most do already)."""
    if exc.field is None or exc.message.startswith(exc.field):
        return exc.message
    return f"{exc.field}: {exc.message}"


class _Run:
    def __init__(self, on_reject: Callable[[Reject], None] | None) -> None:
        self.report = CatalogImportReport()
        self.on_reject = on_reject
        self.rejects: list[Reject] = []

    def reject(self, line: int, part: str, name: str, reason: str) -> None:
        self.report.skipped[reason] += 1
        if self.on_reject:
            self.rejects.append(Reject(line, part[:SHOWN], name[:SHOWN], reason))

    def flush(self) -> None:
        if self.on_reject:
            for reject in sorted(self.rejects, key=lambda r: r.line):
                self.on_reject(reject)


async def import_products(
    rows: Iterable[Mapping[str, str | None] | SourceRow],
    progress: Progress | None = None,
    on_reject: Callable[[Reject], None] | None = None,
) -> CatalogImportReport:
    """Upsert the rows by part ID; a bad row is counted, passed to `on_reject` (after the
    import, in line order) and skipped. Anything else raises, and nothing is imported."""
    run = _Run(on_reject)
    tell = progress or (lambda phase, done, total: None)
    with _without_gc():
        good = _read(rows, run, tell, is_postgres())
        if good:
            async with in_transaction() as conn:
                tidy = await _load(conn, good, run, tell)
            if tidy and is_postgres():
                await bulk_load.tidy(get_connection("default"), PRODUCTS)
    run.flush()
    return run.report


def _read(
    rows: Iterable[Mapping[str, str | None] | SourceRow],
    run: _Run,
    tell: Progress,
    postgres: bool,
) -> list[_Good]:
    """Check and fold every row (createProduct's rules), outside the transaction; each good
    one as the tuple the load writes (SQLite keeps the exact price as its text: stored())."""
    good: dict[str, _Good] = {}
    number = 0
    for number, given in enumerate(rows, start=1):
        line, values, problem = given if isinstance(given, SourceRow) else (number, given, None)
        part, name = values.get("part_id") or "", values.get("name") or ""
        if problem:
            run.reject(line, part, name, problem)
            continue
        try:
            checked = product_values(row_input(values))
        except CatalogRefused as exc:
            run.reject(line, part, name, _reason(exc))
            continue
        row = [checked[n] for n in VALUES]
        if row[_PART] in good:
            run.reject(line, part, name, DUPLICATE)
            continue
        row[_CLASSES] = _JSON(row[_CLASSES])
        if not postgres:
            row[_PRICE] = str(row[_PRICE])
        good[row[_PART]] = _Good(line, tuple(row))
        if number % BATCH == 0:
            tell("reading", number, 0)
    tell("reading", number, 0)
    return list(good.values())


async def _present(conn: BaseDBAsyncClient) -> list[dict[str, Any]]:
    _, rows = await conn.execute_query(
        "SELECT id, supplier_part_id, name_key, search_text, sort_rank FROM product "
        "ORDER BY name_key, id"
    )
    return [dict(r) for r in rows]


async def _load(conn: BaseDBAsyncClient, good: list[_Good], run: _Run, tell: Progress) -> bool:
    """Everything the import writes, in its one transaction; whether PostgreSQL's statistics
    want refreshing after it."""
    await rank_store.lock(conn, PRODUCTS)  # creations wait: they would take ranks it gives
    await bulk_load.pause_search_triggers(conn, True)
    await bulk_load.make_room(conn)
    present = await _present(conn)
    by_part = {r["supplier_part_id"]: r for r in present}
    updates = [g for g in good if g.part in by_part]
    new = [g for g in good if g.part not in by_part] if updates else good
    moved = any(
        (by_part[g.part]["name_key"], by_part[g.part]["search_text"]) != g.keys for g in updates
    )
    ids = await bulk_load.next_ids(conn, len(new), "product")
    if moved:
        keys = {r["id"]: r["name_key"] for r in present}
        keys.update({by_part[g.part]["id"]: g.row[_NAME_KEY] for g in updates})
        keys.update({ids[i]: g.row[_NAME_KEY] for i, g in enumerate(new)})
        order = sorted(keys, key=lambda row_id: (keys[row_id], row_id))
        rank_of = {row_id: (n + 1) * GAP for n, row_id in enumerate(order)}
        moves = [(r["id"], rank_of[r["id"]]) for r in present]
        new_ranks = [rank_of[row_id] for row_id in ids]
        renumbered = True
    else:
        ranked = [(r["name_key"], r["id"], r["sort_rank"]) for r in present]
        placed = bulk_ranks(ranked, [g.row[_NAME_KEY] for g in new])
        moves, new_ranks, renumbered = placed.moves, placed.new, placed.renumbered
    many = len(new) >= len(present) or renumbered
    aside = await bulk_load.set_aside(conn, PRODUCTS) if many else []
    stamp = adapt(datetime.now(UTC), is_postgres(conn))
    await _update(conn, updates, by_part, stamp)
    await bulk_load.move_ranks(conn, moves, PRODUCTS)
    refused = await _store(conn, new, ids, new_ranks, stamp, run, tell)
    tell("indexing", 0, 0)
    entries = sorted(
        (new_ranks[i], g.row[_SEARCH_TEXT]) for i, g in enumerate(new) if ids[i] not in refused
    )
    if new or renumbered:
        first_last = (ids[0], ids[-1]) if new else (0, -1)
        await bulk_load.fill_search_index(
            conn, first_last, entries, everything=renumbered, corpus=PRODUCTS
        )
    await bulk_load.put_back(conn, aside)
    await bulk_load.pause_search_triggers(conn, False)
    run.report.imported = len(new) - len(refused)
    run.report.updated = len(updates)
    return many or len(good) >= TIDY_SHARE * (len(present) + len(new))


async def _update(
    conn: BaseDBAsyncClient,
    updates: Sequence[_Good],
    by_part: dict[str, dict[str, Any]],
    stamp: object,
) -> None:
    """The products already there, changed in place (their rank and index entries after)."""
    if not updates:
        return
    postgres = is_postgres(conn)
    names = [*VALUES[1:], "updated_at"]

    def mark(n: int) -> str:
        return f"${n}" if postgres else "?"

    sets = ", ".join(f"{c} = {mark(n)}" for n, c in enumerate(names, start=1))
    statement = f"UPDATE product SET {sets} WHERE id = {mark(len(names) + 1)}"
    rows = [[*g.row[1:], stamp, by_part[g.part]["id"]] for g in updates]
    for start in range(0, len(rows), BATCH):
        await conn.execute_many(statement, rows[start : start + BATCH])


async def _store(
    conn: BaseDBAsyncClient,
    new: list[_Good],
    ids: Sequence[int],
    ranks: Sequence[int],
    stamp: object,
    run: _Run,
    tell: Progress,
) -> set[int]:
    """Insert the new products in batches; only the rows the database refuses are skipped."""
    refusals: list[tuple[Any, BaseException]] = []
    for start in range(0, len(new), BATCH):
        end = min(start + BATCH, len(new))
        batch = [(ids[i], ranks[i], stamp, stamp) + new[i].row for i in range(start, end)]
        refusals += await insert_rows(conn, "product", COLUMNS, batch)
        tell("storing", end, len(new))
    position = {row_id: i for i, row_id in enumerate(ids)}
    for row_id, exc in refusals:
        good = new[position[row_id]]
        detail = (str(exc).strip().splitlines() or [""])[0][:200]
        reason = f"the database refused it ({type(exc).__name__}: {detail})"
        run.reject(good.line, good.part, good.row[_NAME], reason)
    return {row_id for row_id, _ in refusals}
