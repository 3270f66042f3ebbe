"""Which client address a real `opsportal serve` counts behind a proxy, as the README's
deploying section says: uvicorn's default, kept as is. X-Forwarded-For is believed from
loopback connections only (its last address that is not itself trusted), unless uvicorn's
FORWARDED_ALLOW_IPS says otherwise. Seen where it matters: the address whose failed sign-ins
the rate limit counts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx

from testkit.command import clean_environment
from testkit.operations import LOGIN
from testkit.servers import Server, start_server


def _fail_sign_in(base: str, forwarded_for: str | None) -> None:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
    body = {"query": LOGIN, "variables": {"email": "nobody@x.example", "password": "wrong"}}
    answer = httpx.post(f"{base}/graphql", json=body, headers=headers, timeout=30)
    assert answer.json()["data"]["login"]["errors"][0]["code"] == "INVALID_CREDENTIALS"


def _addresses_counted(database: Path) -> set[str]:
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT key FROM login_attempts WHERE key LIKE 'address:%'")
        return {key.removeprefix("address:") for (key,) in rows}


def _serve(folder: Path, forwarded_allow_ips: str | None = None) -> Server:
    folder.mkdir()
    environment = clean_environment()
    environment.pop("FORWARDED_ALLOW_IPS", None)  # uvicorn's default, unless given
    if forwarded_allow_ips is not None:
        environment["FORWARDED_ALLOW_IPS"] = forwarded_allow_ips
    return start_server(f"sqlite://{folder}/db.sqlite3", folder, env=environment)


def test_behind_a_proxy_on_this_machine_the_forwarded_address_counts(tmp_path: Path) -> None:
    server = _serve(tmp_path / "default")
    try:
        _fail_sign_in(server.base, "198.51.100.7")
        # What nginx's $proxy_add_x_forwarded_for sends: the client's claim, then its address.
        _fail_sign_in(server.base, "192.0.2.1, 198.51.100.8")
        _fail_sign_in(server.base, None)
    finally:
        server.stop()
    assert _addresses_counted(tmp_path / "default" / "db.sqlite3") == {
        "198.51.100.7",
        "198.51.100.8",
        "127.0.0.1",
    }


def test_forwarded_allow_ips_says_whose_header_is_believed(tmp_path: Path) -> None:
    server = _serve(tmp_path / "elsewhere", forwarded_allow_ips="192.0.2.250")
    try:
        _fail_sign_in(server.base, "198.51.100.9")
    finally:
        server.stop()
    assert _addresses_counted(tmp_path / "elsewhere" / "db.sqlite3") == {"127.0.0.1"}
