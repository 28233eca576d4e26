"""Webhook signatures, the contract between notifications and every receiving agency.

Like Stripe's: ``Sinergi-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>``. The
receiver recomputes the HMAC over the raw body it received, compares in constant time and refuses old
timestamps, so a captured request cannot be replayed later. ``Sinergi-Event-Id`` is the idempotency key.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence

SIGNATURE_HEADER = "Sinergi-Signature"
EVENT_ID_HEADER = "Sinergi-Event-Id"
EVENT_TYPE_HEADER = "Sinergi-Event-Type"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The request is not signed by the expected secret, or is too old."""


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str | Sequence[str], body: bytes, timestamp: int | None = None) -> str:
    """The value of the signature header for ``body`` sent now (or at ``timestamp``). With several secrets (one
    being rotated out), one ``v1`` per secret: a receiver holding either verifies the request."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets:
        raise ValueError("at least one secret is needed to sign")
    return ",".join([f"t={timestamp}", *(f"v1={_mac(each, timestamp, body)}" for each in secrets)])


def verify(
    secret: str, header: str, body: bytes, *, tolerance: int = DEFAULT_TOLERANCE_SECONDS, now: int | None = None
) -> int:
    """Check a signature header against the raw body; return its timestamp or raise SignatureError."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        raise SignatureError("signature header has no timestamp") from None
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > tolerance:
        raise SignatureError("signature timestamp is outside the tolerance")
    expected = _mac(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in fields.get("v1", [])):
        raise SignatureError("no v1 signature matches")
    return timestamp
