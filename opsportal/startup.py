"""What happens when the server (or a command) starts: a visible list of named steps, run once
the database is open, each given what it needs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from domain import punchout_keys, rank_spread, ranks, retention
from domain.key_vault import KeyVault, VaultError
from opsportal.config import Settings
from persistence.database import open_database

log = logging.getLogger("opsportal")

# A step is given the vault, or None where the command runs without keys.
Step = tuple[str, Callable[[KeyVault | None], Awaitable[object]]]


def _needed(vault: KeyVault | None) -> KeyVault:
    if vault is None:
        raise VaultError("No key-encryption key is configured for this process.")
    return vault


async def _repair_ranks(vault: KeyVault | None) -> None:
    await ranks.repair_if_needed()


async def _seal_legacy_keys(vault: KeyVault | None) -> None:
    sealed = await punchout_keys.seal_legacy(_needed(vault))
    if sealed:
        log.info("sealed %d PUNCHOUT API Keys stored in the clear by an older version", sealed)


async def _check_vault(vault: KeyVault | None) -> None:
    await punchout_keys.check_vault(_needed(vault))


# In order: an interrupted bulk import leaves ranks to finish; keys stored in the clear by an
# older version are sealed; then the server refuses to run with KEKs that do not open the keys.
REPAIR_RANKS: Step = ("repair search ranks", _repair_ranks)
SEAL_LEGACY_KEYS: Step = ("seal legacy keys", _seal_legacy_keys)
CHECK_VAULT: Step = ("check the key vault", _check_vault)
STARTUP: tuple[Step, ...] = (REPAIR_RANKS, SEAL_LEGACY_KEYS, CHECK_VAULT)
WITHOUT_KEYS: tuple[Step, ...] = (REPAIR_RANKS,)


@asynccontextmanager
async def started(
    database_url: str, vault: KeyVault | None, steps: Sequence[Step] = STARTUP
) -> AsyncIterator[KeyVault | None]:
    """The database migrated and open, and the start-up steps run, for the block's duration."""
    async with open_database(database_url):
        for name, step in steps:
            log.debug("start-up: %s", name)
            await step(vault)
        try:
            yield vault
        finally:
            await rank_spread.stop()  # a background spreading of ranks, before the database closes


def retention_policies(settings: Settings) -> tuple[retention.Policy, ...]:
    """What the server drops in the background, every `settings.retention_interval`."""
    return (
        retention.unmatched_exchanges(
            settings.unmatched_log_max_age, settings.unmatched_log_max_rows
        ),
    )
