"""The built-in storefront in Chromium, against a real `opsportal serve` on SQLite and on
PostgreSQL, with a buyer's endpoint on loopback recording what the browser posts: the round
trip of a punchout (setup, the StartPage, search, cart, "Return cart to procurement"), edit and
inspect sessions, expired and used links, and the keyboard alone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from opsportal.demo import DEMO_ADMIN
from testkit.buyer_endpoint import BuyerEndpoint, Received
from testkit.operations import LOGIN
from tests.browser import DEMO_PASSWORD, WatchedPage, chromium_path
from tests.cxml_helpers import assert_cxml
from tests.priced_orders import Item, priced_order
from tests.storefront_browser import (
    ACME,
    ACME_CODE,
    AGENT,
    DEMO_CUSTOMER,
    ShopSite,
    cart_line,
    cart_rows,
    item_out,
    money,
    result,
    search,
)

OpenPage = Callable[..., WatchedPage]
ORDER_LINES = """query($code: String!) { companies(search: $code, first: 1) { edges { node {
  orders(first: 20) { edges { node { orderId priceExceptions
    lines { unitPrice catalogUnitPrice priceMismatch } } } } } } } }"""


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def shop_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ShopSite]:
    from domain.key_vault import new_kek
    from testkit.postgres import fresh_database
    from testkit.servers import start_server

    chromium_path()  # skip (or fail) before building a database for nothing
    folder = tmp_path_factory.mktemp(f"storefront-{request.param}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSPORTAL_")}
    env["OPSPORTAL_KEY_ENCRYPTION_KEY"] = new_kek()
    env["OPSPORTAL_ALLOW_HTTP_BUYER_URLS"] = "1"  # the buyer's endpoint is http, on loopback
    if request.param == "postgres":
        server_url = request.getfixturevalue("postgres_url")
        name = f"storefront_{os.getpid()}_{folder.name}"
        with ThreadPoolExecutor(1) as thread:  # Playwright's loop runs in this thread
            database_url = thread.submit(fresh_database, server_url, name).result()
    else:
        database_url = f"sqlite://{folder / 'opsportal.sqlite3'}"
    env["DATABASE_URL"] = database_url
    demo = subprocess.run(
        [sys.executable, "-m", "opsportal.cli", "demo", "--companies", "50"]
        + ["--password", DEMO_PASSWORD],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    key = re.search(r"PUNCHOUT API Key: (\S+)", demo.stdout)
    assert key, demo.stdout
    with open(folder / "server.log", "w") as log:
        server = start_server(database_url, folder, env=env, stderr=log, start_timeout=60)
    try:
        yield ShopSite(request.param, database_url, folder, env, server, key.group(1))
    finally:
        server.stop()


@pytest.fixture
def buyer() -> Iterator[BuyerEndpoint]:
    with BuyerEndpoint() as endpoint:
        yield endpoint


def open_shop(open_page: OpenPage, start_url: str, buyer: BuyerEndpoint) -> WatchedPage:
    watched = open_page(start_url, also=(buyer.url,))
    expect(watched.page.get_by_role("heading", name="Your cart")).to_be_visible()
    return watched


def arrived(page: Page, buyer: BuyerEndpoint, count: int = 1, seconds: float = 30) -> Received:
    """The buyer's `count`-th post, once it has come; the page runs meanwhile (its requests
    pass through this thread's route handler)."""
    deadline = time.monotonic() + seconds
    while len(buyer.received) < count:
        assert time.monotonic() < deadline, f"no cart came to the buyer within {seconds} s"
        page.wait_for_timeout(50)
    return buyer.received[count - 1]


def returned(page: Page, buyer: BuyerEndpoint, button: str, count: int = 1) -> Received:
    page.get_by_role("button", name=button, exact=True).click()
    received = arrived(page, buyer, count)
    expect(page.get_by_role("heading", name="Cart received")).to_be_visible()
    assert_cxml(received.root())  # valid against the cXML DTD in the conformance run
    return received


