"""The shared helpers' own rules: the benchmarks' percentile, lean client and load drivers."""

from __future__ import annotations

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import pytest

from testkit.load import IDLE, LeanClient, alternating, in_flight, one_at_a_time
from testkit.stats import Figures, percentile, ratio_row


def test_percentile_is_the_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    random.Random(3).shuffle(samples)
    assert [percentile(samples, q) for q in (0, 0.01, 0.5, 0.95, 0.99, 1)] == [
        1,
        1,
        50,
        95,
        99,
        100,
    ]
    assert percentile([0.2, 0.1, 0.3], 0.5) == 0.2
    assert percentile([0.2, 0.1], 0.5) == 0.1  # a sample, not the mean of two
    assert percentile([7.0], 0.99) == 7.0
    with pytest.raises(ValueError):
        percentile([], 0.5)
    with pytest.raises(ValueError):
        percentile([1.0], 95)


def test_figures_are_in_requests_per_second_and_milliseconds() -> None:
    figures = Figures.of(2.0, [0.001] * 9 + [0.5])
    assert figures.rps == 5
    assert (figures.p50, figures.p95, figures.p99) == (1.0, 500.0, 500.0)
    assert figures.row("x", 4).split() == ["x", "5", "1.00", "500.00", "500.00"]
    floor = Figures(rps=10, p50=0.5, p95=100, p99=250)
    assert ratio_row("x", figures, floor, 4).split() == ["x", "0.50x", "2.00x", "5.00x", "2.00x"]


def test_in_flight_sends_everything_with_one_request_per_client_at_a_time() -> None:
    lock, in_flight_now, most, sent = threading.Lock(), 0, 0, []
    clients: list[Any] = [object(), object(), object()]
    used: set[int] = set()

    def send(client: Any, item: int) -> None:
        nonlocal in_flight_now, most
        with lock:
            in_flight_now += 1
            most = max(most, in_flight_now)
            used.add(id(client))
        time.sleep(0.002)
        with lock:
            sent.append(item)
            in_flight_now -= 1

    run = in_flight(clients, send, range(30))
    assert sorted(sent) == list(range(30)) and len(run.latencies) == 30
    assert most == 3 and used == {id(c) for c in clients}
    assert run.seconds >= sum(run.latencies) / 3 * 0.9
    assert run.figures.rps == pytest.approx(30 / run.seconds)


def test_in_flight_raises_what_a_send_raised() -> None:
    def send(client: Any, item: int) -> None:
        if item == 5:
            raise AssertionError("answer 5 was wrong")

    with pytest.raises(AssertionError, match="answer 5"):
        in_flight([object(), object()], send, range(20))


def test_alternating_takes_the_workloads_in_turn() -> None:
    order: list[str] = []

    def send(client: Any, item: str) -> None:
        order.append(item)

    runs = alternating(cast(Any, None), {"a": (send, ["a1", "a2", "a3"]), "b": (send, ["b1"])})
    assert order == ["a1", "b1", "a2", "a3"]
    assert [len(runs[n].latencies) for n in "ab"] == [3, 1]
    assert runs["a"].seconds == pytest.approx(sum(runs["a"].latencies))


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    connections: set[int] = set()

    def do_POST(self) -> None:  # noqa: N802 - the handler's name
        _Echo.connections.add(id(self.connection))
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = json.dumps(
            {"body": body.decode(), "authorization": self.headers.get("Authorization")}
        ).encode()
        self.send_response(201)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


def test_the_lean_client_keeps_one_connection_open_between_requests() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Echo.connections.clear()
    try:
        client = LeanClient(f"http://127.0.0.1:{server.server_port}", token="t0k")
        run = one_at_a_time(client, lambda c, n: c.graphql("{ n }", {"n": n}), range(5))
        answer = client.post("/x", b"raw", "text/xml")
        assert answer.status == 201
        assert answer.json() == {"body": "raw", "authorization": "Bearer t0k"}
        assert client.graphql("{ a }").json()["body"] == '{"query":"{ a }"}'
        assert len(run.latencies) == 5 and run.client_ms > 0
        assert len(_Echo.connections) == 1
        client.used -= IDLE + 1  # as if idle for longer than the server keeps connections
        client.post("/x", b"again")
        assert len(_Echo.connections) == 2
        client.close()
    finally:
        server.shutdown()
        server.server_close()
