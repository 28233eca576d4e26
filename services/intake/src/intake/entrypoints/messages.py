"""Reports by WhatsApp and SMS: the gateways' inbound webhook, and the drafts operators complete.

A gateway (a WhatsApp Business API provider, an SMS aggregator) posts each message it receives, signed like
Sinergi's own webhooks (``shared.webhooks``: ``Sinergi-Signature: t=<unix>,v1=<HMAC-SHA256("<t>." + body)>``)
with the secret intake shares with that gateway. A message opens a draft, not a case: a person has to read it,
call back if needed and record the report.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from intake.domain.operator_rules import NOT_A_MATCH
from intake.domain.record import Report
from intake.entrypoints.api import CurrentKeys, ReportAccepted
from intake.service_layer import drafts, handlers
from intake.service_layer.errors import CaseConflictError, CaseNotFoundError, LinkNotAMatchError
from shared.access import SERVICE_CONTEXT
from shared.auth import Principal, Role
from shared.contracts.base import utc_now
from shared.contracts.vocabulary import Channel
from shared.dependencies import CurrentCipher, CurrentRuntime, CurrentUnitOfWork, require_roles
from shared.http_errors import refused, refused_by
from shared.limits import public_rate_limit
from shared.webhooks import SIGNATURE_HEADER, SignatureError, verify

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1")

Operator = Annotated[Principal, Depends(require_roles(Role.OPERATOR))]
GATEWAYS = {"whatsapp": Channel.WHATSAPP, "sms": Channel.SMS}


class InboundMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")  # gateways add fields of their own

    message_id: str = Field(min_length=1, max_length=200, description="The gateway's id; a retry repeats it")
    sender: str = Field(alias="from", pattern=r"^\+?[0-9]{6,20}$", description="The sender's number. Personal")
    text: str = Field(min_length=1, max_length=4096, description="The message. Personal")
    received_at: AwareDatetime | None = None


class DraftReceived(BaseModel):
    draft_id: UUID
    status: Literal["draft"] = "draft"


@router.post(
    "/inbound/{gateway}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DraftReceived,
    tags=["messages"],
    dependencies=[Depends(public_rate_limit)],
    responses={401: {"description": "Missing or wrong signature"}, 404: {"description": "Unknown gateway"}},
)
async def inbound_message(
    gateway: str,
    request: Request,
    runtime: CurrentRuntime,
    cipher: CurrentCipher,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
) -> DraftReceived:
    """A WhatsApp or SMS message from a gateway, signed with its secret. Opens a draft report; a retried
    delivery (same `message_id`) returns the same draft."""
    channel = GATEWAYS.get(gateway)
    secret = request.app.state.gateway_secrets.get(gateway)
    if channel is None or secret is None:
        raise refused(status.HTTP_404_NOT_FOUND, "gateway_unknown", ("path", "gateway"))
    body = await request.body()
    try:
        verify(secret, signature or "", body)
    except SignatureError as error:
        log.info("gateway message refused: %s", error)  # why, for the operators; the caller hears only that
        raise refused(status.HTTP_401_UNAUTHORIZED, "signature_refused", ("header", SIGNATURE_HEADER)) from None
    try:
        message = InboundMessage.model_validate_json(body)
    except ValidationError as error:  # read here, after the signature: answered like any other 422
        raise RequestValidationError([{**item, "loc": ("body", *item["loc"])} for item in error.errors()]) from None
    # The gateway is authenticated by its signature, not a token: the draft is written as the service.
    draft_id = await drafts.receive_message(
        channel, message.message_id, message.sender, message.text, message.received_at or utc_now(),
        runtime.unit_of_work(SERVICE_CONTEXT), cipher,
    )
    return DraftReceived(draft_id=draft_id)


class DraftOut(BaseModel):
    draft_id: UUID
    channel: Channel
    received_at: datetime
    sender: str = Field(description="Personal")
    text: str = Field(description="Personal")


@router.get("/drafts", response_model=list[DraftOut], tags=["messages"])
async def list_drafts(
    operator: Operator, uow: CurrentUnitOfWork, cipher: CurrentCipher,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[DraftOut]:
    """Messages waiting for an operator to record them as reports, oldest first. Each read is audited under
    the draft's id, which the case recorded from it keeps."""
    return [
        DraftOut(
            draft_id=view.record.draft_id, channel=Channel(view.record.gateway), received_at=view.record.received_at,
            sender=view.sender, text=view.text,
        )
        for view in await drafts.open_drafts(operator, uow, cipher, limit=limit, endpoint="GET /v1/drafts")
    ]


@router.post(
    "/drafts/{draft_id}/report",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportAccepted,
    tags=["messages"],
    responses={404: {"description": "No such draft"}, 409: {"description": "The draft was already completed"}},
)
async def complete_draft(
    draft_id: UUID, body: Report, principal: Operator, uow: CurrentUnitOfWork, *, keys: CurrentKeys,
    link_to: Annotated[UUID | None, Query(description="The possible duplicate this report is the same incident as, "
                                          "as for `POST /v1/reports`")] = None,
) -> ReportAccepted:
    """Record the report a draft holds: the case takes the draft's id and channel (`whatsapp` or `sms`), and
    the draft is closed in the same transaction."""
    try:
        case = await handlers.submit_report(body, None, uow, keys, recorded_by=principal.user_id, draft_id=draft_id,
                                            link_to=link_to, principal=principal)
    except LinkNotAMatchError:
        raise refused_by(status.HTTP_422_UNPROCESSABLE_CONTENT, NOT_A_MATCH, ("query", "link_to")) from None
    except CaseNotFoundError:
        raise refused(status.HTTP_404_NOT_FOUND, "draft_not_found", ("path", "draft_id")) from None
    except CaseConflictError as error:
        raise refused(status.HTTP_409_CONFLICT, error.code, ("path", "draft_id")) from None
    return ReportAccepted(case_id=case.case_id, case_number=case.case_number)
