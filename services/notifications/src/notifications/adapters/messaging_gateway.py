"""SMS and WhatsApp through a messaging gateway, and saying how it went without repeating what the gateway said.

The delivery worker sees only the ``MessagingGateway`` Protocol. To add another provider:

1. write a class with a ``name``, ``supports(channel)`` (True for the channels it has a sender for) and
   ``async send(channel, to, text, *, idempotency_key) -> AttemptResult``, using the ``httpx.AsyncClient`` it is
   given; classify as ``TwilioGateway`` does: 2xx delivered, 429 / 5xx / no answer retryable, other 4xx
   ``permanent=True``; reasons are status codes or exception class names, never the number, the text or the
   response body;
2. add its name to ``NotificationsSettings.gateway_provider`` (and any settings of its own, ``gateway_*``);
3. build it in ``gateway_from_settings``.
"""

from __future__ import annotations

import asyncio
from typing import Protocol
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from notifications.domain.delivery import AttemptResult
from notifications.domain.subscriptions import Channel
from notifications.settings import NotificationsSettings

TWILIO_BASE_URL = "https://api.twilio.com"
# Twilio acts on a repeated request once (within a day) when it carries the same token; harmless if ignored.
TWILIO_IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
USER_AGENT = "Sinergi-Notifications/1"


class MessagingGateway(Protocol):
    """A provider that sends text messages to phone numbers (E.164, e.g. +62812...) over SMS or WhatsApp."""

    name: str

    def supports(self, channel: Channel) -> bool:
        """Whether this gateway can send over ``channel`` (it has a sender for it)."""
        ...

    async def send(self, channel: Channel, to: str, text: str, *, idempotency_key: str) -> AttemptResult:
        """One attempt; ``idempotency_key`` is the same on every attempt of one message."""
        ...


def is_retryable_status(status_code: int) -> bool:
    """429 (slow down) and 5xx (the gateway's trouble) may pass; any other 4xx is about this message (an invalid
    or unreachable number, a refused sender) and will be answered the same way every time."""
    return status_code == 429 or status_code >= 500


class TwilioGateway:
    """Twilio's Programmable Messaging: ``POST /2010-04-01/Accounts/{sid}/Messages.json`` with the form fields
    To, From and Body, under HTTP basic auth (account SID, auth token). WhatsApp is the same endpoint with both
    numbers prefixed ``whatsapp:``."""

    name: str = "twilio"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        account_sid: str,
        auth_token: SecretStr,
        sms_sender: str | None = None,
        whatsapp_sender: str | None = None,
        base_url: str = TWILIO_BASE_URL,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._client = client
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._senders = {Channel.SMS: sms_sender, Channel.WHATSAPP: whatsapp_sender}
        self._messages_url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{quote(account_sid, safe='')}/Messages.json"
        # httpx's timeout bounds each phase; this bounds the whole request (see WebhookSender).
        self._timeout_seconds = timeout_seconds

    def __repr__(self) -> str:
        return f"TwilioGateway(channels={[channel.value for channel in self._senders if self.supports(channel)]})"

    def supports(self, channel: Channel) -> bool:
        return bool(self._senders.get(channel))

    async def send(self, channel: Channel, to: str, text: str, *, idempotency_key: str) -> AttemptResult:
        sender = self._senders.get(channel)
        if not sender:
            # Settings are read at start: no later attempt would find a sender either.
            return AttemptResult(error=f"no {channel.value} sender configured", permanent=True)
        if channel is Channel.WHATSAPP:
            to, sender = f"whatsapp:{to}", f"whatsapp:{sender}"
        try:
            async with asyncio.timeout(self._timeout_seconds):
                # Streamed so that the response body (which echoes the number and the text) is never read.
                async with self._client.stream(
                    "POST",
                    self._messages_url,
                    data={"To": to, "From": sender, "Body": text},
                    auth=httpx.BasicAuth(self._account_sid, self._auth_token.get_secret_value()),
                    headers={TWILIO_IDEMPOTENCY_HEADER: idempotency_key, "user-agent": USER_AGENT},
                ) as response:
                    status = response.status_code
        except TimeoutError:
            return AttemptResult(error="timed out")
        except httpx.HTTPError as error:
            # The exception's name (ConnectError, ReadTimeout, ...) is safe; its message may quote the URL.
            return AttemptResult(error=type(error).__name__)
        if 200 <= status < 300:
            return AttemptResult(status_code=status)
        return AttemptResult(status_code=status, permanent=not is_retryable_status(status))


def gateway_from_settings(settings: NotificationsSettings, client: httpx.AsyncClient) -> MessagingGateway | None:
    """The configured gateway, or None when there is none (SMS and WhatsApp are then unavailable)."""
    if settings.gateway_provider == "twilio":
        if not settings.gateway_account_sid or settings.gateway_auth_token is None:
            raise ValueError("the twilio gateway needs gateway_account_sid and gateway_auth_token")
        return TwilioGateway(
            client,
            account_sid=settings.gateway_account_sid,
            auth_token=settings.gateway_auth_token,
            sms_sender=settings.gateway_sms_sender,
            whatsapp_sender=settings.gateway_whatsapp_sender,
            base_url=settings.gateway_base_url,
            timeout_seconds=settings.delivery_timeout_seconds,
        )
    return None
