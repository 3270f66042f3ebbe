"""A realistic demo data set: companies of many kinds, staff, and a punchout customer."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from faker import Faker

from domain.access import Viewer
from domain.company_import import ImportReport, import_companies
from domain.customers import add_punchout_customer
from domain.key_vault import KeyVault
from domain.punchout_keys import current_key
from domain.signin import add_staff
from persistence.tables import Company, Customer, Staff

DEMO_ADMIN = "admin@demo.example"
FAKER_LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "sv_SE"]
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


def demo_companies(count: int, seed: int = 114729) -> Iterator[dict[str, str]]:
    """`count` distinct companies with codes like C000042, deterministic for a seed: first a
    few well-known fictional names (Acme Supplies Ltd is C000042), then Faker's companies
    of eight European and American locales."""
    rng = random.Random(seed)
    known = len(_FIRST) * 3
    for i in range(min(count, known)):
        name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {rng.choice(_SUFFIX)}"
        yield {"code": f"C{i + 1:06d}", "name": name}
    if count <= known:
        return
    fake = Faker(FAKER_LOCALES)
    fake.seed_instance(seed)
    for i in range(known, count):
        yield {"code": f"C{i + 1:06d}", "name": fake.company()}


DEMO_PUNCHOUT_CUSTOMER = "punchout-demo@buyer.example"
DEMO_PUNCHOUT_COMPANY = "C000042"


@dataclass
class Demo:
    admin_email: str
    password: str
    report: ImportReport
    punchout_customer: str
    api_key: str | None


async def _punchout_customer(vault: KeyVault, admin: Staff) -> str | None:
    """The demo's punchout customer (added once), and its PUNCHOUT API Key."""
    existing = await Customer.get_or_none(username_key=DEMO_PUNCHOUT_CUSTOMER)
    if existing is None:
        company = await Company.get_or_none(code=DEMO_PUNCHOUT_COMPANY) or (
            await Company.all().order_by("code").first()
        )
        if company is None:
            return None
        existing = await add_punchout_customer(
            vault, Viewer(admin), company.id, DEMO_PUNCHOUT_CUSTOMER
        )
    return await current_key(vault, existing.id)


async def load_demo(vault: KeyVault, companies: int = 500, password: str | None = None) -> Demo:
    """Load the demo companies, staff and punchout customer; safe to run again."""
    report = await import_companies(demo_companies(companies))
    password = password or secrets.token_urlsafe(DEMO_PASSWORD_DEFAULT_LENGTH)
    admin = await add_staff(DEMO_ADMIN, password, administrator=True)
    await add_staff("editor@demo.example", password, roles=["companyEdit"])
    await add_staff(
        "crm@demo.example", password, roles=["crmCompanyEdit"], assign_codes=["C000001", "C000002"]
    )
    key = await _punchout_customer(vault, admin)
    return Demo(DEMO_ADMIN, password, report, DEMO_PUNCHOUT_CUSTOMER, key)
