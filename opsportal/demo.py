"""A realistic demo data set: companies of many kinds, and staff to sign in with."""

from __future__ import annotations

import random
import secrets

from models.auth import add_staff
from models.company_import import ImportReport, import_companies

DEMO_ADMIN = "admin@demo.example"
DEMO_PASSWORD_DEFAULT_LENGTH = 12

_FIRST = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Pied Piper",
    "Nakatomi",
    "Oceanic",
    "Gringotts",
    "Zürich",
    "Müller",
    "Société Générale",
    "Dunder Mifflin",
    "Aperture",
    "Black Mesa",
    "Massive Dynamic",
    "Blue Sun",
    "Monarch",
    "Virtucon",
    "Sterling Cooper",
    "Prestige",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Litware",
    "Adventure Works",
    "Bluth",
    "Krusty",
    "Gekko",
    "Duff",
    "Łódź",
    "Ørsted",
    "São Paulo",
    "Córdoba",
    "Île-de-France",
    "Kraków",
    "Göteborg",
]
_SECOND = [
    "Supplies",
    "Industries",
    "Logistics",
    "Medical",
    "Labs",
    "Foods",
    "Energy",
    "Systems",
    "Engineering",
    "Office",
    "Hospitality",
    "Construction",
    "Pharma",
    "Automotive",
    "Retail",
    "Facilities",
    "Education",
    "Aerospace",
    "Textiles",
    "Chemicals",
]
_SUFFIX = ["Ltd", "GmbH", "Inc.", "LLC", "SA", "AG", "BV", "plc", "S.r.l.", "Co."]


def demo_companies(count: int, seed: int = 114729) -> list[dict[str, str]]:
    """`count` distinct companies with codes like C000042, deterministic for a seed."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {rng.choice(_SUFFIX)}"
        if i >= len(_FIRST) * 3:
            name = f"{name} {rng.choice(['North', 'South', 'East', 'West', 'Central'])} {i}"
        rows.append({"code": f"C{i + 1:06d}", "name": name})
    return rows


async def load_demo(
    companies: int = 500, password: str | None = None
) -> tuple[str, str, ImportReport]:
    """Load the demo companies and staff; returns the administrator's email and password."""
    report = await import_companies(demo_companies(companies))
    password = password or secrets.token_urlsafe(DEMO_PASSWORD_DEFAULT_LENGTH)
    await add_staff(DEMO_ADMIN, password, administrator=True)
    await add_staff("editor@demo.example", password, roles=["companyEdit"])
    await add_staff(
        "crm@demo.example", password, roles=["crmCompanyEdit"], assign_codes=["C000001", "C000002"]
    )
    return DEMO_ADMIN, password, report
