"""Rows stored as plain values (persistence/inserts.py) are the rows the ORM would store."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise.connection import get_connection

from persistence.inserts import NewRow, insert_together
from persistence.punchout_tables import CxmlExchange, PunchoutSession
from tests.conftest import Buyer

NOW = datetime(2026, 11, 28, 15, 4, 5, 123456, tzinfo=UTC)


def session(customer_id: int, token_hash: str) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "start_token_hash": token_hash,
        "start_expires_at": NOW + timedelta(minutes=5),
        "operation": "create",
        "deployment_mode": "production",
        "payload_id": "1.2.3@buyer.example",
        "buyer_cookie": " cookie ",
        "browser_form_post": "https://buyer.example/return",
        "identities": {"from": [{"domain": "NetworkID", "identity": "é"}], "userAgent": None},
        "extrinsics": [["UserEmail", "jane@buyer.example"]],
        "contacts": [],
        "ship_to": None,
        "items": [],
    }


def exchange(customer_id: int) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "received_at": NOW,
        "route": "/cxml",
        "request_type": "PunchOutSetupRequest",
        "payload_id": "1.2.3@buyer.example",
        "status_code": 200,
        "status_text": "OK",
        "failure": None,
        "reason": None,
        "duration_ms": 1.25,
        "request_body": "<cXML>é</cXML>",
        "response_body": "<cXML/>",
        "identities": {"sender": [{"domain": "NetworkID", "identity": "x"}]},
        "attachments": None,
        "authenticated": True,
        "body_bytes": 22,
    }


async def stored(table: str, pk: int) -> dict[str, Any]:
    conn = get_connection("default")
    [row] = await conn.execute_query_dict(f'SELECT * FROM "{table}" WHERE id = {int(pk)}')
    return dict(row)


def comparable(row: dict[str, Any], *leave_out: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("id", *leave_out)}


async def test_plain_rows_are_stored_as_the_orm_stores_them(buyer: Buyer) -> None:
    by_orm = PunchoutSession(**session(buyer.customer_id, "a" * 64))
    await by_orm.save()
    logged = CxmlExchange(**exchange(buyer.customer_id))
    await logged.save()

    keys = await insert_together(
        NewRow(PunchoutSession, session(buyer.customer_id, "b" * 64)),
        NewRow(CxmlExchange, exchange(buyer.customer_id)),
    )

    orm_session = await stored("punchout_session", by_orm.id)
    plain_session = await stored("punchout_session", keys[0])
    assert orm_session["start_token_hash"] == "a" * 64
    assert plain_session["start_token_hash"] == "b" * 64
    # created_at is set to now by both, in the same form (text on SQLite, with its offset).
    orm_created, plain_created = orm_session["created_at"], plain_session["created_at"]
    assert type(plain_created) is type(orm_created)
    if isinstance(orm_created, str):
        form = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00")
        assert form.fullmatch(orm_created) and form.fullmatch(plain_created), (
            orm_created,
            plain_created,
        )
    for pk in (by_orm.id, keys[0]):
        created = (await PunchoutSession.get(id=pk)).created_at
        assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)
    leave_out = ("start_token_hash", "created_at")
    assert comparable(plain_session, *leave_out) == comparable(orm_session, *leave_out)
    assert comparable(await stored("cxml_exchange", keys[1])) == comparable(
        await stored("cxml_exchange", logged.id)
    )
    # Read back through the ORM: the same values.
    read = await PunchoutSession.get(id=keys[0])
    assert read.identities == session(0, "")["identities"]
    assert read.start_expires_at == NOW + timedelta(minutes=5)


async def test_plain_rows_are_stored_all_or_none(buyer: Buyer) -> None:
    await insert_together(NewRow(PunchoutSession, session(buyer.customer_id, "c" * 64)))
    before = await CxmlExchange.all().count()
    with pytest.raises(Exception):  # noqa: B017 - the driver's own integrity error
        await insert_together(
            NewRow(CxmlExchange, exchange(buyer.customer_id)),
            NewRow(PunchoutSession, session(buyer.customer_id, "c" * 64)),  # a used hash
        )
    assert await CxmlExchange.all().count() == before
    assert await PunchoutSession.filter(start_token_hash="c" * 64).count() == 1
