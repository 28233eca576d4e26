"""The circuit breaker per endpoint: closed, open for a cool-down, half-open for one trial, and back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notifications.domain.circuit import Circuit, CircuitPolicy, CircuitState, endpoint_key
from notifications.domain.subscriptions import Channel

NOW = datetime(2026, 3, 14, 2, 30, tzinfo=UTC)
POLICY = CircuitPolicy()  # 5 failures, 30 s, at most 10 min
TICK = timedelta(microseconds=1)


def failed(times: int, policy: CircuitPolicy = POLICY, circuit: Circuit | None = None, at: datetime = NOW) -> Circuit:
    circuit = circuit or Circuit()
    for _ in range(times):
        circuit = circuit.after_failure(at, policy)
    return circuit


def test_the_default_policy() -> None:
    assert POLICY.failure_threshold == 5
    assert POLICY.cool_down == timedelta(seconds=30)
    assert POLICY.max_cool_down == timedelta(minutes=10)


@pytest.mark.parametrize(
    ("threshold", "cool_down", "max_cool_down"),
    [
        (0, timedelta(seconds=30), timedelta(minutes=10)),
        (-1, timedelta(seconds=30), timedelta(minutes=10)),
        (5, timedelta(0), timedelta(minutes=10)),
        (5, timedelta(seconds=-1), timedelta(minutes=10)),
        (5, timedelta(minutes=11), timedelta(minutes=10)),
    ],
)
def test_a_policy_that_makes_no_sense_is_refused(
    threshold: int, cool_down: timedelta, max_cool_down: timedelta
) -> None:
    with pytest.raises(ValueError, match=r"failure_threshold|cool_down"):
        CircuitPolicy(failure_threshold=threshold, cool_down=cool_down, max_cool_down=max_cool_down)


def test_a_cool_down_equal_to_the_cap_is_allowed() -> None:
    assert CircuitPolicy(cool_down=timedelta(minutes=1), max_cool_down=timedelta(minutes=1)).cool_down.seconds == 60


def test_a_new_circuit_is_closed() -> None:
    assert Circuit().state(NOW) is CircuitState.CLOSED
    assert Circuit() == Circuit(consecutive_failures=0, opened_until=None, times_opened=0)


@pytest.mark.parametrize("threshold", [1, 2, 3, 5, 10])
def test_closed_until_failure_threshold_failures_in_a_row(threshold: int) -> None:
    policy = CircuitPolicy(failure_threshold=threshold)
    below = failed(threshold - 1, policy)
    assert below.state(NOW) is CircuitState.CLOSED
    assert below.opened_until is None
    assert below.consecutive_failures == threshold - 1
    assert below.times_opened == 0

    opened = below.after_failure(NOW, policy)
    assert opened.state(NOW) is CircuitState.OPEN
    assert opened.opened_until == NOW + policy.cool_down
    assert opened.consecutive_failures == threshold
    assert opened.times_opened == 1


@pytest.mark.parametrize("cool_down", [timedelta(seconds=1), timedelta(seconds=30), timedelta(minutes=5)])
def test_open_for_the_cool_down_then_half_open(cool_down: timedelta) -> None:
    policy = CircuitPolicy(cool_down=cool_down, max_cool_down=timedelta(hours=1))
    opened = failed(policy.failure_threshold, policy)
    assert opened.state(NOW) is CircuitState.OPEN
    assert opened.state(NOW + cool_down - TICK) is CircuitState.OPEN
    assert opened.state(NOW + cool_down) is CircuitState.HALF_OPEN
    assert opened.state(NOW + cool_down + timedelta(days=30)) is CircuitState.HALF_OPEN


def test_failures_spread_over_time_still_count_while_there_is_no_success() -> None:
    circuit = Circuit()
    for minute in range(POLICY.failure_threshold):
        circuit = circuit.after_failure(NOW + timedelta(minutes=minute), POLICY)
    last = NOW + timedelta(minutes=POLICY.failure_threshold - 1)
    assert circuit.state(last) is CircuitState.OPEN
    assert circuit.opened_until == last + POLICY.cool_down


def test_a_failed_trial_reopens_for_twice_as_long_up_to_the_cap() -> None:
    circuit, now = failed(POLICY.failure_threshold), NOW
    lengths = [circuit.opened_until - now if circuit.opened_until else None]
    for _ in range(8):
        now = circuit.opened_until or now  # the trial goes out as soon as the cool-down is over ...
        assert circuit.state(now) is CircuitState.HALF_OPEN
        circuit = circuit.after_failure(now, POLICY)  # ... and fails
        assert circuit.state(now) is CircuitState.OPEN
        lengths.append(circuit.opened_until - now if circuit.opened_until else None)
    assert lengths == [timedelta(seconds=s) for s in (30, 60, 120, 240, 480, 600, 600, 600, 600)]
    assert circuit.times_opened == 9


@pytest.mark.parametrize("threshold", [1, 5, 50])
def test_a_failed_trial_reopens_at_once_whatever_the_threshold(threshold: int) -> None:
    policy = CircuitPolicy(failure_threshold=threshold)
    opened = failed(threshold, policy)
    trial_at = NOW + policy.cool_down
    reopened = opened.after_failure(trial_at, policy)
    assert reopened.state(trial_at) is CircuitState.OPEN
    assert reopened.opened_until == trial_at + 2 * policy.cool_down


@pytest.mark.parametrize(
    "circuit",
    [
        Circuit(consecutive_failures=3),
        Circuit(consecutive_failures=5, opened_until=NOW + timedelta(seconds=10), times_opened=1),  # open
        Circuit(consecutive_failures=9, opened_until=NOW - timedelta(seconds=10), times_opened=4),  # half-open
    ],
)
def test_success_resets(circuit: Circuit) -> None:
    reset = circuit.after_success()
    assert reset == Circuit()
    assert reset.state(NOW) is CircuitState.CLOSED
    again = failed(POLICY.failure_threshold - 1, circuit=reset)
    assert again.state(NOW) is CircuitState.CLOSED  # the count starts over
    reopened = again.after_failure(NOW, POLICY)
    assert reopened.opened_until == NOW + POLICY.cool_down  # and so does the cool-down's length


@pytest.mark.parametrize("times_opened", [33, 64, 1024, 10**9, 2**63])
def test_a_huge_times_opened_does_not_overflow(times_opened: int) -> None:
    half_open = Circuit(consecutive_failures=10**6, opened_until=NOW - TICK, times_opened=times_opened)
    reopened = half_open.after_failure(NOW, POLICY)
    assert reopened.opened_until == NOW + POLICY.max_cool_down
    assert reopened.times_opened == times_opened + 1


def test_a_long_cool_down_policy_does_not_overflow_either() -> None:
    policy = CircuitPolicy(cool_down=timedelta(hours=6), max_cool_down=timedelta(days=1))
    half_open = Circuit(consecutive_failures=100, opened_until=NOW - TICK, times_opened=32)
    assert half_open.after_failure(NOW, policy).opened_until == NOW + policy.max_cool_down


def test_a_straggling_failure_while_open_does_not_lengthen_the_cool_down() -> None:
    opened = failed(POLICY.failure_threshold)
    straggler = opened.after_failure(NOW + timedelta(seconds=1), POLICY)
    assert straggler.state(NOW + timedelta(seconds=1)) is CircuitState.OPEN
    assert straggler.opened_until == opened.opened_until
    assert straggler.times_opened == opened.times_opened


# -- what a breaker guards -------------------------------------------------------------------------------------


URLS = (
    "https://ppa.example/hooks/sinergi",
    "https://ppa.example/hooks/other",
    "https://ppa.example/hooks/sinergi?token=1",
    "http://ppa.example/hooks/sinergi",
    "https://polres.example/hook",
)


def test_each_webhook_url_has_its_own_breaker() -> None:
    keys = [endpoint_key(Channel.WEBHOOK, url) for url in URLS]
    assert len(set(keys)) == len(URLS)
    assert keys == [endpoint_key(Channel.WEBHOOK, url) for url in URLS]  # stable


@pytest.mark.parametrize("url", URLS)
def test_a_webhook_key_says_nothing_of_the_url(url: str) -> None:
    key = endpoint_key(Channel.WEBHOOK, url)
    assert key.startswith("webhook:")
    assert url not in key
    digest = key.removeprefix("webhook:")
    assert len(digest) == 32
    assert set(digest) <= set("0123456789abcdef")  # a hash, nothing of the address


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS, Channel.WHATSAPP])
@pytest.mark.parametrize("url", [None, "", "https://ppa.example/hooks/sinergi", "uptd@kalteng.go.id"])
def test_email_and_messages_share_one_breaker_per_channel(channel: Channel, url: str | None) -> None:
    """They all go through one mail server or one gateway: its breaker is the channel's."""
    assert endpoint_key(channel, url) == channel.value
