"""``sinergi status``: the running platform in one table. Per service its readiness (``/ready``) and outbox
backlog, per consumer group its lag on each topic it reads, and how many messages wait in that topic's
dead-letter topic. Below the table, a warning for each regency whose cases routing sent to a fallback (no active
lead agency there): a gap in the directory, heard of the day it opens.

Every figure is read from the service's own ``/metrics`` (``shared.metrics``), so status and the metrics a
Prometheus scrapes always agree; the service measures them every ``metrics_refresh_seconds`` (15 s by default).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families

from shared.contracts import dead_letter_topic
from shared.metrics import CONSUMER_LAG, DLQ_DEPTH, OUTBOX_BACKLOG
from sinergi_local.platform import SERVICES, Platform

READY, DOWN = "ready", "down"
# Routing's counter of cases referred by a fallback rule (routing.metrics.FALLBACK_REFERRALS; a counter's samples
# end in _total). Named here, not imported: the local tools read what a service exposes, like a Prometheus would.
FALLBACK_REFERRALS = "sinergi_routing_fallback_referrals_total"
HEADER = ("SERVICE", "STATE", "OUTBOX", "CONSUMER GROUP", "TOPIC", "LAG", "DLQ")
NUMERIC = {"OUTBOX", "LAG", "DLQ"}


@dataclass(frozen=True)
class ServiceStatus:
    service: str
    state: str  # ready, down, or "not ready (<what is unreachable>)"
    outbox_backlog: int | None = None
    lag: dict[tuple[str, str], int] = field(default_factory=dict)  # (consumer group, topic): messages
    dlq_depth: dict[str, int] = field(default_factory=dict)  # dead-letter topic: messages
    fallbacks: dict[tuple[str, str], int] = field(default_factory=dict)  # (province, regency): cases

    @property
    def ready(self) -> bool:
        return self.state == READY


def from_metrics(service: str, state: str, text: str) -> ServiceStatus:
    """A service's status from the Prometheus text of its ``/metrics``."""
    backlog: int | None = None
    lag: dict[tuple[str, str], int] = {}
    depth: dict[str, int] = {}
    fallbacks: dict[tuple[str, str], int] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == OUTBOX_BACKLOG:
                backlog = int(sample.value)
            elif sample.name == CONSUMER_LAG:
                lag[sample.labels["group"], sample.labels["topic"]] = int(sample.value)
            elif sample.name == DLQ_DEPTH:
                depth[sample.labels["topic"]] = int(sample.value)
            elif sample.name == FALLBACK_REFERRALS and sample.value > 0:
                fallbacks[sample.labels["province"], sample.labels["regency"]] = int(sample.value)
    return ServiceStatus(service, state, backlog, lag, depth, fallbacks)


def service_status(service: str, url: str, *, timeout: float = 5) -> ServiceStatus:
    try:
        ready = httpx.get(f"{url}/ready", timeout=timeout)
    except httpx.HTTPError:
        return ServiceStatus(service, DOWN)
    state = READY
    if ready.status_code != httpx.codes.OK:
        checks = ready.json() if ready.headers.get("content-type") == "application/json" else {}
        failing = [name for name, value in checks.items() if name != "status" and value != "ok"]
        state = f"not ready ({', '.join(failing) or ready.status_code})"
    try:
        metrics = httpx.get(f"{url}/metrics", timeout=timeout)
        metrics.raise_for_status()
    except httpx.HTTPError:
        return ServiceStatus(service, state)
    return from_metrics(service, state, metrics.text)


def _number(value: int | None) -> str:
    return "-" if value is None else str(value)


def render(statuses: Sequence[ServiceStatus]) -> str:
    """One row per consumer group and topic (one row for a service that has none, or that is down)."""
    rows: list[tuple[str, ...]] = []
    for status in statuses:
        service = (status.service, status.state, _number(status.outbox_backlog))
        consumed: list[tuple[tuple[str, str], int | None]] = [*sorted(status.lag.items())] or [(("-", "-"), None)]
        for (group, topic), lag in consumed:
            depth = status.dlq_depth.get(dead_letter_topic(topic)) if topic != "-" else None
            rows.append((*service, group, topic, _number(lag), _number(depth)))
            service = ("", "", "")
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = [
        "  ".join(
            cell.rjust(width) if name in NUMERIC else cell.ljust(width)
            for name, cell, width in zip(HEADER, row, widths, strict=True)
        ).rstrip()
        for row in [HEADER, *rows]
    ]
    return "\n".join(lines) + "\n"


def warnings(statuses: Sequence[ServiceStatus]) -> list[str]:
    """One line per regency whose cases went to a fallback since the service started."""
    return [
        f"warning: {cases} case(s) of regency {regency} (province {province}) went to a fallback: the regency has "
        "no active lead agency (UPTD PPA or Dinas PPA) in the directory"
        for status in statuses for (province, regency), cases in sorted(status.fallbacks.items())
    ]


def show(platform: Platform) -> int:
    """Print the running platform's table; exit status 1 if a service is down or not ready."""
    return report({service: platform.url(service) for service in SERVICES})


def report(urls: Mapping[str, str]) -> int:
    """Print the table of the services at ``urls`` (name: base URL); exit status 1 if one is down or not ready."""
    statuses = [service_status(service, url) for service, url in urls.items()]
    sys.stdout.write(render(statuses))
    for line in warnings(statuses):
        sys.stdout.write(line + "\n")
    down = [status.service for status in statuses if not status.ready]
    if down:
        sys.stderr.write(f"sinergi: not ready: {', '.join(down)}\n")
        return 1
    return 0
