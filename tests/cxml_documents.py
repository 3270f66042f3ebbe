"""The project's own cXML documents (tests/documents/): what each shows, and what it gets.

Each file is a document of our own, written in the manner of one procurement system's requests
(file names: system.kind.quirk.xml) with our own values; none is copied from the external
corpus. Together they cover every quirk the corpus shows, and those it lacks (ISO-8859-1,
UTF-16, a UTF-8 BOM with CRLF lines, edit and inspect setups, several From credentials).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

FOLDER = Path(__file__).resolve().parent / "documents"


@dataclass(frozen=True)
class Document:
    """What a document shows, and what the route makes of it. `customer`: who the test sets
    up first (named by the Sender identity, or by a From identity as for a hub, or nobody);
    `code` and `failure`: the answer with that customer's key in place of the SharedSecret;
    `session`/`order`: stored fields the quirk is about; `items`: (lineNumber, quantity,
    part, auxiliary ID, description, unit price) of the session's ItemOut lines; `lines`:
    (lineNumber, part, quantity) of a stored order; `not_cxml`: why the DTD refuses the
    document, on purpose; `attachments`: the Content-IDs its `cid:` URLs name, sent with it as
    parts of a multipart/related body (without them, it is refused); `http_return`: its
    BrowserFormPost URL is http, refused unless OPSPORTAL_ALLOW_HTTP_BUYER_URLS is on (the
    answer and the session are those with it on)."""

    shows: str
    code: int = 200
    failure: str | None = None
    customer: Literal["sender", "from", "none"] = "sender"
    session: dict[str, object] = field(default_factory=dict)
    order: dict[str, object] = field(default_factory=dict)
    items: list[tuple[str, str, str, str | None, str, str]] = field(default_factory=list)
    lines: list[tuple[int, str, Decimal]] = field(default_factory=list)
    not_cxml: str | None = None
    attachments: tuple[str, ...] = ()
    http_return: bool = False


def _ship_to(**given: object) -> dict[str, object]:
    empty: dict[str, object] = dict.fromkeys(
        ("addressId", "isoCountryCode", "name", "city", "state", "postalCode", "country")
    )
    return {**empty, "countryCode": None, "email": None, "deliverTo": [], "street": [], **given}


HUB_IDENTITY = ("NetworkID", "AN01000012345")  # the From identity of the hub document
DOCUMENTS: dict[str, Document] = {
    "ariba.setup.hub-from-credentials.xml": Document(
        "Ariba Network as a hub: the buyer named by the first of two From credentials "
        "(NetworkID, SystemID), the hub's own AribaNetworkUserId as Sender; milliseconds in "
        "the timestamp; an escaped & in the return URL; Contact before SupplierSetup",
        customer="from",
        session={
            "browser_form_post": "https://s1.network-hub.example/Buyer/punchout"
            "?client=buyer-ag&responseid=7d2e91",
            "extrinsics": [
                ["UniqueName", "hwagner"],
                ["UserEmail", "h.wagner@buyer-ag.example"],
                ["User", "hwagner"],
                ["CostCenter", "4711"],
            ],
            "identities": {
                "from": [
                    {"domain": "NetworkID", "identity": "AN01000012345"},
                    {"domain": "SystemID", "identity": "BUYERERP-PRD-100"},
                ],
                "to": [{"domain": "NetworkID", "identity": "AN02000067890"}],
                "sender": [
                    {"domain": "AribaNetworkUserId", "identity": "sysadmin@network-hub.example"}
                ],
                "userAgent": "Ariba Network V1.1",
            },
        },
    ),
    "ariba.setup.edit-cart-itemout.xml": Document(
        "operation=edit with the cart's ItemOut lines: auxiliary IDs, a fractional quantity, "
        "a Description holding only a ShortName",
        session={
            "operation": "edit",
        },
        items=[
            ("1", "3", "CHAIR-TASK-BLK", "cart-2291/line-1", "Task chair, black mesh", "189.00"),
            ("2", "1.5", "CABLE-CAT6-M", "cart-2291/line-2", "Network cable, per metre", "0.80"),
        ],
    ),
    "ariba.setup.inspect-itemout.xml": Document(
        "operation=inspect in test mode, one ItemOut numbered 10",
        session={
            "operation": "inspect",
            "deployment_mode": "test",
        },
        items=[("10", "2", "TONER-HP-26A", "approved-req-553", "Toner cartridge, black", "74.50")],
    ),
    "ariba.setup.edit-eclass-manufacturer.xml": Document(
        "operation=edit with lines a numbers-exact cart needs: quantities 0.0004 and 2.0004, "
        "a UnitPrice of 0.00001; an eCl@ss-only line with manufacturer, LeadTime, "
        "ItemDetail Extrinsics and a requestedDeliveryDate; eCl@ss before UNSPSC; an empty "
        "UNSPSC Classification",
        session={"operation": "edit"},
        items=[
            (
                "1",
                "0.0004",
                "PDCL2-5G",
                "quote-5531/1",
                "Palladium(II) chloride, per kg",
                "384.5625",
            ),
            ("2", "2.0004", "WIRE-CU-025", None, "Copper wire 0.25 mm, per metre", "0.00001"),
            ("3", "1", "GLOVE-NIT-M", None, "Nitrile gloves, size M, box of 100", "7.90"),
        ],
    ),
    "ariba.profile.no-doctype-hub-sender.xml": Document(
        "ProfileRequest: no DOCTYPE, no xml:lang, no deploymentMode; AribaNetworkUserId From, "
        "DUNS To, a Sender identity of its own; <ProfileRequest />"
    ),
    "ariba.order.marketplace-credential-date-only.xml": Document(
        "OrderRequest: a second From credential of type marketplace, date-only orderDate and "
        "requestedDeliveryDate, ItemOut without lineNumber, Tax of '.74', PCard, Shipping "
        "with tracking, two Distributions, manufacturer data",
        order={
            "order_id": "PO-AR-88120",
            "order_date": "2026-11-25",
            "deployment_mode": "production",
            "total": Decimal("12.74"),
            "currency": "USD",
            "tax": {"amount": "0.74", "currency": "USD", "description": "Sales tax"},
            "comments": "Deliver to dock 4, weekdays only.",
        },
        lines=[(1, "LABEL-100X50", Decimal(4)), (2, "TAPE-48", Decimal(1))],
    ),
    "ariba.negative.confirmation-request.xml": Document(
        "a ConfirmationRequest (no request this server takes): XML declaration without "
        "encoding, a version attribute, NetworkID and NetworkId",
        code=450,
        failure="UNSUPPORTED_REQUEST",
        not_cxml="ConfirmationRequest lives in Fulfill.dtd, not cXML.dtd",
    ),
    "coupa.setup.ruby-timestamp-user-extrinsics.xml": Document(
        "Coupa: a timestamp that is no ISO 8601 ('Tue Nov 24 09:15:02 +0000 2026'), DUNS "
        "domain with a name as identity, no deploymentMode, no indentation, the user in "
        "Extrinsics and a Contact role=endUser placed before BrowserFormPost",
        session={
            "deployment_mode": "production",
            "contacts": [
                {
                    "role": "endUser",
                    "name": "praman",
                    "emails": ["priya.raman+ops@northwind.example"],
                    "phones": [],
                }
            ],
            "browser_form_post": "https://northwind.coupa.example/punchout/checkout/17",
        },
        not_cxml="Coupa sends Contact before BrowserFormPost",
    ),
    "coupa.order.accounting-distribution.xml": Document(
        "Coupa OrderRequest: a junk To domain, Sender identity unlike From, Shipping 0.0 with "
        "an empty Description, an empty Extrinsic, Extrinsic inside ItemDetail, Accounting "
        "segments, amounts with one decimal",
        order={
            "order_id": "4417",
            "deployment_mode": "production",
            "total": Decimal("58.3"),
            "currency": "EUR",
            "shipping": {"amount": "0.0", "currency": "EUR", "description": ""},
            "extrinsics": [["legacy_po", ""]],
        },
        lines=[(1, "product:2210", Decimal(1)), (2, "product:3377", Decimal(4))],
    ),
    "coupa.order.eclass-unspsc-manufacturer.xml": Document(
        "Coupa OrderRequest: eCl@ss before UNSPSC on one line, eCl@ss only on the other; "
        "ManufacturerPartID, ManufacturerName, LeadTime, two ItemDetail Extrinsics and a "
        "date-only requestedDeliveryDate",
        order={"order_id": "5120", "total": Decimal("131.6"), "currency": "EUR"},
        lines=[(1, "product:7781", Decimal(2)), (2, "product:7790", Decimal(3))],
    ),
    "coupa.order.lowercase-duns-no-secret.xml": Document(
        "domains 'duns' and 'Duns', XML comments inside Credential, no SharedSecret at all",
        code=401,
        failure="MISSING_SECRET",
    ),
    "iesa.setup.no-doctype-leading-space.xml": Document(
        "no DOCTYPE, a space before '?>' and before <cXML>, xml:lang='en-UK', a Sender domain "
        "unlike From's, a Credential on one line, URLs wrapped in whitespace",
        session={
            "buyer_cookie": "shopdemo42P",
            "browser_form_post": "https://eprocurement-portal.example/return",
        },
    ),
    "iesa.setup.shipto-address-id.xml": Document(
        "ShipTo whose Address has addressID and isoCountryCode; lower-case city and state",
        session={
            "ship_to": _ship_to(
                addressId="7731",
                isoCountryCode="US",
                name="mokafor",
                deliverTo=["m okafor"],
                street=["18 Orchard Lane"],
                city="fort collins",
                state="co",
                postalCode="80521",
                country="United States",
                countryCode="US",
                email="mokafor@fabrikam.example",
            )
        },
    ),
    "iesa.message.lowercase-root-padded-cookie.xml": Document(
        "a PunchOutOrderMessage posted here, root element <cxml> in lower case, BuyerCookie "
        "padded with newlines, no ItemIn",
        code=450,
        failure="UNSUPPORTED_REQUEST",
        customer="none",
        not_cxml="the root element is <cxml>",
    ),
    "jaggaer.setup.networkid-to-duns-phone-extrinsic.xml": Document(
        "NetworkId From, DUNS To, no xml:lang; PhoneNumber and Department Extrinsics; a ShipTo "
        "with no DeliverTo and 'US' as country name",
        session={
            "extrinsics": [
                ["UserEmail", "lchen@university.example"],
                ["FirstName", "Li"],
                ["LastName", "Chen"],
                ["PhoneNumber", "970-555-0199"],
                ["Department", "Chemistry"],
            ],
            "ship_to": _ship_to(
                addressId="CHEM-210",
                name="Chemistry Building, Room 210",
                street=["1 University Plaza"],
                city="Fort Collins",
                state="CO",
                postalCode="80523",
                country="US",
                countryCode="US",
            ),
        },
    ),
    "oracle.setup.iso-8859-1.xml": Document(
        "encoding='ISO-8859-1' with Latin-1 bytes: a BuyerCookie, an Extrinsic and an address "
        "with letters beyond ASCII",
        session={
            "buyer_cookie": "Bestellung-Öl-7",
            "extrinsics": [
                ["UserEmail", "a.bergstroem@kuehne-werke.example"],
                ["User", "ÅSA.BERGSTRÖM"],
            ],
            "ship_to": _ship_to(
                addressId="WERK-2",
                name="Kühne-Werke, Werk 2",
                deliverTo=["Åsa Bergström"],
                street=["Grüner Weg 3"],
                city="Köln",
                postalCode="50667",
                country="Deutschland",
                countryCode="DE",
            ),
        },
    ),
    "sap-srm.setup.utf-16.xml": Document(
        "UTF-16 (little-endian, with BOM), test mode, letters beyond Latin-1 in Extrinsics, "
        "a query string in the return URL",
        session={
            "deployment_mode": "test",
            "extrinsics": [
                ["UserEmail", "lukasz.weiss@contoso-pl.example"],
                ["UserFullName", "Łukasz Weiß"],
                ["CostCenter", "Łódź-4100"],
            ],
            "browser_form_post": "https://srm.contoso-pl.example/sap/bc/bsp/sap/bbpsc01/"
            "return.htm?sap-client=100",
        },
    ),
    "workday.setup.utf-8-bom-crlf.xml": Document(
        "a UTF-8 BOM, CRLF line ends, a timestamp in UTC with Z; UserFullName and CostCenter",
        session={
            "buyer_cookie": "WD-PO-SESSION-5512",
            "extrinsics": [
                ["UserEmail", "jordan.lee@tailspin.example"],
                ["UserFullName", "Jordan Lee"],
                ["CostCenter", "CC-1200 Marketing"],
            ],
        },
    ),
    "generic.setup.cxml-1.1-example-style.xml": Document(
        "cXML 1.1 style: DOCTYPE 1.1.010 at xml.cXML.org, root attributes over two lines, "
        "AribaNetworkUserId From and Sender, no deploymentMode, a UserAgent ending in a "
        "space, an escaped & in an Extrinsic, an http return URL with a port",
        session={
            "deployment_mode": "production",
            "extrinsics": [["DepartmentCode", "R&D 42"]],
            "browser_form_post": "http://procure.buyer-inc.example:1616/punchoutexit",
        },
        http_return=True,
    ),
    "generic.setup.create-selecteditem-itemout.xml": Document(
        "operation=create that still sends ItemOut lines (numbered 10 and 20, attributes over "
        "two lines) and a SelectedItem; a payloadID without '@'; two DeliverTo",
        session={
            "operation": "create",
            "deployment_mode": "test",
        },
        items=[
            ("10", "2", "MONITOR-27-4K", None, "27-inch 4K monitor", "329.00"),
            ("20", "2", "ARM-DUAL", None, "Monitor arm", "89.90"),
        ],
    ),
    "generic.setup.contact-only-user.xml": Document(
        "the user only as a Contact with a Phone (no Extrinsics), no BrowserFormPost, a "
        "timestamp offset without colon (-0500), the non-standard domain TEST",
        session={
            "browser_form_post": None,
            "extrinsics": [],
            "contacts": [
                {
                    "role": None,
                    "name": "Marie Tremblay",
                    "emails": ["marie.tremblay@procure-box.example"],
                    "phones": ["1 514 5550177"],
                }
            ],
        },
    ),
    "generic.setup.minimal-no-browserformpost.xml": Document(
        "the least a setup request holds: BuyerCookie and UserEmail, no BrowserFormPost",
        session={"browser_form_post": None, "deployment_mode": "test", "ship_to": None},
    ),
    "generic.setup.returnframe-full-shipto.xml": Document(
        "a ReturnFrame Extrinsic; a ShipTo with Municipality, Email, Phone, Fax, URL, "
        "CarrierIdentifier and TransportInformation",
        session={
            "extrinsics": [["ReturnFrame", "_top"]],
            "ship_to": _ship_to(
                name="Procure Box Montréal",
                deliverTo=["Marie Tremblay"],
                street=["400 Rue Sainte-Catherine O"],
                city="Montréal",
                state="QC",
                postalCode="H3B 1A6",
                country="Canada",
                countryCode="CA",
                email="reception@procure-box.example",
            ),
        },
    ),
    "generic.profile.production-doctype.xml": Document(
        "ProfileRequest in production, tab-indented, DOCTYPE 1.2.036"
    ),
    "generic.profile.test-mode-blank-lines.xml": Document(
        "ProfileRequest in test mode; blank lines between XML declaration, DOCTYPE and root"
    ),
    "generic.profile.empty-identities-no-secret.xml": Document(
        "empty Identity elements everywhere and no SharedSecret: nobody to serve",
        code=401,
        failure="UNKNOWN_SENDER",
        customer="none",
    ),
    "generic.order.custom-dtd-one-line-prolog.xml": Document(
        "XML declaration and DOCTYPE (1.2.060/Custom.dtd) on one line; a header "
        "requestedDeliveryDate; PaymentReference; an Extrinsic inside PostalAddress; "
        "BuyerPartID",
        order={"order_id": "shop-hub-2026-0042", "deployment_mode": "test"},
        lines=[(1, "MUG-WHITE-350", Decimal(3))],
        not_cxml="PaymentReference is no element of cXML.dtd (Custom.dtd adds it)",
    ),
    "generic.order.exact-small-numbers.xml": Document(
        "amounts finer than any column used to hold: quantities 0.0004 and 2.0004, a "
        "UnitPrice of 0.00001, a Total of 0.153825, Tax 0.0004, Shipping 0.00001",
        order={
            "order_id": "LAB-0311",
            "total": Decimal("0.153825"),
            "currency": "EUR",
            "shipping": {"amount": "0.00001", "currency": "EUR", "description": "Courier share"},
            "tax": {"amount": "0.0004", "currency": "EUR", "description": "Levy"},
        },
        lines=[(1, "PDCL2-5G", Decimal("0.0004")), (2, "WIRE-CU-025", Decimal("2.0004"))],
    ),
    "generic.order.decimal-comma-quantity.xml": Document(
        "a German ERP's decimal comma: quantity='1,5' on the ItemOut numbered 3",
        code=400,
        failure="INVALID_REQUEST",
    ),
    "generic.order.thousands-separator-price.xml": Document(
        "a thousands separator: UnitPrice '1,234' on the second ItemOut, which has no lineNumber",
        code=400,
        failure="INVALID_REQUEST",
    ),
    "generic.setup.edit-decimal-comma-quantity.xml": Document(
        "operation=edit whose ItemOut (numbered 7) has quantity='1,5': the cart it would "
        "start is refused",
        code=400,
        failure="INVALID_REQUEST",
    ),
    "generic.order.comments-attachment.xml": Document(
        "DOCTYPE at xml.cXML.org, an XML comment inside From, header Comments holding only an "
        "Attachment, a line's Comments with type and an empty xml:lang",
        order={"order_id": "SP-2026-118", "total": Decimal("61.00"), "currency": "EUR"},
        attachments=("delivery-note-118.pdf",),
        lines=[(1, "PAPER-A4-80", Decimal(10)), (2, "PEN-GEL-BLU", Decimal(6))],
    ),
    "generic.negative.not-well-formed.xml": Document(
        "not well-formed: unclosed tags, a misspelt end tag",
        code=406,
        failure="MALFORMED_XML",
        customer="none",
        not_cxml="not well-formed XML",
    ),
    "generic.negative.unknown-request-type.xml": Document(
        "a request element cXML does not define, from a known customer",
        code=450,
        failure="UNSUPPORTED_REQUEST",
        not_cxml="InventoryPeekRequest is no cXML request",
    ),
    "generic.response.status-no-xml-declaration.xml": Document(
        "a Response posted here: a 400 Status, no XML declaration, a version attribute",
        code=450,
        failure="UNSUPPORTED_REQUEST",
        customer="none",
    ),
    "generic.response.setup-response-one-line.xml": Document(
        "a PunchOutSetupResponse posted here, all on one line",
        code=450,
        failure="UNSUPPORTED_REQUEST",
        customer="none",
    ),
    "generic.message.cdata-price-basis-quote-status.xml": Document(
        "a PunchOutOrderMessage posted here: Message with inReplyTo and a 201 Status, "
        "quoteStatus, CDATA, PriceBasisQuantity, SupplierOrderInfo, empty domains",
        code=450,
        failure="UNSUPPORTED_REQUEST",
        customer="none",
    ),
}


def path(name: str) -> Path:
    return FOLDER / name


def read(name: str) -> bytes:
    return path(name).read_bytes()


def files() -> list[Path]:
    """Every document, sorted."""
    return sorted(FOLDER.glob("*.xml"))
