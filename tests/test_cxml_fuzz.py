"""Fuzzing the cXML parser: whatever bytes a buyer's system sends, parsing gives a result or
raises our CxmlRefused, whose Status is a client error (4xx) that the route can answer with.

The target is what the cXML route does with a body before any database work (`_serve` in
cxml/route.py): unwrap a form field (`document_of`), decode the log's copy (`document_text`, then
`redact`), parse and read the document (`parse_document`, `read_envelope`, `check_request`,
then `read_setup` or `read_order` by request type). The inputs: the project's own cXML documents
(tests/documents/), plus, in the conformance run, the external corpus of real-world documents
(OPSPORTAL_CXML_CORPUS, read in place, never copied here), as they are and mutated
(bytes flipped, cut, deleted, duplicated and spliced; hostile constructs inserted: entity
declarations, external DTDs, deep nesting, huge attributes, NUL bytes, BOMs, XML declarations
whose encoding lies; elements renamed; attribute values and texts replaced), plain random bytes
and text; and two dictionary runs, the same every time: every attribute and text the parser
reads set to each odd value, and every encoding name Python knows declared. A last test posts
such odd values through the route itself, on both databases: the answer is a cXML Status, never
HTTP 500 (which tells the buyer's system to retry).

In CI each Hypothesis test draws a few hundred examples, the same ones on every run
(derandomized), in a few seconds. For a long run with fresh random examples, give the number
per test:

    OPSPORTAL_FUZZ_EXAMPLES=100000 pytest tests/test_cxml_fuzz.py -k "not route" -x
"""

from __future__ import annotations

import base64
import codecs
import encodings.aliases
import os
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote_from_bytes

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxml.build import status_document
from cxml.errors import STATUS
from cxml.parse import (
    check_request,
    document_text,
    parse_document,
    read_envelope,
    read_order,
    read_setup,
)
from cxml.route import document_of
from domain.cxml_log import redact
from domain.errors import CxmlRefused, Failure
from testkit.documents import request_type, sender_identity, with_secret
from tests import corpus
from tests.conftest import World, make_buyer
from tests.cxml_documents import files
from tests.cxml_helpers import post_cxml

