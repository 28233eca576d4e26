"""Personal fields are encrypted by the application (AES-256-GCM) before they reach Postgres or Kafka.

A ciphertext is ``v1:<key id>:<base64(nonce | ciphertext+tag)>``. The key id travels with it so keys can
rotate: new writes use the active key and old ciphertexts stay readable until re-encrypted. The associated
data binds a ciphertext to its case and field, so it cannot be pasted onto another case or field.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.settings import FieldEncryptionSettings

_VERSION = "v1"
_NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A ciphertext that cannot be opened: unknown key, tampered, or bound to another case or field."""


class FieldCipher:
    def __init__(self, keys: Mapping[str, bytes], active_key_id: str) -> None:
        for key_id, key in keys.items():
            if len(key) != 32:
                raise ValueError(f"encryption key {key_id!r} must be 32 bytes (AES-256)")
            if ":" in key_id:
                raise ValueError(f"encryption key id {key_id!r} must not contain ':'")
        if active_key_id not in keys:
            raise ValueError(f"active key id {active_key_id!r} is not among the keys")
        self._aeads = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.active_key_id = active_key_id

    @classmethod
    def from_settings(cls, settings: FieldEncryptionSettings) -> FieldCipher:
        keys = {kid: base64.b64decode(key.get_secret_value()) for kid, key in settings.encryption_keys.items()}
        return cls(keys, settings.encryption_active_key_id)

    @staticmethod
    def _associated_data(case_id: UUID, field: str) -> bytes:
        return f"sinergi|{case_id}|{field}".encode()

    def encrypt(self, plaintext: str, *, case_id: UUID, field: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aeads[self.active_key_id].encrypt(
            nonce, plaintext.encode(), self._associated_data(case_id, field)
        )
        return f"{_VERSION}:{self.active_key_id}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, case_id: UUID, field: str) -> str:
        version, key_id, body = self._split(token)
        aead = self._aeads.get(key_id)
        if version != _VERSION or aead is None:
            raise DecryptionError(f"cannot decrypt field {field!r}: unknown version or key id")
        raw = base64.b64decode(body)
        try:
            return aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], self._associated_data(case_id, field)).decode()
        except InvalidTag:
            raise DecryptionError(f"cannot decrypt field {field!r}: tampered or bound to another case") from None

    def needs_rotation(self, token: str) -> bool:
        return self._split(token)[1] != self.active_key_id

    @staticmethod
    def _split(token: str) -> tuple[str, str, str]:
        parts = token.split(":", 2)
        if len(parts) != 3:
            raise DecryptionError("not a Sinergi ciphertext")
        return parts[0], parts[1], parts[2]
