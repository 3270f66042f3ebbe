"""A customer's settings ("Developer Fields"): which exist, their defaults, and changing them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain import audit
from domain.access import Viewer
from domain.errors import CustomerCode, CustomerRefused
from persistence.tables import Customer, CustomerSetting

API_KEY_SETTING = "PUNCHOUT_API_KEY"
IDENTITY_SETTING = "PUNCHOUT_IDENTITY_CREDENTIAL"
CART_ENCODING_SETTING = "PUNCHOUT_CART_ENCODING"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    description: str
    default: str | None = None
    choices: tuple[str, ...] = ()
    secret: bool = False  # readable only with Ability.READ_API_KEY, never set by hand


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        API_KEY_SETTING,
        "PUNCHOUT API Key",
        "The cXML SharedSecret the buyer's procurement system sends with every request.",
        secret=True,
    ),
    FieldSpec(
        IDENTITY_SETTING,
        "Punchout identity credential",
        "Which cXML credential names this customer: Sender, or From for hubs (such as Ariba "
        "Network) that send their own identity as Sender. The secret is always the Sender's.",
        default="Sender",
        choices=("Sender", "From"),
    ),
    FieldSpec(
        CART_ENCODING_SETTING,
        "Punchout cart encoding",
        "How the cart goes back to the buyer's system: the form field cxml-urlencoded (the "
        "document itself) or cxml-base64 (the document in base64), as the buyer's system asks.",
        default="cxml-urlencoded",
        choices=("cxml-urlencoded", "cxml-base64"),
    ),
)
BY_KEY = {spec.key: spec for spec in FIELDS}


def effective(stored: Mapping[str, str]) -> list[tuple[FieldSpec, str | None]]:
    """Every known field with its value: the stored one, else its default."""
    return [(spec, stored.get(spec.key, spec.default)) for spec in FIELDS]


def setting(stored: Mapping[str, str], key: str) -> str | None:
    """One setting's value: the stored one, else its default."""
    return stored.get(key, BY_KEY[key].default)


async def set_developer_field(
    viewer: Viewer | None, customer_id: int, key: str, value: str
) -> Customer:
    """Change a setting that staff may set; the API key is not one of them."""
    from domain.customers import editable_customer

    viewer, customer = await editable_customer(viewer, customer_id)
    spec = BY_KEY.get(key.strip())
    if spec is None or spec.secret:
        known = ", ".join(s.key for s in FIELDS if not s.secret)
        raise CustomerRefused(CustomerCode.INVALID, f"Settable fields: {known}.", "key")
    value = value.strip()
    if spec.choices and value not in spec.choices:
        raise CustomerRefused(
            CustomerCode.INVALID, f"{spec.label} is one of: {', '.join(spec.choices)}.", "value"
        )
    async with in_transaction() as conn:
        row = (
            await CustomerSetting.filter(customer_id=customer.id, key=spec.key)
            .using_db(conn)
            .first()
        )
        before = row.value if row else spec.default
        if row is None:
            await CustomerSetting.create(
                customer=customer, key=spec.key, value=value, using_db=conn
            )
        elif row.value != value:
            row.value = value
            await row.save(using_db=conn, update_fields=["value"])
        if before != value:
            await audit.record(
                viewer,
                "customer.set_developer_field",
                "customer",
                customer.id,
                company_id=customer.company_id,
                before={spec.key: before},
                after={spec.key: value},
                using=conn,
            )
    return customer
