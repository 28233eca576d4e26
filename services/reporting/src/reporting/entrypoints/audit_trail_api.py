"""Reporting's HTTP API for the per-case audit trail: a case's every event, in order, with its hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from reporting.adapters.audit_chain_store import TrailEntry
from reporting.domain.access import AUDIT_READERS
from reporting.service_layer import audit_trail
from shared.auth import Principal
from shared.dependencies import CurrentUnitOfWork, require_roles
from shared.http_errors import refused

router = APIRouter(prefix="/v1")

AuditReader = Annotated[Principal, Depends(require_roles(*AUDIT_READERS))]


class AuditRecordOut(BaseModel):
    """One event of the case's trail and its place in the hash chain."""

    case_id: UUID
    seq: int = Field(description="Position in the case's trail, from 1, in the order reporting recorded events.")
    event_id: UUID
    event_type: str = Field(description="What happened, e.g. `referral.accepted`.")
    schema_version: int
    producer: str = Field(description="The service that produced the event.")
    topic: str = Field(description="The Kafka topic it arrived on.")
    occurred_at: datetime = Field(description="When it happened, by its producer.")
    recorded_at: datetime = Field(description="When reporting recorded it (not covered by the hash).")
    actor_user_id: str | None = Field(description="The user who acted (token `sub`), when the event names one.")
    agency_id: str | None = Field(description="The agency that acted or was acted for, when the event names one.")
    details: dict[str, Any] = Field(description="The rest of the event, as it was published.")
    prev_hash: str = Field(description="The hash of the record before (64 zeros for the first).")
    hash: str = Field(description="SHA-256 over this record's canonical JSON, `prev_hash` and `seq` included.")

    @classmethod
    def of(cls, entry: TrailEntry) -> AuditRecordOut:
        record = entry.record
        return cls(
            case_id=record.case_id, seq=record.seq, event_id=record.event_id, event_type=record.event_type,
            schema_version=record.schema_version, producer=record.producer, topic=record.topic,
            occurred_at=record.occurred_at, recorded_at=entry.recorded_at, actor_user_id=record.actor_user_id,
            agency_id=record.agency_id, details=record.details, prev_hash=record.prev_hash, hash=record.hash,
        )


@router.get(
    "/audit/cases/{case_id}/trail",
    response_model=list[AuditRecordOut],
    tags=["audit"],
    responses={404: {"description": "No such case in the statistics of your province"}},
)
async def case_audit_trail(case_id: UUID, principal: AuditReader, uow: CurrentUnitOfWork) -> list[AuditRecordOut]:
    """Every event of the case from every service, oldest first, each chained to the one before by its hash
    (cases of your province). `sinergi audit verify` checks the chains."""
    trail = await audit_trail.case_trail(principal, case_id, uow)
    if trail is None:
        raise refused(status.HTTP_404_NOT_FOUND, "case_not_found", ("path", "case_id"))
    return [AuditRecordOut.of(entry) for entry in trail]
