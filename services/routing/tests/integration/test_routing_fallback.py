"""A case routed by a fallback (its regency has no active lead agency) is counted in routing's /metrics by
province and regency, and ``sinergi status`` warns of that regency: operators hear of a gap in the directory the
day it opens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from uuid import uuid4

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from routing.adapters import repository
from routing.app import create_app
from routing.domain.agencies import Agency, AgencyLevel
from routing.metrics import FALLBACK_REFERRALS
from routing.service_layer.referrals import Routing, refer_case
from routing.settings import RoutingSettings
from shared.access import SERVICE_CONTEXT
from shared.contracts.examples import example_case_reported
from shared.contracts.vocabulary import AgencyType
from sinergi_local import status

pytestmark = pytest.mark.integration


@pytest.fixture
async def routing(make_settings: Callable[..., RoutingSettings]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(RoutingSettings, "routing", sla_check_interval_seconds=3600))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://r"
    ) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


def fallbacks(text: str) -> dict[tuple[str, str], float]:
    return {
        (sample.labels["province"], sample.labels["regency"]): sample.value
        for family in text_string_to_metric_families(text) for sample in family.samples
        if sample.name == f"{FALLBACK_REFERRALS}_total"
    }


async def test_a_fallback_is_counted_by_place_and_sinergi_status_warns_of_it(routing: httpx.AsyncClient) -> None:
    app_routing: Routing = routing.app.state.routing  # type: ignore[attr-defined]
    runtime = routing.app.state.runtime  # type: ignore[attr-defined]
    tag = uuid4().hex[:6]
    # Province 95 has a province UPTD PPA; regency 95.02 its own, regency 95.01 none.
    agencies = [
        Agency(agency_id=f"uptd-95-{tag}", name="UPTD PPA Provinsi 95", agency_type=AgencyType.UPTD_PPA,
               level=AgencyLevel.PROVINCE, province_code="95"),
        Agency(agency_id=f"uptd-95.02-{tag}", name="UPTD PPA 95.02", agency_type=AgencyType.UPTD_PPA,
               level=AgencyLevel.REGENCY, province_code="95", regency_code="95.02"),
    ]
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        await repository.upsert_agencies(uow.session, agencies)
        await uow.commit()
    before = fallbacks((await routing.get("/metrics")).text)

    for regency in ("95.01", "95.01", "95.02"):
        [lead, *_] = await refer_case(example_case_reported(province_code="95", regency_code=regency),
                                      runtime.unit_of_work(SERVICE_CONTEXT), app_routing)
        assert lead.rule == ("lead-agency/province-uptd" if regency == "95.01" else "lead-agency/regency-uptd")

    text = (await routing.get("/metrics")).text
    after = fallbacks(text)
    assert after[("95", "95.01")] - before.get(("95", "95.01"), 0) == 2
    assert ("95", "95.02") not in after  # its own lead: no fallback

    warnings = status.warnings([status.from_metrics("routing", status.READY, text)])
    assert any(line.startswith("warning: ") and "regency 95.01 (province 95)" in line for line in warnings)
    assert not any("95.02" in line for line in warnings)
