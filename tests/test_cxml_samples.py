"""The conformance run: the external corpus of real-world cXML documents against the cXML route,
and what the server builds against the cXML DTD (both kept outside the repository).

Collected only when OPSPORTAL_CXML_CORPUS names the corpus (see tests/corpus.py); CI sets it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from lxml import etree

from cxml.build import example_setup_request, profile_response, setup_response, status_document
from cxml.errors import STATUS
from domain.customers import Credentials
from opsportal.app import create_app
from opsportal.config import Settings
from persistence.punchout_tables import CxmlExchange, PunchoutSession
from persistence.tables import Customer
from testkit.documents import request_type, sender_identity, with_secret
from tests import corpus
from tests.conftest import VAULT, Api, World, make_buyer
from tests.cxml_documents import DOCUMENTS, read
from tests.cxml_helpers import assert_cxml, post_cxml
from tests.storefront_helpers import SESSION

if not corpus.configured():  # collected by name without the corpus: say so, never skip
    raise pytest.UsageError(f"{corpus.ENV} is not set: {__name__} is the conformance run")
SAMPLES = corpus.corpus()
assert SAMPLES is not None
SERVED = ("PunchOutSetupRequest", "ProfileRequest")
EMPTY_IDENTITY = "profile-request.empty-identities-no-secret.business-cxml.2.xml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The corpus served by a supplier that takes http return URLs (three samples send one,
    refused by default: see test_http_return_urls_are_refused_by_default)."""
    return Settings(
        database_url=database_url,
        public_url="https://punchout.example.com",
        allow_http_buyer_urls=True,
        storefront_free_form_lines=True,  # its carts are built as a headless shop builds them
    )


def http_return(document: bytes) -> bool:
    root = etree.fromstring(document, _PARSER)
    url = root.findtext("Request/PunchOutSetupRequest/BrowserFormPost/URL") or ""
    return url.strip().lower().startswith("http:")


def served() -> list[str]:
    return sorted(
        str(p.relative_to(SAMPLES))
        for p in corpus.documents()
        if request_type(p) in SERVED and p.name != EMPTY_IDENTITY
    )


def test_the_corpus_is_there() -> None:
    assert len(served()) >= 14  # 12 setup requests and 3 profile requests, minus the empty one


@pytest.mark.parametrize("name", served())
async def test_every_sample_is_served_for_its_customer(
    client: httpx.AsyncClient, world: World, name: str
) -> None:
    document = (SAMPLES / name).read_bytes()
    buyer = await make_buyer(world.acme, sender_identity(document))

    answer = await post_cxml(client, with_secret(document, buyer.key))
    assert (answer.code, answer.status_text) == (200, "OK"), answer.message
    assert answer.http_status == 200
    answer.assert_valid()
    kind = request_type(Path(SAMPLES / name))
    if kind == "PunchOutSetupRequest":
        assert answer.start_url.startswith("https://punchout.example.com/punchout/start/")
        session = await PunchoutSession.get(customer_id=buyer.customer_id)
        assert session.buyer_cookie.strip()
    else:
        urls = answer.root.xpath("//ProfileResponse/Transaction/URL/text()")
        assert set(urls) == {"https://punchout.example.com/cxml"}

    refused = await post_cxml(client, with_secret(document, buyer.key[:-1] + "x"))
    assert (refused.code, refused.http_status) == (401, 200)
    refused.assert_valid()
    assert await PunchoutSession.all().count() == (1 if kind == "PunchOutSetupRequest" else 0)
    failures = await CxmlExchange.all().order_by("id").values_list("failure", flat=True)
    assert failures == [None, "WRONG_SECRET"]


