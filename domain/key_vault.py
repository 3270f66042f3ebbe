"""Sealing PUNCHOUT API Keys at rest: AES-GCM under a key-encryption key (KEK) from configuration.

The database holds only sealed keys, `v1:<kek id>:<base64 of nonce + ciphertext + tag>`; the KEK
never reaches it, so a dump alone reveals no key. Each sealed key is bound to its customer
(associated data), so a sealed value copied onto another customer does not open. Several KEKs
may be configured: the first seals, every one opens (for changing the KEK; see `reseal`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
KEK_BYTES = 32
KEK_ID_CHARS = 12
SEALED_PREFIX = len(VERSION) + 1 + KEK_ID_CHARS + 1  # "v1:<kek id>:": which KEK sealed it


class VaultError(Exception):
    """A sealed key that the configured KEKs cannot open (or a KEK that is not one)."""


def new_kek() -> str:
    """A fresh key-encryption key, as configuration holds it: URL-safe base64 of 32 bytes."""
    return base64.urlsafe_b64encode(os.urandom(KEK_BYTES)).decode()


def _kek_id(kek: bytes) -> str:
    # Names a KEK in sealed values and error messages without revealing anything of it.
    return hashlib.sha256(b"opsportal kek id\0" + kek).hexdigest()[:KEK_ID_CHARS]


def _associated(customer_id: int) -> bytes:
    return f"punchout-key:{customer_id}".encode()


class KeyVault:
    def __init__(self, keks: Sequence[bytes]) -> None:
        if not keks:
            raise VaultError("No key-encryption key is configured.")
        if any(len(k) != KEK_BYTES for k in keks):
            raise VaultError(f"A key-encryption key is {KEK_BYTES} bytes.")
        self._sealing_id = _kek_id(keks[0])
        self._ciphers = {_kek_id(k): AESGCM(k) for k in keks}

    @classmethod
    def from_text(cls, text: str) -> KeyVault:
        """KEKs as configured: URL-safe base64, comma-separated, the sealing one first."""
        keks = []
        for part in (p.strip() for p in text.split(",")):
            try:
                keks.append(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
            except (binascii.Error, ValueError):
                raise VaultError("A key-encryption key is URL-safe base64.") from None
        return cls([k for k in keks if k])

    @property
    def sealing_id(self) -> str:
        return self._sealing_id

    def seal(self, key: str, customer_id: int) -> str:
        nonce = os.urandom(12)
        sealed = self._ciphers[self._sealing_id].encrypt(
            nonce, key.encode(), _associated(customer_id)
        )
        body = base64.b64encode(nonce + sealed).decode()
        return f"{VERSION}:{self._sealing_id}:{body}"

    def open(self, sealed: str, customer_id: int) -> str:
        version, _, rest = sealed.partition(":")
        kek_id, _, body = rest.partition(":")
        cipher = self._ciphers.get(kek_id)
        if version != VERSION or cipher is None:
            raise VaultError(
                f"A PUNCHOUT API Key is sealed under key-encryption key {kek_id or '?'}, which "
                f"is not configured (configured: {', '.join(self._ciphers)})."
            )
        try:
            raw = base64.b64decode(body, validate=True)
            return cipher.decrypt(raw[:12], raw[12:], _associated(customer_id)).decode()
        except (InvalidTag, binascii.Error, ValueError):
            raise VaultError(
                f"A sealed PUNCHOUT API Key (customer {customer_id}) does not open: damaged, "
                "or moved from another customer."
            ) from None

    def is_current(self, sealed: str) -> bool:
        """Whether a sealed value is sealed under the sealing KEK (else `reseal` it)."""
        return sealed.startswith(f"{VERSION}:{self._sealing_id}:")


_installed: KeyVault | None = None


def install(vault: KeyVault | None) -> None:
    """Set the vault the domain code seals and opens keys with (done on opening the database)."""
    global _installed
    _installed = vault


def vault() -> KeyVault:
    if _installed is None:
        raise VaultError("No key-encryption key is configured for this process.")
    return _installed
