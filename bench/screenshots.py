"""Screenshots of the console's main screens and of the storefront, from a real run, for the
README.

    python -m bench.screenshots [--out docs/screenshots] [--only console|storefront]

Loads the demo into a new SQLite database, starts `opsportal serve`, sends the demo punchout
customer's buyer traffic over cXML (a setup request, one with a wrong secret, an order), and
walks through the console in Chromium as the demo administrator, saving a PNG of each screen
(the connection sheet also as it prints); then punches out as the demo customer into the
built-in storefront (a search for "paper", a cart, its inspect view), with a buyer's endpoint
on loopback (testkit/buyer_endpoint.py) as the BrowserFormPost URL. Run it after changing the
console or the storefront, and commit the pictures with the change.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from testkit.buyer_endpoint import BuyerEndpoint
from testkit.chromium import CHROMIUM_ARGS, chromium_executable
from testkit.documents import order_document, setup_document
from testkit.servers import start_server

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "demo-harbour-lantern"
CUSTOMER = "punchout-demo@buyer.example"


def demo(folder: Path, env: dict[str, str]) -> str:
    """Load the demo; the punchout customer's key, as `opsportal demo` prints it."""
    done = subprocess.run(
        [sys.executable, "-m", "opsportal.cli", "demo", "--password", PASSWORD],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"PUNCHOUT API Key: (\S+)", done.stdout)
    assert found, done.stdout
    return found.group(1)


def buyer_traffic(base: str, key: str) -> None:
    post = {"headers": {"Content-Type": "text/xml; charset=UTF-8"}, "timeout": 30}
    httpx.post(f"{base}/cxml", content=setup_document(CUSTOMER, key), **post)  # type: ignore[arg-type]
    wrong = setup_document(CUSTOMER, "not-the-key", payload="2@buyer.example")
    httpx.post(f"{base}/cxml", content=wrong, **post)  # type: ignore[arg-type]
    lines: list[tuple[str, str, str, str, str | None]] = [
        ("PEN-042", "12", "1.25", "Blue ballpoint pen", None),
        ("PAPER-A4", "5", "4.90", "Copy paper A4, 500 sheets", None),
    ]
    order = order_document(CUSTOMER, key, order_id="PO-2026-0042", lines=lines)
    httpx.post(f"{base}/cxml", content=order, **post)  # type: ignore[arg-type]


def shoot(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    saved: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1200, "height": 760})

        def snap(name: str, full: bool = False) -> None:
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(150)
            path = out / f"{name}.png"
            page.screenshot(path=path, full_page=full)
            saved.append(path)

        page.goto(f"{base}/")
        page.get_by_label("Email").fill("admin@demo.example")
        snap("01-sign-in")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="CRM").click()
        page.get_by_role("link", name="Companies", exact=True).click()
        search = page.get_by_role("combobox", name="Search companies")
        search.press_sequentially("acme sup", delay=60)
        expect(page.locator("#company-results")).to_have_attribute("data-query", "acme sup")
        page.keyboard.press("ArrowDown")
        snap("02-companies")
        page.keyboard.press("Enter")
        page.get_by_role("button", name="More").click()
        snap("03-company")
        page.get_by_role("menuitem", name="Add Punchout Customer").click()
        page.get_by_label("Username or email").fill("punchout-C000042@buyer.example")
        snap("04-add-punchout-customer")
        page.keyboard.press("Escape")
        page.get_by_role("link", name=CUSTOMER).click()
        page.get_by_role("tab", name="Roles").click()
        page.get_by_role("combobox", name="+ Assign role").press_sequentially("comp", delay=60)
        page.get_by_role("option").first.wait_for()
        snap("05-customer-roles")
        page.keyboard.press("Escape")
        page.get_by_role("tab", name="More").click()
        snap("06-developer-fields")
        page.get_by_role("tab", name="Connection", exact=True).click()
        snap("07-connection", full=True)
        page.emulate_media(media="print")
        snap("08-connection-printed", full=True)
        page.emulate_media(media="screen")
        page.get_by_role("tab", name="Connection log").click()
        snap("09-connection-log")
        page.get_by_role("tab", name="Orders").click()
        snap("10-orders")
        browser.close()
    return saved


