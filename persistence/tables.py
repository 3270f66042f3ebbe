"""The tables. One class a table; the rules that use them live in `domain/`.

Tables carry no docstrings: tortoise turns them into SQL comments, which it does not escape.
Beside each foreign key, its `<name>_id` attribute is declared by a bare annotation: tortoise
sets it, the annotation only tells the type checker (no column, no migration). JSON columns
name the shape they hold (`fields.JSONField[...]`); domain.records converts it.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


# A buyer organisation in the supplier's CRM.
class Company(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=255)
    code = fields.CharField(max_length=64)
    # Case- and accent-folded copies, kept by domain.companies, so that search is index-served.
    code_key = fields.CharField(max_length=64, unique=True)
    name_key = fields.CharField(max_length=255)
    # The name key of the German reading (ä -> ae, ...) where it differs from name_key, so that
    # "mueller" finds "Müller" as a name prefix (domain.search); NULL for most names.
    german_name_key = fields.CharField(max_length=255, null=True)
    # The folded words of name and code: what the full-text index of domain.search holds.
    # Nullable only so that the column could be added to a full table; always set.
    search_text = fields.TextField(null=True)
    # The company's place in (name_key, id) order, with gaps: SQLite's full-text index is keyed
    # by it, so that matches come out alphabetically (domain.ranks).
    sort_rank = fields.BigIntField(null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    customers: fields.ReverseRelation[Customer]

    class Meta:
        table = "company"
        indexes = [Index(fields=("name_key", "id"))]


# One row: whether the full-text index's triggers are paused for a bulk load (domain.ranks).
class SearchIndexState(Model):
    id = fields.IntField(primary_key=True)
    paused = fields.BooleanField(default=False)

    class Meta:
        table = "search_index_state"


# A member of the supplier's staff who signs in to the portal.
class Staff(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)  # stored lower-cased
    password_hash = fields.CharField(max_length=255)
    is_administrator = fields.BooleanField(default=False)
    is_superuser = fields.BooleanField(default=False)
    roles: fields.JSONField[list[str]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Set while disabled (domain.staff_admin): sign-in is refused and no token works.
    disabled_at = fields.DatetimeField(null=True)
    last_sign_in_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff"


# A company assigned to a staff member (the crmCompanyEdit scope).
class StaffCompany(Model):
    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="assignments", on_delete=fields.CASCADE, db_index=False
    )
    staff_id: int
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="assignments", on_delete=fields.CASCADE
    )
    company_id: int

    class Meta:
        table = "staff_company"
        unique_together = (("staff", "company"),)


# Failed sign-ins in the current window, per account ("email:...") and per client address
# ("address:..."): in the database, so that the limit holds across workers.
class LoginAttempts(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=300, unique=True)
    failures = fields.IntField(default=0)
    window_start = fields.DatetimeField()

    class Meta:
        table = "login_attempts"


# A bearer token; only its SHA-256 is stored.
class StaffToken(Model):
    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="tokens", on_delete=fields.CASCADE
    )
    staff_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "staff_token"


# A customer account under a company; punchout customers connect over cXML.
class Customer(Model):
    id = fields.IntField(primary_key=True)
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="customers", on_delete=fields.RESTRICT, db_index=False
    )
    company_id: int
    username = fields.CharField(max_length=254)
    username_key = fields.CharField(max_length=254, unique=True)  # lower-cased: one per name
    is_punchout = fields.BooleanField(default=False)
    # The buyer's own identity for the cXML From credential, where the buyer gave one.
    buyer_domain = fields.CharField(max_length=64, null=True)
    buyer_identity = fields.CharField(max_length=254, null=True)
    # Lower-cased: names a customer set to be named by the cXML From identity.
    buyer_identity_key = fields.CharField(max_length=254, null=True, db_index=True)
    # Set while the customer is disabled: its correct credentials get cXML 403.
    disabled_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "customer"
        indexes = [Index(fields=("company_id", "id"))]


# A role from the catalog (domain.roles) given to a customer.
class CustomerRole(Model):
    id = fields.IntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name="roles", on_delete=fields.CASCADE, db_index=False
    )
    customer_id: int
    role = fields.CharField(max_length=64)

    class Meta:
        table = "customer_role"
        unique_together = (("customer", "role"),)


# A customer's setting ("Developer Field"), e.g. the PUNCHOUT API Key.
class CustomerSetting(Model):
    id = fields.IntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name="settings", on_delete=fields.CASCADE, db_index=False
    )
    customer_id: int
    key = fields.CharField(max_length=64)
    value = fields.TextField()

    class Meta:
        table = "customer_setting"
        unique_together = (("customer", "key"),)


# A customer's PUNCHOUT API Keys: the current one (no expiry) and, after a rotation, the old
# ones until their grace period ends. Sealed with domain.key_vault; never stored in the clear.
class PunchoutKey(Model):
    id = fields.IntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name="punchout_keys", on_delete=fields.CASCADE, db_index=False
    )
    customer_id: int
    sealed = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)  # null: the current key
    last_used_at = fields.DatetimeField(null=True)  # to the minute: updated at most once a minute
    # One current key a customer: a partial unique index (migration 0012), beyond the ORM's ken.

    class Meta:
        table = "punchout_key"
        indexes = [Index(fields=("customer_id", "id"))]


# Who changed what, and when. Written in the same transaction as the change.
class AuditEvent(Model):
    id = fields.BigIntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=False
    )
    actor_id: int | None
    action = fields.CharField(max_length=64)
    target_type = fields.CharField(max_length=32)
    target_id = fields.IntField()
    company_id = fields.IntField(null=True)
    before: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    after: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_event"
        indexes = [
            Index(fields=("company_id", "id")),
            Index(fields=("target_type", "target_id", "id")),
        ]
