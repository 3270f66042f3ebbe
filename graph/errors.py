"""Domain errors as GraphQL answers, converted here and nowhere else.

Input problems become the payload's `errors { field code message }`: each payload's code enum
is generated from the domain's, so a new domain code is a new GraphQL enum value (and a
`schema.graphql` change), never a masked "Internal server error.".
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError

from domain.errors import (
    AccessDenied,
    CartCode,
    CartRefused,
    CatalogCode,
    CatalogRefused,
    CompanyCode,
    CompanyRefused,
    CustomerCode,
    CustomerRefused,
    DomainError,
    SignInCode,
    SignInRefused,
)
from graph.bounds import at_most
from graph.codes import Code


def graphql_enum(codes: type[enum.Enum], name: str, description: str) -> type[enum.Enum]:
    """The GraphQL enum of a domain's codes: their names, each described by its value. Being
    made at run time, it is no type to a checker: fields of it are annotated `enum.Enum` and
    name it as their `graphql_type`."""
    members = {c.name: strawberry.enum_value(c.name, description=c.value) for c in codes}
    # mypy reads Enum's functional API only with a literal name.
    generated: type[enum.Enum] = enum.Enum(name, members)  # type: ignore[misc]
    return strawberry.enum(generated, description=description)


CompanyErrorCode = graphql_enum(
    CompanyCode, "CompanyErrorCode", "Why a company could not be created or changed."
)
CustomerErrorCode = graphql_enum(
    CustomerCode, "CustomerErrorCode", "Why a customer could not be added or changed."
)
LoginErrorCode = graphql_enum(SignInCode, "LoginErrorCode", "Why signing in failed.")
CartErrorCode = graphql_enum(
    CartCode, "CartErrorCode", "Why a cart change or transfer was refused."
)
CatalogErrorCode = graphql_enum(
    CatalogCode, "CatalogErrorCode", "Why a product or contract price could not be saved."
)

# A payload's `errors`: `refusals` answers the first problem it finds.
ONE_ERROR = at_most(items=1)

_FIELD = "The input field at fault, if one is."
_CODE = "A machine-readable reason."
_MESSAGE = "A sentence for the person at the keyboard."


@strawberry.type(description="A problem with a company mutation's input.")
class CompanyError:
    field: str | None = strawberry.field(description=_FIELD)
    code: enum.Enum = strawberry.field(description=_CODE, graphql_type=CompanyErrorCode)
    message: str = strawberry.field(description=_MESSAGE)


@strawberry.type(description="A problem with a customer mutation's input.")
class CustomerError:
    field: str | None = strawberry.field(description=_FIELD)
    code: enum.Enum = strawberry.field(description=_CODE, graphql_type=CustomerErrorCode)
    message: str = strawberry.field(description=_MESSAGE)


@strawberry.type(description="A problem signing in.")
class LoginError:
    field: str | None = strawberry.field(description=_FIELD)
    code: enum.Enum = strawberry.field(description=_CODE, graphql_type=LoginErrorCode)
    message: str = strawberry.field(description=_MESSAGE)


@strawberry.type(description="A problem with a cart change.")
class CartError:
    field: str | None = strawberry.field(description=_FIELD)
    code: enum.Enum = strawberry.field(description=_CODE, graphql_type=CartErrorCode)
    message: str = strawberry.field(description=_MESSAGE)


@strawberry.type(description="A problem with a product or contract price mutation's input.")
class CatalogError:
    field: str | None = strawberry.field(description=_FIELD)
    code: enum.Enum = strawberry.field(description=_CODE, graphql_type=CatalogErrorCode)
    message: str = strawberry.field(description=_MESSAGE)


# Which payload error each input refusal becomes, with that payload's code enum.
PAYLOAD_ERRORS: dict[type[DomainError], tuple[type[Any], type[enum.Enum]]] = {
    CompanyRefused: (CompanyError, CompanyErrorCode),
    CustomerRefused: (CustomerError, CustomerErrorCode),
    SignInRefused: (LoginError, LoginErrorCode),
    CartRefused: (CartError, CartErrorCode),
    CatalogRefused: (CatalogError, CatalogErrorCode),
}

E = TypeVar("E", CompanyError, CustomerError, LoginError, CartError, CatalogError)


def payload_error(exc: DomainError, error_type: type[E]) -> E:
    """The payload's error for an input refusal; an error of another domain is a bug."""
    expected, codes = PAYLOAD_ERRORS[type(exc)]
    if expected is not error_type:
        raise TypeError(f"{type(exc).__name__} cannot be answered as {error_type.__name__}")
    return error_type(field=exc.field, code=codes[exc.code.name], message=exc.message)


T = TypeVar("T")


async def refusals(
    change: Callable[[], Awaitable[T]], error_type: type[E]
) -> tuple[T | None, list[E]]:
    """Run a domain change: its result and no errors, or no result and the input refusal as
    the payload's errors. Access refusals are top-level errors (see `access_error`)."""
    try:
        return await change(), []
    except AccessDenied as exc:
        raise access_error(exc) from None
    except tuple(PAYLOAD_ERRORS) as exc:
        return None, [payload_error(exc, error_type)]


def access_error(exc: AccessDenied) -> GraphQLError:
    """The top-level GraphQL error for a refusal of the whole operation."""
    return GraphQLError(exc.message, extensions={"code": Code[exc.code.name].value})
