"""What the rebuild reads from a batch of records: the events the read models are built from, validated; every
other known event counted and left unvalidated; what no contract reads counted as unreadable."""

from __future__ import annotations

import json
from uuid import uuid4

from reporting.adapters.replay import Record
from reporting.service_layer.rebuild import RebuildReport, _read
from shared.contracts import PersonalDataRead
from shared.contracts.examples import example_case_reported


def _record(value: bytes) -> Record:
    return Record("sinergi.cases", 0, 0, value)


def _broken(document: dict[str, object], field: str) -> bytes:
    return json.dumps({**document, field: "not what it should be"}).encode()


async def test_the_rebuild_validates_only_what_it_builds_from() -> None:
    reported = example_case_reported()
    read = PersonalDataRead(
        case_id=uuid4(), actor_user_id="operator-1", actor_agency_id=None, actor_roles=("operator",),
        fields=("narrative",), endpoint="GET /v1/cases/{case_id}",
    )
    records = [
        reported.to_json(),
        read.to_json(),
        _broken(json.loads(read.to_json()), "occurred_at"),  # of a type the read models ignore: not looked into
        _broken(json.loads(reported.to_json()), "occurred_at"),  # breaks the contract of one they are built from
        b'{"event_type": "case.reported", "schema_version": 1,',
        b'{"event_type": "case.teleported", "schema_version": 1}',
    ]
    report = RebuildReport()

    projected = await _read([_record(value) for value in records], report)

    assert projected == [reported]
    assert (report.read, report.unreadable) == (6, 3)
