"""The ways out this deployment has: webhooks always; email when a mail server is configured; SMS and WhatsApp
for each the message gateway has a sender for."""

from __future__ import annotations

import httpx

from notifications.adapters.email_sender import email_sender_from_settings
from notifications.adapters.messaging_gateway import gateway_from_settings
from notifications.adapters.webhook_sender import WebhookSender
from notifications.domain.subscriptions import Channel
from notifications.service_layer.delivery import Senders
from notifications.settings import NotificationsSettings

MESSAGE_CHANNELS = (Channel.SMS, Channel.WHATSAPP)


def make_senders(settings: NotificationsSettings, client: httpx.AsyncClient) -> Senders:
    email = email_sender_from_settings(settings)
    gateway = gateway_from_settings(settings, client)
    return Senders(
        webhook=WebhookSender(client, timeout_seconds=settings.delivery_timeout_seconds).send,
        email=None if email is None else email.send,
        messages={} if gateway is None else {
            channel: gateway.send for channel in MESSAGE_CHANNELS if gateway.supports(channel)
        },
    )