def test_the_round_trip(open_page: OpenPage, shop_site: ShopSite, buyer: BuyerEndpoint) -> None:
    start = shop_site.setup(buyer.url, cookie=f"cookie-{shop_site.database}")
    watched = open_shop(open_page, start, buyer)
    page = watched.page
    # The credential left the address bar for this tab's sessionStorage.
    assert page.url == f"{shop_site.base}/storefront"
    stored = page.evaluate("sessionStorage.getItem('opsportal.storefront.session')")
    assert stored.startswith("pos_") and start.rsplit("/", 1)[1] not in page.url
    facts = page.get_by_role("definition")  # who punched out and from where
    expect(page.locator(".session-facts")).to_contain_text("Jane Buyer")
    expect(page.locator(".session-facts")).to_contain_text("jane@buyer.example")
    expect(page.locator(".session-facts")).to_contain_text(ACME)
    expect(page.locator(".user-agent")).to_have_text(AGENT)
    expect(page.locator(".badge.test")).to_have_text("test")
    timer = page.get_by_role("timer")
    expect(timer).to_have_text(re.compile(r"^1:5\d:\d\d$"))
    before = timer.inner_text()
    expect(timer).not_to_have_text(before)  # it counts down, live
    assert facts.count() >= 4

    # "paper": the demo's paper products, each at Acme's contract price.
    search(page, "paper")
    paper = shop_site.priced(
        page.locator("#product-results tbody tr").first.get_attribute("data-part") or ""
    )
    assert paper.acme_price is not None and paper.acme_price < paper.list_price
    found = result(page, paper.part)
    expect(found).to_contain_text(f"{money(paper.acme_price)} {paper.currency}")
    expect(found).to_contain_text("contract price")
    found.get_by_label(re.compile("^Quantity of")).fill("2")
    found.get_by_role("button", name="Add to cart").click()
    expect(cart_line(page, paper.part)).to_be_visible()
    # A product Acme has no contract price for: the list price.
    other = shop_site.without_contract()
    search(page, other.part)
    found = result(page, other.part)
    expect(found).to_contain_text(f"{money(other.list_price)} {other.currency}")
    expect(found).not_to_contain_text("contract price")
    found.get_by_role("button", name="Add to cart").click()
    expect(cart_line(page, other.part)).to_be_visible()
    quantity = cart_line(page, other.part).get_by_label(re.compile("^Quantity of"))
    quantity.fill("3")
    quantity.press("Enter")
    euro = paper.currency
    expect(cart_line(page, other.part)).to_contain_text(f"{money(3 * other.price)} {euro}")
    total = money(2 * paper.price + 3 * other.price)
    expect(page.locator("#cart-total")).to_have_text(f"{total} {euro}")
    assert cart_rows(page) == [
        (paper.part, "2", f"{money(2 * paper.price)} {euro}"),
        (other.part, "3", f"{money(3 * other.price)} {euro}"),
    ]

    received = returned(page, buyer, "Return cart to procurement")
    assert received.form_field == "cxml-urlencoded"
    assert received.buyer_cookie == f"cookie-{shop_site.database}"
    assert received.total == (total, euro)
    assert [(x.supplier_part_id, x.quantity, Decimal(x.unit_price)) for x in received.lines] == [
        (paper.part, "2", paper.acme_price),  # Acme's contract price
        (other.part, "3", other.list_price),  # the list price
    ]
    root = received.root()
    assert root.find("Message").get("deploymentMode") == "test"
    assert root.find(".//PunchOutOrderMessageHeader").get("operationAllowed") == "edit"
    assert "referer" not in {h.lower() for h in received.headers}
    watched.assert_clean()
    # The session has ended: its storefront says so, and opens nothing.
    page.goto(f"{shop_site.base}/storefront")
    expect(page.get_by_role("heading", name="Punchout session ended")).to_be_visible()
    an_order_for_the_cart(shop_site, received)


