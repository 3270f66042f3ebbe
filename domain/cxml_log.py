"""The connection log: every cXML exchange, with every SharedSecret value replaced by ***."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.errors import Failure
from domain.records import Credential, Identities
from persistence.punchout_tables import CxmlExchange

REDACTED = "***"
MAX_LOGGED_BODY = 64 * 1024  # characters kept of a request or response body
# Of the identities sent: credentials kept per part, characters kept of each value. A stranger
# writes them, so they are bounded like the bodies.
MAX_LOGGED_CREDENTIALS = 10
MAX_LOGGED_VALUE = 512
_SECRET = re.compile(r"(<SharedSecret\b[^>]*(?<!/)>)(.*?)(</SharedSecret\s*>)", re.I | re.S)
_OPEN = re.compile(r"<SharedSecret\b[^>]*(?<!/)>", re.I)
_CLOSE = re.compile(r"</SharedSecret\s*>", re.I)
# A purchasing card's number, in an OrderRequest's Payment.
_PCARD = re.compile(r"(<PCard\b[^>]*?\bnumber\s*=\s*)([\"'])(.*?)\2", re.I | re.S)


def redact(body: str, secrets: Iterable[str] = ()) -> str:
    """The body with every SharedSecret's content (and any PCard number) replaced, even in a
    broken document, and every known secret value replaced wherever else it appears."""
    # Short values are skipped: "test" would blank out deploymentMode="test" as well.
    for secret in sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True):
        body = body.replace(secret, REDACTED)
    body = _SECRET.sub(lambda m: f"{m.group(1)}{REDACTED}{m.group(3)}", body)
    body = _PCARD.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}{m.group(2)}", body)
    # A secret whose closing tag never came (a truncated or malformed body) can only follow the
    # last closing tag: everything from its opening tag on goes.
    closes = list(_CLOSE.finditer(body))
    unclosed = _OPEN.search(body, closes[-1].end() if closes else 0)
    if unclosed:
        body = body[: unclosed.end()] + REDACTED
    return body


def _text(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL; a hostile body may.
    return value.replace("\x00", "\ufffd") if value else value


def _listed(attachment: dict[str, Any]) -> dict[str, Any]:
    return {k: _text(v) if isinstance(v, str) else v for k, v in attachment.items()}


def _bounded(body: str) -> str:
    body = _text(body) or ""
    if len(body) <= MAX_LOGGED_BODY:
        return body
    return body[:MAX_LOGGED_BODY] + f"\n[... {len(body) - MAX_LOGGED_BODY} characters not kept]"


def _value(value: str | None, secrets: Iterable[str]) -> str | None:
    if value is None:
        return None
    # An identity field is no place for a secret, but a buyer may paste one there.
    value = redact(value, secrets)[:MAX_LOGGED_VALUE]
    return _text(value)


def _logged(identities: Identities | None, secrets: Iterable[str]) -> dict[str, object] | None:
    """What the log keeps of the identities: bounded, without NUL, never a secret."""
    if identities is None:
        return None
    secrets = tuple(secrets)

    def kept(credentials: tuple[Credential, ...]) -> tuple[Credential, ...]:
        return tuple(
            Credential(_value(c.domain, secrets) or "", _value(c.identity, secrets) or "")
            for c in credentials[:MAX_LOGGED_CREDENTIALS]
        )

    return Identities(
        from_=kept(identities.from_),
        to=kept(identities.to),
        sender=kept(identities.sender),
        user_agent=_value(identities.user_agent, secrets),
    ).to_json()


@dataclass
class Exchange:
    """One request and its answer, as the cXML route saw them."""

    received_at: datetime
    route: str
    request_body: str
    response_body: str
    status_code: int
    status_text: str
    duration_ms: float
    customer_id: int | None = None
    request_type: str | None = None
    payload_id: str | None = None
    failure: Failure | None = None
    reason: str | None = None
    # Values to scrub from the bodies wherever they appear: the secrets sent, the customer's key.
    secrets: tuple[str, ...] = ()
    # The credentials (never their secrets) and UserAgent as sent, when the Header was read.
    identities: Identities | None = None
    # The MIME parts sent beside the document, by Content-ID, type and size (never the bytes).
    attachments: list[dict[str, Any]] = field(default_factory=list)


async def record(exchange: Exchange, using: BaseDBAsyncClient | None = None) -> CxmlExchange:
    """Store an exchange; bodies are redacted here, so no caller can forget to."""
    row = entry(exchange)
    await row.save(using_db=using)
    return row


def entry(exchange: Exchange) -> CxmlExchange:
    """The log row of an exchange, not stored yet (see `record`): for a caller that stores it
    together with rows of its own (persistence.inserts)."""
    return CxmlExchange(
        customer_id=exchange.customer_id,
        received_at=exchange.received_at,
        route=exchange.route,
        request_type=_text(exchange.request_type[:64]) if exchange.request_type else None,
        payload_id=_text(exchange.payload_id[:255]) if exchange.payload_id else None,
        status_code=exchange.status_code,
        status_text=exchange.status_text,
        failure=exchange.failure.name if exchange.failure else None,
        # An identity in the reason may be a secret pasted in the wrong place.
        reason=_text(redact(exchange.reason, exchange.secrets)) if exchange.reason else None,
        duration_ms=exchange.duration_ms,
        request_body=_bounded(redact(exchange.request_body, exchange.secrets)),
        response_body=_bounded(redact(exchange.response_body, exchange.secrets)),
        identities=_logged(exchange.identities, exchange.secrets),
        attachments=[_listed(a) for a in exchange.attachments] or None,
    )
