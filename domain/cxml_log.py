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
# What is kept of an exchange whose sender was not authenticated (anyone may send one, and may
# name a real customer while doing so): the first 4 KiB of each body, and fewer, shorter
# identities. A reason is our own words, but may quote what was sent.
REFUSED_BODY_BYTES = 4 * 1024
REFUSED_CREDENTIALS = 3
REFUSED_VALUE = 128
MAX_LOGGED_REASON = 2_000
# A body that did not parse: SharedSecret tags found by their text. Inside a secret, a CDATA
# section or a comment (to its end, or to the end of a broken body) hides no closing tag.
_TAG = re.compile(r"<(/?)SharedSecret\b([^>]*)>", re.I)
_INSIDE = re.compile(
    r"<!\[CDATA\[.*?(?:\]\]>|\Z)|<!--.*?(?:-->|\Z)|<(/?)SharedSecret\b([^>]*)>", re.I | re.S
)
# A purchasing card's number, in an OrderRequest's Payment.
_PCARD = re.compile(r"(<PCard\b[^>]*?\bnumber\s*=\s*)([\"'])(.*?)\2", re.I | re.S)


def redact(body: str, secrets: Iterable[str] = (), parsed: bool = False) -> str:
    """The body with every known secret value replaced wherever it appears, and any PCard
    number; unless the SharedSecrets were replaced by the parsed tree already (`parsed`, see
    cxml/redaction.py), every SharedSecret's content too, found by the text, even in a broken
    document."""
    # Short values are skipped: "test" would blank out deploymentMode="test" as well.
    for secret in sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True):
        body = body.replace(secret, REDACTED)
    if not parsed:
        body = _secrets_by_text(body)
    return _PCARD.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}{m.group(2)}", body)


def _secrets_by_text(body: str) -> str:
    """Every SharedSecret's content replaced: from an outermost opening tag to the closing tag
    that matches it, nested ones counted; a secret never closed hides everything after its
    opening tag (a truncated or malformed body)."""
    pieces: list[str] = []
    at = depth = 0
    found = _TAG.search(body)
    while found:
        if found.group(2) is not None:  # a tag (else a CDATA section or comment, skipped)
            if found.group(1):  # a closing tag
                if depth == 1:
                    pieces.append(REDACTED)
                    at = found.start()
                depth = max(0, depth - 1)
            elif not found.group(2).rstrip().endswith("/"):  # <SharedSecret/> holds nothing
                if not depth:
                    pieces.append(body[at : found.end()])
                depth += 1
        found = (_INSIDE if depth else _TAG).search(body, found.end())
    if depth:
        return "".join([*pieces, REDACTED])
    return "".join([*pieces, body[at:]])


def _text(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL; a hostile body may.
    return value.replace("\x00", "\ufffd") if value else value


def _listed(attachment: dict[str, Any]) -> dict[str, Any]:
    return {k: _text(v) if isinstance(v, str) else v for k, v in attachment.items()}


def _bounded(body: str, authenticated: bool) -> str:
    body = _text(body) or ""
    if not authenticated:
        data = body.encode("utf-8")
        if len(data) <= REFUSED_BODY_BYTES:
            return body
        kept = data[:REFUSED_BODY_BYTES].decode("utf-8", "ignore")  # whole characters
        return kept + (
            f"\n[... {len(data) - len(kept.encode()):,} more bytes not kept: the sender was "
            "not authenticated]"
        )
    if len(body) <= MAX_LOGGED_BODY:
        return body
    return body[:MAX_LOGGED_BODY] + f"\n[... {len(body) - MAX_LOGGED_BODY} characters not kept]"


def _value(value: str | None, secrets: Iterable[str], limit: int) -> str | None:
    if value is None:
        return None
    # An identity field is no place for a secret, but a buyer may paste one there.
    value = redact(value, secrets)[:limit]
    return _text(value)


def _logged(
    identities: Identities | None, secrets: Iterable[str], authenticated: bool
) -> dict[str, object] | None:
    """What the log keeps of the identities: bounded, without NUL, never a secret."""
    if identities is None:
        return None
    secrets = tuple(secrets)
    count = MAX_LOGGED_CREDENTIALS if authenticated else REFUSED_CREDENTIALS
    limit = MAX_LOGGED_VALUE if authenticated else REFUSED_VALUE

    def kept(credentials: tuple[Credential, ...]) -> tuple[Credential, ...]:
        return tuple(
            Credential(
                _value(c.domain, secrets, limit) or "", _value(c.identity, secrets, limit) or ""
            )
            for c in credentials[:count]
        )

    return Identities(
        from_=kept(identities.from_),
        to=kept(identities.to),
        sender=kept(identities.sender),
        user_agent=_value(identities.user_agent, secrets, limit),
    ).to_json()


def _reason(reason: str | None, secrets: Iterable[str]) -> str | None:
    if not reason:
        return None
    # An identity in the reason may be a secret pasted in the wrong place.
    reason = _text(redact(reason, secrets)) or ""
    return reason if len(reason) <= MAX_LOGGED_REASON else reason[:MAX_LOGGED_REASON] + "..."


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
    # The sender proved to be the customer (a right secret; its customer may be disabled).
    authenticated: bool = False
    # request_body's SharedSecrets are replaced already, by the parsed tree.
    request_redacted: bool = False


async def record(exchange: Exchange, using: BaseDBAsyncClient | None = None) -> CxmlExchange:
    """Store an exchange; bodies are redacted and bounded here, so no caller can forget to."""
    row = CxmlExchange(**entry(exchange))
    await row.save(using_db=using)
    return row


def entry(exchange: Exchange) -> dict[str, Any]:
    """The log row of an exchange, by column, not stored yet (see `record`): for a caller that
    stores it together with rows of its own (persistence.inserts)."""
    secrets, authenticated = exchange.secrets, exchange.authenticated
    request = redact(exchange.request_body, secrets, parsed=exchange.request_redacted)
    request_body = _bounded(request, authenticated)
    response_body = _bounded(redact(exchange.response_body, secrets), authenticated)
    return {
        "customer_id": exchange.customer_id,
        "received_at": exchange.received_at,
        "route": exchange.route,
        "request_type": _text(exchange.request_type[:64]) if exchange.request_type else None,
        "payload_id": _text(exchange.payload_id[:255]) if exchange.payload_id else None,
        "status_code": exchange.status_code,
        "status_text": exchange.status_text,
        "failure": exchange.failure.name if exchange.failure else None,
        "reason": _reason(exchange.reason, secrets),
        "duration_ms": exchange.duration_ms,
        "request_body": request_body,
        "response_body": response_body,
        "identities": _logged(exchange.identities, secrets, authenticated),
        "attachments": [_listed(a) for a in exchange.attachments] or None,
        "authenticated": authenticated,
        "body_bytes": len(request_body.encode()) + len(response_body.encode()),
    }
