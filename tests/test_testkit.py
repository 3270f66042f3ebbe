"""The shared helpers' own rules: the benchmarks' percentile and load driver."""

from __future__ import annotations

import asyncio
import random

import pytest

from testkit.load import drive
from testkit.stats import Figures, percentile


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


async def test_drive_sends_everything_with_at_most_concurrency_in_flight() -> None:
    in_flight, most, sent = 0, 0, []

    async def send(item: int) -> None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.001)
        sent.append(item)
        in_flight -= 1

    seconds, latencies = await drive(send, range(20), 3)
    assert sorted(sent) == list(range(20)) and len(latencies) == 20
    assert most == 3
    assert seconds >= sum(latencies) / 3 * 0.9
