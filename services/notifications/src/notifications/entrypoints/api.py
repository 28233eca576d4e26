"""Notifications' HTTP API: subscriptions, their secrets and their delivery logs. Secrets go in (or are made
here and shown once), and never come out again."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from notifications.domain.access import SUBSCRIBERS, SUBSCRIPTION_READERS
from notifications.domain.delivery import AttemptLogEntry, DeliveryLogEntry, DeliveryStatus
from notifications.domain.subscriptions import (
    AGENCY_EVENT_TYPES,
    EVENT_TYPE_DESCRIPTIONS,
    EVENT_TYPES,
    MIN_SECRET_LENGTH,
    REGION_EVENT_TYPES,
    Channel,
    Filters,
    InvalidSubscriptionError,
    Language,
    Scope,
    Subscription,
    SubscriptionSpec,
)
from notifications.service_layer import handlers
from notifications.service_layer.handlers import NewSubscription, NotAllowedError, NotFoundError
from shared.auth import Principal
from shared.contracts.vocabulary import Priority
from shared.dependencies import CurrentCipher, CurrentUnitOfWork, require_roles
from shared.http_errors import refused
from shared.validation_messages import DomainValidationError, LocalizedValueError

router = APIRouter(prefix="/v1", tags=["subscriptions"])

Subscriber = Annotated[Principal, Depends(require_roles(*SUBSCRIBERS))]
SubscriptionReader = Annotated[Principal, Depends(require_roles(*SUBSCRIPTION_READERS))]
RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not yours to manage"}, 404: {"description": "No such subscription of yours"},
}
Target = Annotated[str, Field(
    min_length=3, max_length=2048, description="The webhook's URL, the email address, or the phone number in "
    "E.164 form (+62...), by channel. Kept encrypted unless it is a URL; never logged.",
    examples=["https://ppa.example/hooks/sinergi"],
)]
EventTypes = Annotated[list[str], Field(min_length=1, max_length=len(EVENT_TYPES),
                                        examples=[["referral.created", "referral.sla_breached"]])]
Regions = Annotated[list[str], Field(max_length=100, description="Only cases of these provinces (62) or "
                                     "regencies (62.13); empty: all the subscription may cover.")]
Priorities = Annotated[list[Priority], Field(max_length=3, description="Only cases of these priorities; empty: all.")]


async def available(request: Request) -> frozenset[Channel]:
    channels: frozenset[Channel] = request.app.state.channels
    return channels


Available = Annotated[frozenset[Channel], Depends(available)]


class SubscriptionIn(BaseModel):
    """A new subscription. For a webhook, ``secret`` signs every request (``Sinergi-Signature``); leave it out
    and one is made and shown once in the answer."""

    model_config = ConfigDict(extra="forbid")

    scope: Scope = Field(default=Scope.AGENCY, description="`agency`: the cases referred to `agency_id`. "
                         "`region`: every case of your region (supervisors), aggregate fields only.")
    agency_id: str | None = Field(default=None, min_length=1, max_length=100, examples=["uptd-ppa-62.13"])
    event_types: EventTypes
    channel: Channel = Channel.WEBHOOK
    target: Target
    language: Language = Field(default=Language.INDONESIAN, description="Of emails, messages and summaries.")
    regions: Regions = []
    priorities: Priorities = []
    secret: SecretStr | None = Field(default=None, min_length=MIN_SECRET_LENGTH, max_length=512)


class SubscriptionPatch(BaseModel):
    """Change what you send; what you leave out stays. The channel cannot change: make a new subscription."""

    model_config = ConfigDict(extra="forbid")

    event_types: EventTypes | None = None
    target: Target | None = None
    language: Language | None = None
    regions: Regions | None = None
    priorities: Priorities | None = None


class SubscriptionOut(BaseModel):
    subscription_id: UUID
    scope: Scope
    agency_id: str | None
    region_code: str | None = Field(description="The region it covers at most (null: all the agency's referrals)")
    event_types: list[str]
    channel: Channel
    target: str
    language: Language
    regions: list[str]
    priorities: list[Priority]
    paused: bool = Field(description="While paused nothing is sent; what comes meanwhile waits and is sent on "
                         "resume, so nothing concerning the agency is missed.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionOut:
        return cls(
            subscription_id=subscription.subscription_id, scope=subscription.scope,
            agency_id=subscription.agency_id, region_code=subscription.region_code,
            event_types=list(subscription.event_types), channel=subscription.channel, target=subscription.target,
            language=subscription.language, regions=list(subscription.filters.regions),
            priorities=list(subscription.filters.priorities), paused=subscription.paused,
            created_at=subscription.created_at, updated_at=subscription.updated_at,
        )


class SubscriptionCreated(SubscriptionOut):
    secret: str | None = Field(description="The webhook secret made for you, shown this once; null if you gave "
                               "one or the channel is not a webhook.")


class RotateSecretIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keep_previous_for_seconds: int = Field(
        default=86_400, ge=0, le=7 * 86_400,
        description="How long requests stay signed with the old secret too (a second `v1`), so that your "
        "receiver can switch over without refusing any; 0 stops using it at once.",
    )


class RotatedSecret(BaseModel):
    secret: str = Field(description="The new secret, shown this once.")
    previous_secret_expires_at: datetime | None


class AttemptOut(BaseModel):
    attempt: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None = Field(description="Why it failed, in a few words; never the receiver's answer.")
    outcome: Literal["delivered", "retry", "dead", "circuit_open"]

    @classmethod
    def of(cls, entry: AttemptLogEntry) -> AttemptOut:
        return cls.model_validate(vars(entry))


class DeliveryOut(BaseModel):
    """One delivery in the log, with every attempt; the payload itself is not shown."""

    delivery_id: UUID
    event_id: UUID = Field(description="The idempotency key (`Sinergi-Event-Id`).")
    event_type: str
    status: DeliveryStatus = Field(description="`dead`: in the dead letters after the last attempt.")
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = Field(description="When the next attempt is due, while pending")
    delivered_at: datetime | None
    attempt_log: list[AttemptOut]

    @classmethod
    def of(cls, entry: DeliveryLogEntry) -> DeliveryOut:
        fields = {name: value for name, value in vars(entry).items() if name != "attempt_log"}
        return cls(**fields, attempt_log=[AttemptOut.of(attempt) for attempt in entry.attempt_log])


class EventTypeOut(BaseModel):
    event_type: str
    description: str
    scopes: list[Scope]


def _invalid(error: InvalidSubscriptionError) -> DomainValidationError:
    return DomainValidationError.at("body", error)


@contextlib.contextmanager
def _answers(*, not_found: str = "subscription_not_found", loc: str = "subscription_id") -> Iterator[None]:
    """The use cases' refusals as HTTP answers: 404 for what you may not see, 403 for what you may see but not
    change, 422 naming the field."""
    try:
        yield
    except NotFoundError:
        raise refused(status.HTTP_404_NOT_FOUND, not_found, ("path", loc)) from None
    except NotAllowedError:
        raise refused(status.HTTP_403_FORBIDDEN, "subscription_not_yours", ("path", loc)) from None
    except InvalidSubscriptionError as error:
        raise _invalid(error) from None


def _spec(body: SubscriptionIn) -> SubscriptionSpec:
    return SubscriptionSpec(
        event_types=tuple(body.event_types), channel=body.channel, target=body.target, language=body.language,
        filters=Filters(tuple(body.regions), tuple(body.priorities)),
    )


@router.get("/event-types", response_model=list[EventTypeOut])
async def list_event_types(principal: SubscriptionReader) -> list[EventTypeOut]:
    """What can be subscribed to, and by which kind of subscription."""
    return [
        EventTypeOut(
            event_type=event_type, description=EVENT_TYPE_DESCRIPTIONS[event_type],
            scopes=[scope for scope, types in ((Scope.AGENCY, AGENCY_EVENT_TYPES), (Scope.REGION, REGION_EVENT_TYPES))
                    if event_type in types],
        )
        for event_type in EVENT_TYPES
    ]


@router.post("/subscriptions", status_code=status.HTTP_201_CREATED, response_model=SubscriptionCreated,
             responses=RESPONSES)
async def create_subscription(
    body: SubscriptionIn, *, principal: Subscriber, uow: CurrentUnitOfWork, cipher: CurrentCipher, channels: Available,
) -> SubscriptionCreated:
    """An agency supervisor subscribes their own agency; a province admin any agency (for the cases of the
    admin's province); a district supervisor or a province admin their region (`scope: region`)."""
    if body.scope is Scope.AGENCY and body.agency_id is None:
        raise _invalid(InvalidSubscriptionError("agency_id", en="An agency subscription names its agency.",
                                                 id="Langganan lembaga harus menyebut lembaganya."))
    if body.scope is Scope.REGION and body.agency_id is not None:
        raise _invalid(InvalidSubscriptionError("agency_id", en="A region subscription names no agency.",
                                                 id="Langganan wilayah tidak menyebut lembaga."))
    request = NewSubscription(
        scope=body.scope, agency_id=body.agency_id, spec=_spec(body),
        secret=None if body.secret is None else body.secret.get_secret_value(),
    )
    with _answers():
        subscription, secret = await handlers.subscribe(principal, request, uow, cipher, available=channels)
    return SubscriptionCreated(**SubscriptionOut.of(subscription).model_dump(), secret=secret)


@router.get("/subscriptions", response_model=list[SubscriptionOut], responses=RESPONSES)
async def list_subscriptions(
    *,
    principal: SubscriptionReader,
    uow: CurrentUnitOfWork,
    cipher: CurrentCipher,
    agency_id: Annotated[str | None, Query(min_length=1, max_length=100, description="An agency's")] = None,
    region_code: Annotated[str | None, Query(pattern=r"^[0-9]{2}(\.[0-9]{2})?$",
                                             description="A region's (region subscriptions)")] = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$", description="Every subscription a "
                                               "province admin manages in their province")] = None,
) -> list[SubscriptionOut]:
    """An agency's subscriptions, or a region's, or (a province admin) every one of their province; give exactly
    one of `agency_id`, `region_code` and `province_code`."""
    if [agency_id, region_code, province_code].count(None) != 2:
        raise DomainValidationError.at("query", LocalizedValueError(
            "one_of_agency_or_region", field="agency_id",
            en="Give exactly one of agency_id, region_code and province_code.",
            id="Isi tepat satu dari agency_id, region_code dan province_code."))
    with _answers():
        found = await handlers.list_subscriptions(principal, uow, cipher, agency_id=agency_id,
                                                  region_code=region_code, province_code=province_code)
    return [SubscriptionOut.of(subscription) for subscription in found]


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut, responses=RESPONSES)
async def get_subscription(
    subscription_id: UUID, *, principal: SubscriptionReader, uow: CurrentUnitOfWork, cipher: CurrentCipher
) -> SubscriptionOut:
    with _answers():
        return SubscriptionOut.of(await handlers.get_subscription(principal, subscription_id, uow, cipher))


