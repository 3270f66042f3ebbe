"""Contract prices, and the price a company pays for a product on a day.

A company's contract price for a product wins over the product's list price for that company
(its punchout sessions, its orders) on the days it is valid: from `valid_from` until
`valid_until`, both included, either open. Where several of a company's prices for a product
are valid on a day, the one that started last applies (one without a start counts as the
earliest). Unknown and inactive products have no price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import audit
from domain.access import Ability, Viewer, require
from domain.catalog_records import CatalogPrice, CatalogProduct, ContractPrice
from domain.catalog_rules import currency, price, validity
from domain.companies import get_company
from domain.errors import CatalogCode, CatalogRefused
from persistence.catalog_tables import ContractPrice as ContractPriceRow
from persistence.catalog_tables import Product
from persistence.sql import Sql, columns, hydrate

# Part IDs priced per statement: an order has at most 1,000 lines, so one statement.
PARTS_PER_STATEMENT = 5000


@dataclass(frozen=True)
class ContractPriceInput:
    """A company's price for a product; `currency` None: the product's list currency."""

    product_id: int
    company_id: int
    unit_price: str
    currency: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None


async def set_contract_price(viewer: Viewer | None, data: ContractPriceInput) -> ContractPrice:
    """Create the company's price for the product, or replace the one with the same start
    (`valid_from`) (EDIT_CATALOG; the company must be in the viewer's scope)."""
    viewer = require(viewer, Ability.EDIT_CATALOG)
    amount = price(data.unit_price)
    validity(data.valid_from, data.valid_until)
    company = await get_company(viewer, data.company_id)
    if company is None:
        raise CatalogRefused(CatalogCode.NOT_FOUND, "No such company.", "companyId")
    product = await Product.get_or_none(id=data.product_id)
    if product is None:
        raise CatalogRefused(CatalogCode.NOT_FOUND, "No such product.", "productId")
    chosen = currency(data.currency) if data.currency is not None else product.currency
    values = {"unit_price": amount, "currency": chosen, "valid_until": data.valid_until}
    for attempt in range(2):  # a concurrent first setting of the same price: then an update
        try:
            return await _upsert(viewer, data, values)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


async def _upsert(
    viewer: Viewer, data: ContractPriceInput, values: dict[str, Any]
) -> ContractPrice:
    async with in_transaction() as conn:
        row = (
            await ContractPriceRow.filter(
                product_id=data.product_id, company_id=data.company_id, valid_from=data.valid_from
            )
            .using_db(conn)
            .first()
        )
        before = ContractPrice.from_row(row).audited() if row else None
        if row is None:
            row = await ContractPriceRow.create(
                product_id=data.product_id,
                company_id=data.company_id,
                valid_from=data.valid_from,
                **values,
                using_db=conn,
            )
        else:
            row.update_from_dict(values)
            await row.save(using_db=conn)
        record = ContractPrice.from_row(row)
        await audit.record(
            viewer,
            "contract_price.set",
            "contract_price",
            row.id,
            company_id=data.company_id,
            before=before,
            after=record.audited(),
            using=conn,
        )
    return record


def _day(sql: Sql, day: date) -> str:
    # SQLite holds dates as their ISO text (as tortoise writes them), compared as text.
    return sql.p(day if sql.postgres else day.isoformat())


def _priced_statement(sql: Sql, company_id: int, on: date, parts: Sequence[str]) -> str:
    applying = (
        "SELECT c.id FROM contract_price c WHERE c.product_id = p.id "
        f"AND c.company_id = {sql.p(company_id)} "
        f"AND (c.valid_from IS NULL OR c.valid_from <= {_day(sql, on)}) "
        f"AND (c.valid_until IS NULL OR c.valid_until >= {_day(sql, on)}) "
        "ORDER BY c.valid_from IS NULL, c.valid_from DESC, c.id DESC LIMIT 1"
    )
    return (
        f"SELECT {columns(Product, 'p')}, {columns(ContractPriceRow, 'cp')} FROM product p "
        f"LEFT JOIN contract_price cp ON cp.id = ({applying}) "
        f"WHERE p.supplier_part_id IN ({sql.ps(parts)}) AND p.active"
    )


async def prices_for(
    company_id: int, supplier_part_ids: Sequence[str], on: date
) -> dict[str, CatalogPrice]:
    """The price the company pays on `on` for each part ID (exactly as stored) that names an
    active product, in one statement; unknown and inactive parts are left out."""
    wanted = list(dict.fromkeys(supplier_part_ids))
    found: dict[str, CatalogPrice] = {}
    for start in range(0, len(wanted), PARTS_PER_STATEMENT):
        sql = Sql()
        statement = _priced_statement(
            sql, company_id, on, wanted[start : start + PARTS_PER_STATEMENT]
        )
        for r in await sql.rows(statement):
            product = CatalogProduct.from_row(hydrate(Product, r, "p"))
            contract = None
            if r["cp_id"] is not None:
                contract = ContractPrice.from_row(hydrate(ContractPriceRow, r, "cp"))
            found[product.supplier_part_id] = CatalogPrice.of(product, contract)
    return found


async def price_for(company_id: int, supplier_part_id: str, on: date) -> CatalogPrice | None:
    """The price the company pays on `on` for the part: its contract price valid that day,
    else the list price; None for an unknown or inactive part."""
    return (await prices_for(company_id, [supplier_part_id], on)).get(supplier_part_id)


async def contract_prices(
    company_id: int, first: int, after_id: int | None = None
) -> tuple[list[tuple[ContractPrice, CatalogProduct]], bool]:
    """A page of the company's contract prices, oldest first, each with its product (one
    statement), and whether more follow. The caller has checked the company is reachable."""
    sql = Sql()  # placeholders made in the statement's order (SQLite numbers them by place)
    where = f"cp.company_id = {sql.p(company_id)}"
    if after_id is not None:
        where += f" AND cp.id > {sql.p(after_id)}"
    rows = await sql.rows(
        f"SELECT {columns(ContractPriceRow, 'cp')}, {columns(Product, 'p')} "
        "FROM contract_price cp JOIN product p ON p.id = cp.product_id "
        f"WHERE {where} ORDER BY cp.id LIMIT {sql.p(first + 1)}"
    )
    page = [
        (
            ContractPrice.from_row(hydrate(ContractPriceRow, r, "cp")),
            CatalogProduct.from_row(hydrate(Product, r, "p")),
        )
        for r in rows[:first]
    ]
    return page, len(rows) > first
