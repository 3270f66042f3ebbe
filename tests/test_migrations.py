"""The migrations describe the models: tortoise's autodetector finds nothing left to migrate."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    # On a copy: were anything to differ, makemigrations would write a migration file.
    shutil.copytree(
        ROOT / "persistence", tmp_path / "persistence", ignore=shutil.ignore_patterns("__pycache__")
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tortoise", "-c", "persistence.database.TORTOISE_ORM"]
        + ["makemigrations"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "No changes detected" in done.stdout + done.stderr
    written = sorted(p.name for p in (tmp_path / "persistence" / "migrations").glob("*.py"))
    assert written == sorted(p.name for p in (ROOT / "persistence" / "migrations").glob("*.py"))
