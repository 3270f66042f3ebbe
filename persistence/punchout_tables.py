"""The punchout tables: sessions and their carts, orders and their lines, the receipts that
make order retries safe, and the cXML connection log. Conventions as in `tables.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from persistence.exact_decimal import ExactDecimalField

if TYPE_CHECKING:
    from persistence.tables import Customer


# A punchout session opened by a PunchOutSetupRequest: what the buyer sent, and the one-time
# StartPage token (stored as its SHA-256).
class PunchoutSession(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name="punchout_sessions", on_delete=fields.CASCADE
    )
    customer_id: int
    start_token_hash = fields.CharField(max_length=64, unique=True)
    start_expires_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    operation = fields.CharField(max_length=16)  # create | edit | inspect
    deployment_mode = fields.CharField(max_length=16)  # production | test
    payload_id = fields.CharField(max_length=255)
    buyer_cookie = fields.TextField()  # exactly as sent: it is echoed byte for byte
    browser_form_post = fields.TextField(null=True)
    # From/To/Sender credentials as sent, secrets left out: [{"domain", "identity"}, ...]
    identities: fields.JSONField[dict[str, Any]] = fields.JSONField()
    # [[name, value], ...] in document order
    extrinsics: fields.JSONField[list[list[str]]] = fields.JSONField()
    contacts: fields.JSONField[list[dict[str, Any]]] = fields.JSONField()
    ship_to: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    # ItemOut lines sent for edit/inspect
    items: fields.JSONField[list[dict[str, Any]]] = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)
    # Set when the StartPage URL is opened: the storefront's credential, stored as its SHA-256.
    session_token_hash = fields.CharField(max_length=64, unique=True, null=True)
    session_expires_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)  # the cart was transferred

    cart_lines: fields.ReverseRelation[CartLine]

    class Meta:
        table = "punchout_session"


# A line of a punchout session's cart.
class CartLine(Model):
    id = fields.BigIntField(primary_key=True)
    session: fields.ForeignKeyRelation[PunchoutSession] = fields.ForeignKeyField(
        "models.PunchoutSession",
        related_name="cart_lines",
        on_delete=fields.CASCADE,
        db_index=False,
    )
    session_id: int
    supplier_part_id = fields.CharField(max_length=255)
    supplier_part_auxiliary_id = fields.CharField(max_length=255, null=True)
    description = fields.TextField()
    quantity = ExactDecimalField()  # every digit as given (persistence/exact_decimal.py)
    unit_of_measure = fields.CharField(max_length=3)
    unit_price = ExactDecimalField()
    currency = fields.CharField(max_length=3)
    # Every Classification in order: [{"domain", "value"}, ...]; and the rest of a line an
    # edit or inspect request sent (ItemDetail's Extrinsics as [[name, value], ...]), as sent.
    classifications: fields.JSONField[list[dict[str, Any]]] = fields.JSONField()
    manufacturer_part_id = fields.TextField(null=True)
    manufacturer_name = fields.TextField(null=True)
    lead_time = fields.TextField(null=True)
    requested_delivery_date = fields.TextField(null=True)
    extrinsics: fields.JSONField[list[list[str]]] = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "cart_line"
        indexes = [Index(fields=("session_id", "id"))]


# A purchase order received over cXML (OrderRequest), under the customer that sent it.
class Order(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name="orders", on_delete=fields.RESTRICT, db_index=False
    )
    customer_id: int
    company_id = fields.IntField()  # the customer's company, for per-company listing
    order_id = fields.CharField(max_length=255)  # the buyer's orderID
    order_type = fields.CharField(max_length=16)  # new | update | delete, as last received
    order_date = fields.CharField(max_length=64, null=True)  # as sent: buyers' formats vary
    deployment_mode = fields.CharField(max_length=16)
    payload_id = fields.CharField(max_length=255)  # of the last request that changed it
    total = ExactDecimalField(null=True)
    currency = fields.CharField(max_length=3, null=True)
    ship_to: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    bill_to: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    shipping: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    tax: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    comments = fields.TextField(null=True)
    extrinsics: fields.JSONField[list[list[str]]] = fields.JSONField()
    received_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # The catalog check when it came in (domain/order_prices.py): how many lines it flagged,
    # and the day whose prices they were checked against. None: received before the check.
    price_exceptions = fields.IntField(null=True)
    price_date = fields.DateField(null=True)

    lines: fields.ReverseRelation[OrderLine]
    attachments: fields.ReverseRelation[OrderAttachment]

    class Meta:
        table = "purchase_order"
        unique_together = (("customer", "order_id"),)
        indexes = [Index(fields=("company_id", "id"))]


class OrderLine(Model):
    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="lines", on_delete=fields.CASCADE, db_index=False
    )
    order_id: int
    line_number = fields.IntField()
    quantity = ExactDecimalField()
    supplier_part_id = fields.CharField(max_length=255)
    supplier_part_auxiliary_id = fields.CharField(max_length=255, null=True)
    description = fields.TextField(null=True)
    unit_price = ExactDecimalField(null=True)
    currency = fields.CharField(max_length=3, null=True)
    unit_of_measure = fields.CharField(max_length=16, null=True)
    classifications: fields.JSONField[list[dict[str, Any]]] = fields.JSONField()
    requested_delivery_date = fields.CharField(max_length=64, null=True)
    manufacturer_part_id = fields.TextField(null=True)
    manufacturer_name = fields.TextField(null=True)
    lead_time = fields.TextField(null=True)  # days, as sent
    extrinsics: fields.JSONField[list[list[str]]] = fields.JSONField()  # ItemDetail's
    # The catalog's price for the company when the line came in, as the catalog held it (a
    # later change does not rewrite it): None for a part not in the catalog (or inactive);
    # `catalog_price_source` contract | list. `price_mismatch`: the line's price or currency
    # differs from it, or the part is not in the catalog (false on lines stored before).
    catalog_unit_price = ExactDecimalField(null=True)
    catalog_currency = fields.CharField(max_length=3, null=True)
    catalog_price_source = fields.CharField(max_length=8, null=True)
    price_mismatch = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "purchase_order_line"
        unique_together = (("order", "line_number"),)


# A MIME part sent with an OrderRequest (multipart/related), its bytes exactly as decoded:
# kept in the database so that a backup holds it with its order, and stored in the same
# transaction as the order. Every request's parts are kept (an update adds its own).
class OrderAttachment(Model):
    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="attachments", on_delete=fields.CASCADE, db_index=False
    )
    order_id: int
    payload_id = fields.CharField(max_length=255)  # of the request that brought it
    content_id = fields.CharField(max_length=255)  # without the angle brackets
    content_type = fields.CharField(max_length=255)
    file_name = fields.TextField(null=True)
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    data = fields.BinaryField()
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "purchase_order_attachment"
        indexes = [Index(fields=("order_id", "id"))]


# A cXML request that changed something (or was refused in a way a retry must be refused
# alike), by payloadID: a retry gets the same answer again.
class CxmlReceipt(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name=False, on_delete=fields.CASCADE, db_index=False
    )
    customer_id: int
    payload_id = fields.CharField(max_length=255)
    body_sha256 = fields.CharField(max_length=64)
    response_body = fields.TextField()
    # The failure the answer reported, None for a success: a refusal remembered so that a
    # retry is refused alike (an order refused for its prices, domain/order_prices.py).
    failure = fields.CharField(max_length=32, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "cxml_receipt"
        unique_together = (("customer", "payload_id"),)


# One cXML exchange: what came in, what went out (every SharedSecret replaced by ***), and why
# it failed, if it did.
class CxmlExchange(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "models.Customer",
        related_name="cxml_exchanges",
        null=True,
        on_delete=fields.CASCADE,
        db_index=False,
    )
    customer_id: int | None
    received_at = fields.DatetimeField()
    route = fields.CharField(max_length=64)
    request_type = fields.CharField(max_length=64, null=True)
    payload_id = fields.CharField(max_length=255, null=True)
    status_code = fields.IntField()
    status_text = fields.CharField(max_length=64)
    failure = fields.CharField(max_length=32, null=True)  # a cxml failure class, None if 2xx
    reason = fields.TextField(null=True)  # for staff: what to tell the buyer to fix
    duration_ms = fields.FloatField()
    request_body = fields.TextField()
    response_body = fields.TextField()
    # The From, To and Sender credentials (never a secret) and the UserAgent as sent, when the
    # document's Header could be read: {"from": [{"domain", "identity"}], ..., "userAgent"}.
    identities: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    # The MIME parts sent beside the document: [{"contentId", "contentType", "size"}], no bytes.
    attachments: fields.JSONField[list[dict[str, Any]] | None] = fields.JSONField(null=True)
    # Whether the sender proved to be the customer (its secret was right): anything else, a
    # wrong secret sent with a real customer's name included, is a stranger's text.
    authenticated = fields.BooleanField(default=False, db_default=False)
    # UTF-8 bytes of the two bodies as stored: what the log's size budget counts.
    body_bytes = fields.BigIntField(default=0, db_default=0)

    class Meta:
        table = "cxml_exchange"
        # And cxml_exchange_unmatched, on id where customer_id is null (migration 0017). The
        # index on (id, body_bytes) lets retention add up the log's size without its bodies.
        indexes = [Index(fields=("customer_id", "id")), Index(fields=("id", "body_bytes"))]
