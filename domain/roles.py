"""The catalog of roles a customer can be given."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    name: str
    description: str


CATALOG: tuple[Role, ...] = (
    Role("companyAdmin", "Manages the company's account: users, addresses and settings."),
    Role("buyer", "Shops the catalog and submits carts and orders."),
    Role("approver", "Approves or rejects orders submitted by the company's buyers."),
    Role("viewer", "Sees the catalog, prices and order history; cannot order."),
    Role("invoiceViewer", "Sees and downloads the company's invoices."),
    Role("punchoutUser", "Shops through a punchout session from a procurement system."),
)
_BY_NAME = {role.name.lower(): role for role in CATALOG}


def find_role(name: str) -> Role | None:
    """The catalog role with this name (case-insensitive), or None."""
    return _BY_NAME.get(name.strip().lower())


def search_roles(search: str, first: int) -> list[Role]:
    """Roles whose name starts with `search` (case-insensitive), alphabetically."""
    prefix = search.strip().lower()
    found = [r for r in CATALOG if r.name.lower().startswith(prefix)]
    return sorted(found, key=lambda r: r.name.lower())[:first]
