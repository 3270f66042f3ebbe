"""The README's examples work as written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx

from opsportal.demo import DEMO_PUNCHOUT_CUSTOMER, load_demo
from testkit import operations
from tests.conftest import VAULT
from tests.cxml_helpers import post_cxml

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


async def test_the_curl_example_opens_a_session_with_the_demo_data(
    client: httpx.AsyncClient,
) -> None:
    demo = await load_demo(VAULT, companies=50, password="demo-harbour-lantern")
    curl = re.search(
        r"curl -s (\S+) -H '([^']+)' --data-binary @- <<EOF\n(.*?)\nEOF\n", README, re.S
    )
    assert curl, "the README lost its curl example"
    url, header, document = curl.groups()
    assert url == "http://127.0.0.1:8000/cxml" and header == "Content-Type: text/xml"
    assert DEMO_PUNCHOUT_CUSTOMER in document
    answer = await post_cxml(client, document.replace("$KEY", demo.api_key), "/cxml", "text/xml")
    assert (answer.code, answer.status_text) == (200, "OK")
    refused = await post_cxml(client, document.replace("$KEY", "another key"), "/cxml")
    assert refused.code == 401


async def test_the_curl_graphql_example_signs_in_and_queries_with_the_token(
    client: httpx.AsyncClient,
) -> None:
    await load_demo(VAULT, companies=50, password="demo-harbour-lantern")
    section = README.split("## Calling the API with curl", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the README lost its curl example of a GraphQL call"
    script = block.group(1)
    urls = re.findall(r"curl -s (\S+)", script)
    assert urls == ["http://127.0.0.1:8000/graphql"] * 2
    login, query = (json.loads(body) for body in re.findall(r"-d '(\{.*?\})'", script))
    picker = re.search(r"python3 -c '(.*?)'\)", script)
    assert picker, "the README's example lost how it picks the token"

    signed_in = await client.post("/graphql", json=login)
    # The token, picked out of the answer by the example's own one-liner.
    token = subprocess.run(
        [sys.executable, "-c", picker.group(1)],
        input=signed_in.text,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert len(token) > 20
    answer = await client.post("/graphql", json=query, headers={"Authorization": f"Bearer {token}"})
    edges = answer.json()["data"]["companies"]["edges"]
    assert edges[0]["node"]["name"] == "Acme Supplies Ltd"
    assert edges[0]["node"]["code"] == "C000042"
    stranger = await client.post("/graphql", json=query)
    assert stranger.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_the_frontend_operations_are_in_the_readme() -> None:
    for name in (
        "LOGIN",
        "VIEWER",
        "COMPANY_SEARCH",
        "COMPANY_DETAILS",
        "ADD_PUNCHOUT_CUSTOMER",
        "ROLE_SEARCH",
        "ASSIGN_ROLE",
        "REMOVE_ROLE",
        "CUSTOMER_DETAILS",
    ):
        operation = getattr(operations, name).strip()
        assert operation in README, name


def test_every_graphql_example_is_valid_against_the_schema() -> None:
    from graphql import parse, validate

    from graph.schema import schema

    blocks = re.findall(r"```graphql\n(.*?)```", README, re.S)
    assert len(blocks) >= 4
    for block in blocks:
        errors = validate(schema._schema, parse(block))
        assert errors == [], (block, errors)
