"""SMS and WhatsApp through ``TwilioGateway``, against a real HTTP server on a local port that answers as Twilio's
Messages endpoint does (including error bodies that quote the number, which must never reach a reason)."""

from __future__ import annotations

import base64
import socket
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import httpx
import pytest
from pydantic import SecretStr

from notifications.adapters.messaging_gateway import (
    MessagingGateway,
    TwilioGateway,
    gateway_from_settings,
)
from notifications.adapters.webhook_sender import new_http_client
from notifications.domain.delivery import AttemptResult
from notifications.domain.subscriptions import Channel
from notifications.settings import NotificationsSettings
from services.notifications.tests.integration.support import FakeTwilio
from sinergi_local import processes

pytestmark = pytest.mark.integration

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "twilio-test-auth-token-0123456789"
SMS_SENDER = "+15005550006"
WHATSAPP_SENDER = "+14155238886"
PHONE = "+6281234567890"
TEXT = "Rujukan kasus baru untuk lembaga Anda di Kab. Kotawaringin Timur. Buka Sinergi untuk rinciannya."


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with new_http_client(5.0) as http:
        yield http


@pytest.fixture
def fresh(twilio: FakeTwilio) -> FakeTwilio:
    twilio.requests.clear()
    twilio.status = 201
    return twilio


def gateway(client: httpx.AsyncClient, base_url: str, **overrides: Any) -> TwilioGateway:
    settings: dict[str, Any] = {"account_sid": ACCOUNT_SID, "auth_token": SecretStr(AUTH_TOKEN),
                                "sms_sender": SMS_SENDER, "whatsapp_sender": WHATSAPP_SENDER,
                                "base_url": base_url, "timeout_seconds": 5.0}
    return TwilioGateway(client, **{**settings, **overrides})


def assert_safe(result: AttemptResult) -> None:
    assert result.reason is not None
    for secret in (PHONE, PHONE.lstrip("+"), TEXT, "Kotawaringin", AUTH_TOKEN, "21211"):
        assert secret not in result.reason, result.reason


async def test_an_sms_is_posted_as_twilio_expects(fresh: FakeTwilio, client: httpx.AsyncClient) -> None:
    key = str(uuid4())

    result = await gateway(client, fresh.base_url).send(Channel.SMS, PHONE, TEXT, idempotency_key=key)

    assert result == AttemptResult(status_code=201)
    assert result.succeeded
    [request] = fresh.requests
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.authorization == "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request.form == {"To": PHONE, "From": SMS_SENDER, "Body": TEXT}
    assert request.idempotency_key == key


async def test_a_whatsapp_message_prefixes_both_numbers(fresh: FakeTwilio, client: httpx.AsyncClient) -> None:
    result = await gateway(client, fresh.base_url).send(Channel.WHATSAPP, PHONE, TEXT, idempotency_key="k-1")

    assert result.succeeded
    [request] = fresh.requests
    assert request.form == {"To": f"whatsapp:{PHONE}", "From": f"whatsapp:{WHATSAPP_SENDER}", "Body": TEXT}


async def test_a_retried_message_carries_the_same_idempotency_key(fresh: FakeTwilio, client: httpx.AsyncClient) -> None:
    sms = gateway(client, fresh.base_url)
    fresh.status = 503
    assert not (await sms.send(Channel.SMS, PHONE, TEXT, idempotency_key="delivery-7")).succeeded
    fresh.status = 201
    assert (await sms.send(Channel.SMS, PHONE, TEXT, idempotency_key="delivery-7")).succeeded

    assert [request.idempotency_key for request in fresh.requests] == ["delivery-7", "delivery-7"]


async def test_an_invalid_number_is_permanent(fresh: FakeTwilio, client: httpx.AsyncClient) -> None:
    fresh.status = 400

    result = await gateway(client, fresh.base_url).send(Channel.SMS, PHONE, TEXT, idempotency_key="k")

    assert result.permanent
    assert not result.succeeded
    assert result.reason == "HTTP 400"
    assert_safe(result)


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_throttling_and_gateway_trouble_are_retried(
    fresh: FakeTwilio, client: httpx.AsyncClient, status: int
) -> None:
    fresh.status = status

    result = await gateway(client, fresh.base_url).send(Channel.WHATSAPP, PHONE, TEXT, idempotency_key="k")

    assert not result.permanent
    assert not result.succeeded
    assert result.reason == f"HTTP {status}"
    assert_safe(result)