async def _change(
    *, principal: Principal, subscription_id: UUID, changes: dict[str, object], uow: CurrentUnitOfWork,
    cipher: CurrentCipher, channels: frozenset[Channel],
) -> SubscriptionOut:
    with _answers():
        return SubscriptionOut.of(await handlers.change(principal, subscription_id, changes, uow, cipher,
                                                         available=channels))


@router.patch("/subscriptions/{subscription_id}", response_model=SubscriptionOut, responses=RESPONSES)
async def update_subscription(
    subscription_id: UUID, *, body: SubscriptionPatch, principal: Subscriber, uow: CurrentUnitOfWork,
    cipher: CurrentCipher, channels: Available,
) -> SubscriptionOut:
    # Left out or null: unchanged. Lists are replaced whole (an empty list clears a filter).
    changes = {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in body.model_dump(exclude_unset=True).items() if value is not None
    }
    return await _change(principal=principal, subscription_id=subscription_id, changes=changes, uow=uow,
                         cipher=cipher, channels=channels)


@router.post("/subscriptions/{subscription_id}/pause", response_model=SubscriptionOut, responses=RESPONSES)
async def pause_subscription(
    subscription_id: UUID, *, principal: Subscriber, uow: CurrentUnitOfWork, cipher: CurrentCipher, channels: Available,
) -> SubscriptionOut:
    """Send nothing until resumed; what comes meanwhile waits (and is sent on resume)."""
    return await _change(principal=principal, subscription_id=subscription_id, changes={"paused": True}, uow=uow,
                         cipher=cipher, channels=channels)


