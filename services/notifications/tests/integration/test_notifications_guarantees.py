"""What notifications promises, shown against the real Postgres, broker, mail server and an HTTP receiver:

- every event reaches a verifying receiver once per idempotency key, even when the service restarts mid-retry;
- a dead endpoint ends in the dead letters without slowing the others (its circuit breaker fails it fast);
- an agency never hears of a case not referred to it, nor sees a field its type may not; a supervisor's region
  subscription gets aggregate fields only; consent narrowed later stops an agency's notifications;
- an event that comes before its case waits for it;
- an email arrives at the SMTP server with the event's template, in the subscription's language, and a WhatsApp
  message at the message gateway (SMS is not configured here, so it cannot be subscribed to).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import text

from notifications.app import create_app
from notifications.settings import NotificationsSettings
from services.notifications.tests.integration.support import (
    FakeTwilio,
    MailServer,
    Publish,
    Receiver,
    case_reported,
    deliveries,
    eventually,
    hook_subscription,
    referral_of,
)
from shared.access import SERVICE_CONTEXT
from shared.auth import Role
from shared.contracts import CaseClosed, CaseUpdated, ReferralCreated
from shared.contracts.intake import CaseReported, Consent
from shared.contracts.vocabulary import AgencyType, ConsentGiver

pytestmark = pytest.mark.integration

MAX_ATTEMPTS = 4
PERSONAL_KEYS = {"victims", "perpetrators", "needs", "consent", "case_number", "triage_reasons"}


@pytest.fixture(scope="module")
def settings_for(
    make_settings: Callable[..., NotificationsSettings], mail_server: MailServer, twilio: FakeTwilio
) -> Callable[..., NotificationsSettings]:
    def build(**overrides: Any) -> NotificationsSettings:
        return make_settings(NotificationsSettings, "notifications", **{
            "delivery_backoff_base_seconds": 0.05, "delivery_backoff_cap_seconds": 0.2,
            "delivery_max_attempts": MAX_ATTEMPTS, "delivery_idle_poll_ms": 50, "delivery_timeout_seconds": 5,
            "delivery_lease_seconds": 10, "smtp_host": "127.0.0.1", "smtp_port": mail_server.port,
            "case_link_template": "https://sinergi.example/kasus/{case_id}", "gateway_provider": "twilio",
            "gateway_base_url": twilio.base_url, "gateway_account_sid": "AC0123456789abcdef0123456789abcdef",
            "gateway_auth_token": "twilio-test-auth-token-0123456789", "gateway_whatsapp_sender": "+14155238886",
            **overrides,
        })

    return build


@contextlib.asynccontextmanager
async def running(settings: NotificationsSettings, headers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """One notifications instance, in process, for as long as the block runs (leaving it is a shutdown)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notifications", headers=headers) as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture(scope="module")
def admin(bearer: Callable[..., dict[str, str]]) -> dict[str, str]:
    return bearer(Role.PROVINCE_ADMIN, user_id="admin-62", province_code="62")


@pytest.fixture(scope="module")
async def notifications(
    settings_for: Callable[..., NotificationsSettings], admin: dict[str, str]
) -> AsyncIterator[httpx.AsyncClient]:
    async with running(settings_for(), admin) as client:
        yield client


async def all_settled(client: httpx.AsyncClient, subscription_id: str, count: int, status: str) -> list[Any]:
    async def check() -> list[dict[str, Any]] | None:
        entries = [e for e in await deliveries(client, subscription_id) if e["status"] == status]
        return entries if len(entries) >= count else None

    found: list[Any] = await eventually(check, f"{count} deliveries to become {status}", within=60)
    return found


async def report_and_refer(publish: Publish, *agencies: tuple[str, str], case: CaseReported | None = None,
                           ) -> tuple[CaseReported, list[ReferralCreated]]:
    case = case or case_reported()
    await publish(case)
    referrals = [referral_of(case, agency_id, agency_type) for agency_id, agency_type in agencies]
    for referral in referrals:
        await publish(referral)
    return case, referrals


def bodies(receiver: Receiver, hook: str) -> list[dict[str, Any]]:
    return [json.loads(arrival.body) for arrival in receiver.of(hook) if arrival.answered == 204]


