"""Bearer secrets (staff tokens, StartPage tokens, storefront credentials, API keys): made from
`secrets`, stored only as their SHA-256, so a database dump opens nothing."""

from __future__ import annotations

import hashlib
import secrets


def new_token(prefix: str = "") -> str:
    """32 random bytes, URL-safe (43 characters), after an optional prefix."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored of a token, and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()
