"""The pure rules of subscriptions and deliveries: what a subscription may ask for, what it wants, and when a
failed delivery is tried again."""

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
    AGENCY_EVENT_TYPES,
    AGENCY_ONLY_EVENT_TYPES,
    EVENT_TYPE_DESCRIPTIONS,
    EVENT_TYPES,
    MIN_SECRET_LENGTH,
    REGION_EVENT_TYPES,
    Channel,
    Filters,
    InvalidSubscriptionError,
    Language,
    Scope,
    Subscription,
    SubscriptionSpec,
    check_secret,
)
from shared.contracts.vocabulary import Priority
from shared.language import Language as ErrorLanguage

POLICY = RetryPolicy(base_seconds=1.0, cap_seconds=300.0, max_attempts=12)
NOW = datetime(2026, 3, 14, 2, 30, tzinfo=UTC)
HOOK = "https://ppa.example/hooks/sinergi"


def spec(
    *,
    event_types: tuple[str, ...] = ("referral.created",),
    channel: Channel = Channel.WEBHOOK,
    target: str = HOOK,
    regions: tuple[str, ...] = (),
    priorities: tuple[Priority, ...] = (),
) -> SubscriptionSpec:
    return SubscriptionSpec(event_types, channel, target, Language.INDONESIAN, Filters(regions, priorities))


NO_FILTERS = Filters()


def subscription(
    *,
    scope: Scope = Scope.AGENCY,
    region_code: str | None = None,
    event_types: tuple[str, ...] = ("referral.created",),
    filters: Filters = NO_FILTERS,
    paused: bool = False,
) -> Subscription:
    return Subscription(
        subscription_id=uuid4(), scope=scope, agency_id="uptd-ppa-62.13" if scope is Scope.AGENCY else None,
        region_code=region_code, event_types=event_types, channel=Channel.WEBHOOK, target=HOOK,
        language=Language.INDONESIAN, filters=filters, paused=paused, created_at=NOW, updated_at=NOW,
    )


def invalid(
    candidate: SubscriptionSpec, scope: Scope = Scope.AGENCY, region_code: str | None = None
) -> InvalidSubscriptionError:
    with pytest.raises(InvalidSubscriptionError) as raised:
        candidate.validated(scope, region_code)
    return raised.value


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


@pytest.mark.parametrize(
    ("base", "cap", "attempts"), [(0.0, 10.0, 3), (-1.0, 10.0, 3), (5.0, 4.0, 3), (1.0, 10.0, 0)]
)
def test_retry_policy_rejects_nonsense(base: float, cap: float, attempts: int) -> None:
    with pytest.raises(ValueError, match=r"base_seconds|max_attempts"):
        RetryPolicy(base_seconds=base, cap_seconds=cap, max_attempts=attempts)


# -- outcomes --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [200, 201, 202, 204, 299])
def test_2xx_is_delivered(code: int) -> None:
    outcome = outcome_of(AttemptResult(status_code=code), 3, POLICY)
    assert outcome.status is DeliveryStatus.DELIVERED
    assert outcome.reason is None
    assert outcome.retry_in_seconds is None


@pytest.mark.parametrize("result", [AttemptResult(status_code=500), AttemptResult(status_code=301),
                                    AttemptResult(status_code=404), AttemptResult(status_code=199),
                                    AttemptResult(error="ConnectError")])
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


@pytest.mark.parametrize(
    "result",
    [
        AttemptResult(error="number not on WhatsApp", permanent=True),
        AttemptResult(status_code=400, permanent=True),
        AttemptResult(status_code=None, error=None, permanent=True),
    ],
)
def test_a_permanent_failure_is_dead_on_the_first_attempt(result: AttemptResult) -> None:
    outcome = outcome_of(result, 1, POLICY, lambda: 0.5)
    assert outcome.status is DeliveryStatus.DEAD
    assert outcome.retry_in_seconds is None
    assert outcome.reason == result.reason
    assert outcome.reason  # a dead letter always says why


