"""Attachments in GraphQL: an order's files (each with the URL that downloads it), and the
parts a logged exchange carried (listed by Content-ID, type and size; never their bytes)."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.attachments import StoredAttachment

DOWNLOAD_PATH = "/orders/attachments/"  # + the attachment's id: graph/attachment_download.py


def download_url(public_url: str, attachment_id: int) -> str:
    return f"{public_url.rstrip('/')}{DOWNLOAD_PATH}{attachment_id}"


@strawberry.type(
    description="A file the buyer sent with an order: a MIME part of the OrderRequest "
    "(multipart/related), kept exactly as decoded."
)
class OrderAttachment:
    content_id: str = strawberry.field(
        description="The part's Content-ID without angle brackets: what a `cid:` URL names."
    )
    content_type: str = strawberry.field(
        description="The part's media type as sent (with its charset, if one was given)."
    )
    file_name: str | None = strawberry.field(
        description="The name it was sent under (Content-Disposition filename, else the "
        "Content-Type name); null when none was given."
    )
    size: int = strawberry.field(description="Its size in bytes.")
    sha256: str = strawberry.field(description="The SHA-256 of its bytes, in hex.")
    download_url: str = strawberry.field(
        description="GET it with the same `Authorization: Bearer` token; served as a download "
        "(Content-Disposition: attachment) to staff who reach the order, 404 to anyone else."
    )
    payload_id: str = strawberry.field(
        description="The payloadID of the request that brought it: an update's attachments "
        "are added to the earlier ones, which are kept."
    )

    @classmethod
    def from_stored(cls, stored: StoredAttachment, public_url: str) -> OrderAttachment:
        return cls(
            content_id=stored.content_id,
            content_type=stored.content_type,
            file_name=stored.file_name,
            size=stored.size,
            sha256=stored.sha256,
            download_url=download_url(public_url, stored.id),
            payload_id=stored.payload_id,
        )


@strawberry.type(description="A MIME part sent beside a cXML document, as the log lists it.")
class CxmlAttachment:
    content_id: str = strawberry.field(description="Its Content-ID, without angle brackets.")
    content_type: str = strawberry.field(description="Its media type as sent.")
    size: int = strawberry.field(description="Its size in bytes (the bytes are not logged).")

    @classmethod
    def listed(cls, stored: list[dict[str, Any]] | None) -> list[CxmlAttachment]:
        return [
            cls(content_id=a["contentId"], content_type=a["contentType"], size=a["size"])
            for a in stored or []
        ]
