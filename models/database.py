"""Opening the database: tortoise configuration, and migrations applied on start."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from models import MODEL_MODULES

DEFAULT_DATABASE_URL = "sqlite://opsportal.sqlite3"


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The tortoise configuration for one database URL (sqlite://... or postgres://...)."""
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection(database_url: str) -> str | dict[str, Any]:
    if database_url.startswith(("postgres://", "postgresql://")):
        # A custom plan per execution: a cached generic plan cannot use the prefix
        # indexes (a LIKE/range bound is only known at execution).
        sep = "&" if "?" in database_url else "?"
        return f"{database_url}{sep}server_settings__plan_cache_mode=force_custom_plan"
    return database_url


# `tortoise makemigrations` reads this (tortoise -c models.database.TORTOISE_ORM ...).
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))


async def migrate_database(database_url: str) -> None:
    """Create or upgrade the schema to the newest migration."""
    await migrate(config=tortoise_config(database_url))


@asynccontextmanager
async def open_database(database_url: str) -> AsyncIterator[None]:
    """Migrate, then keep the ORM open for the duration of the block."""
    await migrate_database(database_url)
    try:
        yield
    finally:
        await connections.close_all()


def dialect() -> str:
    """'sqlite' or 'postgres', for the few places where SQL differs."""
    return connections.get("default").capabilities.dialect


__all__ = ["Tortoise", "dialect", "migrate_database", "open_database", "tortoise_config"]