LONG_RUN = os.environ.get("OPSPORTAL_FUZZ_EXAMPLES")
FUZZ = settings(
    max_examples=int(LONG_RUN or 300),
    derandomize=not LONG_RUN,
    database=None,
    deadline=None,  # a 10 MB attribute takes its time; speed is not the property
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Our own documents first, always; the corpus's when the conformance run is on.
SEEDS = files() + corpus.documents()
# Read once, at first use: a few dozen small files.
_SEED_BYTES: list[bytes] = []


def seed_documents() -> list[bytes]:
    if not _SEED_BYTES:
        _SEED_BYTES.extend(path.read_bytes() for path in SEEDS)
    return _SEED_BYTES


def parse_request(document: bytes) -> object:
    """What the route makes of a document before it touches the database."""
    envelope = read_envelope(parse_document(document))
    check_request(envelope)
    if envelope.request_type == "PunchOutSetupRequest":
        return read_setup(envelope)
    if envelope.request_type == "OrderRequest":
        return read_order(envelope)
    return envelope


def check(document: bytes) -> object | None:
    """The property: a result, or our CxmlRefused with an answerable client-error Status."""
    logged = document_text(document)  # the connection log's copy: taken before parsing
    logged.encode("utf-8")  # text the log can store (no lone surrogates)
    redact(logged)
    try:
        return parse_request(document)
    except CxmlRefused as exc:
        code, text = STATUS[exc.failure]
        # A client's error: answered with HTTP 200 and never retried, unlike a 500.
        assert 400 <= code < 500, (exc.failure, exc.message)
        status_document(code, text, exc.message)  # the Status document the buyer gets
        return None


# Things a hostile or broken client sends.
MARKER = "ENTITY-WAS-EXPANDED"
DOCTYPES = [
    f'<!DOCTYPE cXML [<!ENTITY e "{MARKER}">]>',
    '<!DOCTYPE cXML [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
    '<!DOCTYPE cXML [<!ENTITY e SYSTEM "http://127.0.0.1:9/x">]>',
    '<!DOCTYPE cXML [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>',
    "<!DOCTYPE cXML [<!ENTITY % p \"<!ENTITY e '" + MARKER + "'>\"> %p;]>",
    '<!DOCTYPE cXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY e "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
    '<!DOCTYPE cXML SYSTEM "http://127.0.0.1:9/cXML.dtd">',
    '<!DOCTYPE cXML SYSTEM "file:///etc/passwd">',
    "<!DOCTYPE cXML [<!ELEMENT cXML ANY>]>",
]
SNIPPETS = [
    b"&e;",
    b"&unknown;",
    b"&#0;",
    b"&#x110000;",
    b"&#xD800;",
    b"&#65;&#x42;",
    b"&amp;&lt;&gt;",
    b"<![CDATA[x]]>",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?pi data?>",
    b"<?xml version='1.0'?>",
    b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>',
    b'xmlns="urn:x"',
    b'xmlns:p="urn:y"',
    b"<p:Request/>",
    b"<Request/>",
    b"<Header/>",
    b"<cXML>",
    b"</cXML>",
    b"<",
    b">",
    b'"',
    b"'",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xed\xa0\x80",  # a UTF-8-encoded surrogate
    b"\xc0\xaf",  # an overlong encoding
    "²".encode(),
    "\u2028".encode(),
    b"+2AA-",  # a lone surrogate, in UTF-7
    b"\\ud800",  # a lone surrogate, as unicode_escape reads it
]
BOMS = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"]
# Encoding names: the usual, the odd (codecs that are no text encodings, or refuse errors=
# "replace"), names nobody knows; and every codec name Python knows (lxml knows others).
CURATED_ENCODINGS = [
    "UTF-8",
    "utf-16",
    "UTF-32",
    "ISO-8859-1",
    "ebcdic-cp-us",
    "utf-7",
    "idna",
    "undefined",
    "punycode",
    "rot13",
    "hex",
    "base64",
    "unicode_escape",
    "x-unknown",
    "",
]
ENCODINGS = sorted({*encodings.aliases.aliases, *encodings.aliases.aliases.values()})
REENCODINGS = ["utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp500", "utf-7", "shift_jis"]
VALUES = [
    "",
    " ",
    "\t\n",
    "²",
    "٣",
    "9" * 5000,
    "1e999999999",
    "1E+999999999999999999",
    "-0",
    "NaN",
    "Infinity",
    "0x10",
    "1,5",
    "1_000",
    "+1",
    "create",
    "edit",
    "inspect",
    "delete",
    "update",
    "new",
    "test",
    "production",
    "PunchOutSetupRequest",
    "OrderRequest",
    "ProfileRequest",
    "&#0;",
    "&#x1F600;",
    "A" * 70_000,
]
ATTRIBUTE = re.compile(rb'(=\s*")([^"]*)(")')
# The attributes the parser reads (cxml/parse.py): replace_value picks among them a third of
# the time.
READ = b"payloadID|timestamp|deploymentMode|operation|domain|orderID|type|orderDate|quantity|"
READ += b"lineNumber|requestedDeliveryDate|currency|name|role|addressID|isoCountryCode"
READ_ATTRIBUTE = re.compile(rb"(\b(?:" + READ + rb')\s*=\s*")([^"]*)(")')
TEXT = re.compile(rb"(>)([^<]+)(</)")
TAG = re.compile(rb"<(/?)([A-Za-z][\w.:-]*)")
PROLOG = re.compile(rb"^\s*(<\?xml[^>]*\?>)?\s*", re.S)
ROOT = re.compile(rb"<cXML\b", re.I)


def _at(draw: st.DrawFn, data: bytes) -> int:
    return draw(st.integers(0, len(data)))


def flip(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return data
    spot = draw(st.integers(0, len(data) - 1))
    return data[:spot] + bytes([draw(st.integers(0, 255))]) + data[spot + 1 :]


def truncate(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: _at(draw, data)]


def delete(draw: st.DrawFn, data: bytes) -> bytes:
    start = _at(draw, data)
    return data[:start] + data[start + draw(st.integers(1, 200)) :]


def duplicate(draw: st.DrawFn, data: bytes) -> bytes:
    start = _at(draw, data)
    piece = data[start : start + draw(st.integers(1, 500))]
    spot = _at(draw, data)
    return data[:spot] + piece * draw(st.integers(1, 3)) + data[spot:]


def insert(draw: st.DrawFn, data: bytes) -> bytes:
    spot = _at(draw, data)
    return data[:spot] + draw(st.sampled_from(SNIPPETS)) + data[spot:]


def nul(draw: st.DrawFn, data: bytes) -> bytes:
    spot = _at(draw, data)
    return data[:spot] + b"\x00" * draw(st.integers(1, 4)) + data[spot:]


def prolog(draw: st.DrawFn, data: bytes) -> bytes:
    """A BOM and an XML declaration of its own, which may lie about the encoding."""
    body = PROLOG.sub(b"", data, count=1)
    if draw(st.booleans()):
        try:
            body = body.decode("utf-8").encode(draw(st.sampled_from(REENCODINGS)))
        except (UnicodeError, LookupError):
            pass
    name = draw(st.sampled_from(CURATED_ENCODINGS) | st.sampled_from(ENCODINGS)).encode()
    declaration = draw(
        st.sampled_from([b'<?xml version="1.0" encoding="%s"?>' % name, b"<?xml version='1.1'?>"])
    )
    return draw(st.sampled_from(BOMS)) + declaration + body


def doctype(draw: st.DrawFn, data: bytes) -> bytes:
    """An internal subset or an external DTD in place of the document's own DOCTYPE."""
    body = re.sub(rb"<!DOCTYPE[^>]*>", b"", data, count=1)
    root = ROOT.search(body)
    spot = root.start() if root else 0
    return body[:spot] + draw(st.sampled_from(DOCTYPES)).encode() + body[spot:]


def nest(draw: st.DrawFn, data: bytes) -> bytes:
    """Elements nested deeper than libxml2 allows (256), or nearly so."""
    depth = draw(st.sampled_from([10, 200, 250, 255, 256, 257, 1000, 20_000]))
    tags = [m for m in TAG.finditer(data) if not m.group(1)]
    if not tags:
        return data
    spot = draw(st.sampled_from(tags)).start()
    return data[:spot] + b"<x>" * depth + b"</x>" * depth + data[spot:]


def huge_attribute(draw: st.DrawFn, data: bytes) -> bytes:
    size = draw(st.sampled_from([1_000, 100_000, 1_048_577, 10_000_001]))
    many = draw(st.booleans())
    extra = (
        b"".join(b' a%d="1"' % i for i in range(size // 100))
        if many
        else b' payloadID="' + b"A" * size + b'"'
    )
    root = ROOT.search(data)
    spot = root.end() if root else 0
    return data[:spot] + extra + data[spot:]


def replace_value(draw: st.DrawFn, data: bytes) -> bytes:
    """An attribute value or an element's text replaced by an odd one."""
    pattern = draw(st.sampled_from([READ_ATTRIBUTE, ATTRIBUTE, TEXT]))
    found = list(pattern.finditer(data))
    if not found:
        return data
    match = draw(st.sampled_from(found))
    value = draw(st.one_of(st.sampled_from(VALUES), st.text(max_size=20))).encode(
        "utf-8", "replace"
    )
    return data[: match.start(2)] + value + data[match.end(2) :]


def rename(draw: st.DrawFn, data: bytes) -> bytes:
    """An element renamed (both tags, where the closing one is found), e.g. Request -> Message."""
    found = [m for m in TAG.finditer(data) if not m.group(1)]
    if not found:
        return data
    old = draw(st.sampled_from(found)).group(2)
    new = draw(st.sampled_from([b"Message", b"Response", b"Header", b"Request", b"p:Request"]))
    return re.sub(rb"(</?)" + re.escape(old) + rb"\b", rb"\g<1>" + new, data, count=2)


def splice(draw: st.DrawFn, data: bytes) -> bytes:
    other = draw(st.sampled_from(seed_documents()))
    return data[: _at(draw, data)] + other[draw(st.integers(0, len(other))) :]


Mutation = Callable[[st.DrawFn, bytes], bytes]
MUTATIONS: list[Mutation] = [
    flip,
    truncate,
    delete,
    duplicate,
    insert,
    nul,
    prolog,
    doctype,
    nest,
    huge_attribute,
    replace_value,
    rename,
    splice,
]


@st.composite
def mutated_samples(draw: st.DrawFn, mutations: list[Mutation] = MUTATIONS) -> bytes:
    data = draw(st.sampled_from(seed_documents()))
    for mutation in draw(st.lists(st.sampled_from(mutations), min_size=1, max_size=4)):
        data = mutation(draw, data)
    return data


def test_the_unmutated_samples_parse_or_fail_with_our_error() -> None:
    for document in seed_documents():
        check(document)


@FUZZ
@given(mutated_samples())
def test_mutated_samples_parse_or_fail_with_our_error(document: bytes) -> None:
    check(document)


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=4096),
        st.text(max_size=2048).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.text(alphabet="<>/?!=\"' &;#x:cXMLRequestHeader\x00", max_size=400).map(str.encode),
    )
)
def test_random_bytes_parse_or_fail_with_our_error(document: bytes) -> None:
    check(document)


@FUZZ
@given(st.sampled_from(DOCTYPES[:6]), st.data())
def test_entity_declarations_are_refused_and_never_expanded(
    declaration: str, data: st.DataObject
) -> None:
    original = data.draw(st.sampled_from(seed_documents()))
    body = re.sub(rb"<!DOCTYPE[^>]*>", b"", original, count=1)
    root = ROOT.search(body)
    if root is None:
        return
    # The entity referenced in the first text, where an expansion would show.
    body = TEXT.sub(rb"\1&e;\2\3", body, count=1)
    document = body[: root.start()] + declaration.encode() + body[root.start() :]
    with pytest.raises(CxmlRefused) as refused:
        parse_document(document)
    assert refused.value.failure is Failure.HOSTILE_XML, refused.value.message
    assert MARKER not in refused.value.message


@FUZZ
@given(
    # Without the megabyte attributes: quoting them is slow, and the field is what is tested.
    mutated_samples([m for m in MUTATIONS if m is not huge_attribute]),
    st.sampled_from(["cxml-urlencoded", "cxml-base64", "other"]),
)
def test_form_encoded_bodies_parse_or_fail_with_our_error(document: bytes, name: str) -> None:
    value = base64.b64encode(document) if name == "cxml-base64" else document
    body = f"{name}=".encode() + quote_from_bytes(value).encode()
    try:
        unwrapped = document_of(body, "application/x-www-form-urlencoded; charset=UTF-8")
    except CxmlRefused as exc:
        assert STATUS[exc.failure][0] < 500
        return
    assert unwrapped == document
    check(unwrapped)


def escape(document: bytes) -> str | None:
    """What escaped `check` for this document, if anything did."""
    try:
        check(document)
    except Exception as exc:  # noqa: BLE001 - reported, with the input that caused it
        return f"{type(exc).__name__}: {str(exc)[:120]}"
    return None


READ_TEXTS = b"Money|Identity|SharedSecret|BuyerCookie|URL|Description|UnitOfMeasure|"
READ_TEXTS += b"Classification|Comments|Extrinsic|SupplierPartID|SupplierPartAuxiliaryID|UserAgent"
READ_TEXT = re.compile(rb"(<(?:" + READ_TEXTS + rb")\b[^>]*>)([^<]*)(</)")


def test_odd_values_wherever_the_parser_reads_one() -> None:
    """Every attribute and text the parser reads, in every sample (its first occurrence),
    replaced by each odd value: a dictionary run, the same every time."""
    escaped = []
    for path, original in zip(SEEDS, seed_documents(), strict=True):
        firsts: dict[bytes, re.Match[bytes]] = {}
        for pattern in (READ_ATTRIBUTE, READ_TEXT):
            for match in pattern.finditer(original):
                firsts.setdefault(pattern.pattern + match.group(1).split(b"=")[0], match)
        for match in firsts.values():
            for value in VALUES:
                document = original[: match.start(2)] + value.encode() + original[match.end(2) :]
                if found := escape(document):
                    escaped.append(
                        f"{path.name}: {match.group(1)[:40]!r} = {value[:20]!r}: {found}"
                    )
    assert not escaped, "\n".join(escaped[:20]) + f"\n({len(escaped)} in all)"


def test_every_declared_encoding() -> None:
    """Each encoding name in the XML declaration, with and without a BOM: a dictionary run."""
    escaped = []
    original = PROLOG.sub(b"", seed_documents()[0], count=1)
    # Text that some codecs (utf-7, unicode_escape) decode to a lone surrogate.
    original = TEXT.sub(rb"\1+2AA-\\ud800\2\3", original, count=1)
    for name in [*CURATED_ENCODINGS, *ENCODINGS]:
        for bom in (b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE):
            document = bom + b'<?xml version="1.0" encoding="%s"?>' % name.encode() + original
            if found := escape(document):
                escaped.append(f"encoding={name!r} BOM={bom!r}: {found}")
    assert not escaped, "\n".join(escaped[:20]) + f"\n({len(escaped)} in all)"


ROUTE_VALUES = ["A" * 300, "²", "9" * 12, "1e999999999"]


def _route_seed(kind: str) -> Path:
    return next(p for p in SEEDS if request_type(p) == kind and b"<SharedSecret>" in p.read_bytes())


async def test_the_route_answers_odd_values_with_a_status(
    client: httpx.AsyncClient, world: World
) -> None:
    """Through the route, on both databases, with the right secret: every attribute and text
    the parser reads in a setup and an order request, set to each odd value in turn, is
    answered with a cXML Status, never a server failure (HTTP 500, which buyers retry)."""
    failures = []
    for n, path in enumerate((_route_seed("PunchOutSetupRequest"), _route_seed("OrderRequest"))):
        original = path.read_bytes()
        buyer = await make_buyer(world.acme, f"{sender_identity(original)}-{n}")
        sender = rb"(<Sender>.*?<Identity>)[^<]*"
        original = re.sub(
            sender, rb"\g<1>" + buyer.username.encode(), original, count=1, flags=re.S
        )
        original = with_secret(original, buyer.key)
        firsts: dict[bytes, re.Match[bytes]] = {}
        for pattern in (READ_ATTRIBUTE, READ_TEXT):
            for match in pattern.finditer(original):
                firsts.setdefault(pattern.pattern + match.group(1).split(b"=")[0], match)
        for match in firsts.values():
            for i, value in enumerate(ROUTE_VALUES):
                document = original[: match.start(2)] + value.encode() + original[match.end(2) :]
                # A payloadID and orderID of its own: no request is a retry of another.
                unique = b"r%d-%d-" % (match.start(), i)
                document = document.replace(b'payloadID="', b'payloadID="' + unique, 1)
                document = document.replace(b'orderID="', b'orderID="' + unique, 1)
                answer = await post_cxml(client, document)
                if answer.http_status != 200 or answer.code >= 500:
                    failures.append(
                        f"{path.name}: {match.group(1)[:40]!r} = {value[:12]!r}: "
                        f"HTTP {answer.http_status}, cXML {answer.code} {answer.message}"
                    )
    assert not failures, "\n".join(failures)
