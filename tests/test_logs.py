"""Secrets stay out of the logs, even with the database's statement log at DEBUG."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import (
    ADD_PUNCHOUT_CUSTOMER,
    CUSTOMER_DETAILS,
    LOGIN,
    PASSWORD,
    Api,
    World,
    global_id,
)
from tests.cxml_helpers import post_cxml, setup_document


async def test_no_secret_in_debug_logs(
    api: Api, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        login = await api(LOGIN, {"email": "administrator@supplier.example", "password": PASSWORD})
        token = login["data"]["login"]["token"]
        added = await api(
            ADD_PUNCHOUT_CUSTOMER,
            {"companyId": global_id("Company", world.acme.id), "username": "logged-buyer"},
            token,
        )
        customer = added["data"]["addPunchoutCustomer"]["customer"]["id"]
        details = await api(CUSTOMER_DETAILS, {"id": customer}, token)
        key = details["data"]["customer"]["punchoutCredentials"]["sharedSecret"]
        answer = await post_cxml(api.http, setup_document("logged-buyer", key))
        assert answer.code == 200
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "INSERT" in logged  # the statement log did run
    for secret in (PASSWORD, token, key, answer.start_url.rsplit("/", 1)[1]):
        assert secret not in logged
