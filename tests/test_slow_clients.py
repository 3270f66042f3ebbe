"""Slow clients (issue 15, item 17): a request's head or body trickled one byte at a time does
not hold its connection for ever. Real servers, raw sockets."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from domain.key_vault import new_kek
from testkit.command import clean_environment
from testkit.postgres import create_database
from testkit.servers import Server, start_server

DEADLINES = {"OPSPORTAL_HEADER_TIMEOUT_SECONDS": "1", "OPSPORTAL_BODY_TIMEOUT_SECONDS": "1"}


@contextmanager
def server_with_deadlines(
    tmp_path: Path, database_url: str | None, workers: int = 1
) -> Iterator[Server]:
    env = clean_environment({**DEADLINES, "OPSPORTAL_KEY_ENCRYPTION_KEY": new_kek()})
    server = start_server(database_url, tmp_path, env=env, workers=workers, start_timeout=60)
    try:
        yield server
    finally:
        server.stop()


def trickle(port: int, data: bytes, seconds: float) -> tuple[bytes, float]:
    """Send `data` a byte every 0.2 s for at most `seconds`; what came back, and when the
    server answered or closed the connection (seconds from the start)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=seconds + 5) as conn:
        conn.settimeout(0.2)
        received = b""
        for byte in data:
            if time.monotonic() - started > seconds:
                break
            try:
                conn.sendall(bytes([byte]))
            except OSError:  # closed by the server
                return received, time.monotonic() - started
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return received, time.monotonic() - started
            if not chunk:
                return received, time.monotonic() - started
            received += chunk
            if b"\r\n\r\n" in received:
                conn.settimeout(5)
                try:
                    while more := conn.recv(65536):
                        received += more
                except OSError:
                    pass
                return received, time.monotonic() - started
    return received, time.monotonic() - started


def trickle_after(port: int, head: bytes, seconds: float) -> tuple[bytes, float]:
    """Send `head`, then a byte every 0.2 s, reading all the while; what came back, and when
    the server closed the connection (seconds from the start; `seconds` if it never did)."""
    started = time.monotonic()
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=seconds + 5) as conn:
        conn.sendall(head)
        conn.settimeout(0.2)
        while time.monotonic() - started < seconds:
            try:
                conn.sendall(b"1")
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:  # closed (reset) by the server
                break
            if not chunk:
                break
            received += chunk
    return received, min(time.monotonic() - started, seconds)


SLOW_HEAD = b"POST /graphql HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 200 + b"\r\n\r\n"
SLOW_BODY = (
    b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 200\r\n\r\n"
)


def check_deadlines(server: Server) -> None:
    received, seconds = trickle(server.port, SLOW_HEAD, 20)
    assert seconds < 10, "a request head trickled a byte at a time held the connection"
    assert received == b""  # closed without an answer: there was no request to answer

    body = SLOW_BODY + b'{"query": "' + b"x" * 200
    # The head goes at once; the body trickles.
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as conn:
        conn.sendall(SLOW_BODY)
        started = time.monotonic()
        conn.settimeout(0.2)
        answer = b""
        for byte in body[len(SLOW_BODY) :]:
            try:
                conn.sendall(bytes([byte]))
                answer += conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if answer:
                break
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert time.monotonic() - started < 10

    # A body announced to a route that never reads it (an answer at once, then the rest of
    # the body trickled to keep the connection): the answer closes the connection.
    for request in (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
        b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
        b"GET /punchout/start/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
    ):
        answer, seconds = trickle_after(server.port, request, 10)
        assert answer.startswith(b"HTTP/1.1 "), answer[:200]
        assert seconds < 5, f"{request[:30]!r}: held {seconds:.1f} s after its answer"

    # A prompt client is unaffected, on a kept-alive connection too.
    with httpx.Client(base_url=server.base) as client:
        for _ in range(3):
            ok = client.post("/graphql", json={"query": "{ __typename }"})
            assert ok.json() == {"data": {"__typename": "Query"}}
            time.sleep(0.4)


def test_slow_heads_and_bodies_are_cut_off(tmp_path: Path) -> None:
    with server_with_deadlines(tmp_path, None) as server:
        check_deadlines(server)


@pytest.mark.usefixtures("postgres_url")
async def test_every_worker_has_the_deadlines(postgres_url: str, tmp_path: Path) -> None:
    url = await create_database(postgres_url, "opsportal_slow_clients")
    with server_with_deadlines(tmp_path, url, workers=2) as server:
        check_deadlines(server)
