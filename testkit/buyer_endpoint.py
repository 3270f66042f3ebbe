"""A buyer's procurement system, as far as the end of a punchout goes: an HTTP endpoint on
loopback that records what a browser posts to it (the PunchOutOrderMessage of a returned cart,
in a `cxml-urlencoded` or `cxml-base64` form field) and answers a short page.

For the browser tests, and for trying the built-in storefront by hand:

    python -m testkit.buyer_endpoint --port 9000

prints the BrowserFormPost URL to give in a setup request, then each cart it receives (the
PunchOutOrderMessage, and its lines and total in a few words), until Ctrl-C. An http URL on
loopback is a BrowserFormPost URL only where the server allows http ones
(OPSPORTAL_ALLOW_HTTP_BUYER_URLS=1).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import html
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs

from lxml import etree

from testkit.documents import SAFE_XML

PATH = "/punchout/return"
MAX_BODY = 10 * 1024 * 1024
FIELDS = ("cxml-urlencoded", "cxml-base64")


@dataclass(frozen=True)
class Line:
    quantity: str
    supplier_part_id: str
    unit_price: str
    currency: str
    description: str


@dataclass(frozen=True)
class Received:
    """One post of a browser: the path, the form field that carried the document, and the
    document (None when the post carried none, or one that is no XML)."""

    path: str
    form_field: str | None
    document: bytes | None
    headers: dict[str, str] = field(default_factory=dict)

    def root(self) -> etree._Element:
        assert self.document is not None, "the post carried no cXML document"
        return etree.fromstring(self.document, SAFE_XML)

    @property
    def buyer_cookie(self) -> str | None:
        return self.root().findtext(".//PunchOutOrderMessage/BuyerCookie")

    @property
    def total(self) -> tuple[str | None, str | None]:
        money = self.root().find(".//PunchOutOrderMessageHeader/Total/Money")
        return (None, None) if money is None else (money.text, money.get("currency"))

    @property
    def lines(self) -> list[Line]:
        found = []
        for item in self.root().iter("ItemIn"):
            price = item.find("ItemDetail/UnitPrice/Money")
            found.append(
                Line(
                    quantity=item.get("quantity") or "",
                    supplier_part_id=item.findtext("ItemID/SupplierPartID") or "",
                    unit_price=(price.text or "") if price is not None else "",
                    currency=(price.get("currency") or "") if price is not None else "",
                    description=item.findtext("ItemDetail/Description") or "",
                )
            )
        return found

    def summary(self) -> str:
        """The cart in a few lines: what a person checks first."""
        if self.document is None:
            return f"POST {self.path}: no cxml-urlencoded or cxml-base64 field"
        amount, currency = self.total
        cookie = self.buyer_cookie
        said = [f"cart received at {self.path} ({self.form_field}), BuyerCookie {cookie!r}"]
        said += [
            f"  {x.quantity} x {x.supplier_part_id} at {x.unit_price} {x.currency}: {x.description}"
            for x in self.lines
        ]
        return "\n".join([*said, f"  total {amount} {currency}"])


def _document(form: dict[str, list[str]]) -> tuple[str | None, bytes | None]:
    for name in FIELDS:
        if name in form:
            value = form[name][0]
            if name == "cxml-urlencoded":
                return name, value.encode("utf-8")
            try:
                return name, base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                return name, None
    return None, None


class BuyerEndpoint:
    """The endpoint on a free loopback port (or `port`), serving in a thread of its own."""

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        on_receive: Callable[[Received], None] | None = None,
    ) -> None:
        self.received: list[Received] = []
        self._arrived = threading.Condition()
        self._on_receive = on_receive
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """The BrowserFormPost URL to give in a setup request."""
        return self.origin + PATH

    def start(self) -> BuyerEndpoint:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> BuyerEndpoint:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_for(self, count: int = 1, timeout: float = 30) -> Received:
        """The `count`-th post, once it has arrived; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"no post number {count} within {timeout:.0f} s"
                self._arrived.wait(left)
            return self.received[count - 1]

    def _record(self, received: Received) -> None:
        with self._arrived:
            self.received.append(received)
            self._arrived.notify_all()
        if self._on_receive is not None:
            self._on_receive(received)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                self._answer(
                    200,
                    "Buyer endpoint",
                    f"<p>Give <code>{html.escape(endpoint.url)}</code> as the BrowserFormPost "
                    f"URL of a setup request; {len(endpoint.received)} cart(s) received.</p>",
                )

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    self._answer(413, "Too large", "<p>The body is over 10 MiB.</p>")
                    return
                body = self.rfile.read(length).decode("utf-8", "replace")
                name, document = _document(parse_qs(body, keep_blank_values=True))
                received = Received(self.path, name, document, dict(self.headers.items()))
                endpoint._record(received)
                if document is None:
                    self._answer(400, "No cart", "<p>No cxml-urlencoded or cxml-base64 field.</p>")
                    return
                said = html.escape(received.summary())
                self._answer(200, "Cart received", f"<pre id='cart'>{said}</pre>")

            def _answer(self, status: int, title: str, content: str) -> None:
                page = (
                    f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                    f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
                    f"{content}</body></html>"
                ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Security-Policy", "default-src 'none'")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, format: str, *args: object) -> None:
                pass  # each cart is printed by the command line, not each request

        return Handler


def _print(received: Received) -> None:
    print("-" * 72)
    print(received.summary())
    if received.document is not None:
        try:
            shown = etree.tostring(received.root(), pretty_print=True, encoding="unicode")
        except etree.XMLSyntaxError as error:
            shown = f"(not XML: {error})"
        print(shown, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m testkit.buyer_endpoint",
        description="Record and print the carts a browser posts back from a punchout.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1 (loopback)")
    parser.add_argument("--port", type=int, default=9000, help="default: 9000")
    args = parser.parse_args(argv)
    endpoint = BuyerEndpoint(args.port, args.host, on_receive=_print)
    print(f"Buyer endpoint: BrowserFormPost URL {endpoint.url} (Ctrl-C stops)", flush=True)
    try:
        endpoint.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.server.server_close()


if __name__ == "__main__":
    main()
