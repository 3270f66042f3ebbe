"""The pages' files, served by this server under `/pages/...` with long cache lifetimes.

Only the files of this package with an asset's suffix (or a LICENSE) are served, never its
Python modules. A page names an asset by its plain path (`/pages/graphiql/boot.js`);
`Assets.versioned` adds `?v=` and the first 16 hex digits of the file's sha256. A request
carrying the current digest is cached for a year (`immutable`): a changed file gets a new
URL. Any other request must revalidate (`no-cache`), which the content-based ETag makes a
304. Text files are sent gzipped to browsers that accept it (compressed once, on first use,
in a worker thread: GraphiQL's 3.5 MB script takes a quarter of a second).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

ROOT = Path(__file__).resolve().parent
PREFIX = "/pages"
SUFFIXES = {".js", ".css", ".graphql", ".json", ".svg", ".png", ".woff2"}
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".graphql": "application/graphql; charset=utf-8",
    ".json": "application/json",
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@dataclass
class Asset:
    path: Path

    @cached_property
    def body(self) -> bytes:
        return self.path.read_bytes()

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:16]

    @property
    def compressible(self) -> bool:
        return self.media_type.startswith(("text/", "application/"))

    @cached_property
    def gzipped(self) -> bytes:
        return gzip.compress(self.body, compresslevel=6, mtime=0)

    @cached_property
    def media_type(self) -> str:
        if self.path.name.startswith("LICENSE"):
            return "text/plain; charset=utf-8"
        suffix = self.path.suffix
        return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(self.path.name)[0] or "text/plain"


def _servable(path: Path) -> bool:
    return path.is_file() and (path.suffix in SUFFIXES or path.name.startswith("LICENSE"))


class Assets:
    """An ASGI app for the files under `root`, mounted at `prefix`."""

    def __init__(self, root: Path = ROOT, prefix: str = PREFIX) -> None:
        self.prefix = prefix
        self.files = {
            "/" + path.relative_to(root).as_posix(): Asset(path)
            for path in sorted(root.rglob("*"))
            if _servable(path) and "__pycache__" not in path.parts
        }

    def versioned(self, url: str) -> str:
        """`url` (under the prefix) with the file's current digest; KeyError if no such file."""
        asset = self.files[url.removeprefix(self.prefix)]
        return f"{url}?v={asset.digest}"

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        response = await self.answer(request)
        await response(scope, receive, send)

    async def answer(self, request: Request) -> Response:
        asset = self.files.get(request.scope["path"].removeprefix(self.prefix))
        if asset is None:
            return PlainTextResponse("Not Found", status_code=404)
        if request.method not in ("GET", "HEAD"):
            return PlainTextResponse(
                "Method Not Allowed", status_code=405, headers={"Allow": "GET, HEAD"}
            )
        cache = IMMUTABLE if request.query_params.get("v") == asset.digest else REVALIDATE
        etag = f'W/"{asset.digest}"'  # weak: the same for the gzipped and the plain body
        headers = {"ETag": etag, "Cache-Control": cache, "Vary": "Accept-Encoding"}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        body = asset.body
        if asset.compressible and "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            body = await to_thread.run_sync(lambda: asset.gzipped)
        # HEAD: the server sends the headers of this answer without its body.
        return Response(body, headers=headers, media_type=asset.media_type)


ASSETS = Assets()
