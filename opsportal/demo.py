"""A realistic demo data set: companies of many kinds, staff, and a punchout customer."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field

from faker import Faker

from domain.access import Ability, Viewer
from domain.company_import import ImportReport, import_companies
from domain.customers import add_punchout_customer
from domain.errors import StaffCode, StaffRefused
from domain.key_vault import KeyVault
from domain.passwords import password_problem
from domain.punchout_keys import current_key
from domain.staff_admin import StaffChange, change_staff, create_staff
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


@dataclass(frozen=True)
class DemoLogin:
    email: str
    rights: str  # e.g. "companyEdit: every company; may create and edit companies, ..."
    password: str | None  # None: kept from an earlier run


@dataclass
class Demo:
    admin_email: str
    password: str | None  # None: every demo login kept its password from an earlier run
    report: ImportReport
    punchout_customer: str
    api_key: str | None
    logins: list[DemoLogin] = field(default_factory=list)


# email -> (administrator, roles, assigned company codes)
DEMO_STAFF: dict[str, tuple[bool, tuple[str, ...], tuple[str, ...]]] = {
    DEMO_ADMIN: (True, (), ()),
    "editor@demo.example": (False, ("companyEdit",), ()),
    "crm@demo.example": (False, ("crmCompanyEdit",), ("C000001", "C000002")),
}


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


async def describe_rights(staff: Staff) -> str:
    """What a staff member may do, and where, as the permission table says it."""
    viewer = Viewer(staff)
    kind = "administrator" if staff.is_administrator else ", ".join(staff.roles or ()) or "none"
    if not viewer.can(Ability.REACH_COMPANIES):
        return f"{kind}: no companies"
    if viewer.scoped:
        assigned = await Company.filter(viewer.company_scope()).order_by("code")
        where = "companies " + (", ".join(f"{c.code} ({c.name})" for c in assigned) or "none yet")
    else:
        where = "every company"
    may = [a.value for a in Ability if a is not Ability.REACH_COMPANIES and viewer.can(a)]
    return f"{kind}: {where}; may {', '.join(may) or 'only look'}"


async def _demo_staff(email: str, password: str | None, new_password: str) -> str | None:
    """The demo login, created with `password` (or `new_password`) or, when it exists, brought
    back to its demo rights with its password kept unless one is given. Returns the password
    it now has, None if kept."""
    administrator, roles, codes = DEMO_STAFF[email]
    assign = tuple([c for c in codes if await Company.exists(code=c)])
    if not await Staff.exists(email=email):
        chosen = password or new_password
        await create_staff(
            None, email, chosen, administrator=administrator, roles=roles, assign=assign
        )
        return chosen
    change = StaffChange(
        password=password, administrator=administrator or None, add_roles=roles, assign=assign
    )
    await change_staff(None, email, change)
    return password


async def load_demo(vault: KeyVault, companies: int = 500, password: str | None = None) -> Demo:
    """Load the demo companies, staff and punchout customer; safe to run again: existing demo
    logins keep their passwords unless `password` is given."""
    problem = password_problem(password, DEMO_STAFF) if password is not None else None
    if problem:  # before anything is loaded
        raise StaffRefused(StaffCode.INVALID, problem, "password")
    report = await import_companies(demo_companies(companies))
    new_password = password or secrets.token_urlsafe(DEMO_PASSWORD_DEFAULT_LENGTH)
    logins = []
    for email in DEMO_STAFF:
        given = await _demo_staff(email, password, new_password)
        staff = await Staff.get(email=email)
        logins.append(DemoLogin(email, await describe_rights(staff), given))
    key = await _punchout_customer(vault, await Staff.get(email=DEMO_ADMIN))
    return Demo(DEMO_ADMIN, logins[0].password, report, DEMO_PUNCHOUT_CUSTOMER, key, logins)
