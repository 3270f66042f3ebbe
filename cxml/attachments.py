"""A cXML document's attachment references: every `<Attachment><URL>cid:...</URL>` (in the
header's or an ItemOut's Comments, or anywhere else) must name a part the body carries."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote

from lxml import etree

from cxml.elements import text
from domain.attachments import Attachment
from domain.errors import CxmlRefused, Failure


def content_id_of(url: str) -> str | None:
    """The Content-ID a `cid:` URL names (RFC 2392: the scheme in any case, the rest
    percent-decoded, the angle brackets left out); None for any other URL."""
    if url[:4].lower() != "cid:":
        return None
    return unquote(url[4:], errors="strict")


def references(root: etree._Element) -> list[tuple[str, str]]:
    """(URL as sent, Content-ID) of every cid: Attachment URL, in document order."""
    found = []
    for attachment in root.iter("Attachment"):
        url = text(attachment.find("URL")) or ""
        try:
            content_id = content_id_of(url)
        except UnicodeDecodeError:
            content_id = url  # percent-encoded bytes that are no text: named by no part
        if content_id is not None:
            found.append((url, content_id))
    return found


def check_references(root: etree._Element, attachments: Sequence[Attachment]) -> None:
    """CxmlRefused (MISSING_ATTACHMENT, 400) naming the first Content-ID referenced that no
    part carries. Parts nobody references are kept all the same (see the README)."""
    carried = {a.content_id for a in attachments}
    for url, content_id in references(root):
        if content_id not in carried:
            raise CxmlRefused(
                Failure.MISSING_ATTACHMENT,
                f"The Attachment {url!r} names Content-ID <{content_id}>, which no part of "
                "the body carries: send the document as multipart/related with that part.",
            )
