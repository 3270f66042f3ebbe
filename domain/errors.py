"""Errors of the domain layer; each surface turns them into its own format."""

from __future__ import annotations


class DomainError(Exception):
    """An expected refusal: a machine-readable code, the input field it concerns, a message."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class AccessDenied(Exception):
    """The viewer may not do this at all (not a per-object scope miss, which is NOT_FOUND)."""

    def __init__(self, message: str = "You do not have permission to do this.") -> None:
        super().__init__(message)
        self.message = message


class NotSignedIn(AccessDenied):
    def __init__(self) -> None:
        super().__init__("Sign in first: send a valid token as 'Authorization: Bearer ...'.")
