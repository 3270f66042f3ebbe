"""Where `opsportal serve` listens, and the public URL it writes into setupUrl and StartPage
URLs: given by OPSPORTAL_PUBLIC_URL, or else derived from --host and --port."""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from opsportal.config import ConfigError

WILDCARDS = {"0.0.0.0", "::", ""}  # noqa: S104 - names for "every address", compared only


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    @property
    def listening_url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}"

    @property
    def reachable_url(self) -> str:
        """The listening URL, with a wildcard host replaced by this machine's loopback."""
        if self.host in WILDCARDS:
            loopback = "::1" if self.host == "::" else "127.0.0.1"
            return f"http://{_url_host(loopback)}:{self.port}"
        return self.listening_url

    def serves(self, public_url: str) -> bool:
        """Whether `public_url` points at this listening address itself (no proxy between)."""
        parts = urlsplit(public_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if parts.scheme != "http" or port != self.port:
            return False
        host = (parts.hostname or "").lower()
        if self.host in WILDCARDS:
            return True
        aliases = {self.host.lower()}
        if self.host in ("127.0.0.1", "::1", "localhost"):
            aliases |= {"127.0.0.1", "::1", "localhost"}
        return host in aliases


def start_line(address: Address, public_url: str, given: bool) -> str:
    """What the start-up line says about the public URL."""
    if not given:
        note = "  public URL: " + public_url
        if address.host in WILDCARDS:
            note += " (listening on every address: set OPSPORTAL_PUBLIC_URL to the one buyers use)"
        return note
    if address.serves(public_url):
        return f"  public URL: {public_url} (OPSPORTAL_PUBLIC_URL)"
    return (
        f"  public URL: {public_url} (OPSPORTAL_PUBLIC_URL: not where this server listens, "
        "so a proxy is to forward it here)"
    )


def bind(address: Address) -> socket.socket:
    """The listening socket, bound before anything is printed: a busy port is one line."""
    family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
    try:
        sock.bind((address.host, address.port))
    except OSError as exc:
        sock.close()
        where = f"{_url_host(address.host)}:{address.port}"
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"Port {address.port} is in use on {address.host} (another server?): "
                "stop it or choose another with --port."
            ) from None
        if exc.errno == errno.EACCES:
            raise ConfigError(
                f"Not allowed to listen on {where}: ports below 1024 need privileges; "
                "choose another with --port."
            ) from None
        reason = exc.strerror or str(exc)
        raise ConfigError(f"Cannot listen on {where}: {reason}.") from None
    sock.set_inheritable(True)  # worker processes serve from it
    return sock
