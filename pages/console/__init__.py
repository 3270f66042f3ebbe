"""The operations console: the staff's pages, a client of the public GraphQL API alone.

`index.html` is one shell for every screen: `/`, `/companies...` and `/customers...` all
answer it, and `app.js` (plain ES modules, with Preact and htm from `vendor/`, see
`refresh.py`) draws the screen the URL names, through the History API. Every request it
sends is a GraphQL operation a third-party frontend could send (`operations.js`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from pages.assets import ASSETS, Assets
from pages.security_headers import html_headers

HERE = Path(__file__).resolve().parent
# The screens' URLs (see routes.js): the same shell answers each, the script draws the screen.
PATHS = ("/", "/companies", "/companies/{rest:path}", "/customers/{rest:path}")
_ASSET_URL = re.compile(r'(?<=")/pages/[^"?#]+(?=")')


@cache
def page_html(assets: Assets = ASSETS) -> str:
    """index.html, each `/pages/...` URL in it given its content version, and a modulepreload
    for every module app.js imports, so the browser fetches them at once rather than level
    by level. Those keep their plain URLs (a module is known by its URL: the imports name
    them without a version), revalidated by ETag."""
    html = (HERE / "index.html").read_text()
    html = _ASSET_URL.sub(lambda match: assets.versioned(match.group()), html)
    preloads = "".join(f'<link rel="modulepreload" href="{url}">\n' for url in module_urls(assets))
    return html.replace("<!-- modules -->\n", preloads)


def module_urls(assets: Assets = ASSETS) -> list[str]:
    """The console's modules but its entry, vendored ones included, by URL."""
    prefix = f"{assets.prefix}/console/"
    entry = f"{prefix}app.js"
    return [
        assets.prefix + path
        for path in assets.files
        if path.startswith("/console/") and path.endswith(".js") and assets.prefix + path != entry
    ]


async def shell(request: Request) -> Response:
    # The strict policy (self only, no inline script or style); revalidated on every visit.
    headers = {**html_headers(), "Cache-Control": "no-cache"}
    return HTMLResponse(page_html(), headers=headers)


def routes() -> list[BaseRoute]:
    return [Route(path, shell, methods=["GET", "HEAD"]) for path in PATHS]
