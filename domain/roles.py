"""The catalog of roles a customer can be given."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.text import words


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
_CAMEL_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def find_role(name: str) -> Role | None:
    """The catalog role with this name (case-insensitive), or None."""
    return _BY_NAME.get(name.strip().lower())


def _name_words(name: str) -> list[str]:
    """A camelCase name's words: "companyAdmin" -> ["company", "admin"]."""
    return [w.lower() for w in _CAMEL_WORD.findall(name)]


def search_roles(search: str, first: int) -> list[Role]:
    """Roles matching `search`, alphabetically within each tier: the name starts with it, then
    every typed word starts a word of the name ("admin" finds companyAdmin), then every typed
    word starts a word of the name or the description. Case- and accent-insensitive."""
    typed = search.strip().lower()
    tokens = words(search)
    tiers: list[list[Role]] = [[], [], []]
    for role in CATALOG:
        named = _name_words(role.name)
        described = named + words(role.description)
        phrase = bool(tokens) and " ".join(named).startswith(" ".join(tokens))  # "company adm"
        if role.name.lower().startswith(typed) or phrase:
            tiers[0].append(role)
        elif tokens and all(any(w.startswith(t) for w in named) for t in tokens):
            tiers[1].append(role)
        elif tokens and all(any(w.startswith(t) for w in described) for t in tokens):
            tiers[2].append(role)
    return [r for tier in tiers for r in sorted(tier, key=lambda r: r.name.lower())][:first]
