"""The domain's one error hierarchy. Every expected refusal is a DomainError with a code from
the enum of its domain; each surface turns them into its own format in one place
(graph/errors.py for GraphQL, cxml/route.py for cXML). A code's value is its description."""

from __future__ import annotations

import enum


class DomainError(Exception):
    """An expected refusal: a code, a sentence for the person at the keyboard, and the input
    field it concerns (if one)."""

    code: enum.Enum

    def __init__(self, code: enum.Enum, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


# Input problems, answered in a mutation payload's `errors { field code message }`.


class CompanyCode(enum.Enum):
    REQUIRED = "A required value is missing or blank."
    INVALID = "A value has the wrong form; the message says which."
    TAKEN = "The value must be unique and is in use already."
    NOT_FOUND = "The object does not exist, or is out of your scope."


class CustomerCode(enum.Enum):
    REQUIRED = "A required value is missing or blank."
    INVALID = "A value has the wrong form; the message says which."
    TAKEN = "The value must be unique and is in use already."
    NOT_FOUND = "The object does not exist, or is out of your scope."
    UNKNOWN_ROLE = "The role is not in the catalog (see `roles`)."


class SignInCode(enum.Enum):
    RATE_LIMITED = "Too many failed sign-ins for this account or address."
    INVALID_CREDENTIALS = "Wrong email or password (deliberately not saying which)."
    ACCOUNT_DISABLED = "Right email and password, but the account is disabled (`staff enable`)."


class CartCode(enum.Enum):
    INVALID = "A value has the wrong form."
    NOT_FOUND = "No such line, or the session has ended."
    READ_ONLY = "An inspect session's cart cannot be changed."
    CART_FULL = "The cart has the most lines a cart may hold (1,000)."
    NO_RETURN_URL = "The buyer's system gave no BrowserFormPost URL."
    RETURN_URL_REFUSED = (
        "The buyer's BrowserFormPost URL is not one a cart is posted to: https only (http "
        "where OPSPORTAL_ALLOW_HTTP_BUYER_URLS allows it)."
    )
    FREE_FORM_REFUSED = (
        "Lines are added from the catalog (productId) here: free-form lines, priced by the "
        "storefront, are refused (OPSPORTAL_STOREFRONT_FREE_FORM_LINES)."
    )


class StaffCode(enum.Enum):
    INVALID = "A value has the wrong form; the message says which."
    TAKEN = "The value must be unique and is in use already."
    NOT_FOUND = "The object does not exist."


class CatalogCode(enum.Enum):
    REQUIRED = "A required value is missing or blank."
    INVALID = "A value has the wrong form; the message says which."
    TAKEN = "Another product has this supplier part ID."
    NOT_FOUND = "The product or company does not exist, or is out of your scope."
    UNKNOWN_UNIT = "The unit of measure is not a UN/CEFACT code (Recommendation 20 or 21)."


class CompanyRefused(DomainError):
    code: CompanyCode

    def __init__(self, code: CompanyCode, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field)


class CustomerRefused(DomainError):
    code: CustomerCode

    def __init__(self, code: CustomerCode, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field)


class CatalogRefused(DomainError):
    code: CatalogCode

    def __init__(self, code: CatalogCode, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field)


class SignInRefused(DomainError):
    code: SignInCode

    def __init__(self, code: SignInCode, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field)


class CartRefused(DomainError):
    code: CartCode

    def __init__(self, code: CartCode, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field)


class StaffRefused(DomainError):
    code: StaffCode

    def __init__(self, code: StaffCode, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field)


# Refusals of the whole operation, answered as top-level errors.


class AccessCode(enum.Enum):
    UNAUTHENTICATED = "No token, or an unknown or expired one."
    FORBIDDEN = "The viewer may not do this at all."


class AccessDenied(DomainError):
    """The viewer may not do this at all (not a per-object scope miss, which is NOT_FOUND)."""

    code: AccessCode

    def __init__(self, message: str = "You do not have permission to do this.") -> None:
        super().__init__(AccessCode.FORBIDDEN, message)


class NotSignedIn(AccessDenied):
    def __init__(self) -> None:
        super().__init__("Sign in first: send a valid token as 'Authorization: Bearer ...'.")
        self.code = AccessCode.UNAUTHENTICATED


class SessionCode(enum.Enum):
    GONE = "The start URL is unknown, used already, or expired."


class SessionGone(DomainError):
    """A punchout start URL that is unknown, used already, or expired."""

    code: SessionCode

    def __init__(self) -> None:
        super().__init__(SessionCode.GONE, SessionCode.GONE.value)


# cXML: why an exchange failed, in words a buyer's integrator can act on.


class Failure(enum.Enum):
    OVERSIZED_BODY = "the body is larger than the server accepts"
    MALFORMED_XML = "the body is not well-formed XML"
    MALFORMED_MULTIPART = "a multipart body (cXML with attachments) cannot be read as MIME"
    HOSTILE_XML = "the document declares entities (a DTD internal subset) or nests too deeply"
    NOT_CXML = "the document is XML but not cXML"
    MISSING_HEADER = "the cXML Header lacks From, To or Sender credentials"
    UNSUPPORTED_REQUEST = "the request type is not one this server implements"
    INVALID_REQUEST = "the request is cXML but lacks or misstates a required part"
    MISSING_ATTACHMENT = "an Attachment's cid: URL names no part of the multipart body"
    UNKNOWN_SENDER = "no punchout customer has the identity sent"
    MISSING_SECRET = "the Sender credential carries no SharedSecret"
    WRONG_SECRET = "the SharedSecret is not the customer's PUNCHOUT API Key"
    CUSTOMER_DISABLED = "the credentials are right, but the customer is disabled"
    DUPLICATE_PAYLOAD = "the payloadID was used before, for a different document"
    DUPLICATE_ORDER = "a new order repeats an orderID this customer has already sent"
    UNKNOWN_ORDER = "an update or delete names an order this customer never sent"
    PRICE_MISMATCH = (
        "an order line's price differs from the catalog's, or its part is not in the catalog "
        "(OPSPORTAL_ORDER_PRICE_CHECK=reject)"
    )
    CLIENT_DISCONNECTED = "the client went away (or its body missed the deadline) mid-request"
    INTERNAL_ERROR = "the server failed; the buyer may retry"


class CxmlRefused(DomainError):
    """A cXML request the server will not serve. `message` goes to the buyer (None: the one
    answer every authentication failure gets); `reason` to the connection log."""

    code: Failure

    def __init__(
        self,
        failure: Failure,
        message: str | None,
        reason: str | None = None,
        customer_id: int | None = None,
    ) -> None:
        super().__init__(failure, message or failure.value)
        self.failure = failure
        self.buyer_message = message
        self.reason = reason or message or failure.value
        self.customer_id = customer_id
