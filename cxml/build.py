"""Building cXML documents with lxml: responses, and the example request for integrators."""

from __future__ import annotations

import os
import secrets
import socket
import time
from datetime import UTC, datetime

from lxml import etree

from domain.customers import Credentials

CXML_VERSION = "1.2.069"
DOCTYPE = f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{CXML_VERSION}/cXML.dtd">'
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SECRET_PLACEHOLDER = "PUNCHOUT-API-KEY"
_HOST = socket.gethostname() or "opsportal"


def payload_id() -> str:
    """Unique per document, in the customary time.process.random@host form."""
    return f"{time.time_ns()}.{os.getpid()}.{secrets.token_hex(8)}@{_HOST}"


def timestamp(at: datetime | None = None) -> str:
    """ISO 8601 with an offset, as cXML requires: 2026-11-27T10:15:00+00:00."""
    return (at or datetime.now(UTC)).isoformat(timespec="seconds")


def serialize(root: etree._Element, pretty: bool = False) -> bytes:
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", doctype=DOCTYPE, pretty_print=pretty
    )


def envelope() -> etree._Element:
    root = etree.Element("cXML")
    root.set("payloadID", payload_id())
    root.set("timestamp", timestamp())
    root.set("version", CXML_VERSION)
    root.set(XML_LANG, "en-US")
    return root


def _response(
    code: int, text: str, message: str | None = None
) -> tuple[etree._Element, etree._Element]:
    root = envelope()
    response = etree.SubElement(root, "Response")
    status = etree.SubElement(response, "Status", code=str(code), text=text)
    status.set(XML_LANG, "en-US")
    if message:
        status.text = message
    return root, response


def status_document(code: int, text: str, message: str | None = None) -> bytes:
    """A Response holding only a Status: every failure, and plain acknowledgements."""
    return serialize(_response(code, text, message)[0])


def setup_response(start_url: str) -> bytes:
    root, response = _response(200, "OK")
    start = etree.SubElement(etree.SubElement(response, "PunchOutSetupResponse"), "StartPage")
    etree.SubElement(start, "URL").text = start_url
    return serialize(root)


def profile_response(transactions: list[tuple[str, str]], effective: datetime) -> bytes:
    """A ProfileResponse: each (requestName, URL) this server accepts."""
    root, response = _response(200, "OK")
    profile = etree.SubElement(response, "ProfileResponse", effectiveDate=timestamp(effective))
    for name, url in transactions:
        transaction = etree.SubElement(profile, "Transaction", requestName=name)
        etree.SubElement(transaction, "URL").text = url
    return serialize(root)


def _credential(parent: etree._Element, domain: str, identity: str) -> etree._Element:
    credential = etree.SubElement(parent, "Credential", domain=domain)
    etree.SubElement(credential, "Identity").text = identity
    return credential


def example_setup_request(creds: Credentials, shared_secret: str) -> str:
    """A PunchOutSetupRequest as the buyer's system would send it, to try the connection."""
    root = etree.Element("cXML")
    root.set("payloadID", f"example.{secrets.token_hex(6)}@buyer.example.com")
    root.set("timestamp", timestamp())
    root.set(XML_LANG, "en-US")
    header = etree.SubElement(root, "Header")
    _credential(etree.SubElement(header, "From"), creds.from_domain, creds.from_identity)
    _credential(etree.SubElement(header, "To"), creds.to_domain, creds.to_identity)
    sender = etree.SubElement(header, "Sender")
    credential = _credential(sender, creds.sender_domain, creds.sender_identity)
    etree.SubElement(credential, "SharedSecret").text = shared_secret
    etree.SubElement(sender, "UserAgent").text = "Example procurement system"
    request = etree.SubElement(root, "Request", deploymentMode="test")
    setup = etree.SubElement(request, "PunchOutSetupRequest", operation="create")
    etree.SubElement(setup, "BuyerCookie").text = "example-cookie-1"
    etree.SubElement(setup, "Extrinsic", name="UserEmail").text = "jane.buyer@buyer.example.com"
    post = etree.SubElement(setup, "BrowserFormPost")
    etree.SubElement(post, "URL").text = "https://buyer.example.com/punchout/return"
    supplier = etree.SubElement(setup, "SupplierSetup")
    etree.SubElement(supplier, "URL").text = creds.setup_url
    return serialize(root, pretty=True).decode()
