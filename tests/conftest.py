"""Fixtures: the suite's database tests run once on SQLite and once on PostgreSQL.

Each database is opened (and migrated) once per session; every test starts from empty tables.
Requests go through the real ASGI app over httpx, as a frontend's would.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise import connections

from domain.access import Viewer
from domain.companies import create_company
from domain.key_vault import KeyVault, new_kek
from domain.signin import hash_password, issue_token
from opsportal.app import create_app
from opsportal.config import Settings
from opsportal.startup import started
from persistence.database import dialect
from persistence.tables import Company, Staff, StaffCompany
from testkit.operations import LOGIN
from testkit.postgres import PostgresUnavailable, throwaway_postgres
from tests import corpus

# chromium, open_page, demo_server: real pages in Chromium; live_server: a real `opsportal serve`
pytest_plugins = ["tests.browser", "tests.live_server"]

# The suite's own key-encryption key, as a deployment's would come from configuration.
VAULT_KEK = new_kek()  # given to the real servers of tests/live_server.py too
VAULT = KeyVault.from_text(VAULT_KEK)


PASSWORD = "correct horse battery"
TABLES = [
    "punchout_key",
    "login_attempts",
    "cxml_receipt",
    "purchase_order_line",
    "purchase_order_attachment",
    "purchase_order",
    "cart_line",
    "cxml_exchange",
    "punchout_session",
    "audit_event",
    "customer_setting",
    "customer_role",
    "customer",
    "staff_token",
    "staff_company",
    "contract_price",
    "product",
    "company",
    "staff",
]


# The real-world cXML corpus is a conformance run, collected only when configured.
collect_ignore = [] if os.environ.get(corpus.ENV, "").strip() else ["test_cxml_samples.py"]


def pytest_configure(config: pytest.Config) -> None:
    try:
        corpus.corpus()
    except corpus.CorpusMissing as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_report_header(config: pytest.Config) -> str:
    return corpus.header_line()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    given = os.environ.get("OPSPORTAL_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    try:
        with throwaway_postgres() as url:
            yield url
    except PostgresUnavailable as exc:
        if os.environ.get("OPSPORTAL_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here: {exc}")
        pytest.skip(f"PostgreSQL tests skipped: {exc}")


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        await _drop_everything(url)
    else:
        url = f"sqlite://{tempfile.mkdtemp(prefix='opsportal-test-')}/test.sqlite3"
    async with started(url, VAULT):
        yield url


async def _drop_everything(url: str) -> None:
    # A server given by URL may hold a previous run's schema; start from nothing.
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


@pytest.fixture
async def db(database_url: str) -> str:
    """Empty tables for this test; yields the database's dialect."""
    conn = connections.get("default")
    if dialect() == "postgres":
        tables = ", ".join([*TABLES, "company_prefix", "product_prefix"])
        await conn.execute_script(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    else:
        await conn.execute_script("".join(f"DELETE FROM {t};" for t in TABLES))
    return dialect()


@pytest.fixture
def settings(database_url: str) -> Settings:
    # A headless shop's server: the storefront API takes free-form lines, as the cart tests
    # send them (tests/test_storefront_catalog.py sends catalog lines, and tries the refusal).
    return Settings(
        database_url=database_url,
        public_url="https://punchout.example.com",
        storefront_free_form_lines=True,
    )


@pytest.fixture
async def client(db: str, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, vault=VAULT)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        yield http


@dataclass
class Api:
    """Sends GraphQL operations as the frontend does: JSON POST, bearer token."""

    http: httpx.AsyncClient

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def login(self, email: str, password: str = PASSWORD) -> str:
        body = await self(LOGIN, {"email": email, "password": password})
        token = body["data"]["login"]["token"]
        assert token, body
        return token


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)


STAFF_KINDS = {
    "administrator": {"administrator": True},
    "superuser": {"superuser": True},
    "companyEdit": {"roles": ["companyEdit"]},
    "crmCompanyEdit": {"roles": ["crmCompanyEdit"], "assign_codes": ["ACME"]},
    "none": {},
}


@dataclass
class World:
    """Two companies, and a signed-in staff member of every kind in the permission table."""

    acme: Company
    globex: Company
    tokens: dict[str, str]


@pytest.fixture(scope="session")
def password_hash() -> str:
    # argon2 is slow by design; hash the test password once, not once per staff member.
    return hash_password(PASSWORD)


@pytest.fixture
async def world(db: str, password_hash: str) -> World:
    founder = await Staff.create(
        email="founder@supplier.example", password_hash=password_hash, is_administrator=True
    )
    admin = Viewer(founder)
    acme = await create_company(admin, "ACME Supplies Ltd", "ACME")
    globex = await create_company(admin, "Globex Corporation", "GLOBEX")
    tokens = {}
    for kind, options in STAFF_KINDS.items():
        staff = await Staff.create(
            email=f"{kind.lower()}@supplier.example",
            password_hash=password_hash,
            is_administrator=options.get("administrator", False),
            is_superuser=options.get("superuser", False),
            roles=options.get("roles", []),
        )
        for code in options.get("assign_codes", []):
            await StaffCompany.create(staff=staff, company=await Company.get(code=code))
        tokens[kind] = await issue_token(staff, timedelta(hours=1))
    return World(acme=acme, globex=globex, tokens=tokens)


def global_id(type_name: str, pk: int) -> str:
    import base64

    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def add_customer(company: Company, username: str) -> int:
    """A punchout customer added by the founding administrator, as set-up for a test."""
    from domain.customers import add_punchout_customer

    admin = Viewer(await Staff.get(email="founder@supplier.example"))
    return (await add_punchout_customer(VAULT, admin, company.id, username)).id


@dataclass
class Buyer:
    customer_id: int
    username: str
    key: str


async def make_buyer(company: Company, username: str) -> Buyer:
    """A punchout customer and its PUNCHOUT API Key, as the cXML tests need them."""
    from domain.punchout_keys import current_key

    customer_id = await add_customer(company, username)
    key = await current_key(VAULT, customer_id)
    assert key is not None
    return Buyer(customer_id, username, key)


@pytest.fixture
async def buyer(world: World) -> Buyer:
    return await make_buyer(world.acme, "punchout-114729@yourdomain.com")
