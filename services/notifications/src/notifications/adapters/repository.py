"""Storing subscriptions. Secrets and personal contacts (email addresses, phone numbers) are encrypted here, on
the way in, each bound to its subscription: a ciphertext copied onto another row does not decrypt."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.adapters.tables import subscriptions
from notifications.domain.subscriptions import Channel, Filters, Language, Scope, Subscription
from shared.contracts.vocabulary import Priority
from shared.crypto import FieldCipher

SECRET_FIELD = "webhook_secret"  # noqa: S105 - the name of the encrypted field, not a secret
CONTACT_FIELD = "subscription_contact"


def _encrypted_contact(subscription: Subscription, cipher: FieldCipher) -> dict[str, Any]:
    if subscription.channel is Channel.WEBHOOK:
        return {"url": subscription.target, "contact_ciphertext": None}
    return {
        "url": None,
        "contact_ciphertext": cipher.encrypt(
            subscription.target, case_id=subscription.subscription_id, field=CONTACT_FIELD
        ),
    }


def _values(subscription: Subscription, cipher: FieldCipher) -> dict[str, Any]:
    return {
        "event_types": list(subscription.event_types),
        "channel": subscription.channel.value,
        "language": subscription.language.value,
        "regions": list(subscription.filters.regions),
        "priorities": [priority.value for priority in subscription.filters.priorities],
        "paused": subscription.paused,
        "updated_at": subscription.updated_at,
        **_encrypted_contact(subscription, cipher),
    }


async def add_subscription(
    session: AsyncSession, subscription: Subscription, cipher: FieldCipher, *, secret: str | None
) -> None:
    secret_ciphertext = (
        None if secret is None
        else cipher.encrypt(secret, case_id=subscription.subscription_id, field=SECRET_FIELD)
    )
    await session.execute(
        subscriptions.insert().values(
            subscription_id=subscription.subscription_id,
            scope=subscription.scope.value,
            agency_id=subscription.agency_id,
            region_code=subscription.region_code,
            owner=subscription.owner,
            created_at=subscription.created_at,
            secret_ciphertext=secret_ciphertext,
            **_values(subscription, cipher),
        )
    )


async def save_subscription(session: AsyncSession, subscription: Subscription, cipher: FieldCipher) -> bool:
    """Write the changeable part back; False if it is gone (deleted, or not the caller's to change)."""
    result = await session.execute(
        update(subscriptions)
        .where(subscriptions.c.subscription_id == subscription.subscription_id, subscriptions.c.deleted_at.is_(None))
        .values(**_values(subscription, cipher))
        .returning(subscriptions.c.subscription_id)
    )
    return result.first() is not None


async def set_secret(
    session: AsyncSession, subscription_id: UUID, secret: str, cipher: FieldCipher, *,
    keep_previous_until: datetime | None,
) -> bool:
    """A new signing secret; the current one keeps signing beside it until ``keep_previous_until`` (None: not
    at all), so that receivers can switch over without losing a request."""
    ciphertext = cipher.encrypt(secret, case_id=subscription_id, field=SECRET_FIELD)
    previous = subscriptions.c.secret_ciphertext if keep_previous_until is not None else None
    result = await session.execute(
        update(subscriptions)
        .where(subscriptions.c.subscription_id == subscription_id, subscriptions.c.deleted_at.is_(None))
        .values(
            secret_ciphertext=ciphertext,
            previous_secret_ciphertext=previous,
            previous_secret_expires_at=keep_previous_until,
            updated_at=func.now(),
        )
        .returning(subscriptions.c.subscription_id)
    )
    return result.first() is not None


async def delete_subscription(session: AsyncSession, subscription_id: UUID) -> bool:
    """Mark deleted and forget its secrets and contact (its pending deliveries: ``deliveries.bury_pending``).
    The row stays for the delivery log and the audit trail."""
    result = await session.execute(
        update(subscriptions)
        .where(subscriptions.c.subscription_id == subscription_id, subscriptions.c.deleted_at.is_(None))
        .values(
            deleted_at=func.now(), updated_at=func.now(), url=None, contact_ciphertext=None,
            secret_ciphertext=None, previous_secret_ciphertext=None, previous_secret_expires_at=None,
        )
        .returning(subscriptions.c.subscription_id)
    )
    return result.first() is not None


_COLUMNS = (
    subscriptions.c.subscription_id, subscriptions.c.scope, subscriptions.c.agency_id, subscriptions.c.region_code,
    subscriptions.c.event_types, subscriptions.c.channel, subscriptions.c.url, subscriptions.c.contact_ciphertext,
    subscriptions.c.language, subscriptions.c.regions, subscriptions.c.priorities, subscriptions.c.paused,
    subscriptions.c.owner, subscriptions.c.created_at, subscriptions.c.updated_at,
)


def target_of(row: Any, cipher: FieldCipher) -> str:
    """The row's webhook URL, or its email address or phone number decrypted."""
    if row.contact_ciphertext is None:
        return str(row.url or "")
    return cipher.decrypt(row.contact_ciphertext, case_id=row.subscription_id, field=CONTACT_FIELD)


def _subscription(row: Any, cipher: FieldCipher) -> Subscription:
    return Subscription(
        subscription_id=row.subscription_id,
        scope=Scope(row.scope),
        agency_id=row.agency_id,
        region_code=row.region_code,
        event_types=tuple(row.event_types),
        channel=Channel(row.channel),
        target=target_of(row, cipher),
        language=Language(row.language),
        filters=Filters(tuple(row.regions), tuple(Priority(p) for p in row.priorities)),
        paused=row.paused,
        created_at=row.created_at,
        updated_at=row.updated_at,
        owner=row.owner,
    )


async def get_subscription(session: AsyncSession, subscription_id: UUID, cipher: FieldCipher) -> Subscription | None:
    """The subscription, unless deleted (or hidden from the caller by row-level security)."""
    row = (
        await session.execute(
            select(*_COLUMNS).where(
                subscriptions.c.subscription_id == subscription_id, subscriptions.c.deleted_at.is_(None)
            )
        )
    ).first()
    return None if row is None else _subscription(row, cipher)


async def exists(session: AsyncSession, subscription_id: UUID) -> bool:
    """Visible to the caller, deleted or not: a deleted subscription's delivery log can still be read."""
    found = await session.execute(
        select(subscriptions.c.subscription_id).where(subscriptions.c.subscription_id == subscription_id)
    )
    return found.first() is not None


async def list_subscriptions(
    session: AsyncSession, cipher: FieldCipher, *, agency_id: str | None = None, region_code: str | None = None,
    province_code: str | None = None,
) -> list[Subscription]:
    """Live subscriptions of an agency, or a region's, or every one limited to a province (its agencies' and its
    regions'); row-level security narrows them to the caller's."""
    query = select(*_COLUMNS).where(subscriptions.c.deleted_at.is_(None))
    if province_code is not None:
        column = subscriptions.c.region_code
        query = query.where(or_(column == province_code, column.startswith(f"{province_code}.", autoescape=True)))
    if agency_id is not None:
        query = query.where(subscriptions.c.agency_id == agency_id)
    if region_code is not None:
        query = query.where(subscriptions.c.scope == Scope.REGION.value, subscriptions.c.region_code == region_code)
    rows = await session.execute(query.order_by(subscriptions.c.created_at, subscriptions.c.subscription_id))
    return [_subscription(row, cipher) for row in rows]


async def candidates(
    session: AsyncSession, cipher: FieldCipher, *, event_type: str, agencies: Iterable[str], province_code: str,
    regency_code: str,
) -> list[Subscription]:
    """The live subscriptions that might be told of an event of this type on a case of this region: those of
    the agencies holding the case, and those of the region's supervisors. ``need_to_know.audience`` decides."""
    query = select(*_COLUMNS).where(
        subscriptions.c.deleted_at.is_(None),
        subscriptions.c.event_types.contains([event_type]),
        or_(
            and_(subscriptions.c.scope == Scope.AGENCY.value, subscriptions.c.agency_id.in_(list(agencies))),
            and_(
                subscriptions.c.scope == Scope.REGION.value,
                subscriptions.c.region_code.in_([province_code, regency_code]),
            ),
        ),
    )
    return [_subscription(row, cipher) for row in await session.execute(query)]
