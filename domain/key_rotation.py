"""Rotating a customer's PUNCHOUT API Key: a new key at once, the old ones for a grace period."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain import audit
from domain.access import Ability, Viewer, require
from domain.customers import get_customer
from domain.errors import CustomerCode, CustomerRefused
from domain.key_vault import KeyVault
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
