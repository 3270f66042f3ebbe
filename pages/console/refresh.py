"""Re-download the console's pinned library (Preact, htm) and the tests' axe-core from the npm
registry, and rewrite `pages/console/vendor/` and `tests/vendor/`.

    python -m pages.console.refresh

Needs Node's `npm` (it runs `npm pack NAME@VERSION`, which checks each tarball against the
registry's integrity hash); nothing else of Node is used, at build or run time. Each file is
kept as published, with two edits the browser needs (recorded in the manifest): the bare
import `from "preact"` in the hooks module becomes a relative URL (no import map: that would
be an inline script), and `//# sourceMappingURL=` lines go (the maps are not shipped). Each
package's licence goes beside its files; `MANIFEST.json` records versions, the tarballs'
integrity and every file's sha256, which tests/test_console_assets.py checks.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pages.npm import npm_pack, sha256

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_VENDOR = ROOT / "pages" / "console" / "vendor"
TESTS_VENDOR = ROOT / "tests" / "vendor"
SOURCE_MAP = re.compile(r"\n?//# sourceMappingURL=\S+\s*$")


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    vendor: Path
    files: tuple[str, ...]  # paths inside the tarball's package/ folder
    licence: str = "LICENSE"  # the tarball's licence file


PINS: tuple[Pin, ...] = (
    Pin(
        "preact", "10.29.8", CONSOLE_VENDOR, ("dist/preact.module.js", "hooks/dist/hooks.module.js")
    ),
    Pin("htm", "3.1.1", CONSOLE_VENDOR, ("dist/htm.module.js",)),
    Pin("axe-core", "4.14.1", TESTS_VENDOR, ("axe.min.js",), licence="LICENSE"),
)
IMPORTS = {'from"preact"': 'from"./preact.module.js"', 'from "preact"': 'from "./preact.module.js"'}


def adapt(text: str) -> str:
    """The two edits: relative imports, no source map reference."""
    for bare, relative in IMPORTS.items():
        text = text.replace(bare, relative)
    return SOURCE_MAP.sub("\n", text)


def refresh() -> dict[Path, dict[str, object]]:
    manifests: dict[Path, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        staged: dict[Path, Path] = {}
        for pin in PINS:
            source, integrity = npm_pack(pin.name, pin.version, work)
            fresh = staged.setdefault(pin.vendor, work / "fresh" / str(len(staged)))
            target = fresh / pin.name
            target.mkdir(parents=True, exist_ok=True)
            for name in pin.files:
                text = (source / name).read_text(encoding="utf-8")
                (target / Path(name).name).write_text(adapt(text), encoding="utf-8")
            shutil.copyfile(source / pin.licence, target / "LICENSE")
            files = [Path(name).name for name in pin.files] + ["LICENSE"]
            packages = manifests.setdefault(pin.vendor, {})
            packages[pin.name] = {
                "version": pin.version,
                "integrity": integrity,
                "files": {f"{pin.name}/{n}": sha256(target / n) for n in files},
            }
        for vendor, fresh in staged.items():
            manifest = {
                "source": "npm registry, by `npm pack` (python -m pages.console.refresh)",
                "edits": "bare 'preact' imports made relative; sourceMappingURL lines removed",
                "packages": manifests[vendor],
            }
            (fresh / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
            if vendor.exists():
                shutil.rmtree(vendor)
            shutil.copytree(fresh, vendor)
    return manifests


def main() -> None:
    try:
        manifests = refresh()
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or exc
        sys.exit(f"refresh failed: {str(detail).strip().splitlines()[-1]}")
    for vendor, packages in manifests.items():
        for name, package in packages.items():
            print(f"{vendor.relative_to(ROOT)}: {name}@{package['version']}")  # type: ignore[index]


if __name__ == "__main__":
    main()
