"""The console over HTTP: one shell for every screen's address, with the strict policy; its
files versioned and cached; the vendored library exactly the pinned releases; and every
operation it sends one the public schema accepts."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from graphql import parse, validate

from graph.schema import schema
from opsportal.app import create_app
from opsportal.config import Settings
from pages.console.refresh import CONSOLE_VENDOR, PINS, TESTS_VENDOR
from testkit import operations
from tests.conftest import VAULT

ROOT = Path(__file__).resolve().parents[1]
CONSOLE = ROOT / "pages" / "console"
LICENCES = {
    "preact": "The MIT License",
    "htm": "Apache License",
    "axe-core": "Mozilla Public License, version 2.0",
}
SCREENS = [
    "/",
    "/companies",
    "/companies?q=acme",
    "/companies/new",
    "/companies/Q29tcGFueTo0Mg==",
    "/companies/Q29tcGFueTo0Mg==/edit",
    "/customers/Q3VzdG9tZXI6MQ==/details",
    "/customers/Q3VzdG9tZXI6MQ==/roles",
    "/customers/Q3VzdG9tZXI6MQ==/more/connection",
]


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The app without a database: none of these answers reads one."""
    app = create_app(Settings(database_url="sqlite://:memory:"), vault=VAULT)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as client:
        yield client


@pytest.mark.parametrize("path", SCREENS)
async def test_every_screen_answers_the_shell_with_the_strict_policy(
    http: httpx.AsyncClient, path: str
) -> None:
    response = await http.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe" not in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-cache"
    assert 'id="console"' in response.text


async def test_other_paths_are_still_not_found(http: httpx.AsyncClient) -> None:
    assert (await http.get("/nothing-here")).status_code == 404
    assert (await http.post("/companies")).status_code == 405


def test_no_inline_script_or_style() -> None:
    html = (CONSOLE / "index.html").read_text()
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "<style" not in html and "style=" not in html and " on" not in html.lower()
    for module in CONSOLE.glob("*.js"):
        text = module.read_text()
        assert "style=" not in text, module.name  # a style attribute is inline style
        assert "innerHTML" not in text and "eval(" not in text, module.name


async def test_the_files_are_versioned_and_cached(http: httpx.AsyncClient) -> None:
    html = (await http.get("/")).text
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)
    assert "/pages/console/ui.js" in preloaded and "/pages/console/app.js" not in preloaded
    assert "/pages/console/vendor/preact/hooks.module.js" in preloaded
    urls = [
        url for url in re.findall(r'(?:src|href)="(/pages/[^"]+)"', html) if url not in preloaded
    ]
    assert {u.split("?")[0] for u in urls} >= {
        "/pages/console/app.js",
        "/pages/console/console.css",
        "/pages/console/print.css",
    }
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{16}$", url), url
        response = await http.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    # Modules imported by others are fetched by plain URL: revalidated by their ETag.
    module = await http.get("/pages/console/ui.js")
    assert module.headers["cache-control"] == "no-cache"
    again = await http.get(
        "/pages/console/ui.js", headers={"If-None-Match": module.headers["etag"]}
    )
    assert again.status_code == 304


def test_the_modules_stay_small() -> None:
    for module in [*CONSOLE.glob("*.js"), *CONSOLE.glob("*.css")]:
        assert len(module.read_text().splitlines()) <= 400, module.name


@pytest.mark.parametrize("vendor", [CONSOLE_VENDOR, TESTS_VENDOR], ids=["console", "tests"])
def test_the_vendored_files_are_the_pinned_releases(vendor: Path) -> None:
    manifest = json.loads((vendor / "MANIFEST.json").read_text())["packages"]
    pins = {pin.name: pin.version for pin in PINS if pin.vendor == vendor}
    assert {name: package["version"] for name, package in manifest.items()} == pins
    listed: dict[str, str] = {}
    for package in manifest.values():
        assert package["integrity"].startswith("sha512-")
        listed |= package["files"]
    on_disk = {
        path.relative_to(vendor).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in vendor.rglob("*")
        if path.is_file() and path.name != "MANIFEST.json"
    }
    assert on_disk == listed  # every file listed, none changed, none extra
    for name in pins:
        licence = (vendor / name / "LICENSE").read_text()
        assert LICENCES[name] in licence, name


def console_operations() -> dict[str, str]:
    """Every operation in operations.js, by its constant's name."""
    text = (CONSOLE / "operations.js").read_text()
    found = re.findall(r'export const (\w+) = (?:`([^`]*)`|"([^"]*)")', text)
    return {name: backticked or quoted for name, backticked, quoted in found}


def test_every_operation_is_one_the_public_schema_accepts() -> None:
    found = console_operations()
    assert len(found) >= 20
    for name, operation in found.items():
        assert validate(schema._schema, parse(operation)) == [], name
    # Nothing else talks to the server: operations.js is the only place with a query.
    for module in CONSOLE.glob("*.js"):
        if module.name != "operations.js":
            assert not re.search(r"\b(query|mutation)\s+\w+\s*[({]", module.read_text()), module
    assert [m.name for m in CONSOLE.glob("*.js") if "fetch(" in m.read_text()] == ["api.js"]


def test_the_walkthrough_operations_are_the_readmes() -> None:
    sent = set(console_operations().values())
    for name in (
        "LOGIN",
        "VIEWER",
        "COMPANY_SEARCH",
        "ADD_PUNCHOUT_CUSTOMER",
        "ROLE_SEARCH",
        "ASSIGN_ROLE",
        "REMOVE_ROLE",
    ):
        assert getattr(operations, name) in sent, name
