"""Who may read an order's attachment: whoever reaches the order, by the order's own rule."""

from __future__ import annotations

from domain import orders
from domain.access import Viewer
from persistence.punchout_tables import OrderAttachment


async def reachable_attachment(viewer: Viewer | None, attachment_id: int) -> OrderAttachment | None:
    """The attachment, bytes and all, if the viewer reaches its order (`reachable_orders`);
    None when it is missing or out of reach, alike. The bytes are read only once allowed."""
    if viewer is None:
        return None
    listed = await OrderAttachment.filter(id=attachment_id).only("id", "order_id").first()
    if listed is None or not await orders.reachable_orders(viewer, [listed.order_id]):
        return None
    return await OrderAttachment.get_or_none(id=attachment_id)
