"""The per-case audit trail as a hash chain: every event of a case, from every service, in the order reporting
recorded it, each record carrying the hash of the one before it.

Altering a stored record changes its hash; removing one leaves a gap in the numbering or a record whose
``prev_hash`` no longer matches; removing or altering the last one disagrees with the chain's head, which is
kept apart. ``verify_chain`` names the first such problem. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from shared.contracts import Event

GENESIS_HASH = "0" * 64  # what the first record of every case chains to

# What every event carries; the record holds these in columns of their own, and the rest as ``details``.
ENVELOPE_FIELDS = frozenset({"event_id", "event_type", "schema_version", "occurred_at", "case_id", "producer"})
# Where an event names the person who acted, and the agency, by contract (first present wins).
_ACTOR_FIELDS = ("accepted_by", "actor", "updated_by", "closed_by", "reopened_by", "actor_user_id")
_AGENCY_FIELDS = ("agency_id", "actor_agency_id")


@dataclass(frozen=True)
class AuditRecord:
    """One event in a case's trail: what, when, which service, which user and agency, and the links."""

    case_id: UUID
    seq: int  # 1-based, per case, in the order reporting recorded the events
    event_id: UUID
    event_type: str
    schema_version: int
    producer: str  # the service that produced the event
    topic: str
    occurred_at: datetime
    actor_user_id: str | None
    agency_id: str | None
    details: dict[str, Any] = field(hash=False)  # the event's JSON minus the envelope fields
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainHead:
    """Where a case's chain ends, kept apart from the records: removing the last record shows here."""

    case_id: UUID
    last_seq: int
    last_hash: str


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def record_hash(record: AuditRecord) -> str:
    """SHA-256 (hex) of the record's canonical JSON: every field but ``hash``, so ``seq`` and ``prev_hash``
    too; sorted keys, no whitespace, datetimes in ISO 8601 in UTC (the same bytes whatever the time zone the
    database hands them back in)."""
    fields = asdict(record)
    del fields["hash"]
    text = json.dumps(_canonical(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def actor_of(event: Event) -> tuple[str | None, str | None]:
    """(user id, agency id) of whoever the event says acted, from the fields the contracts name them in."""
    user = next((str(value) for name in _ACTOR_FIELDS if (value := getattr(event, name, None)) is not None), None)
    agency = next((str(value) for name in _AGENCY_FIELDS if (value := getattr(event, name, None)) is not None), None)
    return user, agency


def chained_record(event: Event, *, topic: str, seq: int, prev_hash: str) -> AuditRecord:
    """``event`` as record ``seq`` of its case's chain, after the record whose hash is ``prev_hash``."""
    document = event.model_dump(mode="json")
    user, agency = actor_of(event)
    unsealed = AuditRecord(
        case_id=event.case_id,
        seq=seq,
        event_id=event.event_id,
        event_type=event.event_type,
        schema_version=event.schema_version,
        producer=event.producer,
        topic=topic,
        occurred_at=event.occurred_at,
        actor_user_id=user,
        agency_id=agency,
        details={key: value for key, value in document.items() if key not in ENVELOPE_FIELDS},
        prev_hash=prev_hash,
        hash="",
    )
    return replace(unsealed, hash=record_hash(unsealed))


Problem = Literal["altered", "removed", "added", "head missing"]


@dataclass(frozen=True)
class Finding:
    """The first problem in a case's chain. ``seq`` is the record altered, or the first one missing;
    ``event_id`` is the altered record's event, or the one after the gap (None when there is none)."""

    case_id: UUID
    seq: int
    event_id: UUID | None
    problem: Problem
    sentence: str  # ids, numbers and types only

    def __str__(self) -> str:
        return f"case {self.case_id}: {self.sentence}"


def _removed(case_id: UUID, first: int, last: int, after: AuditRecord | None) -> Finding:
    which = f"record {first} was removed" if first == last else f"records {first} to {last} were removed"
    if after is None:
        return Finding(case_id, first, None, "removed", f"{which} (the chain's head says it ends at record {last})")
    return Finding(case_id, first, after.event_id, "removed",
                   f"{which}: record {after.seq} (event {after.event_id}) comes next")


def verify_chain(records: Sequence[AuditRecord], head: ChainHead | None) -> Finding | None:
    """The first problem of one case's chain (``records`` in ``seq`` order, ``head`` as stored), or None."""
    expected_seq, prev_hash = 1, GENESIS_HASH
    previous: AuditRecord | None = None
    for record in records:
        intact = record.hash == record_hash(record)
        # A record whose own seq was edited is named as altered, not as a gap before it.
        if intact and record.seq != expected_seq:
            return _removed(record.case_id, expected_seq, record.seq - 1, record)
        if not intact:
            return Finding(record.case_id, record.seq, record.event_id, "altered",
                           f"record {record.seq} (event {record.event_id}) was altered")
        if record.prev_hash != prev_hash:
            # Numbered without a gap, each record sound on its own, yet not linked: the one before was
            # replaced, or records were removed and the rest renumbered.
            before = f"record {previous.seq}" if previous else "the start of the chain"
            return Finding(record.case_id, record.seq, record.event_id, "removed",
                           f"record {record.seq} (event {record.event_id}) does not follow {before}: "
                           "a record between them was removed or replaced")
        expected_seq, prev_hash, previous = record.seq + 1, record.hash, record
    return _check_head(records, head)


def _check_head(records: Sequence[AuditRecord], head: ChainHead | None) -> Finding | None:
    last = records[-1] if records else None
    if head is None:
        if last is None:
            return None
        return Finding(last.case_id, last.seq, last.event_id, "head missing",
                       f"the chain's head is missing (the last record is {last.seq}, event {last.event_id})")
    last_seq = last.seq if last else 0
    if head.last_seq > last_seq:
        return _removed(head.case_id, last_seq + 1, head.last_seq, None)
    if last is not None and head.last_seq < last_seq:
        beyond = records[head.last_seq]  # the first record past the head (seqs are 1..n by now)
        return Finding(head.case_id, beyond.seq, beyond.event_id, "added",
                       f"record {beyond.seq} (event {beyond.event_id}) was added past the chain's head "
                       f"(record {head.last_seq})")
    if last is not None and head.last_hash != last.hash:
        return Finding(head.case_id, last.seq, last.event_id, "altered",
                       f"record {last.seq} (event {last.event_id}) was altered: it does not match the chain's head")
    return None
