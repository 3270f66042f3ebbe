"""The StartPage URL a setup response hands out: opened once, in the buyer's browser."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from domain import storefront
from domain.errors import SessionGone
from opsportal.config import START_PATH, Settings

PATH = START_PATH + "{token}"
# Nothing of these pages may be cached, or leak the URL to another site.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
GONE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Punchout session expired</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Punchout session expired</h1>
<p>This link was used already or is too old:
session expired, start again from your procurement system.</p>
</body></html>
"""


def start_endpoint(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        if request.method == "HEAD":
            # Link previewers and mail scanners send HEAD: the buyer's GET must still open it.
            return Response(headers=PRIVATE)
        token = request.path_params["token"]
        try:
            credential = await storefront.start(token, settings.punchout_session_ttl)
        except SessionGone:
            return HTMLResponse(GONE, status_code=410, headers=PRIVATE)
        # In the fragment: browsers never send it to a server, so it stays out of access logs
        # and Referer headers; the storefront's script reads it from location.hash.
        target = f"{settings.storefront}#session={credential}"
        return RedirectResponse(target, status_code=303, headers=PRIVATE)

    return endpoint
