"""Running a command's work with the database open, and a database that cannot be reached told
in one line (which database, where, why) instead of a driver's traceback."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from urllib.parse import urlsplit

from tortoise.exceptions import DBConnectionError

from domain.key_vault import KeyVault
from opsportal.config import ConfigError, Settings
from opsportal.startup import CHECK_VAULT, STARTUP, WITHOUT_KEYS, started


def _postgres_refusals() -> tuple[type[BaseException], ...]:
    import asyncpg

    return (
        asyncpg.InvalidAuthorizationSpecificationError,  # wrong password, unknown role
        asyncpg.InvalidCatalogNameError,  # no such database
        asyncpg.CannotConnectNowError,  # starting up or shutting down
        asyncpg.TooManyConnectionsError,
        asyncpg.PostgresConnectionError,
    )


def unreachable(settings: Settings, exc: BaseException) -> ConfigError:
    """The one line for a database that could not be opened."""
    url = settings.database_url
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://").split("?", 1)[0]
        return ConfigError(f"The SQLite database {path} cannot be opened: {exc}.")
    parts = urlsplit(url)
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    if isinstance(exc, TimeoutError):
        reason = "no answer in time"
    elif isinstance(exc, ConnectionRefusedError):
        reason = "connection refused"
    elif isinstance(exc, OSError) and exc.strerror:
        reason = exc.strerror.lower()
    else:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ConfigError(
        f"PostgreSQL at {where} is unreachable ({reason}); check DATABASE_URL "
        f"({settings.database_shown}) and that the server runs."
    )


def _check_sqlite_folder(settings: Settings) -> None:
    # aiosqlite, failing to open a file in a missing folder, leaves tortoise waiting forever.
    url = settings.database_url
    if not url.startswith("sqlite://"):
        return
    path = url.removeprefix("sqlite://").split("?", 1)[0]
    if path not in ("", ":memory:") and not Path(path).resolve().parent.is_dir():
        raise ConfigError(
            f"The SQLite database {path} cannot be opened: its folder does not exist."
        )


def run_with_database(
    settings: Settings,
    work: Callable[[KeyVault | None], Awaitable[int]],
    *,
    keys: bool = True,
    check_keys: bool = True,
) -> int:
    """Run `work` with the database open; `keys=False` for work that never touches keys
    (which then needs no key-encryption key)."""
    refusals: tuple[type[BaseException], ...] = (
        OSError,
        TimeoutError,
        DBConnectionError,
        sqlite3.OperationalError,
        *_postgres_refusals(),
    )

    _check_sqlite_folder(settings)

    async def main() -> int:
        vault = settings.key_vault() if keys else None
        steps = STARTUP if check_keys else tuple(s for s in STARTUP if s is not CHECK_VAULT)
        async with AsyncExitStack() as stack:
            try:
                await stack.enter_async_context(
                    started(settings.database_url, vault, steps if keys else WITHOUT_KEYS)
                )
            except refusals as exc:
                raise unreachable(settings, exc) from None
            return await work(vault)

    return asyncio.run(main())