def test_a_permanent_flag_on_a_success_is_still_delivered() -> None:
    outcome = outcome_of(AttemptResult(status_code=200, permanent=True), 1, POLICY)
    assert outcome.status is DeliveryStatus.DELIVERED
    assert outcome.reason is None


def test_abandoned_goes_straight_to_the_dead_letters() -> None:
    outcome = abandoned("subscription inactive")
    assert outcome.status is DeliveryStatus.DEAD
    assert outcome.retry_in_seconds is None
    assert outcome.reason == "subscription inactive"


def test_failure_reason_is_short() -> None:
    assert len(AttemptResult(error="x" * 5000).reason or "") == 200
    assert AttemptResult().reason == "no response"
    assert AttemptResult(status_code=204).reason is None


# -- the event-type catalogues ---------------------------------------------------------------------------------


def test_region_subscriptions_hear_of_new_cases_too() -> None:
    shared = tuple(t for t in AGENCY_EVENT_TYPES if t not in AGENCY_ONLY_EVENT_TYPES)
    assert ("case.reported", *shared) == REGION_EVENT_TYPES
    assert AGENCY_ONLY_EVENT_TYPES == ("referral.follow_up_due",)  # an agency's own follow-ups, no one else's
    assert "case.reported" not in AGENCY_EVENT_TYPES
    assert len(set(REGION_EVENT_TYPES)) == len(REGION_EVENT_TYPES)


def test_every_event_type_is_described() -> None:
    assert set(EVENT_TYPE_DESCRIPTIONS) == set(EVENT_TYPES) == set(REGION_EVENT_TYPES) | set(AGENCY_EVENT_TYPES)
    assert all(description.strip() for description in EVENT_TYPE_DESCRIPTIONS.values())


# -- SubscriptionSpec.validated: event types -------------------------------------------------------------------


@pytest.mark.parametrize("scope", list(Scope))
@pytest.mark.parametrize("event_types", [(), ("case.deleted",), ("referral.created", "referral.forgotten")])
def test_unknown_or_missing_event_types_name_the_field(scope: Scope, event_types: tuple[str, ...]) -> None:
    assert invalid(spec(event_types=event_types), scope).field == "event_types"


def test_case_reported_is_for_region_subscriptions_only() -> None:
    error = invalid(spec(event_types=("referral.created", "case.reported")), Scope.AGENCY)
    assert error.field == "event_types"
    for message in (error.en, error.id):  # what agency subscriptions may choose, never the input echoed
        assert "referral.created" in message
        assert "case.reported" not in message
    assert error.id != error.en
    accepted = spec(event_types=("case.reported",)).validated(Scope.REGION, "62.13")
    assert accepted.event_types == ("case.reported",)


@pytest.mark.parametrize(("scope", "catalogue"), [(Scope.AGENCY, AGENCY_EVENT_TYPES),
                                                  (Scope.REGION, REGION_EVENT_TYPES)])
def test_every_type_of_the_scopes_catalogue_is_accepted(scope: Scope, catalogue: tuple[str, ...]) -> None:
    region = None if scope is Scope.AGENCY else "62"
    assert spec(event_types=catalogue).validated(scope, region).event_types == catalogue


def test_duplicates_are_removed_keeping_the_first_occurrence_in_order() -> None:
    candidate = spec(
        event_types=("case.updated", "referral.created", "case.updated", "case.closed", "referral.created"),
        regions=("62.13", "62", "62.13", "62.14"),
        priorities=(Priority.P2, Priority.P1, Priority.P2),
    )
    valid = candidate.validated(Scope.AGENCY, "62")
    assert valid.event_types == ("case.updated", "referral.created", "case.closed")
    assert valid.filters == Filters(("62.13", "62", "62.14"), (Priority.P2, Priority.P1))
    assert (valid.channel, valid.target, valid.language) == (candidate.channel, candidate.target, candidate.language)
    assert candidate.event_types[2] == "case.updated"  # the request itself is left alone


