"""The storefront's side of a punchout, as the tests drive it."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import httpx

from testkit.documents import setup_document
from tests.conftest import Api, Buyer
from tests.cxml_helpers import post_cxml

SESSION = """
query { punchoutSession {
  operation deploymentMode expiresAt customerUsername companyName companyCode
  user { email firstName lastName fullName uniqueName }
  contacts { role name emails } extrinsics { name value }
  shipTo { addressId name street city postalCode countryCode }
  cart { editable total currency lines { id supplierPartId supplierPartAuxiliaryId description
         quantity unitOfMeasure unitPrice currency unspsc amount } }
} }"""
CART = "cart { editable total currency lines { id supplierPartId quantity unitPrice amount } }"
ADD = f"""
mutation($input: AddCartLineInput!) {{
  addCartLine(input: $input) {{ {CART} errors {{ field code message }} }}
}}"""
UPDATE = f"""
mutation($input: UpdateCartLineInput!) {{
  updateCartLine(input: $input) {{ {CART} errors {{ field code message }} }}
}}"""
REMOVE = f"""
mutation($input: RemoveCartLineInput!) {{
  removeCartLine(input: $input) {{ {CART} errors {{ field code message }} }}
}}"""
TRANSFER = """
mutation { transferPunchoutCart {
  transfer { url fieldName fieldValue message formHtml }
  errors { field code message }
} }"""


def line(part: str = "PEN-042", quantity: str = "2", price: str = "1.25", **extra: Any) -> dict:
    return {
        "supplierPartId": part,
        "description": f"Item {part}",
        "quantity": quantity,
        "unitOfMeasure": "EA",
        "unitPrice": price,
        "currency": "EUR",
        "unspsc": "44121704",
        **extra,
    }


async def open_session(api: Api, buyer: Buyer, **setup: Any) -> str:
    """Setup over cXML, then the browser opens the start URL; the storefront's credential."""
    answer = await post_cxml(api.http, setup_document(buyer.username, buyer.key, **setup))
    assert answer.code == 200, answer.message
    response = await api.http.get(httpx.URL(answer.start_url).path)
    assert response.status_code == 303, response.text
    return response.headers["location"].split("#session=", 1)[1]


class FormReader(HTMLParser):
    """Reads the auto-posting form as a browser would: its action and its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "form":
            self.action = values.get("action")
        if tag == "input" and values.get("name"):
            self.fields[values["name"] or ""] = values.get("value") or ""


def read_form(page: str) -> FormReader:
    reader = FormReader()
    reader.feed(page)
    return reader
