"""A SharedSecret however it is written (issue 15, item 7), over real HTTP on both databases: one
holding elements is refused (400, before anyone is authenticated: its text would be joined
into a secret), and the connection log hides every SharedSecret by the parsed document, whatever
markup it holds (CDATA, character references, comments, whitespace in its tags, a closing
tag inside a CDATA section or a comment), not by a pattern over the text."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest

from persistence.punchout_tables import CxmlExchange, PunchoutSession
from testkit.documents import SENDER, setup_document
from tests.conftest import Buyer
from tests.cxml_helpers import post_cxml
from tests.live_server import LiveServer

OPEN, CLOSE = "<SharedSecret>", "</SharedSecret>"


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.base, timeout=60) as client:
        yield client


def written_as(buyer: Buyer, secret_element: str, payload: str) -> str:
    """A setup request whose Sender's SharedSecret element is written so."""
    plain = SENDER.format(identity=buyer.username, secret="@@")
    sender = plain.replace(f"{OPEN}@@{CLOSE}", secret_element)
    return setup_document(buyer.username, None, senders=sender, payload=payload)


def shown(secret: str, text: str, run: int = 6) -> list[str]:
    """The pieces of `secret` (`run` characters or more) that `text` shows."""
    return [
        secret[i : i + run] for i in range(len(secret) - run + 1) if secret[i : i + run] in text
    ]


def char_refs(value: str) -> str:
    return "".join(f"&#{ord(c)};" for c in value)


async def test_a_shared_secret_holding_elements_is_refused_and_hidden(
    db: str, http: httpx.AsyncClient, buyer: Buyer
) -> None:
    key = buyer.key
    nested = f"{OPEN}{key[0]}{OPEN}{key[1]}{CLOSE}{key[2:]}{CLOSE}"  # its text joined: the key
    other = f"{OPEN}{key[:20]}<Extra>{key[20:]}</Extra>{CLOSE}"
    for number, element in enumerate((nested, other)):
        answer = await post_cxml(http, written_as(buyer, element, f"nested-{number}@buyer"))
        assert (answer.code, answer.status_text) == (400, "Bad Request"), answer.message
        assert "SharedSecret holds elements" in answer.message, answer.message
        assert "a SharedSecret is text only" in answer.message
    assert not await PunchoutSession.exists()  # refused: nothing opened
    rows = await CxmlExchange.all().order_by("id")
    assert [(r.failure, r.authenticated) for r in rows] == [("INVALID_REQUEST", False)] * 2
    for row in rows:
        assert f"{OPEN}***{CLOSE}" in row.request_body
        assert shown(key, row.request_body + (row.reason or "")) == []


async def test_every_way_of_writing_a_secret_is_hidden(
    db: str, http: httpx.AsyncClient, buyer: Buyer
) -> None:
    key = buyer.key
    stranger = secrets.token_urlsafe(24)
    accepted = {
        "CDATA": f"{OPEN}<![CDATA[{key}]]>{CLOSE}",
        "character references": f"{OPEN}{char_refs(key)}{CLOSE}",
        "a comment holding a closing tag": f"{OPEN}{key[:9]}<!-- {CLOSE} -->{key[9:]}{CLOSE}",
        "whitespace in its tags": f"<SharedSecret\n  >{key}</SharedSecret\n>",
        "CDATA, references and a comment at once": (
            f"{OPEN}<![CDATA[{key[:5]}]]>{char_refs(key[5:9])}<!--x-->{key[9:]}{CLOSE}"
        ),
    }
    refused = {  # wrong secrets, a stranger's words: hidden as well
        "a CDATA section holding a closing tag": f"{OPEN}<![CDATA[{CLOSE}]]>{stranger}{CLOSE}",
        "a comment ending the secret early": f"{OPEN}x<!--{CLOSE}-->{stranger}{CLOSE}",
        "references to markup": f"{OPEN}a&lt;/SharedSecret&gt;{stranger}{CLOSE}",
        # Not read as a secret (the name is case-sensitive): a missing secret, hidden anyway.
        "the name in other letters": f"<sharedSECRET>{stranger}</sharedSECRET>",
    }
    for number, (name, element) in enumerate([*accepted.items(), *refused.items()]):
        document = written_as(buyer, element, f"markup-{number}@buyer")
        encoded = (
            document.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
            if number % 2
            else document.encode()
        )
        answer = await post_cxml(http, encoded)
        assert answer.code == (200 if name in accepted else 401), (name, answer.message)
    rows = await CxmlExchange.all().order_by("id")
    for row, name in zip(rows, [*accepted, *refused], strict=True):
        shown_body = row.request_body.replace("</SharedSecret\n>", CLOSE).lower()
        assert f"***{CLOSE}".lower() in shown_body, name
        for secret in (key, stranger, char_refs(key)):
            assert shown(secret, row.request_body) == [], (name, row.request_body)
        assert buyer.username in row.request_body  # the rest is shown as sent
    assert [r.authenticated for r in rows] == [True] * len(accepted) + [False] * len(refused)
