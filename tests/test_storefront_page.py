"""The built-in storefront over HTTP: its page at /storefront with the strict policy, its files
versioned, the operations it sends ones the public schema accepts, and the hand-off page
(POST /storefront/return) whose `form-action` names the session's BrowserFormPost origin alone
(on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from graphql import parse, validate

from graph.schema import schema
from opsportal.app import create_app
from opsportal.config import Settings
from pages.storefront.handoff import policy_origin
from tests.conftest import VAULT, Api, Buyer
from tests.storefront_helpers import TRANSFER, open_session

ROOT = Path(__file__).resolve().parents[1]
STOREFRONT = ROOT / "pages" / "storefront"
SETUP = """<PunchOutSetupRequest operation="create">
      <BuyerCookie>cookie-1</BuyerCookie>
      {form_post}
    </PunchOutSetupRequest>"""


def policy(response: httpx.Response) -> dict[str, str]:
    """The Content-Security-Policy's directives, by name."""
    found = (
        d.strip().split(" ", 1) for d in response.headers["content-security-policy"].split(";")
    )
    return {d[0]: d[1] if len(d) > 1 else "" for d in found}


async def test_the_page_has_the_strict_policy(client: httpx.AsyncClient) -> None:
    for method in ("GET", "HEAD"):
        response = await client.request(method, "/storefront")
        assert response.status_code == 200
        directives = policy(response)
        assert directives["form-action"] == "'self'"  # its one form: /storefront/return
        assert directives["script-src"] == "'self'" and directives["connect-src"] == "'self'"
        assert "unsafe" not in response.headers["content-security-policy"]
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-cache"
    assert 'id="storefront"' in (await client.get("/storefront")).text
    assert (await client.post("/storefront")).status_code == 405
    assert (await client.get("/storefront/return")).status_code == 405


async def test_the_files_are_versioned_and_the_shared_modules_preloaded(
    client: httpx.AsyncClient,
) -> None:
    html = (await client.get("/storefront")).text
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)
    for shared in (
        "/pages/console/lib.js",  # the console's, reused: Preact and htm, times
        "/pages/console/ui.js",
        "/pages/console/vendor/preact/hooks.module.js",
        "/pages/storefront/cart.js",
    ):
        assert shared in preloaded, shared
    assert "/pages/storefront/app.js" not in preloaded
    assert "/pages/console/companies.js" not in preloaded  # only what the storefront imports
    for url in re.findall(r'(?:src|href)="(/pages/[^"]+)"', html):
        if url in preloaded:
            continue
        assert re.search(r"\?v=[0-9a-f]{16}$", url), url
        assert (await client.get(url)).status_code == 200


def test_no_inline_script_or_style_and_no_other_origin() -> None:
    html = (STOREFRONT / "index.html").read_text()
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "<style" not in html and "style=" not in html and " on" not in html.lower()
    for module in [*STOREFRONT.glob("*.js"), *STOREFRONT.glob("*.css")]:
        text = module.read_text()
        assert "style=" not in text and "innerHTML" not in text and "eval(" not in text, module
        assert not re.search(r"https?://", text), module  # nothing from another origin
        assert len(text.splitlines()) <= 400, module


def storefront_operations() -> dict[str, str]:
    """Every operation in operations.js, by its constant's name (`${CART}` filled in)."""
    text = (STOREFRONT / "operations.js").read_text()
    cart = re.search(r"const CART = `([^`]*)`", text)
    assert cart is not None
    found = re.findall(r'export const (\w+) = (?:`([^`]*)`|"([^"]*)")', text)
    return {n: (b or q).replace("${CART}", cart.group(1)) for n, b, q in found}


def test_every_operation_is_a_storefront_one_the_schema_accepts() -> None:
    found = storefront_operations()
    assert set(found) >= {"SESSION", "PRODUCTS", "ADD_TO_CART", "CHANGE_QUANTITY", "TRANSFER"}
    storefront = {
        "punchoutSession",
        "products",
        "addCartLine",
        "updateCartLine",
        "removeCartLine",
        "transferPunchoutCart",
    }
    for name, operation in found.items():
        document = parse(operation)
        assert validate(schema._schema, document) == [], name
        roots = {s.name.value for d in document.definitions for s in d.selection_set.selections}
        assert roots <= storefront, name  # the session's operations, nothing of the staff's
    for module in STOREFRONT.glob("*.js"):
        if module.name != "operations.js":
            assert not re.search(r"\b(query|mutation)\s+\w+\s*[({]", module.read_text()), module
    assert [m.name for m in STOREFRONT.glob("*.js") if "fetch(" in m.read_text()] == ["api.js"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://buyer.example/punchout/return?x=1", "https://buyer.example"),
        ("https://Buyer.Example:443/r", "https://buyer.example"),  # as a browser writes it
        ("https://buyer.example:8443/r", "https://buyer.example:8443"),
        ("http://127.0.0.1:9000/punchout/return", "http://127.0.0.1:9000"),
        ("http://127.0.0.1:80/r", "http://127.0.0.1"),
        ("https://[::1]:8443/r", "https://[::1]:8443"),
        ("https://bücher.example/r", "https://xn--bcher-kva.example"),
        ("https://a;b.example/r", None),  # would end the directive
        ("https://a b/r", None),
    ],
)
def test_the_policy_names_the_origin_as_a_browser_does(url: str, origin: str | None) -> None:
    assert policy_origin(url) == origin