def an_order_for_the_cart(shop_site: ShopSite, received: Received) -> None:
    """The buyer's OrderRequest for the cart the browser brought back, one price changed on
    the way: flagged by default (the order taken, the line marked), refused under `reject`."""
    sent = [
        Item(x.supplier_part_id, x.unit_price, x.currency, x.quantity, description=x.description)
        for x in received.lines
    ]
    cheaper = str(Decimal(sent[0].price) - Decimal("0.01"))
    changed = [replace(sent[0], price=cheaper), *sent[1:]]
    order = priced_order(DEMO_CUSTOMER, shop_site.key, changed, order_id="PO-BROWSER-1")
    answer = httpx.post(f"{shop_site.base}/cxml", content=order, timeout=60)
    assert '<Status code="200"' in answer.text, answer.text
    login = {"email": DEMO_ADMIN, "password": DEMO_PASSWORD}
    token = graphql(shop_site.base, LOGIN, login)["login"]["token"]
    [company] = graphql(shop_site.base, ORDER_LINES, {"code": ACME_CODE}, token)["companies"][
        "edges"
    ]
    orders = company["node"]["orders"]["edges"]
    [flagged] = [e["node"] for e in orders if e["node"]["orderId"] == "PO-BROWSER-1"]
    assert flagged["priceExceptions"] == 1
    assert [
        (x["unitPrice"], x["catalogUnitPrice"], x["priceMismatch"]) for x in flagged["lines"]
    ] == [
        (cheaper, sent[0].price, True),
        *((x.price, x.price, False) for x in sent[1:]),
    ]
    strict = shop_site.start_another(OPSPORTAL_ORDER_PRICE_CHECK="reject")
    try:
        again = priced_order(
            DEMO_CUSTOMER, shop_site.key, changed, order_id="PO-BROWSER-2", payload="b-2@buyer"
        )
        refused = httpx.post(f"{strict.base}/cxml", content=again, timeout=60).text
    finally:
        strict.stop()
    assert '<Status code="400"' in refused and f"line 1 ({sent[0].part})" in refused, refused


