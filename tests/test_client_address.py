"""Which client address a real `opsportal serve` counts, behind a proxy or not, as the README's
deploying section says: X-Forwarded-For is believed only from the addresses and networks in
OPSPORTAL_TRUSTED_PROXIES (none by default, loopback included); then its last address that is
not itself a trusted proxy counts. Seen where it matters: the address whose failed sign-ins the
rate limit counts, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import httpx
import pytest

from domain.key_vault import new_kek
from testkit.command import clean_environment, opsportal
from testkit.operations import LOGIN
from testkit.postgres import fresh_database
from testkit.servers import Server, start_server

NGINX_APPENDED = "192.0.2.1, 198.51.100.8"  # $proxy_add_x_forwarded_for: the claim, then nginx's


@pytest.fixture(params=["sqlite", "postgres"])
def server_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/db.sqlite3"
    return fresh_database(request.getfixturevalue("postgres_url"), "opsportal_client_address")


def _fail_sign_in(base: str, forwarded_for: str | None) -> None:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
    body = {"query": LOGIN, "variables": {"email": "nobody@x.example", "password": "wrong"}}
    answer = httpx.post(f"{base}/graphql", json=body, headers=headers, timeout=30)
    assert answer.json()["data"]["login"]["errors"][0]["code"] == "INVALID_CREDENTIALS"


def _addresses_counted(database_url: str) -> set[str]:
    statement = "SELECT key FROM login_attempts WHERE key LIKE 'address:%'"
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(database_url.removeprefix("sqlite://")) as conn:
            keys = [key for (key,) in conn.execute(statement)]
    else:
        import asyncpg

        async def fetch() -> list[str]:
            conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
            try:
                return [row["key"] for row in await conn.fetch(statement)]
            finally:
                await conn.close()

        keys = asyncio.run(fetch())
    return {key.removeprefix("address:") for key in keys}


def _serve(folder: Path, database_url: str, trusted: str | None = None) -> Server:
    environment = clean_environment({"OPSPORTAL_KEY_ENCRYPTION_KEY": new_kek()})
    if trusted is not None:
        environment["OPSPORTAL_TRUSTED_PROXIES"] = trusted
    return start_server(database_url, folder, env=environment)


def _counted(folder: Path, database_url: str, trusted: str | None) -> set[str]:
    server = _serve(folder, database_url, trusted)
    try:
        _fail_sign_in(server.base, "198.51.100.7")
        _fail_sign_in(server.base, NGINX_APPENDED)
        _fail_sign_in(server.base, None)
    finally:
        server.stop()
    return _addresses_counted(database_url)


def test_by_default_no_proxy_is_believed_not_even_loopback(
    tmp_path: Path, server_database: str
) -> None:
    # A local client naming other addresses does not get around the per-address limit.
    assert _counted(tmp_path, server_database, None) == {"127.0.0.1"}


def test_a_trusted_proxy_on_this_machine_names_the_client(
    tmp_path: Path, server_database: str
) -> None:
    assert _counted(tmp_path, server_database, "127.0.0.1, ::1") == {
        "198.51.100.7",
        "198.51.100.8",  # the last address that is not a trusted proxy
        "127.0.0.1",  # no header: the proxy's own request
    }


def test_only_the_trusted_networks_are_believed(tmp_path: Path, server_database: str) -> None:
    # A network that does not hold this connection's address: the header is ignored.
    assert _counted(tmp_path, server_database, "192.0.2.0/24") == {"127.0.0.1"}


def test_a_network_may_hold_several_proxies(tmp_path: Path) -> None:
    # 198.51.100.8 is a trusted proxy too here: the client is the one before it.
    url = f"sqlite://{tmp_path}/db.sqlite3"
    assert _counted(tmp_path, url, "127.0.0.0/8,198.51.100.0/28") == {
        "198.51.100.7",  # itself trusted, but the only address given
        "192.0.2.1",
        "127.0.0.1",
    }


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        ({"OPSPORTAL_TRUSTED_PROXIES": "10.0.0.5, nginx.local"}, "'nginx.local' is not an IP"),
        ({"OPSPORTAL_TRUSTED_PROXIES": "10.0.0.0/33"}, "'10.0.0.0/33' is not an IP"),
        ({"FORWARDED_ALLOW_IPS": "10.0.0.5"}, "set that instead and unset FORWARDED_ALLOW_IPS"),
    ],
)
def test_a_bad_setting_stops_the_start(tmp_path: Path, environment: dict, said: str) -> None:
    done = opsportal(tmp_path, "serve", "--port", "1", env=environment)
    assert done.returncode == 2 and done.stdout == ""
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
