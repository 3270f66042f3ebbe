"""Driving a server with requests, some in flight at once, and timing each: what the
benchmarks share."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

import httpx

T = TypeVar("T")


def lean_client(
    base: str, concurrency: int, *, token: str | None = None, timeout: float = 60
) -> httpx.AsyncClient:
    """An HTTP client that keeps one connection per request in flight, open between
    requests; with a bearer token when given."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout, headers=headers)


async def drive(
    send: Callable[[T], Awaitable[object]], items: Iterable[T], concurrency: int
) -> tuple[float, list[float]]:
    """Send every item, `concurrency` at a time (each worker takes the next item when its
    request is answered); the wall time and each request's latency, in seconds."""
    latencies: list[float] = []
    queue = iter(items)

    async def worker() -> None:
        for item in queue:
            started = time.perf_counter()
            await send(item)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies
