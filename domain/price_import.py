"""Importing contract prices in bulk (`opsportal prices import`, the demo): an upsert by part
ID, company code and start date (valid_from), with the companies import's robustness: every
row checked with the rules of setContractPrice (domain.catalog_rules) first, a bad row (or one
naming an unknown part or company) skipped with its line and reason, and the import itself
all or nothing, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain.catalog_rules import currency, price, validity
from domain.company_import import ImportReport, Progress, Reject, SourceRow, _without_gc
from domain.errors import CatalogCode, CatalogRefused
from domain.product_import import _reason, stored
from domain.text import code_key
from persistence import bulk_load
from persistence.sql import adapt, insert_rows, is_postgres

BATCH = 20_000
SHOWN = 200
REQUIRED = ("part_id", "company_code", "unit_price")
OPTIONAL = ("currency", "valid_from", "valid_until")
DUPLICATE = "duplicate part ID, company code and valid_from"
VALUES = ("product_id", "company_id", "unit_price", "currency", "valid_from", "valid_until")
COLUMNS = ("id", "created_at", "updated_at", *VALUES)


@dataclass
class PriceImportReport(ImportReport):
    updated: int = 0  # prices already there (same part, company and start), replaced


@dataclass(frozen=True)
class _Price:
    line: int
    part: str
    company_key: str
    values: dict[str, Any]  # unit_price, currency (None: the product's), valid_from/_until


def _day(text: str | None, field: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise CatalogRefused(
            CatalogCode.INVALID, f'{field} "{text[:20]}" is not a date (YYYY-MM-DD).', field
        ) from None


def _checked(values: Mapping[str, str | None]) -> dict[str, Any]:
    given = (values.get("currency") or "").strip()
    start, end = (
        _day(values.get("valid_from"), "validFrom"),
        _day(values.get("valid_until"), "validUntil"),
    )
    validity(start, end)
    return {
        "unit_price": price(values.get("unit_price") or ""),
        "currency": currency(given) if given else None,
        "valid_from": start,
        "valid_until": end,
    }


async def import_prices(
    rows: Iterable[Mapping[str, str | None] | SourceRow],
    progress: Progress | None = None,
    on_reject: Callable[[Reject], None] | None = None,
) -> PriceImportReport:
    """Upsert the rows; bad rows reach `on_reject` (after the import, in line order) as
    Reject(line, part ID, company code, reason). Anything else raises; nothing is imported."""
    report = PriceImportReport()
    rejects: list[Reject] = []

    def reject(line: int, part: str, company: str, reason: str) -> None:
        report.skipped[reason] += 1
        rejects.append(Reject(line, part[:SHOWN], company[:SHOWN], reason))

    tell = progress or (lambda phase, done, total: None)
    good: dict[tuple[str, str, date | None], _Price] = {}
    with _without_gc():
        number = 0
        for number, given in enumerate(rows, start=1):
            line, values, problem = given if isinstance(given, SourceRow) else (number, given, None)
            part = (values.get("part_id") or "").strip()
            company = (values.get("company_code") or "").strip()
            if problem:
                reject(line, part, company, problem)
                continue
            if not part or not company:
                reject(line, part, company, "part_id and company_code are required")
                continue
            try:
                checked = _checked(values)
            except CatalogRefused as exc:
                reject(line, part, company, _reason(exc))
                continue
            key = (part, code_key(company), checked["valid_from"])
            if key in good:
                reject(line, part, company, DUPLICATE)
                continue
            good[key] = _Price(line, part, key[1], checked)
            if number % BATCH == 0:
                tell("reading", number, 0)
        tell("reading", number, 0)
        if good:
            async with in_transaction() as conn:
                await _load(conn, list(good.values()), report, reject, tell)
    if on_reject:
        for item in sorted(rejects, key=lambda r: r.line):
            on_reject(item)
    return report


async def _load(
    conn: BaseDBAsyncClient,
    good: list[_Price],
    report: PriceImportReport,
    reject: Callable[[int, str, str, str], None],
    tell: Progress,
) -> None:
    _, products = await conn.execute_query("SELECT id, supplier_part_id, currency FROM product")
    by_part = {r["supplier_part_id"]: (r["id"], r["currency"]) for r in products}
    _, companies = await conn.execute_query("SELECT id, code_key FROM company")
    by_code = {r["code_key"]: r["id"] for r in companies}
    _, present = await conn.execute_query(
        "SELECT id, product_id, company_id, valid_from FROM contract_price"
    )
    existing = {(r["product_id"], r["company_id"], _iso(r["valid_from"])): r["id"] for r in present}
    updates: list[list[Any]] = []
    new: list[dict[str, Any]] = []
    for item in good:
        product = by_part.get(item.part)
        company_id = by_code.get(item.company_key)
        if product is None or company_id is None:
            what = "unknown part ID" if product is None else "unknown company code"
            reject(item.line, item.part, item.company_key, what)
            continue
        values = {
            **item.values,
            "product_id": product[0],
            "company_id": company_id,
            "currency": item.values["currency"] or product[1],
        }
        found = existing.get((product[0], company_id, _iso(item.values["valid_from"])))
        if found is None:
            new.append(values)
        else:
            updates.append(
                [*stored(values, ("unit_price", "currency", "valid_until"), conn), found]
            )
    stamp = adapt(datetime.now(UTC), is_postgres(conn))
    mark = ["$1", "$2", "$3", "$4", "$5"] if is_postgres(conn) else ["?"] * 5
    for start in range(0, len(updates), BATCH):
        await conn.execute_many(
            f"UPDATE contract_price SET unit_price = {mark[0]}, currency = {mark[1]}, "
            f"valid_until = {mark[2]}, updated_at = {mark[3]} WHERE id = {mark[4]}",
            [[*row[:3], stamp, row[3]] for row in updates[start : start + BATCH]],
        )
    ids = await bulk_load.next_ids(conn, len(new), "contract_price")
    refused: list[tuple[Any, BaseException]] = []
    for start in range(0, len(new), BATCH):
        end = min(start + BATCH, len(new))
        batch = [(ids[i], stamp, stamp, *stored(new[i], VALUES, conn)) for i in range(start, end)]
        refused += await insert_rows(conn, "contract_price", COLUMNS, batch)
        tell("storing", end, len(new))
    for row_id, exc in refused:
        detail = (str(exc).strip().splitlines() or [""])[0][:200]
        reject(0, str(row_id), "", f"the database refused it ({type(exc).__name__}: {detail})")
    report.imported = len(new) - len(refused)
    report.updated = len(updates)


def _iso(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value
