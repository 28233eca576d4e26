"""Helpers of notifications' integration tests (their fixtures are in conftest.py): a real HTTP receiver for
webhooks that checks signatures as an agency should, the local mail server's Maildir, and events of a case
with its referrals as intake and routing put them on the wire."""

from __future__ import annotations

import asyncio
import email.policy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID, uuid4

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from notifications.adapters.messaging_gateway import TWILIO_IDEMPOTENCY_HEADER
from shared.contracts import Event, ReferralCreated
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import CaseReported
from shared.webhooks import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, SignatureError, verify
from tests.polling import eventually  # noqa: F401 - the one poll-until, still importable from here

Publish = Callable[[Event], Awaitable[None]]


@dataclass
class Arrival:
    hook: str
    event_id: str
    event_type: str
    body: bytes
    verified: bool
    answered: int


@dataclass
class Receiver:
    """An agency's webhook endpoint: checks every signature as an agency should, records what arrived, and can
    be told to answer 500 a number of times first."""

    base_url: str = ""
    secrets: dict[str, str] = field(default_factory=dict)
    failures_left: dict[str, int] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    arrivals: list[Arrival] = field(default_factory=list)
    # What an agency's system would act on: the event ids it accepted (2xx), per hook. A receiver dedupes on
    # the id, so one that came twice (at least once delivery) would be acted on once.
    processed: dict[str, list[str]] = field(default_factory=dict)

    def hook(self, secret: str, *, fail_times: int = 0, delay: float = 0) -> str:
        name = uuid4().hex
        self.secrets[name], self.failures_left[name], self.delays[name] = secret, fail_times, delay
        return name

    def url(self, hook: str) -> str:
        return f"{self.base_url}/hooks/{hook}"

    def of(self, hook: str, event_id: UUID | None = None) -> list[Arrival]:
        return [a for a in self.arrivals if a.hook == hook and (event_id is None or a.event_id == str(event_id))]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hooks/{hook}")
        async def receive(hook: str, request: Request) -> Response:
            body = await request.body()
            await asyncio.sleep(self.delays[hook])
            try:
                verify(self.secrets[hook], request.headers.get(SIGNATURE_HEADER, ""), body)
                verified = True
            except SignatureError:
                verified = False
            answer = 401
            if verified:
                answer = 500 if self.failures_left[hook] > 0 else 204
                self.failures_left[hook] -= 1
            self.arrivals.append(Arrival(hook, request.headers.get(EVENT_ID_HEADER, ""),
                                         request.headers.get(EVENT_TYPE_HEADER, ""), body, verified, answer))
            key = request.headers.get(EVENT_ID_HEADER, "")
            if answer == 204 and key not in self.processed.setdefault(hook, []):
                self.processed[hook].append(key)  # acted on once; a repeat is acknowledged, not acted on
            return Response(status_code=answer)

        return app


def case_reported(**overrides: Any) -> CaseReported:
    return example_case_reported(case_id=uuid4(), **overrides)


def referral_of(case: CaseReported | UUID, agency_id: str, agency_type: str = "uptd_ppa") -> ReferralCreated:
    case_id = case if isinstance(case, UUID) else case.case_id
    return ReferralCreated(
        case_id=case_id, referral_id=uuid4(), agency_id=agency_id, agency_type=agency_type,
        is_lead=agency_type == "uptd_ppa", province_code="62", regency_code="62.13", rule="regency_uptd",
        reason="UPTD PPA of the case's regency",
    )


@dataclass
class MailServer:
    port: int
    maildir: Path

    def messages(self) -> list[EmailMessage]:
        """Every message stored so far, parsed with the modern policy (headers decoded)."""
        stored = []
        for path in sorted((self.maildir / "new").iterdir()):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            stored.append(message)
        return stored

    def with_id(self, message_id: str) -> list[EmailMessage]:
        return [message for message in self.messages() if message["Message-ID"] == f"<{message_id}@sinergi>"]

    async def wait_for(self, message_id: str, count: int = 1, within: float = 10) -> list[EmailMessage]:
        """The server stores a message before it answers 250, but poll a little anyway."""
        async with asyncio.timeout(within):
            while len(found := self.with_id(message_id)) < count:  # noqa: ASYNC110 - polling a directory: nothing to await
                await asyncio.sleep(0.05)
        return found


@dataclass
class Received:
    path: str
    authorization: str
    form: dict[str, str]
    idempotency_key: str | None


@dataclass
class FakeTwilio:
    """Twilio's Messages endpoint: records each request and answers ``status`` (201 unless told otherwise)."""

    base_url: str = ""
    status: int = 201
    requests: list[Received] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/2010-04-01/Accounts/{account_sid}/Messages.json")
        async def create_message(account_sid: str, request: Request) -> Response:
            form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
            self.requests.append(Received(request.url.path, request.headers.get("authorization", ""), form,
                                          request.headers.get(TWILIO_IDEMPOTENCY_HEADER)))
            if self.status == 201:
                return JSONResponse({"sid": "SM" + uuid4().hex, "to": form.get("To"), "body": form.get("Body"),
                                     "status": "queued"}, status_code=201)
            # Twilio's error bodies quote what was sent: a gateway must not pass them on.
            return JSONResponse({"code": 21211, "status": self.status,
                                 "message": f"The 'To' number {form.get('To')} is not valid ({form.get('Body')})"},
                                status_code=self.status)

        return app


async def hook_subscription(
    client: httpx.AsyncClient, receiver: Receiver, agency_id: str | None, event_types: list[str], *,
    fail_times: int = 0, delay: float = 0, headers: dict[str, str] | None = None,
) -> tuple[str, str]:
    secret = f"secret-{uuid4().hex}"
    hook = receiver.hook(secret, fail_times=fail_times, delay=delay)
    body: dict[str, Any] = {"target": receiver.url(hook), "event_types": event_types, "secret": secret}
    body |= {"agency_id": agency_id} if agency_id else {"scope": "region"}
    response = await client.post("/v1/subscriptions", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["subscription_id"], hook


async def deliveries(client: httpx.AsyncClient, subscription_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/subscriptions/{subscription_id}/deliveries")
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries
