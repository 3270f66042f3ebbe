"""The `opsportal` command run as a user runs it: a process in a working folder, with an
environment that holds none of this machine's opsportal settings."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def clean_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without OPSPORTAL_* and DATABASE_URL, plus `extra`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPSPORTAL_") and k != "DATABASE_URL"
    }
    return {**clean, **(extra or {})}


def opsportal(
    cwd: str | Path, *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`opsportal ARGS...` in `cwd`, run to its end; `env` adds to the clean environment."""
    return subprocess.run(
        [sys.executable, "-m", "opsportal.cli", *args],
        cwd=cwd,
        env=clean_environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
