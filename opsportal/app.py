"""The ASGI app, composed in one function from routes, middleware and a lifespan."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from cross_web import HTTPException  # what strawberry raises to refuse a request
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from tortoise.connection import get_connection

from cxml.route import PATHS as CXML_PATHS
from cxml.route import cxml_endpoint
from cxml.start import PATH as START_PATH
from cxml.start import start_endpoint
from domain import retention
from domain.key_vault import KeyVault
from graph import attachment_download, request_body
from graph.codes import Code, extensions
from graph.context import Context
from graph.early_lookup import asks_for_caller
from graph.schema import schema
from opsportal import logs
from opsportal.config import Settings
from opsportal.slow_clients import BodyDeadline
from opsportal.startup import STARTUP, retention_policies, started
from pages import console, graphiql, storefront
from pages.assets import ASSETS
from pages.security_headers import SecurityHeaders
from persistence.sql import is_postgres
from persistence.sqlite_checkpoints import checkpoints_apart
from persistence.sqlite_merges import merges_apart

log = logging.getLogger("opsportal")


MAX_GRAPHQL_BODY = 256 * 1024  # the frontend's largest operation is a few kilobytes


class BodyLimit:
    """Answers 413 to a request body over `limit` bytes, declared or streamed."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Any, receive: Any, send: Any) -> None:
        response = JSONResponse(
            {
                "errors": [
                    {
                        "message": f"The request body is over {self.limit} bytes.",
                        "extensions": extensions(Code.PAYLOAD_TOO_LARGE),
                    }
                ]
            },
            status_code=413,
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with our typed context."""

    def __init__(self, settings: Settings) -> None:
        # GET carries no mutations and no queries either: one way in, as JSON POST.
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=False)
        self.settings = settings

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as exc:  # strawberry's refusals, and ours: a GraphQL error body
            response = request_body.refusal(exc.reason, exc.status_code)
        except ClientDisconnect:
            # Gone mid-body, or past the body's deadline (answered 408 already): there is no
            # one to answer, and nothing went wrong here (it was a traceback in the log).
            return
        await response(scope, receive, send)

    async def execute_operation(  # noqa: PLR0913 - strawberry's signature
        self,
        request: Any,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: Any,
        sub_response: Any,
    ) -> Any:
        # On PostgreSQL only: SQLite's statements run on this thread (sqlite_inline), with
        # nothing to overlap.
        if (
            is_postgres()
            and isinstance(request_data, GraphQLRequestData)
            and asks_for_caller(request_data.query)
        ):
            context.start_caller_lookup()
            await asyncio.sleep(0)  # its statement goes out now, before parsing begins
        return await super().execute_operation(
            request=request,
            request_adapter=request_adapter,
            request_data=request_data,
            context=context,
            root_value=root_value,
            sub_response=sub_response,
        )

    def decode_json(self, data: str | bytes) -> object:
        try:
            return request_body.decode_body(data)
        except request_body.BadRequestBody as exc:
            raise HTTPException(400, str(exc)) from None

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(request=request, settings=self.settings, vault=request.app.state.vault)

    async def render_graphql_ide(self, request: Any) -> Response:
        # Ours, not strawberry's: every file from this server (pages/graphiql), none from a CDN.
        return graphiql.page_response()


async def healthz(request: Request) -> Response:
    try:
        await get_connection("default").execute_query("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        log.exception("health check failed")
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def _freeze_startup_objects() -> None:
    """Keep the objects of the started app (schema, ORM, modules: some 65,000) out of the
    garbage collector's full passes, which otherwise walk them all, 17-33 ms each time, a
    pause that lands on whichever request is running (the latency's p99)."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, vault: KeyVault | None = None) -> Starlette:
    """The whole server. Given a vault, the caller has opened the database and run the
    start-up steps (tests); otherwise the app's lifespan does, with the configured KEK."""
    settings = settings or Settings.from_env()
    logs.install()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        purging = retention.scheduled(retention_policies(settings), settings.retention_interval)
        if vault is not None:
            async with purging:
                yield
            return
        async with started(settings.database_url, settings.key_vault(), STARTUP) as opened:
            app.state.vault = opened
            _freeze_startup_objects()
            # In the background: old log entries dropped, SQLite's log checkpointed and its
            # word indexes merged.
            async with purging, checkpoints_apart(), merges_apart():
                yield

    graphql = GraphQLApp(settings)
    cxml = cxml_endpoint(settings)
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(BodyDeadline, timeout=settings.body_timeout),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                allow_credentials=False,  # bearer tokens only, never cookies
            )
        )
    app = Starlette(
        routes=[
            Route("/graphql", BodyLimit(graphql, MAX_GRAPHQL_BODY), methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            *(Route(path, cxml, methods=["POST"]) for path in CXML_PATHS),
            Route(START_PATH, start_endpoint(settings), methods=["GET"]),
            Route(attachment_download.PATH, attachment_download.download, methods=["GET"]),
            Mount(ASSETS.prefix, app=ASSETS),
            *console.routes(),  # the staff's console: / and its screens' deep links
            *storefront.routes(settings),  # the buyer's shop during a punchout: /storefront
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.vault = vault  # None until the lifespan's start-up steps open the vault
    return app
