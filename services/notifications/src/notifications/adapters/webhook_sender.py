"""Sending one signed webhook over HTTP, and saying how it went without repeating what the receiver said."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from uuid import UUID

import httpx

from notifications.domain.delivery import AttemptResult
from shared.webhooks import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, sign

USER_AGENT = "Sinergi-Webhooks/1"


def webhook_headers(secrets: Sequence[str], body: bytes, *, event_id: UUID, event_type: str) -> dict[str, str]:
    """Signed over the exact bytes sent (with each of ``secrets``: two while one is being rotated out);
    ``Sinergi-Event-Id`` is the receiver's idempotency key, the same on every attempt."""
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secrets, body),
        EVENT_ID_HEADER: str(event_id),
        EVENT_TYPE_HEADER: event_type,
    }


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient, *, timeout_seconds: float) -> None:
        self._client = client
        # httpx's timeout bounds each phase; this bounds the whole request, so a receiver that trickles its
        # answer cannot hold an attempt past its lease.
        self._timeout_seconds = timeout_seconds

    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> AttemptResult:
        try:
            async with asyncio.timeout(self._timeout_seconds):
                # Streamed so that the response body is never read: only its status counts.
                async with self._client.stream("POST", url, content=body, headers=headers) as response:
                    return AttemptResult(status_code=response.status_code)
        except TimeoutError:
            return AttemptResult(error="timed out")
        except httpx.HTTPError as error:
            # The exception's name (ConnectError, ReadTimeout, ...) is safe; its message may quote the URL.
            return AttemptResult(error=type(error).__name__)


def new_http_client(timeout_seconds: float) -> httpx.AsyncClient:
    """Redirects are not followed: a receiver answers at the URL it registered, or the attempt fails."""
    return httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False)
