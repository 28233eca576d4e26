"""Routing's own metrics, beside the ones every service has (``shared.metrics``)."""

from __future__ import annotations

from prometheus_client import Counter

from shared.metrics import ServiceMetrics

# Read by ``sinergi status`` (deploy/local), which warns of each regency it names.
FALLBACK_REFERRALS = "sinergi_routing_fallback_referrals"


def fallback_referrals(metrics: ServiceMetrics) -> Counter:
    """Cases whose lead is a fallback (the province's agencies, or SAPA 129) because their regency has no active
    lead agency, by province and regency code: a gap in the directory, from the day it opens."""
    return Counter(FALLBACK_REFERRALS, "Cases referred by a fallback rule: no active lead agency in their regency",
                   ("province", "regency"), registry=metrics.registry)
