"""The pure rules: who is told about an event, and when a failed delivery is tried again."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from notifications.domain.delivery import (
    AttemptResult,
    DeliveryStatus,
    RetryPolicy,
    abandoned,
    backoff_seconds,
    outcome_of,
)
from notifications.domain.subscriptions import (
    InvalidSubscriptionError,
    Subscription,
    SubscriptionRequest,
    addressed_agency,
    subscriptions_for,
)
from shared.contracts import ReferralCreated
from shared.contracts.examples import example_case_reported

POLICY = RetryPolicy(base_seconds=1.0, cap_seconds=300.0, max_attempts=12)
SECRET = "a-long-enough-secret-value"


def referral(agency_id: str) -> ReferralCreated:
    return ReferralCreated(
        case_id=uuid4(), referral_id=uuid4(), agency_id=agency_id, agency_type="uptd_ppa", is_lead=True,
        province_code="62", regency_code="62.13", rule="regency_uptd", reason="UPTD PPA of the regency",
    )


def subscription(agency_id: str, *, event_types: tuple[str, ...] = ("referral.created",),
                 active: bool = True, province_code: str | None = None) -> Subscription:
    return Subscription(uuid4(), agency_id, "https://example.test/hook", event_types, active, datetime.now(UTC),
                        province_code)


# -- backoff ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("attempt", range(1, 20))
def test_backoff_stays_within_full_jitter_bounds(attempt: int) -> None:
    ceiling = min(POLICY.cap_seconds, POLICY.base_seconds * 2 ** (attempt - 1))
    rng = random.Random(attempt)
    delays = [backoff_seconds(attempt, POLICY, rng.random) for _ in range(500)]
    assert all(0 <= delay < ceiling for delay in delays)
    assert max(delays) > ceiling * 0.9  # full jitter uses the whole range ...
    assert min(delays) < ceiling * 0.1  # ... down to nearly nothing


def test_backoff_ceiling_doubles_then_caps() -> None:
    almost_one = 0.999999
    ceilings = [backoff_seconds(attempt, POLICY, lambda: almost_one) for attempt in range(1, 13)]
    assert ceilings[:4] == pytest.approx([almost_one, 2 * almost_one, 4 * almost_one, 8 * almost_one])
    assert max(ceilings) == pytest.approx(300 * almost_one)
    assert backoff_seconds(10_000, POLICY, lambda: almost_one) == pytest.approx(300 * almost_one)


def test_backoff_rejects_attempt_zero() -> None:
    with pytest.raises(ValueError, match="1-based"):
        backoff_seconds(0, POLICY)


# -- outcomes --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [200, 201, 202, 204, 299])
def test_2xx_is_delivered(code: int) -> None:
    outcome = outcome_of(AttemptResult(status_code=code), 3, POLICY)
    assert outcome.status is DeliveryStatus.DELIVERED
    assert outcome.reason is None
    assert outcome.retry_in_seconds is None


@pytest.mark.parametrize("result", [AttemptResult(status_code=500), AttemptResult(status_code=301),
                                    AttemptResult(status_code=404), AttemptResult(error="ConnectError")])
def test_anything_else_is_retried_with_backoff(result: AttemptResult) -> None:
    outcome = outcome_of(result, 4, POLICY, lambda: 0.5)
    assert outcome.status is DeliveryStatus.PENDING
    assert outcome.retry_in_seconds == pytest.approx(4.0)  # half of min(300, 1 * 2**3)
    assert outcome.reason in {f"HTTP {result.status_code}", "ConnectError"}


def test_the_last_failed_attempt_is_dead() -> None:
    outcome = outcome_of(AttemptResult(status_code=503), POLICY.max_attempts, POLICY)
    assert outcome.status is DeliveryStatus.DEAD
    assert outcome.reason == "HTTP 503"
    assert outcome.status_code == 503
    assert outcome.retry_in_seconds is None


def test_abandoned_goes_straight_to_the_dead_letters() -> None:
    assert abandoned("subscription inactive").status is DeliveryStatus.DEAD


def test_failure_reason_is_short() -> None:
    assert len(AttemptResult(error="x" * 5000).reason or "") <= 200


# -- who is told -----------------------------------------------------------------------------------------------


def test_a_referral_goes_only_to_the_named_agency() -> None:
    mine, other_agency = subscription("uptd-ppa-62.13"), subscription("uptd-ppa-64.74")
    assert subscriptions_for(referral("uptd-ppa-62.13"), [mine, other_agency]) == [mine]
    assert subscriptions_for(referral("uptd-ppa-64.74"), [mine]) == []


def test_only_subscriptions_that_asked_for_the_type_and_are_active() -> None:
    wants_it = subscription("a")
    second = subscription("a")
    other_type = subscription("a", event_types=("case.closed",))
    inactive = subscription("a", active=False)
    matched = subscriptions_for(referral("a"), [wants_it, other_type, inactive, second])
    assert matched == [wants_it, second]


def test_a_subscription_limited_to_a_province_gets_only_that_provinces_referrals() -> None:
    """A province admin of Kalimantan Selatan (63) subscribing a Kalimantan Tengah agency learns nothing of
    Kalimantan Tengah's cases."""
    anywhere = subscription("uptd-ppa-62.13")
    here = subscription("uptd-ppa-62.13", province_code="62")
    elsewhere = subscription("uptd-ppa-62.13", province_code="63")
    assert subscriptions_for(referral("uptd-ppa-62.13"), [anywhere, here, elsewhere]) == [anywhere, here]


def test_an_event_that_names_no_agency_goes_to_nobody() -> None:
    reported = example_case_reported(
        case_id=uuid4(), case_number="6213-2026-00001", province_code="62", regency_code="62.13",
        violence_types=("fisik",), victim_sex="perempuan", victim_age_group="6-12", channel="hotline",
        reported_at=datetime.now(UTC),
    )
    assert addressed_agency(reported) is None
    assert subscriptions_for(reported, [subscription("a", event_types=("case.reported",))]) == []


# -- subscribing -----------------------------------------------------------------------------------------------


def test_a_valid_request_dedupes_event_types_and_hides_its_secret() -> None:
    request = SubscriptionRequest("a", "https://ppa.example/hook", ("referral.created", "referral.created"), SECRET)
    assert request.event_types == ("referral.created",)
    assert SECRET not in repr(request)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"url": "ftp://ppa.example/hook"}, "url"),
        ({"url": "https:///no-host"}, "url"),
        ({"event_types": ()}, "event_types"),
        ({"event_types": ("referral.created", "case.reported")}, "event_types"),
        ({"secret": "too-short"}, "secret"),
        ({"agency_id": "  "}, "agency_id"),
    ],
)
def test_invalid_requests_name_the_field(kwargs: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"agency_id": "a", "url": "https://ppa.example/hook",
                                 "event_types": ("referral.created",), "secret": SECRET, **kwargs}
    with pytest.raises(InvalidSubscriptionError) as raised:
        SubscriptionRequest(**values)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert "too-short" not in str(raised.value)
