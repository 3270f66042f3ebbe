"""`POST /storefront/return`: the page that hands the cart back to the buyer's procurement system.

A Content-Security-Policy's `form-action` names where a page's forms may post. The shop's page
cannot name the buyer's system: it is the same for every session (the credential is in the URL
fragment, which the browser never sends), so its policy allows posting to this server alone.
"Return cart to procurement" posts the credential here, in a same-origin form's body (never a
URL, so never in a log or a Referer); this answer names the one origin of that session's
BrowserFormPost URL in its `form-action`, and its script (`return.js`) calls
`transferPunchoutCart` with the credential from `sessionStorage` and posts what it returns
there. A form injected into either page can post nowhere else. See docs/security.md.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain import storefront
from domain.cart_transfer import return_url
from domain.errors import CartRefused
from opsportal.config import STOREFRONT_PATH, Settings
from pages.assets import ASSETS
from pages.security_headers import content_security_policy, html_headers

PATH = STOREFRONT_PATH + "/return"
FIELD = "session"  # the form field that carries the credential
MAX_BODY = 4096  # a credential is 47 characters
HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?")

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{title}</title>
<link rel="icon" href="{icon}" type="image/svg+xml">
<link rel="stylesheet" href="{console_css}">
<link rel="stylesheet" href="{storefront_css}">
{script}</head>
<body>
<main id="main" class="handoff" data-return-origin="{origin}">
<h1>{title}</h1>
<p id="handoff-status" role="status">{text}</p>
<div id="handoff-problem"></div>
<form id="handoff" method="post" accept-charset="UTF-8" hidden></form>
<p><a href="{back}" id="handoff-back"{back_hidden}>Back to the cart</a></p>
<noscript><p>The storefront needs JavaScript to hand the cart back.</p></noscript>
</main>
</body>
</html>
"""


def policy_origin(url: str) -> str | None:
    """The origin of a URL the transfer accepts, written as a browser writes it (`new
    URL(url).origin`: lower case, the host in ASCII, no default port) for the policy's
    `form-action`; None if its host is one a policy cannot name."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").encode("idna").decode("ascii"), parts.port
    except (UnicodeError, ValueError):
        return None
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    elif not HOST.fullmatch(host):
        return None  # e.g. "a;b": it would end the directive
    scheme = parts.scheme.lower()
    default = {"https": 443, "http": 80}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


def same_origin(request: Request) -> bool:
    """Whether a browser sent this POST from a page of this server. Browsers say so in
    `Sec-Fetch-Site`, or older ones in `Origin`; a client that sends neither is no browser,
    so no page of another site can have made it post."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


def page(title: str, text: str, origin: str | None, *, status: int, back: bool = False) -> Response:
    """The hand-off page: with an `origin`, the one its `form-action` allows, and its script
    that hands the cart back (which shows "Back to the cart" if it fails); without, a page
    that says why not and posts nowhere (`back`: the session is still open)."""
    script = origin is not None
    body = PAGE.format(
        title=html.escape(title),
        text=html.escape(text),
        origin=html.escape(origin or ""),
        icon=ASSETS.versioned("/pages/console/icon.svg"),
        console_css=ASSETS.versioned("/pages/console/console.css"),
        storefront_css=ASSETS.versioned("/pages/storefront/storefront.css"),
        script=(
            f'<script type="module" src="{ASSETS.versioned("/pages/storefront/return.js")}">'
            "</script>\n"
            if script
            else ""
        ),
        back=STOREFRONT_PATH,
        back_hidden="" if back else " hidden",
    )
    allowed = origin or "'none'"
    policy = content_security_policy().replace("form-action 'self'", f"form-action {allowed}")
    headers = {**html_headers(policy), "Cache-Control": "no-store"}
    return HTMLResponse(body, status_code=status, headers=headers)


async def _credential(request: Request) -> str | None:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(FIELD) or []
    return values[0] if len(values) == 1 else None


def endpoint(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    async def answer(request: Request) -> Response:
        if not same_origin(request):
            return page(
                "Refused",
                "A page of another site asked to hand a cart back: nothing was sent.",
                None,
                status=403,
            )
        credential = await _credential(request)
        session = await storefront.session_for(credential) if credential else None
        if session is None:
            return page(
                "Punchout session ended",
                "This punchout session has ended (its cart was returned, or it expired): start "
                "again from your procurement system.",
                None,
                status=410,
            )
        try:  # the transfer's own rule: a refusal here would be the transfer's
            origin = policy_origin(return_url(session, settings.allow_http_buyer_urls))
        except CartRefused as refused:
            return page(
                "The cart cannot be handed back", refused.message, None, status=409, back=True
            )
        if origin is None:
            return page(
                "The cart cannot be handed back",
                "The buyer's BrowserFormPost URL names a host this page cannot post to; ask "
                "the buyer to configure another.",
                None,
                status=409,
                back=True,
            )
        return page(
            "Returning your cart",
            "Handing the cart back to your procurement system…",
            origin,
            status=200,
        )

    return answer
