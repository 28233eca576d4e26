"""The audit trail's hash chain: how records link, who acted, and what verification names."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from reporting.domain.audit_chain import (
    GENESIS_HASH,
    AuditRecord,
    ChainHead,
    actor_of,
    chained_record,
    record_hash,
    verify_chain,
)
from shared.contracts import (
    AUDIT,
    CASES,
    NOTIFICATIONS,
    REFERRALS,
    CaseClosed,
    CaseUpdated,
    Event,
    PersonalDataRead,
    ReferralAccepted,
    ReferralCreated,
    ReferralDeclined,
    WebhookDelivered,
)
from shared.contracts.examples import example_case_reported

CASE = UUID("0a0d17c0-0000-4000-8000-000000000001")


def _events(case_id: UUID = CASE) -> list[tuple[Event, str]]:
    referral = uuid4()
    return [
        (example_case_reported(case_id=case_id), CASES.name),
        (ReferralCreated(case_id=case_id, referral_id=referral, agency_id="uptd-ppa-62.13", agency_type="uptd_ppa",
                         is_lead=True, province_code="62", regency_code="62.13", rule="lead", reason="the lead"),
         REFERRALS.name),
        (ReferralAccepted(case_id=case_id, referral_id=referral, agency_id="uptd-ppa-62.13", accepted_by="staff-1"),
         REFERRALS.name),
        (WebhookDelivered(case_id=case_id, subscription_id=uuid4(), agency_id="uptd-ppa-62.13",
                          delivered_event_id=uuid4(), delivered_event_type="referral.created", attempts=1),
         NOTIFICATIONS.name),
        (PersonalDataRead(case_id=case_id, actor_user_id="staff-1", actor_agency_id="uptd-ppa-62.13",
                          actor_roles=("agency_staff",), fields=("narrative",), endpoint="GET /v1/cases/{case_id}"),
         AUDIT.name),
    ]


def _chain(case_id: UUID = CASE) -> tuple[list[AuditRecord], ChainHead]:
    records: list[AuditRecord] = []
    for event, topic in _events(case_id):
        prev_hash = records[-1].hash if records else GENESIS_HASH
        records.append(chained_record(event, topic=topic, seq=len(records) + 1, prev_hash=prev_hash))
    return records, ChainHead(case_id, records[-1].seq, records[-1].hash)


def test_each_record_carries_the_hash_of_the_one_before() -> None:
    records, _ = _chain()
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[0].prev_hash == GENESIS_HASH == "0" * 64
    assert [r.prev_hash for r in records[1:]] == [r.hash for r in records[:-1]]
    assert all(len(r.hash) == 64 and r.hash == record_hash(r) for r in records)
    assert len({r.hash for r in records}) == 5


def test_the_record_keeps_the_envelope_in_columns_and_the_rest_as_details() -> None:
    records, _ = _chain()
    accepted = records[2]
    assert (accepted.event_type, accepted.schema_version, accepted.producer, accepted.topic) == (
        "referral.accepted", 1, "routing", REFERRALS.name)
    # Everything the event holds but the envelope, its optional region codes included.
    assert set(accepted.details) == {"referral_id", "agency_id", "accepted_by", "province_code", "regency_code"}
    assert records[0].details["regency_code"] == "62.13"
    assert "case_id" not in records[0].details


def test_the_hash_covers_every_field_and_the_links() -> None:
    record = _chain()[0][1]
    changes = {
        "case_id": uuid4(), "seq": 7, "event_id": uuid4(), "event_type": "referral.revoked", "schema_version": 2,
        "producer": "intake", "topic": CASES.name, "occurred_at": record.occurred_at + timedelta(microseconds=1),
        "actor_user_id": "someone", "agency_id": "other", "details": {**record.details, "rule": "x"},
        "prev_hash": "1" * 64,
    }
    for name, value in changes.items():
        assert record_hash(replace(record, **{name: value})) != record.hash, name


def test_the_hash_is_the_same_whatever_the_time_zone_a_timestamp_comes_back_in() -> None:
    record = _chain()[0][0]
    wita = record.occurred_at.astimezone(timezone(timedelta(hours=8)))
    assert record_hash(replace(record, occurred_at=wita)) == record.hash
    # And the details' key order (JSONB keeps its own) does not count.
    assert record_hash(replace(record, details=dict(reversed(record.details.items())))) == record.hash


@pytest.mark.parametrize(
    ("event", "actor"),
    [
        (ReferralAccepted(case_id=CASE, referral_id=uuid4(), agency_id="a-1", accepted_by="u-1"), ("u-1", "a-1")),
        (ReferralDeclined(case_id=CASE, referral_id=uuid4(), agency_id="a-2", actor="u-2", reason="full"),
         ("u-2", "a-2")),
        (CaseClosed(case_id=CASE, case_number="6213-1", province_code="62", regency_code="62.13",
                    reason="handled", closed_by="u-3"), ("u-3", None)),
        (PersonalDataRead(case_id=CASE, actor_user_id="u-4", actor_agency_id="a-4", actor_roles=("auditor",),
                          fields=("narrative",), endpoint="GET /v1/cases/{case_id}"), ("u-4", "a-4")),
        (WebhookDelivered(case_id=CASE, subscription_id=uuid4(), agency_id=None, delivered_event_id=uuid4(),
                          delivered_event_type="case.reported", attempts=2), (None, None)),
        (example_case_reported(case_id=CASE), (None, None)),
    ],
    ids=lambda value: value.event_type if isinstance(value, Event) else "",
)
def test_actor_of_reads_whichever_field_the_contract_names_the_actor_in(
    event: Event, actor: tuple[str | None, str | None]
) -> None:
    assert actor_of(event) == actor


def test_case_updated_names_who_updated() -> None:
    reported = example_case_reported(case_id=CASE)
    updated = CaseUpdated(**{**reported.model_dump(exclude={"event_id", "event_type", "occurred_at"}),
                             "update_id": uuid4(), "kind": "corrected", "changed_fields": ("place",),
                             "updated_by": "operator-9"})
    assert actor_of(updated) == ("operator-9", None)


def test_an_intact_chain_has_no_finding() -> None:
    records, head = _chain()
    assert verify_chain(records, head) is None
    assert verify_chain([], None) is None


def test_an_altered_record_is_named() -> None:
    records, head = _chain()
    altered = replace(records[2], details={**records[2].details, "accepted_by": "someone-else"})
    finding = verify_chain([*records[:2], altered, *records[3:]], head)
    assert finding is not None
    assert (finding.case_id, finding.seq, finding.event_id, finding.problem) == (
        CASE, 3, records[2].event_id, "altered")
    assert str(finding) == f"case {CASE}: record 3 (event {records[2].event_id}) was altered"


def test_a_record_replaced_with_a_fresh_hash_breaks_the_next_link() -> None:
    records, head = _chain()
    forged = replace(records[1], actor_user_id="someone-else")
    forged = replace(forged, hash=record_hash(forged))
    finding = verify_chain([records[0], forged, *records[2:]], head)
    assert finding is not None
    assert (finding.seq, finding.event_id, finding.problem) == (3, records[2].event_id, "removed")
    assert "does not follow record 2" in finding.sentence


def test_a_removed_middle_record_is_named_with_the_one_after_it() -> None:
    records, head = _chain()
    finding = verify_chain([*records[:2], *records[3:]], head)
    assert finding is not None
    assert (finding.seq, finding.event_id, finding.problem) == (3, records[3].event_id, "removed")
    assert finding.sentence == f"record 3 was removed: record 4 (event {records[3].event_id}) comes next"


def test_several_removed_records_are_named_as_a_range() -> None:
    records, head = _chain()
    finding = verify_chain([records[0], records[4]], head)
    assert finding is not None
    assert finding.sentence.startswith("records 2 to 4 were removed: record 5")


def test_a_removed_first_record_is_named() -> None:
    records, head = _chain()
    finding = verify_chain(records[1:], head)
    assert finding is not None
    assert (finding.seq, finding.event_id, finding.problem) == (1, records[1].event_id, "removed")


def test_a_removed_tail_is_caught_by_the_head() -> None:
    records, head = _chain()
    finding = verify_chain(records[:-1], head)
    assert finding is not None
    assert (finding.seq, finding.event_id, finding.problem) == (5, None, "removed")
    assert finding.sentence == "record 5 was removed (the chain's head says it ends at record 5)"
    every = verify_chain([], head)
    assert every is not None
    assert every.sentence.startswith("records 1 to 5 were removed")


def test_a_last_record_replaced_with_a_fresh_hash_disagrees_with_the_head() -> None:
    records, head = _chain()
    forged = replace(records[-1], occurred_at=datetime(2030, 1, 1, tzinfo=UTC))
    forged = replace(forged, hash=record_hash(forged))
    finding = verify_chain([*records[:-1], forged], head)
    assert finding is not None
    assert (finding.seq, finding.problem) == (5, "altered")


def test_a_record_added_past_the_head_or_without_one_is_named() -> None:
    records, _ = _chain()
    short_head = ChainHead(CASE, 4, records[3].hash)
    finding = verify_chain(records, short_head)
    assert finding is not None
    assert (finding.seq, finding.event_id, finding.problem) == (5, records[4].event_id, "added")
    headless = verify_chain(records, None)
    assert headless is not None
    assert headless.problem == "head missing"
