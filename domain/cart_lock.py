"""One cart change at a time per punchout session, and none after its transfer.

Every change of a cart (adding, changing, removing a line) and its transfer run in a
transaction that first holds the session: on PostgreSQL its row is locked (`SELECT ... FOR
UPDATE`) until the transaction ends, so concurrent requests for one session queue there and
each sees the cart the one before it left; SQLite runs one writer transaction at a time
(tortoise's transaction holds the database's one connection, and opsportal serves SQLite with
one worker). Checks made after holding it (the cart's cap, its one currency, the session still
open) stay true until the commit: forty concurrent adds to a cart of 990 lines add ten.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.errors import CartCode, CartRefused
from persistence.punchout_tables import PunchoutSession
from persistence.sql import Sql


async def hold(session: PunchoutSession, conn: BaseDBAsyncClient) -> None:
    """Within `conn`'s transaction: the session held until it ends, and still open (its cart
    not transferred meanwhile); CartRefused NOT_FOUND once it has ended."""
    sql = Sql(conn)
    lock = " FOR UPDATE" if sql.postgres else ""
    rows = await sql.rows(
        f"SELECT ended_at FROM punchout_session WHERE id = {sql.p(session.id)}{lock}"
    )
    if not rows or rows[0]["ended_at"] is not None:
        raise CartRefused(CartCode.NOT_FOUND, "This punchout session has ended already.")
