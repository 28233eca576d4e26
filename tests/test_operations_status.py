"""``sinergi status``: its table, from a service's /metrics text; and against the four services running as real
processes, every service ready with the lag of each consumer group it registers, its outbox backlog and the
depth of each dead-letter topic, as their /metrics say."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from shared.contracts import dead_letter_topic
from sinergi_local import status
from sinergi_local.platform import SERVICES, Platform
from sinergi_local.processes import free_port
from tests.apps import four_apps

METRICS = """\
# HELP sinergi_outbox_backlog Outbox rows not yet published
# TYPE sinergi_outbox_backlog gauge
sinergi_outbox_backlog 3.0
# HELP sinergi_consumer_lag Messages not yet committed by the service's consumer group, by group and topic
# TYPE sinergi_consumer_lag gauge
sinergi_consumer_lag{group="sinergi-notifications-cases",topic="sinergi.cases"} 0.0
sinergi_consumer_lag{group="sinergi-notifications",topic="sinergi.referrals"} 12.0
# HELP sinergi_dlq_depth Messages in the dead-letter topic of each topic the service consumes
# TYPE sinergi_dlq_depth gauge
sinergi_dlq_depth{topic="sinergi.cases.dlq"} 2.0
sinergi_dlq_depth{topic="sinergi.referrals.dlq"} 0.0
# HELP sinergi_events_published_total Events the outbox relay published, by topic
# TYPE sinergi_events_published_total counter
sinergi_events_published_total{topic="sinergi.audit"} 5.0
"""


def test_the_table_has_a_row_per_consumer_group_and_a_line_for_a_service_that_is_down() -> None:
    table = status.render([
        status.from_metrics("notifications", status.READY, METRICS),
        status.ServiceStatus("reporting", status.DOWN),
    ])
    assert table.splitlines() == [
        "SERVICE        STATE  OUTBOX  CONSUMER GROUP               TOPIC              LAG  DLQ",
        "notifications  ready       3  sinergi-notifications        sinergi.referrals   12    0",
        "                              sinergi-notifications-cases  sinergi.cases        0    2",
        "reporting      down        -  -                            -                    -    -",
    ]


ROUTING_METRICS = """\
# HELP sinergi_routing_fallback_referrals_total Cases referred by a fallback rule
# TYPE sinergi_routing_fallback_referrals_total counter
sinergi_routing_fallback_referrals_total{province="62",regency="62.13"} 3.0
sinergi_routing_fallback_referrals_total{province="63",regency="63.71"} 1.0
"""


def test_status_warns_of_each_regency_whose_cases_went_to_a_fallback() -> None:
    routing = status.from_metrics("routing", status.READY, ROUTING_METRICS)
    assert routing.fallbacks == {("62", "62.13"): 3, ("63", "63.71"): 1}
    assert status.warnings([routing, status.from_metrics("notifications", status.READY, METRICS)]) == [
        "warning: 3 case(s) of regency 62.13 (province 62) went to a fallback: the regency has no active lead agency "
        "(UPTD PPA or Dinas PPA) in the directory",
        "warning: 1 case(s) of regency 63.71 (province 63) went to a fallback: the regency has no active lead agency "
        "(UPTD PPA or Dinas PPA) in the directory",
    ]


def test_status_fails_when_a_service_is_down(capsys: pytest.CaptureFixture[str]) -> None:
    assert status.report({"intake": f"http://127.0.0.1:{free_port()}"}) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[1].split() == ["intake", "down", "-", "-", "-", "-", "-"]
    assert "not ready: intake" in err


def registered_groups(make_settings: Callable[..., Any]) -> dict[str, set[str]]:
    """The consumer groups each service registers, with the prefix of the platform fixture (tests/conftest.py)."""
    apps = four_apps(make_settings, kafka_consumer_group_prefix="e2e")
    return {service: set(app.state.runtime.consumer_groups) for service, app in apps.items()}


@pytest.mark.e2e
def test_status_of_the_running_platform(
    platform: Platform, make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    urls = {service: platform.url(service) for service in SERVICES}
    expected = registered_groups(make_settings)
    # Each service measures at start and every metrics_refresh_seconds (15 s): wait for a measure with every
    # group in it, and for the platform to have caught up with what the tests before this one sent it.
    deadline = time.monotonic() + 90
    while True:
        statuses = {s.service: s for s in (status.service_status(name, url) for name, url in urls.items())}
        groups = {name: {group for group, _topic in s.lag} for name, s in statuses.items()}
        settled = groups == expected and all(
            s.outbox_backlog == 0 and not any(s.lag.values()) for s in statuses.values()
        )
        if settled or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert all(s.ready for s in statuses.values()), {name: s.state for name, s in statuses.items()}
    assert groups == expected
    assert {name: s.outbox_backlog for name, s in statuses.items()} == dict.fromkeys(SERVICES, 0)
    assert {name: s.lag for name, s in statuses.items() if any(s.lag.values())} == {}
    for s in statuses.values():
        assert {dead_letter_topic(topic) for _group, topic in s.lag} == set(s.dlq_depth)

    assert status.show(platform) == 0
    out, _ = capsys.readouterr()
    rows = out.splitlines()
    assert rows[0].split() == ["SERVICE", "STATE", "OUTBOX", "CONSUMER", "GROUP", "TOPIC", "LAG", "DLQ"]
    assert len(rows) == 1 + sum(len(s.lag) for s in statuses.values())
    assert {row.split()[0] for row in rows[1:] if not row.startswith(" ")} == set(SERVICES)
