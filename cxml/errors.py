"""cXML failures: each failure class of the log, with the Status a buyer gets for it."""

from __future__ import annotations

from domain.errors import Failure

# (cXML Status code, Status text), from the cXML Reference Guide's list.
STATUS: dict[Failure, tuple[int, str]] = {
    Failure.OVERSIZED_BODY: (413, "Request Entity Too Large"),
    Failure.MALFORMED_XML: (406, "Not Acceptable"),
    Failure.MALFORMED_MULTIPART: (406, "Not Acceptable"),
    Failure.HOSTILE_XML: (406, "Not Acceptable"),
    Failure.NOT_CXML: (406, "Not Acceptable"),
    Failure.MISSING_HEADER: (400, "Bad Request"),
    Failure.INVALID_REQUEST: (400, "Bad Request"),
    Failure.MISSING_ATTACHMENT: (400, "Bad Request"),
    Failure.UNSUPPORTED_REQUEST: (450, "Not Implemented"),
    Failure.UNKNOWN_SENDER: (401, "Unauthorized"),
    Failure.MISSING_SECRET: (401, "Unauthorized"),
    Failure.WRONG_SECRET: (401, "Unauthorized"),
    Failure.CUSTOMER_DISABLED: (403, "Forbidden"),
    Failure.DUPLICATE_PAYLOAD: (409, "Conflict"),
    Failure.DUPLICATE_ORDER: (409, "Conflict"),
    Failure.UNKNOWN_ORDER: (417, "Expectation Failed"),
    Failure.PRICE_MISMATCH: (400, "Bad Request"),
    # Never delivered: the log's record of a request that did not arrive whole (the code is
    # the one proxies such as nginx log for a client that closed its request).
    Failure.CLIENT_DISCONNECTED: (499, "Client Closed Request"),
    Failure.INTERNAL_ERROR: (500, "Internal Server Error"),
}
# One answer for every authentication failure: which part was wrong is for the log only.
UNAUTHORIZED_MESSAGE = "The Sender identity and SharedSecret were not accepted."
