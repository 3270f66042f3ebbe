"""Rotating a customer's PUNCHOUT API Key: a new key at once, the old ones for a grace period."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from tortoise import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain import audit
from domain.access import Ability, Viewer, require
from domain.customers import get_customer
from domain.errors import CustomerCode, CustomerRefused
from domain.key_vault import KeyVault
from domain.limits import MAX_WORKING_KEYS
from domain.punchout_keys import issue
from persistence.tables import Customer, PunchoutKey

DEFAULT_GRACE = timedelta(hours=24)
MAX_GRACE = timedelta(days=30)
MAX_GRACE_HOURS = MAX_GRACE // timedelta(hours=1)
DEFAULT_GRACE_HOURS = DEFAULT_GRACE / timedelta(hours=1)


def _bad_grace() -> CustomerRefused:
    return CustomerRefused(
        CustomerCode.INVALID,
        f"A grace period is 0 to {MAX_GRACE_HOURS} hours.",
        "graceHours",
    )


def grace_period(hours: float) -> timedelta:
    """A grace period given in hours, as a person or an API client types it."""
    if not math.isfinite(hours) or not 0 <= hours <= MAX_GRACE_HOURS:
        raise _bad_grace()
    return timedelta(hours=hours)


async def _room_for_another(customer_id: int, grace: timedelta, conn: BaseDBAsyncClient) -> None:
    """The working keys (the current one, and old ones in their grace period) stay within the
    bound the API's `punchoutKeys` counts; a rotation without grace ends the old ones at once."""
    if grace <= timedelta(0):
        return
    working = await PunchoutKey.filter(customer_id=customer_id).using_db(conn).count()
    if working + 1 > MAX_WORKING_KEYS:
        raise CustomerRefused(
            CustomerCode.INVALID,
            f"This customer has {working} working keys, the most a customer may hold with the "
            f"new one is {MAX_WORKING_KEYS}: rotate with a grace period of 0 hours (the old "
            "keys stop at once), or when an old key's grace period has ended.",
            "graceHours",
        )


async def rotate(
    vault: KeyVault, viewer: Viewer | None, customer_id: int, grace: timedelta
) -> Customer:
    """Issue a new key. The old ones keep working until `grace` from now (or their own, earlier
    expiry), then stop; a grace of zero stops them at once."""
    viewer = require(viewer, Ability.MANAGE_PUNCHOUT_CONNECTION)
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise _bad_grace()
    customer = await get_customer(viewer, customer_id)
    if customer is None or not customer.is_punchout:
        raise CustomerRefused(CustomerCode.NOT_FOUND, "No such punchout customer.", "customerId")
    now = datetime.now(UTC)
    until = now + grace
    async with in_transaction() as conn:
        # The customer's row, locked: concurrent rotations follow one another, so there is
        # always exactly one current key.
        await Customer.filter(id=customer.id).select_for_update().using_db(conn).first()
        await (
            PunchoutKey.filter(customer_id=customer.id, expires_at__lte=now).using_db(conn).delete()
        )
        await _room_for_another(customer.id, grace, conn)
        await (
            PunchoutKey.filter(
                Q(expires_at__isnull=True) | Q(expires_at__gt=until), customer_id=customer.id
            )
            .using_db(conn)
            .update(expires_at=until)
        )
        await issue(vault, customer, conn)
        await audit.record(
            viewer,
            "customer.rotate_api_key",
            "customer",
            customer.id,
            company_id=customer.company_id,
            after={"graceHours": grace / timedelta(hours=1), "oldKeysExpireAt": until.isoformat()},
            using=conn,
        )
    return customer
