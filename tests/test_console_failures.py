"""The console when things go wrong, in Chromium against real servers on both databases:
refusals at the field, a token that expires mid-session, a server that stops mid-request."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser import DemoSite, WatchedPage
from tests.console_helpers import (
    ACME,
    ADMIN,
    DEMO_CUSTOMER,
    open_companies,
    result_rows,
    search,
    sign_in,
)

OpenPage = Callable[..., WatchedPage]


def open_add_dialog(page: Page) -> None:
    open_companies(page)
    search(page, "C000042")
    assert result_rows(page)[0] == (ACME, "C000042")
    page.get_by_role("combobox", name="Search companies").press("ArrowDown")
    page.get_by_role("combobox", name="Search companies").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ACME)
    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Add Punchout Customer").click()


def test_field_errors_are_shown_at_the_field(open_page: OpenPage, demo_site: DemoSite) -> None:
    watched = open_page(f"{demo_site.base}/")
    page = watched.page
    sign_in(page, ADMIN)
    open_add_dialog(page)
    dialog = page.get_by_role("dialog", name="Add Punchout Customer")
    field = dialog.get_by_label("Username or email")
    for typed, code in (("bad name!", "INVALID"), (DEMO_CUSTOMER.upper(), "TAKEN")):
        field.fill(typed)
        dialog.get_by_role("button", name="Add").click()
        expect(dialog.locator(".field-error")).to_contain_text(code)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_value(typed)
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="More")).to_be_focused()  # focus goes back

    page.get_by_role("link", name=DEMO_CUSTOMER).click()
    page.get_by_role("tab", name="Roles").click()
    assign = page.get_by_role("combobox", name="+ Assign role")
    assign.press_sequentially("nosuchrole", delay=10)
    assign.press("Enter")
    expect(page.locator(".field-error", has=assign)).to_contain_text("UNKNOWN_ROLE")
    watched.assert_clean()


def test_rate_limited_sign_in_is_explained(open_page: OpenPage, demo_site: DemoSite) -> None:
    watched = open_page(f"{demo_site.base}/")
    page = watched.page
    email = f"locked-{demo_site.database}@demo.example"
    for _ in range(5):
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#signin-error")).to_contain_text("INVALID_CREDENTIALS")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_contain_text("RATE_LIMITED")
    expect(page.locator("#signin-error")).to_contain_text("15 minutes")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_label("Email")).to_have_value(email)


def test_an_expired_token_returns_to_sign_in_then_back(
    open_page: OpenPage, demo_site: DemoSite
) -> None:
    ttl_seconds = 5
    server = demo_site.start_another(OPSPORTAL_TOKEN_TTL_MINUTES=str(ttl_seconds / 60))
    try:
        watched = open_page(f"{server.base}/")
        page = watched.page
        sign_in(page, ADMIN)
        signed_in = time.monotonic()
        open_companies(page)
        search(page, "acme sup")
        page.get_by_role("link", name="More details").first.click()
        page.get_by_role("link", name=DEMO_CUSTOMER).click()
        page.get_by_role("tab", name="Roles").click()
        where = page.url
        time.sleep(max(0.0, ttl_seconds + 1 - (time.monotonic() - signed_in)))
        page.get_by_role("tab", name="More").click()  # its first request finds the token expired
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("Your session has ended")
        assert page.evaluate("sessionStorage.length") == 0
        sign_in(page, ADMIN)
        expect(page.get_by_role("tab", name="More")).to_have_attribute("aria-selected", "true")
        assert page.url != where and page.url.startswith(where.rsplit("/", 1)[0])
        watched.assert_clean()
    finally:
        server.stop()


def test_a_server_stopped_mid_request_loses_nothing(
    open_page: OpenPage, demo_site: DemoSite
) -> None:
    server = demo_site.start_another()
    port = server.port
    try:
        watched = open_page(f"{server.base}/")
        page = watched.page
        sign_in(page, ADMIN)
        open_add_dialog(page)
        dialog = page.get_by_role("dialog", name="Add Punchout Customer")
        username = f"punchout-stopped-{demo_site.database}-{int(time.time())}@yourdomain.com"
        dialog.get_by_label("Username or email").fill(username)
        # The server freezes, gets the request, and dies before answering it.
        os.kill(server.pid, signal.SIGSTOP)
        dialog.get_by_role("button", name="Add").click()
        page.wait_for_timeout(300)
        server.process.kill()
        server.process.wait()
        expect(dialog.get_by_role("alert")).to_contain_text("The server did not answer")
        expect(dialog.get_by_label("Username or email")).to_have_value(username)
        # Back on the same address: the same click now succeeds.
        server = demo_site.start_another(port=port)
        dialog.get_by_role("button", name="Add").click()
        expect(page.get_by_role("tab", name="Details")).to_have_attribute("aria-selected", "true")
        expect(page.get_by_role("heading", level=1)).to_contain_text(username)
        # The failed fetch is the only console error: Chromium reports it itself.
        assert all("Failed to load resource" in e or "ERR_" in e for e in watched.errors)
        assert watched.blocked == []
    finally:
        if server.process.poll() is None:
            server.stop()
