"""Reading a cXML body with attachments: `multipart/related; boundary=...; type="text/xml";
start="<cid>"`, read with the standard library's email package (no MIME parsing by hand).

The cXML document is the `start` part (the first part when `start` is absent); every other
part is an attachment, named by its Content-ID, its bytes decoded as email decodes them
(7bit, 8bit, binary, base64, quoted-printable). Whatever the parser reports as a defect (no
boundary, no closing boundary, bad base64...) refuses the body: a purchase order's drawing is
kept exactly as sent, or refused, never guessed at.

Bounds, so that a hostile body costs little before anyone is authenticated: at most
MAX_PARTS parts (counted while parsing: the parser stops at the next one, however deep the
nesting), and MAX_HEADER characters in any header. The parser runs with the compat32 policy:
the newer policies' header parser takes seconds on contrived parameters, and recurses on
nested comments until the stack runs out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email import errors
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import Compat32
from email.utils import collapse_rfc2231_value

from domain.attachments import MAX_CONTENT_ID, Attachment
from domain.errors import CxmlRefused, Failure
from domain.limits import MAX_PARTS

RELATED = "multipart/related"
MAX_HEADER = 1024  # characters of one header, continuation lines included
READ_AT_ONCE = 2  # multipart bodies read at the same time by one server process
ENCODINGS = ("7bit", "8bit", "binary", "base64", "quoted-printable")


@dataclass(frozen=True)
class Related:
    """A multipart/related body, read: the cXML document and the attachments beside it."""

    document: bytes
    attachments: tuple[Attachment, ...]


def media_type(content_type: str) -> str:
    """The `type/subtype` of a Content-Type header, lowercased."""
    return content_type.partition(";")[0].strip().lower()


def is_multipart(content_type: str) -> bool:
    return media_type(content_type).startswith("multipart/")


class _Unreadable(Exception):
    """Why the body cannot be read, in words for the buyer's integrator."""


