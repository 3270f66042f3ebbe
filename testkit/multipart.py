"""cXML bodies with attachments (multipart/related), as buyers' systems send them, built with
the standard library's email package.

email's generator rewrites line breaks inside a part it writes unencoded (`binary`, `8bit`):
such a part is written as a placeholder and its bytes put in its place afterwards, so that the
body carries them exactly (the framing, boundaries and headers stay email's).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from testkit.documents import ITEMS, order_document, setup_document

ROOT_ID = "cxml-document@buyer.example"
# Parts are encoded in lines of 76 characters (base64 needs a length); the body is written
# with CRLF and headers unfolded, as HTTP carries them.
_POLICY = policy.default.clone(linesep="\r\n")
# Bytes as a PDF and a CAD drawing hold them: binary, with CR, LF, NUL and 8-bit bytes.
PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\r\n"
    + bytes(range(256))
    + b"\n%%EOF\n"
)
DRAWING = b"AC1032\x00\r\n" + bytes(range(255, -1, -1)) * 4 + b"\r\n--not-a-boundary\r\r\n\x00"


@dataclass(frozen=True)
class Part:
    """An attachment: its Content-ID (without angle brackets; None sends none)..."""

    content_id: str | None
    data: bytes
    content_type: str = "application/octet-stream"  # parameters too: "text/plain; charset=..."
    file_name: str | None = None
    encoding: str = "base64"  # base64, quoted-printable, binary, 8bit, 7bit


def _part(part: Part, placeholders: dict[bytes, bytes]) -> EmailMessage:
    media, *given = part.content_type.split(";")
    maintype, _, subtype = media.strip().partition("/")
    params = dict(p.strip().split("=", 1) for p in given)
    message = EmailMessage(policy=_POLICY)
    data = part.data
    if part.encoding in ("binary", "8bit"):
        token = f"@@part-{secrets.token_hex(16)}@@".encode()
        placeholders[token] = part.data
        data = token
    message.set_content(
        data,
        maintype,
        subtype,
        cte=part.encoding,
        params=params,
        disposition="attachment" if part.file_name else None,
        filename=part.file_name,
    )
    if part.content_id is not None:
        message["Content-ID"] = f"<{part.content_id}>"
    return message


def related(
    document: str | bytes,
    parts: Sequence[Part] = (),
    *,
    start: str | None = ROOT_ID,
    root_last: bool = False,
    root_encoding: str = "8bit",
) -> tuple[bytes, str]:
    """(body, Content-Type header) of a multipart/related cXML request: the document with
    Content-ID `ROOT_ID`, named by `start` (None: no start parameter, the first part is the
    document), and the attachments."""
    placeholders: dict[bytes, bytes] = {}
    root = _part(
        Part(
            ROOT_ID,
            document.encode() if isinstance(document, str) else document,
            "text/xml",
            encoding=root_encoding,
        ),
        placeholders,
    )
    message = EmailMessage(policy=_POLICY)
    params = {"type": "text/xml", **({"start": f"<{start}>"} if start else {})}
    message.add_header("Content-Type", "multipart/related", **params)
    attached = [_part(p, placeholders) for p in parts]
    for part in [*attached, root] if root_last else [root, *attached]:
        message.attach(part)
    head, _, body = message.as_bytes(policy=policy.HTTP).partition(b"\r\n\r\n")
    for token, data in placeholders.items():
        # The generator ends a part's text with a line break; the token stands alone.
        body = body.replace(token + b"\r\n", data + b"\r\n", 1)
    content_type = str(message["Content-Type"])
    assert b"Content-Type: " + content_type.encode() in head
    return body, content_type


def cid(content_id: str) -> str:
    """The cid: URL naming a Content-ID (RFC 2392: percent-encoded where a URL must be)."""
    return "cid:" + quote(content_id, safe="@.-_~!$&'()*+,;=:")


def _references(urls: Sequence[str]) -> str:
    return "".join(f"<Attachment><URL>{url}</URL></Attachment>" for url in urls)


def order_with_attachments(
    identity: str,
    secret: str,
    *,
    header: Sequence[str] = (),
    line: Sequence[str] = (),
    **options: Any,
) -> str:
    """testkit.documents' OrderRequest, its header's Comments referencing the `header` URLs,
    and its first ItemOut given Comments referencing the `line` URLs."""
    document = order_document(identity, secret, **options)
    comments = '<Comments xml:lang="en">Please deliver before noon.'
    assert comments in document
    document = document.replace(comments, comments + _references(header), 1)
    if line:
        item_comments = f'<Comments xml:lang="en">Drawing attached.{_references(line)}</Comments>'
        document = document.replace("</ItemOut>", item_comments + "</ItemOut>", 1)
    return document


def setup_with_attachments(identity: str, secret: str, urls: Sequence[str], **options: Any) -> str:
    """An edit PunchOutSetupRequest whose quoted ItemOut references the `urls` in its
    Comments."""
    items = ITEMS.replace(
        "</ItemOut>",
        f'<Comments xml:lang="en">Specification{_references(urls)}</Comments></ItemOut>',
        1,
    )
    return setup_document(identity, secret, operation="edit", items=items, **options)
