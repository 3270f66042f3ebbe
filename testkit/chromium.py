"""Debian's chromium as Playwright drives it, for the browser tests and the console's
benchmarks: where it is, and the flags that keep it quiet and self-contained."""

from __future__ import annotations

import os

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Quiet and self-contained: no updates, sync, first-run pages or other background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
]


def chromium_executable() -> str:
    """The chromium to drive: OPSPORTAL_CHROMIUM, else Debian's."""
    return os.environ.get("OPSPORTAL_CHROMIUM", DEFAULT_CHROMIUM)
