"""The shared corpus of real cXML documents, against the cXML route."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from persistence.tables import CxmlExchange, PunchoutSession
from testkit.documents import SAMPLES, request_type, sender_identity, with_secret
from tests.conftest import World, make_buyer
from tests.cxml_helpers import post_cxml, samples

SERVED = ("PunchOutSetupRequest", "ProfileRequest")
EMPTY_IDENTITY = "profile-request.empty-identities-no-secret.business-cxml.2.xml"


def corpus() -> list[str]:
    if not SAMPLES.is_dir():
        return []
    return sorted(
        str(p.relative_to(SAMPLES))
        for p in SAMPLES.rglob("*.xml")
        if request_type(p) in SERVED and p.name != EMPTY_IDENTITY
    )


def test_the_corpus_is_there() -> None:
    files = corpus() or pytest.skip(f"the shared cXML samples are not at {SAMPLES}")
    assert len(files) >= 14  # 12 setup requests and 3 profile requests, minus the empty one


@pytest.mark.parametrize("name", corpus())
async def test_every_sample_is_served_for_its_customer(
    client: httpx.AsyncClient, world: World, name: str
) -> None:
    document = (samples() / name).read_bytes()
    buyer = await make_buyer(world.acme, sender_identity(document))

    answer = await post_cxml(client, with_secret(document, buyer.key))
    assert (answer.code, answer.status_text) == (200, "OK"), answer.message
    assert answer.http_status == 200
    answer.assert_valid()
    kind = request_type(Path(samples() / name))
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


async def test_empty_identity_and_no_secret_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    await make_buyer(world.acme, "remotehost")
    answer = await post_cxml(client, (samples() / EMPTY_IDENTITY).read_bytes())
    assert answer.code == 401
    answer.assert_valid()
    entry = await CxmlExchange.get()
    assert (entry.failure, entry.customer_id) == ("UNKNOWN_SENDER", None)
