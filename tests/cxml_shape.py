"""The shape of every cXML document the server builds, checked without the cXML DTD.

The DTD lives in the external corpus (tests/corpus.py), so the project's own tests check what
we build against this description of our own output instead: each element we emit, its
attributes, its children in order, and the values buyers' systems parse (timestamps, amounts,
codes). It is narrower than cXML (only what we send, in the one order we send it), so a change
to cxml/build.py or cxml/cart.py that moves, drops or adds an element fails here first; the
conformance run then confirms against the DTD itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANG = "xml:lang"


@dataclass(frozen=True)
class Shape:
    """An element: its children (a regex over their names, each followed by a space; None
    for text only), and its attributes."""

    children: str | None
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()


def shape(children: str | None, required: str = "", optional: str = "") -> Shape:
    return Shape(children, frozenset(required.split()), frozenset(optional.split()))


SHAPES: dict[str, Shape] = {
    "cXML": shape(
        "(Header (Request |Message )|Response )", "payloadID timestamp", f"version {LANG}"
    ),
    "Header": shape("From To Sender "),
    "From": shape("(Credential )+"),
    "To": shape("(Credential )+"),
    "Sender": shape("(Credential )+UserAgent "),
    "Credential": shape("Identity (SharedSecret )?", "domain"),
    "Identity": shape(None),
    "SharedSecret": shape(None),
    "UserAgent": shape(None),
    "Response": shape("Status (PunchOutSetupResponse |ProfileResponse )?"),
    "Status": shape(None, "code text", LANG),
    "PunchOutSetupResponse": shape("StartPage "),
    "StartPage": shape("URL "),
    "URL": shape(None),
    "ProfileResponse": shape("(Transaction )+", "effectiveDate"),
    "Transaction": shape("URL ", "requestName"),
    "Request": shape("PunchOutSetupRequest ", optional="deploymentMode"),
    "PunchOutSetupRequest": shape(
        "BuyerCookie (Extrinsic )*(BrowserFormPost )?(SupplierSetup )?", "operation"
    ),
    "BuyerCookie": shape(None),
    "Extrinsic": shape(None, "name"),
    "BrowserFormPost": shape("URL "),
    "SupplierSetup": shape("URL "),
    "Message": shape("PunchOutOrderMessage ", optional="deploymentMode"),
    "PunchOutOrderMessage": shape("BuyerCookie PunchOutOrderMessageHeader (ItemIn )*"),
    "PunchOutOrderMessageHeader": shape("Total ", "operationAllowed"),
    "Total": shape("Money "),
    "Money": shape(None, "currency"),
    "ItemIn": shape("ItemID ItemDetail ", "quantity", "lineNumber"),
    "ItemID": shape("SupplierPartID (SupplierPartAuxiliaryID )?"),
    "SupplierPartID": shape(None),
    "SupplierPartAuxiliaryID": shape(None),
    "ItemDetail": shape(
        "UnitPrice Description UnitOfMeasure (Classification )+(ManufacturerPartID )?"
        "(ManufacturerName )?(LeadTime )?(Extrinsic )*"
    ),
    "UnitPrice": shape("Money "),
    "Description": shape(None, LANG),
    "UnitOfMeasure": shape(None),
    "Classification": shape(None, "domain"),
    "ManufacturerPartID": shape(None),
    "ManufacturerName": shape(None),
    "LeadTime": shape(None),
}
# Values a buyer's system reads, beyond being present.
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
VALUES: dict[str, re.Pattern[str]] = {
    "code": re.compile(r"[1-5][0-9][0-9]"),
    "currency": re.compile(r"[A-Z]{3}"),
    "deploymentMode": re.compile(r"production|test"),
    "operation": re.compile(r"create|edit|inspect"),
    "operationAllowed": re.compile(r"create|edit|inspect"),
    "quantity": NUMBER,
    "lineNumber": re.compile(r"[1-9][0-9]*"),
    LANG: re.compile(r"[a-z]{2}(-[A-Z]{2})?"),
}
TIMES = ("timestamp", "effectiveDate")


def _name(attribute: str) -> str:
    return LANG if attribute == XML_LANG else attribute


def problems(root: etree._Element) -> list[str]:
    """What is wrong with the document's shape; empty when nothing is."""
    found: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            found.append(f"a comment or processing instruction at line {element.sourceline}")
            continue
        where = root.getroottree().getpath(element)
        spec = SHAPES.get(element.tag)
        if spec is None:
            found.append(f"{where}: <{element.tag}> is no element the server builds")
            continue
        names = {_name(a) for a in element.attrib}
        if missing := spec.required - names:
            found.append(f"{where}: missing {', '.join(sorted(missing))}")
        if extra := names - spec.required - spec.optional:
            found.append(f"{where}: unexpected {', '.join(sorted(extra))}")
        for attribute, value in element.attrib.items():
            pattern = VALUES.get(_name(attribute))
            if pattern and not pattern.fullmatch(value):
                found.append(f"{where}/@{_name(attribute)}: {value!r}")
            if attribute in TIMES and not _is_timestamp(value):
                found.append(f"{where}/@{attribute}: {value!r} is no ISO 8601 time with offset")
        children = [c.tag for c in element if isinstance(c.tag, str)]
        if spec.children is None:
            if children:
                found.append(f"{where}: text only, holds {children}")
        elif not re.fullmatch(spec.children, "".join(f"{c} " for c in children)):
            found.append(f"{where}: children {children} are not {spec.children!r}")
        if spec.children is not None and (element.text or "").strip():
            found.append(f"{where}: text {element.text.strip()[:20]!r} among elements")
        if element.tag == "Money" and not NUMBER.fullmatch(element.text or ""):
            found.append(f"{where}: amount {element.text!r}")
    return found


def _is_timestamp(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def assert_shape(root: etree._Element) -> None:
    """The document is shaped as the server builds cXML (see SHAPES)."""
    found = problems(root)
    assert not found, "\n".join(found)
