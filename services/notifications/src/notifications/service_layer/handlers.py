"""Notifications' use cases: managing subscriptions and reading their delivery logs."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from notifications.adapters import deliveries, repository
from notifications.domain import access
from notifications.domain.delivery import DeliveryLogEntry, DeliveryStatus
from notifications.domain.subscriptions import (
    Channel,
    Filters,
    InvalidSubscriptionError,
    Scope,
    Subscription,
    SubscriptionSpec,
    check_secret,
)
from shared.auth import Principal
from shared.contracts.base import utc_now
from shared.crypto import FieldCipher
from shared.unit_of_work import UnitOfWork


class NotAllowedError(Exception):
    """The caller may not do this (403)."""


class NotFoundError(Exception):
    """No such subscription the caller may see (404)."""


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class NewSubscription:
    scope: Scope
    agency_id: str | None
    spec: SubscriptionSpec
    secret: str | None  # the receiver's own choice of webhook secret; None: one is made


async def subscribe(
    principal: Principal, request: NewSubscription, uow: UnitOfWork, cipher: FieldCipher, *,
    available: frozenset[Channel],
) -> tuple[Subscription, str | None]:
    """Create the subscription; return it and the webhook secret if one was made here (shown once)."""
    if not access.may_create(principal, request.scope, request.agency_id):
        raise NotAllowedError
    region = access.region_of_new_subscription(principal, request.scope, request.agency_id)
    spec = _checked(request.spec, request.scope, region, available)
    made_secret = None
    secret = request.secret
    if spec.channel is Channel.WEBHOOK:
        if secret is None:
            secret = made_secret = new_secret()
        check_secret(secret)
    elif secret is not None:
        raise InvalidSubscriptionError("secret", en="Only webhooks are signed.",
                                       id="Hanya webhook yang ditandatangani.")
    now = utc_now()
    subscription = Subscription(
        subscription_id=uuid4(), scope=request.scope,
        agency_id=request.agency_id if request.scope is Scope.AGENCY else None, region_code=region,
        event_types=spec.event_types, channel=spec.channel, target=spec.target, language=spec.language,
        filters=spec.filters, paused=False, created_at=now, updated_at=now, owner=principal.user_id,
    )
    async with uow:
        await repository.add_subscription(uow.session, subscription, cipher, secret=secret)
        await uow.commit()
    return subscription, made_secret


def _checked(
    spec: SubscriptionSpec, scope: Scope, region: str | None, available: frozenset[Channel]
) -> SubscriptionSpec:
    if spec.channel not in available:
        raise InvalidSubscriptionError("channel", en=f"{spec.channel.value} is not configured on this deployment.",
                                       id=f"{spec.channel.value} tidak diatur pada instalasi ini.")
    return spec.validated(scope, region)


async def list_subscriptions(
    principal: Principal, uow: UnitOfWork, cipher: FieldCipher, *, agency_id: str | None, region_code: str | None,
    province_code: str | None = None,
) -> list[Subscription]:
    if agency_id is not None and not access.may_list_agency(principal, agency_id):
        raise NotAllowedError
    if region_code is not None and not access.may_list_region(principal, region_code):
        raise NotAllowedError
    if province_code is not None and not access.may_list_province(principal, province_code):
        raise NotAllowedError
    async with uow:
        found = await repository.list_subscriptions(uow.session, cipher, agency_id=agency_id, region_code=region_code,
                                                    province_code=province_code)
    return [subscription for subscription in found if access.may_read(principal, subscription)]


async def get_subscription(
    principal: Principal, subscription_id: UUID, uow: UnitOfWork, cipher: FieldCipher
) -> Subscription:
    async with uow:
        subscription = await repository.get_subscription(uow.session, subscription_id, cipher)
    if subscription is None or not access.may_read(principal, subscription):
        raise NotFoundError
    return subscription


async def _managed(principal: Principal, subscription_id: UUID, uow: UnitOfWork, cipher: FieldCipher) -> Subscription:
    """Inside ``uow``: the subscription, if the principal may manage it."""
    subscription = await repository.get_subscription(uow.session, subscription_id, cipher)
    if subscription is None or not access.may_read(principal, subscription):
        raise NotFoundError
    if not access.may_manage(principal, subscription):
        raise NotAllowedError
    return subscription


async def change(
    principal: Principal, subscription_id: UUID, changes: dict[str, object], uow: UnitOfWork, cipher: FieldCipher,
    *, available: frozenset[Channel],
) -> Subscription:
    """Change any of event_types, target, language, regions, priorities, and paused."""
    async with uow:
        current = await _managed(principal, subscription_id, uow, cipher)
        filters = Filters(
            regions=changes.get("regions", current.filters.regions),  # type: ignore[arg-type]
            priorities=changes.get("priorities", current.filters.priorities),  # type: ignore[arg-type]
        )
        spec_changes = {name: value for name, value in changes.items() if name in _SPEC_FIELDS}
        spec = replace(
            SubscriptionSpec(current.event_types, current.channel, current.target, current.language, filters),
            **spec_changes,  # type: ignore[arg-type]
        )
        if set(changes) - {"paused"}:
            spec = _checked(spec, current.scope, current.region_code, available | {current.channel})
        updated = replace(
            current, event_types=spec.event_types, target=spec.target, language=spec.language, filters=spec.filters,
            paused=bool(changes.get("paused", current.paused)), updated_at=utc_now(),
        )
        await repository.save_subscription(uow.session, updated, cipher)
        await uow.commit()
    return updated


_SPEC_FIELDS = ("event_types", "target", "language")


async def rotate_secret(
    principal: Principal, subscription_id: UUID, keep_previous_for: timedelta, uow: UnitOfWork, cipher: FieldCipher
) -> tuple[str, datetime | None]:
    """A new webhook secret (returned once); the old one keeps signing beside it for ``keep_previous_for``."""
    async with uow:
        subscription = await _managed(principal, subscription_id, uow, cipher)
        if subscription.channel is not Channel.WEBHOOK:
            raise InvalidSubscriptionError("channel", en="Only webhooks have a secret.",
                                           id="Hanya webhook yang memiliki rahasia.")
        secret = new_secret()
        until = utc_now() + keep_previous_for if keep_previous_for > timedelta(0) else None
        await repository.set_secret(uow.session, subscription_id, secret, cipher, keep_previous_until=until)
        await uow.commit()
    return secret, until


async def delete(principal: Principal, subscription_id: UUID, uow: UnitOfWork, cipher: FieldCipher) -> None:
    async with uow:
        await _managed(principal, subscription_id, uow, cipher)
        await repository.delete_subscription(uow.session, subscription_id)
        async with uow.acting_as_service():  # deliveries are the service's to change, once allowed
            await deliveries.bury_pending(uow.session, subscription_id, reason="subscription deleted")
        await uow.commit()


async def delivery_log(
    principal: Principal, subscription_id: UUID, uow: UnitOfWork, cipher: FieldCipher, *, limit: int,
    status: DeliveryStatus | None,
) -> list[DeliveryLogEntry]:
    """The subscription's deliveries with their attempts, newest first (a deleted subscription's too)."""
    async with uow:
        subscription = await repository.get_subscription(uow.session, subscription_id, cipher)
        if subscription is not None and not access.may_read(principal, subscription):
            raise NotFoundError
        if subscription is None and not await repository.exists(uow.session, subscription_id):
            raise NotFoundError
        return await deliveries.delivery_log(uow.session, subscription_id, limit=limit, status=status)


async def redeliver(
    principal: Principal, subscription_id: UUID, delivery_id: UUID, uow: UnitOfWork, cipher: FieldCipher
) -> None:
    """Send a dead-lettered delivery again, with a fresh set of attempts."""
    async with uow:
        await _managed(principal, subscription_id, uow, cipher)
        async with uow.acting_as_service():  # deliveries are the service's to change, once allowed
            found = await deliveries.redeliver(uow.session, delivery_id, subscription_id)
        if not found:
            raise NotFoundError
        await uow.commit()
