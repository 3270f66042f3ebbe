"""Security headers on every HTML answer, whichever route rendered it."""

from __future__ import annotations

import httpx

from pages.security_headers import STRICT, content_security_policy


async def test_the_start_pages_gone_answer_carries_them(client: httpx.AsyncClient) -> None:
    gone = await client.get("/punchout/start/no-such-token")
    assert gone.status_code == 410 and gone.headers["content-type"].startswith("text/html")
    assert gone.headers["content-security-policy"] == content_security_policy()
    assert gone.headers["x-frame-options"] == "DENY"
    assert gone.headers["x-content-type-options"] == "nosniff"
    assert gone.headers["referrer-policy"] == "no-referrer"
    assert gone.headers["cache-control"] == "no-store"  # the route's own, kept
    assert gone.headers.get_list("referrer-policy") == ["no-referrer"]  # not sent twice


async def test_other_answers_are_not_sniffed(client: httpx.AsyncClient) -> None:
    for answer in (
        await client.get("/healthz"),
        await client.post("/graphql", json={"query": "{ __typename }"}),
        await client.get("/no-such-page"),
    ):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" not in answer.headers


def test_the_strict_policy_allows_only_this_origin() -> None:
    policy = content_security_policy()
    assert policy.startswith("default-src 'self'; script-src 'self'; style-src 'self';")
    assert "'unsafe" not in policy and "data:" not in policy and "*" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    widened = content_security_policy({"img-src": ["data:", "'self'"]})
    assert "img-src 'self' data:;" in widened  # added once, after the strict sources
    assert set(STRICT) <= {d.split()[0] for d in widened.split("; ")}
