"""No secret (API key, password, bearer token, SharedSecret, start token, storefront credential)
in any log at any level: in process with every logger at DEBUG, and in a real server's output."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from testkit.command import clean_environment, opsportal
from testkit.documents import order_document, setup_document
from testkit.operations import (
    ADD_PUNCHOUT_CUSTOMER,
    ASSIGN_ROLE,
    COMPANY_DETAILS,
    COMPANY_SEARCH,
    CUSTOMER_DETAILS,
    KEYS,
    LOGIN,
    ROTATE,
)
from testkit.servers import start_server
from tests.conftest import PASSWORD, Api, World, global_id
from tests.cxml_helpers import post_cxml
from tests.storefront_helpers import ADD, SESSION, TRANSFER, line


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()} {record.exc_text or ''}")


@pytest.fixture
def every_logger_at_debug() -> Iterator[Everything]:
    """Root and every logger known so far at DEBUG, each one captured (also those that do not
    propagate)."""
    caught = Everything()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(lg, lg.level, lg.disabled) for lg in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if logger is logging.getLogger() or not logger.propagate:
            logger.addHandler(caught)
    try:
        yield caught
    finally:
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
            if caught in logger.handlers:
                logger.removeHandler(caught)


async def test_no_secret_in_any_log_at_debug(
    api: Api, world: World, every_logger_at_debug: Everything
) -> None:
    # The walkthrough, as the frontend sends it.
    failed = await api(LOGIN, {"email": "administrator@supplier.example", "password": "nope" * 4})
    assert failed["data"]["login"]["token"] is None
    login = await api(LOGIN, {"email": "administrator@supplier.example", "password": PASSWORD})
    token = login["data"]["login"]["token"]
    await api(COMPANY_SEARCH, {"search": "acm"}, token)
    company = global_id("Company", world.acme.id)
    await api(COMPANY_DETAILS, {"id": company}, token)
    added = await api(
        ADD_PUNCHOUT_CUSTOMER, {"companyId": company, "username": "logged-buyer"}, token
    )
    customer = added["data"]["addPunchoutCustomer"]["customer"]["id"]
    await api(ASSIGN_ROLE, {"customerId": customer, "role": "companyAdmin"}, token)
    details = await api(CUSTOMER_DETAILS, {"id": customer}, token)
    first_key = details["data"]["customer"]["punchoutCredentials"]["sharedSecret"]
    await api(ROTATE, {"input": {"customerId": customer}}, token)
    keys = (await api(KEYS, {"id": customer}, token))["data"]["customer"]["punchoutKeys"]
    key = keys[0]["value"]

    # The buyer's side: a wrong secret, a setup, the shop, the cart's transfer, an order.
    wrong = await post_cxml(api.http, setup_document("logged-buyer", first_key[::-1]))
    assert wrong.code == 401
    answer = await post_cxml(api.http, setup_document("logged-buyer", key))
    assert answer.code == 200
    start_token = answer.start_url.rsplit("/", 1)[1]
    opened = await api.http.get(httpx.URL(answer.start_url).path)
    credential = opened.headers["location"].split("#session=", 1)[1]
    await api(SESSION, token=credential)
    await api(ADD, {"input": line()}, credential)
    transferred = await api(TRANSFER, token=credential)
    assert transferred["data"]["transferPunchoutCart"]["errors"] == []
    ordered = await post_cxml(api.http, order_document("logged-buyer", first_key))
    assert ordered.code == 200

    # Not httpx's lines: that is the test's own client, which logs the URLs it requests.
    logged = "\n".join(x for x in every_logger_at_debug.lines if not x.startswith("httpx "))
    assert "INSERT" in logged and "punchout_key" in logged  # the statement log did run
    secrets = {
        "password": PASSWORD,
        "bearer token": token,
        "old key": first_key,
        "new key": key,
        "start token": start_token,
        "storefront credential": credential,
    }
    leaked = [name for name, secret in secrets.items() if secret in logged]
    assert leaked == []


def test_a_real_servers_output_holds_no_secret(tmp_path: Path) -> None:
    """`opsportal serve` as deployed: uvicorn's access log names every path, and a StartPage
    URL's path is a one-time credential."""
    demo = opsportal(tmp_path, "demo", "--companies", "3", "--password", "demo-pass-123")
    assert demo.returncode == 0, demo.stderr
    key = demo.stdout.split("PUNCHOUT API Key: ")[1].split()[0]
    output = tmp_path / "server.log"
    with output.open("w") as out:
        server = start_server(
            None, tmp_path, env=clean_environment(), stdout=out, stderr=subprocess.STDOUT
        )
        try:
            login = httpx.post(
                f"{server.base}/graphql",
                json={
                    "query": LOGIN,
                    "variables": {"email": "admin@demo.example", "password": "demo-pass-123"},
                },
            ).json()
            assert login["data"]["login"]["token"]
            document = setup_document("punchout-demo@buyer.example", key)
            answer = httpx.post(f"{server.base}/cxml", content=document)
            start_url = answer.text.split("<URL>")[1].split("</URL>")[0]
            assert httpx.get(start_url).status_code == 303
        finally:
            server.stop()
    logged = output.read_text()
    assert "/punchout/start/[token]" in logged  # the access log ran, without the token
    for secret in (
        key,
        start_url.rsplit("/", 1)[1],
        "demo-pass-123",
        login["data"]["login"]["token"],
    ):
        assert secret not in logged
