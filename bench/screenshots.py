"""Screenshots of the console's main screens, from a real run, for the README.

    python -m bench.screenshots [--out docs/screenshots]

Loads the demo into a new SQLite database, starts `opsportal serve`, sends the demo punchout
customer's buyer traffic over cXML (a setup request, one with a wrong secret, an order), and
walks through the console in Chromium as the demo administrator, saving a PNG of each screen
(the connection sheet also as it prints). Run it after changing the console, and commit the
pictures with the change.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="opsportal-screenshots-") as scratch:
        folder = Path(scratch)
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPSPORTAL_")}
        env["DATABASE_URL"] = database_url = f"sqlite://{folder / 'opsportal.sqlite3'}"
        key = demo(folder, env)
        server = start_server(database_url, folder, env=env)
        try:
            buyer_traffic(server.base, key)
            for path in shoot(server.base, args.out):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
