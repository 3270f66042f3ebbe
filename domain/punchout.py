"""Punchout: who a cXML request comes from, and opening a punchout session for them.

The cXML surface parses documents into the plain data below; the rules live here. Of the
identities a buyer sends, only the Sender identity (or From, where the customer's setting says
so) and the shared secret are checked; the rest is stored, never used to refuse.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property
from typing import Any

from tortoise.transactions import in_transaction

from domain import cxml_log, punchout_keys
from domain.developer_fields import IDENTITY_SETTING, setting
from domain.errors import CxmlRefused, Failure
from domain.key_vault import KeyVault
from domain.limits import NAME_MAX
from domain.records import Address, Contact, Extrinsic, Identities, ItemOut
from domain.storefront import initial_lines
from domain.tokens import new_token, token_hash
from persistence.inserts import NewRow, insert_together
from persistence.punchout_tables import CartLine, CxmlExchange, PunchoutSession
from persistence.sql import Sql, columns, hydrate
from persistence.tables import Customer

OPERATIONS = ("create", "edit", "inspect")
# Compared against when no customer matched, so that an unknown identity costs what a wrong
# secret does.
_NO_KEY = secrets.token_urlsafe(32)


@dataclass(frozen=True)
class SetupData:
    """A PunchOutSetupRequest's content."""

    operation: str
    deployment_mode: str
    payload_id: str
    buyer_cookie: str
    browser_form_post: str | None
    extrinsics: tuple[Extrinsic, ...] = ()
    contacts: tuple[Contact, ...] = ()
    ship_to: Address | None = None
    items: tuple[ItemOut, ...] = ()


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass(frozen=True)
class WorkingKey:
    """A working key of a candidate, opened: what authenticating needs of it."""

    id: int
    customer_id: int
    value: str = field(repr=False)  # never in a traceback's locals or a stray log line
    last_used_at: object = field(repr=False)  # as the database gave it (read only if it matched)


