"""The console by keyboard alone, and axe-core's checks in the page, in Chromium against a
real server on both databases."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser import DemoSite, WatchedPage
from tests.console_helpers import ACME, ADMIN, DEMO_CUSTOMER, search, sign_in

OpenPage = Callable[..., WatchedPage]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 40) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{target} never got the focus by Tab")


def test_the_walkthrough_by_keyboard_alone(open_page: OpenPage, demo_site: DemoSite) -> None:
    watched = open_page(f"{demo_site.base}/")
    page = watched.page
    keys = page.keyboard
    tab_to(page, page.get_by_label("Email"))
    keys.type(ADMIN)
    keys.press("Tab")
    keys.type("demo-password-for-browsers")
    keys.press("Enter")
    crm = page.get_by_role("button", name="CRM")
    tab_to(page, crm)
    keys.press("Enter")
    keys.press("Tab")
    expect(page.get_by_role("link", name="Companies", exact=True)).to_be_focused()
    keys.press("Enter")
    box = page.get_by_role("combobox", name="Search companies")
    expect(box).to_be_focused()
    keys.type("acme sup", delay=30)
    expect(page.locator("#company-results")).to_have_attribute("data-query", "acme sup")
    expect(page.locator("#company-option-0")).to_contain_text(ACME)  # seen, as a person waits
    keys.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "company-option-0")
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ACME)

    more = page.get_by_role("button", name="More")
    tab_to(page, more)
    keys.press("Enter")
    expect(page.get_by_role("menuitem", name="Add Punchout Customer")).to_be_focused()
    keys.press("Enter")
    field = page.get_by_role("dialog").get_by_label("Username or email")
    expect(field).to_be_focused()
    username = f"punchout-keys-{demo_site.database}-{int(time.time())}@yourdomain.com"
    keys.type(username)
    keys.press("Enter")
    details = page.get_by_role("tab", name="Details")
    expect(details).to_have_attribute("aria-selected", "true")

    tab_to(page, details)
    keys.press("ArrowRight")
    expect(page.get_by_role("tab", name="Roles")).to_be_focused()
    keys.press("Enter")
    expect(page).to_have_url(re.compile(r"/roles$"))
    tab_to(page, page.get_by_role("combobox", name="+ Assign role"))
    keys.type("buy", delay=30)
    expect(page.get_by_role("option", name=re.compile("^buyer"))).to_be_visible()
    keys.press("ArrowDown")
    keys.press("Enter")
    expect(page.get_by_role("button", name="Remove buyer")).to_be_visible()

    roles = page.get_by_role("tab", name="Roles")
    tab_to(page, roles, backwards=True)
    keys.press("ArrowRight")
    keys.press("Enter")
    expect(page).to_have_url(re.compile(r"/more/developer-fields$"))
    key_row = page.get_by_role("row").filter(has_text="PUNCHOUT API Key")
    tab_to(page, key_row.get_by_role("button", name="Show"))
    keys.press("Enter")
    expect(key_row.locator("code.secret-value.shown")).to_have_text(re.compile(r"^\S{43}$"))
    watched.assert_clean()


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())  # through the DevTools protocol: the page's CSP allows it
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [v for v in found if v["impact"] in FAILING_IMPACTS]


def check(page: Page, screen: str, report: dict[str, list[dict[str, Any]]]) -> None:
    page.wait_for_load_state("networkidle")
    found = axe_violations(page)
    if found:
        report[screen] = found


def test_axe_finds_nothing_serious(open_page: OpenPage, demo_site: DemoSite) -> None:
    report: dict[str, list[dict[str, Any]]] = {}
    for scheme in ("light", "dark"):
        watched = open_page(f"{demo_site.base}/", color_scheme=scheme)
        page = watched.page
        check(page, f"{scheme}: sign in", report)
        page.get_by_role("button", name="Sign in").click()  # the errors, shown
        check(page, f"{scheme}: sign in with errors", report)
        sign_in(page, ADMIN)
        check(page, f"{scheme}: home", report)
        page.get_by_role("button", name="CRM").click()
        page.get_by_role("link", name="Companies", exact=True).click()
        search(page, "acme sup")
        page.get_by_role("combobox", name="Search companies").press("ArrowDown")
        check(page, f"{scheme}: companies", report)
        page.get_by_role("link", name="More details").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(ACME)
        check(page, f"{scheme}: company", report)
        page.get_by_role("button", name="More").click()
        check(page, f"{scheme}: company, More menu", report)
        page.get_by_role("menuitem", name="Add Punchout Customer").click()
        page.get_by_role("dialog").get_by_role("button", name="Add").click()
        expect(page.get_by_role("dialog").locator(".field-error")).to_be_visible()
        check(page, f"{scheme}: Add Punchout Customer, with an error", report)
        page.keyboard.press("Escape")
        page.get_by_role("link", name=DEMO_CUSTOMER).click()
        for tab in ("Details", "Roles", "More"):
            page.get_by_role("tab", name=tab).click()
            check(page, f"{scheme}: customer, {tab}", report)
        page.get_by_role("button", name="Show").click()
        for tab in ("Connection", "Connection log", "Orders", "Audit"):
            page.get_by_role("tab", name=tab, exact=True).click()
            check(page, f"{scheme}: customer, More, {tab}", report)
        page.goto(f"{demo_site.base}/companies/new")
        page.get_by_role("button", name="Create company").click()
        expect(page.locator(".error-summary")).to_be_visible()
        check(page, f"{scheme}: new company, with errors", report)
        watched.assert_clean()
    summary = {
        screen: [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in found]
        for screen, found in report.items()
    }
    assert summary == {}, summary
