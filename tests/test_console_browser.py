"""The operations console in Chromium, against a real `opsportal serve` on SQLite and on
PostgreSQL: the walkthrough as each kind of staff member."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from urllib.parse import unquote

from playwright.sync_api import Page, Route, expect

from tests.browser import NO_ROLE_STAFF, DemoSite, WatchedPage
from tests.console_helpers import (
    ACME,
    ADMIN,
    CRM,
    DEMO_CUSTOMER,
    EDITOR,
    api,
    api_token,
    customer_path,
    open_companies,
    result_rows,
    search,
    sign_in,
    token_of,
)

OpenPage = Callable[..., WatchedPage]
CLIPBOARD = ["clipboard-read", "clipboard-write"]
KEY_QUERY = "query($id: ID!) { customer(id: $id) { developerFields { key value } } }"
AUDIT = (
    "query($id: ID!) { customer(id: $id) { auditEvents(first: 50) { edges { node { action } } } } }"
)


def wait_until(page: Page, condition: Callable[[], bool], seconds: float = 10) -> None:
    """Let the page run (and Playwright deliver its events) until `condition` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


def open_acme(page: Page) -> None:
    open_companies(page)
    search(page, "acme sup")
    assert (ACME, "C000042") in result_rows(page)
    row = page.locator("#company-results tbody tr", has_text=ACME)
    row.get_by_role("link", name="More details").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ACME)


