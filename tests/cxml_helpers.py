"""Helpers for the cXML tests: posting documents, reading answers, checking what we build."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import httpx
from lxml import etree

from tests import corpus
from tests.cxml_shape import assert_shape

_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def assert_cxml(root: etree._Element) -> None:
    """A document the server built is shaped as we build cXML; in the conformance run, it is
    also valid as the cXML DTD defines it."""
    assert_shape(root)
    if corpus.configured():
        corpus.assert_dtd_valid(root)


@dataclass
class Answer:
    http_status: int
    content_type: str
    body: bytes
    root: etree._Element

    @property
    def code(self) -> int:
        return int(self.root.find("Response/Status").get("code"))

    @property
    def status_text(self) -> str:
        return self.root.find("Response/Status").get("text")

    @property
    def message(self) -> str:
        return self.root.find("Response/Status").text or ""

    @property
    def start_url(self) -> str:
        return self.root.findtext("Response/PunchOutSetupResponse/StartPage/URL")

    def assert_valid(self) -> None:
        """The answer is a cXML document (see assert_cxml), with the envelope buyers need."""
        assert self.content_type == "text/xml; charset=UTF-8"
        assert self.body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE cXML")
        assert_cxml(self.root)
        assert re.fullmatch(r"\S+@\S+", self.root.get("payloadID"))
        assert datetime.fromisoformat(self.root.get("timestamp")).tzinfo is not None


async def post_cxml(
    http: httpx.AsyncClient,
    document: bytes | str,
    path: str = "/cxml",
    content_type: str = "text/xml; charset=UTF-8",
) -> Answer:
    body = document.encode() if isinstance(document, str) else document
    response = await http.post(path, content=body, headers={"Content-Type": content_type})
    root = etree.fromstring(response.content, _SAFE)
    return Answer(response.status_code, response.headers["content-type"], response.content, root)
