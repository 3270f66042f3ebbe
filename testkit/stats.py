"""Latency figures for the benchmarks: one percentile formula, one way to print a row."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest sample that at least a fraction `q` (0 to 1) of all the
    samples do not exceed. Always one of the samples; the median is percentile(s, 0.5)."""
    if not samples:
        raise ValueError("no samples")
    if not 0 <= q <= 1:
        raise ValueError(f"q must be from 0 to 1, not {q}")
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


@dataclass(frozen=True)
class Figures:
    """Throughput and latency (milliseconds) of one workload."""

    rps: float
    p50: float
    p95: float
    p99: float

    @classmethod
    def of(cls, seconds: float, latencies: Sequence[float]) -> Figures:
        """From the workload's wall time and each request's latency, in seconds."""
        ms = [latency * 1000 for latency in latencies]
        return cls(
            rps=len(ms) / seconds,
            p50=percentile(ms, 0.50),
            p95=percentile(ms, 0.95),
            p99=percentile(ms, 0.99),
        )

    def row(self, name: str, width: int = 38) -> str:
        return (
            f"{name:<{width}} {self.rps:>8.0f} {self.p50:>8.2f} {self.p95:>8.2f} {self.p99:>8.2f}"
        )


def ratio_row(name: str, figures: Figures, floor: Figures, width: int = 38) -> str:
    """`figures` over `floor`, column by column (throughput, then each latency), as Figures.row
    prints them: the line under a workload and its floor measured in the same run."""
    return (
        f"{name:<{width}} {figures.rps / floor.rps:>7.2f}x {figures.p50 / floor.p50:>7.2f}x "
        f"{figures.p95 / floor.p95:>7.2f}x {figures.p99 / floor.p99:>7.2f}x"
    )


def header(width: int = 38, first: str = "") -> str:
    """The column names above Figures.row lines."""
    return f"{first:<{width}} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