@pytest.mark.parametrize("status", [401, 403, 404])
async def test_other_refusals_are_permanent(fresh: FakeTwilio, client: httpx.AsyncClient, status: int) -> None:
    fresh.status = status
    result = await gateway(client, fresh.base_url).send(Channel.SMS, PHONE, TEXT, idempotency_key="k")
    assert result.permanent
    assert_safe(result)


async def test_an_unreachable_gateway_is_retried(client: httpx.AsyncClient) -> None:
    unreachable = f"http://127.0.0.1:{processes.free_port()}"

    result = await gateway(client, unreachable).send(Channel.SMS, PHONE, TEXT, idempotency_key="k")

    assert not result.permanent
    assert result.status_code is None
    assert result.reason == "ConnectError"
    assert_safe(result)


async def test_a_gateway_that_never_answers_times_out(client: httpx.AsyncClient) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        slow = gateway(client, f"http://127.0.0.1:{silent.getsockname()[1]}", timeout_seconds=0.3)
        result = await slow.send(Channel.SMS, PHONE, TEXT, idempotency_key="k")

    assert not result.permanent
    assert result.reason == "timed out"


async def test_a_channel_without_a_sender_is_not_supported(fresh: FakeTwilio, client: httpx.AsyncClient) -> None:
    sms_only = gateway(client, fresh.base_url, whatsapp_sender=None)

    assert sms_only.supports(Channel.SMS)
    assert not sms_only.supports(Channel.WHATSAPP)
    assert not sms_only.supports(Channel.EMAIL)
    assert not sms_only.supports(Channel.WEBHOOK)
    result = await sms_only.send(Channel.WHATSAPP, PHONE, TEXT, idempotency_key="k")
    assert result.permanent
    assert_safe(result)
    assert fresh.requests == [], "nothing is sent for a channel without a sender"


def test_the_gateway_is_a_messaging_gateway(client: httpx.AsyncClient) -> None:
    twilio_gateway: MessagingGateway = gateway(client, "https://api.twilio.com")
    assert twilio_gateway.name == "twilio"
    assert AUTH_TOKEN not in repr(twilio_gateway)
    assert ACCOUNT_SID not in repr(twilio_gateway)


def notifications_settings(**overrides: Any) -> NotificationsSettings:
    return NotificationsSettings(
        database_url=SecretStr("postgresql+asyncpg://u:p@127.0.0.1:5432/sinergi"), environment="development",
        **overrides,
    )


def test_no_gateway_without_a_provider(client: httpx.AsyncClient) -> None:
    assert gateway_from_settings(notifications_settings(), client) is None


async def test_the_gateway_is_built_from_the_settings(fresh: FakeTwilio, client: httpx.AsyncClient) -> None:
    settings = notifications_settings(
        gateway_provider="twilio", gateway_base_url=fresh.base_url, gateway_account_sid=ACCOUNT_SID,
        gateway_auth_token=AUTH_TOKEN, gateway_whatsapp_sender=WHATSAPP_SENDER,
    )
    built = gateway_from_settings(settings, client)

    assert built is not None
    assert built.supports(Channel.WHATSAPP)
    assert not built.supports(Channel.SMS)
    assert (await built.send(Channel.WHATSAPP, PHONE, TEXT, idempotency_key="k")).succeeded
    assert fresh.requests[0].path.endswith(f"/Accounts/{ACCOUNT_SID}/Messages.json")


def test_the_settings_refuse_a_half_configured_gateway() -> None:
    with pytest.raises(ValueError, match="gateway_account_sid"):
        notifications_settings(gateway_provider="twilio", gateway_sms_sender=SMS_SENDER)
    with pytest.raises(ValueError, match="sender"):
        notifications_settings(gateway_provider="twilio", gateway_account_sid=ACCOUNT_SID,
                               gateway_auth_token=AUTH_TOKEN)