async def test_http_return_urls_are_refused_by_default(database_url: str, world: World) -> None:
    names = [n for n in served() if http_return((SAMPLES / n).read_bytes())]
    assert len(names) >= 3
    app = create_app(
        Settings(database_url=database_url, public_url="https://x.example"), vault=VAULT
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as client:
        for name in names:
            document = (SAMPLES / name).read_bytes()
            buyer = await make_buyer(world.acme, sender_identity(document))
            answer = await post_cxml(client, with_secret(document, buyer.key))
            assert (answer.code, answer.message[:25]) == (400, 'BrowserFormPost URL "http'), name
            answer.assert_valid()
            await Customer.filter(id=buyer.customer_id).delete()
    assert await PunchoutSession.all().count() == 0


async def test_empty_identity_and_no_secret_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    await make_buyer(world.acme, "remotehost")
    answer = await post_cxml(client, (SAMPLES / EMPTY_IDENTITY).read_bytes())
    assert answer.code == 401
    answer.assert_valid()
    entry = await CxmlExchange.get()
    assert (entry.failure, entry.customer_id) == ("UNKNOWN_SENDER", None)


async def test_the_corpus_negatives(client: httpx.AsyncClient, world: World) -> None:
    async def code(document: bytes) -> tuple[int, str | None]:
        answer = await post_cxml(client, document)
        answer.assert_valid()
        return answer.code, (await CxmlExchange.all().order_by("-id").first()).failure

    assert await code(read_sample("malformed-response.business-cxml.1.xml")) == (
        406,
        "MALFORMED_XML",
    )
    garbage = read_sample("unknown-request-type.business-cxml.1.xml")
    assert await code(garbage) == (401, "UNKNOWN_SENDER")  # strangers learn nothing
    remotehost = await make_buyer(world.acme, "remotehost")
    assert await code(with_secret(garbage, remotehost.key)) == (450, "UNSUPPORTED_REQUEST")
    for name in ("order-message.friendsofcxml.1.xml", "status-401.business-cxml.1.xml"):
        assert await code(read_sample(name)) == (450, "UNSUPPORTED_REQUEST"), name


def read_sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


async def _sample_session(api: Api, world: World, name: str) -> dict:
    document = read_sample(name)
    buyer = await make_buyer(world.acme, sender_identity(document))
    answer = await post_cxml(api.http, with_secret(document, buyer.key))
    opened = await api.http.get(urlsplit(answer.start_url).path)
    credential = opened.headers["location"].split("#session=")[1]
    return (await api(SESSION, token=credential))["data"]["punchoutSession"]


async def test_the_session_shows_what_the_sample_sent(api: Api, world: World) -> None:
    coupa = await _sample_session(api, world, "setup-request.coupa.officeluv.1.xml")
    assert coupa["user"] == {
        "email": "noah+jim@coupa.com",
        "firstName": "Jim",
        "lastName": "Halpert",
        "fullName": "jim",
        "uniqueName": "jim",
    }
    assert coupa["contacts"] == [
        {"role": "endUser", "name": "jim", "emails": ["noah+jim@coupa.com"]}
    ]
    assert {"name": "BusinessUnit", "value": "COUPA"} in coupa["extrinsics"]
    iesa = await _sample_session(api, world, "setup-request.iesa-shipto.officeluv.2.xml")
    assert iesa["shipTo"] == {
        "addressId": "3119",
        "name": "jmadden",
        "street": ["333 East Hill Dr"],
        "city": "san leandro",
        "postalCode": "22222",
        "countryCode": "US",
    }


def test_what_the_server_builds_is_valid_cxml() -> None:
    """Every kind of document the server builds, checked by our shape check and the DTD."""
    built = [status_document(code, text, "A message.") for code, text in set(STATUS.values())]
    built.append(setup_response("https://punchout.example.com/punchout/start/token"))
    transactions = [("ProfileRequest", "https://x.example/cxml")]
    built.append(profile_response(transactions, datetime.now(UTC)))
    creds = Credentials("NetworkID", "AN01", "DUNS", "314159265", "NetworkID", "buyer", "https://x")
    built.append(example_setup_request(creds, "PUNCHOUT-API-KEY").encode())
    for document in built:
        assert_cxml(etree.fromstring(document, _PARSER))


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_our_documents_are_cxml_where_meant(name: str) -> None:
    """Our own documents are valid cXML, except those whose quirk is not to be."""
    reason = DOCUMENTS[name].not_cxml
    try:
        root = etree.fromstring(read(name), _PARSER)
    except etree.XMLSyntaxError:
        assert reason == "not well-formed XML"
        return
    valid = corpus.dtd().validate(root)
    assert valid == (reason is None), (reason, corpus.dtd().error_log.filter_from_errors())