def graphql(base: str, query: str, variables: dict[str, object], token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = httpx.post(
        f"{base}/graphql", json={"query": query, "variables": variables}, headers=headers
    ).json()
    assert "errors" not in body, body
    return body["data"]


def test_an_edit_session_opens_with_the_buyers_lines(
    open_page: OpenPage, shop_site: ShopSite, buyer: BuyerEndpoint
) -> None:
    paper, other = shop_site.priced("DEMO-00001"), shop_site.without_contract()
    items = item_out(1, paper.part, "2", str(paper.price), paper.name)
    items += item_out(2, other.part, "3", str(other.price), other.name)
    start = shop_site.setup(buyer.url, operation="edit", items=items)
    page = open_shop(open_page, start, buyer).page
    euro = paper.currency
    assert cart_rows(page) == [
        (paper.part, "2", f"{money(2 * paper.price)} {euro}"),
        (other.part, "3", f"{money(3 * other.price)} {euro}"),
    ]
    cart_line(page, other.part).get_by_role("button", name="Remove").click()
    expect(cart_line(page, other.part)).to_have_count(0)
    pen = shop_site.priced("DEMO-00007")  # ballpoint pens
    search(page, pen.part)
    result(page, pen.part).get_by_role("button", name="Add to cart").click()
    expect(cart_line(page, pen.part)).to_be_visible()
    total = money(2 * paper.price + pen.price)
    expect(page.locator("#cart-total")).to_have_text(f"{total} {euro}")
    received = returned(page, buyer, "Return cart to procurement")
    assert [(x.supplier_part_id, x.quantity) for x in received.lines] == [
        (paper.part, "2"),
        (pen.part, "1"),
    ]
    assert received.total == (total, euro)


def test_an_inspect_session_is_read_only(
    open_page: OpenPage, shop_site: ShopSite, buyer: BuyerEndpoint
) -> None:
    paper = shop_site.priced("DEMO-00001")
    items = item_out(1, paper.part, "2", str(paper.price), paper.name)
    start = shop_site.setup(buyer.url, operation="inspect", items=items)
    page = open_shop(open_page, start, buyer).page
    expect(page.get_by_text("cannot be changed here")).to_be_visible()
    assert cart_rows(page) == [(paper.part, "2", f"{money(2 * paper.price)} {paper.currency}")]
    expect(page.get_by_role("combobox", name="Search products")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove")).to_have_count(0)
    expect(page.locator("table.cart input")).to_have_count(0)
    expect(page.get_by_role("button", name="Return cart to procurement")).to_have_count(0)
    received = returned(page, buyer, "Return to procurement")
    assert received.root().find(".//PunchOutOrderMessageHeader").get("operationAllowed") == (
        "inspect"
    )


def test_expired_and_used_links_say_so(
    open_page: OpenPage, shop_site: ShopSite, buyer: BuyerEndpoint
) -> None:
    # A used link: the StartPage answers a page that says what happened.
    used = shop_site.setup(buyer.url)
    assert httpx.get(used, follow_redirects=False).status_code == 303
    page = open_page(used).page
    expect(page.get_by_role("heading", name="Punchout session expired")).to_be_visible()
    expect(page.get_by_text("start again from your procurement system")).to_be_visible()
    # A link past its time, and a session that runs out while the page is open.
    brief = shop_site.start_another(
        OPSPORTAL_PUNCHOUT_START_TTL_SECONDS="1", OPSPORTAL_PUNCHOUT_SESSION_TTL_MINUTES="0.05"
    )
    try:
        late = shop_site.setup(buyer.url, base=brief.base)
        time.sleep(1.5)
        page = open_page(late).page
        expect(page.get_by_role("heading", name="Punchout session expired")).to_be_visible()
        opened = open_shop(open_page, shop_site.setup(buyer.url, base=brief.base), buyer).page
        expect(opened.get_by_role("heading", name="Punchout session ended")).to_be_visible(
            timeout=15_000
        )
    finally:
        brief.stop()
    # No credential at all: the storefront says where to start.
    page = open_page(f"{shop_site.base}/storefront").page
    expect(page.get_by_role("heading", name="No punchout session")).to_be_visible()


def test_the_keyboard_alone(open_page: OpenPage, shop_site: ShopSite, buyer: BuyerEndpoint) -> None:
    start = shop_site.setup(buyer.url, cookie="keyboard")
    page = open_shop(open_page, start, buyer).page
    keys = page.keyboard
    box = page.get_by_role("combobox", name="Search products")
    expect(box).to_be_focused()  # the search has the focus from the start
    keys.type("paper", delay=30)
    expect(page.locator("#product-results")).to_have_attribute("data-query", "paper")
    keys.press("ArrowDown")
    keys.press("Enter")  # the first result, quantity 1
    expect(page.locator("table.cart tbody tr")).to_have_count(1)
    keys.press("ArrowDown")
    keys.press("Enter")  # the second
    expect(page.locator("table.cart tbody tr")).to_have_count(2)
    # Tab from the search into the results: the first row's quantity, then its button.
    keys.press("Tab")
    first = page.locator("#product-results tbody tr").first
    expect(first.locator("input.quantity")).to_be_focused()
    keys.press("Control+a")
    keys.type("4")
    keys.press("Tab")
    expect(first.get_by_role("button", name="Add to cart")).to_be_focused()
    keys.press("Enter")
    part = first.get_attribute("data-part") or ""
    expect(cart_line(page, part).locator("input.quantity")).to_have_value("5")
    # On through the results to the cart: change a quantity, remove a line, return.
    line = cart_line(page, part).locator("input.quantity")
    for _ in range(30):
        keys.press("Tab")
        if line.evaluate("e => e === document.activeElement"):
            break
    expect(line).to_be_focused()
    keys.press("Control+a")
    keys.type("6")
    keys.press("Enter")
    expect(line).to_have_value("6")
    keys.press("Tab")
    expect(cart_line(page, part).get_by_role("button", name="Remove")).to_be_focused()
    keys.press("Enter")
    expect(page.locator("table.cart tbody tr")).to_have_count(1)
    button = page.get_by_role("button", name="Return cart to procurement")
    for _ in range(10):
        if button.evaluate("e => e === document.activeElement"):
            break
        keys.press("Tab")
    expect(button).to_be_focused()
    keys.press("Enter")
    received = arrived(page, buyer)
    assert received.buyer_cookie == "keyboard" and len(received.lines) == 1


def test_the_readme_walkthrough(
    open_page: OpenPage, shop_site: ShopSite, buyer: BuyerEndpoint
) -> None:
    """README, "Trying it: a punchout in your browser", as written: the server's setting, the
    endpoint's command, the setup request (its key, and the endpoint's port, this run's)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("#### Trying it: a punchout in your browser", 1)[1]
    script = section.split("```sh\n", 1)[1].split("```", 1)[0]
    assert "\nOPSPORTAL_ALLOW_HTTP_BUYER_URLS=1 opsportal serve\n" in script
    assert "\npython -m testkit.buyer_endpoint --port 9000\n" in script
    curl = re.search(
        r"curl -s (\S+) -H '([^']+)' --data-binary @- <<EOF \| grep -o '([^']+)'\n(.*?)\nEOF\n",
        script,
        re.S,
    )
    assert curl, "the walkthrough lost its setup request"
    url, header, pattern, document = curl.groups()
    assert url == "http://127.0.0.1:8000/cxml" and "$KEY" in document
    document = document.replace("$KEY", shop_site.key)
    document = document.replace("http://127.0.0.1:9000/punchout/return", buyer.url)
    name, value = header.split(": ", 1)
    answer = httpx.post(
        f"{shop_site.base}/cxml", content=document, headers={name: value}, timeout=60
    )
    start = re.search(pattern, answer.text)  # what `grep -o` prints
    assert start, answer.text
    page = open_shop(open_page, start.group(0), buyer).page
    expect(page.locator(".session-facts")).to_contain_text("jane@buyer.example")
    expect(page.locator(".session-facts")).to_contain_text(ACME)
    expect(page.locator(".user-agent")).to_have_text("curl")
    expect(page.locator(".badge.test")).to_have_text("test")
    search(page, "paper")
    rows = page.locator("#product-results tbody tr")
    for n in (0, 1):
        expect(rows.nth(n)).to_contain_text("contract price")
        rows.nth(n).get_by_role("button", name="Add to cart").click()
        expect(page.locator("table.cart tbody tr")).to_have_count(n + 1)
    quantity = page.locator("table.cart tbody tr").first.locator("input.quantity")
    quantity.fill("2")
    quantity.press("Enter")
    expect(quantity).to_have_value("2")
    received = returned(page, buyer, "Return cart to procurement")
    assert received.buyer_cookie == "demo-cookie-1"
    assert [x.quantity for x in received.lines] == ["2", "1"]


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def axe_findings(page: Page) -> list[dict[str, object]]:
    """axe-core's serious and critical findings on the page as it is now."""
    page.wait_for_load_state("networkidle")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # through the DevTools protocol: the policy allows it
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_axe_finds_nothing_serious(
    open_page: OpenPage, shop_site: ShopSite, buyer: BuyerEndpoint
) -> None:
    report: dict[str, list[dict[str, object]]] = {}
    paper = shop_site.priced("DEMO-00001")
    items = item_out(1, paper.part, "2", str(paper.price), paper.name)
    for scheme in ("light", "dark"):
        page = open_page(shop_site.setup(buyer.url), also=(buyer.url,), color_scheme=scheme).page
        search(page, "paper")
        page.get_by_role("combobox", name="Search products").press("ArrowDown")
        report[f"{scheme}: search"] = axe_findings(page)
        page.locator("#product-results tbody tr").first.get_by_role("button").click()
        quantity = page.locator("table.cart input.quantity").first
        quantity.fill("0")  # refused: the error at the field
        quantity.press("Enter")
        expect(page.locator(".quantity-field .error-message")).to_be_visible()
        report[f"{scheme}: cart, a refused quantity"] = axe_findings(page)
        inspect = shop_site.setup(buyer.url, operation="inspect", items=items)
        page = open_page(inspect, also=(buyer.url,), color_scheme=scheme).page
        expect(page.get_by_role("button", name="Return to procurement")).to_be_visible()
        report[f"{scheme}: inspect"] = axe_findings(page)
        page = open_page(f"{shop_site.base}/storefront", color_scheme=scheme).page
        expect(page.get_by_role("heading", name="No punchout session")).to_be_visible()
        report[f"{scheme}: no session"] = axe_findings(page)
    assert {screen: found for screen, found in report.items() if found} == {}


def test_refusals_show_at_the_field(
    open_page: OpenPage, shop_site: ShopSite, buyer: BuyerEndpoint
) -> None:
    page = open_shop(open_page, shop_site.setup(buyer.url), buyer).page
    search(page, "paper")
    row = page.locator("#product-results tbody tr").first
    row.get_by_label(re.compile("^Quantity of")).fill("1,5")
    row.get_by_role("button", name="Add to cart").click()
    expect(row.locator(".error-message")).to_contain_text("1,5")  # why, at the field
    expect(page.locator("table.cart")).to_have_count(0)  # nothing added
    row.get_by_label(re.compile("^Quantity of")).fill("1.5")
    row.get_by_role("button", name="Add to cart").click()
    expect(row.locator(".error-message")).to_have_count(0)
    line = page.locator("table.cart tbody tr").first
    quantity = line.locator("input.quantity")
    quantity.fill("0")
    quantity.press("Enter")
    expect(line.locator(".error-message")).to_contain_text("above 0")
    expect(quantity).to_have_value("0")  # what was typed stays
    page.get_by_role("button", name="Return cart to procurement").click()
    expect(page.get_by_role("alert")).to_contain_text("correct it or remove the line")
    assert buyer.received == []  # not handed back
    quantity.fill("2")
    quantity.press("Enter")
    expect(line.locator(".error-message")).to_have_count(0)
    received = returned(page, buyer, "Return cart to procurement")
    assert [x.quantity for x in received.lines] == ["2"]
