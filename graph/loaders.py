"""DataLoaders: one query per relation per request, never one per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from models.tables import Company, CustomerRole, CustomerSetting


async def _companies(ids: Sequence[int]) -> list[Company | None]:
    rows = {c.id: c for c in await Company.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _roles(customer_ids: Sequence[int]) -> list[list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = await CustomerRole.filter(customer_id__in=list(customer_ids)).order_by("role")
    for row in rows:
        found[row.customer_id].append(row.role)  # type: ignore[attr-defined]
    return [found[i] for i in customer_ids]


async def _settings(customer_ids: Sequence[int]) -> list[dict[str, str]]:
    found: dict[int, dict[str, str]] = defaultdict(dict)
    rows = await CustomerSetting.filter(customer_id__in=list(customer_ids)).order_by("key")
    for row in rows:
        found[row.customer_id][row.key] = row.value  # type: ignore[attr-defined]
    return [found[i] for i in customer_ids]


class Loaders:
    """Built fresh for each request: a loader shared across requests would leak data."""

    def __init__(self) -> None:
        self.company = DataLoader(load_fn=_companies)
        self.customer_roles = DataLoader(load_fn=_roles)
        self.customer_settings = DataLoader(load_fn=_settings)
