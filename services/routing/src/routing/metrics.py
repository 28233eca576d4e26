"""Routing's own metrics, beside the ones every service has (``shared.metrics``)."""

from __future__ import annotations

from prometheus_client import Counter

from shared.metrics import ServiceMetrics

# Read by ``sinergi status`` (deploy/local), which warns of each regency it names.
FALLBACK_REFERRALS = "sinergi_routing_fallback_referrals"
TIMER_CHECKS = "sinergi_routing_timer_checks"
SLA_TIMERS, FOLLOW_UP_TIMERS = "sla", "follow_up"


def fallback_referrals(metrics: ServiceMetrics) -> Counter:
    """Cases whose lead is a fallback (the province's agencies, or SAPA 129) because their regency has no active
    lead agency, by province and regency code: a gap in the directory, from the day it opens."""
    return Counter(FALLBACK_REFERRALS, "Cases referred by a fallback rule: no active lead agency in their regency",
                   ("province", "regency"), registry=metrics.registry)


def timer_checks(metrics: ServiceMetrics) -> Counter:
    """Checks for due timers that ran to the end, by timer (``sla``, ``follow_up``): a rate of zero is a timer loop
    that stopped or keeps failing, and deadlines that pass unnoticed."""
    return Counter(TIMER_CHECKS, "Checks for due timers that ran to the end, by timer", ("timer",),
                   registry=metrics.registry)
