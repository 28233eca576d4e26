"""Notifications against the real Postgres and broker, delivering to a real HTTP endpoint on a local port."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from notifications.app import create_app
from notifications.settings import NotificationsSettings
from services.notifications.tests.integration.support import (
    Publish,
    Receiver,
    case_reported,
    eventually,
    referral_of,
)
from shared.access import SERVICE_CONTEXT
from shared.auth import Role
from shared.contracts import ReferralCreated, ReferralFollowUpDue
from shared.contracts.intake import CaseReported
from shared.crypto import DecryptionError

pytestmark = pytest.mark.integration

MAX_ATTEMPTS = 4


@pytest.fixture(scope="module")
async def notifications(
    make_settings: Callable[..., NotificationsSettings], bearer: Callable[..., dict[str, str]]
) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as a province admin, who manages every agency's subscriptions."""
    settings = make_settings(
        NotificationsSettings, "notifications",
        delivery_backoff_base_seconds=0.01, delivery_backoff_cap_seconds=0.05, delivery_max_attempts=MAX_ATTEMPTS,
        delivery_idle_poll_ms=50, delivery_timeout_seconds=5, delivery_lease_seconds=10,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = bearer(Role.PROVINCE_ADMIN, user_id="admin-62", province_code="62")
        async with httpx.AsyncClient(transport=transport, base_url="http://notifications", headers=headers) as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture(scope="module")
async def publish(notifications: httpx.AsyncClient, publisher: Publish) -> Publish:
    """Publishing, once the module's app is up (its consumers read from the start of their topics anyway)."""
    return publisher


async def refer(publish: Publish, agency_id: str, case: CaseReported | None = None,
                agency_type: str = "uptd_ppa") -> ReferralCreated:
    """Report a case (unless given) and refer it to ``agency_id``, as intake and routing would."""
    if case is None:
        case = case_reported()
        await publish(case)
    event = referral_of(case, agency_id, agency_type)
    await publish(event)
    return event


async def subscribe(client: httpx.AsyncClient, receiver: Receiver, agency_id: str, *, fail_times: int = 0,
                    delay: float = 0, event_types: tuple[str, ...] = ("referral.created",)) -> tuple[str, str]:
    """Subscribe ``agency_id`` to a new hook on the receiver; return (subscription_id, hook)."""
    secret = f"secret-{uuid4().hex}"
    hook = receiver.hook(secret, fail_times=fail_times, delay=delay)
    response = await client.post("/v1/subscriptions", json={
        "agency_id": agency_id, "target": receiver.url(hook), "event_types": list(event_types), "secret": secret,
    })
    assert response.status_code == 201, response.text
    return response.json()["subscription_id"], hook


async def delivery_log(client: httpx.AsyncClient, subscription_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/subscriptions/{subscription_id}/deliveries")
    assert response.status_code == 200, response.text
    deliveries: list[dict[str, Any]] = response.json()
    return deliveries


async def settled(client: httpx.AsyncClient, subscription_id: str, event_id: UUID, status: str) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        for entry in await delivery_log(client, subscription_id):
            if entry["event_id"] == str(event_id) and entry["status"] == status:
                return entry
        return None

    found: dict[str, Any] = await eventually(check, f"delivery of {event_id} to become {status}")
    return found


async def scalar(client: httpx.AsyncClient, sql: str, **params: object) -> Any:
    """Read the service's own tables as the service itself would (row-level security lets the service role by)."""
    async with client.app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:  # type: ignore[attr-defined]
        return (await uow.session.execute(text(sql), params)).scalar()


def new_agency() -> str:
    return f"uptd-ppa-{uuid4().hex[:8]}"


async def failures_counted(client: httpx.AsyncClient, **labels: str) -> float:
    """``sinergi_webhook_failures_total`` with ``labels``, as Prometheus reads it from /metrics."""
    text = (await client.get("/metrics")).text
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "sinergi_webhook_failures_total" and sample.labels == labels)


async def test_subscription_secret_is_stored_encrypted_and_never_returned(notifications: httpx.AsyncClient) -> None:
    agency, secret = new_agency(), "s3cr3t-" + uuid4().hex
    response = await notifications.post("/v1/subscriptions", json={
        "agency_id": agency, "target": "https://ppa.example/hook", "event_types": ["referral.created"],
        "secret": secret,
    })
    assert response.status_code == 201, response.text
    created = response.json()
    assert secret not in response.text
    assert created["secret"] is None  # given, so not made here, and never echoed
    assert created["region_code"] == "62"  # the admin's province: only its cases' referrals
    assert created["paused"] is False
    assert created["channel"] == "webhook"
    assert created["language"] == "id"
    assert created["event_types"] == ["referral.created"]
    subscription_id = UUID(created["subscription_id"])

    listed = await notifications.get("/v1/subscriptions", params={"agency_id": agency})
    assert listed.status_code == 200
    assert [s["subscription_id"] for s in listed.json()] == [str(subscription_id)]
    assert secret not in listed.text
    assert (await notifications.get("/v1/subscriptions", params={"agency_id": new_agency()})).json() == []

    stored = await scalar(notifications, "SELECT secret_ciphertext FROM subscriptions WHERE subscription_id = :id",
                          id=subscription_id)
    assert stored != secret
    assert secret not in stored
    assert stored.startswith("v1:")
    cipher = notifications.app.state.cipher  # type: ignore[attr-defined]
    assert cipher.decrypt(stored, case_id=subscription_id, field="webhook_secret") == secret
    with pytest.raises(DecryptionError):  # bound to its subscription
        cipher.decrypt(stored, case_id=uuid4(), field="webhook_secret")


async def test_a_province_admin_lists_every_subscription_of_their_province(
    notifications: httpx.AsyncClient, bearer: Callable[..., dict[str, str]]
) -> None:
    """Their agencies' and their regions' alike, in one list; another province's admin, none of them."""
    agency = new_agency()
    made = []
    for body in ({"agency_id": agency}, {"scope": "region", "regions": ["62.13"]}):
        response = await notifications.post("/v1/subscriptions", json={
            "target": "https://ppa.example/hook", "event_types": ["referral.created"], **body})
        assert response.status_code == 201, response.text
        made.append(response.json()["subscription_id"])
    listed = await notifications.get("/v1/subscriptions", params={"province_code": "62"})
    assert listed.status_code == 200, listed.text
    assert set(made) <= {item["subscription_id"] for item in listed.json()}
    assert {item["region_code"][:2] for item in listed.json()} == {"62"}
    admin_63 = bearer(Role.PROVINCE_ADMIN, user_id="admin-63", province_code="63")
    assert (await notifications.get("/v1/subscriptions", params={"province_code": "62"}, headers=admin_63)
            ).status_code == 403
    both = await notifications.get("/v1/subscriptions", params={"province_code": "62", "agency_id": agency})
    assert both.status_code == 422
    assert [item["loc"] for item in both.json()["detail"]] == [["query", "agency_id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"secret": "short-secret"}, "secret"),
        ({"target": "ftp://ppa.example/hook"}, "target"),
        ({"target": "not a url"}, "target"),
        ({"target": "https://user:pw@ppa.example/hook"}, "target"),
        ({"channel": "sms", "target": "+6281234567890"}, "channel"),  # no gateway configured here
        ({"channel": "fax"}, "channel"),
        ({"regions": ["63"]}, "regions"),
        ({"event_types": []}, "event_types"),
        ({"event_types": ["referral.created", "case.reported"]}, "event_types"),
        ({"agency_id": ""}, "agency_id"),
    ],
)
async def test_invalid_subscription_names_the_field_and_never_echoes_the_secret(
    notifications: httpx.AsyncClient, change: dict[str, object], field: str
) -> None:
    body = {"agency_id": new_agency(), "target": "https://ppa.example/hook", "event_types": ["referral.created"],
            "secret": "short-secret", **change}
    if field != "secret":
        body["secret"] = "a-valid-but-secret-value-" + uuid4().hex
    if "channel" in change:
        del body["secret"]  # only webhooks are signed
    response = await notifications.post("/v1/subscriptions", json=body)
    assert response.status_code == 422
    assert ("body", field) in [tuple(item["loc"][:2]) for item in response.json()["detail"]]
    assert str(body.get("secret", "no secret given")) not in response.text
    assert "+6281234567890" not in response.text  # nor a phone number
    english = await notifications.post("/v1/subscriptions", json=body, headers={"Accept-Language": "en"})
    said = {language: next(item["msg"] for item in answer.json()["detail"] if tuple(item["loc"][:2]) == ("body", field))
            for language, answer in (("id", response), ("en", english))}
    assert said["id"] != said["en"], said  # each in its own language, not one generic sentence
    assert "Nilai tidak valid." not in said.values(), said
    assert "Invalid value." not in said.values(), said


async def test_unknown_subscription_has_no_delivery_log(notifications: httpx.AsyncClient) -> None:
    missing = await notifications.get(f"/v1/subscriptions/{uuid4()}/deliveries")
    english = await notifications.get(f"/v1/subscriptions/{uuid4()}/deliveries", headers={"Accept-Language": "en"})
    assert missing.status_code == english.status_code == 404
    assert missing.json() == {"detail": [{"loc": ["path", "subscription_id"], "type": "subscription_not_found",
                                          "msg": "Tidak ada langganan tersebut."}]}
    assert english.json()["detail"][0]["msg"] == "No such subscription."


async def test_referral_reaches_the_agency_as_a_signed_webhook(
    notifications: httpx.AsyncClient, receiver: Receiver, publish: Publish
) -> None:
    agency = new_agency()
    subscription_id, hook = await subscribe(notifications, receiver, agency)
    event = await refer(publish, agency)

    entry = await settled(notifications, subscription_id, event.event_id, "delivered")
    arrivals = receiver.of(hook)
    assert len(arrivals) == 1
    arrival = arrivals[0]
    assert arrival.verified
    assert arrival.event_id == str(event.event_id)
    assert arrival.event_type == "referral.created"
    notification = json.loads(arrival.body)
    assert notification["event_id"] == str(event.event_id)
    assert notification["subscription_id"] == subscription_id
    assert notification["referral"]["referral_id"] == str(event.referral_id)
    assert notification["case"]["case_number"]  # a case manager sees the whole of the case's facts
    assert set(notification["case"]) >= {"victims", "perpetrators", "needs", "consent"}
    assert notification["summary"]  # one sentence, in Bahasa Indonesia by default
    assert "reason" not in notification["details"]  # free text is never sent
    assert entry["attempts"] == 1
    assert entry["last_status_code"] == 204
    assert entry["last_error"] is None
    assert entry["delivered_at"] is not None
    assert entry["next_attempt_at"] is None
    assert "payload" not in entry

    # The audit trail: a webhook.delivered event, queued in the same transaction as the status.
    audit = await scalar(
        notifications, "SELECT payload FROM outbox WHERE event_type = 'webhook.delivered' AND payload::jsonb ->> "
        "'delivered_event_id' = :event_id", event_id=str(event.event_id),
    )
    delivered = json.loads(audit)
    assert delivered["subscription_id"] == subscription_id
    assert delivered["agency_id"] == agency
    assert delivered["case_id"] == str(event.case_id)
    assert delivered["attempts"] == 1


async def test_a_follow_up_due_reaches_the_agency_of_the_referral(
    notifications: httpx.AsyncClient, receiver: Receiver, publish: Publish
) -> None:
    """``referral.follow_up_due`` from routing, consumed from the topic, reaches the agency's subscription: which
    follow-up and when, the case it sees; nothing of the note (the event has none)."""
    agency = new_agency()
    subscription_id, hook = await subscribe(notifications, receiver, agency,
                                            event_types=("referral.follow_up_due",))
    referral = await refer(publish, agency)
    due = ReferralFollowUpDue(case_id=referral.case_id, referral_id=referral.referral_id, agency_id=agency,
                              follow_up_id=uuid4(), due_at=datetime(2026, 12, 8, 2, 0, tzinfo=UTC))
    await publish(due)
    await settled(notifications, subscription_id, due.event_id, "delivered")
    [arrival] = receiver.of(hook)
    assert arrival.event_type == "referral.follow_up_due"
    notification = json.loads(arrival.body)
    assert notification["details"] == {"follow_up_id": str(due.follow_up_id), "due_at": "2026-12-08T02:00:00Z"}
    assert notification["referral"]["referral_id"] == str(referral.referral_id)
    summary = notification["summary"]  # in Bahasa Indonesia, the due time in the case's local time
    assert "tindak lanjut yang dijadwalkan lembaga Anda untuk 8 Desember 2026 pukul 09.00 WIB" in summary


async def test_failing_endpoint_gets_the_event_on_the_third_attempt(
    notifications: httpx.AsyncClient, receiver: Receiver, publish: Publish
) -> None:
    agency = new_agency()
    failed_before = await failures_counted(notifications, channel="webhook", reason="http_5xx")
    subscription_id, hook = await subscribe(notifications, receiver, agency, fail_times=2)
    event = await refer(publish, agency)

    entry = await settled(notifications, subscription_id, event.event_id, "delivered")
    assert entry["attempts"] == 3
    assert await failures_counted(notifications, channel="webhook", reason="http_5xx") >= failed_before + 2
    assert entry["last_status_code"] == 204
    arrivals = receiver.of(hook)
    assert [a.answered for a in arrivals] == [500, 500, 204]
    assert {a.event_id for a in arrivals} == {str(event.event_id)}  # the receiver's idempotency key
    assert all(a.verified for a in arrivals)  # each attempt is signed afresh


async def test_endpoint_that_keeps_failing_ends_in_the_dead_letters(
    notifications: httpx.AsyncClient, receiver: Receiver, publish: Publish
) -> None:
    agency = new_agency()
    subscription_id, hook = await subscribe(notifications, receiver, agency, fail_times=1_000)
    event = await refer(publish, agency)

    entry = await settled(notifications, subscription_id, event.event_id, "dead")
    assert entry["attempts"] == MAX_ATTEMPTS
    assert entry["last_status_code"] == 500
    assert entry["last_error"] == "HTTP 500"
    assert entry["next_attempt_at"] is None
    # Nothing more is sent once dead: a delivery queued after its death is delivered, so the worker has claimed
    # (and sent what it claimed) since, and the dead one was not among it.
    other_agency = new_agency()
    other_subscription, _ = await subscribe(notifications, receiver, other_agency)
    other = await refer(publish, other_agency)
    await settled(notifications, other_subscription, other.event_id, "delivered")
    [still_dead] = await delivery_log(notifications, subscription_id)
    assert (still_dead["status"], still_dead["attempts"]) == ("dead", MAX_ATTEMPTS)
    assert len(receiver.of(hook)) == MAX_ATTEMPTS


async def test_an_event_for_agency_b_never_reaches_agency_a(
    notifications: httpx.AsyncClient, receiver: Receiver, publish: Publish
) -> None:
    agency_a, agency_b = new_agency(), new_agency()
    subscription_a, hook_a = await subscribe(notifications, receiver, agency_a)
    subscription_b, hook_b = await subscribe(notifications, receiver, agency_b)
    event = await refer(publish, agency_b)

    await settled(notifications, subscription_b, event.event_id, "delivered")
    assert len(receiver.of(hook_b, event.event_id)) == 1
    # A's deliveries would have been queued in the same transaction as B's: there are none, and none arrived.
    assert await delivery_log(notifications, subscription_a) == []
    assert receiver.of(hook_a) == []


async def test_a_redelivered_event_creates_no_second_delivery(
    notifications: httpx.AsyncClient, receiver: Receiver, publish: Publish
) -> None:
    agency = new_agency()
    subscription_id, hook = await subscribe(notifications, receiver, agency)
    event = await refer(publish, agency)
    await settled(notifications, subscription_id, event.event_id, "delivered")

    await publish(event)  # Kafka redelivers: same event_id
    # A later event of the same case travels on the same partition, so once it is delivered the duplicate has
    # been consumed too.
    marker = referral_of(event.case_id, agency)
    await publish(marker)
    await settled(notifications, subscription_id, marker.event_id, "delivered")

    assert [e["event_id"] for e in await delivery_log(notifications, subscription_id)].count(str(event.event_id)) == 1
    # This subscription's rows only: another test's subscription of the whole region may take the event too.
    assert await scalar(notifications, "SELECT count(*) FROM deliveries WHERE event_id = :id AND subscription_id = :s",
                        id=event.event_id, s=UUID(subscription_id)) == 1
    assert len(receiver.of(hook, event.event_id)) == 1


async def test_a_delivery_whose_worker_died_is_sent_when_its_lease_runs_out(
    notifications: httpx.AsyncClient, receiver: Receiver, publish: Publish
) -> None:
    """The state a crash leaves behind: attempt 1 claimed (its lease taken) and never reported. The work lives
    in the table, so once the lease has run out the delivery is sent again, as attempt 2. The lease is an hour
    long and the test ends it by moving its end to now, as the clock would: no wait in between decides whether
    the worker has looked yet."""
    agency = new_agency()
    subscription_id, hook = await subscribe(notifications, receiver, agency)
    event, delivery_id = referral_of(uuid4(), agency), uuid4()
    async with notifications.app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:  # type: ignore[attr-defined]
        await uow.session.execute(
            text(
                "INSERT INTO deliveries (delivery_id, subscription_id, event_id, event_type, case_id, payload, "
                "status, attempts, next_attempt_at, last_attempt_at, created_at) VALUES (:delivery_id, "
                ":subscription_id, :event_id, :event_type, :case_id, :payload, 'pending', 1, "
                "now() + interval '1 hour', now(), now())"
            ),
            {"delivery_id": delivery_id, "subscription_id": UUID(subscription_id), "event_id": event.event_id,
             "event_type": event.event_type, "case_id": event.case_id, "payload": event.model_dump_json()},
        )
        await uow.commit()
    # A delivery queued after it is delivered: the worker has claimed since, and a claim takes the due
    # deliveries by when they are due, so the leased one would have been taken no later.
    other_agency = new_agency()
    other_subscription, _ = await subscribe(notifications, receiver, other_agency)
    other = await refer(publish, other_agency)
    await settled(notifications, other_subscription, other.event_id, "delivered")
    assert [entry["attempts"] for entry in await delivery_log(notifications, subscription_id)] == [1]
    assert receiver.of(hook) == []  # still leased

    async with notifications.app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:  # type: ignore[attr-defined]
        await uow.session.execute(text("UPDATE deliveries SET next_attempt_at = now() WHERE delivery_id = :id"),
                                  {"id": delivery_id})  # the lease runs out
        await uow.commit()

    entry = await settled(notifications, subscription_id, event.event_id, "delivered")
    assert entry["attempts"] == 2
    assert [a.event_id for a in receiver.of(hook)] == [str(event.event_id)]


async def test_a_slow_endpoint_does_not_hold_back_another_agencys_delivery(
    notifications: httpx.AsyncClient, receiver: Receiver, publish: Publish
) -> None:
    slow_agency, agency = new_agency(), new_agency()
    slow_subscription, _ = await subscribe(notifications, receiver, slow_agency, delay=3)
    subscription_id, _ = await subscribe(notifications, receiver, agency)
    slow_event = await refer(publish, slow_agency)
    await eventually(lambda: _attempted(notifications, slow_subscription), "the slow endpoint's attempt to start")

    event = await refer(publish, agency)
    await settled(notifications, subscription_id, event.event_id, "delivered")
    [slow] = await delivery_log(notifications, slow_subscription)
    assert slow["status"] == "pending"  # still waiting on its endpoint, while the other was delivered
    await settled(notifications, slow_subscription, slow_event.event_id, "delivered")


async def _attempted(client: httpx.AsyncClient, subscription_id: str) -> bool:
    return any(entry["attempts"] >= 1 for entry in await delivery_log(client, subscription_id))
