"""Handing the cart back: the PunchOutOrderMessage is built before the session ends, so a
failure while building it leaves the session open and the cart whole; and text a cart message
cannot carry is refused when typed, in every text field of a line.

Through a real `opsportal serve`, with our own cXML documents, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.live_shop import server_database_url, server_problems, shop
from tests.storefront_helpers import ADD, REMOVE, line

# What no XML document can carry (a C0 control, a vertical tab, a non-character).
NOT_XML = ["\u0001", "\u000b", "\ufffe"]
# Every text field of a line the storefront sends, and how a character gets into it (inside:
# at either end, a vertical tab is trimmed like any space).
FIELDS = {
    "supplierPartId": lambda c: {"supplierPartId": f"PEN{c}042"},
    "supplierPartAuxiliaryId": lambda c: {"supplierPartAuxiliaryId": f"quote{c}7"},
    "description": lambda c: {"description": f"Blue{c}pen"},
    "manufacturerPartId": lambda c: {"manufacturerPartId": f"MX{c}1"},
    "manufacturerName": lambda c: {"manufacturerName": f"Pens{c}Inc"},
    "classifications": lambda c: {"classifications": [{"domain": f"eCl{c}ss", "value": "27"}]},
    "classifications ": lambda c: {"classifications": [{"domain": "eCl@ss", "value": f"27{c}06"}]},
    # Those with a form of their own are refused by it.
    "quantity": lambda c: {"quantity": f"1{c}0"},
    "unitPrice": lambda c: {"unitPrice": f"1{c}5"},
    "unitOfMeasure": lambda c: {"unitOfMeasure": f"E{c}A"},
    "currency": lambda c: {"currency": f"E{c}R"},
    "unspsc": lambda c: {"unspsc": f"4412{c}1704"},
}


@pytest.fixture(params=["sqlite", "postgres"])
def server_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return server_database_url(request, tmp_path, "transfer")


async def test_text_a_cart_message_cannot_carry_is_refused_when_typed(
    server_database: str,
) -> None:
    async with shop(server_database) as found:
        credential = await found.open()
        for character in NOT_XML:
            for field, change in FIELDS.items():
                body = await found.graphql(ADD, {"input": line(**change(character))}, credential)
                payload = body["data"]["addCartLine"]
                assert payload["cart"] is None, (field, repr(character))
                assert [(e["field"], e["code"]) for e in payload["errors"]] == [
                    (field.strip(), "INVALID")
                ], (field, repr(character))
        assert await found.cart(credential) == {"total": "0.00", "lines": []}
        transfer = (await found.transfer(credential))["data"]["transferPunchoutCart"]
        assert transfer["errors"] == []
        assert server_problems(found) == []


async def test_a_line_the_message_cannot_carry_leaves_the_session_and_cart(
    server_database: str,
) -> None:
    async with shop(server_database) as found:
        credential = await found.open()
        for part in ("PEN-042", "PAD-A4"):
            await found.graphql(ADD, {"input": line(part)}, credential)
        # A line stored before the storefront refused control characters.
        changed = found.write(
            "UPDATE cart_line SET description = ? WHERE supplier_part_id = ?",
            "Blue\u0001pen",
            "PEN-042",
        )
        assert changed == 1
        body = await found.transfer(credential)
        payload = body["data"]["transferPunchoutCart"]
        assert payload["transfer"] is None, body
        [error] = payload["errors"]
        assert (error["code"], error["field"]) == ("INVALID", "description")
        assert "line 1" in error["message"] and "PEN-042" in error["message"]

        # The session is open, the cart whole: the storefront removes the line, and hands
        # the rest back.
        cart = await found.cart(credential)
        assert cart is not None
        assert [x["supplierPartId"] for x in cart["lines"]] == ["PEN-042", "PAD-A4"]
        await found.graphql(REMOVE, {"input": {"lineId": cart["lines"][0]["id"]}}, credential)
        payload = (await found.transfer(credential))["data"]["transferPunchoutCart"]
        assert payload["errors"] == []
        message = etree.fromstring(payload["transfer"]["message"].encode())
        parts = message.xpath("//ItemIn/ItemID/SupplierPartID/text()")
        assert parts == ["PAD-A4"]
        assert await found.cart(credential) is None  # now it has ended
        assert server_problems(found) == []


async def test_a_failure_while_building_the_message_leaves_the_session_and_cart(
    server_database: str,
) -> None:
    async with shop(server_database) as found:
        credential = await found.open()
        for part in ("PEN-042", "PAD-A4"):
            await found.graphql(ADD, {"input": line(part)}, credential)
        # Nothing a buyer can send makes building fail; a row written directly can (a
        # BuyerCookie no XML document can carry).
        assert found.write("UPDATE punchout_session SET buyer_cookie = ?", "cookie\u00011") == 1
        body = await found.transfer(credential)
        assert body["data"] is None or body["data"]["transferPunchoutCart"] is None, body
        assert [e["message"] for e in body["errors"]] == ["Internal server error."]
        cart = await found.cart(credential)  # still open, every line there
        assert cart is not None
        assert [x["supplierPartId"] for x in cart["lines"]] == ["PEN-042", "PAD-A4"]
        # Once the cookie is one a message can carry, the same session hands its cart back.
        assert found.write("UPDATE punchout_session SET buyer_cookie = ?", "cookie-1") == 1
        payload = (await found.transfer(credential))["data"]["transferPunchoutCart"]
        assert payload["errors"] == []
        assert payload["transfer"]["message"].count("<ItemIn ") == 2
