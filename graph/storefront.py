"""The storefront's GraphQL: its punchout session, the cart, and handing the cart back.

Only a punchout session's credential (from the StartPage redirect) opens these fields, and it
opens nothing else but `node(id:)` for the lines of its own cart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import strawberry
from strawberry import relay

from cxml.cart import auto_post_form, form_field, order_message
from domain import cart_transfer, storefront
from domain.developer_fields import CART_ENCODING_SETTING, setting
from domain.errors import CartCode, CartRefused
from domain.limits import (
    MAX_CLASSIFICATIONS,
    MAX_CONTACT_ENTRIES,
    MAX_CONTACTS,
    MAX_EXTRINSICS,
    MAX_LINE_EXTRINSICS,
)
from domain.records import Address as AddressRecord
from domain.records import CartItem, Contact, Identities
from domain.records import Extrinsic as Extrinsic_
from graph import storefront_catalog
from graph.address import Address
from graph.amounts import money, quantity
from graph.bounds import at_most
from graph.context import Info
from graph.errors import ONE_ERROR, CartError, refusals
from graph.line_details import Classification
from graph.node_id import described_node_id
from graph.pagination import parse_global_id
from graph.permissions import in_punchout_session
from graph.storefront_inputs import AddCartLineInput, RemoveCartLineInput, UpdateCartLineInput
from persistence.punchout_tables import PunchoutSession as SessionRow
from persistence.tables import CustomerSetting


def _line_id(line_id: strawberry.ID) -> int:
    found = parse_global_id(line_id, "CartLine")
    if found is None:
        raise CartRefused(CartCode.NOT_FOUND, "No such line in this cart.", "lineId")
    return found


@strawberry.type(description="A name and value the buyer's system sent (a cXML Extrinsic).")
class Extrinsic:
    name: str = strawberry.field(description="e.g. UserEmail, CostCenter.")
    value: str = strawberry.field(description="As sent.")


@strawberry.type(
    description="A line of the punchout cart. Amounts are decimal strings, exact: every digit "
    "stored, none added but the cents of money."
)
class CartLine(relay.Node):
    id: relay.NodeID[int]
    _id = described_node_id("The line's ID.")
    supplier_part_id: str = strawberry.field(description="The supplier's part number.")
    supplier_part_auxiliary_id: str | None = strawberry.field(
        description="The supplier's auxiliary part ID (e.g. a quote or configuration)."
    )
    description: str = strawberry.field(description="What the item is.")
    quantity: str = strawberry.field(description="How many units, e.g. 2 or 1.5.")
    unit_of_measure: str = strawberry.field(description="UN/CEFACT unit code, e.g. EA.")
    unit_price: str = strawberry.field(description="Price per unit.")
    currency: str = strawberry.field(description="ISO 4217 currency of the price.")
    unspsc: str = strawberry.field(
        description="The first UNSPSC code among the classifications; empty when there is none."
    )
    amount: str = strawberry.field(description="quantity x unitPrice, exactly.")
    classifications: list[Classification] = strawberry.field(
        description="Every classification, in order (UNSPSC, eCl@ss...): the cart message "
        "sends them all.",
        metadata=at_most(items=MAX_CLASSIFICATIONS),
    )
    manufacturer_part_id: str | None = strawberry.field(
        description="The manufacturer's part number (ManufacturerPartID)."
    )
    manufacturer_name: str | None = strawberry.field(description="The manufacturer's name.")
    lead_time: str | None = strawberry.field(description="Days to deliver (LeadTime).")
    requested_delivery_date: str | None = strawberry.field(
        description="When the buyer wants it (an edit cart's ItemOut), as sent; the cart "
        "message has no place for it (an ItemIn has no such attribute)."
    )
    extrinsics: list[Extrinsic] = strawberry.field(
        description="ItemDetail's Extrinsics of a line the buyer sent, as sent.",
        metadata=at_most(items=MAX_LINE_EXTRINSICS),
    )

    @classmethod
    def from_item(cls, item: CartItem) -> CartLine:
        details = item.details
        return cls(
            id=item.id,
            supplier_part_id=item.supplier_part_id,
            supplier_part_auxiliary_id=item.supplier_part_auxiliary_id,
            description=item.description,
            quantity=quantity(item.quantity),
            unit_of_measure=item.unit_of_measure,
            unit_price=money(item.unit_price),
            currency=item.currency,
            unspsc=details.unspsc(),
            amount=money(item.amount()),
            classifications=[Classification.from_record(c) for c in details.classifications],
            manufacturer_part_id=details.manufacturer_part_id,
            manufacturer_name=details.manufacturer_name,
            lead_time=details.lead_time,
            requested_delivery_date=details.requested_delivery_date,
            extrinsics=[Extrinsic(name=e.name, value=e.value) for e in details.extrinsics],
        )


async def cart_line_by_id(info: Info, id: strawberry.ID) -> CartLine | None:
    """The line if it is in the cart of the storefront's own session (its credential came with
    the request); None otherwise, staff included. Lines asked for together load in one batch."""
    row_id = parse_global_id(id, "CartLine")
    item = await info.context.loaders.session_lines.load(row_id) if row_id is not None else None
    return CartLine.from_item(item) if item else None


@strawberry.type(description="The cart of a punchout session.")
class Cart:
    lines: list[CartLine] = strawberry.field(
        description="The lines, in the order added.",
        metadata=at_most(items=storefront.MAX_CART_LINES),
    )
    total: str = strawberry.field(
        description="The sum of the lines' exact amounts, rounded once, half-up, to the "
        "currency's minor unit (1.01 EUR, 2 JPY, 0.001 KWD): the PunchOutOrderMessage's Total, "
        "character for character."
    )
    currency: str | None = strawberry.field(description="The cart's currency; null if empty.")
    editable: bool = strawberry.field(description="False for an inspect session.")


async def _cart(session: SessionRow, info: Info) -> Cart:
    cart = await storefront.cart(session, info.context.settings.currency)
    return Cart(
        lines=[CartLine.from_item(line) for line in cart.lines],
        total=format(cart.total(), "f"),
        currency=cart.currency if cart.lines else None,
        editable=not storefront.is_read_only(session),
    )


@strawberry.type(description="A contact the buyer's system sent.")
class PunchoutContact:
    role: str | None = strawberry.field(description="e.g. endUser.")
    name: str | None = strawberry.field(description="The contact's name.")
    emails: list[str] = strawberry.field(
        description="Email addresses.", metadata=at_most(items=MAX_CONTACT_ENTRIES)
    )
    phones: list[str] = strawberry.field(
        description="Telephone numbers.", metadata=at_most(items=MAX_CONTACT_ENTRIES)
    )


@strawberry.type(description="The shopper, from the setup request's Extrinsics and Contact.")
class PunchoutUser:
    email: str | None = strawberry.field(description="UserEmail, or the contact's email.")
    first_name: str | None = strawberry.field(description="FirstName.")
    last_name: str | None = strawberry.field(description="LastName.")
    full_name: str | None = strawberry.field(description="UserFullName, or the contact's name.")
    unique_name: str | None = strawberry.field(description="UniqueName.")


@strawberry.type(description="The punchout session the storefront serves.")
class PunchoutSession:
    operation: str = strawberry.field(description="create, edit or inspect.")
    deployment_mode: str = strawberry.field(description="production or test.")
    expires_at: datetime = strawberry.field(description="When the session credential expires.")
    expires_in_seconds: int = strawberry.field(
        description="Seconds left until then, by the server's clock when answering: a page "
        "counts down from it, whatever its own clock says."
    )
    user_agent: str | None = strawberry.field(
        description="The buyer's procurement system, as the setup request's UserAgent named "
        "it (e.g. 'Coupa Procurement 1.0'), as sent; null if it sent none."
    )
    return_url: str | None = strawberry.field(
        description="The BrowserFormPost URL the cart goes back to; null if none was sent."
    )
    customer_username: str = strawberry.field(description="The punchout customer.")
    company_name: str = strawberry.field(description="The customer's company.")
    company_code: str = strawberry.field(description="The company's code.")
    user: PunchoutUser = strawberry.field(description="Who is shopping.")
    contacts: list[PunchoutContact] = strawberry.field(
        description="Contacts sent.", metadata=at_most(items=MAX_CONTACTS)
    )
    ship_to: Address | None = strawberry.field(description="Where to ship, if sent.")
    extrinsics: list[Extrinsic] = strawberry.field(
        description="Every Extrinsic sent.", metadata=at_most(items=MAX_EXTRINSICS)
    )
    row: strawberry.Private[SessionRow]

    @strawberry.field(description="The cart.")
    async def cart(self, info: Info) -> Cart:
        return await _cart(self.row, info)


def _session(row: SessionRow) -> PunchoutSession:
    sent = Extrinsic_.list_from_json(row.extrinsics)
    extrinsics = {e.name: e.value for e in sent}
    contacts = [
        PunchoutContact(role=c.role, name=c.name, emails=list(c.emails), phones=list(c.phones))
        for c in (Contact.from_json(c) for c in row.contacts)
    ]
    contact = contacts[0] if contacts else None
    assert row.session_expires_at is not None  # set when the session started: it is open
    left = row.session_expires_at - datetime.now(UTC)
    return PunchoutSession(
        operation=row.operation,
        deployment_mode=row.deployment_mode,
        expires_at=row.session_expires_at,
        expires_in_seconds=max(0, int(left.total_seconds())),
        user_agent=Identities.from_json(row.identities).user_agent,
        return_url=row.browser_form_post,
        customer_username=row.customer.username,
        company_name=row.customer.company.name,
        company_code=row.customer.company.code,
        user=PunchoutUser(
            email=extrinsics.get("UserEmail")
            or (contact.emails[0] if contact and contact.emails else None),
            first_name=extrinsics.get("FirstName"),
            last_name=extrinsics.get("LastName"),
            full_name=extrinsics.get("UserFullName") or (contact.name if contact else None),
            unique_name=extrinsics.get("UniqueName"),
        ),
        contacts=contacts,
        ship_to=Address.from_record(AddressRecord.from_json(row.ship_to)),
        extrinsics=[Extrinsic(name=e.name, value=e.value) for e in sent],
        row=row,
    )


async def _current(info: Info) -> SessionRow:
    session = await info.context.punchout_session()
    assert session is not None  # the permission class has checked
    return session


@strawberry.type
class StorefrontQuery:
    @strawberry.field(
        extensions=[in_punchout_session()],
        description="The storefront's punchout session (its credential, not a staff token).",
    )
    async def punchout_session(self, info: Info) -> PunchoutSession:
        return _session(await _current(info))


@strawberry.type(description="The result of a cart change: the cart as it is now.")
class CartPayload:
    cart: Cart | None = strawberry.field(description="The cart, when the change succeeded.")
    errors: list[CartError] = strawberry.field(
        description="Why the change was refused.", metadata=ONE_ERROR
    )


@strawberry.type(description="What the browser must post to the buyer's procurement system.")
class CartTransfer:
    url: str = strawberry.field(
        description="Where to post: the BrowserFormPost URL, https (http only where the "
        "server allows it)."
    )
    field_name: str = strawberry.field(description="cxml-urlencoded or cxml-base64.")
    field_value: str = strawberry.field(description="The form field's value, ready to post.")
    message: str = strawberry.field(description="The PunchOutOrderMessage document.")
    form_html: str = strawberry.field(
        description="A complete page that posts the field to `url` by itself, for the "
        "storefront to show (this server serves it nowhere). It submits from an inline "
        "`onload` handler and shows its button only without JavaScript: under a "
        "Content-Security-Policy without inline script it does neither, so such a storefront "
        "posts `fieldName`=`fieldValue` to `url` with a form of its own."
    )


@strawberry.type(description="The result of handing the cart back.")
class TransferPayload:
    transfer: CartTransfer | None = strawberry.field(description="What to post, on success.")
    errors: list[CartError] = strawberry.field(
        description="Why it was refused.", metadata=ONE_ERROR
    )


async def _change(info: Info, change: Callable[[SessionRow], Awaitable[object]]) -> CartPayload:
    """Run a cart change; input problems become the payload's errors."""
    session = await _current(info)
    _, errors = await refusals(lambda: change(session), CartError)
    if errors:
        return CartPayload(cart=None, errors=errors)
    return CartPayload(cart=await _cart(session, info), errors=[])