async def test_every_event_arrives_once_per_idempotency_key_across_a_restart_mid_retry(
    settings_for: Callable[..., NotificationsSettings], admin: dict[str, str], receiver: Receiver,
    publisher: Publish,
) -> None:
    # Slow retries, so that the restart surely falls between attempts.
    settings = settings_for(delivery_backoff_base_seconds=1.0, delivery_backoff_cap_seconds=1.5,
                            delivery_max_attempts=8)
    agency = f"uptd-ppa-{uuid4().hex[:8]}"
    async with running(settings, admin) as first:
        subscription_id, hook = await hook_subscription(first, receiver, agency, ["referral.created"],
                                                        fail_times=3)
        referrals = [(await report_and_refer(publisher, (agency, "uptd_ppa")))[1][0] for _ in range(5)]

        async def failed_once() -> bool:
            return len(receiver.of(hook)) >= 3

        await eventually(failed_once, "the endpoint to fail three times", within=60)
    # The first instance is gone, with retries pending.
    async with running(settings, admin) as second:
        async with second.app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:  # type: ignore[attr-defined]
            pending = (await uow.session.execute(
                text("SELECT count(*) FROM deliveries WHERE subscription_id = :id AND status = 'pending'"),
                {"id": UUID(subscription_id)},
            )).scalar()
        assert pending, "the restart must come while deliveries are still to be retried"
        await all_settled(second, subscription_id, 5, "delivered")

    sent = {str(referral.event_id) for referral in referrals}
    assert {arrival.event_id for arrival in receiver.of(hook)} == sent  # the key is the event id, on every attempt
    assert all(arrival.verified for arrival in receiver.of(hook))
    assert sorted(receiver.processed[hook]) == sorted(sent)  # each acted on exactly once


async def test_an_endpoint_failing_n_times_gets_the_event_on_attempt_n_plus_one(
    notifications: httpx.AsyncClient, receiver: Receiver, publisher: Publish
) -> None:
    agency = f"uptd-ppa-{uuid4().hex[:8]}"
    failures = MAX_ATTEMPTS - 1
    subscription_id, _ = await hook_subscription(notifications, receiver, agency, ["referral.created"],
                                                 fail_times=failures)
    await report_and_refer(publisher, (agency, "uptd_ppa"))
    [entry] = await all_settled(notifications, subscription_id, 1, "delivered")
    assert entry["attempts"] == failures + 1
    assert [a["status_code"] for a in entry["attempt_log"]] == [500] * failures + [204]
    assert [a["outcome"] for a in entry["attempt_log"]] == ["retry"] * failures + ["delivered"]
    assert all(a["duration_ms"] >= 0 for a in entry["attempt_log"])


async def test_a_dead_endpoint_is_dead_lettered_and_does_not_slow_the_others(
    settings_for: Callable[..., NotificationsSettings], admin: dict[str, str], receiver: Receiver,
    publisher: Publish,
) -> None:
    settings = settings_for(circuit_failure_threshold=2, circuit_cool_down_seconds=60,
                            delivery_batch_size=4, delivery_max_attempts=MAX_ATTEMPTS)
    dead_agency, live_agency = f"uptd-ppa-{uuid4().hex[:8]}", f"uptd-ppa-{uuid4().hex[:8]}"
    async with running(settings, admin) as client:
        dead, dead_hook = await hook_subscription(client, receiver, dead_agency, ["referral.created"],
                                                  fail_times=1_000_000, delay=0.5)
        live, live_hook = await hook_subscription(client, receiver, live_agency, ["referral.created"])
        for _ in range(8):
            await report_and_refer(publisher, (dead_agency, "uptd_ppa"))
            await report_and_refer(publisher, (live_agency, "uptd_ppa"))

        delivered = await all_settled(client, live, 8, "delivered")
        assert all(entry["attempts"] == 1 for entry in delivered)  # never held back, never retried
        dead_letters = await all_settled(client, dead, 8, "dead")
        dead_log = (await client.get(f"/v1/subscriptions/{dead}/deliveries", params={"status": "dead"})).json()
        assert len(dead_log) == 8
        outcomes = [a["outcome"] for entry in dead_letters for a in entry["attempt_log"]]
        assert "circuit_open" in outcomes  # failed fast, without a request
        # Without the breaker the dead endpoint would have had 8 x MAX_ATTEMPTS requests, each taking a slot.
        assert len(receiver.of(dead_hook)) < 8 * MAX_ATTEMPTS
        requests = [a for entry in dead_letters for a in entry["attempt_log"] if a["status_code"] == 500]
        assert len(receiver.of(dead_hook)) == len(requests)  # the log accounts for every request
        async with client.app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:  # type: ignore[attr-defined]
            announced = (await uow.session.execute(text(
                "SELECT count(*) FROM outbox WHERE event_type = 'delivery.dead_lettered'"
                " AND payload::jsonb ->> 'subscription_id' = :id"), {"id": dead})).scalar()
        assert announced == 8  # for the audit trail and the operators
    assert len(bodies(receiver, live_hook)) == 8