STOREFRONT_SETUP = """<PunchOutSetupRequest operation="{operation}">
      <BuyerCookie>screenshots</BuyerCookie>
      <Extrinsic name="UserEmail">jane@buyer.example</Extrinsic>
      <Extrinsic name="UserFullName">Jane Buyer</Extrinsic>
      <BrowserFormPost><URL>{url}</URL></BrowserFormPost>
      {items}
    </PunchOutSetupRequest>"""


def start_page(base: str, key: str, return_url: str, operation: str, items: str = "") -> str:
    """A test punchout of the demo customer; its StartPage URL."""
    request = STOREFRONT_SETUP.format(operation=operation, url=return_url, items=items)
    document = setup_document(CUSTOMER, key, request=request, mode="test")
    answer = httpx.post(
        f"{base}/cxml", content=document, headers={"Content-Type": "text/xml"}, timeout=30
    )
    found = re.search(r"<URL>([^<]+)</URL>", answer.text)
    assert found, answer.text
    return found.group(1)


def shoot_storefront(base: str, key: str, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    saved: list[Path] = []
    with BuyerEndpoint() as buyer, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 720})

        def snap(name: str) -> None:
            page.wait_for_timeout(200)
            path = out / f"{name}.png"
            page.screenshot(path=path)
            saved.append(path)

        page.goto(start_page(base, key, buyer.url, "create"))
        search = page.get_by_role("combobox", name="Search products")
        search.press_sequentially("copy paper", delay=60)
        expect(page.locator("#product-results")).to_have_attribute("data-query", "copy paper")
        rows = page.locator("#product-results tbody tr")
        rows.nth(0).get_by_role("button", name="Add to cart").click()
        rows.nth(2).locator("input.quantity").fill("3")
        rows.nth(2).get_by_role("button", name="Add to cart").click()
        expect(page.locator("table.cart tbody tr")).to_have_count(2)
        search.focus()
        page.keyboard.press("ArrowDown")
        page.evaluate("window.scrollTo(0, 0)")
        snap("11-storefront")
        items = "".join(
            f'<ItemOut quantity="{n}" lineNumber="{n}"><ItemID><SupplierPartID>DEMO-0000{n}'
            '</SupplierPartID></ItemID><ItemDetail><UnitPrice><Money currency="EUR">4.20'
            '</Money></UnitPrice><Description xml:lang="en">Copy paper A4 80 g/m²'
            "</Description><UnitOfMeasure>RM</UnitOfMeasure><Classification "
            'domain="UNSPSC">14111507</Classification></ItemDetail></ItemOut>'
            for n in (1, 2)
        )
        page.goto(start_page(base, key, buyer.url, "inspect", items))
        expect(page.get_by_role("button", name="Return to procurement")).to_be_visible()
        snap("12-storefront-inspect")
        browser.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", choices=["console", "storefront"], help="default: both")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="opsportal-screenshots-") as scratch:
        folder = Path(scratch)
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPSPORTAL_")}
        env["DATABASE_URL"] = database_url = f"sqlite://{folder / 'opsportal.sqlite3'}"
        env["OPSPORTAL_ALLOW_HTTP_BUYER_URLS"] = "1"  # the buyer's endpoint is on loopback
        key = demo(folder, env)
        server = start_server(database_url, folder, env=env)
        try:
            saved: list[Path] = []
            if args.only in (None, "console"):
                buyer_traffic(server.base, key)
                saved += shoot(server.base, args.out)
            if args.only in (None, "storefront"):
                saved += shoot_storefront(server.base, key, args.out)
            for path in saved:
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
