"""GraphiQL's files over HTTP: all from this server, versioned and cached, and exactly the
pinned npm releases with their licences."""

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
from pages.graphiql.refresh import MANIFEST, PINS, VENDOR
from tests.conftest import VAULT

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
WALKTHROUGH = ROOT / "pages" / "graphiql" / "walkthrough.graphql"
HTML = {"Accept": "text/html"}


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The app without a database: none of these answers reads one."""
    app = create_app(Settings(database_url="sqlite://:memory:"), vault=VAULT)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as client:
        yield client


async def page_urls(http: httpx.AsyncClient) -> list[str]:
    page = await http.get("/graphql", headers=HTML)
    return re.findall(r'(?:src|href|data-[a-z-]+)="([^"]+)"', page.text)


def test_the_vendored_files_are_the_pinned_releases() -> None:
    manifest = json.loads(MANIFEST.read_text())["packages"]
    assert {name: package["version"] for name, package in manifest.items()} == {
        pin.name: pin.version for pin in PINS
    }
    listed: dict[str, str] = {}
    for package in manifest.values():
        assert package["integrity"].startswith("sha512-")
        listed |= package["files"]
    on_disk = {
        path.relative_to(VENDOR).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in VENDOR.rglob("*")
        if path.is_file() and path != MANIFEST
    }
    assert on_disk == listed  # every file listed, none changed, none extra
    for pin in PINS:
        licence = (VENDOR / pin.folder / pin.licence).read_text()
        assert "MIT License" in licence and "Permission is hereby granted" in licence


def test_the_walkthrough_is_the_readmes() -> None:
    section = README.split("## The walkthrough, as the frontend sends it", 1)[1]
    block = re.search(r"```graphql\n(.*?)```", section, re.S)
    assert block, "the README lost its walkthrough"
    document = WALKTHROUGH.read_text()
    assert document.endswith(block.group(1))
    assert validate(schema._schema, parse(document)) == []
    assert 'Authorization": "Bearer <token>' in document  # how to sign in, at the top


async def test_the_page_loads_only_this_servers_files(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    urls = await page_urls(http)
    assert {"/graphql", "data:,"} < set(urls)
    for url in set(urls) - {"/graphql", "data:,"}:
        assert re.fullmatch(r"/pages/graphiql/[\w./-]+\?v=[0-9a-f]{16}", url), url
    assert "//" not in page.text  # no URL of another site, not even scheme-relative
    # No inline script or style: every <script> has a src, and no style attribute or element.
    assert len(re.findall(r"<script\b", page.text)) == len(
        re.findall(r"<script defer src=", page.text)
    )
    assert "<style" not in page.text and "style=" not in page.text


async def test_the_page_sends_a_strict_policy_and_the_security_headers(
    http: httpx.AsyncClient,
) -> None:
    headers = (await http.get("/graphql", headers=HTML)).headers
    policy = dict(d.strip().split(" ", 1) for d in headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    # Styles: this origin, and one <style> text by its hash (pages/graphiql/__init__.py says why).
    assert re.fullmatch(r"'self' 'sha256-[A-Za-z0-9+/]{43}='", policy["style-src"])
    assert policy["font-src"] == policy["img-src"] == "'self' data:"
    assert "unsafe" not in headers["content-security-policy"]
    assert "http" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


async def test_assets_are_cached_for_a_year_under_their_digest(http: httpx.AsyncClient) -> None:
    urls = [u for u in await page_urls(http) if u.startswith("/pages/")]
    assert len(urls) == 9
    types = {".js": "text/javascript", ".css": "text/css", ".graphql": "application/graphql"}
    for url in urls:
        path = ROOT / url.split("?")[0].lstrip("/")
        body = path.read_bytes()
        answer = await http.get(url, headers={"Accept-Encoding": "identity"})
        assert answer.status_code == 200 and answer.content == body, url
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.headers["content-type"].startswith(types[path.suffix])
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert url.endswith(hashlib.sha256(body).hexdigest()[:16])
        etag = answer.headers["etag"]
        again = await http.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["cache-control"] == answer.headers["cache-control"]

    script = next(u for u in urls if u.endswith(".js", 0, u.index("?")))
    zipped = await http.get(script, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.content == (ROOT / script.split("?")[0].lstrip("/")).read_bytes()  # decoded
    assert int(zipped.headers["content-length"]) < len(zipped.content) / 2

    # Without the digest, or with an old one: revalidated each time (the ETag makes it a 304).
    plain = script.split("?")[0]
    for url in (plain, plain + "?v=0000000000000000"):
        answer = await http.get(url)
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "/pages/__init__.py",
        "/pages/assets.py",
        "/pages/graphiql/refresh.py",
        "/pages/graphiql/index.html",
        "/pages/graphiql/../../opsportal/app.py",
        "/pages/graphiql/vendor",
        "/pages/",
    ],
)
async def test_nothing_but_assets_is_served(http: httpx.AsyncClient, path: str) -> None:
    answer = await http.get(path)
    assert answer.status_code == 404, path


async def test_the_api_stays_as_it_was(http: httpx.AsyncClient) -> None:
    # A GET that asks for JSON, or carries a query, is not given the page; POST is the API.
    as_json = await http.get("/graphql", headers={"Accept": "application/json"})
    assert "text/html" not in as_json.headers.get("content-type", "")
    with_query = await http.get("/graphql", params={"query": "{ __typename }"}, headers=HTML)
    assert with_query.status_code >= 400 and "<html" not in with_query.text
    typename = await http.post("/graphql", json={"query": "{ __typename }"})
    assert typename.json() == {"data": {"__typename": "Query"}}
    assert typename.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in typename.headers  # not a page