# -- SubscriptionSpec.validated: targets -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "target"),
    [
        (Channel.WEBHOOK, "https://ppa.example/hooks/sinergi"),
        (Channel.WEBHOOK, "http://localhost:8080/hook"),
        (Channel.WEBHOOK, "https://10.1.2.3/hook?x=1"),
        (Channel.WEBHOOK, "https://[2001:db8::1]:8443/hook"),
        (Channel.EMAIL, "uptd.ppa@kalteng.go.id"),
        (Channel.EMAIL, "a@b.co"),
        (Channel.SMS, "+6281234567890"),
        (Channel.WHATSAPP, "+6281234567890"),
        (Channel.SMS, "+12025550123"),
        (Channel.WHATSAPP, "+123456789012345"),  # 15 digits, the most E.164 allows
    ],
)
def test_valid_targets_are_accepted_as_given(channel: Channel, target: str) -> None:
    assert spec(channel=channel, target=target).validated(Scope.AGENCY, None).target == target


SENTINEL = "Siti-0812-rahasia"  # must never be echoed back


@pytest.mark.parametrize(
    ("channel", "target"),
    [
        (Channel.WEBHOOK, f"ftp://{SENTINEL}.example/hook"),
        (Channel.WEBHOOK, f"{SENTINEL}.example/hook"),
        (Channel.WEBHOOK, f"https:///{SENTINEL}"),
        (Channel.WEBHOOK, f"mailto:{SENTINEL}@example.org"),
        (Channel.WEBHOOK, f"javascript:alert('{SENTINEL}')"),
        (Channel.WEBHOOK, ""),
        (Channel.WEBHOOK, f"https://{SENTINEL}:pw@ppa.example/hook"),
        (Channel.WEBHOOK, f"https://{SENTINEL}@ppa.example/hook"),
        (Channel.WEBHOOK, f"https://:{SENTINEL}@ppa.example/hook"),
        (Channel.EMAIL, SENTINEL),
        (Channel.EMAIL, f"{SENTINEL}@localhost"),
        (Channel.EMAIL, f"{SENTINEL} x@example.org"),
        (Channel.EMAIL, f"@{SENTINEL}.org"),
        (Channel.EMAIL, f"{SENTINEL}@@example.org"),
        (Channel.EMAIL, SENTINEL + "x" * 240 + "@example.org"),  # longer than 254
        (Channel.EMAIL, f"https://{SENTINEL}.example/hook"),
        (Channel.SMS, "081234567890"),
        (Channel.SMS, "6281234567890"),
        (Channel.SMS, "+0812345678"),
        (Channel.SMS, "+62 812 3456 7890"),
        (Channel.SMS, "+62-812-3456-7890"),
        (Channel.SMS, "+1234567"),  # too short
        (Channel.SMS, "+6281234567890123"),  # 16 digits: too long
        (Channel.WHATSAPP, "+62812345678a"),
        (Channel.WHATSAPP, f"{SENTINEL}@example.org"),
        (Channel.WHATSAPP, HOOK),
    ],
)
def test_invalid_targets_name_the_field_without_quoting_the_value(channel: Channel, target: str) -> None:
    error = invalid(spec(channel=channel, target=target))
    assert error.field == "target"
    assert error.reason
    for text in (str(error), error.reason, repr(error)):
        assert SENTINEL not in text
        assert not target or target not in text


def test_a_webhook_url_with_credentials_is_refused_as_such() -> None:
    error = invalid(spec(target="https://user:secret@ppa.example/hook"))
    assert "credentials" in error.reason
    assert "secret" not in error.reason


@pytest.mark.parametrize(("channel", "form"), [(Channel.SMS, "E.164"), (Channel.WHATSAPP, "E.164"),
                                               (Channel.EMAIL, "email address"), (Channel.WEBHOOK, "URL")])
def test_the_reason_says_what_the_channel_needs(channel: Channel, form: str) -> None:
    assert form in invalid(spec(channel=channel, target="nonsense")).reason


