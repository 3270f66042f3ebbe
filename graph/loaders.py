"""DataLoaders: one query per relation per request, never one per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence

from strawberry.dataloader import DataLoader

from domain import attachments, catalog, orders, punchout_keys, storefront
from domain.access import Viewer
from domain.catalog_records import CatalogProduct
from domain.key_vault import KeyVault
from domain.punchout_keys import OpenedKey
from domain.records import CartItem
from persistence.punchout_tables import Order, PunchoutSession
from persistence.sql import Sql
from persistence.tables import Company, Customer, CustomerRole, CustomerSetting


async def _companies(ids: Sequence[int]) -> list[Company | None]:
    rows = {c.id: c for c in await Company.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _roles(customer_ids: Sequence[int]) -> list[list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = await CustomerRole.filter(customer_id__in=list(customer_ids)).order_by("role")
    for row in rows:
        found[row.customer_id].append(row.role)
    return [found[i] for i in customer_ids]


async def _settings(customer_ids: Sequence[int]) -> list[dict[str, str]]:
    found: dict[int, dict[str, str]] = defaultdict(dict)
    rows = await CustomerSetting.filter(customer_id__in=list(customer_ids)).order_by("key")
    for row in rows:
        found[row.customer_id][row.key] = row.value
    return [found[i] for i in customer_ids]


async def _products(ids: Sequence[int]) -> list[CatalogProduct | None]:
    found = await catalog.get_products(list(ids))
    return [found.get(i) for i in ids]


def _keys(vault: KeyVault) -> Callable[[Sequence[int]], Awaitable[list[list[OpenedKey]]]]:
    async def load(customer_ids: Sequence[int]) -> list[list[OpenedKey]]:
        found = await punchout_keys.working_keys(vault, customer_ids)
        return [found[i] for i in customer_ids]

    return load


async def _first_customers(keys: Sequence[tuple[int, int]]) -> list[list[Customer]]:
    """The first `n` customers (by id) of each company, for every (company, n) at once: one
    window query, whatever the number of companies listed."""
    sql = Sql()
    companies = sql.ps(sorted({company for company, _ in keys}))
    most = sql.p(max(n for _, n in keys))
    rows = await sql.rows(
        "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY company_id ORDER BY id) "
        f"AS n FROM customer WHERE company_id IN ({companies})) AS ranked WHERE n <= {most}"
    )
    found: dict[int, list[Customer]] = defaultdict(list)
    for customer in await Customer.filter(id__in=[r["id"] for r in rows]).order_by("id"):
        found[customer.company_id].append(customer)
    return [found[company][:n] for company, n in keys]


def _reachable_orders(
    viewer: Callable[[], Awaitable[Viewer | None]],
) -> Callable[[Sequence[int]], Awaitable[list[Order | None]]]:
    async def load(order_ids: Sequence[int]) -> list[Order | None]:
        found = {o.id: o for o in await orders.reachable_orders(await viewer(), order_ids)}
        return [found.get(i) for i in order_ids]

    return load


def _session_lines(
    session: Callable[[], Awaitable[PunchoutSession | None]],
) -> Callable[[Sequence[int]], Awaitable[list[CartItem | None]]]:
    async def load(line_ids: Sequence[int]) -> list[CartItem | None]:
        opened = await session()
        found = [] if opened is None else await storefront.cart_lines(opened, line_ids)
        by_id = {line.id: line for line in found}
        return [by_id.get(i) for i in line_ids]

    return load


class Loaders:
    """Built fresh for each request: a loader shared across requests would leak data."""

    def __init__(
        self,
        vault: KeyVault,
        viewer: Callable[[], Awaitable[Viewer | None]],
        session: Callable[[], Awaitable[PunchoutSession | None]],
    ) -> None:
        self.company = DataLoader(load_fn=_companies)
        self.customer_roles = DataLoader(load_fn=_roles)
        self.customer_settings = DataLoader(load_fn=_settings)
        self.punchout_keys = DataLoader(load_fn=_keys(vault))  # opened: load only for key readers
        self.first_customers = DataLoader(load_fn=_first_customers)
        # Whole products, for the fields a typeahead hit leaves out (graph.product).
        self.products = DataLoader(load_fn=_products)
        # Scoped to the viewer: an order out of their reach loads as None.
        self.reachable_orders = DataLoader(load_fn=_reachable_orders(viewer))
        # By order id, of orders already reached (bytes left out): one query for a page.
        self.order_attachments = DataLoader(load_fn=attachments.of_orders)
        # Scoped to the storefront's session: a line of any other cart loads as None.
        self.session_lines = DataLoader(load_fn=_session_lines(session))
