"""The built-in storefront: the shop a buyer's employee sees during a punchout, at `/storefront`.

`index.html` is its one page; `app.js` (plain ES modules, with Preact and htm through the
console's `lib.js`, and the console's request helpers) reads the session credential from the
URL fragment the StartPage redirect carries (`#session=pos_...`), removes it from the address
bar and keeps it in `sessionStorage`, and talks to the storefront operations of the GraphQL
API with it alone. Handing the cart back goes through `/storefront/return` (see `handoff.py`):
the one page whose policy lets a form post to the buyer's procurement system.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from opsportal.config import STOREFRONT_PATH, Settings
from pages.assets import ASSETS, Assets
from pages.security_headers import html_headers
from pages.storefront import handoff

HERE = Path(__file__).resolve().parent
ENTRY = "/storefront/app.js"
_ASSET_URL = re.compile(r'(?<=")/pages/[^"?#]+(?=")')
_IMPORT = re.compile(r'^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}/[^"]+)"', re.MULTILINE)


def imports(assets: Assets, entry: str) -> list[str]:
    """Every module `entry` imports, directly or not (relative imports, as the browser
    follows them), by path under the assets' prefix; the console's shared ones included."""
    found: list[str] = []
    todo = [entry]
    while todo:
        path = todo.pop()
        text = assets.files[path].body.decode("utf-8")
        for relative in _IMPORT.findall(text):
            target = str(Path(path).parent.joinpath(relative)).replace("\\", "/")
            parts: list[str] = []
            for part in target.split("/"):
                if part == "..":
                    parts.pop()
                elif part not in ("", "."):
                    parts.append(part)
            target = "/" + "/".join(parts)
            if target not in found and target in assets.files:
                found.append(target)
                todo.append(target)
    return sorted(found)


@cache
def page_html(assets: Assets = ASSETS) -> str:
    """index.html, its `/pages/...` URLs versioned by content, and a modulepreload for every
    module app.js imports (as the console's shell has; see pages/console)."""
    html = (HERE / "index.html").read_text()
    html = _ASSET_URL.sub(lambda match: assets.versioned(match.group()), html)
    preloads = "".join(
        f'<link rel="modulepreload" href="{assets.prefix}{path}">\n'
        for path in imports(assets, ENTRY)
    )
    return html.replace("<!-- modules -->\n", preloads)


async def shop(request: Request) -> Response:
    # The page is the same for every session (the credential is in the fragment, which the
    # browser never sends): revalidated on every visit, never stored with a session in it.
    # The strict policy: its one form posts to /storefront/return, on this server.
    headers = {**html_headers(), "Cache-Control": "no-cache"}
    return HTMLResponse(page_html(), headers=headers)


def routes(settings: Settings) -> list[BaseRoute]:
    return [
        Route(STOREFRONT_PATH, shop, methods=["GET", "HEAD"]),
        Route(handoff.PATH, handoff.endpoint(settings), methods=["POST"]),
    ]
