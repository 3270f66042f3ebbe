"""Every classification, every extrinsic, kept (issue 14): a line's Classifications (domain and
value, in order), ItemDetail's Extrinsics, ManufacturerPartID, ManufacturerName, LeadTime and
the ItemOut's requestedDeliveryDate go through edit and inspect carts, the storefront's cart
lines and the cart message (valid against the DTD), and are stored on order lines and shown in
GraphQL; on both databases, with our own documents."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from testkit.documents import with_secret
from tests.conftest import Api, Buyer, World, global_id, make_buyer
from tests.cxml_documents import read
from tests.cxml_helpers import assert_cxml, post_cxml
from tests.storefront_helpers import ADD, TRANSFER, line, open_session

LINES = """query($id: ID!) { customer(id: $id) { orders(first: 5) { edges { node { lines {
  lineNumber unspsc classifications { domain value } manufacturerPartId manufacturerName
  leadTime requestedDeliveryDate extrinsics { name value }
} } } } } }"""
CART = """query { punchoutSession { cart { lines {
  supplierPartId unspsc classifications { domain value } manufacturerPartId manufacturerName
  leadTime requestedDeliveryDate extrinsics { name value }
} } } }"""


def _pairs(*flat: str) -> list[dict[str, str]]:
    return [{"domain": d, "value": v} for d, v in zip(flat[::2], flat[1::2], strict=True)]


async def test_order_lines_keep_every_classification_and_detail(api: Api, world: World) -> None:
    document = read("coupa.order.eclass-unspsc-manufacturer.xml")
    buyer = await make_buyer(world.acme, "NW_Coupa_Labs")
    answer = await post_cxml(api.http, with_secret(document, buyer.key))
    assert answer.code == 200, answer.message
    customer = global_id("Customer", buyer.customer_id)
    body = await api(LINES, {"id": customer}, world.tokens["companyEdit"])
    [order] = [e["node"] for e in body["data"]["customer"]["orders"]["edges"]]
    assert order["lines"] == [
        {
            "lineNumber": 1,
            "unspsc": "46181804",  # the UNSPSC one, though it came second
            "classifications": _pairs("eCl@ss", "40-15-04-01", "UNSPSC", "46181804"),
            "manufacturerPartId": "SG-IV-2290",
            "manufacturerName": "Vizor Safety B.V.",
            "leadTime": "5",
            "requestedDeliveryDate": "2026-12-04",
            "extrinsics": [
                {"name": "LineType", "value": "Quantity"},
                {"name": "ContractNumber", "value": "NW-2026-017"},
            ],
        },
        {
            "lineNumber": 2,
            "unspsc": None,
            "classifications": _pairs("eCl@ss", "40-15-04-90"),
            "manufacturerPartId": None,
            "manufacturerName": None,
            "leadTime": None,
            "requestedDeliveryDate": None,
            "extrinsics": [],
        },
    ]


async def _storefront(api: Api, document: bytes, buyer: Buyer) -> str:
    answer = await post_cxml(api.http, with_secret(document, buyer.key))
    assert answer.code == 200, answer.message
    opened = await api.http.get(urlsplit(answer.start_url).path)
    return opened.headers["location"].split("#session=")[1]


def _item_details(message: etree._Element) -> list[dict[str, Any]]:
    """What each ItemIn's ItemDetail says beyond price and description."""
    return [
        {
            "classifications": [
                (c.get("domain"), c.text or "") for c in detail.findall("Classification")
            ],
            "manufacturer": (
                detail.findtext("ManufacturerPartID"),
                detail.findtext("ManufacturerName"),
            ),
            "leadTime": detail.findtext("LeadTime"),
            "extrinsics": [(x.get("name"), x.text) for x in detail.findall("Extrinsic")],
        }
        for detail in message.findall("Message/PunchOutOrderMessage/ItemIn/ItemDetail")
    ]


