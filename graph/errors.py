"""Input errors returned in mutation payloads: `errors { field code message }`."""

from __future__ import annotations

import enum

import strawberry

from models.errors import DomainError


@strawberry.enum(description="Why a company could not be created or changed.")
class CompanyErrorCode(enum.Enum):
    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    TAKEN = "TAKEN"
    NOT_FOUND = "NOT_FOUND"


@strawberry.enum(description="Why a customer could not be added or changed.")
class CustomerErrorCode(enum.Enum):
    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    TAKEN = "TAKEN"
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN_ROLE = "UNKNOWN_ROLE"


@strawberry.enum(description="Why signing in failed.")
class LoginErrorCode(enum.Enum):
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"


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