class _Policy(Compat32):
    """email's compat32 policy (its header parsing is simple and quick; the newer policies'
    take seconds on contrived parameters), refusing any header over MAX_HEADER characters as
    it is read, and reading raw 8-bit header bytes as UTF-8 (as HTTP clients send file names)."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        if len(value) > MAX_HEADER:
            raise _Unreadable(f"a {name} header is over {MAX_HEADER} characters.")
        return name, value

    def header_fetch_parse(self, name: str, value: str) -> str:
        return _text(value)


_POLICY = _Policy(linesep="\r\n")


def _counting_factory() -> Callable[..., Message]:
    """Makes the parser's message objects, and stops the parse at one part too many (the
    parser also makes one to probe the factory, and one for the whole body)."""
    made = 0

    def make(policy: Compat32 = _POLICY) -> Message:
        nonlocal made
        made += 1
        if made > MAX_PARTS + 2:
            raise _Unreadable(f"it has more than {MAX_PARTS} parts.")
        return Message(policy=policy)

    return make


def _defect(message: Message) -> str | None:
    """The first defect email found in the message, in its own words."""
    for defect in message.defects:
        doc = (type(defect).__doc__ or type(defect).__name__).strip()
        return doc.rstrip(".") + "."
    return None


def _bare_id(value: str | None) -> str:
    """A Content-ID (or `start`) without its angle brackets: what a cid: URL names."""
    value = (value or "").strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    return value


def _payload(part: Message, name: str) -> bytes:
    encoding = str(part.get("content-transfer-encoding") or "7bit").strip().lower()
    if encoding not in ENCODINGS:
        raise _Unreadable(
            f"{name} has Content-Transfer-Encoding {encoding!r}; cXML parts use "
            f"{', '.join(ENCODINGS)}."
        )
    data = part.get_payload(decode=True)
    why = _defect(part)  # decoding reports bad base64 here
    if why is not None:
        raise _Unreadable(f"{name}: {why}")
    if not isinstance(data, bytes):
        raise _Unreadable(f"{name} has no body.")
    return data


def _text(value: str) -> str:
    """A header's text as the database stores it: undecodable bytes and NUL replaced (raw
    8-bit bytes come from the parser as surrogate escapes: UTF-8 is read as UTF-8)."""
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace").replace("\x00", "\ufffd")


def _file_name(part: Message) -> str | None:
    """Content-Disposition's filename, else Content-Type's name: RFC 2231 and RFC 2047
    encoded forms decoded (the latter is not standard in parameters, but common)."""
    name = part.get_filename()
    if name and "=?" in name:
        try:
            name = str(make_header(decode_header(name)))
        except (errors.HeaderParseError, LookupError, UnicodeError, ValueError):
            pass  # kept as sent
    return _text(name) if name else None


def _content_type(part: Message) -> str:
    """The part's media type (email's normalized form) and its charset when one is given."""
    media = part.get_content_type()
    charset = part.get_content_charset()
    if charset and charset.isascii() and charset.replace("-", "").replace("_", "").isalnum():
        return f"{media}; charset={charset}"
    return media


def _attachment(part: Message, position: int, seen: set[str]) -> Attachment:
    content_id = _bare_id(str(part.get("content-id") or ""))
    name = f"part {position}"
    if not content_id:
        raise _Unreadable(f"{name} has no Content-ID: every attachment needs one.")
    name = f"part {position} (Content-ID <{content_id}>)"
    if len(content_id) > MAX_CONTENT_ID or not content_id.isprintable() or not content_id.isascii():
        raise _Unreadable(
            f"{name}: a Content-ID is printable ASCII, at most {MAX_CONTENT_ID} characters."
        )
    if content_id in seen:
        raise _Unreadable(f"two parts have the Content-ID <{content_id}>.")
    seen.add(content_id)
    return Attachment(
        content_id=content_id,
        content_type=_content_type(part),
        file_name=_file_name(part),
        data=_payload(part, name),
    )


def _read(body: bytes, content_type: str, document_limit: int) -> Related:
    if any(c in content_type for c in "\r\n\x00") or not content_type.isascii():
        raise _Unreadable("the Content-Type header is not one line of ASCII.")
    kind = media_type(content_type)
    if kind != RELATED:
        raise _Unreadable(f"cXML with attachments comes as {RELATED}, not {kind}.")
    parser = BytesParser(_counting_factory(), policy=_POLICY)
    head = b"Content-Type: " + content_type.encode("ascii") + b"\r\n\r\n"
    message = parser.parsebytes(head + body)
    why = _defect(message)
    if why is not None:
        raise _Unreadable(why)
    payload = message.get_payload()
    parts = [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []
    if not parts:
        raise _Unreadable("it holds no parts.")
    for position, part in enumerate(parts, start=1):
        why = _defect(part)
        if why is not None:
            raise _Unreadable(f"part {position}: {why}")
        if part.is_multipart():
            raise _Unreadable(f"part {position} is itself {part.get_content_type()}.")
    start = _bare_id(collapse_rfc2231_value(message.get_param("start") or ""))
    root = parts[0]
    if start:
        found = [p for p in parts if _bare_id(str(p.get("content-id") or "")) == start]
        if not found:
            raise _Unreadable(f"its start parameter names <{start}>, which no part carries.")
        root = found[0]
    document = _payload(root, "the cXML part")
    if len(document) > document_limit:
        raise CxmlRefused(
            Failure.OVERSIZED_BODY,
            f"The cXML document is over the limit of {document_limit} bytes (attachments aside).",
        )
    seen = {root_id} if (root_id := _bare_id(str(root.get("content-id") or ""))) else set()
    attachments = tuple(
        _attachment(part, position, seen)
        for position, part in enumerate(parts, start=1)
        if part is not root
    )
    return Related(document, attachments)


def read_related(body: bytes, content_type: str, document_limit: int) -> Related:
    """The cXML document and its attachments; CxmlRefused (MALFORMED_MULTIPART) with the
    reason when the body is not a readable multipart/related, (OVERSIZED_BODY) when its cXML
    document is over `document_limit` bytes."""
    try:
        return _read(body, content_type, document_limit)
    except _Unreadable as exc:
        why = str(exc)
    except (errors.MessageError, ValueError, LookupError, RecursionError) as exc:
        # Whatever else email raises on a contrived body: refused, never a server failure.
        why = f"the MIME parser failed ({type(exc).__name__})."
    raise CxmlRefused(Failure.MALFORMED_MULTIPART, f"The multipart body cannot be read: {why}")
