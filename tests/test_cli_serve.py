"""`opsportal serve`: the public URL it writes into setupUrl and StartPage URLs, a busy port,
and a database it cannot reach, each as an operator meets them."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from opsportal.demo import DEMO_PUNCHOUT_CUSTOMER
from opsportal.serve_address import Address, start_line
from testkit.documents import setup_document
from testkit.operations import COMPANY_DETAILS, COMPANY_SEARCH, CUSTOMER_DETAILS, LOGIN
from testkit.ports import free_port
from testkit.servers import wait_healthy
from tests.cli_helpers import Cli, clean_environment, one_line

PASSWORD = "demo-pass-123"


def _cli(folder: Path, **env: str) -> Cli:
    return Cli(folder, {**clean_environment(), **env}, env.get("DATABASE_URL", "sqlite://"))


def _serve(folder: Path, port: int, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "opsportal.cli", "serve", "--port", str(port)],
        cwd=folder,
        env={**clean_environment(), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _setup_url(base: str) -> str:
    def call(query: str, variables: dict, token: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {"query": query, "variables": variables}
        return httpx.post(f"{base}/graphql", json=body, headers=headers).json()["data"]

    token = call(LOGIN, {"email": "admin@demo.example", "password": PASSWORD})["login"]["token"]
    company = call(COMPANY_SEARCH, {"search": "C000001"}, token)["companies"]["edges"][0]
    details = call(COMPANY_DETAILS, {"id": company["node"]["id"]}, token)["company"]
    customer = details["customers"]["edges"][0]["node"]
    found = call(CUSTOMER_DETAILS, {"id": customer["id"]}, token)["customer"]
    return found["punchoutCredentials"]["setupUrl"]


def test_without_a_public_url_the_listening_address_is_used(tmp_path: Path) -> None:
    demo = _cli(tmp_path)("demo", "--companies", "10", "--password", PASSWORD)
    assert demo.returncode == 0, demo.stderr
    key = re.search(r"PUNCHOUT API Key: (\S+)", demo.stdout)
    assert key
    port = free_port()
    server = _serve(tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server, timeout=60)
        assert _setup_url(base) == f"{base}/cxml"
        answer = httpx.post(
            f"{base}/cxml",
            content=setup_document(DEMO_PUNCHOUT_CUSTOMER, key.group(1)).encode(),
            headers={"Content-Type": "text/xml"},
        )
        start = re.search(r"<URL>([^<]+)</URL>", answer.text.split("StartPage", 1)[1])
        assert start and start.group(1).startswith(f"{base}/punchout/start/"), answer.text
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    first = output.splitlines()[0]
    assert first.startswith(f"GraphiQL: {base}/graphql  database: sqlite://opsportal.sqlite3")
    assert first.endswith(f"public URL: {base}")


def test_a_public_url_elsewhere_is_said_at_start(tmp_path: Path) -> None:
    port = free_port()
    server = _serve(tmp_path, port, OPSPORTAL_PUBLIC_URL="https://punchout.example.com")
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server, timeout=60)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert output.splitlines()[0].endswith(
        "public URL: https://punchout.example.com (OPSPORTAL_PUBLIC_URL: not where this server "
        "listens, so a proxy is to forward it here)"
    )


@pytest.mark.parametrize(
    ("host", "public", "given", "said"),
    [
        ("127.0.0.1", "http://localhost:8001", True, "(OPSPORTAL_PUBLIC_URL)"),
        ("127.0.0.1", "http://127.0.0.1:8001/", True, "(OPSPORTAL_PUBLIC_URL)"),
        ("127.0.0.1", "http://127.0.0.1:8000", True, "not where this server listens"),
        ("127.0.0.1", "https://127.0.0.1:8001", True, "not where this server listens"),
        ("0.0.0.0", "http://portal.lan:8001", True, "(OPSPORTAL_PUBLIC_URL)"),
        ("0.0.0.0", "http://127.0.0.1:8001", False, "set OPSPORTAL_PUBLIC_URL"),
        ("::1", "http://[::1]:8001", False, "public URL: http://[::1]:8001"),
    ],
)
def test_what_the_start_line_says(host: str, public: str, given: bool, said: str) -> None:
    address = Address(host, 8001)
    if not given:
        assert address.reachable_url == public
    assert said in start_line(address, public, given)


def test_a_busy_port_is_one_line_before_any_url(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = _cli(tmp_path)("serve", "--port", str(port))
    assert done.returncode == 2
    assert done.stdout == ""  # no GraphiQL URL
    assert one_line(done.stderr) == (
        f"opsportal: Port {port} is in use on 127.0.0.1 (another server?): stop it or choose "
        "another with --port."
    )


@pytest.mark.parametrize("command", [["serve"], ["staff", "list"], ["demo"]])
def test_an_unreachable_postgresql_is_one_line_naming_it(
    tmp_path: Path, command: list[str]
) -> None:
    port = free_port()  # nothing listens there
    url = f"postgres://portal:S3cretPw@127.0.0.1:{port}/portal"
    args = [*command, "--port", str(free_port())] if command == ["serve"] else command
    done = _cli(tmp_path, DATABASE_URL=url, OPSPORTAL_KEY_ENCRYPTION_KEY=_kek())(*args)
    assert done.returncode == 2, done.stderr
    line = one_line(done.stderr)
    assert f"PostgreSQL at 127.0.0.1:{port} is unreachable (connection refused)" in line, line
    assert "S3cretPw" not in line
    assert "GraphiQL" not in done.stdout


def test_an_unknown_database_host_and_a_missing_sqlite_folder(tmp_path: Path) -> None:
    postgres = {"DATABASE_URL": "postgres://u:p@db.invalid:6543/x"}
    unknown = _cli(tmp_path, **postgres, OPSPORTAL_KEY_ENCRYPTION_KEY=_kek())("staff", "list")
    assert unknown.returncode == 2
    assert "PostgreSQL at db.invalid:6543 is unreachable" in one_line(unknown.stderr)
    missing = _cli(tmp_path, DATABASE_URL=f"sqlite://{tmp_path}/nowhere/x.sqlite3")("staff", "list")
    assert missing.returncode == 2
    assert "its folder does not exist" in one_line(missing.stderr)


def _kek() -> str:
    from domain.key_vault import new_kek

    return new_kek()
