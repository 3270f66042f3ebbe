"""GET /orders/attachments/{id}: an order's attachment, for the staff who reach the order.

Authorized exactly as the order is in the API: the staff bearer token (`Authorization:
Bearer ...`, as /graphql takes it) and the order's scope rule (`reachable_orders`). Signed out,
out of scope or unknown: the same 404, never the bytes, nor a hint that the file exists.

The bytes are the buyer's, served under our origin: always as a download (Content-Disposition:
attachment), never sniffed into another type, and under a sandboxing policy that lets nothing
run, should a browser render them all the same.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from domain import signin
from domain.attachment_access import reachable_attachment
from graph.attachments import DOWNLOAD_PATH
from graph.context import bearer_token
from pages.security_headers import html_headers

PATH = DOWNLOAD_PATH + "{attachment_id:int}"
SANDBOX = "default-src 'none'; sandbox; frame-ancestors 'none'"
# RFC 5987's attr-char beside letters and digits: what filename*= may hold unencoded.
_ATTR_CHARS = "!#$&+-.^_`|~"
_MEDIA_TYPE = re.compile(r"[\x21-\x7e]+/[\x21-\x7e]+(; charset=[\x21-\x7e]+)?")


def content_disposition(file_name: str | None, fallback: str) -> str:
    """`attachment` with the file's name as RFC 6266 gives it: `filename*` in UTF-8, percent-
    encoded (RFC 5987), and a plain ASCII `filename` for clients that read only that. The
    name's folders (C:\\path\\, ../) and control characters are left out."""
    name = re.split(r"[/\\]", file_name or "")[-1]
    name = "".join(c for c in name if c.isprintable()).strip() or fallback
    plain = "".join(c if c.isascii() and c not in '"\\%' else "_" for c in name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"


async def download(request: Request) -> Response:
    token = bearer_token(request)
    viewer = await signin.viewer_for_token(token) if token else None
    attachment_id = int(request.path_params["attachment_id"])
    found = await reachable_attachment(viewer, attachment_id)
    headers = {
        **html_headers(SANDBOX),
        "Cache-Control": "private, no-store",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if found is None:
        return PlainTextResponse("Not Found\n", status_code=404, headers=headers)
    media_type = found.content_type
    if not _MEDIA_TYPE.fullmatch(media_type):
        media_type = "application/octet-stream"
    headers["Content-Type"] = media_type
    headers["Content-Disposition"] = content_disposition(
        found.file_name, f"attachment-{attachment_id}"
    )
    return Response(bytes(found.data), headers=headers)
