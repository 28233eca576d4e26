"""Notifications' HTTP API: subscriptions and their delivery logs. Secrets go in, and never come out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr

from notifications.domain.access import (
    SUBSCRIBERS,
    SUBSCRIPTION_READERS,
    may_read_agency,
    may_subscribe,
    province_of_new_subscription,
)
from notifications.domain.delivery import DeliveryLogEntry, DeliveryStatus
from notifications.domain.subscriptions import (
    DELIVERABLE_EVENT_TYPES,
    MIN_SECRET_LENGTH,
    InvalidSubscriptionError,
    Subscription,
    SubscriptionRequest,
)
from notifications.service_layer import handlers
from shared.auth import Principal
from shared.dependencies import CurrentCipher, CurrentUnitOfWork, require_roles

router = APIRouter(prefix="/v1", tags=["subscriptions"])

Subscriber = Annotated[Principal, Depends(require_roles(*SUBSCRIBERS))]
SubscriptionReader = Annotated[Principal, Depends(require_roles(*SUBSCRIPTION_READERS))]
NOT_YOURS: dict[int | str, dict[str, Any]] = {403: {"description": "Not your agency's"}}


class SubscriptionIn(BaseModel):
    """An agency's webhook. ``secret`` signs every request (``Sinergi-Signature``); it is stored encrypted and
    never returned."""

    model_config = ConfigDict(extra="forbid")

    agency_id: str = Field(min_length=1, max_length=100, examples=["uptd-ppa-62.13"])
    url: HttpUrl = Field(description="http or https URL that receives the POSTs", examples=["https://ppa.example/hook"])
    event_types: list[str] = Field(min_length=1, examples=[sorted(DELIVERABLE_EVENT_TYPES)])
    secret: SecretStr = Field(min_length=MIN_SECRET_LENGTH, max_length=512)


class SubscriptionOut(BaseModel):
    subscription_id: UUID
    agency_id: str
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime
    province_code: str | None = Field(description="Only referrals of cases in this province (null: any)")

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionOut:
        return cls(
            subscription_id=subscription.subscription_id,
            agency_id=subscription.agency_id,
            url=subscription.url,
            event_types=list(subscription.event_types),
            active=subscription.active,
            created_at=subscription.created_at,
            province_code=subscription.province_code,
        )


class DeliveryOut(BaseModel):
    """One delivery in the log; the payload itself is not shown."""

    delivery_id: UUID
    event_id: UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = Field(description="When the next attempt is due, while pending")
    delivered_at: datetime | None

    @classmethod
    def of(cls, entry: DeliveryLogEntry) -> DeliveryOut:
        return cls(**vars(entry))


@router.post("/subscriptions", status_code=status.HTTP_201_CREATED, response_model=SubscriptionOut, responses=NOT_YOURS)
async def create_subscription(
    body: SubscriptionIn, principal: Subscriber, uow: CurrentUnitOfWork, cipher: CurrentCipher
) -> SubscriptionOut:
    """An agency supervisor subscribes their own agency; a province admin any agency, for the referrals of
    cases in the admin's province."""
    if not may_subscribe(principal, body.agency_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your agency")
    try:
        request = SubscriptionRequest(
            agency_id=body.agency_id,
            url=str(body.url),
            event_types=tuple(body.event_types),
            secret=body.secret.get_secret_value(),
            province_code=province_of_new_subscription(principal),
        )
    except InvalidSubscriptionError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [{"loc": ["body", error.field], "msg": error.reason, "type": "value_error"}],
        ) from None
    subscription = await handlers.subscribe(request, uow, cipher)
    return SubscriptionOut.of(subscription)


@router.get("/subscriptions", response_model=list[SubscriptionOut], responses=NOT_YOURS)
async def list_subscriptions(
    agency_id: Annotated[str, Query(min_length=1, max_length=100, description="The agency whose subscriptions")],
    principal: SubscriptionReader,
    uow: CurrentUnitOfWork,
) -> list[SubscriptionOut]:
    """The agency's subscriptions (a province admin: those of their province)."""
    if not may_read_agency(principal, agency_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your agency")
    return [SubscriptionOut.of(s) for s in await handlers.list_subscriptions(principal, agency_id, uow)]


@router.get("/subscriptions/{subscription_id}/deliveries", response_model=list[DeliveryOut])
async def list_deliveries(
    subscription_id: UUID,
    principal: SubscriptionReader,
    uow: CurrentUnitOfWork,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    """The subscription's deliveries, newest first; 404 unless it is your agency's."""
    entries = await handlers.delivery_log(principal, subscription_id, uow, limit=limit)
    if entries is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such subscription")
    return [DeliveryOut.of(entry) for entry in entries]
