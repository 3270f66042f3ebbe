"""Real pages in Chromium, for every browser test (GraphiQL now; the console and storefront
later): a pytest plugin, loaded by tests/conftest.py.

Playwright for Python drives Debian's chromium (`/usr/bin/chromium`, or the path in
`OPSPORTAL_CHROMIUM`): `playwright install` cannot download browsers here. Every page is
opened in a fresh browser context (its own storage) that may reach one origin, the server
under test: a request to any other host is aborted and recorded, and so is every console
error and uncaught exception, for the test to assert on.

Without chromium (or the playwright package) the browser tests are skipped with the reason;
with `OPSPORTAL_REQUIRE_CHROMIUM=1`, as in CI (`.ci/run`), that is a failure instead.

Fixtures:
- `chromium`: the launched browser, one per test module.
- `open_page(url)`: a WatchedPage on a fresh context, at `url`, its origin the only one allowed
  (and those of `also=[...]`: the buyer's endpoint a storefront hands its cart to).
- `demo_server`: `opsportal serve` on SQLite with `opsportal demo` loaded (DEMO_PASSWORD),
  one per test module; its base URL.
- `demo_site`: the same on each database in turn (SQLite, then a fresh PostgreSQL database
  of the suite's cluster), with a staff member of no role besides the demo's: a DemoSite,
  which can start more servers on the same database (`start_another`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from testkit.chromium import CHROMIUM_ARGS, DEFAULT_CHROMIUM
from testkit.servers import Server, start_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route

DEMO_PASSWORD = "demo-password-for-browsers"


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    path = os.environ.get("OPSPORTAL_CHROMIUM", DEFAULT_CHROMIUM)
    if shutil.which(path) is None:
        return f"no chromium at {path} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


def chromium_path() -> str:
    """The chromium to drive; skips (or fails, when required) if there is none."""
    reason = missing()
    if reason is not None:
        if os.environ.get("OPSPORTAL_REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"browser tests: {reason} (OPSPORTAL_REQUIRE_CHROMIUM=1)", pytrace=False)
        pytest.skip(f"browser tests: {reason}")
    return str(shutil.which(os.environ.get("OPSPORTAL_CHROMIUM", DEFAULT_CHROMIUM)))


def pytest_report_header() -> str:
    reason = missing()
    return "browser tests: " + (f"skipped, {reason}" if reason else chromium_path())


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class WatchedPage:
    """A page and what it did: console errors, uncaught exceptions, requests elsewhere."""

    page: Page
    origin: str
    also: tuple[str, ...] = ()  # more origins the page may reach
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if origin_of(url) == self.origin or origin_of(url) in self.also:
            self.requested.append(url)
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def assert_clean(self) -> None:
        """Nothing went to another host, nothing failed in the console."""
        assert self.blocked == [], f"requests to other hosts: {self.blocked}"
        assert self.errors == [], f"console errors: {self.errors}"


def watch(context: BrowserContext, origin: str, also: tuple[str, ...] = ()) -> WatchedPage:
    page = context.new_page()
    watched = WatchedPage(page, origin, also)
    page.on("console", watched._console)
    page.on("pageerror", lambda error: watched.errors.append(f"uncaught: {error}"))
    context.route("**/*", watched._route)
    return watched


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(chromium: Browser) -> Iterator[Callable[[str], WatchedPage]]:
    contexts: list[BrowserContext] = []

    def open_(url: str, also: tuple[str, ...] = (), **context_options: Any) -> WatchedPage:
        context = chromium.new_context(viewport={"width": 1400, "height": 900}, **context_options)
        contexts.append(context)
        watched = watch(context, origin_of(url), tuple(origin_of(u) for u in also))
        watched.page.goto(url)
        return watched

    yield open_
    for context in contexts:
        context.close()


def _opsportal(folder: Path, env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "opsportal.cli", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def _stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSPORTAL_")}
    env["DATABASE_URL"] = database_url = f"sqlite://{folder / 'opsportal.sqlite3'}"
    _opsportal(folder, env, "demo", "--companies", "50", "--password", DEMO_PASSWORD)
    with open(folder / "server.log", "w") as log:
        server = start_server(database_url, folder, env=env, stderr=log, start_timeout=60)
        try:
            yield server.base
        finally:
            _stop(server)


NO_ROLE_STAFF = "norole@demo.example"  # signed in, but may reach nothing


@dataclass
class DemoSite:
    """A demo database and the `opsportal serve` in front of it."""

    database: str  # sqlite or postgres
    database_url: str
    folder: Path
    env: dict[str, str]
    server: Server

    @property
    def base(self) -> str:
        return self.server.base

    def start_another(self, port: int | None = None, **settings: str) -> Server:
        """One more server on the same database, with more settings (OPSPORTAL_...) in its
        environment; the caller stops it."""
        log = open(self.folder / f"server-{port or 'extra'}.log", "a")  # noqa: SIM115
        env = {**self.env, **settings}
        return start_server(
            self.database_url, self.folder, port=port, env=env, stderr=log, start_timeout=60
        )


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoSite]:
    from domain.key_vault import new_kek
    from testkit.postgres import fresh_database

    chromium_path()  # skip (or fail) before building a database for nothing
    folder = tmp_path_factory.mktemp(f"console-{request.param}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSPORTAL_")}
    env["OPSPORTAL_KEY_ENCRYPTION_KEY"] = new_kek()
    if request.param == "postgres":
        server_url = request.getfixturevalue("postgres_url")
        name = f"console_{os.getpid()}_{folder.name}"
        # In a thread: Playwright's sync API keeps an event loop running in this one.
        with ThreadPoolExecutor(1) as thread:
            database_url = thread.submit(fresh_database, server_url, name).result()
    else:
        database_url = f"sqlite://{folder / 'opsportal.sqlite3'}"
    env["DATABASE_URL"] = database_url
    _opsportal(folder, env, "demo", "--companies", "60", "--password", DEMO_PASSWORD)
    _opsportal(folder, env, "staff", "add", NO_ROLE_STAFF, "--password", DEMO_PASSWORD)
    with open(folder / "server.log", "w") as log:
        server = start_server(database_url, folder, env=env, stderr=log, start_timeout=60)
    try:
        yield DemoSite(request.param, database_url, folder, env, server)
    finally:
        _stop(server)
