"""The identities a document was sent with, read for the connection log whatever else is wrong
with it: a request no customer could be matched to (an identity typed wrong, no Sender at all)
is exactly where staff need to see them."""

from __future__ import annotations

from lxml import etree

from cxml.elements import XML_SPACE, text
from domain.records import Credential, Identities


def sent_identities(root: etree._Element) -> Identities | None:
    """The Header's From, To and Sender credentials (domain and identity, never a secret) and
    the Sender's UserAgent exactly as sent; None when the document has no Header to read."""
    if not isinstance(root.tag, str):
        return None
    header = root.find("Header")
    if header is None:
        return None

    def credentials(part: str) -> tuple[Credential, ...]:
        return tuple(
            Credential(
                domain=(c.get("domain") or "").strip(XML_SPACE),
                identity=text(c.find("Identity")) or "",
            )
            for c in header.iterfind(f"{part}/Credential")
        )

    agent = header.find("Sender/UserAgent")
    return Identities(
        from_=credentials("From"),
        to=credentials("To"),
        sender=credentials("Sender"),
        user_agent="".join(agent.itertext()) if agent is not None else None,
    )
