"""Helpers for the cXML tests: posting documents, reading answers, the shared samples."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from lxml import etree

from testkit.documents import SAMPLES

_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_DTD: etree.DTD | None = None


def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"the shared cXML samples are not at {SAMPLES}")
    return SAMPLES


def dtd() -> etree.DTD:
    global _DTD
    if _DTD is None:
        _DTD = etree.DTD(str(samples() / "dtd" / "cXML-1.2.069.dtd"))
    return _DTD


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
        """The answer is a cXML document as the DTD defines it, with the envelope buyers need."""
        assert self.content_type == "text/xml; charset=UTF-8"
        assert self.body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE cXML")
        valid = dtd().validate(self.root)
        assert valid, dtd().error_log.filter_from_errors()
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
