"""Re-download the pinned GraphiQL assets from the npm registry and rewrite `vendor/`.

    python -m pages.graphiql.refresh

Needs Node's `npm` (it runs `npm pack NAME@VERSION`, which checks each tarball against the
registry's integrity hash). It replaces `vendor/` with the files named in PINS, each package's
licence beside its files, and `vendor/MANIFEST.json` (versions, the tarballs' integrity, the
sha256 of every file), which tests/test_graphiql_assets.py checks. To move to another
version: edit PINS, run this, then run the GraphiQL tests (the browser ones among them).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from pages.npm import npm_pack, sha256

VENDOR = Path(__file__).resolve().parent / "vendor"
MANIFEST = VENDOR / "MANIFEST.json"


@dataclass(frozen=True)
class Pin:
    """One npm package: which of its files to keep, under vendor/<folder>/."""

    name: str
    version: str
    folder: str
    files: tuple[str, ...] = ()  # paths inside the tarball's package/ folder
    # Where the licence text comes from when the tarball has none of its own.
    licence_from: str | None = None
    note: str = ""  # put before the licence text
    licence: str = "LICENSE"  # its file name under vendor/<folder>/


PINS: tuple[Pin, ...] = (
    Pin("react", "18.2.0", "react", ("umd/react.production.min.js",)),
    Pin("react-dom", "18.2.0", "react-dom", ("umd/react-dom.production.min.js",)),
    Pin("graphiql", "3.8.3", "graphiql", ("graphiql.min.js", "graphiql.min.css")),
    # 3.2.5 is the explorer release for @graphiql/react 0.28, the one graphiql 3.8.3 bundles.
    Pin(
        "@graphiql/plugin-explorer",
        "3.2.5",
        "graphiql-plugin-explorer",
        ("dist/index.umd.js", "dist/style.css"),
        licence_from="graphiql",
        note="The npm package @graphiql/plugin-explorer 3.2.5 declares the MIT licence and "
        "ships no licence file; it is published from the same repository as graphiql "
        "(graphql/graphiql), whose licence, as shipped in graphiql 3.8.3, follows.",
    ),
    # Bundled inside the explorer plugin's UMD build: kept for its licence only.
    Pin(
        "graphiql-explorer",
        "0.9.0",
        "graphiql-plugin-explorer",
        licence="LICENSE.graphiql-explorer",
        note="graphiql-explorer 0.9.0 is bundled inside index.umd.js; its licence follows.",
    ),
)


class Package(TypedDict):
    version: str
    integrity: str
    files: dict[str, str]  # vendor path: sha256


class Manifest(TypedDict):
    source: str
    packages: dict[str, Package]


def refresh(vendor: Path = VENDOR) -> Manifest:
    packages: dict[str, Package] = {}
    with tempfile.TemporaryDirectory() as scratch:
        work, fresh = Path(scratch), Path(scratch) / "vendor"
        unpacked: dict[str, Path] = {}
        for pin in PINS:
            source, integrity = npm_pack(pin.name, pin.version, work)
            unpacked[pin.name] = source
            target = fresh / pin.folder
            target.mkdir(parents=True, exist_ok=True)
            for name in pin.files:
                shutil.copyfile(source / name, target / Path(name).name)
            text = (unpacked[pin.licence_from or pin.name] / "LICENSE").read_text()
            if pin.note:
                text = f"{pin.note}\n\n{text}"
            (target / pin.licence).write_text(text)
            files = [Path(name).name for name in pin.files] + [pin.licence]
            packages[pin.name] = {
                "version": pin.version,
                "integrity": integrity,
                "files": {f"{pin.folder}/{n}": sha256(target / n) for n in files},
            }
        manifest: Manifest = {"source": "npm registry, by `npm pack`", "packages": packages}
        (fresh / MANIFEST.name).write_text(json.dumps(manifest, indent=2) + "\n")
        if vendor.exists():
            shutil.rmtree(vendor)
        shutil.copytree(fresh, vendor)
    return manifest


def main() -> None:
    try:
        manifest = refresh()
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or exc
        sys.exit(f"refresh failed: {str(detail).strip().splitlines()[-1]}")
    for name, package in manifest["packages"].items():
        print(f"{name}@{package['version']}: {', '.join(package['files'])}")


if __name__ == "__main__":
    main()
