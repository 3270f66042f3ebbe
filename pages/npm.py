"""Taking published files from the npm registry, for the pages' vendored libraries (each
page's `refresh.py` says which packages and files)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
from pathlib import Path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def npm_pack(name: str, version: str, into: Path) -> tuple[Path, str]:
    """The unpacked package/ folder of NAME@VERSION, and the tarball's integrity (npm checks
    the tarball against the registry's integrity hash)."""
    done = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(into)],
        capture_output=True,
        text=True,
        check=True,
    )
    (packed,) = json.loads(done.stdout)
    unpacked = into / "unpacked" / name.replace("/", "-")
    with tarfile.open(into / packed["filename"]) as tar:
        tar.extractall(unpacked, filter="data")
    return unpacked / "package", str(packed["integrity"])
