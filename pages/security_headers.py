"""Security headers: on every HTML answer of the server, whatever route rendered it.

Every HTML answer gets a Content-Security-Policy that allows only this server's own origin
(no inline script, no other site), and may not be framed, sniffed or leak its URL as a
Referer. A page that needs more (GraphiQL's data: fonts) sets its own policy, built here
from the same strict base; the middleware leaves a header a route set alone. Every other
answer gets `X-Content-Type-Options: nosniff`, so a script or style is only ever run as what
its Content-Type says.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SELF = "'self'"
STRICT: dict[str, tuple[str, ...]] = {
    "default-src": (SELF,),
    "script-src": (SELF,),
    "style-src": (SELF,),
    "img-src": (SELF,),
    "font-src": (SELF,),
    "connect-src": (SELF,),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": (SELF,),  # a page that posts to another site must name it
    "frame-ancestors": ("'none'",),
}


def content_security_policy(extra: dict[str, Iterable[str]] | None = None) -> str:
    """The strict policy, with `extra` sources added to the named directives."""
    directives = {name: list(sources) for name, sources in STRICT.items()}
    for name, sources in (extra or {}).items():
        directives.setdefault(name, []).extend(s for s in sources if s not in directives[name])
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def html_headers(csp: str | None = None) -> dict[str, str]:
    """The headers every HTML answer carries (`csp`: a page's own policy)."""
    return {
        "Content-Security-Policy": csp or content_security_policy(),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


_HTML = [(name.lower().encode(), value.encode()) for name, value in html_headers().items()]
_NOSNIFF = (b"x-content-type-options", b"nosniff")


class SecurityHeaders:
    """ASGI middleware: adds the headers above to answers that lack them."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                wanted = _HTML if content_type.lower().startswith(b"text/html") else [_NOSNIFF]
                headers += [(name, value) for name, value in wanted if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
