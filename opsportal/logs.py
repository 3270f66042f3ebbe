"""Logging that never carries a secret: database drivers' debug lines lose their values."""

from __future__ import annotations

import logging

# tortoise logs every statement with its parameter values at DEBUG: an API key being stored,
# a password hash, a start token's hash. The statements stay; their values do not.
DB_LOGGER = "tortoise.db_client"


class DropStatementValues(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 2:
            record.args = (record.args[0], "[values not logged]")
        return True


class DropDebug(logging.Filter):
    """aiosqlite's DEBUG lines print each call with its arguments, values included."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def install() -> None:
    """Idempotent: safe to call from every entry point."""
    for name, kind in ((DB_LOGGER, DropStatementValues), ("aiosqlite", DropDebug)):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
