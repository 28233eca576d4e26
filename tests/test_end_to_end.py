"""A report followed through the four real service processes: intake -> routing -> notifications (a signed
webhook at the agency's endpoint) and reporting (the statistics), in one trace."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from sinergi_local.platform import Platform
from sinergi_local.seed import seed_directory, subscribe_agencies

pytestmark = pytest.mark.e2e

NARRATIVE = "Narasi e2e rahasia: tetangga melihat anak dipukul."


def _wait(check: Any, timeout: float = 60, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _count(platform: Platform, regency: str, violence_type: str) -> int:
    response = httpx.get(f"{platform.url('reporting')}/v1/stats/cases",
                         params={"group_by": "regency,violence_type", "regency": regency}, timeout=10)
    response.raise_for_status()
    return sum(row["count"] for row in response.json()["rows"]
               if row["regency"] == regency and row["violence_type"] == violence_type)


@pytest.fixture(scope="module")
def seeded(platform: Platform) -> Platform:
    subscribe_agencies(platform, seed_directory(platform))
    return platform


def test_report_reaches_the_agency_webhook_and_the_statistics(seeded: Platform, otlp_receiver: Any) -> None:
    platform = seeded
    before = _count(platform, "62.13", "seksual")

    response = httpx.post(f"{platform.url('intake')}/v1/reports", timeout=10, json={
        "regency_code": "62.13", "violence_types": ["seksual"], "victim": {"sex": "perempuan", "age": 14},
        "narrative": NARRATIVE, "channel": "community",
    })
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]

    referrals = _wait(lambda: httpx.get(f"{platform.url('routing')}/v1/cases/{case_id}/referrals").json(),
                      what="the referral")
    lead = next(r for r in referrals if r["is_lead"])

    def delivered() -> list[dict[str, Any]]:
        received = httpx.get(f"{platform.url('sink')}/received", timeout=10).json()
        return [r for r in received if r.get("case_id") == case_id]

    deliveries = _wait(delivered, what="the webhook at the agency's endpoint")
    assert all(d["verified"] for d in deliveries)
    assert {d["agency_id"] for d in deliveries} == {lead["agency_id"]}
    assert deliveries[0]["event_type"] == "referral.created"

    _wait(lambda: _count(platform, "62.13", "seksual") == before + 1, what="the statistics")

    # One trace from the intake request through the outbox and Kafka into every service.
    spans = otlp_receiver.wait_for(lambda spans: _report_trace(spans) is not None)
    trace_id = _report_trace(spans)
    for span in spans:
        assert NARRATIVE not in str(span.attributes)
        assert "dipukul" not in span.name
    assert trace_id is not None


ALL_SERVICES = {"sinergi-intake", "sinergi-routing", "sinergi-notifications", "sinergi-reporting"}


def _report_trace(spans: list[Any]) -> str | None:
    """The trace that starts at intake's POST /v1/reports and reaches all four services."""
    for post in (s for s in spans if s.service == "sinergi-intake" and s.name.startswith("POST /v1/reports")):
        if {s.service for s in spans if s.trace_id == post.trace_id} >= ALL_SERVICES:
            return str(post.trace_id)
    return None
