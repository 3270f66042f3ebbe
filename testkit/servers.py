"""Running `opsportal serve` as its own process and waiting until it answers /healthz.

For the benchmarks, the fault scripts and the tests that start real servers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from testkit.ports import free_port


class ServerDidNotStart(RuntimeError):
    pass


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

    def stop(self, timeout: float = 30) -> str:
        """SIGTERM, and wait for the exit (SIGKILL after `timeout` seconds); what it wrote to
        a pipe, if its output went to one."""
        self.process.terminate()
        try:
            output = self.process.communicate(timeout=timeout)[0]
        except subprocess.TimeoutExpired:
            self.process.kill()
            output = self.process.communicate()[0]
        return output or ""


def start_server(
    database_url: str | None,
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

    `env` is the whole environment (default: this process's); OPSPORTAL_PUBLIC_URL is set to
    the server's address, and DATABASE_URL to `database_url` unless that is None (then the
    environment's, or the default: a SQLite file in `cwd`). On failure the process is killed."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {**(os.environ if env is None else env), "OPSPORTAL_PUBLIC_URL": base}
    if database_url is not None:
        environment["DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "opsportal.cli", "serve", "--port", str(port)]
    if workers != 1:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command, cwd=cwd, env=environment, stdout=stdout, stderr=stderr, text=True
    )
    try:
        wait_healthy(base, process, start_timeout)
    except BaseException as exc:
        process.kill()
        said = "".join(part or "" for part in process.communicate())  # what went to pipes
        if isinstance(exc, ServerDidNotStart) and said.strip():
            raise ServerDidNotStart(f"{exc}; its output ended:\n{said[-2000:]}") from None
        raise
    return Server(process, base, port)


def read_into_page_cache(database_url: str) -> None:
    """A SQLite database's files read once, into the system's page cache: a file last read
    hours ago (other work has since had the memory) makes a benchmark's first thousand
    requests read the disk, and measure it rather than the server (a typeahead over a
    million companies: p50 3.35x of the floor cold, 2.2-2.4x warm, minutes apart)."""
    if not database_url.startswith("sqlite://"):
        return
    path = database_url.removeprefix("sqlite://").split("?", 1)[0]
    for name in (path, f"{path}-wal"):
        try:
            with open(name, "rb") as file:
                while file.read(1 << 22):
                    pass
        except FileNotFoundError:
            pass


@contextmanager
def served(database_url: str, cwd: str, start_timeout: float = 120) -> Iterator[Server]:
    """The running server (its address, its process), its SQLite files read first (see
    read_into_page_cache); stopped afterwards."""
    read_into_page_cache(database_url)
    try:
        server = start_server(database_url, cwd, start_timeout=start_timeout)
    except ServerDidNotStart as exc:
        raise SystemExit(f"the server did not start: {exc}") from None
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def serving(database_url: str, cwd: str, start_timeout: float = 120) -> Iterator[str]:
    """The server's base URL while it runs; stopped afterwards."""
    with served(database_url, cwd, start_timeout) as server:
        yield server.base