async def test_need_to_know_across_agencies_types_regions_and_consent(
    notifications: httpx.AsyncClient, receiver: Receiver, publisher: Publish, bearer: Callable[..., dict[str, str]],
) -> None:
    run = uuid4().hex[:6]
    police, health, school, other = (f"{kind}-{run}" for kind in ("polres", "puskesmas", "sekolah", "lain"))
    events = ["referral.created", "case.updated", "case.closed"]
    subs = {name: await hook_subscription(notifications, receiver, name, events)
            for name in (police, health, school, other)}
    supervisor = bearer(Role.DISTRICT_SUPERVISOR, user_id=f"spv-{run}", regency_code="62.13", province_code="62")
    other_supervisor = bearer(Role.DISTRICT_SUPERVISOR, user_id=f"spv2-{run}", regency_code="62.01",
                              province_code="62")
    region = await hook_subscription(notifications, receiver, None, ["case.reported", "case.closed"],
                                     headers=supervisor)
    elsewhere = await hook_subscription(notifications, receiver, None, ["case.reported"], headers=other_supervisor)

    consent = Consent(given_by=ConsentGiver.KORBAN, agency_types=(AgencyType.POLICE_PPA, AgencyType.HEALTH))
    case, _ = await report_and_refer(
        publisher, (police, "police_ppa"), (health, "health"), case=case_reported(consent=consent),
    )
    # Both referrals known before the case changes (an agency whose referral comes after an update learns the
    # updated facts with the referral itself).
    await all_settled(notifications, subs[health][0], 1, "delivered")
    await all_settled(notifications, subs[police][0], 1, "delivered")
    # The victim withdraws consent for the police; then the case is closed.
    narrowed = CaseUpdated(**{
        **case.model_dump(exclude={"event_id", "event_type", "occurred_at", "schema_version", "producer"}),
        "consent": Consent(given_by=ConsentGiver.KORBAN, agency_types=(AgencyType.HEALTH,)),
        "update_id": uuid4(), "kind": "corrected", "changed_fields": ("consent",), "updated_by": "operator-1",
    })
    await publisher(narrowed)
    await publisher(CaseClosed(case_id=case.case_id, case_number=case.case_number, province_code="62",
                               regency_code="62.13", reason="handled", closed_by="operator-1"))

    await all_settled(notifications, subs[health][0], 3, "delivered")
    await all_settled(notifications, region[0], 2, "delivered")

    health_seen = bodies(receiver, subs[health][1])
    assert sorted(b["event_type"] for b in health_seen) == sorted(events)  # sent side by side: any order
    assert all("victims" in b["case"] for b in health_seen if b["event_type"] != "case.closed")
    assert not any("perpetrators" in b["case"] for b in health_seen)  # health need not know who did it
    police_seen = bodies(receiver, subs[police][1])
    assert [b["event_type"] for b in police_seen] == ["referral.created"]  # nothing after consent was withdrawn
    assert "perpetrators" in police_seen[0]["case"]
    assert await deliveries(notifications, subs[school][0]) == []  # not referred: never told
    assert await deliveries(notifications, subs[other][0]) == []
    region_seen = bodies(receiver, region[1])
    assert sorted(b["event_type"] for b in region_seen) == ["case.closed", "case.reported"]
    assert all(PERSONAL_KEYS.isdisjoint(b["case"]) for b in region_seen)  # aggregate fields only
    assert all(b["referral"] is None and b["link"] is None for b in region_seen)
    assert await deliveries(notifications, elsewhere[0]) == []  # another regency's supervisor
    for seen in (health_seen, police_seen, region_seen):
        assert all("operator-1" not in json.dumps(b) for b in seen)  # no staff ids, no free text


