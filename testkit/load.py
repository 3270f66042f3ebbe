"""The benchmarks' one HTTP client, and the two ways they drive a server with it.

Lean on purpose: Python's `http.client` on a kept-alive connection, one request at a time on
it, headers built once, nothing parsed but the status and the body. A heavier client hides
the server's time in its own (httpx cost about 3.7 ms a request on the project's machine, more
than the server's answer to `{ __typename }`). A figure and its floor go through the same
client, and every run says what the client itself cost: `Run.client_ms`, this process's CPU
per request (user and system, the threads' included).

- `one_at_a_time(client, send, items)`: sequential latency on one connection.
- `alternating(client, workloads)`: the same, with several workloads' requests in turn.
- `in_flight(clients, send, items)`: throughput with one thread per connection, each sending
  its next request when its answer is in (so `len(clients)` in flight).
- `in_rounds(clients, workloads, rounds)`: the same for several workloads taking turns.
- `process_cpu(pid)`: the server's own CPU time, for its CPU per request beside the latency.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit

from testkit.stats import Figures

T = TypeVar("T")


class Answer(NamedTuple):
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


IDLE = 2.0  # seconds; uvicorn closes a connection idle for 5 s (its timeout_keep_alive)


class LeanClient:
    """One kept-alive HTTP/1.1 connection to `base` (http://host:port), with a bearer token
    when given. A connection idle for over IDLE seconds is opened anew before the next
    request, rather than finding out on sending that the server closed it (no request is
    ever sent twice)."""

    def __init__(self, base: str, *, token: str | None = None, timeout: float = 60) -> None:
        url = urlsplit(base)
        self.connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=timeout)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.used = 0.0

    def post(self, path: str, body: bytes, content_type: str = "application/json") -> Answer:
        return self._send("POST", path, body, {**self.headers, "Content-Type": content_type})

    def get(self, path: str) -> Answer:
        return self._send("GET", path, None, self.headers)

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        if self.connection.sock is not None and time.monotonic() - self.used > IDLE:
            self.connection.close()
        # (http.client sends headers and a bytes body in one send, with TCP_NODELAY set, and
        # opens the connection itself when it is closed.)
        self.connection.request(method, path, body, headers)
        response = self.connection.getresponse()
        answer = Answer(response.status, response.read())
        self.used = time.monotonic()
        return answer

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> Answer:
        """POST /graphql; the body as sent by a browser (compact JSON)."""
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        return self.post("/graphql", json.dumps(payload, separators=(",", ":")).encode())

    def close(self) -> None:
        self.connection.close()


@contextmanager
def connections(
    base: str, count: int, *, token: str | None = None, timeout: float = 60
) -> Iterator[list[LeanClient]]:
    """`count` clients, each its own connection; closed afterwards."""
    clients = [LeanClient(base, token=token, timeout=timeout) for _ in range(count)]
    try:
        yield clients
    finally:
        for client in clients:
            client.close()


@dataclass(frozen=True)
class Run:
    """A workload's wall time, each request's latency and the client's CPU, in seconds."""

    seconds: float
    latencies: list[float]
    client_cpu: float
    server_cpu: float | None = None  # of the server's process, when known (see process_cpu)

    @property
    def figures(self) -> Figures:
        return Figures.of(self.seconds, self.latencies)

    @property
    def client_ms(self) -> float:
        """The client's own CPU per request, in milliseconds."""
        return self.client_cpu / len(self.latencies) * 1000 if self.latencies else 0.0

    @property
    def server_ms(self) -> float | None:
        """The server process's CPU per request, in milliseconds (None: not measured)."""
        if self.server_cpu is None or not self.latencies:
            return None
        return self.server_cpu / len(self.latencies) * 1000


def process_cpu(pid: int) -> Callable[[], float] | None:
    """A reading of process `pid`'s CPU time so far (user and system, all its threads), in
    seconds; None where /proc does not tell (not Linux). A server's CPU per request moves far
    less with the machine's other load than its latency does."""
    path = f"/proc/{pid}/stat"
    try:
        open(path).close()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        with open(path) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    return read


def one_at_a_time(
    client: LeanClient, send: Callable[[LeanClient, T], object], items: Iterable[T]
) -> Run:
    """`send(client, item)` for every item, each after the last is answered."""
    latencies: list[float] = []
    cpu, started = time.process_time(), time.perf_counter()
    for item in items:
        begun = time.perf_counter()
        send(client, item)
        latencies.append(time.perf_counter() - begun)
    return Run(time.perf_counter() - started, latencies, time.process_time() - cpu)


def alternating(
    client: LeanClient, workloads: dict[str, tuple[Callable[[LeanClient, Any], object], list[Any]]]
) -> dict[str, Run]:
    """The workloads' requests taken in turn on one connection (one of each, then the next of
    each), so that a change in the machine's load falls on all of them alike: a figure and
    its floor from the same minutes. Each Run's `seconds` is the sum of its latencies."""
    names = list(workloads)
    latencies: dict[str, list[float]] = {name: [] for name in names}
    longest = max(len(items) for _, items in workloads.values())
    cpu = time.process_time()
    for index in range(longest):
        for name in names:
            send, items = workloads[name]
            if index < len(items):
                begun = time.perf_counter()
                send(client, items[index])
                latencies[name].append(time.perf_counter() - begun)
    cpu = time.process_time() - cpu
    total = sum(len(mine) for mine in latencies.values())
    return {name: Run(sum(mine), mine, cpu * len(mine) / total) for name, mine in latencies.items()}


def in_flight(
    clients: Sequence[LeanClient], send: Callable[[LeanClient, T], object], items: Iterable[T]
) -> Run:
    """Every item sent, one thread per client: `len(clients)` requests in flight. A failed
    send stops the run and is raised."""
    queue, lock = iter(items), threading.Lock()
    latencies: list[list[float]] = [[] for _ in clients]
    failures: list[BaseException] = []
    start = threading.Barrier(len(clients) + 1)

    def worker(client: LeanClient, mine: list[float]) -> None:
        start.wait()
        while not failures:
            with lock:
                item = next(queue, _END)
            if item is _END:
                return
            begun = time.perf_counter()
            try:
                send(client, item)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                failures.append(exc)
                return
            mine.append(time.perf_counter() - begun)

    threads = [
        threading.Thread(target=worker, args=(c, m), daemon=True)
        for c, m in zip(clients, latencies, strict=True)
    ]
    for thread in threads:
        thread.start()
    cpu = time.process_time()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if failures:
        raise failures[0]
    return Run(seconds, [latency for mine in latencies for latency in mine], cpu)


Workloads = dict[str, tuple[Callable[[LeanClient, Any], object], list[Any]]]


def in_rounds(
    clients: Sequence[LeanClient],
    workloads: Workloads,
    rounds: int,
    server: Callable[[], float] | None = None,
) -> dict[str, Run]:
    """in_flight for each workload, its items cut into `rounds` slices and the workloads
    taking turns slice by slice, so that a change in the machine's load falls on all of them
    alike (a figure and its floor from the same minutes); each Run sums its slices, with the
    server's CPU when `server` reads it (process_cpu)."""
    runs: dict[str, list[Run]] = {name: [] for name in workloads}
    for index in range(rounds):
        for name, (send, items) in workloads.items():
            size = -(-len(items) // rounds)
            before = server() if server else None
            run = in_flight(clients, send, items[index * size : (index + 1) * size])
            used = server() - before if server and before is not None else None
            runs[name].append(Run(run.seconds, run.latencies, run.client_cpu, used))
    return {name: _summed(parts) for name, parts in runs.items()}


def _summed(parts: list[Run]) -> Run:
    cpu = [p.server_cpu for p in parts]
    return Run(
        sum(p.seconds for p in parts),
        [latency for p in parts for latency in p.latencies],
        sum(p.client_cpu for p in parts),
        None if any(c is None for c in cpu) else sum(c for c in cpu if c is not None),
    )


_END: Any = object()
