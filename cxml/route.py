"""The cXML HTTP route: POST /cxml (also /punchout/setup and /punchout/order).

HTTP status policy: every answer is a cXML document whose Status carries the outcome, sent
with HTTP 200, as buyers' systems expect, except server failures (cXML 5xx), which go out as
HTTP 500 so that HTTP-level retries happen too.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from cxml import build
from cxml.attachments import check_references
from cxml.errors import STATUS, UNAUTHORIZED_MESSAGE
from cxml.identities import sent_identities
from cxml.multipart import READ_AT_ONCE, is_multipart, read_related
from cxml.parse import (
    Envelope,
    check_request,
    document_text,
    parse_document,
    read_envelope,
    read_order,
    read_setup,
)
from cxml.redaction import without_secrets
from domain import cxml_log, orders, punchout
from domain.attachments import Attachment, request_digest
from domain.cxml_log import Exchange
from domain.errors import CxmlRefused, Failure
from domain.key_vault import KeyVault
from domain.punchout import Caller
from opsportal.config import CXML_PATH, Settings

log = logging.getLogger("opsportal.cxml")
PATHS = (CXML_PATH, "/punchout/setup", "/punchout/order")
MEDIA_TYPE = "text/xml; charset=UTF-8"
DROPPED_AT_MOST = 32 * 1024 * 1024  # of a refused body, read to answer cleanly (_drop_the_rest)


@dataclass
class InFlight:
    """One exchange in progress: what the log will say of it, and when it began."""

    settings: Settings
    vault: KeyVault
    exchange: Exchange
    reading: asyncio.Semaphore  # the app's: multipart bodies read at once
    started: float = field(default_factory=time.perf_counter)
    # Of the cXML document and its attachments: what makes a retry the same request.
    body_sha256: str = ""
    attachments: tuple[Attachment, ...] = ()  # the parts of a multipart body beside the document

    def finish(self, code: int, text: str, body: bytes) -> None:
        self.exchange.status_code, self.exchange.status_text = code, text
        self.exchange.response_body = body.decode("utf-8", "replace")
        self.exchange.duration_ms = (time.perf_counter() - self.started) * 1000


Handler = Callable[[Envelope, Caller, InFlight], Awaitable[bytes]]


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, read no further than `limit` bytes."""
    declared = request.headers.get("content-length", "")
    oversized = CxmlRefused(
        Failure.OVERSIZED_BODY, f"The request body is over the limit of {limit} bytes."
    )
    if declared.isdigit() and int(declared) > limit:
        await _drop_the_rest(request)
        raise oversized
    received = bytearray()
    try:
        async for chunk in request.stream():
            received += chunk
            if len(received) > limit:
                break
        else:
            return bytes(received)
    except ClientDisconnect:
        # Gone, or cut off by the body's deadline (opsportal/slow_clients.py): no one to answer.
        announced = (
            f"the {int(declared):,} bytes it announced" if declared.isdigit() else "its body"
        )
        raise CxmlRefused(
            Failure.CLIENT_DISCONNECTED,
            "The request body did not arrive whole.",
            f"The client closed the connection after sending {len(received):,} of {announced}.",
        ) from None
    await _drop_the_rest(request)
    raise oversized


async def _drop_the_rest(request: Request) -> None:
    """Read what is left of a refused body, up to DROPPED_AT_MOST bytes, and keep none of it.
    The connection closes after the refusal; closed with the client's bytes unread, it is
    reset, and a client still sending often loses the answer before reading it (a buyer would
    see a broken connection, not the 413). The body's deadline bounds the time it takes."""
    dropped = 0
    try:
        async for chunk in request.stream():
            dropped += len(chunk)
            if dropped > DROPPED_AT_MOST:
                return
    except ClientDisconnect:
        return
    except RuntimeError:  # Starlette's "Stream consumed": the last chunk was the one over
        return


def document_of(body: bytes, content_type: str) -> bytes:
    """The cXML document: the body itself, or a form field's value."""
    if not content_type.lower().startswith("application/x-www-form-urlencoded"):
        return body
    if body.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b"<"):
        return body  # raw XML sent with a form content type (curl -d does that)
    # Latin-1 turns bytes into characters one to one, so the document keeps its own encoding.
    fields = parse_qs(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    fields = {name.lower(): values for name, values in fields.items()}
    if "cxml-urlencoded" in fields:
        return fields["cxml-urlencoded"][0].encode("latin-1")
    if "cxml-base64" in fields:
        try:
            return base64.b64decode(fields["cxml-base64"][0].encode("latin-1"), validate=False)
        except (binascii.Error, ValueError):
            raise CxmlRefused(
                Failure.MALFORMED_XML, "The cxml-base64 field is not valid base64."
            ) from None
    raise CxmlRefused(
        Failure.MALFORMED_XML,
        "A form-encoded body must carry the document in a cxml-urlencoded or cxml-base64 field.",
    )


async def _setup(envelope: Envelope, caller: Caller, call: InFlight) -> bytes:
    setup = read_setup(envelope, allow_http=call.settings.allow_http_buyer_urls)
    token = punchout.new_start_token()
    body = build.setup_response(call.settings.start_url_base + token)
    # The start URL is a one-time credential: the log shows it as ***.
    call.exchange.secrets += (token,)
    call.finish(200, "OK", body)
    await punchout.open_session(
        caller.customer_id,
        envelope.identities,
        setup,
        token,
        call.settings.punchout_start_ttl,
        call.exchange,
        call.settings.currency,
    )
    return body


async def _profile(envelope: Envelope, caller: Caller, call: InFlight) -> bytes:
    url = call.settings.supplier.setup_url
    body = build.profile_response([(name, url) for name in HANDLERS], PROFILE_EFFECTIVE)
    call.finish(200, "OK", body)
    await cxml_log.record(call.exchange)
    return body


async def _order(envelope: Envelope, caller: Caller, call: InFlight) -> bytes:
    data = read_order(envelope)
    body = build.status_document(200, "OK")
    call.finish(200, "OK", body)

    def refused(refusal: CxmlRefused) -> bytes:
        """The answer to a refusal the domain stores with the exchange (an order refused for
        its prices, remembered for its retries)."""
        code, text = STATUS[refusal.failure]
        answer = build.status_document(code, text, refusal.buyer_message)
        call.exchange.failure, call.exchange.reason = refusal.failure, refusal.reason
        call.finish(code, text, answer)
        return answer

    received = await orders.receive(
        caller.customer,
        data,
        call.body_sha256,
        body,
        call.exchange,
        call.attachments,
        mode=call.settings.order_price_check,
        refused=refused,
    )
    if received.replayed:  # answered as the first time (a refusal too), nothing stored
        call.exchange.failure = received.failure
        call.exchange.reason = f"A retry of payloadID {data.payload_id!r}: answered as before."
        code, text = STATUS[received.failure] if received.failure else (200, "OK")
        call.finish(code, text, received.response_body)
        await cxml_log.record(call.exchange)
    return received.response_body


# When these services were first offered: a fixed date, as ProfileResponse expects.
PROFILE_EFFECTIVE = datetime(2026, 11, 1, tzinfo=UTC)
HANDLERS: dict[str, Handler] = {
    "PunchOutSetupRequest": _setup,
    "ProfileRequest": _profile,
    "OrderRequest": _order,
}


async def _document(request: Request, call: InFlight) -> bytes:
    """The cXML document, and into `call` the attachments beside it (a multipart/related
    body). Only a multipart body may be as large as OPSPORTAL_CXML_MAX_BYTES: the document
    itself, however sent, is held to the smaller document limit."""
    content_type = request.headers.get("content-type", "")
    settings = call.settings
    if not is_multipart(content_type):
        return document_of(await _read_body(request, settings.cxml_document_limit), content_type)
    body = await _read_body(request, settings.cxml_max_bytes)
    # Decoding and hashing up to 20 MiB takes about a second and ten times the body's size in
    # memory: in a worker thread (the event loop serves on), a few bodies at a time.
    async with call.reading:
        related = await asyncio.to_thread(
            read_related, body, content_type, settings.cxml_document_limit
        )
    call.attachments = related.attachments
    call.exchange.attachments = [a.summary() for a in related.attachments]
    return related.document


async def _serve(request: Request, call: InFlight) -> bytes:
    document = await _document(request, call)
    call.exchange.request_body = document_text(document)
    call.body_sha256 = request_digest(document, call.attachments)
    root = parse_document(document)
    call.exchange.identities = sent_identities(root)  # for the log, even if the envelope is bad
    # The log hides every SharedSecret as the parser sees it, whatever its markup.
    redacted = without_secrets(call.exchange.request_body, root)
    if redacted is not None:
        call.exchange.request_body, call.exchange.request_redacted = redacted.text, True
        call.exchange.secrets += redacted.secrets
    envelope = read_envelope(root)
    call.exchange.request_type = envelope.request_type or None
    call.exchange.payload_id = envelope.payload_id
    call.exchange.secrets += envelope.identities.sent_secrets()
    # Authenticated before anything else: a stranger learns nothing, not even what we support.
    caller = await punchout.authenticate(call.vault, envelope.identities)
    call.exchange.customer_id, call.exchange.authenticated = caller.customer_id, True
    call.exchange.secrets += caller.secrets
    check_request(envelope)
    check_references(root, call.attachments)
    handler = HANDLERS.get(envelope.request_type)
    if handler is None:
        raise CxmlRefused(
            Failure.UNSUPPORTED_REQUEST,
            f"{envelope.request_type} is not supported here; this server takes "
            f"{', '.join(HANDLERS)}.",
        )
    return await handler(envelope, caller, call)


async def _fail(call: InFlight, failure: Failure, message: str, reason: str) -> Response:
    code, text = STATUS[failure]
    body = build.status_document(code, text, message)
    call.exchange.failure, call.exchange.reason = failure, reason
    call.finish(code, text, body)
    if failure is Failure.CLIENT_DISCONNECTED:
        call.exchange.response_body = ""  # nothing went out: the client was gone
    try:
        await cxml_log.record(call.exchange)
    except Exception:  # noqa: BLE001 - the buyer still gets the answer
        log.exception("could not store the cXML log entry")
    return Response(body, status_code=500 if code >= 500 else 200, media_type=MEDIA_TYPE)


def cxml_endpoint(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for the cXML paths."""
    reading = asyncio.Semaphore(READ_AT_ONCE)

    async def endpoint(request: Request) -> Response:
        exchange = Exchange(
            received_at=datetime.now(UTC),
            route=request.url.path,
            request_body="",
            response_body="",
            status_code=0,
            status_text="",
            duration_ms=0.0,
        )
        # The app's key vault, set up by its start-up steps.
        call = InFlight(settings, request.app.state.vault, exchange, reading)
        try:
            body = await _serve(request, call)
        except CxmlRefused as exc:
            if exc.customer_id is not None:
                exchange.customer_id = exc.customer_id
            # A disabled customer's right secret: refused, but the customer sent it.
            exchange.authenticated |= exc.failure is Failure.CUSTOMER_DISABLED
            message = exc.buyer_message or UNAUTHORIZED_MESSAGE
            return await _fail(call, exc.failure, message, exc.reason)
        except Exception:  # noqa: BLE001 - answered in cXML; the trace goes to the log
            log.exception("cXML %s failed", exchange.request_type or "request")
            return await _fail(
                call,
                Failure.INTERNAL_ERROR,
                "The server failed; please retry.",
                "An unexpected server error; see the server log.",
            )
        return Response(body, status_code=200, media_type=MEDIA_TYPE)

    return endpoint
