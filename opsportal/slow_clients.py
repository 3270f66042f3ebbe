"""Deadlines for clients that send slowly: a connection that trickles a request's head, or its
body, one byte at a time would otherwise hold its place for ever (slowloris).

uvicorn closes idle keep-alive connections (timeout_keep_alive) but sets no deadline on a
request's head, and none on its body: the head's is `HeadDeadline`, a protocol class handed to
uvicorn; the body's is `BodyDeadline`, an ASGI middleware around the whole app.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from opsportal.config import Settings


class HeadDeadline(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head (request line and
    headers) has not arrived `head_timeout` seconds after the connection opened or the last
    response was sent."""

    # protocol_for() sets it; workers started by uvicorn's supervisor (which get this class by
    # name) read it from the environment, as their app does.
    head_timeout: float | None = None
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if HeadDeadline.head_timeout is None and type(self).head_timeout is None:
            HeadDeadline.head_timeout = Settings.from_env().head_timeout
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the head is in: the body is BodyDeadline's
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.our_state is h11.IDLE:  # kept alive: the next head gets its own deadline
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        assert self.head_timeout is not None
        self._head_timer = self.loop.call_later(self.head_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def protocol_for(settings: Settings) -> type[HeadDeadline]:
    """The protocol class for uvicorn's `http=` option, with this server's head deadline."""
    return type("HeadDeadline", (HeadDeadline,), {"head_timeout": settings.head_timeout})


class _TooSlow(Exception):
    pass


class BodyDeadline:
    """Answers 408 Request Timeout when a request's body has not fully arrived within
    `timeout` seconds of its first read; the app sees a disconnected client.

    A route that answers without reading the body its request announced (GET /healthz, a 404
    or 405, the StartPage) starts no deadline: uvicorn would then keep the connection for as
    long as the rest of the body trickles in, ignoring it. Such an answer closes the
    connection instead (`Connection: close`), as the body's remainder is never read."""

    def __init__(self, app: Any, timeout: float) -> None:
        self.app, self.timeout = app, timeout

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline: float | None = None
        timed_out = received = started = False
        announced = _announces_body(scope)

        async def timed_receive() -> Any:
            nonlocal deadline, timed_out, received
            if timed_out:
                return {"type": "http.disconnect"}
            if received:  # the whole body is in: the app may wait for a disconnect at leisure
                return await receive()
            if deadline is None:
                deadline = time.monotonic() + self.timeout
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                timed_out = True
                if not started:
                    await _request_timeout(send)
                return {"type": "http.disconnect"}
            received = message.get("type") != "http.request" or not message.get("more_body")
            return message

        async def guarded_send(message: Any) -> None:
            nonlocal started
            if timed_out:
                return  # answered already (408); what the app says after that goes nowhere
            if message["type"] == "http.response.start":
                started = True
                if announced and not received:  # the rest of the body would hold it open
                    message = {**message, "headers": [*message.get("headers", ()), _CLOSE]}
            await send(message)

        await self.app(scope, timed_receive, guarded_send)


_CLOSE = (b"connection", b"close")


def _announces_body(scope: Any) -> bool:
    """Whether the request's head announces a body (a length above 0, or chunks)."""
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding":
            return True
        if name == b"content-length":
            return value.strip() not in (b"", b"0")
    return False


async def _request_timeout(send: Any) -> None:
    body = b"The request body did not arrive in time.\n"
    await send(
        {
            "type": "http.response.start",
            "status": 408,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