@pytest.mark.parametrize(
    ("channel", "target"),
    [(Channel.SMS, "+6281234567890\n"), (Channel.WHATSAPP, "+6281234567890\n"), (Channel.EMAIL, "ppa@kalteng.go.id\n")],
)
def test_a_target_with_a_trailing_newline_is_refused(channel: Channel, target: str) -> None:
    assert invalid(spec(channel=channel, target=target)).field == "target"


def test_a_malformed_ipv6_webhook_url_names_the_field() -> None:
    assert invalid(spec(target="https://[::1/hook")).field == "target"


# -- SubscriptionSpec.validated: region filters ----------------------------------------------------------------


@pytest.mark.parametrize("code", ["6", "620", "62.1", "62.131", "62.13.01", "62-13", "6a", "", " 62", "province"])
def test_region_filters_must_be_province_or_regency_codes(code: str) -> None:
    error = invalid(spec(regions=("62", code)))
    assert error.field == "regions"
    assert "62.13" in error.reason  # it shows the expected form


@pytest.mark.parametrize(
    ("region_code", "code"),
    [
        (None, "62"), (None, "63.01"),
        ("62", "62"), ("62", "62.13"), ("62", "62.01"),
        ("62.13", "62.13"),
        ("62.13", "62"),  # a province filter round a regency subscription: it reaches no further (see wants)
    ],
)
def test_region_filters_within_the_subscriptions_region_are_accepted(region_code: str | None, code: str) -> None:
    assert spec(regions=(code,)).validated(Scope.REGION, region_code).filters.regions == (code,)


@pytest.mark.parametrize(
    ("region_code", "code"),
    [("62", "63"), ("62", "63.13"), ("62", "26.62"), ("62.13", "62.14"), ("62.13", "63"), ("62.13", "63.13")],
)
def test_region_filters_outside_the_subscriptions_region_are_refused(region_code: str, code: str) -> None:
    for scope in Scope:
        error = invalid(spec(regions=(code,)), scope, region_code)
        assert error.field == "regions"
        assert region_code in error.reason


def test_a_region_filter_with_a_trailing_newline_is_refused() -> None:
    assert invalid(spec(regions=("62\n",))).field == "regions"


def test_the_first_problem_found_is_the_event_types() -> None:
    error = invalid(spec(event_types=("case.deleted",), target="nonsense", regions=("x",)))
    assert error.field == "event_types"


# -- secrets ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("secret", ["", "short", "x" * (MIN_SECRET_LENGTH - 1)])
def test_a_short_secret_is_refused_without_quoting_it(secret: str) -> None:
    with pytest.raises(InvalidSubscriptionError) as raised:
        check_secret(secret)
    assert raised.value.field == "secret"
    assert str(MIN_SECRET_LENGTH) in raised.value.reason
    assert not secret or secret not in str(raised.value)


@pytest.mark.parametrize("secret", ["x" * MIN_SECRET_LENGTH, "a-long-enough-secret-value", "s" * 512])
def test_a_long_enough_secret_is_accepted(secret: str) -> None:
    check_secret(secret)  # does not raise
    assert len(secret) >= MIN_SECRET_LENGTH


def test_the_error_is_a_value_error_naming_field_and_reason_in_both_languages() -> None:
    error = InvalidSubscriptionError("target", en="Needs a host.", id="Memerlukan host.")
    assert isinstance(error, ValueError)
    assert (str(error), error.field, error.code) == ("Needs a host.", "target", "subscription_target")
    assert (error.message(ErrorLanguage.EN), error.message(ErrorLanguage.ID)) == ("Needs a host.", "Memerlukan host.")