@strawberry.type
class StorefrontMutation:
    @strawberry.mutation(
        extensions=[in_punchout_session()],
        description="Add a line: a catalog product at the company's price (productId), or a "
        "free-form line where the server allows them (else FREE_FORM_REFUSED). The same "
        "product at the same price again adds to its line's quantity.",
    )
    async def add_cart_line(self, info: Info, input: AddCartLineInput) -> CartPayload:
        allowed = info.context.settings.free_form_lines
        return await _change(
            info, lambda session: storefront_catalog.add_line(session, input, allowed)
        )

    @strawberry.mutation(extensions=[in_punchout_session()], description="Change a quantity.")
    async def update_cart_line(self, info: Info, input: UpdateCartLineInput) -> CartPayload:
        return await _change(
            info,
            lambda session: storefront.set_quantity(
                session, _line_id(input.line_id), input.quantity
            ),
        )

    @strawberry.mutation(extensions=[in_punchout_session()], description="Remove a line.")
    async def remove_cart_line(self, info: Info, input: RemoveCartLineInput) -> CartPayload:
        return await _change(
            info, lambda session: storefront.remove_line(session, _line_id(input.line_id))
        )

    @strawberry.mutation(
        extensions=[in_punchout_session()],
        description="End the session and return the PunchOutOrderMessage for the browser to "
        "post to the buyer's procurement system. The credential stops working. The return URL "
        "is judged again (RETURN_URL_REFUSED) and the message built before the session ends: "
        "a refusal or failure leaves the session open with its cart.",
    )
    async def transfer_punchout_cart(self, info: Info) -> TransferPayload:
        session = await _current(info)
        settings = info.context.settings
        stored = await CustomerSetting.filter(customer_id=session.customer_id).values_list(
            "key", "value"
        )
        field_name = setting(dict(stored), CART_ENCODING_SETTING) or "cxml-urlencoded"
        done, errors = await refusals(
            lambda: cart_transfer.transfer(
                session, settings.currency, settings.allow_http_buyer_urls, order_message
            ),
            CartError,
        )
        if done is None:
            return TransferPayload(transfer=None, errors=errors)
        transfer, message = done
        value = form_field(message, field_name)
        url = transfer.session.browser_form_post or ""
        return TransferPayload(
            transfer=CartTransfer(
                url=url,
                field_name=field_name,
                field_value=value,
                message=message.decode("utf-8"),
                form_html=auto_post_form(url, field_name, value),
            ),
            errors=[],
        )
