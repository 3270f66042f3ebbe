"""Running `opsportal serve` as its own process and waiting until it answers /healthz.

Shared by the benchmarks, the fault scripts (bench/faults/) and the tests that start real
servers (tests/test_cli.py, tests/test_workers.py).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx


class ServerDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, process: subprocess.Popen[Any], timeout: float = 120) -> None:
    """Return once GET base/healthz answers 200; ServerDidNotStart if the process ends first
    or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise ServerDidNotStart(f"the server exited with status {process.returncode}")
        if time.monotonic() > deadline:
            raise ServerDidNotStart(f"the server did not answer /healthz within {timeout:.0f} s")
        time.sleep(0.05)


@dataclass
class Server:
    """A running `opsportal serve` process."""

    process: subprocess.Popen[Any]
    base: str
    port: int

    @property
    def pid(self) -> int:
        return self.process.pid


def start_server(
    database_url: str,
    cwd: str | Path,
    *,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    workers: int = 1,
    stdout: int | IO[Any] | None = subprocess.DEVNULL,
    stderr: int | IO[Any] | None = subprocess.PIPE,
    start_timeout: float = 120,
) -> Server:
    """Start `opsportal serve` on a free local port and wait until /healthz answers.

    `env` is the whole environment (default: this process's); DATABASE_URL and
    OPSPORTAL_PUBLIC_URL are set from the arguments. On failure the process is killed."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {
        **(os.environ if env is None else env),
        "DATABASE_URL": database_url,
        "OPSPORTAL_PUBLIC_URL": base,
    }
    command = [sys.executable, "-m", "opsportal.cli", "serve", "--port", str(port)]
    if workers != 1:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command, cwd=cwd, env=environment, stdout=stdout, stderr=stderr, text=True
    )
    try:
        wait_healthy(base, process, start_timeout)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return Server(process, base, port)


@contextmanager
def serving(database_url: str, cwd: str, start_timeout: float = 120) -> Iterator[str]:
    """The server's base URL while it runs; stopped afterwards."""
    try:
        server = start_server(database_url, cwd, start_timeout=start_timeout)
    except ServerDidNotStart as exc:
        raise SystemExit(f"the server did not start: {exc}") from None
    try:
        yield server.base
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