async def test_a_referral_that_comes_before_its_case_waits_for_it(
    notifications: httpx.AsyncClient, receiver: Receiver, publisher: Publish
) -> None:
    agency = f"uptd-ppa-{uuid4().hex[:8]}"
    subscription_id, hook = await hook_subscription(notifications, receiver, agency, ["referral.created"])
    case = case_reported()
    referral = referral_of(case, agency)
    await publisher(referral)  # the referrals topic was read first

    async def parked() -> bool:
        async with notifications.app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:  # type: ignore[attr-defined]
            return bool((await uow.session.execute(
                text("SELECT count(*) FROM waiting_events WHERE case_id = :id"), {"id": case.case_id})).scalar())

    await eventually(parked, "the referral to wait for its case")
    assert await deliveries(notifications, subscription_id) == []
    await publisher(case)
    [entry] = await all_settled(notifications, subscription_id, 1, "delivered")
    assert entry["event_id"] == str(referral.event_id)
    assert bodies(receiver, hook)[0]["case"]["case_number"] == case.case_number


@pytest.mark.parametrize("wording", [
    ("id", "Rujukan kasus baru", "dirujuk ke lembaga Anda"),
    ("en", "New case referral", "has been referred to your agency"),
])
async def test_email_arrives_at_the_smtp_server_with_the_template_in_its_language(
    notifications: httpx.AsyncClient, mail_server: MailServer, publisher: Publish, wording: tuple[str, str, str],
) -> None:
    language, subject_words, body_words = wording
    agency = f"uptd-ppa-{uuid4().hex[:8]}"
    address = f"{agency}@ppa.example.go.id"
    body: dict[str, Any] = {"agency_id": agency, "channel": "email", "target": address,
                            "event_types": ["referral.created"]}
    if language != "id":
        body["language"] = language  # Bahasa Indonesia unless asked otherwise
    response = await notifications.post("/v1/subscriptions", json=body)
    assert response.status_code == 201, response.text
    subscription_id = response.json()["subscription_id"]
    assert response.json()["language"] == language
    case, _ = await report_and_refer(publisher, (agency, "uptd_ppa"))

    [entry] = await all_settled(notifications, subscription_id, 1, "delivered")
    [message] = await mail_server.wait_for(entry["delivery_id"])
    assert message["To"] == address
    assert subject_words in message["Subject"]
    assert case.case_number in message["Subject"]
    text_body = message.get_content()
    assert body_words in text_body
    assert f"https://sinergi.example/kasus/{case.case_id}" in text_body
    stored = await notifications.get(f"/v1/subscriptions/{subscription_id}")
    assert stored.json()["target"] == address  # shown to those who may manage it, stored encrypted
    async with notifications.app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:  # type: ignore[attr-defined]
        row = (await uow.session.execute(text(
            "SELECT url, contact_ciphertext FROM subscriptions WHERE subscription_id = :id"),
            {"id": UUID(subscription_id)})).one()
    assert row.url is None
    assert address not in row.contact_ciphertext


async def test_a_rotated_secret_signs_beside_the_old_one_until_it_expires(
    notifications: httpx.AsyncClient, receiver: Receiver, publisher: Publish
) -> None:
    agency = f"uptd-ppa-{uuid4().hex[:8]}"
    subscription_id, hook = await hook_subscription(notifications, receiver, agency, ["referral.created"])
    rotated = await notifications.post(f"/v1/subscriptions/{subscription_id}/rotate-secret",
                                       json={"keep_previous_for_seconds": 3600})
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert rotated.json()["previous_secret_expires_at"] is not None
    _, [referral] = await report_and_refer(publisher, (agency, "uptd_ppa"))
    await all_settled(notifications, subscription_id, 1, "delivered")
    assert receiver.of(hook, referral.event_id)[0].verified  # with the old secret
    receiver.secrets[hook] = new_secret
    _, [second] = await report_and_refer(publisher, (agency, "uptd_ppa"))
    await all_settled(notifications, subscription_id, 2, "delivered")
    assert receiver.of(hook, second.event_id)[0].verified  # and with the new one