def test_the_walkthrough_as_an_administrator(open_page: OpenPage, demo_site: DemoSite) -> None:
    watched = open_page(f"{demo_site.base}/", permissions=CLIPBOARD)
    page = watched.page
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in(page, ADMIN)
    open_acme(page)
    assert re.search(r"/companies/[^/]+$", page.url)
    expect(page.locator(".facts")).to_contain_text("C000042")
    expect(page.get_by_role("link", name=DEMO_CUSTOMER)).to_be_visible()

    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Add Punchout Customer").click()
    dialog = page.get_by_role("dialog", name="Add Punchout Customer")
    expect(dialog).to_contain_text("punchout-114729@yourdomain.com")
    expect(dialog).to_contain_text("C000042")
    username = f"punchout-{demo_site.database}-{int(time.time() * 1000)}@yourdomain.com"
    dialog.get_by_label("Username or email").fill(username)
    dialog.get_by_role("button", name="Add").click()

    # The new customer's "Details" tab, at its own address.
    expect(page.get_by_role("tab", name="Details")).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(re.compile(r"/customers/[^/]+/details$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(username)
    customer_id = unquote(customer_path(page))

    page.get_by_role("tab", name="Roles").click()
    expect(page).to_have_url(re.compile(r"/roles$"))
    assign = page.get_by_role("combobox", name="+ Assign role")
    assign.press_sequentially("compa", delay=30)
    expect(page.get_by_role("option", name=re.compile("companyAdmin"))).to_be_visible()
    assign.press("ArrowDown")
    assign.press("Enter")
    expect(page.get_by_role("button", name="Remove companyAdmin")).to_be_visible()
    page.get_by_role("button", name="Remove companyAdmin").click()
    expect(page.get_by_text("No roles yet.")).to_be_visible()
    assign.press_sequentially("buyer", delay=30)
    assign.press("Enter")
    expect(page.get_by_role("button", name="Remove buyer")).to_be_visible()

    page.get_by_role("tab", name="More").click()
    expect(page).to_have_url(re.compile(r"/more/developer-fields$"))
    table = page.get_by_role("table").filter(has_text="PUNCHOUT API Key")
    expect(table.get_by_role("columnheader", name="Setting")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Value")).to_be_visible()
    key_row = table.get_by_role("row").filter(has_text="PUNCHOUT API Key")
    expect(key_row).to_contain_text("••••••••")
    expect(key_row).to_contain_text("recorded on the customer's audit trail")

    admin = token_of(page)
    before = [
        e["node"]["action"]
        for e in api(demo_site.base, AUDIT, {"id": customer_id}, admin)["data"]["customer"][
            "auditEvents"
        ]["edges"]
    ]
    assert "customer.read_api_key" not in before  # opening the tab read nothing

    key_row.get_by_role("button", name="Copy").click()
    expect(key_row.get_by_role("status")).to_contain_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    fields = api(demo_site.base, KEY_QUERY, {"id": customer_id}, admin)["data"]["customer"]
    expected = next(f["value"] for f in fields["developerFields"] if f["key"] == "PUNCHOUT_API_KEY")
    assert copied == expected and len(copied) == 43
    expect(key_row).not_to_contain_text(copied)  # copied, never shown
    key_row.get_by_role("button", name="Show").click()
    expect(key_row).to_contain_text(expected)
    after = [
        e["node"]["action"]
        for e in api(demo_site.base, AUDIT, {"id": customer_id}, admin)["data"]["customer"][
            "auditEvents"
        ]["edges"]
    ]
    assert "customer.read_api_key" in after

    # The connection sheet, and a deep link that survives a reload.
    page.get_by_role("tab", name="Connection", exact=True).click()
    expect(page.locator("caption", has_text="Using known identifiers")).to_be_visible()
    expect(page.locator("caption", has_text="Using defaults")).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    # On paper: no navigation or buttons, a line where the secret goes until it is shown.
    sheet = page.locator("table.sheet").first
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(sheet.get_by_text("Given separately")).to_be_visible()
    expect(sheet).not_to_contain_text(expected)
    page.emulate_media(media="screen")
    sheet.get_by_role("button", name="Show").click()
    expect(sheet).to_contain_text(expected)
    page.emulate_media(media="print")
    expect(sheet.get_by_text("Given separately")).to_be_hidden()
    expect(sheet.locator("code.secret-value")).to_have_text(expected)
    page.emulate_media(media="screen")
    page.reload()
    expect(page.get_by_role("tab", name="Connection", exact=True)).to_have_attribute(
        "aria-selected", "true"
    )
    expect(page.locator("table.sheet").first).to_contain_text(username)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/more/developer-fields$"))
    watched.assert_clean()


def test_company_edit_staff(open_page: OpenPage, demo_site: DemoSite) -> None:
    watched = open_page(f"{demo_site.base}/")
    page = watched.page
    sign_in(page, EDITOR)
    open_acme(page)
    page.get_by_role("button", name="More").click()
    expect(page.get_by_role("menuitem", name="Edit company")).to_be_visible()
    expect(page.get_by_role("menuitem", name="Add Punchout Customer")).to_have_count(0)
    page.keyboard.press("Escape")
    page.get_by_role("link", name=DEMO_CUSTOMER).click()
    page.get_by_role("tab", name="More").click()
    key_row = page.get_by_role("row").filter(has_text="PUNCHOUT API Key")
    expect(key_row).to_contain_text("Your account may not read the PUNCHOUT API Key.")
    expect(key_row.get_by_role("button", name="Show")).to_have_count(0)
    page.get_by_role("tab", name="Connection", exact=True).click()
    expect(page.get_by_text("Your account may not read the PUNCHOUT API Key.")).to_be_visible()
    expect(page.locator("pre.example")).to_contain_text("PUNCHOUT-API-KEY")
    page.get_by_role("tab", name="Roles").click()
    assign = page.get_by_role("combobox", name="+ Assign role")
    assign.press_sequentially("approver", delay=20)
    assign.press("Enter")
    expect(page.get_by_role("button", name="Remove approver")).to_be_visible()
    page.get_by_role("button", name="Remove approver").click()
    expect(page.get_by_role("button", name="Remove approver")).to_have_count(0)
    watched.assert_clean()


def test_company_create_and_edit(open_page: OpenPage, demo_site: DemoSite) -> None:
    watched = open_page(f"{demo_site.base}/companies")
    page = watched.page
    sign_in(page, EDITOR)
    page.get_by_role("link", name="New company").click()
    code = f"T{int(time.time() * 1000) % 10**9}"
    page.get_by_label("Name").fill("Console Test Company")
    page.get_by_label("Code", exact=True).fill("C000042")  # Acme's: TAKEN at the field
    page.get_by_role("button", name="Create company").click()
    expect(page.locator(".field-error", has_text="Code")).to_contain_text("TAKEN")
    expect(page.get_by_label("Name")).to_have_value("Console Test Company")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_label("Assigned staff").fill(CRM)
    page.get_by_role("button", name="Create company").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Console Test Company")
    expect(page.locator(".facts")).to_contain_text(CRM)
    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Edit company").click()
    page.get_by_label("Name").fill("Console Test Company Renamed")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Console Test Company Renamed")
    watched.assert_clean()


def test_crm_staff_see_only_their_companies(open_page: OpenPage, demo_site: DemoSite) -> None:
    watched = open_page(f"{demo_site.base}/")
    page = watched.page
    sign_in(page, CRM)
    open_companies(page)
    search(page, "C0000")
    codes = {code for _, code in result_rows(page)}
    assert codes and codes <= {"C000001", "C000002"}
    expect(page.get_by_role("link", name="New company")).to_have_count(0)
    # A deep link to a company that is not theirs: "not found", as for one that does not exist.
    admin = api_token(demo_site.base, ADMIN)
    acme = api(
        demo_site.base,
        'query { companies(search: "C000042") { edges { node { id } } } }',
        token=admin,
    )
    acme_id = acme["data"]["companies"]["edges"][0]["node"]["id"]
    page.goto(f"{demo_site.base}/companies/{acme_id}")
    expect(page.get_by_role("heading", name="Company not found")).to_be_visible()
    expect(page.get_by_text(ACME)).to_have_count(0)
    watched.assert_clean()


def test_a_member_with_no_role_sees_why(open_page: OpenPage, demo_site: DemoSite) -> None:
    watched = open_page(f"{demo_site.base}/companies")
    page = watched.page
    sign_in(page, NO_ROLE_STAFF)
    page.get_by_role("combobox", name="Search companies").press_sequentially("acme", delay=20)
    expect(page.get_by_role("alert")).to_contain_text("Your account may not reach companies.")
    expect(page.locator("#company-results tbody tr")).to_have_count(0)
    watched.assert_clean()


def test_a_stale_answer_never_replaces_a_newer_one(
    open_page: OpenPage, demo_site: DemoSite
) -> None:
    watched = open_page(f"{demo_site.base}/")
    page = watched.page
    sign_in(page, ADMIN)
    open_companies(page)
    held: list[Route] = []
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.post_data or ""))

    def hold_one(route: Route) -> None:  # the answer to "acm" is kept back
        if '"search":"acm"' in (route.request.post_data or ""):
            held.append(route)
        else:
            route.fallback()

    page.route("**/graphql", hold_one)
    box = page.get_by_role("combobox", name="Search companies")
    box.press_sequentially("acm", delay=30)
    wait_until(page, lambda: len(held) == 1)
    box.press_sequentially("e sup", delay=30)
    expect(page.locator("#company-results")).to_have_attribute("data-query", "acme sup")
    # The console aborted the request it no longer wanted...
    wait_until(page, lambda: any('"search":"acm"' in body for body in failed))
    try:
        held[0].fallback()  # ...so its late answer has nowhere to go
    except Exception:  # noqa: BLE001 - Playwright may refuse a request the page aborted
        pass
    page.wait_for_timeout(300)
    expect(page.locator("#company-results")).to_have_attribute("data-query", "acme sup")
    assert result_rows(page) == [(ACME, "C000042")]
