"""What one cXML document may carry (issue 15, item 2), over real HTTP on both databases: each
list at its bound (domain/limits.py) is accepted and stored whole, one more is refused with
400 naming the element and the count, and nothing is stored. The GraphQL API counts every
list at these bounds, so they must hold where cXML comes in. An edit or inspect request's line
becomes a cart line, so its description is held to a cart line's 2,000 characters; an order's
is kept as sent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest

from domain.limits import (
    MAX_ADDRESS_LINES,
    MAX_CLASSIFICATIONS,
    MAX_CONTACT_ENTRIES,
    MAX_CONTACTS,
    MAX_DESCRIPTION,
    MAX_EXTRINSICS,
    MAX_LINE_EXTRINSICS,
    MAX_ORDER_LINES,
)
from domain.storefront import MAX_CART_LINES
from persistence.punchout_tables import CartLine, Order, OrderLine, PunchoutSession
from testkit.documents import setup_document
from tests.conftest import Buyer
from tests.cxml_helpers import post_cxml
from tests.live_server import LiveServer


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.base, timeout=120) as client:
        yield client


def extrinsics(count: int, indent: str = "") -> str:
    return "".join(f'{indent}<Extrinsic name="x{n}">v{n}</Extrinsic>' for n in range(count))


def address(kind: str, streets: int = 1, deliver_to: int = 1) -> str:
    return (
        f'<{kind}><Address addressID="A1"><Name xml:lang="en">Site</Name><PostalAddress>'
        + "".join(f"<DeliverTo>Person {n}</DeliverTo>" for n in range(deliver_to))
        + "".join(f"<Street>Street {n}</Street>" for n in range(streets))
        + '<City>Berlin</City><Country isoCountryCode="DE">Germany</Country>'
        f"</PostalAddress></Address></{kind}>"
    )


PHONE = (
    '<Phone><TelephoneNumber><CountryCode isoCountryCode="DE">49</CountryCode>'
    "<AreaOrCityCode>30</AreaOrCityCode><Number>{n}</Number></TelephoneNumber></Phone>"
)


def contact(emails: int = 1, phones: int = 1) -> str:
    return (
        '<Contact role="buyer"><Name xml:lang="en">Jane</Name>'
        + "".join(f"<Email>jane{n}@buyer.example</Email>" for n in range(emails))
        + "".join(PHONE.format(n=n) for n in range(phones))
        + "</Contact>"
    )


def line(
    number: int, classifications: int = 1, line_extrinsics: int = 0, description: str = "Pen"
) -> str:
    return (
        f'<ItemOut quantity="1" lineNumber="{number}"><ItemID><SupplierPartID>P-{number}'
        "</SupplierPartID></ItemID><ItemDetail><UnitPrice><Money currency=\"EUR\">1.00</Money>"
        f'</UnitPrice><Description xml:lang="en">{description}</Description>'
        "<UnitOfMeasure>EA</UnitOfMeasure>"
        + "".join(f'<Classification domain="UNSPSC">4412170{n}</Classification>'
                  for n in range(classifications))
        + extrinsics(line_extrinsics)
        + "</ItemDetail></ItemOut>"
    )  # fmt: skip


def setup(buyer: Buyer, payload: str, operation: str = "create", **parts: str) -> str:
    request = (
        f'<PunchOutSetupRequest operation="{operation}"><BuyerCookie>c</BuyerCookie>'
        + parts.get("extrinsics", "")
        + "<BrowserFormPost><URL>https://buyer.example/return</URL></BrowserFormPost>"
        + parts.get("contacts", "")
        + parts.get("ship_to", "")
        + parts.get("items", "")
        + "</PunchOutSetupRequest>"
    )
    return setup_document(buyer.username, buyer.key, payload=payload, request=request)


def order(buyer: Buyer, payload: str, lines: str, **parts: str) -> str:
    request = (
        f'<OrderRequest><OrderRequestHeader orderID="{payload}" type="new">'
        '<Total><Money currency="EUR">1.00</Money></Total>'
        + parts.get("ship_to", "")
        + parts.get("bill_to", "")
        + parts.get("extrinsics", "")
        + f"</OrderRequestHeader>{lines}</OrderRequest>"
    )
    return setup_document(buyer.username, buyer.key, payload=payload, request=request)


@dataclass(frozen=True)
class Cap:
    name: str
    limit: int
    document: Callable[[Buyer, str, int], str]  # the document carrying `count` of the list
    refusal: str  # the Status text for one over, with {count} and {limit}


CAPS = [
    Cap(
        "a setup request's Extrinsics",
        MAX_EXTRINSICS,
        lambda b, p, n: setup(b, p, extrinsics=extrinsics(n)),
        "PunchOutSetupRequest has {count} Extrinsic elements; at most {limit}.",
    ),
    Cap(
        "a setup request's Contacts",
        MAX_CONTACTS,
        lambda b, p, n: setup(b, p, contacts=contact() * n),
        "PunchOutSetupRequest has {count} Contact elements; at most {limit}.",
    ),
    Cap(
        "a Contact's Email elements",
        MAX_CONTACT_ENTRIES,
        lambda b, p, n: setup(b, p, contacts=contact() + contact(emails=n)),
        "Contact 2 has {count} Email elements; at most {limit}.",
    ),
    Cap(
        "a Contact's Phone elements",
        MAX_CONTACT_ENTRIES,
        lambda b, p, n: setup(b, p, contacts=contact(phones=n)),
        "Contact 1 has {count} Phone elements; at most {limit}.",
    ),
    Cap(
        "a ShipTo's Street lines",
        MAX_ADDRESS_LINES,
        lambda b, p, n: setup(b, p, ship_to=address("ShipTo", streets=n)),
        "ShipTo's Address has {count} Street lines; at most {limit}.",
    ),
    Cap(
        "a ShipTo's DeliverTo lines",
        MAX_ADDRESS_LINES,
        lambda b, p, n: setup(b, p, ship_to=address("ShipTo", deliver_to=n)),
        "ShipTo's Address has {count} DeliverTo lines; at most {limit}.",
    ),
    Cap(
        "an edit request's lines (the cart)",
        MAX_CART_LINES,
        lambda b, p, n: setup(b, p, "edit", items="".join(line(i) for i in range(1, n + 1))),
        "PunchOutSetupRequest has {count} ItemOut lines; at most {limit}.",
    ),
    Cap(
        "an edit request's line's Classifications",
        MAX_CLASSIFICATIONS,
        lambda b, p, n: setup(b, p, "edit", items=line(1) + line(7, classifications=n)),
        "ItemOut line 7 has {count} Classification elements; at most {limit}.",
    ),
    Cap(
        "an order's lines",
        MAX_ORDER_LINES,
        lambda b, p, n: order(b, p, "".join(line(i) for i in range(1, n + 1))),
        "OrderRequest has {count} ItemOut lines; at most {limit}.",
    ),
    Cap(
        "an order's Extrinsics",
        MAX_EXTRINSICS,
        lambda b, p, n: order(b, p, line(1), extrinsics=extrinsics(n)),
        "OrderRequestHeader has {count} Extrinsic elements; at most {limit}.",
    ),
    Cap(
        "an order line's Classifications",
        MAX_CLASSIFICATIONS,
        lambda b, p, n: order(b, p, line(1) + line(2, classifications=n)),
        "ItemOut line 2 has {count} Classification elements; at most {limit}.",
    ),
    Cap(
        "an order line's Extrinsics",
        MAX_LINE_EXTRINSICS,
        lambda b, p, n: order(b, p, line(3, line_extrinsics=n)),
        "ItemOut line 3's ItemDetail has {count} Extrinsic elements; at most {limit}.",
    ),
    Cap(
        "a BillTo's Street lines",
        MAX_ADDRESS_LINES,
        lambda b, p, n: order(b, p, line(1), bill_to=address("BillTo", streets=n)),
        "BillTo's Address has {count} Street lines; at most {limit}.",
    ),
]


async def stored() -> tuple[int, int]:
    return await PunchoutSession.all().count(), await Order.all().count()


@pytest.mark.parametrize("cap", CAPS, ids=[c.name for c in CAPS])
async def test_at_the_bound_accepted_one_over_refused(
    db: str, http: httpx.AsyncClient, buyer: Buyer, cap: Cap
) -> None:
    over = await post_cxml(http, cap.document(buyer, "over@buyer.example", cap.limit + 1))
    assert (over.code, over.status_text) == (400, "Bad Request"), over.message
    assert over.message == cap.refusal.format(count=f"{cap.limit + 1:,}", limit=f"{cap.limit:,}")
    assert await stored() == (0, 0)  # refused: nothing stored

    at = await post_cxml(http, cap.document(buyer, "at@buyer.example", cap.limit))
    assert at.code == 200, at.message
    assert sum(await stored()) == 1


async def test_what_is_stored_at_the_bounds(db: str, http: httpx.AsyncClient, buyer: Buyer) -> None:
    """Stored whole: every list at its bound, in one setup request and one order."""
    full = 10  # lines with every Classification and Extrinsic: all 1,000 would pass 1 MiB
    items = "".join(line(i, MAX_CLASSIFICATIONS, MAX_LINE_EXTRINSICS) for i in range(1, full + 1))
    items += "".join(line(i) for i in range(full + 1, MAX_CART_LINES + 1))
    document = setup(
        buyer,
        "all@buyer.example",
        "edit",
        extrinsics=extrinsics(MAX_EXTRINSICS),
        contacts=contact(MAX_CONTACT_ENTRIES, MAX_CONTACT_ENTRIES) * MAX_CONTACTS,
        ship_to=address("ShipTo", MAX_ADDRESS_LINES, MAX_ADDRESS_LINES),
        items=items,
    )
    assert (await post_cxml(http, document)).code == 200
    session = await PunchoutSession.get()
    assert len(session.extrinsics) == MAX_EXTRINSICS
    assert len(session.contacts) == MAX_CONTACTS
    assert {len(c["emails"]) for c in session.contacts} == {MAX_CONTACT_ENTRIES}
    assert session.ship_to is not None and len(session.ship_to["street"]) == MAX_ADDRESS_LINES
    lines = await CartLine.filter(session_id=session.id).order_by("id")
    assert len(lines) == MAX_CART_LINES
    assert {len(cart_line.classifications) for cart_line in lines[:full]} == {MAX_CLASSIFICATIONS}
    assert {len(cart_line.extrinsics) for cart_line in lines[:full]} == {MAX_LINE_EXTRINSICS}

    lines_sent = "".join(line(i) for i in range(1, MAX_ORDER_LINES + 1))
    placed = await post_cxml(
        http, order(buyer, "order@buyer.example", lines_sent, extrinsics=extrinsics(200))
    )
    assert placed.code == 200, placed.message
    assert await OrderLine.all().count() == MAX_ORDER_LINES


async def test_a_cart_lines_description_is_held_to_the_carts_length(
    db: str, http: httpx.AsyncClient, buyer: Buyer
) -> None:
    longest = "d" * MAX_DESCRIPTION
    for operation in ("edit", "inspect"):
        items = line(1) + line(4, description=longest + "d")
        refused = await post_cxml(http, setup(buyer, f"{operation}-over@b", operation, items=items))
        assert (refused.code, refused.message) == (
            400,
            f"ItemOut line 4: Description has {MAX_DESCRIPTION + 1:,} characters; at most "
            f"{MAX_DESCRIPTION:,} in a cart.",
        )
    assert await stored() == (0, 0)
    accepted = await post_cxml(
        http, setup(buyer, "edit-at@b", "edit", items=line(4, description=longest))
    )
    assert accepted.code == 200
    assert [c.description for c in await CartLine.all()] == [longest]
    # A create request's lines start no cart; an order keeps its descriptions as sent.
    created = await post_cxml(
        http, setup(buyer, "create@b", items=line(1, description=longest * 3))
    )
    assert created.code == 200
    placed = await post_cxml(http, order(buyer, "order@b", line(1, description=longest * 3)))
    assert placed.code == 200
    assert [o.description for o in await OrderLine.all()] == [longest * 3]
