"""P6's fixture (``benchmarks.p6_referrals``): the referrals it copies into routing's table are routing's own (the
packaged rules over the demo directory, the SLA's deadlines, the domain's moves), spread as the benchmark says;
and its baseline asks routing exactly what the workspace asks for each inbox page."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from benchmarks.p6_inbox import PEOPLE, routing_query
from benchmarks.p6_referrals import COLUMNS, HOME_REGENCY, record, referrals
from routing.adapters.tables import ReferralRow
from routing.domain.referrals import ReferralStatus
from routing.domain.sla import DEFAULT_POLICY
from routing.rules_data import packaged_rules

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_the_fixture_is_referrals_routing_would_have_made() -> None:
    made = list(referrals(3000, NOW))
    assert len(made) == 3000
    rules = {rule.id for rule in packaged_rules().rules}
    for referral, case in made:
        deadlines = DEFAULT_POLICY.deadlines(case.priority)
        assert referral.accept_by == referral.created_at + deadlines.accept
        assert referral.first_service_by == referral.created_at + deadlines.first_service
        assert referral.rule.startswith("lead-agency/") or referral.rule in rules, referral.rule
        assert referral.case_id == case.case_id
        assert referral.regency_code == case.regency_code
        assert (referral.status is ReferralStatus.COMPLETED) == bool(referral.services_given)
    # One lead per case; a year of history, mostly done, some still waiting.
    leads = Counter(case.case_id for referral, case in made if referral.is_lead)
    assert set(leads.values()) == {1}
    statuses = Counter(referral.status for referral, _ in made)
    assert statuses[ReferralStatus.COMPLETED] > len(made) / 2
    assert statuses[ReferralStatus.CREATED] > 0
    assert min(referral.created_at for referral, _ in made) < NOW.replace(year=2026, month=1)
    # The people who sign in have the largest shares of their kind: their agency, their regency.
    agency = PEOPLE[0].split(".", 1)[1]
    of_agency = Counter(referral.agency_id for referral, _ in made)
    of_regency = Counter(referral.regency_code for referral, _ in made)
    assert of_regency.most_common(1)[0][0] == HOME_REGENCY
    assert of_agency[agency] == max(count for name, count in of_agency.items() if name.endswith(HOME_REGENCY))


def test_the_fixture_fills_the_columns_routing_writes() -> None:
    referral, case = next(referrals(1, NOW))
    row = dict(zip(COLUMNS, record(referral, case), strict=True))
    table_columns = set(ReferralRow.__table__.columns.keys())  # type: ignore[attr-defined]
    # Every column but the generated running deadline is written.
    assert set(COLUMNS) == table_columns - {"running_deadline"}
    assert row["priority"] == case.priority.value
    assert row["case_number"] == case.case_number


def test_the_baseline_asks_routing_what_the_workspace_asks() -> None:
    assert routing_query("/inbox") == {"limit": "25"}
    assert routing_query("/inbox?overdue=1") == {"limit": "25", "overdue": "true"}
    assert routing_query("/inbox?status=created&cursor=abc") == {"limit": "25", "status": "created", "cursor": "abc"}