async def test_pause_holds_deliveries_resume_sends_them_delete_dead_letters_the_rest(
    notifications: httpx.AsyncClient, receiver: Receiver, publisher: Publish
) -> None:
    agency = f"uptd-ppa-{uuid4().hex[:8]}"
    subscription_id, hook = await hook_subscription(notifications, receiver, agency, ["referral.created"])
    paused = await notifications.post(f"/v1/subscriptions/{subscription_id}/pause")
    assert paused.json()["paused"] is True
    await report_and_refer(publisher, (agency, "uptd_ppa"))
    [waiting] = await all_settled(notifications, subscription_id, 1, "pending")
    # A delivery queued after it, to a subscription not paused: once that is delivered, the worker has claimed
    # since the held one was due, and a claim takes the due deliveries oldest first.
    other_agency = f"uptd-ppa-{uuid4().hex[:8]}"
    other_subscription, _ = await hook_subscription(notifications, receiver, other_agency, ["referral.created"])
    await report_and_refer(publisher, (other_agency, "uptd_ppa"))
    await all_settled(notifications, other_subscription, 1, "delivered")
    assert [entry["attempts"] for entry in await deliveries(notifications, subscription_id)] == [0]  # never claimed
    assert receiver.of(hook) == []  # held, not dropped
    assert (await notifications.post(f"/v1/subscriptions/{subscription_id}/resume")).json()["paused"] is False
    await all_settled(notifications, subscription_id, 1, "delivered")
    assert len(receiver.of(hook, UUID(waiting["event_id"]))) == 1

    changed = await notifications.patch(f"/v1/subscriptions/{subscription_id}",
                                        json={"priorities": ["P1"], "language": "en"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["priorities"] == ["P1"]
    assert changed.json()["event_types"] == ["referral.created"]  # what was left out stays
    await notifications.post(f"/v1/subscriptions/{subscription_id}/pause")
    await report_and_refer(publisher, (agency, "uptd_ppa"), case=case_reported(priority="P1",
                                                                                 triage_reasons=("child_victim",)))
    await all_settled(notifications, subscription_id, 1, "pending")
    assert (await notifications.delete(f"/v1/subscriptions/{subscription_id}")).status_code == 204
    assert (await notifications.get(f"/v1/subscriptions/{subscription_id}")).status_code == 404
    log = await deliveries(notifications, subscription_id)  # the log outlives the subscription
    assert {entry["status"] for entry in log} == {"delivered", "dead"}
    assert [e["last_error"] for e in log if e["status"] == "dead"] == ["subscription deleted"]


async def test_a_whatsapp_message_goes_through_the_gateway_and_sms_is_refused_where_unconfigured(
    notifications: httpx.AsyncClient, twilio: FakeTwilio, publisher: Publish
) -> None:
    agency, phone = f"uptd-ppa-{uuid4().hex[:8]}", "+6281234567890"
    refused = await notifications.post("/v1/subscriptions", json={
        "agency_id": agency, "channel": "sms", "target": phone, "event_types": ["referral.created"]})
    assert refused.status_code == 422  # no SMS sender configured on this deployment
    assert phone not in refused.text
    response = await notifications.post("/v1/subscriptions", json={
        "agency_id": agency, "channel": "whatsapp", "target": phone, "event_types": ["referral.created"]})
    assert response.status_code == 201, response.text
    subscription_id = response.json()["subscription_id"]
    case, _ = await report_and_refer(publisher, (agency, "uptd_ppa"))

    [entry] = await all_settled(notifications, subscription_id, 1, "delivered")
    [sent] = [r for r in twilio.requests if r.idempotency_key == entry["delivery_id"]]
    assert sent.form["To"] == f"whatsapp:{phone}"
    assert sent.form["From"] == "whatsapp:+14155238886"
    assert case.case_number in sent.form["Body"]
    assert "Rujukan" in sent.form["Body"]  # Bahasa Indonesia by default