async def test_an_edit_cart_carries_every_classification_back(api: Api, world: World) -> None:
    buyer = await make_buyer(world.acme, "AN01000077110")
    credential = await _storefront(api, read("ariba.setup.edit-eclass-manufacturer.xml"), buyer)
    lines = (await api(CART, token=credential))["data"]["punchoutSession"]["cart"]["lines"]
    assert lines[0] == {
        "supplierPartId": "PDCL2-5G",
        "unspsc": "",  # eCl@ss only
        "classifications": _pairs("eCl@ss", "38-05-04-01"),
        "manufacturerPartId": "PD-0047-5",
        "manufacturerName": "Rheinchemie Labor GmbH",
        "leadTime": "12",
        "requestedDeliveryDate": "2026-12-07",
        "extrinsics": [
            {"name": "HazardClass", "value": "8"},
            {"name": "CostCenter", "value": "LAB-204"},
        ],
    }
    assert lines[1]["classifications"] == _pairs("eCl@ss", "27-06-01-02", "UNSPSC", "26121636")
    assert lines[1]["unspsc"] == "26121636"
    assert lines[2]["classifications"] == _pairs("UNSPSC", "")  # sent empty, kept empty

    transfer = (await api(TRANSFER, token=credential))["data"]["transferPunchoutCart"]["transfer"]
    message = etree.fromstring(transfer["message"].encode())
    assert_cxml(message)  # and, in the conformance run, the cXML DTD
    assert _item_details(message) == [
        {
            "classifications": [("eCl@ss", "38-05-04-01")],  # no UNSPSC made up
            "manufacturer": ("PD-0047-5", "Rheinchemie Labor GmbH"),
            "leadTime": "12",
            "extrinsics": [("HazardClass", "8"), ("CostCenter", "LAB-204")],
        },
        {
            "classifications": [("eCl@ss", "27-06-01-02"), ("UNSPSC", "26121636")],
            "manufacturer": (None, None),
            "leadTime": None,
            "extrinsics": [],
        },
        {
            "classifications": [("UNSPSC", "")],
            "manufacturer": (None, None),
            "leadTime": None,
            "extrinsics": [],
        },
    ]
    # An ItemIn has no requestedDeliveryDate (only a ScheduleLine, which would split the line).
    assert b"2026-12-07" not in transfer["message"].encode()


NO_CLASSIFICATION = """
      <ItemOut quantity="1" lineNumber="1">
        <ItemID><SupplierPartID>SPARE-9</SupplierPartID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="EUR">3.00</Money></UnitPrice>
          <Description xml:lang="en">Spare part</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
        </ItemDetail>
      </ItemOut>"""


async def test_a_line_without_classification_goes_back_unclassified(api: Api, buyer: Buyer) -> None:
    credential = await open_session(api, buyer, operation="edit", items=NO_CLASSIFICATION)
    lines = (await api(CART, token=credential))["data"]["punchoutSession"]["cart"]["lines"]
    assert (lines[0]["classifications"], lines[0]["unspsc"]) == ([], "")
    transfer = (await api(TRANSFER, token=credential))["data"]["transferPunchoutCart"]["transfer"]
    message = etree.fromstring(transfer["message"].encode())
    assert_cxml(message)  # the DTD wants one Classification: an empty UNSPSC one
    assert _item_details(message)[0]["classifications"] == [("UNSPSC", "")]


async def test_the_storefront_sends_classifications_and_manufacturer(
    api: Api, buyer: Buyer
) -> None:
    credential = await open_session(api, buyer)
    eclass_first = line(
        "VALVE-2",
        unspsc=None,
        classifications=_pairs("eCl@ss", "37-01-02-03", "UNSPSC", "40141607"),
        manufacturerPartId="V2-BR-15",
        manufacturerName="Ventil AG",
        leadTime=3,
    )
    unspsc_given = line(
        "VALVE-3", classifications=_pairs("eCl@ss", "37-01-02-03", "MaterialGroup", "V-100")
    )
    for sent in (eclass_first, unspsc_given):
        added = await api(ADD, {"input": sent}, credential)
        assert added["data"]["addCartLine"]["errors"] == [], added
    lines = (await api(CART, token=credential))["data"]["punchoutSession"]["cart"]["lines"]
    assert [(x["unspsc"], x["classifications"]) for x in lines] == [
        ("40141607", _pairs("eCl@ss", "37-01-02-03", "UNSPSC", "40141607")),
        (
            "44121704",  # `unspsc` goes first
            _pairs("UNSPSC", "44121704", "eCl@ss", "37-01-02-03", "MaterialGroup", "V-100"),
        ),
    ]
    transfer = (await api(TRANSFER, token=credential))["data"]["transferPunchoutCart"]["transfer"]
    message = etree.fromstring(transfer["message"].encode())
    assert_cxml(message)
    details = _item_details(message)
    assert details[0] == {
        "classifications": [("eCl@ss", "37-01-02-03"), ("UNSPSC", "40141607")],
        "manufacturer": ("V2-BR-15", "Ventil AG"),
        "leadTime": "3",
        "extrinsics": [],
    }
    assert details[1]["classifications"] == [
        ("UNSPSC", "44121704"),
        ("eCl@ss", "37-01-02-03"),
        ("MaterialGroup", "V-100"),
    ]


async def test_an_inspect_cart_keeps_them_too(api: Api, world: World) -> None:
    document = read("ariba.setup.edit-eclass-manufacturer.xml").replace(
        b'operation="edit"', b'operation="inspect"'
    )
    buyer = await make_buyer(world.acme, "AN01000077110")
    credential = await _storefront(api, document, buyer)
    transfer = (await api(TRANSFER, token=credential))["data"]["transferPunchoutCart"]["transfer"]
    message = etree.fromstring(transfer["message"].encode())
    assert_cxml(message)
    assert [d["classifications"] for d in _item_details(message)] == [
        [("eCl@ss", "38-05-04-01")],
        [("eCl@ss", "27-06-01-02"), ("UNSPSC", "26121636")],
        [("UNSPSC", "")],
    ]
