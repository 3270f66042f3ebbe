"""Input errors returned in mutation payloads: `errors { field code message }`."""

from __future__ import annotations

import enum

import strawberry

from models.errors import DomainError


@strawberry.enum(description="Why a company could not be created or changed.")
class CompanyErrorCode(enum.Enum):
    REQUIRED = strawberry.enum_value(
        "REQUIRED", description="A required value is missing or blank."
    )
    INVALID = strawberry.enum_value(
        "INVALID", description="A value has the wrong form; the message says which."
    )
    TAKEN = strawberry.enum_value(
        "TAKEN", description="The value must be unique and is in use already."
    )
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND", description="The object does not exist, or is out of your scope."
    )


@strawberry.enum(description="Why a customer could not be added or changed.")
class CustomerErrorCode(enum.Enum):
    REQUIRED = strawberry.enum_value(
        "REQUIRED", description="A required value is missing or blank."
    )
    INVALID = strawberry.enum_value(
        "INVALID", description="A value has the wrong form; the message says which."
    )
    TAKEN = strawberry.enum_value(
        "TAKEN", description="The value must be unique and is in use already."
    )
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND", description="The object does not exist, or is out of your scope."
    )
    UNKNOWN_ROLE = strawberry.enum_value(
        "UNKNOWN_ROLE", description="The role is not in the catalog (see `roles`)."
    )


@strawberry.enum(description="Why signing in failed.")
class LoginErrorCode(enum.Enum):
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED", description="Too many failed sign-ins for this account or address."
    )
    INVALID_CREDENTIALS = strawberry.enum_value(
        "INVALID_CREDENTIALS",
        description="Wrong email or password (deliberately not saying which).",
    )
    ACCOUNT_DISABLED = strawberry.enum_value(
        "ACCOUNT_DISABLED",
        description="Right email and password, but the account is disabled (`staff enable`).",
    )


@strawberry.type(description="A problem with a company mutation's input.")
class CompanyError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    code: CompanyErrorCode = strawberry.field(description="A machine-readable reason.")
    message: str = strawberry.field(description="A sentence for the person at the keyboard.")


@strawberry.type(description="A problem with a customer mutation's input.")
class CustomerError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    code: CustomerErrorCode = strawberry.field(description="A machine-readable reason.")
    message: str = strawberry.field(description="A sentence for the person at the keyboard.")


@strawberry.type(description="A problem signing in.")
class LoginError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    code: LoginErrorCode = strawberry.field(description="A machine-readable reason.")
    message: str = strawberry.field(description="A sentence for the person at the keyboard.")


def company_error(exc: DomainError) -> CompanyError:
    return CompanyError(field=exc.field, code=CompanyErrorCode(exc.code), message=exc.message)


def customer_error(exc: DomainError) -> CustomerError:
    return CustomerError(field=exc.field, code=CustomerErrorCode(exc.code), message=exc.message)