@dataclass(frozen=True)
class Caller:
    """An authenticated punchout customer, with the setting that says how it is named and its
    working keys, as read when it was checked. Its row stays plain values until a handler asks
    for the table object (`customer`): a setup needs only the id, an order the whole row."""

    customer_id: int
    username: str
    username_key: str
    buyer_identity_key: str | None
    disabled: bool
    settings: Mapping[str, str]
    row: Mapping[str, Any] = field(repr=False)
    keys: list[WorkingKey] = field(default_factory=list)

    @cached_property
    def customer(self) -> Customer:
        return hydrate(Customer, self.row, "c")

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every working key of the customer: none may appear in a log."""
        return tuple(k.value for k in self.keys)


async def authenticate(vault: KeyVault, identities: Identities) -> Caller:
    """The punchout customer a request comes from; raises Refused with the reason.

    A customer is named by a Sender identity (its username), or, where its setting says so,
    by a From identity (its stored buyer identity, else its username): hubs such as Ariba
    Network send their own identity as Sender. The secret is always a Sender's SharedSecret,
    matched against the customer's working keys (the current one, and old ones within their
    grace period); any customer named with a matching secret is accepted. Identities compare
    case-insensitively, secrets in constant time.
    """
    # Longer than the name columns: no one's (and the ORM refuses to look such values up).
    senders = {c.identity.lower() for c in identities.sender if c.identity}
    froms = {c.identity.lower() for c in identities.from_ if c.identity}
    senders = {i for i in senders if len(i) <= NAME_MAX}
    froms = {i for i in froms if len(i) <= NAME_MAX}
    candidates = await _candidates(vault, senders, froms)
    # Those the request names; a customer named by From first (its Sender is a hub's).
    named = sorted(
        (c for c in candidates.values() if _is_named(c, senders, froms)),
        key=lambda c: (_named_by(c) != "From", c.customer_id),
    )
    if not named:
        _same(_NO_KEY, next(iter(identities.sent_secrets()), ""))
        raise CxmlRefused(
            Failure.UNKNOWN_SENDER,
            None,
            f"No punchout customer is named {_describe(identities)}.",
        )
    offered = {c.customer_id: _offered(c, identities) for c in named}
    # Every comparison is made, so the time taken does not tell which one matched.
    matches = [
        (caller, key)
        for caller in named
        for key in caller.keys
        for sent in offered[caller.customer_id]
        if _same(key.value, sent)
    ]
    if matches:
        caller, key = matches[0]
        if caller.disabled:  # checked after the secret: 401 stays 401
            raise CxmlRefused(
                Failure.CUSTOMER_DISABLED,
                "This punchout account is disabled; please contact the supplier.",
                f"{caller.username!r} is disabled.",
                caller.customer_id,
            )
        await punchout_keys.note_use(key.id, key.last_used_at)
        return caller
    with_secret = [c for c in named if offered[c.customer_id]]
    if not with_secret:
        first = named[0]
        raise CxmlRefused(
            Failure.MISSING_SECRET,
            None,
            f"The Sender credential for {first.username!r} carries no SharedSecret.",
            first.customer_id,
        )
    first = with_secret[0]
    raise CxmlRefused(
        Failure.WRONG_SECRET,
        None,
        f"The SharedSecret sent for {first.username!r} is none of its working PUNCHOUT API Keys.",
        first.customer_id,
    )


@cache
def _candidates_sql() -> str:
    return (
        f"SELECT {columns(Customer, 'c')}, k.id AS k_id, k.sealed AS k_sealed, "
        "k.last_used_at AS k_last_used_at, s.key AS s_key, s.value AS s_value FROM customer c "
        "LEFT JOIN punchout_key k ON k.customer_id = c.id "
        "AND (k.expires_at IS NULL OR k.expires_at > {now}) "
        "LEFT JOIN customer_setting s ON s.customer_id = c.id AND s.key = {setting} "
        "WHERE c.is_punchout = {yes} AND ({named})"
    )


async def _candidates(vault: KeyVault, senders: set[str], froms: set[str]) -> dict[int, Caller]:
    """The punchout customers any of the names may name, with their working keys (opened,
    newest first; none if all expired, so that the answer is a wrong secret, not a stranger)
    and the one setting read here (IDENTITY_SETTING: other settings would only multiply the
    rows): one plain statement (every cXML request starts with it; the ORM's two queries cost
    twice the whole of it). Read as plain values: building table objects of the customer and
    its keys cost more than the statement."""
    names = sorted(senders | froms)
    if not names:
        return {}
    sql = Sql()
    statement = _candidates_sql().format(
        # In the order of the statement's placeholders: SQLite's are not numbered.
        now=sql.p(datetime.now(UTC)),
        setting=sql.p(IDENTITY_SETTING),
        yes=sql.p(True),
        named=" OR ".join(
            [f"c.username_key IN ({sql.ps(names)})"]
            + ([f"c.buyer_identity_key IN ({sql.ps(sorted(froms))})"] if froms else [])
        ),
    )
    rows = await sql.rows(statement)
    candidates: dict[int, Caller] = {}
    settings: dict[int, dict[str, str]] = {}
    keys: dict[int, Mapping[str, Any]] = {}
    for row in rows:
        customer_id = row["c_id"]
        if customer_id not in candidates:
            settings[customer_id] = {}
            candidates[customer_id] = Caller(
                customer_id,
                row["c_username"],
                row["c_username_key"],
                row["c_buyer_identity_key"],
                row["c_disabled_at"] is not None,
                settings[customer_id],
                row,
            )
        if row["k_id"] is not None and row["k_id"] not in keys:
            keys[row["k_id"]] = row
        if row["s_key"] is not None:
            settings[customer_id][row["s_key"]] = row["s_value"]
    for key_id in sorted(keys, reverse=True):  # newest first
        key = keys[key_id]
        owner = key["c_id"]
        value = vault.open(key["k_sealed"], owner)
        candidates[owner].keys.append(WorkingKey(key_id, owner, value, key["k_last_used_at"]))
    return candidates


def _named_by(caller: Caller) -> str | None:
    return setting(caller.settings, IDENTITY_SETTING)


def _is_named(caller: Caller, senders: set[str], froms: set[str]) -> bool:
    if _named_by(caller) == "From":
        return (caller.buyer_identity_key or caller.username_key) in froms
    return caller.username_key in senders


def _offered(caller: Caller, identities: Identities) -> list[str]:
    """The secrets that count for this customer: any Sender's when it is named by From,
    else those of the Sender credentials carrying its username."""
    by_from = _named_by(caller) == "From"
    return [
        c.shared_secret
        for c in identities.sender
        if c.shared_secret is not None and (by_from or c.identity.lower() == caller.username_key)
    ]


def _describe(identities: Identities) -> str:
    sent = [f"`{c.identity}` (Sender)" for c in identities.sender] + [
        f"`{c.identity}` (From)" for c in identities.from_
    ]
    return " or ".join(sent) or "(no identity sent)"


def new_start_token() -> str:
    """The secret part of a one-time StartPage URL."""
    return new_token()


async def open_session(
    customer_id: int,
    identities: Identities,
    setup: SetupData,
    start_token: str,
    ttl: timedelta,
    exchange: cxml_log.Exchange,
    default_currency: str,
) -> int:
    """Store the session (with the cart an edit or inspect request brings) and the exchange
    that opened it, all or nothing: without a cart, in one statement on PostgreSQL (every
    setup's writes; through the ORM they were a transaction of four round trips), as plain
    values. Returns the session's id."""
    session: dict[str, Any] = {
        "customer_id": customer_id,
        "start_token_hash": token_hash(start_token),
        "start_expires_at": datetime.now(UTC) + ttl,
        "operation": setup.operation,
        "deployment_mode": setup.deployment_mode,
        "payload_id": setup.payload_id[:255],
        "buyer_cookie": setup.buyer_cookie,
        "browser_form_post": setup.browser_form_post,
        "identities": identities.to_json(),
        "extrinsics": Extrinsic.list_to_json(setup.extrinsics),
        "contacts": [c.to_json() for c in setup.contacts],
        "ship_to": setup.ship_to.to_json() if setup.ship_to else None,
        "items": [i.to_json() for i in setup.items],
    }
    if setup.operation == "create" or not setup.items:
        stored = await insert_together(
            NewRow(PunchoutSession, session), NewRow(CxmlExchange, cxml_log.entry(exchange))
        )
        return int(stored[0])
    async with in_transaction() as conn:
        row = PunchoutSession(**session)
        await row.save(using_db=conn)
        await CartLine.bulk_create(
            [
                CartLine(session_id=row.id, **line)
                for line in initial_lines(setup.items, default_currency)
            ],
            using_db=conn,
        )
        await cxml_log.record(exchange, using=conn)
    return int(row.id)
