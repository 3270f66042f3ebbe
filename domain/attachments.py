"""Attachments: the MIME parts a buyer sends beside a cXML document (multipart/related), kept
with their order exactly as decoded (who may read them back: attachment_access.py)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.errors import CxmlRefused, Failure
from domain.limits import MAX_ATTACHMENTS
from persistence.punchout_tables import Order, OrderAttachment

MAX_CONTENT_ID = 255  # the column's length; a longer Content-ID is refused, never cut


@dataclass(frozen=True)
class Attachment:
    """One part as received: its Content-ID (without the angle brackets), its media type, the
    file name it was sent under (if any), and its bytes."""

    content_id: str
    content_type: str
    file_name: str | None
    data: bytes = field(repr=False)
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())

    @property
    def size(self) -> int:
        return len(self.data)

    def summary(self) -> dict[str, Any]:
        """What the connection log keeps of it: never the bytes."""
        return {"contentId": self.content_id, "contentType": self.content_type, "size": self.size}


def request_digest(document: bytes, attachments: Sequence[Attachment] = ()) -> str:
    """What makes a retry "the same request": the document's SHA-256 when nothing is attached
    (as receipts have always held), else one over the document and each part's Content-ID,
    type, file name and SHA-256, in order. The MIME framing (boundaries, transfer encodings)
    is left out: a buyer that rebuilds the body for a retry sends the same request."""
    if not attachments:
        return hashlib.sha256(document).hexdigest()
    digest = hashlib.sha256(hashlib.sha256(document).digest())
    for part in attachments:
        described = [part.content_id, part.content_type, part.file_name, part.sha256]
        digest.update(json.dumps(described).encode() + b"\n")
    return digest.hexdigest()


async def store(
    customer_id: int,
    order_id: str,
    payload_id: str,
    attachments: Sequence[Attachment],
    conn: BaseDBAsyncClient,
) -> None:
    """Keep a request's attachments with its order, in the caller's transaction (the order's
    own): stored with the order or not at all."""
    if not attachments:
        return
    order = (
        await Order.filter(customer_id=customer_id, order_id=order_id)
        .using_db(conn)
        .only("id")
        .first()
    )
    assert order is not None, "the order is stored first, in the same transaction"
    kept = await OrderAttachment.filter(order_id=order.id).using_db(conn).count()
    if kept + len(attachments) > MAX_ATTACHMENTS:
        raise CxmlRefused(
            Failure.INVALID_REQUEST,
            f"An order keeps at most {MAX_ATTACHMENTS} attachments; order {order_id} has {kept} "
            f"and this request brings {len(attachments)}.",
            customer_id=customer_id,
        )
    await OrderAttachment.bulk_create(
        [
            OrderAttachment(
                order_id=order.id,
                payload_id=payload_id[:255],
                content_id=part.content_id,
                content_type=part.content_type,
                file_name=part.file_name,
                size=part.size,
                sha256=part.sha256,
                data=part.data,
            )
            for part in attachments
        ],
        using_db=conn,
    )


@dataclass(frozen=True)
class StoredAttachment:
    """An attachment as staff see it listed: everything but its bytes."""

    id: int
    order_id: int
    payload_id: str
    content_id: str
    content_type: str
    file_name: str | None
    size: int
    sha256: str
    received_at: datetime


_LISTED = tuple(f.name for f in fields(StoredAttachment))


async def of_orders(order_ids: Sequence[int]) -> list[list[StoredAttachment]]:
    """The attachments of each order (one statement for them all, bytes left out), in the
    order they arrived; the caller has checked the orders' scope."""
    found: dict[int, list[StoredAttachment]] = defaultdict(list)
    rows = (
        await OrderAttachment.filter(order_id__in=list(order_ids)).order_by("id").values(*_LISTED)
    )
    for row in rows:
        found[row["order_id"]].append(StoredAttachment(**row))
    return [found[i] for i in order_ids]
