"""Handing the cart back: the return URL judged again, the message built, and only then the
session ended, in one transaction.

A failure on the way (a return URL this server no longer posts to, a line a cart message
cannot carry, anything that breaks building the message) leaves the session open and its cart
whole: the storefront can fix the cart, or the buyer start again, and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from tortoise.transactions import in_transaction

from domain.cart_input import NOT_XML
from domain.cart_lock import hold
from domain.errors import CartCode, CartRefused
from domain.records import Cart, CartItem
from domain.storefront import Transfer, cart
from domain.urls import UrlRefused, checked_url
from persistence.punchout_tables import PunchoutSession

T = TypeVar("T")


def return_url(session: PunchoutSession, allow_http: bool) -> str:
    """The BrowserFormPost URL, judged again now (domain/urls.py): the session may have been
    stored before the rule, or with http allowed then and not now."""
    if not session.browser_form_post:
        raise CartRefused(
            CartCode.NO_RETURN_URL,
            "The buyer's system sent no BrowserFormPost URL, so there is nowhere to send the "
            "cart; ask the buyer to configure one.",
        )
    try:
        return checked_url(session.browser_form_post, allow_http=allow_http)
    except UrlRefused as why:
        raise CartRefused(
            CartCode.RETURN_URL_REFUSED,
            f"The BrowserFormPost URL the buyer's system sent {why}, so the cart is not posted "
            "there; ask the buyer to configure an https one.",
        ) from None


def _texts(line: CartItem) -> list[tuple[str, str | None]]:
    """(the input field's name, its text) for every text of a line the message carries."""
    details = line.details
    texts = [
        ("supplierPartId", line.supplier_part_id),
        ("supplierPartAuxiliaryId", line.supplier_part_auxiliary_id),
        ("description", line.description),
        ("unitOfMeasure", line.unit_of_measure),
        ("currency", line.currency),
        ("manufacturerPartId", details.manufacturer_part_id),
        ("manufacturerName", details.manufacturer_name),
        ("leadTime", details.lead_time),
    ]
    texts += [("classifications", t) for c in details.classifications for t in (c.domain, c.value)]
    texts += [("extrinsics", t) for e in details.extrinsics for t in (e.name, e.value)]
    return texts


def carried(cart: Cart) -> None:
    """Every line's text is one a cart message can carry (the storefront refuses the rest when
    typed; a line stored before that rule may hold some): else the line is named."""
    for number, line in enumerate(cart.lines, start=1):
        for field, text in _texts(line):
            if text and NOT_XML.search(text):
                raise CartRefused(
                    CartCode.INVALID,
                    f"Cart line {number} ({line.supplier_part_id[:40]!r}): its {field} holds a "
                    "control character, which a cart message cannot carry; remove the line and "
                    "add it again.",
                    field,
                )


async def transfer(
    session: PunchoutSession,
    default_currency: str,
    allow_http: bool,
    build: Callable[[Transfer], T],
) -> tuple[Transfer, T]:
    """End the session for its cart's transfer, and what `build` makes of it (the
    PunchOutOrderMessage). `build` runs before the session ends, in the same transaction: if it
    fails, the session stays open with its cart. The credential stops working after."""
    return_url(session, allow_http)
    async with in_transaction() as conn:
        await hold(session, conn)  # no line added or changed from here to the commit
        handed = Transfer(session, session.customer, await cart(session, default_currency, conn))
        carried(handed.cart)
        built = build(handed)
        await (
            PunchoutSession.filter(id=session.id, ended_at=None)
            .using_db(conn)
            .update(ended_at=datetime.now(UTC))
        )
    return handed, built
