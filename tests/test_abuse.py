"""GraphQL abuse limits: each refusal is a clear answer, never a 500, and runs nothing."""

from __future__ import annotations

import httpx

from persistence.tables import Company
from tests.conftest import Api, World


async def test_too_deep_too_many_aliases_too_many_tokens(api: Api, world: World) -> None:
    token = world.tokens["administrator"]
    deep = (
        "{ companies { edges { node { customers { edges { node { company { customers { edges {"
        " node { company { customers { edges { node { id } } } } } } } } } } } } } } }"
    )
    aliases = "{ " + " ".join(f"a{i}: viewer {{ email }}" for i in range(40)) + " }"
    tokens = "{ viewer { " + " ".join(["email"] * 3000) + " } }"
    for query, words in ((deep, "depth"), (aliases, "alias"), (tokens, "token")):
        body = await api(query, token=token)
        assert body.get("data") is None
        assert words in body["errors"][0]["message"].lower(), body


async def test_oversized_bodies_get_413(client: httpx.AsyncClient, world: World) -> None:
    padding = " " * (300 * 1024)
    response = await client.post(
        "/graphql",
        content=f'{{"query": "{{ viewer {{ email }} }}{padding}"}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    async def chunks():
        for _ in range(40):
            yield b" " * 8192

    streamed = await client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


async def test_batches_get_mutations_and_odd_content_types_are_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    token = {"Authorization": f"Bearer {world.tokens['administrator']}"}
    create = 'mutation { createCompany(input: {name: "Sneaky", code: "SNK"}) { errors { code } } }'
    batch = await client.post(
        "/graphql", json=[{"query": create}, {"query": create}], headers=token
    )
    assert batch.status_code >= 400
    via_get = await client.get("/graphql", params={"query": create}, headers=token)
    assert via_get.status_code >= 400
    as_text = await client.post(
        "/graphql", content=create, headers={**token, "Content-Type": "text/plain"}
    )
    assert as_text.status_code >= 400
    assert not await Company.filter(code="SNK").exists()


NESTED = """
query Nested($n: Int!) { companies(search: "", first: 50) { edges { node {
  ...Customers
} } } }
fragment Customers on Company { customers(first: $n) { edges { node {
  auditEvents(first: 100) { edges { node { action } } }
} } } }"""


async def test_nested_connections_have_a_cost_bound(api: Api, world: World) -> None:
    token = world.tokens["administrator"]
    # 50 companies + 50 x 3 customers + 50 x 3 x 100 events: within the bound of 20,000.
    fits = await api(NESTED, {"n": 3}, token)
    assert "errors" not in fits and fits["data"]["companies"]["edges"]
    # With forty customers a company, up to 202,050 objects, past ten times the bound of 20,000
    # (an estimate is the worst case): refused before anything runs.
    refused = await api(NESTED, {"n": 40}, token)
    assert refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["TOO_COSTLY"]
    assert "200,000 objects" in refused["errors"][0]["message"]
    # A `first` above 100 counts as 100 (no page is larger).
    inline = (
        '{ companies(search: "", first: 50) { edges { node { customers(first: 1000) '
        "{ edges { node { id } } } } } } }"
    )
    assert "errors" not in await api(inline, token=token)
    deeper = inline.replace(
        "{ edges { node { id } } }",
        "{ edges { node { orders(first: 100) { edges { node { id } } } } } }",
    )
    assert [e["extensions"]["code"] for e in (await api(deeper, token=token))["errors"]] == [
        "TOO_COSTLY"
    ]


async def test_fragments_that_multiply_are_refused_before_validation(
    api: Api, world: World
) -> None:
    import time

    token = world.tokens["administrator"]
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30))
    started = time.perf_counter()
    body = await api(
        f"query {{ ...F0 }} {chain} fragment F30 on Query {{ __typename }}", token=token
    )
    assert time.perf_counter() - started < 5  # 2^30 fields expanded: hours, unguarded
    assert [e["extensions"]["code"] for e in body["errors"]] == ["TOO_COSTLY"]
    cycle = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    assert (await api(cycle, token=token))["errors"]
    used_twice = "query { ...V ...V } fragment V on Query { viewer { email } }"
    assert (await api(used_twice, token=token))["data"]["viewer"]["email"]


async def test_deeply_nested_variables_are_a_clear_error(api: Api, world: World) -> None:
    nested: object = ["x"]
    for _ in range(900):
        nested = [nested]
    response = await api.http.post(
        "/graphql",
        json={
            "query": 'mutation($x: [String!]) { createCompany(input: {name: "N", code: "N1", '
            "assignedStaff: $x}) { errors { code } } }",
            "variables": {"x": nested},
        },
        headers={"Authorization": f"Bearer {world.tokens['administrator']}"},
    )
    # Refused as a body, before GraphQL reads it: no request of ours nests 64 levels deep.
    assert response.status_code == 400
    assert "recursion" not in response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert await Company.filter(code="N1").count() == 0


async def test_heavy_fields_weigh_more(api: Api, world: World) -> None:
    token = world.tokens["administrator"]
    one_log = (
        "query($id: ID!) { customer(id: $id) { cxmlLog(first: 20) "
        "{ edges { node { requestBody responseBody } } } } }"
    )
    # 20 exchanges x 2 bodies of at most 64 KiB: within the 5 MiB bound; the same for every
    # customer of 45 companies (up to 1.1 GiB) is past ten times it, though its 9,945 objects
    # are within their bound.
    assert "errors" not in await api(one_log, {"id": "Q3VzdG9tZXI6MQ=="}, token)
    every_log = (
        '{ companies(search: "", first: 45) { edges { node { customers(first: 20) { edges { node {'
        " cxmlLog(first: 10) { edges { node { requestBody responseBody } } } } } } } } } }"
    )
    refused = (await api(every_log, token=token))["errors"]
    assert [e["extensions"]["code"] for e in refused] == ["TOO_COSTLY"]
    assert "50 MiB" in refused[0]["message"]
