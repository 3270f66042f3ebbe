"""What the console's browser tests share: signing in as a person would, reading the API
directly to compare, and the demo's logins."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from testkit.operations import LOGIN
from tests.browser import DEMO_PASSWORD

ADMIN = "admin@demo.example"
EDITOR = "editor@demo.example"  # companyEdit
CRM = "crm@demo.example"  # crmCompanyEdit, assigned C000001 and C000002
ACME = "Acme Supplies Ltd"  # C000042, with the demo's punchout customer
DEMO_CUSTOMER = "punchout-demo@buyer.example"
TOKEN_KEY = "opsportal.console.token"


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill in "Sign in" and wait until the navigation shows."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def open_companies(page: Page) -> None:
    """CRM > Companies, through the navigation."""
    crm = page.get_by_role("button", name="CRM")
    if crm.get_attribute("aria-expanded") != "true":
        crm.click()
    page.get_by_role("link", name="Companies", exact=True).click()
    expect(page.get_by_role("heading", name="Companies", level=1)).to_be_visible()


def search(page: Page, text: str) -> None:
    """Type into "Search companies" key by key, and wait for the results for all of it."""
    box = page.get_by_role("combobox", name="Search companies")
    box.fill("")
    box.press_sequentially(text, delay=40)
    expect(page.locator("#company-results")).to_have_attribute("data-query", text.strip())


def result_rows(page: Page) -> list[tuple[str, str]]:
    """(name, code) of each typeahead result shown."""
    rows = page.locator("#company-results tbody tr")
    return [
        (row.locator("td").nth(0).inner_text(), row.locator("td").nth(1).inner_text())
        for row in rows.all()
    ]


def token_of(page: Page) -> str:
    token = page.evaluate(f"sessionStorage.getItem({TOKEN_KEY!r})")
    assert token, "no token in sessionStorage"
    return str(token)


def api(base: str, query: str, variables: dict[str, Any] | None = None, token: str = "") -> Any:
    """One operation sent straight to the API, as the console sends it."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def api_token(base: str, email: str) -> str:
    answer = api(base, LOGIN, {"email": email, "password": DEMO_PASSWORD})
    return str(answer["data"]["login"]["token"])


def customer_path(page: Page) -> str:
    """The customer's id from the address bar (/customers/<id>/...)."""
    match = re.search(r"/customers/([^/]+)/", page.url)
    assert match, page.url
    return match.group(1)
