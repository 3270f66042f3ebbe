"""The HTTP surface around GraphQL: health, GraphiQL, CORS, one way in for operations."""

from __future__ import annotations

import httpx

from opsportal.app import create_app
from opsportal.config import Settings
from testkit.operations import VIEWER
from tests.conftest import VAULT, Api, World


async def test_healthz_answers_when_the_database_does(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_graphiql_is_served_to_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_operations_only_over_post(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get(
        "/graphql",
        params={"query": "{ viewer { email } }"},
        headers={
            "Authorization": f"Bearer {world.tokens['administrator']}",
            "Accept": "application/json",
        },
    )
    assert response.status_code >= 400
    assert "administrator@supplier.example" not in response.text


async def test_cors_only_for_configured_origins(settings: Settings, db: str) -> None:
    configured = Settings(
        database_url=settings.database_url, cors_origins=("https://portal.example.com",)
    )
    for app_settings, origin, allowed in (
        (configured, "https://portal.example.com", True),
        (configured, "https://evil.example.com", False),
        (settings, "https://portal.example.com", False),  # none by default
    ):
        transport = httpx.ASGITransport(app=create_app(app_settings, vault=VAULT))
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
            response = await http.options(
                "/graphql",
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization,content-type",
                },
            )
        header = response.headers.get("access-control-allow-origin")
        assert (header == origin) is allowed, (origin, response.headers)
        assert "access-control-allow-credentials" not in response.headers


async def test_unknown_fields_are_reported_not_masked(api: Api, world: World) -> None:
    body = await api("{ viewer { email password } }", token=world.tokens["administrator"])
    assert "password" in body["errors"][0]["message"]
    assert body.get("data") is None
    body = await api(VIEWER, token=world.tokens["administrator"])
    assert body == {
        "data": {
            "viewer": {
                "email": "administrator@supplier.example",
                "isAdministrator": True,
                "isSuperuser": False,
                "roles": [],
            }
        }
    }