@router.post("/subscriptions/{subscription_id}/resume", response_model=SubscriptionOut, responses=RESPONSES)
async def resume_subscription(
    subscription_id: UUID, *, principal: Subscriber, uow: CurrentUnitOfWork, cipher: CurrentCipher, channels: Available,
) -> SubscriptionOut:
    return await _change(principal=principal, subscription_id=subscription_id, changes={"paused": False}, uow=uow,
                         cipher=cipher, channels=channels)


@router.delete("/subscriptions/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT, responses=RESPONSES)
async def delete_subscription(
    subscription_id: UUID, *, principal: Subscriber, uow: CurrentUnitOfWork, cipher: CurrentCipher
) -> Response:
    """Stop for good: its secret and contact are forgotten, what was still to send goes to the dead letters; its
    delivery log stays readable."""
    with _answers():
        await handlers.delete(principal, subscription_id, uow, cipher)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/subscriptions/{subscription_id}/rotate-secret", response_model=RotatedSecret, responses=RESPONSES)
async def rotate_secret(
    subscription_id: UUID, *, principal: Subscriber, uow: CurrentUnitOfWork, cipher: CurrentCipher,
    body: RotateSecretIn | None = None,
) -> RotatedSecret:
    """A new webhook secret, shown once. Requests carry a signature with each secret until the old one
    expires."""
    keep = timedelta(seconds=(body or RotateSecretIn()).keep_previous_for_seconds)
    with _answers():
        secret, until = await handlers.rotate_secret(principal, subscription_id, keep, uow, cipher)
    return RotatedSecret(secret=secret, previous_secret_expires_at=until)


@router.get("/subscriptions/{subscription_id}/deliveries", response_model=list[DeliveryOut], responses=RESPONSES)
async def list_deliveries(
    subscription_id: UUID, *,
    principal: SubscriptionReader,
    uow: CurrentUnitOfWork,
    cipher: CurrentCipher,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    delivery_status: Annotated[DeliveryStatus | None, Query(alias="status",
                                                            description="`dead`: the dead letters")] = None,
) -> list[DeliveryOut]:
    """The subscription's deliveries, newest first, with every attempt (status code, timing, outcome)."""
    with _answers():
        entries = await handlers.delivery_log(principal, subscription_id, uow, cipher, limit=limit,
                                              status=delivery_status)
    return [DeliveryOut.of(entry) for entry in entries]


@router.post("/subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver",
             status_code=status.HTTP_202_ACCEPTED, responses=RESPONSES)
async def redeliver(
    subscription_id: UUID, *, delivery_id: UUID, principal: Subscriber, uow: CurrentUnitOfWork, cipher: CurrentCipher
) -> Response:
    """Send a dead-lettered delivery again, with a fresh set of attempts (once the endpoint is fixed)."""
    with _answers(not_found="delivery_not_found", loc="delivery_id"):
        await handlers.redeliver(principal, subscription_id, delivery_id, uow, cipher)
    return Response(status_code=status.HTTP_202_ACCEPTED)