async def handoff(
    http: httpx.AsyncClient, credential: str | None, **headers: str
) -> httpx.Response:
    data = {"session": credential} if credential is not None else {}
    return await http.post(
        "/storefront/return", data=data, headers={"Sec-Fetch-Site": "same-origin", **headers}
    )


async def test_the_hand_off_page_allows_the_sessions_return_origin_alone(
    api: Api, buyer: Buyer
) -> None:
    credential = await open_session(api, buyer)  # BrowserFormPost https://buyer.example/return
    response = await handoff(api.http, credential)
    assert response.status_code == 200
    directives = policy(response)
    assert directives["form-action"] == "https://buyer.example"
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'self'"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert 'data-return-origin="https://buyer.example"' in response.text
    assert re.search(r'<script type="module" src="/pages/storefront/return\.js\?v=', response.text)
    assert credential not in response.text  # the credential stays in sessionStorage
    # Opening the page ends nothing: the transfer is the script's, with the credential.
    transfer = await api(TRANSFER, token=credential)
    assert transfer["data"]["transferPunchoutCart"]["transfer"]["url"].startswith("https://")
    ended = await handoff(api.http, credential)
    assert ended.status_code == 410 and policy(ended)["form-action"] == "'none'"
    assert "return.js" not in ended.text and "start again" in ended.text


@pytest.mark.parametrize(
    ("credential", "headers"),
    [
        (None, {}),
        ("pos_unknown", {}),
        ("x" * 5000, {}),  # over the body's limit
    ],
)
async def test_no_session_no_hand_off(
    client: httpx.AsyncClient, db: str, credential: str | None, headers: dict[str, str]
) -> None:
    response = await handoff(client, credential, **headers)
    assert response.status_code == 410
    assert policy(response)["form-action"] == "'none'" and "return.js" not in response.text


async def test_another_site_cannot_open_the_hand_off(api: Api, buyer: Buyer) -> None:
    credential = await open_session(api, buyer)
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "none"},
    ):
        refused = await api.http.post(
            "/storefront/return", data={"session": credential}, headers=headers
        )
        assert refused.status_code == 403 and policy(refused)["form-action"] == "'none'"
    older = await api.http.post(  # a browser without Sec-Fetch-Site: its Origin tells
        "/storefront/return",
        data={"session": credential},
        headers={"Origin": "https://evil.example"},
    )
    assert older.status_code == 403
    same = await api.http.post(
        "/storefront/return", data={"session": credential}, headers={"Origin": "http://portal.test"}
    )
    assert same.status_code == 200


@pytest.fixture
async def lenient(db: str, settings: Settings) -> AsyncIterator[Api]:
    """A server that takes http return URLs, on the same database."""
    served = Settings(
        database_url=settings.database_url,
        public_url=settings.public_url,
        allow_http_buyer_urls=True,
    )
    transport = httpx.ASGITransport(app=create_app(served, vault=VAULT))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        yield Api(http)


async def test_a_cart_that_cannot_go_back_says_why_before_anything_ends(
    api: Api, lenient: Api, buyer: Buyer
) -> None:
    plain_http = SETUP.format(
        form_post="<BrowserFormPost><URL>http://buyer.example/r</URL></BrowserFormPost>"
    )
    credential = await open_session(lenient, buyer, request=plain_http)
    assert policy(await handoff(lenient.http, credential))["form-action"] == "http://buyer.example"
    refused = await handoff(api.http, credential)  # a server that no longer allows http
    assert refused.status_code == 409 and policy(refused)["form-action"] == "'none'"
    assert "https" in refused.text and "return.js" not in refused.text
    assert 'id="handoff-back" hidden' not in refused.text  # back to the cart: it is open still
    assert (await api("{ punchoutSession { operation } }", token=credential))["data"]
    nowhere = await open_session(api, buyer, request=SETUP.format(form_post=""))
    missing = await handoff(api.http, nowhere)
    assert missing.status_code == 409 and "BrowserFormPost" in missing.text
