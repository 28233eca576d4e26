"""The metrics every service serves on /metrics: one registry per service, low-cardinality labels."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from shared.metrics import (
    CONSUMER_LAG,
    DLQ_DEPTH,
    EVENTS_CONSUMED,
    EVENTS_PUBLISHED,
    HANDLER_SECONDS,
    OUTBOX_BACKLOG,
    SLA_BREACHES,
    WEBHOOK_FAILURES,
    ServiceMetrics,
    sla_breaches,
    webhook_failures,
)


def samples(metrics: ServiceMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(metrics.render().decode())
        for sample in family.samples
    }


def test_each_service_has_its_own_registry() -> None:
    one, other = ServiceMetrics.create(), ServiceMetrics.create()  # two apps in one process: no clash
    one.events_published.labels(topic="sinergi.referrals").inc(3)
    assert samples(one)[EVENTS_PUBLISHED, (("topic", "sinergi.referrals"),)] == 3
    assert (EVENTS_PUBLISHED, (("topic", "sinergi.referrals"),)) not in samples(other)


def test_the_rendered_text_holds_every_figure() -> None:
    metrics = ServiceMetrics.create()
    metrics.events_consumed.labels(topic="sinergi.cases", event_type="case.reported", outcome="handled").inc()
    metrics.handler_seconds.labels(topic="sinergi.cases").observe(0.02)
    metrics.outbox_backlog.set(4)
    metrics.consumer_lag.labels(group="sinergi-routing", topic="sinergi.cases").set(7)
    metrics.dlq_depth.labels(topic="sinergi.cases.dlq").set(1)
    sla_breaches(metrics).labels(deadline="accept").inc()
    webhook_failures(metrics).labels(channel="webhook", reason="http_5xx").inc(2)
    found = samples(metrics)
    assert found[EVENTS_CONSUMED, (("event_type", "case.reported"), ("outcome", "handled"),
                                   ("topic", "sinergi.cases"))] == 1
    assert found[f"{HANDLER_SECONDS}_count", (("topic", "sinergi.cases"),)] == 1
    assert found[OUTBOX_BACKLOG, ()] == 4
    assert found[CONSUMER_LAG, (("group", "sinergi-routing"), ("topic", "sinergi.cases"))] == 7
    assert found[DLQ_DEPTH, (("topic", "sinergi.cases.dlq"),)] == 1
    assert found[SLA_BREACHES, (("deadline", "accept"),)] == 1
    assert found[WEBHOOK_FAILURES, (("channel", "webhook"), ("reason", "http_5xx"))] == 2
    assert any(name == "process_resident_memory_bytes" for name, _ in found)


def test_no_label_can_hold_an_id() -> None:
    """Labels are fixed names: topics, event types, outcomes, groups, deadlines, channels, kinds of failure."""
    metrics = ServiceMetrics.create()
    families = [metrics.events_consumed, metrics.handler_seconds, metrics.events_published, metrics.outbox_backlog,
                metrics.consumer_lag, metrics.dlq_depth, sla_breaches(metrics), webhook_failures(metrics)]
    labels = {label for family in families for label in family._labelnames}
    assert labels == {"topic", "event_type", "outcome", "group", "deadline", "channel", "reason"}
