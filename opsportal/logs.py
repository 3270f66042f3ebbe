"""Logging that never carries a secret: database drivers' debug lines lose their values, and
the access log loses the one-time token of a StartPage URL."""

from __future__ import annotations

import logging
import re

from opsportal.config import START_PATH

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


class HideStartTokens(logging.Filter):
    """uvicorn's access log prints each request's path, and a StartPage URL's path is a one-time
    credential for a buyer's shop session."""

    PATTERN = re.compile(re.escape(START_PATH) + r"[^\s?\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.PATTERN.sub(START_PATH + "[token]", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


FILTERS = (
    (DB_LOGGER, DropStatementValues),
    ("aiosqlite", DropDebug),
    ("uvicorn.access", HideStartTokens),
)


def install() -> None:
    """Idempotent: safe to call from every entry point."""
    for name, kind in FILTERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