# -- filters ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "province", "regency", "priority", "admitted"),
    [
        (Filters(), "62", "62.13", Priority.P3, True),
        (Filters(), "11", "11.01", Priority.P1, True),
        (Filters(regions=("62",)), "62", "62.13", Priority.P3, True),
        (Filters(regions=("62",)), "63", "63.01", Priority.P3, False),
        (Filters(regions=("62.13",)), "62", "62.13", Priority.P3, True),
        (Filters(regions=("62.13",)), "62", "62.14", Priority.P3, False),
        (Filters(regions=("62.14", "63")), "63", "63.01", Priority.P2, True),
        (Filters(regions=("62.14", "63")), "62", "62.13", Priority.P2, False),
        (Filters(priorities=(Priority.P1,)), "62", "62.13", Priority.P1, True),
        (Filters(priorities=(Priority.P1,)), "62", "62.13", Priority.P2, False),
        (Filters(priorities=(Priority.P1, Priority.P2)), "62", "62.13", Priority.P2, True),
        (Filters(("62.13",), (Priority.P1,)), "62", "62.13", Priority.P1, True),
        (Filters(("62.13",), (Priority.P1,)), "62", "62.13", Priority.P3, False),  # right region, wrong priority
        (Filters(("62.13",), (Priority.P1,)), "62", "62.14", Priority.P1, False),  # right priority, wrong region
    ],
)
def test_filters_narrow_by_region_and_priority(
    filters: Filters, province: str, regency: str, priority: Priority, admitted: bool
) -> None:
    assert filters.admits(province, regency, priority) is admitted


# -- what a subscription wants ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region_code", "province", "regency", "covered"),
    [
        (None, "62", "62.13", True),
        (None, "11", "11.01", True),
        ("62", "62", "62.13", True),
        ("62", "62", "62.01", True),
        ("62", "63", "63.01", False),
        ("62.13", "62", "62.13", True),
        ("62.13", "62", "62.14", False),
        ("62.13", "63", "63.13", False),
    ],
)
def test_covers_the_subscriptions_region_only(
    region_code: str | None, province: str, regency: str, covered: bool
) -> None:
    for scope in Scope:
        candidate = subscription(scope=scope, region_code=region_code)
        assert candidate.covers(province, regency) is covered
        assert candidate.wants("referral.created", province, regency, Priority.P3) is covered


@pytest.mark.parametrize(("region_code", "province"), [(None, None), ("62", "62"), ("62.13", "62")])
def test_province_code_of_a_subscription(region_code: str | None, province: str | None) -> None:
    assert subscription(region_code=region_code).province_code == province


def test_wants_only_the_event_types_it_asked_for() -> None:
    candidate = subscription(event_types=("referral.created", "case.closed"))
    assert candidate.wants("referral.created", "62", "62.13", Priority.P3)
    assert candidate.wants("case.closed", "62", "62.13", Priority.P3)
    assert not candidate.wants("case.updated", "62", "62.13", Priority.P3)
    assert not candidate.wants("referral.create", "62", "62.13", Priority.P3)


def test_wants_applies_the_filters_within_the_region() -> None:
    candidate = subscription(region_code="62", filters=Filters(("62.13",), (Priority.P1, Priority.P2)))
    assert candidate.wants("referral.created", "62", "62.13", Priority.P1)
    assert not candidate.wants("referral.created", "62", "62.13", Priority.P3)
    assert not candidate.wants("referral.created", "62", "62.14", Priority.P1)


def test_a_province_filter_does_not_widen_a_regency_subscription() -> None:
    candidate = subscription(scope=Scope.REGION, region_code="62.13", filters=Filters(regions=("62",)))
    assert candidate.wants("referral.created", "62", "62.13", Priority.P3)
    assert not candidate.wants("referral.created", "62", "62.14", Priority.P3)


def test_paused_does_not_change_what_a_subscription_wants() -> None:
    """Pausing holds deliveries back; it does not stop the subscription from wanting events."""
    assert subscription(paused=True).wants("referral.created", "62", "62.13", Priority.P3)


def test_the_target_is_kept_out_of_reprs() -> None:
    assert HOOK not in repr(subscription())
    assert HOOK not in repr(spec())
