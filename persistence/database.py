"""Opening the database: tortoise configuration, and migrations applied on start."""

from __future__ import annotations

import copy
import importlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

from persistence import MODEL_MODULES

DEFAULT_DATABASE_URL = "sqlite://opsportal.sqlite3"


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The tortoise configuration for one database URL (sqlite://... or postgres://...)."""
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "persistence.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _keep_session(connection: Any) -> None:
    """What the pool does to a connection given back, beyond asyncpg's own clean-up (which
    rolls back a transaction left open): nothing. asyncpg's default sends `RESET ALL`, `CLOSE
    ALL`, `UNLISTEN *` and `pg_advisory_unlock_all()`: a round trip after every statement
    outside a transaction (tortoise takes a pooled connection for each), for session state
    this code never leaves: its settings are `SET LOCAL`, its locks `pg_advisory_xact_lock`,
    it listens to nothing and declares no cursor (tests/test_postgres_sessions.py)."""


def _search_config(database_url: str) -> dict[str, Any] | None:
    """PostgreSQL: the typeahead's own pool, whose statements are planned with their values
    every time (`plan_cache_mode=force_custom_plan`): how far a word's prefix stream reaches
    depends on the word ("c" or "xyl"), which a cached generic plan cannot know. Every other
    statement keeps PostgreSQL's default, a plan cached once it proves as good: planning each
    one cost the database as much as running it (a cXML setup's customer lookup 147 µs of the
    database's CPU, 40 with the cached plan). Not one of tortoise's connections: with two,
    every transaction would have to name its own. None on SQLite (the one connection)."""
    default = _connection(database_url)
    if not isinstance(default, dict) or default["engine"] != "tortoise.backends.asyncpg":
        return None
    search = copy.deepcopy(default)
    search["credentials"]["server_settings"]["plan_cache_mode"] = "force_custom_plan"
    search["credentials"]["reset"] = _keep_session
    return search


def _connection(database_url: str) -> str | dict[str, Any]:
    if database_url.startswith(("postgres://", "postgresql://")):
        config = expand_db_url(database_url.replace("postgresql://", "postgres://", 1))
        config["credentials"].setdefault("server_settings", {})
        config["credentials"].setdefault("reset", _keep_session)
        return config
    if database_url.startswith("sqlite://") and "synchronous=" not in database_url:
        # WAL (tortoise's default) with synchronous=NORMAL: commits survive a crash of the
        # process, and the file never corrupts; only a power loss may undo the last commits.
        # It nearly doubles the cXML setup path's throughput. Give ?synchronous=FULL to choose
        # durability over power loss instead.
        sep = "&" if "?" in database_url else "?"
        database_url = f"{database_url}{sep}synchronous=NORMAL"
    if database_url.startswith("sqlite://"):
        # Tortoise's SQLite client, its statements run without a thread hop each.
        config = expand_db_url(database_url)
        config["engine"] = "persistence.sqlite_inline"
        return config
    return database_url


def __getattr__(name: str) -> Any:
    # `tortoise makemigrations` reads TORTOISE_ORM (tortoise -c persistence.database.TORTOISE_ORM
    # ...); built when asked for, so that importing this module reads no environment.
    if name == "TORTOISE_ORM":
        return tortoise_config(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    raise AttributeError(name)


# Any fixed number: the PostgreSQL advisory lock that lets one process at a time migrate.
MIGRATION_LOCK = 0x6F7073706F7274


async def migrate_database(database_url: str) -> None:
    """Create or upgrade the schema to the newest migration. On PostgreSQL, under an advisory
    lock: several workers or machines starting at once migrate one after the other (the
    later ones find nothing left to do)."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        await migrate(config=tortoise_config(database_url))
        return
    import asyncpg

    lock = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        await lock.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        await migrate(config=tortoise_config(database_url))
    finally:
        await lock.close()  # closing the session releases the lock


@asynccontextmanager
async def open_database(database_url: str) -> AsyncIterator[None]:
    """Migrate, then keep the ORM open for the duration of the block. Nothing else: what the
    server does once the database is open is the list of start-up steps in its lifespan."""
    # A context of its own, so that one process may open one database after another
    # (the test suite runs on SQLite, then on PostgreSQL).
    with TortoiseContext() as ctx:
        # tortoise caches insert statements by connection name, not by engine.
        EXECUTOR_CACHE.clear()
        await migrate_database(database_url)
        # migrate() sets the models up without connections; bind them for queries. The
        # global fallback makes the ORM visible to request tasks, not just this one (as
        # tortoise.contrib.starlette does).
        await ctx.init(config=tortoise_config(database_url), _enable_global_fallback=True)
        try:
            async with _search_pool(database_url):
                yield
        finally:
            await ctx.close_connections()


_search: BaseDBAsyncClient | None = None  # the open database's (see _search_config)


def search_connection() -> BaseDBAsyncClient:
    """Where the typeahead's statements run: PostgreSQL's search pool, or the one SQLite
    connection."""
    return _search or get_connection("default")


@asynccontextmanager
async def _search_pool(database_url: str) -> AsyncIterator[None]:
    global _search
    config = _search_config(database_url)
    if config is None:
        yield
        return
    engine = importlib.import_module(config["engine"])
    client = engine.client_class(**config["credentials"], connection_name="search")
    outer, _search = _search, client
    try:
        yield
    finally:
        _search = outer
        await client.close()


def dialect() -> str:
    """'sqlite' or 'postgres', for the few places where SQL differs."""
    return get_connection("default").capabilities.dialect


__all__ = ["Tortoise", "dialect", "migrate_database", "open_database", "tortoise_config"]
